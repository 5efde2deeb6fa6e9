"""Rooms: access by delegation status, membership and room role; join requests."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint and the rules for rooms and memberships."""
    from consult.rooms import policy, routes

    policy.register()
    app.register_blueprint(routes.bp)
    from consult.rooms import events

    events.register(app)
