"""Comments by keyboard and by ear, and who may comment said plainly: the comments toggle says
whether it is open and closes again; a posted comment takes the focus and is announced; an
observer is told why they cannot comment and how to ask."""

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
    paragraph,
    post_comment,
    unique,
    write_comment,
)

pytestmark = pytest.mark.papers

TOGGLE = re.compile(r"^(Comment|\d+ comments?)$")


def test_toggle_opens_and_closes_and_a_posted_comment_is_announced(signed_in):
    title = unique("Toggle and focus")
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))
    delegate = signed_in("delegate.germany")
    delegate.goto(f"/papers/{paper_id}")
    toggle = paragraph(delegate, 4).get_by_role("link", name=TOGGLE)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    thread = paragraph(delegate, 4).locator(".thread[data-loaded='true']")
    expect(thread).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # A second press closes the thread again, without a request.
    toggle.click()
    expect(thread).to_have_count(0)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")

    body = f"Germany asks for a shorter summary ({secrets.token_hex(2)})."
    write_comment(delegate, thread, 4, body)
    post_comment(delegate, thread)
    new_comment = thread.locator("li.comment", has_text=body)
    expect(new_comment).to_be_focused()
    expect(delegate.locator("#papers-live")).to_have_text("Comment posted on paragraph 4")
    expect(paragraph(delegate, 4).get_by_role("link", name=TOGGLE)).to_have_attribute(
        "aria-expanded", "true"
    )


def test_an_observer_sees_why_they_cannot_comment(signed_in):
    title = unique("Observer reads")
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))
    observer = signed_in("delegate.unidir")
    observer.goto(f"/papers/{paper_id}")
    paragraph(observer, 2).get_by_role("link", name=TOGGLE).click()
    thread = paragraph(observer, 2).locator(".thread[data-loaded='true']")
    expect(thread.get_by_text("observers read papers but do not comment")).to_be_visible()
    expect(thread.get_by_role("link", name=re.compile(r"^Ask to join"))).to_be_visible()
    expect(thread.get_by_role("button", name="Post comment")).to_have_count(0)


def test_selecting_words_offers_quote_which_fills_the_form(signed_in):
    title = unique("Select to quote")
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))
    delegate = signed_in("delegate.germany")
    delegate.goto(f"/papers/{paper_id}")
    words = "national practice on diversion"

    def select(first_key_para, words_start, last_para=None, words_end=None):
        delegate.evaluate(
            """([a, s, b, e]) => {
              const find = (n) => [...document.querySelectorAll('article.paragraph')]
                .find(p => p.querySelector('.para-number')?.textContent.trim() === n + '.')
                .querySelector('.para-text');
              const node = (el) => document.createTreeWalker(el, NodeFilter.SHOW_TEXT).nextNode();
              const first = node(find(a)), last = node(find(b));
              const range = document.createRange();
              range.setStart(first, first.textContent.indexOf(s));
              range.setEnd(last, last.textContent.indexOf(e) + e.length);
              const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
              document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
            }""",
            [first_key_para, words_start, last_para or first_key_para, words_end or words_start],
        )

    # Across two paragraphs: a clear message, no Quote button.
    select(2, "plenary", 3, "diversion")
    expect(delegate.get_by_text("a quote cannot span two paragraphs")).to_be_visible()
    expect(delegate.get_by_role("button", name="Quote", exact=True)).to_have_count(0)
    # Within ¶3: Quote fills that paragraph's comment form.
    select(3, words)
    delegate.get_by_role("button", name="Quote", exact=True).click()
    thread = paragraph(delegate, 3).locator(".thread[data-loaded='true']")
    expect(thread.get_by_label("Words you refer to (copied from the paragraph)")).to_have_value(
        words
    )


def _members_row(page, delegation: str):
    return page.locator("#members ul.members > li").filter(
        has=page.locator(".delegation", has_text=delegation)
    )


