"""The compilation of comments as a secretariat circulates it: Word, PDF, CSV and Markdown.

A compilation goes out under the paper's symbol: a cover page (symbol, title, revision, date,
comment deadline, the filters it was made with, how many comments each delegation made), then
paragraph by paragraph the paragraph's text followed by what delegations and groups said about
it; proposed text shown against the text it would replace. Delegations speak, not persons: no
personal name appears anywhere in the file, and a chair's or facilitator's reply is labelled in
that capacity ("the Facilitator"), never "on behalf of Finland". Under the Chatham House Rule
nothing is attributed at all, not even in the counts. Pure functions over plain dataclasses:
`consult.papers.compiling` decides what is in it, through the policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from docx.shared import Cm, Pt, RGBColor
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from consult import dates
from consult.dates import document_date
from consult.exports.tables import csv_file
from consult.exports.word import WORD_LANGUAGES, DocxWriter, HouseDocument
from consult.papers.redline_docx import write_redline

__all__ = [
    "Compilation",
    "CompiledComment",
    "Section",
    "compilation_csv",
    "compilation_docx",
    "compilation_markdown",
]


@dataclass
class CompiledComment:
    """One comment as it appears in a compilation: who speaks, never the person."""

    comment_id: int
    parent_id: int | None
    paragraph_label: str  # "¶4" or "On removed text"
    made_on: str  # "Rev.0 ¶3"
    #: Who it is attributed to: "Germany", "African Group", "the Facilitator"; None when the
    #: compilation is unattributed (Chatham House Rule).
    speaker: str | None
    #: The author's delegation, for the CSV's delegation column; None when unattributed.
    delegation: str | None
    #: "the Chair" / "the Facilitator" / "the Secretariat" when written in that capacity.
    capacity: str | None
    position: str | None  # "supports" / "neutral" / "objects"
    quote: str | None
    body: str  # Markdown
    proposed_text: str | None
    #: The paragraph's text the proposal would replace (as it stood where it was made).
    original_text: str | None
    created_at: datetime
    taken_into_account: bool
    #: The stored HTML, for the compilation page (files use the Markdown above).
    body_html: Markup | None = None
    proposed_text_html: Markup | None = None

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None


@dataclass
class Section:
    """A heading ("¶4" or "Germany") with the paragraph's text (by paragraph) and comments."""

    heading: str
    comments: list[CompiledComment]
    #: The paragraph's Markdown in the current revision; None by delegation or on removed text.
    text: str | None = None
    text_html: Markup | None = None


@dataclass
class Compilation:
    """All the comments to compile, already selected, grouped and ordered by the caller."""

    symbol: str | None
    title: str
    revision_label: str
    issued_by: str  # the issuing body, as printed on the paper and in the properties
    generated_at: datetime
    attributed: bool
    by: Literal["paragraph", "delegation"]
    sections: list[Section]
    language: str = "en"
    time_zone: str = "UTC"
    closes_at: datetime | None = None
    #: The page's filters in words ("Only comments with proposed text"), printed on the cover.
    filters: list[str] = field(default_factory=list)
    #: Replies of the chair, facilitators and the Secretariat are included.
    office_replies: bool = False
    #: (speaker, comments) by delegation or group, most first; empty when unattributed.
    counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(s.comments) for s in self.sections)

    @property
    def printed(self) -> list[Section]:
        """The sections with headings safe to print (see `_headings`)."""
        return _headings(self)

    @property
    def groups(self) -> list[tuple[str, list[CompiledComment]]]:
        """(heading, comments) pairs, headings safe to print."""
        return [(s.heading, s.comments) for s in _headings(self)]


def _headings(c: Compilation) -> list[Section]:
    """Sections with headings safe to print: grouped by delegation without attribution, the
    headings would be the very names the Chatham House Rule withholds."""
    if c.attributed or c.by != "delegation":
        return c.sections
    return [
        Section(_("Delegation %(n)d", n=n), s.comments, s.text, s.text_html)
        for n, s in enumerate(c.sections, 1)
    ]


# ---- shared wording ------------------------------------------------------------------------


def _moment(c: Compilation, when: datetime) -> str:
    """ "5 March 2026, 14:05 (Zurich time)": the document's date, in its language, the room's
    time zone named (never "CET", which reads several ways)."""
    language = c.language if c.language in WORD_LANGUAGES else "en"
    clock = dates.zoned(when, "time", zone=c.time_zone, language=language)
    return f"{document_date(when, language, c.time_zone)}, {clock}"


