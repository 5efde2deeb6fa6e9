"""Room operations: membership, roles, invitations, join requests, activity and visits.

Services flush and audit; the handler layer commits once, and live events go out after the commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from consult import audit, i18n, mail
from consult.accounts import handover
from consult.accounts import services as accounts
from consult.accounts.models import Delegation, DelegationStatus, User
from consult.errors import ServiceError
from consult.extensions import db
from consult.i18n import later
from consult.links import path_for
from consult.notifications.services import notify
from consult.policy import Need, can, is_gated, subject_of, visible, visible_subject
from consult.rooms.models import (
    ROLE_LABELS,
    AccessLevel,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Room,
    RoomActivity,
    RoomKind,
    RoomRole,
    RoomVisit,
)
from consult.rooms.policy import forget_room_roles
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit

CONFIDENTIAL_STATUSES = (DelegationStatus.STATE_PARTY, DelegationStatus.SIGNATORY)


class RoomError(ServiceError):
    """A membership change that cannot be made; the message is shown to the chair.

    A refusal of the room's kind rule that the Secretariat may override names the `override`
    field: the message then stands next to the "Add anyway" box it asks them to tick.
    """


#: Every kind of activity line, and what it speaks of. note_activity() refuses any other kind,
#: and the authorisation tests fail for a kind without its row.
ACTIVITY_KINDS: dict[str, str] = {
    "room.member_added": "the room (a delegation or person joined)",
    "room.role_changed": "the room (a role changed)",
    "room.member_removed": "the room (a delegation or person left)",
    "room.activity": "the room (the demo's line in a confidential room)",
    "room.small_group_opened": "a small-group room opened under this room by its chair",
    "paper.created": "a paper",
    "paper.revised": "a paper",
    "paper.opened": "a paper opened for comments",
    "meeting.created": "a meeting",
    "thread.activity": "a confidential thread",
    "brief.pending": "a trend brief open to objections",
    "brief.published": "a published trend brief",
    "discussion.started": "a discussion (topic)",
    "case_study.published": "a case study (never naming its delegation)",
}


def note_activity(
    room: Room,
    kind: str,
    summary: str | LazyString,
    actor: User | None = None,
    *,
    subject: object = None,
) -> None:
    """Record what changed, for "since your last visit"; no confidential text.

    A lazy `summary` (`_l`) is kept as its message and values, so each reader reads the line
    in their own language (`RoomActivity.line`); a plain string is shown as it was written.

    A line is shared by the room but shown only to those who may see its `subject` when they
    read it (recent_activity, dashboard): a paper taken back to drafting falls silent for
    delegates and speaks again once it is visible. No subject: a line about the room itself.
    """
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}: add it to ACTIVITY_KINDS")
    if room.access is AccessLevel.CONFIDENTIAL:
        summary = _l("New activity in a confidential room")
    subject_type, subject_id = subject_of(subject)
    with force_locale(i18n.DEFAULT):  # the stored words; each reader reads `message`
        words = str(summary)
    db.session.add(
        RoomActivity(
            room_id=room.id,
            kind=kind,
            summary=words[:300],
            message=i18n.to_message(summary),
            actor_id=actor.id if actor else None,
            subject_type=subject_type,
            subject_id=subject_id,
        )
    )


def _activity_visible_to(user: User):
    return visible_subject(RoomActivity.subject_type, RoomActivity.subject_id, user)


def _rooms_changed(*user_ids: int) -> None:
    """Tell those people's open pages that their rooms changed (content-free)."""
    for user_id in set(user_ids):
        emit_after_commit("rooms-changed", {}, to=f"user:{user_id}")


def affected_user_ids(membership: Membership) -> list[int]:
    if membership.user_id is not None:
        return [membership.user_id]
    return list(
        db.session.scalars(select(User.id).where(User.delegation_id == membership.delegation_id))
    )


def people_ids(room: Room) -> list[int]:
    """The people of the room now: its named members and the people of its member
    delegations (one query); `notify` then keeps only those who may see the subject."""
    current = and_(Membership.room_id == room.id, Membership.ended_at.is_(None))
    return list(
        db.session.scalars(
            select(User.id).where(
                or_(
                    User.id.in_(
                        select(Membership.user_id).where(current, Membership.user_id.is_not(None))
                    ),
                    User.delegation_id.in_(
                        select(Membership.delegation_id).where(
                            current, Membership.delegation_id.is_not(None)
                        )
                    ),
                )
            )
        )
    )


