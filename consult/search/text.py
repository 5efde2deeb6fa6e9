"""Words for the search index and for queries, in English, French and Spanish.

Text is cut into words (letters and digits), each word stemmed with the Snowball stemmer of
the text's language and then folded (lower case, no diacritics), so "exportations" and
"exportación" meet their stems, and the same terms serve FTS5 and PostgreSQL alike. A query
does not say its language: each of its words matches any of its three stems. Confidential text
is indexed as keyed hashes of its terms (`seal`), made with a key derived from the content key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache

import snowballstemmer
from markupsafe import Markup, escape

LANGUAGES = {"en": "english", "fr": "french", "es": "spanish"}
#: Words of the index are at most this long (longer runs are not words anyone searches for).
MAX_WORD = 40
WORD = re.compile(r"[^\W_]+", re.UNICODE)

_STOPWORDS = {
    "en": frozenset(
        {
            "the",
            "and",
            "of",
            "to",
            "in",
            "is",
            "that",
            "for",
            "on",
            "with",
            "as",
            "are",
            "be",
            "by",
            "this",
            "it",
            "or",
            "which",
            "from",
        }
    ),
    "fr": frozenset(
        {
            "le",
            "la",
            "les",
            "des",
            "et",
            "du",
            "un",
            "une",
            "est",
            "que",
            "pour",
            "dans",
            "sur",
            "au",
            "aux",
            "par",
            "qui",
            "ne",
            "pas",
        }
    ),
    "es": frozenset(
        {
            "el",
            "la",
            "los",
            "las",
            "del",
            "y",
            "en",
            "que",
            "por",
            "para",
            "con",
            "una",
            "un",
            "se",
            "es",
            "al",
            "lo",
            "como",
            "su",
        }
    ),
}


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(LANGUAGES.get(language, "english"))


def fold(word: str) -> str:
    """Lower case without diacritics ("Éxportación" -> "exportacion")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of a text, in order (NFC first, so composed and decomposed letters agree)."""
    return [w for w in WORD.findall(unicodedata.normalize("NFC", text)) if len(w) <= MAX_WORD]


def stem(word: str, language: str) -> str:
    """One word's index term in a language."""
    return _stem(word.lower(), language)


@lru_cache(maxsize=100_000)
def _stem(word: str, language: str) -> str:
    # Snowball in pure Python costs a fraction of a millisecond a word; words repeat (a
    # language's common words most of all), so remembering them makes indexing and snippets
    # many times faster.
    return fold(_stemmer(language).stemWord(word))


def guess_language(text: str, default: str = "en") -> str:
    """en, fr or es, by which language's common words the text uses most (default on a tie)."""
    counts = {language: 0 for language in LANGUAGES}
    for word in words(text[:4000]):
        low = word.lower()
        for language, stop in _STOPWORDS.items():
            if low in stop:
                counts[language] += 1
    best = max(counts.values())
    if best == 0 or counts.get(default, 0) == best:
        return default if default in LANGUAGES else "en"
    return max(counts, key=counts.get)


def terms(text: str, language: str) -> list[str]:
    """The index terms of a text."""
    return [stem(w, language) for w in words(text)]


def seal(term: str, key: bytes) -> str:
    """A keyed hash standing for a confidential term in the index ("h" and 20 hex digits)."""
    return "h" + hmac.new(key, term.encode(), hashlib.sha256).hexdigest()[:20]


def query_variants(word: str) -> set[str]:
    """The terms a query word matches: its stem in each language."""
    return {stem(word, language) for language in LANGUAGES}


# ---- snippets ----------------------------------------------------------------------------


def highlight(text: str, wanted: set[str], language: str, *, window: int = 30) -> Markup:
    """An escaped excerpt of `text` around its first matching word, every match in <mark>.

    Matching compares the word's term in the text's language with the query's terms, the
    comparison the index made. Short texts are shown whole; the cut is said with "…".
    """
    spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
    hits = [i for i, (a, b) in enumerate(spans) if stem(text[a:b], language) in wanted]
    if len(spans) <= window:
        first, last = 0, len(spans)
    else:
        centre = hits[0] if hits else 0
        first = max(0, centre - window // 3)
        last = min(len(spans), first + window)
    if not spans:
        return escape(text[:300])
    start = 0 if first == 0 else spans[first][0]
    end = len(text) if last == len(spans) else spans[last - 1][1]
    marked = set(hits)
    out: list[str] = ["… " if first > 0 else ""]
    cursor = start
    for i in range(first, last):
        a, b = spans[i]
        out.append(str(escape(text[cursor:a])))
        piece = str(escape(text[a:b]))
        out.append(f"<mark>{piece}</mark>" if i in marked else piece)
        cursor = b
    out.append(str(escape(text[cursor:end])))
    if last < len(spans):
        out.append(" …")
    return Markup("".join(out))  # noqa: S704 - every piece of the text was escaped above


def plain(markdown: str | None) -> str:
    """Markdown as the text a reader sees, near enough for snippets: links keep their words,
    markup characters go, whitespace is one space."""
    if not markdown:
        return ""
    # Bounded and without "[" inside: linear on any text (18,000 brackets included).
    text = re.sub(r"!?\[([^\[\]]{0,500})\]\([^()\s]{0,2000}\)", r"\1", markdown)
    text = re.sub(r"<[^>]{0,200}>", " ", text)
    text = re.sub(r"[*_`#>|~]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def join(parts: Iterable[str | None]) -> str:
    return "\n".join(p for p in parts if p)
