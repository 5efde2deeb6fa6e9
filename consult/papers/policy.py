"""Who may read, comment on and manage papers and their comments.

A paper's protection parent is its room, a comment's is its paper (`consult.policy`): what
one may not see the room of, one may not see (nor act on), in `can()` and `visible()` alike,
so the rules below speak only of what papers and comments add.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import User
from consult.extensions import db
from consult.groups.services import may_confirm, may_see_pending, seen_clause
from consult.papers.models import (
    PENDING_CONTRIBUTION,
    Comment,
    ContributionStatus,
    Paper,
    PaperCosponsor,
    PaperKind,
    PaperStatus,
)
from consult.policy import Need, Parent
from consult.rooms.models import JoinRequest, JoinRequestStatus, Room
from consult.rooms.policy import managed_room_ids, room_roles, room_rule
from consult.timeutil import utcnow


def _invitation(user: User, paper: Paper) -> PaperCosponsor | None:
    """This person's delegation's invitation to co-sponsor the paper, if any."""
    return db.session.scalars(
        select(PaperCosponsor).where(
            PaperCosponsor.paper_id == paper.id,
            PaperCosponsor.delegation_id == user.delegation_id,
        )
    ).first()


def _carries(user: User, paper: Paper) -> bool:
    """The paper's facilitator, while they may still see its room (the parent has said so)."""
    return paper.facilitator_id is not None and paper.facilitator_id == user.id


def _sees(user: User, paper: Paper, manages: bool) -> bool:
    """Managers see every paper of their room, the paper's facilitator that paper; the
    submitting delegation its own. A national contribution not (yet) accepted is seen besides
    only by the delegations invited to co-sponsor it (not those that declined); any other
    paper unless it is being drafted."""
    if manages or _carries(user, paper):
        return True
    if paper.submitted_by_delegation_id is not None:
        if paper.submitted_by_delegation_id == user.delegation_id:
            return True
        if paper.is_pending_contribution:
            invitation = _invitation(user, paper)
            return invitation is not None and invitation.declined_at is None
    return paper.status is not PaperStatus.DRAFTING


def paper_rule(user: User, need: Need, paper: Paper) -> bool:
    """The room's rule (the parent has already let the person see the room), except that a
    paper still being drafted is seen only by those who manage the room and the paper's
    facilitator (who also writes its revisions: `REVISE`), and a national
    contribution the chair has not accepted only by its delegation, its invited co-sponsors
    and the room's managers (the Secretariat manages every room).

    `AUTHOR` is the submitting delegation's power over its contribution before acceptance
    (revise and resubmit, also once withdrawn; withdraw; invite co-sponsors); `DECIDE` is an
    invited delegation's answer to its invitation (confirm or decline)."""
    room = paper.room
    manages = room_rule(user, Need.MANAGE, room)
    if not _sees(user, paper, manages):
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return room_rule(user, Need.TAKE_PART, room)
        case Need.MANAGE:
            return manages
        case Need.REVISE:
            # A group statement is drafted together: its room's members revise it while open.
            return (
                manages
                or _carries(user, paper)
                or (
                    paper.kind is PaperKind.GROUP_STATEMENT
                    and paper.status is PaperStatus.OPEN
                    and room_rule(user, Need.TAKE_PART, room)
                )
            )
        case Need.SEE_AUTHORS:
            return not paper.is_chatham_house or manages or user.is_secretariat
        case Need.AUTHOR:
            return (
                paper.contribution_status in PENDING_CONTRIBUTION
                and paper.submitted_by_delegation_id == user.delegation_id
                and room_rule(user, Need.TAKE_PART, room)
            )
        case Need.DECIDE:
            if paper.contribution_status in (None, ContributionStatus.WITHDRAWN):
                return False
            invitation = _invitation(user, paper)
            return invitation is not None and invitation.is_open
    return False


