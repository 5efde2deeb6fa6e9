"""The library's pages: the stages of implementation with what one may see under each, and
a page per stage and sub-topic listing it shelf by shelf, with filters and paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from consult.accounts.models import Delegation, DelegationStatus
from consult.extensions import db
from consult.groups.models import Group, GroupKind
from consult.handlers import handler
from consult.htmx import render
from consult.ids import parse_int
from consult.library import shelves
from consult.library.forms import LibraryFilterForm
from consult.library.shelves import Entry, Query, Shelf
from consult.taxonomy import services as taxonomy
from consult.taxonomy.models import Term, Vocabulary

bp = Blueprint("library", __name__, url_prefix="/library")

#: Entries per shelf when every shelf is shown, and per page when one kind is chosen.
PREVIEW = 5
PER_PAGE = 20
#: The last page one may ask for (an offset beyond any real library).
MAX_PAGE = 10_000


@dataclass
class Listed:
    """A shelf as the page shows it: its entries, how many in all, and where the rest are."""

    shelf: Shelf
    entries: list[Entry]
    total: int
    page: int = 1
    pages: int = 1
    #: "Show all" (the shelf alone), and the previous and next pages when it is alone.
    more_url: str | None = None
    previous_url: str | None = None
    next_url: str | None = None


def _total(shelf: Shelf, user: Any, query: Query, entries: list[Entry]) -> int:
    if shelf.count is not None:
        return shelf.count(user, query)
    return query.offset + len(entries)  # a shelf without a count shows what it found


@bp.route("")
@handler()
def index():
    """The stages of implementation and their sub-topics, each with the number of entries
    this person may see under it (one statement per shelf, whatever the terms)."""
    user = current_user._get_current_object()
    counts: dict[int, int] = {}
    for shelf in shelves.all_shelves():
        if shelf.counts is None:
            continue
        for term_id, n in shelf.counts(user).items():
            counts[term_id] = counts.get(term_id, 0) + n
    return render("library/index.html", stages=taxonomy.tree(with_retired=True), counts=counts)


def _page_number() -> int:
    number = parse_int(request.args.get("page", ""))
    return min(max(number or 1, 1), MAX_PAGE)


def _filters(all_shelves: list[Shelf]) -> LibraryFilterForm:
    form = LibraryFilterForm(request.args)
    regions = db.session.scalars(
        select(Group)
        .where(Group.kind == GroupKind.REGIONAL, Group.is_active.is_(True))
        .order_by(Group.name)
    ).all()
    delegations = db.session.execute(
        select(Delegation.id, Delegation.name)
        .where(Delegation.is_active.is_(True), Delegation.status != DelegationStatus.SECRETARIAT)
        .order_by(Delegation.name)
    ).all()
    form.offer(
        kinds=[(s.key, s.label) for s in all_shelves],
        regions=[(g.id, g.name) for g in regions],
        delegations=[(i, name) for i, name in delegations],
        activities=[(t.id, t.name) for t in taxonomy.terms(Vocabulary.ACTIVITY, with_retired=True)],
    )
    return form


@bp.route("/<slug>")
@handler()
def term(slug: str):
    """What this person may see that is tagged with the stage (and its sub-topics) or the
    sub-topic, shelf by shelf, filtered by the form's facets."""
    stage_terms = taxonomy.terms(Vocabulary.STAGE, with_retired=True)
    found = next((t for t in stage_terms if t.slug == slug), None)
    if found is None:
        abort(404)  # unknown, or a transfer activity (a facet, not a page)
    subtopics = [t for t in stage_terms if t.parent_id == found.id]
    parent: Term | None = next((t for t in stage_terms if t.id == found.parent_id), None)

    user = current_user._get_current_object()
    all_shelves = shelves.all_shelves()
    form = _filters(all_shelves)
    chosen = form.check()
    args = form.args()
    alone = shelves.get(chosen["kind"]) if "kind" in chosen else None
    page = _page_number() if alone else 1
    limit = PER_PAGE if alone else PREVIEW
    query = Query(
        term_ids=(found.id, *(t.id for t in subtopics)),
        article=chosen.get("article"),
        region_id=chosen.get("region"),
        delegation_id=chosen.get("delegation"),
        year=chosen.get("year"),
        activity_id=chosen.get("activity"),
        limit=limit,
        offset=(page - 1) * limit,
    )

    def link(**more: Any) -> str:
        return url_for("library.term", slug=found.slug, **{**args, **more})

    listed: list[Listed] = []
    for shelf in [alone] if alone else all_shelves:
        entries = shelf.find(user, query)
        total = _total(shelf, user, query, entries)
        item = Listed(shelf, entries, total)
        if alone:
            item.page, item.pages = page, max(1, -(-total // limit))
            if page > 1:
                item.previous_url = link(page=page - 1)
            if page < item.pages:
                item.next_url = link(page=page + 1)
        elif total > len(entries):
            item.more_url = link(kind=shelf.key)
        listed.append(item)
    return render(
        "library/term.html",
        term=found,
        parent=parent,
        subtopics=subtopics,
        form=form,
        filtered=bool(args),
        shelves=listed,
        total=sum(item.total for item in listed),
        status=422 if form.errors else 200,
    )
