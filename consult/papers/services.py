"""Paper operations: issue, revise (comments follow the text), comment, moderate, compile.

Services flush, audit and queue live events; the view commits once.
"""

from __future__ import annotations

import secrets
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult import audit, waiting
from consult.accounts import handover
from consult.accounts.models import Delegation, User
from consult.errors import ServiceError
from consult.extensions import db
from consult.groups import services as groups
from consult.links import path_for
from consult.markdown import check as check_markdown
from consult.notifications.services import notify
from consult.papers import exports
from consult.papers.blocks import number_blocks, paragraph_markdown, split_blocks
from consult.papers.models import (
    Comment,
    CommentEdit,
    ContributionStatus,
    Paper,
    PaperCosponsor,
    PaperFollow,
    PaperKind,
    PaperStatus,
    Paragraph,
    Position,
    Revision,
)
from consult.papers.redline import similarity
from consult.policy import Need, can, visible
from consult.rooms.models import Room
from consult.rooms.services import note_activity
from consult.taxonomy.forms import ChosenTags
from consult.taxonomy.forms import apply as apply_tags
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit

MAX_COMMENT_LENGTH = 20_000
MAX_REVISION_LENGTH = 1_000_000
MAX_DEPTH = 3  # replies nest three levels, then stay flat
MATCH_THRESHOLD = 0.5


class PaperError(ServiceError):
    """A change that cannot be made; the message is shown to the person."""


# ---- issuing and revising --------------------------------------------------------------------


def new_key() -> str:
    return secrets.token_hex(6)


def _norm(text: str) -> str:
    return " ".join(text.split())


def match_paragraphs(old: list[tuple[bool, str]], new: list[tuple[bool, str]]) -> list[int | None]:
    """For each new block, the index of the old block it continues, or None.

    Identical text first (in reading order), then the most similar remaining pairs above a
    threshold, headings only with headings. Each old block continues at most once.
    """
    result: list[int | None] = [None] * len(new)
    used: set[int] = set()
    by_text: dict[tuple[bool, str], deque[int]] = defaultdict(deque)
    for i, (heading, text) in enumerate(old):
        by_text[(heading, _norm(text))].append(i)
    for j, (heading, text) in enumerate(new):
        queue = by_text.get((heading, _norm(text)))
        if queue:
            i = queue.popleft()
            result[j] = i
            used.add(i)
    candidates = []
    free_old = [i for i in range(len(old)) if i not in used]
    for j, (heading, text) in enumerate(new):
        if result[j] is not None:
            continue
        for i in free_old:
            if old[i][0] != heading:
                continue
            score = similarity(old[i][1], text)
            if score >= MATCH_THRESHOLD:
                candidates.append((score, -abs(i - j), j, i))
    candidates.sort(reverse=True)
    for _score, _distance, j, i in candidates:
        if result[j] is None and i not in used:
            result[j] = i
            used.add(i)
    return result


def _check_source(source: str) -> list:
    if len(source) > MAX_REVISION_LENGTH:
        raise PaperError(
            _("The text is too long (at most %(n)d characters).", n=MAX_REVISION_LENGTH)
        )
    blocks = split_blocks(source)
    if not any(block.kind == "paragraph" for block in blocks):
        raise PaperError(_("The text has no paragraph to comment on."))
    for block, number in zip(blocks, number_blocks(blocks), strict=True):
        heading = block.kind == "heading"
        problem = check_markdown(paragraph_markdown(block.text, is_heading=heading))
        if problem:
            where = _("A heading") if heading else _("Paragraph %(n)d", n=number)
            raise PaperError(f"{where}: {problem}")
    return blocks


def _add_revision(
    paper: Paper,
    number: int,
    source: str,
    blocks: list,
    actor: User,
    origin: str,
    note: str,
    previous: list[Paragraph],
) -> Revision:
    revision = Revision(
        paper_id=paper.id,
        number=number,
        source=source,
        origin=origin[:200],
        note=note[:500],
        created_by_id=actor.id,
    )
    db.session.add(revision)
    db.session.flush()
    numbers = number_blocks(blocks)
    matches = match_paragraphs(
        [(p.is_heading, p.text) for p in previous], [(b.kind == "heading", b.text) for b in blocks]
    )
    for position, (block, number, match) in enumerate(zip(blocks, numbers, matches, strict=True)):
        before = previous[match] if match is not None else None
        db.session.add(
            Paragraph(
                revision_id=revision.id,
                position=position,
                number=number,
                is_heading=block.kind == "heading",
                text=block.text,
                key=before.key if before else new_key(),
                previous_id=before.id if before else None,
                is_changed=before is not None and _norm(before.text) != _norm(block.text),
            )
        )
    db.session.flush()
    return revision


