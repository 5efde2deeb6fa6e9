"""CSV files for spreadsheets as they are used: one table per file, opened by a double click.

Excel reads a CSV as the machine's legacy code page unless it starts with a UTF-8 byte-order
mark ("Krüger" and "¶3" came out garbled); it runs a cell starting with "=", "+", "-" or "@"
as a formula; and it reads "2026-12-01 14:05:09" as a date, but not with microseconds or an
offset. So every CSV the platform hands out is written here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

__all__ = ["cell", "csv_file"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any, time_zone: str = "UTC") -> str:
    """One value as a spreadsheet should read it.

    Times in `time_zone` to the second and dates in ISO 8601 ("2026-12-04 14:30:05",
    "2026-12-04"), in every language: a spreadsheet sorts and reads them as times, which it
    would not do with "4 déc. 2026" (the column name says which zone). Booleans as yes/no,
    text that would run as a formula quoted with a leading apostrophe.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        local = value.astimezone(ZoneInfo(time_zone)) if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_file(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, time_zone: str = "UTC"
) -> bytes:
    """A header and its rows, UTF-8 with a byte-order mark, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell(c) for c in columns])
    for row in rows:
        writer.writerow([cell(v, time_zone) for v in row])
    return out.getvalue().encode("utf-8-sig")
