"""A Spanish-speaking delegate, as their browser asks: deadlines and meeting times read in
Spanish, day before month, 24-hour clock, the zone named by its city, how far away beside it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.catalogue import sign_in_in, words
from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.i18n]

MONTH = r"(ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic)"
DAY = r"(lun|mar|mié|jue|vie|sáb|dom)"


def test_deadlines_and_meeting_times_read_in_spanish_with_their_zone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.base_url,
        viewport=DESKTOP,
        locale="es-ES",  # Accept-Language: es-ES; the profile has no language of its own
        timezone_id="Europe/Madrid",
    )
    try:
        page = context.new_page()
        page.goto("/sign-in")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        sign_in_in(page, "es", "delegate.germany")
        expect(page.get_by_role("heading", level=1)).to_have_text(words("es", "My rooms"))

        # What waits for the delegation: the questionnaire's deadline, its zone named, and
        # how far away it is.
        waiting = page.locator("#waiting, section", has_text="Practical implementation").first
        deadline = waiting.locator(".meta", has_text=re.compile(r"\d{4}")).first
        expect(deadline).to_have_text(
            re.compile(rf"\d{{1,2}} {MONTH} 2026, \d{{2}}:\d{{2}} \(hora de [^)]+\) · dentro de ")
        )

        # The meeting: its day and hours in the meeting's zone, named, and the reader's own.
        page.goto("/rooms/wgeti")
        page.get_by_role("link", name="Working Group week").first.click()
        header = page.locator(".meta", has_text="hora de Zúrich").first
        expect(header).to_have_text(
            re.compile(
                rf"{DAY}, \d{{1,2}} {MONTH} 2026, \d{{2}}:\d{{2}}\D+\d{{2}}:\d{{2}} "
                r"\(hora de Zúrich\)"
            )
        )
        expect(header).to_contain_text("dentro de")
        expect(header).not_to_contain_text(re.compile(r"\b(AM|PM|to)\b"))
    finally:
        context.close()