def create_paper(
    room: Room,
    actor: User,
    *,
    title: str,
    kind: PaperKind,
    issued_by: str,
    source: str,
    symbol: str | None = None,
    original_language: str = "en",
    closes_at: datetime | None = None,
    is_chatham_house: bool = False,
    origin: str = "pasted",
    tags: ChosenTags | None = None,
) -> Paper:
    """Issue a paper with its Rev.0, tagged with the stages, activities and articles chosen
    (checked by `consult.taxonomy.forms.tags_from`)."""
    symbol = (symbol or "").strip() or None
    if symbol and db.session.scalar(select(Paper.id).where(Paper.symbol == symbol)):
        raise PaperError(_("Another paper already has the symbol %(symbol)s.", symbol=symbol))
    if closes_at is not None and closes_at <= utcnow():
        raise PaperError(_("The comment deadline must be in the future."))
    blocks = _check_source(source)
    paper = Paper(
        room_id=room.id,
        title=title.strip(),
        kind=kind,
        issued_by=issued_by.strip(),
        symbol=symbol,
        original_language=original_language,
        closes_at=closes_at,
        is_chatham_house=is_chatham_house,
        created_by_id=actor.id,
        status=PaperStatus.OPEN,
    )
    db.session.add(paper)
    db.session.flush()
    _add_revision(paper, 0, source, blocks, actor, origin, "", [])
    if tags is not None:
        apply_tags(paper, tags)
    audit.record(
        "paper.created",
        f"{room.title}: {actor.name} issued {paper.title}",
        actor=actor,
        room_id=room.id,
        paper_id=paper.id,
    )
    note_activity(
        room, "paper.created", _("New paper: %(title)s", title=paper.title), actor, subject=paper
    )
    return paper


def current_revision(paper: Paper) -> Revision:
    return db.session.scalars(
        select(Revision)
        .where(Revision.paper_id == paper.id)
        .order_by(Revision.number.desc())
        .limit(1)
    ).one()


def revisions(paper: Paper) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision).where(Revision.paper_id == paper.id).order_by(Revision.number)
        )
    )


def paragraphs_of(revision: Revision) -> list[Paragraph]:
    return list(
        db.session.scalars(
            select(Paragraph)
            .where(Paragraph.revision_id == revision.id)
            .order_by(Paragraph.position)
        )
    )


def revise(
    paper: Paper, actor: User, source: str, *, origin: str = "pasted", note: str = ""
) -> Revision:
    """Issue Rev.N+1; paragraphs keep their keys where their text survives."""
    _not_pending(paper)
    if paper.status in (PaperStatus.ADOPTED, PaperStatus.WITHDRAWN):
        raise PaperError(
            _("This paper is %(status)s; it cannot be revised.", status=paper.status.label.lower())
        )
    blocks = _check_source(source)
    previous = current_revision(paper)
    revision = _add_revision(
        paper, previous.number + 1, source, blocks, actor, origin, note, paragraphs_of(previous)
    )
    signal_changed(paper, "revision")
    audit.record(
        "paper.revised",
        f"{paper.title}: {actor.name} issued {revision.label}",
        actor=actor,
        room_id=paper.room_id,
        paper_id=paper.id,
    )
    note_activity(
        paper.room,
        "paper.revised",
        _("%(title)s: %(rev)s issued", title=paper.title, rev=revision.label),
        actor,
        subject=paper,
    )
    followers = db.session.scalars(
        select(PaperFollow.user_id).where(
            PaperFollow.paper_id == paper.id, PaperFollow.user_id != actor.id
        )
    )
    notify(
        followers,
        "paper.revision",
        _("%(title)s: %(rev)s is out", title=paper.title, rev=revision.label),
        path_for("papers.paper", paper_id=paper.id),
        subject=paper,  # a follower who may no longer see the paper (drafting) hears nothing
    )
    return revision


def signal_changed(paper: Paper, kind: str, key: str | None = None) -> None:
    """Bump the paper's version and tell its viewers, after the commit, what to re-fetch.

    A comment change also says how many comments the paragraph now has (a number every viewer
    of the paper sees on its button, nothing of what was written): a page whose thread of that
    paragraph is closed updates its button without a request, so a busy paper does not draw
    one GET per open page and comment. Only pages with the thread open re-fetch it.
    """
    paper.version += 1
    signal = {"paper": paper.id, "version": paper.version, "kind": kind, "key": key}
    if kind == "comment" and key is not None:
        signal["count"] = comment_counts(paper, key).get(key, 0)
    emit_after_commit("paper-changed", signal, to=f"paper:{paper.id}")


