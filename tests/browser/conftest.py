"""Browser tests: the real server on a free loopback port, driven through Debian's Chromium.

One server and one browser per session (the demo data is seeded once); one browser context per
person in a test, so two people can be signed in at the same time. A failing test leaves a
full-page screenshot of each open page in tests/browser/artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ARTIFACTS = HERE / "artifacts"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "consult-demo"
DEMO_DOMAIN = "demo.example.org"
CHROMIUM = os.environ.get("CONSULT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERVER_START_TIMEOUT = 30.0

#: Pages opened during the running test, for the failure screenshots.
_open_contexts: list = []


# ---- marking and failure screenshots -----------------------------------------------------


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser is a browser test (`-m "not browser"` leaves them out)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and _open_contexts:
        _screenshot_open_pages(item.name)
    return report


def _screenshot_open_pages(test_name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")
    n = 0
    for context in list(_open_contexts):
        for page in context.pages:
            n += 1
            try:
                page.screenshot(
                    path=str(ARTIFACTS / f"{safe}-{n}.png"), full_page=True, timeout=10_000
                )
            except Exception as error:  # noqa: BLE001 - a screenshot must not hide the failure
                sys.stderr.write(f"could not save the screenshot of {page.url}: {error}\n")


# ---- the live server ---------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    mail_dir: Path
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log (for a failure message after a 500)."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def mails(self) -> list[Path]:
        """The .eml files the server wrote so far, oldest first."""
        return sorted(self.mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime)


def _consult_command() -> list[str]:
    """The `consult` console script next to this interpreter, or its module equivalent."""
    script = Path(sys.executable).with_name("consult")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from consult.cli import main; main()"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """`consult init-db`, `consult demo`, then `consult serve` on a free loopback port."""
    yield from serve(tmp_path_factory)


def serve(tmp_path_factory, extra_env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """A server of its own, with its own database (`extra_env`: settings of the test module
    that needs it, e.g. a short confidential idle limit)."""
    tmp = tmp_path_factory.mktemp("live")
    mail_dir = tmp / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "CONSULT_DATABASE_URL": f"sqlite:///{tmp / 'consult.db'}",
        "CONSULT_MAIL_BACKEND": "file",
        "CONSULT_MAIL_FILE_DIR": str(mail_dir),
        "CONSULT_SECRET_KEY": secrets.token_hex(32),
        "CONSULT_DEMO_PASSWORD": DEMO_PASSWORD,
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    env.pop("CONSULT_MESSAGE_QUEUE", None)
    command = _consult_command()
    for step in (["init-db"], ["demo"]):
        done = subprocess.run(
            command + step,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(
                f"`consult {' '.join(step)}` failed ({done.returncode}):\n"
                f"{done.stdout}\n{done.stderr}",
                pytrace=False,
            )

    log_path = tmp / "server.log"
    process, log, base_url = _start_server(command + ["serve"], env, log_path)
    try:
        yield LiveServer(base_url=base_url, mail_dir=mail_dir, log_path=log_path)
    finally:
        _stop(process)
        log.close()


def _start_server(command: list[str], env: dict, log_path: Path):
    """Run `command --host 127.0.0.1 --port <free port>` and wait until /health answers 200.

    Fails the session, quoting the server's log, if it exits or does not answer in time.
    """
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = log_path.open("a")
    process = subprocess.Popen(
        command + ["--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not _healthy(base_url + "/health"):
        if process.poll() is not None:
            log.close()
            pytest.fail(
                f"The consult server exited with {process.returncode} before answering "
                f"GET /health. Its log:\n{log_path.read_text()}",
                pytrace=False,
            )
        if time.monotonic() > deadline:
            _stop(process)
            log.close()
            pytest.fail(
                f"The consult server did not answer GET /health within "
                f"{SERVER_START_TIMEOUT:.0f} s. Its log:\n{log_path.read_text()}",
                pytrace=False,
            )
        time.sleep(0.2)
    return process, log, base_url


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# ---- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's Chromium, headless; missing Chromium fails unless skipping is allowed."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        reason = (
            f"Chromium not found at {CHROMIUM} (install Debian's `chromium` package or "
            f"set CONSULT_CHROMIUM)"
        )
        if os.environ.get("CONSULT_ALLOW_SKIP_BROWSER") == "1":
            pytest.skip(reason + "; skipped because CONSULT_ALLOW_SKIP_BROWSER=1")
        pytest.fail(
            reason + ". Set CONSULT_ALLOW_SKIP_BROWSER=1 to skip browser tests deliberately.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """`new_page(phone=False)`: a page in a fresh context (its own cookies) on the live server.

    bypass_csp is on only so that the axe script can be injected into our pages.
    """
    contexts = []

    def make(phone: bool = False, viewport: dict | None = None):
        context = browser.new_context(
            base_url=live_server.base_url,
            viewport=viewport or (PHONE if phone else DESKTOP),
            bypass_csp=True,
            locale="en-GB",
            timezone_id="Europe/Zurich",
        )
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(15_000)
        contexts.append(context)
        _open_contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        _open_contexts.remove(context)
        context.close()


@dataclass
class Enrolment:
    """What a person keeps once two-factor sign-in is on: the app's key and the recovery codes."""

    secret: str
    recovery_codes: list[str]
    last_step: int
    used: list[str] = field(default_factory=list)


