"""The signed-in person's live channel (Socket.IO namespace `/live`).

It only signals: "your rooms changed", "your access changed". Pages then re-fetch what they
show over HTTP, through the policy. Each socket joins `user:<id>` so a person's sockets can be
addressed, and `session:<id>` (its SignedInSession) so that ending a session drops its sockets
at once, on every worker. It leaves any room channel as soon as the policy no longer allows it;
confidential channels (threads) also ask the confidential gate the pages ask.
"""

from __future__ import annotations

import time

import socketio
from flask import current_app, g, request
from flask_login import current_user
from flask_socketio import Namespace, disconnect, join_room, leave_room, rooms

from consult import transaction
from consult.extensions import db
from consult.extensions import socketio as flask_socketio
from consult.ids import parse_id
from consult.policy import Need, acting_user, can
from consult.rooms.models import Room
from consult.rooms.policy import forget_room_roles

NAMESPACE = "/live"


def _asker(*, drop: bool = True):
    """Who is asking, re-read for every event: rights change while a socket stays open, and
    the signed-in session may have ended (the user loader refuses it then). A socket whose
    session is gone is disconnected (`drop`)."""
    g.pop("_login_user", None)
    forget_room_roles()
    user = acting_user()
    if user is None and drop:
        disconnect()
    return user


def _gate_closed() -> str | None:
    from consult.threads.routes import gate_closed

    return gate_closed()


class LiveNamespace(Namespace):
    def trigger_event(self, event, *args):
        """Every handler reads unless it declares a write (consult.transaction)."""
        with transaction.reading():
            return super().trigger_event(event, *args)

    def on_connect(self, auth=None):
        from consult.accounts import sessions

        try:
            user = _asker(drop=False)
            row = sessions.current_row() if user is not None else None
            if row is None:
                return False
            join_room(f"user:{user.id}")
            join_room(f"session:{row.id}")
            return True
        finally:
            db.session.remove()

    def on_watch_room(self, data):
        """Join `room:<id>` after the policy allows it; answer whether it did."""
        try:
            user = _asker()
            if user is None:
                return {"ok": False}
            room = db.session.get(Room, _int(data, "room"))
            if room is None or not can(Need.VIEW, room, user):
                return {"ok": False}
            join_room(f"room:{room.id}")
            return {"ok": True}
        finally:
            db.session.remove()

    def on_watch_paper(self, data):
        """Join `paper:<id>` after the policy allows it; answer whether it did."""
        from consult.papers.models import Paper

        try:
            user = _asker()
            if user is None:
                return {"ok": False}
            paper = db.session.get(Paper, _int(data, "paper"))
            if paper is None or not can(Need.VIEW, paper, user):
                return {"ok": False}
            join_room(f"paper:{paper.id}")
            return {"ok": True, "version": paper.version}
        finally:
            db.session.remove()

    def on_watch_thread(self, data):
        """Join `thread:<id>` after the policy allows it; its signals carry no content."""
        from consult.threads.models import Thread

        try:
            user = _asker()
            if user is None:
                return {"ok": False}
            thread = db.session.get(Thread, _int(data, "thread"))
            if thread is None or not can(Need.VIEW, thread, user):
                return {"ok": False}
            if _gate_closed() is not None:  # what the thread's page would ask first
                return {"ok": False}
            join_room(f"thread:{thread.id}")
            return {"ok": True, "version": thread.version}
        finally:
            db.session.remove()

    def on_watch_meeting(self, data):
        """Join `meeting:<id>` (and the chairs' channel when allowed); record attendance."""
        from consult.meetings import services as meetings
        from consult.meetings.models import Meeting, Presence

        try:
            user = _asker()
            if user is None:
                return {"ok": False}
            meeting = db.session.get(Meeting, _int(data, "meeting"))
            if meeting is None or not can(Need.VIEW, meeting, user):
                return {"ok": False}
            join_room(f"meeting:{meeting.id}")
            chair = can(Need.MANAGE, meeting, user)
            if chair:
                join_room(f"meeting:{meeting.id}:chair")
            # Read the version after joining: a change made in between is then either
            # broadcast to this socket or visible in the version it gets back.
            db.session.refresh(meeting)
            presence = (data or {}).get("presence")
            presence = Presence(presence) if presence in {p.value for p in Presence} else None
            if (data or {}).get("view") != "screen":
                with transaction.writing():
                    meetings.seen(meeting, user, presence, connected=True)
                    db.session.commit()
                _send_console(meeting.id)
            return {"ok": True, "version": meeting.version, "chair": chair}
        finally:
            db.session.remove()

    def on_meeting_here(self, data):
        """Heartbeat from an open live view: keeps the person on the chair's presence list."""
        from consult.meetings import services as meetings
        from consult.meetings.models import Meeting

        try:
            user = _asker()
            if user is None:
                return {"ok": False}
            meeting = db.session.get(Meeting, _int(data, "meeting"))
            if meeting is None or not can(Need.VIEW, meeting, user):
                return {"ok": False}
            with transaction.writing():
                changed = meetings.seen(meeting, user, None, connected=True)
                db.session.commit()
            if changed:
                _send_console(meeting.id)
            return {"ok": True, "version": meeting.version}
        finally:
            db.session.remove()

    def on_clock(self, data=None):
        """The server's time in milliseconds, so countdowns agree whatever a device's clock."""
        try:
            if _asker() is None:
                return {"ok": False}
            return {"now": time.time() * 1000}
        finally:
            db.session.remove()

    def on_disconnect(self, reason=None):
        """Mark the person as no longer connected to the meetings this socket watched (also
        when the socket is dropped because its session ended: the person is then read from
        the socket's `user:<id>` channel)."""
        from consult.accounts.models import User
        from consult.meetings import services as meetings
        from consult.meetings.models import Meeting

        try:
            names = list(rooms(sid=request.sid, namespace=NAMESPACE))
            user = _asker(drop=False)
            if user is None:
                owner = [n.split(":")[1] for n in names if n.startswith("user:")]
                user = db.session.get(User, int(owner[0])) if owner else None
            if user is None:
                return
            for name in names:
                parts = name.split(":")
                if len(parts) == 2 and parts[0] == "meeting" and parts[1].isdigit():
                    meeting = db.session.get(Meeting, int(parts[1]))
                    if meeting is not None:
                        with transaction.writing():
                            meetings.seen(meeting, user, None, connected=False)
                            db.session.commit()
                        _send_console(meeting.id)
        finally:
            db.session.remove()

    def on_recheck(self, data=None):
        """Leave every room channel the person may no longer see (after access-changed)."""
        try:
            user = _asker()
            if user is None:
                return {"left": []}
            left = []
            for name in list(rooms(sid=request.sid, namespace="/live")):
                parts = name.split(":")
                model = _WATCHED.get(parts[0])
                if model is None or len(parts) < 2 or not parts[1].isdigit():
                    continue
                # meeting:<id>:chair is the chairs' channel: it needs the power to manage.
                need = Need.MANAGE if parts[2:] == ["chair"] else Need.VIEW
                thing = db.session.get(model(), int(parts[1]))
                gated = parts[0] in _CONFIDENTIAL and _gate_closed() is not None
                if thing is None or gated or not can(need, thing, user):
                    leave_room(name)
                    left.append(name)
            return {"left": left}
        finally:
            db.session.remove()


