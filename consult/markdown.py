"""Markdown to sanitised HTML, rendered once when the text is written, never on a read.

cmark-gfm (GitHub's CommonMark, through cmarkgfm) renders; its parser runs in time linear in
the input, pathological inputs included (Python-Markdown, used before, took 25 s on 18,001
characters of nested brackets; docs/decisions.md has the figures). nh3 (the Ammonia
sanitiser) then keeps a small allow-list of tags and attributes, drops every script, style and
event handler, and marks links rel="noopener noreferrer nofollow". Images are not allowed: a
remote image would tell its host who read what.

What stays expensive is deep nesting and very many table cells: the sanitiser's work grows with
the depth of the tree. `check` refuses such text with a message said next to its field, so
every text that is stored renders within the bound that tests/test_rendering.py measures.

The HTML is stored next to its source: a model declares `body_html = rendered("body")` (or
`rendered("body", encrypted=True)` for confidential text) and one flush listener keeps the pair
in step. Templates print the stored HTML as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import Text, event, inspect
from sqlalchemy.orm import Session, mapped_column
from sqlalchemy.types import TypeDecorator
from wtforms.validators import ValidationError

from consult.crypto import EncryptedText
from consult.errors import ServiceError

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "ins", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
#: Raw HTML is passed to the sanitiser, as before: people may write <sub> or <abbr title>,
#: and nh3 drops a <script> with its content (GFM's tagfilter would show it as text instead).
OPTIONS = Options.CMARK_OPT_UNSAFE
EXTENSIONS = ("table", "strikethrough", "autolink")

#: Elements open inside one another (a list in a list is two: <ul><li>). Real text stays far
#: below; past this the sanitiser's time grows with depth times length.
MAX_DEPTH = 32
#: Table cells in one text (all tables together).
MAX_CELLS = 4_000
#: Characters of HTML the renderer may produce (the sanitiser's time is linear in it).
MAX_HTML = 80_000
#: Runs of *, _ or ~ (each may open or close emphasis). cmark's emphasis pass slows down on
#: thousands of alternating runs ("*_*_*_..."); prose uses a few hundred at most.
MAX_DELIMITER_RUNS = 4_000
#: Lists and quotes opened on one line ("> > - a" is three). Checked on the source, so deep
#: nesting is refused before it is rendered (its HTML grows with depth times length).
MAX_CONTAINERS = 16

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
#: Elements that never hold others (cmark writes <br />, <hr />; raw "<x/>" counts as open).
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_CELL = re.compile(r"<t[dh][\s>]")
_DELIMITER_RUN = re.compile(r"\*+|_+|~+")
#: A line that is only -, * or _ is a rule, not lists; otherwise count the markers it opens.
_CONTAINERS = re.compile(
    r"^(?![ \t]*[-*_][-*_ \t]*$)(?:[ \t]{0,3}(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))"
    + f"{{{MAX_CONTAINERS + 1},}}",
    re.MULTILINE,
)

LIST_ITEM_RE = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)]) +\S")
_THEMATIC_BREAK_RE = re.compile(r"^ {0,3}([-*_])(?: *\1){2,} *$")


def is_list_item(line: str) -> bool:
    """True for a Markdown list item line ("- x", "* x", "+ x", "3. x", "3) x")."""
    return bool(LIST_ITEM_RE.match(line)) and not _THEMATIC_BREAK_RE.match(line)


class TooComplex(ServiceError):
    """The text would take too long to show; its message says why, in the writer's terms."""


def _depth(html: str) -> int:
    """How deeply the elements of `html` nest (unclosed raw tags count as open)."""
    if html.count("<") <= MAX_DEPTH:
        return 0  # cannot nest deeper than it has tags
    depth = deepest = 0
    void = _VOID
    for closing, name in _TAG.findall(html):
        if closing:
            if depth:
                depth -= 1
        elif name not in void:
            depth += 1
            if depth > deepest:
                deepest = depth
    return deepest


