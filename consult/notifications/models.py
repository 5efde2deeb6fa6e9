"""In-app notifications: short, content-free lines with a link to what changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
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


class MailPreference(db.Model):
    """How a person wants one kind of notification by e-mail (absent: the kind's default)."""

    __tablename__ = "mail_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="one_preference_per_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: immediately | daily | weekly | never
    cadence: Mapped[str] = mapped_column(String(12))


class DigestMark(db.Model):
    """Up to when a person's daily or weekly digest has gone out: the next holds what came
    after."""

    __tablename__ = "digest_mark"
    __table_args__ = (UniqueConstraint("user_id", "cadence", name="one_mark_per_cadence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    cadence: Mapped[str] = mapped_column(String(12))
    sent_through: Mapped[datetime] = mapped_column(UTCDateTime)


class ReminderSent(db.Model):
    """A deadline reminder that went out (72 or 24 hours before), once per deadline: a deadline
    moved later is reminded of again."""

    __tablename__ = "reminder_sent"
    __table_args__ = (
        UniqueConstraint(
            "subject_type", "subject_id", "hours", "deadline", name="one_reminder_per_deadline"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column()
    hours: Mapped[int] = mapped_column()
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
