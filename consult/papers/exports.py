"""The chair's compilation of comments as Word, CSV and Markdown files.

A chair hands the secretariat a compilation: every comment on a paper, by paragraph or by
delegation. Built from plain dataclasses so the views decide what is included (filters,
attribution) and this module only decides how it reads. When the consultation runs under the
Chatham House rule the compilation is unattributed, and then no name may appear anywhere in
the file: not as author, not as "on behalf of", not as a group heading.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from docx.shared import Cm, Pt, RGBColor
from markupsafe import Markup

from consult.exports.word import DocxWriter, xml_safe

__all__ = [
    "Compilation",
    "CompiledComment",
    "compilation_csv",
    "compilation_docx",
    "compilation_markdown",
]

UNATTRIBUTED = "Unattributed"
POSITIONS = {"supports": "Supports", "neutral": "Neutral", "objects": "Objects"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
CSV_COLUMNS = [
    "group",
    "paragraph",
    "made_on",
    "delegation",
    "on_behalf_of",
    "position",
    "quote",
    "body",
    "proposed_text",
    "created_at",
    "is_reply",
    "taken_into_account",
]


@dataclass
class CompiledComment:
    """One comment as it appears in a compilation."""

    paragraph_label: str  # "¶4" or "On removed text"
    made_on: str  # "Rev.0 ¶3"
    author: str | None  # None when unattributed (Chatham House)
    on_behalf_of: str | None
    position: str | None  # "supports" / "neutral" / "objects"
    quote: str | None
    body: str  # Markdown
    proposed_text: str | None
    created_at: datetime
    is_reply: bool
    taken_into_account: bool
    #: The comment's id, for the chair's controls on the compilation page (not exported).
    comment_id: int | None = None
    #: The comment's stored HTML, for the page (exports use the Markdown above).
    body_html: Markup | None = None
    proposed_text_html: Markup | None = None


@dataclass
class Compilation:
    """All the comments to compile, already grouped and ordered by the caller."""

    symbol: str | None
    title: str
    revision_label: str
    generated_at: datetime
    attributed: bool
    by: Literal["paragraph", "delegation"]
    groups: list[tuple[str, list[CompiledComment]]]  # (heading such as "¶4" / "Germany", ...)


# ---- shared wording ------------------------------------------------------------------------


def _date(when: datetime) -> str:
    """A date like 5 March 2025, 14:05 UTC: unambiguous for every delegation, locale-free."""
    zone = f" {when.tzname()}" if when.tzinfo is not None and when.tzname() else ""
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}, {when:%H:%M}{zone}"


def _groups(c: Compilation) -> list[tuple[str, list[CompiledComment]]]:
    """The groups with headings safe to print.

    Grouped by delegation without attribution, the headings would be the very names the
    Chatham House rule withholds; they become "Delegation 1", "Delegation 2"... instead.
    """
    if c.attributed or c.by != "delegation":
        return c.groups
    return [(f"Delegation {n}", comments) for n, (_, comments) in enumerate(c.groups, 1)]


def _who(c: Compilation, comment: CompiledComment) -> tuple[str | None, str | None]:
    """(author, on behalf of) as they may be printed: never a name when unattributed."""
    if not c.attributed:
        return UNATTRIBUTED, None
    return comment.author or UNATTRIBUTED, comment.on_behalf_of or None


def _meta(c: Compilation, comment: CompiledComment, *, with_author: bool = True) -> list[str]:
    """The small line above a comment: who, for whom, position, where it was made."""
    author, behalf = _who(c, comment)
    parts: list[str] = []
    if comment.is_reply:
        parts.append("Reply")
    if with_author and author:
        parts.append(author)
    if behalf and behalf != author:
        parts.append(f"on behalf of {behalf}")
    if comment.position:
        parts.append(POSITIONS.get(comment.position, comment.position.capitalize()))
    if c.by == "delegation":
        parts.append(comment.paragraph_label)
    parts.append(f"made on {comment.made_on}")
    parts.append(_date(comment.created_at))
    return parts


def _subtitle(c: Compilation) -> str:
    return f"Compilation of comments by {'delegation' if c.by == 'delegation' else 'paragraph'}"


# ---- Word ----------------------------------------------------------------------------------

_GREY = RGBColor(0x59, 0x59, 0x59)
_GREEN = RGBColor(0x1E, 0x6B, 0x30)


def compilation_docx(c: Compilation) -> bytes:
    """The compilation as a Word document a secretariat can file and edit.

    A title block, then one Heading 2 per group; under it each comment: a small line saying
    who and where, the quoted words in italics, the comment itself, then any proposed text.
    Replies are indented under the comment they answer.
    """
    writer = DocxWriter.new()
    header = " · ".join(part for part in (c.symbol, c.revision_label) if part)
    writer.header(header, _subtitle(c))
    writer.page_numbers()
    writer.properties(title=f"{c.title}: {_subtitle(c).lower()}", author="", when=c.generated_at)

    if c.symbol:
        writer.text(c.symbol, size=Pt(9))
    writer.text(c.title, style="Title")
    writer.text(f"{_subtitle(c)}, {c.revision_label}", bold=True)
    generated = writer.text(f"Generated {_date(c.generated_at)}", italic=True, size=Pt(9))
    if not c.attributed:
        generated.add_run(
            xml_safe(" · Comments are shown without attribution (Chatham House rule).")
        ).font.size = Pt(9)
    if not c.groups:
        writer.text("There are no comments to compile.", italic=True)

    for heading, comments in _groups(c):
        writer.heading(_escape_md(heading), 2)
        if not comments:
            writer.text("No comments.", italic=True, size=Pt(10))
        for comment in comments:
            _comment_docx(writer, c, comment)
    return writer.to_bytes()


def _comment_docx(writer: DocxWriter, c: Compilation, comment: CompiledComment) -> None:
    writer.indent = Cm(1.0) if comment.is_reply else None
    meta = writer.text(" · ".join(_meta(c, comment)), size=Pt(9))
    meta.paragraph_format.space_before = Pt(8)
    meta.paragraph_format.space_after = Pt(2)
    meta.paragraph_format.keep_with_next = True
    for run in meta.runs:
        run.font.color.rgb = _GREY
    if comment.taken_into_account:
        mark = meta.add_run(xml_safe(" · ✓ Taken into account"))
        mark.bold = True
        mark.font.size = Pt(9)
        mark.font.color.rgb = _GREEN
    if comment.quote:
        quote = writer.text(f"“{' '.join(comment.quote.split())}”", italic=True)
        quote.paragraph_format.left_indent = (writer.indent or Cm(0)) + Cm(0.5)
    if comment.body.strip():
        writer.markdown(comment.body)
    if comment.proposed_text and comment.proposed_text.strip():
        writer.prefix("Proposed text: ")
        writer.indent = (writer.indent or Cm(0)) + Cm(0.5)
        writer.markdown(comment.proposed_text)
    writer.indent = None


# ---- CSV -----------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | None) -> str:
    """A cell a spreadsheet will show as text: a leading =, +, -, @, tab or CR would make
    Excel or LibreOffice run it as a formula (CSV injection), so it gets a leading '."""
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def compilation_csv(c: Compilation) -> str:
    """The compilation as CSV, one row per comment, for sorting and filtering in a spreadsheet.

    Returned as text; encode it as "utf-8-sig" if Excel is to show "¶" correctly.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for heading, comments in _groups(c):
        for comment in comments:
            _, behalf = _who(c, comment)
            writer.writerow(
                _cell(value)
                for value in (
                    heading,
                    comment.paragraph_label,
                    comment.made_on,
                    (comment.author or "") if c.attributed else "",
                    behalf or "",
                    comment.position or "",
                    comment.quote,
                    comment.body,
                    comment.proposed_text,
                    comment.created_at.isoformat(),
                    "yes" if comment.is_reply else "no",
                    "yes" if comment.taken_into_account else "no",
                )
            )
    return out.getvalue()


# ---- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]>#|])")


def _escape_md(text: str) -> str:
    """Names and labels are text, not Markdown (nor HTML: "<" has no backslash escape)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split())).replace("<", "&lt;")


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def compilation_markdown(c: Compilation) -> str:
    """The compilation as Markdown, for pasting into an e-mail or another editor."""
    lines = [f"# {_escape_md(c.title)}", ""]
    if c.symbol:
        lines += [f"{_escape_md(c.symbol)} · {_escape_md(c.revision_label)}", ""]
    else:
        lines += [_escape_md(c.revision_label), ""]
    lines += [f"*{_subtitle(c)}, generated {_date(c.generated_at)}*", ""]
    if not c.attributed:
        lines += ["*Comments are shown without attribution (Chatham House rule).*", ""]
    if not c.groups:
        lines += ["*There are no comments to compile.*", ""]
    for heading, comments in _groups(c):
        lines += [f"## {_escape_md(heading)}", ""]
        if not comments:
            lines += ["*No comments.*", ""]
        for comment in comments:
            meta = " · ".join(_escape_md(part) for part in _meta(c, comment))
            if comment.taken_into_account:
                meta += " · **✓ Taken into account**"
            lines += [("↳ " if comment.is_reply else "") + meta, ""]
            if comment.quote:
                lines += [_quoted(f"*{_escape_md(comment.quote)}*"), ""]
            if comment.body.strip():
                lines += [comment.body.strip(), ""]
            if comment.proposed_text and comment.proposed_text.strip():
                lines += ["**Proposed text:**", "", _quoted(comment.proposed_text), ""]
            lines += ["---", ""]
    return "\n".join(lines).rstrip() + "\n"
