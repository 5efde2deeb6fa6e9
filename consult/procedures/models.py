"""A written procedure: a draft decision circulated to a room's States Parties with a deadline,
each delegation's one response, and every step of it kept.

Under the silence procedure (the usual form) the decision is adopted at the deadline unless a
State Party objected; under explicit approval it is adopted only when no State Party objected
and at least `quorum` of them approved. A delegation responds once and may amend its response
until the deadline; `ProcedureChange` keeps each response and amendment with the text it
replaced. The outcome is written down once, at the deadline (by the sweep or the first reader).
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User, _enum
from consult.extensions import db
from consult.markdown import rendered
from consult.rooms.models import Room
from consult.timeutil import UTCDateTime, utcnow


class ProcedureMode(enum.StrEnum):
    SILENCE = "silence"
    APPROVAL = "approval"

    @property
    def label(self) -> str:
        return str(MODE_LABELS[self])


MODE_LABELS = {
    ProcedureMode.SILENCE: _l("Silence procedure"),
    ProcedureMode.APPROVAL: _l("Explicit approval"),
}


class Answer(enum.StrEnum):
    """What a delegation says: a State Party does not object (or, under explicit approval,
    approves) or objects; a signatory or observer comments."""

    NO_OBJECTION = "no_objection"
    OBJECTION = "objection"
    COMMENT = "comment"


class Outcome(enum.StrEnum):
    ADOPTED = "adopted"  # by silence, or approved with no objection
    NOT_ADOPTED = "not_adopted"  # silence broken by an objection, or too few approvals
    WITHDRAWN = "withdrawn"  # the chair withdrew it before the deadline


class WrittenProcedure(db.Model):
    """A draft decision put to a room's States Parties in writing, answered by a deadline."""

    __tablename__ = "written_procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    #: The draft decision: a paper of the room at the revision circulated, or a text.
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id", ondelete="SET NULL"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    text_html: Mapped[Markup | None] = rendered("text")
    #: The covering note: why the decision is taken in writing.
    note: Mapped[str] = mapped_column(Text, default="")
    note_html: Mapped[Markup | None] = rendered("note")
    mode: Mapped[ProcedureMode] = mapped_column(
        _enum(ProcedureMode, "procedure_mode"), default=ProcedureMode.SILENCE
    )
    #: Explicit approval: how many States Parties must approve (none may object).
    quorum: Mapped[int | None] = mapped_column()
    #: How many States Parties were addressed when it was circulated.
    addressed_count: Mapped[int] = mapped_column(default=0)
    circulated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    circulated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set once, when the chair extended the deadline (to `closes_at`); never twice.
    first_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    extension_reason: Mapped[str] = mapped_column(String(1000), default="")
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome, "procedure_outcome"))
    #: When the outcome was written down (the deadline, or the withdrawal).
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawal_reason: Mapped[str] = mapped_column(String(1000), default="")
    #: Raised by every change: an open page re-fetches when it is behind.
    version: Mapped[int] = mapped_column(default=1)

    room: Mapped[Room] = relationship(lazy="raise")

    def is_open(self, now: datetime | None = None) -> bool:
        """Taking responses: not withdrawn, not decided, and strictly before the deadline."""
        return self.outcome is None and (now or utcnow()) < self.closes_at

    def is_due(self, now: datetime | None = None) -> bool:
        """Past its deadline with the outcome not yet written down."""
        return self.outcome is None and (now or utcnow()) >= self.closes_at

    @property
    def was_extended(self) -> bool:
        return self.extended_at is not None


class ProcedureResponse(db.Model):
    """A delegation's one response, as it now stands (amendments replace it, `ProcedureChange`
    keeps each step)."""

    __tablename__ = "procedure_response"
    __table_args__ = (
        UniqueConstraint("procedure_id", "delegation_id", name="one_response_per_delegation_wp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("written_procedure.id", ondelete="CASCADE"), index=True
    )
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"))
    answer: Mapped[Answer] = mapped_column(_enum(Answer, "procedure_answer"))
    #: The reason of an objection, a comment's text, or a note with no objection.
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_html: Mapped[Markup | None] = rendered("reason")
    responded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    delegation: Mapped[Delegation] = relationship(lazy="raise")
    responded_by: Mapped[User] = relationship(lazy="raise")


class ProcedureChange(db.Model):
    """One step of a response (responded, amended) with who, when, and what it said before."""

    __tablename__ = "procedure_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("procedure_response.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(20))  # responded | amended
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[Answer] = mapped_column(_enum(Answer, "procedure_answer"))
    reason: Mapped[str] = mapped_column(Text, default="")
    previous_answer: Mapped[Answer | None] = mapped_column(
        _enum(Answer, "procedure_previous_answer")  # (a CHECK constraint's name is per table)
    )
    previous_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(lazy="raise")
