"""A questionnaire as the WGETI Chair and two delegations notice it: the chair issues it;
Germany's desk officer drafts the answer and its focal point submits it; the Philippines
answer; the chair's compilation lists both and is exported to Word."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import docx
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.library, pytest.mark.browser]

TITLE = "Stockpile management in practice"
QUESTION = "How often do you check the security of your stockpiles?"
GERMAN = "Germany inspects every depot twice a year."
PHILIPPINE = "The Philippines audits depots every quarter."


def test_the_chair_issues_two_delegations_answer_and_the_compilation_goes_to_word(signed_in, axe):
    chair = signed_in("chair.wgeti")
    chair.goto("/rooms/wgeti")
    chair.get_by_role("link", name="Prepare a questionnaire").click()
    chair.get_by_label("Title").fill(TITLE)
    deadline = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    chair.get_by_label("Deadline for answers").fill(deadline)
    chair.get_by_role("button", name="Save and add the questions").click()
    chair.get_by_label("Question (Markdown)").fill(QUESTION)
    chair.get_by_label("Stages of implementation and sub-topics (optional)").select_option(
        label="Post-delivery measures: Stockpile management and security"
    )
    chair.get_by_role("button", name="Save the question").click()
    expect(chair.get_by_text("The question is added.")).to_be_visible()
    chair.get_by_role("button", name="Issue the questionnaire").click()
    issued = re.compile(r"The questionnaire is issued; \d+ people")
    expect(chair.get_by_text(issued)).to_be_visible()
    page_url = chair.url

    # Germany's desk officer drafts; he may not submit (the focal point does).
    colleague = signed_in("delegate.germany")
    colleague.goto(page_url)
    colleague.get_by_role("link", name="Answer for Germany").click()
    colleague.get_by_label("Answer to question 1").fill(GERMAN)
    expect(colleague.get_by_role("button", name="Submit for Germany")).to_have_count(0)
    colleague.get_by_role("button", name="Save the draft").click()
    expect(colleague.get_by_text("The draft is saved.")).to_be_visible()
    axe(colleague, "a delegation's draft answers")

    focal = signed_in("focal.germany")
    focal.goto(page_url)
    focal.get_by_role("link", name="Continue your delegation's draft").click()
    expect(focal.get_by_label("Answer to question 1")).to_have_value(GERMAN)
    expect(focal.get_by_text("Jonas Becker saved the draft")).to_be_visible()
    focal.get_by_role("button", name="Submit for Germany").click()
    expect(focal.get_by_text("The answers of Germany are submitted.")).to_be_visible()

    other = signed_in("delegate.philippines")
    other.goto(page_url)
    other.get_by_role("link", name="Answer for Philippines").click()
    other.get_by_label("Answer to question 1").fill(PHILIPPINE)
    other.get_by_role("button", name="Submit for Philippines").click()
    expect(other.get_by_text("The answers of Philippines are submitted.")).to_be_visible()

    chair.goto(page_url)
    answered = chair.locator("ul.answered")
    expect(answered).to_contain_text("Germany")
    expect(answered).to_contain_text("Philippines")
    expect(chair.locator("ul.not-answered")).not_to_contain_text("Germany")
    chair.get_by_role("link", name="Compilation of the answers").click()
    expect(chair.locator(".compiled-answer")).to_have_count(2)
    expect(chair.get_by_text(GERMAN)).to_be_visible()
    expect(chair.get_by_text(PHILIPPINE)).to_be_visible()
    axe(chair, "the compilation of a questionnaire")
    with chair.expect_download() as download_info:
        chair.get_by_role("link", name="Export to Word").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-answers.docx")
    with open(download.path(), "rb") as handle:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(handle.read())).paragraphs)
    assert GERMAN in text and PHILIPPINE in text and "Germany" in text and "Philippines" in text
