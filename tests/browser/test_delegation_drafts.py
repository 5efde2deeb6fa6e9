"""A delegation draft as two colleagues of Nigeria and a delegate of another State notice it:
one saves a comment as a draft of Nigeria, the other finds it on the drafts page, edits and
posts it; the Philippines' delegate never sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .test_papers import open_comments, paragraph

pytestmark = [pytest.mark.exchange, pytest.mark.browser]

TEXT = "Nigeria would add the Article 11 sub-working group to this paragraph."
EDITED = TEXT + " Brokering, too."


def test_two_colleagues_prepare_and_post_a_comment_others_never_see(signed_in, axe):
    first = signed_in("npc.nigeria")
    first.goto("/rooms/wgeti")
    first.get_by_role("link", name="Draft decision on the WGETI work plan").click()
    thread = open_comments(first, 2)
    thread.get_by_label(re.compile(r"^Your comment on ¶2")).fill(TEXT)
    thread.get_by_role("button", name="Save as a draft of Nigeria").click()
    expect(first.get_by_text("Saved as a draft of Nigeria.")).to_be_visible()
    expect(first.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Comment on ¶2 of "))
    draft_url = first.url

    second = signed_in("delegate.nigeria")
    second.goto("/delegation-drafts")
    row = second.locator("tr").filter(has_text="Comment on ¶2 of")
    expect(row).to_contain_text("Chinedu Okafor")
    axe(second, "the drafts page")
    row.get_by_role("link", name="Edit or post").click()
    second.get_by_label("Text (Markdown)").fill(EDITED)
    second.get_by_role("button", name="Save the draft").click()
    expect(second.get_by_text("The draft is saved.")).to_be_visible()
    expect(second.get_by_text("Aisha Bello edited it")).to_be_visible()
    axe(second, "a draft with its history")
    second.get_by_role("button", name="Post as Nigeria").click()
    expect(second.get_by_text("The draft is posted.")).to_be_visible()
    paragraph(second, 2).get_by_role("link", name="1 comment").click()
    expect(second.get_by_text("Brokering, too.")).to_be_visible()

    other = signed_in("delegate.philippines")
    other.goto("/delegation-drafts")
    expect(other.get_by_role("heading", level=1)).to_have_text("Drafts of Philippines")
    expect(other.get_by_text("Comment on ¶2 of")).to_have_count(0)
    response = other.goto(draft_url)
    assert response is not None and response.status == 404
    other.goto("/")
    expect(other.get_by_text("Draft of your delegation")).to_have_count(0)


def test_a_new_discussion_prepared_as_a_draft_and_started_by_a_colleague(signed_in, axe):
    title = "Nigeria on stockpile registers"
    first = signed_in("npc.nigeria")
    first.goto("/rooms/wgeti/discussions/new")
    first.get_by_label("Title").fill(title)
    first.get_by_label(re.compile(r"^What would you like to discuss")).fill(TEXT)
    first.get_by_role("button", name="Save as a draft of Nigeria").click()
    expect(first.get_by_text("Saved as a draft of Nigeria.")).to_be_visible()
    expect(first.get_by_role("heading", level=1)).to_contain_text(title)

    second = signed_in("delegate.nigeria")
    second.goto("/delegation-drafts")
    second.locator("tr").filter(has_text=title).get_by_role("link", name="Edit or post").click()
    expect(second.get_by_label("Title of the discussion")).to_have_value(title)
    axe(second, "a new discussion's draft")
    second.get_by_role("button", name="Post as Nigeria").click()
    expect(second.get_by_text("The draft is posted.")).to_be_visible()
    expect(second.get_by_role("heading", level=1)).to_have_text(title)
    expect(second.get_by_text("Article 11 sub-working group")).to_be_visible()
