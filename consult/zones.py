"""Time zones as a person picks them: by city and country, in the reader's language.

A raw list of six hundred IANA names ("America/Argentina/Buenos_Aires", "Etc/GMT+5") asks a
delegate to know how the tz database spells their home. Here every zone of the tz database's
`zone.tab` is offered once, labelled by its city and its country in the reader's words, with
its offset now ("Zurich — Switzerland (UTC+01:00)", "Zurich — Suisse (UTC+01:00)"), grouped by
country. The cities are CLDR's (Babel); a few capitals and seats that share a zone named after
another city ("Geneva", "Washington", "New Delhi") are added, in the interface's catalogues.
Each option also carries what a search may type that its label does not show: the city and
the country in English, the IANA name and its old aliases ("Asia/Calcutta"), so the picker's
filter finds "Geneva" for a French reader and the browser's own zone name whatever its age.

Every name `consult.timeutil.is_time_zone` accepts stays valid; one that the list does not
offer (an alias, "Etc/GMT+5") is shown as it is when it is the current value, never dropped.
"""

from __future__ import annotations

import unicodedata
from contextlib import nullcontext
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_timezone_location
from flask import has_app_context, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from consult.timeutil import is_time_zone, utcnow

UTC = "UTC"
#: Names the browser or an old account may give for UTC itself.
UTC_ALIASES = ("Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu")

#: Cities a delegate looks for that share a zone named after another city: capitals, and the
#: seats of the Treaty and of the United Nations. Shown before the zone's own city.
EXTRA_CITIES = {
    "Europe/Zurich": [_l("Geneva")],
    "America/New_York": [_l("Washington")],
    "America/Toronto": [_l("Ottawa")],
    "Asia/Shanghai": [_l("Beijing")],
    "Asia/Kolkata": [_l("New Delhi")],
    "America/Sao_Paulo": [_l("Brasília")],
    "Africa/Lagos": [_l("Abuja")],
    "Africa/Johannesburg": [_l("Pretoria")],
    "Australia/Sydney": [_l("Canberra")],
    "Pacific/Auckland": [_l("Wellington")],
    "Europe/Amsterdam": [_l("The Hague")],
    "Europe/Istanbul": [_l("Ankara")],
    "Asia/Karachi": [_l("Islamabad")],
    "Asia/Ho_Chi_Minh": [_l("Hanoi")],
    "Asia/Dubai": [_l("Abu Dhabi")],
    "Africa/Casablanca": [_l("Rabat")],
    "Africa/Abidjan": [_l("Yamoussoukro")],
    "Asia/Almaty": [_l("Astana")],
}


# ---- the tz database's tables ------------------------------------------------------------------


def _table(name: str) -> str:
    """A table of the tz database: Python's `tzdata` package (a dependency, so it is there on
    a bare machine), else the system's /usr/share/zoneinfo, else nothing."""
    try:
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        path = Path("/usr/share/zoneinfo") / name
        return path.read_text(encoding="utf-8") if path.exists() else ""


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """Zone -> ISO country code, one country per zone (zone.tab: "Europe/Zurich" is CH)."""
    found: dict[str, str] = {}
    for line in _table("zone.tab").splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3 and is_time_zone(parts[2]):
                found[parts[2]] = parts[0]
    return found


@lru_cache(maxsize=1)
def aliases() -> dict[str, tuple[str, ...]]:
    """Listed zone -> the other names that mean it ("Asia/Kolkata": "Asia/Calcutta"), from
    the links of the tz database; browsers still report some of the old ones."""
    listed = countries()
    found: dict[str, list[str]] = {UTC: list(UTC_ALIASES)}
    for line in _table("tzdata.zi").splitlines():
        if line.startswith("L "):
            parts = line.split()
            if len(parts) == 3:
                target, alias = parts[1], parts[2]
                if target in listed and alias not in listed:
                    found.setdefault(target, []).append(alias)
    return {zone: tuple(sorted(set(names))) for zone, names in found.items()}


def canonical(name: str) -> str | None:
    """The listed zone a name stands for (itself, or the zone an alias links to), or None."""
    if name == UTC or name in countries():
        return name
    for zone, names in aliases().items():
        if name in names:
            return zone
    return None


# ---- labels --------------------------------------------------------------------------------


def _language(language: str | None) -> str:
    if language:
        return language
    return str(get_locale() or "en") if has_request_context() else "en"


def fold(text: str) -> str:
    """Text as a search compares it: without accents, lower-case ("Genève" -> "geneve");
    static/js/zones.js folds what is typed the same way."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def offset(zone: str, now: datetime | None = None) -> str:
    """The zone's offset from UTC at `now`: "UTC+01:00", "UTC-03:00", "UTC+05:45"."""
    delta = (now or utcnow()).astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _in(language: str):
    """The catalogue of `language` for what follows (the added cities, the label's pattern),
    whatever the request's own; outside an application, the English texts."""
    return force_locale(language) if has_app_context() else nullcontext()


