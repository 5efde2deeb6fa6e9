"""Word-level differences between two versions of a paragraph, and how alike two texts are.

Delegations read a new revision against the old one as a redline (struck and underlined words),
which is how amendments are shown in treaty negotiations; and comments follow their paragraph
into the next revision by similarity. Pure functions, no database.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import TypeVar

from flask_babel import gettext as _
from markupsafe import Markup, escape

__all__ = ["diff_runs", "redline_html", "rendered_redline", "similarity", "tokens", "word_diff"]

# Words, runs of whitespace, and single other characters: joining the tokens gives the text back.
_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")
_WORD_RE = re.compile(r"\w+")
PREFILTER = 0.3
T = TypeVar("T")


def tokens(text: str) -> list[str]:
    """Split text into word, whitespace and punctuation tokens ("".join gives text back)."""
    return _TOKEN_RE.findall(text)


def diff_runs(
    a: Sequence[T],
    b: Sequence[T],
    key: Callable[[T], Hashable],
    is_space: Callable[[T], bool],
) -> list[tuple[str, list[T], list[T]]]:
    """The changes from a to b as ("equal" | "delete" | "insert", tokens, old tokens) runs.

    Equal runs carry b's tokens (the new formatting) and a's that match them one for one;
    deletions a's tokens, insertions b's (and no old tokens). Within a changed stretch
    all deletions come before all insertions, and a run of spaces between two changes is
    folded into the change, so a reworded phrase reads as one struck phrase followed by one
    inserted phrase rather than alternating word by word.
    """
    matcher = difflib.SequenceMatcher(None, [key(t) for t in a], [key(t) for t in b], False)
    raw = [(tag, list(a[i1:i2]), list(b[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    result: list[tuple[str, list[T], list[T]]] = []
    deleted: list[T] = []
    inserted: list[T] = []

    def flush() -> None:
        if deleted:
            result.append(("delete", deleted.copy(), []))
            deleted.clear()
        if inserted:
            result.append(("insert", inserted.copy(), []))
            inserted.clear()

    for index, (tag, old_part, new_part) in enumerate(raw):
        between_changes = 0 < index < len(raw) - 1
        if tag == "equal" and not (between_changes and all(map(is_space, new_part))):
            flush()
            if result and result[-1][0] == "equal":
                result[-1][1].extend(new_part)
                result[-1][2].extend(old_part)
            else:
                result.append(("equal", new_part, old_part))
            continue
        deleted.extend(old_part)
        inserted.extend(new_part)
    flush()
    return result


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The changes from old to new as ("equal" | "delete" | "insert", text) runs.

    Joining the "equal" and "delete" texts gives old; "equal" and "insert" gives new (see
    `diff_runs` for how changed stretches are grouped).
    """
    runs = diff_runs(tokens(old), tokens(new), key=str, is_space=lambda t: not t.strip())
    return [(op, "".join(parts)) for op, parts, _old in runs]


def redline_html(old: str, new: str) -> Markup:
    """The new text with removed words in <del> and added words in <ins>, all text escaped."""
    parts: list[str] = []
    for op, text in word_diff(old, new):
        if op == "equal":
            parts.append(str(escape(text)))
        elif op == "delete":
            parts.append(f"<del>{escape(text)}</del>")
        else:
            parts.append(f"<ins>{escape(text)}</ins>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text is escaped above


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[tuple[str, ...], frozenset[tuple[str, int]]]:
    """Lower-cased words of a text, and the same as a set of (word, nth occurrence) pairs.

    The pairs make a multiset a plain set, so its overlap is one C-speed set intersection.
    Cached: matching two revisions compares every text with many others.
    """
    words = tuple(w.casefold() for w in _WORD_RE.findall(text))
    seen: dict[str, int] = {}
    pairs = []
    for word in words:
        seen[word] = seen.get(word, 0) + 1
        pairs.append((word, seen[word]))
    return words, frozenset(pairs)


def similarity(a: str, b: str) -> float:
    """How alike two texts are, from 0 (nothing shared) to 1 (same words in the same order).

    The score is difflib's ratio over lower-cased word tokens. To stay fast when every
    paragraph of one revision is compared with every paragraph of the next, the overlap of the
    two bags of words (Dice coefficient, an upper bound of the ratio) is computed first; when it
    is below 0.3 that cheaper figure is returned instead, so any threshold of 0.3 or more gives
    the same decisions as the full ratio would.
    """
    if a == b:
        return 1.0
    words_a, set_a = _words(a)
    words_b, set_b = _words(b)
    if not words_a or not words_b:
        if words_a or words_b:
            return 0.0
        # No words at all (punctuation, numbers are words): compare characters.
        return difflib.SequenceMatcher(None, a.strip(), b.strip(), autojunk=False).ratio()
    prefilter = 2 * len(set_a & set_b) / (len(set_a) + len(set_b))
    if prefilter < PREFILTER:
        return prefilter
    return difflib.SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


# ---- the redline of rendered text ------------------------------------------------------------

#: Elements that start a new line of text (a paragraph, a list item, a heading, a cell).
_LEAF_BLOCKS = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "td", "th", "pre"})
#: Elements that hold such lines (a list, a quote, a table).
_CONTAINERS = frozenset({"ul", "ol", "blockquote", "dl", "table", "thead", "tbody", "tr"})
_VOIDS = frozenset({"br", "hr"})
#: A strike or underline the writer typed is kept, but as <s>/<u>: in a redline, <del> and
#: <ins> mean only what the revision changed.
_RENAMED = {"del": "s", "ins": "u"}


