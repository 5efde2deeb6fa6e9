"""Search from the header box: a word of a members-room comment is found by a member and by
nobody outside the room, who gets neither the comment nor a count (issue #14, item 4)."""

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
    write_comment,
)

pytestmark = pytest.mark.reach


def search_from_the_header(page, words: str) -> None:
    """Type into the labelled header box and press Enter (no script needed: a GET form)."""
    box = page.get_by_role("searchbox", name="Search what you may see")
    box.fill(words)
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")


def test_a_members_room_comment_is_found_by_a_member_and_by_no_outsider(signed_in, axe):
    word = f"Quorvex{secrets.token_hex(3)}"
    title = unique("Post-shipment visits")
    chair = signed_in("delegate.germany")  # chairs the post-shipment small group (members)
    paper_id = issue_paper(chair, "post-shipment", title, markdown_of(title, PARAGRAPHS))
    author = signed_in("npc.nigeria")
    author.goto(f"/papers/{paper_id}")
    thread = open_comments(author, 1)
    write_comment(author, thread, 1, f"Nigeria proposes {word} visits after delivery.")
    post_comment(author, thread)
    expect(thread.locator("li.comment", has_text=word)).to_be_visible()

    member = signed_in("delegate.philippines")  # a member of the small group
    member.goto("/")
    search_from_the_header(member, word.lower())
    expect(member.locator("#search-status")).to_have_text(re.compile(r"^1 result for"))
    hit = member.locator("li.search-hit")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark")).to_have_text(word)
    expect(hit).to_contain_text("Small group on post-shipment on-site verification")
    facets = member.get_by_role("complementary", name="Narrow the results")
    expect(facets.get_by_role("link", name="Comment")).to_be_visible()
    axe(member, "search results")
    hit.get_by_role("link").click()
    expect(member).to_have_url(re.compile(rf"/papers/{paper_id}/p/"))

    for who in ("delegate.india", "delegate.controlarms", "delegate.thailand"):
        outsider = signed_in(who)
        outsider.goto("/")
        search_from_the_header(outsider, word)
        expect(outsider.locator("#search-status")).to_have_text(f"Nothing found for “{word}”.")
        expect(outsider.locator("li.search-hit")).to_have_count(0)
        expect(outsider.locator(".search-facets")).to_have_count(0)
        html = outsider.content()
        assert "result" not in outsider.locator("#search-status").inner_text()
        assert "post-shipment on-site" not in html and title not in html
        # The same by hand, with every filter a count could leak through.
        answer = outsider.request.get(f"/search?q={word}&kind=comment&page=2")
        assert answer.status == 200 and title not in answer.text()


def test_a_query_too_long_is_refused_next_to_the_field(signed_in, axe):
    page = signed_in("delegate.germany")
    page.goto("/search?q=" + "a" * 300)
    field = page.get_by_label("Words to find")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_text(
        "Search for at most 200 characters; this has 300."
    )
    axe(page, "a refused search")
