"""The written procedure's pages: circulate, the procedure with its live status, respond and
amend, extend, withdraw, and the Secretariat's letter."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import policy
from consult.downloads import DOCX_TYPE, PDF_TYPE, download, file_name
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.ids import parse_id
from consult.policy import Need, can
from consult.procedures import letter, services
from consult.procedures.forms import (
    ExtendForm,
    ProcedureForm,
    ResponseForm,
    WithdrawForm,
    answer_choices,
)
from consult.procedures.models import ProcedureMode, WrittenProcedure
from consult.rooms.models import Room
from consult.timeutil import from_local, to_local

bp = Blueprint("procedures", __name__)


def _room(procedure: WrittenProcedure) -> Room:
    return policy.load(Room, procedure.room_id)


def _page(procedure: WrittenProcedure) -> str:
    return url_for("procedures.procedure", procedure_id=procedure.id)


def room_section(room: Room, user) -> tuple[str, dict] | None:
    """The room page's "Written procedures": those circulated here, and "Circulate" for its
    chairs."""
    rows = services.procedures_in(room, user)
    manages = can(Need.MANAGE, room, user) and not room.is_archived
    if not rows and not manages:
        return None
    return "procedures/_room_section.html", {"room": room, "rows": rows, "manages": manages}


@bp.route("/rooms/<slug>/procedures/new", methods=["GET", "POST"])
@handler(room=Load(Room, Need.MANAGE, by="slug"), field="title")
def new(room: Room):
    """Circulate a draft decision to the room's States Parties, with a deadline."""
    form = ProcedureForm()
    papers = services.papers_to_circulate(room, current_user)
    form.paper.choices = [("", _("None: I write the text below"))] + [
        (str(p.id), f"{p.symbol} · {p.title}" if p.symbol else p.title) for p in papers
    ]
    if form.validate_on_submit():
        procedure = services.circulate(
            room,
            current_user,
            title=form.title.data or "",
            text=form.text.data or "",
            paper_id=parse_id(form.paper.data) if form.paper.data else None,
            note=form.note.data or "",
            mode=ProcedureMode(form.mode.data)
            if form.mode.data in set(ProcedureMode)
            else ProcedureMode.SILENCE,
            quorum=form.quorum.data,
            closes_at=from_local(form.closes_at.data, room.time_zone),
        )
        flash(
            _(
                "The draft decision is circulated to %(n)s States Parties.",
                n=procedure.addressed_count,
            ),
            "success",
        )
        return redirect(_page(procedure))
    status = 422 if form.is_submitted() else 200
    return render(
        "procedures/new.html",
        room=room,
        form=form,
        addressed=len(services.addressed_delegations(room)),
        status=status,
    )


def _status_context(procedure: WrittenProcedure) -> dict:
    counted = services.tally(procedure)
    return dict(
        procedure=procedure,
        room=_room(procedure),
        counted=counted,
        outcome_line=services.outcome_line(procedure, counted) if procedure.outcome else "",
    )


def _procedure_page(
    procedure: WrittenProcedure, status: int = 200, form: ResponseForm | None = None
):
    services.settle(procedure)
    mine = services.response_of(procedure, current_user.delegation_id)
    responds = can(Need.TAKE_PART, procedure)
    if form is None:
        form = ResponseForm(formdata=None)
        if mine is not None:
            form.answer.data, form.reason.data = mine.answer.value, mine.reason
    form.answer.choices = answer_choices(procedure.mode, services.answers_for(current_user))
    paper, revision = services.revision_of(procedure)
    return render(
        "procedures/procedure.html",
        "procedures/_status.html",
        status=status,
        form=form,
        mine=mine,
        responds=responds,
        manages=can(Need.MANAGE, procedure),
        exports=can(Need.EXPORT, procedure),
        paper=paper if paper is not None and can(Need.VIEW, paper) else None,
        revision=revision,
        history=services.history(procedure),
        **_status_context(procedure),
    )


