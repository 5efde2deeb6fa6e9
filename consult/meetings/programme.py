"""The programme of work: a meeting of several days as sessions by day, each with its items.

A session is a day, a start and an end, a room or a link, and the body that meets (WGETI,
WGTU, WGTR, Plenary ...). The chair arranges them; everyone who sees the meeting sees them,
and each agenda item is placed in one. Changing a session's time or place raises its calendar
SEQUENCE (never the console's live version), so calendars update only when it matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from consult import audit, dates
from consult.accounts.models import User
from consult.errors import refuse_longer_than
from consult.extensions import db
from consult.meetings.models import AgendaItem, Meeting, MeetingSession
from consult.meetings.services import MeetingError
from consult.policy import visible
from consult.timeutil import utcnow

#: Bodies the form suggests; any other name is accepted.
BODIES = ("Plenary", "WGETI", "WGTU", "WGTR")
LIMITS = {"body": 60, "venue": 300, "video_link": 500}


# ---- the days and the times --------------------------------------------------------------------


def meeting_days(meeting: Meeting) -> list[date]:
    """The meeting's days, in its own time zone, first to last."""
    zone = ZoneInfo(meeting.time_zone)
    first = meeting.starts_at.astimezone(zone).date()
    last = meeting.ends_at.astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def at(meeting: Meeting, day: date, clock: time) -> datetime:
    """A day and a time of the meeting's zone, as the UTC instant stored."""
    local = datetime.combine(day, clock).replace(tzinfo=ZoneInfo(meeting.time_zone))
    return local.astimezone(ZoneInfo("UTC"))


def local_day(meeting: Meeting, value: datetime) -> date:
    return value.astimezone(ZoneInfo(meeting.time_zone)).date()


def _check(
    meeting: Meeting,
    *,
    body: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str,
    video_link: str,
    session_id: int | None = None,
) -> None:
    """Refuse, next to its field, a session that cannot be: no body, text over its limit, an
    end before the start, a day outside the meeting's, an overlap with the same body."""
    if not body:
        raise MeetingError(_("Name the body that meets (e.g. WGETI or Plenary)."), field="body")
    for name, value in (("body", body), ("venue", venue), ("video_link", video_link)):
        refuse_longer_than(value, LIMITS[name], name, MeetingError)
    if ends_at <= starts_at:
        raise MeetingError(_("The session must end after it starts."), field="ends")
    days = meeting_days(meeting)
    last_moment = ends_at - timedelta(seconds=1)
    if local_day(meeting, starts_at) not in days or local_day(meeting, last_moment) not in days:
        raise MeetingError(
            _(
                "This day is outside the meeting: it runs from %(first)s to %(last)s.",
                first=day_text(days[0]),
                last=day_text(days[-1]),
            ),
            field="day",
        )
    clash = db.session.scalars(
        select(MeetingSession)
        .where(
            MeetingSession.meeting_id == meeting.id,
            func.lower(MeetingSession.body) == body.lower(),
            MeetingSession.starts_at < ends_at,
            MeetingSession.ends_at > starts_at,
            MeetingSession.id != (session_id or 0),
        )
        .order_by(MeetingSession.starts_at)
    ).first()
    if clash is not None:
        raise MeetingError(
            _(
                "%(body)s already meets from %(start)s to %(end)s that day: a body holds one "
                "session at a time.",
                body=clash.body,
                start=dates.moment(clash.starts_at, "time", zone=meeting.time_zone),
                end=dates.moment(clash.ends_at, "time", zone=meeting.time_zone),
            ),
            field="starts",
        )


def day_text(day: date) -> str:
    """A day of the programme as its heading says it (Monday 7 September 2026)."""
    return dates.day(day, "long_day")


# ---- arranging the programme (the chair) -------------------------------------------------------


def add_session(
    meeting: Meeting,
    actor: User,
    *,
    body: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    video_link: str = "",
) -> MeetingSession:
    """Add a session to the meeting's programme (who manages the meeting)."""
    body, venue, video_link = body.strip(), venue.strip(), video_link.strip()
    _check(
        meeting,
        body=body,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        video_link=video_link,
    )
    session = MeetingSession(
        meeting_id=meeting.id,
        body=body,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        video_link=video_link,
    )
    db.session.add(session)
    db.session.flush()
    _audit(meeting, actor, "meeting.session_added", f"session added: {_describe(session)}")
    return session


def update_session(
    session: MeetingSession,
    actor: User,
    *,
    body: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    video_link: str = "",
) -> bool:
    """Change a session; its calendar SEQUENCE rises only when its time or place changed.
    Returns whether it did."""
    meeting = session.meeting
    body, venue, video_link = body.strip(), venue.strip(), video_link.strip()
    _check(
        meeting,
        body=body,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        video_link=video_link,
        session_id=session.id,
    )
    moved = (session.starts_at, session.ends_at, session.venue, session.video_link) != (
        starts_at,
        ends_at,
        venue,
        video_link,
    )
    session.body, session.starts_at, session.ends_at = body, starts_at, ends_at
    session.venue, session.video_link = venue, video_link
    if moved:
        session.sequence += 1
    _audit(meeting, actor, "meeting.session_changed", f"session changed: {_describe(session)}")
    return moved


