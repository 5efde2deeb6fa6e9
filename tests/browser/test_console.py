"""The chair's console under pressure, on three screens at once (the chair's console, a remote
delegate's live view, the room's screen; and the projector opened by its screen link, with
nobody signed in): "Next item" asks before it loses anyone, Undo puts
the floor back as it was (speaker, time left, list) everywhere; a point of order interrupts a
speaker, who resumes with the time that was left. Focus is checked after each console action,
and the live regions keep their element (a screen reader announces what changes in them).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .test_meetings import (
    LIVE,
    countdown,
    current_item,
    floor_panel,
    inscribe,
    open_three_views,
    prepare_meeting,
    read_countdowns,
    speaker,
    speakers_list,
    unique,
)

pytestmark = [pytest.mark.meetings, pytest.mark.live]

ITEMS = ["Exchange of national practice on diversion", "Any other business"]


def mark_regions(page) -> None:
    """Tag the live regions' elements: a swap that re-created them would lose the tag."""
    page.evaluate(
        """() => document.querySelectorAll('[data-live]').forEach(
            (el) => { el.__kept = true; })"""
    )


def regions_kept(page) -> bool:
    return page.evaluate(
        """() => ['current-title', 'speaker-now'].every(
            (id) => document.getElementById(id) && document.getElementById(id).__kept === true)"""
    )


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def expect_focus(page, element_id: str) -> None:
    expect(page.locator(f"#{element_id}")).to_be_focused()


def projector_by_link(chair, new_page, meeting_id: int):
    """The room's projector: a screen link the chair makes, opened where nobody signs in."""
    chair.goto(f"/meetings/{meeting_id}/screens")
    chair.get_by_role("button", name="Make a screen link").click()
    url = chair.get_by_label("The new screen link (shown only now: copy it)").input_value()
    projector = new_page(viewport={"width": 1920, "height": 1080})
    projector.goto(url)
    expect(projector.locator("#screen-panel")).to_contain_text("Nobody has the floor")
    return projector


def expect_projector(projector, item: str, speaker_name: str | None, waiting: list[str]) -> None:
    panel = projector.locator("#screen-panel")
    expect(panel).to_contain_text(item, timeout=LIVE)
    name = projector.locator(".screen-speaker-name")
    if speaker_name is None:
        expect(panel).to_contain_text("Nobody has the floor", timeout=LIVE)
    else:
        expect(name).to_have_text(speaker_name, timeout=LIVE)
    expect(projector.locator(".screen-queue-list > li")).to_have_text(
        [re.compile(w) for w in waiting], timeout=LIVE
    )


