"""The compilation as a secretariat circulates it, downloaded from the browser: in the Word file,
¶4's text comes first, then the comments of Germany and of the African Group, attributed to the
delegation and the group, with no personal name anywhere in the file."""

from __future__ import annotations

import secrets

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser.test_papers import (
    PARAGRAPHS,
    issue_paper,
    markdown_of,
    open_comments,
    paragraph,
    post_comment,
    unique,
    write_comment,
)

pytestmark = [pytest.mark.papers, pytest.mark.browser]

#: The people who write or compile (demo accounts): none of their names may reach the file.
NAMES = ["Jonas Becker", "Chinedu Okafor", "Ricardo Salinas"]


def texts_after(path, heading: str) -> list[str]:
    """The paragraphs (and table cells) of a .docx from the heading `heading` to the next
    heading, in the order a reader meets them."""
    document = Document(str(path))
    texts, inside = [], False
    for para in document.paragraphs:
        if para.style.name.startswith("Heading"):
            inside = para.text.strip() == heading
            continue
        if inside and para.text.strip():
            texts.append(para.text.strip())
    return texts


def all_text(path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    parts += [
        document.core_properties.author or "",
        document.core_properties.last_modified_by or "",
    ]
    return "\n".join(parts)


def test_the_compilation_lists_the_paragraph_then_the_delegations_comments(signed_in, tmp_path):
    title = unique("Compiled work plan")
    germany_says = f"Germany asks that contributions be shared in advance ({secrets.token_hex(2)})."
    group_says = f"The African Group supports a common template ({secrets.token_hex(2)})."

    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))

    germany = signed_in("delegate.germany")
    germany.goto(f"/papers/{paper_id}")
    thread = open_comments(germany, 4)
    write_comment(germany, thread, 4, germany_says)
    post_comment(germany, thread)
    expect(paragraph(germany, 4).locator("li.comment", has_text=germany_says)).to_be_visible()

    # Nigeria coordinates the African Group: its comment speaks for the group at once.
    nigeria = signed_in("npc.nigeria")
    nigeria.goto(f"/papers/{paper_id}")
    thread = open_comments(nigeria, 4)
    write_comment(nigeria, thread, 4, group_says)
    thread.get_by_label("On behalf of").last.select_option(label="the African Group")
    post_comment(nigeria, thread)
    expect(paragraph(nigeria, 4).locator("li.comment", has_text=group_says)).to_be_visible()

    chair.goto(f"/papers/{paper_id}/compilation")
    expect(chair.get_by_role("heading", level=1)).to_have_text("Compilation of comments")
    with chair.expect_download() as download_info:
        chair.get_by_role("link", name="Download Word (.docx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-compilation.docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    under_4 = texts_after(saved, "¶4")
    assert under_4, "the compilation has no ¶4 section"
    assert under_4[0] == PARAGRAPHS[3], f"¶4 should open with its text, not {under_4[0]!r}"
    joined = "\n".join(under_4)
    assert germany_says in joined and group_says in joined, under_4
    germany_at = next(i for i, t in enumerate(under_4) if germany_says in t)
    group_at = next(i for i, t in enumerate(under_4) if group_says in t)
    # Each comment carries its delegation or group, never the person who typed it.
    assert any("Germany" in t for t in under_4[: germany_at + 1]), under_4
    assert any("African Group" in t for t in under_4[: group_at + 1]), under_4
    text = all_text(saved)
    for name in NAMES:
        assert name not in text, f"{name} appears in the compilation"
