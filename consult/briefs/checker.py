"""The trend-brief checker: what in the chair's draft could identify a delegation, a person or
a case, so that the chair can take it out before the brief leaves the confidential room.

It looks in two ways:

- **By form**, whatever the threads say: case references and file numbers ("DIEF-2026-014",
  "case 14/2026", "file no. 2026/117"), licence, document and serial numbers ("EL-2025/0042",
  "DE-123456", "licence no. 4471") and acronyms ("BAFA") that are not ordinary vocabulary of
  the forum. Need-to-know threads the chair is not on are never read, so this is what catches
  their identifiers.
- **From what the chair may see**: the members' profiles (names, surnames, agencies), the
  delegations and their short codes, and the text of the threads the chair may read: names
  and acronyms of organisations (with their expanded forms "… (BAFA)"), other proper names,
  places (countries by their CLDR names through Babel, ports and cities as proper names),
  dates in common formats, serial-number-like strings and long numbers.

Each flag says what it is and where it came from. The cost is linear in the sizes of the draft
and of the sources: every text is scanned by a fixed set of regular expressions, and names are
looked up word by word in a trie of phrases of at most MAX_PHRASE_WORDS words.
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import NamedTuple

from babel import Locale
from babel.dates import get_day_names, get_month_names
from babel.numbers import list_currencies
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.accounts.models import Delegation, User
from consult.extensions import db
from consult.rooms.models import Membership, Room


class FlagKind(enum.StrEnum):
    """What a flagged string is; the order is the priority where flags cover the same text."""

    CASE_REFERENCE = "case_reference"
    DELEGATION = "delegation"
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    NAME = "name"
    DATE = "date"
    SERIAL = "serial"
    NUMBER = "number"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        return str(FLAG_LABELS[self.value])


FLAG_LABELS = {
    "delegation": _l("Name or short code of a member delegation"),
    "person": _l("Name of a person in the room"),
    "organisation": _l("Name or acronym of an organisation or agency"),
    "place": _l("Place named in a thread"),
    "name": _l("Proper name from a thread (a place, person or organisation)"),
    "case_reference": _l("Case reference or file number"),
    "date": _l("Date of a case, written in a thread"),
    "serial": _l("Serial-number-like string from a thread"),
    "number": _l("Long number from a thread"),
    "document": _l("Licence, document or serial number"),
}
#: When flags cover the same text, the more specific kind wins (a string seen in a thread
#: before the same string recognised by its form alone).
_PRIORITY = {kind: n for n, kind in enumerate(FlagKind)}

MIN_SERIAL = 5
MIN_NUMBER = 6
#: Longer names are not looked up (they would make every lookup longer, not safer).
MAX_PHRASE_WORDS = 12
#: The official languages of the Arms Trade Treaty: thread text may be written in any of them.
DATE_LOCALES = ("en", "fr", "es")

# ---- the vocabulary that is never identifying on its own -----------------------------------


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Function words: dropped from the start and end of a run of capitalised words.
_STOPWORDS = _wordset(
    """a an the and or nor of for in on at to from by with via into onto over under between
    among within without after before during since until through across per as this that these
    those it its we our us they their them he she his her i you your one two three all any some
    each every no not also both but if then than there here when where which who whom whose
    what while however moreover furthermore meanwhile overall finally first second third last
    next further according following regarding several many most more other such same"""
)
#: Words that may join capitalised words into one name ("Office for … and … Control").
_CONNECTORS = _wordset("of for and the de du des la le del da di van von der al el y et")
#: The forum's ordinary vocabulary: treaty terms, trend language and generic institutions.
#: A name made only of these words, or an acronym among them, is not flagged.
ORDINARY_WORDS = _wordset(
    """att arms trade treaty state states party parties signatory signatories conference csp
    wgeti wgtu wgtr vtf dief forum diversion information exchange working group groups
    secretariat chair chairs chairperson president vice facilitator facilitators article
    articles annex annexes paragraph un united nations unoda unidir unroca unsc unodc tlp red
    amber strict green clear member members delegation delegations delegate delegates government
    governments national international regional country countries customs police ministry
    ministries office offices agency agencies authority authorities department directorate
    service services bureau border borders control controls export exports exporter exporters
    import imports importer importers licensing licence license licences licenses end user
    users certificate certificates eu euc euv salw manpads small light weapons weapon
    ammunition munitions conventional register brokers broker brokering transit transhipment
    transshipment port ports airport airports harbour harbor free zone zones region regions
    north south east west northern southern eastern western central middle interpol wco osce
    ecowas au sadc caricom oas nato ngo ngos utc gmt cet pdf faq aob ii iii iv v vi vii viii ix
    x xi xii report reports summary lessons trends trend risk risks indicators guide practice
    practices annual initial voluntary"""
)


@cache
def _calendar_words() -> frozenset[str]:
    """Month and weekday names in the forum's languages: never identifying on their own."""
    words: set[str] = set()
    for locale in _locales():
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for names in (
                    get_month_names(width, context, locale),
                    get_day_names(width, context, locale),
                ):
                    words.update(n.casefold().rstrip(".") for n in names.values())
    return frozenset(words)


