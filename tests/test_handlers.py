"""The handler layer (consult.handlers): one flow for every view, tested on small views.

Each test wraps a view with `@handler` and calls it inside a request context as Flask would,
so what the layer does (load, refuse, roll back, run the form again, commit once, render
after the commit) is seen apart from any page.
"""

from __future__ import annotations

import pytest
from flask import get_flashed_messages, url_for
from flask_login import login_user
from sqlalchemy import func, select
from wtforms import StringField

from consult import transaction
from consult.accounts import sessions
from consult.accounts.models import Delegation, DelegationStatus
from consult.errors import ServiceError
from consult.forms import Form
from consult.handlers import Load, handler
from consult.htmx import Page, redirect, render
from consult.policy import Need
from consult.rooms.models import Room


class NameForm(Form):
    class Meta:
        csrf = False

    name = StringField("Name")
    note = StringField("Note")


def _delegations(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Delegation))


def _write_a_delegation(db, name: str = "Written by the view") -> None:
    db.session.add(Delegation(name=name, short_name=name[:8], status=DelegationStatus.STATE_PARTY))
    db.session.flush()


@pytest.fixture
def signed_in(app, db, make_user):
    """Call a view as `user` in a POST (or GET) request context, as Flask would."""
    user = make_user()

    def call(view, method: str = "POST", data: dict | None = None, headers=None, **url_args):
        with app.test_request_context("/", method=method, data=data or {}, headers=headers):
            sessions.begin(user)
            db.session.flush()
            login_user(user)
            response = view(**url_args)
            return response, get_flashed_messages(with_categories=True)

    call.user = user
    return call


def test_a_refusal_shows_next_to_its_field_and_stores_nothing(db, signed_in):
    runs, acted = [], []

    @handler(field="name")
    def view():
        runs.append(1)
        form = NameForm()
        if form.validate_on_submit():
            acted.append(1)
            _write_a_delegation(db)
            raise ServiceError("That name is taken.")
        return render(
            "errors/error.html",
            status=422 if form.is_submitted() else 200,
            title="t",
            message=" ".join(form.name.errors),
        )

    before = _delegations(db)
    response, _flashes = signed_in(view, data={"name": "Ruritania"})
    assert response.status_code == 422
    assert "That name is taken." in response.get_data(as_text=True)
    assert len(runs) == 2 and len(acted) == 1  # the view ran again; the service did not
    assert _delegations(db) == before


def test_the_error_names_its_own_field_over_the_handlers_default(db, signed_in):
    seen = {}

    @handler(field="name")
    def view():
        form = NameForm()
        if form.validate_on_submit():
            raise ServiceError("Say why.", field="note")
        seen.update(name=form.name.errors, note=form.note.errors)
        return render("errors/error.html", status=422, title="t", message="m")

    signed_in(view, data={"name": "x"})
    assert seen == {"name": [], "note": ["Say why."]}


def test_a_refusal_without_a_field_is_on_the_form(db, signed_in):
    seen = {}

    @handler()
    def view():
        form = NameForm()
        if form.validate_on_submit():
            raise ServiceError("Not now.")
        seen["form"] = form.form_errors
        return render("errors/error.html", status=422, title="t", message="m")

    signed_in(view, data={"name": "x"})
    assert seen["form"] == ["Not now."]


def test_a_formless_refusal_flashes_and_goes_back(app, db, signed_in):
    @handler(refused=lambda: "/back-here")
    def view():
        _write_a_delegation(db)
        raise ServiceError("You already follow it.")

    before = _delegations(db)
    response, flashes = signed_in(view)
    assert response.status_code == 303 and response.headers["Location"] == "/back-here"
    assert flashes == [("error", "You already follow it.")]
    assert _delegations(db) == before


def test_a_formless_refusal_with_nowhere_to_go_is_a_422_page(db, signed_in):
    @handler()
    def view():
        raise ServiceError("Closed since noon.")

    response, _flashes = signed_in(view)
    assert response.status_code == 422
    assert "Closed since noon." in response.get_data(as_text=True)


def test_a_formless_refusal_goes_back_to_the_referring_page_on_this_site(db, signed_in):
    @handler()
    def view():
        raise ServiceError("No.")

    response, _ = signed_in(view, headers={"Referer": "http://localhost/rooms/r?tab=2"})
    assert response.headers["Location"] == "/rooms/r?tab=2"
    response, _ = signed_in(view, headers={"Referer": "http://elsewhere.example/rooms/r"})
    assert response.status_code == 422  # never back to another site


def test_the_view_commits_once_and_the_page_renders_after_the_commit(db, signed_in, monkeypatch):
    order = []

    @handler()
    def view():
        _write_a_delegation(db, "Committed")
        page = render("errors/error.html", title="t", message="m")
        assert isinstance(page, Page)  # deferred: nothing rendered yet
        order.append("view")
        return page

    real_commit, real_respond = transaction.commit, Page.respond

    def commit(**kwargs):
        order.append("commit")
        return real_commit(**kwargs)

    def respond(self):
        order.append(f"render ({transaction.mode() or 'outside a request'})")
        return real_respond(self)

    monkeypatch.setattr(transaction, "commit", commit)
    monkeypatch.setattr(Page, "respond", respond)
    response, _ = signed_in(view)
    assert response.status_code == 200
    assert order == ["view", "commit", "render (outside a request)"]
    assert db.session.scalar(select(Delegation).where(Delegation.name == "Committed"))


def test_an_unexpected_error_is_not_swallowed(db, signed_in):
    @handler()
    def view():
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        signed_in(view)


def test_objects_load_through_the_policy(app, db, signed_in, make_room, add_member):
    room = make_room()

    @handler(room=Load(Room, Need.MANAGE, by="slug"))
    def view(room: Room):
        return redirect("/done")

    from werkzeug.exceptions import Forbidden, NotFound

    with pytest.raises(NotFound):
        signed_in(view, slug="no-such-room")
    add_member(room, signed_in.user)
    with pytest.raises(Forbidden):  # a member sees the room but does not manage it
        signed_in(view, slug=room.slug)


def test_nobody_signed_in_is_sent_to_sign_in(app, db):
    @handler()
    def view():
        raise AssertionError("never reached")

    with app.test_request_context("/private"):
        response = view()
        sign_in = url_for("accounts.sign_in")
    assert response.status_code == 302
    assert sign_in in response.headers["Location"]


def test_the_gate_asks_for_two_factor_first(app, db, signed_in):
    @handler(gate=True)
    def view():
        raise AssertionError("never reached without two-factor sign-in")

    response, flashes = signed_in(view, method="GET")
    assert response.status_code == 303
    assert "/two-factor" in response.headers["Location"] or "two_factor" in str(flashes)
