"""The library as a delegate uses it: from the main navigation to "Post-delivery measures",
the paper tagged with it, filtered by Treaty article and by year; an observer State sees
only what its status allows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.library, pytest.mark.browser]

DVC = "Background paper: delivery verification and post-shipment cooperation"
STOCKPILES = "Background paper: stockpile management after delivery"
STATES_ONLY = "Draft decision on post-delivery cooperation among States Parties"


def open_stage(page) -> int:
    """From the main navigation to the stage's page; the number of entries it lists."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Library")
    page.get_by_role("link", name="Post-delivery measures", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Post-delivery measures")
    status = page.locator("#library-results [role=status]").inner_text()
    return int(re.match(r"(\d+)", status).group(1))


def test_a_delegate_finds_the_paper_of_a_stage_and_filters_it(signed_in, axe):
    germany = signed_in("delegate.germany")
    everything = open_stage(germany)
    results = germany.locator("#library-results")
    paper = results.get_by_role("link", name=DVC)
    expect(paper).to_be_visible()
    expect(results.locator(".library-entry").filter(has_text=DVC)).to_contain_text("Rev.1")
    expect(results.get_by_role("link", name=STATES_ONLY)).to_be_visible()
    expect(results.get_by_role("heading", name=re.compile("^Trend briefs"))).to_be_visible()
    # The demo's case studies of the stage are on their own shelf.
    cases = results.locator(
        "section", has=germany.get_by_role("heading", name=re.compile("^Case studies"))
    )
    for title in (
        "Delivery verification certificates for imports of small arms",
        "Stockpile management after a depot audit",
    ):
        expect(cases.get_by_role("link", name=title)).to_be_visible()
    # The sub-topics are pages of their own.
    expect(
        germany.get_by_role("link", name="Delivery verification certificates", exact=True)
    ).to_be_visible()
    axe(germany, "a stage of the library")

    # By Treaty article: Article 16 is the stockpile paper's alone.
    germany.get_by_label("Treaty article").select_option(label="Article 16")
    germany.get_by_role("button", name="Apply filters").click()
    expect(results.get_by_role("link", name=STOCKPILES)).to_be_visible()
    expect(results.get_by_role("link", name=DVC)).to_have_count(0)
    expect(germany.get_by_label("Treaty article")).to_have_value("16")  # keeps its value
    germany.get_by_role("link", name="Clear filters").click()
    expect(results.get_by_role("link", name=DVC)).to_be_visible()

    # By year: last year's paper alone, then this year's without it.
    year = datetime.now(UTC).year
    germany.get_by_label("Year", exact=True).fill(str(year - 1))
    germany.get_by_label("Year", exact=True).press("Enter")
    expect(results.get_by_role("link", name=STOCKPILES)).to_be_visible()
    expect(results.get_by_role("link", name=DVC)).to_have_count(0)
    germany.get_by_label("Year", exact=True).fill(str(year))
    germany.get_by_role("button", name="Apply filters").click()
    expect(results.get_by_role("link", name=DVC)).to_be_visible()
    expect(results.get_by_role("link", name=STOCKPILES)).to_have_count(0)

    # A year that is not one is refused next to its field; the list stays unfiltered.
    germany.get_by_label("Year", exact=True).fill("next")
    germany.get_by_role("button", name="Apply filters").click()
    expect(germany.locator("#year-error")).to_contain_text("four digits")
    expect(results.get_by_role("link", name=DVC)).to_be_visible()
    axe(germany, "the library's filters showing an error")

    # The paper opens from its line.
    germany.get_by_label("Year", exact=True).fill("")
    germany.get_by_role("button", name="Apply filters").click()
    results.get_by_role("link", name=DVC).click()
    expect(germany.get_by_role("heading", level=1)).to_have_text(DVC)

    # India, an observer State, sees fewer entries: not the States-only consultations'.
    india = signed_in("delegate.india")
    seen = open_stage(india)
    expect(india.locator("#library-results").get_by_role("link", name=DVC)).to_be_visible()
    expect(india.get_by_role("link", name=STATES_ONLY)).to_have_count(0)
    assert seen < everything
    axe(india, "a stage of the library for an observer State")
