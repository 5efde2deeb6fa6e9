"""Word documents in and out: import a chair's .docx as Markdown, export a revision as .docx.

Chairs draft in Word and secretariats file Word documents, so the platform has to take a
.docx in and give one back. Uploads are untrusted: every failure becomes a DocxError with a
message a person can act on, and a zip bomb is refused before python-docx inflates it.
Pure functions over bytes and plain dataclasses, no database.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.styles import BabelFish
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.errors import ServiceError
from consult.exports.word import (
    FRONT_STYLE,
    HEADING_LINE,
    NUMBER_STYLE,
    DocxWriter,
    HouseDocument,
    element_val,
)

__all__ = [
    "DocxError",
    "RevisionDoc",
    "docx_to_markdown",
    "revision_docx",
]

# Lazy: the person uploading reads them in their language.
NOT_DOCX = _l("This file is not a Word document (.docx).")
NOT_DOCX_OLD = _l(
    "This file is not a Word document (.docx). It looks like an older .doc file or a "
    "password-protected document: open it in Word and save it as .docx without a password."
)
MAX_XML_PART = 20 * 1024 * 1024  # uncompressed bytes of word/document.xml (and any XML part)
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts together, pictures included
MAX_ZIP_ENTRIES = 5000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADING_STYLE = re.compile(r"^Heading ([1-9])$")


class DocxError(ServiceError):
    """A .docx could not be imported; the message is meant for the person who uploaded it."""


# ---- reading -------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    """Refuse what is not a .docx, or would inflate to more than we agree to hold in memory.

    The sizes in the zip directory are trustworthy upper bounds: zipfile stops inflating an
    entry at its declared size (and fails its CRC check if the data wanted to go on).
    """
    if not data or not zipfile.is_zipfile(BytesIO(data)):
        older = data and data.startswith(_OLE_MAGIC)
        raise DocxError(str(NOT_DOCX_OLD if older else NOT_DOCX))
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception as exc:  # BadZipFile, unsupported zip features, struct.error ...
        raise DocxError(str(NOT_DOCX)) from exc
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise DocxError(str(NOT_DOCX))
    if len(infos) > MAX_ZIP_ENTRIES:
        raise DocxError(_("This Word document has too many parts to be imported."))
    if any(i.filename.endswith((".xml", ".rels")) and i.file_size > MAX_XML_PART for i in infos):
        raise DocxError(
            _(
                "This Word document is too large to import: its text would take more than "
                "%(mb)d MB. Split it into smaller papers and upload them one by one.",
                mb=MAX_XML_PART // 2**20,
            )
        )
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
        raise DocxError(
            _(
                "This Word document is too large to import (over %(mb)d MB once opened). "
                "Remove pictures and embedded files, and upload it again.",
                mb=MAX_UNCOMPRESSED // 2**20,
            )
        )


def _open(data: bytes) -> Any:
    _check_zip(data)
    try:
        return docx.Document(BytesIO(data))
    except Exception as exc:  # python-docx, lxml and zipfile raise many kinds
        raise DocxError(str(NOT_DOCX)) from exc


@dataclass
class _Segment:
    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


_FALSE = {"0", "false", "off", "none"}


def _toggle(rpr: Any, tag: str) -> bool | None:
    """A bold/italic/hidden switch: on, off, or not said (None)."""
    child = rpr.find(qn(tag)) if rpr is not None else None
    if child is None:
        return None
    return (child.get(qn("w:val")) or "true").lower() not in _FALSE


@dataclass(frozen=True)
class _Style:
    name: str
    based_on: str | None
    bold: bool | None
    italic: bool | None
    hidden: bool | None
    num: tuple[str, str | None] | None  # (numId, ilvl) of a list style
    outline: str | None  # w:outlineLvl of a heading-like style


class _Reader:
    """What the import needs from styles.xml and numbering.xml, read once.

    python-docx looks styles up by scanning them all on every call, which made a 5,000
    paragraph document take half a minute.
    """

    def __init__(self, document: Any) -> None:
        self.part = document.part
        self.rels = document.part.rels
        self.styles: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        for element in document.part.styles.element.findall(qn("w:style")):
            style_id = element.get(qn("w:styleId"))
            if not style_id:
                continue
            ppr, rpr = element.find(qn("w:pPr")), element.find(qn("w:rPr"))
            num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
            num_id = element_val(num_pr, "w:numId")
            self.styles[style_id] = _Style(
                name=BabelFish.internal2ui(element_val(element, "w:name") or style_id),
                based_on=element_val(element, "w:basedOn"),
                bold=_toggle(rpr, "w:b"),
                italic=_toggle(rpr, "w:i"),
                hidden=_toggle(rpr, "w:vanish"),
                num=(num_id, element_val(num_pr, "w:ilvl")) if num_id is not None else None,
                outline=element_val(ppr, "w:outlineLvl"),
            )
            is_default = (element.get(qn("w:default")) or "").lower() in ("1", "true", "on")
            if element.get(qn("w:type")) == "paragraph" and is_default:
                self.default_paragraph = style_id
        try:
            self.numbering: Any = document.part.numbering_part.element
        except Exception:  # no numbering part: there are no lists to look up
            self.numbering = None
        self._formats: dict[tuple[str, int], str | None] = {}

    def chain(self, style_id: str | None) -> Iterator[_Style]:
        """A style and those it is based on; bounded, as styles.xml may loop."""
        seen: set[str] = set()
        while style_id and style_id in self.styles and style_id not in seen and len(seen) < 20:
            seen.add(style_id)
            style = self.styles[style_id]
            yield style
            style_id = style.based_on

    def inherited(self, style_id: str | None, attribute: str) -> Any:
        for style in self.chain(style_id):
            value = getattr(style, attribute)
            if value is not None:
                return value
        return None

    def paragraph_style(self, p: Any) -> str | None:
        return element_val(p.find(qn("w:pPr")), "w:pStyle") or self.default_paragraph

    def style_name(self, style_id: str | None) -> str:
        style = self.styles.get(style_id or "")
        return style.name if style else ""

    def outline_level(self, p: Any, style_id: str | None) -> int | None:
        """The heading level a custom style declares (w:outlineLvl 0-8), as 1-9."""
        value = element_val(p.find(qn("w:pPr")), "w:outlineLvl") or self.inherited(
            style_id, "outline"
        )
        if value is None or not value.isdigit() or int(value) > 8:
            return None
        return int(value) + 1

    def numbering_of(self, p: Any, style_id: str | None) -> tuple[str, int] | None:
        """(numId, level) of a paragraph's list numbering, direct or from its style."""
        num_pr = p.find(qn("w:pPr") + "/" + qn("w:numPr"))
        if num_pr is not None:
            num: tuple[str, str | None] | None = (
                element_val(num_pr, "w:numId") or "",
                element_val(num_pr, "w:ilvl"),
            )
        else:
            num = self.inherited(style_id, "num")
        if num is None or num[0] in ("", "0"):  # numId 0 switches numbering off
            return None
        level = num[1]
        return num[0], int(level) if level and level.isdigit() else 0

    def num_format(self, num_id: str, level: int) -> str | None:
        """The numFmt ("bullet", "decimal"...) of a list level, if numbering.xml says."""
        key = (num_id, level)
        if key not in self._formats:
            self._formats[key] = self._lookup_format(num_id, level)
        return self._formats[key]

    def _lookup_format(self, num_id: str, level: int) -> str | None:
        if self.numbering is None or not num_id.isdigit():
            return None
        abstract = self.numbering.xpath(f'./w:num[@w:numId="{int(num_id)}"]/w:abstractNumId/@w:val')
        if not abstract or not abstract[0].isdigit():
            return None
        fmt = self.numbering.xpath(
            f'./w:abstractNum[@w:abstractNumId="{int(abstract[0])}"]'
            f'/w:lvl[@w:ilvl="{level}"]/w:numFmt/@w:val'
        )
        return fmt[0] if fmt else None

    def segments(self, p: Any) -> list[_Segment]:
        """The visible text of a paragraph with its bold/italic/link formatting, in order.

        Walks the XML rather than Paragraph.runs so text inside hyperlinks, tracked
        insertions, content controls and simple fields is kept, and tracked deletions are
        left out: the import reads the document as it would be with all changes accepted.
        """
        out: list[_Segment] = []

        def walk(element: Any, href: str | None) -> None:
            for child in element.iterchildren():
                tag = child.tag
                if tag == _W_R:
                    rpr = child.find(qn("w:rPr"))
                    run_style = element_val(rpr, "w:rStyle")
                    if self.style_name(run_style) == NUMBER_STYLE:
                        continue
                    hidden = _toggle(rpr, "w:vanish")
                    if hidden is None:
                        hidden = self.inherited(run_style, "hidden")
                    text = "" if hidden else child.text
                    if not text:
                        continue
                    flags = []
                    for tag_name, attribute in (("w:b", "bold"), ("w:i", "italic")):
                        value = _toggle(rpr, tag_name)
                        if value is None:
                            value = self.inherited(run_style, attribute)
                        flags.append(bool(value))
                    out.append(_Segment(text, flags[0], flags[1], href))
                elif tag == _W_HYPERLINK:
                    rid = child.get(qn("r:id"))
                    target = None
                    if rid and rid in self.rels and self.rels[rid].is_external:
                        target = self.rels[rid].target_ref
                    walk(child, target)
                elif tag == _W_SDT:
                    content = child.find(qn("w:sdtContent"))
                    if content is not None:
                        walk(content, href)
                elif tag in _CONTAINERS:
                    walk(child, href)

        walk(p, None)
        return out


