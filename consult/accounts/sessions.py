"""Signed-in sessions a person can list and end (members of confidential rooms need this)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import request, session
from flask_login import current_user, logout_user
from sqlalchemy import select

from consult.accounts.models import SignedInSession, User
from consult.audit import client_address
from consult.extensions import db
from consult.timeutil import utcnow
from consult.transaction import writing

SESSION_KEY = "sid"
TOUCH_EVERY = timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def begin(user: User) -> None:
    """Register this browser's session (called right after signing in)."""
    key = secrets.token_urlsafe(24)
    session[SESSION_KEY] = key
    db.session.add(
        SignedInSession(
            user_id=user.id,
            key_hash=_digest(key),
            address=client_address(),
            user_agent=(request.user_agent.string or "")[:200],
        )
    )


def current_row() -> SignedInSession | None:
    key = session.get(SESSION_KEY)
    if not key:
        return None
    return db.session.scalars(
        select(SignedInSession).where(SignedInSession.key_hash == _digest(key))
    ).first()


def check() -> None:
    """before_request: an ended session signs out; an unregistered one (restored from the
    remember-me cookie) is registered; the last-seen time is kept within a minute."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    row = current_row()
    if row is None:
        with writing():
            begin(current_user)
            db.session.commit()
        return
    if row.ended_at is not None or row.user_id != current_user.id:
        logout_user()
        session.clear()
        return
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
    row.ended_at = utcnow()


def end_others(user: User) -> int:
    mine = current_row()
    count = 0
    for row in of(user):
        if mine is None or row.id != mine.id:
            end(row)
            count += 1
    return count
