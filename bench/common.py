"""What the benchmarks share: the machine, percentiles, results on disk, servers, sign-in."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import resource
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import requests

from tests.scaleout_support import (
    AppServer,
    Services,
    app_environment,
    consult_command,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEMO_DOMAIN = "demo.example.org"
DEMO_PASSWORD = "consult-demo"  # noqa: S105 - the public demo password
#: Sign-in and later requests must agree: the session is bound to address and user agent.
USER_AGENT = "consult-bench"
WORKER = os.environ.get("CONSULT_WORKER_CLASS", "gevent")


def machine() -> dict[str, Any]:
    """The facts a figure means nothing without."""
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    versions = {}
    for package in (
        "Flask",
        "Flask-SocketIO",
        "python-socketio",
        "gunicorn",
        "gevent",
        "SQLAlchemy",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "load_average_1m": round(os.getloadavg()[0], 2),
        "nproc": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "worker": WORKER,
        "versions": versions,
    }


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def write_result(name: str, data: dict[str, Any]) -> Path:
    """bench/results/<name>-<time>.json, plus <name>-latest.json for docs and comparisons."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {"benchmark": name, "at": stamp, "machine": machine(), **data}
    path = RESULTS / f"{name}-{stamp}.json"
    text = json.dumps(document, indent=2, default=str)
    path.write_text(text)
    (RESULTS / f"{name}-latest.json").write_text(text)
    return path


def say(line: str) -> None:
    """One figure per line, flushed at once so `make bench` shows progress."""
    print(line, flush=True)


def raise_file_limit() -> None:
    """A thousand sockets on each side need more descriptors than a default soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def worker_settings() -> dict[str, str]:
    """The worker to measure, and its sizes when this run's environment sets them."""
    settings = {"CONSULT_WORKER_CLASS": WORKER}
    for name in ("CONSULT_THREADS", "CONSULT_WORKER_CONNECTIONS"):
        if os.environ.get(name):
            settings[name] = os.environ[name]
    return settings


def consult_deployment(
    started: Services,
    message_queue: str | None = None,
    database_url: str | None = None,
    name: str = "consult",
    **extra: str,
) -> AppServer:
    """consult migrated and seeded with the demo, served by the production entry."""
    url = database_url or f"sqlite:///{started.workdir / 'consult.db'}"
    env = app_environment(started.workdir, url, message_queue, **worker_settings())
    consult_command(["init-db"], env)
    consult_command(["demo"], env)
    return started.app(env, name, **extra)


def baseline_server(started: Services, message_queue: str | None = None, **extra: str) -> AppServer:
    """The bare Flask app, served by the same gunicorn.conf.py and worker."""
    env = app_environment(started.workdir, "sqlite://", message_queue, **worker_settings())
    return started.app(env, "baseline", target="bench.baseline:app", **extra)


def sign_in(base_url: str, who: str) -> requests.Session:
    """A session signed in through the real form (who: the demo account before the @)."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    page = session.get(f"{base_url}/sign-in", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    response = session.post(
        f"{base_url}/sign-in",
        data={
            "email": f"{who}@{DEMO_DOMAIN}",
            "password": DEMO_PASSWORD,
            "csrf_token": token.group(1),
        },
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in as {who} answered {response.status_code}")
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that `finally` still stops the servers a run started."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


#: The chair of the room the benchmarks work in (WGETI, transparent: everyone may read it).
CHAIR = "chair.wgeti"
#: Demo accounts whose sessions the benchmarks' open pages share (round robin, as people with
#: several devices): members, observers and readers of WGETI.
WATCHERS = (
    "chair.wgeti",
    "president",
    "facilitator",
    "chair.wgtr",
    "delegate.germany",
    "npc.nigeria",
    "delegate.philippines",
    "delegate.thailand",
    "delegate.india",
    "delegate.controlarms",
)


def watcher_headers(base_url: str) -> list[dict[str, str]]:
    """One set of request headers per signed-in watcher session."""
    return [
        {"User-Agent": USER_AGENT, "Cookie": cookie_header(sign_in(base_url, who))}
        for who in WATCHERS
    ]


@contextlib.contextmanager
def seeding(database_url: str, secret: str) -> Iterator[tuple[Any, Any]]:
    """consult's services on the benchmark's database: yields WGETI and its chair."""
    from sqlalchemy import select

    from consult import create_app
    from consult.accounts.models import User
    from consult.extensions import db
    from consult.rooms.models import Room

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret})
    with app.app_context(), app.test_request_context():
        room = db.session.scalars(select(Room).where(Room.slug == "wgeti")).one()
        chair = db.session.scalars(select(User).where(User.email.like(f"{CHAIR}@%"))).one()
        yield room, chair
        db.session.commit()
