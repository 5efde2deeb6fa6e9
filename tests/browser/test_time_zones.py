"""The time-zone picker as a person uses it: typing part of a city in French narrows the list,
the chosen zone is saved and the pages' times follow it; the browser's own zone is offered
when it differs from the saved one, and choosing it saves nothing until the form is sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, _open_contexts, sign_in

pytestmark = pytest.mark.i18n


@pytest.fixture
def page_in(browser, live_server):
    """`page_in(timezone_id, locale)`: a fresh context whose browser says it is in that zone."""
    contexts = []

    def make(timezone_id: str, locale: str = "en-GB"):
        context = browser.new_context(
            base_url=live_server.base_url,
            viewport=DESKTOP,
            locale=locale,
            timezone_id=timezone_id,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        _open_contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        _open_contexts.remove(context)
        context.close()


def test_typing_part_of_a_city_in_french_finds_it_and_the_pages_follow_the_zone(page_in):
    # Kwame Mensah (chair of WGTU) works from Accra, UTC+00:00; his browser says Accra too.
    page = sign_in(page_in("Africa/Accra"), "chair.wgtu")
    page.locator(".language-switch").get_by_role("button", name="Français").click()
    page.goto("/profile")
    select = page.get_by_label("Fuseau horaire", exact=True)
    expect(select).to_have_value("Africa/Accra")
    expect(page.locator("[data-zone-suggestion]")).to_be_hidden()  # the browser agrees

    search = page.get_by_label("Trouver un fuseau horaire")
    search.press_sequentially("Genè")
    status = page.locator("#time_zone-count")
    expect(status).to_have_text(re.compile(r"^\d+ fuseaux? horaires? correspond"))
    geneva = select.locator("option", has_text="Genève")
    expect(geneva).to_have_count(1)
    expect(geneva).to_have_text(re.compile(r"^Genève, Zurich — Suisse \(UTC\+0[12]:00\)$"))
    expect(select.locator("option", has_text="Accra")).to_have_count(0)  # narrowed
    search.press("ArrowDown")  # to the list, as a keyboard user goes
    expect(select).to_be_focused()
    select.select_option(label=geneva.inner_text())
    page.get_by_role("button", name="Enregistrer les coordonnées").click()

    expect(page.get_by_text("Vos coordonnées ont été enregistrées.")).to_be_visible()
    expect(select).to_have_value("Europe/Zurich")
    footer = page.locator(".site-footer")
    expect(footer).to_contain_text("Genève, Zurich — Suisse")  # the zone by its place
    # The page's own times (this browser's session, seen just now) are Geneva's, not Accra's.
    now = datetime.now(UTC)
    shown = page.locator("ul.sessions").inner_text()
    zurich = ZoneInfo("Europe/Zurich")
    seen = {(now - timedelta(minutes=m)).astimezone(zurich).strftime("%H:%M") for m in range(3)}
    assert any(hhmm in shown for hhmm in seen), shown


def test_the_browsers_zone_is_offered_when_it_differs_and_nothing_is_saved_until_sent(
    page_in, live_server
):
    # Peter Hallam works from London; his laptop is in Madrid this week.
    page = sign_in(page_in("Europe/Madrid"), "delegate.industry")
    page.goto("/profile")
    select = page.get_by_label("Time zone", exact=True)
    expect(select).to_have_value("Europe/London")
    offer = page.locator("[data-zone-suggestion]")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Your browser says Europe/Madrid (Madrid — Spain). Use it?")
    offer.get_by_role("button", name="Use it").click()
    expect(select).to_have_value("Europe/Madrid")
    expect(offer).to_contain_text("Time zone set to Madrid — Spain. Save your details to keep it.")

    page.goto("/profile")  # not sent: nothing was saved
    expect(select).to_have_value("Europe/London")
    offer.get_by_role("button", name="Use it").click()
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Your details were saved.")).to_be_visible()
    expect(select).to_have_value("Europe/Madrid")
    expect(offer).to_be_hidden()  # now they agree: nothing to offer
