"""Meeting pages: schedule, agenda, the delegate's live view, the chair's console, the screen."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult import i18n
from consult.accounts.models import Delegation
from consult.downloads import CSV_TYPE, DOCX_TYPE, PDF_TYPE, download, file_name
from consult.extensions import db
from consult.groups.services import is_pending, speaking_choices
from consult.handlers import Load, handler
from consult.htmx import redirect, render, wants_fragment
from consult.ids import parse_id
from consult.meetings import (
    agenda,
    calendar,
    documents,
    interpretation,
    presence,
    services,
    visibility,
)
from consult.meetings.forms import (
    SPARE_CHANNEL_ROWS,
    ActionForm,
    DeclineForm,
    FloorForm,
    InscribeForm,
    ItemForm,
    MeetingForm,
    RulingForm,
)
from consult.meetings.models import (
    AgendaItem,
    FloorKind,
    FloorRequest,
    ItemState,
    Meeting,
    MeetingKind,
    MeetingMode,
    Presence,
)
from consult.policy import Need, can, visible
from consult.rooms.models import Room
from consult.taxonomy import forms as tagging
from consult.timeutil import from_local, to_local

bp = Blueprint("meetings", __name__)


def _meeting_fields(form: MeetingForm) -> dict:
    """The form's values as the services take them; times entered in the meeting's zone."""
    zone = form.time_zone.data
    return {
        "title": form.title.data,
        "kind": MeetingKind(form.kind.data),
        "mode": MeetingMode(form.mode.data),
        "starts_at": from_local(form.starts_at.data, zone),
        "ends_at": from_local(form.ends_at.data, zone),
        "time_zone": zone,
        "venue": form.venue.data or "",
        "video_link": form.video_link.data or "",
        "channels": form.channel_entries(),
        "symbol": form.symbol.data or "",
        "is_chatham_house": bool(form.is_chatham_house.data),
    }


# ---- scheduling ----------------------------------------------------------------------------------


@bp.route("/rooms/<slug>/meetings/new", methods=["GET", "POST"])
@handler(room=Load(Room, Need.MANAGE, by="slug"), field="ends_at")
def new_meeting(room: Room):
    form = MeetingForm()
    if request.method == "GET":
        form.time_zone.data = room.time_zone
        form.show_channels([], spare=SPARE_CHANNEL_ROWS + 1)
    if form.is_submitted() and form.rearrange(request.form.get("channel_action", "")):
        return render("meetings/new.html", form=form, room=room)
    if form.validate_on_submit():
        meeting = services.create_meeting(room, current_user, **_meeting_fields(form))
        flash(_("The meeting is scheduled. Now build its agenda."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    status = 422 if form.is_submitted() else 200
    return render("meetings/new.html", form=form, room=room, status=status)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@handler(meeting=Load(Meeting, Need.MANAGE), field="ends_at")
def edit_meeting(meeting: Meeting):
    form = MeetingForm(obj=meeting)
    if request.method == "GET":
        form.starts_at.data = to_local(meeting.starts_at, meeting.time_zone)
        form.ends_at.data = to_local(meeting.ends_at, meeting.time_zone)
        form.show_channels(interpretation.entries_of(interpretation.channels_of(meeting)))
    if form.is_submitted() and form.rearrange(request.form.get("channel_action", "")):
        return render("meetings/edit.html", form=form, meeting=meeting)
    if form.validate_on_submit():
        services.update_meeting(meeting, current_user, **_meeting_fields(form))
        flash(_("The meeting is updated."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    status = 422 if form.is_submitted() else 200
    return render("meetings/edit.html", form=form, meeting=meeting, status=status)


def meeting_page(
    meeting: Meeting,
    status: int = 200,
    item_form: ItemForm | None = None,
    refused: dict[int, str] | None = None,
):
    """The meeting's page: its agenda (with the chair's tools), the add-item form.
    `refused`: item id -> why an action on it was refused (shown next to its buttons)."""
    manages = can(Need.MANAGE, meeting)
    if item_form is None and manages:
        item_form = ItemForm(formdata=None)
        tagging.prepare(item_form)
    return render(
        "meetings/meeting.html",
        status=status,
        item_form=item_form,
        takes_part=can(Need.TAKE_PART, meeting),
        refused=refused or {},
        **agenda.context(
            meeting, personal=documents.item_documents(meeting, current_user), manages=manages
        ),
    )


@bp.route("/meetings/<int:meeting_id>")
@handler(meeting=Load(Meeting))
def meeting(meeting: Meeting):
    return meeting_page(meeting)


@bp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE), field="number")
def add_item(meeting: Meeting):
    form = ItemForm()
    tagging.prepare(form)
    if form.validate_on_submit():
        tags = tagging.tags_from(form)
        services.add_item(
            meeting,
            current_user,
            number=form.number.data,
            letter=form.letter.data or "",
            title=form.title.data,
            annotation=form.annotation.data or "",
            planned_minutes=form.planned_minutes.data,
            presenters=form.presenters.data or "",
            speaking_limit_seconds=form.speaking_limit_seconds.data,
            tags=tags,
        )
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id) + "#agenda")
    return meeting_page(meeting, status=422, item_form=form)


def _flash_refusal(form) -> None:
    """Flash why a form was refused: the service's reason (the handler put it on the form)."""
    reasons = [*form.form_errors, *(e for f in form for e in f.errors)]
    flash(" ".join(str(reason) for reason in reasons), "error")


