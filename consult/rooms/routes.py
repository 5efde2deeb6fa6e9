"""Room pages: the list, the room home, membership management and join requests."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult.accounts.models import Delegation, User
from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render, wants_fragment
from consult.policy import Need, can
from consult.rooms import services
from consult.rooms.contents import sections
from consult.rooms.forms import (
    AddDelegationForm,
    AddPersonForm,
    ChangeRoleForm,
    DecideForm,
    JoinRequestForm,
    RemoveForm,
)
from consult.rooms.models import JoinRequest, Membership, Room, RoomRole
from consult.rooms.policy import room_roles

bp = Blueprint("rooms", __name__, url_prefix="/rooms")


def _delegation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Delegation.id, Delegation.name)
        .where(Delegation.is_active.is_(True))
        .order_by(Delegation.name)
    ).all()
    return [(0, _("Choose a delegation"))] + [(i, n) for i, n in rows]


def _new_account_choices(room: Room) -> list[tuple[int, str]]:
    """Delegations a manager may invite new accounts for: their own, or any for those who may
    override the room's guardrails (the Secretariat)."""
    if can(Need.OVERRIDE, room):
        return _delegation_choices()
    own = current_user.delegation
    return [(0, _("Choose a delegation")), (own.id, own.name)]


def _add_delegation_form(room: Room) -> AddDelegationForm:
    form = AddDelegationForm(prefix="d")
    form.delegation.choices = _delegation_choices()
    return form


def _add_person_form(room: Room) -> AddPersonForm:
    form = AddPersonForm(prefix="p")
    form.delegation.choices = _new_account_choices(room)
    return form


def _management_forms(room: Room, add_delegation=None, add_person=None) -> dict:
    return {
        "add_delegation": add_delegation or _add_delegation_form(room),
        "add_person": add_person or _add_person_form(room),
    }


def _override_note(form, room: Room, delegation: Delegation) -> None:
    """Say so when the Secretariat's override was what let someone in."""
    if (
        can(Need.OVERRIDE, room)
        and form.override.data
        and services.kind_refusal(room, delegation) is not None
    ):
        flash(
            _("Added outside the room's rule, as you asked; the audit log records the override."),
            "warning",
        )


def _flash_refusal(form) -> bool:
    """Flash a service's refusal of a small form (a role, a verdict, a removal), which names
    no field of it; whether there was one."""
    for message in form.form_errors:
        flash(message, "error")
    return bool(form.form_errors)


def _members_context(room: Room, **forms) -> dict:
    context = {
        "room": room,
        "groups": services.members_by_status(room),
        "manages": can(Need.MANAGE, room),
    }
    if context["manages"]:
        context.update(_management_forms(room, **forms))
        context["join_requests"] = services.pending_join_requests(room)
        context["decide_form"] = DecideForm()
        context["role_form"] = ChangeRoleForm()
    return context


def _members_response(room: Room, status: int = 200, **forms):
    """The members panel for htmx, or back to the room page for a plain form post."""
    if wants_fragment():
        return render(
            "rooms/room.html",
            "rooms/_members.html",
            status=status,
            **_members_context(room, **forms),
        )
    if status >= 400:
        return _room_page(room, status=status, **forms)
    return redirect(url_for("rooms.room", slug=room.slug) + "#members")


def _room_page(room: Room, status: int = 200, **forms):
    user = current_user._get_current_object()
    previous_visit = services.record_visit(room, user)
    context = _members_context(room, **forms)
    context.update(
        role=room_roles(user).get(room.id),
        previous_visit=previous_visit,
        children=services.child_rooms(room, user),
        parent=db.session.get(Room, room.parent_id) if room.parent_id else None,
        activity=services.recent_activity(room, user),
        history=services.role_history(room),
        join_form=JoinRequestForm(),
        my_request=services.my_pending_request(room, user),
        contents=sections(room, user),
    )
    return render("rooms/room.html", status=status, **context)


@bp.route("/")
@handler()
def index():
    search = request.args.get("q", "").strip()[:100]
    rooms = services.visible_rooms(current_user, search=search)
    return render(
        "rooms/index.html",
        "rooms/_room_list.html",
        rooms=rooms,
        search=search,
        roles=room_roles(current_user),
    )


@bp.route("/<slug>")
@handler(room=Load(Room, by="slug"), writes=True)  # records the visit, then reads
def room(room: Room):
    return _room_page(room)


@bp.route("/<slug>/members")
@handler(room=Load(Room, by="slug"))
def members(room: Room):
    if not wants_fragment():
        return redirect(url_for("rooms.room", slug=room.slug) + "#members")
    return render("rooms/room.html", "rooms/_members.html", **_members_context(room))