def _not_pending(paper: Paper) -> None:
    """A contribution awaiting the chair is its delegation's text: accepted or returned first."""
    if paper.is_pending_contribution:
        raise PaperError(
            _(
                "This national contribution awaits the chair's decision: accept it or return it "
                "to its delegation first."
            )
        )


def _comment_changed(paper: Paper, comment: Comment, key: str | None = None) -> None:
    """Signal a change to a comment, unless it is pending its group's confirmation: only its
    author and the coordinators see it, so the paper's viewers hear nothing of it."""
    if not groups.is_pending(comment):
        signal_changed(paper, "comment", key or comment.paragraph_key)


def set_status(paper: Paper, actor: User, status: PaperStatus, closes_at: datetime | None) -> None:
    _not_pending(paper)
    if status is PaperStatus.OPEN and closes_at is not None and closes_at <= utcnow():
        raise PaperError(_("The comment deadline must be in the future."))
    changes = []
    if paper.status is not status:
        changes.append(f"status {paper.status.value} -> {status.value}")
        paper.status = status
    if paper.closes_at != closes_at:
        changes.append("deadline changed")
        paper.closes_at = closes_at
    if changes:
        signal_changed(paper, "status")
        audit.record(
            "paper.status",
            f"{paper.title}: {', '.join(changes)}",
            actor=actor,
            room_id=paper.room_id,
            paper_id=paper.id,
        )


def set_tags(paper: Paper, actor: User, tags: ChosenTags) -> None:
    """The room's managers set the paper's stages, activities and Treaty articles (checked by
    `consult.taxonomy.forms.tags_from`, which keeps the retired terms it already had)."""
    apply_tags(paper, tags)
    audit.record(
        "paper.tagged",
        f"{paper.title}: tagged "
        + (", ".join(t.slug for t in [*tags.stages, *tags.activities]) or "-")
        + (f"; articles {', '.join(map(str, tags.articles))}" if tags.articles else ""),
        actor=actor,
        room_id=paper.room_id,
        paper_id=paper.id,
    )


# ---- comments --------------------------------------------------------------------------------


def comments_closed_reason(paper: Paper, now: datetime | None = None) -> str | None:
    """Why no comment can be made now, or None when the paper takes comments."""
    now = now or utcnow()
    if paper.status is not PaperStatus.OPEN:
        return _(
            "This paper is not open for comments (%(status)s).", status=paper.status.label.lower()
        )
    if paper.closes_at is not None and now > paper.closes_at:
        return _("The comment deadline has passed; the chair can reopen comments.")
    return None


def on_behalf_choices(user: User) -> list[tuple[str, str]]:
    """(form value, label): the author's delegation, or a group it belongs to (by the group's
    id: `consult.groups.services.speaking_choices`)."""
    return groups.speaking_choices(user)


def _seen(viewer: User | None):
    """Comments this viewer may see (their own and their group's pending ones included);
    without a viewer, what everyone who sees the paper sees (no pending comment)."""
    if viewer is None:
        return groups.confirmed_clause(Comment)
    return visible(Comment, viewer)


def _clean(text: str | None, limit: int, what: str) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise PaperError(
            _("The %(what)s is too long (at most %(n)d characters).", what=what, n=limit)
        )
    return text


