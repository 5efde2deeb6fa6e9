"""One way to show a date, a time, a duration, in every language (Babel, CLDR).

Every page, e-mail and document writes times through here, so a day reads the same wherever it
appears: the day before the month, the month in words (never "12/1/26", which reads two ways),
24-hour times, and the time zone named by its city where it matters (deadlines, meetings). A
duration is a duration ("1 hr 5 min", "1 h 5 min"), not a clock time.

The reader's language and zone are Flask-Babel's for a request; mail and documents pass the
recipient's (`language=`, `zone=`).
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.dates import format_timedelta, get_timezone_location
from babel.units import format_unit
from flask import has_app_context, has_request_context
from flask_babel import force_locale, get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape

from consult import zones
from consult.timeutil import utcnow

#: The patterns, the same in English, French and Spanish (CLDR gives the words: "Dec", "déc.",
#: "dic"): weekday, day, month, year, time.
PATTERNS = {
    "day": "d MMM y",  # 4 Dec 2026
    "long_day": "EEEE d MMMM y",  # Friday 4 December 2026
    "document": "d MMMM y",  # 4 December 2026 (the date printed on a Word file, a letter)
    "moment": "d MMM y, HH:mm",  # 4 Dec 2026, 14:30
    "weekday_moment": "EEE d MMM y, HH:mm",  # Fri 4 Dec 2026, 14:30
    "short_moment": "EEE d MMM, HH:mm",  # Fri 4 Dec, 14:30 (a week's programme)
    "weekday": "EEEE d MMMM",  # Friday 4 December (a day's heading in a programme)
    "time": "HH:mm",
    "seconds": "HH:mm:ss",
    "moment_seconds": "d MMM y, HH:mm:ss",  # 4 Dec 2026, 14:30:05 (when a response came in)
}
#: Where a language writes a style otherwise: Spanish joins the day, month and year of a long
#: date with "de" and puts a comma after the weekday ("viernes, 4 de diciembre de 2026").
LANGUAGE_PATTERNS = {
    "es": {
        "long_day": "EEEE, d 'de' MMMM 'de' y",
        "document": "d 'de' MMMM 'de' y",
        "weekday_moment": "EEE, d MMM y, HH:mm",
        "short_moment": "EEE, d MMM, HH:mm",
        "weekday": "EEEE, d 'de' MMMM",
    },
}
#: Babel's own style names, as older templates call them, map to ours.
STYLES = {"short": "moment", "medium": "moment", "long": "weekday_moment", "full": "long_day"}


def _language(language: str | None) -> str:
    if language:
        return language
    # An app context is enough: mail and digests are written under `force_locale`.
    return str(get_locale() or "en") if has_app_context() else "en"


def _speaking(language: str):
    """Flask-Babel's gettext in `language`, when it is not the one in force already."""
    if has_app_context() and str(get_locale() or "en") != language:
        return force_locale(language)
    return nullcontext()


def _zone(zone: str | None) -> ZoneInfo:
    if zone:
        try:
            return ZoneInfo(zone)
        except (KeyError, ValueError):
            return ZoneInfo("UTC")
    if has_request_context():
        return ZoneInfo(str(get_timezone() or "UTC"))
    return ZoneInfo("UTC")


def pattern_of(style: str, language: str | None = None) -> str:
    """A style name ("moment", or Babel's "short") in a language, or a CLDR pattern as it is."""
    style = STYLES.get(style, style)
    base = str(language or "en").split("_")[0].split("-")[0]
    return LANGUAGE_PATTERNS.get(base, {}).get(style) or PATTERNS.get(style, style)


def moment(
    value: datetime | None,
    style: str = "moment",
    *,
    zone: str | None = None,
    language: str | None = None,
) -> str:
    """A stored (UTC) time in the reader's zone (or `zone`) and language."""
    if value is None:
        return ""
    language = _language(language)
    if value.tzinfo is None:  # a naive time is UTC, as every stored time is
        value = value.replace(tzinfo=UTC)
    return babel_datetime(value, pattern_of(style, language), tzinfo=_zone(zone), locale=language)


