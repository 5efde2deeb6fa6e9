"""A crowd of remote delegates' live pages: Socket.IO clients that behave like static/js.

Each `Viewer` is one open page: it connects to `/live` over WebSocket with a signed-in session's
cookie, watches one meeting or paper (the `watch_*` event the page's script sends, with its
answer awaited), and, like the browser script after a reconnection, resyncs what it shows
over HTTP. Reconnection is socket.io-client's (first retry after 1 s +/- 50 %, doubling to
5 s, each attempt waiting up to 20 s for the server), so a dropped crowd comes back as browsers
would. python-socketio's own loop is not used: it gives each attempt 1 s, so a server busy with
a thousand handshakes sees them abandoned and retried, which no browser does.

Everything runs in one asyncio loop in this one process: its own work is in every latency
figure, equally for consult and for the bare baseline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable

import aiohttp
import socketio

NAMESPACE = "/live"
CONNECT_PARALLEL = 50  # connections being opened at once
CONNECT_TIMEOUT = 180.0  # seconds for one step of connections
VERSION = re.compile(r'data-version="(\d+)"')
# A thousand sockets dropped at once would print a thousand "packet queue is empty" lines.
logging.getLogger("engineio.client").setLevel(logging.CRITICAL)

#: What a viewer does once connected: watch, and resync when it reconnected (or lagged).
Watch = Callable[["Viewer", bool], Awaitable[None]]


class Viewer:
    """One open live page."""

    def __init__(self, crowd: Crowd, index: int, headers: dict[str, str]) -> None:
        self.crowd = crowd
        self.index = index
        self.headers = headers
        self.client = socketio.AsyncClient(reconnection=False)
        self.closing = False
        self.connects = 0
        self.watching = asyncio.Event()
        self.version = 0  # the newest version this page shows
        self.resynced_at: float | None = None
        self.reconnected_at: float | None = None
        self.client.on("connect", self._on_connect, namespace=NAMESPACE)
        self.client.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        for event in crowd.events:
            self.client.on(event, self._on_event(event), namespace=NAMESPACE)

    async def _on_connect(self) -> None:
        # The handler runs inside the client's read loop: an awaited call() here would wait
        # for an answer that loop can no longer read. Watch from a task of its own.
        self.connects += 1
        reconnected = self.connects > 1
        if reconnected:
            self.reconnected_at = time.perf_counter()
        self.crowd.spawn(self._watch(reconnected))

    async def _on_disconnect(self, reason=None) -> None:
        if self.crowd.reconnect and not self.closing:
            self.crowd.spawn(self._reconnect())

    async def _reconnect(self) -> None:
        """socket.io-client's back-off: 1 s, 2 s, 4 s, then 5 s, each +/- 50 %."""
        attempt = 0
        while not self.closing:
            delay = min(1.0 * 2**attempt, 5.0)
            await asyncio.sleep(delay * (1 + 0.5 * (2 * random.random() - 1)))
            attempt += 1
            with contextlib.suppress(Exception):
                await self.client.disconnect()  # whatever is left of the last attempt
            if await self._connect():
                return

    async def _watch(self, reconnected: bool) -> None:
        try:
            await self.crowd.watch(self, reconnected)
        except (TimeoutError, socketio.exceptions.SocketIOError, aiohttp.ClientError) as error:
            self.crowd.errors.append(f"{type(error).__name__}: {error}")
            return
        self.watching.set()

    def _on_event(self, event: str):
        async def handler(payload=None) -> None:
            self.crowd.on_event(self, event, payload)

        return handler

    async def call(self, event: str, data: dict) -> dict:
        return await self.client.call(event, data, namespace=NAMESPACE, timeout=30)

    async def get(self, path: str) -> str:
        """GET a page of the app with this viewer's session, as htmx would."""
        headers = {**self.headers, "HX-Request": "true"}
        async with self.crowd.http.get(self.crowd.url + path, headers=headers) as response:
            text = await response.text()
            if response.status != 200:
                raise aiohttp.ClientResponseError(
                    response.request_info, (), status=response.status, message=path
                )
            return text

    async def connect(self) -> bool:
        if await self._connect():
            await asyncio.wait_for(self.watching.wait(), 30)
            return True
        await self.close()
        return False

    async def _connect(self) -> bool:
        self.watching.clear()
        try:
            await self.client.connect(
                self.crowd.url,
                namespaces=[NAMESPACE],
                transports=["websocket"],
                # A function: the client deletes the Cookie header from a dict it is given,
                # and calls this again for every reconnection.
                headers=lambda: dict(self.headers),
                wait_timeout=20,
            )
        except (TimeoutError, socketio.exceptions.ConnectionError, OSError):
            return False
        return True

    async def close(self) -> None:
        self.closing = True
        with contextlib.suppress(TimeoutError, OSError):
            await asyncio.wait_for(self.client.disconnect(), 5)
        http = getattr(self.client.eio, "http", None)  # its own aiohttp session, left open
        if http is not None and not http.closed:
            await http.close()


