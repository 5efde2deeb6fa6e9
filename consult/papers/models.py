"""Draft papers, their immutable revisions and numbered paragraphs, and the comments on them.

A comment is anchored to a paragraph *key*, which stays the same across revisions while the text
it names survives (matched by identity, then similarity). So a comment made on Rev.0 ¶3 follows
that text into Rev.1 ¶4; a comment whose text was removed is shown "on removed text" and waits
for the chair to re-attach it. Comments are never deleted from the database.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User, _enum
from consult.extensions import db
from consult.markdown import mentions_of, rendered
from consult.papers.blocks import paragraph_markdown
from consult.rooms.models import Room
from consult.taxonomy.models import ArticleTag
from consult.timeutil import UTCDateTime, utcnow


class PaperKind(enum.StrEnum):
    WORKING_PAPER = "working_paper"
    BACKGROUND_PAPER = "background_paper"
    DRAFT_DECISION = "draft_decision"
    CHAIR_DRAFT_REPORT = "chair_draft_report"
    VOLUNTARY_GUIDE = "voluntary_guide"
    #: Submitted by a delegation (issue: exchange among delegations), accepted by the chair.
    NATIONAL_PAPER = "national_paper"
    NATIONAL_EXPERIENCE = "national_experience"
    #: Drafted by a group's members in the group's room, agreed by the group.
    GROUP_STATEMENT = "group_statement"
    #: A chair's summary of a discussion or of the answers to a questionnaire.
    CHAIR_SUMMARY = "chair_summary"

    @property
    def label(self) -> str:
        return str(PAPER_KIND_LABELS[self])

    @property
    def issued_by_chair(self) -> bool:
        """The kinds a chair creates from the new-paper form (the others come from their flows)."""
        return self not in (
            PaperKind.NATIONAL_PAPER,
            PaperKind.NATIONAL_EXPERIENCE,
            PaperKind.GROUP_STATEMENT,
        )


PAPER_KIND_LABELS = {
    PaperKind.WORKING_PAPER: _l("Working paper"),
    PaperKind.BACKGROUND_PAPER: _l("Background paper"),
    PaperKind.DRAFT_DECISION: _l("Draft decision"),
    PaperKind.CHAIR_DRAFT_REPORT: _l("Chair's draft report"),
    PaperKind.VOLUNTARY_GUIDE: _l("Voluntary guide (living document)"),
    PaperKind.NATIONAL_PAPER: _l("National working paper"),
    PaperKind.NATIONAL_EXPERIENCE: _l("Presentation of national experience"),
    PaperKind.GROUP_STATEMENT: _l("Group statement"),
    PaperKind.CHAIR_SUMMARY: _l("Chair's summary"),
}


class PaperStatus(enum.StrEnum):
    DRAFTING = "drafting"
    OPEN = "open"
    CLOSED = "closed"
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(PAPER_STATUS_LABELS[self])


PAPER_STATUS_LABELS = {
    PaperStatus.DRAFTING: _l("Drafting"),
    PaperStatus.OPEN: _l("Open for comments"),
    PaperStatus.CLOSED: _l("Comments closed"),
    PaperStatus.ADOPTED: _l("Adopted"),
    PaperStatus.WITHDRAWN: _l("Withdrawn"),
}


class ContributionStatus(enum.StrEnum):
    """Where a national contribution stands; None on a paper the chair issued."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(CONTRIBUTION_STATUS_LABELS[self])

    @property
    def is_pending(self) -> bool:
        """Not (yet) a paper of the room: seen only by its delegation, co-sponsors, managers."""
        return self is not ContributionStatus.ACCEPTED


CONTRIBUTION_STATUS_LABELS = {
    ContributionStatus.SUBMITTED: _l("Submitted, awaiting the chair"),
    ContributionStatus.ACCEPTED: _l("Accepted"),
    ContributionStatus.RETURNED: _l("Returned to the delegation"),
    ContributionStatus.WITHDRAWN: _l("Withdrawn by the delegation"),
}

#: The pending statuses, for SQL filters.
PENDING_CONTRIBUTION = (
    ContributionStatus.SUBMITTED,
    ContributionStatus.RETURNED,
    ContributionStatus.WITHDRAWN,
)


class Position(enum.StrEnum):
    SUPPORTS = "supports"
    NEUTRAL = "neutral"
    OBJECTS = "objects"

    @property
    def label(self) -> str:
        return str(POSITION_LABELS[self])


POSITION_LABELS = {
    Position.SUPPORTS: _l("Supports"),
    Position.NEUTRAL: _l("Neutral"),
    Position.OBJECTS: _l("Objects"),
}

LANGUAGES = {
    "en": _l("English"),
    "fr": _l("French"),
    "es": _l("Spanish"),
    "ar": _l("Arabic"),
    "zh": _l("Chinese"),
    "ru": _l("Russian"),
}
#: The same names inside a sentence ("la version en français": French and Spanish write them
#: in lower case there).
LANGUAGES_IN_SENTENCE = {
    "en": lazy_pgettext("language name inside a sentence", "English"),
    "fr": lazy_pgettext("language name inside a sentence", "French"),
    "es": lazy_pgettext("language name inside a sentence", "Spanish"),
    "ar": lazy_pgettext("language name inside a sentence", "Arabic"),
    "zh": lazy_pgettext("language name inside a sentence", "Chinese"),
    "ru": lazy_pgettext("language name inside a sentence", "Russian"),
}


