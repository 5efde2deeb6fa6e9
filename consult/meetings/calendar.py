"""Calendars: an .ics per meeting and a private, revocable feed of "my meetings"."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import select

from consult.accounts.models import User
from consult.extensions import db
from consult.links import path_for
from consult.meetings.models import CalendarFeed, Meeting
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, Room
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
    """Meetings of the last 30 days and to come that this person may see, never those of a
    confidential room (a calendar is read by other software). One query, selected by the
    policy's filter: the count does not grow with the meetings."""
    since = utcnow() - timedelta(days=30)
    return list(
        db.session.scalars(
            select(Meeting)
            .join(Room, Room.id == Meeting.room_id)
            .where(
                Meeting.ends_at >= since,
                Room.access != AccessLevel.CONFIDENTIAL,
                visible(Meeting, user),
            )
            .order_by(Meeting.starts_at)
        )
    )


def ics(meetings: list[Meeting], *, base_url: str, name: str, user: User | None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//consult//ATT consultations//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@consult")
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("dtstamp", utcnow())
        event.add("sequence", meeting.version)
        if meeting.venue:
            event.add("location", meeting.venue)
        page = base_url.rstrip("/") + path_for("meetings.meeting", meeting_id=meeting.id)
        event.add("url", page)
        lines = [f"{meeting.room.title}: {meeting.kind.label}, {meeting.mode.label}"]
        if meeting.interpretation:
            lines.append(f"Interpretation: {meeting.interpretation}")
        if meeting.video_link and user is not None and can(Need.TAKE_PART, meeting, user):
            lines.append(f"Video: {meeting.video_link}")
        lines.append(page)
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    return calendar.to_ical()
