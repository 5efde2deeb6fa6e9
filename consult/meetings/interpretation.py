"""A meeting's interpretation: which languages, and where to hear each one.

Each channel is a language (a code of Babel's locale data, so that its name can be said in
every interface language and in its own) with a channel number on the room's receivers, a
stream link, or both, and an optional note. The chair sets their order; each person sees
their own interface language first (`flask_babel.get_locale()`), then the others in the
chair's order, each named in the viewer's language, with its own name beside it.

What a chair types is checked here (`problems`), once for the form (every row's message next
to its field at once) and again by the service (the first one, for any other caller).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.localedata import locale_identifiers
from flask_babel import format_number, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from consult.errors import ServiceError, refuse_longer_than
from consult.extensions import db
from consult.meetings.models import InterpretationChannel, Meeting

#: The six official languages of the United Nations: first in the list a chair picks from.
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
LIMITS = {"link": 500, "note": 200}
#: Receivers have a few dozen channels at most; 0 is often the floor.
HIGHEST_CHANNEL = 99
#: More languages than any conference interprets into (the UN has six).
MOST_CHANNELS = 30


class _HasLanguage(Protocol):
    language: str


Row = TypeVar("Row", bound=_HasLanguage)


# ---- languages ------------------------------------------------------------------------------


@cache
def codes() -> frozenset[str]:
    """The languages of Babel's locale data that it can name, in English at least (a name
    missing in another language falls back to the English one)."""
    return frozenset(
        i
        for i in locale_identifiers()
        if "_" not in i and i != "root" and Locale.parse(i).get_display_name("en")
    )


def is_language(code: str) -> bool:
    return code in codes()


def _viewer() -> Locale:
    return get_locale() or Locale("en")


def viewer_language() -> str:
    """The viewer's interface language, as a bare code ("fr" for fr_CH)."""
    return _viewer().language


def _listed(name: str) -> str:
    """A name as it stands alone in a list: capitalised ("français" reads "Français"), as
    CLDR's usage for menus and lists in French and Spanish asks."""
    return name[:1].upper() + name[1:]


@cache
def _name(code: str, where: str) -> str:
    try:
        language = Locale.parse(code)
        return _listed(language.get_display_name(where) or language.get_display_name("en"))
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def language_name(code: str, locale: Locale | str | None = None) -> str:
    """The language's name in the viewer's language ("French", "Français", "Francés")."""
    return _name(code, str(locale or _viewer()))


def names_in_sentence(channels: Sequence[InterpretationChannel]) -> str:
    """ "English, French and Spanish" (in French "anglais, français et espagnol"): the
    languages as a sentence names them, the viewer's first (the record's line)."""
    viewer = _viewer()
    names = []
    for channel in ordered(channels, viewer.language):
        try:
            language = Locale.parse(channel.language)
            names.append(language.get_display_name(viewer) or language.get_display_name("en"))
        except (UnknownLocaleError, ValueError, TypeError):
            names.append(channel.language)
    return format_list(names, locale=viewer)


def native_name(code: str) -> str:
    """The language's name in itself ("Français", "中文", "العربية")."""
    return _name(code, code)


def is_rtl(code: str) -> bool:
    try:
        return Locale.parse(code).text_direction == "rtl"
    except (UnknownLocaleError, ValueError):
        return False


def _key(text: str) -> str:
    """How typed names are compared: case, accents and spacing aside."""
    plain = unicodedata.normalize("NFKD", " ".join(text.split())).casefold()
    return "".join(c for c in plain if not unicodedata.combining(c))


@cache
def _index(where: str) -> dict[str, str]:
    """Typed text -> code. Where two languages would answer the same text, the code itself
    wins, then the name in the viewer's language, then the English name, then its own."""
    index: dict[str, str] = {}
    for code in sorted(codes()):
        for name in (native_name(code), _name(code, "en"), _name(code, where)):
            index[_key(name)] = code
    for code in codes():
        index[_key(code)] = code
    return index


def find_language(text: str, locale: Locale | str | None = None) -> str | None:
    """The code of the language typed (a code or a name in the viewer's language, in English
    or in itself); None when it is none of them."""
    return _index(str(locale or _viewer())).get(_key(text))


def language_names(locale: Locale | str | None = None) -> list[str]:
    """Every language's name in the viewer's language, for the chair's list to pick from: the
    United Nations' six first, then the others alphabetically."""
    where = str(locale or _viewer())
    others = sorted(
        (c for c in codes() if c not in UN_LANGUAGES), key=lambda c: _key(_name(c, where))
    )
    first = sorted(UN_LANGUAGES, key=lambda c: _key(_name(c, where)))
    return [_name(c, where) for c in (*first, *others)]


# ---- what the chair types -------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelEntry:
    """One row as typed: the language by code or name, the number as text."""

    language: str = ""
    number: str = ""
    link: str = ""
    note: str = ""

    @property
    def is_blank(self) -> bool:
        return not any(v.strip() for v in (self.language, self.number, self.link, self.note))


@dataclass(frozen=True)
class Channel:
    """One row checked: what is stored."""

    language: str
    number: int | None = None
    link: str = ""
    note: str = ""


def field_name(index: int, name: str) -> str:
    """The form field a row's problem belongs to: "channels-2-link"."""
    return f"channels-{index}-{name}"


def _is_stream_link(link: str) -> bool:
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in link):
        return False
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname)


def _one_line(text: str) -> str:
    """A note as one line: runs of spaces and line breaks one space, control characters out."""
    kept = "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(kept.split())


