"""Accounts: delegations, people, signing in, sessions, two-factor and hand-over."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint and the rules for people and delegations."""
    from consult.accounts import policy, routes

    policy.register()
    app.register_blueprint(routes.bp)
