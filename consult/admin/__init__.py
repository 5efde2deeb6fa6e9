"""The Secretariat's administration: delegations, people, rooms, audit."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The Secretariat's pages."""
    from consult.admin import routes

    app.register_blueprint(routes.bp)
