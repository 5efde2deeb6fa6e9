"""A chair's questionnaire to a room, its questions, and each delegation's one response.

A response has two layers: the delegation's working draft (`draft`, one text per question,
edited by colleagues one version at a time) and what it submitted (`QuestionnaireAnswer`
rows, one per question, the only text anyone outside the delegation ever reads). Every
submission and amendment is kept in `ResponseChange` with the text it replaced.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User
from consult.extensions import db
from consult.markdown import rendered
from consult.rooms.models import Room
from consult.timeutil import UTCDateTime, utcnow


class Questionnaire(db.Model):
    """Questions a room's chair puts to the room's delegations, answered by a deadline."""

    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    introduction_html: Mapped[Markup | None] = rendered("introduction")
    #: Answers are read by everyone who sees the room (True), or only by the room's managers,
    #: the Secretariat and the answering delegation (False).
    is_shared_with_room: Mapped[bool] = mapped_column(default=True)
    #: How the compilation names the delegations: "attributed", "lettered" (Delegation A,
    #: B ...) or "unattributed".
    attribution: Mapped[str] = mapped_column(String(20), default="attributed")
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: None while the chair drafts it (only the room's managers see it).
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Closed early by the chair (reopening clears it); the deadline closes it anyway.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The chair's summary paper made from the compilation, once made.
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id", ondelete="SET NULL"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    room: Mapped[Room] = relationship(lazy="raise")

    @property
    def is_draft(self) -> bool:
        return self.issued_at is None

    def is_open(self, now: datetime | None = None) -> bool:
        """Issued, not closed by the chair, and before its deadline: answers are taken."""
        now = now or utcnow()
        return self.issued_at is not None and self.closed_at is None and now < self.closes_at


class Question(db.Model):
    """One question of a questionnaire (a tagged subject: stages, activities, articles)."""

    __tablename__ = "questionnaire_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[Markup | None] = rendered("text")


class QuestionnaireResponse(db.Model):
    """A delegation's one response to a questionnaire: its colleagues' draft, and (once
    submitted) its answers."""

    __tablename__ = "questionnaire_response"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "delegation_id", name="one_response_per_delegation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"))
    #: The working draft, {question id (as text): answer}; read only inside the delegation.
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Raised by every save of the draft: a save made from an older version is refused.
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The colleague the focal point lets submit for the delegation (besides the focal point).
    designated_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own dict

    delegation: Mapped[Delegation] = relationship(lazy="raise")
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id], lazy="raise")
    designated: Mapped[User | None] = relationship(foreign_keys=[designated_id], lazy="raise")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id], lazy="raise")

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class QuestionnaireAnswer(db.Model):
    """A submitted answer to one question (the text as it now stands after any amendment)."""

    __tablename__ = "questionnaire_answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id", name="one_answer_each"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_question.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[Markup | None] = rendered("body")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResponseChange(db.Model):
    """One step of a response: a draft saved, the submission, an amendment; with who, when
    and the texts it replaced (`previous`, {question id: text})."""

    __tablename__ = "questionnaire_response_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_response.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: saved | submitted | amended | designated
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    previous: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The texts after this step, {question id: text}.
    current: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def is_public(self) -> bool:
        """A submission or amendment: seen by whoever sees the response; the rest (drafts,
        designations) only inside the delegation."""
        return self.action in ("submitted", "amended")
