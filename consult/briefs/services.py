"""Trend briefs: the chair's unattributed summary of a confidential forum, for a wider room.

The chair (a named chair or facilitator of the confidential room) drafts the brief; the
checker (consult.briefs.checker) flags what could identify a delegation, a person or a case,
and nothing leaves while a flag is neither edited out nor kept by the chair; the member
delegations may object within a period the chair sets; then the chair publishes it to a
non-confidential room, as a separate plain row that points to nothing confidential.

Nothing here ever puts the brief's text, a flag or a reason into a notification, an activity
line, an audit summary or a log.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from consult import audit
from consult.accounts.models import User
from consult.briefs.checker import Flag, check_text
from consult.briefs.models import (
    BriefFlagConfirmation,
    BriefObjection,
    BriefStatus,
    PublishedBrief,
    TrendBrief,
)
from consult.briefs.policy import manages
from consult.errors import ServiceError
from consult.extensions import db
from consult.links import path_for
from consult.notifications.services import notify
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, Room
from consult.rooms.services import manager_ids, note_activity
from consult.threads.services import room_members
from consult.timeutil import utcnow

MAX_BRIEF_LENGTH = 20_000
MAX_REASON_LENGTH = 2_000
MAX_OBJECTION_DAYS = 60
# Lazy, and written out here so that the catalogues have them: worded for each reader.
PENDING_TEXT = _l("A trend brief is pending in a confidential room")
OBJECTION_TEXT = _l("A member delegation objected to a trend brief")
WITHDRAWN_OBJECTION_TEXT = _l("A member delegation withdrew its objection to a trend brief")
PUBLISHED_TEXT = _l("A trend brief of the chair of a confidential forum was published")


class BriefError(ServiceError):
    """A step that cannot be taken; the message is shown to the person (no content in it)."""


# ---- the checker (consult.briefs.checker) ---------------------------------------------------


def check(brief: TrendBrief, user: User | None = None) -> list[Flag]:
    """The checker's flags for a brief, against what `user` (default: its author) may see."""
    room = db.session.get(Room, brief.room_id)
    return check_text(brief.body, room, user or db.session.get(User, brief.created_by_id))


def confirmations(brief: TrendBrief) -> dict[str, BriefFlagConfirmation]:
    return {
        c.key: c
        for c in db.session.scalars(
            select(BriefFlagConfirmation).where(BriefFlagConfirmation.brief_id == brief.id)
        )
    }


def unconfirmed(flags: list[Flag], brief: TrendBrief) -> list[Flag]:
    confirmed = confirmations(brief)
    return [f for f in flags if f.key not in confirmed]


def _require_confirmed(brief: TrendBrief, user: User, confirm: set[str]) -> list[Flag]:
    """Refuse while a flag is neither confirmed before nor now; return the newly confirmed."""
    flags = check(brief, user)
    missing = [f for f in unconfirmed(flags, brief) if f.key not in confirm]
    if missing:
        raise BriefError(
            ngettext(
                "The checker flagged %(num)d string that may identify a delegation, a person or "
                "a case. Confirm it (“keep this, it is not identifying”) or edit the text so it "
                "is no longer flagged.",
                "The checker flagged %(num)d strings that may identify a delegation, a person or "
                "a case. Confirm each one (“keep this, it is not identifying”) or edit the text "
                "so they are no longer flagged.",
                len(missing),
            )
        )
    return [f for f in unconfirmed(flags, brief) if f.key in confirm]


def _store_confirmations(brief: TrendBrief, user: User, flags: list[Flag]) -> None:
    for flag in flags:
        db.session.add(
            BriefFlagConfirmation(
                brief_id=brief.id, kind=flag.kind.value, text=flag.text, confirmed_by_id=user.id
            )
        )


# ---- reading ---------------------------------------------------------------------------------


def briefs_in(room: Room, user: User) -> list[TrendBrief]:
    """The room's briefs this person may see (drafts only for the chair), newest first."""
    return list(
        db.session.scalars(
            select(TrendBrief)
            .where(TrendBrief.room_id == room.id, visible(TrendBrief, user))
            .order_by(TrendBrief.created_at.desc(), TrendBrief.id.desc())
        )
    )


