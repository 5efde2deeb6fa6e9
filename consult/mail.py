"""Outgoing mail: console or file in development, SMTP when configured, memory in tests.

Messages are sent after the request's commit (`queue` then `flush_after_commit`), so a rolled-back
change never sends a link to something that does not exist.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from flask import current_app, g, has_request_context

#: Messages kept by the "memory" backend (tests read it).
outbox: list[EmailMessage] = []


def build(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
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
        name = f"{len(list(folder.glob('*.eml'))) + 1:05d}.eml"
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


def queue(to: str, subject: str, body: str) -> None:
    """Send after the request commits; outside a request, send now."""
    message = build(to, subject, body)
    if has_request_context():
        g.setdefault("_mail_queue", []).append(message)
    else:
        deliver(message)


def flush_after_commit() -> None:
    for message in g.pop("_mail_queue", []):
        try:
            deliver(message)
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("mail to %s could not be sent", message["To"])


def discard() -> None:
    g.pop("_mail_queue", None)