def _raw(text: str) -> str:
    """cmark-gfm's HTML, checked against the bounds before anything else sees it."""
    runs = len(_DELIMITER_RUN.findall(text))
    if runs > MAX_DELIMITER_RUNS:
        raise TooComplex(
            _(
                "It has %(runs)s runs of *, _ or ~ (at most %(limit)s): use fewer emphasis "
                "marks, or put code and identifiers between backticks.",
                runs=f"{runs:,}",
                limit=f"{MAX_DELIMITER_RUNS:,}",
            )
        )
    if _CONTAINERS.search(text):
        raise TooComplex(
            _(
                "Lists and quotes are nested too deeply on one line (at most %(limit)s "
                "levels): simplify the nesting.",
                limit=MAX_CONTAINERS,
            )
        )
    pipes = text.count("|")
    if pipes > MAX_CELLS:
        raise TooComplex(
            _(
                "It has %(pipes)s “|” (table cell separators; at most %(limit)s): split its "
                "tables.",
                pipes=f"{pipes:,}",
                limit=f"{MAX_CELLS:,}",
            )
        )
    html = cmarkgfm.markdown_to_html_with_extensions(text, OPTIONS, EXTENSIONS)
    if len(html) > MAX_HTML:
        raise TooComplex(
            _(
                "This text would make a page of %(size)s characters (at most %(limit)s): "
                "shorten it or split it in two.",
                size=f"{len(html):,}",
                limit=f"{MAX_HTML:,}",
            )
        )
    cells = len(_CELL.findall(html))
    if cells > MAX_CELLS:
        raise TooComplex(
            _(
                "Its tables have %(cells)s cells (at most %(limit)s): split them.",
                cells=f"{cells:,}",
                limit=f"{MAX_CELLS:,}",
            )
        )
    depth = _depth(html)
    if depth > MAX_DEPTH:
        raise TooComplex(
            _(
                "Lists, quotes, emphasis, links or HTML tags are nested %(depth)s levels deep "
                "(at most %(limit)s): simplify the nesting.",
                depth=depth,
                limit=MAX_DEPTH,
            )
        )
    return html


