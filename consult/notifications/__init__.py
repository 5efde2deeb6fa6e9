"""Notifications: what happened that concerns a person, through the policy."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The notifications page and the e-mail settings, unread replies under "waiting for you"
    on the dashboard, and the jobs and commands of the e-mail (sender, digests, reminders)."""
    from consult import waiting
    from consult.notifications import cli, routes, services

    app.register_blueprint(routes.bp)
    waiting.add(app, services.waiting_replies)
    cli.register(app)
