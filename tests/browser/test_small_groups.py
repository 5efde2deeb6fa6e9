"""A small group as the WGETI Chair and the Secretariat notice it: the Chair opens one under
WGETI with Nigeria; the Secretariat finds it in its list, closes it after confirming, and
reopens it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.exchange, pytest.mark.browser]


def test_the_chair_opens_a_small_group_and_the_secretariat_closes_it(signed_in, axe):
    chair = signed_in("chair.wgeti")
    chair.goto("/rooms/wgeti")
    chair.get_by_role("link", name="Open a small group").click()
    axe(chair, "the small group form")
    chair.get_by_label("Title").fill("Drafting group on transit")
    chair.get_by_role("group", name="Delegations").get_by_label("Nigeria").check()
    chair.get_by_role("button", name="Open the small group").click()
    expect(chair.get_by_text("you chair it").first).to_be_visible()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Drafting group on transit")

    secretariat = signed_in("secretariat")
    secretariat.goto("/admin/small-groups")
    row = secretariat.locator("tr").filter(has_text="Drafting group on transit")
    expect(row).to_contain_text("WGETI")
    expect(row).to_contain_text("Ricardo Salinas")  # the WGETI Chair, who opened it
    row.get_by_role("link", name="Close…").click()
    secretariat.get_by_role("button", name="Close the small group").click()
    expect(secretariat.get_by_text("is closed. Reopen it")).to_be_visible()
    row = secretariat.locator("tr").filter(has_text="Drafting group on transit")
    row.get_by_role("button", name="Reopen").click()
    expect(secretariat.get_by_text("is open again")).to_be_visible()
