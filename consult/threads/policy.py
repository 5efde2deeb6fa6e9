"""Who may see and act on confidential threads: named members, need-to-know, originators.

Only named persons who are members of the confidential room count (a delegation's membership
does not), only from States Parties and signatory States, and on a need-to-know thread only
those on its list. The Secretariat administers the room's membership but has no access to
content unless it is itself a member: there is no silent administrator access.
"""

from __future__ import annotations

from sqlalchemy import false, or_, select
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import DelegationStatus, User
from consult.extensions import db
from consult.policy import Need
from consult.rooms.models import AccessLevel, Membership, Room, RoomRole
from consult.threads.models import Attachment, Post, Thread, ThreadParticipant, ThreadStatus

STATES = (DelegationStatus.STATE_PARTY, DelegationStatus.SIGNATORY)


def personal_membership(user: User, room: Room) -> Membership | None:
    if room.access is not AccessLevel.CONFIDENTIAL or user.delegation.status not in STATES:
        return None
    return db.session.scalars(
        select(Membership).where(
            Membership.room_id == room.id,
            Membership.user_id == user.id,
            Membership.ended_at.is_(None),
        )
    ).first()


def personal_room_ids(user: User, *, managing: bool = False):
    """The confidential rooms where this person is a named member (a chair or facilitator when
    `managing`), as a subquery; personal_membership in SQL."""
    query = (
        select(Membership.room_id)
        .join(Room, Room.id == Membership.room_id)
        .where(
            Membership.user_id == user.id,
            Membership.ended_at.is_(None),
            Room.access == AccessLevel.CONFIDENTIAL,
        )
    )
    if managing:
        query = query.where(Membership.role.in_((RoomRole.CHAIR, RoomRole.FACILITATOR)))
    return query


def participant(thread: Thread, user: User) -> ThreadParticipant | None:
    return db.session.scalars(
        select(ThreadParticipant).where(
            ThreadParticipant.thread_id == thread.id, ThreadParticipant.user_id == user.id
        )
    ).first()


def may_post_in_room(user: User, room: Room) -> bool:
    membership = personal_membership(user, room)
    return membership is not None and membership.role is not RoomRole.OBSERVER


def thread_rule(user: User, need: Need, thread: Thread) -> bool:
    room = db.session.get(Room, thread.room_id)
    membership = personal_membership(user, room)
    if membership is None:
        return False
    if thread.is_need_to_know and participant(thread, user) is None:
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return membership.role is not RoomRole.OBSERVER and thread.status is ThreadStatus.OPEN
        case Need.MANAGE:
            return membership.role.manages
        case Need.ORIGINATE:
            return user.delegation_id == thread.originating_delegation_id
    return False


def visible_threads(user: User) -> ColumnElement[bool]:
    """The threads thread_rule lets this person see (named members; need-to-know: the list)."""
    if user.delegation.status not in STATES:
        return false()
    listed = select(ThreadParticipant.thread_id).where(ThreadParticipant.user_id == user.id)
    return Thread.room_id.in_(personal_room_ids(user)) & or_(
        Thread.is_need_to_know.is_(False), Thread.id.in_(listed)
    )


def post_rule(user: User, need: Need, post: Post) -> bool:
    thread = db.session.get(Thread, post.thread_id)
    if thread is None or not thread_rule(user, Need.VIEW, thread):
        return False
    from consult.threads.services import visible_from

    since = visible_from(thread, user)
    if since is not None and post.created_at < since:
        return False
    if need is Need.VIEW:
        return True
    return thread_rule(user, need, thread)


def attachment_rule(user: User, need: Need, attachment: Attachment) -> bool:
    post = db.session.get(Post, attachment.post_id)
    return post is not None and post_rule(user, need, post)


def register() -> None:
    """Tell the policy how to answer for Thread, Post, Attachment."""
    policy.add(Thread, rule=thread_rule, visible=visible_threads)
    policy.add(Post, rule=post_rule)
    policy.add(Attachment, rule=attachment_rule)
