"""The Secretariat's administration: finding things page by page, and changing them.

Every change is checked in full before anything is touched, so a refused request leaves the
session clean; services flush and record an audit event, and the handler layer commits once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Generic, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql import ColumnElement

from consult import audit
from consult.accounts import services as accounts
from consult.accounts.models import Delegation, DelegationStatus, RegionalGroup, User
from consult.audit import AuditEvent
from consult.errors import ServiceError
from consult.extensions import db
from consult.rooms.models import AccessLevel, Membership, Room, RoomKind
from consult.rooms.services import CONFIDENTIAL_STATUSES
from consult.timeutil import is_time_zone, utcnow

T = TypeVar("T")


class AdminError(ServiceError):
    """A change that cannot be made; the message is shown next to the form field it concerns
    (`field`), or, for a refusal about the account itself (no field), flashed on its page."""


# ---- paging ---------------------------------------------------------------------------------


@dataclass
class Page(Generic[T]):
    """One page of a listing, with what the pager needs."""

    items: list[T]
    page: int
    pages: int
    total: int


def paginate(count: Select, query: Select, page: int, *, rows: bool = False) -> Page[Any]:
    """One COUNT query and one query for the rows; a page past the end shows the last one."""
    per_page = max(1, int(current_app.config["PAGE_SIZE"]))
    total = db.session.scalar(count) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    limited = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited)
    items = list(result.all()) if rows else list(result.scalars().all())
    return Page(items, page, pages, total)


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match that treats % and _ in the search as plain text."""
    return column.icontains(text, autoescape=True)


# ---- overview -------------------------------------------------------------------------------


@dataclass
class Overview:
    delegations: int
    active_delegations: int
    people: int
    invited: int
    deactivated: int
    rooms: int
    events_today: int


def overview() -> Overview:
    """The counts on the administration's front page, in one query."""

    def count(column: Any, *where: Any):
        return select(func.count(column)).where(*where).scalar_subquery()

    since = utcnow() - timedelta(days=1)
    row = db.session.execute(
        select(
            count(Delegation.id),
            count(Delegation.id, Delegation.is_active.is_(True)),
            count(User.id),
            count(User.id, User.is_active.is_(True), User.password_hash.is_(None)),
            count(User.id, User.is_active.is_(False)),
            count(Room.id),
            count(AuditEvent.id, AuditEvent.created_at >= since),
        )
    ).one()
    return Overview(*row)


# ---- delegations ----------------------------------------------------------------------------


def list_delegations(
    *, search: str = "", status: DelegationStatus | None = None, page: int = 1
) -> Page[Any]:
    """Delegations by name, each with its number of people (rows of (Delegation, int))."""
    where: list[ColumnElement[bool]] = []
    if search:
        where.append(
            or_(_contains(Delegation.name, search), _contains(Delegation.short_name, search))
        )
    if status is not None:
        where.append(Delegation.status == status)
    people = (
        select(func.count(User.id))
        .where(User.delegation_id == Delegation.id)
        .correlate(Delegation)
        .scalar_subquery()
    )
    query = (
        select(Delegation, people.label("people"))
        .where(*where)
        .order_by(Delegation.name, Delegation.id)
    )
    return paginate(select(func.count(Delegation.id)).where(*where), query, page, rows=True)


def delegation_choices() -> list[tuple[int, str, bool]]:
    """(id, name, is_active) of every delegation, by name, for select fields."""
    return [
        (row.id, row.name, row.is_active)
        for row in db.session.execute(
            select(Delegation.id, Delegation.name, Delegation.is_active).order_by(Delegation.name)
        )
    ]