def test_next_item_asks_carries_and_undo_restores_the_floor_on_three_screens(
    signed_in, new_page, axe
):
    chair = signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", unique("Consultation on Article 11"), ITEMS)
    projector = projector_by_link(chair, new_page, meeting_id)
    screen = signed_in("secretariat")
    delegate = signed_in("delegate.philippines")
    open_three_views(chair, delegate, screen, meeting_id, "Maria Santos")
    pages = (chair, delegate, screen)

    # Japan speaks; Germany (a flag in the room) and the Philippines (remote) wait.
    inscribe(chair, "Japan")
    inscribe(chair, "Germany")
    floor_panel(delegate).get_by_role("button", name="Ask for the floor on item 1").click()
    expect(floor_panel(delegate)).to_contain_text("Your place: 3", timeout=LIVE)
    chair.locator("#control-give-floor").focus()
    chair.keyboard.press("n")
    for page in pages:
        expect(speaker(page)).to_contain_text("Japan", timeout=LIVE)
        expect(speakers_list(page).get_by_role("listitem")).to_have_text(
            [re.compile("Germany"), re.compile("Philippines")], timeout=LIVE
        )
    expect_focus(chair, "control-give-floor")  # kept across the swap
    expect(chair.locator("#flashes")).to_contain_text("Japan has the floor")
    expect_projector(projector, ITEMS[0], "Japan", ["Germany", "Philippines"])
    for page in pages:
        mark_regions(page)

    # "Next item" (I): the console asks first; nothing has moved yet.
    chair.locator("#control-next-item").focus()
    before = read_countdowns(pages)
    chair.keyboard.press("i")
    ask = chair.get_by_role("region", name="Confirm")
    expect(ask).to_contain_text("Move to item 2?")
    expect(ask).to_contain_text("Japan's statement ends")
    expect(ask).to_contain_text("2 requests wait on item 1: Germany, Philippines.")
    carry = ask.get_by_role("button", name="Carry them to item 2")
    expect(carry).to_be_focused()
    axe(chair, "the console asking before the next item")
    expect(current_item(screen)).to_have_text(f"Item 1: {ITEMS[0]}")

    # I again confirms: every screen moves to item 2, the requests carried with it.
    chair.keyboard.press("i")
    for page in pages:
        expect(current_item(page)).to_have_text(f"Item 2: {ITEMS[1]}", timeout=LIVE)
        expect(speaker(page)).to_contain_text("Nobody has the floor.", timeout=LIVE)
        expect(speakers_list(page).get_by_role("listitem")).to_have_text(
            [re.compile("Germany"), re.compile("Philippines")], timeout=LIVE
        )
    expect_focus(chair, "control-next-item")  # back on the control that asked
    expect(chair.locator("#flashes")).to_contain_text("Next item: 2. Any other business")
    expect(floor_panel(delegate)).to_contain_text("Your place: 2", timeout=LIVE)
    expect_projector(projector, ITEMS[1], None, ["Germany", "Philippines"])
    # The socket update changed the text inside the live regions, not the regions.
    for page in (delegate, screen):
        assert regions_kept(page), f"{page.url}: a live region was re-created"
        expect(page.locator("#current-title[aria-live=polite]")).to_have_text(f"Item 2: {ITEMS[1]}")

    # Undo (U): the floor as it was, on every screen, with the time that was left.
    undo = chair.get_by_role("button", name=re.compile(r"^Undo"))
    expect(undo).to_be_visible()
    axe(chair, "the console offering Undo")
    chair.keyboard.press("u")
    for page in pages:
        expect(current_item(page)).to_have_text(f"Item 1: {ITEMS[0]}", timeout=LIVE)
        expect(speaker(page)).to_contain_text("Japan", timeout=LIVE)
        expect(speakers_list(page).get_by_role("listitem")).to_have_text(
            [re.compile("Germany"), re.compile("Philippines")], timeout=LIVE
        )
    expect(floor_panel(delegate)).to_contain_text("Your place: 2", timeout=LIVE)
    expect_projector(projector, ITEMS[0], "Japan", ["Germany", "Philippines"])
    expect(chair.locator("#flashes")).to_contain_text("Undone: Next item")
    expect_focus(chair, "control-next-item")
    after = read_countdowns(pages)
    for was, now in zip(before, after, strict=True):
        # The displays round to whole seconds; the clock ran only while the question was open.
        assert -1.5 <= was - now <= 6, f"the time left was {before}, it is {after} after undo"
    for page in (delegate, screen):
        assert regions_kept(page), f"{page.url}: a live region was re-created"

    # The Philippines' remove button names the delegation; removing asks; Escape cancels.
    remove = chair.get_by_role("button", name="Remove Philippines")
    remove.click()
    expect(chair.get_by_role("region", name="Confirm")).to_contain_text(
        "Take Philippines off the speakers' list of item 1?"
    )
    expect(chair.locator("#console-ask [data-confirm]")).to_be_focused()
    chair.keyboard.press("Escape")
    expect(chair.get_by_role("region", name="Confirm")).to_have_count(0)
    expect(speakers_list(screen).get_by_role("listitem")).to_have_count(2)


