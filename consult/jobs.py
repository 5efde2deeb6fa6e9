"""Work that runs by the clock: the mail sender, digests, deadline reminders, the written
procedure's sweep. Each domain declares its jobs from `register(app)` (`add`); `consult serve`
runs them all in one background task, and each has its own command for cron, systemd or a
separate process in production. A job commits its own work and is safe to run twice at once
(it claims what it does in the database)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from consult import transaction
from consult.extensions import db, socketio

log = logging.getLogger(__name__)
_KEY = "consult.jobs"


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds between runs inside `consult serve`
    run: Callable[[], int]  # does one pass, returns how much it did
    #: The pass writes throughout (short, database only); False: it reads and takes the
    #: write lock itself only where it writes (the mail sender, which waits on SMTP).
    writes: bool = True


def add(
    app: Flask, name: str, every: float, run: Callable[[], int], *, writes: bool = True
) -> None:
    app.extensions.setdefault(_KEY, {})[name] = Job(name, every, run, writes)


def jobs(app: Flask) -> dict[str, Job]:
    return app.extensions.get(_KEY, {})


def run_once(job: Job) -> int:
    """One pass, committed (the live events it queued leave after the commit)."""
    try:
        with transaction.reading():
            if job.writes:
                with transaction.writing():
                    done = job.run()
                    transaction.commit()
            else:
                done = job.run()
                db.session.commit()
        return done
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.remove()


def run_forever(app: Flask) -> None:
    """The background task of `consult serve`: each job at its own pace; a failed pass is
    logged and the next one retries."""
    # Each job's first pass comes after its interval, not at start: a restart does not send
    # the digests early, and the server answers before any job runs.
    start = time.monotonic()
    last: dict[str, float] = dict.fromkeys(jobs(app), start)
    while True:
        socketio.sleep(1)
        now = time.monotonic()
        for job in jobs(app).values():
            if now - last.get(job.name, start) < job.every:
                continue
            last[job.name] = now
            try:
                with app.app_context():
                    run_once(job)
            except Exception:  # noqa: BLE001 - logged; retried on the next pass
                log.exception("the %s job failed", job.name)
