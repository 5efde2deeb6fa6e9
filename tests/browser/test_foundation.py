"""The foundation as people use it: signing in and out, who sees which room, a chair adding a
delegate while that delegate watches their dashboard, the keyboard, and a phone screen."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default

from playwright.sync_api import expect

LIVE_UPDATE_TIMEOUT = 10_000  # ms: Socket.IO event -> htmx refresh of "My rooms"


def my_rooms(page):
    """The list of rooms on the dashboard ("Rooms you may enter")."""
    return page.locator("#my-rooms").get_by_role("region", name="Rooms you may enter")


def test_sign_in_lands_on_my_rooms_then_sign_out(new_page):
    page = new_page()
    page.goto("/")
    # Anonymous people are sent to the sign-in form.
    expect(page).to_have_url(re.compile(r"/sign-in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to consult")

    page.get_by_label("E-mail").fill("chair.wgeti@demo.example.org")
    page.get_by_label("Password", exact=True).fill("consult-demo")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My rooms")
    expect(page.get_by_text("Welcome, Ricardo Salinas (Mexico).")).to_be_visible()
    wgeti = page.get_by_role(
        "link", name="Working Group on Effective Treaty Implementation (WGETI)", exact=True
    )
    expect(my_rooms(page).locator(wgeti)).to_be_visible()
    expect(my_rooms(page).locator(".room-item", has=wgeti)).to_contain_text("your role: Chair")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # Signed out means signed out: the dashboard asks for the password again.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_wrong_password_shows_the_error_next_to_the_field(new_page):
    page = new_page()
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill("chair.wgeti@demo.example.org")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/sign-in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to consult")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    # The message sits in the password field's group and is tied to the input.
    error = page.locator(".field", has=password).get_by_role("alert")
    expect(error).to_have_text("That e-mail and password do not match an active account.")
    expect(password).to_have_attribute("aria-describedby", re.compile(r"password-error"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_delegate_outside_a_members_only_room_gets_not_found(signed_in):
    page = signed_in("delegate.india")

    response = page.goto("/rooms/african-group")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_text("African Group")).to_have_count(0)

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="My rooms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My rooms")
    expect(my_rooms(page)).to_be_visible()
    expect(page.locator("#my-rooms").get_by_text("African Group")).to_have_count(0)

    nav.get_by_role("link", name="All rooms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("All rooms")
    rooms = page.locator("#room-list")
    # The list is there (India reads the open and transparent rooms), without the group's room.
    expect(rooms.get_by_role("link", name="CSP12 Preparatory Process")).to_be_visible()
    expect(rooms.get_by_text("African Group")).to_have_count(0)
    page.get_by_label("Find a room").fill("African")
    # (the room list's own button, not the header's search box)
    rooms_form = page.locator("form", has=page.get_by_label("Find a room"))
    rooms_form.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No room matches.")).to_be_visible()


def mail_to(
    live_server, address: str, at_least: int = 1, timeout: float = 15, digests: bool = False
) -> list[EmailMessage]:
    """The mail the server sent to `address`, waiting for the first: it leaves through the
    outbox, which the server's sender empties every two seconds. Digests are left out unless
    asked for: the server sends them by the clock (07:00 in each person's time zone), so
    whether one has gone by the time a test looks depends on the hour it runs."""
    deadline = time.monotonic() + timeout
    while True:
        messages = []
        for path in live_server.mails():
            message = BytesParser(policy=default).parsebytes(path.read_bytes())
            digest = DIGEST_SUBJECT.match(message["Subject"]) is not None
            if address in message["To"] and (digests or not digest):
                messages.append(message)
        if len(messages) >= at_least or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


DIGEST_SUBJECT = re.compile(r"^\[consult\] Your (daily|weekly) consult digest: ")
SMALL_GROUP = "Small group on post-shipment on-site verification"


def test_chair_adds_a_delegate_who_sees_the_room_appear_live(signed_in, live_server):
    # B: Germany's focal point, on the dashboard, not in the post-shipment small group.
    delegate = signed_in("focal.germany")
    expect(delegate.get_by_role("heading", level=1)).to_have_text("My rooms")
    expect(delegate.locator("#my-rooms").get_by_text(SMALL_GROUP)).to_have_count(0)
    # The page says when its live channel is up; only then can it hear about the change.
    expect(
        delegate.get_by_role("status").filter(has_text=re.compile(r"connected", re.I))
    ).to_be_visible()

    # A: Germany's delegate, chair of the small group: a chair adds people of the delegations
    # already in the room (Germany is, through the chair).
    chair = signed_in("delegate.germany")
    chair.goto("/rooms/post-shipment")
    expect(chair.get_by_role("heading", level=1)).to_have_text(SMALL_GROUP)
    members = chair.locator("#members")
    expect(members.get_by_text("Sabine Krüger")).to_have_count(0)

    members.get_by_text("Add members", exact=True).click()
    form = members.locator("form", has=chair.get_by_role("heading", name="Add or invite a person"))
    form.get_by_label("E-mail of the person").fill("focal.germany@demo.example.org")
    form.get_by_label("Role", exact=True).select_option(label="Member")
    with chair.expect_response(
        lambda r: (
            r.url.endswith("/rooms/post-shipment/members/people") and r.request.method == "POST"
        )
    ) as posted:
        form.get_by_role("button", name="Add person").click()
    # htmx posted it: the members panel was swapped in place, no page load.
    assert posted.value.request.headers.get("hx-request") == "true"
    assert posted.value.status == 200
    expect(chair).to_have_url(re.compile(r"/rooms/post-shipment$"))

    members = chair.locator("#members")
    expect(members.get_by_text("Sabine Krüger is now in the room.")).to_be_visible()
    germany = members.locator(
        "ul.members > li", has=chair.locator(".delegation", has_text="Germany")
    )
    expect(germany).to_contain_text("Sabine Krüger")
    sabine = germany.locator("li", has_text="Sabine Krüger")
    expect(sabine).to_contain_text("Member")
    # She is told by e-mail too.
    mails = mail_to(live_server, "focal.germany@demo.example.org")
    assert [m["Subject"] for m in mails] == [f"You were added to {SMALL_GROUP} on consult"]

    try:
        # B, without reloading: "My rooms" refreshes itself (Socket.IO "rooms-changed" -> htmx).
        loads = []
        delegate.on("load", lambda page: loads.append(page.url))
        expect(my_rooms(delegate).get_by_role("link", name=SMALL_GROUP, exact=True)).to_be_visible(
            timeout=LIVE_UPDATE_TIMEOUT
        )
        assert loads == [], f"the dashboard was reloaded instead of updated in place: {loads}"

        response = delegate.goto("/rooms/post-shipment")
        assert response is not None and response.status == 200
        expect(delegate.get_by_role("heading", level=1)).to_have_text(SMALL_GROUP)
        expect(delegate.get_by_text("Your role: Member")).to_be_visible()
    finally:
        # Leave the demo data as it was for the other tests: the chair removes her again.
        chair.once("dialog", lambda dialog: dialog.accept())
        sabine.get_by_role("button", name="Remove").click()
        expect(chair.locator("#members").get_by_text("Sabine Krüger")).to_have_count(0)


def focus_indicator(locator) -> dict:
    """The focused element's outline and box-shadow, as the browser computes them."""
    return locator.evaluate(
        """el => {
            const s = getComputedStyle(el);
            return {outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow};
        }"""
    )


def assert_focus_visible(page, name: str, selector: str, text: str | None = None) -> None:
    focused = page.locator(":focus")
    expect(focused, f"something should have the focus after Tab (the {name})").to_have_count(1)
    assert focused.evaluate("(el, sel) => el.matches(sel)", selector), (
        f"Tab reached {focused.evaluate('el => el.outerHTML')[:120]} instead of the {name}"
    )
    if text:
        expect(focused).to_have_text(text)
    expect(focused).to_be_visible()
    style = focus_indicator(focused)
    outlined = style["outline"] != "none" and style["width"] not in ("0px", "")
    shadowed = style["shadow"] not in ("none", "")
    assert outlined or shadowed, f"the focused {name} shows no focus indicator: {style}"


def test_keyboard_tab_order_and_visible_focus_on_sign_in(new_page):
    page = new_page()
    page.goto("/sign-in")

    # The first Tab shows the skip link; following it moves to the content.
    page.keyboard.press("Tab")
    assert_focus_visible(page, "skip link", "a.skip-link", "Skip to content")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    for name, selector, text in [
        ("e-mail field", "input#email[type=email]", None),
        ("password field", "input#password[type=password]", None),
        ("checkbox", "input#remember[type=checkbox]", None),
        ("sign-in button", "button[type=submit]", "Sign in"),
    ]:
        page.keyboard.press("Tab")
        assert_focus_visible(page, name, selector, text)

    # And the keyboard alone signs in: Space ticks the box, Enter submits.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    expect(page.get_by_label("Keep me signed in on this device")).to_be_checked()
    page.get_by_label("E-mail").focus()
    page.keyboard.type("chair.wgeti@demo.example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("consult-demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My rooms")


def test_dashboard_fits_a_phone_screen(signed_in):
    page = signed_in("chair.wgeti", phone=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("My rooms")
    expect(my_rooms(page)).to_be_visible()
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    assert widths["client"] == 375
    assert widths["scroll"] <= widths["client"], (
        f"the dashboard scrolls sideways on a 375 px screen: {widths}"
    )
