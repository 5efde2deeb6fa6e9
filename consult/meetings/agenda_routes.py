"""Correcting the agenda: edit, remove, restore and move an item; the agenda fragment.

Each action is a plain form POST (it works without JavaScript) that comes back to the agenda
at the item; a refusal (moving past the ends, restoring what is not removed) answers the
meeting's page (422) with the reason next to that item's buttons, and nothing is changed.
"""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render, wants_fragment
from consult.meetings import agenda, amend, documents
from consult.meetings.forms import AgendaActionForm, ItemEditForm
from consult.meetings.models import AgendaItem, Meeting
from consult.meetings.routes import meeting_page
from consult.policy import Need, can

bp = Blueprint("agenda", __name__)


def _meeting(item: AgendaItem) -> Meeting:
    return db.session.get(Meeting, item.meeting_id)


def _at(item: AgendaItem) -> str:
    return url_for("meetings.meeting", meeting_id=item.meeting_id) + f"#item-{item.id}"


def _refused(item: AgendaItem, form: AgendaActionForm):
    """The meeting's page with why the action on `item` was refused, next to its buttons."""
    reasons = [*form.form_errors, *(e for f in form for e in f.errors)]
    message = " ".join(str(r) for r in reasons) or _("The form expired; please try again.")
    return meeting_page(_meeting(item), status=422, refused={item.id: message})


@bp.route("/meetings/<int:meeting_id>/agenda")
@handler(meeting=Load(Meeting))
def agenda_fragment(meeting: Meeting):
    """The agenda fragment as this person sees it (a chair's page after a live change, or a
    page that missed one); without htmx, the meeting's page."""
    if not wants_fragment():
        return meeting_page(meeting)
    return render(
        "meetings/meeting.html",
        "meetings/_agenda.html",
        refused={},
        **agenda.context(
            meeting,
            personal=documents.item_documents(meeting, current_user),
            manages=can(Need.MANAGE, meeting),
        ),
    )


@bp.route("/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@handler(item=Load(AgendaItem, Need.MANAGE), field="title")
def edit_item(item: AgendaItem):
    meeting = _meeting(item)
    form = ItemEditForm(obj=item)
    if form.validate_on_submit():
        changes = amend.edit_item(
            item,
            current_user,
            title=form.title.data or "",
            annotation=form.annotation.data or "",
            planned_minutes=form.planned_minutes.data,
            presenters=form.presenters.data or "",
            speaking_limit_seconds=form.speaking_limit_seconds.data,
        )
        if changes:
            flash(
                _(
                    "Item %(label)s is saved: %(changes)s.",
                    label=item.label,
                    changes="; ".join(changes),
                ),
                "success",
            )
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(_at(item))
    status = 422 if form.is_submitted() else 200
    return render("meetings/item_edit.html", form=form, item=item, meeting=meeting, status=status)


@bp.route("/agenda/<int:item_id>/move/<any(up, down):direction>", methods=["POST"])
@handler(item=Load(AgendaItem, Need.MANAGE))
def move_item(item: AgendaItem, direction: str):
    form = AgendaActionForm()
    if form.validate_on_submit():
        old = item.label
        amend.move_item(item, current_user, direction)
        flash(_("Item %(old)s is now item %(new)s.", old=old, new=item.label), "success")
        return redirect(_at(item))
    return _refused(item, form)


@bp.route("/agenda/<int:item_id>/remove", methods=["POST"])
@handler(item=Load(AgendaItem, Need.MANAGE))
def remove_item(item: AgendaItem):
    form = AgendaActionForm()
    if form.validate_on_submit():
        amend.remove_item(item, current_user)
        flash(
            _(
                "Item %(label)s is removed from the agenda. It is kept with its documents: "
                "restore it under “Removed from the agenda”.",
                label=item.label,
            ),
            "success",
        )
        return redirect(_at(item))
    return _refused(item, form)


@bp.route("/agenda/<int:item_id>/restore", methods=["POST"])
@handler(item=Load(AgendaItem, Need.MANAGE))
def restore_item(item: AgendaItem):
    form = AgendaActionForm()
    if form.validate_on_submit():
        amend.restore_item(item, current_user)
        flash(_("Item %(label)s is back on the agenda.", label=item.label), "success")
        return redirect(_at(item))
    return _refused(item, form)
