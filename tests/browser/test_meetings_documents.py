"""Documents on agenda items in a WGETI session: the chair attaches a paper circulated a week
before (late under the room's four weeks), a delegation submits its written statement, the
chair publishes it, and the delegate's live view shows the current item's documents."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .test_meetings import LIVE, prepare_meeting, unique

pytestmark = [pytest.mark.live, pytest.mark.meetings]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_wgeti_session_shows_the_current_items_documents(signed_in):
    title = unique("Documents test")
    items = ["Opening of the session", "Article 11"]
    chair = signed_in("chair.wgeti")
    meeting_id = prepare_meeting(chair, "wgeti", title, items)
    chair.goto(f"/meetings/{meeting_id}")
    chair.locator("a[href$='/documents']").first.click()
    paper = chair.get_by_label("Paper", exact=True)
    paper.select_option(index=1)
    paper_title = paper.locator("option:checked").inner_text()
    week_before = (date.today() - timedelta(days=7)).isoformat()
    chair.locator("#paper_circulated_on").fill(week_before)
    chair.get_by_role("button", name="Attach the paper").click()
    expect(chair.get_by_text("The paper is attached to item 1.")).to_be_visible()
    listed = chair.locator(".item-documents li").filter(has_text=paper_title)
    expect(listed.locator(".badge.late")).to_have_text("late")
    item_url = chair.url

    delegate = signed_in("delegate.thailand")
    delegate.goto(item_url)
    delegate.locator("#statement_file").set_input_files(
        files=[{"name": "statement.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    delegate.get_by_role("button", name="Submit the statement").click()
    expect(delegate.get_by_text("Your written statement is submitted")).to_be_visible()
    expect(delegate.locator(".item-documents")).to_contain_text("not yet published")

    delegate.goto(f"/meetings/{meeting_id}/live")
    panel = delegate.locator("#live-panel .current-documents")
    expect(panel).to_contain_text(paper_title, timeout=LIVE)
    expect(panel.locator(".badge.late")).to_have_count(1)
    expect(panel).not_to_contain_text("Written statement by")

    chair.reload()
    chair.get_by_role("button", name="Publish").first.click()
    expect(chair.get_by_text("The written statement is published")).to_be_visible()
    # The delegate's open live view receives the published statement.
    expect(panel).to_contain_text("Written statement by", timeout=LIVE)
