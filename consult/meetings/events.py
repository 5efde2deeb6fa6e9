"""The meetings' live events: the live views watch `meeting:<id>` (chairs also
`meeting:<id>:chair`), and who follows a meeting is recorded as its attendance.

Attendance is written here, through the socket's write path (`handlers.event_writes`): when a
live view joins, on its heartbeat (`meeting_here`), and when its socket disconnects. Each
change the chairs see refreshes their console once it is committed.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from consult import handlers, live, transaction
from consult.meetings import services
from consult.meetings.models import Meeting, Presence
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
    """A live view (not the projector's screen) arrives: record it, in the room or remote."""
    if data.get("view") != "screen":
        presence = data.get("presence")
        presence = Presence(presence) if presence in {p.value for p in Presence} else None
        with handlers.event_writes():
            services.seen(meeting, user, presence, connected=True)
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


def register(app: Flask) -> None:
    """`watch_meeting` (with the chairs' channel and attendance) and `meeting_here`."""
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