def post_comment(
    paper: Paper,
    author: User,
    *,
    paragraph: Paragraph,
    body: str,
    on_behalf_of: str,
    quote: str | None = None,
    proposed_text: str | None = None,
    position: Position | None = None,
    parent: Comment | None = None,
    now: datetime | None = None,
) -> Comment:
    """Store a comment or a reply on a paragraph of the current revision."""
    reason = comments_closed_reason(paper, now)
    if reason:
        raise PaperError(reason)
    body = _clean(body, MAX_COMMENT_LENGTH, _("comment"))
    if not body:
        raise PaperError(_("Write your comment before posting it."))
    if paragraph.is_heading:
        raise PaperError(_("Comment on a numbered paragraph, not a heading."))
    if paragraph.revision_id != current_revision(paper).id:
        raise PaperError(
            _("That paragraph is from an earlier revision; comment on the current one.")
        )
    on_behalf_of, group = groups.resolve_speaker(author, on_behalf_of)
    quote = _clean(quote, 2000, _("quote"))
    if quote and _norm(quote) not in _norm(paragraph.text):
        raise PaperError(_("The quoted words are not in paragraph %(n)s.", n=paragraph.number))
    depth = 0
    if parent is not None:
        if parent.paper_id != paper.id:
            raise PaperError(_("You can only reply to a comment on this paper."))
        if parent.paragraph_key != paragraph.key:
            raise PaperError(_("A reply belongs to the paragraph of the comment it answers."))
        if groups.is_pending(parent):
            raise PaperError(
                _("Replies wait until the group confirms the comment they answer."),
                field="body",
            )
        depth = min(parent.depth + 1, MAX_DEPTH)
    comment = Comment(
        paper_id=paper.id,
        paragraph_key=paragraph.key,
        made_on_id=paragraph.id,
        parent_id=parent.id if parent else None,
        depth=depth,
        author_id=author.id,
        delegation_id=author.delegation_id,
        on_behalf_of=on_behalf_of,
        on_behalf_group_id=group.id if group else None,
        body=body,
        quote=quote,
        proposed_text=_clean(proposed_text, MAX_COMMENT_LENGTH, _("proposed text")),
        position=position,
    )
    if comment.proposed_text:
        comment.proposed_on_id = paragraph.id  # the text the proposal changes
    if group is not None and groups.is_coordinator(author, group):
        groups.confirm(comment, author)  # the coordinator speaks for the group at once
    db.session.add(comment)
    db.session.flush()
    if groups.is_pending(comment):
        # Pending the group's confirmation: only its author and the coordinators see it, so
        # nobody else is signalled, counted or notified until it is confirmed; the
        # coordinators' dashboards are told that something waits.
        groups.tell_coordinators(group.id)
        return comment
    _published(paper, comment, paragraph)
    return comment


def _published(paper: Paper, comment: Comment, paragraph: Paragraph | None) -> None:
    """A comment everyone who sees the paper may now see: signal it, tell whom it answers."""
    signal_changed(paper, "comment", comment.paragraph_key)
    parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
    if parent is not None and parent.author_id != comment.author_id:
        number = paragraph.number if paragraph is not None else None
        notify(
            [parent.author_id],
            "paper.reply",
            lambda recipient: _reply_text(paper, number, comment.on_behalf_of, recipient),
            path_for("papers.paper", paper_id=paper.id) + f"#para-{comment.paragraph_key}",
            subject=paper,
        )


def _paragraph_of(paper: Paper, comment: Comment) -> Paragraph | None:
    """The current revision's paragraph the comment is on (None: its text was removed)."""
    return db.session.scalars(
        select(Paragraph).where(
            Paragraph.revision_id == current_revision(paper).id,
            Paragraph.key == comment.paragraph_key,
        )
    ).first()


def confirm_comment(comment: Comment, coordinator: User) -> None:
    """The group's coordinator confirms a comment made on the group's behalf: everyone who
    sees the paper sees it from now on."""
    if not groups.may_confirm(coordinator, comment):
        raise PaperError(_("Only the group's coordinator can confirm what is said for it."))
    group = groups.confirm(comment, coordinator)
    paper = db.session.get(Paper, comment.paper_id)
    paragraph = _paragraph_of(paper, comment)
    audit.record(
        "paper.comment_group_confirmed",
        f"{paper.title}: {coordinator.name} confirmed a comment on behalf of {group.name}",
        actor=coordinator,
        room_id=paper.room_id,
        comment_id=comment.id,
        group_id=group.id,
    )
    _published(paper, comment, paragraph)
    if comment.author_id != coordinator.id:
        notify(
            [comment.author_id],
            "group.confirmed",
            _(
                "%(group)s confirmed your comment on %(title)s",
                group=group.name,
                title=paper.title,
            ),
            path_for("papers.paper", paper_id=paper.id) + f"#para-{comment.paragraph_key}",
            subject=paper,
        )


MAX_DECLINE_REASON = 500


