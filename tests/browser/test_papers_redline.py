"""Proposals keep their meaning and the redline circulates: Germany proposes wording on Rev.0,
the chair issues Rev.1 and Rev.2 changing that paragraph, and Germany's proposal still reads as
what it asked for (with the current text on request, also without JavaScript); the comparison
of Rev.0 with Rev.2 reads as rendered text and downloads as Word with tracked changes."""

from __future__ import annotations

import re
import zipfile

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, _open_contexts, sign_in
from .test_papers import (
    issue_paper,
    open_comments,
    paragraph,
    post_comment,
    unique,
    write_comment,
)

pytestmark = pytest.mark.papers

OPENING = "The Working Group agrees to meet twice a year."
ON_DIVERSION = (
    "States Parties are encouraged to share their national practice on diversion "
    "before each meeting."
)
GERMANY_PROPOSES = (
    "States Parties are invited to share their national practice on diversion before each meeting."
)
INVITED = re.compile(r"^\[inserted: invited\]\s*$")
REV1 = ON_DIVERSION.replace("encouraged", "strongly encouraged")
REV2 = REV1.replace("before each meeting", "in writing, before each meeting")


def source(title: str, text: str) -> str:
    return (
        f"# {title}\n\n## Exchange of practice\n\n{OPENING}\n\n"
        "It considers:\n\n- risk assessment;\n- end-use controls.\n\n"
        f"{text}\n"
    )


def revise(chair, paper_id: int, text: str, title: str) -> None:
    chair.goto(f"/papers/{paper_id}/revise")
    chair.get_by_label("Text (Markdown)").fill(source(title, text))
    chair.get_by_role("button", name="Issue the revision").click()
    expect(chair).to_have_url(re.compile(rf"/papers/{paper_id}$"))


@pytest.fixture
def no_script_page(browser, live_server):
    """A page with JavaScript off: the second view still opens (a native disclosure)."""
    context = browser.new_context(
        base_url=live_server.base_url,
        viewport=DESKTOP,
        java_script_enabled=False,
        locale="en-GB",
        timezone_id="Europe/Zurich",
    )
    context.set_default_timeout(10_000)
    _open_contexts.append(context)
    yield context.new_page()
    _open_contexts.remove(context)
    context.close()


def test_germanys_rev0_proposal_still_reads_as_its_proposal_after_rev2(
    signed_in, no_script_page, tmp_path
):
    title = unique("Exchange of practice")
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, source(title, ON_DIVERSION))

    # Germany proposes "invited" instead of "encouraged" on Rev.0 ¶3.
    germany = signed_in("delegate.germany")
    germany.goto(f"/papers/{paper_id}")
    thread = open_comments(germany, 3)
    write_comment(germany, thread, 3, "Germany prefers an invitation.", proposed=GERMANY_PROPOSES)
    post_comment(germany, thread)
    proposal = paragraph(germany, 3).locator(".proposed")
    expect(proposal).to_contain_text("proposed on Rev.0 ¶3")
    expect(proposal.locator("del")).to_have_text(re.compile(r"^\[deleted: encouraged\]\s*$"))
    expect(proposal.locator("ins")).to_have_text(re.compile(r"^\[inserted: invited\]\s*$"))

    # The chair issues Rev.1 and Rev.2, each changing ¶3 (not as Germany asked).
    revise(chair, paper_id, REV1, title)
    revise(chair, paper_id, REV2, title)

    germany.goto(f"/papers/{paper_id}")
    thread = open_comments(germany, 3)
    proposal = thread.locator(".proposed")
    expect(proposal).to_contain_text("proposed on Rev.0 ¶3")
    expect(proposal).to_contain_text("the paragraph has changed since")
    # Still Germany's proposal: "encouraged" becomes "invited" -- the words it asked for are
    # inserted, not struck, and nothing of Rev.1 or Rev.2 is read into it.
    first_view = proposal.locator(":scope > .redline")
    expect(first_view.locator("ins")).to_have_text([INVITED])
    expect(first_view.locator("del")).to_have_text([re.compile(r"^\[deleted: encouraged\]\s*$")])
    expect(first_view).not_to_contain_text("strongly")
    # On request, by keyboard: what the proposal would change in the paragraph as it is now.
    toggle = proposal.get_by_text("Show it against the current text (Rev.2 ¶3)")
    second_view = proposal.locator(".proposal-now .redline")
    expect(second_view).to_be_hidden()
    toggle.focus()
    germany.keyboard.press("Enter")
    expect(second_view).to_be_visible()
    expect(second_view.locator("del")).to_have_text(
        [
            re.compile(r"^\[deleted: strongly encouraged\]\s*$"),
            re.compile(r"^\[deleted:\s*in writing,\s*\]\s*$"),
        ]
    )
    expect(second_view.locator("ins")).to_have_text([INVITED])
    # Struck and underlined words are marked for the eye, their labels only for the ear.
    label = first_view.locator("del .visually-hidden").first
    assert label.bounding_box()["width"] <= 1

    # The same, with JavaScript off: the paragraph's own page, the disclosure still opens.
    page = sign_in(no_script_page, "delegate.germany")
    page.goto(f"/papers/{paper_id}")
    page.get_by_role("link", name="Paragraph 3", exact=True).wait_for()
    key = paragraph(page, 3).get_attribute("data-key")
    page.goto(f"/papers/{paper_id}/p/{key}")
    proposal = page.locator(".proposed")
    expect(proposal.locator(":scope > .redline ins")).to_have_text([INVITED])
    proposal.get_by_text("Show it against the current text (Rev.2 ¶3)").click()
    expect(proposal.locator(".proposal-now .redline del").first).to_be_visible()

    # The redline of Rev.0 and Rev.2 reads as the paper (no raw Markdown) and goes out as Word.
    chair.goto(f"/papers/{paper_id}/compare?from=0&to=2")
    expect(chair.get_by_role("heading", level=1)).to_have_text("Rev.0 compared with Rev.2")
    table = chair.locator("table.redline-table")
    expect(table.get_by_role("heading", name="Exchange of practice", exact=True)).to_be_visible()
    expect(table.locator("li", has_text="risk assessment;")).to_be_visible()
    expect(table).not_to_contain_text("## ")
    row = chair.get_by_role("row").filter(has_text="share their national practice")
    expect(row.get_by_role("cell").nth(0)).to_have_text("¶3")
    expect(row.get_by_role("cell").nth(1)).to_have_text("¶3")
    expect(row.locator("ins")).to_have_text(
        [
            re.compile(r"^\[inserted:\s*strongly\s*\]\s*$"),
            re.compile(r"^\[inserted:\s*in writing,\s*\]\s*$"),
        ]
    )
    with chair.expect_download() as download_info:
        chair.get_by_role("link", name="Download as Word (tracked changes)").click()
    download = download_info.value
    assert download.suggested_filename == f"paper-{paper_id}-Rev.0-Rev.2-redline.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    xml = zipfile.ZipFile(saved).read("word/document.xml").decode()
    assert re.search(r"<w:ins [^>]*w:author=\"The Chair\"", xml)
    assert re.search(r"<w:ins [^>]*>\s*<w:r>\s*<w:t[^>]*>\s*strongly\s*</w:t>", xml)