@cache
def _region_words() -> frozenset[str]:
    """Words of CLDR's region names ("Western Africa", "Latin America"): trend language."""
    words: set[str] = set()
    for locale in _locales():
        for code, name in Locale.parse(locale).territories.items():
            if code.isdigit():
                words.update(w.casefold() for w in _WORD.findall(name))
    return frozenset(words)


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def _locales() -> tuple[str, ...]:
    configured = current_app.config.get("LANGUAGES", ["en"]) if current_app else ["en"]
    return tuple(dict.fromkeys((*DATE_LOCALES, *configured)))


def is_ordinary(word: str) -> bool:
    """A word (or acronym) that on its own identifies nobody."""
    folded = word.casefold()
    return (
        folded in ORDINARY_WORDS
        or folded in _STOPWORDS
        or folded in _calendar_words()
        or folded in _region_words()
        or word in _currencies()
    )


# ---- patterns ----------------------------------------------------------------------------

#: Words for names: letters, with inner hyphens or apostrophes ("Jean-Luc", "O'Brien").
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
#: Lookup tokens: runs of letters or digits.
_TOKEN_WORD = re.compile(r"[^\W_]+")
#: Identifiers: letters and digits joined by - / . _ ("AK-47-X9912", "EL-2025/0042").
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:[-/._][A-Za-z0-9]+)*(?![A-Za-z0-9])")
#: A short capitalised prefix before a number ("SN 4458821").
_PREFIXED = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,4})\.?[ \u00a0]?\d{5,}(?![A-Za-z0-9])")
_DIGITS = re.compile(r"\d(?:[,.'\u00a0]?\d)*")
_DIGIT_RUN = re.compile(r"\d+")
_ACRONYM = re.compile(r"(?<![\w&.-])[A-Z](?:[A-Z]|&(?=[A-Z])){1,9}(?![\w&-])")
#: After an acronym, a number makes it the prefix of an identifier ("SN 4458821", "EL 2025").
_NUMBER_AFTER = re.compile(r"[ \u00a0]?[-./]?[ \u00a0]?\d")
_BRACKETED = re.compile(r"[ \u00a0]*\(([A-Z][A-Z&]{1,9})\)")
#: Where a sentence (or a list item, a heading) begins: its first word may be capitalised
#: without being a name.
_SENTENCE_BREAK = re.compile(r"[.!?;:]|\n[ \t]*\n|\n[ \t]*(?:[-*+>#]|\d+[.)])")
#: Between the words of one name: spaces, one line break, "&" ("Jebel Ali", "Smith & Co").
_RUN_GAP = re.compile(r"[ \t\u00a0]*\n?[ \t\u00a0]*&?[ \t\u00a0]*")
#: Between the tokens of a phrase looked up in a brief: also a hyphen, slash, dot, apostrophe.
_JOIN = re.compile(r"[ \t\u00a0]*\n?[ \t\u00a0]*[-/.'’&]?[ \t\u00a0]*")
_PLACE_BEFORE = _wordset("in at via through from to into near off")
_ORGANISATION_WORDS = _wordset(
    """office ministry agency authority customs police directorate bureau department service
    company corporation ltd llc gmbh inc sa sarl bv plc trading logistics shipping group
    holdings industries enterprises council commission committee institute"""
)
_PLACE_WORDS = _wordset("port harbour harbor airport city province island islands bay gulf strait")

