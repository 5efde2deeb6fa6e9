"""The meetings' live events: the live views watch `meeting:<id>` (chairs also
`meeting:<id>:chair`), and who follows a meeting is recorded as its attendance.

Attendance is written here, through the socket's write path (`handlers.event_writes`): when a
live view joins, on its heartbeat (`meeting_here`), and when its socket disconnects. Each
change the chairs see refreshes their console once it is committed.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_socketio import leave_room, rooms

from consult import handlers, live, transaction
from consult.extensions import db
from consult.meetings import screens, services
from consult.meetings.models import Meeting, MeetingMode, Presence
from consult.policy import Need

CHAIR = "chair"


def _version(meeting: Meeting) -> dict:
    """The meeting's version when the socket joined: the view re-fetches if it is behind."""
    return {"version": meeting.version}


def _console(meeting_id: int) -> None:
    """Refresh the chairs' console (its presence list) on every worker, after the commit."""
    transaction.emit_after_commit(
        "meeting-console",
        lambda: services.panel_payload(meeting_id, chair=True),
        to=f"meeting:{meeting_id}:{CHAIR}",
    )


def _joined(meeting: Meeting, user: Any, data: dict, channels: list[str]) -> dict:
    """A live view (not the projector's screen, nor an agenda page: reading the agenda is not
    attending) arrives: record it, in the room or remote."""
    if data.get("view") not in ("screen", "agenda"):
        presence = data.get("presence")
        presence = Presence(presence) if presence in {p.value for p in Presence} else None
        # Who first opens the console is at the podium or the desk, unless nobody is in a room.
        at_desk = data.get("view") == "chair" and meeting.mode is not MeetingMode.VIRTUAL
        with handlers.event_writes():
            services.seen(
                meeting,
                user,
                presence,
                connected=True,
                default=Presence.IN_ROOM if at_desk else Presence.REMOTE,
            )
            _console(meeting.id)
    return {"chair": f"meeting:{meeting.id}:{CHAIR}" in channels}


def _left(meetings: list[Meeting], user: Any) -> None:
    """A socket that followed these meetings is gone: the person is no longer connected."""
    with handlers.event_writes():
        for meeting in meetings:
            services.seen(meeting, user, None, connected=False)
            _console(meeting.id)


def _here(user: Any, data: Any) -> dict:
    """Heartbeat from an open live view: keeps the person on the chair's presence list."""
    meeting = live.find(Meeting, data, "meeting")
    if meeting is None:
        return {"ok": False}
    with handlers.event_writes():
        if services.seen(meeting, user, None, connected=True):
            _console(meeting.id)
    return {"ok": True, "version": meeting.version}


def _admit_screen(token: Any) -> list[str] | None:
    """A projector's socket, by its screen link: the meeting's screen channel, nothing else."""
    link = screens.link_for(token)
    if link is None:
        return None
    return [screens.channel(link.meeting_id), screens.link_channel(link.id)]


def _leave_screens() -> None:
    for name in list(rooms(namespace=live.NAMESPACE)):
        if name.startswith(("screen:", "screenlink:")):
            leave_room(name)


def _watch_screen(user: Any, data: Any) -> dict:
    """A screen (re)watches its meeting, asked again every time: by its link's token (a
    revoked one is refused and the socket leaves the screen channels: the screen goes dark),
    or, for a signed-in person's screen view, by the meeting's page rule."""
    token = data.get("token") if isinstance(data, dict) else None
    if token is not None:
        link = screens.link_for(token)
        if link is None:
            _leave_screens()
            return {"ok": False, "dark": True}
        meeting = db.session.get(Meeting, link.meeting_id)
        live.join(screens.link_channel(link.id))
    elif user is not None:
        meeting = live.find(Meeting, data, "meeting")
        if meeting is None:
            return {"ok": False}
    else:
        return {"ok": False}
    live.join(screens.channel(meeting.id))
    return {"ok": True, "version": meeting.version}


def register(app: Flask) -> None:
    """`watch_meeting` (with the chairs' channel and attendance), `meeting_here`, and the
    screens' `watch_screen` (a guest socket admitted by its screen link may send it)."""
    live.watch(
        app,
        live.Watch(
            event="watch_meeting",
            prefix="meeting",
            model=Meeting,
            key="meeting",
            also=((CHAIR, Need.MANAGE),),
            reply=_version,
            joined=_joined,
            left=_left,
        ),
    )
    live.on(app, "meeting_here", _here)
    live.guest(app, "screen", _admit_screen)
    live.on(app, "watch_screen", _watch_screen, guest=True)
