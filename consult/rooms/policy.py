"""Who may see, take part in and manage a room."""

from __future__ import annotations

from flask import g, has_app_context
from sqlalchemy import or_, select
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import DelegationStatus, User
from consult.extensions import db
from consult.policy import Need
from consult.rooms.models import AccessLevel, JoinRequest, Membership, Room, RoomRole

_STATE_STATUSES = (DelegationStatus.STATE_PARTY, DelegationStatus.SIGNATORY)


def _current_memberships_of(user: User):
    return select(Membership.room_id, Membership.role).where(
        Membership.ended_at.is_(None),
        or_(Membership.user_id == user.id, Membership.delegation_id == user.delegation_id),
    )


def room_roles(user: User) -> dict[int, RoomRole]:
    """The strongest current role per room, for this person (one query, cached per request)."""
    cache = g.setdefault("_room_roles", {}) if has_app_context() else {}
    if user.id not in cache:
        roles: dict[int, RoomRole] = {}
        for room_id, role in db.session.execute(_current_memberships_of(user)):
            if room_id not in roles or role.rank > roles[room_id].rank:
                roles[room_id] = role
        cache[user.id] = roles
    return cache[user.id]


def forget_room_roles() -> None:
    """Call after changing memberships within a request, so later checks see the change."""
    if has_app_context():
        g.pop("_room_roles", None)


def may_view_room(user: User, room: Room, role: RoomRole | None) -> bool:
    if user.is_secretariat or role is not None:
        return True
    if room.access in (AccessLevel.OPEN, AccessLevel.TRANSPARENT):
        return True
    if room.access is AccessLevel.STATES:
        return user.delegation.status in _STATE_STATUSES
    return False


def may_take_part(user: User, room: Room, role: RoomRole | None) -> bool:
    if room.is_archived:
        return False
    if role is not None:
        return role.takes_part
    if user.is_secretariat:
        return room.access is not AccessLevel.CONFIDENTIAL
    if room.access is AccessLevel.OPEN:
        return True
    if room.access is AccessLevel.STATES:
        return user.delegation.status in _STATE_STATUSES
    return False


def room_rule(user: User, need: Need, room: Room) -> bool:
    role = room_roles(user).get(room.id)
    if not may_view_room(user, room, role):
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return may_take_part(user, room, role)
        case Need.MANAGE:
            return user.is_secretariat or (role is not None and role.manages)
        case Need.ADMINISTER:
            return user.is_secretariat
        case Need.OVERRIDE:
            # Past the membership guardrails: the room's kind rule (ticked, audited), people
            # of delegations not in the room, new accounts of any delegation, the last chair.
            return user.is_secretariat
        case Need.REQUEST_JOIN:
            return (
                not user.is_secretariat
                and not room.is_archived
                and not may_take_part(user, room, role)
            )
    return False


def visible_rooms(user: User) -> ColumnElement[bool]:
    if user.is_secretariat:
        return Room.id.is_not(None)
    member_of = select(Membership.room_id).where(
        Membership.ended_at.is_(None),
        or_(Membership.user_id == user.id, Membership.delegation_id == user.delegation_id),
    )
    clauses = [Room.access.in_((AccessLevel.OPEN, AccessLevel.TRANSPARENT)), Room.id.in_(member_of)]
    if user.delegation.status in _STATE_STATUSES:
        clauses.append(Room.access == AccessLevel.STATES)
    return or_(*clauses)


def managed_room_ids(user: User):
    """The ids of the rooms this person manages (Need.MANAGE), as a subquery."""
    if user.is_secretariat:
        return select(Room.id)
    return chaired_room_ids(user)


def chaired_room_ids(user: User):
    """The ids of the rooms this person (or their delegation) chairs or facilitates, as a
    subquery: the rooms whose business is put to them on their dashboard (the Secretariat,
    which manages every room, is not asked there about every room's)."""
    return select(Membership.room_id).where(
        Membership.ended_at.is_(None),
        or_(Membership.user_id == user.id, Membership.delegation_id == user.delegation_id),
        Membership.role.in_((RoomRole.CHAIR, RoomRole.FACILITATOR)),
    )


def join_request_rule(user: User, need: Need, request_: JoinRequest) -> bool:
    """The room's managers see and answer a request; only its author withdraws it (AUTHOR)."""
    manages = room_rule(user, Need.MANAGE, request_.room)
    mine = request_.user_id == user.id
    match need:
        case Need.VIEW:
            return manages or mine
        case Need.DECIDE:
            return manages
        case Need.AUTHOR:
            return mine
    return False


def register() -> None:
    """Tell the policy how to answer for Room, JoinRequest."""
    policy.add(Room, rule=room_rule, visible=visible_rooms)
    policy.add(JoinRequest, rule=join_request_rule)
