"""Sessions as people meet them: turning on two-factor sign-in leads straight into the DIEF
room's threads; the profile with two-factor on names every field; "Keep me signed in" ends
with signing out, also for a copy of its cookie."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, ENROLLED, demo_email
from .test_confidential import confidential_member, enrol_from_the_room

pytestmark = pytest.mark.hardening

#: A DIEF member no other browser test enrols.
NEWCOMER = "focal.germany"


def test_turning_on_two_factor_reaches_the_dief_room_without_a_second_sign_in(new_page, sign_in):
    page = sign_in(new_page(), NEWCOMER)
    page.goto("/rooms/dief")
    turn_on = page.get_by_role("link", name="Turn on two-factor sign-in to see the threads")
    expect(turn_on).to_be_visible()
    enrol_from_the_room(page, NEWCOMER)  # back on /rooms/dief, threads shown
    assert demo_email(NEWCOMER) in ENROLLED
    # A thread opens too: the gate counts the setup as the sign-in it asks for.
    page.locator("ul.threads a").first.click()
    expect(page.get_by_role("note", name="Handling marking").first).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in again to continue")).to_have_count(0)


def test_the_profile_with_two_factor_on_names_every_field(new_page, axe):
    page = confidential_member(new_page, "delegate.philippines")
    page.goto("/profile")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("button", name="Turn off two-factor sign-in")).to_be_visible()
    # The password asked before new recovery codes or turning it off has its own label.
    password = page.get_by_label("Your password", exact=True)
    expect(password).to_have_attribute("id", "confirm-password")
    duplicates = page.evaluate(
        """() => {
            const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
            return ids.filter((id, i) => ids.indexOf(id) !== i);
        }"""
    )
    assert duplicates == []
    axe(page, "the profile with two-factor sign-in on")


def test_keep_me_signed_in_ends_with_signing_out(new_page):
    page = new_page()
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(demo_email("delegate.india"))
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_label("Keep me signed in on this device").check()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    remember = [c for c in page.context.cookies() if c["name"] == "remember_token"]
    assert remember, "'Keep me signed in' sets its cookie"

    # While the session lives, the cookie alone signs this device in.
    copy = new_page()
    copy.context.add_cookies(remember)
    copy.goto("/")
    expect(copy.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "remember_token"]

    replay = new_page()
    replay.context.add_cookies(remember)
    replay.goto("/")
    expect(replay.get_by_role("heading", level=1)).to_have_text("Sign in to consult")
    copy.goto("/")  # the copy that was signed in a moment ago is signed out too
    expect(copy.get_by_role("heading", level=1)).to_have_text("Sign in to consult")
