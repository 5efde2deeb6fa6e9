"""Who may read, comment on and manage papers and their comments.

A paper's protection parent is its room, a comment's is its paper (`consult.policy`): what
one may not see the room of, one may not see (nor act on), in `can()` and `visible()` alike,
so the rules below speak only of what papers and comments add.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import User
from consult.papers.models import Comment, Paper, PaperKind, PaperStatus
from consult.policy import Need, Parent
from consult.rooms.models import Room
from consult.rooms.policy import managed_room_ids, room_rule


def paper_rule(user: User, need: Need, paper: Paper) -> bool:
    """The room's rule (the parent has already let the person see the room), except that a
    paper still being drafted is seen only by those who manage the room."""
    room = paper.room
    manages = room_rule(user, Need.MANAGE, room)
    if paper.status is PaperStatus.DRAFTING and not manages:
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
            return manages or (
                paper.kind is PaperKind.GROUP_STATEMENT
                and paper.status is PaperStatus.OPEN
                and room_rule(user, Need.TAKE_PART, room)
            )
        case Need.SEE_AUTHORS:
            return not paper.is_chatham_house or manages or user.is_secretariat
    return False


def visible_papers(user: User) -> ColumnElement[bool]:
    """The papers paper_rule lets this person see (within the rooms they see: the parent):
    not drafting, unless they manage the room."""
    return or_(Paper.status != PaperStatus.DRAFTING, Paper.room_id.in_(managed_room_ids(user)))


def comment_rule(user: User, need: Need, comment: Comment) -> bool:
    """Everyone who sees the paper sees its comments (hidden ones show the chair's reason;
    under the Chatham House Rule the author is `SEE_AUTHORS` on the paper). Only the author
    has the author's powers (`AUTHOR`: edit within the window, withdraw)."""
    paper = policy.parent_of(comment)
    if paper is None:
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return paper_rule(user, Need.TAKE_PART, paper)
        case Need.MANAGE:
            return paper_rule(user, Need.MANAGE, paper)
        case Need.AUTHOR:
            return comment.author_id == user.id
    return False


def register() -> None:
    """Tell the policy how to answer for Paper and Comment, and their protection parents."""
    policy.add(
        Paper,
        rule=paper_rule,
        visible=visible_papers,
        parent=Parent(Paper.room_id, Room),
    )
    # Every comment of a paper one sees is seen (VIEW has no further condition), so the
    # parent alone selects exactly what can(VIEW, comment) allows.
    policy.add(Comment, rule=comment_rule, parent=Parent(Comment.paper_id, Paper))
