"""Telling people in the app that something they follow changed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update

from consult.extensions import db
from consult.notifications.models import Notification
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit


def notify(user_ids: Iterable[int], kind: str, text: str, link: str) -> None:
    """Add one notification per person and signal their open pages after the commit."""
    for user_id in set(user_ids):
        db.session.add(Notification(user_id=user_id, kind=kind, text=text[:300], link=link))
        emit_after_commit("notifications-changed", {}, to=f"user:{user_id}")


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
