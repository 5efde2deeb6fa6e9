"""A paragraph's changes as Word tracked changes, written into a house document.

Secretariats circulate a redline as a Word file in which every change is a real tracked change
(`w:ins` / `w:del`, with its author and date), so a delegation can step through them with
Word's own Review tools, and LibreOffice prints them struck and underlined in the PDF. The
words are compared as `consult.papers.redline.diff_runs` compares them on the page, so the
file and the page show the same changes. Pure functions over the writer, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from consult.exports.word import HEADING_LINE, DocxWriter, inline_runs, xml_safe
from consult.markdown import is_list_item
from consult.papers.redline import diff_runs, tokens

__all__ = ["write_redline"]

_LIST_LINE = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE = "code"  # the "style" of a line of fenced code

#: The next w:id of each document's tracked changes (ids are unique within a document).
_next_ids: WeakKeyDictionary[Any, int] = WeakKeyDictionary()


@dataclass(frozen=True)
class _Line:
    """One Word paragraph of a block: its style (None: Normal) and its Markdown text."""

    style: str | None
    text: str
    depth: int = 0


@dataclass(frozen=True)
class _Token:
    key: tuple
    text: str = ""
    bold: bool = False
    italic: bool = False
    line: _Line | None = None  # set on the token that starts a Word paragraph

    @property
    def is_space(self) -> bool:
        return self.line is None and not self.text.strip()


def _lines(markdown: str) -> list[_Line]:
    """A block's Markdown as the Word paragraphs DocxWriter.markdown would write for it."""
    out: list[_Line] = []
    pending: list[str] = []
    indents: list[int] = []
    fence: str | None = None

    def flush() -> None:
        if pending:
            out.append(_Line(None, " ".join(line.strip() for line in pending)))
            pending.clear()

    for line in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            else:
                out.append(_Line(_CODE, line))
            continue
        opener = _FENCE.match(line)
        heading = HEADING_LINE.match(line)
        item = _LIST_LINE.match(line) if is_list_item(line.lstrip()) else None
        if opener:
            flush()
            fence = opener.group(1)
        elif heading:
            flush()
            indents.clear()
            out.append(_Line(f"Heading {len(heading.group(1))}", heading.group(2)))
        elif item:
            flush()
            width = len(item.group(1).replace("\t", "    "))
            while indents and indents[-1] >= width:
                indents.pop()
            depth = min(len(indents), 2)
            indents.append(width)
            base = "List Number" if item.group(2)[0].isdigit() else "List Bullet"
            style = base if depth == 0 else f"{base} {depth + 1}"
            out.append(_Line(style, item.group(3), depth))
        elif not line.strip():
            flush()
        elif indents and line.startswith(" ") and out and not pending:
            last = out[-1]  # an indented line continues the list item above it
            out[-1] = _Line(last.style, f"{last.text} {line.strip()}", last.depth)
        else:
            if not pending:
                indents.clear()
            pending.append(line.lstrip("> ") if line.lstrip().startswith(">") else line)
    flush()
    return out


def _tokens(markdown: str) -> list[_Token]:
    """Each Word paragraph's start, then its words, spaces and marks with their emphasis."""
    out: list[_Token] = []
    for line in _lines(markdown or ""):
        out.append(_Token(("line",), line=line))
        if line.style == _CODE:
            runs = [(line.text, False, False)]
        else:
            runs = [(run.text, run.bold, run.italic) for run in inline_runs(line.text)]
        for text, bold, italic in runs:
            for piece in tokens(text):
                compared = piece if piece.strip() or line.style == _CODE else " "
                out.append(_Token(("t", compared, bold, italic), piece, bold, italic))
    return out


def _change(tag: str, document: Any, author: str, date: str) -> Any:
    """A w:ins or w:del element with the next id of this document, its author and date."""
    number = _next_ids.get(document.part, 1)
    _next_ids[document.part] = number + 1
    element = OxmlElement(tag)
    element.set(qn("w:id"), str(number))
    element.set(qn("w:author"), xml_safe(author)[:255])
    element.set(qn("w:date"), date)
    return element


