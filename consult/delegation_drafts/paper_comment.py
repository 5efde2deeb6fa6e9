"""The paper comment kind: a draft comment on one paragraph of a paper, posted through
`consult.papers.services.post_comment` (with all its checks)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from consult.delegation_drafts.forms import PaperCommentDraftForm
from consult.delegation_drafts.kinds import Kind
from consult.delegation_drafts.models import DelegationDraft
from consult.delegation_drafts.services import DraftError
from consult.extensions import db
from consult.ids import parse_id
from consult.links import path_for
from consult.papers import services as papers
from consult.papers.models import Comment, Paper, Paragraph, Position
from consult.policy import Need, can

NAME = "paper_comment"


def _paragraph(paper: Paper, key: str | None) -> Paragraph | None:
    """The paragraph with this stable key in the paper's current revision, if still there."""
    if not key:
        return None
    revision = papers.current_revision(paper)
    return db.session.scalars(
        select(Paragraph).where(Paragraph.revision_id == revision.id, Paragraph.key == key)
    ).first()


def _describe(paper: Paper, key: str | None, fields: dict) -> str:
    paragraph = _paragraph(paper, key)
    name = paper.symbol or paper.title
    if paragraph is None or paragraph.number is None:
        return _("Comment on %(paper)s", paper=name)
    if fields.get("parent_id"):
        return _("Reply on ¶%(n)s of %(paper)s", n=paragraph.number, paper=name)
    return _("Comment on ¶%(n)s of %(paper)s", n=paragraph.number, paper=name)


def _check_target(paper: Paper, key: str | None, user: Any) -> None:
    paragraph = _paragraph(paper, key)
    if paragraph is None:
        raise DraftError(_("That paragraph is not in the current revision of the paper."))
    if paragraph.is_heading:
        raise DraftError(_("Comment on a numbered paragraph, not a heading."))


def _closed_reason(paper: Paper, key: str | None, user: Any) -> str | None:
    if not can(Need.TAKE_PART, paper, user):
        return _("You do not take part in this room; a colleague who does can post the draft.")
    if _paragraph(paper, key) is None:
        return _("The paragraph is no longer in the current revision of the paper.")
    return papers.comments_closed_reason(paper)


def _parent(fields: dict) -> Comment | None:
    raw = fields.get("parent_id") or ""
    if not raw:
        return None
    ident = parse_id(raw)
    parent = db.session.get(Comment, ident) if ident is not None else None
    if parent is None or not can(Need.VIEW, parent):
        raise DraftError(_("The comment this draft replies to is no longer there."))
    return parent


def _post(draft: DelegationDraft, paper: Paper, user: Any) -> str:
    if not can(Need.TAKE_PART, paper, user):
        raise DraftError(
            _("You do not take part in this room; a colleague who does can post the draft.")
        )
    paragraph = _paragraph(paper, draft.target_key)
    if paragraph is None:
        raise DraftError(
            _("The paragraph is no longer in the current revision; the draft is kept.")
        )
    fields = draft.fields or {}
    position = fields.get("position") or None
    papers.post_comment(
        paper,
        user,
        paragraph=paragraph,
        body=draft.body,
        on_behalf_of=fields.get("on_behalf_of") or user.delegation.name,
        quote=fields.get("quote") or None,
        proposed_text=fields.get("proposed_text") or None,
        position=Position(position) if position in set(Position) else None,
        parent=_parent(fields),
        language=fields.get("language") or None,
    )
    return path_for("papers.paper", paper_id=paper.id) + f"#para-{paragraph.key}"


def _fields_from(form: PaperCommentDraftForm) -> dict:
    """The comment's other fields, checked as the comment form checks them (a refusal names
    its field; nothing is stored)."""
    on_behalf_of = form.on_behalf_of.data or current_user.delegation.name
    if on_behalf_of not in {value for value, _label in papers.on_behalf_choices(current_user)}:
        raise DraftError(
            _("You can speak only for your delegation or a group it belongs to."),
            field="on_behalf_of",
        )
    parent_id = (form.parent_id.data or "").strip()
    if parent_id:
        _parent({"parent_id": parent_id})  # refuses a comment that is not there to reply to
    language = (form.language.data or "").strip()
    return {
        # Written on a language version: posted as written on it (its quote is of its words).
        "language": language if language in current_app.config["LANGUAGES"] else "",
        "quote": (form.quote.data or "").strip(),
        "proposed_text": (form.proposed_text.data or "").strip(),
        "position": form.position.data if form.position.data in set(Position) else "",
        "on_behalf_of": on_behalf_of,
        "parent_id": parent_id,
    }


def prepare(form: PaperCommentDraftForm, user: Any, target: Any = None) -> None:
    """The choices of the form's selects, as on the paper's own comment form."""
    form.position.choices = [("", _l("No position"))] + [(p.value, p.label) for p in Position]
    form.on_behalf_of.choices = papers.on_behalf_choices(user)


def _fill(form: PaperCommentDraftForm, fields: dict) -> None:
    form.quote.data = fields.get("quote", "")
    form.proposed_text.data = fields.get("proposed_text", "")
    form.position.data = fields.get("position", "")
    form.on_behalf_of.data = fields.get("on_behalf_of", "")
    form.parent_id.data = fields.get("parent_id", "")
    form.language.data = fields.get("language", "")


def _target_url(paper: Paper, key: str | None) -> str:
    if key:
        return path_for("papers.paragraph", paper_id=paper.id, key=key)
    return path_for("papers.paper", paper_id=paper.id)


KIND = Kind(
    name=NAME,
    label=_l("Comment on a paper"),
    target_model=Paper,
    room_of=lambda paper: paper.room,
    describe=_describe,
    check_target=_check_target,
    closed_reason=_closed_reason,
    post=_post,
    form=PaperCommentDraftForm,
    fields_from=_fields_from,
    fill=_fill,
    template="delegation_drafts/_paper_comment_fields.html",
    target_url=_target_url,
    prepare=prepare,
)