_W_R, _W_HYPERLINK, _W_SDT = qn("w:r"), qn("w:hyperlink"), qn("w:sdt")
_CONTAINERS = {
    qn(tag)
    for tag in ("w:ins", "w:smartTag", "w:fldSimple", "w:customXml", "w:moveTo", "w:dir", "w:bdo")
}


def _escape_inline(text: str) -> str:
    """Make Word text literal in Markdown: no accidental emphasis, code or HTML."""
    text = text.replace("\\", "\\\\")
    for char in "*_`":
        text = text.replace(char, "\\" + char)
    return text.replace("<", "&lt;")


_LINE_START_FIXES = [
    (re.compile(r"^(#{1,6})(?=\s|$)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^([-+])(?=\s)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^(\d{1,9})([.)])(?=\s)"), lambda m: m.group(1) + "\\" + m.group(2)),
    (re.compile(r"^>"), lambda m: "\\>"),
    (re.compile(r"^([-=])(?=[-=\s]*$)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^\|"), lambda m: "\\|"),
]


def _escape_line_starts(text: str) -> str:
    """Keep a typed "1." or "-" at the start of a line from becoming a Markdown list."""
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        for pattern, fix in _LINE_START_FIXES:
            line = pattern.sub(fix, line, count=1)
        lines.append(line)
    return "\n".join(line for line in lines if line)