_ID = r"(?P<id>[A-Za-z0-9](?:[A-Za-z0-9]|[-/._](?=[A-Za-z0-9]))*)"
_NUMBER_WORD = r"(?:(?:no|nr|num|number)\b\.?[ \u00a0]*|#[ \u00a0]*)?:?[ \u00a0]*"
#: "DIEF-2026-014", "ATT/2026/14": letters, a year and a number.
_CASE_FORM = re.compile(
    r"(?<![A-Za-z0-9/-])[A-Z]{2,10}[-/ ]?(?:19|20)\d\d[-/.]\d{1,6}(?![A-Za-z0-9]|[-/]\d)"
)
#: "case 14/2026", "file no. 2026/117", "ref. DIEF/14".
_CASE_KEYWORD = re.compile(
    r"(?i:\b(?:case|file|dossier|docket|ref|our[ \u00a0]ref|your[ \u00a0]ref)\b\.?)[ \u00a0]*"
    + _NUMBER_WORD
    + _ID
)
#: "licence no. 4471", "permit EL-2025/0042", "container MSCU1234567".
_DOCUMENT_KEYWORD = re.compile(
    r"(?i:\b(?:licen[cs]e|permit|authori[sz]ation|certificate|euc|serial|invoice|contract|"
    r"container|shipment|consignment|lot|bill[ \u00a0]of[ \u00a0]lading|waybill|awb)\b\.?)"
    r"[ \u00a0]*" + _NUMBER_WORD + _ID
)
_YEAR = re.compile(r"(?:19|20)\d\d")
#: Letters and digits that are trend language, not identifiers: calibres, units, decades,
#: quarters, public document symbols and standards.
_ORDINARY_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)?[x×]\d+(?:mm|r|sr)?"
    r"|\d+(?:[.,]\d+)?(?:mm|cm|km|kg|t|m|s|th|st|nd|rd|bn|m)"
    r"|(?:19|20)\d0s"
    r"|(?:q[1-4]|h[12])[-/]?(?:19|20)\d\d|(?:19|20)\d\d[-/]?(?:q[1-4]|h[12])"
    r"|(?:att|a|s)/.*"
    r"|(?:iso|en|iec)[-/]?\d+(?:[-/:]\d+)*",
    re.IGNORECASE,
)


@cache
def _month_numbers() -> dict[str, int]:
    """Month names, wide and abbreviated, in the forum's languages -> 1..12."""
    months: dict[str, int] = {}
    for locale in _locales():
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    months.setdefault(name.casefold().rstrip("."), number)
    return months


# A word where a month name may stand (checked against the names above: one generic word
# instead of an alternation of every name keeps each regular expression cheap).
_M = r"(?P<m>[^\W\d_]{3,12})\.?"
_D = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º)?\.?"
_Y = r"(?P<y>(?:19|20)\d\d)"
_S = r"[ \u00a0]+"
_L, _R = r"(?<![\d/.-])", r"(?![\d/-]|\.\d)"  # not inside a longer number (a full stop may end it)
_DATE_PATTERNS = [
    (re.compile(rf"(?<!\w){_D}{_S}(?:de{_S})?{_M},?{_S}(?:de{_S})?{_Y}(?!\d)"), "dmy"),
    (re.compile(rf"(?<!\w){_M}{_S}{_D},?{_S}{_Y}(?!\d)"), "dmy"),
    (re.compile(rf"(?<!\w){_D}{_S}(?:de{_S})?{_M}(?!\w)"), "dm"),
    (re.compile(rf"(?<!\w){_M}{_S}{_D}(?![\w/.-]|,?{_S}\d)"), "dm"),
    (re.compile(rf"(?<!\w){_M},?{_S}(?:(?:de|of){_S})?{_Y}(?!\d)"), "my"),
    (re.compile(rf"{_L}{_Y}-(?P<m>[01]?\d)-(?P<d>[0-3]?\d){_R}"), "iso"),
    (re.compile(rf"{_L}(?P<a>[0-3]?\d)([./-])(?P<b>[0-3]?\d)\2{_Y}{_R}"), "numeric"),
]  # fmt: skip


