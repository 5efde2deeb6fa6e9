"""Questionnaires: a room's chair asks the room's delegations questions (each tagged with the
stages of implementation); each delegation answers once, its colleagues drafting and its focal
point submitting; the chair compiles the answers, exports them and makes a paper of them."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The rules, the blueprint, the room page's section, the dashboard and the library shelf."""
    from consult import waiting
    from consult.library import shelves
    from consult.notifications import reminders
    from consult.questionnaires import library, policy, routes, services
    from consult.rooms import contents

    policy.register()
    app.register_blueprint(routes.bp)
    contents.add(app, routes.room_section)
    waiting.add(app, services.waiting)
    shelves.add(app, library.SHELF)
    reminders.add(app, services.reminder_deadlines)
