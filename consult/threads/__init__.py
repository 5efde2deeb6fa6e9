"""Confidential threads: TLP markings, need-to-know, read records, attachments."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules and the room page's threads section."""
    from consult.rooms import contents
    from consult.threads import brief_routes, briefs, policy, routes

    policy.register()
    briefs.register()
    app.register_blueprint(routes.bp)
    app.register_blueprint(brief_routes.bp)
    contents.add(app, routes.room_threads)
    contents.add(app, brief_routes.room_briefs)
    contents.add(app, brief_routes.published_briefs)
    from consult.threads import events

    events.register(app)