@lru_cache(maxsize=64)  # the check and the write that follows it; HTML can be large
def _render(text: str) -> Markup:
    clean = nh3.clean(
        _raw(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def render(text: str | None) -> Markup:
    """Render Markdown written by a person into HTML that is safe to put on a page.

    Raises TooComplex for text `check` refuses; forms call `check` first, so people see why.
    """
    if not text:
        return Markup("")
    return _render(text)


def check(text: str | None) -> str | None:
    """Why this text cannot be stored as Markdown, or None when it can.

    Rendering is the check (it is linear and bounded); the result is kept, so the write that
    follows does not render the same text again.
    """
    try:
        render(text)
    except TooComplex as error:
        return str(error)
    return None


def render_or_plain(text: str | None) -> Markup:
    """For text stored before the bounds (the migration): shown as plain text if refused."""
    try:
        return render(text)
    except TooComplex:
        return Markup("<pre>%s</pre>") % escape(text)


# ---- @mentions -------------------------------------------------------------------------------

#: A mention as written: "@[Name]" (what the suggestions insert). In the sanitised HTML the
#: name is already escaped text.
MENTION = re.compile(r"@\[([^\[\]<>\n]{1,120})\]")
_PART = re.compile(r"(<[^>]*>)")
_LITERAL = frozenset({"a", "code", "pre"})  # a mention is not looked for inside these


def mark_mentions(html: str, names: set[str]) -> Markup:
    """Sanitised HTML with each "@[Name]" whose name (case-folded) is in `names` shown as a
    mention. Only text between tags is touched (not code, not links), and the result is
    sanitised again with that one element allowed: a person's own <span> was removed by the
    first pass, so a mention cannot be forged in the text."""
    if not names:
        return Markup(html)  # noqa: S704 - already sanitised by render()
    out, literal, found = [], 0, False
    for part in _PART.split(html):
        if part.startswith("<"):
            name = part[1:].lstrip("/").split(None, 1)[0].rstrip("/>").lower() if part[1:] else ""
            if name in _LITERAL:
                literal += -1 if part.startswith("</") else 1
            out.append(part)
            continue
        if literal > 0:
            out.append(part)
            continue

        def wrap(match: re.Match) -> str:
            nonlocal found
            from html import unescape

            if unescape(match.group(1)).strip().casefold() not in names:
                return match.group(0)
            found = True
            return f'<span class="mention">@{match.group(1)}</span>'

        out.append(MENTION.sub(wrap, part))
    if not found:
        return Markup(html)  # noqa: S704 - already sanitised by render()
    clean = nh3.clean(
        "".join(out),
        tags=ALLOWED_TAGS | {"span"},
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"span": {"mention"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def mentions_of(obj: Any, html: Markup) -> Markup:
    """A `finish` for `rendered`: the mentions its service resolved (`obj.mentioned`, the
    case-folded names of people who may see where it was written) shown as mentions."""
    names = getattr(obj, "mentioned", None)
    return mark_mentions(str(html), set(names)) if names else html


class Renderable:
    """WTForms validator: refuse, next to the field, Markdown that `check` refuses."""

    def __call__(self, form, field) -> None:
        if field.errors:  # already refused (too long): not worth rendering
            return
        problem = check(field.data)
        if problem:
            raise ValidationError(problem)


# ---- stored HTML --------------------------------------------------------------------------


class StoredHTML(TypeDecorator):
    """HTML written by `render`; read back as Markup, so a template prints it as it is."""

    impl = Text
    cache_ok = True

    def process_result_value(self, value: str | None, dialect) -> Markup | None:
        return None if value is None else Markup(value)  # noqa: S704 - rendered by render()


class EncryptedHTML(EncryptedText):
    """Rendered confidential text: encrypted at rest like its source."""

    cache_ok = True

    def process_result_value(self, value: bytes | None, dialect) -> Markup | None:
        plain = super().process_result_value(value, dialect)
        return None if plain is None else Markup(plain)  # noqa: S704 - rendered by render()


Prepare = Callable[[Any, str], str]
Finish = Callable[[Any, Markup], Markup]


def rendered(
    source: str,
    *,
    encrypted: bool = False,
    prepare: Prepare | None = None,
    finish: Finish | None = None,
) -> Any:
    """A column holding the attribute `source` rendered; the flush listener keeps it in step.

    `prepare(obj, text)` turns the source into the Markdown to render (a paper's heading gets
    one more "#"); it sees the whole object, since it runs at flush time. `finish(obj, html)`
    works on the sanitised HTML (`mentions_of` shows the resolved @mentions).
    """
    return mapped_column(
        EncryptedHTML if encrypted else StoredHTML,
        nullable=True,
        info={"rendered_from": source, "prepare": prepare, "finish": finish},
    )


@cache
def _rendered_columns(cls: type) -> tuple[tuple[str, str, Prepare | None, Finish | None], ...]:
    mapper = inspect(cls)
    found = []
    for attr in mapper.column_attrs:
        info = attr.columns[0].info
        if "rendered_from" in info:
            found.append((info["rendered_from"], attr.key, info["prepare"], info.get("finish")))
    return tuple(found)


def refresh(obj: Any) -> None:
    """Render the sources of `obj` that changed (or were never rendered) into their columns."""
    columns = _rendered_columns(type(obj))
    if not columns:
        return
    state = inspect(obj)
    for source, html, prepare, finish in columns:
        history = state.attrs[source].history
        fresh = state.pending or state.transient or history.has_changes()
        if not fresh and (getattr(obj, html) is not None or getattr(obj, source) is None):
            continue
        text = getattr(obj, source)
        if text is None:
            setattr(obj, html, None)
            continue
        out = render(prepare(obj, text) if prepare else text)
        setattr(obj, html, finish(obj, out) if finish else out)


@event.listens_for(Session, "before_flush")
def _render_before_flush(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        refresh(obj)


__all__ = [
    "MAX_DEPTH",
    "Renderable",
    "TooComplex",
    "check",
    "render",
    "render_or_plain",
    "rendered",
]
