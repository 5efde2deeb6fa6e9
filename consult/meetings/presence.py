"""Who attends, in the room or remotely: marked by the person or at the desk (the chair or
the Secretariat, also for someone who follows without a device); the console's counts by
presence, status and regional group; the Secretariat's participation report across meetings.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from consult import audit
from consult.accounts.models import Delegation, DelegationStatus, RegionalGroup, User
from consult.extensions import db
from consult.meetings.models import Attendance, Meeting, Presence
from consult.policy import visible
from consult.rooms.models import Room
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit


def mark(meeting: Meeting, person: User, presence: Presence, *, by: User) -> Attendance:
    """Set where `person` follows the meeting. By themself, or at the desk (`by` manages the
    meeting: the route asked); a person the desk marks who never opened a live view is
    recorded as attending (no device needed)."""
    from consult.meetings.services import MeetingError, panel_payload

    if not person.is_active:
        raise MeetingError(_("%(name)s's account is not active.", name=person.name), field="user")
    now = utcnow()
    row = db.session.scalars(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.user_id == person.id
        )
    ).first()
    at_desk = by.id != person.id
    if row is None:
        row = Attendance(
            meeting_id=meeting.id,
            user_id=person.id,
            delegation_id=person.delegation_id,
            presence=presence,
            first_seen_at=now,
            last_seen_at=now,
            is_recorded_at_desk=at_desk,
        )
        db.session.add(row)
    row.presence = presence
    row.last_seen_at = now
    row.marked_by_id = by.id if at_desk else None
    db.session.flush()
    if at_desk:
        audit.record(
            "meeting.presence_marked",
            f"{meeting.title}: {person.name} marked {presence.value} at the desk",
            actor=by,
            room_id=meeting.room_id,
            meeting_id=meeting.id,
            user_id=person.id,
        )
    meeting_id = meeting.id
    emit_after_commit(
        "meeting-console",
        lambda: panel_payload(meeting_id, chair=True),
        to=f"meeting:{meeting_id}:chair",
    )
    return row


def presence_of(meeting: Meeting, person: User) -> Presence | None:
    return db.session.scalar(
        select(Attendance.presence).where(
            Attendance.meeting_id == meeting.id, Attendance.user_id == person.id
        )
    )


def attendees(meeting: Meeting) -> list[Attendance]:
    """Everyone recorded as attending, in the room first, then by name."""
    rows = db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    return sorted(rows, key=lambda a: (a.presence is not Presence.IN_ROOM, a.user.name.lower()))


def people_for_desk() -> list[tuple[str, list[tuple[int, str]]]]:
    """Active people by delegation: whom the desk may record as attending."""
    rows = db.session.execute(
        select(User.id, User.name, Delegation.name)
        .join(Delegation, Delegation.id == User.delegation_id)
        .where(User.is_active.is_(True), Delegation.is_active.is_(True))
        .order_by(Delegation.name, User.name)
    ).all()
    grouped: dict[str, list[tuple[int, str]]] = {}
    for user_id, name, delegation in rows:
        grouped.setdefault(delegation, []).append((user_id, name))
    return list(grouped.items())


# ---- counts ------------------------------------------------------------------------------------


@dataclass
class Tally:
    """People and delegations, in the room and remote (a delegation with anyone in the room
    counts as in the room)."""

    people_in_room: int = 0
    people_remote: int = 0
    delegations_in_room: int = 0
    delegations_remote: int = 0

    @property
    def people(self) -> int:
        return self.people_in_room + self.people_remote

    @property
    def delegations(self) -> int:
        return self.delegations_in_room + self.delegations_remote


@dataclass
class Counts:
    total: Tally = field(default_factory=Tally)
    by_status: list[tuple[str, Tally]] = field(default_factory=list)
    by_group: list[tuple[str, Tally]] = field(default_factory=list)


#: (person, delegation, status, regional group, presence) rows -> the counts.
Row = tuple[int, int, DelegationStatus, RegionalGroup | None, Presence]


def _tally(rows: list[Row]) -> Tally:
    tally = Tally()
    delegations: dict[int, bool] = {}
    for _person, delegation, _status, _group, presence in rows:
        in_room = presence is Presence.IN_ROOM
        if in_room:
            tally.people_in_room += 1
        else:
            tally.people_remote += 1
        delegations[delegation] = delegations.get(delegation, False) or in_room
    tally.delegations_in_room = sum(1 for v in delegations.values() if v)
    tally.delegations_remote = sum(1 for v in delegations.values() if not v)
    return tally


def _counts(rows: list[Row]) -> Counts:
    by_status: dict[DelegationStatus, list[Row]] = defaultdict(list)
    by_group: dict[RegionalGroup, list[Row]] = defaultdict(list)
    for row in rows:
        by_status[row[2]].append(row)
        if row[3] is not None:
            by_group[row[3]].append(row)
    return Counts(
        total=_tally(rows),
        by_status=[(s.label, _tally(by_status[s])) for s in DelegationStatus if s in by_status],
        by_group=[(g.label, _tally(by_group[g])) for g in RegionalGroup if g in by_group],
    )


def _rows(where: list) -> list[tuple[int, Row]]:
    result = db.session.execute(
        select(
            Attendance.meeting_id,
            Attendance.user_id,
            Delegation.id,
            Delegation.status,
            Delegation.regional_group,
            Attendance.presence,
        )
        .join(Delegation, Delegation.id == Attendance.delegation_id)
        .where(*where)
    ).all()
    return [(m, (u, d, s, g, p)) for m, u, d, s, g, p in result]


def counts(meeting: Meeting) -> Counts:
    """The console's counts for this meeting (one query)."""
    return _counts([row for _m, row in _rows([Attendance.meeting_id == meeting.id])])


