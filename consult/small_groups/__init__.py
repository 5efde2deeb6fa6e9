"""Small groups that office holders open: a chair or facilitator opens a small-group room under
a room they chair, its members drawn from that room's audience (never wider); the Secretariat
sees every such room and can close (and reopen) it."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint and the room page's "Small groups" section for the room's managers."""
    from consult.rooms import contents
    from consult.small_groups import routes

    app.register_blueprint(routes.bp)
    contents.add(app, routes.room_section)