def decline_comment(comment: Comment, coordinator: User, reason: str | None) -> None:
    """The coordinator declines to speak for the group: the author is told (with the reason,
    if given) and may post the comment as their delegation instead, or delete it."""
    if not groups.may_confirm(coordinator, comment):
        raise PaperError(_("Only the group's coordinator can decline what is said for it."))
    reason = (reason or "").strip()
    if len(reason) > MAX_DECLINE_REASON:
        raise PaperError(
            _(
                "The reason is too long (%(length)d characters; at most %(n)d).",
                length=len(reason),
                n=MAX_DECLINE_REASON,
            ),
            field="reason",
        )
    group = db.session.get(groups.Group, comment.on_behalf_group_id)
    comment.group_declined_at = utcnow()
    comment.group_decline_reason = reason or None
    groups.tell_coordinators(group.id)
    paper = db.session.get(Paper, comment.paper_id)
    audit.record(
        "paper.comment_group_declined",
        f"{paper.title}: {coordinator.name} declined a comment on behalf of {group.name}",
        actor=coordinator,
        room_id=paper.room_id,
        comment_id=comment.id,
        group_id=group.id,
        reason=reason,
    )
    text = _(
        "%(group)s declined your comment on %(title)s; you can post it as %(delegation)s instead.",
        group=group.name,
        title=paper.title,
        delegation=db.session.get(Delegation, comment.delegation_id).name,
    )
    if reason:
        text = f"{text} {_('Reason: %(reason)s', reason=reason)}"
    notify(
        [comment.author_id],
        "group.declined",
        text,
        path_for("papers.paragraph", paper_id=paper.id, key=comment.paragraph_key)
        + f"#comment-{comment.id}",
        subject=paper,
    )


def speak_as_delegation(comment: Comment, author: User) -> None:
    """The author posts a pending (or declined) comment as their own delegation instead of the
    group: it is published at once, as a new comment would be."""
    if comment.author_id != author.id or not groups.is_pending(comment):
        raise PaperError(_("Only its author can post a pending comment as their delegation."))
    paper = db.session.get(Paper, comment.paper_id)
    reason = comments_closed_reason(paper)
    if reason:
        raise PaperError(reason)
    group = db.session.get(groups.Group, comment.on_behalf_group_id)
    delegation = db.session.get(Delegation, comment.delegation_id)
    comment.on_behalf_group_id = None
    comment.on_behalf_of = delegation.name
    comment.group_declined_at = None
    comment.group_decline_reason = None
    audit.record(
        "paper.comment_as_delegation",
        f"{paper.title}: {author.name} posted a comment as {delegation.name}, not {group.name}",
        actor=author,
        room_id=paper.room_id,
        comment_id=comment.id,
        group_id=group.id,
    )
    _published(paper, comment, _paragraph_of(paper, comment))