def current_membership(
    room: Room, *, delegation: Delegation | None = None, user: User | None = None
) -> Membership | None:
    clause = (
        (Membership.delegation_id == delegation.id)
        if delegation
        else (Membership.user_id == user.id)
    )
    return db.session.scalars(
        select(Membership).where(
            Membership.room_id == room.id, Membership.ended_at.is_(None), clause
        )
    ).first()


def kind_refusal(room: Room, delegation: Delegation) -> str | None:
    """Why the room's kind (or States-only access) does not take this delegation, or None.

    A regional group's room takes the States of its group; a States-only room takes States
    Parties and signatory States. The Secretariat's own delegation is never refused: it
    administers every room already.
    """
    if delegation.status is DelegationStatus.SECRETARIAT:
        return None
    if room.kind is RoomKind.REGIONAL_GROUP:
        if not delegation.status.is_state:
            return _(
                "%(room)s is a regional group's room: it takes the group's States; "
                "%(name)s is %(status)s.",
                room=room.title,
                name=delegation.name,
                status=delegation.status.label,
            )
        if room.regional_group is None:
            return _(
                "%(room)s has no regional group set, so nobody can tell who belongs in it. "
                "The Secretariat sets it on the room's form.",
                room=room.title,
            )
        if delegation.regional_group is not room.regional_group:
            return _(
                "%(room)s is the room of the %(group)s; %(name)s is not in that group.",
                room=room.title,
                group=room.regional_group.label,
                name=delegation.name,
            )
    if room.access is AccessLevel.STATES and delegation.status not in CONFIDENTIAL_STATUSES:
        return _(
            "%(room)s is for States Parties and signatory States only; %(name)s is %(status)s.",
            room=room.title,
            name=delegation.name,
            status=delegation.status.label,
        )
    return None


def _check_eligible(
    room: Room,
    delegation: Delegation,
    actor: User | None = None,
    *,
    override: bool = False,
    field: str | None = None,
) -> str | None:
    """Refuse a delegation the room may not take (the message next to `field`); return the
    kind rule overridden, if any (only those who may override the guardrails can)."""
    if not delegation.is_active:
        raise RoomError(
            _("%(name)s is not an active delegation.", name=delegation.name), field=field
        )
    if room.access is AccessLevel.CONFIDENTIAL and delegation.status not in CONFIDENTIAL_STATUSES:
        raise RoomError(
            _(
                "Only States Parties and signatory States can be members of a confidential room; "
                "%(name)s is %(status)s.",
                name=delegation.name,
                status=delegation.status.label,
            ),
            field=field,
        )
    refusal = kind_refusal(room, delegation)
    if refusal is None:
        return None
    if actor is not None and can(Need.OVERRIDE, room, actor):
        if override:
            return refusal
        raise RoomError(
            refusal + " " + _("As the Secretariat you may add them anyway: tick “Add anyway”."),
            field="override",
        )
    raise RoomError(refusal, field=field)


def delegation_to_add(delegation_id: int | None) -> Delegation:
    """The active delegation chosen in a form, or a refusal next to its field."""
    delegation = db.session.get(Delegation, delegation_id) if delegation_id else None
    if delegation is None:
        raise RoomError(_("Choose a delegation from the list."), field="delegation")
    return delegation


