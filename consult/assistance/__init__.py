"""Needs and assistance: a State files a request for assistance (by stage and kind of help,
private or open to the States Parties), States, organisations and the Secretariat post offers,
and the Secretariat matches them, which opens a private room for the parties. The Secretariat
sees the unmet needs by regional group and stage, and records the Voluntary Trust Fund's calls.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The rules, the pages, the Secretariat's "waiting for you" line, the library's shelf of
    requests, and a filter for days (a call's deadline)."""
    from consult import dates, waiting
    from consult.assistance import policy, providers, routes
    from consult.library import shelves

    policy.register()
    app.register_blueprint(routes.bp)
    waiting.add(app, providers.waiting_to_match)
    shelves.add(app, providers.SHELF)
    app.jinja_env.filters.setdefault("vtf_day", lambda value, style="day": dates.day(value, style))
