"""The handover registry: every domain moves what a departing person holds for the delegation.

The accounts package does not import the domains built on it. Each domain declares one `Step`
(rooms: room roles; threads: need-to-know lists; papers: follows; meetings: floor requests) and
adds it from its `register(app)` with `add(app, step)`; `consult.accounts.services.hand_over`
runs them all in one transaction, in order. Every
other right a person holds for their delegation joins this registry as it is built, so a
handover never leaves anything behind with the departing account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, has_app_context


@dataclass
class Moved:
    """What one step moved, for the audit record and the message after the handover."""

    name: str
    label: str
    count: int


@dataclass
class Handover:
    """One handover in progress, handed to every step.

    `grant_history` is set when the departing person's own delegation (its focal point, or the
    person themself) chose to grant the successor their confidential history in the same step;
    steps add sentences to `notes` to say what they did beyond moving things.
    """

    departing: Any
    successor: Any
    actor: Any
    grant_history: bool = False
    notes: list[str] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One domain's part of a handover.

    `held(departing, viewer)` lists, in words the viewer may read (never confidential content),
    what the person holds now; `move(handover)` moves it and returns how many things moved. `order`
    keeps dependencies right: room roles move first, so later steps may rely on the
    successor's new memberships.
    """

    name: str
    label: Any  # a lazy string: "Room roles", "Papers followed" ...
    held: Callable[[Any, Any], list[str]]
    move: Callable[[Handover], int]
    order: int = 100


_KEY = "consult.handover_steps"


def add(app: Flask, step: Step) -> Step:
    """Add a domain's step to the handovers of `app` (from the domain's `register(app)`)."""
    app.extensions.setdefault(_KEY, {})[step.name] = step
    return step


def steps() -> list[Step]:
    added = current_app.extensions.get(_KEY, {}) if has_app_context() else {}
    return sorted(added.values(), key=lambda s: (s.order, s.name))


def held(departing: Any, viewer: Any) -> list[tuple[Step, list[str]]]:
    """What each domain would move, for the handover page (steps with nothing are left out)."""
    result = []
    for step in steps():
        items = step.held(departing, viewer)
        if items:
            result.append((step, items))
    return result


def move_all(handover: Handover) -> list[Moved]:
    """Run every registered step; the caller deactivates the departing account afterwards."""
    return [Moved(step.name, str(step.label), step.move(handover)) for step in steps()]