def add_member(
    room: Room,
    role: RoomRole,
    actor: User,
    *,
    delegation: Delegation | None = None,
    user: User | None = None,
    override: bool = False,
) -> Membership:
    """Add a delegation or a person, or change their role if they are already in.

    A newcomer must fit the room's kind; the Secretariat may override that rule (`override`,
    see Need.OVERRIDE), and the override is audited. A role change of someone already in is not
    checked again.
    """
    if (delegation is None) == (user is None):
        raise RoomError(_("Choose a delegation or a person."))
    if user is not None and not user.is_active:
        raise RoomError(_("%(name)s's account is not active.", name=user.name))
    existing = current_membership(room, delegation=delegation, user=user)
    overridden = None
    if existing is None:
        overridden = _check_eligible(room, delegation or user.delegation, actor, override=override)
    else:
        _check_eligible(room, delegation or user.delegation)  # the confidential rule always
    who = delegation.name if delegation else f"{user.name} ({user.delegation.short_name})"
    now = utcnow()
    previous_id = None
    if existing is not None:
        if existing.role is role:
            raise RoomError(
                _("%(who)s is already in this room as %(role)s.", who=who, role=role.label)
            )
        existing.ended_at = now
        existing.end_reason = "role changed"
        previous_id = existing.id
    membership = Membership(
        room_id=room.id,
        delegation_id=delegation.id if delegation else None,
        user_id=user.id if user else None,
        role=role,
        started_at=now,
        added_by_id=actor.id,
        previous_id=previous_id,
    )
    db.session.add(membership)
    db.session.flush()
    if existing is None:
        kind, summary = (
            "room.member_added",
            _l("%(who)s joined as %(role)s", who=who, role=ROLE_LABELS[role]),
        )
    else:
        kind, summary = (
            "room.role_changed",
            _l(
                "%(who)s is now %(role)s (was %(old)s)",
                who=who,
                role=ROLE_LABELS[role],
                old=ROLE_LABELS[existing.role],
            ),
        )
    audit.record(
        kind,
        f"{room.title}: {summary}",
        actor=actor,
        subject=user,
        room_id=room.id,
        delegation_id=delegation.id if delegation else user.delegation_id,
        role=role.value,
    )
    if overridden:
        audit.record(
            "room.kind_rule_overridden",
            f"{room.title}: {actor.name} added {who} outside the room's rule ({overridden})",
            actor=actor,
            subject=user,
            room_id=room.id,
            delegation_id=delegation.id if delegation else user.delegation_id,
        )
    note_activity(room, kind, summary, actor)
    forget_room_roles()
    _rooms_changed(*affected_user_ids(membership))
    db.session.flush()  # the notifications ask the policy, which reads the new membership
    _tell_member(room, membership, existing, actor)
    return membership


def _tell_member(
    room: Room, membership: Membership, existing: Membership | None, actor: User
) -> None:
    """Those added (the person, or the delegation's people) hear of it, and of a new role;
    a confidential room is not named (the notifications page is not behind the gate)."""
    told = [user_id for user_id in affected_user_ids(membership) if user_id != actor.id]
    if not told:
        return
    hidden = room.access is AccessLevel.CONFIDENTIAL or is_gated(room)
    whole = membership.delegation_id is not None
    role = later(lambda: membership.role.label)  # in each recipient's language
    if existing is None:
        kind = "room.added"
        if hidden:
            text = (
                _l(
                    "Your delegation was added to a confidential room as %(role)s",
                    role=role,
                )
                if whole
                else _l(
                    "You were added to a confidential room as %(role)s",
                    role=role,
                )
            )
        elif whole:
            text = _l(
                "Your delegation was added to %(room)s as %(role)s",
                room=room.title,
                role=role,
            )
        else:
            text = _l(
                "You were added to %(room)s as %(role)s",
                room=room.title,
                role=role,
            )
    else:
        kind = "room.role"
        if hidden:
            text = _l(
                "Your role in a confidential room is now %(role)s (was %(old)s)",
                role=role,
                old=later(lambda: existing.role.label),
            )
        else:
            text = _l(
                "Your role in %(room)s is now %(role)s (was %(old)s)",
                room=room.title,
                role=role,
                old=later(lambda: existing.role.label),
            )
    notify(told, kind, text, _room_path(room), subject=room)


def _room_path(room: Room, anchor: str = "") -> str:
    return path_for("rooms.room", slug=room.slug) + anchor


