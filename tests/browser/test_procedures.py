"""A written procedure in the CSP12 plenary, as the President and two delegations live it: the
President circulates a draft decision with a deadline a few seconds ahead; in one run Germany
does not object and it is adopted by silence at the deadline; in the other the Philippines
object and silence is broken. The President's page follows in a second browser, live."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import docx
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.meetings, pytest.mark.procedure, pytest.mark.browser]

ZONE = "Europe/Zurich"  # the CSP12 plenary's time zone
LEAD = 25  # seconds between circulation and the deadline: time to respond in a browser


def _circulate(president, title: str) -> datetime:
    president.goto("/rooms/csp12")
    president.get_by_role("link", name="Circulate a draft decision").click()
    president.get_by_label("Title of the draft decision").fill(title)
    president.get_by_label("Or the text of the draft decision (Markdown)").fill(
        "The Conference decides to establish a sponsorship programme review."
    )
    deadline = (datetime.now(ZoneInfo(ZONE)) + timedelta(seconds=LEAD)).replace(microsecond=0)
    president.get_by_label("Deadline for responses").fill(deadline.strftime("%Y-%m-%dT%H:%M:%S"))
    president.get_by_role("button", name="Circulate").click()
    expect(president.get_by_text("The draft decision is circulated to")).to_be_visible()
    expect(president.locator("body[data-watching-procedure]")).to_have_count(1)
    return deadline


def test_adopted_by_silence_while_the_presidents_page_follows(signed_in, axe):
    president = signed_in("president")
    deadline = _circulate(president, "Sponsorship programme review (run 1)")
    url = president.url
    axe(president, "a written procedure, open")

    germany = signed_in("delegate.germany")
    germany.goto(url)
    expect(germany.get_by_role("heading", name="Respond for Germany")).to_be_visible()
    germany.get_by_label("No objection").check()
    germany.get_by_role("button", name="Send the response").click()
    expect(germany.get_by_text("Your delegation's response is recorded.")).to_be_visible()

    status = president.locator("#procedure-status")
    expect(status.locator("tr", has_text="Germany")).to_contain_text("No objection")
    expect(status).to_contain_text("Silence is not broken")

    # At the deadline (the page counts down itself), the outcome appears without a reload.
    wait = (deadline - datetime.now(ZoneInfo(ZONE))).total_seconds()
    expect(status).to_contain_text("is adopted by silence procedure", timeout=(wait + 15) * 1000)
    expect(germany.locator("#procedure-status")).to_contain_text(
        "is adopted by silence procedure", timeout=15_000
    )
    # A response after the deadline is not offered, and the letter is the Secretariat's.
    germany.reload()
    expect(germany.get_by_role("button", name="Amend the response")).to_have_count(0)
    with germany.expect_download() as download:
        germany.get_by_role("link", name="Word").click()
    path = download.value.path()
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    # The deadline in the letter names the room's zone by its city (consult.dates).
    assert "is adopted by silence procedure" in text and "(Zurich time)" in text


def test_silence_broken_by_an_objection_live_in_a_second_browser(signed_in):
    president = signed_in("president")
    deadline = _circulate(president, "Sponsorship programme review (run 2)")
    url = president.url

    philippines = signed_in("delegate.philippines")
    philippines.goto(url)
    philippines.get_by_label("Objection (silence is broken)").check()
    philippines.get_by_role("button", name="Send the response").click()
    expect(philippines.get_by_text("Give the reason for the objection.")).to_be_visible()
    philippines.get_by_label("Objection (silence is broken)").check()
    philippines.get_by_label("Reason, comment or note").fill(
        "The Philippines need time to consult the capital."
    )
    philippines.get_by_role("button", name="Send the response").click()
    expect(philippines.get_by_text("Your delegation's response is recorded.")).to_be_visible()

    status = president.locator("#procedure-status")
    expect(status).to_contain_text("Silence is broken: Philippines objected.")
    expect(status.locator("tr", has_text="Philippines")).to_contain_text("consult the capital")

    wait = (deadline - datetime.now(ZoneInfo(ZONE))).total_seconds()
    expect(status).to_contain_text(
        "was broken by Philippines; the decision is not adopted", timeout=(wait + 15) * 1000
    )