def objections(brief: TrendBrief, round_: int | None = None) -> list[BriefObjection]:
    return list(
        db.session.scalars(
            select(BriefObjection)
            .where(
                BriefObjection.brief_id == brief.id,
                BriefObjection.round == (brief.round if round_ is None else round_),
            )
            .order_by(BriefObjection.created_at)
        )
    )


def objection_of(brief: TrendBrief, delegation_id: int) -> BriefObjection | None:
    return db.session.scalars(
        select(BriefObjection).where(
            BriefObjection.brief_id == brief.id,
            BriefObjection.round == brief.round,
            BriefObjection.delegation_id == delegation_id,
        )
    ).first()


def target_rooms(user: User) -> list[Room]:
    """Non-confidential rooms this person may see: where a brief may be published."""
    return list(
        db.session.scalars(
            select(Room)
            .where(
                visible(Room, user),
                Room.access != AccessLevel.CONFIDENTIAL,
                Room.is_archived.is_(False),
            )
            .order_by(Room.title)
        )
    )


def published_in(room: Room, user: User | None = None) -> list[PublishedBrief]:
    """The briefs published in the room, newest first (for whoever sees the room)."""
    return list(
        db.session.scalars(
            select(PublishedBrief)
            .where(PublishedBrief.room_id == room.id, visible(PublishedBrief, user))
            .order_by(PublishedBrief.published_at.desc(), PublishedBrief.id.desc())
        )
    )


# ---- writing ---------------------------------------------------------------------------------


def _clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise BriefError(_("Write the brief before saving it."))
    if len(body) > MAX_BRIEF_LENGTH:
        raise BriefError(_("A brief can have at most %(n)d characters.", n=MAX_BRIEF_LENGTH))
    return body


def draft(room: Room, chair: User, body: str) -> TrendBrief:
    """Start a brief in the confidential room; its named chair or facilitator only."""
    if room.access is not AccessLevel.CONFIDENTIAL or not manages(chair, room):
        raise BriefError(_("Only the chair of this confidential room can draft a trend brief."))
    brief = TrendBrief(room_id=room.id, body=_clean(body), created_by_id=chair.id)
    db.session.add(brief)
    db.session.flush()
    audit.record(
        "brief.drafted",
        "A trend brief was drafted",
        actor=chair,
        room_id=room.id,
        brief_id=brief.id,
    )
    return brief


def edit(brief: TrendBrief, chair: User, body: str) -> None:
    if brief.status is not BriefStatus.DRAFT:
        raise BriefError(_("Only a draft can be edited. Withdraw the brief first."))
    brief.body = _clean(body)
    brief.updated_at = utcnow()
    audit.record(
        "brief.edited",
        "A trend brief was edited",
        actor=chair,
        room_id=brief.room_id,
        brief_id=brief.id,
    )


def submit(brief: TrendBrief, chair: User, days: int | None, confirm: set[str]) -> None:
    """Open the brief to objections for `days` days; tell the members, without content."""
    if brief.status is not BriefStatus.DRAFT:
        raise BriefError(_("This brief has already been submitted."))
    if days is None or not 1 <= days <= MAX_OBJECTION_DAYS:
        raise BriefError(_("Set an objection period of 1 to %(n)d days.", n=MAX_OBJECTION_DAYS))
    newly = _require_confirmed(brief, chair, confirm)
    _store_confirmations(brief, chair, newly)
    now = utcnow()
    brief.status = BriefStatus.PENDING
    brief.round += 1
    brief.submitted_at = now
    brief.objections_close_at = now + timedelta(days=days)
    room = db.session.get(Room, brief.room_id)
    audience = [u.id for u in room_members(room) if u.id != chair.id]
    notify(
        audience,
        "brief.pending",
        PENDING_TEXT,
        path_for("rooms.room", slug=room.slug),
        subject=brief,
    )
    note_activity(room, "brief.pending", str(PENDING_TEXT), chair, subject=brief)
    audit.record(
        "brief.submitted",
        "A trend brief was opened to objections",
        actor=chair,
        room_id=room.id,
        brief_id=brief.id,
        days=days,
        flags_confirmed=len(newly),
    )