def _wrap(text: str, bold: bool, italic: bool) -> str:
    marker = "***" if bold and italic else "**" if bold else "*" if italic else ""
    if not marker or not text.strip():
        return text
    core = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def _inline_markdown(
    segments: list[_Segment], *, formatting: bool = True, block_start: bool = True
) -> str:
    """Segments as one line (or a few soft-wrapped lines) of Markdown.

    formatting=False (headings, table headers) drops bold and italic and joins the lines.
    block_start=False (table cells) skips protecting line starts: a cell starts no block.
    """
    merged: list[_Segment] = []
    for seg in segments:
        text = seg.text.replace("\t", " ").replace("\r", "\n")
        bold, italic = (seg.bold, seg.italic) if formatting else (False, False)
        last = merged[-1] if merged else None
        if last and (last.bold, last.italic, last.href) == (bold, italic, seg.href):
            last.text += text
        else:
            merged.append(_Segment(text, bold, italic, seg.href))
    parts = []
    for seg in merged:
        # Formatting never spans a line break, so a marker is never left open across lines.
        lines = [_wrap(_escape_inline(line), seg.bold, seg.italic) for line in seg.text.split("\n")]
        piece = "\n".join(lines)
        if seg.href and piece.strip() and seg.href.startswith(("http://", "https://", "mailto:")):
            piece = f"[{piece.strip()}]({seg.href.replace(' ', '%20').replace(')', '%29')})"
        parts.append(piece)
    text = re.sub(r"\n\s*\n+", "\n", "".join(parts))
    if not formatting or not block_start:
        return " ".join(text.split())
    return _escape_line_starts(text)


