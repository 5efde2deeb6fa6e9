"""The Secretariat's taxonomy pages: edit, order and retire the stages, sub-topics and
transfer activities (the blueprint asks for the Secretariat's power before any view)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.policy import Need, acting_user, require
from consult.taxonomy import admin
from consult.taxonomy.forms import TermActionForm, TermForm
from consult.taxonomy.models import Term

bp = Blueprint("taxonomy", __name__, url_prefix="/admin/taxonomy")


@bp.before_request
def _secretariat_only() -> None:
    """404 to anyone signed in without the Secretariat's power (as consult.admin does)."""
    if acting_user() is not None:
        require(Need.ADMINISTER)


def _back(**_loaded) -> str:
    return url_for("taxonomy.index")


def _flash_refusal(form: TermActionForm) -> None:
    """A button's refusal (the service's reason, which the handler put on the form)."""
    reasons = [*form.form_errors, *(e for f in form for e in f.errors)]
    if reasons:
        flash(" ".join(str(r) for r in reasons), "error")


def _anchor(term: Term) -> str:
    return url_for("taxonomy.index") + f"#term-{term.id}"


@bp.route("")
@handler()
def index() -> Response:
    """The stages with their sub-topics and the transfer activities, in order, with how many
    subjects each tags; the buttons to add, edit, order, retire and reinstate."""
    return render(
        "taxonomy/admin.html",
        listing=admin.listing(current_user),
        action_form=TermActionForm(formdata=None),
    )


@bp.route("/new", methods=["GET", "POST"])
@handler(field="name")
def new_term() -> Response:
    form = TermForm()
    form.place.choices = admin.place_choices()
    if not form.is_submitted():
        form.place.data = request.args.get("place", admin.STAGE_PLACE)
    if form.validate_on_submit():
        term = admin.create_term(
            current_user,
            place=form.place.data or "",
            name=form.name.data or "",
            slug=form.slug.data or "",
            description=form.description.data or "",
        )
        flash(_("%(name)s is added at the end of its list.", name=term.name), "success")
        return redirect(_anchor(term))
    return render(
        "taxonomy/term_form.html",
        form=form,
        term=None,
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/<int:term_id>/edit", methods=["GET", "POST"])
@handler(term=Load(Term, Need.MANAGE), field="name")
def edit_term(term: Term) -> Response:
    form = TermForm(obj=term if request.method == "GET" else None)
    del form.place
    if form.validate_on_submit():
        changed = admin.update_term(
            term,
            current_user,
            name=form.name.data or "",
            slug=form.slug.data or "",
            description=form.description.data or "",
        )
        flash(
            _("%(name)s is saved.", name=term.name)
            if changed
            else _("Nothing changed in %(name)s.", name=term.name),
            "success",
        )
        return redirect(_anchor(term))
    return render(
        "taxonomy/term_form.html",
        form=form,
        term=term,
        parent=db.session.get(Term, term.parent_id) if term.parent_id else None,
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/<int:term_id>/move/<any(up, down):direction>", methods=["POST"])
@handler(term=Load(Term, Need.MANAGE), refused=_back)
def move_term(term: Term, direction: str) -> Response:
    form = TermActionForm()
    if form.validate_on_submit():
        admin.move(term, current_user, up=direction == "up")
        flash(
            _("%(name)s is moved up.", name=term.name)
            if direction == "up"
            else _("%(name)s is moved down.", name=term.name),
            "success",
        )
    else:
        _flash_refusal(form)
    return redirect(_anchor(term))


@bp.route("/<int:term_id>/retire", methods=["GET", "POST"])
@handler(term=Load(Term, Need.MANAGE), refused=_back)
def retire_term(term: Term) -> Response:
    """A page that says what retiring means (GET), and retiring (POST)."""
    form = TermActionForm()
    if form.validate_on_submit():
        with_it = admin.retire(term, current_user)
        flash(
            _(
                "%(name)s is retired: it is no longer offered for new tags; what is tagged with "
                "it keeps the tag and stays listed under it. Reinstate it to undo.",
                name=term.name,
            )
            + (
                " "
                + _(
                    "Its sub-topics in use are retired with it: %(names)s.",
                    names=", ".join(s.name for s in with_it),
                )
                if with_it
                else ""
            ),
            "success",
        )
        return redirect(_anchor(term))
    return render(
        "taxonomy/retire.html",
        term=term,
        form=form,
        count=admin.tag_counts(current_user).get(term.id, 0),
        subtopics=[t for t in admin.subtopics(term) if not t.is_retired],
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/<int:term_id>/reinstate", methods=["POST"])
@handler(term=Load(Term, Need.MANAGE), refused=_back)
def reinstate_term(term: Term) -> Response:
    form = TermActionForm()
    if form.validate_on_submit():
        with_it = admin.reinstate(term, current_user)
        flash(
            _("%(name)s is offered for tags again.", name=term.name)
            + (
                " "
                + _(
                    "Its sub-topics retired with it are back too: %(names)s.",
                    names=", ".join(s.name for s in with_it),
                )
                if with_it
                else ""
            ),
            "success",
        )
    else:
        _flash_refusal(form)
    return redirect(_anchor(term))
