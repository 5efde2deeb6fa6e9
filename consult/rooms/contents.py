"""What a room contains, as other domains describe it (papers, meetings ...).

The rooms package does not import the domains built on it; they register a section here and
the room page shows each section the domain returns for this person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Section = tuple[str, dict[str, Any]]
_providers: list[Callable[[Any, Any], Section | None]] = []


def section(provider: Callable[[Any, Any], Section | None]) -> Callable:
    """Register `provider(room, user) -> (template, context)` for the room page."""
    _providers.append(provider)
    return provider


def sections(room, user) -> list[Section]:
    return [s for s in (provider(room, user) for provider in _providers) if s is not None]