_GALLERY_PATH = ("w:sdtPr", "w:docPartObj", "w:docPartGallery")


def _body_elements(container: Any) -> Iterator[Any]:
    """Body paragraphs and tables in reading order, looking inside content controls.

    A content control holding a table of contents is skipped: its entries would otherwise be
    imported as paragraphs.
    """
    for child in container.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            # Plain lxml elements (python-docx has no class for w:sdt): no "w:" prefix in xpath.
            gallery = child.find("/".join(qn(t) for t in _GALLERY_PATH))
            if gallery is not None and "Contents" in (gallery.get(qn("w:val")) or ""):
                continue
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_elements(content)
        elif child.tag == qn("w:customXml"):
            yield from _body_elements(child)


def _table_markdown(tbl: Any, reader: _Reader) -> tuple[str, int]:
    """A Word table as a Markdown pipe table (first row as header), and its row count."""
    rows: list[list[str]] = []
    for index, tr in enumerate(tbl.tr_lst):
        cells: list[str] = []
        for tc in tr.tc_lst:
            if tc.vMerge == "continue":
                text = ""
            else:
                # The header row renders bold anyway: its own bold would only add asterisks.
                pieces = [
                    _inline_markdown(reader.segments(p), formatting=index > 0, block_start=False)
                    for p in tc.p_lst
                ]
                text = " ".join(p for p in pieces if p).replace("|", "\\|")
            cells.append(text)
            cells.extend([""] * (max(tc.grid_span, 1) - 1))
        rows.append(cells)
    if not any(any(cells) for cells in rows):
        return "", 0
    width = max(len(cells) for cells in rows)
    lines = []
    for index, cells in enumerate(rows):
        cells = cells + [""] * (width - len(cells))
        lines.append("| " + " | ".join(cells) + " |")
        if index == 0:
            lines.append("|" + "|".join([" --- "] * width) + "|")
    return "\n".join(lines), len(rows)


def docx_to_markdown(data: bytes, *, max_paragraphs: int = 5000) -> str:
    """The text of a .docx as Markdown the paper editor understands.

    Headings keep their level, lists become Markdown lists, bold and italic survive, tables
    become pipe tables; everything else (pictures, comments, headers, footnotes) is left out.
    Raises DocxError, and only DocxError, for anything that cannot be imported.
    """
    document = _open(data)
    try:
        return _convert(document, max_paragraphs)
    except DocxError:
        raise
    except Exception as exc:
        raise DocxError(_("This Word document could not be read. Save it again in Word.")) from exc