@bp.route("/meetings/<int:meeting_id>/adopt", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE))
def adopt(meeting: Meeting):
    form = ActionForm()
    if form.validate_on_submit():
        services.adopt_agenda(meeting, current_user)
        flash(_("The agenda is adopted."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    _flash_refusal(form)
    return meeting_page(meeting, status=422)


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE))
def cancel(meeting: Meeting):
    form = ActionForm()
    if form.validate_on_submit():
        services.cancel_meeting(meeting, current_user)
        flash(_("The meeting is cancelled; the room's people are told."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    _flash_refusal(form)
    return meeting_page(meeting, status=422)


# ---- live views ----------------------------------------------------------------------------------


def _floor_context(meeting: Meeting, state=None, form: FloorForm | None = None) -> dict:
    state = state or services.live_state(meeting)
    mine = None
    if state.current is not None:
        mine = services.open_request_of(
            state.current, current_user.delegation_id, viewer=current_user
        )
    where = presence.presence_of(meeting, current_user)
    form = form or FloorForm(presence=(where or Presence.REMOTE).value)
    form.on_behalf_of.choices = speaking_choices(current_user)
    return {
        "meeting": meeting,
        "state": state,
        "mine": mine,
        "mine_pending": mine is not None and is_pending(mine),
        "floor_form": form,
        "takes_part": can(Need.TAKE_PART, meeting),
        # This person's part as a group's coordinator: what waits for the group's word.
        "to_confirm": services.pending_floor_to_confirm(current_user, meeting),
        "decline_form": DeclineForm(formdata=None),
        "own_undo": services.undo.own_offered(meeting, current_user),
        "my_presence": where,
        "named": visibility.names_shown(meeting, current_user),
    }


@bp.route("/meetings/<int:meeting_id>/live")
@handler(meeting=Load(Meeting))
def live(meeting: Meeting):
    state = services.live_state(meeting)
    return render("meetings/live.html", **_floor_context(meeting, state))


@bp.route("/meetings/<int:meeting_id>/panel")
@handler(meeting=Load(Meeting))
def panel(meeting: Meeting):
    """The shared live panel, for a client that missed an event or reconnected (named as
    the person's visibility class allows)."""
    return render(
        "meetings/live.html",
        "meetings/_live_panel.html",
        state=services.live_state(meeting),
        meeting=meeting,
        named=visibility.names_shown(meeting, current_user),
    )


@bp.route("/meetings/<int:meeting_id>/floor-panel")
@handler(meeting=Load(Meeting))
def floor_panel(meeting: Meeting):
    return render("meetings/live.html", "meetings/_floor_panel.html", **_floor_context(meeting))


@bp.route("/meetings/<int:meeting_id>/screen")
@handler(meeting=Load(Meeting))
def screen(meeting: Meeting):
    return render("meetings/screen.html", meeting=meeting, state=services.live_state(meeting))


@bp.route("/meetings/<int:meeting_id>/console")
@handler(meeting=Load(Meeting, Need.MANAGE))
def console(meeting: Meeting):
    return _console_page(meeting)


def _console_page(
    meeting: Meeting,
    status: int = 200,
    ask: services.Ask | None = None,
    ruling_form: RulingForm | None = None,
):
    """The console (or its panel for htmx), with the question to confirm, if any."""
    inscribe_form = InscribeForm()
    inscribe_form.delegation.choices = _delegations()
    return render(
        "meetings/console.html",
        "meetings/_console_panel.html",
        status=status,
        meeting=meeting,
        state=services.live_state(meeting),
        inscribe_form=inscribe_form,
        ruling_form=ruling_form or RulingForm(formdata=None),
        ask=ask,
        **services.console_context(meeting),
    )


def _delegations() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Delegation.id, Delegation.name)
        .where(Delegation.is_active.is_(True))
        .order_by(Delegation.name)
    ).all()
    return [(i, n) for i, n in rows]


