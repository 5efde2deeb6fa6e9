"""The append-only audit log: who changed what, and when.

Rows are only ever inserted. The ORM refuses updates and deletes, and the migration adds
database triggers that refuse them too, so not even a stray script can rewrite history.

Every domain records here, so this module imports none of them: people are named by the
mapper ("User"), not by importing consult.accounts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.timeutil import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_created", "created_at"),
        Index("ix_audit_event_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: e.g. "auth.sign_in", "room.member_added", "account.handover".
    kind: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    #: The e-mail tried, for failed sign-ins that match no account.
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    address: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    #: People (consult.accounts.models.User), named for the mapper: accounts records here.
    actor: Mapped[Any] = relationship("User", foreign_keys=[actor_id], lazy="raise")
    subject_user: Mapped[Any] = relationship("User", foreign_keys=[subject_user_id], lazy="raise")


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise PermissionError("the audit log is append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise PermissionError("the audit log is append-only")


def client_address() -> str:
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:64]


def record(
    kind: str,
    summary: str,
    *,
    actor: Any = None,
    subject: Any = None,
    delegation_id: int | None = None,
    room_id: int | None = None,
    actor_label: str = "",
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session; it is committed with the change it describes.

    `actor` (default: the signed-in person) and `subject` are people (User), or None.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event_ = AuditEvent(
        kind=kind,
        summary=summary[:500],
        actor_id=actor.id if actor else None,
        actor_label=(actor_label or (actor.email if actor else ""))[:254],
        subject_user_id=subject.id if subject else None,
        delegation_id=delegation_id,
        room_id=room_id,
        address=client_address(),
        details=details,
    )
    db.session.add(event_)
    return event_
