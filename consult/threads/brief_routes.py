"""Trend brief pages. Everything inside the confidential room loads through the policy (404 for
outsiders, the Secretariat included), passes the confidential gate and is never cached; the
published brief appears only as a section of its target room's page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from consult.extensions import db
from consult.forms import Form
from consult.htmx import redirect, render
from consult.ids import WholeNumberField, parse_id
from consult.markdown import Renderable
from consult.policy import Need, can, load, protected
from consult.rooms.models import AccessLevel, Room
from consult.threads import briefs
from consult.threads.briefs import BriefError, BriefStatus, TrendBrief
from consult.threads.policy import personal_membership
from consult.threads.routes import _gate, is_fresh
from consult.transaction import commit

bp = Blueprint("briefs", __name__)


class BriefForm(Form):
    body = TextAreaField(
        _l("Trend brief (Markdown): trends and general lessons, never cases"),
        validators=[DataRequired(), Length(max=briefs.MAX_BRIEF_LENGTH), Renderable()],
    )


class _ConfirmForm(Form):
    #: Keys of the flags the chair keeps ("keep this, it is not identifying").
    confirm = SelectMultipleField(validate_choice=False, validators=[Optional()])


class SubmitForm(_ConfirmForm):
    days = WholeNumberField(
        _l("Objection period (days)"),
        default=14,
        validators=[DataRequired(), NumberRange(1, briefs.MAX_OBJECTION_DAYS)],
        description=_l("Member delegations may object until the period ends."),
    )


class PublishForm(_ConfirmForm):
    target = SelectField(
        _l("Publish in the room"),
        coerce=parse_id,  # None for anything that is not a room id: refused with a message
        validate_choice=False,
        description=_l("A non-confidential room, e.g. WGETI. The brief appears there unsigned."),
    )


class ObjectionForm(Form):
    reason = TextAreaField(
        _l("Reason for your delegation's objection"),
        validators=[DataRequired(), Length(max=briefs.MAX_REASON_LENGTH), Renderable()],
        description=_l("Only the chair and your delegation see it."),
    )


def _refuse(field, error: BriefError, shown: bool) -> None:
    """Show the message next to the field, or at the top when the page has no such form."""
    if shown:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


def _confirmed() -> set[str]:
    return {k for k in request.form.getlist("confirm") if k}


def _brief(brief_id: int, need: Need = Need.VIEW) -> tuple[TrendBrief, Room]:
    brief = load(TrendBrief, brief_id, need)
    return brief, db.session.get(Room, brief.room_id)


def _brief_page(
    brief: TrendBrief,
    room: Room,
    status: int = 200,
    *,
    edit_form: BriefForm | None = None,
    submit_form: SubmitForm | None = None,
    publish_form: PublishForm | None = None,
    objection_form: ObjectionForm | None = None,
):
    user = current_user._get_current_object()
    manages = can(Need.MANAGE, brief)
    flags = briefs.check(brief, user) if manages else []
    confirmed = briefs.confirmations(brief) if manages else {}
    publish_form = publish_form or PublishForm(formdata=None)
    if manages:
        publish_form.target.choices = [(r.id, r.title) for r in briefs.target_rooms(user)]
    # A withdrawn brief is a draft again: the chair still sees what was objected to.
    withdrawn = brief.status is BriefStatus.DRAFT and brief.round > 0
    current = briefs.objections(brief) if brief.round and not withdrawn else []
    previous = briefs.objections(brief) if withdrawn and manages else []
    return render(
        "briefs/brief.html",
        brief=brief,
        room=room,
        manages=manages,
        may_object=can(Need.TAKE_PART, brief) and brief.is_open_to_objections,
        flags=flags,
        confirmed=confirmed,
        objections=current,
        previous_objections=previous,
        own_objection=briefs.objection_of(brief, user.delegation_id) if brief.round else None,
        published_room=(
            db.session.get(Room, brief.published_room_id) if brief.published_room_id else None
        ),
        edit_form=edit_form or BriefForm(formdata=None, body=brief.body),
        submit_form=submit_form or SubmitForm(formdata=None),
        publish_form=publish_form,
        objection_form=objection_form or ObjectionForm(formdata=None),
        status=status,
    )


@bp.route("/rooms/<slug>/briefs/new", methods=["GET", "POST"])
@protected
def new_brief(slug: str):
    room = load(Room, slug, by="slug")
    if (
        room.access is not AccessLevel.CONFIDENTIAL
        or personal_membership(current_user, room) is None
    ):
        abort(404)
    if (gate := _gate()) is not None:
        return gate
    if not briefs.manages(current_user, room):
        abort(403)
    form = BriefForm()
    if form.validate_on_submit():
        try:
            brief = briefs.draft(room, current_user, form.body.data)
        except BriefError as error:
            form.body.errors = [*form.body.errors, str(error)]
        else:
            commit()
            flash(_("Draft saved. Review the checker's flags next to the text."), "success")
            return redirect(url_for("briefs.brief", brief_id=brief.id))
    status = 422 if form.is_submitted() else 200
    return render("briefs/new.html", form=form, room=room, status=status)


@bp.route("/briefs/<int:brief_id>")
@protected
def brief(brief_id: int):
    brief, room = _brief(brief_id)
    if (gate := _gate()) is not None:
        return gate
    return _brief_page(brief, room)


@bp.route("/briefs/<int:brief_id>/edit", methods=["POST"])
@protected
def edit(brief_id: int):
    brief, room = _brief(brief_id, Need.MANAGE)
    if (gate := _gate()) is not None:
        return gate
    form = BriefForm()
    if brief.status is not BriefStatus.DRAFT:
        flash(_("Only a draft can be edited. Withdraw the brief first."), "error")
    elif form.validate_on_submit():
        try:
            briefs.edit(brief, current_user, form.body.data)
        except BriefError as error:
            _refuse(form.body, error, brief.status is BriefStatus.DRAFT)
        else:
            commit()
            flash(_("Draft saved."), "success")
            return redirect(url_for("briefs.brief", brief_id=brief.id))
    return _brief_page(brief, room, status=422, edit_form=form)


@bp.route("/briefs/<int:brief_id>/submit", methods=["POST"])
@protected
def submit(brief_id: int):
    brief, room = _brief(brief_id, Need.MANAGE)
    if (gate := _gate()) is not None:
        return gate
    form = SubmitForm()
    if brief.status is not BriefStatus.DRAFT:
        flash(_("This brief has already been submitted."), "error")
    elif form.validate_on_submit():
        try:
            briefs.submit(brief, current_user, form.days.data, _confirmed())
        except BriefError as error:
            _refuse(form.confirm, error, brief.status is BriefStatus.DRAFT)
        else:
            commit()
            flash(_("The member delegations were told that a brief is pending."), "success")
            return redirect(url_for("briefs.brief", brief_id=brief.id))
    return _brief_page(brief, room, status=422, submit_form=form)


@bp.route("/briefs/<int:brief_id>/withdraw", methods=["POST"])
@protected
def withdraw(brief_id: int):
    brief, room = _brief(brief_id, Need.MANAGE)
    if (gate := _gate()) is not None:
        return gate
    try:
        briefs.withdraw(brief, current_user)
    except BriefError as error:
        flash(str(error), "error")
        return _brief_page(brief, room, status=422)
    commit()
    flash(_("The brief is a draft again."), "success")
    return redirect(url_for("briefs.brief", brief_id=brief.id))


@bp.route("/briefs/<int:brief_id>/publish", methods=["POST"])
@protected
def publish(brief_id: int):
    brief, room = _brief(brief_id, Need.MANAGE)
    if (gate := _gate()) is not None:
        return gate
    form = PublishForm()
    if form.validate_on_submit():
        target = db.session.get(Room, form.target.data) if form.target.data else None
        try:
            briefs.publish(brief, current_user, target, _confirmed())
        except BriefError as error:
            _refuse(form.confirm, error, brief.status is BriefStatus.PENDING)
        else:
            commit()
            flash(
                _("The brief was published, unsigned, in %(room)s.", room=target.title), "success"
            )
            return redirect(url_for("rooms.room", slug=target.slug))
    else:
        form.target.errors = []  # one clear message, not WTForms' "could not coerce"
        _refuse(
            form.target,
            BriefError(_("Choose a non-confidential room to publish the brief in.")),
            brief.status is BriefStatus.PENDING,
        )
    return _brief_page(brief, room, status=422, publish_form=form)


@bp.route("/briefs/<int:brief_id>/objections", methods=["POST"])
@protected
def object_to(brief_id: int):
    brief, room = _brief(brief_id, Need.TAKE_PART)
    if (gate := _gate()) is not None:
        return gate
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            briefs.object_to(brief, current_user, form.reason.data)
        except BriefError as error:
            _refuse(form.reason, error, brief.is_open_to_objections)
        else:
            commit()
            flash(_("Your delegation's objection was sent to the chair."), "success")
            return redirect(url_for("briefs.brief", brief_id=brief.id))
    return _brief_page(brief, room, status=422, objection_form=form)


@bp.route("/briefs/<int:brief_id>/objections/withdraw", methods=["POST"])
@protected
def withdraw_objection(brief_id: int):
    brief, room = _brief(brief_id, Need.TAKE_PART)
    if (gate := _gate()) is not None:
        return gate
    try:
        briefs.withdraw_objection(brief, current_user)
    except BriefError as error:
        flash(str(error), "error")
        return _brief_page(brief, room, status=422)
    commit()
    flash(_("Your delegation's objection was withdrawn."), "success")
    return redirect(url_for("briefs.brief", brief_id=brief.id))


# ---- the room pages --------------------------------------------------------------------------


def room_briefs(room: Room, user):
    """Drafts and pending briefs on a confidential room's page, for its named members."""
    if room.access is not AccessLevel.CONFIDENTIAL:
        return None
    g.no_store = True
    if personal_membership(user, room) is None or not is_fresh():
        return None  # the threads section explains how to get in
    return "briefs/_room_briefs.html", {
        "room": room,
        "briefs": briefs.briefs_in(room, user),
        "manages": briefs.manages(user, room),
    }


def published_briefs(room: Room, user):
    """Published trend briefs in a non-confidential room: unsigned, pointing nowhere back."""
    if room.access is AccessLevel.CONFIDENTIAL:
        return None
    published = briefs.published_in(room)
    if not published:
        return None
    return "briefs/_published.html", {"published": published}