def day(
    value: date | datetime | None,
    style: str = "day",
    *,
    zone: str | None = None,
    language: str | None = None,
) -> str:
    """A day ("4 Dec 2026"). A stored time is first put in the reader's zone (or `zone`): at
    23:30 UTC it is already the next day in Geneva."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(_zone(zone)).date()
    language = _language(language)
    return babel_date(value, pattern_of(style, language), locale=language)


def document_date(value: datetime | date, language: str = "en", time_zone: str = "UTC") -> str:
    """The date printed on a document (a Word file, a letter), in its language and zone:
    "1 December 2026", "1 décembre 2026", "1 de diciembre de 2026"."""
    if language not in ("en", "fr", "es"):
        language = "en"
    return day(value, "document", zone=time_zone, language=language)


def zone_name(zone: str, *, language: str | None = None) -> str:
    """The zone by CLDR's city, in the reader's words ("New York", "Nueva York"); UTC as
    itself. Geneva has no zone of its own: `Europe/Zurich` reads "Zurich"."""
    if zone in ("UTC", "Etc/UTC", ""):
        return "UTC"
    try:
        return get_timezone_location(zone, locale=_language(language), return_city=True)
    except (LookupError, ValueError):
        return zone


def zoned(
    value: datetime | None,
    style: str = "moment",
    *,
    zone: str | None = None,
    language: str | None = None,
) -> str:
    """A time with its zone named, for deadlines and meetings: "4 Dec 2026, 14:30 (Zurich
    time)", "4 déc. 2026, 14:30 (heure de Zurich)"."""
    if value is None:
        return ""
    language = _language(language)
    zone_id = zone or str(_zone(None).key)
    shown = moment(value, style, zone=zone_id, language=language)
    city = zone_name(zone_id, language=language)
    # The words around it in the same language as the date (a letter in Spanish written
    # during an English request).
    with _speaking(language):
        if city == "UTC":
            return _("%(when)s UTC", when=shown)
        return _("%(when)s (%(city)s time)", when=shown, city=city)


def relative(value: datetime | None, *, now: datetime | None = None, language: str | None = None):
    """How far away a time is, in words: "in 3 days", "2 hours ago"."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - (now or utcnow())
    return format_timedelta(
        delta, threshold=1.1, add_direction=True, granularity="minute", locale=_language(language)
    )


def time_tag(value: datetime | None, text: str) -> Markup:
    """`text` (a time in words) inside `<time datetime="ISO">`, so it can be read by machines
    and by the page's script."""
    if value is None:
        return Markup("")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    iso = value.astimezone(UTC).isoformat()
    return Markup('<time datetime="{}">{}</time>').format(iso, escape(text))


def when(
    value: datetime | None,
    style: str = "moment",
    *,
    zone: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> Markup:
    """A deadline or an upcoming meeting as a page shows it: the time with its zone named, and
    how far away it is beside it: "4 Dec 2026, 14:30 (Zurich time) · in 3 days"."""
    if value is None:
        return Markup("")
    absolute = time_tag(value, zoned(value, style, zone=zone, language=language))
    far = relative(value, now=now, language=language)
    return Markup('{} · <span class="relative">{}</span>').format(absolute, time_tag(value, far))


def duration(seconds: float | int | timedelta | None, *, language: str | None = None) -> str:
    """A length of time as one, in CLDR's short units: "1 hr 5 min" ("1 h 5 min" in French and
    Spanish), "45 min", "30 sec"; seconds only under an hour; an overrun keeps its minus sign."""
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    seconds = int(seconds or 0)
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    locale = _language(language)
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", "short", locale=locale))
    if minutes:
        parts.append(format_unit(minutes, "duration-minute", "short", locale=locale))
    if secs and not hours:
        parts.append(format_unit(secs, "duration-second", "short", locale=locale))
    if not parts:
        parts.append(format_unit(0, "duration-minute", "short", locale=locale))
    return sign + " ".join(parts)


def register(app) -> None:
    """The template filters: `local_time` (the reader's zone), `zoned` (a zone named),
    `relative` (inside `<time datetime>`), `duration`, `day`; `when` (a deadline: zone named,
    how far away), `zone_name`; `zone_place` (a zone by city and country); the test `upcoming`."""
    app.jinja_env.filters["local_time"] = lambda value, style="moment": moment(value, style)
    app.jinja_env.filters["zoned"] = lambda value, zone=None, style="moment": zoned(
        value, style, zone=zone
    )
    app.jinja_env.filters["relative"] = lambda value: time_tag(value, relative(value))
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["when"] = lambda value, zone=None, style="moment": when(
        value, style, zone=zone
    )
    app.jinja_env.filters["zone_name"] = lambda zone: zone_name(zone)
    # `{% if meeting.starts_at is upcoming %}`: a relative time beside what is still ahead.
    app.jinja_env.tests["upcoming"] = lambda value: value is not None and value > utcnow()
    app.jinja_env.filters["zone_place"] = lambda zone: zones.place(zone)
