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
