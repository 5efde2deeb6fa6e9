"""The trend briefs' shelf in the library: briefs published in a room one sees and tagged
(at publication) with the page's terms.

A published brief is unattributed by design: it names no delegation, so a delegation or
regional-group filter never matches it, and its line links to the room it was published
in (where it is read), never back to the confidential room.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.sql import ColumnElement

from consult.briefs.models import PublishedBrief
from consult.extensions import db
from consult.library import shelves
from consult.library.shelves import Entry, Query, Shelf
from consult.policy import visible
from consult.rooms.models import Room

#: How much of a brief's text its line shows.
EXCERPT = 240


def _where(user: Any, query: Query | None) -> list[ColumnElement[bool]]:
    clauses = [visible(PublishedBrief, user)]
    if query is not None:
        clauses += shelves.facets(query, PublishedBrief, date=PublishedBrief.published_at)
    return clauses


def _excerpt(html: Markup | None) -> str:
    text = " ".join(html.striptags().split()) if html else ""
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def find(user: Any, query: Query) -> list[Entry]:
    rows = db.session.execute(
        shelves.page(
            select(PublishedBrief, Room.slug, Room.title)
            .join(Room, Room.id == PublishedBrief.room_id)
            .where(*_where(user, query))
            .order_by(PublishedBrief.published_at.desc(), PublishedBrief.id.desc()),
            query,
        )
    ).all()
    return [
        Entry(
            title=_("Trend brief of the chair of a confidential forum"),
            # The room's section of published briefs: an id of the brief in the room page's
            # markup could be read against the confidential room's (tests/test_briefs.py).
            url=url_for("rooms.room", slug=slug, _anchor="published-briefs-title"),
            date=brief.published_at,
            kind=_("Trend brief"),
            place=title,
            summary=_excerpt(brief.body_html),
        )
        for brief, slug, title in rows
    ]


def count(user: Any, query: Query) -> int:
    return shelves.count_of(PublishedBrief, *_where(user, query))


def counts(user: Any) -> dict[int, int]:
    return shelves.counts_by_term(PublishedBrief, *_where(user, None))


def register(app: Flask) -> None:
    shelves.add(
        app, Shelf("briefs", _l("Trend briefs"), find, count=count, counts=counts, position=60)
    )
