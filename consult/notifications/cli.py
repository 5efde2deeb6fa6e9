"""The e-mail commands: `consult send-mail` (the sender, as its own process in production),
`consult send-digests` and `consult send-reminders` (cron or timers; `consult serve` runs all
three as jobs)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from consult import jobs

MAIL_EVERY = 2
DIGESTS_EVERY = 300
REMINDERS_EVERY = 60


def send_mail() -> int:
    from consult import mail

    return mail.send_pending()


def send_digests() -> int:
    from consult.notifications import mailing

    return mailing.send_digests()


def send_reminders() -> int:
    from consult.notifications import reminders

    return reminders.send()


def _run(name: str, every: float, once: bool, say: str) -> None:
    job = jobs.jobs(current_app)[name]
    while True:
        done = jobs.run_once(job)
        if done or once:
            click.echo(say.format(n=done))
        if once:
            return
        time.sleep(every)


@click.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due and stop.")
@click.option("--every", type=float, default=MAIL_EVERY, help="Seconds between passes.")
@with_appcontext
def send_mail_command(once: bool, every: float) -> None:
    """Send the outbox (keeps running; safe with several senders)."""
    _run("send-mail", every, once, "Sent {n} message(s).")


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Queue the daily and weekly digests that are due."""
    _run("send-digests", 0, True, "Queued {n} digest(s).")


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Send the deadline reminders that are due (72 and 24 hours before)."""
    _run("send-reminders", 0, True, "Sent {n} reminder(s).")


def register(app) -> None:
    for command in (send_mail_command, send_digests_command, send_reminders_command):
        app.cli.add_command(command)
    jobs.add(app, "send-mail", MAIL_EVERY, send_mail, writes=False)
    jobs.add(app, "send-digests", DIGESTS_EVERY, send_digests)
    jobs.add(app, "send-reminders", REMINDERS_EVERY, send_reminders)
