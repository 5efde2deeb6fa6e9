"""Who may see and act on trend briefs.

A brief in the confidential room is its room's (the protection parent) and, like threads, seen
only by the room's named members: drafts only by its named chairs and facilitators, who manage
it; members object on behalf of their delegation. It is behind the confidential gate. The
published copy is its target room's: whoever sees that room reads it.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import User
from consult.briefs.models import BriefStatus, PublishedBrief, TrendBrief
from consult.extensions import db
from consult.policy import Need, Parent
from consult.rooms.models import Room, RoomRole
from consult.threads.policy import STATES, personal_membership, personal_room_ids


def manages(user: User, room: Room) -> bool:
    """A named chair or facilitator of the confidential room (the Secretariat is not)."""
    membership = personal_membership(user, room)
    return membership is not None and membership.role.manages


def brief_rule(user: User, need: Need, brief: TrendBrief) -> bool:
    room = db.session.get(Room, brief.room_id)
    membership = personal_membership(user, room)
    if membership is None:
        return False
    if brief.status is BriefStatus.DRAFT and not membership.role.manages:
        return False  # drafts are the chair's own until submitted for objections
    match need:
        case Need.VIEW:
            return True
        case Need.MANAGE:
            return membership.role.manages
        case Need.TAKE_PART:  # object on behalf of one's delegation
            return membership.role is RoomRole.MEMBER
    return False


def visible_briefs(user: User) -> ColumnElement[bool]:
    """The briefs brief_rule lets this person see: drafts only to the room's named managers."""
    if user.delegation.status not in STATES:
        return false()
    return and_(
        TrendBrief.room_id.in_(personal_room_ids(user)),
        or_(
            TrendBrief.status != BriefStatus.DRAFT,
            TrendBrief.room_id.in_(personal_room_ids(user, managing=True)),
        ),
    )


def published_brief_rule(user: User, need: Need, brief: PublishedBrief) -> bool:
    """Read by whoever sees its room (the parent); nobody acts on it."""
    return need is Need.VIEW


def register() -> None:
    """Tell the policy how to answer for TrendBrief, PublishedBrief."""
    policy.add(
        TrendBrief,
        rule=brief_rule,
        visible=visible_briefs,
        parent=Parent(TrendBrief.room_id, Room),
        gated=True,
    )
    policy.add(
        PublishedBrief,
        rule=published_brief_rule,
        parent=Parent(PublishedBrief.room_id, Room),
    )
