"""The revision workflow as the facilitator uses it: take a delegation's proposal into the
draft revision, watch the preview follow the text, review what changed, confirm, and find
Rev.3 with the change shown as a redline; a delegate never sees the draft."""

from __future__ import annotations

import re
import zipfile

import pytest
from playwright.sync_api import expect

from .test_accessibility import GUIDE, open_guide
from .test_papers import open_comments, paragraph

pytestmark = pytest.mark.papers

PROPOSAL = "end-use monitoring"


def test_the_facilitator_takes_a_proposal_into_rev3(signed_in, tmp_path):
    facilitator = open_guide(signed_in("facilitator"))
    expect(facilitator.locator(".paper-header")).to_contain_text("Rev.2")
    # Germany's proposal on ¶7 of Rev.2 (demo data), taken into the draft revision.
    thread = open_comments(facilitator, 7)
    comment = thread.locator("li.comment", has_text="we propose naming end-use monitoring")
    comment.get_by_role("button", name="Take this proposal").click()
    expect(facilitator.get_by_role("heading", level=1)).to_have_text(f"Draft Rev.3 of {GUIDE}")
    expect(
        facilitator.get_by_text("The proposal is in the draft revision in place of ¶7")
    ).to_be_visible()
    source = facilitator.get_by_label("Text of the draft revision (Markdown)")
    expect(source).to_have_value(re.compile(PROPOSAL))
    preview = facilitator.locator("#draft-preview")
    expect(preview.locator("article.paragraph", has_text=PROPOSAL)).to_contain_text("7.")

    # The preview follows the text as it is typed (htmx), numbered in the margin.
    with facilitator.expect_response(
        lambda r: r.url.endswith("/draft/preview") and r.request.method == "POST"
    ):
        source.press("Control+End")
        source.type("\n\nStates Parties review these measures **regularly**.")
    expect(preview.locator("strong", has_text="regularly")).to_be_visible()
    expect(preview.get_by_text("Draft saved")).to_be_visible()
    # The draft is on the server: leaving and coming back loses nothing.
    facilitator.reload()
    expect(source).to_have_value(re.compile("regularly"))

    # A delegate sees the paper, never the draft.
    delegate = open_guide(signed_in("delegate.germany"))
    response = delegate.goto(delegate.url.split("#")[0] + "/draft")
    assert response.status == 403
    expect(delegate.get_by_text("regularly")).to_have_count(0)

    # Review: one paragraph changed, one added; nothing issued until confirmed.
    facilitator.get_by_role("button", name="Review the changes").click()
    expect(facilitator.get_by_role("heading", level=1)).to_have_text(f"Issue Rev.3 of {GUIDE}?")
    summary = facilitator.locator(".change-summary")
    expect(summary).to_contain_text("1 paragraph added")
    expect(summary).to_contain_text("1 changed")
    expect(summary).to_contain_text("0 removed")
    expect(facilitator.locator("tr.change-changed td.redline ins").first).to_be_visible()
    facilitator.get_by_label("What changed (optional, shown with the revision)").fill(
        "Germany's proposal"
    )
    facilitator.get_by_role("button", name="Issue Rev.3").click()
    expect(
        facilitator.get_by_text("Rev.3 is issued. Comments moved with their text.")
    ).to_be_visible()
    expect(facilitator.locator(".paper-header")).to_contain_text("Rev.3")
    expect(paragraph(facilitator, 7)).to_contain_text(PROPOSAL)

    # Rev.3 shows the change as a redline against Rev.2.
    facilitator.get_by_role("link", name="Compare revisions").click()
    expect(facilitator.get_by_role("heading", level=1)).to_have_text("Rev.2 compared with Rev.3")
    expect(facilitator.locator("td.redline ins", has_text="end-use").first).to_be_visible()
    # Labelled for screen readers, read in order.
    expect(facilitator.locator("td.redline ins", has_text="end-use").first).to_contain_text(
        "inserted:"
    )

    # ... which exports to Word as real tracked changes: the proposal's words inserted.
    with facilitator.expect_download() as download_info:
        facilitator.get_by_role("link", name="Download as Word (tracked changes)").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name.endswith("-Rev.2-Rev.3-redline.docx"), saved.name
    with zipfile.ZipFile(saved) as archive:
        body = archive.read("word/document.xml").decode()
    inserted = " ".join(re.findall(r"<w:ins\b.*?</w:ins>", body, flags=re.S))
    assert "end-use" in inserted, "the taken proposal is not a tracked insertion"
    assert 'w:author="' in inserted and 'w:date="' in inserted