@dataclass(frozen=True)
class _Date:
    """A date as written: its possible readings (12/03/2026 is 12 March or 3 December)."""

    start: int
    end: int
    days: frozenset[tuple[int, int, int]] = frozenset()  # (year, month, day)
    months: frozenset[tuple[int, int]] = frozenset()  # (year, month) of a date without a day
    month_days: frozenset[tuple[int, int]] = frozenset()  # (month, day) of a date without year


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _dates(text: str) -> list[_Date]:
    """The dates written in `text`: 12 March 2026, March 12, 2026, 12/03/2026, 2026-03-12,
    March 2026, 12 March (and the same in French and Spanish)."""
    months = _month_numbers()
    found: list[_Date] = []
    for pattern, form in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            if form == "numeric":
                a, b, y = int(groups["a"]), int(groups["b"]), int(groups["y"])
                days = {(y, mo, d) for d, mo in ((a, b), (b, a)) if _valid(y, mo, d)}
                if days:
                    found.append(_Date(m.start(), m.end(), days=frozenset(days)))
                continue
            month = int(groups["m"]) if form == "iso" else months.get(groups["m"].casefold())
            if not month:
                continue
            if form == "my":
                months_ = frozenset({(int(groups["y"]), month)})
                found.append(_Date(m.start(), m.end(), months=months_))
            elif form == "dm":
                if _valid(2000, month, int(groups["d"])):  # a leap year: 29 February exists
                    month_days = frozenset({(month, int(groups["d"]))})
                    found.append(_Date(m.start(), m.end(), month_days=month_days))
            elif _valid(int(groups["y"]), month, int(groups["d"])):
                days = frozenset({(int(groups["y"]), month, int(groups["d"]))})
                found.append(_Date(m.start(), m.end(), days=days))
    return found


# ---- flags ---------------------------------------------------------------------------------


def flag_key(kind: str, text: str) -> str:
    """A stable key for a flagged string, for the confirmation checkboxes."""
    return hashlib.sha256(f"{kind}\x00{text.casefold()}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Flag:
    """A string in the brief that may identify a delegation, a person or a case."""

    kind: FlagKind
    text: str
    #: The lines of the brief where it occurs (1-based).
    where: tuple[int, ...] = field(default=())
    #: Where the checker found it: a thread, a profile, or its form alone.
    source: str = ""

    @property
    def key(self) -> str:
        return flag_key(self.kind.value, self.text)

    @property
    def label(self) -> str:
        return self.kind.label


class _Case(enum.Enum):
    ANY = "any"  # names of people and delegations, multi-word names
    CAPITAL = "capital"  # single proper words, countries: only when written with a capital
    EXACT = "exact"  # acronyms and short codes: only as written ("US", not "us")


@dataclass(frozen=True)
class _Term:
    kind: FlagKind
    words: tuple[str, ...]
    case: _Case
    source: str


class _Trie:
    """Phrases as sequences of casefolded tokens; a lookup walks at most MAX_PHRASE_WORDS."""

    def __init__(self) -> None:
        self.root: dict = {}

    def add(self, phrase: str, kind: FlagKind, case: _Case, source: str) -> None:
        words = tuple(_TOKEN_WORD.findall(phrase))
        if not words or len(words) > MAX_PHRASE_WORDS:
            return
        node = self.root
        for word in words:
            node = node.setdefault(word.casefold(), {})
        if None not in node:  # the first source of a phrase wins: the most specific is added first
            node[None] = _Term(kind, words, case, source)

    def matches(self, tokens: list[tuple[str, int, int]], text: str):
        """(start, end, term) of the longest phrase starting at each token, if any."""
        for i in range(len(tokens)):
            node, best = self.root, None
            for j in range(i, min(i + MAX_PHRASE_WORDS, len(tokens))):
                if j > i and not _JOIN.fullmatch(text, tokens[j - 1][2], tokens[j][1]):
                    break
                node = node.get(tokens[j][0].casefold())
                if node is None:
                    break
                term = node.get(None)
                if term is not None and _written_as(term, tokens[i : j + 1]):
                    best = (tokens[i][1], tokens[j][2], term)
            if best:
                yield best


def _written_as(term: _Term, tokens: list[tuple[str, int, int]]) -> bool:
    if term.case is _Case.EXACT:
        return tuple(t[0] for t in tokens) == term.words
    if term.case is _Case.CAPITAL:
        return tokens[0][0][:1].isupper()
    return True


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_WORD.finditer(text)]


_NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO"})


@cache
def _country_trie() -> _Trie:
    """Country and territory names in the forum's languages (CLDR, through Babel)."""
    trie = _Trie()
    for locale in _locales():
        for code, name in Locale.parse(locale).territories.items():
            country = len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
            if country and (not code.startswith("X") or code == "XK"):  # X*: pseudo-locales
                trie.add(name, FlagKind.PLACE, _Case.CAPITAL, "")
    return trie


# ---- what the chair may see ----------------------------------------------------------------


@dataclass
class Sources:
    """What the checker looks for, read from the room in memory only (never stored)."""

    names: _Trie = field(default_factory=_Trie)
    #: Normalised identifiers (letters and digits, upper case) -> where they were seen.
    serials: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    case_references: dict[str, str] = field(default_factory=dict)
    days: dict[tuple[int, int, int], str] = field(default_factory=dict)
    months: dict[tuple[int, int], str] = field(default_factory=dict)
    month_days: dict[tuple[int, int], str] = field(default_factory=dict)

    def harvest(self, text: str, source: str) -> None:
        """Collect from one text (a post, a title, a profile) what a brief must not repeat."""
        if not text:
            return
        self._identifiers(text, source)
        for start, end, _term in _country_trie().matches(_tokens(text), text):
            self.names.add(text[start:end], FlagKind.PLACE, _Case.CAPITAL, source)
        self._names(text, source)
        self._acronyms(text, source)
        for found in _dates(text):
            for day in found.days:
                self.days.setdefault(day, source)
                self.months.setdefault(day[:2], source)
                self.month_days.setdefault(day[1:], source)
            for month in found.months:
                self.months.setdefault(month, source)
            for month_day in found.month_days:
                self.month_days.setdefault(month_day, source)

    def _identifiers(self, text: str, source: str) -> None:
        for match in (*_TOKEN.finditer(text), *_PREFIXED.finditer(text)):
            if _is_serial(match.group()) and not _ORDINARY_TOKEN.fullmatch(match.group()):
                self.serials.setdefault(_alnum(match.group()), source)
        for match in _DIGITS.finditer(text):
            digits = _digits(match.group())
            if len(digits) >= MIN_NUMBER:
                self.numbers.setdefault(digits, source)

    def _acronyms(self, text: str, source: str) -> None:
        for match in _ACRONYM.finditer(text):
            if not _NUMBER_AFTER.match(text, match.end()) and not is_ordinary(match.group()):
                self.names.add(match.group(), FlagKind.ORGANISATION, _Case.EXACT, source)

    def _names(self, text: str, source: str) -> None:
        """Runs of capitalised words: each proper word, the whole run, and "Run (ACRONYM)"."""
        run: list[re.Match] = []
        initial, before = True, ("", "")
        last: tuple[str, str] = ("", "")  # the two words before the current one
        previous_end = 0
        for match in _WORD.finditer(text):
            word = match.group()
            if _in_identifier(text, match.start(), match.end()):  # "AK" of "AK-47"
                self._run(run, text, source, initial, before)
                run, last, previous_end = [], (last[1], word.casefold()), match.end()
                continue
            capitalised = word[:1].isupper()
            joined = bool(run) and _RUN_GAP.fullmatch(text, previous_end, match.start())
            if joined and (capitalised or word.casefold() in _CONNECTORS):
                run.append(match)
            else:
                self._run(run, text, source, initial, before)
                run = []
                if capitalised:
                    gap = text[previous_end : match.start()]
                    initial = previous_end == 0 or bool(_SENTENCE_BREAK.search(gap))
                    before = ("", "") if initial else last
                    run = [match]
            last, previous_end = (last[1], word.casefold()), match.end()
        self._run(run, text, source, initial, before)

    def _run(
        self, run: list[re.Match], text: str, source: str, initial: bool, before: tuple[str, str]
    ) -> None:
        while run and run[-1].group().casefold() in _CONNECTORS | _STOPWORDS:
            run = run[:-1]
        lead = 0
        while lead < len(run) and run[lead].group().casefold() in _STOPWORDS:
            lead += 1
        if lead:  # "The Hamburg customs office": the name starts after "The"
            initial = False
            words_before = ["", *(m.group().casefold() for m in run[:lead])]
            before = (words_before[-2], words_before[-1])
            run = run[lead:]
        if not run:
            return
        words = [m.group() for m in run]
        folded = {w.casefold() for w in words}
        bracket = _BRACKETED.match(text, run[-1].end())
        acronym = bracket.group(1) if bracket and not is_ordinary(bracket.group(1)) else None
        if acronym or folded & _ORGANISATION_WORDS:
            kind = FlagKind.ORGANISATION
        elif folded & _PLACE_WORDS or _place_before(before):
            kind = FlagKind.PLACE
        else:
            kind = FlagKind.NAME
        phrase = text[run[0].start() : run[-1].end()]
        proper = [w for w in words if w[:1].isupper() and not is_ordinary(w)]
        if acronym:
            self.names.add(phrase, kind, _Case.ANY, source)  # the expanded form, whatever words
            self.names.add(acronym, kind, _Case.EXACT, source)
        elif proper and sum(w[:1].isupper() for w in words) >= 2:
            self.names.add(phrase, kind, _Case.ANY, source)
        for n, word in enumerate(words):
            if (n or not initial) and word in proper and not word.isupper() and len(word) > 1:
                self.names.add(word, kind, _Case.CAPITAL, source)


