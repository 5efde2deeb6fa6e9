"""The confidential DIEF room as people use it: members turn on two-factor sign-in from the room
and come straight back to its threads, exchange posts under a TLP marking and see who has read
them; a member outside a need-to-know list finds no trace of the thread; the chair publishes a
trend brief that WGETI shows without attribution."""

from __future__ import annotations

import re
import secrets
import sqlite3
import string

import pyotp
import pytest
from playwright.sync_api import expect

from .conftest import (
    DEMO_PASSWORD,
    ENROLLED,
    Enrolment,
    current_step,
    demo_email,
    second_factor_code,
    sign_in,
)

pytestmark = pytest.mark.confidential

AMBER_MEANING = (
    "Limited disclosure: recipients may share it on a need-to-know basis within their "
    "organisation and its clients."
)
NAMES = {
    "npc.nigeria": "Chinedu Okafor",
    "delegate.southafrica": "Thandi Nkosi",
    "delegate.thailand": "Somchai Wongsakul",
    "chair.dief": "Mere Tane",
}


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def unique_word() -> str:
    """Letters only, so that the brief checker has no number or serial to flag."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


def turn_on_two_factor(page, who: str, link: str = "Turn on two-factor sign-in") -> None:
    """From the page shown (the profile, or a confidential room): follow `link`, read the key,
    type the app's code and the password, see the recovery codes and say they are kept."""
    page.get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Turn on two-factor sign-in")
    secret = page.locator("#totp-secret").inner_text().strip()
    step = current_step()
    page.get_by_label("Six-digit code from your app").fill(pyotp.TOTP(secret).at(step * 30))
    page.get_by_label("Your password", exact=True).fill(DEMO_PASSWORD)
    # The server checks the password and hashes ten recovery codes, all with Argon2 at its
    # real cost: on a busy machine that takes longer than a click usually may.
    page.get_by_role("button", name="Turn on").click(timeout=90_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    assert codes, "the recovery codes page should list the codes"
    ENROLLED[demo_email(who)] = Enrolment(secret=secret, recovery_codes=codes, last_step=step)
    page.get_by_role("link", name="I have kept them").click()


def enrol_from_the_room(page, who: str, slug: str = "dief") -> None:
    """Someone without two-factor sign-in opens the room: it says to turn it on (not to "sign
    in again"); once it is on they are back in the room and see its threads, with no second
    sign-in: the password and code of the setup were just that."""
    page.goto(f"/rooms/{slug}")
    expect(page.get_by_role("link", name="Sign in again to see the threads")).to_have_count(0)
    turn_on_two_factor(page, who, link="Turn on two-factor sign-in to see the threads")
    page.wait_for_url(re.compile(rf"/rooms/{slug}$"))
    expect(page.get_by_role("heading", name="Confidential threads")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in again to see the threads")).to_have_count(0)
    expect(page.get_by_role("link", name="Open a thread")).to_be_visible()


def confidential_member(new_page, who: str):
    """A page of `who` let into the DIEF room's threads (on /rooms/dief).

    The first time: sign in with the password and turn on two-factor from the room, which
    leads back into it. Later: sign in with the password and a code."""
    page = new_page()
    email = demo_email(who)
    if email not in ENROLLED:
        sign_in(page, who)
        enrol_from_the_room(page, who)
        return page
    sign_in(page, who, expect_success=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second sign-in step")
    page.get_by_label("Code from your authenticator app").fill(second_factor_code(who))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Sign out").wait_for()
    page.goto("/rooms/dief")
    expect(page.get_by_role("heading", name="Confidential threads")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in again to see the threads")).to_have_count(0)
    return page


def open_thread(page, title: str, body: str, marking: str, audience: list[str] | None = None):
    """Through the room's "Open a thread" form; lands on the thread. Returns its URL path."""
    page.goto("/rooms/dief")
    page.get_by_role("link", name="Open a thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a confidential thread")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Handling marking").select_option(marking)
    if audience:
        page.get_by_label("Need-to-know").check()
        box = page.get_by_label("Members who may see it")
        labels = [o.strip() for o in box.locator("option").all_inner_texts()]
        chosen = [label for label in labels if any(label.startswith(n) for n in audience)]
        assert len(chosen) == len(audience), f"{audience} not all among {labels}"
        box.select_option(label=chosen)
    page.get_by_label("First post").fill(body)
    page.get_by_role("button", name="Open the thread").click()
    page.wait_for_url(re.compile(r"/threads/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return re.search(r"/threads/\d+$", page.url).group(0)


def posts(page):
    return page.locator("ol.posts > li.post")


def read_by(page):
    return page.locator("section[aria-labelledby='readers-title']")


def test_two_members_exchange_posts_under_tlp_amber(new_page):
    nigeria = confidential_member(new_page, "npc.nigeria")
    south_africa = confidential_member(new_page, "delegate.southafrica")

    title = unique("Brokers re-routing through free zones")
    opening = "We see brokers re-routing consignments through free zones. Has anyone else?"
    path = open_thread(nigeria, title, opening, "TLP:AMBER")

    banners = nigeria.get_by_role("note", name="Handling marking")
    expect(banners).to_have_count(2)  # at the top and at the bottom of the page
    for banner in (banners.first, banners.last):
        expect(banner).to_contain_text("TLP:AMBER")
        expect(banner).to_contain_text(AMBER_MEANING)
    expect(nigeria.locator(".marking").first).to_have_text(re.compile(r"^\s*TLP:AMBER\s"))
    expect(nigeria.locator("header.thread-header")).not_to_contain_text("need-to-know")

    south_africa.goto("/rooms/dief")
    south_africa.get_by_role("link", name=title).click()
    expect(south_africa.get_by_role("heading", level=1)).to_have_text(title)
    expect(posts(south_africa)).to_have_count(1)
    expect(posts(south_africa).first).to_contain_text(opening)
    reply = f"Yes: two such cases last year. {unique('Reply')}"
    south_africa.get_by_label("Post (Markdown)").fill(reply)
    south_africa.get_by_role("button", name="Post", exact=True).click()
    expect(posts(south_africa)).to_have_count(2)
    expect(south_africa.locator("#latest")).to_contain_text(reply)
    expect(south_africa.locator("#latest")).to_contain_text(NAMES["delegate.southafrica"])
    expect(read_by(south_africa)).to_contain_text(NAMES["npc.nigeria"])
    expect(read_by(south_africa)).to_contain_text(NAMES["delegate.southafrica"])

    nigeria.goto(path)
    expect(posts(nigeria)).to_have_count(2)
    expect(nigeria.locator("#latest")).to_contain_text(reply)
    expect(read_by(nigeria)).to_contain_text(NAMES["npc.nigeria"])
    expect(read_by(nigeria)).to_contain_text(NAMES["delegate.southafrica"])


def test_a_member_outside_the_need_to_know_list_finds_no_trace(new_page):
    nigeria = confidential_member(new_page, "npc.nigeria")
    title = unique("Diverted night-vision sights")
    path = open_thread(
        nigeria,
        title,
        "A consignment of sights was diverted after transit. Details for South Africa only.",
        "TLP:AMBER+STRICT",
        audience=[NAMES["delegate.southafrica"]],
    )
    expect(nigeria.locator("header.thread-header")).to_contain_text("need-to-know")

    thailand = confidential_member(new_page, "delegate.thailand")
    expect(thailand.get_by_role("heading", name="Confidential threads")).to_be_visible()
    expect(thailand.locator("body")).not_to_contain_text(title)

    response = thailand.goto(path)
    assert response is not None and response.status == 404, (
        f"{path} answered {response.status if response else None} to a member outside the list"
    )
    expect(thailand.locator("body")).not_to_contain_text(title)

    response = thailand.goto("/notifications/")
    assert response is not None and response.status == 200
    assert title not in thailand.content()


# ---- trend briefs ----------------------------------------------------------------------------


def database_path(live_server):
    return live_server.log_path.parent / "consult.db"


def end_objection_period(live_server, brief_id: int) -> None:
    """The objection period is at least a day: end it in the live server's database."""
    with sqlite3.connect(database_path(live_server), timeout=10) as db:
        changed = db.execute(
            "UPDATE trend_brief SET objections_close_at = ? WHERE id = ?",
            ("2000-01-01 00:00:00.000000", brief_id),
        ).rowcount
    assert changed == 1, f"no trend_brief row {brief_id}"


def draft_and_submit_brief(chair, text: str) -> str:
    """The chair drafts a brief in DIEF and opens it to objections for the shortest period.
    Returns the brief's path."""
    chair.goto("/rooms/dief")
    chair.get_by_role("link", name="Draft a trend brief").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Draft a trend brief")
    chair.get_by_label("Trend brief (Markdown)").fill(text)
    chair.get_by_role("button", name="Save the draft").click()
    chair.wait_for_url(re.compile(r"/briefs/\d+$"))
    expect(chair.get_by_role("heading", level=1)).to_contain_text("Trend brief")
    expect(chair.get_by_text("Nothing flagged")).to_be_visible()
    days = chair.get_by_label("Objection period (days)")
    days.fill(days.get_attribute("min") or "1")
    chair.get_by_role("button", name="Open to objections").click()
    expect(
        chair.get_by_text("The member delegations were told that a brief is pending.")
    ).to_be_visible()
    expect(chair.get_by_role("button", name="Publish the brief")).to_be_visible()
    return re.search(r"/briefs/\d+$", chair.url).group(0)


def publish_brief(chair, live_server, path: str) -> None:
    """Once the objection period has ended: publish in WGETI through the brief's page."""
    chair.goto(path)
    chair.get_by_role("button", name="Publish the brief").click()
    expect(chair.get_by_text("The objection period has not ended yet.")).to_be_visible()
    end_objection_period(live_server, int(path.rsplit("/", 1)[1]))
    chair.goto(path)
    expect(chair.get_by_text("the objection period has ended")).to_be_visible()
    chair.get_by_label("Publish in the room").select_option(
        label="Working Group on Effective Treaty Implementation (WGETI)"
    )
    chair.get_by_role("button", name="Publish the brief").click()
    chair.wait_for_url(re.compile(r"/rooms/wgeti$"))
    expect(chair.get_by_text("The brief was published, unsigned")).to_be_visible()


def brief_text() -> tuple[str, str]:
    marker = unique_word()
    return marker, (
        "Members report forged end-use documents that reuse genuine letterheads. "
        f"Checking the issuing authority directly remains the best safeguard ({marker})."
    )


def test_the_chair_publishes_a_brief_that_wgeti_shows_unattributed(new_page, live_server):
    chair = confidential_member(new_page, "chair.dief")
    marker, text = brief_text()
    path = draft_and_submit_brief(chair, text)
    publish_brief(chair, live_server, path)

    germany = sign_in(new_page(), "delegate.germany")
    germany.goto("/rooms/wgeti")
    briefs = germany.locator("section[aria-labelledby='published-briefs-title']")
    expect(briefs.get_by_role("heading", name="Chair's briefs")).to_be_visible()
    brief = briefs.locator("article.published-brief").filter(has_text=marker)
    expect(brief).to_have_count(1)
    expect(brief).to_contain_text("forged end-use documents that reuse genuine letterheads")
    for clue in ("chair.dief", "Mere Tane", "New Zealand", "DIEF", "Diversion Information"):
        expect(briefs).not_to_contain_text(clue)
    hrefs = germany.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    back = [h for h in hrefs if "/rooms/dief" in h or "/briefs/" in h]
    assert not back, f"the WGETI room links back to the confidential room: {back}"
