"""The library's shelves, as the domains describe them.

A shelf is one kind of entry (papers, case studies, answers ...). Its `find(user, query)`
returns the entries tagged with the query's terms that the person may see, selected in SQL
through `consult.policy.visible` and filtered by the query's facets in the same statement
(a bounded number of queries whatever the data). The library page asks every shelf the
query's `kind` allows, in the order the domains registered them.

A shelf selecting rows of one model builds its WHERE clause with `facets(...)` (the terms,
the Treaty article, the transfer activity, the year and the delegation or regional group),
its count with `count_of(...)` and its entries per term for the library's index with
`counts_by_term(...)`: so every shelf filters the same way, and nothing one may not see is
listed or counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy import Select, false, func, literal, select, union_all
from sqlalchemy.sql import ColumnElement

from consult.extensions import db
from consult.taxonomy.models import Tag, Term
from consult.taxonomy.services import tagged, tagged_article

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

    @property
    def by_delegation(self) -> bool:
        """A delegation or a regional group is chosen: only attributed entries can match."""
        return self.delegation_id is not None or self.region_id is not None


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
    to find its entries.

    `find(user, query)` returns at most `query.limit` entries from `query.offset`, newest
    first; `count(user, query)` how many the person may see in all for the query (for "12
    more"); `counts(user)` the entries the person may see per term id, a stage counting its
    sub-topics' entries too (for the library's index). Each is a bounded number of
    statements, whatever the data."""

    key: str
    label: Any
    find: Callable[[Any, Query], list[Entry]]
    count: Callable[[Any, Query], int] | None = None
    counts: Callable[[Any], dict[int, int]] | None = None
    #: Where the shelf stands on the page (lower first; see docs/library.md, "Adding a shelf").
    position: int = 100


def add(app: Flask, shelf: Shelf) -> None:
    """Add a shelf to the library of `app` (from a domain's `register(app)`)."""
    shelves = app.extensions.setdefault(_KEY, [])
    if any(s.key == shelf.key for s in shelves):
        raise ValueError(f"a library shelf {shelf.key!r} is already registered")
    shelves.append(shelf)


def all_shelves() -> list[Shelf]:
    """The shelves in page order (by position, then as registered)."""
    return sorted(current_app.extensions.get(_KEY, []), key=lambda s: s.position)


def get(key: str) -> Shelf | None:
    return next((s for s in all_shelves() if s.key == key), None)


# ---- the shared SQL of a shelf ---------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of the year and of the next (UTC), for a range the index can use."""
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def region_delegation_ids(region_id: int) -> Select:
    """The ids of a regional group's member delegations (nothing for an unknown group)."""
    from consult.groups.models import Group
    from consult.groups.services import member_delegation_ids

    group = db.session.get(Group, region_id)  # the page loaded it already: no statement
    if group is None:
        return select(Group.id).where(false())
    return member_delegation_ids(group)


def facets(
    query: Query,
    model: type,
    *,
    date: Any = None,
    delegation: Any = None,
    attributed: Any = None,
    terms: bool = True,
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of `query` on `model`: tagged with one of its terms (unless
    `terms=False`, for the index's counts), the Treaty article and the transfer activity (as
    tagged), the year of `date` (a column or SQL expression), and the delegation or regional
    group `delegation` (the column naming the delegation an entry is attributed to; a shelf
    of unattributed entries passes None and lists nothing once a delegation is chosen; one
    whose entries are attributed or not, row by row, passes the condition as `attributed`:
    an unattributed entry must never be found by its origin). `model` is the row the tags
    are on (an answer's question)."""
    where: list[ColumnElement[bool]] = []
    if terms:
        where.append(tagged(model, query.term_ids))
    if query.article is not None:
        where.append(tagged_article(model, query.article))
    if query.activity_id is not None:
        where.append(tagged(model, [query.activity_id]))
    if query.year is not None:
        if date is None or not 1 <= query.year < 9999:  # no such year: nothing, never an error
            where.append(false())
        else:
            start, end = year_bounds(query.year)
            where.extend([date >= start, date < end])
    if query.by_delegation and delegation is None:
        where.append(false())
    if query.by_delegation and attributed is not None:
        where.append(attributed)
    if query.delegation_id is not None and delegation is not None:
        where.append(delegation == query.delegation_id)
    if query.region_id is not None and delegation is not None:
        where.append(delegation.in_(region_delegation_ids(query.region_id)))
    return where


def count_of(model: type, *where: ColumnElement[bool]) -> int:
    """How many rows of `model` match (one statement)."""
    return db.session.scalar(select(func.count(model.id)).where(*where)) or 0


def counts_by_term(model: type, *where: ColumnElement[bool]) -> dict[int, int]:
    """How many rows of `model` matching `where` are tagged with each term: a sub-topic its
    own, a stage those tagged with it or with any of its sub-topics (each row once). One
    statement, whatever the number of terms and rows."""
    rows = select(model.id.label("subject_id"), model.id.label("item_id")).where(*where)
    return counts_through(model, rows)


def counts_through(tagged_model: type, pairs: Select) -> dict[int, int]:
    """`counts_by_term` for entries tagged through another row (an answer through its
    question): `pairs` selects `subject_id` (the tagged `tagged_model` row) and `item_id`
    (the entry counted), each entry counted once per term. One statement."""
    kind = tagged_model.__tablename__
    rows = pairs.subquery()
    stage = func.coalesce(Term.parent_id, Term.id)
    own = (
        select(literal(0).label("level"), Tag.term_id, func.count(func.distinct(rows.c.item_id)))
        .select_from(Tag)
        .join(Term, Term.id == Tag.term_id)
        .join(rows, rows.c.subject_id == Tag.subject_id)
        .where(Tag.subject_type == kind, Term.parent_id.is_not(None))
        .group_by(Tag.term_id)
    )
    rolled = (
        select(literal(1).label("level"), stage, func.count(func.distinct(rows.c.item_id)))
        .select_from(Tag)
        .join(Term, Term.id == Tag.term_id)
        .join(rows, rows.c.subject_id == Tag.subject_id)
        .where(Tag.subject_type == kind)
        .group_by(stage)
    )
    return {term_id: n for _level, term_id, n in db.session.execute(union_all(own, rolled))}


def page(statement: Select, query: Query) -> Select:
    """The statement limited to the query's page."""
    return statement.limit(query.limit).offset(query.offset)