def _check_delegation_name(name: str, exclude_id: int | None = None) -> None:
    query = select(Delegation.id).where(func.lower(Delegation.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Delegation.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise AdminError(_("A delegation with that name already exists."), "name")


def _jsonable(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _apply(obj: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Set the fields that differ; return {field: [old, new]} for the audit log."""
    changes: dict[str, Any] = {}
    for key, value in fields.items():
        old = getattr(obj, key)
        if old != value:
            changes[key] = [_jsonable(old), _jsonable(value)]
            setattr(obj, key, value)
    return changes


def create_delegation(
    *,
    name: str,
    short_name: str,
    status: DelegationStatus,
    regional_group: RegionalGroup | None,
    is_active: bool,
    actor: User,
    time_zone: str = "UTC",
) -> Delegation:
    """Accredit a new delegation (the Secretariat only)."""
    name, short_name = name.strip(), short_name.strip()
    _check_delegation_name(name)
    _check_time_zone(time_zone)
    delegation = Delegation(
        name=name,
        short_name=short_name,
        status=status,
        regional_group=regional_group,
        is_active=is_active,
        time_zone=time_zone,
    )
    db.session.add(delegation)
    db.session.flush()
    audit.record(
        "delegation.created",
        f"{actor.name} created the delegation {name}",
        actor=actor,
        delegation_id=delegation.id,
        name=name,
        short_name=short_name,
        status=status.value,
        regional_group=_jsonable(regional_group),
        is_active=is_active,
        time_zone=time_zone,
    )
    return delegation


def update_delegation(
    delegation: Delegation,
    *,
    name: str,
    short_name: str,
    status: DelegationStatus,
    regional_group: RegionalGroup | None,
    is_active: bool,
    actor: User,
    time_zone: str | None = None,
) -> dict[str, Any]:
    """Change a delegation's details; the Secretariat cannot lock itself out. A new time
    zone is the one people invited from now on start with; no one's own zone changes."""
    name, short_name = name.strip(), short_name.strip()
    _check_delegation_name(name, exclude_id=delegation.id)
    time_zone = time_zone or delegation.time_zone
    _check_time_zone(time_zone)
    if delegation.id == actor.delegation_id:
        if status is not DelegationStatus.SECRETARIAT:
            raise AdminError(
                _(
                    "This is your own delegation: changing its status would end "
                    "your access to the administration."
                ),
                "status",
            )
        if not is_active:
            raise AdminError(
                _("This is your own delegation: deactivating it would sign you out for good."),
                "is_active",
            )
    changes = _apply(
        delegation,
        {
            "name": name,
            "short_name": short_name,
            "status": status,
            "regional_group": regional_group,
            "is_active": is_active,
            "time_zone": time_zone,
        },
    )
    if changes:
        audit.record(
            "delegation.updated",
            f"{actor.name} updated the delegation {delegation.name}: {', '.join(changes)}",
            actor=actor,
            delegation_id=delegation.id,
            changes=changes,
        )
    return changes


# ---- people ---------------------------------------------------------------------------------


class PersonState(enum.StrEnum):
    ACTIVE = "active"  # may sign in
    INVITED = "invited"  # no password chosen yet
    INACTIVE = "inactive"  # deactivated


def list_people(
    *,
    search: str = "",
    delegation_id: int | None = None,
    state: PersonState | None = None,
    page: int = 1,
) -> Page[User]:
    """People by name; search matches name, e-mail and delegation (name or short name)."""
    where: list[ColumnElement[bool]] = []
    if search:
        where.append(
            or_(
                _contains(User.name, search),
                _contains(User.email, search),
                _contains(Delegation.name, search),
                _contains(Delegation.short_name, search),
            )
        )
    if delegation_id is not None:
        where.append(User.delegation_id == delegation_id)
    if state is PersonState.ACTIVE:
        where += [User.is_active.is_(True), User.password_hash.is_not(None)]
    elif state is PersonState.INVITED:
        where += [User.is_active.is_(True), User.password_hash.is_(None)]
    elif state is PersonState.INACTIVE:
        where.append(User.is_active.is_(False))
    # The explicit join serves the search; User.delegation itself is loaded by its own join.
    count = select(func.count(User.id)).join(Delegation, Delegation.id == User.delegation_id)
    query = select(User).join(Delegation, Delegation.id == User.delegation_id)
    return paginate(count.where(*where), query.where(*where).order_by(User.name, User.id), page)


def _delegation(delegation_id: int | None) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id) if delegation_id else None
    if delegation is None:
        raise AdminError(_("Choose a delegation from the list."), "delegation")
    return delegation


def _check_time_zone(zone: str) -> None:
    if not is_time_zone(zone):
        raise AdminError(_("Choose a time zone from the list."), "time_zone")


def invite_person(
    *,
    delegation_id: int,
    name: str,
    email: str,
    title: str,
    agency: str,
    time_zone: str,
    is_npc: bool,
    is_focal_point: bool,
    actor: User,
) -> User:
    """Create an account without a password and mail its single-use invitation link; no time
    zone ("") means the delegation's."""
    delegation = _delegation(delegation_id)
    time_zone = time_zone or delegation.time_zone
    _check_time_zone(time_zone)
    return accounts.invite_user(  # an address already taken is refused next to "email"
        delegation=delegation,
        name=name,
        email=email,
        invited_by=actor,
        title=title.strip(),
        agency=agency.strip(),
        time_zone=time_zone,
        is_npc=is_npc,
        is_focal_point=is_focal_point,
    )


def update_person(
    user: User,
    *,
    delegation_id: int,
    name: str,
    email: str,
    title: str,
    agency: str,
    time_zone: str,
    is_npc: bool,
    is_focal_point: bool,
    actor: User,
) -> dict[str, Any]:
    """Change a person's details; an e-mail address belongs to one account only. No time zone
    ("") means the (new) delegation's."""
    delegation = _delegation(delegation_id)
    time_zone = time_zone or delegation.time_zone
    _check_time_zone(time_zone)
    email = email.strip().lower()
    other = accounts.find_user_by_email(email)
    if other is not None and other.id != user.id:
        raise AdminError(_("An account with that e-mail address already exists."), "email")
    if user.id == actor.id and delegation.status is not DelegationStatus.SECRETARIAT:
        raise AdminError(
            _(
                "Moving yourself out of the Secretariat would end your access to "
                "the administration; ask a colleague to do it."
            ),
            "delegation",
        )
    changes = _apply(
        user,
        {
            "name": name.strip(),
            "email": email,
            "title": title.strip(),
            "agency": agency.strip(),
            "time_zone": time_zone,
            "is_npc": is_npc,
            "is_focal_point": is_focal_point,
        },
    )
    if user.delegation_id != delegation.id:
        changes["delegation"] = [user.delegation.name, delegation.name]
        user.delegation = delegation
    if changes:
        audit.record(
            "account.updated",
            f"{actor.name} updated {user.name}'s account: {', '.join(changes)}",
            actor=actor,
            subject=user,
            delegation_id=delegation.id,
            changes=changes,
        )
    return changes


def invitation_refusal(user: User) -> str | None:
    """Why no new invitation can go to this person, or None (the person page asks too)."""
    if user.password_hash is not None:
        return _(
            "%(name)s has already chosen a password. If it is forgotten, they "
            "can reset it from the sign-in page.",
            name=user.name,
        )
    if not user.is_active:
        return _("This account is deactivated. Reactivate it first.")
    return None


def resend_invitation(user: User, *, actor: User, note: str = "") -> None:
    """A fresh invitation link (the old one dies) for someone who has not chosen a password."""
    if (refusal := invitation_refusal(user)) is not None:
        raise AdminError(refusal)
    accounts.send_invitation(user, actor, note.strip())
    audit.record(
        "account.invitation_resent",
        f"{actor.name} sent {user.name} a new invitation",
        actor=actor,
        subject=user,
        delegation_id=user.delegation_id,
    )


def deactivation_refusal(user: User, actor: User) -> str | None:
    """Why `actor` may not deactivate this account, or None (the person page asks too)."""
    if user.id == actor.id:
        return _("You cannot deactivate your own account.")
    if not user.is_active:
        return _("This account is already deactivated.")
    return None


def deactivate_person(user: User, *, reason: str, actor: User) -> None:
    """End every session of this person and refuse their sign-ins; their history stays."""
    if (refusal := deactivation_refusal(user, actor)) is not None:
        raise AdminError(refusal)
    accounts.deactivate(user, reason=reason.strip(), actor=actor)


def reactivate_person(user: User, *, actor: User) -> None:
    """Let a deactivated person sign in again with their existing password."""
    if user.is_active:
        raise AdminError(_("This account is already active."))
    accounts.reactivate(user, actor=actor)


@dataclass
class PersonRecord:
    """What the Secretariat sees about one person besides their details."""

    current: list[Membership]
    history: list[Membership]
    events: list[AuditEvent]
    successor: User | None


def person_record(user: User, *, events: int = 20) -> PersonRecord:
    """Current memberships (own and through the delegation), ended ones, recent audit events."""
    memberships = db.session.scalars(
        select(Membership)
        .where(
            or_(
                Membership.user_id == user.id,
                and_(Membership.delegation_id == user.delegation_id, Membership.ended_at.is_(None)),
            )
        )
        .options(joinedload(Membership.room))
        .order_by(Membership.started_at.desc(), Membership.id.desc())
    ).all()
    recent = db.session.scalars(
        select(AuditEvent)
        .where(or_(AuditEvent.actor_id == user.id, AuditEvent.subject_user_id == user.id))
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(events)
    ).all()
    successor = db.session.get(User, user.successor_id) if user.successor_id else None
    return PersonRecord(
        # A deactivated account is in no room now, whatever rows remain for a reactivation.
        current=[m for m in memberships if m.ended_at is None] if user.is_active else [],
        history=sorted(
            (m for m in memberships if m.ended_at is not None),
            key=lambda m: m.ended_at,
            reverse=True,
        ),
        events=list(recent),
        successor=successor,
    )


# ---- rooms ----------------------------------------------------------------------------------


def list_rooms(*, search: str = "", page: int = 1) -> Page[Any]:
    """Rooms by title with their parent and current number of members (rows of (Room, int))."""
    where: list[ColumnElement[bool]] = []
    if search:
        where.append(or_(_contains(Room.title, search), _contains(Room.slug, search)))
    members = (
        select(func.count(Membership.id))
        .where(Membership.room_id == Room.id, Membership.ended_at.is_(None))
        .correlate(Room)
        .scalar_subquery()
    )
    query = (
        select(Room, members.label("members"))
        .where(*where)
        .options(joinedload(Room.parent))
        .order_by(Room.title, Room.id)
    )
    return paginate(select(func.count(Room.id)).where(*where), query, page, rows=True)


def room_choices(exclude: Room | None = None) -> list[tuple[int, str]]:
    """(id, title) of every room but `exclude`, for the parent room select."""
    query = select(Room.id, Room.title).order_by(Room.title)
    if exclude is not None:
        query = query.where(Room.id != exclude.id)
    return [(row.id, row.title) for row in db.session.execute(query)]


def current_member_count(room: Room) -> int:
    return (
        db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.room_id == room.id, Membership.ended_at.is_(None)
            )
        )
        or 0
    )


def _check_slug(slug: str, exclude_id: int | None = None) -> None:
    query = select(Room.id).where(Room.slug == slug)
    if exclude_id is not None:
        query = query.where(Room.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise AdminError(_("Another room already uses that short address."), "slug")


def _parent(parent_id: int | None, room: Room | None = None) -> Room | None:
    """The chosen parent, refusing unknown rooms and loops (a room inside itself)."""
    if not parent_id:
        return None
    parent = db.session.get(Room, parent_id)
    if parent is None:
        raise AdminError(_("Choose a parent room from the list."), "parent")
    if room is None:
        return parent
    if parent.id == room.id:
        raise AdminError(_("A room cannot be its own parent."), "parent")
    seen: set[int] = set()
    ancestor_id = parent.parent_id
    while ancestor_id is not None and ancestor_id not in seen:
        if ancestor_id == room.id:
            raise AdminError(
                _(
                    "%(title)s is inside this room, so it cannot also be its parent.",
                    title=parent.title,
                ),
                "parent",
            )
        seen.add(ancestor_id)
        ancestor_id = db.session.scalar(select(Room.parent_id).where(Room.id == ancestor_id))
    return parent


def _ineligible_for_confidential(room: Room) -> list[str]:
    """Names of current members who may not be in a confidential room."""
    rows = db.session.execute(
        select(Delegation.name)
        .select_from(Membership)
        .outerjoin(User, User.id == Membership.user_id)
        .join(
            Delegation,
            or_(Delegation.id == Membership.delegation_id, Delegation.id == User.delegation_id),
        )
        .where(
            Membership.room_id == room.id,
            Membership.ended_at.is_(None),
            Delegation.status.not_in(CONFIDENTIAL_STATUSES),
        )
        .distinct()
        .order_by(Delegation.name)
    )
    return [name for (name,) in rows]


def create_room(
    *,
    title: str,
    slug: str,
    kind: RoomKind,
    access: AccessLevel,
    parent_id: int | None,
    time_zone: str,
    description: str,
    actor: User,
    retention_days: int | None = None,
    regional_group: RegionalGroup | None = None,
    circulation_days: int | None = None,
) -> Room:
    """A new room, with no members yet; they are added on the room's own page."""
    slug = slug.strip()
    _check_slug(slug)
    regional_group = _room_group(kind, regional_group)
    parent = _parent(parent_id)
    _check_time_zone(time_zone)
    room = Room(
        title=title.strip(),
        slug=slug,
        kind=kind,
        access=access,
        parent_id=parent.id if parent else None,
        time_zone=time_zone,
        description=description.strip(),
        retention_days=retention_days,
        circulation_days=circulation_days,
        regional_group=regional_group,
    )
    db.session.add(room)
    db.session.flush()
    audit.record(
        "room.created",
        f"{actor.name} created the room {room.title}",
        actor=actor,
        room_id=room.id,
        slug=slug,
        room_kind=kind.value,
        access=access.value,
        parent_id=room.parent_id,
    )
    return room


def _room_group(kind: RoomKind, group: RegionalGroup | None) -> RegionalGroup | None:
    """A regional group's room names its group (who may be added depends on it); others none."""
    if kind is not RoomKind.REGIONAL_GROUP:
        return None
    if group is None:
        raise AdminError(
            _("Choose the regional group whose States this room is for."), "regional_group"
        )
    return group


def update_room(
    room: Room,
    *,
    title: str,
    slug: str,
    kind: RoomKind,
    access: AccessLevel,
    parent_id: int | None,
    time_zone: str,
    description: str,
    actor: User,
    retention_days: int | None = None,
    regional_group: RegionalGroup | None = None,
    circulation_days: int | None = None,
) -> dict[str, Any]:
    """Change a room's details; a room does not become confidential around ineligible members."""
    slug = slug.strip()
    regional_group = _room_group(kind, regional_group)
    _check_slug(slug, exclude_id=room.id)
    parent = _parent(parent_id, room)
    _check_time_zone(time_zone)
    if access is AccessLevel.CONFIDENTIAL and room.access is not AccessLevel.CONFIDENTIAL:
        ineligible = _ineligible_for_confidential(room)
        if ineligible:
            raise AdminError(
                _(
                    "Only States Parties and signatory States can be members of a confidential "
                    "room. Remove these members first: %(names)s.",
                    names=", ".join(ineligible),
                ),
                "access",
            )
    changes = _apply(
        room,
        {
            "title": title.strip(),
            "slug": slug,
            "kind": kind,
            "access": access,
            "parent_id": parent.id if parent else None,
            "time_zone": time_zone,
            "description": description.strip(),
            "retention_days": retention_days,
            "circulation_days": circulation_days,
            "regional_group": regional_group,
        },
    )
    if "description" in changes:
        # The text may be long and the room page shows the current one: the fact suffices.
        changes["description"] = "changed"
    if changes:
        audit.record(
            "room.updated",
            f"{actor.name} updated the room {room.title}: {', '.join(changes)}",
            actor=actor,
            room_id=room.id,
            changes=changes,
        )
    return changes


# ---- audit log --------------------------------------------------------------------------------


def audit_kinds() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.kind).distinct().order_by(AuditEvent.kind)))


def day_bounds(
    first: date | None, last: date | None, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """From the start of `first` to the end of `last`, both days in the viewer's zone, as UTC."""
    since = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC) if first else None
    until = (
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
        if last
        else None
    )
    return since, until


def list_events(
    *,
    kind: str | None = None,
    person: str = "",
    room_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
) -> Page[Any]:
    """Audit events, newest first (rows of (AuditEvent, room title or None))."""
    where: list[ColumnElement[bool]] = []
    if kind:
        where.append(AuditEvent.kind == kind)
    if person:
        where.append(
            or_(
                _contains(AuditEvent.actor_label, person),
                AuditEvent.actor_id.in_(select(User.id).where(_contains(User.email, person))),
            )
        )
    if room_id is not None:
        where.append(AuditEvent.room_id == room_id)
    if since is not None:
        where.append(AuditEvent.created_at >= since)
    if until is not None:
        where.append(AuditEvent.created_at < until)
    query = (
        select(AuditEvent, Room.title)
        .outerjoin(Room, Room.id == AuditEvent.room_id)
        .where(*where)
        .options(joinedload(AuditEvent.actor), joinedload(AuditEvent.subject_user))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    return paginate(select(func.count(AuditEvent.id)).where(*where), query, page, rows=True)
