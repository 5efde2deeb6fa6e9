"""The meeting's record: when and where it met, who attended, who spoke on which item, in
which order and for how long, what interrupted them, the chair's rulings, each item's documents.

Written through the house Word writer (A4, the record's symbol and date in the header, page
numbers), printed to PDF from that same Word file, and given to spreadsheets as two CSV
files: the speakers and the attendance. The exports leave the platform (the chair's summary),
so under the Chatham House Rule they name nobody, whoever downloads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from docx.shared import Pt
from flask_babel import force_locale, format_number, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from consult import dates
from consult.accounts.models import Delegation, User
from consult.dates import document_date
from consult.exports.pdf import docx_to_pdf
from consult.exports.tables import csv_file
from consult.exports.word import WORD_LANGUAGES, DocxWriter, HouseDocument
from consult.extensions import db
from consult.meetings import interpretation, presence, services, visibility
from consult.meetings.models import FloorRequest, FloorStatus, Meeting
from consult.rooms.models import Membership, RoomRole
from consult.timeutil import utcnow

#: agenda item id -> its documents (each with title, kind, circulated_at, late).
Documents = dict[int, list] | None


def _named(meeting: Meeting) -> bool:
    return not meeting.is_chatham_house


def _rule(meeting: Meeting) -> str:
    if meeting.is_chatham_house:
        return _("Held under the Chatham House Rule: speakers are recorded by their status.")
    return _("Held under the meeting's ordinary rules: speakers are named.")


def _locale() -> str:
    return str(get_locale() or "en")


def duration_words(seconds: int) -> str:
    """A duration as a duration ("2 min 5 sec"), never read as a time of day."""
    return dates.duration(max(0, int(seconds)))


def statement_time(turn: FloorRequest, now: datetime | None = None) -> str:
    """How long a statement lasted; for the current speaker, how long so far (never "0")."""
    now = now or utcnow()
    if turn.status in (FloorStatus.SPEAKING, FloorStatus.SUSPENDED):
        spoken = duration_words(turn.spoken_seconds(now))
        if turn.status is FloorStatus.SPEAKING:
            return _("%(time)s so far (speaking)", time=spoken)
        return _("%(time)s so far (interrupted)", time=spoken)
    return duration_words(turn.spoken_seconds(turn.ended_at or now))


def chairs(meeting: Meeting) -> list[str]:
    """Who chairs the meeting's room now (persons by name, delegations by their name)."""
    rows = db.session.execute(
        select(User.name, Delegation.name)
        .select_from(Membership)
        .outerjoin(User, User.id == Membership.user_id)
        .outerjoin(Delegation, Delegation.id == Membership.delegation_id)
        .where(
            Membership.room_id == meeting.room_id,
            Membership.ended_at.is_(None),
            Membership.role == RoomRole.CHAIR,
        )
        .order_by(Membership.started_at)
    ).all()
    return [person or delegation for person, delegation in rows if person or delegation]


def facts(meeting: Meeting, language: str = "en") -> list[str]:
    """The lines under the record's title: date, time, venue, mode, interpretation, chair."""
    zone = meeting.time_zone
    lines = [
        _("Date: %(date)s", date=document_date(meeting.starts_at, language, zone)),
        _(
            "Time: %(start)s to %(end)s",
            start=dates.moment(meeting.starts_at, "time", zone=zone, language=language),
            end=dates.zoned(meeting.ends_at, "time", zone=zone, language=language),
        ),
    ]
    if meeting.venue:
        lines.append(_("Venue: %(venue)s", venue=meeting.venue))
    lines.append(_("Mode: %(mode)s", mode=meeting.mode.label))
    if channels := interpretation.channels_of(meeting):
        # The languages only: the record is read long after, where channels mean nothing.
        languages = interpretation.names_in_sentence(channels)
        lines.append(_("Interpretation: %(languages)s", languages=languages))
    if names := chairs(meeting):
        lines.append(_("Chair: %(names)s", names=", ".join(names)))
    return lines


def _field(document: Any, name: str) -> Any:
    """A document's field, whether it comes as an object or a mapping."""
    if isinstance(document, dict):
        return document.get(name)
    return getattr(document, name, None)


def document_line(document: Any, language: str, zone: str) -> str:
    """ "Title (kind), circulated 1 December 2026, late"."""
    kind = _field(document, "kind")
    kind = getattr(kind, "label", kind)
    text = str(_field(document, "title") or "")
    if kind:
        text += f" ({kind})"
    circulated = _field(document, "circulated_at")
    if circulated is not None:
        text += ", " + _("circulated %(date)s", date=document_date(circulated, language, zone))
    if _field(document, "late"):
        text += ", " + _("late")
    return text


def _attendance(writer: DocxWriter, meeting: Meeting, named: bool) -> None:
    """Who attended: the totals, by status and by regional group, and (when the record names
    people) everyone by name with their delegation and presence."""
    counts = presence.counts(meeting)
    writer.heading(_("Attendance"), 1)
    if not counts.total.people:
        writer.text(_("Nobody was recorded as attending."))
        return
    total = counts.total
    writer.text(
        _(
            "%(d)s delegations attended (%(in)s in the room, %(remote)s remote), %(p)s people.",
            d=format_number(total.delegations),
            **{"in": format_number(total.delegations_in_room)},
            remote=format_number(total.delegations_remote),
            p=format_number(total.people),
        )
    )
    head = [_("Delegations"), _("In the room"), _("Remote"), _("People")]
    for title, column, rows in (
        (_("By status"), _("Status"), counts.by_status),
        (_("By regional group"), _("Regional group"), counts.by_group),
    ):
        if not rows:
            continue
        writer.heading(title, 2)
        n = format_number
        table = [[column, *head]] + [
            [str(name), n(t.delegations), n(t.delegations_in_room), n(t.delegations_remote),
             n(t.people)]
            for name, t in rows
        ]  # fmt: skip
        writer.plain_table(table)
    if named:
        writer.heading(_("Participants"), 2)
        rows = [[_("Name"), _("Delegation"), _("Presence")]] + [
            [
                a.user.name,
                a.user.delegation.name if a.user.delegation else "",
                str(a.presence.label),
            ]
            for a in presence.attendees(meeting)
        ]
        writer.plain_table(rows)


