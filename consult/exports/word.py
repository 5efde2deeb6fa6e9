"""The house Word writer: every Word file the platform issues is written here.

A secretariat files what consult hands out as it is, so every export (a revision, a
compilation, a meeting's record, a written procedure's letter) shares one look: A4, Times New
Roman, black headings, the document symbol and revision in the header, the issue date, page
numbers, and properties that name the issuing body and the real dates, in the document's
language. Markdown blocks go in through `DocxWriter.markdown`; `DocxWriter.house` starts a
document with its furniture from a `HouseDocument`. Pure functions over plain data, no database.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from typing import Any, NamedTuple
from xml.sax.saxutils import escape as xml_escape

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles import BabelFish
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.dates import document_date
from consult.markdown import is_list_item

__all__ = [
    "FRONT_STYLE",
    "NUMBER_STYLE",
    "DocxWriter",
    "HouseDocument",
    "InlineRun",
    "inline_runs",
    "xml_safe",
]

NUMBER_STYLE = "Paragraph Number"  # character style of the "12." we write; dropped on import
#: Paragraph style of the house front matter (body, symbol, kind, issue date): not the text,
#: so an import of the file (a chair's next revision) leaves it out.
FRONT_STYLE = "Document Details"
#: The document language Word and LibreOffice use for spelling and hyphenation.
WORD_LANGUAGES = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES"}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class HouseDocument:
    """What a file says about itself: on its first page, in its header and its properties.

    `body` is the issuing body (the room's title, "Working Group on Effective Treaty
    Implementation"); `kind` what the file is ("Compilation of comments"); `issued_at` the
    moment the text was issued (a revision's issue date, a record's generation), printed in
    `time_zone` and in `language`, which is also the language Word checks the text in.
    """

    title: str
    body: str
    issued_at: datetime
    symbol: str | None = None
    revision: str | None = None  # "Rev.2"
    kind: str = ""
    language: str = "en"
    time_zone: str = "UTC"
    lines: tuple[str, ...] = ()  # more lines under the title: date and venue of a meeting


def element_val(parent: Any, tag: str) -> str | None:
    """The w:val of a child element, or None if the element (or the parent) is missing."""
    child = parent.find(qn(tag)) if parent is not None else None
    return child.get(qn("w:val")) if child is not None else None


def xml_safe(text: str) -> str:
    """Drop the control characters XML cannot hold (python-docx would refuse the whole text)."""
    return _XML_ILLEGAL.sub("", text)


_INLINE_RE = re.compile(
    r"(?P<esc>\\[!-/:-@\[-`{-~])"
    r"|(?P<tick>`+)(?P<code>.+?)(?P=tick)"
    r"|(?P<bi>\*\*\*|___)(?=\S)(?P<bi_text>.+?)(?<=\S)(?P=bi)"
    r"|(?P<b>\*\*|__)(?=\S)(?P<b_text>.+?)(?<=\S)(?P=b)"
    r"|\*(?=[^\s*])(?P<i_text>(?:\*\*.+?\*\*|\\.|[^*\\])+?)(?<=\S)\*"
    r"|(?<![\w\\])_(?=[^\s_])(?P<u_text>(?:__.+?__|\\.|[^_\\])+?)(?<=\S)_(?!\w)"
    r"|\[(?P<link_text>[^\]\n]+)\]\((?P<link_url>[^)\s]+)(?:\s+\"[^\"]*\")?\)"
    r"|<(?P<autolink>(?:https?|mailto):[^>\s]+)>",
    re.S,
)


class InlineRun(NamedTuple):
    """A stretch of text with one formatting: what a Word run holds."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None  # an http(s) or mailto address


_SAFE_LINK = re.compile(r"^(?:https?://|mailto:)[^\s<>\"]+$", re.I)


def inline_runs(markdown: str) -> list[InlineRun]:
    """Inline Markdown as formatted runs: emphasis and links kept, other markup reduced to text.

    Enough Markdown for what delegates and chairs type (**bold**, *italic*, `code`, links,
    backslash escapes, entities); anything unmatched stays as typed. A link to anything but
    http(s) or mailto is kept as text only.
    """
    runs: list[InlineRun] = []

    def add(text: str, bold: bool, italic: bool, link: str | None = None) -> None:
        if not text:
            return
        if runs and runs[-1][1:] == (bold, italic, link):
            runs[-1] = runs[-1]._replace(text=runs[-1].text + text)
        else:
            runs.append(InlineRun(text, bold, italic, link))

    def parse(text: str, bold: bool, italic: bool, link: str | None) -> None:
        position = 0
        for match in _INLINE_RE.finditer(text):
            add(html.unescape(text[position : match.start()]), bold, italic, link)
            position = match.end()
            groups = match.groupdict()
            if groups["esc"]:
                add(groups["esc"][1], bold, italic, link)
            elif groups["tick"]:
                code = groups["code"]
                padded = code.startswith(" ") and code.endswith(" ") and code.strip()
                add(code[1:-1] if padded else code, bold, italic, link)
            elif groups["bi"]:
                parse(groups["bi_text"], True, True, link)
            elif groups["b"]:
                parse(groups["b_text"], True, italic, link)
            elif groups["i_text"] is not None:
                parse(groups["i_text"], bold, True, link)
            elif groups["u_text"] is not None:
                parse(groups["u_text"], bold, True, link)
            elif groups["link_text"]:
                url = html.unescape(groups["link_url"])
                parse(groups["link_text"], bold, italic, url if _SAFE_LINK.match(url) else None)
            else:
                url = groups["autolink"]
                add(url, bold, italic, url if _SAFE_LINK.match(url) else None)
        add(html.unescape(text[position:]), bold, italic, link)

    parse(markdown, False, False, None)
    return runs


_FENCE_OPEN = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
HEADING_LINE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_LINE = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$")


def _escape_cell(text: str) -> str:
    """A table cell written as inline Markdown: escaped, so what people typed stays as typed."""
    return "".join("\\" + c if c in "\\`*_[]<>|&#" else c for c in text.replace("\n", " "))


def _table_cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)]


