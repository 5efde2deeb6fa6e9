"""The papers' shelves in the library: papers issued by chairs, accepted national
contributions, and chair's summaries.

Each lists only papers tagged with the page's terms, through `visible(Paper)` and the
facets in one statement; papers still being drafted never reach the library (not even for
their room's managers: the library holds what was issued), nor do pending contributions.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.sql import ColumnElement

from consult.accounts.models import Delegation
from consult.extensions import db
from consult.library import shelves
from consult.library.shelves import Entry, Query, Shelf
from consult.papers.models import ContributionStatus, Paper, PaperKind, PaperStatus, Revision
from consult.policy import visible

#: The kinds a chair issues that are not chair's summaries.
ISSUED = tuple(k for k in PaperKind if k.issued_by_chair and k is not PaperKind.CHAIR_SUMMARY)
NATIONAL = (PaperKind.NATIONAL_PAPER, PaperKind.NATIONAL_EXPERIENCE)


def _latest(column: Any) -> Any:
    """The paper's current revision's `column`, as a correlated subquery."""
    return (
        select(column)
        .where(Revision.paper_id == Paper.id)
        .order_by(Revision.number.desc())
        .limit(1)
        .correlate(Paper)
        .scalar_subquery()
    )


def _issued() -> list[ColumnElement[bool]]:
    return [Paper.status != PaperStatus.DRAFTING]


def _paper_shelf(
    key: str, label: Any, kinds: list[ColumnElement[bool]], attributed: bool, position: int
) -> Shelf:
    """A shelf of papers matching `kinds` (besides being issued and seen)."""
    delegation = Paper.submitted_by_delegation_id if attributed else None

    def where(user: Any, query: Query | None) -> list[ColumnElement[bool]]:
        clauses = [visible(Paper, user), *_issued(), *kinds]
        if query is not None:
            clauses += shelves.facets(
                query, Paper, date=_latest(Revision.created_at), delegation=delegation
            )
        return clauses

    def find(user: Any, query: Query) -> list[Entry]:
        number = _latest(Revision.number).label("number")
        issued = _latest(Revision.created_at).label("issued")
        rows = db.session.execute(
            shelves.page(
                select(Paper, number, issued, Delegation.name)
                .outerjoin(Delegation, Delegation.id == Paper.submitted_by_delegation_id)
                .where(*where(user, query))
                .order_by(issued.desc(), Paper.id.desc()),
                query,
            )
        ).all()
        return [_entry(paper, n, when, name) for paper, n, when, name in rows]

    def count(user: Any, query: Query) -> int:
        return shelves.count_of(Paper, *where(user, query))

    def counts(user: Any) -> dict[int, int]:
        return shelves.counts_by_term(Paper, *where(user, None))

    return Shelf(key, label, find, count=count, counts=counts, position=position)


def _entry(paper: Paper, number: int | None, when: Any, delegation: str | None) -> Entry:
    notes = []
    if number:
        notes.append(f"Rev.{number}")
    if paper.status is PaperStatus.WITHDRAWN:
        notes.append(_("Withdrawn"))
    elif paper.status is PaperStatus.ADOPTED:
        notes.append(_("Adopted"))
    return Entry(
        title=paper.title,
        url=url_for("papers.paper", paper_id=paper.id),
        date=when or paper.created_at,
        kind=paper.kind.label,
        delegation=delegation,
        place=paper.room.title,
        note=", ".join(notes) or None,
        extra={"symbol": paper.symbol},
    )


def register(app: Flask) -> None:
    """The three shelves, in the order the library shows them."""
    shelves.add(
        app,
        _paper_shelf(
            "papers",
            _l("Papers"),
            [Paper.kind.in_(ISSUED), Paper.contribution_status.is_(None)],
            attributed=False,
            position=10,
        ),
    )
    shelves.add(
        app,
        _paper_shelf(
            "contributions",
            _l("National contributions"),
            [Paper.kind.in_(NATIONAL), Paper.contribution_status == ContributionStatus.ACCEPTED],
            attributed=True,
            position=20,
        ),
    )
    shelves.add(
        app,
        _paper_shelf(
            "summaries",
            _l("Chair's summaries"),
            [Paper.kind == PaperKind.CHAIR_SUMMARY],
            attributed=False,
            position=50,
        ),
    )
