"""Live fan-out: N remote delegates watch one meeting while the chair moves through the agenda;
then the whole crowd is dropped at once and comes back.

consult (SQLite, the demo data and a benchmark meeting in WGETI with a long adopted agenda) and
the bare Flask-SocketIO app of bench/baseline.py are served the same way (gunicorn.conf.py, one
worker of CONSULT_WORKER_CLASS, default gevent), one after the other, in the same run.

Fan-out, for N = 100, 500 and 1000 (`--clients N` for one size): N pages of bench/crowd.py,
signed in (ten demo accounts' sessions shared round robin, as people with several devices),
each watching the meeting as the delegate's live view does. The chair, signed in, presses
"next item" on the console (a real POST with CSRF); consult commits, renders the panel once and
broadcasts it to the meeting's channel. The baseline is sent that same panel (captured from
consult's broadcast) and broadcasts it to the same N sockets. Per N: delivery latency p50/p99
(from the chair's POST to each page's handler), messages lost, the chair's own answer time,
server CPU per advance (from /proc, hardly moved by other work on the machine), and the worker's
resident memory per connected client.

Reconnect storm, at the largest N: the server's worker is killed (SIGKILL: every socket drops at
once, as in a crash; gunicorn starts a new worker), and each page reconnects with
socket.io-client's back-off, watches again and re-fetches the panel over HTTP, as the browser
script does after a reconnection. Figures: time until the worker answers again, until every
page is reconnected, and until every page has re-synced (with, for consult, the version it
shows against the meeting's); then one more advance, to count what reaches the crowd after.

Run from the repository root: `python -m bench.live_fanout [--clients N]` (or `make bench`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests

from bench.common import (
    CHAIR,
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
from bench.crowd import VERSION, Crowd, Viewer
from tests.scaleout_support import AppServer, Services, cpu_seconds, rss_kb

SIZES = (100, 500, 1000)
ROUNDS = 10  # advances per size, after one that is not counted
DELIVERY_TIMEOUT = 15.0  # seconds for one advance to reach everyone
PAUSE = 0.3  # seconds between advances
STORM_TIMEOUT = 180.0  # seconds for the whole crowd to come back


def agenda_length(sizes: tuple[int, ...]) -> int:
    """Enough items for every advance of the run, and a few to spare."""
    return len(sizes) * (ROUNDS + 1) + 10


def seed_meeting(database_url: str, items: int) -> int:
    """A hybrid WGETI session with a long adopted agenda, its first item current."""
    from datetime import timedelta

    from consult.meetings import services
    from consult.meetings.interpretation import ChannelEntry
    from consult.meetings.models import ItemState, MeetingKind, MeetingMode
    from consult.timeutil import utcnow

    with seeding(database_url, "bench-fanout") as (room, chair):
        now = utcnow()
        meeting = services.create_meeting(
            room,
            chair,
            title="WGETI session (benchmark)",
            kind=MeetingKind.WORKING_GROUP_SESSION,
            mode=MeetingMode.HYBRID,
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=8),
            time_zone="Europe/Zurich",
            venue="CICG, Room 2, Geneva",
            video_link="https://video.example.org/wgeti-bench",
            channels=[ChannelEntry("en", "1"), ChannelEntry("fr", "2"), ChannelEntry("es", "3")],
        )
        agenda = [
            services.add_item(
                meeting,
                chair,
                number=n + 1,
                letter="",
                title=f"Agenda item {n + 1}",
                planned_minutes=10,
                presenters="Facilitator",
            )
            for n in range(items)
        ]
        services.adopt_agenda(meeting, chair)
        services.set_item_state(agenda[0], chair, ItemState.CURRENT)
        meeting_id = meeting.id  # read before the commit expires it
    return meeting_id


@dataclass
class Step:
    target: int
    clients: int
    connect_failures: int
    connect_seconds: float
    p50_ms: float
    p99_ms: float
    lost: int
    delivered: int
    chair_p50_ms: float
    rss_kb: int
    kb_per_client: float
    #: Server CPU per advance (the chair's request and every delivery of its broadcast).
    cpu_ms_per_advance: float


@dataclass
class Storm:
    clients: int
    worker_back_s: float | None
    reconnected: int
    all_reconnected_s: float | None
    resynced: int
    all_resynced_s: float | None
    resync_p50_s: float
    resync_p99_s: float
    #: consult only: pages whose panel, after the resync, is not the meeting's newest.
    stale: int | None
    after_delivered: int
    after_lost: int
    errors: list[str] = field(default_factory=list)


class Meeting:
    """One meeting watched by a crowd; advances and their arrival at every page."""

    def __init__(self, server: AppServer, meeting_id: int, consult: bool) -> None:
        self.server = server
        self.meeting_id = meeting_id
        self.consult = consult
        self.round = 0
        self.sent_at = 0.0
        self.arrivals: dict[int, dict[int, float]] = {}
        self.everyone = asyncio.Event()
        self.crowd: Crowd | None = None
        self.sample: dict | None = None  # the first panel consult broadcast
        self.version = 0  # the newest version seen anywhere
        self.chair: requests.Session | None = None
        self.chair_token = ""
        self.panel_html = ""

    # -- what each page does ---------------------------------------------------------------

    async def watch(self, viewer: Viewer, reconnected: bool) -> None:
        """As static/js/meetings.js: watch, sync the clock, resync when behind or reconnected."""
        answer = await viewer.call(
            "watch_meeting", {"meeting": self.meeting_id, "view": "delegate", "presence": "remote"}
        )
        if not answer or not answer.get("ok"):
            raise TimeoutError(f"watch_meeting refused: {answer}")
        for _ in range(3):
            await viewer.call("clock", {})
        if reconnected or int(answer.get("version", 0)) != viewer.version:
            html = await viewer.get(f"/meetings/{self.meeting_id}/panel")
            found = VERSION.search(html)
            if found:
                viewer.version = max(viewer.version, int(found.group(1)))
        viewer.resynced_at = time.perf_counter()

    def on_event(self, viewer: Viewer, event: str, payload) -> None:
        now = time.perf_counter()
        if isinstance(payload, dict):
            version = int(payload.get("version", 0))
            viewer.version = max(viewer.version, version)
            self.version = max(self.version, version)
            if self.sample is None and self.consult:
                self.sample = payload
        seen = self.arrivals.setdefault(self.round, {})
        if viewer.index not in seen:
            seen[viewer.index] = (now - self.sent_at) * 1000
            if self.crowd is not None and len(seen) >= len(self.crowd.viewers):
                self.everyone.set()

    # -- what the chair does ---------------------------------------------------------------

    def sign_in_chair(self) -> None:
        base = self.server.base_url
        if self.consult:
            self.chair = sign_in(base, CHAIR)
            page = self.chair.get(f"{base}/meetings/{self.meeting_id}/console", timeout=30)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
            if page.status_code != 200 or token is None:
                raise RuntimeError(f"the chair's console answered {page.status_code}")
            self.chair_token = token.group(1)
        else:
            self.chair = requests.Session()
            self.chair.headers["User-Agent"] = USER_AGENT

    def _advance(self) -> float:
        """The chair presses "next item"; the time the chair waited for the answer, in ms."""
        assert self.chair is not None
        base = self.server.base_url
        started = time.perf_counter()
        if self.consult:
            response = self.chair.post(
                f"{base}/meetings/{self.meeting_id}/chair/next-item",
                # The confirmed press: the console asks first if anyone would be lost.
                data={"confirm": "1"},
                headers={"HX-Request": "true", "X-CSRFToken": self.chair_token},
                timeout=60,
            )
        else:
            response = self.chair.post(
                f"{base}/meetings/{self.meeting_id}/advance",
                json={"html": self.panel_html},
                timeout=60,
            )
        if response.status_code != 200:
            raise RuntimeError(f"advance answered {response.status_code}: {response.text[:300]}")
        return (time.perf_counter() - started) * 1000

    async def advance(self, counted: bool, latencies: list[float], chair: list[float]) -> int:
        """One advance; returns how many pages it did not reach in time."""
        assert self.crowd is not None
        self.round += 1
        self.everyone = asyncio.Event()
        self.sent_at = time.perf_counter()
        waited = await asyncio.to_thread(self._advance)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.everyone.wait(), DELIVERY_TIMEOUT)
        await asyncio.sleep(PAUSE)
        seen = self.arrivals.get(self.round, {})
        if counted:
            latencies.extend(seen.values())
            chair.append(waited)
        return len(self.crowd.viewers) - len(seen)


async def measure(meeting: Meeting, headers: list[dict[str, str]], sizes: tuple[int, ...]):
    """Grow to each size and advance; then the storm at the last size."""
    server = meeting.server
    crowd = Crowd(
        server.base_url,
        headers,
        meeting.watch,
        ("meeting-panel",),
        meeting.on_event,
        reconnect=True,
    )
    meeting.crowd = crowd
    pid = server.worker_pid()
    assert pid is not None, "no gunicorn worker"
    # One page first, so that what every connection loads once is not counted per client.
    await crowd.grow(1)
    for viewer in list(crowd.viewers):
        await viewer.close()
    crowd.viewers.clear()
    await asyncio.sleep(0.5)
    idle = rss_kb(pid)
    steps: list[Step] = []
    storm: Storm | None = None
    try:
        for size in sizes:
            failures, seconds = await crowd.grow(size)
            await asyncio.sleep(1.0)
            rss = rss_kb(pid)
            before = cpu_seconds(pid)
            latencies: list[float] = []
            chair: list[float] = []
            lost = 0
            for counted in [False] + [True] * ROUNDS:  # the first one warms up
                missed = await meeting.advance(counted, latencies, chair)
                lost += missed if counted else 0
            cpu_ms = (cpu_seconds(pid) - before) * 1000 / (ROUNDS + 1)
            connected = len(crowd.viewers)
            steps.append(
                Step(
                    target=size,
                    clients=connected,
                    connect_failures=failures,
                    connect_seconds=round(seconds, 2),
                    p50_ms=round(percentile(latencies, 50), 2),
                    p99_ms=round(percentile(latencies, 99), 2),
                    lost=lost,
                    delivered=len(latencies),
                    chair_p50_ms=round(percentile(chair, 50), 1),
                    rss_kb=rss,
                    kb_per_client=round((rss - idle) / connected, 1) if connected else 0.0,
                    cpu_ms_per_advance=round(cpu_ms, 1),
                )
            )
        storm = await reconnect_storm(meeting, pid)
    finally:
        await crowd.close()
    return idle, steps, storm


async def reconnect_storm(meeting: Meeting, pid: int) -> Storm:
    """Kill the worker under the whole crowd; wait until every page is back and re-synced."""
    crowd = meeting.crowd
    assert crowd is not None
    viewers = list(crowd.viewers)
    for viewer in viewers:
        viewer.reconnected_at = None
        viewer.resynced_at = None
    expected = meeting.version
    started = time.perf_counter()
    os.kill(pid, signal.SIGKILL)
    back_at: float | None = None

    async def health() -> None:
        nonlocal back_at
        while time.perf_counter() - started < STORM_TIMEOUT:
            with contextlib.suppress(Exception):
                async with crowd.http.get(meeting.server.base_url + "/health") as response:
                    if response.status == 200 and meeting.server.worker_pid() != pid:
                        back_at = time.perf_counter()
                        return
            await asyncio.sleep(0.05)

    def done(viewer: Viewer) -> bool:
        return viewer.reconnected_at is not None and viewer.resynced_at is not None

    waiter = asyncio.create_task(health())
    while time.perf_counter() - started < STORM_TIMEOUT and not all(map(done, viewers)):
        await asyncio.sleep(0.1)
    waiter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiter
    back = [v for v in viewers if done(v)]
    reconnected = [v.reconnected_at - started for v in viewers if v.reconnected_at is not None]
    resynced = [v.resynced_at - started for v in back]
    stale = sum(1 for v in back if v.version != expected) if meeting.consult else None
    # One more advance: the crowd that came back gets it.
    crowd.viewers = back
    missed = await meeting.advance(False, [], [])
    return Storm(
        clients=len(viewers),
        worker_back_s=round(back_at - started, 2) if back_at else None,
        reconnected=len(reconnected),
        all_reconnected_s=round(max(reconnected), 2) if len(reconnected) == len(viewers) else None,
        resynced=len(back),
        all_resynced_s=round(max(resynced), 2) if len(back) == len(viewers) else None,
        resync_p50_s=round(percentile(resynced, 50), 2),
        resync_p99_s=round(percentile(resynced, 99), 2),
        stale=stale,
        after_delivered=len(back) - missed,
        after_lost=missed + len(viewers) - len(back),
        errors=sorted(set(crowd.errors))[:10],
    )


def parse_sizes() -> tuple[int, ...]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, help="run one size only")
    arguments = parser.parse_args()
    return (arguments.clients,) if arguments.clients else SIZES


def report(name: str, steps: list[Step], storm: Storm | None) -> None:
    for s in steps:
        connected = "" if s.clients == s.target else f" (only {s.clients} connected)"
        say(
            f"{name} N={s.target}{connected}: p50 {s.p50_ms} ms, p99 {s.p99_ms} ms, "
            f"lost {s.lost} of {s.clients * ROUNDS}, chair's answer p50 {s.chair_p50_ms} ms, "
            f"{s.kb_per_client} KiB per client (worker RSS {s.rss_kb // 1024} MiB), "
            f"{s.cpu_ms_per_advance} CPU ms per advance, {s.connect_failures} failed connects "
            f"({s.connect_seconds} s to connect)"
        )
    if storm is not None:
        say(
            f"{name} reconnect storm, {storm.clients} dropped at once: worker back after "
            f"{storm.worker_back_s} s, {storm.reconnected} reconnected (all after "
            f"{storm.all_reconnected_s} s), {storm.resynced} re-synced (all after "
            f"{storm.all_resynced_s} s; p50 {storm.resync_p50_s} s, p99 {storm.resync_p99_s} s)"
            + ("" if storm.stale is None else f", {storm.stale} stale")
            + f"; next advance reached {storm.after_delivered}, missed {storm.after_lost}"
        )
        for error in storm.errors:
            say(f"{name} storm error: {error}")


def main() -> None:
    sizes = parse_sizes()
    exit_on_sigterm()
    raise_file_limit()
    info = machine()
    say(
        f"machine: {info['nproc']} cores, {info['memory_gib']} GiB, Python {info['python']}, "
        f"gunicorn worker {WORKER}, {ROUNDS} advances per size, "
        f"load average {info['load_average_1m']} before the run"
    )
    results: dict[str, dict] = {}
    sample: dict | None = None
    with Services("consult-bench-fanout-") as started:
        # consult first: the baseline then broadcasts the very panel consult rendered.
        server = consult_deployment(started)
        meeting_id = seed_meeting(
            f"sqlite:///{Path(started.workdir) / 'consult.db'}", agenda_length(sizes)
        )
        meeting = Meeting(server, meeting_id, consult=True)
        meeting.sign_in_chair()
        headers = watcher_headers(server.base_url)
        idle, steps, storm = asyncio.run(measure(meeting, headers, sizes))
        server.stop()
        sample = meeting.sample
        if sample is None:
            raise RuntimeError("consult broadcast no meeting panel")
        results["consult"] = {
            "idle_rss_kb": idle,
            "payload_bytes": len(sample["html"].encode()),
            "steps": [asdict(s) for s in steps],
            "storm": asdict(storm) if storm else None,
        }
        report("consult", steps, storm)

        server = baseline_server(started)
        meeting = Meeting(server, meeting_id, consult=False)
        meeting.sign_in_chair()
        meeting.panel_html = sample["html"]
        idle, steps, storm = asyncio.run(measure(meeting, [{"User-Agent": USER_AGENT}], sizes))
        server.stop()
        results["baseline"] = {
            "idle_rss_kb": idle,
            "steps": [asdict(s) for s in steps],
            "storm": asdict(storm) if storm else None,
        }
        report("baseline", steps, storm)
    ours, bare = results["consult"]["steps"][-1], results["baseline"]["steps"][-1]
    n = ours["target"]
    ratio = round(ours["p99_ms"] / bare["p99_ms"], 2) if bare["p99_ms"] else None
    say(f"panel payload: {results['consult']['payload_bytes']} bytes")
    say(f"consult/baseline p99 at N={n}: {ratio}")
    path = write_result(
        "live_fanout",
        {"worker": WORKER, "rounds": ROUNDS, "sizes": list(sizes), "results": results},
    )
    say(f"written: {path}")
    lost = sum(s["lost"] for s in results["consult"]["steps"])
    ours_storm = results["consult"]["storm"] or {}
    bare_storm = results["baseline"]["storm"] or {}
    say(
        f"RESULT fanout_p99_ratio_{n}={ratio} fanout_p99_ms_{n}={ours['p99_ms']}"
        f" kb_per_client={ours['kb_per_client']} fanout_p50_ms_{n}={ours['p50_ms']}"
        f" fanout_lost={lost} baseline_p99_ms_{n}={bare['p99_ms']}"
        f" baseline_kb_per_client={bare['kb_per_client']}"
        f" fanout_cpu_ms_{n}={ours['cpu_ms_per_advance']}"
        f" baseline_cpu_ms_{n}={bare['cpu_ms_per_advance']}"
        f" storm_resynced_s_{n}={ours_storm.get('all_resynced_s')}"
        f" baseline_storm_resynced_s_{n}={bare_storm.get('all_resynced_s')}"
        f" storm_stale={ours_storm.get('stale')} storm_after_lost={ours_storm.get('after_lost')}"
    )


if __name__ == "__main__":
    main()
