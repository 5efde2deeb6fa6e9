"""The programme of work in a browser: the chair builds a three-day week of sessions, the
programme page shows them by day (and says why a session is refused, next to its field), and
the person's calendar feed carries them as three events."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests import ics_strict

from .test_meetings import unique

pytestmark = [pytest.mark.meetings]


def schedule_week(page, title: str) -> tuple[int, datetime]:
    """A three-day meeting of the WGETI room starting next Monday. Returns its id and Monday."""
    page.goto("/rooms/wgeti")
    page.get_by_role("link", name="Schedule a meeting").click()
    page.get_by_label("Title", exact=True).fill(title)
    zone = page.get_by_label("Time zone of the meeting").input_value()
    today = datetime.now(ZoneInfo(zone)).replace(hour=9, minute=0, second=0, microsecond=0)
    monday = today + timedelta(days=7 - today.weekday())
    page.get_by_label("Starts").fill(monday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((monday + timedelta(days=2, hours=9)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_text("The meeting is scheduled. Now build its agenda.")).to_be_visible()
    return int(re.search(r"/meetings/(\d+)$", page.url).group(1)), monday


def add_session(page, body: str, day: datetime, start: str, end: str) -> None:
    form = page.locator("#add-session form")
    form.get_by_label("Body that meets").fill(body)
    form.get_by_label("Day").fill(day.strftime("%Y-%m-%d"))
    form.get_by_label("Starts").fill(start)
    form.get_by_label("Ends").fill(end)
    form.get_by_label("Room").fill("Room XVII")
    form.get_by_role("button", name="Add the session").click()


def test_a_three_day_programme_is_shown_by_day_and_is_three_events_in_the_feed(signed_in, axe):
    title = unique("Working Group week")
    chair = signed_in("chair.wgeti")
    meeting_id, monday = schedule_week(chair, title)
    chair.get_by_role("link", name="Programme of work").click()
    expect(chair.get_by_role("heading", name="Programme of work", level=2)).to_be_visible()
    for offset, body in ((2, "WGTR"), (0, "WGETI"), (1, "WGTU")):
        add_session(chair, body, monday + timedelta(days=offset), "10:00", "13:00")
        expect(chair.get_by_text(f"Session added: {body}.")).to_be_visible()

    # Refused, next to its field, and nothing stored: an end before the start.
    add_session(chair, "WGETI", monday, "15:00", "14:00")
    ends = chair.locator("#add-session").get_by_label("Ends")
    expect(ends).to_have_attribute("aria-invalid", "true")
    expect(chair.locator("#ends-error")).to_have_text("The session must end after it starts.")
    axe(chair, "the programme page with a refused session")

    chair.goto(f"/meetings/{meeting_id}/programme")
    days = chair.locator(".programme-day[data-day]")
    expect(days).to_have_count(3)
    bodies = [days.nth(n).locator(".session-body").all_inner_texts() for n in range(3)]
    assert bodies == [["WGETI"], ["WGTU"], ["WGTR"]]
    expect(days.nth(0).locator("h3")).to_contain_text(monday.strftime("%A"))
    axe(chair, "the programme page")

    chair.goto("/calendar/feed")
    chair.get_by_role("button", name=re.compile(r"^Make (my calendar|a new) address$")).click()
    url = chair.locator("#feed-url").input_value()
    feed = chair.request.get(url)
    assert feed.ok
    events = [e for e in ics_strict.events(feed.body()) if title in str(e["summary"])]
    assert [str(e["summary"]).split(":")[0] for e in events] == ["WGETI", "WGTU", "WGTR"]
    assert len({e.decoded("dtstart").date() for e in events}) == 3
