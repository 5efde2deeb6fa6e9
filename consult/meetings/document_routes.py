"""The documents of an agenda item: its page, the chair's papers and files, delegations'
written statements, publishing, removing and restoring, and the files' downloads."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import uploads
from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.meetings import documents
from consult.meetings.document_forms import (
    AttachFileForm,
    AttachPaperForm,
    DocumentActionForm,
    WrittenStatementForm,
)
from consult.meetings.models import AgendaDocument, AgendaItem, Meeting
from consult.policy import Need, can

bp = Blueprint("documents", __name__)


def _meeting(item: AgendaItem) -> Meeting:
    return db.session.get(Meeting, item.meeting_id)


def _circulated(day: date | None, meeting: Meeting) -> datetime | None:
    """A circulation day in the meeting's zone: today is now, an earlier day its noon."""
    if day is None:
        return None
    zone = ZoneInfo(meeting.time_zone)
    if day == datetime.now(zone).date():
        return None
    return datetime.combine(day, time(12), zone).astimezone(ZoneInfo("UTC"))


def _upload(field) -> tuple[str, bytes]:
    """The uploaded file's name and bytes, read to one byte past the limit (so "too large" is
    seen without reading a huge file whole)."""
    data = field.data
    if not getattr(data, "filename", ""):
        return "", b""
    return data.filename, data.read(uploads.limit() + 1)


def _paper_form(meeting: Meeting, form: AttachPaperForm | None = None) -> AttachPaperForm:
    form = form or AttachPaperForm(formdata=None)
    form.paper.choices = [(0, _("Choose a paper"))] + [
        (p.id, p.title) for p in documents.paper_choices(meeting, current_user)
    ]
    return form


def _item_page(item: AgendaItem, status: int = 200, **forms):
    meeting = _meeting(item)
    manages = can(Need.MANAGE, item)
    return render(
        "meetings/item_documents.html",
        item=item,
        meeting=meeting,
        manages=manages,
        takes_part=can(Need.TAKE_PART, item),
        docs=documents.documents_of(item, meeting, current_user),
        removed=documents.removed_of(item, current_user),
        due=documents.due_by(meeting),
        paper_form=_paper_form(meeting, forms.get("paper_form")) if manages else None,
        file_form=forms.get("file_form") or AttachFileForm(formdata=None),
        statement_form=forms.get("statement_form") or WrittenStatementForm(formdata=None),
        action_form=DocumentActionForm(formdata=None),
        status=status,
    )


def _back(item_id: int, form: DocumentActionForm | None = None):
    """Back to the item's documents; a refused action's reason is flashed there."""
    if form is not None:
        reasons = [*form.form_errors, *(e for f in form for e in f.errors)]
        flash(" ".join(str(r) for r in reasons) or _("That was not done."), "error")
    return redirect(url_for("documents.item_documents", item_id=item_id))


@bp.route("/agenda/<int:item_id>/documents")
@handler(item=Load(AgendaItem))
def item_documents(item: AgendaItem):
    return _item_page(item)


@bp.route("/agenda/<int:item_id>/documents/paper", methods=["POST"])
@handler(item=Load(AgendaItem, Need.MANAGE), field="paper")
def attach_paper(item: AgendaItem):
    meeting = _meeting(item)
    form = _paper_form(meeting, AttachPaperForm())
    if form.validate_on_submit():
        paper = None
        if form.paper.data:
            from consult.papers.models import Paper

            paper = db.session.get(Paper, form.paper.data)
        documents.attach_paper(
            item, current_user, paper, _circulated(form.paper_circulated_on.data, meeting)
        )
        flash(_("The paper is attached to item %(label)s.", label=item.label), "success")
        return _back(item.id)
    return _item_page(item, 422, paper_form=form)


@bp.route("/agenda/<int:item_id>/documents/file", methods=["POST"])
@handler(item=Load(AgendaItem, Need.MANAGE), field="upload")
def attach_file(item: AgendaItem):
    form = AttachFileForm()
    if form.validate_on_submit():
        name, data = _upload(form.upload)
        documents.attach_file(
            item,
            current_user,
            title=form.file_title.data or "",
            filename=name,
            data=data,
            circulated_at=_circulated(form.file_circulated_on.data, _meeting(item)),
        )
        flash(_("The document is attached to item %(label)s.", label=item.label), "success")
        return _back(item.id)
    return _item_page(item, 422, file_form=form)


@bp.route("/agenda/<int:item_id>/documents/statement", methods=["POST"])
@handler(item=Load(AgendaItem, Need.TAKE_PART), field="statement_file")
def submit_statement(item: AgendaItem):
    form = WrittenStatementForm()
    if form.validate_on_submit():
        name, data = _upload(form.statement_file)
        documents.submit_statement(
            item, current_user, title=form.statement_title.data or "", filename=name, data=data
        )
        flash(
            _("Your written statement is submitted; the chair publishes it to the meeting."),
            "success",
        )
        return _back(item.id)
    return _item_page(item, 422, statement_form=form)


def _item_of(document: AgendaDocument) -> str:
    return url_for("documents.item_documents", item_id=document.item_id)


@bp.route("/agenda-documents/<int:document_id>/file")
@handler(document=Load(AgendaDocument))
def download(document: AgendaDocument):
    """A document's file, for whoever may see the document (404 for anyone else)."""
    if not document.is_file:
        abort(404)
    response = uploads.serve(document.stored_name, document.content_type)
    name = (document.filename or "document").replace('"', "")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/agenda-documents/<int:document_id>/publish", methods=["POST"])
@handler(document=Load(AgendaDocument, Need.MANAGE), refused=_item_of)
def publish(document: AgendaDocument):
    form = DocumentActionForm()
    if form.validate_on_submit():
        documents.publish(document, current_user)
        flash(_("The written statement is published: %(title)s.", title=document.title), "success")
        return _back(document.item_id)
    return _back(document.item_id, form)


def _may_remove(document: AgendaDocument) -> None:
    """The chair removes and restores any document; a delegation its own statement before
    the chair publishes it."""
    if not (can(Need.MANAGE, document) or can(Need.AUTHOR, document)):
        abort(403)


@bp.route("/agenda-documents/<int:document_id>/remove", methods=["POST"])
@handler(document=Load(AgendaDocument), refused=_item_of)
def remove(document: AgendaDocument):
    _may_remove(document)
    form = DocumentActionForm()
    if form.validate_on_submit():
        documents.remove(document, current_user)
        flash(
            _(
                '%(title)s is removed from the item. Restore it from "Removed documents" '
                "below if that was a mistake.",
                title=document.title,
            ),
            "success",
        )
        return _back(document.item_id)
    return _back(document.item_id, form)


@bp.route("/agenda-documents/<int:document_id>/restore", methods=["POST"])
@handler(document=Load(AgendaDocument), refused=_item_of)
def restore(document: AgendaDocument):
    _may_remove(document)
    form = DocumentActionForm()
    if form.validate_on_submit():
        documents.restore(document, current_user)
        flash(_("%(title)s is back on the item.", title=document.title), "success")
        return _back(document.item_id)
    return _back(document.item_id, form)
