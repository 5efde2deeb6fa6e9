"""The request's one commit, what waits for it (mail, live events), and who may write.

SQLite lets one writer at a time hold its write lock. A transaction that only reads must not
take it (a slow page would make every other writer wait), and one that writes must take it at
once with BEGIN IMMEDIATE: a deferred transaction that upgrades to a write gets SQLITE_BUSY at
once, whatever the busy timeout. So each transaction says what it is:

- an HTTP request with a method other than GET/HEAD/OPTIONS writes;
- a GET view that writes is declared with `@handler(writes=True)` (it writes from its first
  statement; the mark is the one `writing()` puts on a function);
- code that writes now and then inside a read (touching last_seen) runs inside
  `with writing():`, which ends the read first;
- Socket.IO handlers read unless they write through `consult.handlers.event_writes()`, which
  commits through `commit()` below as a view does (consult.live);
- after `commit()` the rest of a request reads again.

The mode is set around each HTTP request by a WSGI middleware (so routing is covered too) and
read when a transaction begins. Outside requests and handlers (the CLI, migrations, scripts, a
test's own test_request_context) transactions begin IMMEDIATE as before. A read that issues
INSERT/UPDATE/DELETE raises UndeclaredWrite under testing and logs a warning in production.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import force_locale
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from consult import mail
from consult.extensions import db, socketio

READ, WRITE = "read", "write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_mode: ContextVar[str | None] = ContextVar("consult_transaction_mode", default=None)
log = logging.getLogger(__name__)


class UndeclaredWrite(RuntimeError):
    """A transaction declared as a read tried to write (see the module's docstring)."""


def _declared(method: str) -> str:
    """What a request declares by its method and, once routed, its view's @writing() mark."""
    if method not in SAFE_METHODS:
        return WRITE
    view = current_app.view_functions.get(request.endpoint or "")
    return WRITE if getattr(view, "_writes", False) else READ


def mode() -> str | None:
    """READ, WRITE, or None outside a request or socket handler (the CLI, migrations, and a
    test's own test_request_context, which dispatches nothing)."""
    return _mode.get()


def writes() -> bool:
    """Whether the next transaction takes the write lock (BEGIN IMMEDIATE)."""
    return mode() != READ


def _end_read() -> None:
    """End the session's read transaction, if any, so the next statement begins a write."""
    session = db.session()  # the request's Session (the scoped proxy has no in_transaction)
    if not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        # Changes already made (only a test's own session has them here): keep them and
        # carry on in this transaction rather than commit them unasked.
        log.debug("writing() entered with pending changes; the read is not ended")
        return
    session.commit()  # nothing to write: this only ends the read snapshot


class writing(ContextDecorator):
    """Declare that what follows writes: as `with writing():` or as a view decorator.

    On a view the mark is read before the view runs (before_request), so the request writes
    from its first statement until commit(). As a context manager inside a read it ends the
    read transaction (which must not have changed anything), and on leaving it commits what is
    still open, so the write lock is never carried into the reads that follow; an error rolls
    back.
    """

    def __call__(self, func: Callable) -> Callable:
        wrapped = super().__call__(func)
        wrapped._writes = True  # type: ignore[attr-defined]
        return wrapped

    def _recreate_cm(self) -> writing:
        return type(self)()  # one per call: concurrent requests must not share the token

    def __enter__(self) -> writing:
        self._token = None
        if mode() == READ:
            _end_read()
            self._token = _mode.set(WRITE)
        return self

    def __exit__(self, exc_type, *_exc: object) -> None:
        if self._token is None:
            return
        try:
            if exc_type is not None:
                db.session.rollback()
            elif db.session().in_transaction():
                db.session.commit()
        finally:
            _mode.reset(self._token)


@contextmanager
def reading() -> Iterator[None]:
    """Run a handler as a read unless it enters writing() (Socket.IO events)."""
    token = _mode.set(READ)
    try:
        yield
    finally:
        _mode.reset(token)


def _begin_request() -> None:
    """before_request, first of all: the view is known now; a @writing() view writes.

    Routing may already have read (a URL converter loading its object): that read is ended,
    so the write begins IMMEDIATE.
    """
    if _mode.get() == READ and _declared(request.method) == WRITE:
        _end_read()
        _mode.set(WRITE)


def _middleware(wsgi_app: Callable) -> Callable:
    """Around each HTTP request (routing included): a read unless its method writes."""

    def app(environ: dict, start_response: Callable):
        method = environ.get("REQUEST_METHOD", "GET").upper()
        token = _mode.set(READ if method in SAFE_METHODS else WRITE)
        try:
            return wsgi_app(environ, start_response)
        finally:
            _mode.reset(token)

    return app


def install(app: Flask, engine: Engine) -> None:
    """Register the request hooks and the safety net on the engine (any database)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin_request)
    app.wsgi_app = _middleware(app.wsgi_app)
    strict = bool(app.config.get("TESTING"))

    @sa_event.listens_for(engine, "before_cursor_execute")
    def _refuse_undeclared_writes(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip()[:7].upper().startswith(_WRITES) or mode() != READ:
            return
        where = request.endpoint if has_request_context() else None
        message = (
            f"a read transaction tried to write ({' '.join(statement.split()[:3])} ... in "
            f"{where or 'a socket handler'}): declare it with consult.transaction.writing()"
        )
        if strict:
            raise UndeclaredWrite(message)
        log.warning(message)


def emit_after_commit(event: str, data: Any, *, to: str, namespace: str = "/live") -> None:
    """Queue a Socket.IO event; it is sent only once the change it announces is committed.

    `data` may be a callable: it is called after the commit, so a payload rendered from the
    database shows the committed state (and is rendered once for everyone in the room).
    """
    g.setdefault("_emit_queue", []).append((event, data, to, namespace))


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the request's changes are committed (e.g. drop an ended session's
    sockets: before the commit, a reconnecting socket would still find the session live)."""
    g.setdefault("_after_commit", []).append(callback)


def commit(*, keep_loaded: bool = False) -> None:
    """Commit the request's changes, then send its mail and live events.

    What the request reads afterwards (the page it renders) is a read again. `keep_loaded`
    keeps what was loaded as it is instead of expiring it (the handler layer renders its page
    from the objects the view prepared, eager loads included).
    """
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = expire and not keep_loaded
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    if has_request_context() and mode() == WRITE:
        _mode.set(READ)
    mail.flush_after_commit()
    sent = set()
    for event, data, to, namespace in g.pop("_emit_queue", []):
        if callable(data):
            if (event, to) in sent:  # several changes in one request: one fresh payload
                continue
            sent.add((event, to))
            # A rendered payload, once per language, to the room's sockets in that language
            # (consult.live.join): each page swaps in a fragment in its own words.
            for code in current_app.config["LANGUAGES"]:
                with force_locale(code):
                    payload = data()
                socketio.emit(event, payload, to=f"{to}@{code}", namespace=namespace)
            continue
        socketio.emit(event, data, to=to, namespace=namespace)
    for callback in g.pop("_after_commit", []):
        callback()


def pending() -> bool:
    """Whether the session holds changes not yet flushed or committed."""
    session = db.session()
    return bool(session.new or session.dirty or session.deleted)


def discard() -> None:
    """Forget the mail, live events and callbacks queued for a commit that will not come."""
    mail.discard()
    g.pop("_emit_queue", None)
    g.pop("_after_commit", None)


def rollback() -> None:
    db.session.rollback()
    discard()
