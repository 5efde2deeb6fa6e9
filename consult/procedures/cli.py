"""`consult close-procedures`: record the outcome of every written procedure past its deadline
(cron or a systemd timer in production; `consult serve` runs the same sweep every few seconds).
"""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from consult import transaction
from consult.extensions import db

#: How often `consult serve` sweeps, in seconds.
SWEEP_EVERY = 5


def sweep() -> int:
    """One pass, committed: how many outcomes it recorded."""
    from consult.procedures import services

    try:
        count = services.close_due()
        transaction.commit()
        return count
    finally:
        db.session.remove()


@click.command("close-procedures")
@click.option("--every", type=int, default=0, help="Keep sweeping, every N seconds.")
@with_appcontext
def close_procedures(every: int) -> None:
    """Record the outcome of written procedures whose deadline has passed."""
    while True:
        count = sweep()
        if count or not every:
            click.echo(f"Recorded the outcome of {count} written procedure(s).")
        if not every:
            return
        time.sleep(every)


def run_sweeper(app) -> None:
    """The sweep inside `consult serve` (a Socket.IO background task): outcomes are recorded
    within a few seconds of the deadline, and the open pages hear of it."""
    import logging

    from consult.extensions import socketio

    log = logging.getLogger(__name__)
    while True:
        socketio.sleep(SWEEP_EVERY)
        try:
            with app.app_context():
                sweep()
        except Exception:  # noqa: BLE001 - a failed pass is logged; the next one retries
            log.exception("the written procedure sweep failed")
