"""Trend briefs: the chair's unattributed summary of a confidential forum, for a wider room."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules, the room page's sections (after the threads') and the
    library's shelf of published briefs."""
    from consult.briefs import library, policy, routes
    from consult.rooms import contents

    policy.register()
    app.register_blueprint(routes.bp)
    contents.add(app, routes.room_briefs)
    contents.add(app, routes.published_briefs)
    library.register(app)
