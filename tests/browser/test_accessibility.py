"""axe-core (WCAG 2.0/2.1 A and AA rules) on every page of the foundation, in the state a person
sees it: forms open, errors shown. Serious and critical violations fail the test."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import AXE_JS, sign_in
from .test_confidential import (
    brief_text,
    confidential_member,
    draft_and_submit_brief,
    open_thread,
    publish_brief,
)
from .test_meetings import (
    add_item,
    agenda_item,
    floor_panel,
    inscribe,
    prepare_meeting,
    schedule_meeting,
    speaker,
    speakers_list,
    unique,
    wait_until_live,
)


def open_page(page, path: str, heading: str | re.Pattern, status: int = 200):
    response = page.goto(path)
    assert response is not None and response.status == status, (
        f"{path} answered {response.status if response else None}, expected {status}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    return page


def test_sign_in(new_page, axe):
    axe(open_page(new_page(), "/sign-in", "Sign in to consult"))


def test_sign_in_with_an_error(new_page, axe):
    page = open_page(new_page(), "/sign-in", "Sign in to consult")
    page.get_by_label("E-mail").fill("not-an-address")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    axe(page, "the sign-in page showing errors")


def test_forgot_password(new_page, axe):
    axe(open_page(new_page(), "/password/forgot", "Reset your password"))


def test_two_factor_setup(signed_in, axe):
    page = open_page(
        signed_in("delegate.germany"), "/profile/two-factor", "Turn on two-factor sign-in"
    )
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    axe(page)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_dashboard(signed_in, axe, phone):
    page = signed_in("delegate.germany", phone=phone)
    expect(page.get_by_role("heading", level=1)).to_have_text("My rooms")
    expect(page.get_by_role("region", name="Rooms you may enter")).to_be_visible()
    axe(page)


def test_rooms_index_and_search(signed_in, axe):
    page = open_page(signed_in("delegate.germany"), "/rooms/", "All rooms")
    expect(page.get_by_role("table")).to_be_visible()
    axe(page)
    page.get_by_label("Find a room").fill("nothing matches this")
    expect(page.get_by_text("No room matches.")).to_be_visible()
    axe(page, "/rooms/ with no match")


def test_room_as_chair_with_management_forms_open(signed_in, axe):
    page = open_page(
        signed_in("chair.wgeti"),
        "/rooms/wgeti",
        "Working Group on Effective Treaty Implementation (WGETI)",
    )
    members = page.locator("#members")
    expect(members.get_by_role("heading", name="Requests to join")).to_be_visible()
    members.get_by_text("Add members", exact=True).click()
    expect(members.get_by_role("button", name="Add person")).to_be_visible()
    axe(page, "/rooms/wgeti as its chair, forms open")

    # The same panel after an htmx post that failed validation (422, errors shown).
    form = members.locator("form", has=page.get_by_role("heading", name="Add or invite a person"))
    form.get_by_role("button", name="Add person").click()
    expect(page.locator("#members").get_by_role("alert").first).to_be_visible()
    axe(page, "/rooms/wgeti as its chair, add-person form with errors")


def test_room_as_reader_with_a_pending_request(signed_in, axe):
    page = open_page(
        signed_in("delegate.india"),
        "/rooms/wgeti",
        "Working Group on Effective Treaty Implementation (WGETI)",
    )
    expect(page.get_by_role("button", name="Withdraw my request")).to_be_visible()
    axe(page)


def test_room_as_reader_who_may_ask_to_join(signed_in, axe):
    page = open_page(
        signed_in("delegate.angola"),
        "/rooms/wgeti",
        "Working Group on Effective Treaty Implementation (WGETI)",
    )
    expect(page.get_by_role("button", name="Ask to join")).to_be_visible()
    axe(page)


def test_profile(signed_in, axe):
    axe(open_page(signed_in("delegate.germany"), "/profile", "Your profile"))


@pytest.mark.hardening
def test_my_delegation_and_the_handover_form_with_an_error(signed_in, axe):
    page = signed_in("focal.germany")
    page.get_by_role("link", name="My delegation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People of Germany")
    axe(page, "My delegation, as Germany's focal point")
    page.get_by_role("link", name="Hand over Jonas Becker's rooms and roles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Hand over"))
    page.get_by_role("button", name="Hand over").click()  # nothing chosen: errors shown
    expect(page.get_by_role("alert").first).to_be_visible()
    axe(page, "the handover form with errors")


def test_not_found(signed_in, axe):
    axe(open_page(signed_in("delegate.india"), "/rooms/african-group", "Not found", status=404))


def test_not_found_signed_out(new_page, axe):
    axe(open_page(new_page(), "/no-such-page", "Not found", status=404))


MAX_ADMIN_PAGES = 30


def admin_links(page) -> list[str]:
    """The Secretariat pages a page's content links to (path and query)."""
    hrefs = page.locator("main a[href]").evaluate_all("els => els.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.startswith("/admin/") and path not in paths:
            paths.append(path)
    return paths


def test_secretariat_pages(signed_in, axe, live_server):
    """/admin/, every Secretariat page it links to, and one example of each page those link to
    (one person, one delegation ...: ids are folded so the check stays quick)."""
    page = signed_in("secretariat")
    response = page.goto("/admin/")
    assert response is not None and response.status == 200, (
        f"/admin/ answered {response.status if response else None}"
    )
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page, "/admin/")
    first_level = [p for p in admin_links(page) if p != "/admin/"]
    assert first_level, "/admin/ links to no Secretariat page"

    seen = {"/admin/"}
    queue = [(path, 1) for path in first_level]
    visited, failures = [], []
    while queue and len(visited) < MAX_ADMIN_PAGES:
        path, depth = queue.pop(0)
        kind = re.sub(r"\d+", "N", path)
        if kind in seen:
            continue
        seen.add(kind)
        response = page.goto(path)
        status = response.status if response else None
        visited.append(path)
        if status != 200:
            failures.append(f"{path} answered {status}")
            if status and status >= 500:
                failures.append("  server log:\n" + live_server.log_tail(30))
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        try:
            axe(page, path)
        except AssertionError as error:
            failures.append(str(error))
        if depth < 2:
            queue.extend((link, depth + 1) for link in admin_links(page))
    print(f"checked {len(visited) + 1} Secretariat pages: /admin/ {' '.join(visited)}")
    assert not failures, f"Secretariat pages checked: {visited}\n" + "\n".join(failures)


