"""The one access policy: every "may this person do this to that?" question comes here.

Deny by default. Each domain registers, from its `register(app)`, one entry per model with
`add(model, rule=..., visible=..., parent=..., gated=...)`:

- `rule(person, need, obj) -> bool` answers every question about the model's objects;
- `visible(person) -> WHERE clause` selects, for lists and search, exactly the rows
  `can(VIEW)` allows;
- `parent` names the protection parent (a `Parent(column, model)`): an object is seen only
  by those who see its parent (a paper by those who see its room, a post by those who see its
  thread), in `can()` and in `visible()` alike, so a room's access reaches everything in it
  through one chain;
- `gated` (True, or `gated(obj) -> bool`) puts the model's objects behind the confidential
  gate (two-factor sign-in, fresh after idle time), which the handler layer and the live
  channel both ask (`gate_closed`).

Views load through `consult.handlers` (`load()` below): 404 when the person may not see the
thing at all (no hint that it exists), 403 when they may see it but not do what they asked.

Every endpoint is declared public or protected (`consult.handlers.handler` marks it); the request
guard refuses any other (404) and a test walks `app.url_map` so none can be forgotten.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from flask import abort, current_app, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import and_, false, or_, select
from sqlalchemy.sql import ColumnElement

from consult.extensions import db


class Need(enum.StrEnum):
    VIEW = "view"  # see that it exists and read it
    TAKE_PART = "take_part"  # comment, ask for the floor, post
    MANAGE = "manage"  # a chair's or facilitator's powers over a room
    REQUEST_JOIN = "request_join"  # ask a room's chairs to take part
    ADMINISTER = "administer"  # the Secretariat's administration
    HAND_OVER = "hand_over"  # move a departing delegate's rooms and roles to a successor
    DECIDE = "decide"  # answer a join request
    SEE_AUTHORS = "see_authors"  # see who wrote what under the Chatham House Rule
    ORIGINATE = "originate"  # the originating delegation's powers over a confidential thread
    GRANT_HISTORY = "grant_history"  # a delegation grants a successor its predecessor's history
    AUTHOR = "author"  # the author's powers over their own comment or post (edit, withdraw)
    LOWER_MARKING = "lower_marking"  # lower a confidential thread's handling marking
    EXPORT = "export"  # take a copy out of the platform (a thread's export, a paper's Word file)
    OVERRIDE = "override"  # the Secretariat's override of a room's membership guardrails
    CONFIRM = "confirm"  # a group's coordinator confirms (or declines) what is said for the group
    REVISE = "revise"  # issue a paper's next revision (its managers; a statement's drafters)
    REOPEN = "reopen"  # bring back what its authors withdrew (a request for assistance)
    REPLY = "reply"  # post a reply in a comment's thread (those who take part; its authors)


T = TypeVar("T")
Rule = Callable[[Any, Need, Any], bool]
Filter = Callable[[Any], ColumnElement[bool]]
_rules: dict[type, Rule] = {}
_filters: dict[type, Filter] = {}


@dataclass(frozen=True)
class Parent:
    """The protection parent of a model: its foreign key `column` to `model`. The parent
    object is the session's row for that key (from the identity map when loaded), unless
    `get(obj)` says otherwise."""

    column: Any
    model: type
    get: Callable[[Any], Any] | None = None

    def of(self, obj: Any) -> Any:
        if self.get is not None:
            return self.get(obj)
        ident = getattr(obj, self.column.key)
        return None if ident is None else db.session.get(self.model, ident)


_parents: dict[type, Parent] = {}
_gates: dict[type, Callable[[Any], bool]] = {}


def add(
    model: type,
    *,
    rule: Rule | None = None,
    visible: Filter | None = None,
    parent: Parent | None = None,
    gated: Callable[[Any], bool] | bool | None = None,
) -> None:
    """Register what the policy knows about `model` (a domain's `register(app)` calls this).

    With a parent and no own filter, the model is visible exactly where its parent is.
    """
    if rule is not None:
        _rules[model] = rule
    if parent is not None:
        _parents[model] = parent
    if visible is not None:
        _filters[model] = visible
    if gated is True:  # every object of the model is behind the gate
        _gates[model] = lambda obj: True
    elif gated:
        _gates[model] = gated


def listed_models() -> list[type]:
    """Every model the policy can select in SQL (an own filter, or a protection parent)."""
    return list(dict.fromkeys([*_filters, *_parents]))


def _filter_of(model: type, person: Any) -> ColumnElement[bool]:
    """The model's own filter, within its parent's: deny by default when it has neither."""
    own = _filters.get(model)
    parent = _parents.get(model)
    if parent is None:
        return own(person) if own is not None else false()
    seen = parent.column.in_(select(parent.model.id).where(_filter_of(parent.model, person)))
    return and_(seen, own(person)) if own is not None else seen


def parent_of(obj: Any) -> Any | None:
    """The object's protection parent, or None at the top of the chain (a room)."""
    for cls in type(obj).__mro__:
        if (parent := _parents.get(cls)) is not None:
            return parent.of(obj)
    return None


#: Endpoints that anyone may reach without signing in, besides views declared public.
PUBLIC_ENDPOINTS = frozenset({"static"})


def acting_user(user: Any = None) -> Any | None:
    """The signed-in, active person, or None for anyone else."""
    if user is None:
        user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not user.is_active or not user.delegation.is_active:
        return None
    return user


def can(need: Need | str, obj: Any = None, user: Any = None) -> bool:
    """May `user` (default: the current user) do `need` to `obj`? False unless a rule says yes."""
    need = Need(need)
    person = acting_user(user)
    if person is None:
        return False
    if obj is None:
        return need is Need.ADMINISTER and person.is_secretariat
    parent = parent_of(obj)
    if parent is not None and not can(Need.VIEW, parent, person):
        return False  # what one may not see the parent of, one may not see (or act on)
    for cls in type(obj).__mro__:
        fn = _rules.get(cls)
        if fn is not None:
            return bool(fn(person, need, obj))
    return False


def visible(model: type, user: Any = None) -> ColumnElement[bool]:
    """A WHERE clause selecting the `model` rows the person may see (nothing by default)."""
    person = acting_user(user)
    if person is None:
        return false()
    return _filter_of(model, person)


def subject_of(obj: Any) -> tuple[str | None, int | None]:
    """The (type, id) a notification or activity line stores to name what it speaks of.

    Only models with a visible filter can be subjects: a line must be selectable by the policy.
    None names no subject (a line about the room itself).
    """
    if obj is None:
        return None, None
    if type(obj) not in listed_models():
        raise ValueError(f"{type(obj).__name__} has no visible filter; it cannot be a subject")
    return type(obj).__tablename__, obj.id


def visible_subject(type_column: Any, id_column: Any, user: Any = None) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows whose subject the person may see now (or that have none).

    It agrees with can(VIEW, subject) because it is built from the same visible filters; a
    subject of a type nobody registered is never shown (deny by default). One statement, however
    many rows: the filters are subqueries.
    """
    person = acting_user(user)
    if person is None:
        return false()
    clauses = [type_column.is_(None)]
    for model in listed_models():
        clauses.append(
            and_(
                type_column == model.__tablename__,
                id_column.in_(select(model.id).where(_filter_of(model, person))),
            )
        )
    return or_(*clauses)


# ---- the confidential gate ----------------------------------------------------------------


def is_gated(obj: Any) -> bool:
    """Whether seeing `obj` needs the confidential gate (its own rule, or its parent's)."""
    while obj is not None:
        for cls in type(obj).__mro__:
            if (fn := _gates.get(cls)) is not None and fn(obj):
                return True
        obj = parent_of(obj)
    return False


def idle_remaining() -> float:
    """Seconds left before a fresh sign-in is asked (0: already asked, or no second factor)."""
    person = acting_user()
    if person is None or not person.has_two_factor or not has_request_context():
        return 0.0
    idle = timedelta(minutes=current_app.config["CONFIDENTIAL_IDLE_MINUTES"]).total_seconds()
    last = max(session.get("second_factor_at", 0), session.get("confidential_seen", 0))
    return max(0.0, idle - (time.time() - last))


def is_fresh() -> bool:
    """Signed in with the second factor, and active in a confidential room within the idle time."""
    return idle_remaining() > 0


def gate_closed(obj: Any = None) -> str | None:
    """The confidential gate: why this session may not see confidential content now
    ("two_factor": it is not on; "fresh": sign in again after the idle time), or None.

    Given an object, the gate is asked only when the object is behind it. Views (through
    consult.handlers), the live channel and templates all ask this one question.
    """
    if obj is not None and not is_gated(obj):
        return None
    person = acting_user()
    if person is None or not person.has_two_factor:
        return "two_factor"
    if not is_fresh():
        return "fresh"
    return None


def authorise(obj: T, need: Need | str = Need.VIEW) -> T:
    """Abort with 404 if the object may not be seen, 403 if it may be seen but not acted on."""
    if not can(Need.VIEW, obj):
        abort(404)
    if Need(need) is not Need.VIEW and not can(need, obj):
        abort(403)
    return obj


def load(model: type[T], ident: Any, need: Need | str = Need.VIEW, *, by: str = "id") -> T:
    """Load one object and authorise it in one call (the views' first line)."""
    if by == "id":
        from consult.ids import parse_id

        ident = parse_id(ident)
        if ident is None:  # not a number, or none the database could hold
            abort(404)
        obj = db.session.get(model, ident)
    else:
        obj = db.session.scalars(select(model).where(getattr(model, by) == ident)).first()
    if obj is None:
        abort(404)
    return authorise(obj, need)


def require(need: Need | str) -> None:
    """For object-less powers (the Secretariat's pages): 404 to anyone without them."""
    if not can(need):
        abort(404)


# ---- endpoint declarations -------------------------------------------------------------


def endpoint_access(app, endpoint: str) -> str | None:
    """'public', 'protected', or None for an endpoint nobody declared."""
    if endpoint in PUBLIC_ENDPOINTS:
        return "public"
    view = app.view_functions.get(endpoint)
    return getattr(view, "_access", None)


def undeclared_endpoints(app) -> list[str]:
    """Endpoints in the url_map that are neither public nor protected."""
    return sorted(
        {r.endpoint for r in app.url_map.iter_rules() if endpoint_access(app, r.endpoint) is None}
    )


def guard_request() -> None:
    """before_request: an endpoint that nobody declared is refused (deny by default)."""
    if request.endpoint is None:  # no route matched: Flask answers 404/405 itself
        return
    if endpoint_access(current_app, request.endpoint) is None:
        current_app.logger.error("undeclared endpoint refused: %s", request.endpoint)
        abort(404)
