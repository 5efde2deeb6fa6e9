"""File downloads: exports and records, never kept by shared or browser caches."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

__all__ = [
    "CSV_TYPE",
    "DOCX_TYPE",
    "ICS_TYPE",
    "MARKDOWN_TYPE",
    "PDF_TYPE",
    "TEXT_TYPE",
    "download",
    "file_name",
]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
CSV_TYPE = "text/csv; charset=utf-8"
ICS_TYPE = "text/calendar; charset=utf-8"
MARKDOWN_TYPE = "text/markdown; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(symbol: str | None, fallback: str, *parts: str, suffix: str) -> str:
    """A file name from the document symbol: "ATT/CSP12/WP.1" + "Rev.2" gives
    "ATT-CSP12-WP.1-Rev.2.docx"; without a symbol, the fallback ("paper-12")."""
    stem = "-".join(p for p in (symbol or fallback, *parts) if p)
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    clean = _UNSAFE.sub("-", ascii_stem).strip("-.") or fallback
    return f"{clean[:150]}.{suffix}"


def download(data: bytes, filename: str, content_type: str) -> Response:
    """The file as an attachment, with one Content-Type exactly as given.

    `content_type` is the whole header ("text/csv; charset=utf-8"): passed as a mimetype,
    Werkzeug would add a second charset to it.
    """
    response = Response(data, content_type=content_type)
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "download"
    disposition = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "private, no-store"
    return response
