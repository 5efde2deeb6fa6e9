"""The one helper that decides between a whole page and an htmx fragment."""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template
from htmx_flask import request


def wants_fragment() -> bool:
    """An htmx request that is not a history restore gets the bare fragment."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render(page: str, fragment: str | None = None, status: int = 200, **context: Any):
    """Render `page`, or `fragment` for htmx, from the same context; both vary on HX-Request."""
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def redirect(url: str):
    """Redirect that works for both: htmx follows HX-Location, browsers a 303."""
    if request.htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    response = make_response("", 303)
    response.headers["Location"] = url
    return response
