"""The Secretariat's administration of groups: list, define, edit, deactivate and reactivate.

Like the other administration pages (consult/admin/), the blueprint asks for the Secretariat's
power before any view, so anyone else signed in gets 404; each view is a handler that loads,
calls one service and answers, and a service's refusal stands next to its field.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult.accounts.models import Delegation
from consult.extensions import db
from consult.groups import services
from consult.groups.forms import ActiveForm, group_form
from consult.groups.models import Group, GroupKind, GroupMember
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.policy import Need, acting_user, require
from consult.rooms.models import Room

bp = Blueprint("groups", __name__, url_prefix="/admin/groups")


@bp.before_request
def _secretariat_only() -> None:
    """404 to anyone signed in without the Secretariat's power (as consult.admin does)."""
    if acting_user() is not None:
        require(Need.ADMINISTER)


def _delegations() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Delegation.id, Delegation.name)
        .where(Delegation.is_active.is_(True))
        .order_by(Delegation.name)
    )
    return [(row.id, row.name) for row in rows]


def _rooms() -> list[tuple[int, str]]:
    return [
        (r.id, r.title)
        for r in db.session.execute(select(Room.id, Room.title).order_by(Room.title))
    ]


def _chosen(ids) -> list[Delegation]:
    if not ids:
        return []
    return list(db.session.scalars(select(Delegation).where(Delegation.id.in_(ids))))


def _get(model, ident):
    return db.session.get(model, ident) if ident else None


@bp.route("")
@handler()
def groups() -> Response:
    return render(
        "groups/list.html",
        groups=services.all_groups(),
        counts=services.member_counts(),
        active_form=ActiveForm(formdata=None),
    )


@bp.route("/new", methods=["GET", "POST"])
@handler(field="name")
def new_group() -> Response:
    form = group_form(_delegations(), _rooms(), regional=False)
    if form.validate_on_submit():
        group = services.create_group(
            current_user,
            name=form.name.data,
            slug=form.slug.data,
            members=_chosen(form.members.data),
            coordinator=_get(Delegation, form.coordinator.data),
            room=_get(Room, form.room.data),
        )
        flash(_("The group %(name)s is defined.", name=group.name), "success")
        return redirect(url_for("groups.edit_group", group_id=group.id))
    return render(
        "groups/form.html",
        form=form,
        group=None,
        members=[],
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/<int:group_id>/edit", methods=["GET", "POST"])
@handler(group=Load(Group, Need.MANAGE), field="coordinator")
def edit_group(group: Group) -> Response:
    regional = group.kind is GroupKind.REGIONAL
    listed = list(
        db.session.scalars(
            select(GroupMember.delegation_id).where(GroupMember.group_id == group.id)
        )
    )
    data = {"coordinator": group.coordinator_id, "room": group.room_id}
    if not regional:
        data.update(name=group.name, slug=group.slug, members=listed)
    form = group_form(_delegations(), _rooms(), regional=regional, data=data)
    if form.validate_on_submit():
        services.update_group(
            group,
            current_user,
            coordinator=_get(Delegation, form.coordinator.data),
            room=_get(Room, form.room.data),
            members=None if regional else _chosen(form.members.data),
            name=None if regional else form.name.data,
            slug=None if regional else form.slug.data,
        )
        flash(_("The group %(name)s is saved.", name=group.name), "success")
        return redirect(url_for("groups.edit_group", group_id=group.id))
    return render(
        "groups/form.html",
        form=form,
        group=group,
        members=services.member_delegations(group) if regional else [],
        active_form=ActiveForm(formdata=None),
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/<int:group_id>/<any(deactivate, reactivate):action>", methods=["POST"])
@handler(group=Load(Group, Need.MANAGE))
def set_active(group: Group, action: str) -> Response:
    form = ActiveForm()
    if form.validate_on_submit():
        active = action == "reactivate"
        services.set_active(group, current_user, active)
        if active:
            flash(_("%(name)s is active again.", name=group.name), "success")
        else:
            flash(
                _(
                    "%(name)s is deactivated: nobody can speak for it now; what was said for "
                    "it stays. Reactivate it to undo.",
                    name=group.name,
                ),
                "success",
            )
    return redirect(url_for("groups.groups"))
