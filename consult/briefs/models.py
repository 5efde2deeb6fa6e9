"""Trend briefs: the chair's brief in the confidential room, objections, the chair's
confirmations of the checker's flags, and the published copy in a wider room.

Drafts, objection reasons and confirmed strings are encrypted at rest.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User, _enum
from consult.briefs.checker import flag_key
from consult.crypto import EncryptedText
from consult.extensions import db
from consult.markdown import rendered
from consult.timeutil import UTCDateTime, utcnow


class BriefStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # open to objections from the member delegations
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.value])


STATUS_LABELS = {
    "draft": _l("Draft"),
    "pending": _l("Open to objections"),
    "published": _l("Published"),
}


class TrendBrief(db.Model):
    """The chair's brief while it is in the confidential room (drafted, pending, published)."""

    __tablename__ = "trend_brief"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(EncryptedText)
    body_html: Mapped[Markup | None] = rendered("body", encrypted=True)
    status: Mapped[BriefStatus] = mapped_column(
        _enum(BriefStatus, "brief_status"), default=BriefStatus.DRAFT
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Grows with every submission for objections; objections count for their round only.
    round: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    objections_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Where it went (known on this side only; the published row points nowhere back).
    published_room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="SET NULL")
    )

    @property
    def is_open_to_objections(self) -> bool:
        return (
            self.status is BriefStatus.PENDING
            and self.objections_close_at is not None
            and utcnow() < self.objections_close_at
        )


class BriefObjection(db.Model):
    """A member delegation's objection to a pending brief (one per delegation and round)."""

    __tablename__ = "brief_objection"
    __table_args__ = (
        UniqueConstraint("brief_id", "delegation_id", "round", name="one_objection_per_delegation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(
        ForeignKey("trend_brief.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column()
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(EncryptedText)
    reason_html: Mapped[Markup | None] = rendered("reason", encrypted=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegation: Mapped[Delegation] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


class BriefFlagConfirmation(db.Model):
    """The chair's confirmation that a flagged string is not identifying ("keep this")."""

    __tablename__ = "brief_flag_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(
        ForeignKey("trend_brief.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    #: The flagged string itself (it may be a serial number: encrypted like the draft).
    text: Mapped[str] = mapped_column(EncryptedText)
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> str:
        return flag_key(self.kind, self.text)


class PublishedBrief(db.Model):
    """A published trend brief in a non-confidential room.

    Deliberately linked to its target room only: no author, no delegation, no reference to
    the confidential room, its brief or its threads.
    """

    __tablename__ = "published_brief"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    #: Plain Markdown; body_html is what it renders to (consult.markdown).
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[Markup | None] = rendered("body")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
