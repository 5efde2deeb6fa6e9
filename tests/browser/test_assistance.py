"""Needs and assistance in the browser: South Africa files a request for assistance, the
Secretariat matches it with Germany's offer, and the two parties, each in their own browser,
meet in the new private room; a third State cannot open it."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.library, pytest.mark.browser]


def test_a_request_is_matched_with_an_offer_and_the_parties_meet_in_their_room(signed_in, axe):
    title = f"Licensing system for brokering {secrets.token_hex(3)}"
    state = signed_in("delegate.southafrica")
    state.get_by_role("navigation", name="Main").get_by_role("link", name="Assistance").click()
    expect(state.locator("#vtf-calls")).to_contain_text("days left")  # the Fund's call
    axe(state, "the requests and offers")
    state.get_by_role("link", name="File a request for assistance").click()
    state.get_by_label("Title").fill(title)
    state.get_by_label("What is needed, and the situation now (Markdown)").fill(
        "We are setting up the **registration of brokers** and need help with the licensing "
        "procedure."
    )
    state.get_by_label("Licensing system").check()
    state.get_by_label("Open to all States Parties and signatory States").check()
    state.get_by_label("Stages of implementation and sub-topics").select_option(
        label="Application and authorisation of arms transfers: Licence application procedures"
    )
    axe(state, "the request form")
    state.get_by_role("button", name="File the request").click()
    expect(state.get_by_text("Your request is filed.")).to_be_visible()
    expect(state.get_by_role("heading", level=1)).to_have_text(title)
    expect(state.locator("#request-status")).to_have_text("Open")
    axe(state, "the request's page")
    request_url = state.url

    secretariat = signed_in("secretariat")
    secretariat.goto("/assistance/overview")
    expect(secretariat.locator("#needs-table")).to_be_visible()
    axe(secretariat, "the overview of unmet needs")
    secretariat.get_by_role("link", name=f"Match {title}").click()
    secretariat.get_by_label("Germany: Licensing and control list expertise (BAFA)").check()
    axe(secretariat, "the match form")
    secretariat.get_by_role("button", name="Match and open the room").click()
    expect(secretariat.get_by_text("The request is matched.").first).to_be_visible()
    room_heading = f"Assistance: {title}"
    expect(secretariat.get_by_role("heading", level=1)).to_have_text(room_heading)
    room_url = secretariat.url

    # The requesting State finds the room from its request's page.
    state.goto(request_url)
    expect(state.locator("#request-status")).to_have_text("Matched")
    state.get_by_role("link", name=re.compile(r"^Open the room")).click()
    expect(state.get_by_role("heading", level=1)).to_have_text(room_heading)

    # The donor, in another browser, is told and opens the room from the notification.
    donor = signed_in("delegate.germany")
    donor.goto("/notifications/")
    donor.get_by_role("link", name=re.compile(re.escape(f"“{title}”"))).click()
    expect(donor.get_by_role("heading", level=1)).to_have_text(room_heading)
    expect(donor.get_by_text("South Africa").first).to_be_visible()

    # Another State sees the open request but not the parties' room.
    other = signed_in("delegate.philippines")
    assert other.goto(room_url).status == 404