# ---- the delegate's floor requests ---------------------------------------------------------------


def _item_for(meeting: Meeting) -> AgendaItem:
    item_id = request.form.get("item_id", "")
    if item_id:
        ident = parse_id(item_id)
        item = db.session.get(AgendaItem, ident) if ident else None
        if item is None or item.meeting_id != meeting.id:
            abort(404)
        return item
    item = services.current_item(meeting)
    if item is None:
        raise services.MeetingError(_("No agenda item is under discussion yet."))
    return item


def _floor_response(
    meeting: Meeting,
    status: int = 200,
    form: FloorForm | None = None,
    ask_withdraw: bool = False,
):
    if wants_fragment() or ask_withdraw:
        return render(
            "meetings/live.html",
            "meetings/_floor_panel.html",
            status=status,
            ask_withdraw=ask_withdraw,
            **_floor_context(meeting, form=form),
        )
    return redirect(url_for("meetings.live", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/floor", methods=["POST"])
@handler(meeting=Load(Meeting, Need.TAKE_PART), field="kind")
def request_floor(meeting: Meeting):
    form = FloorForm()
    form.on_behalf_of.choices = speaking_choices(current_user)
    if form.validate_on_submit():
        services.request_floor(
            _item_for(meeting),
            current_user,
            kind=FloorKind(form.kind.data),
            presence=Presence(form.presence.data),
            on_behalf_of=form.on_behalf_of.data,
        )
        # Where they said they speak from is where they follow the meeting.
        presence.mark(meeting, current_user, Presence(form.presence.data), by=current_user)
        return _floor_response(meeting)
    flash(" ".join(str(e) for f in form for e in f.errors), "error")
    return _floor_response(meeting, 422, form)


@bp.route("/meetings/<int:meeting_id>/floor/withdraw", methods=["POST"])
@handler(meeting=Load(Meeting, Need.TAKE_PART))
def withdraw_floor(meeting: Meeting):
    """Withdraw the delegation's request: asked first (a second press confirms), then
    undoable for 30 seconds from the floor panel."""
    form = ActionForm()
    if form.validate_on_submit():
        item = _item_for(meeting)
        mine = services.open_request_of(item, current_user.delegation_id, viewer=current_user)
        if mine is None:
            raise services.MeetingError(_("Your delegation has no request on this item."))
        if request.form.get("confirm") != "1":
            return _floor_response(meeting, ask_withdraw=True)
        services.withdraw(mine, current_user)
        flash(
            _("Your request is withdrawn. Undo within %(n)d seconds to keep your place.", n=30),
            "success",
        )
        return _floor_response(meeting)
    _flash_refusal(form)
    return _floor_response(meeting, 422)


@bp.route("/meetings/<int:meeting_id>/floor/undo", methods=["POST"])
@handler(meeting=Load(Meeting, Need.TAKE_PART))
def undo_withdraw(meeting: Meeting):
    """Undo one's own withdrawal (30 seconds): the request is back in its place."""
    form = ActionForm()
    if form.validate_on_submit():
        entry = services.undo.own_offered(meeting, current_user)
        if entry is None:
            raise services.MeetingError(
                _("There is nothing of yours to undo (undo works for %(n)d seconds).", n=30)
            )
        services.undo_action(meeting, current_user, entry)
        flash(_("Undone: your request is back in its place."), "success")
        return _floor_response(meeting)
    _flash_refusal(form)
    return _floor_response(meeting, 422)


@bp.route("/floor/<int:request_id>/confirm", methods=["POST"])
@handler(floor=Load(FloorRequest, Need.CONFIRM, arg="request_id"))
def confirm_floor(floor: FloorRequest):
    """The group's coordinator confirms a request for the floor on the group's behalf."""
    meeting = services.meeting_of(floor)
    form = ActionForm()
    if form.validate_on_submit():
        services.confirm_floor(floor, current_user)
        flash(_("Confirmed: %(who)s is on the speakers' list.", who=floor.on_behalf_of), "success")
        return _floor_response(meeting)
    _flash_refusal(form)
    return _floor_response(meeting, 422)


@bp.route("/floor/<int:request_id>/decline", methods=["POST"])
@handler(floor=Load(FloorRequest, Need.CONFIRM, arg="request_id"))
def decline_floor(floor: FloorRequest):
    """The coordinator declines: the request leaves and who asked is told."""
    meeting = services.meeting_of(floor)
    form = DeclineForm()
    if form.validate_on_submit():
        services.decline_floor(floor, current_user, form.reason.data)
        flash(_("Declined; %(name)s is told.", name=floor.delegation.name), "success")
        return _floor_response(meeting)
    _flash_refusal(form)
    return _floor_response(meeting, 422)


# ---- the chair's console -------------------------------------------------------------------------

CHAIR_ACTIONS = (
    "next-item",
    "give-floor",
    "end-turn",
    "pause",
    "resume",
    "readd-last",
    "close-list",
    "reopen-list",
    "undo",
)


def _chair_done(meeting: Meeting, status: int = 200, ask: services.Ask | None = None):
    """The console after an action (its result announced), or with the question to confirm."""
    if status == 200 and ask is None:
        entry = services.undo.latest(meeting)
        if entry is not None and entry.actor_id == current_user.id:
            if entry.undoable:
                flash(
                    _(
                        "%(what)s. Undo within %(n)d seconds (U).",
                        what=entry.summary,
                        n=services.undo.UNDO_SECONDS,
                    ),
                    "success",
                )
            else:
                flash(_("%(what)s.", what=entry.summary), "success")
    if wants_fragment() or ask is not None:
        return _console_page(meeting, status, ask)
    return redirect(url_for("meetings.console", meeting_id=meeting.id))


def _chair_refused(meeting: Meeting, form) -> object:
    """The console again, with the reason the action was refused (422)."""
    _flash_refusal(form)
    return _chair_done(meeting, 422)


def _check_token(meeting: Meeting) -> None:
    """A press on a page that had not seen the newest chair action is refused."""
    services.undo.check_token(meeting, current_user, request.form.get("after"))


def _asked(ask: services.Ask | None) -> bool:
    """True when the console must ask first: the action would lose someone, and this post
    is not the confirmation."""
    return ask is not None and request.form.get("confirm") != "1"


def _waiting_choice() -> services.Waiting:
    value = request.form.get("waiting") or services.Waiting.CARRY.value
    if value not in {w.value for w in services.Waiting}:
        raise services.MeetingError(
            _("Choose what becomes of the waiting requests: carry, keep or close them.")
        )
    return services.Waiting(value)


def _target() -> FloorRequest | None:
    raw = request.form.get("request_id", "")
    if not raw:
        return None
    ident = parse_id(raw)
    target = db.session.get(FloorRequest, ident) if ident else None
    if target is None:
        raise services.MeetingError(_("That request is not on the speakers' list."))
    return target


@bp.route(
    "/meetings/<int:meeting_id>/chair/<any("
    + ", ".join(f"'{a}'" for a in CHAIR_ACTIONS)
    + "):action>",
    methods=["POST"],
)
@handler(meeting=Load(Meeting, Need.MANAGE))
def chair_action(meeting: Meeting, action: str):
    form = ActionForm()
    if not form.validate_on_submit():
        return _chair_refused(meeting, form)
    if action == "undo":
        return _undo(meeting)
    _check_token(meeting)
    if action == "next-item":
        waiting = _waiting_choice()
        ask = services.ask_before(meeting, action)
        if _asked(ask):
            return _chair_done(meeting, ask=ask)
        services.next_item(meeting, current_user, waiting)
        return _chair_done(meeting)
    item = _current_or_refuse(meeting)
    match action:
        case "give-floor":
            target = _target()
            ask = services.ask_before(meeting, action, request_=target)
            if _asked(ask):
                return _chair_done(meeting, ask=ask)
            services.give_floor(item, current_user, target)
        case "end-turn":
            ask = services.ask_before(meeting, action)
            if _asked(ask):
                return _chair_done(meeting, ask=ask)
            services.end_turn(item, current_user)
        case "pause":
            services.pause(item, current_user)
        case "resume":
            services.resume(item, current_user)
        case "readd-last":
            services.readd_last(item, current_user)
        case "close-list":
            services.set_list_closed(item, current_user, True)
        case "reopen-list":
            services.set_list_closed(item, current_user, False)
    return _chair_done(meeting)


def _undo(meeting: Meeting):
    """Undo the newest chair action (by this chair, within 30 seconds)."""
    ident = parse_id(request.form.get("action_id", ""))
    entry = db.session.get(services.FloorAction, ident) if ident else None
    if entry is None or entry.meeting_id != meeting.id or not entry.is_chair:
        entry = services.undo.latest(meeting)
        if entry is None:
            raise services.MeetingError(_("There is nothing to undo."))
    services.undo_action(meeting, current_user, entry)
    flash(_("Undone: %(what)s. The floor is as it was.", what=entry.summary), "success")
    if wants_fragment():
        return _console_page(meeting)
    return redirect(url_for("meetings.console", meeting_id=meeting.id))


def _current_or_refuse(meeting: Meeting) -> AgendaItem:
    item = services.current_item(meeting)
    if item is None:
        raise services.MeetingError(_("Make an agenda item current first."))
    return item


@bp.route(
    "/agenda/<int:item_id>/state/<any(current, done, deferred, pending):state>", methods=["POST"]
)
@handler(item=Load(AgendaItem, Need.MANAGE))
def item_state(item: AgendaItem, state: str):
    meeting = db.session.get(Meeting, item.meeting_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _chair_refused(meeting, form)
    _check_token(meeting)
    waiting = _waiting_choice()
    ask = services.ask_before(meeting, "item-state", item=item, state=ItemState(state))
    if _asked(ask):
        ask.values = {"back": request.form.get("back", "")}
        ask.url = url_for("meetings.item_state", item_id=item.id, state=state)
        return _chair_done(meeting, ask=ask)
    services.set_item_state(item, current_user, ItemState(state), waiting)
    if request.form.get("back") == "agenda":
        flash(
            _(
                "Item %(label)s: %(state)s. Undo from the console within %(n)d seconds.",
                label=item.label,
                state=ItemState(state).label.lower(),
                n=services.undo.UNDO_SECONDS,
            ),
            "success",
        )
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id) + "#agenda")
    return _chair_done(meeting)


@bp.route("/meetings/<int:meeting_id>/inscribe", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE))
def inscribe(meeting: Meeting):
    form = InscribeForm()
    form.delegation.choices = _delegations()
    if form.validate_on_submit():
        _check_token(meeting)
        services.inscribe_undoable(
            _current_or_refuse(meeting),
            current_user,
            db.session.get(Delegation, form.delegation.data),
            kind=FloorKind(form.kind.data),
        )
        return _chair_done(meeting)
    if not form.form_errors:  # the choice itself was invalid; no service refused it
        flash(_("Choose a delegation and a kind of request."), "error")
        return _chair_done(meeting, 422)
    return _chair_refused(meeting, form)


