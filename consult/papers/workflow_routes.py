"""The revision workflow's pages: open a drafted paper for comments, write the draft revision
with its live preview, take a proposal into it, review what changed and issue it."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.handlers import Load, handler
from consult.htmx import redirect, render, wants_fragment
from consult.papers import services, workflow
from consult.papers.forms import DraftRevisionForm, IssueDraftForm, OpenForCommentsForm
from consult.papers.models import Comment, Paper, PaperStatus
from consult.policy import Need, parent_of
from consult.timeutil import from_local

bp = Blueprint("paper_workflow", __name__)


# ---- opening for comments ----------------------------------------------------------------------


@bp.route("/papers/<int:paper_id>/open", methods=["GET", "POST"])
@handler(paper=Load(Paper, Need.MANAGE), field="closes_at")
def open_for_comments(paper: Paper):
    """The confirmation step, then the paper leaves drafting and the room is told."""
    form = OpenForCommentsForm()
    if form.validate_on_submit():
        services.open_for_comments(
            paper, current_user, from_local(form.closes_at.data, paper.room.time_zone)
        )
        flash(_("%(title)s is open for comments; the room is told.", title=paper.title), "success")
        return redirect(url_for("papers.paper", paper_id=paper.id))
    status = 422 if form.is_submitted() else 200
    return render(
        "papers/open.html",
        form=form,
        paper=paper,
        is_drafting=paper.status is PaperStatus.DRAFTING,
        status=status,
    )


# ---- the draft revision ------------------------------------------------------------------------


def _draft_page(paper: Paper, form: DraftRevisionForm, source: str, status: int = 200):
    _text, draft, current = workflow.draft_source(paper)
    try:
        blocks = workflow.preview(source)
    except workflow.DraftError:
        blocks = []  # too long to show: the message is next to the text
    return render(
        "papers/draft.html",
        form=form,
        paper=paper,
        draft=draft,
        current=current,
        blocks=blocks,
        outdated=draft is not None and draft.based_on_id != current.id,
        status=status,
    )


@bp.route("/papers/<int:paper_id>/draft", methods=["GET", "POST"])
@handler(paper=Load(Paper, Need.REVISE), field="source")
def draft(paper: Paper):
    """The editor of the next revision (started from the current one), kept on the server;
    "Review the changes" saves it and shows what issuing it would change."""
    form = DraftRevisionForm()
    if request.method == "GET":
        form.source.data, _draft, _current = workflow.draft_source(paper)
    if form.validate_on_submit():
        saved = workflow.save_draft(paper, current_user, form.source.data or "")
        if request.form.get("action") == "review":
            return _review_page(paper, IssueDraftForm(formdata=None, version=saved.version))
        flash(_("The draft revision is saved."), "success")
        return redirect(url_for("paper_workflow.draft", paper_id=paper.id))
    status = 422 if form.is_submitted() else 200
    return _draft_page(paper, form, form.source.data or "", status)


@bp.route("/papers/<int:paper_id>/draft/preview", methods=["POST"])
@handler(paper=Load(Paper, Need.REVISE), field="source")
def draft_preview(paper: Paper):
    """htmx: save the draft as it is typed and answer its numbered, rendered preview."""
    form = DraftRevisionForm()
    if form.validate_on_submit():
        saved = workflow.save_draft(paper, current_user, form.source.data or "")
        if not wants_fragment():
            flash(_("The draft revision is saved."), "success")
            return redirect(url_for("paper_workflow.draft", paper_id=paper.id))
        return render(
            "papers/draft.html",
            "papers/_draft_preview.html",
            paper=paper,
            blocks=workflow.preview(saved.source),
            draft=saved,
            error=None,
        )
    return render(
        "papers/draft.html",
        "papers/_draft_preview.html",
        paper=paper,
        blocks=[],
        draft=workflow.draft_of(paper),
        error=" ".join(form.source.errors + form.form_errors),
        status=422,
    )


def _review_page(paper: Paper, form: IssueDraftForm, status: int = 200):
    source, draft, current = workflow.draft_source(paper)
    return render(
        "papers/draft_review.html",
        paper=paper,
        form=form,
        draft=draft,
        current=current,
        summary=workflow.summarise(paper, source),
        status=status,
    )


@bp.route("/papers/<int:paper_id>/draft/issue", methods=["POST"])
@handler(paper=Load(Paper, Need.REVISE), field="note")
def issue_draft(paper: Paper):
    """The confirmed draft becomes the next immutable revision."""
    form = IssueDraftForm()
    if form.validate_on_submit():
        revision = workflow.issue_draft(
            paper, current_user, version=form.version.data, note=form.note.data or ""
        )
        flash(
            _("%(rev)s is issued. Comments moved with their text.", rev=revision.label),
            "success",
        )
        return redirect(url_for("papers.paper", paper_id=paper.id))
    return _review_page(paper, form, 422)


@bp.route("/comments/<int:comment_id>/take", methods=["POST"])
@handler(comment=Load(Comment, Need.REVISE), refused=lambda comment: _back(comment))
def take_proposal(comment: Comment):
    """Put the comment's proposed text into the draft revision at its paragraph."""
    paragraph = workflow.take_proposal(comment, current_user)
    flash(
        _(
            "The proposal is in the draft revision in place of ¶%(n)s, and the comment is "
            "marked as taken into account (you can undo that on the comment).",
            n=paragraph.number,
        ),
        "success",
    )
    return redirect(url_for("paper_workflow.draft", paper_id=comment.paper_id) + "#preview")


def _back(comment: Comment) -> str:
    paper = parent_of(comment)
    return url_for("papers.paper", paper_id=paper.id) + f"#para-{comment.paragraph_key}"
