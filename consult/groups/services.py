"""Who is in a group and who coordinates it, as SQL so lists can filter by it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement

from consult import audit
from consult.accounts.models import Delegation, DelegationStatus, User
from consult.errors import ServiceError
from consult.extensions import db
from consult.groups.models import Group, GroupKind, GroupMember
from consult.ids import parse_id
from consult.rooms.models import Membership, Room, RoomRole
from consult.rooms.policy import room_roles
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit

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
    """The coordinating delegation's people, and whoever chairs the group's own room (from
    the person's room roles, read once per request)."""
    if group.coordinator_id is not None and user.delegation_id == group.coordinator_id:
        return True
    if group.room_id is None:
        return False
    return room_roles(user).get(group.room_id) is RoomRole.CHAIR


def group_of_room(room_id: int) -> Group | None:
    return db.session.scalar(select(Group).where(Group.room_id == room_id))


# ---- speaking for a group ----------------------------------------------------------------------

#: The form value that names a group among the "on behalf of" choices ("group-<id>"); the
#: delegation itself is chosen by its name, as before groups were confirmed.
GROUP_PREFIX = "group-"


class GroupError(ServiceError):
    """A refusal about a group; by default it belongs next to the "on behalf of" field."""

    field = "on_behalf_of"


def speaker_name(group: Group) -> str:
    """What a comment or floor request prints after "on behalf of": "the African Group".

    Stored when written, in the author's language (a translated "the %(group)s" pattern), as
    the delegation's own name is: exports and the record keep the words that were printed.
    """
    return _("the %(group)s", group=group.name)


def speaking_choices(user: User) -> list[tuple[str, str]]:
    """(form value, label): the person's delegation, then each active group it belongs to."""
    choices = [(user.delegation.name, user.delegation.name)]
    for group in groups_of(user.delegation):
        choices.append((f"{GROUP_PREFIX}{group.id}", speaker_name(group)))
    return choices


def resolve_speaker(user: User, value: str | None) -> tuple[str, Group | None]:
    """The printed "on behalf of" text and the group (or None) for a form value.

    Refuses, next to the field, a group the person's delegation is not in (or that is no
    longer active) and anything that is neither the delegation nor one of its groups.
    """
    value = (value or "").strip()
    if value == user.delegation.name:
        return user.delegation.name, None
    if value.startswith(GROUP_PREFIX):
        ident = parse_id(value[len(GROUP_PREFIX) :])
        group = db.session.get(Group, ident) if ident is not None else None
        if group is not None and group in groups_of(user.delegation):
            return speaker_name(group), group
        if group is not None:
            raise GroupError(
                _(
                    "%(delegation)s is not a member of %(group)s: you can speak only for your "
                    "delegation or a group it belongs to.",
                    delegation=user.delegation.name,
                    group=group.name,
                )
            )
    raise GroupError(_("You can speak only for your delegation or a group it belongs to."))


def coordinated_group_ids(user: User) -> Select:
    """The ids of the groups `user` coordinates, as SQL (what `is_coordinator` answers)."""
    chaired = select(Membership.room_id).where(
        Membership.ended_at.is_(None),
        Membership.role == RoomRole.CHAIR,
        or_(Membership.user_id == user.id, Membership.delegation_id == user.delegation_id),
    )
    return select(Group.id).where(
        or_(Group.coordinator_id == user.delegation_id, Group.room_id.in_(chaired))
    )


def is_pending(obj: Any) -> bool:
    """A comment or floor request on behalf of a group that the group has not confirmed."""
    return obj.on_behalf_group_id is not None and obj.group_confirmed_at is None


def confirmed_clause(model: type) -> ColumnElement[bool]:
    """SQL: the rows of `model` (Comment, FloorRequest) that are not pending: spoken for one's
    delegation, or confirmed by the group (its coordinator, or its final statement)."""
    return or_(model.on_behalf_group_id.is_(None), model.group_confirmed_at.is_not(None))


def seen_clause(model: type, author: Any, user: User) -> ColumnElement[bool]:
    """SQL: the rows of `model` `user` may see as far as the group's confirmation goes: every
    confirmed one, and pending ones only by their author and the group's coordinators."""
    return or_(
        confirmed_clause(model),
        author == user.id,
        model.on_behalf_group_id.in_(coordinated_group_ids(user)),
    )


def may_see_pending(user: User, obj: Any, author_id: int | None) -> bool:
    """`seen_clause` for one object (the rules' half of the same answer)."""
    if not is_pending(obj):
        return True
    if author_id is not None and author_id == user.id:
        return True
    group = db.session.get(Group, obj.on_behalf_group_id)
    return group is not None and is_coordinator(user, group)


def may_confirm(user: User, obj: Any) -> bool:
    """The group's coordinators confirm (or decline) what is said on its behalf."""
    if not is_pending(obj) or getattr(obj, "group_declined_at", None) is not None:
        return False
    group = db.session.get(Group, obj.on_behalf_group_id)
    return group is not None and is_coordinator(user, group)


def confirm(obj: Any, user: User, now: datetime | None = None) -> Group:
    """Mark `obj` (a Comment or FloorRequest) confirmed by `user` for its group.

    The domain that owns `obj` checks `may_confirm` first, signals and audits.
    """
    group = db.session.get(Group, obj.on_behalf_group_id)
    obj.group_confirmed_at = now or utcnow()
    obj.group_confirmed_by_id = user.id
    tell_coordinators(group.id)  # it waits no longer
    return group


def confirm_by_statement(obj: Any, statement_paper: Any, user: User) -> None:
    """The hook for group statements: `obj` (a Comment or FloorRequest naming the group in
    `on_behalf_group_id`) is confirmed because the group's final statement
    (`statement_paper`) was delivered by `user`. Setting `on_behalf_group_id` and
    `group_confirmed_at` directly is the same thing: every filter counts a row with
    `group_confirmed_at` set as confirmed, whoever set it."""
    if obj.on_behalf_group_id is None:
        raise GroupError(_("Only what is said on behalf of a group is confirmed by its statement."))
    if obj.group_confirmed_at is None:
        confirm(obj, user)
    audit.record(
        "group.confirmed_by_statement",
        f"confirmed by the group statement {getattr(statement_paper, 'symbol', '') or ''}".strip(),
        actor=user,
        group_id=obj.on_behalf_group_id,
        statement_paper_id=getattr(statement_paper, "id", None),
        subject_type=type(obj).__tablename__,
        subject_id=obj.id,
    )


# ---- the Secretariat's administration -----------------------------------------------------------

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def all_groups() -> list[Group]:
    """Every group, active first, by name (the Secretariat's list: reference data, one query)."""
    return list(
        db.session.scalars(
            select(Group)
            .options(selectinload(Group.room))
            .order_by(Group.is_active.desc(), Group.kind.desc(), Group.name)
        )
    )


def member_counts() -> dict[int, int]:
    """Members per group, regional and defined, in two queries whatever the number of groups."""
    counts = dict(
        db.session.execute(
            select(GroupMember.group_id, func.count(GroupMember.id)).group_by(GroupMember.group_id)
        ).all()
    )
    regional = dict(
        db.session.execute(
            select(Delegation.regional_group, func.count(Delegation.id))
            .where(Delegation.status.in_(_STATES), Delegation.is_active.is_(True))
            .group_by(Delegation.regional_group)
        ).all()
    )
    for group_id, value in db.session.execute(
        select(Group.id, Group.regional_group).where(Group.regional_group.is_not(None))
    ):
        counts[group_id] = regional.get(value, 0)
    return counts


def _check_name(name: str, slug: str, group: Group | None) -> tuple[str, str]:
    name, slug = (name or "").strip(), (slug or "").strip().lower()
    if not name:
        raise GroupError(_("Give the group a name."), field="name")
    if len(name) > 200:
        raise GroupError(
            _("The name is too long (%(length)d characters; at most 200).", length=len(name)),
            field="name",
        )
    if not SLUG_PATTERN.match(slug) or len(slug) > 80:
        raise GroupError(
            _("The short name uses lower-case letters, digits and hyphens (at most 80)."),
            field="slug",
        )
    others = select(Group.id).where(Group.id != (group.id if group else 0))
    if db.session.scalar(others.where(func.lower(Group.name) == name.lower())) is not None:
        raise GroupError(_("Another group has this name."), field="name")
    if db.session.scalar(others.where(Group.slug == slug)) is not None:
        raise GroupError(_("Another group has this short name."), field="slug")
    return name, slug


def _check_coordinator(
    coordinator: Delegation | None, members: list[Delegation] | None, group: Group | None
) -> None:
    """The coordinator is one of the group's members."""
    if coordinator is None:
        return
    if members is not None:
        inside = coordinator.id in {d.id for d in members}
    else:
        inside = is_member(coordinator.id, group)
    if not inside:
        raise GroupError(
            _("%(name)s is not a member of the group; choose a member.", name=coordinator.name),
            field="coordinator",
        )


def _names(delegations) -> str:
    return ", ".join(sorted(d.name for d in delegations)) or "-"


def create_group(
    actor: User,
    *,
    name: str,
    slug: str,
    members: list[Delegation],
    coordinator: Delegation | None,
    room: Room | None,
) -> Group:
    """The Secretariat defines a group of delegations (the EU with its aligned States ...)."""
    name, slug = _check_name(name, slug, None)
    if not members:
        raise GroupError(_("Choose the group's member delegations."), field="members")
    _check_coordinator(coordinator, members, None)
    group = Group(
        name=name,
        slug=slug,
        kind=GroupKind.DEFINED,
        coordinator_id=coordinator.id if coordinator else None,
        room_id=room.id if room else None,
    )
    db.session.add(group)
    db.session.flush()
    for delegation in members:
        db.session.add(
            GroupMember(group_id=group.id, delegation_id=delegation.id, added_by_id=actor.id)
        )
    db.session.flush()
    audit.record(
        "group.created",
        f"Group {name} defined: members {_names(members)}; coordinator "
        f"{coordinator.name if coordinator else '-'}; room {room.title if room else '-'}",
        actor=actor,
        group_id=group.id,
    )
    return group


def update_group(
    group: Group,
    actor: User,
    *,
    coordinator: Delegation | None,
    room: Room | None,
    members: list[Delegation] | None,
    name: str | None = None,
    slug: str | None = None,
) -> None:
    """Change a group's coordinator and room, and a defined group's name and members (a
    regional group's members are its region's States: `members` must be None for it)."""
    changes = []
    if group.kind is GroupKind.REGIONAL and (members is not None or name or slug):
        raise GroupError(
            _("A regional group's members are the States of its region; they are not edited."),
            field="members",
        )
    if group.kind is GroupKind.DEFINED:
        if members is not None and not members:
            raise GroupError(_("Choose the group's member delegations."), field="members")
        if name is not None or slug is not None:
            new_name, new_slug = _check_name(
                name if name is not None else group.name,
                slug if slug is not None else group.slug,
                group,
            )
            if new_name != group.name:
                changes.append(f"name {group.name} -> {new_name}")
                group.name = new_name
            if new_slug != group.slug:
                changes.append(f"short name {group.slug} -> {new_slug}")
                group.slug = new_slug
    _check_coordinator(coordinator, members, group)
    if members is not None:
        rows = {
            r.delegation_id: r
            for r in db.session.scalars(select(GroupMember).where(GroupMember.group_id == group.id))
        }
        wanted = {d.id: d for d in members}
        added = [d for i, d in wanted.items() if i not in rows]
        removed = [r for i, r in rows.items() if i not in wanted]
        for delegation in added:
            db.session.add(
                GroupMember(group_id=group.id, delegation_id=delegation.id, added_by_id=actor.id)
            )
        for row in removed:
            db.session.delete(row)
        if added:
            changes.append(f"added {_names(added)}")
        if removed:
            changes.append(f"removed {_names(r.delegation for r in removed)}")
    new_coordinator = coordinator.id if coordinator else None
    if new_coordinator != group.coordinator_id:
        before = group.coordinator.name if group.coordinator else "-"
        changes.append(f"coordinator {before} -> {coordinator.name if coordinator else '-'}")
        group.coordinator_id = new_coordinator
        group.coordinator = coordinator
    new_room = room.id if room else None
    if new_room != group.room_id:
        changes.append(f"room -> {room.title if room else '-'}")
        group.room_id = new_room
    db.session.flush()
    if changes:
        audit.record(
            "group.updated",
            f"Group {group.name}: {'; '.join(changes)}",
            actor=actor,
            group_id=group.id,
        )


def set_active(group: Group, actor: User, active: bool) -> None:
    """Deactivate a group (nobody can speak for it any longer; what was said stays) or bring
    it back."""
    if group.is_active == active:
        return
    group.is_active = active
    audit.record(
        "group.reactivated" if active else "group.deactivated",
        f"Group {group.name} {'reactivated' if active else 'deactivated'}",
        actor=actor,
        group_id=group.id,
    )


def coordinator_ids(group: Group) -> list[int]:
    """The active people who coordinate `group`: its coordinator delegation's, and the chairs
    of its room (named, or through their delegation)."""
    chair = (
        Membership.room_id == group.room_id,
        Membership.ended_at.is_(None),
        Membership.role == RoomRole.CHAIR,
    )
    named = select(Membership.user_id).where(*chair, Membership.user_id.is_not(None))
    whole = select(Membership.delegation_id).where(*chair, Membership.delegation_id.is_not(None))
    conditions = [User.id.in_(named), User.delegation_id.in_(whole)]
    if group.coordinator_id is not None:
        conditions.append(User.delegation_id == group.coordinator_id)
    return list(
        db.session.scalars(select(User.id).where(User.is_active.is_(True), or_(*conditions)))
    )


def tell_coordinators(group_id: int) -> None:
    """After the commit, the coordinators' dashboards re-fetch "Waiting for you" (a signal
    that says nothing of what waits: their page asks, through the policy)."""
    group = db.session.get(Group, group_id)
    for user_id in coordinator_ids(group):
        emit_after_commit("rooms-changed", {}, to=f"user:{user_id}")
