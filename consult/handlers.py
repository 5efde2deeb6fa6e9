"""One way through every view: load and authorise, gate, act, one commit, then render.

Every view is declared with `@handler(...)`:

    @bp.route("/papers/<int:paper_id>/status", methods=["POST"])
    @handler(paper=Load(Paper, Need.MANAGE))
    def set_status(paper: Paper):
        form = StatusForm()
        if form.validate_on_submit():
            services.set_status(paper, current_user, ...)   # may raise a ServiceError
            flash(_("The paper's status and deadline are saved."), "success")
            return redirect(url_for("papers.paper", paper_id=paper.id))
        return paper_page(paper, status=422, status_form=form)

The decorator, in this order:

1. declares the endpoint (protected, or `public=True`: the request guard refuses undeclared
   ones) and sends anyone not signed in to the sign-in page;
2. loads each declared object through `policy.load` (404 for what one may not see, 403 for
   what one may see but not do) and passes it to the view in place of its URL argument;
3. runs the confidential gate (`policy.gate_closed`) for any loaded object behind it, or for
   every request of the view with `gate=True`: two-factor sign-in, fresh after idle time;
4. calls the view. A `ServiceError` it raises rolls everything back. If a form of the view had
   validated, the view runs once more with that refusal recorded: the same form then fails
   validation with the message next to the field the error names (`consult.forms.Form`), and
   the view answers its own 422. A view without a form flashes the message and redirects to
   its `refused` target (a callable given the loaded objects, or the referring page);
5. commits once when the request wrote (sending its mail and live events after the commit);
6. renders the page the view returned (`consult.htmx.render` defers it under a handler), so
   a page is rendered from committed state without holding the write lock.

Views never call `commit()` and never catch a `ServiceError`.

Socket events (`consult.live`) take the same path: `event(act)` runs one event (a read), a
write inside it goes through `event_writes()` (the write lock, one `transaction.commit()` that
sends the live events it queued), a `ServiceError` rolls back and answers `{"ok": False}`, and
the database session is released at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import flash, g, request, session, url_for
from flask_babel import gettext as _

from consult import policy, transaction
from consult.errors import ServiceError
from consult.extensions import db, login_manager
from consult.htmx import Page, redirect
from consult.policy import Need


@dataclass(frozen=True)
class Load:
    """How a view's object is found: `model` by `by` (id or another unique column) from the URL
    argument `arg` (default: `<name>_id` for ids, else `by` itself), authorised for `need`."""

    model: type
    need: Need = Need.VIEW
    arg: str | None = None
    by: str = "id"

    def url_argument(self, name: str) -> str:
        if self.arg:
            return self.arg
        return f"{name}_id" if self.by == "id" else self.by


def _gated(loaded: dict[str, Any], gate: bool) -> Any:
    """The gate's answer (a redirect) when this session may not go on now, else None."""
    behind = gate or any(policy.is_gated(obj) for obj in loaded.values())
    if not behind:
        return None
    g.no_store = True
    closed = policy.gate_closed()
    if closed == "two_factor":
        flash(_("Confidential rooms need two-factor sign-in. Turn it on first."), "info")
        return redirect(url_for("accounts.two_factor_setup", next=_come_back_to()))
    if closed == "fresh":
        return redirect(url_for("accounts.reauthenticate", next=_come_back_to()))
    session["confidential_seen"] = time.time()
    # base.html then warns before the idle limit and offers to stay (static/js/idle.js).
    g.confidential_idle = policy.idle_remaining()
    return None


def _come_back_to() -> str:
    """Where to return after signing in again: a GET comes back to itself; a form's POST to
    the page with the form (its URL reopened as a GET would only say "Not allowed")."""
    from consult import drafts

    if request.method == "GET":
        return request.full_path
    if (page := drafts.keep_for_fresh_sign_in()) is not None:
        return page
    return _referrer() or url_for("core.dashboard")