def _place_before(before: tuple[str, str]) -> bool:
    """ "at Durban", "via Mombasa", "the port of Klang"."""
    return before[1] in _PLACE_BEFORE or (before[1] == "of" and before[0] in _PLACE_WORDS)


def _in_identifier(text: str, start: int, end: int) -> bool:
    """Letters glued to digits ("AK-47", "EL-2025/0042") are part of an identifier."""
    glued_after = _DIGIT_AFTER.match(text, end)
    return bool(glued_after or _DIGIT_BEFORE.search(text, max(0, start - 2), start))


_DIGIT_AFTER = re.compile(r"[-/._]?\d")
_DIGIT_BEFORE = re.compile(r"\d[-/._]?$")


_NOT_ALNUM = re.compile(r"[\W_]+")
_NOT_DIGIT = re.compile(r"\D+")
_A_DIGIT = re.compile(r"\d")
_A_LETTER = re.compile(r"[^\W\d_]")


def _alnum(text: str) -> str:
    return _NOT_ALNUM.sub("", text).upper()


def _digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def _is_serial(text: str) -> bool:
    norm = _alnum(text)
    return len(norm) >= MIN_SERIAL and bool(_A_DIGIT.search(norm) and _A_LETTER.search(norm))


def _looks_like_document(token: str) -> bool:
    """Letters and digits that read as an identifier: a run of 3+ digits, 4+ digits in all."""
    if _ORDINARY_TOKEN.fullmatch(token) or not any(c.isalpha() for c in token):
        return False
    runs = _DIGIT_RUN.findall(token)
    return sum(map(len, runs)) >= 4 and max(map(len, runs), default=0) >= 3


def _source_thread(title: str) -> str:
    return _("In the thread “%(title)s”", title=title)


