"""Logs: JSON lines on stdout in production, one line per request, never a body or a form.

Operators feed stdout to journald or a log shipper; one JSON object per line needs no parser.
The request line carries method, path, status, duration and the signed-in person's id, and
nothing a person typed: bodies, form data and query strings are never logged, and the one-time
tokens of reset and invitation links are masked in the path.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, request
from werkzeug.wsgi import ClosingIterator

REQUEST_LOGGER = "consult.request"
#: A dict the middleware puts in the environ and the app fills in. Shared by reference, because
#: the layers in between may copy the environ (engineio does, under gunicorn).
_NOTES_KEY = "consult.log"
#: URL parts that are secrets in themselves (single-use links sent by e-mail).
SECRET_VIEW_ARGS = ("token",)


class JsonFormatter(logging.Formatter):
    """One JSON object per record; the request fields travel in `record.request`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "request", None)
        if isinstance(fields, dict):
            entry["event"] = "request"
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(app: Flask) -> None:
    """JSON lines on stdout, or the usual text on stderr in development."""
    level = str(app.config.get("LOG_LEVEL") or "INFO").upper()
    root = logging.getLogger()
    if str(app.config.get("LOG_FORMAT") or "text").lower() == "json":
        if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(JsonFormatter())
            # An earlier text handler would write every record a second time.
            root.handlers = [handler]
    else:
        logging.basicConfig()
    root.setLevel(level)


def install(app: Flask) -> None:
    """Log one line per request, Socket.IO included: wrap the WSGI app as the outermost layer."""

    @app.after_request
    def _note_request(response):
        """Hand the masked path and the person's id to the middleware (it cannot see them)."""
        notes = request.environ.get(_NOTES_KEY)
        if notes is None:
            return response
        path = request.path
        for name in SECRET_VIEW_ARGS:
            value = (request.view_args or {}).get(name)
            if isinstance(value, str) and value:
                path = path.replace(value, "…")
        notes["path"] = path
        # Only a person already loaded by the request: logging must not add a query.
        user = g.get("_login_user")
        if user is not None and getattr(user, "is_authenticated", False):
            notes["user_id"] = user.id
        return response

    app.wsgi_app = RequestLogMiddleware(app.wsgi_app)  # type: ignore[method-assign]


class RequestLogMiddleware:
    """Times a request until its body is sent (or its WebSocket closes), then logs one line."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app
        self.logger = logging.getLogger(REQUEST_LOGGER)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: dict[str, int] = {}
        environ[_NOTES_KEY] = {}

        def recording_start_response(status: str, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, recording_start_response)
        except BaseException:
            self._log(environ, seen.get("status") or _closed_status(environ), started)
            raise
        return ClosingIterator(
            body, lambda: self._log(environ, seen.get("status") or _closed_status(environ), started)
        )

    def _log(self, environ: dict, status: int, started: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        notes = environ.get(_NOTES_KEY) or {}
        fields = {
            "method": environ.get("REQUEST_METHOD", ""),
            "path": notes.get("path") or environ.get("PATH_INFO", ""),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": notes.get("user_id"),
        }
        self.logger.info(
            "%(method)s %(path)s %(status)s %(duration_ms)sms user=%(user_id)s",
            fields,
            extra={"request": fields},
        )


def _closed_status(environ: dict) -> int:
    """A WebSocket that ends never calls start_response: report it as the upgrade it was."""
    return 101 if environ.get("HTTP_UPGRADE", "").lower() == "websocket" else 500
