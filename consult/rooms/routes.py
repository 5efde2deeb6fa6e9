"""Room pages: the list, the room home, membership management and join requests."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult.accounts.models import Delegation, User
from consult.extensions import db
from consult.htmx import redirect, render, wants_fragment
from consult.policy import Need, authorise, can, load, protected
from consult.rooms import services
from consult.rooms.contents import sections
from consult.rooms.forms import (
    AddDelegationForm,
    AddPersonForm,
    ChangeRoleForm,
    DecideForm,
    JoinRequestForm,
)
from consult.rooms.models import JoinRequest, Membership, Room, RoomRole
from consult.rooms.policy import room_roles
from consult.transaction import commit, writing

bp = Blueprint("rooms", __name__, url_prefix="/rooms")


def _delegation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Delegation.id, Delegation.name)
        .where(Delegation.is_active.is_(True))
        .order_by(Delegation.name)
    ).all()
    return [(0, _("Choose a delegation"))] + [(i, n) for i, n in rows]


def _new_account_choices() -> list[tuple[int, str]]:
    """Delegations a manager may invite new accounts for: their own, or any for the Secretariat."""
    if current_user.is_secretariat:
        return _delegation_choices()
    own = current_user.delegation
    return [(0, _("Choose a delegation")), (own.id, own.name)]


def _management_forms(add_delegation=None, add_person=None) -> dict:
    add_delegation = add_delegation or AddDelegationForm(prefix="d")
    add_delegation.delegation.choices = _delegation_choices()
    add_person = add_person or AddPersonForm(prefix="p")
    add_person.delegation.choices = _new_account_choices()
    return {"add_delegation": add_delegation, "add_person": add_person}


def _place_error(form, error: services.RoomError, default: str) -> None:
    """Put a refusal next to the field it is about (the override box when it may be ticked)."""
    name = "override" if error.overridable else (error.field or default)
    getattr(form, name, getattr(form, default)).errors.append(str(error))


def _override_note(form, room: Room, delegation: Delegation) -> None:
    """Say so when the Secretariat's override was what let someone in."""
    if (
        current_user.is_secretariat
        and form.override.data
        and services.kind_refusal(room, delegation) is not None
    ):
        flash(
            _("Added outside the room's rule, as you asked; the audit log records the override."),
            "warning",
        )


def _members_context(room: Room, **forms) -> dict:
    context = {
        "room": room,
        "groups": services.members_by_status(room),
        "manages": can(Need.MANAGE, room),
    }
    if context["manages"]:
        context.update(_management_forms(**forms))
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
    commit()  # before loading what the page shows: a commit expires loaded objects
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
@protected
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
@protected
@writing()  # records the visit ("since your last visit"), then reads
def room(slug: str):
    room = load(Room, slug, by="slug")
    return _room_page(room)


@bp.route("/<slug>/members")
@protected
def members(slug: str):
    room = load(Room, slug, by="slug")
    if not wants_fragment():
        return redirect(url_for("rooms.room", slug=room.slug) + "#members")
    return render("rooms/room.html", "rooms/_members.html", **_members_context(room))


@bp.route("/<slug>/members/delegations", methods=["POST"])
@protected
def add_delegation(slug: str):
    room = load(Room, slug, Need.MANAGE, by="slug")
    form = AddDelegationForm(prefix="d")
    form.delegation.choices = _delegation_choices()
    if form.validate_on_submit():
        delegation = db.session.get(Delegation, form.delegation.data)
        if delegation is None:
            form.delegation.errors.append(_("Choose a delegation from the list."))
        else:
            try:
                services.add_member(
                    room,
                    RoomRole(form.role.data),
                    current_user,
                    delegation=delegation,
                    override=current_user.is_secretariat and bool(form.override.data),
                )
            except services.RoomError as error:
                _place_error(form, error, "delegation")
            else:
                commit()
                flash(_("%(name)s is now in the room.", name=delegation.name), "success")
                _override_note(form, room, delegation)
                return _members_response(room, add_delegation=None)
    return _members_response(room, 422, add_delegation=form)


