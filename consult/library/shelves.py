"""The library's shelves, as the domains describe them.

A shelf is one kind of entry (papers, case studies, answers ...). Its `find(user, query)`
returns the entries tagged with the query's terms that the person may see, selected in SQL
through `consult.policy.visible` and filtered by the query's facets in the same statement
(a bounded number of queries whatever the data). The library page asks every shelf the
query's `kinds` allow, in the order the domains registered them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup

_KEY = "consult.library_shelves"


@dataclass(frozen=True)
class Query:
    """What the library page asks for: the terms (a stage with its sub-topics, or one
    sub-topic) and the facets chosen (None: any)."""

    term_ids: tuple[int, ...]
    #: A Treaty article (1-28).
    article: int | None = None
    #: A regional group's id (consult.groups): entries from its member delegations.
    region_id: int | None = None
    delegation_id: int | None = None
    year: int | None = None
    #: A transfer activity's term id (import, export, transit, trans-shipment, brokering).
    activity_id: int | None = None
    #: The most entries a shelf lists on one page, and how many it skips.
    limit: int = 50
    offset: int = 0


@dataclass
class Entry:
    """One line of a shelf: what it is, where it is, who it is from and when."""

    title: str
    url: str
    date: datetime | None
    #: What kind of entry this is ("Working paper", "Case study" ...).
    kind: str
    #: The delegation it is attributed to; None when unattributed or issued by a chair.
    delegation: str | None = None
    #: Where it lives (the room's title), when that is worth saying.
    place: str | None = None
    #: A short excerpt (already safe HTML) or plain text.
    summary: Markup | str | None = None
    #: Extra words shown beside the title ("Rev.2", "Withdrawn" ...).
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Shelf:
    """A kind of entry in the library: its `key` (the `kind` facet's value), its label and how
    to find its entries."""

    key: str
    label: Any
    find: Callable[[Any, Query], list[Entry]]
    #: How many entries the person may see in all for the query (for "12 more").
    count: Callable[[Any, Query], int] | None = None


def add(app: Flask, shelf: Shelf) -> None:
    """Add a shelf to the library of `app` (from a domain's `register(app)`)."""
    app.extensions.setdefault(_KEY, []).append(shelf)


def all_shelves() -> list[Shelf]:
    return list(current_app.extensions.get(_KEY, []))


def get(key: str) -> Shelf | None:
    return next((s for s in all_shelves() if s.key == key), None)