def pending_to_confirm(user: User) -> list[tuple[Comment, Paper, str]]:
    """Comments on behalf of a group `user` coordinates that wait for the group (not declined),
    on papers they see, with their paper and delegation's name: one query, for the dashboard."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Comment, Paper, Delegation.name)
            .join(Paper, Paper.id == Comment.paper_id)
            .join(Delegation, Delegation.id == Comment.delegation_id)
            .where(
                Comment.on_behalf_group_id.in_(groups.coordinated_group_ids(user)),
                Comment.group_confirmed_at.is_(None),
                Comment.group_declined_at.is_(None),
                Comment.deleted_at.is_(None),
                visible(Comment, user),
            )
            .order_by(Comment.created_at)
        )
    ]


def waiting_for_group(user: User) -> list[waiting.Waiting]:
    """The dashboard's lines for a group's coordinator: each comment made on the group's
    behalf that waits for its confirmation, linking to the comment (where it is confirmed)."""
    return [
        waiting.Waiting(
            kind=_("On behalf of the group: to confirm"),
            title=_(
                "%(delegation)s on %(title)s, for %(who)s",
                delegation=delegation,
                title=paper.title,
                who=comment.on_behalf_of,
            ),
            url=path_for("papers.paragraph", paper_id=paper.id, key=comment.paragraph_key)
            + f"#comment-{comment.id}",
            since=comment.created_at,
        )
        for comment, paper, delegation in pending_to_confirm(user)
    ]


def _reply_text(paper: Paper, number: int | None, who: str, recipient: User) -> str:
    """The reply notification in the words this recipient may read: under the Chatham House
    Rule it names the replying delegation only to those who may see attributions."""
    if can(Need.SEE_AUTHORS, paper, recipient):
        return _(
            "%(who)s replied to your comment on %(title)s ¶%(n)s",
            who=who,
            title=paper.title,
            n=number,
        )
    return _(
        "Someone replied to your comment on %(title)s ¶%(n)s (Chatham House Rule)",
        title=paper.title,
        n=number,
    )


def edit_window() -> timedelta:
    return timedelta(minutes=current_app.config.get("COMMENT_EDIT_MINUTES", 60))


def may_edit(comment: Comment, user: User, now: datetime | None = None) -> bool:
    """The author's rule (`Need.AUTHOR`), while the room is open to them and the comment is
    neither withdrawn nor hidden, within the edit window."""
    now = now or utcnow()
    return (
        can(Need.AUTHOR, comment, user)
        and can(Need.TAKE_PART, comment, user)
        and comment.deleted_at is None
        and comment.hidden_at is None
        and now - comment.created_at <= edit_window()
    )


def edit_comment(comment: Comment, user: User, body: str, proposed_text: str | None) -> None:
    paper = db.session.get(Paper, comment.paper_id)
    if not may_edit(comment, user):
        raise PaperError(
            _(
                "Comments can be edited by their author for %(n)d minutes.",
                n=int(edit_window().total_seconds() // 60),
            )
        )
    body = _clean(body, MAX_COMMENT_LENGTH, _("comment"))
    if not body:
        raise PaperError(_("A comment cannot be empty; delete it instead."))
    db.session.add(
        CommentEdit(comment_id=comment.id, body=comment.body, proposed_text=comment.proposed_text)
    )
    comment.body = body
    proposed_text = _clean(proposed_text, MAX_COMMENT_LENGTH, _("proposed text"))
    if proposed_text is None:
        comment.proposed_on_id = None
    elif comment.proposed_on_id is None or _norm(proposed_text) != _norm(
        comment.proposed_text or ""
    ):
        # New wording is written against the paragraph as it reads now (a revision may have
        # been issued since the comment was made); unchanged wording keeps its text.
        here = _paragraph_of(paper, comment)
        comment.proposed_on_id = here.id if here is not None else comment.made_on_id
    comment.proposed_text = proposed_text
    comment.edited_at = utcnow()
    _comment_changed(paper, comment)


def delete_comment(comment: Comment, user: User) -> None:
    """The author withdraws a comment; one with replies leaves a tombstone."""
    if not can(Need.AUTHOR, comment, user) or comment.deleted_at is not None:
        raise PaperError(_("Only its author can delete a comment."))
    comment.deleted_at = utcnow()
    paper = db.session.get(Paper, comment.paper_id)
    audit.record(
        "paper.comment_deleted",
        f"{paper.title}: {user.name} deleted a comment",
        actor=user,
        room_id=paper.room_id,
        comment_id=comment.id,
    )
    _comment_changed(paper, comment)


def hide_comment(comment: Comment, chair: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise PaperError(_("Give a reason for hiding the comment."))
    comment.hidden_at = utcnow()
    comment.hidden_reason = reason[:300]
    comment.hidden_by_id = chair.id
    paper = db.session.get(Paper, comment.paper_id)
    audit.record(
        "paper.comment_hidden",
        f"{paper.title}: {chair.name} hid a comment: {reason}",
        actor=chair,
        room_id=paper.room_id,
        comment_id=comment.id,
    )
    _comment_changed(paper, comment)


def unhide_comment(comment: Comment, chair: User) -> None:
    """The chair shows a hidden comment again (a hiding found mistaken); the log keeps both."""
    if comment.hidden_at is None:
        raise PaperError(_("This comment is not hidden."))
    reason = comment.hidden_reason or ""
    comment.hidden_at = None
    comment.hidden_reason = None
    comment.hidden_by_id = None
    paper = db.session.get(Paper, comment.paper_id)
    audit.record(
        "paper.comment_unhidden",
        f"{paper.title}: {chair.name} showed again a comment hidden as: {reason}",
        actor=chair,
        room_id=paper.room_id,
        comment_id=comment.id,
    )
    _comment_changed(paper, comment)


def set_taken_into_account(comment: Comment, chair: User, value: bool) -> None:
    comment.taken_into_account_at = utcnow() if value else None
    paper = db.session.get(Paper, comment.paper_id)
    _comment_changed(paper, comment)


def reattach(comment: Comment, chair: User, paragraph: Paragraph) -> None:
    """Move a comment whose text was removed onto a paragraph of the current revision."""
    paper = db.session.get(Paper, comment.paper_id)
    if paragraph.revision_id != current_revision(paper).id or paragraph.is_heading:
        raise PaperError(_("Choose a numbered paragraph of the current revision."))
    thread = [comment, *_descendants(comment)]
    for item in thread:
        item.paragraph_key = paragraph.key
        item.reattached_at = utcnow()
    audit.record(
        "paper.comment_reattached",
        f"{paper.title}: {chair.name} re-attached a comment to ¶{paragraph.number}",
        actor=chair,
        room_id=paper.room_id,
        comment_id=comment.id,
    )
    _comment_changed(paper, comment, paragraph.key)


def _descendants(comment: Comment) -> list[Comment]:
    found, frontier = [], [comment.id]
    while frontier:
        children = db.session.scalars(select(Comment).where(Comment.parent_id.in_(frontier))).all()
        found.extend(children)
        frontier = [c.id for c in children]
    return found


def follow(paper: Paper, user: User, value: bool) -> None:
    row = db.session.scalars(
        select(PaperFollow).where(PaperFollow.paper_id == paper.id, PaperFollow.user_id == user.id)
    ).first()
    if value and row is None:
        db.session.add(PaperFollow(paper_id=paper.id, user_id=user.id))
    elif not value and row is not None:
        db.session.delete(row)


def papers_in_room(room: Room, user: User) -> list[Paper]:
    """The room's papers this person may see (the room page's section), in one statement,
    with the national papers' delegations and co-sponsors (two more, whatever their number).
    Contributions not accepted yet are listed apart (`contributions.contributions_in_room`)."""
    return list(
        db.session.scalars(
            select(Paper)
            .where(
                Paper.room_id == room.id,
                visible(Paper, user),
                or_(
                    Paper.contribution_status.is_(None),
                    Paper.contribution_status == ContributionStatus.ACCEPTED,
                ),
            )
            .options(
                selectinload(Paper.submitted_by),
                selectinload(Paper.cosponsors).selectinload(PaperCosponsor.delegation),
            )
            .order_by(Paper.created_at.desc())
        )
    )


def is_following(paper: Paper, user: User) -> bool:
    return (
        db.session.scalar(
            select(PaperFollow.id).where(
                PaperFollow.paper_id == paper.id, PaperFollow.user_id == user.id
            )
        )
        is not None
    )


# ---- reading ---------------------------------------------------------------------------------


def comment_counts(
    paper: Paper, key: str | None = None, viewer: User | None = None
) -> dict[str, int]:
    """Comments per paragraph key that `viewer` sees (one query; no viewer: what everyone
    sees, the count signalled to every page); only that paragraph's when `key` is set."""
    where = [Comment.paper_id == paper.id, Comment.deleted_at.is_(None), _seen(viewer)]
    if key is not None:
        where.append(Comment.paragraph_key == key)
    rows = db.session.execute(
        select(Comment.paragraph_key, func.count(Comment.id))
        .where(*where)
        .group_by(Comment.paragraph_key)
    )
    return dict(rows.all())


