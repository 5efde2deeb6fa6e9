"""Discussions in the browser: a topic appears live for another member of the African Group,
and outsiders (a non-member State, civil society) find nothing of it, live channel included."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.exchange, pytest.mark.browser]

LIVE_UPDATE_TIMEOUT = 5_000


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def watching(page, what: str) -> None:
    """Wait until the page's live channel watches the room (or topic) it shows."""
    page.wait_for_function(f"() => document.body.hasAttribute('data-watching-{what}')")


def emit_with_ack(page, event: str, data: dict) -> dict:
    page.wait_for_function("() => window.consult && window.consult.socket.connected")
    return page.evaluate(
        "([event, data]) => window.consult.socket.timeout(5000).emitWithAck(event, data)",
        [event, data],
    )


def start_discussion(page, title: str, body: str, files: list | None = None) -> int:
    """Through the room page's "Start a discussion" form; lands on the topic. Returns its id."""
    page.get_by_role("link", name="Start a discussion").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("What would you like to discuss? (Markdown)").fill(body)
    if files:
        page.get_by_label("Attachments").set_input_files(files)
    page.get_by_role("button", name="Start the discussion").click()
    expect(page).to_have_url(re.compile(r"/discussions/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_a_new_discussion_and_its_replies_appear_live_for_another_member(signed_in, axe):
    title = unique("Points for the group statement")
    reader = signed_in("delegate.angola")
    reader.goto("/rooms/african-group")
    watching(reader, "room")
    loads = []
    reader.on("load", lambda page: loads.append(page.url))

    author = signed_in("delegate.southafrica")
    author.goto("/rooms/african-group")
    topic_id = start_discussion(author, title, "We suggest stressing **stockpile** security.")

    # The reader's room page lists it without a reload, unread.
    section = reader.get_by_role("region", name="Discussions")
    line = section.get_by_role("listitem").filter(has_text=title)
    expect(line).to_be_visible(timeout=LIVE_UPDATE_TIMEOUT)
    expect(line).to_contain_text("1 unread")
    expect(line).to_contain_text("South Africa")
    assert loads == [], f"the room page was reloaded instead of updated: {loads}"
    axe(reader, "the room page after a live update of its discussions")

    # Opened, it is read; the author's reply then appears in place.
    line.get_by_role("link", name=title).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(title)
    expect(reader.locator("strong", has_text="stockpile")).to_be_visible()
    watching(reader, "topic")
    loads.clear()
    author.get_by_label("Your reply (Markdown)").fill("And marking and tracing.")
    author.get_by_role("button", name="Post reply").click()
    expect(author).to_have_url(re.compile(rf"/discussions/{topic_id}#post-\d+$"))
    expect(reader.get_by_text("And marking and tracing.")).to_be_visible(
        timeout=LIVE_UPDATE_TIMEOUT
    )
    assert loads == []
    axe(reader, "a topic after a live update")
    # A reply with nothing in it is refused next to the field.
    reader.get_by_role("button", name="Post reply").click()
    expect(reader.get_by_role("alert")).to_have_text("Write your reply before posting it.")
    axe(reader, "a topic with a refused reply")


def test_outsiders_get_not_found_for_the_topic_its_fragments_files_and_channel(signed_in, tmp_path):
    title = unique("Group position on transit")
    attachment = tmp_path / "position.txt"
    attachment.write_text("Draft position")
    member = signed_in("coordinator.african")
    member.goto("/rooms/african-group")
    topic_id = start_discussion(member, title, "Draft attached.", [str(attachment)])
    link = member.get_by_role("link", name="position.txt")
    href = link.get_attribute("href")
    assert href and href.startswith("/discussion-attachments/")
    post_id = member.locator("article.post").first.get_attribute("id").removeprefix("post-")
    urls = [
        f"/discussions/{topic_id}",
        f"/discussions/{topic_id}/posts",
        f"/discussion-posts/{post_id}/history",
        "/rooms/african-group/discussions",
        href,
    ]
    for url in urls:
        assert member.request.get(url).status == 200, url
    assert emit_with_ack(member, "watch_topic", {"topic": topic_id})["ok"] is True

    for who in ("delegate.india", "delegate.controlarms"):
        outsider = signed_in(who)
        response = outsider.goto(f"/discussions/{topic_id}")
        assert response is not None and response.status == 404
        expect(outsider.get_by_role("heading", level=1)).to_have_text("Not found")
        for url in urls:
            for headers in ({}, {"HX-Request": "true"}):
                answer = outsider.request.get(url, headers=headers)
                assert answer.status == 404, f"{url} answered {answer.status} to {who}"
                assert title not in answer.text()
        outsider.goto("/")
        assert emit_with_ack(outsider, "watch_topic", {"topic": topic_id}) == {"ok": False}
        assert title not in outsider.content()