@bp.route("/<slug>/members/people", methods=["POST"])
@protected
def add_person(slug: str):
    room = load(Room, slug, Need.MANAGE, by="slug")
    form = AddPersonForm(prefix="p")
    form.delegation.choices = _new_account_choices()
    if form.validate_on_submit():
        delegation = (
            db.session.get(Delegation, form.delegation.data) if form.delegation.data else None
        )
        try:
            user = services.invite_to_room(
                room,
                email=form.email.data,
                role=RoomRole(form.role.data),
                actor=current_user,
                name=form.name.data or "",
                delegation=delegation,
                note=form.note.data or "",
                override=current_user.is_secretariat and bool(form.override.data),
            )
        except services.RoomError as error:
            _place_error(form, error, "email")
        else:
            commit()
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
@protected
def change_role(slug: str, membership_id: int):
    room = load(Room, slug, Need.MANAGE, by="slug")
    membership = _membership_in(room, membership_id)
    form = ChangeRoleForm()
    if form.validate_on_submit() and membership.is_current:
        delegation = (
            db.session.get(Delegation, membership.delegation_id)
            if membership.delegation_id
            else None
        )
        user = db.session.get(User, membership.user_id) if membership.user_id else None
        try:
            services.add_member(
                room, RoomRole(form.role.data), current_user, delegation=delegation, user=user
            )
        except services.RoomError as error:
            flash(str(error), "error")
            return _members_response(room, 422)
        commit()
        return _members_response(room)
    flash(_("Choose a role from the list."), "error")
    return _members_response(room, 422)


@bp.route("/<slug>/members/<int:membership_id>/remove", methods=["POST"])
@protected
def remove_member(slug: str, membership_id: int):
    room = load(Room, slug, Need.MANAGE, by="slug")
    membership = _membership_in(room, membership_id)
    try:
        services.remove_member(membership, current_user)
    except services.RoomError as error:
        flash(str(error), "error")
        return _members_response(room, 422)
    commit()
    return _members_response(room)


@bp.route("/<slug>/join-requests", methods=["POST"])
@protected
def request_join(slug: str):
    room = load(Room, slug, Need.REQUEST_JOIN, by="slug")
    form = JoinRequestForm()
    if form.validate_on_submit():
        try:
            services.request_to_join(room, current_user, form.message.data or "")
        except services.RoomError as error:
            flash(str(error), "error")
        else:
            commit()
            flash(_("Your request was sent to the room's chairs."), "success")
        return redirect(url_for("rooms.room", slug=room.slug))
    return _room_page(room, status=422)


@bp.route("/join-requests/<int:request_id>/withdraw", methods=["POST"])
@protected
def withdraw_join(request_id: int):
    join_request = load(JoinRequest, request_id)
    if join_request.user_id != current_user.id:
        abort(403)  # chairs see the request but answer it; only its author withdraws it
    try:
        services.withdraw_join_request(join_request, current_user)
    except services.RoomError as error:
        flash(str(error), "error")
    else:
        commit()
        flash(_("Your request was withdrawn."), "success")
    return redirect(url_for("rooms.room", slug=join_request.room.slug))


@bp.route("/join-requests/<int:request_id>/<any(accept, decline):verdict>", methods=["POST"])
@protected
def decide_join(request_id: int, verdict: str):
    join_request = load(JoinRequest, request_id, Need.DECIDE)
    room = authorise(join_request.room, Need.MANAGE)
    form = DecideForm()
    if form.validate_on_submit():
        try:
            services.decide_join_request(
                join_request,
                accept=verdict == "accept",
                role=RoomRole(form.role.data),
                actor=current_user,
            )
        except services.RoomError as error:
            flash(str(error), "error")
            return _members_response(room, 422)
        commit()
        return _members_response(room)
    return _members_response(room, 422)
