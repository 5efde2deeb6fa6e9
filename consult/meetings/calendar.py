"""Calendars: an .ics per meeting and a private, revocable feed of "my meetings"."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select

from consult.accounts.models import User
from consult.extensions import db
from consult.instance import instance_id
from consult.links import path_for
from consult.meetings import interpretation
from consult.meetings.models import CalendarFeed, InterpretationChannel, Meeting, MeetingSession
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel
from consult.timeutil import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed(user: User) -> str:
    """Issue a new feed address; any earlier one stops working."""
    revoke(user)
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(user_id=user.id, token_hash=_digest(token)))
    return token


def revoke(user: User) -> None:
    for feed in db.session.scalars(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)
        )
    ):
        feed.revoked_at = utcnow()


def has_feed(user: User) -> bool:
    return (
        db.session.scalar(
            select(CalendarFeed.id).where(
                CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)
            )
        )
        is not None
    )


def feed_owner(token: str) -> User | None:
    feed = db.session.scalars(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == _digest(token), CalendarFeed.revoked_at.is_(None)
        )
    ).first()
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    return user if user is not None and user.may_sign_in else None


def my_meetings(user: User) -> list[Meeting]:
    """Meetings of the last 30 days and to come that this person may see. One query, selected
    by the policy's filter: the count does not grow with the meetings. A confidential room's
    meetings are in it too, but `ics` writes them as "Confidential meeting" and a link back."""
    since = utcnow() - timedelta(days=30)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.ends_at >= since, visible(Meeting, user))
            .order_by(Meeting.starts_at)
        )
    )


def _sessions_by_meeting(meetings: list[Meeting], user: User | None) -> dict[int, list]:
    """The programme's sessions of these meetings that the person may see (one statement)."""
    if not meetings:
        return {}
    rows = db.session.scalars(
        select(MeetingSession)
        .where(
            MeetingSession.meeting_id.in_([m.id for m in meetings]),
            visible(MeetingSession, user),
        )
        .order_by(MeetingSession.starts_at, MeetingSession.body)
    )
    found: dict[int, list] = {}
    for session in rows:
        found.setdefault(session.meeting_id, []).append(session)
    return found


def is_confidential(meeting: Meeting) -> bool:
    """A confidential room's meeting leaves the platform only as "Confidential meeting" and
    a link back: a calendar is read by other software, synchronised and shared."""
    return meeting.room.access is AccessLevel.CONFIDENTIAL


def calendar_name(meeting: Meeting) -> str:
    """What a meeting's own .ics calls itself outside the platform."""
    return _("Confidential meeting") if is_confidential(meeting) else meeting.title


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//consult//ATT consultations//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _meeting_event(
    meeting: Meeting, channels: list[InterpretationChannel], *, base_url: str, user: User | None
) -> Event:
    page = base_url.rstrip("/") + path_for("meetings.meeting", meeting_id=meeting.id)
    return _event(
        meeting,
        uid=f"meeting-{meeting.id}",
        span=(meeting.starts_at, meeting.ends_at),
        sequence=meeting.schedule_sequence,
        page=page,
        summary=meeting.title,
        place=meeting.venue,
        what=meeting.kind.label,
        link=meeting.video_link,
        channels=channels,
        user=user,
    )


def _session_event(
    session: MeetingSession,
    channels: list[InterpretationChannel],
    *,
    base_url: str,
    user: User | None,
) -> Event:
    """One session of a programme: its own UID, and a SEQUENCE that rises when its time or
    place changes or the meeting's does."""
    meeting = session.meeting
    page = (
        base_url.rstrip("/")
        + path_for("programme.programme_page", meeting_id=meeting.id)
        + f"#session-{session.id}"
    )
    return _event(
        meeting,
        uid=f"session-{session.id}",
        span=(session.starts_at, session.ends_at),
        sequence=meeting.schedule_sequence + session.sequence,
        page=page,
        summary=f"{session.body}: {meeting.title}",
        place=session.place,
        what=session.body,
        link=session.link,
        channels=channels,
        user=user,
    )


def _event(
    meeting: Meeting,
    *,
    uid: str,
    span: tuple,
    sequence: int,
    page: str,
    summary: str,
    place: str,
    what: str,
    link: str,
    channels: list[InterpretationChannel],
    user: User | None,
) -> Event:
    """One calendar entry (a meeting, or a session of its programme). A confidential room's
    entry carries its times and a link back, nothing else; the video link and the
    interpretation's stream links only for those who may attend (the feed is read by other
    software). The interpretation comes in the reader's language, theirs first."""
    event = Event()
    event.add("uid", f"{uid}@{instance_id()}")
    event.add("dtstart", span[0])
    event.add("dtend", span[1])
    event.add("dtstamp", utcnow())
    event.add("sequence", sequence)
    event.add("url", page)
    if meeting.is_cancelled:
        event.add("status", "CANCELLED")
    if is_confidential(meeting):
        event.add("summary", _("Confidential meeting"))
        event.add("class", "CONFIDENTIAL")
        event.add("description", page)
        return event
    event.add("summary", summary)
    if place:
        event.add("location", place)
    lines = [f"{meeting.room.title}: {what}, {meeting.mode.label}"]
    attends = user is not None and can(Need.TAKE_PART, meeting, user)
    if channels:
        lines.append(_("Interpretation:"))
        lines.extend(c.text(with_link=attends) for c in interpretation.shown(channels))
    if link and attends:
        lines.append(_("Video: %(link)s", link=link))
    lines.append(page)
    event.add("description", "\n".join(lines))
    return event


def ics(meetings: list[Meeting], *, base_url: str, name: str, user: User | None) -> bytes:
    """The calendar of these meetings: a meeting with a programme of work as its sessions
    (those the person may see), one without as one event."""
    calendar = _calendar(name)
    sessions = _sessions_by_meeting(meetings, user)
    channels = interpretation.channels_by_meeting(meetings)
    for meeting in meetings:
        heard = channels[meeting.id]
        if sessions.get(meeting.id):
            for session in sessions[meeting.id]:
                calendar.add_component(_session_event(session, heard, base_url=base_url, user=user))
        else:
            calendar.add_component(_meeting_event(meeting, heard, base_url=base_url, user=user))
    return calendar.to_ical()


def session_ics(session: MeetingSession, *, base_url: str, user: User | None) -> bytes:
    """The .ics of one session of a programme."""
    calendar = _calendar(calendar_name(session.meeting))
    heard = interpretation.channels_of(session.meeting)
    calendar.add_component(_session_event(session, heard, base_url=base_url, user=user))
    return calendar.to_ical()
