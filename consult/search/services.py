"""Search: the words of a query, through the visible filters, with counts and facets.

`search(user, query)` builds one WHERE clause: the full-text match (FTS5 or PostgreSQL, the
same terms), the person's visible filters for each kind (`policy.visible` of the row's
subject, in SQL, so results, the total and every facet count only what this person may see),
confidential kinds only while the confidential gate is open for this session, and the filters
asked for. The page's rows are read back with their titles and snippets; confidential ones
from their encrypted rows, since the index holds none of their words in clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import request, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, column, exists, false, func, literal_column, or_, select, table
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import Delegation
from consult.extensions import db
from consult.ids import parse_id, parse_int
from consult.rooms.models import Room
from consult.search.models import SearchDocument
from consult.search.sources import BY_KIND, SOURCES
from consult.search.text import highlight, plain, query_variants, seal, words
from consult.taxonomy.models import Tag, Term, Vocabulary

#: Longer queries are refused, with their length said.
MAX_QUERY = 200
#: Words of a query taken into account (the rest are said to be left out).
MAX_WORDS = 12
PAGE_SIZE = 20
#: Rows of a facet shown (the largest counts).
FACET_ROWS = 12

_fts = table("search_fts", column("rowid"), column("search_fts"), column("rank"))
_tsv = literal_column("search_document.tsv")


class QueryError(ValueError):
    """A query that cannot be run, with the field it concerns (shown next to it)."""

    def __init__(self, message: str, field: str = "q") -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass
class Query:
    text: str = ""
    kind: str | None = None
    room_id: int | None = None
    stage_id: int | None = None
    delegation_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string of this query with `changes` (None drops a filter)."""
        values = {
            "q": self.text,
            "kind": self.kind,
            "room": self.room_id,
            "stage": self.stage_id,
            "delegation": self.delegation_id,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass
class Hit:
    kind: str
    label: str
    title: Markup
    snippet: Markup
    url: str
    room: str
    dated_at: datetime
    delegation: str | None = None


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    pages: int = 0
    #: facet name -> [(value, label, count)], largest first.
    facets: dict[str, list[tuple[Any, str, int]]] = field(default_factory=dict)
    #: Words of the query left out (past MAX_WORDS).
    dropped: int = 0
    #: The person sees confidential threads but the gate is closed: they were not searched.
    gate: str | None = None


def parse() -> tuple[Query, dict[str, str]]:
    """The query from the request's arguments, and the refusals by field (none: it may run)."""
    errors: dict[str, str] = {}
    text = (request.args.get("q") or "").strip()
    query = Query(text=text)
    if len(text) > MAX_QUERY:
        errors["q"] = _(
            "Search for at most %(max)s characters; this has %(n)s.",
            max=format_number(MAX_QUERY),
            n=format_number(len(text)),
        )
    kind = request.args.get("kind") or None
    if kind is not None:
        if kind in BY_KIND:
            query.kind = kind
        else:
            errors["kind"] = _("Choose a kind from the list.")
    chosen = {
        "room": request.args.get("room"),
        "stage": request.args.get("stage"),
        "delegation": request.args.get("delegation"),
    }
    for name, value in chosen.items():
        if value:
            ident = parse_id(value)
            if ident is None:
                errors[name] = _("Choose one from the list.")
            setattr(query, f"{name}_id", ident)
    dates = {"from": request.args.get("from"), "to": request.args.get("to")}
    for name, value in dates.items():
        value = (value or "").strip()
        if value:
            try:
                setattr(query, f"date_{name}", date.fromisoformat(value))
            except ValueError:
                errors[name] = _("Give a date as YYYY-MM-DD.")
    if query.date_from and query.date_to and query.date_from > query.date_to:
        errors["to"] = _("The end date is before the start date.")
    query.page = parse_int(request.args.get("page") or "1", minimum=1) or 1
    return query, errors


def _match(dialect: str, groups: list[set[str]]) -> ColumnElement[bool]:
    """The full-text condition: every query word, as any of its terms."""
    if dialect == "postgresql":
        expression = " & ".join(
            "(" + " | ".join(f"'{term}'" for term in sorted(group)) + ")" for group in groups
        )
        return _tsv.op("@@")(func.to_tsquery("simple", expression))
    expression = _fts_expression(groups)
    return SearchDocument.id.in_(
        select(_fts.c.rowid).where(_fts.c.search_fts.op("MATCH")(expression))
    )


def _rank(dialect: str, groups: list[set[str]]):
    if dialect == "postgresql":
        expression = " | ".join(f"'{term}'" for group in groups for term in sorted(group))
        return func.ts_rank(_tsv, func.to_tsquery("simple", expression)).desc()
    return None


def visible_clause(user: Any, include_gated: bool) -> ColumnElement[bool]:
    """The index rows this person may find: each kind through its subject's visible filter."""
    clauses = []
    by_subject: dict[type, list[str]] = {}
    for source in SOURCES:
        if source.gated and not include_gated:
            continue
        by_subject.setdefault(source.subject, []).append(source.kind)
    for model, kinds in by_subject.items():
        clauses.append(
            and_(
                SearchDocument.kind.in_(kinds),
                SearchDocument.subject_type == model.__tablename__,
                # Per row found (by its subject's primary key), not the whole visible table.
                select(model.id)
                .where(model.id == SearchDocument.subject_id, policy.visible(model, user))
                .exists(),
            )
        )
    return or_(*clauses) if clauses else false()


def _stage_terms(stage_id: int) -> list[int]:
    children = db.session.scalars(select(Term.id).where(Term.parent_id == stage_id)).all()
    return [stage_id, *children]


def _filters(query: Query) -> list[ColumnElement[bool]]:
    where = []
    if query.kind:
        where.append(SearchDocument.kind == query.kind)
    if query.room_id is not None:
        where.append(SearchDocument.room_id == query.room_id)
    if query.delegation_id is not None:
        where.append(SearchDocument.delegation_id == query.delegation_id)
    if query.stage_id is not None:
        where.append(
            exists().where(
                Tag.subject_type == SearchDocument.tag_type,
                Tag.subject_id == SearchDocument.tag_id,
                Tag.term_id.in_(_stage_terms(query.stage_id)),
            )
        )
    if query.date_from is not None:
        where.append(SearchDocument.dated_at >= datetime.combine(query.date_from, time(), UTC))
    if query.date_to is not None:
        end = datetime.combine(query.date_to + timedelta(days=1), time(), UTC)
        where.append(SearchDocument.dated_at < end)
    return where


def gate_open() -> bool:
    """Confidential kinds are searched only while the confidential gate is open."""
    return policy.gate_closed() is None


def _sees_confidential(user: Any) -> bool:
    """Whether this person is on any confidential thread (so may be told they were left out)."""
    from consult.threads.models import Thread

    return (
        db.session.scalar(select(Thread.id).where(policy.visible(Thread, user)).limit(1))
        is not None
    )


def _groups(found: list[str], gated: bool) -> list[set[str]]:
    """Each query word's terms (and, with the gate open, their keyed hashes)."""
    groups = [query_variants(w) for w in found]
    if gated:
        from consult.search.index import _seal_key

        key = _seal_key()
        groups = [group | {seal(term, key) for term in group} for group in groups]
    return groups


def _query_words(text: str) -> tuple[list[str], int]:
    """The words of a query taken into account, and how many past MAX_WORDS were left out."""
    found = list(dict.fromkeys(w.lower() for w in words(text)))
    return found[:MAX_WORDS], max(0, len(found) - MAX_WORDS)


def _where(user: Any, query: Query, groups: list[set[str]], gated: bool) -> list:
    dialect = db.engine.dialect.name
    return [_match(dialect, groups), visible_clause(user, gated), *_filters(query)]


def matches(user: Any, query: Query, *, include_gated: bool) -> set[tuple[str, int]]:
    """Every (kind, id) the query finds for this person, unpaged (tests and benchmarks)."""
    found, _dropped = _query_words(query.text)
    if not found:
        return set()
    where = _where(user, query, _groups(found, include_gated), include_gated)
    rows = db.session.execute(select(SearchDocument.kind, SearchDocument.object_id).where(*where))
    return {(kind, ident) for kind, ident in rows}


def search(user: Any, query: Query, *, include_gated: bool | None = None) -> Results:
    """What this person finds for the query: one page of hits, the total and the facets."""
    results = Results(query)
    found, results.dropped = _query_words(query.text)
    if not found:
        return results
    gated = gate_open() if include_gated is None else include_gated
    if not gated and _sees_confidential(user):
        results.gate = policy.gate_closed() or "two_factor"
    groups = _groups(found, gated)
    dialect = db.engine.dialect.name
    where = _where(user, query, groups, gated)

    results.total, results.facets = _facets(where)
    results.pages = -(-results.total // PAGE_SIZE)
    if results.total == 0 or query.page > results.pages:
        return results
    if dialect == "postgresql":
        rows = select(SearchDocument).where(*where)
        rows = rows.order_by(_rank(dialect, groups), SearchDocument.dated_at.desc())
    else:
        # FTS5 drives the loop in rank order, so the visible filters are asked only until the
        # page is full (a bare `ORDER BY rank` keeps FTS5's own ordering).
        rows = (
            select(SearchDocument)
            .select_from(_fts)
            .join(SearchDocument, SearchDocument.id == _fts.c.rowid)
            .where(_fts.c.search_fts.op("MATCH")(_fts_expression(groups)), *where[1:])
            .order_by(_fts.c.rank)
        )
    rows = rows.limit(PAGE_SIZE).offset((query.page - 1) * PAGE_SIZE)
    documents = db.session.scalars(rows).all()
    wanted = set().union(*groups)
    results.hits = _hits(documents, wanted)
    return results


def _fts_expression(groups: list[set[str]]) -> str:
    return " AND ".join(
        "(" + " OR ".join(f'"{term}"' for term in sorted(group)) + ")" for group in groups
    )


def _facets(where: list[ColumnElement[bool]]) -> tuple[int, dict[str, list[tuple[Any, str, int]]]]:
    """The total and the counts by kind, room and delegation, over exactly the rows found: one
    grouped statement (the match and the visible filters run once), summed here."""
    grouped = db.session.execute(
        select(
            SearchDocument.kind,
            SearchDocument.room_id,
            SearchDocument.delegation_id,
            func.count(SearchDocument.id),
        )
        .where(*where)
        .group_by(SearchDocument.kind, SearchDocument.room_id, SearchDocument.delegation_id)
    ).all()
    total = 0
    kinds: dict[str, int] = {}
    rooms: dict[int, int] = {}
    delegations: dict[int, int] = {}
    for kind, room_id, delegation_id, n in grouped:
        total += n
        kinds[kind] = kinds.get(kind, 0) + n
        rooms[room_id] = rooms.get(room_id, 0) + n
        if delegation_id is not None:
            delegations[delegation_id] = delegations.get(delegation_id, 0) + n
    facets: dict[str, list[tuple[Any, str, int]]] = {
        "kind": sorted(
            ((kind, str(BY_KIND[kind].label), n) for kind, n in kinds.items() if kind in BY_KIND),
            key=lambda row: (-row[2], row[1]),
        )
    }
    for name, model, label, counts in (
        ("room", Room, Room.title, rooms),
        ("delegation", Delegation, Delegation.name, delegations),
    ):
        top = sorted(counts, key=lambda ident: -counts[ident])[: FACET_ROWS * 2]
        names = (
            dict(db.session.execute(select(model.id, label).where(model.id.in_(top))).all())
            if top
            else {}
        )
        rows = [(ident, names[ident], counts[ident]) for ident in top if ident in names]
        facets[name] = sorted(rows, key=lambda row: (-row[2], row[1]))[:FACET_ROWS]
    return total, facets


def stages() -> list[Term]:
    """The stages of implementation, for the stage filter."""
    return db.session.scalars(
        select(Term)
        .where(Term.vocabulary == Vocabulary.STAGE, Term.parent_id.is_(None))
        .order_by(Term.position, Term.id)
    ).all()


# ---- the page's rows ---------------------------------------------------------------------


def _url(document: SearchDocument, room: Room) -> str:
    kind, page, anchor = document.kind, document.page_id, document.anchor
    match kind:
        case "room":
            return url_for("rooms.room", slug=room.slug)
        case "paper":
            return url_for("papers.paper", paper_id=page)
        case "revision":
            return url_for("papers.revision", paper_id=page, number=int(anchor or 0))
        case "comment":
            link = url_for("papers.paragraph", paper_id=page, key=anchor)
            return f"{link}#comment-{document.object_id}"
        case "topic":
            return url_for("discussions.topic", topic_id=page)
        case "discussion_post":
            return url_for("discussions.topic", topic_id=page) + f"#post-{document.object_id}"
        case "meeting":
            return url_for("meetings.meeting", meeting_id=page)
        case "agenda_item":
            return url_for("meetings.meeting", meeting_id=page) + f"#item-{document.object_id}"
        case "case_study":
            return url_for("case_studies.case_study", case_study_id=page)
        case "questionnaire" | "question":
            return url_for("questionnaires.questionnaire", questionnaire_id=page)
        case "thread":
            return url_for("threads.thread", thread_id=page)
        case "thread_post":
            return url_for("threads.thread", thread_id=page) + f"#post-{document.object_id}"
    return url_for("core.dashboard")


def _sealed_text(document: SearchDocument) -> tuple[str, str]:
    """A confidential row's title and text, decrypted from the thread or post itself."""
    from consult.threads.models import Post, Thread

    if document.kind == "thread":
        thread = db.session.get(Thread, document.object_id)
        return (thread.title, thread.case_reference or "") if thread else ("", "")
    post = db.session.get(Post, document.object_id)
    thread = db.session.get(Thread, document.page_id)
    return (thread.title if thread else "", plain(post.body) if post else "")


def _hits(documents: list[SearchDocument], wanted: set[str]) -> list[Hit]:
    room_ids = {d.room_id for d in documents}
    rooms = {r.id: r for r in db.session.scalars(select(Room).where(Room.id.in_(room_ids)))}
    delegation_ids = {d.delegation_id for d in documents if d.delegation_id is not None}
    names = (
        dict(
            db.session.execute(
                select(Delegation.id, Delegation.name).where(Delegation.id.in_(delegation_ids))
            ).all()
        )
        if delegation_ids
        else {}
    )
    hits = []
    for document in documents:
        room = rooms.get(document.room_id)
        if room is None:
            continue
        title, body = (
            _sealed_text(document) if document.is_sealed else (document.title, document.body)
        )
        title_html = (
            highlight(title, wanted, document.language, window=40) if title else escape(room.title)
        )
        hits.append(
            Hit(
                kind=document.kind,
                label=str(BY_KIND[document.kind].label),
                title=title_html,
                snippet=highlight(body, wanted, document.language) if body else Markup(""),
                url=_url(document, room),
                room=room.title,
                dated_at=document.dated_at,
                delegation=names.get(document.delegation_id),
            )
        )
    return hits
