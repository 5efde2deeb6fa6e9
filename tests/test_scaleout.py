"""Scale-out: two app processes on one PostgreSQL database and one Redis queue act as one app.

It starts its own PostgreSQL and Redis on loopback (data in a temp dir), migrates and seeds the
demo through the `consult` command, and runs two workers through the production entry
(gunicorn.conf.py + wsgi:app). Then: a change made through worker A reaches a live client on
worker B, what A wrote B reads, and B keeps serving when A dies. Missing PostgreSQL or Redis
fails the test (`make system-test-deps` installs them) unless CONSULT_ALLOW_SKIP_SCALEOUT=1.
"""

from __future__ import annotations

import email
import html
import importlib.util
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import socketio

from tests.scaleout_support import (
    BIN,
    AppServer,
    Services,
    app_environment,
    consult_command,
    missing_binaries,
    services,
)

pytestmark = pytest.mark.scaleout

PASSWORD = "consult-demo"
ROOM = "wgeti"  # chaired by chair.wgeti (Mexico)
#: Both sign-ins and sockets say the same: the session is bound to address and user agent.
USER_AGENT = "consult-scaleout-test"
EVENT_TIMEOUT = 10.0


def _missing() -> list[str]:
    missing = missing_binaries()
    if not (BIN / "gunicorn").exists():
        missing.append("gunicorn (pip install -e '.[dev,prod]')")
    for module in ("psycopg", "redis", "gevent"):
        if importlib.util.find_spec(module) is None:
            missing.append(f"the {module} package (pip install -e '.[dev,prod]')")
    return missing


@dataclass
class Deployment:
    a: AppServer
    b: AppServer
    started: Services


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    missing = _missing()
    if missing:
        message = "The scale-out test needs " + "; ".join(missing) + " (make system-test-deps)."
        if os.environ.get("CONSULT_ALLOW_SKIP_SCALEOUT") == "1":
            pytest.skip(message)
        pytest.fail(message + " Set CONSULT_ALLOW_SKIP_SCALEOUT=1 to skip it instead.")
    with services() as started:
        postgres = started.postgres()
        redis = started.redis()
        env = app_environment(started.workdir, postgres.url, redis.url)
        consult_command(["init-db"], env)
        consult_command(["demo"], env)
        a = started.app(env, "worker-a", wait=False)
        # B sits behind one (pretend) reverse proxy: it trusts X-Forwarded-Proto and -Host.
        b = started.app(env, "worker-b", wait=False, CONSULT_PROXY_FIX="1")
        # Two mail senders, as production may run them: each message is claimed once.
        started.sender(env, "sender-a")
        started.sender(env, "sender-b")
        a.wait_ready(60)
        b.wait_ready(60)
        yield Deployment(a=a, b=b, started=started)


