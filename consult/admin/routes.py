"""The Secretariat's administration: delegations, people, rooms and the audit log.

Before any view, the blueprint asks for the Secretariat's power, so anyone else signed in gets
404 (the pages do not exist for them); each view is then a handler (consult.handlers): it
loads, calls one service and answers, and a service's refusal stands next to its field.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.models import Delegation, DelegationStatus, User
from consult.admin import forms, services
from consult.admin.services import PersonState
from consult.forms import Form
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.policy import Need, acting_user, require
from consult.rooms.models import Room

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _secretariat_only() -> None:
    """404 to anyone signed in without the Secretariat's power, before anything is loaded
    (anonymous visitors are sent to sign in by the handler)."""
    if acting_user() is not None:
        require(Need.ADMINISTER)


def _actor() -> User:
    return current_user._get_current_object()


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


def _form_status(form: Form) -> int:
    """422 for a form that was sent and refused, 200 for a fresh one."""
    return 422 if form.is_submitted() else 200


def _viewer_zone() -> ZoneInfo:
    """The viewer's time zone (the one the `local_time` filter shows times in)."""
    try:
        return ZoneInfo(str(get_timezone()))
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


@bp.route("/")
@handler()
def index() -> Response:
    return render("admin/index.html", overview=services.overview())


# ---- delegations ---------------------------------------------------------------------------------


@bp.route("/delegations")
@handler()
def delegations() -> Response:
    filters = forms.DelegationFilterForm(request.args)
    valid = filters.validate()
    clean = filters.cleaned()
    result = services.list_delegations(
        search=clean.get("q", "").strip(),
        status=DelegationStatus(clean["status"]) if "status" in clean else None,
        page=_page_number(),
    )
    return render(
        "admin/delegations.html",
        "admin/_delegation_table.html",
        filters=filters,
        result=result,
        args=filters.args(),
        status=200 if valid else 422,
    )


@bp.route("/delegations/new", methods=["GET", "POST"])
@handler()
def new_delegation() -> Response:
    form = forms.delegation_form()
    if form.validate_on_submit():
        delegation = services.create_delegation(actor=_actor(), **forms.delegation_fields(form))
        flash(_("The delegation %(name)s was created.", name=delegation.name), "success")
        return redirect(url_for("admin.delegations", q=delegation.name))
    return render(
        "admin/delegation_form.html", form=form, delegation=None, status=_form_status(form)
    )


@bp.route("/delegations/<int:delegation_id>/edit", methods=["GET", "POST"])
@handler(delegation=Load(Delegation, Need.ADMINISTER))
def edit_delegation(delegation: Delegation) -> Response:
    form = forms.delegation_form(delegation)
    if form.validate_on_submit():
        services.update_delegation(delegation, actor=_actor(), **forms.delegation_fields(form))
        flash(_("The delegation %(name)s was saved.", name=delegation.name), "success")
        return redirect(url_for("admin.delegations", q=delegation.name))
    return render(
        "admin/delegation_form.html", form=form, delegation=delegation, status=_form_status(form)
    )


# ---- people --------------------------------------------------------------------------------------


@bp.route("/people")
@handler()
def people() -> Response:
    filters = forms.PeopleFilterForm(request.args, delegations=services.delegation_choices())
    valid = filters.validate()
    clean = filters.cleaned()
    result = services.list_people(
        search=clean.get("q", "").strip(),
        delegation_id=clean.get("delegation"),
        state=PersonState(clean["state"]) if "state" in clean else None,
        page=_page_number(),
    )
    return render(
        "admin/people.html",
        "admin/_people_table.html",
        filters=filters,
        result=result,
        args=filters.args(),
        status=200 if valid else 422,
    )


@bp.route("/people/new", methods=["GET", "POST"])
@handler()
def invite_user() -> Response:
    form = forms.user_form(services.delegation_choices())
    if form.validate_on_submit():
        user = services.invite_person(actor=_actor(), **forms.user_fields(form))
        flash(
            _(
                "%(name)s was invited; the link went to %(email)s.",
                name=user.name,
                email=user.email,
            ),
            "success",
        )
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return render("admin/person_form.html", form=form, person=None, status=_form_status(form))


def _user_page(user: User, status: int = 200, **action_forms: Form) -> Response:
    """The person page, with fresh action forms unless a refused one is handed in.

    A refusal about the account itself (already active, one's own account ...) names no
    field, and the page may not show that form at all: it is flashed.
    """
    for form in action_forms.values():
        for message in form.form_errors:
            flash(message, "error")
    action_forms.setdefault("deactivate_form", forms.DeactivateForm())
    action_forms.setdefault("resend_form", forms.ResendInvitationForm())
    action_forms.setdefault("reactivate_form", forms.ReactivateForm())
    return render(
        "admin/user.html",
        person=user,
        record=services.person_record(user),
        may_invite=services.invitation_refusal(user) is None,
        may_deactivate=services.deactivation_refusal(user, _actor()) is None,
        status=status,
        **action_forms,
    )


