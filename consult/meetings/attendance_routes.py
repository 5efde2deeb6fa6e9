"""Presence at the desk and by the person, and the Secretariat's participation report."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.models import User
from consult.downloads import download
from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render, wants_fragment
from consult.meetings import presence
from consult.meetings.forms import DeskPresenceForm, PresenceForm
from consult.meetings.models import Meeting, Presence
from consult.policy import Need, require

bp = Blueprint("attendance", __name__)


# ---- presence --------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/presence", methods=["POST"])
@handler(meeting=Load(Meeting), field="presence")
def my_presence(meeting: Meeting):
    """A delegate says where they follow the meeting from: in the room or remote."""
    form = PresenceForm()
    if form.validate_on_submit():
        chosen = Presence(form.presence.data)
        presence.mark(meeting, current_user, chosen, by=current_user)
        flash(_("You are marked: %(where)s.", where=chosen.label.lower()), "success")
    else:
        flash(_("Choose in the room or remote."), "error")
    if wants_fragment():
        from consult.meetings.routes import _floor_context

        return render(
            "meetings/live.html",
            "meetings/_floor_panel.html",
            status=200 if not form.errors else 422,
            **_floor_context(meeting),
        )
    return redirect(url_for("meetings.live", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE), field="user")
def desk_presence(meeting: Meeting):
    """The desk marks someone in the room or remote, or records a person who follows without
    a device as present."""
    from consult.meetings.routes import _chair_done

    form = DeskPresenceForm()
    if form.validate_on_submit():
        person = db.session.get(User, form.user.data)
        if person is None:
            flash(_("Choose a person from the list."), "error")
            return _chair_done(meeting, 422)
        chosen = Presence(form.presence.data)
        presence.mark(meeting, person, chosen, by=current_user)
        flash(
            _("%(name)s is marked: %(where)s.", name=person.name, where=chosen.label.lower()),
            "success",
        )
        return _chair_done(meeting)
    reasons = [*form.form_errors, *(e for f in form for e in f.errors)]
    flash(" ".join(str(r) for r in reasons) or _("Choose a person from the list."), "error")
    return _chair_done(meeting, 422)


# ---- the participation report (the Secretariat's) ------------------------------------------


@bp.route("/participation")
@handler()
def participation():
    """Participation across meetings, by body, status and regional group (the Secretariat)."""
    require(Need.ADMINISTER)
    return render("meetings/participation.html", report=presence.participation(current_user))


@bp.route("/participation.csv")
@handler()
def participation_csv():
    require(Need.ADMINISTER)
    data = presence.report_csv(presence.participation(current_user))
    return download(data, "participation.csv", "text/csv; charset=utf-8")