def test_a_point_of_order_interrupts_and_the_speaker_resumes_with_the_time_left(signed_in):
    chair = signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", unique("Consultation on Article 7"), ITEMS)
    screen = signed_in("secretariat")
    delegate = signed_in("delegate.philippines")
    open_three_views(chair, delegate, screen, meeting_id, "Maria Santos")
    pages = (chair, delegate, screen)

    inscribe(chair, "Japan")
    chair.get_by_role("button", name="Next speaker").click()
    for page in pages:
        expect(speaker(page)).to_contain_text("Japan", timeout=LIVE)
    expect_focus(chair, "control-give-floor")

    # The Philippines raise a point of order while Japan speaks.
    floor = floor_panel(delegate)
    floor.get_by_label("I ask for the floor for").select_option(label="Point of order")
    floor.get_by_role("button", name="Ask for the floor on item 1").click()
    expect(floor).to_contain_text("Your place: 1", timeout=LIVE)
    big = chair.locator("#live-panel .countdown-big")
    expect(big).to_have_text(re.compile(r"^2:5[0-5]$"), timeout=LIVE)  # Japan spoke 5 s
    give = chair.get_by_role("button", name="Give the floor to Philippines")
    give.focus()
    left_before = countdown(chair)
    give.press("Enter")  # no question: the statement is suspended, not ended
    for page in pages:
        expect(speaker(page)).to_contain_text("Philippines", timeout=LIVE)
        # The time left of a statement that stands is a duration; only running clocks tick.
        expect(speaker(page)).to_contain_text(
            re.compile(r"Interrupted: Japan, (\d+ min ?)?(\d+ sec)? left")
        )
    expect(floor).to_contain_text("You have the floor.", timeout=LIVE)
    expect(delegate.locator("#floor-announce")).to_have_text("You have the floor.")
    # The row that had focus is gone: focus moves on to the console's main control.
    expect_focus(chair, "control-give-floor")
    # The point of order takes its time (its own clock runs); Japan's clock stands.
    expect(big).to_have_text(re.compile(r"^2:5[0-7]$"), timeout=LIVE)
    for page in pages:
        shown = page.locator("#live-panel .suspended").inner_text()
        minutes, seconds = re.search(r"(?:(\d+) min ?)?(?:(\d+) sec)? left", shown).groups()
        assert -1 <= left_before - (int(minutes or 0) * 60 + int(seconds or 0)) <= 2, shown

    # N: the point of order ends, and Japan has the floor back with the time that was left.
    chair.keyboard.press("n")
    expect(chair.get_by_role("region", name="Confirm")).to_have_count(0)
    for page in pages:
        expect(speaker(page)).to_contain_text("Japan", timeout=LIVE)
        expect(page.locator("#live-panel .suspended")).to_have_count(0)
    expect(chair.locator("#flashes")).to_contain_text("Japan has the floor back")
    for page, left in zip(pages, read_countdowns(pages), strict=True):
        # Not a fresh 3:00: the time that was left (the displays round to whole seconds).
        assert left_before - 3 <= left <= left_before + 1.5, (page.url, left_before, left)
    expect_focus(chair, "control-give-floor")

    # The record shows the interruption.
    chair.locator("#control-end-turn").focus()
    chair.keyboard.press("e")
    expect(chair.get_by_role("region", name="Confirm")).to_contain_text("End Japan's statement")
    expect(chair.locator("#console-ask [data-confirm]")).to_be_focused()
    chair.keyboard.press("e")  # the second press confirms
    expect(speaker(screen)).to_contain_text("Nobody has the floor.", timeout=LIVE)
    chair.get_by_role("link", name="Record").click()
    turns = chair.get_by_role("table", name="Speakers on item 1").locator("tbody tr")
    expect(turns).to_have_count(2)
    expect(turns.nth(0)).to_contain_text("Japan")
    expect(turns.nth(0)).to_contain_text("interrupted by a point of order (Philippines)")
