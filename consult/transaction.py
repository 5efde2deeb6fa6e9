"""The request's one commit, and what waits for it (mail, live events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g

from consult import mail
from consult.extensions import db, socketio


def emit_after_commit(event: str, data: Any, *, to: str, namespace: str = "/live") -> None:
    """Queue a Socket.IO event; it is sent only once the change it announces is committed.

    `data` may be a callable: it is called after the commit, so a payload rendered from the
    database shows the committed state (and is rendered once for everyone in the room).
    """
    g.setdefault("_emit_queue", []).append((event, data, to, namespace))


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the request's changes are committed (e.g. drop an ended session's
    sockets: before the commit, a reconnecting socket would still find the session live)."""
    g.setdefault("_after_commit", []).append(callback)


def commit() -> None:
    """Commit the request's changes, then send its mail and live events."""
    db.session.commit()
    mail.flush_after_commit()
    sent = set()
    for event, data, to, namespace in g.pop("_emit_queue", []):
        if callable(data):
            if (event, to) in sent:  # several changes in one request: one fresh payload
                continue
            sent.add((event, to))
            data = data()
        socketio.emit(event, data, to=to, namespace=namespace)
    for callback in g.pop("_after_commit", []):
        callback()


def rollback() -> None:
    db.session.rollback()
    mail.discard()
    g.pop("_emit_queue", None)
    g.pop("_after_commit", None)