@bp.route("/floor/<int:request_id>/<any(up, down):direction>", methods=["POST"])
@handler(floor=Load(FloorRequest, Need.MANAGE, arg="request_id"))
def move(floor: FloorRequest, direction: str):
    meeting = services.meeting_of(floor)
    form = ActionForm()
    if not form.validate_on_submit():
        return _chair_refused(meeting, form)
    _check_token(meeting)
    services.move(floor, current_user, direction)
    return _chair_done(meeting)


@bp.route("/floor/<int:request_id>/remove", methods=["POST"])
@handler(floor=Load(FloorRequest, Need.MANAGE, arg="request_id"))
def remove_request(floor: FloorRequest):
    meeting = services.meeting_of(floor)
    form = ActionForm()
    if not form.validate_on_submit():
        return _chair_refused(meeting, form)
    _check_token(meeting)
    ask = services.ask_before(meeting, "remove", request_=floor)
    if _asked(ask):
        ask.url = url_for("meetings.remove_request", request_id=floor.id)
        return _chair_done(meeting, ask=ask)
    services.remove_request(floor, current_user)
    return _chair_done(meeting)


@bp.route("/floor/<int:request_id>/ruling", methods=["POST"])
@handler(floor=Load(FloorRequest, Need.MANAGE, arg="request_id"), field="ruling")
def ruling(floor: FloorRequest):
    meeting = services.meeting_of(floor)
    form = RulingForm()
    if not form.validate_on_submit():
        _flash_refusal(form)
        return _console_page(meeting, 422, ruling_form=form)
    services.record_ruling(floor, current_user, form.ruling.data)
    flash(_("Ruling recorded: %(text)s", text=form.ruling.data.strip()), "success")
    if wants_fragment():
        return _console_page(meeting)
    return redirect(url_for("meetings.console", meeting_id=meeting.id))