def withdraw(brief: TrendBrief, chair: User) -> None:
    """Take a pending brief back to draft (to redraft it after objections)."""
    if brief.status is not BriefStatus.PENDING:
        raise BriefError(_("Only a brief open to objections can be withdrawn."))
    brief.status = BriefStatus.DRAFT
    brief.objections_close_at = None
    audit.record(
        "brief.withdrawn",
        "A trend brief was withdrawn for redrafting",
        actor=chair,
        room_id=brief.room_id,
        brief_id=brief.id,
    )


def object_to(brief: TrendBrief, user: User, reason: str) -> BriefObjection:
    """A member delegation objects, once per submission; the chair is told without content."""
    if not brief.is_open_to_objections:
        raise BriefError(_("This brief is not open to objections."))
    reason = (reason or "").strip()
    if not reason:
        raise BriefError(_("Give the reason for your delegation's objection."))
    if len(reason) > MAX_REASON_LENGTH:
        raise BriefError(_("A reason can have at most %(n)d characters.", n=MAX_REASON_LENGTH))
    if objection_of(brief, user.delegation_id) is not None:
        raise BriefError(_("Your delegation has already objected to this brief."))
    objection = BriefObjection(
        brief_id=brief.id,
        round=brief.round,
        delegation_id=user.delegation_id,
        user_id=user.id,
        reason=reason,
    )
    db.session.add(objection)
    db.session.flush()
    notify(
        [uid for uid in manager_ids(db.session.get(Room, brief.room_id)) if uid != user.id],
        "brief.objection",
        OBJECTION_TEXT,
        path_for("briefs.brief", brief_id=brief.id),
        subject=brief,
    )
    audit.record(
        "brief.objection",
        "A member delegation objected to a trend brief",
        actor=user,
        delegation_id=user.delegation_id,
        room_id=brief.room_id,
        brief_id=brief.id,
    )
    return objection


def withdraw_objection(brief: TrendBrief, user: User) -> None:
    if brief.status is not BriefStatus.PENDING:
        raise BriefError(_("This brief is not open to objections."))
    objection = objection_of(brief, user.delegation_id)
    if objection is None:
        raise BriefError(_("Your delegation has no objection to withdraw."))
    db.session.delete(objection)
    notify(
        [uid for uid in manager_ids(db.session.get(Room, brief.room_id)) if uid != user.id],
        "brief.objection",
        WITHDRAWN_OBJECTION_TEXT,
        path_for("briefs.brief", brief_id=brief.id),
        subject=brief,
    )
    audit.record(
        "brief.objection_withdrawn",
        "A member delegation withdrew its objection to a trend brief",
        actor=user,
        delegation_id=user.delegation_id,
        room_id=brief.room_id,
        brief_id=brief.id,
    )


def publish(
    brief: TrendBrief, chair: User, target: Room | None, confirm: set[str]
) -> PublishedBrief:
    """Publish after the objection period, with no objection standing and every flag confirmed.

    The published row carries the text and the target room only: no author, no link back.
    """
    if brief.status is not BriefStatus.PENDING:
        raise BriefError(_("Only a brief that was open to objections can be published."))
    if brief.is_open_to_objections:
        raise BriefError(_("The objection period has not ended yet."))
    if objections(brief):
        raise BriefError(
            _(
                "A member delegation objects to this brief. Withdraw it and redraft, or wait "
                "until the objection is withdrawn."
            )
        )
    if (
        target is None
        or target.access is AccessLevel.CONFIDENTIAL
        or target.is_archived
        or not can(Need.VIEW, target, chair)
    ):
        raise BriefError(
            _("Choose a non-confidential room to publish the brief in."), field="target"
        )
    newly = _require_confirmed(brief, chair, confirm)
    _store_confirmations(brief, chair, newly)
    now = utcnow()
    published = PublishedBrief(room_id=target.id, body=brief.body, published_at=now)
    db.session.add(published)
    brief.status = BriefStatus.PUBLISHED
    brief.published_at = now
    brief.published_room_id = target.id
    db.session.flush()
    # No actor: unattributed. The subject is the published row, which points to nothing else.
    note_activity(target, "brief.published", PUBLISHED_TEXT, subject=published)
    audit.record(
        "brief.published",
        "A trend brief was published",
        actor=chair,
        room_id=brief.room_id,
        brief_id=brief.id,
        flags_confirmed=len(newly),
    )
    return published
