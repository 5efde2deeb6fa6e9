"""A group statement as a group makes one: the coordinator opens it, two members edit it, one
objects and withdraws the objection, the coordinator records consensus and delivers the
statement as a comment on behalf of the African Group on a WGETI paper."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.exchange]

WGETI_PAPER = "Draft decision on the WGETI work plan"


def test_statement_from_draft_to_delivery(signed_in, axe):
    title = f"Statement on the work plan {secrets.token_hex(3)}"
    coordinator = signed_in("coordinator.african")
    coordinator.goto("/rooms/african-group")
    coordinator.get_by_role("link", name="Open a statement").click()
    coordinator.get_by_label("Title").fill(title)
    coordinator.get_by_label("First draft (Markdown)").fill(
        "The African Group supports the work plan.\n\nThe Group asks for two meetings."
    )
    coordinator.get_by_role("button", name="Open the draft").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(title)
    statement_url = coordinator.url
    assert re.search(r"/statements/\d+$", statement_url)

    for who, text in (
        ("npc.nigeria", "The African Group strongly supports the work plan."),
        ("delegate.southafrica", "The Group asks for two meetings a year."),
    ):
        member = signed_in(who)
        member.goto(statement_url)
        member.get_by_role("link", name="Text, revisions and comments").click()
        member.get_by_role("link", name="Issue a new revision").click()
        source = member.get_by_label("Text (Markdown)")
        current = source.input_value()
        first, second = current.split("\n\n", 1)
        new = f"{text}\n\n{second}" if who == "npc.nigeria" else f"{first}\n\n{text}"
        source.fill(new)
        member.get_by_role("button", name="Issue the revision").click()
        expect(member.get_by_text("is issued. Comments moved with their text.")).to_be_visible()
        member.context.close()

    coordinator.goto(statement_url)
    coordinator.get_by_label("Agree by").fill("2099-01-01T12:00")
    coordinator.get_by_role("button", name="Ask the group to agree").click()
    expect(coordinator.get_by_text("The group is asked to agree.")).to_be_visible()
    expect(coordinator.get_by_text("strongly supports the work plan")).to_be_visible()

    southafrica = signed_in("delegate.southafrica")
    southafrica.goto(statement_url)
    southafrica.get_by_label("Object", exact=True).check()
    southafrica.get_by_role("button", name="Record our position").click()
    expect(southafrica.get_by_text("Say why your delegation objects.")).to_be_visible()
    axe(southafrica, "a statement's page, with an objection refused for want of a reason")
    southafrica.get_by_label("Object", exact=True).check()
    southafrica.get_by_label("Reason (required to object)").fill("Two meetings are too many.")
    southafrica.get_by_role("button", name="Record our position").click()
    expect(southafrica.get_by_text("Your delegation's objection is recorded.")).to_be_visible()

    coordinator.goto(statement_url)
    coordinator.get_by_label("The group has agreed").check()
    coordinator.get_by_role("button", name="Record consensus").click()
    expect(coordinator.get_by_text("consensus cannot be recorded")).to_be_visible()

    southafrica.get_by_label("Withdraw our objection").check()
    southafrica.get_by_role("button", name="Record our position").click()
    expect(southafrica.get_by_text("Your delegation's objection is withdrawn.")).to_be_visible()

    coordinator.goto(statement_url)
    coordinator.get_by_label("The group has agreed").check()
    coordinator.get_by_role("button", name="Record consensus").click()
    expect(
        coordinator.get_by_text("Consensus is recorded: the statement is final.")
    ).to_be_visible()
    axe(coordinator, "a final statement's page, with the delivery forms")
    paper = coordinator.get_by_label("Paper", exact=True)
    value = paper.locator("option", has_text=WGETI_PAPER).first.get_attribute("value")
    paper.select_option(value)
    coordinator.get_by_label("Paragraph number").fill("1")
    coordinator.get_by_role("button", name="Post on behalf of the African Group").click()
    expect(
        coordinator.get_by_text("The statement is posted on behalf of the African Group.")
    ).to_be_visible()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(WGETI_PAPER)
    # The comment in its paragraph's thread, speaking for the group, with the agreed text.
    match = re.search(r"/papers/(\d+)#para-(\w+)$", coordinator.url)
    assert match, coordinator.url
    coordinator.goto(f"/papers/{match.group(1)}/p/{match.group(2)}")
    comment = coordinator.get_by_role("article").filter(has_text="strongly supports the work plan")
    expect(comment).to_have_count(1)
    expect(comment.get_by_text(re.compile(r"^the African Group \(Senegal\)"))).to_be_visible()