def _too_long(text: str, limit: int) -> str | None:
    try:
        refuse_longer_than(text, limit, None)
    except ServiceError as refusal:
        return refusal.message
    return None


def problems(
    entries: Sequence[ChannelEntry], locale: Locale | str | None = None
) -> tuple[list[Channel], dict[tuple[int, str], str]]:
    """The rows checked, in the chair's order (blank rows left out), and what is wrong:
    (row index, field) -> the message. Nothing is stored while there is a problem."""
    checked: list[Channel] = []
    found: dict[tuple[int, str], str] = {}
    seen: dict[str, int] = {}
    filled = 0
    for index, entry in enumerate(entries):
        if entry.is_blank:
            continue
        filled += 1
        if filled > MOST_CHANNELS:
            found[index, "language"] = _(
                "A meeting has at most %(n)s interpretation channels.",
                n=format_number(MOST_CHANNELS),
            )
            continue
        typed = entry.language.strip()
        code = find_language(typed, locale) if typed else None
        if not typed:
            found[index, "language"] = _("Choose the language of this channel.")
        elif code is None:
            shown = typed if len(typed) <= 40 else typed[:40] + "…"
            found[index, "language"] = _(
                "“%(typed)s” is not a language we know: choose one from the list.", typed=shown
            )
        elif code in seen:
            found[index, "language"] = _(
                "%(language)s is already in the list (row %(row)s): each language has one channel.",
                language=language_name(code, locale),
                row=format_number(seen[code] + 1),
            )
        else:
            seen[code] = index
        number = None
        raw = entry.number.strip()
        if raw:
            if raw.isascii() and raw.isdigit() and len(raw) <= 2:
                number = int(raw)
            else:
                found[index, "number"] = _(
                    "Give the channel as a whole number from 0 to %(highest)s.",
                    highest=format_number(HIGHEST_CHANNEL),
                )
        link = entry.link.strip()
        if link:
            if message := _too_long(link, LIMITS["link"]):
                found[index, "link"] = message
            elif not _is_stream_link(link):
                found[index, "link"] = _(
                    "Give the stream's address as a web link beginning with https://."
                )
        elif not raw:
            found[index, "number"] = _(
                "Give the channel on the room's receivers, the stream link, or both."
            )
        note = _one_line(entry.note)
        if message := _too_long(note, LIMITS["note"]):
            found[index, "note"] = message
        if code is not None and not any(key[0] == index for key in found):
            checked.append(Channel(language=code, number=number, link=link, note=note))
    return checked, found


# ---- reading and showing --------------------------------------------------------------------


def channels_of(meeting: Meeting) -> list[InterpretationChannel]:
    """The meeting's channels in the chair's order."""
    return list(
        db.session.scalars(
            select(InterpretationChannel)
            .where(InterpretationChannel.meeting_id == meeting.id)
            .order_by(InterpretationChannel.position)
        )
    )


def channels_by_meeting(meetings: Iterable[Meeting]) -> dict[int, list[InterpretationChannel]]:
    """Meeting id -> its channels in the chair's order, for many meetings in one statement."""
    ids = [m.id for m in meetings]
    found: dict[int, list[InterpretationChannel]] = {i: [] for i in ids}
    if not ids:
        return found
    for channel in db.session.scalars(
        select(InterpretationChannel)
        .where(InterpretationChannel.meeting_id.in_(ids))
        .order_by(InterpretationChannel.meeting_id, InterpretationChannel.position)
    ):
        found[channel.meeting_id].append(channel)
    return found


def ordered(channels: Sequence[Row], language: str | None = None) -> list[Row]:
    """The viewer's own language first, then the others in the order given (the chair's)."""
    language = language or viewer_language()
    return [c for c in channels if c.language == language] + [
        c for c in channels if c.language != language
    ]


@dataclass(frozen=True)
class ShownChannel:
    """A channel as a viewer reads it: named in their language, and in its own."""

    language: str
    name: str
    #: Its name in itself, when that differs from `name` ("" for the viewer's own language).
    native: str
    is_rtl: bool
    number: int | None
    link: str
    note: str

    def text(self, with_link: bool) -> str:
        """One line of plain text: "French: channel 2, https://…" (the calendar, the record)."""
        where = []
        if self.number is not None:
            where.append(_("channel %(number)s", number=format_number(self.number)))
        if with_link and self.link:
            where.append(self.link)
        if self.note:
            where.append(self.note)
        if not where:
            return self.name
        return _("%(language)s: %(where)s", language=self.name, where=", ".join(where))


def shown(channels: Sequence[InterpretationChannel]) -> list[ShownChannel]:
    """The channels as the viewer reads them, in the order they see them."""
    viewer = _viewer()
    result = []
    for channel in ordered(channels, viewer.language):
        name = language_name(channel.language, viewer)
        native = native_name(channel.language)
        result.append(
            ShownChannel(
                language=channel.language,
                name=name,
                native="" if native == name else native,
                is_rtl=is_rtl(channel.language),
                number=channel.number,
                link=channel.link,
                note=channel.note,
            )
        )
    return result


def meeting_channels(meeting: Meeting) -> list[ShownChannel]:
    """The header's list (a template global): one statement, whatever the page."""
    return shown(channels_of(meeting))


def entries_of(channels: Sequence[InterpretationChannel]) -> list[ChannelEntry]:
    """Stored channels as the form shows them, the language named in the viewer's language."""
    return [
        ChannelEntry(
            language=language_name(c.language),
            number="" if c.number is None else str(c.number),
            link=c.link,
            note=c.note,
        )
        for c in channels
    ]