def gather(room: Room, user: User) -> Sources:
    """The sources for `user` (the chair): the members' profiles and the threads they may see.

    Profiles and delegations come first: where a thread names the same string, the flag says
    the more specific thing ("Name of a person in the room", not "Proper name")."""
    from consult.threads import services as threads

    sources = Sources()
    people: dict[int, User] = {u.id: u for u in threads.room_members(room)}
    delegations: dict[int, Delegation] = {u.delegation_id: u.delegation for u in people.values()}
    for delegation in db.session.scalars(
        select(Delegation)
        .join(Membership, Membership.delegation_id == Delegation.id)
        .where(Membership.room_id == room.id, Membership.ended_at.is_(None))
    ):
        delegations[delegation.id] = delegation
    visible = [(t, threads.posts_for(t, user)) for t in threads.visible_threads(room, user)]
    for post in (p for _thread, posts in visible for p in posts):  # authors who left since
        people.setdefault(post.author_id, post.author)
        delegations.setdefault(post.delegation_id, post.delegation)
    for delegation in delegations.values():
        _add_delegation(sources, delegation)
    for person in people.values():
        _add_person(sources, person)
    for thread, posts in visible:
        source = _source_thread(thread.title)
        reference = (thread.case_reference or "").strip()
        if reference:
            sources.names.add(reference, FlagKind.CASE_REFERENCE, _Case.ANY, source)
            if len(_alnum(reference)) >= MIN_SERIAL:
                sources.case_references.setdefault(_alnum(reference), source)
        files = [a.filename for found in threads.attachments_of(posts).values() for a in found]
        for text in (thread.title, reference, *(p.body for p in posts), *files):
            sources.harvest(text, source)
    return sources


def _add_delegation(sources: Sources, delegation: Delegation) -> None:
    source = _("A delegation in this room: %(name)s", name=delegation.name)
    sources.names.add(delegation.name, FlagKind.DELEGATION, _Case.ANY, source)
    short = (delegation.short_name or "").strip()
    if len(short) >= 2:
        # Short codes ("US", "FR") only as written, or every "us" would be flagged.
        sources.names.add(short, FlagKind.DELEGATION, _Case.EXACT, source)


def _add_person(sources: Sources, person: User) -> None:
    if not person.name.strip():
        return
    source = _("In the profile of %(name)s", name=person.name)
    sources.names.add(person.name, FlagKind.PERSON, _Case.ANY, source)
    for part in _WORD.findall(person.name):  # a surname alone identifies too
        if len(part) >= 3 and part[:1].isupper() and not is_ordinary(part):
            sources.names.add(part, FlagKind.PERSON, _Case.CAPITAL, source)
    if person.agency.strip():
        sources.names.add(person.agency, FlagKind.ORGANISATION, _Case.ANY, source)
    sources.harvest(person.agency, source)
    sources.harvest(person.title, source)


# ---- the check -----------------------------------------------------------------------------


class _Found(NamedTuple):
    start: int
    end: int
    kind: FlagKind
    source: str
    #: Recognised by its form alone (a string seen in a thread says more, and wins a tie).
    by_form: bool = False


def scan(text: str, sources: Sources) -> list[Flag]:
    """Flag what in `text` could identify a member delegation, a person or a case."""
    found = [
        _Found(start, end, term.kind, term.source)
        for start, end, term in sources.names.matches(_tokens(text), text)
    ]
    found += _identifiers(text, sources)
    found += _dates_in(text, sources)
    found += _by_form(text)
    return _resolve(text, found)


def _identifiers(text: str, sources: Sources) -> Iterator[_Found]:
    for match in (*_TOKEN.finditer(text), *_PREFIXED.finditer(text)):
        norm = _alnum(match.group())
        if len(norm) < MIN_SERIAL:
            continue
        parts = {norm} | {_alnum(p) for p in re.split(r"[-/._ \u00a0]", match.group())}
        for part in sorted(parts, key=len, reverse=True):
            if part in sources.case_references:
                source = sources.case_references[part]
                yield _Found(match.start(), match.end(), FlagKind.CASE_REFERENCE, source)
                break
            if len(part) >= MIN_SERIAL and part in sources.serials:
                yield _Found(match.start(), match.end(), FlagKind.SERIAL, sources.serials[part])
                break
    for match in _DIGITS.finditer(text):
        digits = _digits(match.group())
        if len(digits) >= MIN_NUMBER and digits in sources.numbers:
            yield _Found(match.start(), match.end(), FlagKind.NUMBER, sources.numbers[digits])


