"""Who may see and act on confidential threads: named members, need-to-know, originators.

Only named persons who are members of the confidential room count (a delegation's membership
does not), only from States Parties and signatory States, and on a need-to-know thread only
those on its list. The Secretariat administers the room's membership but has no access to
content unless it is itself a member: there is no silent administrator access.

Protection parents: a thread is seen only by those who see its room, a post by those who see
its thread (from when they see it), an attachment by those who see its post. Everything here is
behind the confidential gate (two-factor sign-in, fresh after idle time).
"""

from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import DelegationStatus, User
from consult.extensions import db
from consult.policy import Need, Parent
from consult.rooms.models import AccessLevel, Membership, Room, RoomRole
from consult.threads.models import (
    Attachment,
    Forum,
    Marking,
    Post,
    Thread,
    ThreadParticipant,
    ThreadStatus,
)

STATES = (DelegationStatus.STATE_PARTY, DelegationStatus.SIGNATORY)


def personal_membership(user: User, room: Room | Forum) -> Membership | None:
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


def forum_of(room: Room) -> Forum:
    """The room as the threads' policy sees it (see consult.threads.models.Forum)."""
    return db.session.get(Forum, room.id)


def forum_rule(user: User, need: Need, forum: Forum) -> bool:
    """A confidential room's threads: its named members see them, those who are not observers
    open threads, its named chairs and facilitators manage (draft trend briefs)."""
    membership = personal_membership(user, forum)
    if membership is None:
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return membership.role is not RoomRole.OBSERVER
        case Need.MANAGE:
            return membership.role.manages
    return False


def exportable(thread: Thread) -> bool:
    """Whether the thread's marking lets it leave the platform at all (TLP:RED never does)."""
    return thread.marking is not Marking.RED


def thread_rule(user: User, need: Need, thread: Thread) -> bool:
    room = db.session.get(Room, thread.room_id)
    membership = personal_membership(user, room)
    if membership is None:
        return False
    if thread.is_need_to_know and participant(thread, user) is None:
        return False
    originates = user.delegation_id == thread.originating_delegation_id
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return membership.role is not RoomRole.OBSERVER and thread.status is ThreadStatus.OPEN
        case Need.MANAGE:
            return membership.role.manages
        case Need.ORIGINATE | Need.LOWER_MARKING:
            # Only the originating delegation lowers the marking (anyone on it may raise it).
            return originates
        case Need.EXPORT:
            return exportable(thread) and thread.is_export_allowed
    return False


def visible_threads(user: User) -> ColumnElement[bool]:
    """The threads thread_rule lets this person see (named members; need-to-know: the list)."""
    if user.delegation.status not in STATES:
        return false()
    listed = select(ThreadParticipant.thread_id).where(ThreadParticipant.user_id == user.id)
    return Thread.room_id.in_(personal_room_ids(user)) & or_(
        Thread.is_need_to_know.is_(False), Thread.id.in_(listed)
    )


def visible_from(thread: Thread, user: User):
    """From when this person sees the thread's posts (None: its whole history).

    A member who joined the room, or was added to the thread's list, after the thread began
    sees it from that moment, unless the originating delegation granted the earlier history.
    """
    row = participant(thread, user)
    if row is not None:
        return row.sees_from
    membership = personal_membership(user, db.session.get(Room, thread.room_id))
    if membership is not None and membership.started_at > thread.created_at:
        return membership.started_at
    return None


def post_rule(user: User, need: Need, post: Post) -> bool:
    """Within a thread one sees (the parent's rule), the posts from when one sees it."""
    thread = db.session.get(Thread, post.thread_id)
    since = visible_from(thread, user)
    if since is not None and post.created_at < since:
        return False
    if need is Need.VIEW:
        return True
    return thread_rule(user, need, thread)


def visible_posts(user: User) -> ColumnElement[bool]:
    """visible_from in SQL: the person's row on the thread's list says from when, else their
    named membership of the room when they joined after the thread began."""
    own = and_(ThreadParticipant.thread_id == Post.thread_id, ThreadParticipant.user_id == user.id)
    listed = exists().where(own)
    from_row = exists().where(
        own,
        or_(ThreadParticipant.sees_from.is_(None), ThreadParticipant.sees_from <= Post.created_at),
    )
    joined_in_time = exists().where(
        Thread.id == Post.thread_id,
        Membership.room_id == Thread.room_id,
        Membership.user_id == user.id,
        Membership.ended_at.is_(None),
        or_(Membership.started_at <= Thread.created_at, Membership.started_at <= Post.created_at),
    )
    return or_(from_row, and_(~listed, joined_in_time))


def attachment_rule(user: User, need: Need, attachment: Attachment) -> bool:
    """An attachment is its post's (the parent's rule answers who sees it)."""
    if need is Need.VIEW:
        return True
    return post_rule(user, need, db.session.get(Post, attachment.post_id))


def register() -> None:
    """Tell the policy how to answer for Forum, Thread, Post, Attachment."""
    policy.add(Forum, rule=forum_rule, gated=True)
    policy.add(
        Thread,
        rule=thread_rule,
        visible=visible_threads,
        parent=Parent(Thread.room_id, Room),
        gated=True,
    )
    policy.add(
        Post,
        rule=post_rule,
        visible=visible_posts,
        parent=Parent(Post.thread_id, Thread),
        gated=True,
    )
    policy.add(
        Attachment,
        rule=attachment_rule,
        parent=Parent(Attachment.post_id, Post),
        gated=True,
    )
