"""Written procedure: the President or a chair circulates a draft decision to the States
Parties of a room with a deadline; under the silence procedure it is adopted unless a State
Party objects, under explicit approval only if enough approve; the outcome is recorded at the
deadline and goes out as the Secretariat's letter."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The rules, the blueprint, the live channel, the room page's section, the sweep command."""
    from consult import jobs
    from consult.notifications import reminders
    from consult.procedures import cli, events, policy, routes, services
    from consult.rooms import contents

    policy.register()
    app.register_blueprint(routes.bp)
    events.register(app)
    contents.add(app, routes.room_section)
    app.cli.add_command(cli.close_procedures)
    jobs.add(app, "close-procedures", cli.SWEEP_EVERY, cli.sweep)
    reminders.add(app, services.reminder_deadlines)
