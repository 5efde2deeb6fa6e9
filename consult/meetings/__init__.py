"""Meetings: agenda, speakers' list, chair's console, projector, calendar."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules and the room page's meetings section."""
    from consult import waiting
    from consult.accounts import handover
    from consult.meetings import events, policy, routes, services
    from consult.rooms import contents

    policy.register()
    app.register_blueprint(routes.bp)
    contents.add(app, routes.room_meetings)
    events.register(app)
    handover.add(app, services.FLOOR_REQUESTS)
    waiting.add(app, services.waiting_for_group)
    app.add_template_filter(services.clock, "clock")
    app.add_template_filter(services.minutes, "minutes")
