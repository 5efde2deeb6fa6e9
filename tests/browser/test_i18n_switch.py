"""The language switch, as a delegate uses it: French chosen on the sign-in page stays through
sign-in, is remembered on the profile, and English comes back with one click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.catalogue import sign_in_in

pytestmark = [pytest.mark.browser, pytest.mark.i18n]


def switch(page, name: str) -> None:
    page.locator("form.language-switch").get_by_role("button", name=name, exact=True).click()


def test_a_delegate_picks_french_before_signing_in_and_keeps_it(new_page, axe):
    page = new_page()
    page.goto("/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch(page, "Français")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter à consult")
    current = page.locator("form.language-switch [aria-current='true']")
    expect(current).to_have_text("Français")
    expect(current).to_have_attribute("lang", "fr")
    axe(page, "sign-in page in French")

    sign_in_in(page, "fr", "delegate.thailand")
    try:
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes salles")
        expect(page.locator("html")).to_have_attribute("lang", "fr")

        # Remembered on the profile: a new browser signed in as the same person reads French.
        page.goto("/profile")
        expect(page.locator("select#language")).to_have_value("fr")
        other = new_page()
        other.goto("/sign-in")
        sign_in_in(other, "en", "delegate.thailand")
        expect(other.get_by_role("heading", level=1)).to_have_text("Mes salles")
    finally:
        # One click back to English (the demo's other tests read this person in English).
        page.goto("/")
        switch(page, "English")
        expect(page.get_by_role("heading", level=1)).to_have_text("My rooms")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_on_a_phone_the_switch_is_in_view_signed_out_and_behind_menu_signed_in(new_page, signed_in):
    page = new_page(phone=True)
    page.goto("/sign-in")
    expect(page.locator("form.language-switch")).to_be_visible()

    phone = signed_in("delegate.india", phone=True)
    switch = phone.locator("form.language-switch")
    expect(switch).to_be_hidden()  # the first screen is the page's own
    phone.get_by_role("button", name="Menu").click()
    expect(switch.get_by_role("button", name="Español")).to_be_visible()
