"""What the assistance domain adds to other pages: the library's shelf of requests for
assistance (only those the person may see) and the Secretariat's "waiting for you" line."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from consult.assistance.models import AssistanceRequest, RequestStatus
from consult.assistance.services import waiting_to_match as _open_requests
from consult.extensions import db
from consult.library import shelves
from consult.links import path_for
from consult.policy import Need, can, visible
from consult.waiting import Waiting


def _seen(user: Any) -> list:
    return [visible(AssistanceRequest, user), AssistanceRequest.status != RequestStatus.WITHDRAWN]


def _query(user: Any, query: shelves.Query):
    return select(AssistanceRequest).where(
        *_seen(user),
        *shelves.facets(
            query,
            AssistanceRequest,
            date=AssistanceRequest.created_at,
            delegation=AssistanceRequest.delegation_id,
        ),
    )


def _find(user: Any, query: shelves.Query) -> list[shelves.Entry]:
    rows = db.session.scalars(
        _query(user, query)
        .order_by(AssistanceRequest.created_at.desc(), AssistanceRequest.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    return [
        shelves.Entry(
            title=r.title,
            url=path_for("assistance.request_page", request_id=r.id),
            date=r.created_at,
            kind=str(_l("Request for assistance")),
            delegation=r.delegation.name,
            note=r.status.label,
            summary=", ".join(k.label for k in r.help_kinds),
        )
        for r in rows
    ]


def _count(user: Any, query: shelves.Query) -> int:
    return db.session.scalar(select(func.count()).select_from(_query(user, query).subquery()))


def _counts(user: Any) -> dict[int, int]:
    return shelves.counts_by_term(AssistanceRequest, *_seen(user))


SHELF = shelves.Shelf(
    key="assistance",
    label=_l("Requests for assistance"),
    find=_find,
    count=_count,
    counts=_counts,
    position=80,
)


def waiting_to_match(user: Any) -> list[Waiting]:
    """For the Secretariat: open requests still to be matched with an offer."""
    if not can(Need.ADMINISTER, None, user):
        return []
    return [
        Waiting(
            kind=str(_l("Request for assistance to match")),
            title=f"{r.title} ({r.delegation.name})",
            url=path_for("assistance.request_page", request_id=r.id),
            since=r.created_at,
        )
        for r in _open_requests()
    ]
