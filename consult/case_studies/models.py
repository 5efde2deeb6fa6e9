"""Case studies: a delegation's structured account of one practice (context, challenge,
measures taken, agencies involved, result, lessons), reviewed before it is published to its
room and the library.

The submitting delegation is always stored (the Secretariat always knows the origin); whether
anyone else may learn it is `is_attributed`, asked through `Need.SEE_AUTHORS`.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User, _enum
from consult.extensions import db
from consult.markdown import rendered
from consult.timeutil import UTCDateTime, utcnow


class CaseStudyStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for the room's reviewers
    RETURNED = "returned"  # sent back to the delegation with a reason
    PUBLISHED = "published"  # in the room and the library
    WITHDRAWN = "withdrawn"  # taken back by the delegation; the page stays as a placeholder

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    CaseStudyStatus.SUBMITTED: _l("Waiting for review"),
    CaseStudyStatus.RETURNED: _l("Returned to the delegation"),
    CaseStudyStatus.PUBLISHED: _l("Published"),
    CaseStudyStatus.WITHDRAWN: lazy_pgettext("case study", "Withdrawn"),
}

#: The structured parts, in the order they are written and shown: (attribute, label, help).
SECTIONS: tuple[tuple[str, object, object], ...] = (
    ("context", _l("Context"), _l("The national situation in which the practice arose.")),
    ("challenge", _l("Challenge"), _l("The problem the authorities had to solve.")),
    ("measures", _l("Measures taken"), _l("What was done: laws, procedures, tools, training.")),
    (
        "agencies",
        _l("Agencies involved"),
        _l("Ministries, licensing authority, customs, armed forces, industry ..."),
    ),
    ("result", _l("Result"), _l("What changed, with figures where you have them.")),
    ("lessons", _l("Lessons"), _l("What others could take from it; what you would do again.")),
)
SECTION_NAMES = tuple(name for name, _label, _help in SECTIONS)


class CaseStudy(db.Model):
    """One case study, submitted by a delegation to a room it takes part in."""

    __tablename__ = "case_study"
    __table_args__ = (
        Index("ix_case_study_room_status", "room_id", "status"),
        Index("ix_case_study_status_published", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    #: The submitting delegation: always kept, shown only where `Need.SEE_AUTHORS` allows.
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(300))
    #: The submitter's choice: named on the page and in the library, or not at all.
    is_attributed: Mapped[bool] = mapped_column(default=True)
    status: Mapped[CaseStudyStatus] = mapped_column(
        _enum(CaseStudyStatus, "case_study_status"), default=CaseStudyStatus.SUBMITTED
    )
    context: Mapped[str] = mapped_column(Text)
    context_html: Mapped[Markup | None] = rendered("context")
    challenge: Mapped[str] = mapped_column(Text)
    challenge_html: Mapped[Markup | None] = rendered("challenge")
    measures: Mapped[str] = mapped_column(Text)
    measures_html: Mapped[Markup | None] = rendered("measures")
    agencies: Mapped[str] = mapped_column(Text)
    agencies_html: Mapped[Markup | None] = rendered("agencies")
    result: Mapped[str] = mapped_column(Text)
    result_html: Mapped[Markup | None] = rendered("result")
    lessons: Mapped[str] = mapped_column(Text)
    lessons_html: Mapped[Markup | None] = rendered("lessons")
    #: The contact point (attributed case studies only): a person of the delegation ...
    contact_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: ... or free text (a unit, a mailbox).
    contact_text: Mapped[str | None] = mapped_column(String(300))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The reviewer's last decision (publication or return).
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_reason: Mapped[str | None] = mapped_column(String(1000))
    #: First publication; kept through a withdrawal (the placeholder stays for the room).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegation: Mapped[Delegation] = relationship(lazy="raise")
    contact_user: Mapped[User | None] = relationship(foreign_keys=[contact_user_id], lazy="raise")

    @property
    def is_published(self) -> bool:
        return self.status is CaseStudyStatus.PUBLISHED

    @property
    def is_withdrawn(self) -> bool:
        return self.status is CaseStudyStatus.WITHDRAWN

    @property
    def is_public(self) -> bool:
        """Once published, the room always sees its page: the text while it is published,
        a placeholder after a withdrawal (also while a revision waits for review again)."""
        return self.published_at is not None

    def sections(self) -> list[tuple[str, object, Markup | None]]:
        """(name, label, rendered HTML) of the six parts, in order."""
        return [(name, label, getattr(self, f"{name}_html")) for name, label, _h in SECTIONS]
