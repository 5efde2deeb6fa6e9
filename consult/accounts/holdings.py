"""What a delegation's people hold, as the domains built on accounts describe it.

The "My delegation" page lists every colleague with what they hold (rooms: their room roles)
so that a focal point sees what a handover would move. The accounts package does not import
the domains built on it: each adds a provider from its `register(app)`, as room page sections
do (`consult.rooms.contents`). A provider answers for the whole delegation at once, so the
page's query count does not grow with its size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

#: provider(delegation, people) -> template context for the delegation page.
Provider = Callable[[Any, list[Any]], dict[str, Any]]
_KEY = "consult.delegation_holdings"


def add(app: Flask, provider: Provider) -> None:
    """Add `provider` to the delegation page of `app`."""
    app.extensions.setdefault(_KEY, []).append(provider)


def context(delegation: Any, people: list[Any]) -> dict[str, Any]:
    """What every domain adds to the page, for these people of this delegation."""
    result: dict[str, Any] = {}
    for provider in current_app.extensions.get(_KEY, []):
        result.update(provider(delegation, people))
    return result
