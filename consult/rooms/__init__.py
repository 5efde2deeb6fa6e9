"""Rooms: access by delegation status, membership and room role; join requests."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules for rooms and memberships, the room roles' part of a handover
    and of the delegation page."""
    from consult.accounts import handover, holdings
    from consult.rooms import events, policy, routes, services

    policy.register()
    app.register_blueprint(routes.bp)
    handover.add(app, services.ROOM_ROLES)
    holdings.add(app, services.delegation_rooms)
    events.register(app)