def _reply_in(page, comment, body: str) -> None:
    """Open "Reply" under this comment (not under its replies) and post `body`."""
    own = comment.locator(":scope > article")
    own.locator("details.reply > summary").click()
    own.get_by_label("Your reply (Markdown)").fill(body)
    with page.expect_response(
        lambda r: r.url.endswith("/comments") and r.request.method == "POST"
    ) as posted:
        own.get_by_role("button", name="Post reply").click()
    assert posted.value.status == 200, posted.value.status


def test_a_delegate_removed_after_commenting_replies_from_the_notification(signed_in):
    """The Philippines comment on a WGTR paper and are then removed from the room; Germany
    replies; the Philippines' delegate opens "Germany replied to your comment", is told they
    cannot start new comments, replies in their own thread; the chair sees the reply."""
    title = unique("Replies after leaving")
    chair = signed_in("chair.wgtr")
    chair.goto("/rooms/wgtr")
    chair.locator("#members").get_by_text("Add members", exact=True).click()
    form = chair.locator("#members form").filter(
        has=chair.get_by_role("heading", name="Add a whole delegation")
    )
    form.get_by_label("Delegation", exact=True).select_option(label="Philippines")
    form.get_by_label("Role", exact=True).select_option(label="Member")
    form.get_by_role("button", name="Add delegation").click()
    expect(_members_row(chair, "Philippines")).to_contain_text("Member")
    removed = False
    try:
        paper_id = issue_paper(chair, "wgtr", title, markdown_of(title, PARAGRAPHS))
        delegate = signed_in("delegate.philippines")
        delegate.goto(f"/papers/{paper_id}")
        thread = open_comments(delegate, 2)
        comment = f"The Philippines ask for a timetable for the reports ({secrets.token_hex(2)})."
        write_comment(delegate, thread, 2, comment)
        post_comment(delegate, thread)
        expect(thread.locator("li.comment", has_text=comment)).to_be_visible()

        # The chair removes the Philippines from the room (the room stays open to read).
        chair.goto("/rooms/wgtr")
        chair.once("dialog", lambda dialog: dialog.accept())
        _members_row(chair, "Philippines").get_by_role("button", name="Remove").click()
        expect(_members_row(chair, "Philippines")).to_have_count(0)
        removed = True

        germany = signed_in("delegate.germany")
        germany.goto(f"/papers/{paper_id}")
        thread = open_comments(germany, 2)
        answer = f"Germany suggests the next CSP ({secrets.token_hex(2)})."
        _reply_in(germany, thread.locator("li.comment", has_text=comment).first, answer)
        expect(thread.locator("li.comment", has_text=answer).last).to_be_visible()
    finally:
        if not removed:  # leave the demo data as it was for the other tests
            chair.goto("/rooms/wgtr")
            chair.once("dialog", lambda dialog: dialog.accept())
            _members_row(chair, "Philippines").get_by_role("button", name="Remove").click()
            expect(_members_row(chair, "Philippines")).to_have_count(0)

    # The Philippines open the notification: the paragraph's page, at Germany's reply.
    delegate.goto("/notifications/")
    delegate.get_by_role("link", name=f"Germany replied to your comment on {title} ¶2").click()
    expect(delegate).to_have_url(re.compile(rf"/papers/{paper_id}/p/\w+#comment-\d+$"))
    expect(delegate.get_by_text("You are not a member of this room")).to_be_visible()
    expect(delegate.get_by_text("You can still reply in the threads you wrote in")).to_be_visible()
    expect(delegate.get_by_role("button", name="Post comment")).to_have_count(0)
    reply = f"Thank you, Germany: the next CSP suits us ({secrets.token_hex(2)})."
    thread = delegate.locator(".thread[data-loaded='true']")
    _reply_in(delegate, thread.locator("li.comment", has_text=answer).last, reply)
    expect(thread.locator("li.comment", has_text=reply).last).to_be_visible()

    # The chair sees the reply in the thread.
    chair.goto(f"/papers/{paper_id}")
    thread = open_comments(chair, 2)
    expect(thread.locator("li.comment", has_text=reply).last).to_contain_text("Philippines")
