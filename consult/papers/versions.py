"""Papers in language versions: a revision's French or Spanish text, aligned with the original.

A version is the same document in another language, paragraph for paragraph: its blocks take
the keys, numbers and kinds of the revision's blocks at the same positions, so a comment
(anchored to a paragraph key) shows beside the same paragraph in every language, and "¶9"
means the same paragraph whichever language a delegate reads. A version whose blocks do not
line up with the revision's is refused, naming where they part (`alignment_problem`); nothing
is stored. The version's text goes through the revision's own path (pasted Markdown or a
.docx converted by `docx_io`, cut by `blocks.split_blocks`, checked by `_check_source`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from babel import Locale
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from consult import audit
from consult.accounts.models import User
from consult.extensions import db
from consult.markdown import is_list_item
from consult.papers.blocks import Block
from consult.papers.models import (
    LANGUAGES,
    LANGUAGES_IN_SENTENCE,
    Paper,
    PaperStatus,
    PaperVersion,
    Paragraph,
    Revision,
    VersionParagraph,
)
from consult.papers.services import (
    PaperError,
    _check_source,
    _not_pending,
    current_revision,
    paragraphs_of,
    revisions,
    signal_changed,
)

__all__ = [
    "Reading",
    "add_version",
    "alignment_problem",
    "autonym",
    "language_label",
    "language_name",
    "reading",
    "version_languages",
    "version_paragraphs",
    "versions_of",
]


# ---- languages -------------------------------------------------------------------------------


def version_languages() -> list[str]:
    """The languages the consultation works in (`Config.LANGUAGES`): those a version may have."""
    return list(current_app.config.get("LANGUAGES", ["en", "fr", "es"]))


def language_name(code: str) -> str:
    """The language's name in the reader's interface language, as it reads inside a sentence
    ("the French version", « la version en français »)."""
    name = LANGUAGES_IN_SENTENCE.get(code)
    return str(name) if name is not None else code


def language_label(code: str) -> str:
    """The language's name on its own, as a choice in a list ("French", « Français »)."""
    name = LANGUAGES.get(code)
    return str(name) if name is not None else code


def autonym(code: str) -> str:
    """The language's name in itself ("Français"), as a language switch shows it: a reader
    who does not read the interface's language still finds their own."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]


# ---- reading -----------------------------------------------------------------------------------


def versions_of(paper: Paper) -> list[PaperVersion]:
    """The paper's versions, oldest revision first (one statement)."""
    return list(
        db.session.scalars(
            select(PaperVersion)
            .join(Revision, Revision.id == PaperVersion.revision_id)
            .where(PaperVersion.paper_id == paper.id)
            .order_by(Revision.number, PaperVersion.language)
        )
    )


def version_paragraphs(version: PaperVersion) -> list[VersionParagraph]:
    return list(
        db.session.scalars(
            select(VersionParagraph)
            .where(VersionParagraph.version_id == version.id)
            .order_by(VersionParagraph.position)
        )
    )


@dataclass
class Reading:
    """What a reader reads of a paper: the language chosen, the version in it (None for the
    original), whether that version is of an older revision than the current one, and the
    languages there are to switch to (the original first, then the consultation's order)."""

    language: str
    original: str
    current: Revision
    version: PaperVersion | None = None
    languages: list[str] = field(default_factory=list)
    #: The language was named in the URL (links then carry it, so a fragment fetched from the
    #: page shows the same language whatever the interface's).
    explicit: bool = False

    @property
    def is_original(self) -> bool:
        return self.version is None

    @property
    def is_outdated(self) -> bool:
        return self.version is not None and self.version.revision_id != self.current.id

    @property
    def revision(self) -> Revision:
        """The revision whose text is shown (the version's, or the current one)."""
        return self.version.revision if self.version is not None else self.current

    @property
    def link_language(self) -> str | None:
        """The `lang` the page's links carry: only on a paper that has versions."""
        return self.language if len(self.languages) > 1 else None


