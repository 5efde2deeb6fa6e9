"""In-app notifications: short, content-free lines with a link to what changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import UTCDateTime, utcnow


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: e.g. "paper.revision", "paper.reply".
    kind: Mapped[str] = mapped_column(String(40))
    #: One line; never confidential content.
    text: Mapped[str] = mapped_column(String(300))
    #: A path inside the app; opening it still goes through the policy.
    link: Mapped[str] = mapped_column(String(300))
    #: What it speaks of ("paper", 12); listed only while the recipient may still see it.
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
