"""Who may read, comment on and manage papers and their comments."""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import User
from consult.papers.models import Comment, Paper, PaperStatus
from consult.policy import Need, can
from consult.rooms.policy import managed_room_ids, room_rule, viewable_room_ids


def paper_rule(user: User, need: Need, paper: Paper) -> bool:
    room = paper.room
    manages = room_rule(user, Need.MANAGE, room)
    # A paper still being drafted is seen only by those who manage the room.
    if not room_rule(user, Need.VIEW, room) or (
        paper.status is PaperStatus.DRAFTING and not manages
    ):
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return room_rule(user, Need.TAKE_PART, room)
        case Need.MANAGE:
            return manages
        case Need.SEE_AUTHORS:
            return not paper.is_chatham_house or manages or user.is_secretariat
    return False


def visible_papers(user: User) -> ColumnElement[bool]:
    """The papers paper_rule lets this person see: in a room they see, not drafting unless
    they manage the room."""
    return and_(
        Paper.room_id.in_(viewable_room_ids(user)),
        or_(Paper.status != PaperStatus.DRAFTING, Paper.room_id.in_(managed_room_ids(user))),
    )


def comment_rule(user: User, need: Need, comment: Comment) -> bool:
    from consult.extensions import db

    paper = db.session.get(Paper, comment.paper_id)
    if paper is None or not paper_rule(user, Need.VIEW, paper):
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return paper_rule(user, Need.TAKE_PART, paper)
        case Need.MANAGE:
            return paper_rule(user, Need.MANAGE, paper)
    return False


__all__ = ["can", "comment_rule", "paper_rule"]


def register() -> None:
    """Tell the policy how to answer for Paper, Comment."""
    policy.add(Paper, rule=paper_rule, visible=visible_papers)
    policy.add(Comment, rule=comment_rule)