def sign_in(server: AppServer, who: str) -> requests.Session:
    """Sign in through the real form on that worker; the session cookie is what we keep."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    page = session.get(f"{server.base_url}/sign-in", timeout=10)
    response = session.post(
        f"{server.base_url}/sign-in",
        data={
            "email": f"{who}@demo.example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code == 302, f"sign-in as {who} on {server.name} failed"
    return session


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def option_value(page: str, label: str) -> str:
    """The value of the <option> showing `label` (the delegation's id in the add form)."""
    for value, text in re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', page):
        if html.unescape(text).strip() == label:
            return value
    raise AssertionError(f"no option {label!r} on the page")


def add_delegation(server: AppServer, chair: requests.Session, name: str) -> None:
    """The chair adds a whole delegation through the room's members form, as a page would."""
    page = chair.get(f"{server.base_url}/rooms/{ROOM}", timeout=10)
    assert page.status_code == 200
    response = chair.post(
        f"{server.base_url}/rooms/{ROOM}/members/delegations",
        data={
            "csrf_token": csrf_token(page.text),
            "d-delegation": option_value(page.text, name),
            "d-role": "member",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code in (200, 302, 303), response.text[:500]


def members_fragment(server: AppServer, session: requests.Session) -> str:
    """The room's members panel as htmx fetches it."""
    response = session.get(
        f"{server.base_url}/rooms/{ROOM}/members", headers={"HX-Request": "true"}, timeout=10
    )
    assert response.status_code == 200
    return html.unescape(response.text)


def live_client(server: AppServer, session: requests.Session) -> tuple[socketio.Client, dict]:
    """A Socket.IO client on the worker's /live namespace, signed in with the session cookie."""
    received: dict[str, threading.Event] = {"rooms-changed": threading.Event()}
    client = socketio.Client(reconnection=False)
    client.on("rooms-changed", lambda *_: received["rooms-changed"].set(), namespace="/live")
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    client.connect(
        server.base_url,
        namespaces=["/live"],
        headers={"Cookie": cookie, "User-Agent": USER_AGENT},
        transports=["websocket"],
        wait_timeout=10,
    )
    # A worker subscribes to the queue on its first Socket.IO request; give that a moment.
    time.sleep(0.5)
    return client, received


def test_change_through_a_reaches_live_client_on_b(deployment: Deployment) -> None:
    a, b = deployment.a, deployment.b
    india = sign_in(b, "delegate.india")
    client, received = live_client(b, india)
    try:
        assert client.connected and "/live" in client.namespaces
        chair = sign_in(a, "chair.wgeti")
        add_delegation(a, chair, "India")
        assert received["rooms-changed"].wait(EVENT_TIMEOUT), (
            "the client on worker B did not receive rooms-changed for a change made on A\n"
            f"A:\n{a.log()}\nB:\n{b.log()}"
        )
    finally:
        client.disconnect()


def test_data_written_through_a_is_read_through_b(deployment: Deployment) -> None:
    a, b = deployment.a, deployment.b
    reader = sign_in(b, "delegate.germany")  # a WGETI member through Germany
    assert "Control Arms Coalition" not in members_fragment(b, reader)
    add_delegation(a, sign_in(a, "chair.wgeti"), "Control Arms Coalition")
    assert "Control Arms Coalition" in members_fragment(b, reader)
    room_page = reader.get(f"{b.base_url}/rooms/{ROOM}", timeout=10)
    assert room_page.status_code == 200
    assert "Control Arms Coalition" in html.unescape(room_page.text)


def _mails(deployment: Deployment, at_least: int = 1, timeout: float = 15) -> list[Path]:
    """The mail the senders wrote (they run every 0.3 s beside the app servers)."""
    folder = deployment.started.workdir / "mail"
    deadline = time.monotonic() + timeout
    while True:
        mails = sorted(folder.glob("*.eml"))
        if len(mails) >= at_least or time.monotonic() > deadline:
            return mails
        time.sleep(0.2)


def test_proxy_headers_make_links_and_tokens_stay_out_of_logs(deployment: Deployment) -> None:
    """Behind a proxy (CONSULT_PROXY_FIX=1) mailed links use the public scheme and host."""
    b = deployment.b
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "consult.example.org"}
    page = session.get(f"{b.base_url}/password/forgot", headers=proxy, timeout=10)
    response = session.post(
        f"{b.base_url}/password/forgot",
        data={"email": "delegate.india@demo.example.org", "csrf_token": csrf_token(page.text)},
        headers={**proxy, "Referer": "https://consult.example.org/password/forgot"},
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code in (200, 302, 303)
    mails = _mails(deployment)
    assert mails, "no reset mail was written"
    message = email.message_from_bytes(mails[-1].read_bytes())
    body = "\n".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )
    link = re.search(r"https://consult\.example\.org(/password/reset/[^\s]+)", body)
    assert link, f"the reset link does not use the proxy's scheme and host:\n{body}"
    assert session.get(f"{b.base_url}{link.group(1)}", timeout=10).status_code == 200
    token = link.group(1).rsplit("/", 1)[1]
    deadline = time.monotonic() + 5  # the request's log line follows its response
    while '"path": "/password/reset/…"' not in (log := b.log_path.read_text()):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert token not in log, "a reset token reached the log"
    assert '"path": "/password/reset/…"' in log


def test_logs_are_json_lines_without_form_data(deployment: Deployment) -> None:
    """Production logs: one JSON object per line; requests with method, path, status, time."""
    for server in (deployment.a, deployment.b):
        lines = server.log_path.read_text().splitlines()
        entries = [json.loads(line) for line in lines if line.strip()]
        requests_logged = [e for e in entries if e.get("event") == "request"]
        assert requests_logged, f"{server.name} logged no request"
        for entry in requests_logged:
            assert {"method", "path", "status", "duration_ms", "user_id"} <= entry.keys()
        signed_in = [e for e in requests_logged if e["user_id"] is not None]
        assert signed_in, f"{server.name} logged no signed-in person's request"
        text = server.log_path.read_text()
        assert PASSWORD not in text and "csrf_token" not in text, "form data reached the log"


@pytest.mark.hardening
def test_search_on_postgresql_finds_through_the_visible_filters(deployment: Deployment) -> None:
    """PostgreSQL full-text search (the tsvector column and its GIN index) behind the same
    interface: the demo, indexed as it was seeded, found on B by who may see it and by nobody
    else; a word written is found at once (the index is in the write's transaction). Only B:
    A may have been stopped by the test before."""
    b = deployment.b
    member = sign_in(b, "npc.nigeria")  # the African Group's room (members)
    found = member.get(f"{b.base_url}/search", params={"q": "colleagues stress"}, timeout=10)
    assert found.status_code == 200 and "1 result for" in html.unescape(found.text)
    assert "<mark>stress</mark>" in found.text
    outsider = sign_in(b, "delegate.controlarms")
    nothing = outsider.get(f"{b.base_url}/search", params={"q": "colleagues"}, timeout=10)
    assert nothing.status_code == 200 and "Nothing found for" in nothing.text
    assert "African Group" not in nothing.text
    # Stemmed: "monitoring" in a comment of the Articles 6 and 7 sub-working group.
    reader = sign_in(b, "delegate.germany")
    stems = reader.get(f"{b.base_url}/search", params={"q": "monitored"}, timeout=10)
    assert "<mark>monitoring</mark>" in stems.text
    for bad in ('"', "*", "NEAR(", "-", "a' | b &", "x" * 300):
        answer = reader.get(f"{b.base_url}/search", params={"q": bad}, timeout=10)
        assert answer.status_code in (200, 422), bad
    # Written, then found.
    word = f"Zyloprax{int(time.time())}"
    chair = sign_in(b, "chair.wgeti")
    page = chair.get(f"{b.base_url}/rooms/{ROOM}/discussions/new", timeout=10)
    posted = chair.post(
        f"{b.base_url}/rooms/{ROOM}/discussions/new",
        data={"title": f"On {word}", "body": "Text.", "csrf_token": csrf_token(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code == 303
    later = reader.get(f"{b.base_url}/search", params={"q": word.lower()}, timeout=10)
    # The topic once: its title is not searched again in its opening post.
    assert "1 result for" in html.unescape(later.text)


def test_signing_out_on_a_drops_the_sessions_socket_on_b(deployment: Deployment) -> None:
    """The socket sits on B; the session ends on A: B hears it through the queue at once."""
    a, b = deployment.a, deployment.b
    person = sign_in(a, "delegate.philippines")
    client, _received = live_client(b, person)
    dropped = threading.Event()
    client.on("disconnect", lambda *_: dropped.set(), namespace="/live")
    try:
        assert client.connected
        page = person.get(f"{a.base_url}/profile", timeout=10)
        response = person.post(
            f"{a.base_url}/sign-out",
            data={"csrf_token": csrf_token(page.text)},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code in (302, 303)
        assert dropped.wait(EVENT_TIMEOUT), (
            "the socket on worker B stayed connected after its session ended on A\n"
            f"A:\n{a.log()}\nB:\n{b.log()}"
        )
    finally:
        if client.connected:
            client.disconnect()


def test_b_keeps_serving_when_a_dies(deployment: Deployment) -> None:
    a, b = deployment.a, deployment.b
    person = sign_in(b, "delegate.germany")
    a.kill()
    assert a.process is not None and a.process.poll() is not None
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{a.base_url}/health", timeout=2)
    assert requests.get(f"{b.base_url}/health", timeout=5).status_code == 200
    dashboard = person.get(f"{b.base_url}/", allow_redirects=False, timeout=10)
    assert dashboard.status_code == 200
    assert "WGETI" in dashboard.text
    # B still takes writes and still delivers its own live events through the queue.
    india = sign_in(b, "delegate.india")
    client, received = live_client(b, india)
    try:
        chair = sign_in(b, "chair.wgeti")
        page = chair.get(f"{b.base_url}/rooms/{ROOM}", timeout=10)
        assert page.status_code == 200
        india_row = re.search(
            r'formaction="/rooms/wgeti/members/(\d+)/remove"', _member_actions(page.text, "India")
        )
        assert india_row, "India's membership is not on the chair's page"
        removed = chair.post(
            f"{b.base_url}/rooms/{ROOM}/members/{india_row.group(1)}/remove",
            data={"csrf_token": csrf_token(page.text)},
            allow_redirects=False,
            timeout=10,
        )
        assert removed.status_code in (200, 302, 303)
        assert received["rooms-changed"].wait(EVENT_TIMEOUT)
    finally:
        client.disconnect()


def _member_actions(page: str, delegation: str) -> str:
    """The part of the members list that belongs to one delegation."""
    start = page.find(f'<span class="delegation">{delegation}</span>')
    assert start >= 0, f"{delegation} is not listed"
    end = page.find("</li>", start)
    return page[start:end]


def test_two_senders_deliver_each_message_once(deployment: Deployment) -> None:
    """Mail queued through the workers still serving, sent by two sender processes on one
    PostgreSQL: every message arrives, none twice (each is claimed once before it is sent)."""
    before = len(_mails(deployment, 0, 0))
    people = ["delegate.thailand", "delegate.angola", "delegate.southafrica", "npc.nigeria"]
    for n, who in enumerate(people):
        alive = deployment.a.process is not None and deployment.a.process.poll() is None
        server = deployment.a if n % 2 and alive else deployment.b
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        page = session.get(f"{server.base_url}/password/forgot", timeout=10)
        session.post(
            f"{server.base_url}/password/forgot",
            data={"email": f"{who}@demo.example.org", "csrf_token": csrf_token(page.text)},
            allow_redirects=False,
            timeout=20,
        )
    mails = _mails(deployment, before + len(people))
    time.sleep(2)  # time enough for a second, wrongful, delivery
    mails = sorted((deployment.started.workdir / "mail").glob("*.eml"))[before:]
    ids = [email.message_from_bytes(path.read_bytes())["Message-ID"] for path in mails]
    recipients = sorted(email.message_from_bytes(path.read_bytes())["To"] for path in mails)
    assert recipients == sorted(f"{who}@demo.example.org" for who in people)
    assert len(set(ids)) == len(ids) == len(people)
