"""A delegation's drafts: text prepared together by colleagues of one State, posted when ready.

Not `consult.drafts.KeptDraft` (one person's text kept when a session ends mid-typing): a
`DelegationDraft` belongs to a delegation, every active colleague may read, edit and post it,
and every change is kept in its history (`DelegationDraftChange`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User
from consult.extensions import db
from consult.markdown import rendered
from consult.timeutil import UTCDateTime, utcnow


class DelegationDraft(db.Model):
    """One text a delegation is preparing: a comment on a paper paragraph, a discussion post ..."""

    __tablename__ = "delegation_draft"
    __table_args__ = (Index("ix_delegation_draft_open", "delegation_id", "posted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"))
    #: The registered kind (`consult.delegation_drafts.kinds`): "paper_comment" ...
    kind: Mapped[str] = mapped_column(String(40))
    #: The kind's target: a paper's id for a comment, a topic's for a reply, a room's ...
    target_id: Mapped[int] = mapped_column()
    #: A finer place inside the target (a paragraph's stable key), when the kind has one.
    target_key: Mapped[str | None] = mapped_column(String(64))
    #: The room the target is in, for the drafts page's grouping (never for access).
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[Markup | None] = rendered("body")
    #: What else the kind keeps (quote, proposed text, position, on behalf of, reply to ...).
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Raised by every save: a save made from an older version is refused (nothing lost).
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Where the posted text now is (a path on this site), for the drafts page's link.
    posted_url: Mapped[str | None] = mapped_column(String(300))
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own dict

    delegation: Mapped[Delegation] = relationship(lazy="raise")
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id], lazy="raise")

    @property
    def is_open(self) -> bool:
        """Neither posted nor discarded: colleagues may still edit and post it."""
        return self.posted_at is None and self.discarded_at is None


class DelegationDraftChange(db.Model):
    """One step in a draft's life: who did what, when, and the text as it then stood."""

    __tablename__ = "delegation_draft_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("delegation_draft.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: created | edited | posted | discarded | restored
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User] = relationship(lazy="raise")