def record_docx(
    meeting: Meeting, documents: Documents = None, *, language: str | None = None
) -> bytes:
    """The record as a house Word file. `documents`: agenda item id -> its documents (listed
    under each item); None lists none."""
    language = language or _locale()
    language = language if language in WORD_LANGUAGES else "en"
    named = _named(meeting)
    now = utcnow()
    with force_locale(language):
        writer = DocxWriter.house(
            HouseDocument(
                title=meeting.title,
                body=meeting.room.title,
                issued_at=now,
                symbol=meeting.symbol or None,
                kind=_("Record of the meeting"),
                language=language,
                time_zone=meeting.time_zone,
                lines=tuple(facts(meeting, language)),
            )
        )
        writer.text(_rule(meeting), italic=True, size=Pt(10))
        _attendance(writer, meeting, named)
        writer.heading(_("Statements by agenda item"), 1)
        for item, turns in services.speaking_record(meeting):
            writer.heading(_("Item %(label)s. %(title)s", label=item.label, title=item.title), 2)
            listed = (documents or {}).get(item.id) or []
            if listed:
                writer.text(_("Documents"), bold=True)
                for document in listed:
                    writer.text(
                        document_line(document, language, meeting.time_zone), style="List Bullet"
                    )
            if not turns:
                writer.text(_("No speakers."))
                continue
            rows = [
                [
                    "#",
                    _("Delegation") if named else _("Speaker"),
                    _("Kind"),
                    _("Presence"),
                    _("Duration"),
                ]
            ]
            for t in turns:
                interrupted = services.interruption_of(t, turns, named)
                kind = f"{t.kind.label}, {interrupted}" if interrupted else str(t.kind.label)
                rows.append(
                    [str(t.turn), visibility.who(t, named), kind, str(t.presence.label),
                     statement_time(t, now)]
                )  # fmt: skip
            writer.plain_table(rows)
            for t in turns:
                if t.ruling:
                    writer.text(
                        _(
                            "Ruling on the point of order by %(who)s: %(ruling)s",
                            who=visibility.who(t, named),
                            ruling=t.ruling,
                        )
                    )
    return writer.to_bytes()


def record_pdf(meeting: Meeting, documents: Documents = None) -> bytes:
    """The Word record as LibreOffice prints it (PdfUnavailable when it cannot)."""
    return docx_to_pdf(record_docx(meeting, documents))


def speakers_csv(meeting: Meeting) -> bytes:
    """One row per statement: item, turn, speaker (by status under the Rule), duration."""
    named = _named(meeting)
    zone = meeting.time_zone
    now = utcnow()
    # Headed and worded in the reader's language, as the Word record is.
    columns = [
        _("Item"),
        _("Item title"),
        _("Turn"),
        _("Delegation") if named else _("Speaker"),
        _("On behalf of"),
        _("Kind"),
        _("Presence"),
        _("Started (%(zone)s)", zone=zone),
        _("Ended (%(zone)s)", zone=zone),
        _("Seconds"),
        _("Ruling"),
        _("Interrupted"),
    ]
    rows: list[Sequence[Any]] = []
    for item, turns in services.speaking_record(meeting):
        for t in turns:
            rows.append(
                [
                    item.label,
                    item.title,
                    t.turn,
                    t.delegation.name if named else visibility.who(t, False),
                    t.on_behalf_of if named else "",
                    t.kind.label,
                    t.presence.label,
                    t.started_at,
                    t.ended_at,
                    t.spoken_seconds(t.ended_at or now),
                    t.ruling or "",
                    services.interruption_of(t, turns, named),
                ]
            )
    return csv_file(columns, rows, time_zone=zone)


def attendance_csv(meeting: Meeting) -> bytes:
    """Who attended, one row a person; under the Rule, the counts by status and regional
    group instead (nobody named)."""
    zone = meeting.time_zone
    if not _named(meeting):
        counts = presence.counts(meeting)
        rows = [
            [by, str(name), t.delegations, t.delegations_in_room, t.delegations_remote, t.people]
            for by, tallies in (
                (_("Delegation status"), counts.by_status),
                (_("Regional group"), counts.by_group),
            )
            for name, t in tallies
        ]
        columns = [
            _("Counted by"),
            _("Group"),
            _("Delegations"),
            _("In the room"),
            _("Remote"),
            _("People"),
        ]
        return csv_file(columns, rows, time_zone=zone)
    rows = []
    for a in presence.attendees(meeting):
        delegation = a.user.delegation
        group = delegation.regional_group if delegation else None
        rows.append(
            [
                a.user.name,
                delegation.name if delegation else "",
                delegation.status.label if delegation else "",
                group.label if group else "",
                a.presence.label,
                a.is_recorded_at_desk,
                a.first_seen_at,
                a.last_seen_at,
            ]
        )
    columns = [
        _("Name"),
        _("Delegation"),
        _("Status"),
        _("Regional group"),
        _("Presence"),
        _("Recorded at the desk"),
        _("First seen (%(zone)s)", zone=zone),
        _("Last seen (%(zone)s)", zone=zone),
    ]
    return csv_file(columns, rows, time_zone=zone)
