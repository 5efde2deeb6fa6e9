"""Confidential operational threads: markings, need-to-know audiences, posts, read records.

Titles, case references, posts and attachment names are encrypted at rest (consult.crypto);
attachment files are encrypted on disk outside the static folder.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User, _enum
from consult.crypto import EncryptedText
from consult.extensions import db
from consult.markdown import rendered
from consult.rooms.models import Room
from consult.timeutil import UTCDateTime, utcnow


class Marking(enum.StrEnum):
    """FIRST Traffic Light Protocol 2.0, from the most restrictive."""

    RED = "TLP:RED"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    AMBER = "TLP:AMBER"
    GREEN = "TLP:GREEN"
    CLEAR = "TLP:CLEAR"

    @property
    def level(self) -> int:
        """Higher is more restrictive."""
        return {
            "TLP:RED": 4,
            "TLP:AMBER+STRICT": 3,
            "TLP:AMBER": 2,
            "TLP:GREEN": 1,
            "TLP:CLEAR": 0,
        }[self.value]

    @property
    def meaning(self) -> str:
        return str(MEANINGS[self.value])

    @property
    def css(self) -> str:
        return self.name.lower().replace("_", "-")


MEANINGS = {
    "TLP:RED": _l("For the eyes and ears of individual recipients only, no further disclosure."),
    "TLP:AMBER+STRICT": _l("Limited disclosure, restricted to the recipients' organisations only."),
    "TLP:AMBER": _l(
        "Limited disclosure: recipients may share it on a need-to-know basis within "
        "their organisation and its clients."
    ),
    "TLP:GREEN": _l("Limited disclosure, restricted to the community."),
    "TLP:CLEAR": _l("Disclosure is not limited."),
}


class ThreadStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Thread(db.Model):
    __tablename__ = "thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(EncryptedText)
    case_reference: Mapped[str | None] = mapped_column(EncryptedText)
    marking: Mapped[Marking] = mapped_column(
        _enum(Marking, "marking"), default=Marking.AMBER_STRICT
    )
    status: Mapped[ThreadStatus] = mapped_column(
        _enum(ThreadStatus, "thread_status"), default=ThreadStatus.OPEN
    )
    #: Only the originating delegation may lower the marking, widen the audience, allow exports.
    originating_delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Limited to the listed participants; the rest of the room does not see it exists.
    is_need_to_know: Mapped[bool] = mapped_column(default=False)
    is_export_allowed: Mapped[bool] = mapped_column(default=False)
    #: Posts older than this many days are purged (None: the room's period, or kept).
    retention_days: Mapped[int | None] = mapped_column()
    #: Grows with every change; socket signals carry only this.
    version: Mapped[int] = mapped_column(default=1)

    originating_delegation: Mapped[Delegation] = relationship(lazy="joined")


class ThreadParticipant(db.Model):
    """A member on a need-to-know thread's list, or a member who joined the room later."""

    __tablename__ = "thread_participant"
    __table_args__ = (UniqueConstraint("thread_id", "user_id", name="once_per_thread"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Posts before this moment stay hidden from this person (None: the whole history).
    sees_from: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class Post(db.Model):
    __tablename__ = "post"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"))
    body: Mapped[str] = mapped_column(EncryptedText)
    body_html: Mapped[Markup | None] = rendered("body", encrypted=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
    delegation: Mapped[Delegation] = relationship(lazy="joined")


class Attachment(db.Model):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(EncryptedText)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    #: Random name of the encrypted file in ATTACHMENT_DIR.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReadRecord(db.Model):
    """Who opened which thread, or downloaded which attachment, and when."""

    __tablename__ = "read_record"
    __table_args__ = (Index("ix_read_record_thread_user", "thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachment.id", ondelete="SET NULL")
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class Forum(db.Model):
    """A room as its threads and briefs see it: the same row as the `Room`, read only.

    The rooms' rule answers for a `Room`; the threads' policy answers for the `Forum` (only
    named members of a confidential room see its threads, only its named chairs draft briefs),
    so a view that starts from a room's slug can load it through the policy (404 before the
    confidential gate, 403 after) like any other object. Nothing is ever written through it.
    """

    __table__ = Room.__table__
    __tablename__ = "room"
