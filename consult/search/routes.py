"""The search page: one box in the header, results through the visible filters."""

from __future__ import annotations

from flask import Blueprint, g, url_for
from flask_login import current_user

from consult.handlers import handler
from consult.htmx import render
from consult.search import services
from consult.search.sources import SOURCES

bp = Blueprint("search", __name__)


@bp.route("/search")
@handler()
def index():
    """Search what this person may see (a GET form: it works without JavaScript)."""
    user = current_user._get_current_object()
    query, errors = services.parse()
    results = None
    if not errors and query.text:
        results = services.search(user, query)
        if services.gate_open():
            g.no_store = True  # confidential titles and words may be on the page
    kinds = [s for s in SOURCES if not s.gated or services.gate_open()]
    return render(
        "search/index.html",
        status=422 if errors else 200,
        query=query,
        errors=errors,
        results=results,
        kinds=kinds,
        stages=services.stages(),
        page_url=lambda **changes: url_for("search.index", **query.args(**changes)),
        max_query=services.MAX_QUERY,
    )
