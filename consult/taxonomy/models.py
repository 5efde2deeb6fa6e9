"""Terms of the taxonomy and the tags that attach them (and Treaty articles) to subjects."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import _enum
from consult.extensions import db
from consult.timeutil import UTCDateTime, utcnow

#: The Treaty's articles a subject may concern.
TREATY_ARTICLES = range(1, 29)


class Vocabulary(enum.StrEnum):
    """What a term classifies: a stage of implementation (a sub-topic is a stage's child), or
    the kind of transfer activity (import, export, transit, trans-shipment, brokering)."""

    STAGE = "stage"
    ACTIVITY = "activity"

    @property
    def label(self) -> str:
        return str(VOCABULARY_LABELS[self])


VOCABULARY_LABELS = {
    Vocabulary.STAGE: _l("Stages of implementation"),
    Vocabulary.ACTIVITY: _l("Transfer activities"),
}


class Term(db.Model):
    """A stage of implementation, a sub-topic of one (`parent_id`), or a transfer activity.

    The Secretariat edits, orders and retires terms. A retired term is never offered for new
    tags, but what was tagged with it keeps the tag and stays listed under it; terms are never
    deleted.
    """

    __tablename__ = "taxonomy_term"
    __table_args__ = (Index("ix_taxonomy_term_parent_position", "parent_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[Vocabulary] = mapped_column(_enum(Vocabulary, "vocabulary"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomy_term.id"))
    #: The address of the term's library page (`/library/<slug>`).
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The order among its siblings (the Secretariat moves terms up and down).
    position: Mapped[int] = mapped_column(default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Term | None] = relationship(remote_side=[id], lazy="raise")

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def is_stage(self) -> bool:
        return self.vocabulary is Vocabulary.STAGE and self.parent_id is None

    def __repr__(self) -> str:
        return f"<Term {self.slug}>"


class Tag(db.Model):
    """A term attached to a subject (any model with a visible filter, named by its table)."""

    __tablename__ = "taxonomy_tag"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "term_id"),
        Index("ix_taxonomy_tag_term", "term_id", "subject_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column()
    term_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_term.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    term: Mapped[Term] = relationship(lazy="raise")


class ArticleTag(db.Model):
    """A Treaty article (1-28) a subject concerns."""

    __tablename__ = "taxonomy_article"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "article"),
        CheckConstraint("article BETWEEN 1 AND 28", name="treaty_article"),
        Index("ix_taxonomy_article_article", "article", "subject_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column()
    article: Mapped[int] = mapped_column()
