"""File downloads: exports and records, never kept by shared or browser caches."""

from __future__ import annotations

from flask import Response

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