# ---- record and calendars ------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/record")
@handler(meeting=Load(Meeting))
def record(meeting: Meeting):
    from consult.meetings import record as exports

    named = visibility.names_shown(meeting, current_user)
    return render(
        "meetings/record.html",
        meeting=meeting,
        turns=services.speaking_record(meeting),
        interruption_of=services.interruption_of,
        statement_time=exports.statement_time,
        attendance=services.attendance(meeting) if named else [],
        counts=None if named else presence.counts(meeting),
        named=named,
        manages=can(Need.MANAGE, meeting),
    )


def _record_name(meeting: Meeting, suffix: str, part: str = "") -> str:
    return file_name(meeting.symbol or None, f"meeting-{meeting.id}-record", part, suffix=suffix)


def record_documents(meeting: Meeting) -> dict[int, list] | None:
    """The documents of each item the record lists: what the meeting's whole audience sees
    (agenda item id -> documents with title, kind, circulated_at, late), the same for every
    reader of the record."""
    return documents.item_documents(meeting)


@bp.route("/meetings/<int:meeting_id>/record.docx")
@handler(meeting=Load(Meeting, Need.MANAGE))
def record_docx(meeting: Meeting):
    from consult.meetings import record as exports

    data = exports.record_docx(meeting, record_documents(meeting))
    return download(data, _record_name(meeting, "docx"), DOCX_TYPE)


