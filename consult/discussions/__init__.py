"""Discussions: topics in every room that is not confidential, replies, quotes, edits with
their history, and the chairs' powers (pin, close, reopen, move, hide with a reason)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules, the live channel, the room page's section and the
    dashboard's "Unread posts" and the library's shelf of discussions."""
    from consult import waiting
    from consult.discussions import events, library, policy, routes, services
    from consult.rooms import contents

    policy.register()
    from consult import mentions
    from consult.discussions.models import Topic
    from consult.rooms.models import Room

    mentions.add_place("topic", Topic)
    mentions.add_place("room", Room)  # a discussion not yet started: its room's people
    app.register_blueprint(routes.bp)
    contents.add(app, routes.room_section)
    events.register(app)
    waiting.add(app, services.waiting_for)
    library.register(app)
