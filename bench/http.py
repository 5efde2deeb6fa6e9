"""HTTP: consult's pages beside a bare Flask page, served the same way in the same run.

consult (SQLite, the demo data) and bench/baseline.py both run under the production entry
(gunicorn.conf.py, one worker of CONSULT_WORKER_CLASS, default gevent) on loopback. For each
page, wrk (Debian's; a Python client when wrk is missing) keeps CONCURRENCY clients busy for
DURATION seconds against the baseline and then the page, a new connection per request as
behind nginx: p50/p99 latency, requests/s and consult's ratio to the baseline. The SQL
statements each page runs are counted in-process (Flask test client and a
before_cursor_execute listener on the same database).

Run from the repository root: `python -m bench.http` (or `make bench`).
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from bench.common import (
    USER_AGENT,
    WORKER,
    baseline_server,
    consult_deployment,
    cookie_header,
    exit_on_sigterm,
    machine,
    percentile,
    raise_file_limit,
    say,
    sign_in,
    write_result,
)
from tests.scaleout_support import LOOPBACK, Services, cpu_seconds

CONCURRENCY = 8
DURATION = 8  # seconds of measurement per page
WARMUP = 2  # seconds of load before each measurement, not counted
MAX_REQUESTS = 200_000  # the Python client's bound per run (wrk is bounded by DURATION)
CHAIR = "chair.wgeti"
ROOM = "wgeti"


@dataclass
class Run:
    url: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # answers other than 2xx/3xx, and requests that got no answer at all
    tool: str
    #: Read/connect errors wrk counted (gevent-websocket's pywsgi resets closed connections:
    #: one "read error" per request, every response served all the same).
    socket_errors: int = 0
    #: Server CPU per request: unlike latency, hardly moved by other work on the machine.
    cpu_ms_per_request: float | None = None


def load(url: str, headers: dict[str, str], seconds: float) -> Run:
    """Keep CONCURRENCY clients busy on one URL for `seconds` (loopback only).

    Every request comes on a new connection (`Connection: close`), as nginx sends them to its
    upstream unless told to keep connections: a client on loopback that answers a keep-alive
    response within microseconds lets one gevent connection monopolise the worker, which
    measures the client more than the server.
    """
    assert url.startswith(f"http://{LOOPBACK}:"), "load goes to loopback only"
    headers = {**headers, "Connection": "close"}
    if shutil.which("wrk"):
        return _wrk(url, headers, seconds)
    return _threads(url, headers, seconds)


def _wrk(url: str, headers: dict[str, str], seconds: float) -> Run:
    command = ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{max(1, round(seconds))}s", "--latency"]
    command += ["--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    count = int(total.group(1)) if total else 0
    elapsed = _seconds(float(total.group(2)), total.group(3)) if total else seconds
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    connect, read, write, timeout = (
        (int(n) for n in socket_errors.groups()) if socket_errors else (0,) * 4
    )
    errors += connect + timeout
    return Run(
        url=url,
        requests=count,
        seconds=round(elapsed, 2),
        rps=round(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), 1),
        p50_ms=round(_latency(output, "50%"), 2),
        p99_ms=round(_latency(output, "99%"), 2),
        errors=errors,
        tool="wrk",
        socket_errors=read + write,
    )


def _latency(output: str, label: str) -> float:
    match = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    if not match:
        return float("nan")
    return _seconds(float(match.group(1)), match.group(2)) * 1000


def _seconds(value: float, unit: str) -> float:
    return value * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}.get(unit, 1.0)


def _threads(url: str, headers: dict[str, str], seconds: float) -> Run:
    """The fallback client: CONCURRENCY threads, a new connection per request."""
    host, port_path = url.removeprefix("http://").split(":", 1)
    port, _, path = port_path.partition("/")
    path = "/" + path
    latencies: list[list[float]] = [[] for _ in range(CONCURRENCY)]
    errors = [0] * CONCURRENCY
    deadline = time.perf_counter() + seconds
    per_thread = MAX_REQUESTS // CONCURRENCY

    def worker(n: int) -> None:
        while time.perf_counter() < deadline and len(latencies[n]) < per_thread:
            start = time.perf_counter()
            connection = http.client.HTTPConnection(host, int(port), timeout=5)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[n] += 1
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                continue
            finally:
                connection.close()
            latencies[n].append((time.perf_counter() - start) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 10)
    elapsed = time.perf_counter() - started
    every = [value for values in latencies for value in values]
    return Run(
        url=url,
        requests=len(every),
        seconds=round(elapsed, 2),
        rps=round(len(every) / elapsed, 1),
        p50_ms=round(percentile(every, 50), 2),
        p99_ms=round(percentile(every, 99), 2),
        errors=sum(errors),
        tool="python-threads",
    )


def measure(url: str, headers: dict[str, str], pid: int | None) -> Run:
    load(url, headers, WARMUP)
    before = cpu_seconds(pid) if pid else None
    run = load(url, headers, DURATION)
    if before is not None and run.requests:
        used = cpu_seconds(pid) - before
        run.cpu_ms_per_request = round(used * 1000 / run.requests, 2)
    return run


def _ratio(value: float | None, base: float | None) -> float | None:
    return round(value / base, 2) if value is not None and base else None


def expect_ok(url: str, headers: dict[str, str]) -> int:
    """The page must answer 200 itself: wrk would count a redirect to sign-in as a success."""
    response = requests.get(url, headers=headers, allow_redirects=False, timeout=10)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}, not 200")
    return len(response.content)


def count_queries(database_url: str, paths: dict[str, str | None]) -> dict[str, int]:
    """SQL statements per page, in-process, signed in as the chair where a page needs it."""
    from sqlalchemy import event

    from consult import create_app
    from consult.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-query-count",
            "SESSION_COOKIE_SECURE": False,
            "MAIL_BACKEND": "memory",
        }
    )
    statements: list[str] = []

    def on_execute(_conn, _cursor, statement, *_args) -> None:
        keyword = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if keyword not in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"}:
            statements.append(statement)

    counts: dict[str, int] = {}
    with app.app_context():
        engine = db.engine
    # No app context held across requests: each request gets its own `g` (and signed-in user).
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        anonymous = app.test_client()
        signed_in = app.test_client()
        page = signed_in.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = signed_in.post(
            "/sign-in",
            data={
                "email": f"{CHAIR}@demo.example.org",
                "password": "consult-demo",
                "csrf_token": token,
            },
        )
        assert response.status_code == 302, response.status_code
        for label, path in paths.items():
            if path is None:
                continue
            client = anonymous if label == "sign-in page" else signed_in
            assert client.get(path).status_code == 200  # warm: first-visit writes
            statements.clear()
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            counts[label] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return counts


def main() -> None:
    exit_on_sigterm()
    raise_file_limit()
    info = machine()
    say(
        f"machine: {info['nproc']} cores, {info['memory_gib']} GiB, Python {info['python']}, "
        f"gunicorn worker {WORKER}, {CONCURRENCY} concurrent connections, {DURATION} s per run, "
        f"load average {info['load_average_1m']} before the run"
    )
    rows = []
    with Services("consult-bench-http-") as started:
        app = consult_deployment(started)
        baseline = baseline_server(started)
        chair = sign_in(app.base_url, CHAIR)
        signed = {"User-Agent": USER_AGENT, "Cookie": cookie_header(chair)}
        anonymous = {"User-Agent": USER_AGENT}
        room_html = chair.get(f"{app.base_url}/rooms/{ROOM}", timeout=10).text
        paper = re.search(r'href="(/papers/\d+)"', room_html)
        topic = re.search(r'href="(/discussions/\d+)"', room_html)
        pages: dict[str, str | None] = {
            "sign-in page": "/sign-in",
            "dashboard": "/",
            "room page": f"/rooms/{ROOM}",
            "paper page": paper.group(1) if paper else None,
            "discussion page": topic.group(1) if topic else None,
            "room discussions": f"/rooms/{ROOM}/discussions",
            "delegation drafts": "/delegation-drafts",
            "search page": "/search?q=national+control",
        }
        baseline_url = f"{baseline.base_url}/page"
        baseline_bytes = expect_ok(baseline_url, anonymous)
        for label, path in pages.items():
            if path is None:
                say(f"{label}: not measured (nothing of the kind in the demo room)")
                continue
            headers = anonymous if label == "sign-in page" else signed
            size = expect_ok(app.base_url + path, headers)
            base = measure(baseline_url, anonymous, baseline.worker_pid())
            page = measure(app.base_url + path, headers, app.worker_pid())
            expect_ok(app.base_url + path, headers)  # still signed in after the run
            row = {
                "page": label,
                "path": path,
                "bytes": size,
                "baseline_bytes": baseline_bytes,
                "consult": asdict(page),
                "baseline": asdict(base),
                "rps_ratio": round(page.rps / base.rps, 3) if base.rps else None,
                "cpu_ratio": _ratio(page.cpu_ms_per_request, base.cpu_ms_per_request),
                "p50_ratio": round(page.p50_ms / base.p50_ms, 2) if base.p50_ms else None,
            }
            rows.append(row)
            say(
                f"{label}: p50 {page.p50_ms} ms, p99 {page.p99_ms} ms, {page.rps} req/s "
                f"({page.errors} errors, {size} bytes, {page.cpu_ms_per_request} CPU ms/req) | "
                f"baseline p50 {base.p50_ms} ms, p99 {base.p99_ms} ms, {base.rps} req/s "
                f"({base.cpu_ms_per_request} CPU ms/req) | consult/baseline req/s "
                f"{row['rps_ratio']}, CPU per request {row['cpu_ratio']}x"
            )
        database_url = f"sqlite:///{Path(started.workdir) / 'consult.db'}"
        queries = count_queries(database_url, {row["page"]: row["path"] for row in rows})
    for row in rows:
        row["sql_queries"] = queries.get(row["page"])
        say(f"{row['page']}: {row['sql_queries']} SQL queries")
    path = write_result(
        "http",
        {"concurrency": CONCURRENCY, "duration_s": DURATION, "worker": WORKER, "pages": rows},
    )
    say(f"written: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    by = {row["page"]: row for row in rows}
    figures = []
    for label, key in (
        ("sign-in page", "signin"),
        ("dashboard", "dashboard"),
        ("room page", "room"),
        ("paper page", "paper"),
        ("discussion page", "discussion"),
        ("room discussions", "discussions"),
        ("delegation drafts", "drafts"),
    ):
        if label in by:
            row = by[label]
            figures += [
                f"http_{key}_p50_ms={row['consult']['p50_ms']}",
                f"http_{key}_p99_ms={row['consult']['p99_ms']}",
                f"http_{key}_rps={row['consult']['rps']}",
                f"http_{key}_ratio={row['rps_ratio']}",
                f"http_{key}_cpu_ms={row['consult']['cpu_ms_per_request']}",
                f"http_{key}_queries={row['sql_queries']}",
            ]
    say("RESULT " + " ".join(figures))


if __name__ == "__main__":
    main()
