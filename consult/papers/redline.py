"""Word-level differences between two versions of a paragraph, and how alike two texts are.

Delegations read a new revision against the old one as a redline (struck and underlined words),
which is how amendments are shown in treaty negotiations; and comments follow their paragraph
into the next revision by similarity. Pure functions, no database.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from markupsafe import Markup, escape

__all__ = ["redline_html", "similarity", "tokens", "word_diff"]

# Words, runs of whitespace, and single other characters: joining the tokens gives the text back.
_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")
_WORD_RE = re.compile(r"\w+")
PREFILTER = 0.3


def tokens(text: str) -> list[str]:
    """Split text into word, whitespace and punctuation tokens ("".join gives text back)."""
    return _TOKEN_RE.findall(text)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The changes from old to new as ("equal" | "delete" | "insert", text) runs.

    Joining the "equal" and "delete" texts gives old; "equal" and "insert" gives new. Within a
    changed stretch all deletions come before all insertions, and a lone space between two
    changed words is folded into the change, so a reworded phrase reads as one struck phrase
    followed by one inserted phrase rather than alternating word by word.
    """
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    raw: list[tuple[str, str, str]] = []  # (op, old text, new text)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        raw.append((tag, "".join(a[i1:i2]), "".join(b[j1:j2])))

    # Fold whitespace-only equal runs that sit between two changes into the change.
    folded: list[tuple[str, str, str]] = []
    for index, (tag, old_text, new_text) in enumerate(raw):
        between_changes = 0 < index < len(raw) - 1
        if tag == "equal" and between_changes and not old_text.strip():
            tag = "replace"
        folded.append((tag, old_text, new_text))

    result: list[tuple[str, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            result.append(("delete", "".join(deleted)))
            deleted.clear()
        if inserted:
            result.append(("insert", "".join(inserted)))
            inserted.clear()

    for tag, old_text, new_text in folded:
        if tag == "equal":
            flush()
            if result and result[-1][0] == "equal":
                result[-1] = ("equal", result[-1][1] + old_text)
            else:
                result.append(("equal", old_text))
            continue
        if old_text:
            deleted.append(old_text)
        if new_text:
            inserted.append(new_text)
    flush()
    return result


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
