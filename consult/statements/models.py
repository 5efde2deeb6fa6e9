"""A group statement: a paper of kind GROUP_STATEMENT drafted in a group's room, the group's
agreement to it (one position per member delegation, the latest counting) and its delivery.

The text, its revisions, redline, comments and Word export are the paper's (consult.papers);
this row adds what a paper does not have: who the group is, the deadline for agreement, the
consensus and where the final statement went.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, _enum
from consult.extensions import db
from consult.papers.models import Paper
from consult.timeutil import UTCDateTime, utcnow


class StatementStatus(enum.StrEnum):
    DRAFTING = "drafting"
    CONSULTING = "consulting"
    FINAL = "final"
    DELIVERED = "delivered"

    @property
    def label(self) -> str:
        return str(STATEMENT_STATUS_LABELS[self])


STATEMENT_STATUS_LABELS = {
    StatementStatus.DRAFTING: _l("Being drafted"),
    StatementStatus.CONSULTING: _l("Agreement asked"),
    StatementStatus.FINAL: _l("Final"),
    StatementStatus.DELIVERED: _l("Delivered"),
}


class Stance(enum.StrEnum):
    AGREE = "agree"
    OBJECT = "object"
    WITHDRAWN = "withdrawn"  # an objection withdrawn: silent again

    @property
    def label(self) -> str:
        return str(STANCE_LABELS[self])


STANCE_LABELS = {
    Stance.AGREE: _l("Agrees"),
    Stance.OBJECT: _l("Objects"),
    Stance.WITHDRAWN: _l("Withdrew its objection"),
}


class GroupStatement(db.Model):
    """What the group says together, from first draft to delivery."""

    __tablename__ = "group_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), unique=True)
    #: The group of the room; None in a small-group room: its member delegations are the group.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("delegation_group.id"), index=True)
    status: Mapped[StatementStatus] = mapped_column(
        _enum(StatementStatus, "statement_status"), default=StatementStatus.DRAFTING
    )
    #: Agreement is asked until then (UTC); silence past it without objection is agreement.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When agreement was last asked: positions taken before (an earlier round) no longer count.
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consensus_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    consensus_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Where it was delivered: a comment on a paper, or an agenda item's written statements.
    target_paper_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id", ondelete="SET NULL"))
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    delivered_comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="SET NULL")
    )
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    paper: Mapped[Paper] = relationship(foreign_keys=[paper_id], lazy="joined")


class StatementPosition(db.Model):
    """One delegation's position, as taken; its history is kept, the latest counts."""

    __tablename__ = "statement_position"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("group_statement.id", ondelete="CASCADE"), index=True
    )
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"))
    position: Mapped[Stance] = mapped_column(_enum(Stance, "statement_stance"))
    reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegation: Mapped[Delegation] = relationship(lazy="joined")
