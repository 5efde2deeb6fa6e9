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

from consult import audit, mentions, waiting
from consult.accounts import handover
from consult.accounts.models import Delegation, RegionalGroup, User
from consult.errors import ServiceError, refuse_longer_than
from consult.extensions import db
from consult.groups import services as groups
from consult.links import path_for
from consult.markdown import check as check_markdown
from consult.notifications.services import notify
from consult.papers import exports
from consult.papers.blocks import number_blocks, paragraph_markdown, split_blocks
from consult.papers.models import (
    LANGUAGES,
    Comment,
    CommentEdit,
    ContributionStatus,
    Paper,
    PaperCosponsor,
    PaperFollow,
    PaperKind,
    PaperStatus,
    PaperVersion,
    Paragraph,
    Position,
    Revision,
    VersionParagraph,
)
from consult.papers.redline import similarity
from consult.policy import Need, can, is_gated, visible
from consult.rooms.models import AccessLevel, Membership, Room, RoomRole
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
    """The blocks of a revision's text; refused (its length said, never cut) when too long,
    without a paragraph, or with a block the renderer would refuse."""
    refuse_longer_than(source, MAX_REVISION_LENGTH, None, PaperError)
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
    facilitator: User | None = None,
    status: PaperStatus = PaperStatus.DRAFTING,
) -> Paper:
    """Issue a paper with its Rev.0, tagged with the stages, activities and articles chosen
    (checked by `consult.taxonomy.forms.tags_from`).

    A paper starts in drafting (seen by the room's chairs and facilitators and the paper's
    facilitator) until it is opened for comments (`open_for_comments`); a flow that drafts in
    the open (a group statement) passes `status=OPEN`. The room's chairs and facilitators and
    the paper's facilitator follow it from the start."""
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
        status=status,
        facilitator_id=facilitator.id if facilitator else None,
    )
    db.session.add(paper)
    db.session.flush()
    _add_revision(paper, 0, source, blocks, actor, origin, "", [])
    follow_by_default(paper)
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
        room, "paper.created", _l("New paper: %(title)s", title=paper.title), actor, subject=paper
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
    before = paragraphs_of(previous)
    if [(b.kind == "heading", _norm(b.text)) for b in blocks] == [
        (p.is_heading, _norm(p.text)) for p in before
    ]:
        raise PaperError(
            _(
                "This text is identical to %(rev)s: change it before issuing a new revision.",
                rev=previous.label,
            )
        )
    revision = _add_revision(
        paper, previous.number + 1, source, blocks, actor, origin, note, before
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
        _l("%(title)s: %(rev)s issued", title=paper.title, rev=revision.label),
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
        _l("%(title)s: %(rev)s is out", title=paper.title, rev=revision.label),
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


def follow_by_default(paper: Paper) -> None:
    """The room's named chairs and facilitators (people of a chairing delegation too) and the
    paper's facilitator follow the paper: they hear of its revisions and new comments."""
    chairs = select(User.id).where(
        or_(
            User.id.in_(
                select(Membership.user_id).where(
                    Membership.room_id == paper.room_id,
                    Membership.ended_at.is_(None),
                    Membership.role.in_((RoomRole.CHAIR, RoomRole.FACILITATOR)),
                )
            ),
            User.delegation_id.in_(
                select(Membership.delegation_id).where(
                    Membership.room_id == paper.room_id,
                    Membership.ended_at.is_(None),
                    Membership.role.in_((RoomRole.CHAIR, RoomRole.FACILITATOR)),
                )
            ),
        )
    )
    ids = set(db.session.scalars(chairs))
    if paper.facilitator_id is not None:
        ids.add(paper.facilitator_id)
    already = set(
        db.session.scalars(select(PaperFollow.user_id).where(PaperFollow.paper_id == paper.id))
    )
    for user_id in sorted(ids - already):
        db.session.add(PaperFollow(paper_id=paper.id, user_id=user_id))
    db.session.flush()


def room_people_ids(room: Room) -> list[int]:
    """The people of the room now: its named members and the people of its member
    delegations (one query); `notify` then keeps only those who may see the subject."""
    current = select(Membership).where(Membership.room_id == room.id, Membership.ended_at.is_(None))
    members = current.subquery()
    return list(
        db.session.scalars(
            select(User.id).where(
                or_(
                    User.id.in_(select(members.c.user_id).where(members.c.user_id.is_not(None))),
                    User.delegation_id.in_(
                        select(members.c.delegation_id).where(members.c.delegation_id.is_not(None))
                    ),
                )
            )
        )
    )


def named_members(room: Room) -> list[User]:
    """The people named in the room now (a paper's facilitator is chosen among them)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.id.in_(
                    select(Membership.user_id).where(
                        Membership.room_id == room.id,
                        Membership.ended_at.is_(None),
                        Membership.user_id.is_not(None),
                    )
                )
            )
            .order_by(User.name)
        )
    )


def open_for_comments(paper: Paper, actor: User, closes_at: datetime | None = None) -> None:
    """The chair opens a drafted paper for comments: the room is told (a notification to its
    people who may now see it, and an activity line)."""
    _not_pending(paper)
    if paper.status is not PaperStatus.DRAFTING:
        raise PaperError(
            _(
                "This paper is not in drafting (%(status)s); it cannot be opened from here.",
                status=paper.status.label.lower(),
            )
        )
    closes_at = closes_at if closes_at is not None else paper.closes_at
    if closes_at is not None and closes_at <= utcnow():
        raise PaperError(_("The comment deadline must be in the future."), "closes_at")
    paper.status = PaperStatus.OPEN
    paper.closes_at = closes_at
    signal_changed(paper, "status")
    audit.record(
        "paper.opened",
        f"{paper.title}: {actor.name} opened it for comments",
        actor=actor,
        room_id=paper.room_id,
        paper_id=paper.id,
    )
    db.session.flush()  # the notifications ask the policy, which reads the new status
    _announce_opened(paper, actor)


def _announce_opened(paper: Paper, actor: User) -> None:
    """Tell the room that a paper it could not see (drafting) is now open for comments."""
    title = _l("%(title)s is open for comments", title=paper.title)
    note_activity(paper.room, "paper.opened", title, actor, subject=paper)
    notify(
        [user_id for user_id in room_people_ids(paper.room) if user_id != actor.id],
        "paper.opened",
        title,
        path_for("papers.paper", paper_id=paper.id),
        subject=paper,
    )


def set_status(paper: Paper, actor: User, status: PaperStatus, closes_at: datetime | None) -> None:
    """Set the paper's status and comment deadline; a paper leaving drafting for comments is
    announced to its room (`_announce_opened`), whichever way it was opened."""
    _not_pending(paper)
    if status is PaperStatus.OPEN and closes_at is not None and closes_at <= utcnow():
        raise PaperError(_("The comment deadline must be in the future."))
    changes = []
    opened = paper.status is PaperStatus.DRAFTING and status is PaperStatus.OPEN
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
    if opened:
        db.session.flush()  # the notifications ask the policy, which reads the new status
        _announce_opened(paper, actor)


def set_authors_may_reply(paper: Paper, actor: User, value: bool) -> None:
    """Those who manage the paper let the authors of earlier comments reply on their own
    threads (the default) or switch it off; audited, and open pages are told to reload."""
    if paper.authors_may_reply is value:
        return
    paper.authors_may_reply = value
    signal_changed(paper, "status")
    audit.record(
        "paper.authors_reply",
        f"{paper.title}: {actor.name} "
        + ("let authors reply on their own threads" if value else "switched off authors' replies"),
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


def _clean(text: str | None, limit: int, field: str) -> str | None:
    """Stripped text, or None when empty; over the limit it is refused with its length said,
    next to its own field (never cut)."""
    text = (text or "").strip()
    if not text:
        return None
    refuse_longer_than(text, limit, field, PaperError)
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
    language: str | None = None,
) -> Comment:
    """Store a comment or a reply on a paragraph of the current revision, read in `language`
    (default: the original): on a version, the quote is checked against the version's words
    and the comment records the version's language."""
    reason = comments_closed_reason(paper, now)
    if reason:
        raise PaperError(reason)
    body = _clean(body, MAX_COMMENT_LENGTH, "body")
    if not body:
        raise PaperError(_("Write your comment before posting it."))
    if paragraph.is_heading:
        raise PaperError(_("Comment on a numbered paragraph, not a heading."))
    if paragraph.revision_id != current_revision(paper).id:
        raise PaperError(
            _("That paragraph is from an earlier revision; comment on the current one.")
        )
    language = language or paper.original_language
    read = paragraph
    if language != paper.original_language:
        read = _version_paragraph(paper, paragraph, language)
        if _clean(proposed_text, MAX_COMMENT_LENGTH, "proposed_text"):
            raise PaperError(
                _(
                    "Proposed text is written against the original (%(language)s), the text "
                    "revisions are made from: read the paper in %(language)s to propose "
                    "wording, or say what you propose in your comment.",
                    language=str(LANGUAGES.get(paper.original_language, paper.original_language)),
                ),
                "proposed_text",
            )
    on_behalf_of, group = groups.resolve_speaker(author, on_behalf_of)
    quote = _clean(quote, 2000, "quote")
    if quote and _norm(quote) not in _norm(read.text):
        raise PaperError(
            _("The quoted words are not in paragraph %(n)s.", n=paragraph.number), "quote"
        )
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
        proposed_text=_clean(proposed_text, MAX_COMMENT_LENGTH, "proposed_text"),
        position=position,
        language=language,
    )
    if comment.proposed_text:
        comment.proposed_on_id = paragraph.id  # the text the proposal changes
    mentions.prepare(comment, body, paper)
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