@dataclass
class Thread:
    comment: Comment
    replies: list[Thread] = field(default_factory=list)


def _load_comments(paper: Paper, where, viewer: User | None) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.paper_id == paper.id, where, _seen(viewer))
            .options(
                joinedload(Comment.author),
                joinedload(Comment.delegation),
                joinedload(Comment.made_on).joinedload(Paragraph.revision),
                joinedload(Comment.proposed_on).joinedload(Paragraph.revision),
            )
            .order_by(Comment.created_at, Comment.id)
        )
    )


def threads(comments: list[Comment]) -> list[Thread]:
    """Comments as threads; a deleted comment without visible replies disappears."""
    nodes = {c.id: Thread(c) for c in comments}
    roots: list[Thread] = []
    for c in comments:
        node = nodes[c.id]
        parent = nodes.get(c.parent_id) if c.parent_id else None
        (parent.replies if parent else roots).append(node)

    def prune(items: list[Thread]) -> list[Thread]:
        kept = []
        for item in items:
            item.replies = prune(item.replies)
            if item.comment.deleted_at is None or item.replies:
                kept.append(item)
        return kept

    return prune(roots)


def paragraph_threads(paper: Paper, key: str, viewer: User | None = None) -> list[Thread]:
    return threads(_load_comments(paper, Comment.paragraph_key == key, viewer))


def removed_text_threads(
    paper: Paper, current: list[Paragraph], viewer: User | None = None
) -> list[Thread]:
    keys = [p.key for p in current]
    return threads(_load_comments(paper, Comment.paragraph_key.not_in(keys), viewer))


def edits_of(comment_ids: list[int]) -> dict[int, list[CommentEdit]]:
    result: dict[int, list[CommentEdit]] = defaultdict(list)
    if comment_ids:
        for edit in db.session.scalars(
            select(CommentEdit)
            .where(CommentEdit.comment_id.in_(comment_ids))
            .order_by(CommentEdit.edited_at)
        ):
            result[edit.comment_id].append(edit)
    return result


# ---- compilation -----------------------------------------------------------------------------


@dataclass
class CompilationFilters:
    unanswered: bool = False
    proposed_text: bool = False
    delegation_id: int | None = None
    regional_group: str | None = None
    position: str | None = None
    taken_into_account: bool | None = None


