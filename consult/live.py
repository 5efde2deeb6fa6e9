"""The signed-in person's live channel (Socket.IO namespace `/live`).

It only signals: "your rooms changed", "your access changed". Pages then re-fetch what they
show over HTTP, through the policy. Each socket joins `user:<id>` so a person's sockets can be
addressed, and leaves any room channel as soon as the policy no longer allows it.
"""

from __future__ import annotations

from flask import g, request
from flask_login import current_user
from flask_socketio import Namespace, disconnect, join_room, leave_room, rooms

from consult.extensions import db
from consult.policy import Need, acting_user, can
from consult.rooms.models import Room
from consult.rooms.policy import forget_room_roles


def _asker():
    """Who is asking, re-read for every event: rights change while a socket stays open."""
    g.pop("_login_user", None)
    forget_room_roles()
    return acting_user()


class LiveNamespace(Namespace):
    def on_connect(self, auth=None):
        try:
            user = _asker()
            if user is None:
                return False
            join_room(f"user:{user.id}")
            return True
        finally:
            db.session.remove()

    def on_watch_room(self, data):
        """Join `room:<id>` after the policy allows it; answer whether it did."""
        try:
            user = _asker()
            if user is None:
                disconnect()
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
                disconnect()
                return {"ok": False}
            paper = db.session.get(Paper, _int(data, "paper"))
            if paper is None or not can(Need.VIEW, paper, user):
                return {"ok": False}
            join_room(f"paper:{paper.id}")
            return {"ok": True, "version": paper.version}
        finally:
            db.session.remove()

    def on_recheck(self, data=None):
        """Leave every room channel the person may no longer see (after access-changed)."""
        try:
            user = _asker()
            if user is None:
                disconnect()
                return {"left": []}
            left = []
            for name in list(rooms(sid=request.sid, namespace="/live")):
                kind, _sep, ident = name.partition(":")
                model = _WATCHED.get(kind)
                if model is None or not ident.isdigit():
                    continue
                thing = db.session.get(model(), int(ident))
                if thing is None or not can(Need.VIEW, thing, user):
                    leave_room(name)
                    left.append(name)
            return {"left": left}
        finally:
            db.session.remove()


def _paper_model():
    from consult.papers.models import Paper

    return Paper


#: Channel prefixes a socket may watch, and the model the policy is asked about.
_WATCHED = {"room": lambda: Room, "paper": _paper_model}


def _int(data, key: str) -> int:
    try:
        return int((data or {}).get(key))
    except (TypeError, ValueError, AttributeError):
        return -1


__all__ = ["LiveNamespace", "current_user"]
