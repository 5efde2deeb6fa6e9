"""Comment posting with 1,000 live sockets open: 20 delegates post comments on a paper that
1,000 open pages watch.

consult (SQLite, the demo data and a 30-paragraph paper open for comments in WGETI) and the
bare app of bench/baseline.py are served the same way (gunicorn.conf.py, one worker of
CONSULT_WORKER_CLASS, default gevent), one after the other, in the same run.

The crowd (bench/crowd.py, ten demo accounts' sessions shared round robin) watches the paper
as its page does (`watch_paper`). Then WRITERS threads, each signed in as its own session of a
WGETI member, post comments for DURATION seconds (bounded in count too) through the real form:
htmx POST with the CSRF token, on behalf of their delegation, on paragraphs in turn. consult
checks the policy and the deadline, stores the comment, notifies followers, and signals
"paper-changed" (content-free) to every page; the baseline stores the comment in SQLite and
sends the same signal. Figures: posts/s, p50/p99 of a post as the writer waits for it, errors,
server CPU per post (from /proc), and signals that never reached a page.

The pages here do what papers.js does when the commented paragraph's thread is closed, the
common case: take the signal (it carries the paragraph's new comment count) and relabel the
button, with no request. `--refetch` is the worst case instead: every page has that thread open
and re-fetches it, one GET per open page and post (the herd a busy paper would draw), with the
fetches counted and timed; use it with `--clients 100` or so.

The writers run in a process of their own, so that the crowd's work in this one does not slow
them (the machine's two cores are still shared by the server, the crowd and the writers).

Run from the repository root: `python -m bench.comments [--clients N] [--refetch]`
(or `make bench`).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import multiprocessing
import re
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from bench.common import (
    USER_AGENT,
    WORKER,
    baseline_server,
    consult_deployment,
    exit_on_sigterm,
    machine,
    percentile,
    raise_file_limit,
    say,
    seeding,
    sign_in,
    watcher_headers,
    write_result,
)
from bench.crowd import Crowd, ThinCrowd, Viewer
from tests.scaleout_support import AppServer, Services, cpu_seconds

CLIENTS = 1000
WRITERS = 20
DURATION = 15.0  # seconds of posting
MAX_POSTS = 500  # per writer
SETTLE = 3.0  # seconds with no new signal after which the rest is lost
SETTLE_MAX = 90.0  # seconds at most for the last signals to arrive
PARAGRAPHS = 30
#: WGETI members who may comment (their delegations are members); each writer signs in anew.
AUTHORS = (
    "chair.wgeti",
    "delegate.germany",
    "focal.germany",
    "npc.nigeria",
    "delegate.philippines",
    "delegate.southafrica",
    "delegate.thailand",
)


def seed_paper(database_url: str) -> tuple[int, list[str]]:
    """A paper open for comments in WGETI; its id and its paragraphs' keys."""
    from consult.papers import services
    from consult.papers.models import PaperKind

    with seeding(database_url, "bench-comments") as (room, chair):
        paper = services.create_paper(
            room,
            chair,
            title="Draft work plan (benchmark)",
            kind=PaperKind.DRAFT_DECISION,
            issued_by="WGETI Chair",
            source="\n\n".join(
                f"Paragraph {n + 1}: the Working Group shall consider national practice."
                for n in range(PARAGRAPHS)
            ),
        )
        keys = [p.key for p in services.paragraphs_of(services.current_revision(paper))]
        paper_id = paper.id  # read before the commit expires it
    return paper_id, keys


@dataclass
class Posting:
    clients: int
    connect_failures: int
    dropped: int  # sockets the server closed during the run
    writers: int
    posts: int
    errors: int
    seconds: float
    posts_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_post: float
    signals_expected: int
    signals_lost: int
    refetches: int
    refetch_errors: int
    refetch_p50_ms: float
    refetch_p99_ms: float


# ---- the writers (in a process of their own) ------------------------------------------------