def compile_comments(
    paper: Paper, *, by: str, attributed: bool, filters: CompilationFilters | None = None
) -> exports.Compilation:
    """All visible comments grouped by paragraph (reading order) or by delegation."""
    filters = filters or CompilationFilters()
    revision = current_revision(paper)
    current = paragraphs_of(revision)
    order = {p.key: p for p in current}
    # A compilation is what the paper received: comments still pending their group's
    # confirmation are not in it, for anyone (not even their author or the coordinator).
    comments = [
        c for c in _load_comments(paper, Comment.deleted_at.is_(None), None) if c.hidden_at is None
    ]
    replied = {c.parent_id for c in comments if c.parent_id}
    selected = []
    for c in comments:
        if filters.unanswered and (c.parent_id is not None or c.id in replied):
            continue
        if filters.proposed_text and not c.proposed_text:
            continue
        if filters.delegation_id and c.delegation_id != filters.delegation_id:
            continue
        if filters.regional_group and (
            c.delegation.regional_group is None
            or c.delegation.regional_group.value != filters.regional_group
        ):
            continue
        if filters.position and (c.position is None or c.position.value != filters.position):
            continue
        if filters.taken_into_account is not None and (
            (c.taken_into_account_at is not None) != filters.taken_into_account
        ):
            continue
        selected.append(c)

    def paragraph_label(c: Comment) -> str:
        p = order.get(c.paragraph_key)
        return f"¶{p.number}" if p else _("On removed text")

    def compiled(c: Comment) -> exports.CompiledComment:
        return exports.CompiledComment(
            paragraph_label=paragraph_label(c),
            made_on=f"{c.made_on.revision.label} ¶{c.made_on.number}",
            author=f"{c.author.name} ({c.delegation.name})" if attributed else None,
            on_behalf_of=c.on_behalf_of if attributed else None,
            position=c.position.value if c.position else None,
            quote=c.quote,
            body=c.body,
            proposed_text=c.proposed_text,
            created_at=c.created_at,
            is_reply=c.parent_id is not None,
            taken_into_account=c.taken_into_account_at is not None,
            comment_id=c.id,
            body_html=c.body_html,
            proposed_text_html=c.proposed_text_html,
        )

    sections: dict[str, list[exports.CompiledComment]] = {}
    if by == "delegation" and attributed:
        for c in sorted(selected, key=lambda c: (c.on_behalf_of.lower(), c.created_at)):
            sections.setdefault(c.on_behalf_of, []).append(compiled(c))
    else:
        positions = {p.key: p.position for p in current}
        removed = len(current) + 1
        for c in sorted(
            selected, key=lambda c: (positions.get(c.paragraph_key, removed), c.created_at)
        ):
            sections.setdefault(paragraph_label(c), []).append(compiled(c))
        by = "paragraph"
    return exports.Compilation(
        symbol=paper.symbol,
        title=paper.title,
        revision_label=revision.label,
        generated_at=utcnow(),
        attributed=attributed,
        by=by,
        groups=list(sections.items()),
    )


def delegations_in(paper: Paper) -> list[Delegation]:
    return list(
        db.session.scalars(
            select(Delegation)
            .where(
                Delegation.id.in_(
                    select(Comment.delegation_id).where(
                        Comment.paper_id == paper.id, groups.confirmed_clause(Comment)
                    )
                )
            )
            .order_by(Delegation.name)
        )
    )


# ---- handover ----------------------------------------------------------------------------------


def _held_follows(departing: User, viewer: User) -> list[str]:
    count = db.session.scalar(
        select(func.count(PaperFollow.id)).where(PaperFollow.user_id == departing.id)
    )
    if not count:
        return []
    return [ngettext("Follows %(num)d paper", "Follows %(num)d papers", count)]


def _move_follows(run: handover.Handover) -> int:
    """The successor follows the papers the departing person followed (those they may see)."""
    departing, successor = run.departing, run.successor
    follows = db.session.scalars(
        select(PaperFollow).where(PaperFollow.user_id == departing.id)
    ).all()
    already = set(
        db.session.scalars(select(PaperFollow.paper_id).where(PaperFollow.user_id == successor.id))
    )
    moved = 0
    for row in follows:
        paper = db.session.get(Paper, row.paper_id)
        if row.paper_id not in already and can(Need.VIEW, paper, successor):
            db.session.add(PaperFollow(paper_id=row.paper_id, user_id=successor.id))
            moved += 1
        db.session.delete(row)
    db.session.flush()
    return moved


#: This domain's part of a handover (added from consult.papers.register).
PAPER_FOLLOWS = handover.Step(
    name="paper_follows",
    label=_l("Papers followed"),
    held=_held_follows,
    move=_move_follows,
    order=30,
)
