"""Find English that reached a French or Spanish page without going through gettext.

Used by the unit walk (tests/test_walk_languages.py, Flask test client) and by the browser walk
(tests/browser/test_languages.py, the page as JavaScript left it). The finder reads what a
person reads or hears: the visible text nodes and the attributes a browser shows or speaks
(aria-label, title, placeholder, alt, the value of a button, a confirmation prompt). It leaves
out:

- user content: every text the database holds (titles, names, bodies, and the text of their
  rendered Markdown), the query of a search, and anything inside an element marked
  `data-user-content` (for text that a template cuts up, e.g. a search snippet's highlights);
- text in another language than the page's, declared with `lang` (the language switch names
  each language in itself; a paper's language version);
- symbols: document symbols (ATT/CSP12/...), TLP markings, Rev.N, Corr.N, e-mail addresses,
  URLs, time zone names, numbers and the product name "consult".

What is left is flagged when it holds a word from ENGLISH: common English words that are
neither French nor Spanish words ("the", "your", "room", "paper"...), so a translated sentence
never trips it and an English one almost always does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import lxml.html

#: Common English words that are not French or Spanish words as well. Left out on purpose:
#: a, an, as, on, or, no, me, he, son, us, in, case, file, main, menu, note, post, close,
#: pause, silence, content, error, invite, parties, invitation, discussion, session,
#: objection, navigation, programme, assistance, questionnaire, comment, page, date, minute,
#: message, agenda ...,
#: which are French or Spanish words too (tests/test_walk_languages.py checks that no word
#: here occurs in a French or Spanish translation).
_ENGLISH_WORDS = """
    the and your yours you with this that these those of to is are was were be been being
    for not from by at it its their there they them we our will would should could can
    cannot can't don't doesn't isn't won't must might have has had do does did done
    what which who whom whose when where why how all any some each every other more
    less most only also just than then here now yet still again already
    room rooms paper papers comments meeting meetings member members delegation delegations
    delegate delegates people person speaker speakers floor request requests reply replies
    thread threads statement statements paragraph paragraphs revision revisions draft drafts
    deadline deadlines library search profile settings setting sign signed signatory
    submit submitted cancel cancelled save saved send sent edit edited delete deleted remove
    removed add added show hide hidden view open opened closed closes opens
    new old next previous back home yes read unread mark marked today tomorrow yesterday ago
    day days week weeks hour hours month months year years since until before after
    during about above below between into over under without within while
    connected connecting reconnecting disconnected offline online loading loaded live
    errors forbidden found please try sorry wrong something went nothing
    list lists chair chairs observer observers state states party
    private shared upload uploaded download downloads export print screen
    join joined leave left pending approved accepted rejected withdrawn published
    withdraw publish approve reject accept decline declined invited
    password email e-mail address name title body text reason summary
    item items start started starts end ended ends ending begins began
    times timer remaining elapsed running paused resume stop stopped
    first last latest earlier later soon never always ever
    mine everyone everybody nobody someone anyone
    offers needs answer answers response responses study studies brief briefs
    procedure procedures broken written topic topics tagged skip
