"""Time helpers: every stored time is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def from_local(local: datetime | None, zone: str) -> datetime | None:
    """A time entered in a form (naive, in `zone`: the room's, the meeting's) as UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(value: datetime | None, zone: str) -> datetime | None:
    """A stored time as a form shows it: naive, in `zone`."""
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if value else None


def document_date(value: datetime, language: str = "en", time_zone: str = "UTC") -> str:
    """The date of a document as it is printed on it (`consult.dates.document_date`)."""
    from consult import dates  # dates imports utcnow from here

    return dates.document_date(value, language, time_zone)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back an aware datetime (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_ZONES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(z for z in available_timezones() if "/" in z or z == "UTC")
    return _ZONES


def time_zones() -> list[str]:
    """IANA zone names a person can choose, sorted."""
    return sorted(_zone_names())


def is_time_zone(name: str) -> bool:
    """One of the zones a person can choose. Looked up in the list, never on disk first: an
    over-long or odd name made ZoneInfo raise OSError ("File name too long"), a 500."""
    return isinstance(name, str) and name in _zone_names()
