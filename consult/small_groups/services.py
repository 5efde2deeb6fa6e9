"""Open a small group under a room one chairs; the Secretariat closes and reopens them.

The room itself is made by the Secretariat's own room-creation service
(`consult.admin.services.create_room`: the address, the parent, the time zone are checked
there, and it writes the `room.created` audit line), and its members are added through
`consult.rooms.services.add_member` with all its guardrails. What this module adds is the
rule of the issue: every member must already be in the parent room's audience.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from consult import audit
from consult.accounts.models import Delegation, DelegationStatus, User
from consult.admin import services as admin
from consult.extensions import db
from consult.policy import Need, can
from consult.rooms import services as rooms
from consult.rooms.models import AccessLevel, Membership, Room, RoomKind, RoomRole
from consult.rooms.services import RoomError
from consult.transaction import emit_after_commit

_STATES = (DelegationStatus.STATE_PARTY, DelegationStatus.SIGNATORY)
MAX_TITLE = 200
MAX_DESCRIPTION = 5_000


def _current(parent: Room):
    return select(Membership).where(Membership.room_id == parent.id, Membership.ended_at.is_(None))


def audience_delegations(parent: Room) -> list[Delegation]:
    """The active delegations all of whose people may see `parent` (a delegation added to the
    small group gives every one of its people access, so the whole delegation must see the
    parent): everyone for an open or transparent room, the States (and members) for a
    States room, the delegations that are members for a members or confidential room."""
    members = select(Membership.delegation_id).where(
        Membership.room_id == parent.id,
        Membership.ended_at.is_(None),
        Membership.delegation_id.is_not(None),
    )
    query = select(Delegation).where(Delegation.is_active.is_(True)).order_by(Delegation.name)
    if parent.access in (AccessLevel.OPEN, AccessLevel.TRANSPARENT):
        pass
    elif parent.access is AccessLevel.STATES:
        query = query.where(
            or_(
                Delegation.status.in_(_STATES),
                Delegation.status == DelegationStatus.SECRETARIAT,
                Delegation.id.in_(members),
            )
        )
    else:
        query = query.where(
            or_(Delegation.status == DelegationStatus.SECRETARIAT, Delegation.id.in_(members))
        )
    if parent.access is AccessLevel.CONFIDENTIAL:
        query = query.where(Delegation.status.in_(_STATES))  # the confidential rule, always
    return list(db.session.scalars(query))


def audience_people(parent: Room) -> list[User]:
    """The people who are members of `parent` in their own name (active accounts)."""
    person = aliased(Membership)
    return list(
        db.session.scalars(
            select(User)
            .join(person, person.user_id == User.id)
            .where(
                person.room_id == parent.id,
                person.ended_at.is_(None),
                User.is_active.is_(True),
            )
            .order_by(User.name)
            .distinct()
        )
    )


def _slug_for(parent: Room, title: str) -> str:
    """A free short address under the parent's: `<parent>-<title words>`, numbered if taken."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "small-group"
    base = f"{parent.slug}-{words}"[:72].strip("-")
    slug, n = base, 1
    while db.session.scalar(select(Room.id).where(Room.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_small_group(
    parent: Room,
    actor: User,
    *,
    title: str,
    description: str,
    delegation_ids: list[int],
    user_ids: list[int],
) -> Room:
    """A small-group room under `parent`, opened by one of its chairs or facilitators, with
    `actor` as its chair and members drawn only from the parent's audience."""
    if not can(Need.MANAGE, parent, actor):
        raise RoomError(_("Only the room's chairs and facilitators can open a small group."))
    if parent.is_archived:
        raise RoomError(_("This room is closed; no small group can be opened under it."))
    title = (title or "").strip()
    if not title:
        raise RoomError(_("Give the small group a title."), field="title")
    if len(title) > MAX_TITLE:
        raise RoomError(
            _(
                "The title is too long (%(n)d characters; at most %(max)d).",
                n=len(title),
                max=MAX_TITLE,
            ),
            field="title",
        )
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise RoomError(
            _(
                "The description is too long (%(n)d characters; at most %(max)d).",
                n=len(description),
                max=MAX_DESCRIPTION,
            ),
            field="description",
        )
    audience = {d.id: d for d in audience_delegations(parent)}
    delegations = []
    for ident in dict.fromkeys(delegation_ids):
        delegation = audience.get(ident)
        if delegation is None:
            found = db.session.get(Delegation, ident)
            raise RoomError(
                _(
                    "%(name)s may not see %(room)s, so it cannot be in a small group under it.",
                    name=found.name if found else _("That delegation"),
                    room=parent.title,
                ),
                field="delegations",
            )
        delegations.append(delegation)
    people = []
    for ident in dict.fromkeys(user_ids):
        user = db.session.get(User, ident)
        if user is None or not user.is_active or not can(Need.VIEW, parent, user):
            raise RoomError(
                _(
                    "%(name)s may not see %(room)s, so they cannot be in a small group under it.",
                    name=user.name if user else _("That person"),
                    room=parent.title,
                ),
                field="people",
            )
        people.append(user)
    # Never wider than the parent: members only, and confidential under a confidential room.
    access = (
        AccessLevel.CONFIDENTIAL
        if parent.access is AccessLevel.CONFIDENTIAL
        else AccessLevel.MEMBERS
    )
    room = admin.create_room(
        title=title,
        slug=_slug_for(parent, title),
        kind=RoomKind.SMALL_GROUP,
        access=access,
        parent_id=parent.id,
        time_zone=parent.time_zone,
        description=description,
        actor=actor,
        retention_days=parent.retention_days,
    )
    room.created_by_id = actor.id
    rooms.add_member(room, RoomRole.CHAIR, actor, user=actor)
    for delegation in delegations:
        rooms.add_member(room, RoomRole.MEMBER, actor, delegation=delegation)
    for user in people:
        if user.id != actor.id:
            rooms.add_member(room, RoomRole.MEMBER, actor, user=user)
    audit.record(
        "room.small_group_opened",
        f"{actor.name} opened the small group {room.title} under {parent.title}",
        actor=actor,
        room_id=room.id,
        parent_id=parent.id,
        delegations=[d.id for d in delegations],
        people=[u.id for u in people],
    )
    # The parent's line speaks of the new room: only those who may see it read it.
    rooms.note_activity(
        parent,
        "room.small_group_opened",
        _l("%(who)s opened the small group %(title)s", who=actor.name, title=room.title),
        actor,
        subject=room,
    )
    return room


def opened_by_office_holders() -> list[tuple[Room, Room, User | None]]:
    """Every small-group room with a parent, its parent and who opened it (the Secretariat's
    list), open ones first, newest first."""
    parent = aliased(Room)
    rows = db.session.execute(
        select(Room, parent, User)
        .join(parent, parent.id == Room.parent_id)
        .outerjoin(User, User.id == Room.created_by_id)
        .where(Room.kind == RoomKind.SMALL_GROUP)
        .order_by(Room.is_archived, Room.created_at.desc(), Room.id.desc())
    )
    return [(room, up, creator) for room, up, creator in rows]


def set_closed(room: Room, actor: User, closed: bool) -> None:
    """The Secretariat closes a small group (archived: read-only for its members) or reopens it."""
    if room.kind is not RoomKind.SMALL_GROUP:
        raise RoomError(_("Only small groups are closed here."))
    if room.is_archived == closed:
        raise RoomError(
            _("This small group is already closed.") if closed else _("This small group is open.")
        )
    room.is_archived = closed
    audit.record(
        "room.closed" if closed else "room.reopened",
        f"{actor.name} {'closed' if closed else 'reopened'} the small group {room.title}",
        actor=actor,
        room_id=room.id,
    )
    # Content-free: the members' open pages re-fetch their rooms (and see it closed).
    people = {u for m in db.session.scalars(_current(room)) for u in rooms.affected_user_ids(m)}
    for user_id in sorted(people):
        emit_after_commit("rooms-changed", {}, to=f"user:{user_id}")
