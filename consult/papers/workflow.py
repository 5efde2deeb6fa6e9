"""The revision workflow: the draft revision its editors write, proposals taken into it, what
changed, and the immutable revision issued from it.

The draft is kept on the server (`RevisionDraft`, saved with every preview) so nothing typed
is lost between pages or sign-ins. Its paragraphs are matched to the current revision's the
same way a new revision's are (`services.match_paragraphs`), so a proposal lands on the
paragraph its comment is about even after the editor moved text around.

Services flush, audit and queue live events; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from consult import audit
from consult.accounts.models import User
from consult.errors import refuse_longer_than
from consult.extensions import db
from consult.groups import services as groups
from consult.markdown import TooComplex, render
from consult.papers import services
from consult.papers.blocks import Block, number_blocks, paragraph_markdown, split_blocks
from consult.papers.models import Comment, Paper, PaperStatus, Paragraph, Revision, RevisionDraft
from consult.papers.redline import redline_html
from consult.papers.services import PaperError
from consult.timeutil import utcnow

MAX_DRAFT_LENGTH = services.MAX_REVISION_LENGTH

_CLOSED = (PaperStatus.ADOPTED, PaperStatus.WITHDRAWN)


class DraftError(PaperError):
    """A refusal about the draft revision; shown next to its text."""

    field = "source"


# ---- the draft ---------------------------------------------------------------------------------


def draft_of(paper: Paper) -> RevisionDraft | None:
    """The paper's draft revision, if one was started."""
    return db.session.scalars(
        select(RevisionDraft).where(RevisionDraft.paper_id == paper.id)
    ).first()


def draft_source(paper: Paper) -> tuple[str, RevisionDraft | None, Revision]:
    """The draft's text (the current revision's when no draft was started), the draft, and
    the current revision."""
    current = services.current_revision(paper)
    draft = draft_of(paper)
    return (draft.source if draft else current.source), draft, current


def _may_revise(paper: Paper) -> None:
    services._not_pending(paper)
    if paper.status in _CLOSED:
        raise DraftError(
            _("This paper is %(status)s; it cannot be revised.", status=paper.status.label.lower())
        )


def save_draft(paper: Paper, actor: User, source: str) -> RevisionDraft:
    """Keep the draft revision's text (too long: refused, its length said, nothing stored)."""
    _may_revise(paper)
    source = (source or "").replace("\r\n", "\n")
    refuse_longer_than(source, MAX_DRAFT_LENGTH, "source", DraftError)
    draft = draft_of(paper)
    if draft is None:
        draft = RevisionDraft(
            paper_id=paper.id,
            based_on_id=services.current_revision(paper).id,
            source=source,
            updated_by_id=actor.id,
        )
        db.session.add(draft)
    elif draft.source != source:
        draft.source = source
        draft.version += 1
        draft.updated_by_id = actor.id
        draft.updated_at = utcnow()
    db.session.flush()
    return draft


# ---- the preview -------------------------------------------------------------------------------


@dataclass
class PreviewBlock:
    """One block of the draft as the paper will show it: its number in the margin."""

    number: int | None
    is_heading: bool
    html: Markup
    #: Why the block cannot be shown (and would be refused when issued), or None.
    problem: str | None = None


def preview(source: str) -> list[PreviewBlock]:
    """The draft cut and numbered as the revision will be, each block rendered through the
    sanitised Markdown. Its cost is bounded: the text's length is capped, each block's
    rendering is bounded by the renderer, and unchanged blocks come from its cache, so a
    keystroke renders the block it changed."""
    refuse_longer_than(source, MAX_DRAFT_LENGTH, "source", DraftError)
    blocks = split_blocks(source)
    shown = []
    for block, number in zip(blocks, number_blocks(blocks), strict=True):
        heading = block.kind == "heading"
        try:
            html = render(paragraph_markdown(block.text, is_heading=heading))
            problem = None
        except TooComplex as error:
            html, problem = Markup(""), str(error)
        shown.append(PreviewBlock(number, heading, html, problem))
    return shown


# ---- what changed ------------------------------------------------------------------------------


@dataclass
class Change:
    """One paragraph added, changed or removed by the draft, against the current revision."""

    kind: str  # "added" | "changed" | "removed"
    old_label: str  # "¶3", "heading", or "" when added
    new_label: str  # "¶4", "heading", or "" when removed
    html: Markup  # the redline of the change


@dataclass
class Summary:
    changes: list[Change]
    added: int
    changed: int
    removed: int
    #: Same blocks in the same order: issuing it would be refused.
    identical: bool


def _label(number: int | None, is_heading: bool) -> str:
    return _("heading") if is_heading else f"¶{number}"


