"""Confidential threads: TLP markings, need-to-know, read records, attachments."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules and the room page's threads section."""
    from consult.accounts import handover
    from consult.rooms import contents
    from consult.threads import events, policy, routes, services

    policy.register()
    app.register_blueprint(routes.bp)
    contents.add(app, routes.room_threads)
    events.register(app)
    handover.add(app, services.NEED_TO_KNOW_LISTS)