def _version_paragraph(paper: Paper, paragraph: Paragraph, language: str) -> VersionParagraph:
    """The paragraph as the `language` version of its revision words it; refused when the
    revision has no version in that language (an older revision's version is read only)."""
    found = db.session.scalars(
        select(VersionParagraph)
        .join(PaperVersion, PaperVersion.id == VersionParagraph.version_id)
        .where(
            PaperVersion.revision_id == paragraph.revision_id,
            PaperVersion.language == language,
            VersionParagraph.key == paragraph.key,
        )
    ).first()
    if found is None:
        raise PaperError(
            _(
                "%(rev)s has no %(language)s version to comment on: comment on the current text.",
                rev=current_revision(paper).label,
                language=str(LANGUAGES.get(language, language)),
            )
        )
    return found


def _published(paper: Paper, comment: Comment, paragraph: Paragraph | None) -> None:
    """A comment everyone who sees the paper may now see: signal it, tell whom it answers and
    the paper's chairs and facilitators who follow it."""
    signal_changed(paper, "comment", comment.paragraph_key)
    parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
    _tell_followers_of_comment(paper, comment, paragraph, parent)
    _tell_mentioned(paper, comment, paragraph, skip=parent.author_id if parent else None)
    if parent is not None and parent.author_id != comment.author_id:
        number = paragraph.number if paragraph is not None else None
        notify(
            [parent.author_id],
            "paper.reply",
            lambda recipient: _reply_text(paper, number, comment.on_behalf_of, recipient),
            # The paragraph's page, its thread open at the reply: where they answer it.
            path_for("papers.paragraph", paper_id=paper.id, key=comment.paragraph_key)
            + f"#comment-{comment.id}",
            subject=paper,
        )