@lru_cache(maxsize=4096)
def _cities(zone: str, language: str) -> tuple[str, ...]:
    """The cities a zone is known by, in `language`: the added ones first, then CLDR's."""
    with _in(language):
        extra = [str(name) for name in EXTRA_CITIES.get(zone, [])]
    try:
        own = get_timezone_location(zone, locale=language, return_city=True)
    except (LookupError, ValueError):
        own = zone.rsplit("/", 1)[-1].replace("_", " ")
    return tuple(extra + [own] if own not in extra else extra)


def country_name(code: str, language: str) -> str:
    return Locale.parse(language).territories.get(code, code)


def place(zone: str, language: str | None = None) -> str:
    """The zone as a place: "Geneva, Zurich — Switzerland"; "UTC" as itself; an unlisted name
    (an alias, "Etc/GMT+5") by the place it links to, else as it is."""
    language = _language(language)
    listed = canonical(zone)
    if listed == UTC:
        return UTC
    if listed is None:
        return zone
    with _in(language):
        return _(
            "%(city)s — %(country)s",
            city=", ".join(_cities(listed, language)),
            country=country_name(countries()[listed], language),
        )


def label(zone: str, language: str | None = None, now: datetime | None = None) -> str:
    """The zone as the picker shows it: "Geneva, Zurich — Switzerland (UTC+01:00)"."""
    language = _language(language)
    shown = place(zone, language)
    if shown == UTC:
        return UTC
    with _in(language):
        return _("%(place)s (%(offset)s)", place=shown, offset=offset(zone, now))


def search_terms(zone: str, language: str | None = None) -> str:
    """What a search may type to find `zone` that its label does not show: the cities and
    the country in English, the IANA name and its aliases."""
    language = _language(language)
    terms: list[str] = [zone.replace("_", " ")]
    terms += [alias.replace("_", " ") for alias in aliases().get(zone, ())]
    if zone == UTC:
        with _in(language):
            terms += ["GMT", _("Coordinated Universal Time"), "Coordinated Universal Time"]
    elif zone in countries() and language != "en":
        terms += [*_cities(zone, "en"), country_name(countries()[zone], "en")]
    shown = fold(label(zone, language))
    kept: list[str] = []
    for term in terms:
        if fold(term) not in shown and term not in kept:
            kept.append(term)
    return " | ".join(kept)


# ---- the choices -----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _entries(language: str) -> tuple[tuple[str, str, str, str], ...]:
    """(zone, country, place, search terms) for every listed zone, grouped by country (sorted
    in the reader's alphabet, accents aside), each group by city. Built once per language."""
    rows = []
    with _in(language):
        for zone, code in countries().items():
            country = country_name(code, language)
            city = ", ".join(_cities(zone, language))
            rows.append((fold(country), fold(city), zone, country))
        rows.sort()
        return tuple(
            (zone, country, place(zone, language), search_terms(zone, language))
            for _f, _c, zone, country in rows
        )


@lru_cache(maxsize=12)
def _listed_choices(language: str, hour: datetime) -> tuple[SelectChoice, ...]:
    """UTC, then every listed zone with its offset. Cached per hour: offsets move with DST."""
    now = hour + timedelta(minutes=30)
    with _in(language):
        utc = SelectChoice(UTC, UTC, render_kw={"data-search": search_terms(UTC, language)})
        return (utc,) + tuple(
            SelectChoice(
                zone,
                _("%(place)s (%(offset)s)", place=shown, offset=offset(zone, now)),
                render_kw={"data-search": terms},
                optgroup=country,
            )
            for zone, country, shown, terms in _entries(language)
        )


def choices(
    current: str | None = None, *, blank: str | None = None, language: str | None = None
) -> list[SelectChoice]:
    """The picker's options. `blank`, when given, is the label of an empty first option (the
    invitation's "the delegation's time zone"); `current`, a valid name the list does not
    offer, is kept as an option of its own so that saving the form does not change it."""
    language = _language(language)
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    head: list[SelectChoice] = []
    if blank is not None:
        head.append(SelectChoice("", blank))
    if current and current not in countries() and current != UTC and is_time_zone(current):
        head.append(SelectChoice(current, f"{current.replace('_', ' ')} ({offset(current)})"))
    return head + list(_listed_choices(language, hour))


class ZoneField(SelectField):
    """A time zone, offered by city and country (static/js/zones.js adds the search).

    Any name the tz database knows is accepted; anything else is refused with its own value
    named, next to the field. `blank` adds an empty choice (meaning decided by the caller)."""

    def __init__(self, label=None, validators=None, *, blank=None, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, **kwargs)
        self.blank = blank
        self.choices = lambda: choices(self.data, blank=None if blank is None else str(blank))

    def pre_validate(self, form) -> None:
        value = self.data
        if value == "" and self.blank is not None:
            return
        if not isinstance(value, str) or not is_time_zone(value):
            if isinstance(value, str) and 0 < len(value) <= 60:
                message = _("“%(zone)s” is not a time zone we know.", zone=value)
                raise ValidationError(f"{message} {_('Choose a time zone from the list.')}")
            raise ValidationError(_("Choose a time zone from the list."))
