"""Who is in a group and who coordinates it, as SQL so lists can filter by it."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from consult.accounts.models import Delegation, DelegationStatus, User
from consult.extensions import db
from consult.groups.models import Group, GroupMember
from consult.rooms.models import Membership, RoomRole

_STATES = (DelegationStatus.STATE_PARTY, DelegationStatus.SIGNATORY)


def member_delegation_ids(group: Group) -> Select:
    """The ids of the group's member delegations (a regional group: its States)."""
    if group.regional_group is not None:
        return select(Delegation.id).where(
            Delegation.regional_group == group.regional_group,
            Delegation.status.in_(_STATES),
            Delegation.is_active.is_(True),
        )
    return select(GroupMember.delegation_id).where(GroupMember.group_id == group.id)


def member_delegations(group: Group) -> list[Delegation]:
    return list(
        db.session.scalars(
            select(Delegation)
            .where(Delegation.id.in_(member_delegation_ids(group)))
            .order_by(Delegation.name)
        )
    )


def is_member(delegation_id: int, group: Group) -> bool:
    return delegation_id in db.session.scalars(member_delegation_ids(group)).all()


def groups_of(delegation: Delegation) -> list[Group]:
    """The active groups this delegation belongs to, by name."""
    listed = select(GroupMember.group_id).where(GroupMember.delegation_id == delegation.id)
    conditions = [Group.id.in_(listed)]
    if delegation.regional_group is not None and delegation.status in _STATES:
        conditions.append(Group.regional_group == delegation.regional_group)
    return list(
        db.session.scalars(
            select(Group).where(Group.is_active.is_(True), or_(*conditions)).order_by(Group.name)
        )
    )


def is_coordinator(user: User, group: Group) -> bool:
    """The coordinating delegation's people, and whoever chairs the group's own room."""
    if group.coordinator_id is not None and user.delegation_id == group.coordinator_id:
        return True
    if group.room_id is None:
        return False
    chair = db.session.scalar(
        select(Membership.id).where(
            Membership.room_id == group.room_id,
            Membership.ended_at.is_(None),
            Membership.role == RoomRole.CHAIR,
            or_(Membership.user_id == user.id, Membership.delegation_id == user.delegation_id),
        )
    )
    return chair is not None


def group_of_room(room_id: int) -> Group | None:
    return db.session.scalar(select(Group).where(Group.room_id == room_id))