@bp.route("/meetings/<int:meeting_id>/record.pdf")
@handler(
    meeting=Load(Meeting, Need.MANAGE),
    refused=lambda meeting: url_for("meetings.record", meeting_id=meeting.id),
)
def record_pdf(meeting: Meeting):
    """The Word record printed by LibreOffice; when it cannot, the record's page says so
    (the Word file still works)."""
    from consult.meetings import record as exports

    data = exports.record_pdf(meeting, record_documents(meeting))
    return download(data, _record_name(meeting, "pdf"), PDF_TYPE)


@bp.route("/meetings/<int:meeting_id>/record-<any(speakers, attendance):part>.csv")
@handler(meeting=Load(Meeting, Need.MANAGE))
def record_csv(meeting: Meeting, part: str):
    from consult.meetings import record as exports

    data = exports.speakers_csv(meeting) if part == "speakers" else exports.attendance_csv(meeting)
    return download(data, _record_name(meeting, "csv", part), CSV_TYPE)


@bp.route("/meetings/<int:meeting_id>/record.csv")
@handler(meeting=Load(Meeting, Need.MANAGE))
def record_csv_gone(meeting: Meeting):
    """The old combined CSV (two tables in one file): gone, with the two files named."""
    return render("meetings/record_gone.html", meeting=meeting, status=410)


