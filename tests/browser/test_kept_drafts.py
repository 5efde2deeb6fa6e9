"""Nothing typed is lost to a time limit, as a delegate notices it: before the confidential idle
limit a warning offers to stay, and staying works; when the limit passes while a post is being
typed, sending it asks for a fresh sign-in and then offers the text back on the thread; a comment
on a paper typed while the person signs out in another tab is offered back after signing in.

These tests run their own server (its own demo database) with a 30-second idle limit and a
warning 20 seconds before it (the least WCAG 2.2.1 allows), so they wait for real time to pass:
once, about 32 seconds, since the two sessions of the first test wait side by side.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, LiveServer, serve, sign_in
from .test_papers import issue_paper, markdown_of, open_comments

pytestmark = [pytest.mark.hardening, pytest.mark.confidential]

IDLE_SECONDS = 30
WARN_SECONDS = 20
WHO = "delegate.southafrica"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """This module's own server: a short confidential idle limit for everyone on it."""
    yield from serve(
        tmp_path_factory,
        {
            "CONSULT_CONFIDENTIAL_IDLE_MINUTES": str(IDLE_SECONDS / 60),
            "CONSULT_CONFIDENTIAL_IDLE_WARN_SECONDS": str(WARN_SECONDS),
        },
    )


class Authenticator:
    """The delegate's authenticator app on this server: a code the server has not seen yet."""

    def __init__(self, secret: str, used_step: int) -> None:
        self.totp = pyotp.TOTP(secret)
        self.last = used_step

    def code(self) -> str:
        step = max(int(time.time()) // 30, self.last + 1)
        while step > int(time.time()) // 30 + 1:  # the server accepts one step ahead at most
            time.sleep(1)
        self.last = step
        return self.totp.at(step * 30)


def enrol(page) -> Authenticator:
    """Turn on two-factor sign-in through the profile; that was a fresh sign-in, so DIEF opens."""
    page.goto("/profile")
    page.get_by_role("link", name="Turn on two-factor sign-in").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    step = int(time.time()) // 30
    page.get_by_label("Six-digit code from your app").fill(pyotp.TOTP(secret).at(step * 30))
    page.get_by_label("Your password", exact=True).fill(DEMO_PASSWORD)
    # The password and ten recovery codes are hashed with Argon2: slow on a busy machine.
    page.get_by_role("button", name="Turn on").click(timeout=90_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    app = Authenticator(secret, step)
    # Turning it on was a fresh sign-in (password and code): the threads open at once.
    page.goto("/rooms/dief")
    expect(page.get_by_role("link", name="Open a thread")).to_be_visible()
    return app


def sign_in_again(page, app: Authenticator) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in again to continue")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(app.code())
    page.get_by_role("button", name="Continue").click(timeout=30_000)


def open_thread(page) -> str:
    page.goto("/rooms/dief")
    page.get_by_role("link", name="Open a thread").click()
    page.get_by_label("Title").fill(f"Re-export through a bonded warehouse {secrets.token_hex(3)}")
    page.get_by_label("First post").fill("A consignment was re-exported without a licence.")
    page.get_by_role("button", name="Open the thread").click()
    page.wait_for_url(re.compile(r"/threads/\d+$"))
    return re.search(r"/threads/\d+$", page.url).group(0)


def warning(page):
    return page.get_by_role("alertdialog", name="Your confidential session is about to end")


def sign_in_with_code(page, app: Authenticator) -> None:
    """Sign in through the form, both steps: password, then a code from the app."""
    sign_in(page, WHO, expect_success=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second sign-in step")
    page.get_by_label("Code from your authenticator app").fill(app.code())
    page.get_by_role("button", name="Continue").click(timeout=30_000)
    page.get_by_role("button", name="Sign out").wait_for()


def test_the_idle_warning_offers_to_stay_and_a_post_typed_past_the_limit_is_kept(new_page, axe):
    """Two sessions of the delegate, each with its own idle clock, wait at the same time: in
    the first the warning offers to stay and staying works; in the second, the limit passes
    while a long post is typed (one wait for the limit instead of two in a row)."""
    page = new_page()
    sign_in(page, WHO)
    app = enrol(page)
    path = open_thread(page)

    # The second session (another browser): the long post is typed, then left alone.
    careful = (
        "A careful account of the second case: the end-user certificate named a ministry "
        f"that had not ordered anything ({secrets.token_hex(3)})."
    )
    other = new_page()
    sign_in_with_code(other, app)
    other.goto(path)
    other_box = other.get_by_label("Post (Markdown)")
    other_box.fill(careful)

    page.goto(path)
    loaded = time.monotonic()

    # The warning comes WARN_SECONDS before the limit, takes focus to its one action...
    box = page.get_by_label("Post (Markdown)")
    box.fill("We saw the same broker. ")
    box.press("End")
    expect(warning(page)).to_be_visible(timeout=(IDLE_SECONDS - WARN_SECONDS + 5) * 1000)
    stay = warning(page).get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(warning(page)).to_contain_text("what you are typing is not lost")
    axe(page, "thread page with the idle warning")
    # ... and staying hides it, gives focus back to the post and renews the idle clock.
    stayed = time.monotonic()
    stay.press("Enter")
    expect(warning(page)).to_be_hidden()
    expect(box).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="You stay signed in")).to_have_count(1)
    time.sleep(max(0.0, loaded + IDLE_SECONDS + 2 - time.monotonic()))  # past the old limit
    assert time.monotonic() < stayed + IDLE_SECONDS - 2, "too slow to post before the new limit"
    box.type("Two shipments, one licence.")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(re.compile(rf"{path}(#latest)?$"))
    expect(page.locator("#latest")).to_contain_text("We saw the same broker. Two shipments")

    # Meanwhile the limit passed in the second session: the warning says so, the text stays.
    ended = other.get_by_text("Your confidential session has ended.")
    expect(ended).to_be_visible(timeout=(IDLE_SECONDS + 10) * 1000)
    warning(other).get_by_role("button", name="Close").click()
    expect(other_box).to_have_value(careful)
    other.get_by_role("button", name="Post", exact=True).click()

    # Sending it asks for a fresh sign-in (no "Not allowed"), then the thread offers it back.
    expect(other.get_by_text("Your text was kept")).to_be_visible()
    sign_in_again(other, app)
    other.wait_for_url(re.compile(rf"{path}$"))
    expect(other.get_by_role("heading", level=1)).to_contain_text("Re-export through")
    expect(other.get_by_role("status").filter(has_text="Your text was kept")).to_be_visible()
    expect(other.get_by_label("Post (Markdown)")).to_have_value(careful)
    expect(other.locator("ol.posts")).not_to_contain_text("A careful account")
    other.get_by_role("button", name="Post", exact=True).click()
    expect(other.locator("#latest")).to_contain_text("A careful account of the second case")
    expect(other.get_by_text("Your text was kept")).to_have_count(0)


def test_a_comment_typed_while_signing_out_in_another_tab_is_offered_back(new_page):
    chair = new_page()
    sign_in(chair, "chair.wgeti")
    title = f"Outreach arrangements {secrets.token_hex(3)}"
    paper_id = issue_paper(
        chair,
        "wgeti",
        title,
        markdown_of(title, ["The Working Group holds outreach sessions twice a year."]),
    )

    page = new_page()
    sign_in(page, "delegate.germany")
    page.goto(f"/papers/{paper_id}")
    thread = open_comments(page, 1)
    comment = f"Germany asks for a yearly session instead ({secrets.token_hex(3)})."
    thread.get_by_label("Your comment on ¶1 (Markdown)").fill(comment)

    other_tab = page.context.new_page()
    other_tab.goto("/")
    other_tab.get_by_role("button", name="Sign out").click()
    expect(other_tab.get_by_text("You have signed out.")).to_be_visible()
    other_tab.close()

    thread.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"/sign-in\?next="))
    expect(page.get_by_text("Your text was kept")).to_be_visible()
    page.get_by_label("E-mail").fill("delegate.germany@demo.example.org")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/papers/{paper_id}/p/[^/?#]+$"))
    expect(page.get_by_role("status").filter(has_text="Your text was kept")).to_be_visible()
    box = page.get_by_label("Your comment on ¶1 (Markdown)")
    expect(box).to_have_value(comment)
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("li.comment", has_text=comment)).to_be_visible()
