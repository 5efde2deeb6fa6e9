"""Signed-in sessions a person can list and end (members of confidential rooms need this).

Each sign-in registers one SignedInSession row and a random key; the key travels inside the id
Flask-Login keeps in the session cookie and in the remember-me cookie ("id:nonce:key", see
User.get_id). The user loader accepts an id only while its row is live, so ending a row
(signing out, "sign out there", "sign out everywhere else", a password change, deactivation)
ends that device for good: a copied session or remember-me cookie is refused from then on,
and the row's sockets are disconnected once the change is committed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from consult.accounts.models import SignedInSession, User
from consult.audit import client_address
from consult.extensions import db, socketio
from consult.timeutil import utcnow
from consult.transaction import after_commit, writing

TOUCH_EVERY = timedelta(minutes=1)
#: The Socket.IO namespace of the live channel (consult.live), whose sockets a session owns.
LIVE_NAMESPACE = "/live"
#: Session entries that survive when a dead identity is forgotten: a sign-in in progress.
_KEPT_ON_FORGET = ("pending_user", "pending_remember", "pending_since", "pending_next")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def begin(user: User) -> SignedInSession:
    """Register this browser as a new signed-in session of `user` (right before login_user)."""
    key = secrets.token_urlsafe(24)
    row = SignedInSession(
        user_id=user.id,
        key_hash=_digest(key),
        address=client_address(),
        user_agent=(request.user_agent.string or "")[:200],
    )
    db.session.add(row)
    user.device_key = key
    g._device_row = row
    return row


def live_row(user: User, key: str) -> SignedInSession | None:
    """The user loader's question: is `key` a session of `user` that has not been ended?"""
    if not key:
        return None
    row = db.session.scalars(
        select(SignedInSession).where(SignedInSession.key_hash == _digest(key))
    ).first()
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return None
    user.device_key = key
    g._device_row = row
    return row


def current_row() -> SignedInSession | None:
    """This request's signed-in session: the row its key names (also after a remember-me
    restore, which reuses its own device's row and never registers a new one)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    key = current_user.device_key
    if not key:
        return None
    row = g.get("_device_row")
    if row is not None and row.key_hash == _digest(key):
        return row
    return db.session.scalars(
        select(SignedInSession).where(SignedInSession.key_hash == _digest(key))
    ).first()


def forget_here() -> None:
    """Sign this browser out: clear the session and have the remember-me cookie deleted.

    The order matters: logout_user() marks the remember-me cookie for deletion inside the
    session, so the session is cleared first.
    """
    session.clear()
    logout_user()


def check() -> None:
    """before_request: a refused identity (its session ended, its nonce changed) is forgotten,
    cookies included; a live one has its last-seen time kept within a minute."""
    if request.endpoint == "static":
        return
    if not current_user.is_authenticated:
        if "_user_id" in session:
            kept = {k: session[k] for k in _KEPT_ON_FORGET if k in session}
            forget_here()
            session.update(kept)
        return
    row = current_row()
    if row is None:  # the loader accepted it a moment ago: ended in between
        forget_here()
        return
    if "_id" not in session:
        # Restored from the remember-me cookie just now, onto this device's own row. Flask-Login
        # leaves out the identifier strong protection compares, which would sign the person
        # out on the next request; sign the restored session in properly (not fresh).
        login_user(current_user._get_current_object(), remember=True, fresh=False)
        session.permanent = True
    now = utcnow()
    if now - row.last_seen_at > TOUCH_EVERY:
        with writing():  # a GET is a read: this write says so (consult.transaction)
            row.last_seen_at = now
            db.session.commit()


def of(user: User) -> list[SignedInSession]:
    return list(
        db.session.scalars(
            select(SignedInSession)
            .where(SignedInSession.user_id == user.id, SignedInSession.ended_at.is_(None))
            .order_by(SignedInSession.last_seen_at.desc())
        )
    )


def end(row: SignedInSession) -> None:
    """End one session; once committed its cookies are refused and its sockets dropped."""
    row.ended_at = utcnow()
    row_id = row.id
    after_commit(lambda: drop_sockets([row_id]))


def drop_sockets(session_ids: list[int]) -> None:
    """Disconnect the sockets of these (ended) signed-in sessions, on every worker.

    Called after the commit. Each socket of the live channel joins `session:<id>`; the channel's
    client manager (consult.live.RoomDisconnects) drops a whole such room on every worker. The
    dropped sockets' disconnect handlers run here and now, so they get an application context
    of their own: they must not share (and release) the database session and `g` of the
    request that ended the session. Accounts asks the manager, not the live channel, which is
    built on accounts.
    """
    manager = socketio.server.manager if socketio.server else None
    disconnect_room = getattr(manager, "disconnect_room", None)
    if disconnect_room is None:
        return
    with current_app.app_context():
        for session_id in session_ids:
            disconnect_room(f"session:{session_id}", LIVE_NAMESPACE)


def end_all(user: User, keep: SignedInSession | None = None) -> int:
    """End every live session of `user` but `keep`; how many ended."""
    count = 0
    for row in of(user):
        if keep is None or row.id != keep.id:
            end(row)
            count += 1
    return count


def end_others(user: User) -> int:
    mine = current_row()
    if mine is None or mine.user_id != user.id:
        mine = None
    return end_all(user, keep=mine)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a background fragment (an htmx request)
    only sends the cookie back when it changed the session.

    A permanent session is re-sent on every response to keep it alive; a page's live refetch
    runs beside the person's own request (the chair's agenda refetches on the very change their
    form made), and its copy, read before that request wrote a flash or a sign-in, would land
    last and undo it. Full pages still keep the session alive.
    """

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if request.headers.get("HX-Request"):
            return False
        return super().should_set_cookie(app, session)