def remove_member(membership: Membership, actor: User) -> None:
    if membership.ended_at is not None:
        raise RoomError(_("That membership has already ended."))
    room = db.session.get(Room, membership.room_id)
    last_chair = membership.role is RoomRole.CHAIR and _chair_count(room) <= 1
    if last_chair and not can(Need.OVERRIDE, room, actor):
        raise RoomError(_("A room needs a chair. Name another chair before removing this one."))
    membership.ended_at = utcnow()
    membership.end_reason = "removed"
    who = _who(membership)
    person = db.session.get(User, membership.user_id) if membership.user_id else None
    audit.record(
        "room.member_removed",
        f"{room.title}: {who} removed",
        actor=actor,
        subject=person,
        room_id=room.id,
        delegation_id=membership.delegation_id or person.delegation_id,
    )
    note_activity(room, "room.member_removed", _l("%(who)s left the room", who=who), actor)
    forget_room_roles()
    user_ids = affected_user_ids(membership)
    _rooms_changed(*user_ids)
    for user_id in user_ids:
        # Sockets of people who may no longer see the room leave its channels at once.
        emit_after_commit("access-changed", {"room": room.id}, to=f"user:{user_id}")


def _chair_count(room: Room) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.room_id == room.id,
            Membership.ended_at.is_(None),
            Membership.role == RoomRole.CHAIR,
        )
    )


def _who(membership: Membership) -> str:
    if membership.delegation_id is not None:
        return db.session.get(Delegation, membership.delegation_id).name
    user = db.session.get(User, membership.user_id)
    return f"{user.name} ({user.delegation.short_name})"


def delegation_ids_in(room: Room) -> set[int]:
    """Delegations in the room now: as a whole, or through one of their people (one query)."""
    rows = db.session.execute(
        select(Membership.delegation_id, User.delegation_id)
        .outerjoin(User, User.id == Membership.user_id)
        .where(Membership.room_id == room.id, Membership.ended_at.is_(None))
    ).all()
    return {whole or through for whole, through in rows if (whole or through)}


def invite_to_room(
    room: Room,
    *,
    email: str,
    role: RoomRole,
    actor: User,
    name: str = "",
    delegation: Delegation | None = None,
    note: str = "",
    override: bool = False,
) -> User:
    """Add a person by e-mail: an existing account joins at once, a new one is invited.

    A chair or facilitator adds people of the delegations already in the room, and creates
    accounts only for their own delegation; the Secretariat (Need.OVERRIDE) accredits everyone
    else. Both
    e-mails name the room and carry the inviter's message.
    """
    user = accounts.find_user_by_email(email)
    note = note.strip()
    if user is None:
        if not name.strip() or delegation is None:
            raise RoomError(
                _(
                    "There is no account for %(email)s yet: give their name and "
                    "delegation to invite them.",
                    email=email,
                ),
                "email",
            )
        overrides = can(Need.OVERRIDE, room, actor)
        if not overrides and delegation.id != actor.delegation_id:
            raise RoomError(
                _(
                    "You can invite new accounts only for your own delegation (%(own)s); "
                    "the Secretariat invites the people of other delegations.",
                    own=actor.delegation.name,
                ),
                "delegation",
            )
        _check_eligible(room, delegation, actor, override=override, field="delegation")
        user = accounts.invite_user(
            delegation=delegation,
            name=name,
            email=email,
            invited_by=actor,
            note=note,
            room_title=room.title,
        )
        add_member(room, role, actor, user=user, override=override)
        return user
    if not can(Need.OVERRIDE, room, actor) and user.delegation_id not in delegation_ids_in(room):
        raise RoomError(
            _(
                "%(name)s's delegation, %(delegation)s, is not in this room. You can add "
                "people of the delegations already here; ask the Secretariat for others.",
                name=user.name,
                delegation=user.delegation.name,
            ),
            "email",
        )
    add_member(room, role, actor, user=user, override=override)
    with i18n.writing_to(user):
        mail.queue(
            user.email,
            _("You were added to %(room)s on consult", room=room.title),
            _(
                "%(actor)s added you to %(room)s as %(role)s.\n\n%(note)s",
                actor=actor.name,
                room=room.title,
                role=role.label,
                note=f"{note}\n\n" if note else "",
            ),
            user_id=user.id,
        )
    return user


