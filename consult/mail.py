"""Outgoing mail through an outbox: written with the change, sent once the server accepts it.

`queue()` adds an `OutboxMessage` to the request's transaction, so a rolled-back change never
sends a link to something that does not exist and a committed one never loses its message. The
sender (`send_pending`) claims messages one at a time with a conditional update (safe with
several workers and processes), delivers each through the configured backend (console or file
in development, SMTP in production, memory in tests), and marks it sent only after the server
accepted it; a failure waits with back-off and is retried, up to `MAX_ATTEMPTS`. It runs inside
`consult serve` every few seconds and as its own process in production (`consult send-mail`);
with `MAIL_SEND_INLINE` (tests, small setups) the request's own messages are also tried right
after its commit. A message whose recipient was deactivated, or can no longer see what it speaks
of, is dropped when its turn comes. Delivery is at least once: a crash between the server's
acceptance and the mark would send it again, with the same Message-ID (receivers deduplicate).
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import UTCDateTime, utcnow

log = logging.getLogger(__name__)

#: Messages kept by the "memory" backend (tests read it).
outbox: list[EmailMessage] = []

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 120
BATCH = 50
#: The footer every message carries: mail is one way (lazy: in the recipient's language).
NO_REPLY = _l(
    "This message was sent by consult. Replies to it are not read and post nothing: to answer, "
    "open the link above."
)


class OutboxMessage(db.Model):
    """An e-mail waiting to leave, written in the same transaction as the change it speaks
    of: a rolled-back change queues nothing, a committed one loses nothing. The sender claims a
    message (`claimed_until`) before it sends it and marks it sent only once the server took
    it; a failed attempt waits `next_attempt_at` (back-off) and gives up after a few tries."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_pending", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    #: The recipient's account, when there is one: re-checked (active) when it is sent.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The notification kind ("paper.reply"), "digest.daily", or "" for account mail.
    kind: Mapped[str] = mapped_column(String(40), default="")
    #: What it speaks of: a notification's mail is dropped if the recipient lost sight of it.
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column()
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Given up (too many failures) or dropped (recipient deactivated, subject no longer seen).
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def build(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


def deliver(message: EmailMessage) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox.append(message)
    elif backend == "console":
        current_app.logger.info(
            "mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content()
        )
    elif backend == "file":
        folder = Path(current_app.config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        # Unique and in order, also with several senders writing side by side.
        name = f"{time.time_ns():020d}-{os.getpid()}.eml"
        (folder / name).write_bytes(bytes(message))
    elif backend == "smtp":
        cfg = current_app.config
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=20) as smtp:
            if cfg["SMTP_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if cfg["SMTP_USERNAME"]:
                smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
            smtp.send_message(message)
    else:
        raise RuntimeError(f"unknown CONSULT_MAIL_BACKEND {backend!r}")


def queue(
    to: str,
    subject: str,
    body: str,
    *,
    user_id: int | None = None,
    kind: str = "",
    about: tuple[str | None, int | None] = (None, None),
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Put a message in the outbox, in the current transaction (it leaves after the commit)."""
    message = OutboxMessage(
        to_address=to,
        user_id=user_id,
        kind=kind,
        subject_type=about[0],
        subject_id=about[1],
        subject=subject[:300],
        body=body,
        headers=headers or {},
    )
    db.session.add(message)
    if has_request_context():
        g.setdefault("_mail_queue", []).append(message)
    return message


def flush_after_commit() -> None:
    """After the request's commit: with MAIL_SEND_INLINE, try its own messages now (the
    sender retries whatever fails); otherwise the sender takes them within seconds."""
    queued = g.pop("_mail_queue", [])
    if not queued or not current_app.config.get("MAIL_SEND_INLINE"):
        return
    if any(m.id is None for m in queued):
        db.session.flush()  # (called without a commit before it: a script, a test)
    ids = [m.id for m in queued]
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False  # the page is still to be rendered from what it loaded
    try:
        send_pending(only=ids)
    except Exception:  # noqa: BLE001 - the request succeeded; the sender will retry
        current_app.logger.exception("mail could not be sent after the request")
    finally:
        session.expire_on_commit = expire


def discard() -> None:
    g.pop("_mail_queue", None)


# ---- the sender ----------------------------------------------------------------------------


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _claim(message_id: int, now: datetime, worker: str) -> bool:
    """Take one message for this worker (committed at once); False when another has it or
    it is done."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), claimed_by=worker)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def _backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... up to an hour between attempts."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _still_wanted(message: OutboxMessage) -> str | None:
    """Why the message must not go now (recipient deactivated, subject no longer seen)."""
    from consult.accounts.models import User
    from consult.policy import visible_subject

    if message.user_id is None:
        return None
    user = db.session.get(User, message.user_id)
    if user is None or not user.is_active or not user.delegation.is_active:
        return "recipient deactivated"
    if message.subject_type is not None:
        from sqlalchemy import literal

        seen = db.session.scalar(
            select(literal(1)).where(
                visible_subject(literal(message.subject_type), literal(message.subject_id), user)
            )
        )
        if not seen:
            return "the recipient no longer sees what it speaks of"
    return None


def _email(message: OutboxMessage) -> EmailMessage:
    headers = dict(message.headers or {})
    domain = current_app.config["MAIL_SENDER"].rsplit("@", 1)[-1].strip("> ") or "consult"
    headers.setdefault("Message-ID", make_msgid(f"outbox-{message.id}", domain=domain))
    return build(message.to_address, message.subject, message.body, headers)


def send_one(message_id: int, worker: str | None = None) -> bool:
    """Claim, check, deliver and mark one message. True when it was sent now.

    The write lock is taken only to claim and to mark (`writing()`), never while the SMTP
    server is talked to: on SQLite one slow server must not stall every writer.
    """
    from consult.transaction import writing

    worker = worker or _worker()
    with writing():
        claimed = _claim(message_id, utcnow(), worker)
    if not claimed:
        return False
    message = db.session.get(OutboxMessage, message_id)
    why = _still_wanted(message)
    email = _email(message) if why is None else None
    db.session.commit()  # end the read: nothing is held while the server answers
    if email is None:
        with writing():
            message = db.session.get(OutboxMessage, message_id)
            message.failed_at, message.last_error = utcnow(), why
        return False
    try:
        deliver(email)
    except (OSError, smtplib.SMTPException) as error:
        with writing():
            message = db.session.get(OutboxMessage, message_id)
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:500]
            message.claimed_until = None
            if message.attempts >= MAX_ATTEMPTS:
                message.failed_at = utcnow()
                log.error("mail %s to %s given up: %s", message.id, message.to_address, error)
            else:
                message.next_attempt_at = utcnow() + _backoff(message.attempts)
        return False
    with writing():
        message = db.session.get(OutboxMessage, message_id)
        message.sent_at = utcnow()  # only now that the server accepted it
        message.attempts += 1
    return True


def send_pending(only: list[int] | None = None, limit: int = BATCH) -> int:
    """Send what is due (or only these ids): how many left now."""
    now = utcnow()
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if only is not None:
        query = query.where(OutboxMessage.id.in_(only))
    ids = list(db.session.scalars(query))
    db.session.commit()
    worker = _worker()
    return sum(send_one(ident, worker) for ident in ids)
