"""A chair opens a small group under their room; the Secretariat lists, closes and reopens them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import policy
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.policy import Need, can
from consult.rooms.models import Room, RoomKind
from consult.small_groups import services
from consult.small_groups.forms import SmallGroupForm

bp = Blueprint("small_groups", __name__)


def room_section(room: Room, user) -> tuple[str, dict] | None:
    """The room page's "Open a small group" for the room's chairs and facilitators."""
    if room.is_archived or not can(Need.MANAGE, room, user):
        return None
    return "small_groups/_room_section.html", {"room": room}


def _form(parent: Room) -> SmallGroupForm:
    form = SmallGroupForm()
    form.delegations.choices = [(d.id, d.name) for d in services.audience_delegations(parent)]
    form.people.choices = [
        (u.id, f"{u.name} ({u.delegation.short_name})")
        for u in services.audience_people(parent)
        if u.id != current_user.id
    ]
    return form


@bp.route("/rooms/<slug>/small-groups/new", methods=["GET", "POST"])
@handler(parent=Load(Room, Need.MANAGE, by="slug"), field="title")
def new(parent: Room):
    """Open a small group under this room: its members only from this room's audience."""
    form = _form(parent)
    if form.validate_on_submit():
        room = services.create_small_group(
            parent,
            current_user,
            title=form.title.data,
            description=form.description.data or "",
            delegation_ids=form.delegations.data or [],
            user_ids=form.people.data or [],
        )
        flash(_("The small group %(title)s is open; you chair it.", title=room.title), "success")
        return redirect(url_for("rooms.room", slug=room.slug))
    status = 422 if form.is_submitted() else 200
    return render("small_groups/new.html", parent=parent, form=form, status=status)


# ---- the Secretariat ---------------------------------------------------------------------------


def _small_group(room_id: int) -> Room:
    """A small-group room with a parent, for the Secretariat (404 for anyone else)."""
    policy.require(Need.ADMINISTER)
    room = policy.load(Room, room_id)
    if room.kind is not RoomKind.SMALL_GROUP or room.parent_id is None:
        abort(404)
    return room


@bp.route("/admin/small-groups")
@handler()
def admin_list():
    """Every small group with its parent and who opened it."""
    policy.require(Need.ADMINISTER)
    return render(
        "small_groups/admin_list.html",
        rows=services.opened_by_office_holders(),
        section="small_groups",
    )


def _back() -> str:
    return url_for("small_groups.admin_list")


@bp.route("/admin/small-groups/<int:room_id>/close", methods=["GET", "POST"])
@handler(refused=lambda: url_for("small_groups.admin_list"))
def close(room_id: int):
    """Close a small group (its members keep reading it; nobody takes part), after a
    confirmation; reopening undoes it."""
    room = _small_group(room_id)
    if request.method == "GET":
        return render("small_groups/close.html", room=room, section="small_groups")
    services.set_closed(room, current_user, True)
    flash(
        _(
            "The small group %(title)s is closed. Reopen it from this list if that was a mistake.",
            title=room.title,
        ),
        "success",
    )
    return redirect(_back())


@bp.route("/admin/small-groups/<int:room_id>/reopen", methods=["POST"])
@handler(refused=lambda: url_for("small_groups.admin_list"))
def reopen(room_id: int):
    """Undo a close."""
    room = _small_group(room_id)
    services.set_closed(room, current_user, False)
    flash(_("The small group %(title)s is open again.", title=room.title), "success")
    return redirect(_back())
