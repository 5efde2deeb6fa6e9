"""The one helper that decides between a whole page and an htmx fragment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g, make_response, render_template
from htmx_flask import request


def wants_fragment() -> bool:
    """An htmx request that is not a history restore gets the bare fragment."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@dataclass
class Page:
    """A page to render once the request's changes are committed (see consult.handlers)."""

    page: str
    fragment: str | None = None
    status: int = 200
    context: dict[str, Any] = field(default_factory=dict)

    def respond(self):
        template = self.fragment if self.fragment and wants_fragment() else self.page
        response = make_response(render_template(template, **self.context), self.status)
        response.vary.add("HX-Request")
        return response

    @classmethod
    def error(cls, status: int, message: str) -> Page:
        """The error page (or fragment) with this status and message."""
        from flask_babel import gettext as _

        title = _("Not possible")
        return cls(
            "errors/error.html",
            "errors/_error.html",
            status,
            {"status": status, "title": title, "message": message},
        )


def render(page: str, fragment: str | None = None, status: int = 200, **context: Any):
    """Render `page`, or `fragment` for htmx, from the same context; both vary on HX-Request.

    Under a handler the page is rendered after the commit (a `Page` the handler renders).
    """
    deferred = Page(page, fragment, status, context)
    return deferred if g.get("_defer_render") else deferred.respond()


def redirect(url: str):
    """Redirect that works for both: htmx follows HX-Location, browsers a 303."""
    if request.htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    response = make_response("", 303)
    response.headers["Location"] = url
    return response