def reading(paper: Paper, asked: str | None, interface: str | None) -> Reading:
    """The language to show: the one asked for in the URL when the paper has it, else the
    reader's interface language when a version exists in it, else the original. A version
    in a language is the one of the latest revision that has one."""
    original = paper.original_language
    current = current_revision(paper)
    latest: dict[str, PaperVersion] = {}
    for version in versions_of(paper):
        latest[version.language] = version  # ordered by revision: the last one wins
    order = version_languages()
    languages = [original] + sorted(
        (code for code in latest if code != original),
        key=lambda code: order.index(code) if code in order else len(order),
    )
    explicit = asked in languages
    if explicit:
        language = asked
    elif interface in latest:
        language = interface
    else:
        language = original
    return Reading(
        language=language,
        original=original,
        current=current,
        version=latest.get(language) if language != original else None,
        languages=languages,
        explicit=explicit,
    )


# ---- adding a version --------------------------------------------------------------------------


def add_version(
    paper: Paper,
    actor: User,
    *,
    revision: Revision,
    language: str,
    source: str,
    origin: str = "pasted",
) -> PaperVersion:
    """Add the `language` version of one of the paper's revisions (who may issue the paper's
    revisions may: `Need.REVISE`, asked by the view). Refused, nothing stored, for the
    original language, a language the revision already has, or a text whose paragraphs do
    not line up one to one with the revision's (the place named)."""
    _not_pending(paper)
    if paper.status is PaperStatus.WITHDRAWN:
        raise PaperError(_("This paper is withdrawn; it takes no new version."))
    if revision.paper_id != paper.id:
        raise PaperError(_("Choose one of this paper's revisions."), "revision")
    if language not in version_languages():
        raise PaperError(_("Choose one of the consultation's languages."), "language")
    if language == paper.original_language:
        raise PaperError(
            _(
                "%(language)s is this paper's original language: its revisions are the "
                "%(language)s text. Choose the language of the version.",
                language=language_name(language),
            ),
            "language",
        )
    existing = db.session.scalar(
        select(PaperVersion.id).where(
            PaperVersion.revision_id == revision.id, PaperVersion.language == language
        )
    )
    if existing is not None:
        raise PaperError(
            _(
                "%(rev)s already has a %(language)s version. A version is kept as it was "
                "added; add the %(language)s version of the next revision instead.",
                rev=revision.label,
                language=language_name(language),
            ),
            "language",
        )
    blocks = _check_source(source)
    original = paragraphs_of(revision)
    problem = alignment_problem(original, blocks, language, revision.label)
    if (
        problem
        and origin != "pasted"
        and len(blocks) > 1
        and blocks[0].kind == "heading"
        and alignment_problem(original, blocks[1:], language, revision.label) is None
    ):
        # A Word file made from our own export starts with the paper's title (style "Title",
        # which the import reads as a heading): it is not one of the revision's blocks.
        blocks, problem = blocks[1:], None
    if problem:
        raise PaperError(problem, "source")
    version = PaperVersion(
        paper_id=paper.id,
        revision_id=revision.id,
        language=language,
        source=source,
        origin=origin[:200],
        created_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    for paragraph, block in zip(original, blocks, strict=True):
        db.session.add(
            VersionParagraph(
                version_id=version.id,
                paragraph_id=paragraph.id,
                position=paragraph.position,
                number=paragraph.number,
                is_heading=paragraph.is_heading,
                key=paragraph.key,
                text=block.text,
            )
        )
    db.session.flush()
    signal_changed(paper, "version")
    audit.record(
        "paper.version_added",
        f"{paper.title}: {actor.name} added the {language} version of {revision.label}",
        actor=actor,
        room_id=paper.room_id,
        paper_id=paper.id,
    )
    return version


def revision_choices(paper: Paper) -> list[tuple[str, str]]:
    """(number, label) of the paper's revisions, the current one first."""
    return [(str(r.number), r.label) for r in reversed(revisions(paper))]


# ---- alignment ---------------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")
#: Cost of leaving a block without a counterpart, and of joining two blocks into one.
_SKIP = 3.0
_JOIN = 2.0
#: How far from the diagonal the alignment looks, besides the difference in block counts.
_BAND = 12


@dataclass(frozen=True)
class _Shape:
    """What a block and its translation share whatever the language: kind, heading level,
    list items, table rows, the numbers it cites ("Article 7(3)") and, roughly, its length."""

    heading: bool
    level: int
    items: int
    table: bool
    digits: tuple[str, ...]
    length: int


def _shape(is_heading: bool, text: str) -> _Shape:
    lines = text.split("\n")
    level = len(text) - len(text.lstrip("#")) if is_heading else 0
    return _Shape(
        heading=is_heading,
        level=level,
        items=sum(1 for line in lines if is_list_item(line)),
        table=any(line.lstrip().startswith("|") for line in lines),
        digits=tuple(sorted(_DIGITS.findall(text))),
        length=len(" ".join(text.split())),
    )


def _joined(a: _Shape, b: _Shape) -> _Shape:
    return _Shape(
        heading=a.heading,
        level=a.level,
        items=a.items + b.items,
        table=a.table or b.table,
        digits=tuple(sorted(a.digits + b.digits)),
        length=a.length + b.length,
    )


def _cost(a: _Shape, b: _Shape, ratio: float) -> float:
    """How unlike a translation of `a` the block `b` looks (0: alike)."""
    cost = 3.0 * abs(math.log((b.length + 20) / (ratio * (a.length + 20))))
    if a.heading != b.heading:
        cost += 6.0
    elif a.heading and a.level != b.level:
        cost += 1.0
    if a.items != b.items:
        cost += 2.0
    if a.table != b.table:
        cost += 1.0
    if a.digits != b.digits:
        cost += 2.0  # "Article 7(3)", "2030": the same figures in every language
    return cost


def _first_divergence(old: list[_Shape], new: list[_Shape]) -> tuple[int, str]:
    """Where the two sequences of blocks first part, as the original's index and how:
    "missing" (the original's block has no counterpart), "extra" (the version has one more
    block before it), "joined" (it and the next are one block in the version), "split" (it
    is two blocks in the version), "kind" (a heading facing a paragraph), or "end".

    A dynamic-programming alignment on the blocks' shapes and lengths (Gale and Church's
    sentence alignment, with the structure as extra evidence)."""
    ratio = (sum(s.length for s in new) + 1) / (sum(s.length for s in old) + 1)
    path = _align(old, new, ratio)
    # How much longer the language runs, from the blocks that did pair one to one (a missing
    # paragraph would otherwise make every other look long).
    pairs = [(old[i].length, new[j].length) for i, j, di, dj in path if (di, dj) == (1, 1)]
    if pairs:
        ratio = (sum(b for _a, b in pairs) + 1) / (sum(a for a, _b in pairs) + 1)
        path = _align(old, new, ratio)
    for i, j, di, dj in path:
        if (di, dj) == (1, 1):
            if old[i].heading != new[j].heading:
                return i, "kind"
            continue
        return i, _MOVES[(di, dj)]
    return len(old), "end"


_MOVES = {(1, 0): "missing", (0, 1): "extra", (2, 1): "joined", (1, 2): "split"}


def _align(old: list[_Shape], new: list[_Shape], ratio: float) -> list[tuple[int, int, int, int]]:
    """The cheapest alignment, as (old index, new index, old blocks taken, new blocks taken)."""
    n, m = len(old), len(new)
    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    step: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    # Only near the diagonal: a version parts from its original by a few blocks, not by
    # hundreds, and a 300-paragraph paper stays quick to check (under the write lock).
    band = abs(n - m) + _BAND
    for i in range(n + 1):
        for j in range(max(0, i - band), min(m, i + band) + 1):
            here = best[i][j]
            if here == inf:
                continue
            moves = []
            if i < n and j < m:
                moves.append((1, 1, _cost(old[i], new[j], ratio)))
            if i < n:
                moves.append((1, 0, _SKIP))
            if j < m:
                moves.append((0, 1, _SKIP))
            if i + 1 < n and j < m and not (old[i].heading or old[i + 1].heading):
                joined = _joined(old[i], old[i + 1])
                moves.append((2, 1, _JOIN + _cost(joined, new[j], ratio)))
            if i < n and j + 1 < m and not (new[j].heading or new[j + 1].heading):
                joined = _joined(new[j], new[j + 1])
                moves.append((1, 2, _JOIN + _cost(old[i], joined, ratio)))
            for di, dj, cost in moves:
                if here + cost < best[i + di][j + dj]:
                    best[i + di][j + dj] = here + cost
                    step[i + di][j + dj] = (di, dj)
    path = []
    i, j = n, m
    while (i, j) != (0, 0):
        di, dj = step[i][j]
        path.append((i - di, j - dj, di, dj))
        i, j = i - di, j - dj
    path.reverse()
    return path


def _place(original: list[Paragraph], index: int) -> tuple[str, int | None]:
    """The original's paragraph number at or after `index` ("¶9", 9), or where the text ends
    ("the end", None)."""
    for paragraph in original[index:]:
        if paragraph.number is not None:
            return f"¶{paragraph.number}", paragraph.number
    return _("the end"), None


def alignment_problem(
    original: list[Paragraph], blocks: list[Block], language: str, revision_label: str
) -> str | None:
    """Why the version's blocks do not line up one to one with the revision's, with the
    place they part (the original's paragraph number), or None when they do."""
    if len(original) == len(blocks) and all(
        p.is_heading == (b.kind == "heading") for p, b in zip(original, blocks, strict=True)
    ):
        return None
    old = [_shape(p.is_heading, p.text) for p in original]
    new = [_shape(b.kind == "heading", b.text) for b in blocks]
    index, how = _first_divergence(old, new)
    place, number = _place(original, index)
    name = language_name(language)
    if number is None:
        hint = (
            _("the %(language)s text seems to have an extra paragraph at the end", language=name)
            if how in ("extra", "split")
            else ""
        )
    elif how == "missing":
        hint = _("%(place)s seems to have no %(language)s counterpart", place=place, language=name)
    elif how == "extra":
        hint = _(
            "the %(language)s text seems to have an extra paragraph before %(place)s",
            place=place,
            language=name,
        )
    elif how == "joined":
        hint = _(
            "%(place)s and the next paragraph seem to be one in the %(language)s text",
            place=place,
            language=name,
        )
    elif how == "split":
        hint = _(
            "%(place)s seems to be two paragraphs in the %(language)s text",
            place=place,
            language=name,
        )
    elif how == "kind":
        hint = _("a heading faces a paragraph at %(place)s", place=place)
    else:
        hint = ""
    found = sum(1 for b in blocks if b.kind == "paragraph")
    expected = sum(1 for p in original if not p.is_heading)
    if found != expected:
        counts = ngettext(
            "The %(language)s text has %(num)d paragraph where %(rev)s has %(expected)d",
            "The %(language)s text has %(num)d paragraphs where %(rev)s has %(expected)d",
            found,
            language=name,
            rev=revision_label,
            expected=expected,
        )
    else:
        found_h = sum(1 for b in blocks if b.kind == "heading")
        expected_h = len(original) - expected
        if found_h != expected_h:
            counts = ngettext(
                "The %(language)s text has %(num)d heading where %(rev)s has %(expected)d",
                "The %(language)s text has %(num)d headings where %(rev)s has %(expected)d",
                found_h,
                language=name,
                rev=revision_label,
                expected=expected_h,
            )
        else:
            counts = _(
                "The %(language)s text's headings are not where %(rev)s has them",
                language=name,
                rev=revision_label,
            )
    if number is None:
        where = _("the paragraphs differ after the last paragraph of %(rev)s", rev=revision_label)
    else:
        where = _("the paragraphs differ from %(place)s on", place=place)
    message = _("%(counts)s: %(where)s", counts=counts, where=where)
    if hint:
        message += f" ({hint})"
    return (
        message
        + ". "
        + _(
            "Nothing was stored: give each paragraph of the original its own paragraph, in the "
            "same order, with the same headings."
        )
    )
