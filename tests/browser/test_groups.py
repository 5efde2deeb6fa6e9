"""On behalf of a group, as people use it: South Africa's delegate comments for the African
Group and sees it pending the group's confirmation; Germany's delegate, in the same room, does
not see it; Nigeria (the group's coordinator) confirms it, and Germany's open page shows it,
on behalf of the African Group, without a reload."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.exchange, pytest.mark.browser]

LIVE_UPDATE_TIMEOUT = 10_000  # ms
PAPER = "Draft decision on the WGETI work plan"


def open_paper(page) -> None:
    page.goto("/rooms/wgeti")
    page.get_by_role("link", name=PAPER).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PAPER)


def thread_of(page, number: int):
    para = page.locator("article.paragraph").filter(
        has=page.get_by_role("link", name=f"Paragraph {number}", exact=True)
    )
    para.get_by_role("link", name=re.compile(r"^(Comment|\d+ comments?)$")).click()
    thread = para.locator(".thread[data-loaded='true']")
    expect(thread).to_be_visible()
    return thread


def test_a_comment_for_the_group_waits_for_its_coordinator(signed_in):
    body = f"The African Group asks for a reporting template ({secrets.token_hex(3)})."

    # South Africa's delegate comments on ¶3 on behalf of the African Group.
    author = signed_in("delegate.southafrica")
    open_paper(author)
    thread = thread_of(author, 3)
    thread.get_by_label("Your comment on ¶3 (Markdown)").fill(body)
    thread.get_by_label("On behalf of").select_option(label="the African Group")
    thread.get_by_role("button", name="Post comment").click()
    mine = author.locator("li.comment", has_text=body)
    expect(mine).to_be_visible()
    expect(mine).to_contain_text("pending the group's confirmation")

    # Germany's delegate, a member of the room, sees nothing of it (the thread open, live).
    other = signed_in("delegate.germany")
    open_paper(other)
    expect(
        other.get_by_role("status").filter(has_text=re.compile("connected", re.I))
    ).to_be_visible()
    other_thread = thread_of(other, 3)
    expect(other_thread.locator("li.comment", has_text=body)).to_have_count(0)

    # Nigeria coordinates the group: the dashboard says what waits, the link leads to it.
    coordinator = signed_in("npc.nigeria")
    waiting = coordinator.get_by_role("region", name="Waiting for you")
    line = waiting.get_by_role("listitem").filter(has_text="South Africa").filter(has_text=PAPER)
    expect(line.first).to_contain_text("On behalf of the group: to confirm")
    line.first.get_by_role("link").click()
    pending = coordinator.locator("li.comment", has_text=body)
    expect(pending).to_contain_text("pending the group's confirmation")
    pending.get_by_role("button", name="Confirm for the group").click()
    confirmed = coordinator.locator("li.comment", has_text=body)
    expect(confirmed).not_to_contain_text("pending")

    # Everyone in the room sees it now, on behalf of the African Group: Germany without a
    # reload, South Africa with the badge gone.
    seen = other_thread.locator("li.comment", has_text=body)
    expect(seen).to_be_visible(timeout=LIVE_UPDATE_TIMEOUT)
    expect(seen).to_contain_text("the African Group (South Africa)")
    author.reload()
    expect(thread_of(author, 3).locator("li.comment", has_text=body)).not_to_contain_text(
        "pending the group's confirmation"
    )


def test_a_floor_request_for_the_group_waits_and_can_be_declined(signed_in):
    """South Africa asks for the floor for the African Group in the demo's live session: it
    is not on the speakers' list; Nigeria's open floor panel lists it to confirm, without a
    reload; Nigeria declines (so the shared demo meeting's list is left as it was)."""
    coordinator = signed_in("npc.nigeria")
    coordinator.goto("/rooms/wgeti")
    href = coordinator.get_by_role(
        "link", name="WGETI intersessional session (hybrid)"
    ).first.get_attribute("href")
    meeting = re.search(r"/meetings/(\d+)", href).group(1)
    coordinator.goto(f"/meetings/{meeting}/live")
    expect(
        coordinator.get_by_role("status").filter(has_text=re.compile("connected", re.I))
    ).to_be_visible()
    panel = coordinator.locator("#floor-panel")
    expect(panel).not_to_contain_text("to confirm")

    author = signed_in("delegate.southafrica")
    author.goto(f"/meetings/{meeting}/live")
    author.get_by_label("On behalf of").select_option(label="the African Group")
    author.get_by_role("button", name=re.compile(r"^Ask for the floor on item")).click()
    expect(author.locator("#floor-panel")).to_contain_text("pending the group's confirmation")
    expect(author.locator("#live-panel")).not_to_contain_text("South Africa")

    request = panel.locator("li", has_text="South Africa asks for the floor")
    expect(request).to_be_visible(timeout=LIVE_UPDATE_TIMEOUT)
    expect(request).to_contain_text("on behalf of the African Group")
    expect(coordinator.locator("#live-panel")).not_to_contain_text("South Africa")
    request.locator("summary", has_text="Decline").click()
    request.get_by_label("Reason (told to who asked; optional)").fill("Nigeria speaks for us.")
    request.locator("form button", has_text="Decline").click()
    expect(panel).not_to_contain_text("to confirm")

    author.reload()
    expect(
        author.get_by_role("button", name=re.compile(r"^Ask for the floor on item"))
    ).to_be_visible()


def test_the_secretariat_defines_a_group_on_accessible_pages(signed_in, axe):
    """The groups' pages pass axe (WCAG 2.1 AA); a group is defined through the form."""
    name = f"Friends of the Guide {secrets.token_hex(2)}"
    page = signed_in("secretariat")
    page.goto("/admin/groups")
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
    expect(page.get_by_role("row").filter(has_text="African Group")).to_contain_text("Nigeria")
    axe(page, "the groups page")
    page.get_by_role("link", name="Define a group").click()
    page.get_by_label("Name, as printed after").fill(name)
    page.get_by_label("Short name (in addresses)").fill("Not a slug")
    page.get_by_label("Member delegations").select_option(label=["Ghana", "Senegal"])
    page.get_by_label("Coordinator delegation").select_option(label="Ghana")
    page.get_by_role("button", name="Define the group").click()
    expect(page.get_by_role("alert").filter(has_text="lower-case letters")).to_be_visible()
    axe(page, "the group form showing an error")
    page.get_by_label("Short name (in addresses)").fill(f"friends-{secrets.token_hex(2)}")
    page.get_by_label("Member delegations").select_option(label=["Ghana", "Senegal"])
    page.get_by_role("button", name="Define the group").click()
    expect(page.get_by_text(f"The group {name} is defined.")).to_be_visible()