def _writer_form(base: str, session: requests.Session, paper_id: int, key: str) -> dict:
    """The comment form as the paragraph's thread shows it: CSRF token, "on behalf of"."""
    page = session.get(f"{base}/papers/{paper_id}/p/{key}", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    behalf = re.search(r'name="on_behalf_of"[^>]*>\s*<option[^>]*value="([^"]*)"', page.text)
    revision = re.search(r'name="revision"[^>]*value="(\d+)"', page.text)
    if page.status_code != 200 or not (token and behalf and revision):
        raise RuntimeError(f"no comment form for a writer ({page.status_code})")
    return {
        "csrf_token": token.group(1),
        "on_behalf_of": html.unescape(behalf.group(1)),
        "revision": revision.group(1),
    }


def write(base: str, consult: bool, paper_id: int, keys: list[str]) -> dict:
    """WRITERS threads posting for DURATION seconds; latencies (ms), errors, elapsed seconds."""
    sessions = []
    for n in range(WRITERS):
        if consult:
            session = sign_in(base, AUTHORS[n % len(AUTHORS)])
            form = _writer_form(base, session, paper_id, keys[0])
        else:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            form = {}
        sessions.append((session, form))
    latencies: list[list[float]] = [[] for _ in range(WRITERS)]
    errors = [0] * WRITERS
    first_error: list[str] = []
    go = threading.Barrier(WRITERS + 1)

    def writer(n: int) -> None:
        session, form = sessions[n]
        go.wait()
        deadline = time.perf_counter() + DURATION
        posted = 0
        while time.perf_counter() < deadline and posted < MAX_POSTS:
            key = keys[(n + posted * WRITERS) % len(keys)]
            body = f"Writer {n} proposes to align paragraph {key} with practice ({posted})."
            started = time.perf_counter()
            try:
                if consult:
                    response = session.post(
                        f"{base}/papers/{paper_id}/p/{key}/comments",
                        data={**form, "body": body, "quote": "", "proposed_text": ""},
                        headers={"HX-Request": "true"},
                        timeout=60,
                    )
                else:
                    response = session.post(
                        f"{base}/papers/{paper_id}/comments",
                        data={"key": key, "body": body},
                        timeout=60,
                    )
                ok = response.status_code == 200
            except requests.RequestException as error:
                ok, response = False, error
            posted += 1
            if ok:
                latencies[n].append((time.perf_counter() - started) * 1000)
            else:
                errors[n] += 1
                if not first_error:
                    first_error.append(str(getattr(response, "status_code", response)))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    go.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(DURATION + 120)
    return {
        "latencies": [v for values in latencies for v in values],
        "errors": sum(errors),
        "first_error": first_error[0] if first_error else None,
        "seconds": time.perf_counter() - started,
    }


# ---- the crowd ------------------------------------------------------------------------------


class Paper:
    """One paper watched by a crowd; the signals each page got, and the re-fetches."""

    def __init__(self, server: AppServer, paper_id: int, consult: bool, refetch: bool) -> None:
        self.server = server
        self.paper_id = paper_id
        self.consult = consult
        self.refetch = refetch
        self.signals = 0
        self.crowd: Crowd | None = None
        self.refetch_ms: list[float] = []
        self.refetch_errors = 0

    async def watch(self, viewer: Viewer, reconnected: bool) -> None:
        answer = await viewer.call("watch_paper", {"paper": self.paper_id})
        if not answer or not answer.get("ok"):
            raise TimeoutError(f"watch_paper refused: {answer}")

    def on_event(self, viewer: Viewer, event: str, payload) -> None:
        self.signals += 1
        if self.refetch and self.crowd is not None and isinstance(payload, dict):
            self.crowd.spawn(self._refetch(viewer, str(payload.get("key", ""))))

    async def _refetch(self, viewer: Viewer, key: str) -> None:
        """What papers.js does for a paragraph whose thread is open: the thread, again."""
        started = time.perf_counter()
        path = (
            f"/papers/{self.paper_id}/p/{key}"
            if self.consult
            else f"/meetings/{self.paper_id}/panel"  # the baseline's cheapest page
        )
        try:
            await viewer.get(path)
        except Exception:  # noqa: BLE001 - counted, not raised: the crowd goes on
            self.refetch_errors += 1
            return
        self.refetch_ms.append((time.perf_counter() - started) * 1000)


async def measure(paper: Paper, headers: list[dict[str, str]], clients: int, keys: list[str]):
    server = paper.server
    pid = server.worker_pid()
    assert pid is not None, "no gunicorn worker"
    if paper.refetch:
        crowd: Crowd | ThinCrowd = Crowd(
            server.base_url, headers, paper.watch, ("paper-changed",), paper.on_event
        )
        paper.crowd = crowd
        failures, _seconds = await crowd.grow(clients)
    else:
        crowd = ThinCrowd(server.base_url, headers, "paper-changed")
        failures, _seconds = await crowd.grow(clients, "watch_paper", {"paper": paper.paper_id})

    def signals() -> int:
        return paper.signals if isinstance(crowd, Crowd) else crowd.received

    try:
        await asyncio.sleep(1.0)
        before = cpu_seconds(pid)
        loop = asyncio.get_running_loop()
        spawn = multiprocessing.get_context("spawn")  # no copy of this loop and its sockets
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            outcome = await loop.run_in_executor(
                pool, write, server.base_url, paper.consult, paper.paper_id, keys
            )
        # The last signals (and re-fetches) are still on their way.
        posts = len(outcome["latencies"])
        open_pages = clients - failures
        settle_until = time.perf_counter() + SETTLE_MAX
        quiet_since, count = time.perf_counter(), signals()
        while time.perf_counter() < settle_until and signals() < posts * open_pages:
            await asyncio.sleep(0.1)
            if signals() != count:
                quiet_since, count = time.perf_counter(), signals()
            elif time.perf_counter() - quiet_since > SETTLE:
                break
        if isinstance(crowd, Crowd):
            while crowd.tasks and time.perf_counter() < settle_until:
                await asyncio.sleep(0.1)
        cpu_ms = (cpu_seconds(pid) - before) * 1000
        received = signals()
        dropped = crowd.dropped if isinstance(crowd, ThinCrowd) else 0
    finally:
        await crowd.close()
    latencies = outcome["latencies"]
    expected = posts * open_pages
    if outcome["first_error"]:
        say(f"first failed post answered: {outcome['first_error']}")
    return Posting(
        clients=open_pages,
        connect_failures=failures,
        dropped=dropped,
        writers=WRITERS,
        posts=posts,
        errors=outcome["errors"],
        seconds=round(outcome["seconds"], 2),
        posts_per_s=round(posts / outcome["seconds"], 1) if outcome["seconds"] else 0.0,
        p50_ms=round(percentile(latencies, 50), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        cpu_ms_per_post=round(cpu_ms / posts, 1) if posts else 0.0,
        signals_expected=expected,
        signals_lost=max(0, expected - received),
        refetches=len(paper.refetch_ms),
        refetch_errors=paper.refetch_errors,
        refetch_p50_ms=round(percentile(paper.refetch_ms, 50), 1),
        refetch_p99_ms=round(percentile(paper.refetch_ms, 99), 1),
    )


def report(name: str, run: Posting) -> None:
    say(
        f"{name}: {run.posts} posts by {run.writers} writers in {run.seconds} s = "
        f"{run.posts_per_s} posts/s, p50 {run.p50_ms} ms, p99 {run.p99_ms} ms, "
        f"{run.errors} errors, {run.cpu_ms_per_post} CPU ms per post, {run.clients} pages "
        f"open ({run.connect_failures} failed to connect, {run.dropped} dropped), signals lost "
        f"{run.signals_lost} of {run.signals_expected}"
        + (
            f", {run.refetches} re-fetches (p50 {run.refetch_p50_ms} ms, p99 "
            f"{run.refetch_p99_ms} ms, {run.refetch_errors} failed)"
            if run.refetches or run.refetch_errors
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=CLIENTS, help="pages watching the paper")
    parser.add_argument(
        "--refetch", action="store_true", help="every page has the thread open and re-fetches it"
    )
    arguments = parser.parse_args()
    exit_on_sigterm()
    raise_file_limit()
    info = machine()
    say(
        f"machine: {info['nproc']} cores, {info['memory_gib']} GiB, Python {info['python']}, "
        f"gunicorn worker {WORKER}, {arguments.clients} pages open, {WRITERS} writers, "
        f"{DURATION:.0f} s, load average {info['load_average_1m']} before the run"
    )
    runs: dict[str, Posting] = {}
    with Services("consult-bench-comments-") as started:
        server = consult_deployment(started)
        paper_id, keys = seed_paper(f"sqlite:///{Path(started.workdir) / 'consult.db'}")
        headers = watcher_headers(server.base_url)
        paper = Paper(server, paper_id, consult=True, refetch=arguments.refetch)
        runs["consult"] = asyncio.run(measure(paper, headers, arguments.clients, keys))
        server.stop()
        report("consult", runs["consult"])

        server = baseline_server(started, BENCH_BASELINE_DB=str(started.workdir / "baseline.db"))
        paper = Paper(server, paper_id, consult=False, refetch=arguments.refetch)
        headers = [{"User-Agent": USER_AGENT}]
        runs["baseline"] = asyncio.run(measure(paper, headers, arguments.clients, keys))
        server.stop()
        report("baseline", runs["baseline"])
    ours, bare = runs["consult"], runs["baseline"]
    ratio = round(ours.posts_per_s / bare.posts_per_s, 3) if bare.posts_per_s else None
    say(f"consult/baseline posts/s: {ratio}")
    path = write_result(
        "comments",
        {
            "worker": WORKER,
            "clients": arguments.clients,
            "writers": WRITERS,
            "duration_s": DURATION,
            "refetch": arguments.refetch,
            "results": {name: asdict(run) for name, run in runs.items()},
            "posts_per_s_ratio": ratio,
        },
    )
    say(f"written: {path}")
    suffix = "_refetch" if arguments.refetch else ""
    say(
        f"RESULT comments{suffix}_posts_per_s={ours.posts_per_s}"
        f" comments{suffix}_p99_ms={ours.p99_ms} comments{suffix}_ratio={ratio}"
        f" comments{suffix}_errors={ours.errors} comments{suffix}_signals_lost={ours.signals_lost}"
        f" comments{suffix}_cpu_ms={ours.cpu_ms_per_post}"
        f" baseline{suffix}_posts_per_s={bare.posts_per_s} baseline{suffix}_p99_ms={bare.p99_ms}"
        f" clients={ours.clients} writers={WRITERS}"
    )


if __name__ == "__main__":
    main()
