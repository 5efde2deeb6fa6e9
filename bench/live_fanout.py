"""Live fan-out: one broadcast on /live to 100, 500 and 1000 connected clients.

Meetings (where one change reaches a whole room at once) have not landed, so this measures the
channel that exists: N python-socketio clients connected over WebSocket to consult's /live
namespace, signed in (a few demo accounts' session cookies, shared round robin, as a person
with many tabs), and one "rooms-changed" broadcast to the whole namespace. Nothing is added to
the app for it: the broadcast is emitted from this process through the Redis message queue,
the documented way to emit from outside the app, and consult's own Socket.IO server fans it
out. The baseline is bench/baseline.py (a bare Flask-SocketIO /live namespace) served by the
same gunicorn.conf.py and worker, fed through the same queue, in the same run.

Per N: delivery latency p50/p99 (from the publish to each client's handler, so this one
client process's own work is in the figure, equally for both servers), messages lost, and
the server worker's resident memory per connected client. Clients connect in steps (100,
then 400 more, then 500 more), each step bounded in time. Needs redis-server
(`make bench` installs it).

Run from the repository root: `python -m bench.live_fanout` (or `make bench`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import asdict, dataclass, field

import socketio

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
from tests.scaleout_support import AppServer, Services, cpu_seconds, missing_binaries, rss_kb

SIZES = (100, 500, 1000)
ROUNDS = 10  # broadcasts per size, after one that is not counted
CONNECT_PARALLEL = 50  # connections being opened at once
CONNECT_TIMEOUT = 120.0  # seconds for one step of connections
DELIVERY_TIMEOUT = 10.0  # seconds for one broadcast to reach everyone
PAUSE = 0.3  # seconds between broadcasts
EVENT = "rooms-changed"
NAMESPACE = "/live"
#: Demo accounts whose sessions the clients share.
PEOPLE = (
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
    rss_kb: int
    kb_per_client: float
    #: Server CPU per broadcast (all its deliveries): hardly moved by other work on the machine.
    cpu_ms_per_broadcast: float
    latencies_ms: list[float] = field(default_factory=list, repr=False)


class Fanout:
    """Connected clients and the broadcasts they receive."""

    def __init__(self, url: str, headers: list[dict[str, str]]) -> None:
        self.url = url
        self.headers = headers
        self.clients: list[socketio.AsyncClient] = []
        #: Every client ever made, connected or not, so that close() leaves none behind.
        self.created: list[socketio.AsyncClient] = []
        self.sent_at = 0.0
        self.round = 0
        self.received: dict[int, set[int]] = {}
        self.latencies: list[float] = []
        self.everyone = asyncio.Event()

    def _on_event(self, index: int):
        async def handler(*_args) -> None:
            seen = self.received.setdefault(self.round, set())
            if index not in seen:
                seen.add(index)
                self.latencies.append((time.perf_counter() - self.sent_at) * 1000)
                if len(seen) >= len(self.clients):
                    self.everyone.set()

        return handler

    async def grow(self, total: int) -> tuple[int, float]:
        """Connect clients until `total` are connected; count those that failed."""
        started = time.perf_counter()
        limit = asyncio.Semaphore(CONNECT_PARALLEL)
        failures = 0

        async def one(index: int) -> socketio.AsyncClient | None:
            client = socketio.AsyncClient(reconnection=False)
            self.created.append(client)
            client.on(EVENT, self._on_event(index), namespace=NAMESPACE)
            async with limit:
                try:
                    await client.connect(
                        self.url,
                        namespaces=[NAMESPACE],
                        transports=["websocket"],
                        # A copy: the client deletes the Cookie header from what it is given.
                        headers=dict(self.headers[index % len(self.headers)]),
                        wait_timeout=10,
                    )
                except (TimeoutError, socketio.exceptions.ConnectionError, OSError):
                    await client.disconnect()
                    return None
            return client

        start = len(self.clients)
        tasks = [asyncio.create_task(one(i)) for i in range(start, total)]
        done, pending = await asyncio.wait(tasks, timeout=CONNECT_TIMEOUT)
        for task in pending:
            task.cancel()
        for task in tasks:
            ok = task in done and not task.cancelled() and task.exception() is None
            client = task.result() if ok else None
            if client is None:
                failures += 1
            else:
                self.clients.append(client)
        return failures, time.perf_counter() - started

    async def broadcast(self, emitter: socketio.RedisManager) -> tuple[list[float], int]:
        """ROUNDS broadcasts to the namespace; latencies and messages that never arrived."""
        self.latencies = []
        lost = 0
        for counted in [False] + [True] * ROUNDS:
            self.round += 1
            self.everyone = asyncio.Event()
            self.sent_at = time.perf_counter()
            emitter.emit(EVENT, {}, namespace=NAMESPACE)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.everyone.wait(), DELIVERY_TIMEOUT)
            await asyncio.sleep(PAUSE)
            if not counted:  # the first broadcast after new connections warms up
                self.latencies = []
                continue
            lost += len(self.clients) - len(self.received.get(self.round, ()))
        return self.latencies, lost

    async def close(self) -> None:
        async def bye(client: socketio.AsyncClient) -> None:
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(client.disconnect(), 5)
            http = getattr(client.eio, "http", None)  # its own aiohttp session, left open
            if http is not None and not http.closed:
                await http.close()

        await asyncio.gather(*(bye(c) for c in self.created))
        self.created.clear()
        self.clients.clear()


async def measure(server: AppServer, headers: list[dict[str, str]], channel: str, queue: str):
    """Grow to each size, broadcast, record; the server's worker is the process measured."""
    emitter = socketio.RedisManager(queue, channel=channel, write_only=True)
    fanout = Fanout(server.base_url, headers)
    pid = server.worker_pid()
    assert pid is not None, "no gunicorn worker"
    # One client first, so that what every connection loads once is not counted per client.
    await fanout.grow(1)
    await fanout.close()
    await asyncio.sleep(0.5)
    idle = rss_kb(pid)
    steps = []
    try:
        for size in SIZES:
            failures, seconds = await fanout.grow(size)
            await asyncio.sleep(0.5)
            rss = rss_kb(pid)
            before = cpu_seconds(pid)
            latencies, lost = await fanout.broadcast(emitter)
            cpu_ms = (cpu_seconds(pid) - before) * 1000 / (ROUNDS + 1)
            connected = len(fanout.clients)
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
                    rss_kb=rss,
                    kb_per_client=round((rss - idle) / connected, 1) if connected else 0.0,
                    cpu_ms_per_broadcast=round(cpu_ms, 1),
                )
            )
    finally:
        await fanout.close()
    return idle, steps