"""
ENGLISH = frozenset(_ENGLISH_WORDS.split())

#: Symbols and names that are the same in every language of the interface.
SYMBOLS = [
    r"https?://\S+",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    r"\bATT/[\w./-]+",
    r"\bTLP:[A-Z]+(?:\+STRICT)?",
    r"\b(?:Rev|Corr|Add)\.\s?\d+",
    r"\b[A-Z][A-Za-z]+(?:/[A-Z][\w -]*)+",  # time zone names: America/Port of Spain, US/Samoa
    r"\bChatham House\b",
    r"(?<![\w/])/[a-z][\w-]*(?:/(?:<[\w ]+>|[\w.-]+))*",  # a path: /library/<short name>
    r"<[\w ]+>",  # a form to fill in: ATT/CSP<n>/<year>, /library/<short name>
    r"\b[\w-]+\.(?:csv|docx|pdf|ics|txt|md)\b",  # a file's name: record-speakers.csv
    r"%\([a-z_0-9]+\)[sdr]|\{[a-z_0-9]+\}",  # a placeholder, in a catalogue
    r"\bconsult\b",
]
_SYMBOLS = re.compile("|".join(f"(?:{s})" for s in SYMBOLS))
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SPACE = re.compile(r"\s+")
#: What makes a stored text Markdown source: a mark of emphasis, a heading, a list, a link.
_MARKS = re.compile(r"\*|^#|^\s*[-+] |^\s*\d+\. |\]\(|`|\n\n", re.MULTILINE)

#: Elements whose text no one reads.
SKIPPED = {"script", "style", "noscript", "svg", "math"}
#: Identifiers (an audit event's kind, a keyboard key): the same in every language.
IDENTIFIERS = {"code", "kbd", "samp"}
#: Elements whose text is what someone typed (the placeholder and label are still read).
TYPED = {"textarea"}
#: Attributes a browser shows (tooltips, placeholders) or speaks (labels), or a prompt.
SHOWN_ATTRIBUTES = (
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
    "title",
    "placeholder",
    "alt",
    "hx-confirm",
    "data-confirm",
    "label",
)
#: The value of these inputs is their visible label (a <button>'s value is not shown).
VALUE_IS_LABEL = {"submit", "button", "reset"}


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Finding:
    """One piece of English on a page: where it came from (a text node or an attribute), the
    text as read, and the English words that gave it away."""

    where: str
    text: str
    words: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.where}: {self.text!r} (English: {', '.join(self.words)})"


class EnglishFinder:
    """`EnglishFinder(user_texts).find(html)`: the English pieces of a rendered page."""

    def __init__(self, user_texts: Iterable[str] = (), markdown=None):
        """`markdown`: the renderer of stored Markdown source (consult.markdown.render), so
        that a text shown rendered on read is known by its pieces too."""
        whole: set[str] = set()
        for text in user_texts:
            if not text:
                continue
            whole.add(normalise(text))
            if markdown is not None and "<" not in text and _MARKS.search(text):
                whole.update(_text_pieces(str(markdown(text))))
            if text[:1] in "[{":  # a JSON column: the texts it holds
                whole.update(normalise(t) for t in _json_strings(text))
            if "<" in text and ">" in text:  # stored Markdown HTML: its text nodes too
                whole.update(_text_pieces(text))
        whole.discard("")
        self.user = whole
        self._index()

    def add_user_texts(self, texts: Iterable[str]) -> None:
        """More user content (e.g. the query typed into a search)."""
        self.user |= {normalise(t) for t in texts if t and normalise(t)}
        self._index()

    def _index(self) -> None:
        # What may be cut out of a longer text: not a lone common word ("the" emphasised in
        # someone's paragraph must not hide "the" in the interface), longest first.
        self._removable = sorted((u for u in self.user if _removable(u)), key=len, reverse=True)
        self._corpus = "\n".join(sorted(self.user))

    # ---- reading a page ------------------------------------------------------------------

    def find(self, html: str) -> list[Finding]:
        """The English pieces of `html`, a whole page or a fragment, in document order."""
        root = lxml.html.fromstring(html)
        page_lang = _language_of(root) or ""
        found: list[Finding] = []
        seen: set[tuple[str, str]] = set()
        for where, text in self.pieces(root, page_lang):
            finding = self.check(text, where)
            if finding and (finding.where, finding.text) not in seen:
                seen.add((finding.where, finding.text))
                found.append(finding)
        return found

    def pieces(self, root, page_lang: str) -> Iterable[tuple[str, str]]:
        """(where, text) for every text a person reads on the page, outside user content and
        outside parts declared in another language."""

        def walk(element, lang: str):
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag in SKIPPED or tag in IDENTIFIERS or not tag:
                return
            if element.get("data-user-content") is not None:
                return
            lang = (element.get("lang") or lang).split("-")[0].lower()
            if page_lang and lang and lang != page_lang.split("-")[0].lower():
                return
            # A <template> is shown later by a script: it is read like the rest.
            for name in SHOWN_ATTRIBUTES:
                value = element.get(name)
                if value:
                    yield f"<{tag} {name}>", value
            is_button = (element.get("type") or "").lower() in VALUE_IS_LABEL
            if tag == "input" and is_button and element.get("value"):
                yield f"<{tag} value>", element.get("value")
            if element.text and element.text.strip() and tag not in TYPED:
                yield f"<{tag}>", element.text
            for child in element:
                yield from walk(child, lang)
                if child.tail and child.tail.strip():
                    yield f"<{tag}>", child.tail

        yield from walk(root, page_lang)

    def check(self, text: str, where: str = "text") -> Finding | None:
        """A Finding when `text` (one text node or attribute) holds English UI text."""
        text = normalise(text)
        if not text or not _has_english(text):
            return None
        rest = self.without_user_content(text)
        words = _english_words(rest)
        if not words:
            return None
        return Finding(where, text, tuple(words))

    def without_user_content(self, text: str) -> str:
        """`text` with user content and symbols taken out."""
        if text in self.user:
            return ""
        core = text.strip(" ….:;,()[]«»\"'“”")
        if core in self.user:
            return ""
        # An excerpt of a longer text (a snippet, a truncated body): long enough that it is not
        # a UI phrase that happens to occur in someone's text.
        if len(_WORD.findall(core)) >= 4 and core in self._corpus:
            return ""
        rest = text
        for user in self._removable:
            if user in rest:  # cheap test first; then only whole words of it
                rest = re.sub(rf"(?<!\w){re.escape(user)}(?!\w)", " ", rest)
        return _SYMBOLS.sub(" ", rest)


def _language_of(root) -> str | None:
    html = root if root.tag == "html" else root.getroottree().getroot()
    return html.get("lang") if html is not None and html.tag == "html" else None


def _text_pieces(html: str) -> set[str]:
    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return set()
    pieces = {normalise(fragment.text_content())}
    for element in fragment.iter():
        for part in (element.text, element.tail):
            if part and part.strip():
                pieces.add(normalise(part))
        for name in ("title", "alt"):
            if element.get(name):
                pieces.add(normalise(element.get(name)))
    return pieces


def _json_strings(text: str) -> list[str]:
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return []
    out: list[str] = []

    def collect(v) -> None:
        if isinstance(v, str):
            out.append(v)
            if "<" in v and ">" in v:
                out.extend(_text_pieces(v))
        elif isinstance(v, dict):
            for item in v.values():
                collect(item)
        elif isinstance(v, list):
            for item in v:
                collect(item)

    collect(value)
    return out


def _removable(text: str) -> bool:
    """Two tokens or more ("Room 2", "Article 7"), or one word that is not a common one."""
    words = _WORD.findall(text)
    return bool(words) and (len(re.findall(r"\w+", text)) > 1 or words[0].lower() not in ENGLISH)


def _english_words(text: str) -> list[str]:
    words = []
    for word in _WORD.findall(_SYMBOLS.sub(" ", text)):
        lower = word.lower().replace("’", "'")
        if lower in ENGLISH and lower not in words:
            words.append(lower)
    return words


def _has_english(text: str) -> bool:
    return bool(_english_words(text))


# ---- the user content of a database ---------------------------------------------------------

#: Tables whose text the application writes, not a person: the audit log's kinds and
#: summaries are shown marked lang="en" (the record is kept as written), queued mail is not
#: shown, and a notification's line is written in its recipient's language when it is made
#: (a walk that wants to check those seeds them in the walk's language and leaves this as is).
NOT_USER_CONTENT = frozenset({"audit_event", "mail_outbox", "notification", "alembic_version"})


def user_texts_of(session, metadata, leave_out: Iterable[str] = NOT_USER_CONTENT) -> set[str]:
    """Every text value a person wrote into the database: the string, text and JSON columns of
    every table but `leave_out`, without enum columns (their values are the code's)."""
    from sqlalchemy import JSON, Enum, String, Text, TypeDecorator, select

    leave_out = set(leave_out)
    texts: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, str):
            if value.strip():
                texts.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    for table in metadata.sorted_tables:
        if table.name in leave_out:
            continue
        columns = [
            c
            for c in table.columns
            # TypeDecorator: stored HTML, encrypted text (read back in clear); only the str
            # values are kept, so a decorated date is passed over.
            if isinstance(c.type, (String, Text, JSON, TypeDecorator))
            and not isinstance(c.type, Enum)
        ]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for value in row:
                collect(value)
    return texts


def place_names(language: str) -> set[str]:
    """The cities and countries the time-zone lists name, in `language` (Babel's data, e.g.
    "New York", "Broken Hill"): proper names, not English words. Needs an app context."""
    from consult import zones

    names: set[str] = set()
    for zone, country in zones.countries().items():
        names.update(zones._cities(zone, language))
        names.add(zones.country_name(country, language))
    return names