def request_to_join(room: Room, user: User, message: str) -> JoinRequest:
    pending = db.session.scalars(
        select(JoinRequest).where(
            JoinRequest.room_id == room.id,
            JoinRequest.user_id == user.id,
            JoinRequest.status == JoinRequestStatus.PENDING,
        )
    ).first()
    if pending is not None:
        raise RoomError(_("You have already asked to join; the chair has not answered yet."))
    request_ = JoinRequest(room_id=room.id, user_id=user.id, message=message.strip())
    db.session.add(request_)
    db.session.flush()
    audit.record(
        "room.join_requested",
        f"{room.title}: {user.name} asked to join",
        actor=user,
        room_id=room.id,
    )
    for manager_id in manager_ids(room):
        emit_after_commit("join-requests-changed", {"room": room.id}, to=f"user:{manager_id}")
    _tell_managers_of_request(room, user, request_)
    return request_


def _tell_managers_of_request(room: Room, user: User, request_: JoinRequest) -> None:
    """The room's named chairs and facilitators hear of a request to decide (who asks is named:
    they decide on that person; a confidential room is not)."""
    if room.access is AccessLevel.CONFIDENTIAL or is_gated(room):
        text = _l(
            "%(who)s (%(delegation)s) asks to join a confidential room: yours to decide",
            who=user.name,
            delegation=user.delegation.name,
        )
    else:
        text = _l(
            "%(who)s (%(delegation)s) asks to join %(room)s",
            who=user.name,
            delegation=user.delegation.name,
            room=room.title,
        )
    notify(
        [manager for manager in manager_ids(room) if manager != user.id],
        "room.join_request",
        text,
        _room_path(room, f"#join-request-{request_.id}"),
        subject=room,
    )


def manager_ids(room: Room) -> list[int]:
    direct = select(Membership.user_id).where(
        Membership.room_id == room.id,
        Membership.ended_at.is_(None),
        Membership.role.in_((RoomRole.CHAIR, RoomRole.FACILITATOR)),
        Membership.user_id.is_not(None),
    )
    return list(db.session.scalars(direct))


def decide_join_request(
    request_: JoinRequest, *, accept: bool, role: RoomRole, actor: User
) -> None:
    if request_.status is not JoinRequestStatus.PENDING:
        raise RoomError(_("That request has already been answered."))
    request_.status = JoinRequestStatus.ACCEPTED if accept else JoinRequestStatus.DECLINED
    request_.decided_at = utcnow()
    request_.decided_by_id = actor.id
    room, user = request_.room, request_.user
    if accept:
        add_member(room, role, actor, user=user)
    audit.record(
        "room.join_request_answered",
        f"{room.title}: {actor.name} {'accepted' if accept else 'declined'} {user.name}'s request",
        actor=actor,
        subject=user,
        room_id=room.id,
    )
    with i18n.writing_to(user):  # in their language, whole sentences
        answer = (
            _(
                "%(actor)s accepted your request to join %(room)s.",
                actor=actor.name,
                room=room.title,
            )
            if accept
            else _(
                "%(actor)s declined your request to join %(room)s.",
                actor=actor.name,
                room=room.title,
            )
        )
        mail.queue(
            user.email,
            _("Your request to join %(room)s", room=room.title),
            answer,
            user_id=user.id,
        )
    _rooms_changed(user.id)


def withdraw_join_request(request_: JoinRequest, user: User) -> None:
    if request_.user_id != user.id or request_.status is not JoinRequestStatus.PENDING:
        raise RoomError(_("That request cannot be withdrawn."))
    request_.status = JoinRequestStatus.WITHDRAWN
    request_.decided_at = utcnow()


def record_visit(room: Room, user: User) -> datetime | None:
    """Remember that this person opened the room now; return their previous visit."""
    visit = db.session.scalars(
        select(RoomVisit).where(RoomVisit.room_id == room.id, RoomVisit.user_id == user.id)
    ).first()
    previous = visit.last_seen_at if visit else None
    if visit is None:
        db.session.add(RoomVisit(room_id=room.id, user_id=user.id, last_seen_at=utcnow()))
    else:
        visit.last_seen_at = utcnow()
    return previous


# ---- reading ----------------------------------------------------------------------------------


@dataclass
class DelegationGroup:
    delegation: Delegation
    whole: Membership | None = None
    persons: list[Membership] = field(default_factory=list)


@dataclass
class StatusGroup:
    status: DelegationStatus
    delegations: list[DelegationGroup]


