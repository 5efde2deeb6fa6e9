"""An agenda corrected after its adoption, seen live by a delegate reading it; the record's
Word file, as LibreOffice prints it, shows the meeting's date, venue and attendance on its
first page.

Each test schedules its own meeting through the UI (venue included), so none depends on another.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from consult.timeutil import document_date

pytestmark = pytest.mark.live

LIVE = 10_000  # ms: a chair's change -> the agenda on every open page
CONNECTED = "Live updates: connected"
VENUE = "CICG, Room 2, Geneva"


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def schedule(page, title: str) -> tuple[int, datetime]:
    """A hybrid WGETI session today, at a venue; the agenda built and adopted."""
    page.goto("/rooms/wgeti")
    page.get_by_role("link", name="Schedule a meeting").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Mode", exact=True).select_option(label="Hybrid")
    page.get_by_label("Venue").fill(VENUE)
    zone = page.get_by_label("Time zone of the meeting").input_value()
    start = datetime.now(ZoneInfo(zone)).replace(second=0, microsecond=0) - timedelta(minutes=5)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_text("The meeting is scheduled. Now build its agenda.")).to_be_visible()
    match = re.search(r"/meetings/(\d+)$", page.url)
    assert match, page.url
    for number, item in enumerate(["Opening", "Article 11", "Any other business"], start=1):
        form = page.locator("form", has=page.get_by_role("button", name="Add item"))
        form.get_by_label("Number").fill(str(number))
        form.get_by_label("Title", exact=True).fill(item)
        form.get_by_role("button", name="Add item").click()
        expect(page.locator("#agenda li.agenda-item").filter(has_text=item)).to_be_visible()
    page.get_by_role("button", name="Adopt the agenda").click()
    expect(page.get_by_text("The agenda is adopted.")).to_be_visible()
    return int(match.group(1)), start


def agenda_titles(page):
    return page.locator("#agenda li.agenda-item .item-title")


def test_an_amendment_after_adoption_reaches_a_second_browser_live(signed_in):
    title = unique("Informal consultation")
    chair = signed_in("chair.wgeti")
    meeting_id, _start = schedule(chair, title)
    delegate = signed_in("delegate.philippines")
    delegate.goto(f"/meetings/{meeting_id}")
    expect(delegate.locator(".live-status[role=status]")).to_have_text(CONNECTED, timeout=LIVE)
    delegate.evaluate("() => { window.__notReloaded = true; }")
    expect(agenda_titles(delegate)).to_have_text(["Opening", "Article 11", "Any other business"])

    # The chair corrects item 2's title through its form.
    chair.get_by_role("link", name="Edit item 2").click()
    chair.get_by_label("Title", exact=True).fill("Article 11: diversion")
    chair.get_by_role("button", name="Save").click()
    expect(chair.get_by_text("Item 2 is saved")).to_be_visible()

    # The delegate's agenda changes in place, says so, and shows the amendment with who.
    expect(agenda_titles(delegate)).to_have_text(
        ["Opening", "Article 11: diversion", "Any other business"], timeout=LIVE
    )
    expect(delegate.locator("#agenda-announce")).to_contain_text("Agenda amended", timeout=LIVE)
    log = delegate.get_by_role("region", name="Amendments since the agenda's adoption")
    expect(log).to_contain_text("title changed from “Article 11” to “Article 11: diversion”")
    expect(log).to_contain_text("Ricardo Salinas")  # the WGETI chair of the demo

    # With the keyboard only, the chair moves item 3 up: the delegate sees the new order.
    chair.get_by_role("button", name="Move up, item 3").focus()
    chair.keyboard.press("Enter")
    expect(chair.get_by_text("Item 3 is now item 2.")).to_be_visible()
    expect(agenda_titles(delegate)).to_have_text(
        ["Opening", "Any other business", "Article 11: diversion"], timeout=LIVE
    )
    # Removed, it stays listed as removed; the delegate sees no chair's buttons.
    chair.get_by_role("button", name="Remove item 3 from the agenda").click()
    removed = delegate.get_by_role("region", name="Removed from the agenda")
    expect(removed).to_contain_text("Article 11: diversion", timeout=LIVE)
    expect(delegate.get_by_role("button", name=re.compile("^(Restore|Remove|Move)"))).to_have_count(
        0
    )
    assert delegate.evaluate("() => window.__notReloaded === true"), "reloaded, not updated"


def test_the_records_word_file_printed_shows_date_venue_and_attendance(signed_in, tmp_path):
    from consult.exports.pdf import docx_to_pdf

    title = unique("Working group session")
    chair = signed_in("chair.wgeti")
    meeting_id, start = schedule(chair, title)
    # A delegate follows the meeting live: that is attendance.
    delegate = signed_in("delegate.philippines")
    delegate.goto(f"/meetings/{meeting_id}/live")
    expect(delegate.locator(".live-status[role=status]")).to_have_text(CONNECTED, timeout=LIVE)
    attendance = chair.locator("section[aria-labelledby=attendance-title]")
    for _attempt in range(20):  # the live view's join is recorded just after it connects
        chair.goto(f"/meetings/{meeting_id}/record")
        if "Maria Santos" in attendance.inner_text():
            break
        chair.wait_for_timeout(500)
    expect(attendance).to_contain_text("Maria Santos")
    with chair.expect_download() as download_info:
        chair.get_by_role("link", name="Download Word (.docx)").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.suffix == ".docx"
    first = PdfReader(BytesIO(docx_to_pdf(saved.read_bytes()))).pages[0].extract_text()
    assert title in first
    assert f"Date: {document_date(start, 'en', start.tzinfo.key)}" in first
    assert f"Venue: {VENUE}" in first
    assert "Attendance" in first and "Maria Santos" in first
    assert "Nobody was recorded as attending" not in first
