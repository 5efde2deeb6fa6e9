"""`consult close-procedures`: record the outcome of every written procedure past its deadline
(cron or a systemd timer in production; `consult serve` runs the same job every few seconds).
"""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from consult import jobs

#: How often `consult serve` sweeps, in seconds.
SWEEP_EVERY = 5


def sweep() -> int:
    """One pass: how many outcomes it recorded."""
    from consult.procedures import services

    return services.close_due()


@click.command("close-procedures")
@click.option("--every", type=int, default=0, help="Keep sweeping, every N seconds.")
@with_appcontext
def close_procedures(every: int) -> None:
    """Record the outcome of written procedures whose deadline has passed."""
    job = jobs.jobs(current_app)["close-procedures"]
    while True:
        count = jobs.run_once(job)
        if count or not every:
            click.echo(f"Recorded the outcome of {count} written procedure(s).")
        if not every:
            return
        time.sleep(every)