#: Two-factor enrolments of this browser session, by e-mail: each person enrols once.
ENROLLED: dict[str, Enrolment] = {}


def current_step() -> int:
    return int(time.time()) // 30


def second_factor_code(who: str) -> str:
    """A code the server has not seen yet: the authenticator's code for the next unused time
    step when it is the current or the next one (the server accepts a step either side), or
    else one of the recovery codes, as a person would when the app's code was just used."""
    enrolment = ENROLLED[demo_email(who)]
    step = max(current_step(), enrolment.last_step + 1)
    if step <= current_step() + 1:
        enrolment.last_step = step
        return pyotp.TOTP(enrolment.secret).at(step * 30)
    code = enrolment.recovery_codes.pop()
    enrolment.used.append(code)
    return code


def demo_email(who: str) -> str:
    """`chair.wgeti` -> `chair.wgeti@demo.example.org`; a full address is kept."""
    return who if "@" in who else f"{who}@{DEMO_DOMAIN}"


def sign_in(page, who: str, password: str = DEMO_PASSWORD, expect_success: bool = True):
    """Sign in through the real form, as a person would: type, click, land on "My rooms".

    Someone who turned on two-factor sign-in earlier in this browser session (the confidential
    tests enrol demo accounts) also gives the code from their authenticator."""
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(demo_email(who))
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if expect_success:
        # The server says whether a second step follows: enrolments are per server (a module
        # with its own server starts with nobody enrolled).
        page.wait_for_url(lambda url: "/sign-in" not in url or "/sign-in/two-factor" in url)
        if "/sign-in/two-factor" in page.url and demo_email(who) in ENROLLED:
            page.get_by_label("Code from your authenticator app").fill(second_factor_code(who))
            page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)
        # Attached, not visible: on a phone the navigation folds behind its Menu button.
        page.get_by_role("button", name="Sign out", include_hidden=True).wait_for(state="attached")
    return page


@pytest.fixture(name="sign_in")
def sign_in_fixture() -> Callable:
    """`sign_in(page, "chair.wgeti")`: sign an open page in through the real form."""
    return sign_in


@pytest.fixture
def signed_in(new_page) -> Callable:
    """`signed_in("chair.wgeti", phone=False)`: a new page in a new context, signed in."""

    def make(who: str, phone: bool = False, password: str = DEMO_PASSWORD):
        page = new_page(phone=phone)
        return sign_in(page, who, password)

    return make


# ---- the accessibility check ----------------------------------------------------------------


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v["nodes"][:3]:
            why = [
                line.strip()
                for line in (node.get("failureSummary") or "").splitlines()
                if line.strip() and not line.startswith("Fix ")
            ]
            lines.append(f"    at {json.dumps(node['target'])}: {why[0] if why else ''}")
            lines.append(f"       {node.get('html', '')[:160]}")
        if len(v["nodes"]) > 3:
            lines.append(f"    ... and {len(v['nodes']) - 3} more")
    return "\n".join(lines)


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now; the violations."""
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS} is missing: run `npm ci --prefix tests/browser` first.", pytrace=False
        )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations;
        }""",
        AXE_TAGS,
    )


def check_axe(page, label: str | None = None) -> None:
    """Fail when axe finds a serious or critical WCAG 2.1 AA violation on the page."""
    violations = run_axe(page)
    blocking = [v for v in violations if v.get("impact") in ("serious", "critical")]
    assert not blocking, (
        f"axe found {len(blocking)} serious/critical violation(s) on {label or page.url}:\n"
        + _describe(blocking)
    )


@pytest.fixture
def axe() -> Callable:
    """`axe(page)`: assert the page has no serious or critical accessibility violation."""
    return check_axe
