"""No untranslated string slips in, as a person sees it: the main pages walked in French (the
browser's preference) and then in Spanish (chosen with the switch in the header), with the
real server and Chromium, once JavaScript has filled in its parts (the live status, the
countdowns, the mention list), and no English is found outside user content.

The demo here was seeded in English by `consult demo`, so what the database holds (titles,
bodies, and the notifications and activity lines the demo wrote) is user content; the unit walk
(tests/test_walk_languages.py) seeds it in the walk's language and checks those too.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from tests.browser.conftest import DEMO_DOMAIN, DEMO_PASSWORD, serve
from tests.english_finder import EnglishFinder, place_names, user_texts_of

pytestmark = pytest.mark.i18n

LIVE_TIMEOUT = 10_000  # ms: the Socket.IO connection and the htmx swaps after it


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator:
    """A server of its own (the walk saves a language on profiles), with a database and a
    content key the test can read the user content with."""
    tmp = tmp_path_factory.mktemp("languages")
    env = {
        "CONSULT_DATABASE_URL": f"sqlite:///{tmp / 'consult.db'}",
        "CONSULT_CONTENT_KEY": Fernet.generate_key().decode(),
        "CONSULT_SECRET_KEY": secrets.token_hex(32),
    }
    for live in serve(tmp_path_factory, extra_env=env):
        yield live, env


@pytest.fixture(scope="module")
def database(server):
    """The server's database, read through the application's models (its own app)."""
    from consult import create_app
    from consult.config import TestConfig

    _live, env = server
    config = type(
        "WalkConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": env["CONSULT_DATABASE_URL"],
            "CONTENT_KEY": env["CONSULT_CONTENT_KEY"],
        },
    )
    app = create_app(config)
    with app.app_context():
        yield app


@pytest.fixture(scope="module")
def finder(database) -> EnglishFinder:
    from consult.extensions import db
    from consult.markdown import render

    try:
        texts = user_texts_of(db.session, db.metadata, leave_out={"audit_event", "mail_outbox"})
        texts |= place_names("fr") | place_names("es")
    finally:
        db.session.remove()  # the transaction would hold the server's write lock
    return EnglishFinder(texts, markdown=render)


@pytest.fixture(scope="module")
def pages(database) -> dict[str, list[tuple[str, str]]]:
    """Who walks which pages (found in the demo as the unit walk finds them)."""
    from consult.accounts.models import Delegation
    from consult.extensions import db
    from consult.meetings.models import Meeting
    from tests.test_walk_languages import common_pages

    try:
        meeting = db.session.scalar(select(Meeting.id).where(Meeting.title.like("WGETI inter%")))
        deu = db.session.scalar(select(Delegation.id).where(Delegation.short_name == "DEU"))
        common = [p for p in common_pages() if "404" not in p[0]]
    finally:
        db.session.remove()  # the transaction would hold the server's write lock
    return {
        "delegate.germany": common,
        "chair.wgeti": [
            ("chair's console", f"/meetings/{meeting}/console"),
            ("screens", f"/meetings/{meeting}/screens"),
            ("record", f"/meetings/{meeting}/record"),
            ("new meeting", "/rooms/wgeti/meetings/new"),
        ],
        "secretariat": [
            ("administration", "/admin/"),
            ("people", "/admin/people"),
            ("rooms", "/admin/rooms"),
            ("new room", "/admin/rooms/new"),
            ("audit log", "/admin/audit"),
            ("participation", "/participation"),
            ("a delegation's people", f"/delegations/{deu}/people"),
        ],
    }


def _context(browser, live, locale: str):
    context = browser.new_context(
        base_url=live.base_url,
        viewport={"width": 1280, "height": 800},
        locale=locale,
        timezone_id="Europe/Zurich",
    )
    context.set_default_timeout(10_000)
    return context


def _sign_in(page, who: str) -> None:
    """Through the form, found by its fields' names: its labels are in the page's language."""
    page.goto("/sign-in")
    page.locator("input[name=email]").fill(f"{who}@{DEMO_DOMAIN}")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click(no_wait_after=True)
    page.wait_for_url(lambda url: "/sign-in" not in url, timeout=20_000)


def _read(page, finder: EnglishFinder, label: str, found: dict, lang: str) -> None:
    html = page.content()
    assert f'<html lang="{lang}"' in html, f"{label} ({page.url}) is not in {lang}"
    items = [str(f) for f in finder.find(html)]
    if items:
        found[f"{label} ({page.url})"] = items


def _walk(page, finder, pages, lang: str, found: dict) -> None:
    for label, path in pages:
        response = page.goto(path)
        assert response is not None and response.ok, f"{label} {path}: {response.status}"
        page.wait_for_load_state("networkidle")
        # Every signed-in page opens the live channel; its status is written by JavaScript.
        page.locator(".live-status[data-state=connected]").wait_for(
            state="attached", timeout=LIVE_TIMEOUT
        )
        _read(page, finder, label, found, lang)


def test_the_main_pages_read_no_english_in_french_then_in_spanish(browser, server, finder, pages):
    live, _env = server
    found: dict[str, list[str]] = {}
    # French: the browser asks for it; signed out first, then each person.
    context = _context(browser, live, "fr-FR")
    try:
        page = context.new_page()
        page.goto("/sign-in")
        _read(page, finder, "sign-in", found, "fr")
        page.goto("/no-such-page")
        _read(page, finder, "not found", found, "fr")
        for who, walked in pages.items():
            _sign_in(page, who)
            _walk(page, finder, walked, "fr", found)
            page.locator("form[action$='/sign-out'] [type=submit]").first.click()
            page.wait_for_url(lambda url: "/sign-in" in url)
    finally:
        context.close()

    # Spanish: an English browser; each person picks Español in the header's switch.
    context = _context(browser, live, "en-GB")
    try:
        page = context.new_page()
        page.goto("/sign-in")
        page.locator(".language-switch button[value=es]").click()
        page.wait_for_load_state("networkidle")
        _read(page, finder, "sign-in", found, "es")
        for who, walked in pages.items():
            _sign_in(page, who)
            _walk(page, finder, walked, "es", found)
            page.locator("form[action$='/sign-out'] [type=submit]").first.click()
            page.wait_for_url(lambda url: "/sign-in" in url)
    finally:
        context.close()

    report = "\n".join(
        f"{where}:\n  " + "\n  ".join(items) for where, items in sorted(found.items())
    )
    assert not found, f"English on {len(found)} pages:\n{report}"


def test_the_walk_would_see_english(browser, server, finder):
    """The same reading on an English page finds English: the walk is not blind."""
    live, _env = server
    context = _context(browser, live, "en-GB")
    try:
        page = context.new_page()
        page.goto("/sign-in")
        html = page.content().replace('<html lang="en"', '<html lang="fr"', 1)
        assert finder.find(html), "an English sign-in page passed for French"
    finally:
        context.close()