def members_by_status(room: Room) -> list[StatusGroup]:
    """Current members grouped by delegation status, then delegation (two queries).

    Deactivated people are left out: they can take part in nothing until reactivated.
    """
    rows = db.session.scalars(
        select(Membership)
        .where(Membership.room_id == room.id, Membership.ended_at.is_(None))
        .options(joinedload(Membership.delegation), joinedload(Membership.user))
    ).all()
    groups: dict[int, DelegationGroup] = {}
    for membership in rows:
        if membership.user is not None and not membership.user.is_active:
            continue  # a deactivated account is in no room now (its history stays)
        delegation = membership.delegation or membership.user.delegation
        group = groups.setdefault(delegation.id, DelegationGroup(delegation))
        if membership.delegation_id is not None:
            group.whole = membership
        else:
            group.persons.append(membership)
    by_status: dict[DelegationStatus, list[DelegationGroup]] = defaultdict(list)
    for group in groups.values():
        group.persons.sort(key=lambda m: (-m.role.rank, m.user.name))
        by_status[group.delegation.status].append(group)
    return [
        StatusGroup(status, sorted(by_status[status], key=lambda g: g.delegation.name))
        for status in DelegationStatus
        if status in by_status
    ]


def role_history(room: Room, limit: int = 50) -> list[Membership]:
    """Memberships that ended, newest first, so who held which role when stays visible."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.room_id == room.id, Membership.ended_at.is_not(None))
            .options(joinedload(Membership.delegation), joinedload(Membership.user))
            .order_by(Membership.ended_at.desc())
            .limit(limit)
        )
    )


def pending_join_requests(room: Room) -> list[JoinRequest]:
    return list(
        db.session.scalars(
            select(JoinRequest)
            .where(JoinRequest.room_id == room.id, JoinRequest.status == JoinRequestStatus.PENDING)
            .options(joinedload(JoinRequest.user))
            .order_by(JoinRequest.created_at)
        )
    )


def my_pending_request(room: Room, user: User) -> JoinRequest | None:
    return db.session.scalars(
        select(JoinRequest).where(
            JoinRequest.room_id == room.id,
            JoinRequest.user_id == user.id,
            JoinRequest.status == JoinRequestStatus.PENDING,
        )
    ).first()


def recent_activity(room: Room, user: User, limit: int = 10) -> list[RoomActivity]:
    """The room's latest lines this person may see now (the room itself is already allowed)."""
    return list(
        db.session.scalars(
            select(RoomActivity)
            .where(RoomActivity.room_id == room.id, _activity_visible_to(user))
            .order_by(RoomActivity.created_at.desc(), RoomActivity.id.desc())
            .limit(limit)
        )
    )


def visible_rooms(user: User, *, search: str = "") -> list[Room]:
    """Every room this person may see, in hierarchy order (parents before sub-rooms)."""
    query = select(Room).where(visible(Room, user)).order_by(Room.title)
    if search:
        like = f"%{search.strip()}%"
        query = query.where(or_(Room.title.ilike(like), Room.slug.ilike(like)))
    return list(db.session.scalars(query))


def child_rooms(room: Room, user: User) -> list[Room]:
    return list(
        db.session.scalars(
            select(Room).where(Room.parent_id == room.id, visible(Room, user)).order_by(Room.title)
        )
    )


@dataclass
class DashboardRow:
    room: Room
    role: RoomRole | None
    last_seen_at: datetime | None
    new_count: int


