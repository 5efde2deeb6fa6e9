"""The programme of work: the week's sessions by day (printable), arranging them, placing
agenda items in them, and an .ics per session."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import dates
from consult.downloads import download
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.ids import parse_id
from consult.meetings import calendar, programme
from consult.meetings.forms import ActionForm, ItemSessionForm, ProgrammeSessionForm
from consult.meetings.models import AgendaItem, Meeting, MeetingSession
from consult.meetings.services import MeetingError
from consult.policy import Need, can, load

bp = Blueprint("programme", __name__)


def _fields(meeting: Meeting, form: ProgrammeSessionForm) -> dict:
    """The form's values as the service takes them (times in the meeting's zone)."""
    return {
        "body": form.body.data or "",
        "starts_at": programme.at(meeting, form.day.data, form.starts.data),
        "ends_at": programme.at(meeting, form.day.data, form.ends.data),
        "venue": form.venue.data or "",
        "video_link": form.video_link.data or "",
    }


def _session_choices(sessions: list[MeetingSession], meeting: Meeting) -> list[tuple[str, str]]:
    choices = [("", _("Not yet placed"))]
    for s in sessions:
        start = dates.moment(s.starts_at, "short_moment", zone=meeting.time_zone)
        choices.append((str(s.id), f"{s.body}: {start}"))
    return choices


def _page(
    meeting: Meeting,
    *,
    status: int = 200,
    form: ProgrammeSessionForm | None = None,
    ask_remove: MeetingSession | None = None,
):
    manages = can(Need.MANAGE, meeting)
    week = programme.programme(meeting, current_user)
    if form is None and manages:
        form = ProgrammeSessionForm(formdata=None)
        days = programme.meeting_days(meeting)
        form.day.data = days[0]
    return render(
        "meetings/programme.html",
        meeting=meeting,
        week=week,
        manages=manages,
        takes_part=can(Need.TAKE_PART, meeting),
        form=form,
        ask_remove=ask_remove,
        choices=_session_choices(week.sessions, meeting),
        bodies=programme.BODIES,
        status=status,
    )


@bp.route("/meetings/<int:meeting_id>/programme")
@handler(meeting=Load(Meeting))
def programme_page(meeting: Meeting):
    """The week: every session of the meeting by day, with its items (printable)."""
    return _page(meeting)


@bp.route("/meetings/<int:meeting_id>/sessions", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE), field="day")
def add_session(meeting: Meeting):
    form = ProgrammeSessionForm()
    if form.validate_on_submit():
        session = programme.add_session(meeting, current_user, **_fields(meeting, form))
        flash(_("Session added: %(body)s.", body=session.body), "success")
        return redirect(url_for("programme.programme_page", meeting_id=meeting.id))
    return _page(meeting, status=422, form=form)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@handler(session=Load(MeetingSession, Need.MANAGE), field="day")
def edit_session(session: MeetingSession):
    meeting = session.meeting
    form = ProgrammeSessionForm(obj=session)
    if request.method == "GET":
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(meeting.time_zone)
        form.day.data = session.starts_at.astimezone(zone).date()
        form.starts.data = session.starts_at.astimezone(zone).time()
        form.ends.data = session.ends_at.astimezone(zone).time()
    if form.validate_on_submit():
        moved = programme.update_session(session, current_user, **_fields(meeting, form))
        if moved:
            flash(_("Session changed; calendars that follow it will update."), "success")
        else:
            flash(_("Session changed."), "success")
        return redirect(url_for("programme.programme_page", meeting_id=meeting.id))
    status = 422 if form.is_submitted() else 200
    return render(
        "meetings/session_edit.html",
        form=form,
        session=session,
        meeting=meeting,
        bodies=programme.BODIES,
        status=status,
    )


@bp.route("/sessions/<int:session_id>/remove", methods=["POST"])
@handler(session=Load(MeetingSession, Need.MANAGE))
def remove_session(session: MeetingSession):
    """Remove a session: asked first (a second press confirms); its items are kept, unplaced."""
    meeting = session.meeting
    form = ActionForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.form_errors) or _("Try again."), "error")
        return _page(meeting, status=422)
    if request.form.get("confirm") != "1":
        return _page(meeting, ask_remove=session)
    body = session.body
    count = programme.remove_session(session, current_user)
    flash(
        _(
            'Session removed: %(body)s. Its %(n)d agenda items are kept, under "Not yet placed".',
            body=body,
            n=count,
        ),
        "success",
    )
    return redirect(url_for("programme.programme_page", meeting_id=meeting.id))


@bp.route("/agenda/<int:item_id>/session", methods=["POST"])
@handler(item=Load(AgendaItem, Need.MANAGE), field="session")
def place_item(item: AgendaItem):
    """Place an agenda item in one of its meeting's sessions."""
    meeting = load(Meeting, item.meeting_id)
    form = ItemSessionForm()
    if form.validate_on_submit():
        raw = form.session.data or ""
        target = None
        if raw:
            ident = parse_id(raw)
            target = load(MeetingSession, ident) if ident else None
            if target is None or target.meeting_id != meeting.id:
                raise MeetingError(_("Choose a session of this meeting."), field="session")
        programme.place_item(item, current_user, target)
        if target is None:
            flash(
                _("Item %(label)s is no longer placed in a session.", label=item.label), "success"
            )
        else:
            flash(
                _("Item %(label)s placed in %(body)s.", label=item.label, body=target.body),
                "success",
            )
        return redirect(url_for("programme.programme_page", meeting_id=meeting.id))
    flash(" ".join(str(e) for f in form for e in f.errors) or _("Try again."), "error")
    return _page(meeting, status=422)


@bp.route("/sessions/<int:session_id>.ics")
@handler(session=Load(MeetingSession))
def session_ics(session: MeetingSession):
    data = calendar.session_ics(session, base_url=request.host_url, user=current_user)
    return download(data, f"session-{session.id}.ics", "text/calendar; charset=utf-8")
