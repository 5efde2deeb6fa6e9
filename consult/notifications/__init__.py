"""Notifications: what happened that concerns a person, through the policy."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The notifications page."""
    from consult.notifications import routes

    app.register_blueprint(routes.bp)
