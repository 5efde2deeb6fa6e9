"""Groups of delegations that speak together: the five UN regional groups and the groups the
Secretariat defines (for example the EU with its aligned States), each with a coordinator."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The rules for groups and the Secretariat's pages for them."""
    from consult.groups import policy, routes

    policy.register()
    app.register_blueprint(routes.bp)
