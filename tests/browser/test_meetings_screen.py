"""The projector by its screen link, the delegate's phone, a Chatham House meeting's record.

A screen opened by token in a context of its own (nobody signed in) follows the chair and goes
dark when the link is revoked; it fits 1920x1080 and 1280x720 without scrolling. A delegate on
a 375x740 phone asks for the floor from the first screen. The record of a meeting held under
the Chatham House Rule names no delegation to a delegate.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .test_meetings import LIVE, inscribe, prepare_meeting, unique, wait_until_live

pytestmark = [pytest.mark.live, pytest.mark.meetings]


def fits(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollHeight <= window.innerHeight + 1"
        " && document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def test_a_screen_by_link_follows_the_chair_and_goes_dark_when_revoked(signed_in, new_page, axe):
    title = unique("Screen test")
    items = [f"Point {n:02d} of the agenda" for n in range(1, 13)]
    chair = signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", title, items)
    chair.goto(f"/meetings/{meeting_id}/screens")
    chair.get_by_label("Which screen (optional)").fill("Left of the podium")
    chair.get_by_role("button", name="Make a screen link").click()
    url = chair.get_by_label("The new screen link (shown only now: copy it)").input_value()
    assert "/screen/" in url
    axe(chair, "the chair's screens page")

    projector = new_page(viewport={"width": 1920, "height": 1080})  # nobody signed in
    projector.goto(url)
    panel = projector.locator("#screen-panel")
    expect(panel).to_contain_text(f"Item 1 {items[0]}")
    expect(panel).to_contain_text("Nobody has the floor")
    assert "Live updates" not in projector.content()

    # The chair's own preview (signed in, no link) follows the meeting too.
    preview = chair.context.new_page()
    preview.goto(f"/meetings/{meeting_id}/projector")
    expect(preview.locator("#screen-panel")).to_contain_text("Nobody has the floor")
    chair.goto(f"/meetings/{meeting_id}/console")
    wait_until_live(chair)
    inscribe(chair, "Japan")
    inscribe(chair, "Philippines")
    expect(panel.get_by_role("listitem")).to_have_text(
        [re.compile(r"Japan\s+In the room"), re.compile(r"Philippines\s+In the room")],
        timeout=LIVE,
    )
    chair.get_by_role("button", name="Next speaker").click()
    expect(projector.locator(".screen-speaker-name")).to_have_text("Japan", timeout=LIVE)
    expect(preview.locator(".screen-speaker-name")).to_have_text("Japan", timeout=LIVE)
    expect(projector.locator(".countdown-big")).to_have_text(re.compile(r"^[23]:\d\d$"))
    assert fits(projector)
    axe(projector, "the projector's screen")

    # The chair puts the agenda on the screen: a long one condenses around the current item.
    chair.goto(f"/meetings/{meeting_id}/screens")
    chair.get_by_label("The screen shows").select_option(label="The agenda")
    chair.get_by_role("button", name="Show it").click()
    expect(projector.locator(".screen-agenda-list")).to_contain_text("more items", timeout=LIVE)
    for size in ({"width": 1920, "height": 1080}, {"width": 1280, "height": 720}):
        projector.set_viewport_size(size)
        assert fits(projector), f"the screen scrolls at {size}"

    # Revoked: the screen goes dark within seconds, and the link opens nothing any more.
    chair.get_by_role("button", name="Revoke Left of the podium").click()
    expect(chair.get_by_text("The screen link is revoked")).to_be_visible()
    expect(projector.locator(".screen-status")).to_have_text(
        re.compile("This screen link no longer works"), timeout=LIVE
    )
    expect(projector.locator("#screen-panel")).to_have_count(0)
    assert projector.goto(url).status == 404


def test_a_delegate_on_a_phone_asks_for_the_floor_from_the_first_screen(signed_in, axe):
    title = unique("Phone test")
    chair = signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", title, ["Exchange of views"])
    chair.goto(f"/meetings/{meeting_id}/console")
    inscribe(chair, "Japan")
    chair.get_by_role("button", name="Next speaker").click()
    expect(chair.locator("#live-panel .speaker-name")).to_contain_text("Japan")

    # The desk records the Philippines' delegate in the room (she has not opened anything yet).
    desk = chair.get_by_role("region", name="Record attendance at the desk")
    desk.get_by_label("Person").select_option(label="Maria Santos")
    desk.get_by_label("Presence").select_option(label="In the room")
    desk.get_by_role("button", name="Record presence").click()
    attendance = chair.get_by_role("region", name="Attendance")
    attendance.get_by_text("Everyone attending").click()
    expect(attendance.get_by_role("button", name="Mark Maria Santos remote")).to_be_visible()

    phone = signed_in("delegate.philippines", phone=True)
    phone.goto(f"/meetings/{meeting_id}/live")
    wait_until_live(phone)
    expect(phone.get_by_label("I am")).to_have_value("in_room")
    height = phone.viewport_size["height"]
    ask = phone.get_by_role("button", name="Ask for the floor on item 1")
    for first in (
        phone.locator("#current-title"),
        phone.locator("#live-panel .speaker-name"),
        phone.locator("#live-panel .countdown-big"),
        ask,
    ):
        box = first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, (
            f"{first} is below the first screen ({box})"
        )
    # The navigation folds behind a menu button that opens it.
    expect(phone.get_by_role("link", name="My rooms")).to_be_hidden()
    menu = phone.get_by_role("button", name="Menu")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(phone.get_by_role("link", name="My rooms")).to_be_visible()
    menu.click()
    assert phone.evaluate("() => window.scrollY") == 0
    axe(phone, "the live view on a phone")
    ask.click()
    expect(phone.get_by_role("region", name="Ask for the floor")).to_contain_text(
        "Your delegation is on the list for item 1"
    )


def test_a_chatham_house_meetings_record_names_no_delegation(signed_in, axe):
    title = unique("Chatham test")
    chair = signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", title, ["Exchange of views"])
    chair.goto(f"/meetings/{meeting_id}/edit")
    chair.get_by_label("Held under the Chatham House Rule").check()
    chair.get_by_role("button", name="Save").click()
    expect(chair.get_by_text("Held under the Chatham House Rule.")).to_be_visible()

    delegate = signed_in("delegate.philippines")
    delegate.goto(f"/meetings/{meeting_id}/live")
    wait_until_live(delegate)
    delegate.get_by_role("button", name="Ask for the floor on item 1").click()
    expect(delegate.locator("#live-panel .queue-list")).to_contain_text(
        "a State Party", timeout=LIVE
    )

    chair.goto(f"/meetings/{meeting_id}/console")
    expect(chair.locator("#live-panel .queue-list")).to_contain_text("Philippines")
    chair.get_by_role("button", name="Next speaker").click()
    expect(chair.locator("#live-panel .speaker-name")).to_contain_text("Philippines")
    chair.get_by_role("button", name="End turn").click()
    # Ending a statement asks first; the console names the speaker to the chair.
    expect(chair.get_by_role("region", name="Confirm")).to_contain_text("Philippines")
    chair.locator("#console-ask [data-confirm]").click()
    expect(chair.locator("#live-panel .speaker")).to_contain_text("Nobody has the floor")

    delegate.goto(f"/meetings/{meeting_id}/record")
    record = delegate.locator("section.card").filter(has_text="Who spoke")
    expect(record).to_contain_text("Held under the Chatham House Rule")
    expect(record.get_by_role("cell", name="a State Party")).to_be_visible()
    main = delegate.locator("main")
    for name in ("Philippines", "Japan", "Mexico"):
        expect(main).not_to_contain_text(name)
    axe(delegate, "a Chatham House meeting's record")

    # The Secretariat's participation report counts the meeting (in the room / remote).
    secretariat = signed_in("secretariat")
    secretariat.goto("/participation")
    expect(secretariat.get_by_role("heading", level=1)).to_have_text("Participation in meetings")
    expect(secretariat.get_by_role("table", name="Participation by body")).to_contain_text("WGETI")
    axe(secretariat, "the participation report")