def _dates_in(text: str, sources: Sources) -> Iterator[_Found]:
    """Dates of the brief that a thread gives: the same day, or a day or month of the same
    month as a date in a thread (a "12 March" without year matches 12 March of any year)."""
    for found in _dates(text):
        months = (*found.months, *(day[:2] for day in found.days))
        source = (
            _first(sources.days, found.days)
            or _first(sources.months, months)
            or _first(sources.month_days, found.month_days)
        )
        if source:
            yield _Found(found.start, found.end, FlagKind.DATE, source)


def _first(seen: dict, keys) -> str | None:
    return next((seen[k] for k in keys if k in seen), None)


def _by_form(text: str) -> Iterator[_Found]:
    """Identifiers recognised by their form alone, whatever the threads the chair can see."""
    case_form = _("By its form: letters, a year and a number, like a case reference")
    for match in _CASE_FORM.finditer(text):
        yield _Found(match.start(), match.end(), FlagKind.CASE_REFERENCE, case_form, True)
    for pattern, kind, source, minimum in (
        (_CASE_KEYWORD, FlagKind.CASE_REFERENCE, _("By its form: a case or file number"), 2),
        (
            _DOCUMENT_KEYWORD,
            FlagKind.DOCUMENT,
            _("By its form: a licence, permit, certificate or consignment number"),
            3,
        ),
    ):
        for match in pattern.finditer(text):
            ident = match.group("id")
            if (
                any(c.isdigit() for c in ident)
                and len(_alnum(ident)) >= minimum
                and not _YEAR.fullmatch(ident)
                and not _ORDINARY_TOKEN.fullmatch(ident)
            ):
                yield _Found(match.start("id"), match.end("id"), kind, source, True)
    document = _("By its form: letters and digits, like a licence, document or serial number")
    for match in _TOKEN.finditer(text):
        if _looks_like_document(match.group()):
            yield _Found(match.start(), match.end(), FlagKind.DOCUMENT, document, True)
    for match in _PREFIXED.finditer(text):
        if match.group(1) not in _currencies():
            yield _Found(match.start(), match.end(), FlagKind.DOCUMENT, document, True)
    acronym = _("By its form: an acronym that is not ordinary vocabulary of the forum")
    for match in _ACRONYM.finditer(text):
        if not _NUMBER_AFTER.match(text, match.end()) and not is_ordinary(match.group()):
            yield _Found(match.start(), match.end(), FlagKind.ORGANISATION, acronym, True)


def _resolve(text: str, found: list[_Found]) -> list[Flag]:
    """Keep the longest flag where several overlap; group equal strings with their lines."""
    ranked = sorted(
        range(len(found)),
        key=lambda n: (
            found[n].start - found[n].end,  # the longest first
            found[n].by_form,
            _PRIORITY[found[n].kind],
            n,
        ),
    )
    taken = bytearray(len(text) + 1)  # each character is flagged once: linear in the text
    kept: list[_Found] = []
    for n in ranked:
        start, end = found[n].start, found[n].end
        if end > start and taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            kept.append(found[n])
    kept.sort()
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    lines: dict[tuple[FlagKind, str], list[int]] = {}
    first: dict[tuple[FlagKind, str], _Found] = {}
    for flag in kept:
        ident = (flag.kind, text[flag.start : flag.end].casefold())
        first.setdefault(ident, flag)
        line = bisect.bisect_right(line_starts, flag.start)
        if line not in lines.setdefault(ident, []):
            lines[ident].append(line)
    return [
        Flag(f.kind, text[f.start : f.end], tuple(lines[ident]), f.source)
        for ident, f in first.items()
    ]


def check_text(text: str, room: Room, user: User) -> list[Flag]:
    """Flag what in `text` could identify a member delegation, a person or a case, against
    what `user` may see in `room`."""
    return scan(text, gather(room, user))