def _run(text: str, *, bold: bool, italic: bool, deleted: bool, code: bool) -> Any:
    run = OxmlElement("w:r")
    if bold or italic or code:
        properties = OxmlElement("w:rPr")
        if code:
            fonts = OxmlElement("w:rFonts")
            for side in ("w:ascii", "w:hAnsi", "w:cs"):
                fonts.set(qn(side), "Courier New")
            properties.append(fonts)
        if bold:
            properties.append(OxmlElement("w:b"))
        if italic:
            properties.append(OxmlElement("w:i"))
        run.append(properties)
    text_element = OxmlElement("w:delText" if deleted else "w:t")
    text_element.set(qn("xml:space"), "preserve")
    text_element.text = xml_safe(text)
    run.append(text_element)
    return run


def write_redline(writer: DocxWriter, old: str, new: str, *, author: str, when: datetime) -> None:
    """Write one paragraph (a block of Markdown, lists included) as tracked changes from old
    to new: unchanged words as plain runs, removed words in `w:del`, added words in `w:ins`,
    each signed with `author` and dated `when`.

    A line (list item, heading) that was added or removed has its paragraph mark tracked too,
    so accepting every change gives the new text and rejecting every change the old. A prefix
    set on the writer (a paragraph number) starts the first Word paragraph written, as
    `DocxWriter.markdown` does. Links are written as their text.
    """
    document = writer.document
    date = (when.astimezone(UTC) if when.tzinfo else when).strftime("%Y-%m-%dT%H:%M:%SZ")
    runs = diff_runs(_tokens(old), _tokens(new), key=lambda t: t.key, is_space=lambda t: t.is_space)
    writer._end_list()
    paragraph: DocxParagraph | None = None
    code = False
    wrapper: tuple[str, Any] | None = None  # the w:ins/w:del that runs are now added to

    def start(line: _Line, op: str, was: _Line | None) -> DocxParagraph:
        nonlocal code
        code = line.style == _CODE
        numbered = line.style is not None and line.style.startswith("List")
        if writer._prefix and numbered:
            writer.paragraph()  # a paragraph number goes on its own line above a list
        started = writer.paragraph(None if line.style in (None, _CODE) else line.style)
        if line.style and line.style.startswith("List Number"):
            writer._restart_numbering(started, line.style, line.depth)
        if op != "equal":  # the paragraph mark itself was added or removed
            mark = OxmlElement("w:rPr")
            mark.append(_change("w:ins" if op == "insert" else "w:del", document, author, date))
            started._p.get_or_add_pPr().append(mark)
        elif was is not None and was.style != line.style:  # a bullet now numbered, ...
            change = _change("w:pPrChange", document, author, date)
            before = OxmlElement("w:pPr")
            if was.style not in (None, _CODE):
                style = OxmlElement("w:pStyle")
                style.set(qn("w:val"), writer.style_id(was.style))
                before.append(style)
            change.append(before)
            started._p.get_or_add_pPr().append(change)
        return started

    last: tuple[tuple, Any] | None = None  # the last run's (op, format) and its text element
    for op, parts, old_parts in runs:
        for index, token in enumerate(parts):
            if token.line is not None:
                was = old_parts[index].line if op == "equal" else None
                paragraph, wrapper, last = start(token.line, op, was), None, None
                continue
            if paragraph is None:  # text before any line: cannot happen, but stay safe
                paragraph = writer.paragraph()
            kind = (op, token.bold, token.italic)
            if last is not None and last[0] == kind:
                last[1].text += xml_safe(token.text)  # the same run goes on
                continue
            run = _run(
                token.text, bold=token.bold, italic=token.italic, deleted=op == "delete", code=code
            )
            last = (kind, run[-1])
            if op == "equal":
                paragraph._p.append(run)
                wrapper = None
                continue
            if wrapper is None or wrapper[0] != op:
                element = _change("w:ins" if op == "insert" else "w:del", document, author, date)
                paragraph._p.append(element)
                wrapper = (op, element)
            wrapper[1].append(run)
    if paragraph is None and writer._prefix:
        writer.paragraph()  # nothing on either side: the prefix still gets its paragraph
    writer._end_list()
