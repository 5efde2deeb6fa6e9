"""Case studies as people use them: a delegate submits an unattributed case study, the WGETI
Chair publishes it, and another delegate finds it in the library without its origin."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_papers import unique

pytestmark = [pytest.mark.library, pytest.mark.browser]


def test_an_unattributed_case_study_is_published_and_found_without_its_origin(signed_in, axe):
    title = unique("Stockpile checks in provincial depots")

    # The Philippines' delegate submits it to WGETI, unattributed.
    philippines = signed_in("delegate.philippines")
    philippines.goto("/rooms/wgeti")
    philippines.get_by_role("link", name="Submit a case study").click()
    expect(philippines.get_by_role("heading", level=1)).to_have_text("Submit a case study")
    # Sent without a title or parts: refused next to the first field, nothing stored.
    philippines.get_by_role("button", name="Submit for review").click()
    expect(philippines.locator("#title-error")).to_have_text("Give the case study a title.")
    axe(philippines, "the case study form showing an error")
    philippines.get_by_label("Title", exact=True).fill(title)
    parts = {
        "Context": "Provincial depots keep small arms for the police.",
        "Challenge": "Records were kept on paper and not reconciled.",
        "Measures taken": "Quarterly physical counts against one register.",
        "Agencies involved": "Police logistics; the interior ministry's auditors.",
        "Result": "Every depot reconciled within a year.",
        "Lessons": "Count first, then computerise.",
    }
    for label, text in parts.items():
        philippines.get_by_label(label, exact=True).fill(text)
    philippines.get_by_label("Stages of implementation and sub-topics (optional)").select_option(
        label="Post-delivery measures: Stockpile management and security"
    )
    philippines.get_by_label("Unattributed", exact=False).check()
    philippines.get_by_role("button", name="Submit for review").click()
    expect(philippines.get_by_role("heading", level=1)).to_have_text(title)
    expect(philippines.get_by_text("Waiting for review since")).to_be_visible()
    case_study_url = philippines.url

    # Another delegate of the room does not see it before publication.
    germany = signed_in("delegate.germany")
    assert germany.goto(case_study_url).status == 404

    # The WGETI Chair finds it waiting, reads it without its origin, and publishes it.
    chair = signed_in("chair.wgeti")
    chair.goto("/")
    chair.get_by_role("link", name=title).first.click()
    expect(chair.get_by_text("Unattributed", exact=True)).to_be_visible()
    assert "Philippines" not in chair.content()
    axe(chair, "a case study waiting for review")
    chair.get_by_role("button", name="Publish to the room and the library").click()
    expect(chair.get_by_text("is published in the room and the library")).to_be_visible()

    # Germany finds it on the library's page of the stage, without its origin.
    germany.goto("/library/post-delivery-measures")
    shelf = germany.locator("section", has=germany.get_by_role("heading", name="Case studies"))
    expect(shelf.get_by_role("link", name=title)).to_be_visible()
    # (The delegation filter offers every delegation by name, and the Philippines may be
    # named on other shelves for what it signed; the case studies' shelf names no origin.)
    assert "Philippines" not in shelf.inner_text()
    shelf.get_by_role("link", name=title).click()
    expect(germany.get_by_role("heading", level=1)).to_have_text(title)
    expect(germany.get_by_text("Quarterly physical counts against one register.")).to_be_visible()
    assert "Philippines" not in germany.content()
    axe(germany, "a published unattributed case study")

    # The Philippines withdraws it (after a confirmation): Germany's link still opens, on a
    # placeholder without the text.
    philippines.goto(case_study_url)
    philippines.get_by_role("link", name="Withdraw…").click()
    axe(philippines, "the withdrawal's confirmation")
    philippines.get_by_role("button", name="Withdraw the case study").click()
    expect(
        philippines.get_by_role("button", name="Reinstate it as it was published")
    ).to_be_visible()
    response = germany.goto(case_study_url)
    assert response.status == 200
    expect(
        germany.get_by_text("Case study withdrawn by the submitting delegation on")
    ).to_be_visible()
    expect(germany.get_by_text("Quarterly physical counts against one register.")).to_have_count(0)
