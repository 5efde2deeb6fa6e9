"""Keeping the index in step: in the same transaction as the write, or rebuilt whole.

One `after_flush` listener (installed once, by `register`) looks at what the flush wrote:
new rows of a source's model are indexed, changed rows when an attribute the index reads
changed (and the rows of other sources that copy it: a paper's title is in its comments'
results), deleted ones removed. It writes with Core statements on the flush's connection, so
the index commits, or rolls back, with the data. Rows written in bulk with Core (benchmarks,
imports) bypass the ORM: `consult reindex` rebuilds everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, event, insert, inspect, select, tuple_
from sqlalchemy.orm import Session

from consult.search.models import SearchDocument
from consult.search.sources import BY_KIND, BY_MODEL, SOURCES, Doc, Source
from consult.search.text import guess_language, seal, terms

_installed = False
#: Rows written per INSERT when rebuilding.
BATCH = 500


def _seal_key() -> bytes:
    from consult import crypto

    return crypto.derived_key("consult.search")


def row(source: Source, obj: Any, doc: Doc, key: bytes | None = None) -> dict[str, Any]:
    """The index row of `obj` (made by its source) with its terms."""
    text = f"{doc.title}\n{doc.body}"
    language = doc.language if doc.language in ("en", "fr", "es") else guess_language(text)
    words = terms(text, language)
    if doc.sealed:
        key = key or _seal_key()
        words = [seal(w, key) for w in words]
    return {
        "kind": source.kind,
        "object_id": obj.id,
        "subject_type": doc.subject.__tablename__,
        "subject_id": doc.subject_id,
        "page_id": doc.page_id,
        "anchor": doc.anchor[:40],
        "room_id": doc.room_id,
        "language": language,
        "delegation_id": doc.delegation_id,
        "tag_type": doc.tag[0] if doc.tag else None,
        "tag_id": doc.tag[1] if doc.tag else None,
        "dated_at": doc.dated_at,
        "title": "" if doc.sealed else ": ".join(t for t in (doc.heading, doc.title) if t),
        "body": "" if doc.sealed else doc.body,
        "is_sealed": doc.sealed,
        "terms": " ".join(words),
    }


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session: Session, _context) -> None:
    """Index what this flush wrote (see the module docstring)."""
    todo: dict[tuple[str, int], Any] = {}
    cascades: list[tuple[Source, Any, int]] = []
    for obj in session.new:
        if (source := BY_MODEL.get(type(obj))) is not None:
            todo[(source.kind, obj.id)] = obj
    for obj in session.dirty:
        if (source := BY_MODEL.get(type(obj))) is None:
            continue
        if _changed(obj, source.watch):
            todo[(source.kind, obj.id)] = obj
        for kind, column, copied in source.cascade:
            if _changed(obj, copied):
                cascades.append((BY_KIND[kind], column, obj.id))
    for obj in session.deleted:
        if (source := BY_MODEL.get(type(obj))) is not None:
            todo[(source.kind, obj.id)] = None
    if not todo and not cascades:
        return
    with session.no_autoflush:
        for child, column, parent_id in cascades:
            for obj in session.scalars(select(child.model).where(column == parent_id)):
                todo.setdefault((child.kind, obj.id), obj)
        write(session, todo)


def write(session: Session, todo: dict[tuple[str, int], Any]) -> None:
    """Replace the index rows of `todo` ((kind, id) -> object, or None to remove)."""
    connection = session.connection()
    keys = list(todo)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        connection.execute(
            delete(SearchDocument).where(
                tuple_(SearchDocument.kind, SearchDocument.object_id).in_(chunk)
            )
        )
    rows = []
    key = None
    for (kind, _ident), obj in todo.items():
        if obj is None:
            continue
        source = BY_KIND[kind]
        doc = source.make(obj)
        if doc is None:
            continue
        if doc.sealed and key is None:
            key = _seal_key()
        rows.append(row(source, obj, doc, key))
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(SearchDocument), rows[start : start + BATCH])


def rebuild(session: Session, *, echo=None) -> dict[str, int]:
    """Empty the index and index every row of every source again (`consult reindex`)."""
    connection = session.connection()
    connection.execute(delete(SearchDocument))
    counts: dict[str, int] = {}
    key = _seal_key()
    for source in SOURCES:
        rows, count = [], 0
        for obj in session.scalars(select(source.model)).all():
            doc = source.make(obj)
            if doc is None:
                continue
            rows.append(row(source, obj, doc, key))
            if len(rows) >= BATCH:
                connection.execute(insert(SearchDocument), rows)
                count += len(rows)
                rows = []
        if rows:
            connection.execute(insert(SearchDocument), rows)
            count += len(rows)
        counts[source.kind] = count
        if echo is not None:
            echo(f"{source.kind}: {count}")
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    return counts


def needs_rebuild(session: Session) -> bool:
    """The index is empty while there is something to find (a database from before 0037)."""
    from consult.rooms.models import Room

    if session.scalar(select(SearchDocument.id).limit(1)) is not None:
        return False
    return session.scalar(select(Room.id).limit(1)) is not None


def install() -> None:
    """Listen to every session's flushes (once per process; the sources are the same for
    every app)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        _installed = True