def _convert(document: Any, max_paragraphs: int) -> str:
    reader = _Reader(document)
    out: list[tuple[str, str]] = []  # (kind, markdown), kind "list" items join with "\n"
    counters: dict[int, tuple[str, int]] = {}  # list level -> (list id, items so far)
    count = 0

    def counted() -> None:
        nonlocal count
        count += 1
        if count > max_paragraphs:
            raise DocxError(
                _(
                    "This Word document has more than %(n)d paragraphs, which is more than one "
                    "paper can hold. Split it into several papers.",
                    n=max_paragraphs,
                )
            )

    for element in _body_elements(document.element.body):
        if element.tag == qn("w:tbl"):
            table, rows = _table_markdown(element, reader)
            if table:
                for _row in range(rows):
                    counted()
                out.append(("table", table))
            counters.clear()
            continue
        style = reader.paragraph_style(element)
        style_name = reader.style_name(style)
        if style_name == FRONT_STYLE:  # the house front matter of our own export
            continue
        heading = _HEADING_STYLE.match(style_name)
        level = (
            1
            if style_name == "Title"
            else int(heading.group(1))
            if heading
            else reader.outline_level(element, style)
        )
        if level is not None:
            text = _inline_markdown(reader.segments(element), formatting=False)
            if text:
                counted()
                out.append(("heading", "#" * min(level, 6) + " " + text))
            counters.clear()
            continue
        numbering = reader.numbering_of(element, style)
        is_list = numbering is not None or ("List" in style_name and "Continue" not in style_name)
        text = _inline_markdown(reader.segments(element))
        if not text:
            continue
        counted()
        if not is_list:
            out.append(("paragraph", text))
            counters.clear()
            continue
        depth = numbering[1] if numbering else 0
        name_level = re.search(r" ([2-9])$", style_name)
        if depth == 0 and name_level:  # "List Bullet 2" is the second level
            depth = int(name_level.group(1)) - 1
        depth = min(depth, 8)
        fmt = reader.num_format(*numbering) if numbering else None
        numbered = "Number" in style_name or (fmt is not None and fmt not in ("bullet", "none"))
        for deeper in [d for d in counters if d > depth]:
            del counters[deeper]
        if numbered:
            list_id = numbering[0] if numbering else style_name
            previous_id, n = counters.get(depth, (list_id, 0))
            n = n + 1 if previous_id == list_id else 1
            counters[depth] = (list_id, n)
            marker = f"{n}. "
        else:
            counters.pop(depth, None)
            marker = "- "
        indent = "    " * depth
        item_lines = text.split("\n")
        item = indent + marker + item_lines[0]
        for more in item_lines[1:]:
            item += "\n" + indent + "    " + more
        out.append(("list", item))

    if not out:
        raise DocxError(_("This Word document has no text to import."))
    pieces = [out[0][1]]
    for (previous, _previous_text), (kind, text) in zip(out, out[1:], strict=False):
        pieces.append("\n" if previous == kind == "list" else "\n\n")
        pieces.append(text)
    return "".join(pieces) + "\n"


@dataclass
class RevisionDoc:
    """A revision of a paper as plain data, ready to be written out as Word."""

    symbol: str | None
    title: str
    revision_label: str  # "Rev.1"
    issued_by: str
    blocks: list[tuple[int | None, str, str]]  # (number or None for heading, kind, markdown)
    #: When the revision was issued (None: now); printed in `time_zone` and `language`.
    issued_at: datetime | None = None
    language: str = "en"
    time_zone: str = "UTC"
    kind: str = ""  # "Working paper"


def revision_docx(doc: RevisionDoc) -> bytes:
    """A revision as a house Word document: headings as Word headings, paragraphs numbered "12.".

    The house writer puts the symbol, revision and issue date in the page header and the front
    matter in its own style; the paragraph numbers carry their own character style. Both are
    dropped again by docx_to_markdown, so a chair can edit this file in Word and upload it as
    the next revision.
    """
    writer = DocxWriter.house(
        HouseDocument(
            title=doc.title,
            body=doc.issued_by,
            issued_at=doc.issued_at or datetime.now(UTC),
            symbol=doc.symbol,
            revision=doc.revision_label,
            kind=doc.kind,
            language=doc.language,
            time_zone=doc.time_zone,
        )
    )
    for number, kind, text in doc.blocks:
        if kind == "heading":
            match = HEADING_LINE.match(text)
            level, content = (len(match.group(1)), match.group(2)) if match else (1, text)
            writer.heading(content, level)
            continue
        if number is not None:
            writer.prefix(f"{number}.", style=NUMBER_STYLE)
            writer.prefix(" ", bold=False)
        writer.markdown(text)
    return writer.to_bytes()