def _speaker(c: Compilation, comment: CompiledComment) -> str:
    if not c.attributed:
        return _("Unattributed")
    return comment.speaker or _("Unattributed")


def _position(value: str | None) -> str | None:
    labels = {"supports": _("Supports"), "neutral": _("Neutral"), "objects": _("Objects")}
    return labels.get(value or "", value) if value else None


def _meta(c: Compilation, comment: CompiledComment) -> list[str]:
    """The small line above a comment: who speaks, position, where and when it was made."""
    parts = [_("Reply") if comment.is_reply else None, _speaker(c, comment)]
    parts.append(_position(comment.position))
    if c.by == "delegation":
        parts.append(comment.paragraph_label)
    parts.append(_("made on %(where)s", where=comment.made_on))
    parts.append(_moment(c, comment.created_at))
    if comment.taken_into_account:
        parts.append(_("✓ Taken into account"))
    return [p for p in parts if p]


def _kind(c: Compilation) -> str:
    if c.by == "delegation":
        return _("Compilation of comments by delegation")
    return _("Compilation of comments by paragraph")


def _cover_lines(c: Compilation) -> list[str]:
    """The facts under the title: deadline, when compiled, filters, attribution, totals."""
    lines = []
    if c.closes_at is not None:
        lines.append(_("Comment deadline: %(when)s", when=_moment(c, c.closes_at)))
    lines.append(_("Compiled %(when)s", when=_moment(c, c.generated_at)))
    if c.filters:
        lines.append(_("Filters: %(filters)s", filters="; ".join(c.filters)))
    if not c.office_replies:
        lines.append(_("Replies of the chair, facilitators and the Secretariat are not included."))
    if not c.attributed:
        lines.append(_("Comments are shown without attribution (Chatham House Rule)."))
    return lines


def _empty(c: Compilation) -> str:
    if c.filters:
        return _("No comment matches these filters: this compilation is empty.")
    return _("There are no comments to compile: this compilation is empty.")


def _total(c: Compilation) -> str:
    speakers = len(c.counts)
    if c.attributed and speakers:
        return _(
            "%(comments)d comments from %(speakers)d delegations and groups",
            comments=c.total,
            speakers=speakers,
        )
    return _("%(comments)d comments", comments=c.total)


# ---- Word ----------------------------------------------------------------------------------

_GREY = RGBColor(0x59, 0x59, 0x59)


def compilation_docx(c: Compilation) -> bytes:
    """The compilation as a Word file a secretariat can send as it is (the house writer)."""
    language = c.language if c.language in WORD_LANGUAGES else "en"
    with force_locale(language):
        writer = DocxWriter.house(
            HouseDocument(
                title=c.title,
                body=c.issued_by,
                issued_at=c.generated_at,
                symbol=c.symbol,
                revision=c.revision_label,
                kind=_kind(c),
                language=language,
                time_zone=c.time_zone,
                lines=tuple(_cover_lines(c)),
            )
        )
        _cover_counts(writer, c)
        if not c.total:
            writer.text(_empty(c), italic=True)
        for section in _headings(c):
            if not section.comments:
                continue
            writer.heading(_escape_md(section.heading), 2)
            if section.text:
                writer.markdown(section.text)
            for comment in section.comments:
                _comment_docx(writer, c, comment)
        return writer.to_bytes()


def _cover_counts(writer: DocxWriter, c: Compilation) -> None:
    """How many comments each delegation or group made (attributed only), then the total."""
    writer.text(_total(c), bold=True, size=Pt(10))
    if not c.attributed or not c.counts:
        return
    header = f"| {_('Delegation or group')} | {_('Comments')} |\n|---|---:|"
    rows = [f"| {_escape_md(who)} | {n} |" for who, n in c.counts]
    writer.markdown("\n".join([header, *rows]), size=Pt(10))


def _comment_docx(writer: DocxWriter, c: Compilation, comment: CompiledComment) -> None:
    writer.indent = Cm(1.0) if comment.is_reply else None
    meta = writer.text(" · ".join(_meta(c, comment)), size=Pt(9))
    meta.paragraph_format.space_before = Pt(8)
    meta.paragraph_format.space_after = Pt(2)
    meta.paragraph_format.keep_with_next = True
    for run in meta.runs:
        run.font.color.rgb = _GREY
    if comment.quote:
        quote = writer.text(f"“{' '.join(comment.quote.split())}”", italic=True)
        quote.paragraph_format.left_indent = (writer.indent or Cm(0)) + Cm(0.5)
    if comment.body.strip():
        writer.markdown(comment.body)
    if comment.proposed_text and comment.proposed_text.strip():
        _proposal_docx(writer, c, comment)
    writer.indent = None