class Crowd:
    """Viewers of one live channel, grown in steps; what they receive, when."""

    def __init__(
        self,
        url: str,
        headers: list[dict[str, str]],
        watch: Watch,
        events: tuple[str, ...],
        on_event: Callable[[Viewer, str, object], None],
        reconnect: bool = False,
    ) -> None:
        self.url = url
        self.headers = headers
        self.watch = watch
        self.events = events
        self.on_event = on_event
        self.reconnect = reconnect
        self.viewers: list[Viewer] = []
        self.created: list[Viewer] = []
        self.errors: list[str] = []
        self.tasks: set[asyncio.Task] = set()
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(),  # each viewer sends its own Cookie header
            connector=aiohttp.TCPConnector(limit=200),
            timeout=aiohttp.ClientTimeout(total=60),
        )

    def spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def grow(self, total: int) -> tuple[int, float]:
        """Open pages until `total` are connected and watching; count those that failed."""
        started = time.perf_counter()
        limit = asyncio.Semaphore(CONNECT_PARALLEL)

        async def one(index: int) -> Viewer | None:
            viewer = Viewer(self, index, self.headers[index % len(self.headers)])
            self.created.append(viewer)
            async with limit:
                return viewer if await viewer.connect() else None

        tasks = [asyncio.create_task(one(i)) for i in range(len(self.viewers), total)]
        done, pending = await asyncio.wait(tasks, timeout=CONNECT_TIMEOUT) if tasks else ((), ())
        for task in pending:
            task.cancel()
        failures = 0
        for task in tasks:
            ok = task in done and not task.cancelled() and task.exception() is None
            viewer = task.result() if ok else None
            if viewer is None:
                failures += 1
            else:
                self.viewers.append(viewer)
        return failures, time.perf_counter() - started

    async def close(self) -> None:
        await asyncio.gather(*(v.close() for v in self.created))
        for task in list(self.tasks):
            task.cancel()
        self.created.clear()
        self.viewers.clear()
        await self.http.close()


class ThinCrowd:
    """Many open pages that only count what they are sent, for loads one client process must
    absorb by the ten thousand a second.

    python-socketio decodes every packet; a thousand sockets fed forty signals a second each
    swamp this process, answer the server's pings late and are dropped, so the figure would be
    the client's. These speak just enough Engine.IO 4 / Socket.IO 5 over a WebSocket: the
    handshake, `/live` namespace, one watch event with its answer awaited, pong for every ping,
    and a count of the events that arrive, unparsed.
    """

    def __init__(self, url: str, headers: list[dict[str, str]], event: str) -> None:
        self.url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.headers = headers
        self.prefix = f'42{NAMESPACE},["{event}"'
        self.counts: list[int] = []
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.readers: list[asyncio.Task] = []
        self.dropped = 0
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(),
            connector=aiohttp.TCPConnector(limit=0),  # every WebSocket holds a connection
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
        )

    @property
    def received(self) -> int:
        return sum(self.counts)

    async def _open(self, index: int, watch: str, data: dict) -> bool:
        ws = await self.http.ws_connect(
            self.url, headers=dict(self.headers[index % len(self.headers)]), heartbeat=None
        )
        try:
            opened = await asyncio.wait_for(ws.receive_str(), 20)
            if not opened.startswith("0"):
                raise ConnectionError(f"no Engine.IO open packet: {opened[:80]}")
            await ws.send_str(f"40{NAMESPACE},")
            joined = await asyncio.wait_for(ws.receive_str(), 20)
            if not joined.startswith(f"40{NAMESPACE},"):
                raise ConnectionError(f"namespace refused: {joined[:80]}")
            await ws.send_str(f"42{NAMESPACE},1{json.dumps([watch, data])}")
            while True:
                packet = await asyncio.wait_for(ws.receive_str(), 20)
                if packet == "2":
                    await ws.send_str("3")
                elif packet.startswith(f"43{NAMESPACE},1"):
                    answer = json.loads(packet[len(f"43{NAMESPACE},1") :])
                    if not answer or not answer[0].get("ok"):
                        raise ConnectionError(f"{watch} refused: {answer}")
                    break
        except BaseException:
            await ws.close()
            raise
        slot = len(self.counts)
        self.counts.append(0)
        self.sockets.append(ws)
        self.readers.append(asyncio.create_task(self._read(ws, slot)))
        return True

    async def _read(self, ws: aiohttp.ClientWebSocketResponse, slot: int) -> None:
        prefix = self.prefix
        async for message in ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            packet = message.data
            if packet == "2":
                await ws.send_str("3")
            elif packet.startswith(prefix):
                self.counts[slot] += 1
        self.dropped += 1

    async def grow(self, total: int, watch: str, data: dict) -> tuple[int, float]:
        """Open sockets until `total` watch; count those that failed."""
        started = time.perf_counter()
        limit = asyncio.Semaphore(CONNECT_PARALLEL)

        async def one(index: int) -> bool:
            async with limit:
                try:
                    return await self._open(index, watch, data)
                except (TimeoutError, ConnectionError, aiohttp.ClientError, OSError):
                    return False

        results = await asyncio.gather(*(one(i) for i in range(len(self.sockets), total)))
        return results.count(False), time.perf_counter() - started

    async def close(self) -> None:
        for ws in self.sockets:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 5)
        for task in self.readers:
            task.cancel()
        await self.http.close()