def main() -> None:
    exit_on_sigterm()
    raise_file_limit()
    info = machine()
    say(
        f"machine: {info['nproc']} cores, {info['memory_gib']} GiB, Python {info['python']}, "
        f"gunicorn worker {WORKER}, {ROUNDS} broadcasts per size, "
        f"load average {info['load_average_1m']} before the run"
    )
    missing = [m for m in missing_binaries() if m.startswith("Redis")]
    if missing:
        raise SystemExit(f"live_fanout needs {missing[0]}; `make bench` installs it")
    results: dict[str, dict] = {}
    with Services("consult-bench-fanout-") as started:
        queue = started.redis().url
        for name in ("baseline", "consult"):
            if name == "baseline":
                server = baseline_server(started, queue)
                headers = [{"User-Agent": USER_AGENT}]
                channel = "bench-baseline"
            else:
                server = consult_deployment(started, queue)
                headers = [
                    {"User-Agent": USER_AGENT, "Cookie": cookie_header(sign_in(server.base_url, p))}
                    for p in PEOPLE
                ]
                channel = "flask-socketio"
            idle, steps = asyncio.run(measure(server, headers, channel, queue))
            server.stop()
            results[name] = {"idle_rss_kb": idle, "steps": [asdict(s) for s in steps]}
            for s in steps:
                connected = "" if s.clients == s.target else f" (only {s.clients} connected)"
                say(
                    f"{name} N={s.target}{connected}: p50 {s.p50_ms} ms, p99 {s.p99_ms} ms, "
                    f"lost {s.lost} of {s.clients * ROUNDS}, {s.kb_per_client} KiB per client "
                    f"(worker RSS {s.rss_kb // 1024} MiB), {s.cpu_ms_per_broadcast} CPU ms per "
                    f"broadcast, {s.connect_failures} failed connects"
                )
    for name in results:
        for step in results[name]["steps"]:
            step.pop("latencies_ms", None)
    app_last = results["consult"]["steps"][-1]
    base_last = results["baseline"]["steps"][-1]
    ratio = round(app_last["p99_ms"] / base_last["p99_ms"], 2) if base_last["p99_ms"] else None
    say(f"consult/baseline p99 at N={app_last['target']}: {ratio}")
    if app_last["clients"] < app_last["target"]:
        say(f"consult: only {app_last['clients']} of {app_last['target']} clients connected")
    path = write_result(
        "live_fanout",
        {"worker": WORKER, "rounds": ROUNDS, "sizes": list(SIZES), "results": results},
    )
    say(f"written: {path}")
    lost = sum(s["lost"] for s in results["consult"]["steps"])
    say(
        f"RESULT fanout_p99_ms_1000={app_last['p99_ms']} kb_per_client={app_last['kb_per_client']}"
        f" fanout_ratio_1000={ratio} fanout_lost={lost}"
        f" baseline_p99_ms_1000={base_last['p99_ms']}"
        f" baseline_kb_per_client={base_last['kb_per_client']}"
        f" fanout_cpu_ms_1000={app_last['cpu_ms_per_broadcast']}"
        f" baseline_cpu_ms_1000={base_last['cpu_ms_per_broadcast']}"
    )


if __name__ == "__main__":
    main()