def _takes_comments(paper: Paper) -> bool:
    """Open for comments and before its deadline (`services.comments_closed_reason`, the
    service's refusal for everyone, says the same in words)."""
    return paper.status is PaperStatus.OPEN and (
        paper.closes_at is None or utcnow() <= paper.closes_at
    )


def _root(comment: Comment) -> Comment:
    """The top-level comment of the comment's thread (parents from the identity map)."""
    seen = {comment.id}
    while comment.parent_id is not None:
        parent = db.session.get(Comment, comment.parent_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        comment = parent
    return comment


def wrote_in_thread(user: User, comment: Comment) -> bool:
    """This person wrote a comment (the top-level one or a reply, not withdrawn) in the
    thread `comment` belongs to."""
    mine = db.session.scalars(
        select(Comment).where(
            Comment.paper_id == comment.paper_id,
            Comment.author_id == user.id,
            Comment.deleted_at.is_(None),
        )
    ).all()
    if not mine:
        return False
    root = _root(comment).id
    return any(_root(c).id == root for c in mine)


def wrote_on(user: User, paper: Paper) -> bool:
    """This person has a comment (not withdrawn) somewhere on the paper: a thread they may
    reply in, as its author, while `reply_as_author` allows it."""
    return (
        db.session.scalar(
            select(Comment.id)
            .where(
                Comment.paper_id == paper.id,
                Comment.author_id == user.id,
                Comment.deleted_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def reply_as_author(paper: Paper) -> bool:
    """Authors of earlier comments may reply on their own threads of this paper now, whether
    or not they still take part in the room: the paper is open, before its deadline, in a room
    that is not archived, and its chair has not switched it off."""
    return paper.authors_may_reply and not paper.room.is_archived and _takes_comments(paper)


@dataclass(frozen=True)
class CommentRefusal:
    """Why this person may not comment on a paper now, said plainly, and what to do.

    `code` is one of "not_seen", "archived", "observer", "not_member", "closed", "deadline";
    `join_request` is their pending request to join the room, if any, to link to;
    `may_reply` says they may still reply on the threads they wrote in (`Need.REPLY`), and
    `reply_note` says so in words."""

    code: str
    message: str
    advice: str | None = None
    join_request: JoinRequest | None = None
    may_reply: bool = False
    reply_note: str | None = None


def comment_refusal(user: User, paper: Paper, now: datetime | None = None) -> CommentRefusal | None:
    """The reason this person may not comment on the paper, or None when they may.

    It agrees with the policy: None exactly when `can(TAKE_PART, paper, user)` holds and the
    paper takes comments (open, before its deadline); the reason is derived from the same
    facts `can()` reads, so the page never says something the policy does not decide. For
    someone who does not take part but wrote on the paper, `may_reply` says that
    `reply_as_author` lets them reply in their own threads (`Need.REPLY`)."""
    if not policy.can(Need.TAKE_PART, paper, user):
        room = paper.room
        if not policy.can(Need.VIEW, paper, user):
            return CommentRefusal("not_seen", _("You cannot see this paper."))
        if room.is_archived:
            return CommentRefusal(
                "archived", _("This room is archived: its papers take no more comments.")
            )
        role = room_roles(user).get(room.id)
        pending = db.session.scalars(
            select(JoinRequest).where(
                JoinRequest.room_id == room.id,
                JoinRequest.user_id == user.id,
                JoinRequest.status == JoinRequestStatus.PENDING,
            )
        ).first()
        # Authors of earlier comments keep their voice in their own threads (`Need.REPLY`).
        may_reply = reply_as_author(paper) and wrote_on(user, paper)
        note = (
            _(
                "You can still reply in the threads you wrote in, while the paper is open; "
                "starting a new comment needs membership."
            )
            if may_reply
            else None
        )
        if role is not None:
            return CommentRefusal(
                "observer",
                _("You observe this room: observers read papers but do not comment."),
                _("Ask the chair to make you a member."),
                pending,
                may_reply,
                note,
            )
        return CommentRefusal(
            "not_member",
            _("You are not a member of this room, so you cannot comment on its papers."),
            _("Your request to join is waiting for the chair.")
            if pending
            else _("Ask to join the room; the chair decides."),
            pending,
            may_reply,
            note,
        )
    if paper.status is not PaperStatus.OPEN:
        return CommentRefusal(
            "closed",
            _(
                "This paper is not open for comments (%(status)s).",
                status=paper.status.label.lower(),
            ),
        )
    now = now or utcnow()
    if paper.closes_at is not None and now > paper.closes_at:
        return CommentRefusal(
            "deadline", _("The comment deadline has passed; the chair can reopen comments.")
        )
    return None


def visible_papers(user: User) -> ColumnElement[bool]:
    """The papers paper_rule lets this person see (within the rooms they see: the parent):
    not drafting and not a pending contribution, unless they manage the room or facilitate
    the paper; their delegation's own contributions; pending ones they are invited (and have
    not declined) to co-sponsor."""
    invited = select(PaperCosponsor.paper_id).where(
        PaperCosponsor.delegation_id == user.delegation_id,
        PaperCosponsor.declined_at.is_(None),
    )
    pending = Paper.contribution_status.in_(PENDING_CONTRIBUTION)
    return or_(
        and_(
            Paper.status != PaperStatus.DRAFTING, or_(Paper.contribution_status.is_(None), ~pending)
        ),
        Paper.room_id.in_(managed_room_ids(user)),
        Paper.facilitator_id == user.id,
        Paper.submitted_by_delegation_id == user.delegation_id,
        and_(pending, Paper.id.in_(invited)),
    )


def comment_rule(user: User, need: Need, comment: Comment) -> bool:
    """Everyone who sees the paper sees its comments (hidden ones show the chair's reason;
    under the Chatham House Rule the author is `SEE_AUTHORS` on the paper), except one made on
    behalf of a group and still pending the group's confirmation: only its author and the
    group's coordinators see it, and nobody else may do anything to it. Only the author
    has the author's powers (`AUTHOR`: edit within the window, withdraw). `REPLY`: those
    who take part in the room, and whoever wrote in the comment's thread while
    `reply_as_author` allows it."""
    paper = policy.parent_of(comment)
    if paper is None or not may_see_pending(user, comment, comment.author_id):
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return paper_rule(user, Need.TAKE_PART, paper)
        case Need.MANAGE:
            return paper_rule(user, Need.MANAGE, paper)
        case Need.REVISE:  # take its proposed text into the paper's draft revision
            return paper_rule(user, Need.REVISE, paper)
        case Need.REPLY:
            # Those who take part in the room reply as they comment (the service refuses once
            # the paper is closed, handing the text back). Whoever wrote in this thread may
            # reply in it while the paper takes comments, unless the chair switched that off.
            return paper_rule(user, Need.TAKE_PART, paper) or (
                reply_as_author(paper) and wrote_in_thread(user, comment)
            )
        case Need.AUTHOR:
            return comment.author_id == user.id
        case Need.CONFIRM:
            return may_confirm(user, comment)
    return False


def visible_comments(user: User) -> ColumnElement[bool]:
    """The comments comment_rule lets this person see (within the papers they see): all but
    the pending ones of others, unless this person coordinates the group."""
    return seen_clause(Comment, Comment.author_id, user)


def register() -> None:
    """Tell the policy how to answer for Paper and Comment, and their protection parents."""
    policy.add(
        Paper,
        rule=paper_rule,
        visible=visible_papers,
        parent=Parent(Paper.room_id, Room),
    )
    # Every comment of a paper one sees is seen, but for the pending ones of a group: the
    # parent and the group's confirmation select exactly what can(VIEW, comment) allows.
    policy.add(
        Comment,
        rule=comment_rule,
        visible=visible_comments,
        parent=Parent(Comment.paper_id, Paper),
    )