# ---- papers ------------------------------------------------------------------------------------

GUIDE = "Voluntary guide: Article 7 (overriding risk)"


def open_guide(page):
    """The demo's voluntary guide (three revisions, comments and a reply), from its room
    page."""
    page.goto("/rooms/wgeti-art-6-7")
    page.get_by_role("link", name=GUIDE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GUIDE)
    return page


def test_paper_with_a_thread_open(signed_in, axe):
    page = open_guide(signed_in("delegate.germany"))
    toggle = page.get_by_role("link", name=re.compile(r"^\d+ comments?$")).first
    thread_id = toggle.get_attribute("aria-controls")
    toggle.click()
    thread = page.locator(f"#{thread_id}[data-loaded='true']")
    expect(thread.get_by_role("button", name="Post comment")).to_be_visible()
    thread.get_by_text("Quote, proposed text, position").click()
    expect(thread.get_by_label("Position")).to_be_visible()
    axe(page, "a paper with a comment thread open")


def test_paper_compare(signed_in, axe):
    page = open_guide(signed_in("delegate.germany"))
    page.get_by_role("link", name="Compare revisions").click()
    # The last two revisions (the demo's Rev.1 and Rev.2, or a later one another test issued).
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Rev\.\d+ compared with Rev\.\d+$")
    )
    expect(page.locator("td.redline ins").first).to_be_visible()
    axe(page)


