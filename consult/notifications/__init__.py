"""Notifications: what happened that concerns a person, through the policy."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The notifications page, and unread replies under "waiting for you" on the dashboard."""
    from consult import waiting
    from consult.notifications import routes, services

    app.register_blueprint(routes.bp)
    waiting.add(app, services.waiting_replies)
