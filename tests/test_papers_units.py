"""Unit tests for the papers building blocks: no app, no database, just the functions."""

from __future__ import annotations

import difflib
import io
import random
import re
import time
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.exports.word import FRONT_STYLE, inline_runs
from consult.markdown import render
from consult.papers.blocks import Block, markdown_for_render, number_blocks, split_blocks
from consult.papers.docx_io import (
    NOT_DOCX,
    DocxError,
    RevisionDoc,
    docx_to_markdown,
    revision_docx,
)
from consult.papers.redline import redline_html, similarity, word_diff

P, H = "paragraph", "heading"


def texts(markdown: str) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in split_blocks(markdown)]


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def replace_part(data: bytes, name: str, content: bytes | str) -> bytes:
    """The same .docx with one part's bytes replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files: dict[str, bytes | str] = {n: archive.read(n) for n in archive.namelist()}
    files[name] = content
    return zip_bytes(files)


# ---- split_blocks ----------------------------------------------------------------------------


class TestSplitBlocks:
    def test_empty_and_blank_input(self):
        assert split_blocks("") == []
        assert split_blocks("   \n\n \r\n\t\n") == []

    def test_blank_lines_separate_paragraphs(self):
        assert texts("One.\n\nTwo\ncontinued.\n\n\n\nThree.") == [
            (P, "One."),
            (P, "Two\ncontinued."),
            (P, "Three."),
        ]

    def test_headings(self):
        assert texts("# One\n\n###### Six\n\n####### Seven\n\n#hashtag\n\n#") == [
            (H, "# One"),
            (H, "###### Six"),
            (P, "####### Seven"),
            (P, "#hashtag"),
            (P, "#"),
        ]

    def test_heading_line_is_cut_from_the_text_around_it(self):
        assert texts("# Title\nFirst paragraph.\n## Sub\nSecond.") == [
            (H, "# Title"),
            (P, "First paragraph."),
            (H, "## Sub"),
            (P, "Second."),
        ]

    def test_list_stays_with_its_paragraph_even_after_a_blank_line(self):
        assert texts("The Conference decides:\n\n- to adopt;\n\n- to note.\n\nNext.") == [
            (P, "The Conference decides:\n- to adopt;\n- to note."),
            (P, "Next."),
        ]

    def test_list_directly_under_its_paragraph(self):
        assert texts("Intro:\n* a\n+ b") == [(P, "Intro:\n* a\n+ b")]

    @pytest.mark.parametrize("marker", ["1.", "2)", "10."])
    def test_numbered_lists(self, marker):
        assert texts(f"Intro\n\n{marker} first\n\n{marker} second") == [
            (P, f"Intro\n{marker} first\n{marker} second")
        ]

    def test_list_at_start_or_after_heading_is_its_own_paragraph(self):
        assert texts("- a\n\n- b\n\n# H\n\n1. x\n\n2. y\n\nAfter.") == [
            (P, "- a\n- b"),
            (H, "# H"),
            (P, "1. x\n2. y"),
            (P, "After."),
        ]

    def test_indented_continuation_stays_with_its_item(self):
        assert texts("Intro\n\n- item\n\n  more about the item\n\nNew paragraph.") == [
            (P, "Intro\n- item\n  more about the item"),
            (P, "New paragraph."),
        ]

    def test_thematic_break_is_not_a_list(self):
        assert texts("Text\n\n* * *\n\n---") == [(P, "Text"), (P, "* * *"), (P, "---")]

    def test_fenced_code_is_never_split(self):
        source = "Before\n\n```\ncode\n\n# not a heading\n\n- not a list\n```\n\nAfter"
        assert texts(source) == [
            (P, "Before"),
            (P, "```\ncode\n\n# not a heading\n\n- not a list\n```"),
            (P, "After"),
        ]

    def test_tilde_fence_and_unclosed_fence(self):
        assert texts("~~~\na\n\nb\n~~~\n\nc") == [(P, "~~~\na\n\nb\n~~~"), (P, "c")]
        assert texts("```\nnever closed\n\n# still code") == [
            (P, "```\nnever closed\n\n# still code")
        ]

    def test_windows_line_endings_and_trailing_spaces(self):
        assert texts("# Head  \r\n\r\nLine one   \r\nline two\t\r\n\r\n- item  ") == [
            (H, "# Head"),
            (P, "Line one\nline two\n- item"),
        ]

    def test_number_blocks(self):
        blocks = split_blocks("# A\n\none\n\ntwo\n\n## B\n\nthree")
        assert number_blocks(blocks) == [None, 1, 2, None, 3]
        assert number_blocks([]) == []

    def test_blocks_are_frozen(self):
        block = Block("paragraph", "x")
        with pytest.raises(AttributeError):
            block.text = "y"  # type: ignore[misc]

    def test_markdown_for_render_makes_the_list_a_list(self):
        (block,) = split_blocks("Intro:\n\n- a\n- b")
        assert markdown_for_render(block.text) == "Intro:\n\n- a\n- b"
        html = render(markdown_for_render(block.text))
        assert "<p>Intro:</p>" in html and "<li>a</li>" in html and "<li>b</li>" in html
        assert markdown_for_render("- a\n- b") == "- a\n- b"
        assert markdown_for_render("```\nx\n- y\n```") == "```\nx\n- y\n```"

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.sampled_from(
                [
                    "Text.",
                    "more text",
                    "- item",
                    "2. item",
                    "# Head",
                    "### Sub",
                    "",
                    "",
                    "```",
                    "  continued",
                    "trailing  ",
                    "\r",
                    "* * *",
                    "1) x",
                ]
            ),  # fmt: skip
            max_size=30,
        )
    )
    def test_blocks_are_stable(self, lines):
        """Blocks are clean, and joining them with blank lines gives the same blocks again."""
        blocks = split_blocks("\n".join(lines))
        for block in blocks:
            assert block.text and block.text == block.text.strip()
            assert "\r" not in block.text
            assert all(line == line.rstrip() for line in block.text.split("\n"))
        assert split_blocks("\n\n".join(b.text for b in blocks)) == blocks


# ---- docx_to_markdown ------------------------------------------------------------------------


def sample_document():
    document = docx.Document()
    document.add_paragraph("Draft decision", style="Title")
    document.add_heading("Introduction", level=1)
    p = document.add_paragraph("The Conference ")
    p.add_run("decides").bold = True
    p.add_run(" to ")
    p.add_run("note").italic = True
    p.add_run(" the report:")
    document.add_paragraph("first point", style="List Bullet")
    document.add_paragraph("second point", style="List Bullet")
    document.add_paragraph("")  # empty: dropped
    document.add_heading("Budget", level=2)
    document.add_paragraph("step one", style="List Number")
    document.add_paragraph("step two", style="List Number")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "State"
    table.cell(0, 1).text = "Amount"
    table.cell(1, 0).text = "A|B"
    table.cell(1, 1).text = "10"
    document.add_paragraph("1. Typed number, * star and <tag>.")
    return document


class TestDocxToMarkdown:
    def test_structure_and_formatting(self):
        markdown = docx_to_markdown(docx_bytes(sample_document()))
        assert markdown == (
            "# Draft decision\n\n"
            "# Introduction\n\n"
            "The Conference **decides** to *note* the report:\n\n"
            "- first point\n"
            "- second point\n\n"
            "## Budget\n\n"
            "1. step one\n"
            "2. step two\n\n"
            "| State | Amount |\n"
            "| --- | --- |\n"
            "| A\\|B | 10 |\n\n"
            "1\\. Typed number, \\* star and &lt;tag>.\n"
        )
        assert texts(markdown)[2:4] == [
            (P, "The Conference **decides** to *note* the report:\n- first point\n- second point"),
            (H, "## Budget"),
        ]
        html = render(markdown)
        assert "<strong>decides</strong>" in html and "<td>A|B</td>" in html
        assert "1. Typed number, * star and &lt;tag&gt;." in html

    def test_heading_levels_and_nested_lists(self):
        document = docx.Document()
        for level in (1, 3, 6, 9):
            document.add_heading(f"Level {level}", level=level)
        document.add_paragraph("top", style="List Bullet")
        document.add_paragraph("nested", style="List Bullet 2")
        document.add_paragraph("deeper", style="List Number 3")
        markdown = docx_to_markdown(docx_bytes(document))
        assert markdown.startswith("# Level 1\n\n### Level 3\n\n###### Level 6\n\n###### Level 9")
        assert markdown.endswith("- top\n    - nested\n        1. deeper\n")

    def test_numbering_properties_make_a_list_item(self):
        document = docx.Document()
        document.add_paragraph("Intro")
        p = document.add_paragraph("numbered by Word, not by style")
        num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = 1
        assert docx_to_markdown(docx_bytes(document)).endswith(
            "\n- numbered by Word, not by style\n"
        )

    def test_tracked_changes_hyperlinks_and_hidden_text(self):
        document = docx.Document()
        p = document.add_paragraph("Keep ")
        inserted = OxmlElement("w:ins")
        inserted.append(p.add_run("inserted ")._r)
        p._p.append(inserted)
        deleted = OxmlElement("w:del")
        deleted.append(p.add_run("deleted ")._r)
        p._p.append(deleted)
        rid = p.part.relate_to(
            "https://thearmstradetreaty.org",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
            is_external=True,
        )
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        link.append(p.add_run("the treaty")._r)
        p._p.append(link)
        p.add_run(" secret").font.hidden = True
        p.add_run(".")
        assert docx_to_markdown(docx_bytes(document)) == (
            "Keep inserted [the treaty](https://thearmstradetreaty.org).\n"
        )

    def test_merged_table_cells_are_not_repeated(self):
        document = docx.Document()
        table = document.add_table(rows=2, cols=3)
        table.cell(0, 0).merge(table.cell(0, 1))
        table.cell(0, 0).text = "wide"
        table.cell(0, 2).text = "x"
        table.cell(1, 0).text = "a"
        assert docx_to_markdown(docx_bytes(document)) == (
            "| wide |  | x |\n| --- | --- | --- |\n| a |  |  |\n"
        )

    def test_character_styles_and_explicit_off(self):
        document = docx.Document()
        p = document.add_paragraph()
        p.add_run("strong", style="Strong")
        p.add_run(" and ")
        p.add_run("emphasis", style="Emphasis")
        p.add_run(" but ")
        p.add_run("not bold", style="Strong").bold = False
        assert docx_to_markdown(docx_bytes(document)) == (
            "**strong** and *emphasis* but not bold\n"
        )

    def test_custom_heading_style_by_outline_level(self):
        document = docx.Document()
        style = document.styles.add_style("UN Heading", WD_STYLE_TYPE.PARAGRAPH)
        style.element.get_or_add_pPr().get_or_add_outlineLvl().val = 1
        document.add_paragraph("Chapter", style="UN Heading")
        document.add_paragraph("Body.")
        assert docx_to_markdown(docx_bytes(document)) == "## Chapter\n\nBody.\n"

    def test_table_of_contents_is_skipped_but_content_controls_are_read(self):
        document = docx.Document()
        body = document.element.body
        for gallery, text in (("Table of Contents", "1 Introduction .... 3"), (None, "Kept")):
            sdt = OxmlElement("w:sdt")
            sdt_pr = OxmlElement("w:sdtPr")
            if gallery:
                part_obj = OxmlElement("w:docPartObj")
                gallery_element = OxmlElement("w:docPartGallery")
                gallery_element.set(qn("w:val"), gallery)
                part_obj.append(gallery_element)
                sdt_pr.append(part_obj)
            sdt.append(sdt_pr)
            content = OxmlElement("w:sdtContent")
            content.append(document.add_paragraph(text)._p)
            sdt.append(content)
            body.insert(len(body) - 1, sdt)
        assert docx_to_markdown(docx_bytes(document)) == "Kept\n"

    def test_table_cells_stay_cells(self):
        document = docx.Document()
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Head"
        table.cell(0, 1).text = "Other"
        table.cell(1, 0).text = "|pipe first"
        table.cell(1, 1).add_paragraph("1. second paragraph")
        markdown = docx_to_markdown(docx_bytes(document))
        assert markdown.splitlines()[2] == "| \\|pipe first | 1. second paragraph |"
        assert "<td>|pipe first</td>" in render(markdown)

    def test_long_documents_are_read_quickly(self):
        document = docx.Document()
        for n in range(1000):
            document.add_heading(f"Section {n}", 2)
            p = document.add_paragraph("The Conference ")
            p.add_run("decides").bold = True
            document.add_paragraph("item", style="List Bullet")
        data = docx_bytes(document)
        start = time.perf_counter()
        assert docx_to_markdown(data).count("**decides**") == 1000
        assert time.perf_counter() - start < 10  # python-docx's style lookups took 20 s here

    def test_not_a_zip(self):
        for data in (b"", b"plain text", b"%PDF-1.7\n...", bytes(range(256))):
            with pytest.raises(DocxError) as caught:
                docx_to_markdown(data)
            assert str(caught.value) == NOT_DOCX

    def test_old_word_format_gets_a_hint(self):
        with pytest.raises(DocxError, match=r"not a Word document \(\.docx\)\. .*\.doc"):
            docx_to_markdown(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)

    def test_zip_that_is_not_a_docx(self):
        with pytest.raises(DocxError, match=re.escape(str(NOT_DOCX))):
            docx_to_markdown(zip_bytes({"hello.txt": "hello", "image.png": b"\x89PNG"}))
        with pytest.raises(DocxError, match=re.escape(str(NOT_DOCX))):  # an .xlsx, say
            docx_to_markdown(zip_bytes({"[Content_Types].xml": "<x/>", "xl/workbook.xml": "<x/>"}))

    @pytest.mark.parametrize(
        "content",
        [b"not xml at all", b"<w:document", b"<?xml version='1.0'?><other/>", b"\xff\xfe\x00"],
    )
    def test_malformed_document_part(self, content):
        data = replace_part(docx_bytes(sample_document()), "word/document.xml", content)
        with pytest.raises(DocxError):
            docx_to_markdown(data)

    def test_truncated_file(self):
        data = docx_bytes(sample_document())
        for cut in (len(data) // 3, len(data) - 10):
            with pytest.raises(DocxError):
                docx_to_markdown(data[:cut])

    def test_docm_content_type_is_refused(self):
        data = docx_bytes(sample_document())
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            types = archive.read("[Content_Types].xml").decode()
        types = types.replace("document.main+xml", "document.macroEnabled.main+xml")
        with pytest.raises(DocxError):
            docx_to_markdown(replace_part(data, "[Content_Types].xml", types))

    def test_document_without_text(self):
        document = docx.Document()
        document.add_paragraph("")
        document.add_paragraph("   ")
        document.add_table(rows=2, cols=2)
        with pytest.raises(DocxError, match="no text"):
            docx_to_markdown(docx_bytes(document))

    def test_too_many_paragraphs(self):
        document = docx.Document()
        for n in range(12):
            document.add_paragraph(f"Paragraph {n}")
        data = docx_bytes(document)
        assert docx_to_markdown(data, max_paragraphs=12).count("Paragraph") == 12
        with pytest.raises(DocxError, match="more than 11 paragraphs"):
            docx_to_markdown(data, max_paragraphs=11)

    def test_zip_bomb_is_refused_before_parsing(self, monkeypatch):
        bomb = b"<w:document>" + b" " * (21 * 1024 * 1024) + b"</w:document>"
        data = replace_part(docx_bytes(sample_document()), "word/document.xml", bomb)
        assert len(data) < 200_000  # small on disk, 21 MB inflated

        def must_not_open(*args, **kwargs):
            raise AssertionError("python-docx opened a zip bomb")

        monkeypatch.setattr(docx, "Document", must_not_open)
        with pytest.raises(DocxError, match="too large"):
            docx_to_markdown(data)

    @settings(max_examples=150, deadline=None)
    @given(st.data())
    def test_damaged_files_only_ever_raise_docx_error(self, data):
        original = bytearray(docx_bytes(sample_document()))
        for _ in range(data.draw(st.integers(1, 20))):
            position = data.draw(st.integers(0, len(original) - 1))
            original[position] = data.draw(st.integers(0, 255))
        try:
            result = docx_to_markdown(bytes(original))
        except DocxError:
            return
        assert isinstance(result, str)


# ---- revision_docx ---------------------------------------------------------------------------

SOURCE = """# Introduction