@bp.route("/meetings/<int:meeting_id>.ics")
@handler(meeting=Load(Meeting))
def ics(meeting: Meeting):
    data = calendar.ics(
        [meeting],
        base_url=request.host_url,
        name=calendar.calendar_name(meeting),
        user=current_user,
    )
    return download(data, f"meeting-{meeting.id}.ics", "text/calendar; charset=utf-8")


@bp.route("/calendar/feed", methods=["GET", "POST"])
@handler()
def feed_settings():
    """Create, replace or revoke the private address of "my meetings"."""
    url = None
    if request.method == "POST":
        if request.form.get("action") == "revoke":
            calendar.revoke(current_user)
            flash(_("Your calendar address no longer works."), "success")
        else:
            token = calendar.new_feed(current_user)
            url = url_for("meetings.calendar_feed", token=token, _external=True)
            flash(
                _("Your new calendar address is below; any earlier one no longer works."), "success"
            )
    return render(
        "meetings/feed.html",
        url=url,
        has_feed=calendar.has_feed(current_user),
        meetings=calendar.my_meetings(current_user),
    )


@bp.route("/calendar/<token>.ics")
@handler(public=True)
def calendar_feed(token: str):
    """The private feed read by calendar software: the token is the credential."""
    user = calendar.feed_owner(token)
    if user is None:
        abort(404)
    # Calendar software sends no cookie and rarely a language: the feed is in its owner's.
    with i18n.writing_to(user):
        data = calendar.ics(
            calendar.my_meetings(user),
            base_url=request.host_url,
            name=_("consult: my meetings"),
            user=user,
        )
    response = download(data, "my-meetings.ics", "text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="my-meetings.ics"'
    return response


# ---- the room page -------------------------------------------------------------------------------


def room_meetings(room: Room, user):
    """The room page's meetings section: one query, selected by the policy's filter."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.room_id == room.id, visible(Meeting, user))
        .order_by(Meeting.starts_at.desc())
    ).all()
    return "meetings/_room_meetings.html", {
        "meetings": meetings,
        "manages": can(Need.MANAGE, room, user),
        "room": room,
    }