def dashboard(user: User) -> tuple[list[DashboardRow], list[tuple[RoomActivity, Room]]]:
    """My rooms with what changed since my last visit, and the latest changes themselves.

    Three queries whatever the number of rooms: rooms with visit times and new-activity counts,
    my roles, and the latest unseen activity.
    """
    from consult.rooms.policy import room_roles

    since = func.coalesce(RoomVisit.last_seen_at, Room.created_at)
    new_count = (
        select(func.count(RoomActivity.id))
        .where(
            RoomActivity.room_id == Room.id,
            RoomActivity.created_at > since,
            or_(RoomActivity.actor_id.is_(None), RoomActivity.actor_id != user.id),
            _activity_visible_to(user),
        )
        .correlate(Room, RoomVisit)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Room, RoomVisit.last_seen_at, new_count)
        .outerjoin(RoomVisit, and_(RoomVisit.room_id == Room.id, RoomVisit.user_id == user.id))
        .where(visible(Room, user), Room.is_archived.is_(False))
        .order_by(Room.title)
    ).all()
    roles = room_roles(user)
    result = [
        DashboardRow(room, roles.get(room.id), seen, count or 0) for room, seen, count in rows
    ]
    # Rooms I hold a role in first, then the rest I may enter.
    result.sort(key=lambda r: (r.role is None, r.room.title.lower()))
    latest = db.session.execute(
        select(RoomActivity, Room)
        .join(Room, Room.id == RoomActivity.room_id)
        .outerjoin(RoomVisit, and_(RoomVisit.room_id == Room.id, RoomVisit.user_id == user.id))
        .where(
            visible(Room, user),
            RoomActivity.created_at > since,
            or_(RoomActivity.actor_id.is_(None), RoomActivity.actor_id != user.id),
            _activity_visible_to(user),
        )
        .order_by(RoomActivity.created_at.desc(), RoomActivity.id.desc())
        .limit(15)
    ).all()
    return result, [(a, r) for a, r in latest]


# ---- handover ---------------------------------------------------------------------------------


def _held_room_roles(departing: User, viewer: User) -> list[str]:
    rows = db.session.execute(
        select(Room.title, Membership.role)
        .join(Room, Room.id == Membership.room_id)
        .where(Membership.user_id == departing.id, Membership.ended_at.is_(None))
        .order_by(Room.title)
    ).all()
    return [f"{title}: {role.label}" for title, role in rows]


def _move_room_roles(run: handover.Handover) -> int:
    """The departing person's memberships end ("handover"); the successor continues them.

    The successor gets a new membership with the same role, linked to the old, unless they
    already hold an equal or stronger role in that room.
    """
    departing, successor, actor = run.departing, run.successor, run.actor
    now = utcnow()
    held = db.session.scalars(
        select(Membership).where(Membership.user_id == departing.id, Membership.ended_at.is_(None))
    ).all()
    successor_current = {
        m.room_id: m
        for m in db.session.scalars(
            select(Membership).where(
                Membership.user_id == successor.id, Membership.ended_at.is_(None)
            )
        )
    }
    for membership in held:
        membership.ended_at = now
        membership.end_reason = "handover"
        existing = successor_current.get(membership.room_id)
        if existing is not None and existing.role.rank >= membership.role.rank:
            continue
        if existing is not None:
            existing.ended_at = now
            existing.end_reason = "role changed"
        db.session.add(
            Membership(
                room_id=membership.room_id,
                user_id=successor.id,
                role=membership.role,
                started_at=now,
                added_by_id=actor.id,
                previous_id=membership.id,
            )
        )
    db.session.flush()
    forget_room_roles()
    _rooms_changed(departing.id, successor.id)
    for membership in held:
        emit_after_commit("access-changed", {"room": membership.room_id}, to=f"user:{departing.id}")
    return len(held)


#: Room roles move first: later steps may rely on the successor's new memberships.
ROOM_ROLES = handover.Step(
    name="room_roles",
    label=_l("Room roles"),
    held=_held_room_roles,
    move=_move_room_roles,
    order=10,
)


# ---- the delegation page ------------------------------------------------------------------------


def delegation_rooms(delegation: Delegation, people: list[User]) -> dict:
    """The rooms and roles of a delegation's people and of the delegation as a whole, for its
    "My delegation" page (consult.accounts.holdings): two queries whatever its size."""
    rooms_of: dict[int, list[Membership]] = {u.id: [] for u in people}
    active_ids = [u.id for u in people if u.is_active]
    if active_ids:
        for membership in db.session.scalars(
            select(Membership)
            .where(Membership.user_id.in_(active_ids), Membership.ended_at.is_(None))
            .options(joinedload(Membership.room))
        ):
            rooms_of[membership.user_id].append(membership)
    for memberships in rooms_of.values():
        memberships.sort(key=lambda m: (-m.role.rank, m.room.title))
    whole = db.session.scalars(
        select(Membership)
        .where(Membership.delegation_id == delegation.id, Membership.ended_at.is_(None))
        .options(joinedload(Membership.room))
    ).all()
    return {"rooms_of": rooms_of, "whole": sorted(whole, key=lambda m: m.room.title)}
