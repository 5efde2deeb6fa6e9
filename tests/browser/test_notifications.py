"""What notifies, in the browser (issue #14): Germany's open page shows the badge change the
moment the Philippines reply to her comment; the notification opens the reply highlighted and
marks it read; a mention is chosen from the suggestions by keyboard."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.test_papers import (
    PARAGRAPHS,
    issue_paper,
    markdown_of,
    open_comments,
    post_comment,
    unique,
    wait_until_live,
    write_comment,
)
from tests.browser.test_papers_commenting import _reply_in

pytestmark = pytest.mark.reach


def _nothing_unread(page) -> None:
    page.goto("/notifications/")
    button = page.get_by_role("button", name="Mark all as read")
    if button.count():
        button.click()
    expect(page.locator("#notification-badge .badge")).to_have_count(0)


def test_a_reply_to_germany_changes_her_badge_at_once_and_opens_highlighted(signed_in, axe):
    title = unique("Badge at once")
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))

    germany = signed_in("delegate.germany")
    _nothing_unread(germany)
    germany.goto(f"/papers/{paper_id}")
    thread = open_comments(germany, 2)
    comment = f"Germany asks for a clearer timetable ({secrets.token_hex(2)})."
    write_comment(germany, thread, 2, comment)
    post_comment(germany, thread)
    expect(thread.locator("li.comment", has_text=comment)).to_be_visible()
    # Her open page: the dashboard, live.
    germany.goto("/")
    wait_until_live(germany)
    expect(germany.locator("#notification-badge .badge")).to_have_count(0)

    philippines = signed_in("delegate.philippines")
    philippines.goto(f"/papers/{paper_id}")
    thread = open_comments(philippines, 2)
    answer = f"The Philippines agree with Germany ({secrets.token_hex(2)})."
    _reply_in(philippines, thread.locator("li.comment", has_text=comment).first, answer)
    expect(thread.locator("li.comment", has_text=answer).last).to_be_visible()

    # Without reloading, Germany's header shows it, and a screen reader is told.
    expect(germany.locator("#notification-badge .badge")).to_have_text("1")
    expect(germany.locator("#notification-announce")).to_have_text("1 unread notification")

    # The notification opens the reply itself, highlighted and focused; it is read now.
    germany.get_by_role("link", name=re.compile(r"^Notifications")).click()
    germany.get_by_role("link", name=f"Philippines replied to your comment on {title} ¶2").click()
    expect(germany).to_have_url(re.compile(rf"/papers/{paper_id}/p/\w+#comment-\d+$"))
    landed = germany.locator("li.comment.landed")
    expect(landed).to_have_count(1)
    expect(landed).to_contain_text(answer)
    expect(landed).to_be_focused()
    expect(germany.locator("#notification-badge .badge")).to_have_count(0)
    axe(germany, "a reply landed on from its notification")


def test_a_mention_is_chosen_by_keyboard_and_tells_the_person(signed_in, axe):
    title = unique("Mention by keyboard")
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))
    philippines = signed_in("delegate.philippines")
    _nothing_unread(philippines)
    name = "Maria Santos"  # the Philippines' delegate in the demo

    germany = signed_in("delegate.germany")
    germany.goto(f"/papers/{paper_id}")
    thread = open_comments(germany, 3)
    box = thread.get_by_label("Your comment on ¶3 (Markdown)")
    box.click()
    box.press_sequentially("We agree with @Mar")
    options = germany.get_by_role("listbox")
    expect(options.get_by_role("option").first).to_be_visible()
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"^mentions-"))
    axe(germany, "a comment box with its mention suggestions open")
    # Nobody who may not see the paper is offered (UNIDIR observes WGETI: it may see it).
    for option in options.get_by_role("option").all():
        assert "Control Arms" not in option.inner_text()
    wanted = options.get_by_role("option", name=re.compile(re.escape(name)))
    expect(wanted).to_have_count(1)
    while wanted.get_attribute("aria-selected") != "true":
        box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value(f"We agree with @[{name}] ")
    expect(options).to_be_hidden()
    box.press("End")
    box.press_sequentially("on this.")
    post_comment(germany, thread)
    posted = thread.locator("li.comment", has_text="on this.")
    expect(posted.locator(".mention")).to_have_text(f"@{name}")

    philippines.goto("/notifications/")
    philippines.get_by_role(
        "link", name=re.compile(rf"mentioned you in a comment on {re.escape(title)} ¶3")
    ).click()
    expect(philippines.locator("li.comment.landed .mention")).to_have_text(f"@{name}")