def _proposal_docx(writer: DocxWriter, c: Compilation, comment: CompiledComment) -> None:
    """A proposal as a redline of the text it was made on: Word's own tracked changes, signed
    with the delegation or group that proposes (never a person; "Unattributed" under the
    Chatham House Rule), so a secretariat can accept or reject it where it stands."""
    base = writer.indent or Cm(0)
    writer.prefix(_("Proposed text: "))
    writer.indent = base + Cm(0.5)
    if comment.original_text and comment.original_text.strip():
        write_redline(
            writer,
            comment.original_text,
            comment.proposed_text or "",
            author=_speaker(c, comment),
            when=comment.created_at,
        )
    else:
        writer.markdown(comment.proposed_text or "")
    writer.indent = base


# ---- CSV -----------------------------------------------------------------------------------


def compilation_csv(c: Compilation) -> bytes:
    """One row per comment, one table per file: UTF-8 with a BOM, dates a spreadsheet reads.

    Every reply names the comment it answers (`reply to` holds that comment's number), so the
    threads can be rebuilt after sorting. Under the Chatham House Rule the delegation, group
    and capacity columns stay empty.
    """
    language = c.language if c.language in WORD_LANGUAGES else "en"
    with force_locale(language):
        columns = [
            _("comment"),
            _("reply to"),
            _("paragraph"),
            _("made on"),
            _("delegation"),
            _("on behalf of"),
            _("capacity"),
            _("position"),
            _("quote"),
            _("comment text"),
            _("proposed text"),
            _("original text"),
            _("created (%(zone)s)", zone=c.time_zone),
            _("taken into account"),
        ]
        rows = [
            (
                comment.comment_id,
                comment.parent_id,
                comment.paragraph_label,
                comment.made_on,
                comment.delegation if c.attributed else None,
                comment.speaker if c.attributed and not comment.capacity else None,
                comment.capacity if c.attributed else None,
                _position(comment.position),
                comment.quote,
                comment.body,
                comment.proposed_text,
                comment.original_text if comment.proposed_text else None,
                comment.created_at,
                comment.taken_into_account,
            )
            for section in c.sections
            for comment in section.comments
        ]
        return csv_file(columns, rows, time_zone=c.time_zone)


# ---- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]>#|])")


def _escape_md(text: str) -> str:
    """Names and labels are text, not Markdown (nor HTML: "<" has no backslash escape)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split())).replace("<", "&lt;")


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def compilation_markdown(c: Compilation) -> str:
    """The compilation as Markdown, for pasting into an e-mail or another editor."""
    language = c.language if c.language in WORD_LANGUAGES else "en"
    with force_locale(language):
        lines = [f"# {_escape_md(c.title)}", ""]
        top = " · ".join(p for p in (c.symbol, c.revision_label) if p)
        lines += [_escape_md(top), "", f"*{_escape_md(_kind(c))}*", ""]
        lines += [f"{_escape_md(line)}  " for line in _cover_lines(c)] + [""]
        lines += [f"**{_escape_md(_total(c))}**", ""]
        if c.attributed and c.counts:
            lines += [f"- {_escape_md(who)}: {n}" for who, n in c.counts] + [""]
        if not c.total:
            lines += [f"*{_escape_md(_empty(c))}*", ""]
        for section in _headings(c):
            if not section.comments:
                continue
            lines += [f"## {_escape_md(section.heading)}", ""]
            if section.text:
                lines += [section.text.strip(), ""]
            for comment in section.comments:
                meta = " · ".join(_escape_md(part) for part in _meta(c, comment))
                lines += [("↳ " if comment.is_reply else "") + meta, ""]
                if comment.quote:
                    lines += [_quoted(f"*{_escape_md(comment.quote)}*"), ""]
                if comment.body.strip():
                    lines += [comment.body.strip(), ""]
                if comment.proposed_text and comment.proposed_text.strip():
                    lines += [f"**{_('Proposed text:')}**", "", _quoted(comment.proposed_text), ""]
                    if comment.original_text and comment.original_text.strip():
                        lines += [f"*{_('Original text:')}*", "", _quoted(comment.original_text)]
                        lines += [""]
                lines += ["---", ""]
        return "\n".join(lines).rstrip() + "\n"