def _matches(old: list[Paragraph], blocks: list[Block]) -> list[int | None]:
    return services.match_paragraphs(
        [(p.is_heading, p.text) for p in old], [(b.kind == "heading", b.text) for b in blocks]
    )


def summarise(paper: Paper, source: str) -> Summary:
    """What issuing the draft would change, paragraph by paragraph (the same matching as the
    revision: a paragraph continued with other words is "changed", not removed and added)."""
    old = services.paragraphs_of(services.current_revision(paper))
    blocks = split_blocks(source)
    numbers = number_blocks(blocks)
    matches = _matches(old, blocks)
    changes: list[Change] = []
    for block, number, match in zip(blocks, numbers, matches, strict=True):
        heading = block.kind == "heading"
        if match is None:
            changes.append(
                Change("added", "", _label(number, heading), redline_html("", block.text))
            )
            continue
        before = old[match]
        if services._norm(before.text) != services._norm(block.text):
            changes.append(
                Change(
                    "changed",
                    _label(before.number, before.is_heading),
                    _label(number, heading),
                    redline_html(before.text, block.text),
                )
            )
    used = {m for m in matches if m is not None}
    for i, paragraph in enumerate(old):
        if i not in used:
            changes.append(
                Change(
                    "removed",
                    _label(paragraph.number, paragraph.is_heading),
                    "",
                    redline_html(paragraph.text, ""),
                )
            )
    identical = [(b.kind == "heading", services._norm(b.text)) for b in blocks] == [
        (p.is_heading, services._norm(p.text)) for p in old
    ]
    count = {kind: sum(c.kind == kind for c in changes) for kind in ("added", "changed", "removed")}
    return Summary(changes, count["added"], count["changed"], count["removed"], identical)


# ---- taking a proposal -------------------------------------------------------------------------


def take_proposal(comment: Comment, actor: User) -> Paragraph:
    """Put a comment's proposed text in the draft revision in place of the paragraph it is
    about, and mark the comment as taken into account. Refused, nothing stored, when the
    comment proposes no text or its paragraph is no longer in the current revision or in the
    draft. Returns the current revision's paragraph the proposal replaced."""
    paper = db.session.get(Paper, comment.paper_id)
    _may_revise(paper)
    proposal = (comment.proposed_text or "").strip()
    if not proposal or comment.deleted_at is not None or comment.hidden_at is not None:
        raise PaperError(_("This comment proposes no text to take."))
    if groups.is_pending(comment):
        raise PaperError(_("This comment awaits its group's confirmation; take it once confirmed."))
    source, _draft, current = draft_source(paper)
    old = services.paragraphs_of(current)
    index = next((i for i, p in enumerate(old) if p.key == comment.paragraph_key), None)
    if index is None:
        raise PaperError(
            _(
                "The paragraph this comment is about is no longer in %(rev)s; nothing was "
                "changed. Re-attach the comment or edit the draft by hand.",
                rev=current.label,
            )
        )
    paragraph = old[index]
    blocks = split_blocks(source)
    matches = _matches(old, blocks)
    if index not in matches:
        raise PaperError(
            _(
                "¶%(n)s of %(rev)s is no longer in the draft revision; nothing was changed. "
                "Edit the draft by hand.",
                n=paragraph.number,
                rev=current.label,
            )
        )
    at = matches.index(index)
    texts = [b.text for b in blocks]
    texts[at] = proposal
    save_draft(paper, actor, "\n\n".join(texts) + "\n")
    comment.taken_into_account_at = comment.taken_into_account_at or utcnow()
    audit.record(
        "paper.proposal_taken",
        f"{paper.title}: {actor.name} took a proposal on ¶{paragraph.number} into the draft",
        actor=actor,
        room_id=paper.room_id,
        comment_id=comment.id,
    )
    services._comment_changed(paper, comment)
    return paragraph


# ---- issuing -----------------------------------------------------------------------------------


def issue_draft(paper: Paper, actor: User, *, version: int, note: str = "") -> Revision:
    """Issue the reviewed draft as the next immutable revision and remove the draft. Refused
    when the draft changed since it was reviewed (`version`), or is identical to the current
    revision (`services.revise` says so)."""
    _may_revise(paper)
    draft = draft_of(paper)
    if draft is None:
        raise DraftError(_("There is no draft revision to issue; write one first."))
    if draft.version != version:
        raise DraftError(
            _("The draft changed since you reviewed it; review the changes again before issuing.")
        )
    refuse_longer_than(note or "", 500, "note", DraftError)
    revision = services.revise(paper, actor, draft.source, origin="draft", note=note or "")
    db.session.delete(draft)
    db.session.flush()
    return revision