@dataclass(frozen=True)
class _Token:
    """A word, space or punctuation mark of rendered text, with the elements it sits in."""

    key: Hashable  # what is compared: the text (or the line's kind) and its formatting
    html: str  # escaped text, or a void element; "" for the start of a line
    blocks: tuple[str, ...]  # start tags of the block elements around it
    inline: tuple[str, ...]  # start tags of the inline elements around it (<strong>, <a ...>)
    is_line: bool = False
    is_space: bool = False


def _start_tag(name: str, attrs: list[tuple[str, str | None]]) -> str:
    attributes = "".join(f' {k}="{escape(v or "")}"' for k, v in attrs)
    return f"<{name}{attributes}>"


def _tag_name(start_tag: str) -> str:
    return start_tag[1:].split(">", 1)[0].split(" ", 1)[0]


class _Tokeniser(HTMLParser):
    """Cut sanitised HTML (a stored `*_html` column) into `_Token`s."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[_Token] = []
        self.blocks: list[str] = []
        self.inline: list[str] = []

    def _in_line(self) -> bool:
        return any(_tag_name(tag) in _LEAF_BLOCKS for tag in self.blocks)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = _RENAMED.get(tag, tag)
        if name in _VOIDS:
            html = f"<{name}>"
            self.out.append(_Token((name,), html, tuple(self.blocks), tuple(self.inline)))
        elif name in _LEAF_BLOCKS or name in _CONTAINERS:
            self.inline.clear()  # (sanitised HTML closes inline elements before a block)
            self.blocks.append(_start_tag(name, attrs))
            if name in _LEAF_BLOCKS:
                self.out.append(_Token(("line",), "", tuple(self.blocks), (), is_line=True))
        else:
            self.inline.append(_start_tag(name, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if _RENAMED.get(tag, tag) not in _VOIDS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        name = _RENAMED.get(tag, tag)
        stack = self.blocks if (name in _LEAF_BLOCKS or name in _CONTAINERS) else self.inline
        for index in range(len(stack) - 1, -1, -1):
            if _tag_name(stack[index]) == name:
                del stack[index:]
                break

    def handle_data(self, data: str) -> None:
        inside_pre = any(_tag_name(b) == "pre" for b in self.blocks)
        if not self._in_line():
            if not data.strip():
                return  # the line breaks between list items, table rows ...
            self.blocks.append("<p>")
            self.out.append(_Token(("line",), "", tuple(self.blocks), (), is_line=True))
        blocks, inline = tuple(self.blocks), tuple(self.inline)
        for piece in tokens(data):
            space = not piece.strip()
            compared = piece if (inside_pre or not space) else " "
            self.out.append(
                _Token(("t", compared, inline), str(escape(piece)), blocks, inline, False, space)
            )


@lru_cache(maxsize=2048)
def _html_tokens(html: str) -> tuple[_Token, ...]:
    parser = _Tokeniser()
    parser.feed(html or "")
    parser.close()
    return tuple(parser.out)


#: What a screen reader says around a change (the marks themselves are not announced).
def _labels() -> dict[str, tuple[str, str]]:
    hidden = '<span class="visually-hidden">{}</span>'
    return {
        "delete": (
            "<del>" + hidden.format(escape(_("[deleted: "))),
            hidden.format(escape(_("] "))) + "</del>",
        ),
        "insert": (
            "<ins>" + hidden.format(escape(_("[inserted: "))),
            hidden.format(escape(_("] "))) + "</ins>",
        ),
    }


def rendered_redline(old_html: str | None, new_html: str | None) -> Markup:
    """The redline between two rendered (stored, sanitised) texts, as rendered HTML.

    Headings, lists, emphasis and links stay what they are; removed words are in <del> and
    added words in <ins>, each opened and closed by visually hidden text ("[deleted: ...]",
    "[inserted: ...]") so a screen reader reads the change in order, words not run together.
    A change of formatting alone (a word put in bold) counts as a change of those words; a
    line that only changed its kind (a bulleted item now numbered) is shown as it is now. All
    text is escaped again; only the elements the sanitiser let through are written back.
    """
    runs = diff_runs(
        _html_tokens(str(old_html or "")),
        _html_tokens(str(new_html or "")),
        key=lambda t: t.key,
        is_space=lambda t: t.is_space,
    )
    labels = _labels()
    out: list[str] = []
    open_stack: list[str] = []  # start tags now open; a change's mark is the pseudo-tag op

    def close_to(depth: int) -> None:
        while len(open_stack) > depth:
            tag = open_stack.pop()
            out.append(labels[tag][1] if tag in labels else f"</{_tag_name(tag)}>")

    def open_all(wanted: list[str], keep: int) -> None:
        for tag in wanted[keep:]:
            out.append(labels[tag][0] if tag in labels else tag)
            open_stack.append(tag)

    for op, parts, _old in runs:
        for token in parts:
            wanted = list(token.blocks)
            if not token.is_line:
                if op != "equal":
                    wanted.append(op)
                wanted.extend(token.inline)
            keep = 0
            limit = len(wanted) - 1 if token.is_line else len(wanted)  # a line starts anew
            while keep < min(len(open_stack), limit) and open_stack[keep] == wanted[keep]:
                keep += 1
            close_to(keep)
            open_all(wanted, keep)
            out.append(token.html)
    close_to(0)
    return Markup("".join(out))  # noqa: S704 - text escaped, tags rebuilt from sanitised HTML
