"""Accounts: delegations, people, signing in, sessions, two-factor, hand-over and kept text."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprints and the rules for people, delegations and their sessions."""
    from consult.accounts import kept, policy, routes

    policy.register()
    app.register_blueprint(routes.bp)
    app.register_blueprint(kept.bp)
