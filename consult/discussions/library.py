"""The discussions' shelf in the library: topics tagged with the page's terms.

A topic is attributed to the delegation that started it, except under the Chatham House
Rule, where only the room's managers (and the Secretariat) see who started it: for anyone
else such a topic shows no delegation and a delegation or regional-group filter never
matches it (a filter must not tell what the page does not).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import or_, select
from sqlalchemy.sql import ColumnElement

from consult.accounts.models import Delegation
from consult.discussions.models import Topic
from consult.extensions import db
from consult.library import shelves
from consult.library.shelves import Entry, Query, Shelf
from consult.policy import visible
from consult.rooms.models import Room
from consult.rooms.policy import managed_room_ids


def _sees_author(user: Any) -> ColumnElement[bool]:
    return or_(Topic.is_chatham_house.is_(False), Topic.room_id.in_(managed_room_ids(user)))


def _where(user: Any, query: Query | None) -> list[ColumnElement[bool]]:
    clauses = [visible(Topic, user)]
    if query is not None:
        clauses += shelves.facets(
            query, Topic, date=Topic.created_at, delegation=Topic.delegation_id
        )
        if query.by_delegation:
            clauses.append(_sees_author(user))
    return clauses


def find(user: Any, query: Query) -> list[Entry]:
    attributed = _sees_author(user).label("attributed")
    rows = db.session.execute(
        shelves.page(
            select(Topic, Room.title, Delegation.name, attributed)
            .join(Room, Room.id == Topic.room_id)
            .join(Delegation, Delegation.id == Topic.delegation_id)
            .where(*_where(user, query))
            .order_by(Topic.created_at.desc(), Topic.id.desc()),
            query,
        )
    ).all()
    return [
        Entry(
            title=topic.title,
            url=url_for("discussions.topic", topic_id=topic.id),
            date=topic.created_at,
            kind=_("Discussion"),
            delegation=name if shown else None,
            place=room,
            note=pgettext("discussion", "Closed") if topic.is_closed else None,
        )
        for topic, room, name, shown in rows
    ]


def count(user: Any, query: Query) -> int:
    return shelves.count_of(Topic, *_where(user, query))


def counts(user: Any) -> dict[int, int]:
    return shelves.counts_by_term(Topic, *_where(user, None))


def register(app: Flask) -> None:
    shelves.add(
        app, Shelf("discussions", _l("Discussions"), find, count=count, counts=counts, position=70)
    )