class Paper(db.Model):
    """A document under consultation in a room."""

    __tablename__ = "paper"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    #: ATT document symbol, e.g. ATT/CSP11.WGETI/2025/CHAIR/801/Conf.Rep; unique when given.
    symbol: Mapped[str | None] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[PaperKind] = mapped_column(_enum(PaperKind, "paper_kind"))
    #: Who issues it, as printed on the paper: "WGETI Chair", "ATT Secretariat" ...
    issued_by: Mapped[str] = mapped_column(String(200))
    original_language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[PaperStatus] = mapped_column(
        _enum(PaperStatus, "paper_status"), default=PaperStatus.DRAFTING
    )
    #: When comments close (UTC); shown in the room's time zone and the viewer's.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Comments shown without attribution except to the chair and the Secretariat.
    is_chatham_house: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Bumped on every change viewers should see; live events carry it.
    version: Mapped[int] = mapped_column(default=1)
    #: A national contribution: the delegation that submitted it (always shown, even under
    #: the Chatham House Rule: a national paper is not anonymous) and where it stands.
    submitted_by_delegation_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegation.id"), index=True
    )
    contribution_status: Mapped[ContributionStatus | None] = mapped_column(
        _enum(ContributionStatus, "contribution_status")
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The chair's reason when the contribution was returned (shown to the delegation).
    returned_reason: Mapped[str | None] = mapped_column(String(1000))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The person who carries the paper's revisions (a member of the room, not necessarily one
    #: of its chairs): sees it while it is drafted and writes its draft revision.
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    #: Whoever wrote in a thread may reply in it while the paper is open, even without taking
    #: part in the room any more (a former member, an observer now); the chair can switch it off.
    authors_may_reply: Mapped[bool] = mapped_column(default=True, server_default=true())

    room: Mapped[Room] = relationship(lazy="joined")
    submitted_by: Mapped[Delegation | None] = relationship(
        foreign_keys=[submitted_by_delegation_id], lazy="raise"
    )
    #: The Treaty articles it concerns (tagged through consult.taxonomy).
    articles: Mapped[list[ArticleTag]] = relationship(
        primaryjoin="and_(foreign(ArticleTag.subject_id) == Paper.id, "
        "ArticleTag.subject_type == 'paper')",
        viewonly=True,
        lazy="raise",
        order_by="ArticleTag.article",
    )
    cosponsors: Mapped[list[PaperCosponsor]] = relationship(
        lazy="raise", order_by="PaperCosponsor.id", cascade="all, delete-orphan"
    )

    @property
    def is_contribution(self) -> bool:
        return self.contribution_status is not None

    @property
    def is_pending_contribution(self) -> bool:
        return self.contribution_status is not None and self.contribution_status.is_pending

    def __repr__(self) -> str:
        return f"<Paper {self.symbol or self.id}>"


class PaperCosponsor(db.Model):
    """A State delegation invited to co-sponsor a national contribution; shown once it
    confirms."""

    __tablename__ = "paper_cosponsor"
    __table_args__ = (UniqueConstraint("paper_id", "delegation_id", name="one_invitation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The delegate who confirmed or declined for the delegation.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    delegation: Mapped[Delegation] = relationship(lazy="raise")

    @property
    def is_open(self) -> bool:
        return self.confirmed_at is None and self.declined_at is None


class Revision(db.Model):
    """One immutable version of a paper's text: Rev.0 is the original."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("paper_id", "number", name="one_number_per_paper"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    source: Mapped[str] = mapped_column(Text)
    #: "pasted" or the uploaded file's name.
    origin: Mapped[str] = mapped_column(String(200), default="pasted")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        return f"Rev.{self.number}"


def _paragraph_markdown(paragraph: Paragraph, text: str) -> str:
    return paragraph_markdown(text, is_heading=paragraph.is_heading)


class Paragraph(db.Model):
    """A block of one revision: a heading (not numbered) or a numbered paragraph."""

    __tablename__ = "paragraph"
    __table_args__ = (
        UniqueConstraint("revision_id", "position", name="one_position_per_revision"),
        Index("ix_paragraph_revision_key", "revision_id", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    #: Paragraph number in this revision; None for headings.
    number: Mapped[int | None] = mapped_column()
    is_heading: Mapped[bool] = mapped_column(default=False)
    #: Stable across revisions while the text survives; comments hang on it.
    key: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[Markup | None] = rendered("text", prepare=_paragraph_markdown)
    #: The paragraph of the previous revision this one continues, if any.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("paragraph.id"))
    #: True when the text differs from the previous revision's paragraph.
    is_changed: Mapped[bool] = mapped_column(default=False)

    revision: Mapped[Revision] = relationship(lazy="raise")

    @property
    def label(self) -> str:
        return f"¶{self.number}" if self.number is not None else ""


class Comment(db.Model):
    """A delegation's remark on a paragraph, or a reply in its thread."""

    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_paper_key", "paper_id", "paragraph_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"))
    #: The key of the paragraph it is about; follows the text across revisions.
    paragraph_key: Mapped[str] = mapped_column(String(16))
    #: Where it was made: revision and paragraph number ("made on Rev.1 ¶12").
    made_on_id: Mapped[int] = mapped_column(ForeignKey("paragraph.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    depth: Mapped[int] = mapped_column(default=0)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    #: "Germany" or "the African Group": who the comment speaks for.
    on_behalf_of: Mapped[str] = mapped_column(String(200))
    #: Speaking for a group: pending the group's confirmation until `group_confirmed_at` is set
    #: (by the group's coordinator, or by delivering the group's final statement).
    on_behalf_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegation_group.id"), index=True
    )
    group_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    group_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The coordinator declined to speak for the group: the comment stays pending, seen by
    #: its author (and the coordinators), who may post it as their delegation instead.
    group_declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    group_decline_reason: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    #: With its @mentions shown (the names its service resolved when it was written).
    body_html: Mapped[Markup | None] = rendered("body", finish=mentions_of)
    quote: Mapped[str | None] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    proposed_text_html: Mapped[Markup | None] = rendered("proposed_text")
    #: The paragraph text the proposed text was written against (of the revision it names):
    #: the proposal is shown as a change of that text, whatever the paragraph says now.
    proposed_on_id: Mapped[int | None] = mapped_column(ForeignKey("paragraph.id"))
    position: Mapped[Position | None] = mapped_column(_enum(Position, "comment_position"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    taken_into_account_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The language of the text it was written on: the paper's original language, or that of
    #: the version (`PaperVersion`) the author was reading. Shown beside the comment on every
    #: other language's page.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    #: Set when the chair re-attached a comment whose text had been removed.
    reattached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")
    delegation: Mapped[Delegation] = relationship(lazy="raise")
    made_on: Mapped[Paragraph] = relationship(foreign_keys=[made_on_id], lazy="raise")
    proposed_on: Mapped[Paragraph | None] = relationship(
        foreign_keys=[proposed_on_id], lazy="raise"
    )


class PaperVersion(db.Model):
    """A revision's text in another of the consultation's languages (a French or Spanish
    version of Rev.1): its paragraphs align one to one with the revision's (same keys and
    numbers), so every comment shows beside the same paragraph in every language. Immutable
    like the revision it translates; one per revision and language."""

    __tablename__ = "paper_version"
    __table_args__ = (UniqueConstraint("revision_id", "language", name="one_version_per_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)
    #: "pasted" or the uploaded file's name.
    origin: Mapped[str] = mapped_column(String(200), default="pasted")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    revision: Mapped[Revision] = relationship(lazy="joined")


def _version_paragraph_markdown(paragraph: VersionParagraph, text: str) -> str:
    return paragraph_markdown(text, is_heading=paragraph.is_heading)


class VersionParagraph(db.Model):
    """One block of a version: the same position, number, kind and key as the revision's
    paragraph it translates (`paragraph_id`), in the version's language."""

    __tablename__ = "version_paragraph"
    __table_args__ = (UniqueConstraint("version_id", "position", name="one_position_per_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("paper_version.id", ondelete="CASCADE"), index=True
    )
    #: The original revision's paragraph this one translates.
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraph.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    number: Mapped[int | None] = mapped_column()
    is_heading: Mapped[bool] = mapped_column(default=False)
    key: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[Markup | None] = rendered("text", prepare=_version_paragraph_markdown)

    #: A version marks no change of its own: the original's revisions carry that.
    is_changed = False

    @property
    def label(self) -> str:
        return f"¶{self.number}" if self.number is not None else ""


class CommentEdit(db.Model):
    """What a comment said before each edit; the history is visible to all."""

    __tablename__ = "comment_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[Markup | None] = rendered("body")
    proposed_text: Mapped[str | None] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaperFollow(db.Model):
    """A delegate who wants to hear of new revisions and of replies."""

    __tablename__ = "paper_follow"
    __table_args__ = (UniqueConstraint("paper_id", "user_id", name="one_follow_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RevisionDraft(db.Model):
    """The next revision as its editors write it, kept on the server (saved with every
    preview) so nothing typed is lost; issued as an immutable Revision, then removed."""

    __tablename__ = "revision_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), unique=True)
    #: The revision it was started from (a revision issued meanwhile is said on the page).
    based_on_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(Text)
    #: Bumped on every save: the confirmation issues only the text that was reviewed.
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(Revision, "before_update")
@event.listens_for(Paragraph, "before_update")
@event.listens_for(PaperVersion, "before_update")
@event.listens_for(VersionParagraph, "before_update")
def _revisions_are_immutable(mapper, connection, target) -> None:
    raise PermissionError("revisions are immutable; issue a new revision instead")
