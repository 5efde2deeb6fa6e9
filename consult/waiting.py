""" "Waiting for you" on the dashboard: what each domain asks of this person now.

Like the room page's sections (`consult.rooms.contents`), the dashboard does not import the
domains: each adds a provider from its `register(app)`. A provider returns what is waiting for
this person, selected through the policy's visible filters (nothing one may not see, not even
as a count), and the dashboard shows them in one list above "since your last visit".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class Waiting:
    """One line: what kind of thing waits ("Statement to agree"), on what, where it opens."""

    kind: str
    title: str
    url: str
    #: Since when it waits (or its deadline, when `due` is set): the list is newest first.
    since: datetime | None = None
    #: A deadline, shown beside the line.
    due: datetime | None = None
    #: How many (unread posts of a topic, comments to decide ...); None shows no count.
    count: int | None = None


Provider = Callable[[Any], list[Waiting]]
_KEY = "consult.waiting"


def add(app: Flask, provider: Provider) -> None:
    """Add `provider(user) -> [Waiting, ...]` to the dashboard of `app`."""
    app.extensions.setdefault(_KEY, []).append(provider)


def for_person(user: Any) -> list[Waiting]:
    """Everything waiting for `user`: deadlines soonest first, then the newest."""
    items = [item for provider in current_app.extensions.get(_KEY, []) for item in provider(user)]
    due = sorted((i for i in items if i.due is not None), key=lambda i: i.due)
    rest = sorted(
        (i for i in items if i.due is None),
        key=lambda i: i.since or datetime.min,
        reverse=True,
    )
    return due + rest