def remove_session(session: MeetingSession, actor: User) -> int:
    """Remove a session (after the chair confirmed); its items are not lost, they go back to
    "not yet placed". Returns how many there were."""
    meeting = session.meeting
    placed = db.session.execute(
        update(AgendaItem)
        .where(AgendaItem.session_id == session.id)
        .values(session_id=None)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    _audit(meeting, actor, "meeting.session_removed", f"session removed: {_describe(session)}")
    db.session.delete(session)
    db.session.flush()
    return placed or 0


def place_item(item: AgendaItem, actor: User, session: MeetingSession | None) -> None:
    """Place an agenda item in a session of its own meeting (None: take it out of any)."""
    if session is not None and session.meeting_id != item.meeting_id:
        raise MeetingError(_("Choose a session of this meeting."), field="session")
    item.session_id = session.id if session is not None else None
    meeting = db.session.get(Meeting, item.meeting_id)
    where = _describe(session) if session is not None else "no session"
    _audit(meeting, actor, "meeting.item_placed", f"item {item.label} placed: {where}")


def _describe(session: MeetingSession) -> str:
    zone = ZoneInfo(session.meeting.time_zone)
    start = session.starts_at.astimezone(zone)
    return f"{session.body}, {start:%Y-%m-%d %H:%M}-{session.ends_at.astimezone(zone):%H:%M}"


def _audit(meeting: Meeting, actor: User, kind: str, what: str) -> None:
    audit.record(
        kind,
        f"{meeting.title}: {what}",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
    )


# ---- reading the programme ---------------------------------------------------------------------


@dataclass
class SessionView:
    session: MeetingSession
    items: list[AgendaItem] = field(default_factory=list)


@dataclass
class Day:
    day: date
    sessions: list[SessionView] = field(default_factory=list)


@dataclass
class Programme:
    days: list[Day]
    #: Items not placed in any session yet.
    unplaced: list[AgendaItem]
    sessions: list[MeetingSession]


def sessions_of(meeting: Meeting, user: User) -> list[MeetingSession]:
    """The meeting's sessions this person may see, in time order (one statement)."""
    return list(
        db.session.scalars(
            select(MeetingSession)
            .where(MeetingSession.meeting_id == meeting.id, visible(MeetingSession, user))
            .order_by(MeetingSession.starts_at, MeetingSession.body)
        )
    )


def programme(meeting: Meeting, user: User) -> Programme:
    """The week: every day of the meeting with its sessions and their items, selected through
    the visible filters (two statements however long the week)."""
    sessions = sessions_of(meeting, user)
    items = db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id, visible(AgendaItem, user))
        .order_by(AgendaItem.number, AgendaItem.letter)
    ).all()
    views = {s.id: SessionView(s) for s in sessions}
    unplaced = []
    for item in items:
        view = views.get(item.session_id) if item.session_id else None
        if view is None:
            unplaced.append(item)
        else:
            view.items.append(item)
    days = {day: Day(day) for day in meeting_days(meeting)}
    for session in sessions:
        day = local_day(meeting, session.starts_at)
        days.setdefault(day, Day(day)).sessions.append(views[session.id])
    return Programme(sorted(days.values(), key=lambda d: d.day), unplaced, sessions)


@dataclass
class NowAndNext:
    now: list[MeetingSession]
    next: MeetingSession | None


def now_and_next(user: User, moment: datetime | None = None) -> NowAndNext:
    """The sessions in progress and the next one this person may see, over every meeting
    (two statements, selected by the policy's filter)."""
    moment = moment or utcnow()
    running = db.session.scalars(
        select(MeetingSession)
        .where(
            MeetingSession.starts_at <= moment,
            MeetingSession.ends_at > moment,
            visible(MeetingSession, user),
        )
        .order_by(MeetingSession.starts_at, MeetingSession.body)
        .limit(10)
    ).all()
    upcoming = db.session.scalars(
        select(MeetingSession)
        .where(MeetingSession.starts_at > moment, visible(MeetingSession, user))
        .order_by(MeetingSession.starts_at, MeetingSession.body)
        .limit(1)
    ).first()
    return NowAndNext(list(running), upcoming)


def dashboard_section(user: User):
    """The dashboard's "Now" and "Next" (nothing when neither has a session)."""
    found = now_and_next(user)
    if not found.now and found.next is None:
        return None
    return "meetings/_now_next.html", {"now_next": found}
