"""Two revisions of a paper side by side: the redline delegations read and circulate.

Paragraphs are paired by their key (the text they continue), in reading order, so what was
removed or moved stands where it was: a removed paragraph between its neighbours of the old
revision, a moved one both where it went (with its changes) and, as a pointer, where it left.
The same rows make the page, the Word file (real tracked changes) and the PDF printed from it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from consult.exports.word import NUMBER_STYLE, DocxWriter, HouseDocument
from consult.papers.models import Paper, Paragraph, Revision
from consult.papers.redline import rendered_redline
from consult.papers.redline_docx import write_redline

__all__ = ["ComparedBlock", "compare_blocks", "comparison_docx"]

Kind = Literal["same", "changed", "added", "removed", "moved", "moved_away"]


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class ComparedBlock:
    """One row of a comparison: a paragraph (or heading) in the old revision, the new, or both.

    `moved_away` is the pointer left where a moved paragraph used to be; its `new` is where
    it went.
    """

    kind: Kind
    old: Paragraph | None
    new: Paragraph | None

    @property
    def is_heading(self) -> bool:
        return (self.new or self.old).is_heading  # type: ignore[union-attr]

    @property
    def text_changed(self) -> bool:
        return (
            self.old is not None
            and self.new is not None
            and _norm(self.old.text) != _norm(self.new.text)
        )

    @property
    def html(self) -> Markup:
        """The block as rendered text with its changes marked (<ins>, <del>, labelled)."""
        if self.kind == "moved_away":  # a pointer: the text is shown, changed, where it went
            return Markup(self.old.text_html or "")  # type: ignore[union-attr]  # noqa: S704
        if self.kind == "removed":
            return rendered_redline(self.old.text_html, "")  # type: ignore[union-attr]
        if self.old is None:
            return rendered_redline("", self.new.text_html)  # type: ignore[union-attr]
        if not self.text_changed:
            return Markup(self.new.text_html or "")  # type: ignore[union-attr]  # noqa: S704
        return rendered_redline(self.old.text_html, self.new.text_html)  # type: ignore[union-attr]


def compare_blocks(old: list[Paragraph], new: list[Paragraph]) -> list[ComparedBlock]:
    """The blocks of two revisions in one reading order, each removed or moved one in place.

    The longest run of keys the two revisions share in the same order stays in place; a key
    of both revisions outside it has moved. Within a stretch that differs, what the old
    revision had comes first, then what the new one has.
    """
    old_keys, new_keys = [p.key for p in old], [p.key for p in new]
    in_old, in_new = set(old_keys), set(new_keys)
    new_by_key = {p.key: p for p in new}
    old_by_key = {p.key: p for p in old}
    rows: list[ComparedBlock] = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for before, after in zip(old[i1:i2], new[j1:j2], strict=True):
                changed = _norm(before.text) != _norm(after.text)
                rows.append(ComparedBlock("changed" if changed else "same", before, after))
            continue
        for before in old[i1:i2]:
            if before.key in in_new:
                rows.append(ComparedBlock("moved_away", before, new_by_key[before.key]))
            else:
                rows.append(ComparedBlock("removed", before, None))
        for after in new[j1:j2]:
            if after.key in in_old:
                rows.append(ComparedBlock("moved", old_by_key[after.key], after))
            else:
                rows.append(ComparedBlock("added", None, after))
    return rows


def _label(block: ComparedBlock, old: Revision) -> tuple[str | None, str]:
    """The paragraph number a block carries in the Word file, and a note on where it was."""
    number = block.new.number if block.new is not None else None
    was = block.old.number if block.old is not None else None
    if block.kind == "removed":
        return None, _("(%(rev)s ¶%(n)s, removed)", rev=old.label, n=was)
    if block.kind == "moved_away":
        return None, _("(%(rev)s ¶%(n)s, moved to ¶%(to)s)", rev=old.label, n=was, to=number)
    if block.kind == "moved":
        return number and f"{number}.", _("(moved from %(rev)s ¶%(n)s)", rev=old.label, n=was)
    if block.kind == "added":
        return number and f"{number}.", _("(new)")
    if was != number:
        return number and f"{number}.", _("(%(rev)s ¶%(n)s)", rev=old.label, n=was)
    return number and f"{number}.", ""


def comparison_docx(
    paper: Paper,
    old: Revision,
    new: Revision,
    blocks: list[ComparedBlock],
    *,
    body: str,
    time_zone: str,
) -> bytes:
    """The comparison as a house Word file whose changes are Word tracked changes.

    Each change is signed by the paper's issuer and dated when the new revision was issued.
    A moved paragraph is a tracked deletion where it was and a tracked insertion where it went
    (each with a note saying so), so accepting every change gives the new revision and
    rejecting every change the old one.
    """
    author = paper.issued_by or body
    when: datetime = new.created_at
    language = paper.original_language
    with force_locale(language):
        writer = DocxWriter.house(
            HouseDocument(
                title=paper.title,
                body=body,
                issued_at=when,
                symbol=paper.symbol,
                revision=new.label,
                kind=_("%(old)s compared with %(new)s", old=old.label, new=new.label),
                language=language,
                time_zone=time_zone,
                lines=(
                    _(
                        "Changes are tracked: deleted text is struck through, inserted text "
                        "is underlined."
                    ),
                ),
            )
        )
        for block in blocks:
            before = block.old.text if block.old is not None else ""
            after = block.new.text if block.new is not None else ""
            if block.kind in ("removed", "moved_away"):
                after = ""
            elif block.kind == "moved":
                before = ""
            if not block.is_heading:
                number, note = _label(block, old)
                if number:
                    writer.prefix(number, style=NUMBER_STYLE)
                    writer.prefix(" ", bold=False)
                if note:
                    writer.prefix(f"{note} ", bold=False, italic=True)
            write_redline(writer, before, after, author=author, when=when)
    return writer.to_bytes()