@bp.route("/procedures/<int:procedure_id>")
@handler(procedure=Load(WrittenProcedure))
def procedure(procedure: WrittenProcedure):
    """The draft decision, who has responded and whether silence is broken (live), and the
    delegation's response."""
    return _procedure_page(procedure)


@bp.route("/procedures/<int:procedure_id>/status")
@handler(procedure=Load(WrittenProcedure))
def status(procedure: WrittenProcedure):
    """The live part alone (re-fetched when the socket says it changed, or at the deadline)."""
    services.settle(procedure)
    return render("procedures/_status.html", **_status_context(procedure))


@bp.route("/procedures/<int:procedure_id>/respond", methods=["POST"])
@handler(procedure=Load(WrittenProcedure), field="answer")
def respond(procedure: WrittenProcedure):
    """The delegation's one response (a second is refused: amend it instead). Who may not
    respond, or responds too late, is told next to the field; nothing is stored."""
    form = ResponseForm()
    form.answer.choices = answer_choices(procedure.mode, services.answers_for(current_user))
    if form.validate_on_submit():
        amending = request.form.get("amend") == "1"
        act = services.amend if amending else services.respond
        act(procedure, current_user, form.answer.data, form.reason.data or "")
        flash(
            _("Your delegation's response is amended.")
            if amending
            else _("Your delegation's response is recorded."),
            "success",
        )
        return redirect(_page(procedure))
    return _procedure_page(procedure, status=422, form=form)


@bp.route("/procedures/<int:procedure_id>/extend", methods=["GET", "POST"])
@handler(procedure=Load(WrittenProcedure, Need.MANAGE), field="closes_at")
def extend(procedure: WrittenProcedure):
    """Extend the deadline, once, with notice to the room."""
    room = _room(procedure)
    form = ExtendForm()
    if request.method == "GET":
        form.closes_at.data = to_local(procedure.closes_at, room.time_zone)
    if form.validate_on_submit():
        services.extend(
            procedure,
            current_user,
            from_local(form.closes_at.data, room.time_zone),
            form.reason.data or "",
        )
        flash(_("The deadline is extended and the room is told."), "success")
        return redirect(_page(procedure))
    status = 422 if form.is_submitted() else 200
    return render(
        "procedures/extend.html", procedure=procedure, room=room, form=form, status=status
    )


@bp.route("/procedures/<int:procedure_id>/withdraw", methods=["GET", "POST"])
@handler(procedure=Load(WrittenProcedure, Need.MANAGE), field="reason")
def withdraw(procedure: WrittenProcedure):
    """Withdraw the draft decision, after a confirmation that says what it ends."""
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw(procedure, current_user, form.reason.data or "")
        flash(
            _(
                "The draft decision is withdrawn; the responses are kept. Circulate it again "
                "to restart the procedure."
            ),
            "success",
        )
        return redirect(_page(procedure))
    status = 422 if form.is_submitted() else 200
    return render(
        "procedures/withdraw.html",
        procedure=procedure,
        room=_room(procedure),
        form=form,
        counted=services.tally(procedure),
        status=status,
    )


def _letter_name(procedure: WrittenProcedure, suffix: str) -> str:
    return file_name(None, f"written-procedure-{procedure.id}-letter", suffix=suffix)


@bp.route("/procedures/<int:procedure_id>/letter.docx")
@handler(procedure=Load(WrittenProcedure, Need.EXPORT))
def letter_docx(procedure: WrittenProcedure):
    """The Secretariat's letter on the outcome (a draft of it before the deadline)."""
    services.settle(procedure)
    return download(letter.letter_docx(procedure), _letter_name(procedure, "docx"), DOCX_TYPE)


@bp.route("/procedures/<int:procedure_id>/letter.pdf")
@handler(
    procedure=Load(WrittenProcedure, Need.EXPORT),
    refused=lambda procedure: url_for("procedures.procedure", procedure_id=procedure.id),
)
def letter_pdf(procedure: WrittenProcedure):
    """The letter printed by LibreOffice; when it cannot, the page says so."""
    services.settle(procedure)
    return download(letter.letter_pdf(procedure), _letter_name(procedure, "pdf"), PDF_TYPE)
