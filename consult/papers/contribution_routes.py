"""National contributions: a delegation submits, the chair accepts or returns, co-sponsors
answer their invitation. The pages of the paper itself are the papers blueprint's."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult import drafts
from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.papers import contributions
from consult.papers.docx_io import DocxError, docx_to_markdown
from consult.papers.forms import AcceptForm, ContributionForm, ReturnForm
from consult.papers.models import Paper, PaperKind, PaperStatus
from consult.papers.routes import MAX_DOCX_BYTES
from consult.papers.services import PaperError, current_revision
from consult.policy import Need
from consult.rooms.models import Room
from consult.taxonomy import forms as tagging
from consult.timeutil import from_local

bp = Blueprint("contributions", __name__)


def _source_from(form: ContributionForm) -> tuple[str, str]:
    """The pasted Markdown, or the uploaded .docx through the papers' importer; a refusal is
    shown next to the field it is about (an empty text is the service's to refuse)."""
    upload = form.document.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(MAX_DOCX_BYTES + 1)
        if len(data) > MAX_DOCX_BYTES:
            raise PaperError(_("The document is larger than 4 MB."), "document")
        try:
            return docx_to_markdown(data), upload.filename
        except DocxError as error:
            raise PaperError(error.message, "document") from None
    return (form.source.data or "").strip(), "pasted"


def _with_choices(
    form: ContributionForm, room: Room, paper: Paper | None = None
) -> ContributionForm:
    tagging.prepare(form, paper)
    form.cosponsors.choices = [
        (d.id, d.name) for d in contributions.cosponsor_choices(room, current_user.delegation)
    ]
    return form


def _room_by_slug(slug: str) -> Room | None:
    return db.session.scalars(select(Room).where(Room.slug == slug)).first()


@bp.route("/rooms/<slug>/contributions/new", methods=["GET", "POST"])
@drafts.keepable(
    text=("title", "source"),
    extra=("kind", "original_language"),
    files=("document",),
    page=lambda slug: url_for("contributions.submit", slug=slug),
    target=_room_by_slug,
)
@handler(room=Load(Room, Need.TAKE_PART, by="slug"), field="title")
def submit(room: Room):
    """A State Party's or signatory's delegation submits a contribution to the room; what was
    typed when a session ended is kept and offered back here."""
    kept = (
        None if request.method == "POST" else drafts.offered("contributions.submit", slug=room.slug)
    )
    form = _with_choices(
        ContributionForm(data=kept.values) if kept is not None else ContributionForm(), room
    )
    if form.validate_on_submit():
        source, origin = _source_from(form)
        paper = contributions.submit_contribution(
            room,
            current_user,
            title=form.title.data,
            kind=PaperKind(form.kind.data),
            source=source,
            origin=origin,
            stages=form.stages.data or [],
            activities=form.activities.data or [],
            articles=form.articles.data or [],
            cosponsor_ids=form.cosponsors.data or [],
            original_language=form.original_language.data,
        )
        drafts.forget("contributions.submit", slug=room.slug)
        flash(
            _(
                "%(title)s is submitted. The chair of %(room)s decides whether to accept it; "
                "until then only your delegation, its co-sponsors and the room's chairs see it.",
                title=paper.title,
                room=room.title,
            ),
            "success",
        )
        return redirect(url_for("papers.paper", paper_id=paper.id))
    status = 422 if form.is_submitted() else 200
    return render(
        "papers/contribution_form.html",
        form=form,
        room=room,
        paper=None,
        kept=kept,
        may_submit=current_user.delegation.status.takes_part_as_state,
        status=status,
    )


@bp.route("/papers/<int:paper_id>/resubmit", methods=["GET", "POST"])
@handler(paper=Load(Paper, Need.AUTHOR), field="title")
def resubmit(paper: Paper):
    """The delegation revises its returned (or withdrawn) contribution and submits it again."""
    contributions.load_details(paper)
    form = _with_choices(ContributionForm(), paper.room, paper)
    # The kind and the original language stay as submitted.
    del form.kind
    del form.original_language
    if request.method == "GET":
        form.title.data = paper.title
        form.source.data = current_revision(paper).source
        form.cosponsors.data = [c.delegation_id for c in paper.cosponsors if c.declined_at is None]
    if form.validate_on_submit():
        source, origin = _source_from(form)
        contributions.resubmit(
            paper,
            current_user,
            title=form.title.data,
            source=source,
            origin=origin,
            stages=form.stages.data or [],
            activities=form.activities.data or [],
            articles=form.articles.data or [],
            cosponsor_ids=form.cosponsors.data or [],
            note=form.note.data or "",
        )
        flash(_("%(title)s is submitted again.", title=paper.title), "success")
        return redirect(url_for("papers.paper", paper_id=paper.id))
    status = 422 if form.is_submitted() else 200
    return render(
        "papers/contribution_form.html",
        form=form,
        room=paper.room,
        paper=paper,
        kept=None,
        may_submit=True,
        status=status,
    )


@bp.route("/papers/<int:paper_id>/withdraw-contribution", methods=["POST"])
@handler(paper=Load(Paper, Need.AUTHOR))
def withdraw(paper: Paper):
    contributions.withdraw(paper, current_user)
    flash(
        _(
            "%(title)s is withdrawn; the chair no longer sees it as waiting. You can revise "
            "and submit it again.",
            title=paper.title,
        ),
        "success",
    )
    return redirect(url_for("papers.paper", paper_id=paper.id))


def _decide_page(paper: Paper, status: int = 200, **forms):
    contributions.load_details(paper)
    accept_form = forms.get("accept_form") or AcceptForm(
        formdata=None,
        symbol=contributions.suggested_symbol(paper),
        status=PaperStatus.OPEN.value,
        is_chatham_house=contributions.room_is_chatham_house(paper.room),
    )
    return render(
        "papers/contribution_decide.html",
        paper=paper,
        revision=current_revision(paper),
        attribution=contributions.attribution(paper),
        accept_form=accept_form,
        return_form=forms.get("return_form") or ReturnForm(formdata=None),
        status=status,
    )


@bp.route("/papers/<int:paper_id>/accept", methods=["GET", "POST"])
@handler(paper=Load(Paper, Need.MANAGE), field="symbol")
def accept(paper: Paper):
    """The chair's decision page (GET), and accepting with the document symbol (POST)."""
    if request.method == "GET":
        return _decide_page(paper)
    form = AcceptForm()
    if form.validate_on_submit():
        contributions.accept(
            paper,
            current_user,
            symbol=form.symbol.data,
            status=PaperStatus(form.status.data),
            closes_at=from_local(form.closes_at.data, paper.room.time_zone),
            is_chatham_house=form.is_chatham_house.data,
        )
        flash(
            _(
                "%(title)s is accepted as %(symbol)s and listed with the room's papers.",
                title=paper.title,
                symbol=paper.symbol,
            ),
            "success",
        )
        return redirect(url_for("papers.paper", paper_id=paper.id))
    return _decide_page(paper, status=422, accept_form=form)


@bp.route("/papers/<int:paper_id>/return", methods=["POST"])
@handler(paper=Load(Paper, Need.MANAGE), field="reason")
def return_(paper: Paper):
    form = ReturnForm()
    if form.validate_on_submit():
        contributions.return_contribution(paper, current_user, form.reason.data)
        flash(
            _("%(title)s is returned to its delegation with your reason.", title=paper.title),
            "success",
        )
        return redirect(url_for("papers.paper", paper_id=paper.id))
    return _decide_page(paper, status=422, return_form=form)


@bp.route("/papers/<int:paper_id>/cosponsorship", methods=["POST"])
@handler(paper=Load(Paper, Need.DECIDE))
def answer(paper: Paper):
    """An invited delegation confirms or declines co-sponsoring the paper."""
    confirm = request.form.get("answer") == "confirm"
    contributions.answer_invitation(paper, current_user, confirm)
    flash(
        _("Your delegation co-sponsors %(title)s.", title=paper.title)
        if confirm
        else _("Your delegation declined to co-sponsor %(title)s.", title=paper.title),
        "success",
    )
    return redirect(url_for("papers.paper", paper_id=paper.id))
