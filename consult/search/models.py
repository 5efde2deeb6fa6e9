"""The search index: one row per searchable thing, written in the same transaction as the thing.

A row names what it is (`kind`, `object_id`), the listed model whose visible filter decides
who may find it (`subject_type`, `subject_id`), and what the filters need (room, attributed
delegation, the taggable subject for stages, a date). `terms` is what the full-text index
reads: the words stemmed in the row's language (consult.search.text), or, for confidential
text, keyed hashes of them, so the index holds no confidential word in clear. SQLite indexes
`terms` with FTS5 (`search_fts`, kept in step by triggers); PostgreSQL with a generated
`tsvector` column and a GIN index (migration 0037).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import UTCDateTime


class SearchDocument(db.Model):
    """One searchable thing as the index sees it (never shown without its visible filter)."""

    __tablename__ = "search_document"
    __table_args__ = (
        Index("ix_search_document_object", "kind", "object_id", unique=True),
        Index("ix_search_document_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: room, paper, revision, comment, topic, discussion_post, meeting, agenda_item,
    #: case_study, questionnaire, question, thread, thread_post (consult.search.sources).
    kind: Mapped[str] = mapped_column(String(24))
    object_id: Mapped[int] = mapped_column()
    #: The listed model (its table) and row whose visible filter says who may find this.
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column()
    #: The page the result links to (a paper for its revisions and comments, a topic for its
    #: posts, a meeting for its items, a thread for its posts); `anchor` completes the link.
    page_id: Mapped[int] = mapped_column()
    anchor: Mapped[str] = mapped_column(String(40), default="")
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    #: en, fr or es: the stemmer the terms were made with.
    language: Mapped[str] = mapped_column(String(8), default="en")
    #: Who it is attributed to, for the delegation filter; None under the Chatham House Rule
    #: (and wherever nobody is named), so neither the filter nor its counts can attribute it.
    delegation_id: Mapped[int | None] = mapped_column(index=True)
    #: The taggable subject whose stages of implementation count for this row.
    tag_type: Mapped[str | None] = mapped_column(String(40))
    tag_id: Mapped[int | None] = mapped_column()
    #: Its date for the date filter (a meeting's start, otherwise when it was written).
    dated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: Plain title and text for snippets; empty when sealed (read from the encrypted row).
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    #: Confidential: terms are keyed hashes, title and body are read from the encrypted row.
    is_sealed: Mapped[bool] = mapped_column(default=False)
    terms: Mapped[str] = mapped_column(Text, default="")