The **Conference** of *States Parties* decides:

1. to adopt the report;
2. to take note of the ***budget***.

## Scope

- first item
    - nested item
- second item

Another paragraph with a [link](https://example.org/x) and 5 \\* 3 = 15.

| State | Amount |
| --- | --- |
| Ruritania | 10 |

1. A new list restarts at one.
2. Second.
"""


def revision(source: str = SOURCE) -> RevisionDoc:
    blocks = split_blocks(source)
    return RevisionDoc(
        symbol="ATT/CSP11/2025/CHAIR/800/WP",
        title="Working paper on reporting",
        revision_label="Rev.1",
        issued_by="the Chair",
        blocks=[(n, b.kind, b.text) for n, b in zip(number_blocks(blocks), blocks, strict=True)],
    )


class TestRevisionDocx:
    def test_round_trip_keeps_every_block(self):
        markdown = docx_to_markdown(revision_docx(revision()))
        assert split_blocks(markdown) == [Block("heading", "# Working paper on reporting")] + (
            split_blocks(SOURCE)
        )

    def test_numbers_headings_header_and_properties(self):
        document = docx.Document(io.BytesIO(revision_docx(revision())))
        paragraphs = [
            p for p in document.paragraphs if p.text.strip() and p.style.name != FRONT_STYLE
        ]
        assert paragraphs[0].style.name == "Title"
        assert (paragraphs[1].style.name, paragraphs[1].text) == ("Heading 1", "Introduction")
        first = paragraphs[2]
        assert first.text == "1. The Conference of States Parties decides:"
        assert first.runs[0].text == "1." and first.runs[0].bold
        assert [r.text for r in first.runs if r.bold] == ["1.", "Conference"]
        assert [r.text for r in first.runs if r.italic] == ["States Parties"]
        assert [p.style.name for p in paragraphs[3:5]] == ["List Number", "List Number"]
        numbered = [p.text for p in paragraphs if re.match(r"\d+\. ", p.text)]
        assert [t.split(".")[0] for t in numbered] == ["1", "2", "3"]
        assert document.tables[0].cell(0, 0).text == "4. State"  # its number, in the table
        header = " ".join(p.text for p in document.sections[0].header.paragraphs)
        assert "ATT/CSP11/2025/CHAIR/800/WP" in header and "Rev.1" in header
        assert document.core_properties.author == "the Chair"
        assert document.tables[0].cell(1, 0).text == "Ruritania"

    def test_each_numbered_list_starts_again(self):
        document = docx.Document(io.BytesIO(revision_docx(revision())))
        ids = [
            p._p.pPr.numPr.numId.val for p in document.paragraphs if p.style.name == "List Number"
        ]
        assert len(ids) == 4 and ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]

    def test_awkward_text_is_written(self):
        doc = RevisionDoc(
            symbol=None,
            title="Nul\x00 and bell\x07 <b>&amp;",
            revision_label="Rev.0",
            issued_by="",
            blocks=[(1, "paragraph", "Control \x0b chars \x1f, unbalanced **bold and *it")],
        )
        text = docx_to_markdown(revision_docx(doc))
        assert "Nul and bell &lt;b>&amp;" in text
        assert "Control  chars , unbalanced \\*\\*bold and \\*it" in text

    def test_list_first_paragraph_keeps_its_number(self):
        doc = RevisionDoc(None, "T", "Rev.0", "Chair", [(1, "paragraph", "- a\n- b")])
        document = docx.Document(io.BytesIO(revision_docx(doc)))
        texts_ = [p.text for p in document.paragraphs if p.style.name != FRONT_STYLE]
        assert texts_[1:] == ["1. ", "a", "b"]

    def test_long_revisions_are_written_quickly(self):
        blocks = [(n, "paragraph", f"Paragraph **{n}**:\n- a\n- b") for n in range(1, 1001)]
        start = time.perf_counter()
        data = revision_docx(RevisionDoc(None, "Long", "Rev.0", "Chair", blocks))
        assert time.perf_counter() - start < 15
        assert docx_to_markdown(data).count("\n- a\n- b") == 1000

    def test_inline_runs(self):
        assert inline_runs(
            "a **b** *c* ***d*** `e*` \\*f [g](https://x.org) [h](javascript:x)"
        ) == [
            ("a ", False, False, None),
            ("b", True, False, None),
            (" ", False, False, None),
            ("c", False, True, None),
            (" ", False, False, None),
            ("d", True, True, None),
            (" e* *f ", False, False, None),
            ("g", False, False, "https://x.org"),
            (" h", False, False, None),
        ]
        assert inline_runs("snake_case_name, 2 * 3 and a*") == [
            ("snake_case_name, 2 * 3 and a*", False, False, None)
        ]
        assert inline_runs("&lt;b&gt; &amp; AT&T") == [("<b> & AT&T", False, False, None)]


# ---- redline ---------------------------------------------------------------------------------

TEXT = st.lists(
    st.sampled_from(list("abc xyz,.;!\n\t<>&\"'é") + ["shall", "State ", "  "]), max_size=40
).map("".join)


class TestRedline:
    def test_word_diff(self):
        assert word_diff("The State shall report.", "The State should report annually.") == [
            ("equal", "The State "),
            ("delete", "shall"),
            ("insert", "should"),
            ("equal", " report"),
            ("insert", " annually"),
            ("equal", "."),
        ]

    def test_reworded_phrase_reads_as_one_change(self):
        assert word_diff("take all measures", "make some efforts") == [
            ("delete", "take all measures"),
            ("insert", "make some efforts"),
        ]

    def test_edge_cases(self):
        assert word_diff("", "") == []
        assert word_diff("", "new") == [("insert", "new")]
        assert word_diff("old", "") == [("delete", "old")]
        assert word_diff("same", "same") == [("equal", "same")]

    @settings(max_examples=400, deadline=None)
    @given(TEXT, TEXT)
    def test_joins_give_back_both_texts(self, old, new):
        ops = word_diff(old, new)
        assert "".join(t for op, t in ops if op != "insert") == old
        assert "".join(t for op, t in ops if op != "delete") == new
        assert all(op in ("equal", "delete", "insert") and text for op, text in ops)
        assert all(a[0] != b[0] for a, b in zip(ops, ops[1:], strict=False))

    def test_redline_html(self):
        html = redline_html("a <b>bold</b> & co", "a <i>bold</i> & co")
        assert html == (
            "a &lt;<del>b</del><ins>i</ins>&gt;bold&lt;/<del>b</del><ins>i</ins>&gt; &amp; co"
        )
        assert redline_html("same", "same") == "same"
        assert str(redline_html("", "<script>")) == "<ins>&lt;script&gt;</ins>"

    @settings(max_examples=300, deadline=None)
    @given(TEXT, TEXT)
    def test_redline_html_has_only_del_and_ins_tags(self, old, new):
        html = str(redline_html(old, new))
        assert set(re.findall(r"</?([^>]*)>", html)) <= {"del", "ins"}
        unescaped = re.sub(r"</?(del|ins)>", "", html)
        assert "<" not in unescaped and ">" not in unescaped and '"' not in unescaped

    def test_similarity(self):
        a = "Each State Party shall take measures to regulate brokering of conventional arms."
        assert similarity(a, a) == 1.0
        assert similarity("", "") == 1.0
        assert similarity(a, "") == 0.0
        assert similarity(a, "Completely unrelated words here") == 0.0
        assert similarity(a, a.replace("shall", "should")) > 0.85
        assert similarity(a, a.upper()) == 1.0
        assert similarity("...", "...!") > 0.5

    @settings(max_examples=300, deadline=None)
    @given(TEXT, TEXT)
    def test_similarity_decides_as_the_full_ratio_would(self, a, b):
        score = similarity(a, b)
        assert 0.0 <= score <= 1.0
        words_a = re.findall(r"\w+", a.casefold())
        words_b = re.findall(r"\w+", b.casefold())
        if words_a and words_b and a != b:
            ratio = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()
            assert score >= ratio - 1e-9  # never below the ratio...
            if score < 0.3 or ratio >= 0.3:
                assert (score >= 0.3) == (ratio >= 0.3)  # ...and the same side of 0.3

    def test_similarity_is_fast_enough_for_two_long_revisions(self):
        """300 x 300 paragraphs of ~400 characters, a quarter of their words very common."""
        rng = random.Random(7)
        common = ["the", "of", "and", "to", "a", "in", "shall", "State", "Party", "arms", "or",
                  "for", "by", "on", "with", "as", "be", "that", "its", "Treaty"]  # fmt: skip
        rare = [f"term{n}" for n in range(3000)]

        def paragraph() -> str:
            words: list[str] = []
            while len(" ".join(words)) < 400:
                words.append(rng.choice(common) if rng.random() < 0.25 else rng.choice(rare))
            return " ".join(words)

        old = [paragraph() for _ in range(300)]
        new = [p.replace("shall", "should") if rng.random() < 0.3 else p for p in old]
        start = time.perf_counter()
        matches = sum(1 for a in old for b in new if similarity(a, b) >= 0.5)
        assert matches >= 300
        assert time.perf_counter() - start < 10