# ---- the participation report (the Secretariat's) ----------------------------------------------


@dataclass
class BodyLine:
    room: Room
    meetings: int
    tally: Tally


@dataclass
class Report:
    bodies: list[BodyLine]
    counts: Counts
    meetings: int

    @property
    def body_rows(self) -> list[tuple[str, int, Tally]]:
        return [(b.room.title, b.meetings, b.tally) for b in self.bodies]

    @property
    def status_rows(self) -> list[tuple[str, None, Tally]]:
        return [(str(name), None, tally) for name, tally in self.counts.by_status]

    @property
    def group_rows(self) -> list[tuple[str, None, Tally]]:
        return [(str(name), None, tally) for name, tally in self.counts.by_group]


def participation(user: User) -> Report:
    """Participation across every meeting this person may see (the Secretariat: all), by body
    (the room that met), by delegation status and by regional group, in the room and remote."""
    meetings = {
        m.id: m for m in db.session.scalars(select(Meeting).where(visible(Meeting, user))).all()
    }
    rows = [(m, row) for m, row in _rows([Attendance.meeting_id.in_(list(meetings))])]
    by_room: dict[int, list[Row]] = defaultdict(list)
    met: dict[int, set[int]] = defaultdict(set)
    for meeting_id, row in rows:
        room_id = meetings[meeting_id].room_id
        by_room[room_id].append(row)
        met[room_id].add(meeting_id)
    rooms = {r.id: r for r in db.session.scalars(select(Room).where(Room.id.in_(list(met))))}
    bodies = sorted(
        (BodyLine(rooms[i], len(met[i]), _tally(by_room[i])) for i in met),
        key=lambda b: b.room.title.lower(),
    )
    return Report(bodies, _counts([row for _m, row in rows]), len({m for m, _ in rows}))


def report_csv(report: Report) -> bytes:
    """The report as CSV, with a UTF-8 byte-order mark so spreadsheets read accents right."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = [
        _("Section"),
        _("Name"),
        _("Meetings"),
        _("Delegations in the room"),
        _("Delegations remote"),
        _("People in the room"),
        _("People remote"),
    ]
    writer.writerow(header)

    def line(section: str, name: str, meetings: object, tally: Tally) -> None:
        writer.writerow(
            [
                section,
                _safe(name),
                meetings,
                tally.delegations_in_room,
                tally.delegations_remote,
                tally.people_in_room,
                tally.people_remote,
            ]
        )

    for body in report.bodies:
        line(_("Body"), body.room.title, body.meetings, body.tally)
    for name, tally in report.counts.by_status:
        line(_("Delegation status"), str(name), "", tally)
    for name, tally in report.counts.by_group:
        line(_("Regional group"), str(name), "", tally)
    line(_("All"), _("All meetings"), report.meetings, report.counts.total)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(value: str) -> str:
    """Spreadsheets run cells that start with these as formulas."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
