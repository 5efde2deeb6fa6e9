"""Meetings as people run them: a chair builds an agenda and runs the speakers' list from the
console while a remote delegate and the room's screen follow live; the meeting survives a
server restart; the list refuses what it must; outsiders see nothing of a private meeting.

Every test schedules its own meeting through the UI, so none depends on another or on the
demo's meeting.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .conftest import (
    DEMO_PASSWORD,
    DESKTOP,
    ROOT,
    SERVER_START_TIMEOUT,
    _consult_command,
    _free_port,
    _healthy,
    _open_contexts,
    sign_in,
)

pytestmark = pytest.mark.live

LIVE = 10_000  # ms: a chair's action -> the broadcast panel on every screen
RECOVERY = 15_000  # ms: a restarted server -> every page reconnected and back in sync
CONNECTED = "Live updates: connected"
RECONNECTING = "Reconnecting…"


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


# ---- building a meeting through the UI --------------------------------------------------------


def schedule_meeting(page, room_slug: str, title: str) -> int:
    """The room page's "Schedule a meeting": a hybrid session today. Returns the meeting's id."""
    page.goto(f"/rooms/{room_slug}")
    page.get_by_role("link", name="Schedule a meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Schedule a meeting of ")
    )
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Kind", exact=True).select_option(label="Informal consultation")
    page.get_by_label("Mode", exact=True).select_option(label="Hybrid")
    zone = page.get_by_label("Time zone of the meeting").input_value()
    start = datetime.now(ZoneInfo(zone)).replace(second=0, microsecond=0) - timedelta(minutes=5)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_text("The meeting is scheduled. Now build its agenda.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    match = re.search(r"/meetings/(\d+)$", page.url)
    assert match, f"scheduling should land on the meeting's page, not {page.url}"
    return int(match.group(1))


def add_item(page, number: int, title: str, speaking_seconds: int = 180) -> None:
    form = page.locator("form", has=page.get_by_role("button", name="Add item"))
    form.get_by_label("Number").fill(str(number))
    form.get_by_label("Title", exact=True).fill(title)
    form.get_by_label("Planned duration (minutes)").fill("20")
    form.get_by_label("Speaking time per statement (seconds)").fill(str(speaking_seconds))
    form.get_by_role("button", name="Add item").click()
    expect(agenda_item(page, title)).to_contain_text(f"{number}. {title}")


def agenda_item(page, title: str):
    return page.locator("#agenda li.agenda-item").filter(has_text=title)


def prepare_meeting(page, room_slug: str, title: str, items: list[str], speaking_seconds=180):
    """Schedule, add the items, adopt the agenda, make item 1 current. Returns the id."""
    meeting_id = schedule_meeting(page, room_slug, title)
    for number, item_title in enumerate(items, start=1):
        add_item(page, number, item_title, speaking_seconds)
    page.get_by_role("button", name="Adopt the agenda").click()
    expect(page.get_by_text("The agenda is adopted.")).to_be_visible()
    expect(page.locator("#agenda-title")).to_contain_text("adopted")
    agenda_item(page, items[0]).get_by_role("button", name="Make current").click()
    expect(agenda_item(page, items[0]).locator(".badge")).to_have_text("Current")
    return meeting_id


# ---- reading the live views --------------------------------------------------------------------


def connection_status(page):
    """The live-connection status that consult.js keeps in the site header."""
    return page.locator(".live-status[role=status]")


def is_screen_view(page) -> bool:
    return page.url.endswith("/screen")


def expect_connection(page, text: str, timeout: float = LIVE) -> None:
    """The page says how its live channel is. The screen view (a projector) shows no site
    header, so there the status is only checked in the page, not on screen."""
    expect(connection_status(page)).to_have_text(text, timeout=timeout)
    if not is_screen_view(page):
        expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def wait_until_live(page) -> None:
    expect_connection(page, CONNECTED)


def current_item(page):
    return page.locator("#live-panel #current-title")


def speaker(page):
    return page.get_by_role("region", name="Current speaker")


def speakers_list(page):
    """The waiting speakers as the shared panel lists them (not the chair's ordering tools)."""
    return page.locator("#live-panel").get_by_role("region", name=re.compile(r"^Speakers' list"))


def floor_panel(page):
    return page.get_by_role("region", name="Ask for the floor")


def connected_now(chair):
    return chair.get_by_role("region", name=re.compile(r"^Connected now"))


def countdown(page) -> int:
    """The big countdown, as shown ("2:58", "+0:04 over"), in seconds (an overrun negative)."""
    text = page.locator("#live-panel .countdown-big").inner_text().strip()
    match = re.match(r"^(\+?)(\d+(?::\d\d)+)", text)
    assert match, f"the countdown reads {text!r}"
    seconds = 0
    for part in match.group(2).split(":"):
        seconds = seconds * 60 + int(part)
    return -seconds if match.group(1) else seconds


def read_countdowns(pages) -> list[float]:
    """Every screen's countdown, as at the moment of the first reading: the time taken to
    read the later screens is added back, so a slow read does not look like disagreement."""
    t0 = time.monotonic()
    return [countdown(p) + (time.monotonic() - t0) for p in pages]


def assert_countdowns_agree(pages, readings: list[float]) -> None:
    """Within a second, give or take the display's rounding to whole seconds."""
    assert max(readings) - min(readings) <= 1.5, (
        f"the screens disagree: {dict(zip([p.url for p in pages], readings, strict=True))}"
    )


def assert_countdowns_run_together(pages) -> None:
    """Read every screen's countdown twice, two seconds apart: it runs, and they agree."""
    first = read_countdowns(pages)
    assert_countdowns_agree(pages, first)
    pages[0].wait_for_timeout(2_200)
    second = read_countdowns(pages)
    assert_countdowns_agree(pages, second)
    for before, after in zip(first, second, strict=True):
        assert 1 <= before - after <= 5, f"the countdown does not run: {first} then {second}"


def mark_page(page) -> None:
    """A marker that a reload or a navigation would wipe out."""
    page.evaluate("() => { window.__notReloaded = true; }")


def assert_not_reloaded(*pages) -> None:
    for page in pages:
        assert page.evaluate("() => window.__notReloaded === true"), (
            f"{page.url} was reloaded instead of updated in place"
        )


def press_key(page, key: str, confirm: bool = False) -> None:
    """A chair's one-key shortcut: they act while focus is on the console's controls (not in
    a form field). `confirm`: the action asks first, and the same key again confirms."""
    page.locator("#control-give-floor").focus()
    page.keyboard.press(key)
    if confirm:
        expect(page.locator("#console-ask [data-confirm]")).to_be_focused()
        page.keyboard.press(key)


def inscribe(chair, delegation: str, kind: str = "Statement") -> None:
    """The chair inscribes a flag raised in the room, from the console."""
    chair.get_by_label("Delegation (flag raised in the room)").select_option(label=delegation)
    chair.get_by_label("Kind", exact=True).select_option(label=kind)
    chair.get_by_role("button", name="Inscribe", exact=True).click()
    expect(speakers_list(chair)).to_contain_text(delegation)


def emit_with_ack(page, event: str, data: dict) -> dict:
    page.wait_for_function("() => window.consult && window.consult.socket.connected")
    return page.evaluate(
        "([event, data]) => window.consult.socket.timeout(5000).emitWithAck(event, data)",
        [event, data],
    )


def open_three_views(chair, delegate, screen, meeting_id: int, delegate_name: str):
    """The room's screen, the chair's console and a delegate's live view, all connected."""
    screen.goto(f"/meetings/{meeting_id}/screen")
    wait_until_live(screen)
    chair.goto(f"/meetings/{meeting_id}/console")
    expect(chair.get_by_role("heading", name="Controls")).to_be_visible()
    wait_until_live(chair)
    delegate.goto(f"/meetings/{meeting_id}/live")
    wait_until_live(delegate)
    # The console lists who follows the live view: the delegate's page is watching the meeting.
    expect(connected_now(chair)).to_contain_text(delegate_name, timeout=LIVE)
    for page in (chair, delegate, screen):
        mark_page(page)


# ---- 1. a turn, live on three screens ----------------------------------------------------------


def test_floor_requests_and_turns_reach_console_live_view_and_screen(signed_in):
    title = unique("Informal consultation on Article 11")
    items = ["Exchange of national practice on diversion", "Any other business"]
    chair = signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", title, items, speaking_seconds=120)
    screen = signed_in("secretariat")
    delegate = signed_in("delegate.philippines")
    open_three_views(chair, delegate, screen, meeting_id, "Maria Santos")
    pages = (chair, delegate, screen)
    for page in pages:
        expect(current_item(page)).to_have_text(f"Item 1: {items[0]}")
        expect(speaker(page)).to_contain_text("Nobody has the floor.")

    # Japan raises its flag in the room; the chair inscribes it.
    inscribe(chair, "Japan")

    # The remote delegate of the Philippines asks for the floor.
    floor = floor_panel(delegate)
    expect(floor.get_by_label("I am")).to_have_value("remote")
    floor.get_by_role("button", name="Ask for the floor on item 1").click()
    expect(floor).to_contain_text("Your delegation is on the list for item 1 (Statement).")
    expect(floor).to_contain_text("Your place: 2", timeout=LIVE)
    expect(floor.get_by_role("button", name="Withdraw")).to_be_visible()

    # The chair's console shows the request, without a reload, and so does the screen.
    for page in pages:
        expect(speakers_list(page).get_by_role("listitem")).to_have_text(
            [re.compile(r"Japan"), re.compile(r"Philippines\s+Remote")], timeout=LIVE
        )
    order = chair.get_by_role("region", name="Order the list")
    expect(order.get_by_role("listitem")).to_have_count(2)

    # "Next speaker" (the button): Japan has the floor; the Philippines move up to 1.
    chair.get_by_role("button", name="Next speaker").click()
    for page in pages:
        expect(speaker(page)).to_contain_text("Japan", timeout=LIVE)
        expect(speakers_list(page).get_by_role("listitem")).to_have_text(
            [re.compile(r"Philippines")], timeout=LIVE
        )
    expect(floor).to_contain_text("Your place: 1", timeout=LIVE)
    assert_countdowns_run_together(pages)

    # N (the key): the Philippines have the floor (N again: Japan's statement ends).
    press_key(chair, "n", confirm=True)
    for page in pages:
        expect(speaker(page)).to_contain_text("Philippines", timeout=LIVE)
        expect(speakers_list(page)).to_contain_text("Nobody is waiting.", timeout=LIVE)
    expect(floor).to_contain_text("You have the floor.", timeout=LIVE)
    assert_countdowns_run_together(pages)
    for page in pages:
        totals = page.get_by_role("region", name="Speaking time on this item")
        expect(totals.get_by_role("row")).to_have_count(3)  # the header, Japan, Philippines

    # I (the key): the next item; the turn ends and every screen moves on.
    press_key(chair, "i", confirm=True)
    for page in pages:
        expect(current_item(page)).to_have_text(f"Item 2: {items[1]}", timeout=LIVE)
        expect(speaker(page)).to_contain_text("Nobody has the floor.", timeout=LIVE)
        expect(page.locator("#live-panel .agenda-list > li").first).to_contain_text("Done")
    expect(floor.get_by_role("button", name="Ask for the floor on item 2")).to_be_visible(
        timeout=LIVE
    )
    assert_not_reloaded(*pages)

    # The record keeps the turns in order.
    chair.get_by_role("link", name="Record").click()
    turns = chair.get_by_role("table", name="Speakers on item 1").locator("tbody tr")
    expect(turns).to_have_count(2)
    expect(turns.nth(0)).to_contain_text("Japan")
    expect(turns.nth(1)).to_contain_text("Philippines")


# ---- 2. a server restart in the middle of a turn -----------------------------------------------


class OwnServer:
    """`consult serve` on a fixed port and its own database, as the harness starts it; it can
    be killed and started again on the same port and database."""

    def __init__(self, tmp: Path):
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "server.log"
        self.process: subprocess.Popen | None = None
        mail_dir = tmp / "mail"
        mail_dir.mkdir()
        self.env = {
            **os.environ,
            "CONSULT_DATABASE_URL": f"sqlite:///{tmp / 'consult.db'}",
            "CONSULT_MAIL_BACKEND": "file",
            "CONSULT_MAIL_FILE_DIR": str(mail_dir),
            "CONSULT_SECRET_KEY": secrets.token_hex(32),
            "CONSULT_DEMO_PASSWORD": DEMO_PASSWORD,
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("CONSULT_MESSAGE_QUEUE", None)
        for step in (["init-db"], ["demo"]):
            done = subprocess.run(
                _consult_command() + step,
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, f"`consult {step[0]}` failed:\n{done.stdout}{done.stderr}"

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                _consult_command() + ["serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(self.base_url + "/health"):
            assert self.process.poll() is None, f"the server exited:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"the server did not start:\n{self.log_tail()}"
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no goodbye to the browsers, nothing flushed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture
def own_server(tmp_path):
    server = OwnServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_signed_in(browser, own_server):
    """Like `signed_in`, on the test's own server."""
    contexts = []

    def make(who: str):
        context = browser.new_context(
            base_url=own_server.base_url,
            viewport=DESKTOP,
            bypass_csp=True,
            locale="en-GB",
            timezone_id="Europe/Zurich",
        )
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(15_000)
        contexts.append(context)
        _open_contexts.append(context)
        return sign_in(context.new_page(), who)

    yield make
    for context in contexts:
        _open_contexts.remove(context)
        context.close()


def test_meeting_survives_a_server_restart_mid_turn(own_server, own_signed_in):
    title = unique("Informal consultation on Article 11")
    items = ["Exchange of national practice on diversion", "Any other business"]
    chair = own_signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", title, items, speaking_seconds=300)
    screen = own_signed_in("secretariat")
    delegate = own_signed_in("delegate.philippines")
    open_three_views(chair, delegate, screen, meeting_id, "Maria Santos")
    pages = (chair, delegate, screen)

    inscribe(chair, "Japan")
    floor_panel(delegate).get_by_role("button", name="Ask for the floor on item 1").click()
    expect(floor_panel(delegate)).to_contain_text("Your place: 2", timeout=LIVE)
    press_key(chair, "n")
    for page in pages:
        expect(speaker(page)).to_contain_text("Japan", timeout=LIVE)
        expect(speakers_list(page).get_by_role("listitem")).to_have_text(
            [re.compile("Philippines")], timeout=LIVE
        )
    before = [countdown(p) for p in pages]

    # Mid-turn, the server dies without a word.
    own_server.kill()
    for page in pages:
        expect_connection(page, RECONNECTING)
    # The pages record their re-fetches from here on.
    refetched: dict[str, list[str]] = {}
    for page in pages:
        log = refetched.setdefault(page.url, [])
        page.on(
            "request",
            lambda request, log=log: (
                log.append(request.url) if request.headers.get("hx-request") == "true" else None
            ),
        )

    # A new server process on the same port and database; within RECOVERY of it answering,
    # every page is connected again and shows the meeting as it is, without a reload.
    own_server.start()
    deadline = time.monotonic() + RECOVERY / 1000

    def left() -> float:
        return max(500.0, (deadline - time.monotonic()) * 1000)

    for page in pages:
        expect_connection(page, CONNECTED, timeout=left())
    # Each page re-fetched its panel over HTTP on reconnecting (it may have missed events).
    while time.monotonic() < deadline and not all(
        any(re.search(r"/(panel|console)$", u) for u in log) for log in refetched.values()
    ):
        chair.wait_for_timeout(100)
    for url, log in refetched.items():
        assert any(re.search(r"/(panel|console)$", u) for u in log), (
            f"{url} did not re-fetch its panel after reconnecting: {log}"
        )
    # The same state everywhere: item, speaker, list; the countdown ran on.
    for page in pages:
        expect(current_item(page)).to_have_text(f"Item 1: {items[0]}", timeout=left())
        expect(speaker(page)).to_contain_text("Japan", timeout=left())
        expect(speakers_list(page).get_by_role("listitem")).to_have_text(
            [re.compile("Philippines")], timeout=left()
        )
    expect(floor_panel(delegate)).to_contain_text("Your place: 1", timeout=left())
    after = read_countdowns(pages)
    assert_countdowns_agree(pages, after)
    assert all(a < b for a, b in zip(after, before, strict=True)), (before, after)

    # And the live channel works again: the chair carries on, every screen follows.
    press_key(chair, "n", confirm=True)
    for page in pages:
        expect(speaker(page)).to_contain_text("Philippines", timeout=LIVE)
        expect(speakers_list(page)).to_contain_text("Nobody is waiting.", timeout=LIVE)
    expect(floor_panel(delegate)).to_contain_text("You have the floor.", timeout=LIVE)
    assert_not_reloaded(*pages)


# ---- 3. what the speakers' list refuses --------------------------------------------------------


@pytest.fixture
def no_script_page(browser, live_server, request):
    """A page in a browser with JavaScript off (a locked-down laptop): plain forms, no live
    updates, so what it shows stays as it was loaded."""
    context = browser.new_context(
        base_url=live_server.base_url,
        viewport=DESKTOP,
        java_script_enabled=False,
        locale="en-GB",
        timezone_id="Europe/Zurich",
    )
    context.set_default_timeout(10_000)
    _open_contexts.append(context)
    yield context.new_page()
    _open_contexts.remove(context)
    context.close()


def test_the_speakers_list_refuses_a_second_request_and_a_closed_list(signed_in, no_script_page):
    title = unique("Informal consultation on Article 11")
    item = "Exchange of national practice on diversion"
    chair = signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", title, [item])
    chair.goto(f"/meetings/{meeting_id}/console")
    wait_until_live(chair)

    # Germany's other delegate has the live view open in a browser without scripts.
    colleague = sign_in(no_script_page, "focal.germany")
    colleague.goto(f"/meetings/{meeting_id}/live")
    stale_button = floor_panel(colleague).get_by_role("button", name="Ask for the floor on item 1")
    expect(stale_button).to_be_visible()

    germany = signed_in("delegate.germany")
    germany.goto(f"/meetings/{meeting_id}/live")
    wait_until_live(germany)
    philippines = signed_in("delegate.philippines")
    philippines.goto(f"/meetings/{meeting_id}/live")
    wait_until_live(philippines)
    expect(connected_now(chair)).to_contain_text("Maria Santos", timeout=LIVE)

    floor_panel(germany).get_by_role("button", name="Ask for the floor on item 1").click()
    expect(floor_panel(germany)).to_contain_text("Your place: 1", timeout=LIVE)
    expect(speakers_list(chair).get_by_role("listitem")).to_have_text(
        [re.compile("Germany")], timeout=LIVE
    )
    version = chair.locator("#console-panel").get_attribute("data-version")

    # The colleague, on her page as it was, asks too: refused, with the reason.
    stale_button.click()
    expect(
        colleague.get_by_text("Germany is already on the speakers' list for item 1.").first
    ).to_be_visible()
    expect(floor_panel(colleague)).to_contain_text(
        "Your delegation is on the list for item 1 (Statement)."
    )
    expect(speakers_list(colleague).get_by_role("listitem")).to_have_count(1)
    # Nothing changed: Germany is on the list once, and no update went out.
    chair.wait_for_timeout(500)
    expect(speakers_list(chair).get_by_role("listitem")).to_have_text([re.compile("Germany")])
    expect(chair.locator("#console-panel")).to_have_attribute("data-version", version)
    expect(floor_panel(germany)).to_contain_text("Your place: 1")

    # The chair closes the list; everyone is told.
    chair.get_by_role("button", name="Close the list").click()
    for page in (chair, germany, philippines):
        expect(page.locator("#live-panel .current-item")).to_contain_text(
            "The list of speakers is closed", timeout=LIVE
        )

    # The Philippines ask for the floor for a statement: refused, with the reason.
    floor = floor_panel(philippines)
    with philippines.expect_response(lambda r: r.url.endswith("/floor")) as answer:
        floor.get_by_role("button", name="Ask for the floor on item 1").click()
    assert answer.value.status == 422
    expect(floor).to_contain_text("The speakers' list for item 1 is closed.")
    expect(speakers_list(chair).get_by_role("listitem")).to_have_text([re.compile("Germany")])

    # A point of order is still taken, and goes to the top of the list.
    floor.get_by_label("I ask for the floor for").select_option(label="Point of order")
    floor.get_by_role("button", name="Ask for the floor on item 1").click()
    expect(floor).to_contain_text("Your delegation is on the list for item 1 (Point of order).")
    expect(floor).to_contain_text("Your place: 1", timeout=LIVE)
    for page in (chair, germany, philippines):
        entries = speakers_list(page).get_by_role("listitem")
        expect(entries).to_have_text(
            [re.compile(r"Philippines\s+Point of order"), re.compile("Germany")], timeout=LIVE
        )
    expect(floor_panel(germany)).to_contain_text("Your place: 2", timeout=LIVE)


# ---- 4. who may see and run a meeting ----------------------------------------------------------


def test_outsiders_get_not_found_and_members_may_not_chair(signed_in):
    title = unique("African Group coordination on CSP12 statements")
    coordinator = signed_in("coordinator.african")
    private_id = schedule_meeting(coordinator, "african-group", title)
    paths = ["", "/live", "/console", "/screen", "/panel", "/record"]
    for path in paths:
        assert coordinator.request.get(f"/meetings/{private_id}{path}").status == 200, path
    assert emit_with_ack(coordinator, "watch_meeting", {"meeting": private_id})["ok"] is True

    # India's delegate is not in the African Group: the meeting does not exist for her.
    india = signed_in("delegate.india")
    for path in ("/live", "/console", "/screen"):
        response = india.goto(f"/meetings/{private_id}{path}")
        assert response is not None and response.status == 404, path
        expect(india.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(india.get_by_text(title)).to_have_count(0)
    for path in paths:
        answer = india.request.get(f"/meetings/{private_id}{path}")
        assert answer.status == 404, f"{path} answered {answer.status} to an outsider"
        assert title not in answer.text()
    india.goto("/")
    assert emit_with_ack(india, "watch_meeting", {"meeting": private_id}) == {"ok": False}

    # Germany's delegate is a member of WGETI, not its chair: no console for him.
    chair = signed_in("chair.wgeti")
    wgeti_id = schedule_meeting(chair, "wgeti", unique("WGETI informal consultation"))
    germany = signed_in("delegate.germany")
    germany.goto(f"/meetings/{wgeti_id}/live")
    germany.get_by_text("About this meeting").click()  # the live view folds the meeting's views
    expect(germany.get_by_role("link", name="Live view")).to_be_visible()
    expect(germany.get_by_role("link", name="Chair's console")).to_have_count(0)
    answer = emit_with_ack(germany, "watch_meeting", {"meeting": wgeti_id})
    assert answer["ok"] is True and answer["chair"] is False
    response = germany.goto(f"/meetings/{wgeti_id}/console")
    assert response is not None and response.status == 403
    expect(germany.get_by_role("heading", level=1)).to_have_text("Not allowed")
    # Nor may he press the chair's buttons by posting to them.
    token = germany.locator("input[name=csrf_token]").first.get_attribute("value")
    posted = germany.request.post(
        f"/meetings/{wgeti_id}/chair/next-item", form={"csrf_token": token}
    )
    assert posted.status == 403