def _format(run: Run, *, bold: bool = False, italic: bool = False) -> None:
    """Switch bold/italic on; left alone when off, so plain runs carry no properties at all."""
    if bold:
        run.bold = True
    if italic:
        run.italic = True


@dataclass
class DocxWriter:
    """Writes Markdown blocks into a python-docx Document with Word's own styles.

    `indent` shifts everything written (replies in a compilation); `prefix` runs go at the
    start of the next paragraph written (a paragraph number, a "Proposed text:" label).
    """

    document: Any
    indent: Any = None
    _prefix: list[tuple[str, bool, bool, str | None]] = field(default_factory=list)
    _list_nums: dict[tuple[str, int], int] = field(default_factory=dict)
    _list_indents: list[int] = field(default_factory=list)
    _style_ids: dict[str, str] = field(default_factory=dict)

    @classmethod
    def new(cls) -> DocxWriter:
        """A writer on a fresh A4 document in a sober, secretariat-like look."""
        document = docx.Document()
        section = document.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2.5))
        styles = document.styles
        styles["Normal"].font.name = "Times New Roman"
        styles["Normal"].font.size = Pt(11)
        for name in ["Title"] + [f"Heading {n}" for n in range(1, 7)]:
            font = styles[name].font
            font.name = "Times New Roman"
            font.color.rgb = RGBColor(0, 0, 0)
            fonts = styles[name].element.rPr.rFonts
            for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(theme), None)  # a theme font would win over the name
        styles["Title"].font.size = Pt(18)
        styles.add_style(NUMBER_STYLE, WD_STYLE_TYPE.CHARACTER).font.bold = True
        front = styles.add_style(FRONT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        front.base_style = styles["Normal"]
        front.font.size = Pt(10)
        _drop_template_traces(document)
        return cls(document)

    @classmethod
    def house(cls, doc: HouseDocument) -> DocxWriter:
        """A writer on a new document with the house furniture already in place.

        The header carries the symbol and revision (or the body, when there is no symbol)
        and the issue date on every page; the footer the page number; the first page the
        body, the title, what the document is and the date; the properties the same facts.
        Labels are written in the document's language, like its date.
        """
        writer = cls.new()
        language = doc.language if doc.language in WORD_LANGUAGES else "en"
        writer.language(language)
        with force_locale(language):
            issued = document_date(doc.issued_at, language, doc.time_zone)
            top = " · ".join(p for p in (doc.symbol, doc.revision) if p) or doc.body
            writer.header(top, issued)
            writer.page_numbers()
            writer.properties(
                title=doc.title,
                author=doc.body,
                when=doc.issued_at,
                subject=doc.kind,
                keywords=" ".join(p for p in (doc.symbol, doc.revision) if p),
                language=WORD_LANGUAGES[language],
            )
            if doc.body and doc.body != top:
                writer.text(doc.body, style=FRONT_STYLE, bold=True)
            if doc.symbol:
                writer.text(top, style=FRONT_STYLE).alignment = WD_ALIGN_PARAGRAPH.RIGHT
            writer.text(doc.title, style="Title")
            if doc.kind:
                writer.text(doc.kind, style=FRONT_STYLE, bold=True, size=Pt(12))
            for line in doc.lines:
                writer.text(line, style=FRONT_STYLE)
            writer.text(_("Issued %(date)s", date=issued), style=FRONT_STYLE, italic=True)
        return writer

    def language(self, language: str) -> None:
        """The language of the text, for spelling and hyphenation (every style inherits it)."""
        tag = WORD_LANGUAGES.get(language, "en-GB")
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
        rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
        if rpr is None:
            return
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), tag)

    # -- low level --

    def prefix(
        self, text: str, *, bold: bool = True, italic: bool = False, style: str | None = None
    ) -> None:
        """Put this run at the start of the next paragraph written."""
        self._prefix.append((text, bold, italic, style))

    def style_id(self, name: str) -> str:
        """The id of a style by its name, from a table built once.

        python-docx resolves a style name by scanning every style, twice, on each paragraph
        added, which made a 1,000-paragraph revision take ten seconds to write.
        """
        if name not in self._style_ids:
            for element in self.document.styles.element.findall(qn("w:style")):
                style_id, style_name = element.get(qn("w:styleId")), element_val(element, "w:name")
                if style_id and style_name:
                    self._style_ids[BabelFish.internal2ui(style_name)] = style_id
        return self._style_ids[name]

    def paragraph(self, style: str | None = None) -> Paragraph:
        """A new paragraph, indented as the writer is, carrying any pending prefix."""
        p = OxmlElement("w:p")
        body = self.document.element.body
        # Before the closing w:sectPr, looked for from the end: python-docx's add_paragraph
        # searches from the start of the body, which made long documents quadratic.
        last = next(body.iterchildren(reversed=True), None)  # len(body) would count them all
        if last is not None and last.tag == qn("w:sectPr"):
            last.addprevious(p)
        else:
            body.append(p)
        paragraph = Paragraph(p, self.document._body)
        if style:
            paragraph._p.style = self.style_id(style)
        if self.indent is not None:
            paragraph.paragraph_format.left_indent = self.indent
        for text, bold, italic, run_style in self._prefix:
            run = paragraph.add_run(xml_safe(text))
            if run_style:
                run._r.style = self.style_id(run_style)
            _format(run, bold=bold, italic=italic)
        self._prefix.clear()
        return paragraph

    def runs(
        self, paragraph: Paragraph, markdown: str, *, italic: bool = False, size: Any = None
    ) -> None:
        """Append inline Markdown to a paragraph as formatted runs (links as Word links)."""
        for piece in inline_runs(markdown):
            if piece.link:
                run = self._link(paragraph, piece.link)
                run.text = xml_safe(piece.text)
            else:
                run = paragraph.add_run(xml_safe(piece.text))
            _format(run, bold=piece.bold, italic=piece.italic or italic)
            if size is not None:
                run.font.size = size

    def _link(self, paragraph: Paragraph, url: str) -> Run:
        """An empty run inside a new external hyperlink at the end of the paragraph."""
        rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), rid)
        r = OxmlElement("w:r")
        hyperlink.append(r)
        paragraph._p.append(hyperlink)
        run = Run(r, paragraph)
        run.font.underline = True
        run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
        return run

    def text(
        self,
        text: str,
        *,
        style: str | None = None,
        bold: bool = False,
        italic: bool = False,
        size: Any = None,
    ) -> Paragraph:
        """A paragraph of plain (not Markdown) text."""
        paragraph = self.paragraph(style)
        run = paragraph.add_run(xml_safe(text))
        _format(run, bold=bold, italic=italic)
        if size is not None:
            run.font.size = size
        return paragraph

    def heading(self, markdown: str, level: int) -> Paragraph:
        """A Word heading (Heading 1-6) from a line of Markdown."""
        paragraph = self.paragraph(f"Heading {min(max(level, 1), 6)}")
        for piece in inline_runs(markdown):
            _format(paragraph.add_run(xml_safe(piece.text)), italic=piece.italic)
        return paragraph

    # -- Markdown blocks --

    def markdown(
        self, text: str, *, italic: bool = False, size: Any = None, headings: bool = False
    ) -> None:
        """Write Markdown block by block: paragraphs, lists, tables, quotes, code.

        With headings=False (text written by delegates) a "# line" becomes a bold paragraph,
        so a comment cannot add entries to the document's outline.
        """
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        pending: list[str] = []
        self._end_list()

        def flush() -> None:
            if pending:
                paragraph = self.paragraph()
                joined = " ".join(line.strip() for line in pending)
                self.runs(paragraph, joined, italic=italic, size=size)
                pending.clear()

        i = 0
        while i < len(lines):
            line = lines[i]
            fence = _FENCE_OPEN.match(line)
            heading = HEADING_LINE.match(line)
            if fence:
                flush()
                self._end_list()
                i += 1
                while i < len(lines) and not lines[i].strip().startswith(fence.group(1)):
                    self._code_line(lines[i])
                    i += 1
            elif (
                line.lstrip().startswith("|")
                and i + 1 < len(lines)
                and "-" in lines[i + 1]
                and _TABLE_SEPARATOR.match(lines[i + 1])
            ):
                flush()
                rows = [_table_cells(line)]
                i += 2
                while i < len(lines) and lines[i].strip().startswith("|"):
                    rows.append(_table_cells(lines[i]))
                    i += 1
                self._table(rows, size=size)
                continue
            elif heading:
                flush()
                self._end_list()
                if headings:
                    self.heading(heading.group(2), len(heading.group(1)))
                else:
                    self.runs(self.paragraph(), f"**{heading.group(2)}**", size=size)
            elif is_list_item(line.lstrip()):
                flush()
                i = self._list_item(lines, i, italic=italic, size=size)
            elif line.lstrip().startswith(">"):
                flush()
                quote = []
                while i < len(lines) and lines[i].lstrip().startswith(">"):
                    quote.append(lines[i].lstrip()[1:].strip())
                    i += 1
                self.markdown("\n".join(quote), italic=True, size=size)
                continue
            elif not line.strip():
                flush()
            else:
                if not pending:
                    self._end_list()
                pending.append(line)
            i += 1
        flush()
        if self._prefix:  # nothing was written: the prefix still gets its paragraph
            self.paragraph()

    def _end_list(self) -> None:
        self._list_nums.clear()
        self._list_indents.clear()

    @staticmethod
    def _continues_item(line: str) -> bool:
        return bool(line.strip()) and line.startswith(" ") and not is_list_item(line.lstrip())

    def _list_item(self, lines: list[str], i: int, *, italic: bool, size: Any) -> int:
        """Write the list item at lines[i] (with its indented continuation lines).

        Returns the index of its last line. Nesting follows indentation relative to the
        enclosing items, as in Markdown; Word styles go three levels deep.
        """
        match = _LIST_LINE.match(lines[i])
        assert match is not None
        indent, marker, first = match.groups()
        width = len(indent.replace("\t", "    "))
        while self._list_indents and self._list_indents[-1] >= width:
            self._list_indents.pop()
        depth = min(len(self._list_indents), 2)
        self._list_indents.append(width)
        numbered = marker[0].isdigit()
        base = "List Number" if numbered else "List Bullet"
        style = base if depth == 0 else f"{base} {depth + 1}"
        parts = [first]
        while i + 1 < len(lines) and self._continues_item(lines[i + 1]):
            i += 1
            parts.append(lines[i].strip())
        if self._prefix:  # a paragraph number goes on its own line above the list
            self.paragraph()
        paragraph = self.paragraph(style)
        if self.indent is not None:
            paragraph.paragraph_format.left_indent = self.indent + Cm(0.63 * (depth + 1))
            paragraph.paragraph_format.first_line_indent = Cm(-0.63)
        for key in [k for k in self._list_nums if k[1] > depth]:
            del self._list_nums[key]
        if numbered:
            self._restart_numbering(paragraph, style, depth)
        self.runs(paragraph, " ".join(parts), italic=italic, size=size)
        return i

    def _restart_numbering(self, paragraph: Paragraph, style: str, depth: int) -> None:
        """Give each numbered list its own numbering instance so it starts again at 1."""
        key = (style, depth)
        try:
            num_id = self._list_nums.get(key)
            if num_id is None:
                numbering = self.document.part.numbering_part.element
                style_element = self.document.styles.element.get_by_id(self.style_id(style))
                style_num = style_element.pPr.numPr.numId.val
                abstract = numbering.num_having_numId(style_num).abstractNumId.val
                num = numbering.add_num(abstract)
                num.add_lvlOverride(ilvl=0).add_startOverride(1)
                num_id = self._list_nums[key] = num.numId
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = num_id
        except Exception:  # a template without list numbering: Word continues the count
            return

    def _code_line(self, line: str) -> None:
        paragraph = self.paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(xml_safe(line))
        run.font.name = "Courier New"
        run.font.size = Pt(9)

    def plain_table(self, rows: list[list[str]]) -> None:
        """A table of plain text (what people typed stays as typed), the first row bold: a
        record's attendance, a letter's responses."""
        lines = ["| " + " | ".join(_escape_cell(c) or " " for c in row) + " |" for row in rows]
        lines.insert(1, "|" + "---|" * len(rows[0]))
        self.markdown("\n".join(lines))

    def _table(self, rows: list[list[str]], *, size: Any = None) -> None:
        self._end_list()
        # A paragraph that is a table carries its number in the first cell, as a paragraph
        # carries it before its first word (never on a line of its own above the table).
        number, self._prefix = self._prefix, []
        width = max(len(row) for row in rows)
        table = self.document.add_table(rows=len(rows), cols=width)
        table._tbl.tblPr.style = self.style_id("Table Grid")
        for r, row in enumerate(rows):
            for c in range(width):
                cell = table.cell(r, c)
                paragraph = cell.paragraphs[0]
                if r == 0 and c == 0:
                    for text, bold, italic, run_style in number:
                        run = paragraph.add_run(xml_safe(text))
                        if run_style:
                            run._r.style = self.style_id(run_style)
                        _format(run, bold=bold, italic=italic)
                self.runs(paragraph, row[c] if c < len(row) else "", size=size)
                if r == 0:
                    for run in paragraph.runs:
                        run.bold = True

    # -- page furniture --

    def header(self, *lines: str) -> None:
        """Lines at the top of every page (document symbol, revision)."""
        header = self.document.sections[0].header
        first = True
        for line in lines:
            paragraph = header.paragraphs[0] if first else header.add_paragraph()
            first = False
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = paragraph.add_run(xml_safe(line))
            run.font.size = Pt(9)

    def page_numbers(self) -> None:
        """A centred "page N of M" at the bottom of every page (fields Word updates)."""
        paragraph = self.document.sections[0].footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        label = _("Page %(page)s of %(pages)s", page="\x00PAGE\x00", pages="\x00NUMPAGES\x00")
        for i, piece in enumerate(label.split("\x00")):
            if i % 2:
                paragraph._p.append(_field(piece))
            elif piece:
                run = paragraph.add_run(xml_safe(piece))
                run.font.size = Pt(9)

    def properties(
        self,
        *,
        title: str,
        author: str,
        when: datetime,
        subject: str = "",
        keywords: str = "",
        language: str = "",
    ) -> None:
        """Document properties; python-docx would otherwise sign as "python-docx", 2013."""
        props = self.document.core_properties
        props.title = xml_safe(title)[:255]
        props.author = xml_safe(author)[:255]
        props.last_modified_by = xml_safe(author)[:255]
        props.subject = xml_safe(subject)[:255]
        props.keywords = xml_safe(keywords)[:255]
        props.comments = ""
        props.category = ""
        if language:
            props.language = language
        props.revision = 1
        stamp = when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
        props.created = props.modified = stamp

    def to_bytes(self) -> bytes:
        buffer = BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _field(instruction: str) -> Any:
    """A simple Word field (PAGE, NUMPAGES) showing "1" until the reader updates it."""
    element = OxmlElement("w:fldSimple")
    element.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "18")
    rpr.append(size)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    element.append(run)
    return element


_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>{application}</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    "<AppVersion>1.0000</AppVersion></Properties>"
)


def _drop_template_traces(document: Any) -> None:
    """No thumbnail of python-docx's sample page, no "Microsoft Macintosh Word" as the
    application that wrote the file: the template's leftovers a secretariat would see."""
    package = document.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]
        elif rel.reltype == RT.EXTENDED_PROPERTIES and not rel.is_external:
            rel.target_part._blob = _APP_XML.format(application=xml_escape("consult")).encode()