def _tell_mentioned(
    paper: Paper, comment: Comment, paragraph: Paragraph | None, skip: int | None = None
) -> None:
    """The people the comment names with @[Name] who may see the paper, each once (the one it
    replies to hears of the reply instead). The writer is named only to those who may see
    authors; a confidential room is not named at all."""
    people = [p for p in mentions.resolve(comment.body, paper) if p.id != skip]
    if not people:
        return
    number = paragraph.number if paragraph is not None else None
    author = db.session.get(User, comment.author_id)

    def text(recipient: User) -> str:
        if paper.room.access is AccessLevel.CONFIDENTIAL or is_gated(paper):
            return _("You were mentioned in a comment in a confidential room")
        if can(Need.SEE_AUTHORS, paper, recipient):
            return _(
                "%(who)s mentioned you in a comment on %(title)s ¶%(n)s",
                who=comment.on_behalf_of,
                title=paper.title,
                n=number,
            )
        return _("You were mentioned in a comment on %(title)s ¶%(n)s", title=paper.title, n=number)

    mentions.tell(
        people,
        author,
        text,
        path_for("papers.paragraph", paper_id=paper.id, key=comment.paragraph_key)
        + f"#comment-{comment.id}",
        subject=paper,
        html=comment.body_html,
    )


def _tell_followers_of_comment(
    paper: Paper, comment: Comment, paragraph: Paragraph | None, parent: Comment | None
) -> None:
    """The followers who manage or carry the paper (its chairs, facilitators and its own
    facilitator, who follow it by default) hear of each new comment; delegates who follow a
    paper hear of revisions and replies only. Neither the author nor the one replied to (told
    by "paper.reply") is told twice. Named only to those who may see authors."""
    skip = {comment.author_id} | ({parent.author_id} if parent is not None else set())
    followers = [
        user_id
        for user_id in db.session.scalars(
            select(PaperFollow.user_id).where(PaperFollow.paper_id == paper.id)
        )
        if user_id not in skip
    ]
    if not followers:
        return
    managing = {
        user.id
        for user in db.session.scalars(select(User).where(User.id.in_(followers)))
        if can(Need.REVISE, paper, user)
    }
    number = paragraph.number if paragraph is not None else None

    def text(recipient: User) -> str:
        if can(Need.SEE_AUTHORS, paper, recipient):
            return _(
                "%(who)s commented on %(title)s ¶%(n)s",
                who=comment.on_behalf_of,
                title=paper.title,
                n=number,
            )
        return _("New comment on %(title)s ¶%(n)s", title=paper.title, n=number)

    notify(
        sorted(managing),
        "paper.comment",
        text,
        # The paragraph's page, its thread open, at the new comment.
        path_for("papers.paragraph", paper_id=paper.id, key=comment.paragraph_key)
        + f"#comment-{comment.id}",
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
            _l(
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
    text = _l(
        "%(group)s declined your comment on %(title)s; you can post it as %(delegation)s instead.",
        group=group.name,
        title=paper.title,
        delegation=db.session.get(Delegation, comment.delegation_id).name,
    )
    if reason:
        declined = text  # both halves in the recipient's language
        text = lambda _recipient: f"{declined} {_('Reason: %(reason)s', reason=reason)}"  # noqa: E731
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
    body = _clean(body, MAX_COMMENT_LENGTH, "body")
    if not body:
        raise PaperError(_("A comment cannot be empty; delete it instead."))
    db.session.add(
        CommentEdit(comment_id=comment.id, body=comment.body, proposed_text=comment.proposed_text)
    )
    comment.body = body
    proposed_text = _clean(proposed_text, MAX_COMMENT_LENGTH, "proposed_text")
    if proposed_text and comment.language != paper.original_language:
        raise PaperError(
            _(
                "This comment was written on the %(language)s version: proposed text is "
                "written against the original, in a comment made on it.",
                language=str(LANGUAGES.get(comment.language, comment.language)),
            ),
            "proposed_text",
        )
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
    mentions.prepare(comment, body, paper)
    _comment_changed(paper, comment)
    if not groups.is_pending(comment):
        db.session.flush()
        # Only those newly named hear of it: an edit tells nobody twice.
        _tell_mentioned(paper, comment, _paragraph_of(paper, comment))


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
    """The compilation page's filters; the files made from the page keep them."""

    unanswered: bool = False
    proposed_text: bool = False
    delegation_id: int | None = None
    regional_group: str | None = None
    position: str | None = None
    taken_into_account: bool | None = None
    #: Include the replies of the chair, facilitators and the Secretariat (off by default:
    #: a compilation is what delegations said).
    office_replies: bool = False

    def described(self, delegation: str | None) -> list[str]:
        """The filters in words, for the cover page of the files."""
        words = []
        if self.unanswered:
            words.append(_("only comments without a reply"))
        if self.proposed_text:
            words.append(_("only comments with proposed text"))
        if delegation:
            words.append(_("delegation: %(name)s", name=delegation))
        if self.regional_group:
            group = next((g for g in RegionalGroup if g.value == self.regional_group), None)
            words.append(_("regional group: %(name)s", name=group.label if group else "?"))
        if self.position:
            position = next((p for p in Position if p.value == self.position), None)
            words.append(_("position: %(name)s", name=position.label if position else "?"))
        if self.taken_into_account is True:
            words.append(_("only comments taken into account"))
        elif self.taken_into_account is False:
            words.append(_("only comments not yet taken into account"))
        if self.office_replies:
            words.append(_("replies of the chair, facilitators and the Secretariat included"))
        return words


#: How a comment written by an office holder is attributed: in their capacity, not their State.
CAPACITY_LABELS = {
    RoomRole.CHAIR: _l("the Chair"),
    RoomRole.FACILITATOR: _l("the Facilitator"),
}


def _capacities(room: Room, comments: list[Comment]) -> dict[int, str]:
    """Comment id -> "the Chair" / "the Facilitator" / "the Secretariat" for the comments
    their authors wrote while holding that office in the paper's room (one query)."""
    authors = {c.author_id for c in comments}
    held = (
        db.session.scalars(
            select(Membership).where(
                Membership.room_id == room.id,
                Membership.user_id.in_(authors),
                Membership.role.in_(list(CAPACITY_LABELS)),
            )
        ).all()
        if authors
        else []
    )
    result: dict[int, str] = {}
    for c in comments:
        roles = [
            m.role
            for m in held
            if m.user_id == c.author_id
            and m.started_at <= c.created_at
            and (m.ended_at is None or m.ended_at > c.created_at)
        ]
        if roles:
            result[c.id] = str(CAPACITY_LABELS[max(roles, key=lambda r: r.rank)])
        elif c.author.is_secretariat:
            result[c.id] = _("the Secretariat")
    return result


def compile_comments(
    paper: Paper, *, by: str, attributed: bool, filters: CompilationFilters | None = None
) -> exports.Compilation:
    """The comments everyone who sees the paper sees, grouped by paragraph (reading order,
    each with its current text) or by who speaks; attributed to delegations, groups or an
    office ("the Facilitator"), never to persons."""
    filters = filters or CompilationFilters()
    revision = current_revision(paper)
    current = paragraphs_of(revision)
    order = {p.key: p for p in current}
    # A compilation is what the paper received: comments still pending their group's
    # confirmation are not in it, for anyone (not even their author or the coordinator).
    comments = [
        c for c in _load_comments(paper, Comment.deleted_at.is_(None), None) if c.hidden_at is None
    ]
    capacity = _capacities(paper.room, comments)
    replied = {c.parent_id for c in comments if c.parent_id}
    selected = []
    for c in comments:
        if c.parent_id is not None and c.id in capacity and not filters.office_replies:
            continue
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

    def speaker(c: Comment) -> str:
        return capacity.get(c.id) or c.on_behalf_of

    def compiled(c: Comment) -> exports.CompiledComment:
        return exports.CompiledComment(
            comment_id=c.id,
            parent_id=c.parent_id,
            paragraph_label=paragraph_label(c),
            made_on=_made_on(paper, c),
            speaker=speaker(c) if attributed else None,
            delegation=c.delegation.name if attributed and c.id not in capacity else None,
            capacity=capacity.get(c.id) if attributed else None,
            position=c.position.value if c.position else None,
            quote=c.quote,
            body=c.body,
            proposed_text=c.proposed_text,
            original_text=c.made_on.text if c.proposed_text else None,
            created_at=c.created_at,
            taken_into_account=c.taken_into_account_at is not None,
            body_html=c.body_html,
            proposed_text_html=c.proposed_text_html,
        )

    sections: list[exports.Section] = []
    if by == "delegation" and attributed:
        by_speaker: dict[str, list[exports.CompiledComment]] = {}
        for c in sorted(selected, key=lambda c: (speaker(c).lower(), c.created_at)):
            by_speaker.setdefault(speaker(c), []).append(compiled(c))
        sections = [exports.Section(who, items) for who, items in by_speaker.items()]
    else:
        positions = {p.key: p.position for p in current}
        removed = len(current) + 1
        by_paragraph: dict[str, exports.Section] = {}
        for c in sorted(
            selected, key=lambda c: (positions.get(c.paragraph_key, removed), c.created_at)
        ):
            label = paragraph_label(c)
            if label not in by_paragraph:
                p = order.get(c.paragraph_key)
                by_paragraph[label] = exports.Section(
                    label, [], p.text if p else None, p.text_html if p else None
                )
            by_paragraph[label].comments.append(compiled(c))
        sections = list(by_paragraph.values())
        by = "paragraph"
    counts: dict[str, int] = {}
    if attributed:
        for c in selected:
            counts[speaker(c)] = counts.get(speaker(c), 0) + 1
    chosen = db.session.get(Delegation, filters.delegation_id) if filters.delegation_id else None
    return exports.Compilation(
        symbol=paper.symbol,
        title=paper.title,
        revision_label=revision.label,
        issued_by=paper.issued_by or paper.room.title,
        generated_at=utcnow(),
        attributed=attributed,
        by=by,
        sections=sections,
        language=paper.original_language,
        time_zone=paper.room.time_zone,
        closes_at=paper.closes_at,
        filters=filters.described(chosen.name if chosen else None),
        office_replies=filters.office_replies,
        counts=sorted(counts.items(), key=lambda item: (-item[1], item[0].lower())),
    )


def _made_on(paper: Paper, comment: Comment) -> str:
    """ "Rev.1 ¶3", and the version it was written on when not the original ("Rev.1 ¶3,
    French version"): the chair reads its words as written in that language."""
    where = f"{comment.made_on.revision.label} ¶{comment.made_on.number}"
    if comment.language == paper.original_language:
        return where
    language = str(LANGUAGES.get(comment.language, comment.language))
    return _("%(where)s, %(language)s version", where=where, language=language)


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


def reminder_deadlines(now: datetime, until: datetime):
    """Deadline reminders: each paper open for comments whose deadline is in (now, until], to
    its followers (the chairs, the facilitator, who commented or chose to follow)."""
    from consult.notifications.reminders import Deadline

    due = db.session.scalars(
        select(Paper).where(
            Paper.status == PaperStatus.OPEN,
            Paper.closes_at.is_not(None),
            Paper.closes_at > now,
            Paper.closes_at <= until,
        )
    )
    for paper in list(due):
        who = db.session.scalars(
            select(PaperFollow.user_id).where(PaperFollow.paper_id == paper.id)
        )
        yield Deadline(
            paper,
            paper.closes_at,
            _("comments on “%(title)s” close", title=paper.title),
            path_for("papers.paper", paper_id=paper.id),
            list(who),
        )