def _referrer() -> str | None:
    """The page a form was sent from, when it is on this site."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return None


def _finish(result: Any) -> Any:
    """Commit what the request wrote, then render the page it returned."""
    if transaction.mode() != transaction.READ or transaction.pending():
        # What the view loaded for its page stays loaded (eager loads too): the page shows the
        # state this request committed.
        transaction.commit(keep_loaded=isinstance(result, Page))
    if isinstance(result, Page):
        return result.respond()
    return result


def handler(
    *,
    public: bool = False,
    writes: bool = False,
    gate: bool = False,
    refused: Callable[..., str] | None = None,
    field: str | None = None,
    **loads: Load,
) -> Callable:
    """Declare a view (see the module docstring).

    `writes`: a GET that writes from its first statement (`transaction.writing`); `gate`: the
    confidential gate for every request, not only for objects behind it; `refused`: where a
    form-less refusal sends the person back to (given the loaded objects); `field`: the form
    field a refusal that names none belongs to.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if not public and policy.acting_user() is None:
                return login_manager.unauthorized()
            g.pop("_form_accepted", None)  # (tests reuse one `g` between requests)
            idents = {name: kwargs.pop(spec.url_argument(name)) for name, spec in loads.items()}
            loaded = _load(loads, idents)
            if (closed := _gated(loaded, gate)) is not None:
                return closed
            g._defer_render = True
            try:
                try:
                    return _finish(_within_savepoint(view, kwargs, loaded))
                except ServiceError as error:
                    if not g.pop("_form_accepted", False):
                        return _refused_without_form(error, refused, loaded)
                    refusal = error
                # Once more, the submitted form refusing with the error (consult.forms.Form).
                g._refusal, g._refusal_field = refusal, field
                try:
                    return _finish(_within_savepoint(view, kwargs, _load(loads, idents)))
                finally:
                    for key in ("_refusal", "_refusal_field", "_refusal_placed"):
                        g.pop(key, None)
            finally:
                g._defer_render = False

        wrapper._access = "public" if public else "protected"  # type: ignore[attr-defined]
        if writes:
            wrapper._writes = True  # type: ignore[attr-defined]
        wrapper._handler = True  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _within_savepoint(view: Callable, kwargs: dict[str, Any], loaded: dict[str, Any]) -> Any:
    """Run the view; a ServiceError undoes what it did (and the mail and live events it queued)
    and nothing before it: a savepoint when the request writes, so what was loaded stays."""
    nested = db.session.begin_nested() if transaction.writes() else None
    try:
        result = view(**kwargs, **loaded)
    except ServiceError:
        if nested is not None and nested.is_active:
            nested.rollback()
        transaction.discard()
        raise
    if nested is not None and nested.is_active:
        nested.commit()
    return result


def _load(loads: dict[str, Load], idents: dict[str, Any]) -> dict[str, Any]:
    """Each declared object, through the policy (404 / 403 as policy.load answers)."""
    return {
        name: policy.load(spec.model, idents[name], spec.need, by=spec.by)
        for name, spec in loads.items()
    }


def _refused_without_form(
    error: ServiceError, back: Callable[..., str] | None, loaded: dict[str, Any]
) -> Any:
    """A refusal of a form-less action: the reason flashed, back to where the person was."""
    flash(error.message, "error")
    target = back(**loaded) if back is not None else _referrer()
    if target is None:
        return Page.error(422, error.message).respond()
    return redirect(target)


def event(act: Callable[[], Any]) -> Any:
    """Run one socket event, as `handler` runs a view: `act` reads unless it writes through
    `event_writes()`; a `ServiceError` rolls back and answers `{"ok": False, "error": ...}`;
    the database session is released at the end (a socket outlives many events)."""
    try:
        return act()
    except ServiceError as error:
        transaction.rollback()
        return {"ok": False, "error": error.message}
    finally:
        db.session.remove()


@contextmanager
def event_writes() -> Iterator[None]:
    """What a socket event writes (through a service): the read it was ends, the write lock is
    taken, and one `transaction.commit()` at the end sends the live events queued with
    `transaction.emit_after_commit` once the change is committed; an error rolls back."""
    with transaction.writing():
        try:
            yield
        except BaseException:
            transaction.rollback()
            raise
        transaction.commit()