@bp.route("/<slug>/members/delegations", methods=["POST"])
@handler(room=Load(Room, Need.MANAGE, by="slug"), field="delegation")
def add_delegation(room: Room):
    form = _add_delegation_form(room)
    if form.validate_on_submit():
        delegation = services.delegation_to_add(form.delegation.data)
        services.add_member(
            room,
            RoomRole(form.role.data),
            current_user,
            delegation=delegation,
            override=bool(form.override.data),
        )
        flash(_("%(name)s is now in the room.", name=delegation.name), "success")
        _override_note(form, room, delegation)
        return _members_response(room, add_delegation=None)
    return _members_response(room, 422, add_delegation=form)


@bp.route("/<slug>/members/people", methods=["POST"])
@handler(room=Load(Room, Need.MANAGE, by="slug"), field="email")
def add_person(room: Room):
    form = _add_person_form(room)
    if form.validate_on_submit():
        delegation = (
            db.session.get(Delegation, form.delegation.data) if form.delegation.data else None
        )
        user = services.invite_to_room(
            room,
            email=form.email.data,
            role=RoomRole(form.role.data),
            actor=current_user,
            name=form.name.data or "",
            delegation=delegation,
            note=form.note.data or "",
            override=bool(form.override.data),
        )
        _override_note(form, room, user.delegation)
        if user.password_hash is None:
            flash(
                _("%(name)s was invited by e-mail and added to the room.", name=user.name),
                "success",
            )
        else:
            flash(_("%(name)s is now in the room.", name=user.name), "success")
        return _members_response(room)
    return _members_response(room, 422, add_person=form)


def _membership_in(room: Room, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.room_id != room.id:
        abort(404)
    return membership


@bp.route("/<slug>/members/<int:membership_id>/role", methods=["POST"])
@handler(room=Load(Room, Need.MANAGE, by="slug"))
def change_role(room: Room, membership_id: int):
    membership = _membership_in(room, membership_id)
    form = ChangeRoleForm()
    if form.validate_on_submit() and membership.is_current:
        delegation = (
            db.session.get(Delegation, membership.delegation_id)
            if membership.delegation_id
            else None
        )
        user = db.session.get(User, membership.user_id) if membership.user_id else None
        services.add_member(
            room, RoomRole(form.role.data), current_user, delegation=delegation, user=user
        )
        return _members_response(room)
    if not _flash_refusal(form):
        flash(_("Choose a role from the list."), "error")
    return _members_response(room, 422)


@bp.route("/<slug>/members/<int:membership_id>/remove", methods=["POST"])
@handler(room=Load(Room, Need.MANAGE, by="slug"))
def remove_member(room: Room, membership_id: int):
    membership = _membership_in(room, membership_id)
    form = RemoveForm()
    if form.validate_on_submit():
        services.remove_member(membership, current_user)
        return _members_response(room)
    _flash_refusal(form)  # the room needs a chair, the membership has ended
    return _members_response(room, 422)


@bp.route("/<slug>/join-requests", methods=["POST"])
@handler(
    room=Load(Room, Need.REQUEST_JOIN, by="slug"),
    refused=lambda room: url_for("rooms.room", slug=room.slug),
)
def request_join(room: Room):
    form = JoinRequestForm()
    # Checked with validate(), not validate_on_submit(): a refusal (already asked) is not about
    # the message, so the handler flashes it on the room page (a redirect, as on success).
    if form.is_submitted() and form.validate():
        services.request_to_join(room, current_user, form.message.data or "")
        flash(_("Your request was sent to the room's chairs."), "success")
        return redirect(url_for("rooms.room", slug=room.slug))
    return _room_page(room, status=422)


@bp.route("/join-requests/<int:request_id>/withdraw", methods=["POST"])
@handler(
    # Chairs see the request (403) but answer it; only its author withdraws it.
    join_request=Load(JoinRequest, Need.AUTHOR, arg="request_id"),
    refused=lambda join_request: url_for("rooms.room", slug=join_request.room.slug),
)
def withdraw_join(join_request: JoinRequest):
    services.withdraw_join_request(join_request, current_user)
    flash(_("Your request was withdrawn."), "success")
    return redirect(url_for("rooms.room", slug=join_request.room.slug))


@bp.route("/join-requests/<int:request_id>/<any(accept, decline):verdict>", methods=["POST"])
@handler(join_request=Load(JoinRequest, Need.DECIDE, arg="request_id"))
def decide_join(join_request: JoinRequest, verdict: str):
    room = join_request.room  # DECIDE is the power to manage the request's room
    form = DecideForm()
    if form.validate_on_submit():
        services.decide_join_request(
            join_request,
            accept=verdict == "accept",
            role=RoomRole(form.role.data),
            actor=current_user,
        )
        return _members_response(room)
    _flash_refusal(form)
    return _members_response(room, 422)
