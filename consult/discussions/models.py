"""Discussions: topics in every room that is not confidential, their posts, edits, attachments.

A topic's opening text is its first post (`is_opening`), so edits, hiding, quoting and
attachments work the same for it as for every reply.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User
from consult.extensions import db
from consult.markdown import mentions_of, rendered
from consult.timeutil import UTCDateTime, utcnow

#: Replies nest two levels below the topic's replies, then stay flat at that depth.
MAX_DEPTH = 2


class Topic(db.Model):
    """A discussion started by a member who may take part in the room."""

    __tablename__ = "discussion_topic"
    __table_args__ = (Index("ix_discussion_topic_room_activity", "room_id", "last_activity_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"))
    #: Set by a chair at creation: nobody but the chairs and the Secretariat sees who wrote what.
    is_chatham_house: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The newest post's time: the room page lists topics by it, newest first.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Grows with every change; socket signals carry only this.
    version: Mapped[int] = mapped_column(default=1)

    author: Mapped[User] = relationship(lazy="raise")
    delegation: Mapped[Delegation] = relationship(lazy="raise")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class TopicPost(db.Model):
    """The opening text of a topic, or a reply in it."""

    __tablename__ = "discussion_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_topic.id", ondelete="CASCADE"), index=True
    )
    is_opening: Mapped[bool] = mapped_column(default=False)
    #: Where the reply is shown: under this post (None: a reply to the topic itself).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_post.id"))
    #: The post it answers (a reply to a reply at the deepest level is shown beside it).
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_post.id"))
    #: The post it quotes, shown above its text.
    quote_of_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_post.id"))
    depth: Mapped[int] = mapped_column(default=0)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"))
    body: Mapped[str] = mapped_column(Text)
    #: With its @mentions shown (the names its service resolved when it was written).
    body_html: Mapped[Markup | None] = rendered("body", finish=mentions_of)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")
    delegation: Mapped[Delegation] = relationship(lazy="raise")


class TopicPostEdit(db.Model):
    """What a post said before each edit; the history is visible to all who see the post."""

    __tablename__ = "discussion_post_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_post.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[Markup | None] = rendered("body")
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TopicAttachment(db.Model):
    """A file attached to a post (bounded in size and type, encrypted on disk)."""

    __tablename__ = "discussion_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_post.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    #: Random name of the encrypted file in ATTACHMENT_DIR.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TopicRead(db.Model):
    """Until when a person has read a topic: posts after it are unread for them."""

    __tablename__ = "discussion_read"
    __table_args__ = (UniqueConstraint("topic_id", "user_id", name="one_read_marker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("discussion_topic.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