def _send_console(meeting_id: int) -> None:
    """Refresh the chairs' console (its presence list) on every worker."""
    from flask_socketio import emit

    from consult.meetings.services import panel_payload

    emit(
        "meeting-console",
        panel_payload(meeting_id, chair=True),
        to=f"meeting:{meeting_id}:chair",
        namespace="/live",
    )


def _meeting_model():
    from consult.meetings.models import Meeting

    return Meeting


def _thread_model():
    from consult.threads.models import Thread

    return Thread


def _paper_model():
    from consult.papers.models import Paper

    return Paper


#: Channel prefixes a socket may watch, and the model the policy is asked about.
_WATCHED = {
    "room": lambda: Room,
    "paper": _paper_model,
    "meeting": _meeting_model,
    "thread": _thread_model,
}


#: Channels whose pages pass the confidential gate: a socket must pass it too.
_CONFIDENTIAL = frozenset({"thread"})


def drop_session_sockets(session_ids: list[int]) -> None:
    """Disconnect the sockets of these (ended) signed-in sessions, on every worker.

    Called after the commit. The dropped sockets' disconnect handlers run here and now, so
    they get an application context of their own: they must not share (and release) the
    database session and `g` of the request that ended the session.
    """
    manager = flask_socketio.server.manager if flask_socketio.server else None
    if not isinstance(manager, RoomDisconnects):
        return
    with current_app.app_context():
        for session_id in session_ids:
            manager.disconnect_room(f"session:{session_id}", NAMESPACE)


class RoomDisconnects:
    """Client-manager mixin: disconnect every socket in a room, on every worker.

    python-socketio disconnects one socket by its id; the sockets of one signed-in session
    may sit on several workers, each knowing only its own. So the request is handled here
    and, with a message queue, published as a "disconnect" message naming a room instead of a
    socket; every worker's manager (this mixin) disconnects its own sockets in that room.
    Workers without the mixin ignore such a message (no socket has the id None).
    """

    def disconnect_room(self, room: str, namespace: str) -> None:
        self._disconnect_local_room(room, namespace)
        if isinstance(self, socketio.PubSubManager):
            self._publish(
                {
                    "method": "disconnect",
                    "sid": None,
                    "room": room,
                    "namespace": namespace,
                    "host_id": self.host_id,
                }
            )

    def _disconnect_local_room(self, room: str, namespace: str) -> None:
        for sid, _eio_sid in list(self.get_participants(namespace, room)):
            self.server.disconnect(sid, namespace=namespace, ignore_queue=True)

    def _handle_disconnect(self, message: dict) -> None:
        if message.get("room"):
            self._disconnect_local_room(message["room"], message.get("namespace") or "/")
        else:
            super()._handle_disconnect(message)


class Manager(RoomDisconnects, socketio.Manager):
    """The single-process manager, with room disconnects."""


def client_manager(url: str | None) -> socketio.Manager:
    """The client manager for `url` (None: one process), as Flask-SocketIO would choose it,
    with room disconnects added (see RoomDisconnects)."""
    if not url:
        return Manager()
    if url.startswith(("redis://", "rediss://")):
        base = socketio.RedisManager
    elif url.startswith("kafka://"):
        base = socketio.KafkaManager
    elif url.startswith("zmq"):
        base = socketio.ZmqManager
    else:
        base = socketio.KombuManager
    managed = type(f"Consult{base.__name__}", (RoomDisconnects, base), {})
    return managed(url, channel="flask-socketio", write_only=False)


def _int(data, key: str) -> int:
    """The id a client sent, or -1 (which names no row) for anything a row id cannot be:
    a huge number would otherwise overflow the database driver inside the handler."""
    value = data.get(key) if isinstance(data, dict) else None
    number = parse_id(value)
    return -1 if number is None else number


__all__ = ["LiveNamespace", "current_user"]
