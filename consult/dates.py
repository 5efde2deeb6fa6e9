"""One way to show a date, a time, a duration, in every language (Babel, CLDR).

Every page, e-mail and document writes times through here, so a day reads the same wherever it
appears: the day before the month, the month in words (never "12/1/26", which reads two ways),
24-hour times, and the time zone named by its city where it matters (deadlines, meetings). A
duration is a duration ("1 h 5 min"), not a clock time.

The reader's language and zone are Flask-Babel's for a request; mail and documents pass the
recipient's (`language=`, `zone=`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.dates import format_timedelta, get_timezone_location
from babel.units import format_unit
from flask import has_request_context
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from consult import zones
from consult.timeutil import utcnow

#: The patterns, the same in English, French and Spanish (CLDR gives the words: "Dec", "déc.",
#: "dic"): weekday, day, month, year, time.
PATTERNS = {
    "day": "d MMM y",  # 4 Dec 2026
    "long_day": "EEEE d MMMM y",  # Friday 4 December 2026
    "moment": "d MMM y, HH:mm",  # 4 Dec 2026, 14:30
    "weekday_moment": "EEE d MMM y, HH:mm",  # Fri 4 Dec 2026, 14:30
    "short_moment": "EEE d MMM, HH:mm",  # Fri 4 Dec, 14:30 (a week's programme)
    "time": "HH:mm",
    "seconds": "HH:mm:ss",
}
#: Babel's own style names, as older templates call them, map to ours.
STYLES = {"short": "moment", "medium": "moment", "long": "weekday_moment", "full": "long_day"}


def _language(language: str | None) -> str:
    if language:
        return language
    return str(get_locale() or "en") if has_request_context() else "en"


def _zone(zone: str | None) -> ZoneInfo:
    if zone:
        try:
            return ZoneInfo(zone)
        except (KeyError, ValueError):
            return ZoneInfo("UTC")
    if has_request_context():
        return ZoneInfo(str(get_timezone() or "UTC"))
    return ZoneInfo("UTC")


def pattern_of(style: str) -> str:
    """A style name ("moment", or Babel's "short") or a CLDR pattern as it is."""
    style = STYLES.get(style, style)
    return PATTERNS.get(style, style)


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
    return babel_datetime(value, pattern_of(style), tzinfo=_zone(zone), locale=_language(language))


def day(value: date | datetime | None, style: str = "day", *, language: str | None = None) -> str:
    if value is None:
        return ""
    return babel_date(value, pattern_of(style), locale=_language(language))


def zone_name(zone: str, *, language: str | None = None) -> str:
    """The zone by its city, in the reader's words ("Geneva", "Genève", "Ginebra"); UTC as
    itself."""
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
    """A time with its zone named, for deadlines and meetings: "4 Dec 2026, 14:30 (Geneva
    time)"."""
    if value is None:
        return ""
    language = _language(language)
    zone_id = zone or str(_zone(None).key)
    shown = moment(value, style, zone=zone_id, language=language)
    if zone_name(zone_id, language=language) == "UTC":
        return _("%(when)s UTC", when=shown)
    return _("%(when)s (%(city)s time)", when=shown, city=zone_name(zone_id, language=language))


def relative(value: datetime | None, *, now: datetime | None = None, language: str | None = None):
    """How far away a time is, in words: "in 3 days", "2 hours ago"."""
    if value is None:
        return ""
    delta = value - (now or utcnow())
    return format_timedelta(
        delta, threshold=1.1, add_direction=True, granularity="minute", locale=_language(language)
    )


def duration(seconds: float | int | timedelta | None, *, language: str | None = None) -> str:
    """A length of time as one: "1 h 5 min", "45 min", "30 s"; negative (an overrun) keeps
    its sign."""
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
    if minutes or (hours and secs):
        parts.append(format_unit(minutes, "duration-minute", "short", locale=locale))
    if secs and not hours:
        parts.append(format_unit(secs, "duration-second", "short", locale=locale))
    if not parts:
        parts.append(format_unit(0, "duration-minute", "short", locale=locale))
    return sign + " ".join(parts)


def register(app) -> None:
    """The template filters: `local_time` (the reader's zone), `zoned` (a zone named),
    `relative`, `duration`, `day`, `zone_place` (a zone by city and country)."""
    app.jinja_env.filters["local_time"] = lambda value, style="moment": moment(value, style)
    app.jinja_env.filters["zoned"] = lambda value, zone=None, style="moment": zoned(
        value, style, zone=zone
    )
    app.jinja_env.filters["relative"] = relative
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["zone_place"] = lambda zone: zones.place(zone)
