"""Attached files, for every domain that takes them (confidential threads, discussions).

One set of checks (the types accepted, the size limit `MAX_ATTACHMENT_BYTES`, no empty file)
and one store: files are encrypted on disk under `ATTACHMENT_DIR`, outside the static folder,
under a random name, and served only through a view that authorises them first (`serve`: as
a download, never rendered inline, with the type we chose, not the one the browser sent).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Response, current_app
from flask_babel import gettext as _

from consult import crypto
from consult.errors import ServiceError

ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: The documents of a meeting's agenda items: PDF, Word and PowerPoint only.
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": ALLOWED_TYPES[".docx"],
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def limit() -> int:
    """The largest file accepted, in bytes."""
    return int(current_app.config["MAX_ATTACHMENT_BYTES"])


def check_file(
    name: str,
    data: bytes,
    error: type[ServiceError] = ServiceError,
    field: str | None = None,
    *,
    types: dict[str, str] | None = None,
    refusal: str | None = None,
) -> tuple[str, bytes, str]:
    """(file name, bytes, content type) of an accepted file; `error` refuses any other.
    `types` narrows what is accepted (suffix -> content type), `refusal` says so."""
    types = ALLOWED_TYPES if types is None else types
    suffix = Path(name).suffix.lower()
    if suffix not in types:
        raise error(
            refusal or _("Attach PDF, Word, Excel, CSV, text or image files only."), field=field
        )
    if len(data) > limit():
        raise error(
            _("An attachment can be at most %(mb)d MB.", mb=limit() // (1024 * 1024)),
            field=field,
        )
    if not data:
        raise error(_("That attachment is empty."), field=field)
    return Path(name).name[:200], data, types[suffix]


def folder() -> Path:
    path = Path(current_app.config["ATTACHMENT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(data: bytes) -> str:
    """Write the file encrypted under a random name; return the name."""
    stored = secrets.token_hex(16)
    (folder() / stored).write_bytes(crypto.encrypt(data))
    return stored


def read(stored_name: str) -> bytes:
    return crypto.decrypt((folder() / stored_name).read_bytes())


def remove(stored_name: str) -> None:
    (folder() / stored_name).unlink(missing_ok=True)


def serve(stored_name: str, content_type: str) -> Response:
    """The file as a download (never shown inline: an HTML or SVG file could run script)."""
    # content_type, not mimetype: Werkzeug would add a second charset to a "text/...; charset".
    response = Response(read(stored_name), content_type=content_type)
    response.headers["Content-Disposition"] = "attachment"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
