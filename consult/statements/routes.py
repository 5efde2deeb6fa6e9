"""Group statement pages: open a draft, ask agreement, take positions, record consensus,
deliver, export. The text itself is edited and commented on through the paper's pages."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult import dates
from consult.downloads import DOCX_TYPE, download
from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.ids import parse_id
from consult.meetings.models import AgendaItem, Meeting
from consult.papers import services as papers
from consult.papers.docx_io import RevisionDoc, revision_docx
from consult.papers.models import Paper, PaperKind, PaperStatus
from consult.policy import Need, can, visible
from consult.rooms.models import Room
from consult.statements import services
from consult.statements.forms import (
    AskForm,
    ConsensusForm,
    DeliverCommentForm,
    DeliverItemForm,
    OpenForm,
    PositionForm,
)
from consult.statements.models import GroupStatement, Stance, StatementStatus
from consult.timeutil import from_local, utcnow
from consult.transaction import writing

bp = Blueprint("statements", __name__)


def _paper_choices() -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(Paper)
        .where(
            visible(Paper, current_user),
            Paper.status == PaperStatus.OPEN,
            Paper.kind != PaperKind.GROUP_STATEMENT,
        )
        .order_by(Paper.title)
        .limit(200)
    )
    return [(str(p.id), f"{p.title} ({p.room.title})") for p in rows]


def _item_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(AgendaItem, Meeting)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(visible(AgendaItem, current_user), Meeting.ends_at >= utcnow())
        .order_by(Meeting.starts_at, AgendaItem.number, AgendaItem.letter)
        .limit(200)
    )
    return [(str(i.id), f"{m.title}: {i.label} {i.title}") for i, m in rows]


def _page(statement: GroupStatement, status: int = 200, **forms):
    if services.effective_status(statement) is not statement.status:
        with writing():  # finality the deadline brought is written down on this read
            services.refresh(statement)
    paper = statement.paper
    latest = services.latest_positions(statement)
    members = services.member_delegations(statement)
    comment_form = forms.get("comment_form") or DeliverCommentForm(formdata=None)
    comment_form.paper.choices = _paper_choices()
    item_form = forms.get("item_form") or DeliverItemForm(formdata=None)
    item_form.item.choices = _item_choices()
    text, paragraphs = services.final_text(statement)
    mine = latest.get(current_user.delegation_id)
    return render(
        "statements/statement.html",
        statement=statement,
        paper=paper,
        room=paper.room,
        speaks_for=services.speaks_for(statement),
        paragraphs=paragraphs,
        members=members,
        latest=latest,
        mine=mine,
        history=services.history(statement),
        objections=services.standing_objections(statement),
        manages=can(Need.MANAGE, statement),
        takes_part=can(Need.TAKE_PART, statement),
        ask_form=forms.get("ask_form") or AskForm(formdata=None),
        consensus_form=forms.get("consensus_form") or ConsensusForm(formdata=None),
        position_form=forms.get("position_form") or PositionForm(formdata=None),
        comment_form=comment_form,
        item_form=item_form,
        Status=StatementStatus,
        Stance=Stance,
        status=status,
    )


@bp.route("/rooms/<slug>/statements/new", methods=["GET", "POST"])
@handler(room=Load(Room, Need.MANAGE, by="slug"), field="source")
def new_statement(room: Room):
    form = OpenForm()
    if form.validate_on_submit():
        statement = services.open_statement(
            room, current_user, title=form.title.data, source=form.source.data
        )
        flash(_("The draft is open: members of the group can now revise it."), "success")
        return redirect(url_for("statements.statement", statement_id=statement.id))
    status = 422 if form.is_submitted() else 200
    return render("statements/new.html", form=form, room=room, status=status)


@bp.route("/statements/<int:statement_id>")
@handler(statement=Load(GroupStatement))
def statement(statement: GroupStatement):
    return _page(statement)


@bp.route("/papers/<int:paper_id>/statement")
@handler(paper=Load(Paper))
def of_paper(paper: Paper):
    found = services.statement_of(paper)
    if found is None:
        return redirect(url_for("papers.paper", paper_id=paper.id))
    return redirect(url_for("statements.statement", statement_id=found.id))


@bp.route("/statements/<int:statement_id>/ask", methods=["POST"])
@handler(statement=Load(GroupStatement, Need.MANAGE), field="deadline")
def ask(statement: GroupStatement):
    form = AskForm()
    if form.validate_on_submit():
        deadline = from_local(form.deadline.data, statement.paper.room.time_zone)
        services.ask_agreement(statement, current_user, deadline)
        flash(_("The group is asked to agree."), "success")
        return redirect(url_for("statements.statement", statement_id=statement.id))
    return _page(statement, status=422, ask_form=form)


@bp.route("/statements/<int:statement_id>/position", methods=["POST"])
@handler(statement=Load(GroupStatement, Need.TAKE_PART), field="position")
def position(statement: GroupStatement):
    form = PositionForm()
    if form.validate_on_submit():
        stance = Stance(form.position.data)
        services.take_position(statement, current_user, stance, form.reason.data)
        flash(
            {
                Stance.AGREE: _("Your delegation agrees."),
                Stance.OBJECT: _("Your delegation's objection is recorded."),
                Stance.WITHDRAWN: _("Your delegation's objection is withdrawn."),
            }[stance],
            "success",
        )
        return redirect(url_for("statements.statement", statement_id=statement.id))
    return _page(statement, status=422, position_form=form)


def _back(statement: GroupStatement) -> str:
    return url_for("statements.statement", statement_id=statement.id)


@bp.route("/statements/<int:statement_id>/consensus", methods=["POST"])
@handler(statement=Load(GroupStatement, Need.MANAGE), field="confirm")
def consensus(statement: GroupStatement):
    form = ConsensusForm()
    if form.validate_on_submit():
        services.record_consensus(statement, current_user)
        flash(_("Consensus is recorded: the statement is final."), "success")
        return redirect(_back(statement))
    return _page(statement, status=422, consensus_form=form)


@bp.route("/statements/<int:statement_id>/reopen", methods=["POST"])
@handler(statement=Load(GroupStatement, Need.MANAGE), refused=_back)
def reopen(statement: GroupStatement):
    services.reopen_drafting(statement, current_user)
    flash(
        _(
            "The statement is back in drafting: members can revise it; the positions taken "
            "no longer count. Ask the group to agree again when the text is ready."
        ),
        "success",
    )
    return redirect(_back(statement))


@bp.route("/statements/<int:statement_id>/deliver/comment", methods=["POST"])
@handler(statement=Load(GroupStatement, Need.MANAGE), field="paper")
def deliver_comment(statement: GroupStatement):
    form = DeliverCommentForm()
    form.paper.choices = _paper_choices()
    if form.validate_on_submit():
        ident = parse_id(form.paper.data)
        target = db.session.get(Paper, ident) if ident else None
        comment = services.deliver_as_comment(statement, current_user, target, form.paragraph.data)
        flash(
            _("The statement is posted on behalf of %(group)s.", group=comment.on_behalf_of),
            "success",
        )
        return redirect(
            url_for("papers.paper", paper_id=target.id) + f"#para-{comment.paragraph_key}"
        )
    return _page(statement, status=422, comment_form=form)


@bp.route("/statements/<int:statement_id>/deliver/item", methods=["POST"])
@handler(statement=Load(GroupStatement, Need.MANAGE), field="item")
def deliver_item(statement: GroupStatement):
    form = DeliverItemForm()
    form.item.choices = _item_choices()
    if form.validate_on_submit():
        ident = parse_id(form.item.data)
        item = db.session.get(AgendaItem, ident) if ident else None
        services.deliver_to_item(statement, current_user, item)
        flash(_("The statement is attached to the agenda item."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=item.meeting_id))
    return _page(statement, status=422, item_form=form)


@bp.route("/statements/<int:statement_id>.docx")
@handler(statement=Load(GroupStatement, Need.EXPORT), refused=_back)
def export(statement: GroupStatement):
    services.check_exportable(statement)
    revision = papers.current_revision(statement.paper)
    finalised = statement.finalised_at or utcnow()
    doc = RevisionDoc(
        symbol=_("Reference: %(ref)s", ref=statement.paper.symbol or f"GS/{statement.id}"),
        title=_("Statement on behalf of %(group)s", group=services.speaks_for(statement)),
        revision_label=dates.day(finalised, "document"),  # "4 December 2026", the reader's words
        issued_by=statement.paper.title,
        blocks=[
            (p.number, "heading" if p.is_heading else "paragraph", p.text)
            for p in papers.paragraphs_of(revision)
        ],
    )
    return download(revision_docx(doc), f"statement-{statement.id}.docx", DOCX_TYPE)
