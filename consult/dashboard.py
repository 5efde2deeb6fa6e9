"""Sections of the dashboard that other domains describe (a meeting's "Now" and "Next").

As for the room page (`consult.rooms.contents`), the dashboard does not import the domains:
each adds a provider from its `register(app)`, which returns a template and its context for
this person, selected through the policy's visible filters, or None to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

Section = tuple[str, dict[str, Any]]
Provider = Callable[[Any], Section | None]
_KEY = "consult.dashboard_sections"


def add(app: Flask, provider: Provider) -> None:
    """Add `provider(user) -> (template, context) | None` to the dashboard of `app`."""
    app.extensions.setdefault(_KEY, []).append(provider)


def sections(user: Any) -> list[Section]:
    providers = current_app.extensions.get(_KEY, [])
    return [s for s in (provider(user) for provider in providers) if s is not None]
