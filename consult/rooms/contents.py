"""What a room contains, as other domains describe it (papers, meetings ...).

The rooms package does not import the domains built on it; each adds its sections from its
`register(app)`, and the room page shows them in the order the domains are registered
(`consult.DOMAINS`), each section the domain returns for this person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, abort, current_app

Section = tuple[str, dict[str, Any]]
Provider = Callable[[Any, Any], Section | None]
_KEY = "consult.room_sections"


def add(app: Flask, provider: Provider) -> None:
    """Add `provider(room, user) -> (template, context) | None` to the room page of `app`."""
    app.extensions.setdefault(_KEY, []).append(provider)


def sections(room, user) -> list[Section]:
    providers = current_app.extensions.get(_KEY, [])
    return [s for s in (provider(room, user) for provider in providers) if s is not None]


def not_confidential(room):
    """404 for a confidential forum: its exchanges are threads (consult.threads), never
    discussions or case studies; the room itself otherwise."""
    from consult.rooms.models import AccessLevel

    if room.access is AccessLevel.CONFIDENTIAL:
        abort(404)
    return room
