"""Trend brief pages. Everything inside the confidential room loads through the policy (404 for
outsiders, the Secretariat included), passes the confidential gate (consult.handlers) and is
never cached; the published brief appears only as a section of its target room's page."""

from __future__ import annotations

from flask import Blueprint, flash, g, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import policy
from consult.briefs import services
from consult.briefs.forms import BriefForm, ObjectionForm, PublishForm, SubmitForm
from consult.briefs.models import BriefStatus, TrendBrief
from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.policy import Need, can
from consult.rooms.models import AccessLevel, Room
from consult.taxonomy import forms as tagging
from consult.threads.models import Forum
from consult.threads.policy import forum_of

bp = Blueprint("briefs", __name__)


def _brief_page(
    brief: TrendBrief,
    status: int = 200,
    *,
    edit_form: BriefForm | None = None,
    submit_form: SubmitForm | None = None,
    publish_form: PublishForm | None = None,
    objection_form: ObjectionForm | None = None,
):
    user = current_user._get_current_object()
    room = db.session.get(Room, brief.room_id)
    manages = can(Need.MANAGE, brief)
    may_object = can(Need.TAKE_PART, brief) and brief.is_open_to_objections
    own = services.objection_of(brief, user.delegation_id) if brief.round else None
    flags = services.check(brief, user) if manages else []
    confirmed = services.confirmations(brief) if manages else {}
    publish_form = publish_form or PublishForm(formdata=None)
    if manages:
        publish_form.target.choices = [(r.id, r.title) for r in services.target_rooms(user)]
        tagging.prepare(publish_form)
    # A refusal whose form the page no longer shows (the brief moved on) is said at the top.
    drafting = manages and brief.status is BriefStatus.DRAFT
    shown = {
        "edit": drafting,
        "submit": drafting,
        "publish": manages and brief.status is BriefStatus.PENDING,
        "objection": may_object,
    }
    for name, form in (
        ("edit", edit_form),
        ("submit", submit_form),
        ("publish", publish_form),
        ("objection", objection_form),
    ):
        if form is not None and form.errors and not shown[name]:
            for messages in form.errors.values():
                for message in messages:
                    flash(str(message), "error")
    # A withdrawn brief is a draft again: the chair still sees what was objected to.
    withdrawn = brief.status is BriefStatus.DRAFT and brief.round > 0
    current = services.objections(brief) if brief.round and not withdrawn else []
    previous = services.objections(brief) if withdrawn and manages else []
    return render(
        "briefs/brief.html",
        brief=brief,
        room=room,
        manages=manages,
        may_object=may_object,
        flags=flags,
        confirmed=confirmed,
        objections=current,
        previous_objections=previous,
        own_objection=own,
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
@handler(forum=Load(Forum, Need.MANAGE, by="slug"), field="body")
def new_brief(forum: Forum):
    room = db.session.get(Room, forum.id)
    form = BriefForm()
    if form.validate_on_submit():
        brief = services.draft(room, current_user, form.body.data)
        flash(_("Draft saved. Review the checker's flags next to the text."), "success")
        return redirect(url_for("briefs.brief", brief_id=brief.id))
    status = 422 if form.is_submitted() else 200
    return render("briefs/new.html", form=form, room=room, status=status)


@bp.route("/briefs/<int:brief_id>")
@handler(brief=Load(TrendBrief))
def brief(brief: TrendBrief):
    return _brief_page(brief)


@bp.route("/briefs/<int:brief_id>/edit", methods=["POST"])
@handler(brief=Load(TrendBrief, Need.MANAGE), field="body")
def edit(brief: TrendBrief):
    form = BriefForm()
    if form.validate_on_submit():
        services.edit(brief, current_user, form.body.data)
        flash(_("Draft saved."), "success")
        return redirect(url_for("briefs.brief", brief_id=brief.id))
    return _brief_page(brief, status=422, edit_form=form)


@bp.route("/briefs/<int:brief_id>/submit", methods=["POST"])
@handler(brief=Load(TrendBrief, Need.MANAGE), field="confirm")
def submit(brief: TrendBrief):
    form = SubmitForm()
    if form.validate_on_submit():
        services.submit(brief, current_user, form.days.data, form.confirmed())
        flash(_("The member delegations were told that a brief is pending."), "success")
        return redirect(url_for("briefs.brief", brief_id=brief.id))
    return _brief_page(brief, status=422, submit_form=form)


@bp.route("/briefs/<int:brief_id>/withdraw", methods=["POST"])
@handler(brief=Load(TrendBrief, Need.MANAGE))
def withdraw(brief: TrendBrief):
    services.withdraw(brief, current_user)
    flash(_("The brief is a draft again."), "success")
    return redirect(url_for("briefs.brief", brief_id=brief.id))


@bp.route("/briefs/<int:brief_id>/publish", methods=["POST"])
@handler(brief=Load(TrendBrief, Need.MANAGE), field="confirm")
def publish(brief: TrendBrief):
    form = PublishForm()
    tagging.prepare(form)
    if form.validate_on_submit():
        target = db.session.get(Room, form.target.data) if form.target.data else None
        tags = tagging.tags_from(form)  # a retired or unknown term is refused next to its field
        published = services.publish(brief, current_user, target, form.confirmed())
        tagging.apply(published, tags)
        flash(_("The brief was published, unsigned, in %(room)s.", room=target.title), "success")
        return redirect(url_for("rooms.room", slug=target.slug))
    if form.target.errors:  # one clear message, not WTForms' "could not coerce"
        form.target.errors = [_("Choose a non-confidential room to publish the brief in.")]
    return _brief_page(brief, status=422, publish_form=form)


@bp.route("/briefs/<int:brief_id>/objections", methods=["POST"])
@handler(brief=Load(TrendBrief, Need.TAKE_PART), field="reason")
def object_to(brief: TrendBrief):
    form = ObjectionForm()
    if form.validate_on_submit():
        services.object_to(brief, current_user, form.reason.data)
        flash(_("Your delegation's objection was sent to the chair."), "success")
        return redirect(url_for("briefs.brief", brief_id=brief.id))
    return _brief_page(brief, status=422, objection_form=form)


@bp.route("/briefs/<int:brief_id>/objections/withdraw", methods=["POST"])
@handler(brief=Load(TrendBrief, Need.TAKE_PART))
def withdraw_objection(brief: TrendBrief):
    services.withdraw_objection(brief, current_user)
    flash(_("Your delegation's objection was withdrawn."), "success")
    return redirect(url_for("briefs.brief", brief_id=brief.id))


# ---- the room pages --------------------------------------------------------------------------


def room_briefs(room: Room, user):
    """Drafts and pending briefs on a confidential room's page, for its named members."""
    if room.access is not AccessLevel.CONFIDENTIAL:
        return None
    g.no_store = True
    forum = forum_of(room)
    if not can(Need.VIEW, forum, user) or policy.gate_closed(forum) is not None:
        return None  # the threads section explains how to get in
    return "briefs/_room_briefs.html", {
        "room": room,
        "briefs": services.briefs_in(room, user),
        "manages": can(Need.MANAGE, forum, user),
    }


def published_briefs(room: Room, user):
    """Published trend briefs in a non-confidential room: unsigned, pointing nowhere back."""
    if room.access is AccessLevel.CONFIDENTIAL:
        return None
    published = services.published_in(room, user)
    if not published:
        return None
    return "briefs/_published.html", {"published": published}