@bp.route("/people/<int:user_id>")
@handler(user=Load(User, Need.ADMINISTER))
def user_detail(user: User) -> Response:
    return _user_page(user)


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
@handler(user=Load(User, Need.ADMINISTER))
def edit_user(user: User) -> Response:
    form = forms.user_form(services.delegation_choices(), user)
    if form.validate_on_submit():
        services.update_person(user, actor=_actor(), **forms.user_fields(form))
        flash(_("%(name)s's details were saved.", name=user.name), "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return render("admin/person_form.html", form=form, person=user, status=_form_status(form))


@bp.route("/people/<int:user_id>/invitation", methods=["POST"])
@handler(user=Load(User, Need.ADMINISTER))
def resend_invitation(user: User) -> Response:
    form = forms.ResendInvitationForm()
    if form.validate_on_submit():
        services.resend_invitation(user, actor=_actor(), note=form.note.data or "")
        flash(
            _(
                "A new invitation went to %(email)s; the earlier link no longer works.",
                email=user.email,
            ),
            "success",
        )
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return _user_page(user, 422, resend_form=form)


@bp.route("/people/<int:user_id>/deactivate", methods=["POST"])
@handler(user=Load(User, Need.ADMINISTER))
def deactivate_user(user: User) -> Response:
    form = forms.DeactivateForm()
    if form.validate_on_submit():
        services.deactivate_person(user, reason=form.reason.data, actor=_actor())
        flash(
            _(
                "%(name)s's account is deactivated and every session of theirs has ended.",
                name=user.name,
            ),
            "success",
        )
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return _user_page(user, 422, deactivate_form=form)


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
@handler(user=Load(User, Need.ADMINISTER))
def reactivate_user(user: User) -> Response:
    form = forms.ReactivateForm()
    if form.validate_on_submit():
        services.reactivate_person(user, actor=_actor())
        flash(_("%(name)s's account is active again.", name=user.name), "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return _user_page(user, 422, reactivate_form=form)


# ---- rooms ---------------------------------------------------------------------------------------


@bp.route("/rooms")
@handler()
def rooms() -> Response:
    filters = forms.RoomFilterForm(request.args)
    valid = filters.validate()
    clean = filters.cleaned()
    result = services.list_rooms(search=clean.get("q", "").strip(), page=_page_number())
    return render(
        "admin/rooms.html",
        "admin/_room_table.html",
        filters=filters,
        result=result,
        args=filters.args(),
        status=200 if valid else 422,
    )


@bp.route("/rooms/new", methods=["GET", "POST"])
@handler()
def new_room() -> Response:
    form = forms.room_form(services.room_choices())
    if form.validate_on_submit():
        room = services.create_room(actor=_actor(), **forms.room_fields(form))
        flash(
            _("The room %(title)s was created. It has no members yet.", title=room.title),
            "success",
        )
        return redirect(url_for("admin.edit_room", room_id=room.id))
    return render(
        "admin/room_form.html", form=form, room=None, members=0, status=_form_status(form)
    )


@bp.route("/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@handler(room=Load(Room, Need.MANAGE))  # what editing a room needs: the Secretariat has it
def edit_room(room: Room) -> Response:
    form = forms.room_form(services.room_choices(exclude=room), room)
    if form.validate_on_submit():
        services.update_room(room, actor=_actor(), **forms.room_fields(form))
        flash(_("The room %(title)s was saved.", title=room.title), "success")
        return redirect(url_for("admin.edit_room", room_id=room.id))
    return render(
        "admin/room_form.html",
        form=form,
        room=room,
        members=services.current_member_count(room),
        status=_form_status(form),
    )


# ---- audit log -----------------------------------------------------------------------------------


@bp.route("/audit")
@handler()
def audit_log() -> Response:
    filters = forms.AuditFilterForm(
        request.args, kinds=services.audit_kinds(), rooms=services.room_choices()
    )
    valid = filters.validate()
    clean = filters.cleaned()
    since, until = services.day_bounds(clean.get("date_from"), clean.get("date_to"), _viewer_zone())
    result = services.list_events(
        kind=clean.get("kind"),
        person=clean.get("person", "").strip(),
        room_id=clean.get("room"),
        since=since,
        until=until,
        page=_page_number(),
    )
    return render(
        "admin/audit.html",
        "admin/_audit_table.html",
        filters=filters,
        result=result,
        args=filters.args(),
        status=200 if valid else 422,
    )