def test_paper_compilation(signed_in, axe):
    page = open_guide(signed_in("facilitator"))
    page.get_by_role("link", name="Compilation", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compilation of comments")
    expect(page.locator(".compilation-group").first).to_be_visible()
    axe(page)


def test_issue_a_paper_with_an_error(signed_in, axe):
    page = open_page(
        signed_in("chair.wgeti"),
        "/rooms/wgeti/papers/new",
        "Issue a paper in Working Group on Effective Treaty Implementation (WGETI)",
    )
    axe(page, "the Issue a paper form")
    page.get_by_label("Document symbol (optional)").fill("not a symbol")
    page.get_by_role("button", name="Issue Rev.0").click()
    expect(page.get_by_label("Title", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert").first).to_be_visible()
    axe(page, "the Issue a paper form showing errors")


def test_notifications(signed_in, axe):
    page = signed_in("delegate.germany")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("#notifications")).to_be_visible()
    axe(page)


# ---- meetings ----------------------------------------------------------------------------------


def test_meeting_agenda_as_chair_with_the_add_item_form(signed_in, axe):
    chair = open_page(
        signed_in("chair.wgeti"),
        "/rooms/wgeti/meetings/new",
        "Schedule a meeting of Working Group on Effective Treaty Implementation (WGETI)",
    )
    axe(chair, "the Schedule a meeting form")
    meeting_id = schedule_meeting(chair, "wgeti", unique("WGETI informal consultation"))
    add_item(chair, 1, "Exchange of national practice on diversion")
    expect(chair.get_by_role("button", name="Adopt the agenda")).to_be_visible()
    expect(chair.get_by_role("heading", name="Add an agenda item")).to_be_visible()
    axe(chair, f"/meetings/{meeting_id} as its chair, draft agenda and the add-item form")

    # The add-item form sent empty: 422, errors shown next to the fields.
    form = chair.locator("form", has=chair.get_by_role("button", name="Add item"))
    form.get_by_label("Number").fill("")
    form.get_by_role("button", name="Add item").click()
    expect(chair.get_by_role("alert").first).to_be_visible()
    axe(chair, f"/meetings/{meeting_id}: the add-item form showing errors")

    # Adopted, an item current: the per-item buttons.
    chair.get_by_role("button", name="Adopt the agenda").click()
    item = agenda_item(chair, "Exchange of national practice on diversion")
    item.get_by_role("button", name="Make current").click()
    expect(item.locator(".badge")).to_have_text("Current")
    axe(chair, f"/meetings/{meeting_id}: adopted agenda, item 1 current")


def test_meeting_live_view_console_screen_and_record(signed_in, axe):
    title = unique("WGETI informal consultation")
    chair = signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", title, ["Exchange of national practice"])
    chair.goto(f"/meetings/{meeting_id}/console")
    wait_until_live(chair)
    delegate = signed_in("delegate.germany")
    delegate.goto(f"/meetings/{meeting_id}/live")
    wait_until_live(delegate)

    # A speaker, a point of order on the floor, a list with a delegate waiting in it.
    inscribe(chair, "Japan")
    floor_panel(delegate).get_by_role("button", name="Ask for the floor on item 1").click()
    inscribe(chair, "France", kind="Point of order")
    chair.get_by_role("button", name="Next speaker").click()
    expect(speaker(chair)).to_contain_text("France")
    expect(speaker(delegate)).to_contain_text("France")
    expect(speakers_list(delegate).get_by_role("listitem")).to_have_count(2)
    expect(floor_panel(delegate)).to_contain_text("Your place: 2")
    axe(delegate, "the delegate's live view with a speaker and a list")

    expect(chair.get_by_role("region", name="Order the list")).to_be_visible()
    expect(chair.get_by_label("Ruling (one line)")).to_be_visible()
    axe(chair, "the chair's console with a point of order on the floor")

    chair.get_by_label("Ruling (one line)").fill("The point of order is well taken.")
    chair.get_by_role("button", name="Record the ruling").click()
    expect(chair.get_by_role("region", name="Rulings")).to_contain_text("well taken")
    chair.get_by_role("button", name="Next speaker").click()
    expect(speaker(chair)).to_contain_text("Japan")
    axe(chair, "the chair's console with a ruling recorded")

    screen = open_page(chair, f"/meetings/{meeting_id}/screen", title)
    expect(speaker(screen)).to_contain_text("Japan")
    axe(screen, "the screen view")

    record = open_page(chair, f"/meetings/{meeting_id}/record", title)
    expect(
        record.get_by_role("table", name="Speakers on item 1").locator("tbody tr")
    ).to_have_count(2)
    axe(record, "the meeting's record")


def test_my_meetings_calendar(signed_in, axe):
    page = signed_in("delegate.philippines")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My meetings calendar")
    axe(page, "/calendar/feed")
    page.get_by_role("button", name=re.compile(r"^Make (my calendar|a new) address$")).click()
    expect(page.get_by_label("Your calendar address")).to_have_value(re.compile(r"\.ics$"))
    axe(page, "/calendar/feed showing a new address")


# ---- confidential rooms ----------------------------------------------------------------------


def test_confidential_thread_new_thread_form_and_sign_in_again(new_page, axe):
    page = confidential_member(new_page, "npc.nigeria")
    page.get_by_role("link", name="Open a thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a confidential thread")
    axe(page, "the new-thread form")
    open_thread(
        page,
        unique("Accessibility of a confidential thread"),
        "A first post, to check the thread page.",
        "TLP:AMBER",
        audience=["Thandi Nkosi"],
    )
    axe(page, "a need-to-know thread")
    axe(open_page(page, "/sign-in/again", "Sign in again to continue"))


def test_trend_brief_and_wgeti_with_a_published_brief(new_page, axe, live_server):
    chair = confidential_member(new_page, "chair.dief")
    path = draft_and_submit_brief(chair, brief_text()[1])
    axe(chair, "a pending trend brief with the publish form")
    publish_brief(chair, live_server, path)
    axe(chair, "WGETI after publishing, as the chair")
    reader = sign_in(new_page(), "delegate.germany")
    open_page(reader, "/rooms/wgeti", re.compile("WGETI"))
    expect(reader.get_by_role("heading", name="Chair's briefs")).to_be_visible()
    axe(reader, "WGETI with a published brief")


#: TLP 2.0's own colours, as the browser computes them; every label is on black.
TLP_COLOURS = {"TLP:RED": "rgb(255, 43, 43)", "TLP:CLEAR": "rgb(255, 255, 255)"}


def contrast_of_markings(page) -> dict:
    """axe's color-contrast rule alone, on the page as it is: the marking labels it passed and
    every node it failed."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async () => {
            const only = {runOnly: {type: "rule", values: ["color-contrast"]}};
            const r = await axe.run(document, only);
            const nodes = (list) => list.flatMap((rule) => rule.nodes.map((n) => n.html));
            const marking = (html) => html.includes('class="tlp ');
            return {passed: nodes(r.passes).filter(marking).length,
                    failed: nodes(r.violations), unsure: nodes(r.incomplete)};
        }"""
    )


@pytest.mark.hardening
def test_tlp_red_and_clear_markings_show_their_colours_on_black(new_page, axe):
    page = confidential_member(new_page, "npc.nigeria")
    titles = {}
    for marking, colour in TLP_COLOURS.items():
        titles[marking] = unique(f"Marking check {marking}")
        open_thread(page, titles[marking], "A short note to check how the marking shows.", marking)
        labels = page.locator(".marking .tlp")
        expect(labels).to_have_count(2)  # the banners at the top and the bottom
        for label in labels.all():
            expect(label).to_have_text(marking)
            expect(label).to_have_css("color", colour)
            expect(label).to_have_css("background-color", "rgb(0, 0, 0)")
        contrast = contrast_of_markings(page)
        assert contrast["passed"] == 2 and not contrast["failed"], contrast
        assert not [html for html in contrast["unsure"] if 'class="tlp ' in html], contrast
        axe(page, f"a {marking} thread")

    page.goto("/rooms/dief")
    for marking, colour in TLP_COLOURS.items():
        badge = page.locator("ul.threads > li").filter(has_text=titles[marking]).locator(".tlp")
        expect(badge).to_have_text(marking)
        expect(badge).to_have_css("color", colour)
        expect(badge).to_have_css("background-color", "rgb(0, 0, 0)")
    contrast = contrast_of_markings(page)
    assert contrast["passed"] >= 2 and not contrast["failed"], contrast
    axe(page, "the room's thread list")
