"""Group statements: drafted together in a group's room, agreed by the group, delivered."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules, the room page's section and the dashboard's lines."""
    from consult import waiting
    from consult.notifications import reminders
    from consult.rooms import contents
    from consult.statements import policy, routes, services, templating

    policy.register()
    reminders.add(app, services.reminder_deadlines)
    app.register_blueprint(routes.bp)
    contents.add(app, templating.room_statements)
    waiting.add(app, templating.waiting_for)
