"""Confidential threads: TLP markings, need-to-know, read records, attachments."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules, the room page's threads section and the template's gate."""
    from consult import policy as access
    from consult.rooms import contents
    from consult.threads import policy, routes

    policy.register()
    app.register_blueprint(routes.bp)
    contents.add(app, routes.room_threads)
    # Templates ask the one confidential gate (consult.policy.gate_closed), never restate it.
    app.jinja_env.globals["gate_closed"] = access.gate_closed
