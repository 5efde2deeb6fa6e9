"""Trend briefs: the chair's unattributed summary of a confidential forum, for a wider room.

The chair (a named chair or facilitator of the confidential room) drafts the brief; the
checker flags names, case references and distinctive strings copied from the room's threads;
the member delegations may object within a period the chair sets; then the chair publishes it
to a non-confidential room, as a separate plain row that points to nothing confidential.

Drafts and objection reasons are encrypted at rest. Nothing here ever puts the brief's text,
a flag or a reason into a notification, an activity line, an audit summary or a log.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, and_, false, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from consult import audit
from consult.accounts.models import Delegation, User, _enum
from consult.crypto import EncryptedText
from consult.extensions import db
from consult.links import path_for
from consult.notifications.services import notify
from consult.policy import Need, can, rule, visible, visible_filter
from consult.rooms.models import AccessLevel, Membership, Room, RoomRole
from consult.rooms.policy import viewable_room_ids
from consult.rooms.services import note_activity
from consult.threads.policy import STATES, personal_membership, personal_room_ids
from consult.timeutil import UTCDateTime, utcnow

MAX_BRIEF_LENGTH = 20_000
MAX_REASON_LENGTH = 2_000
MAX_OBJECTION_DAYS = 60
PENDING_TEXT = "A trend brief is pending in a confidential room"
OBJECTION_TEXT = "A member delegation objected to a trend brief"
WITHDRAWN_OBJECTION_TEXT = "A member delegation withdrew its objection to a trend brief"
PUBLISHED_TEXT = "A trend brief of the chair of a confidential forum was published"


class BriefError(ValueError):
    """A step that cannot be taken; the message is shown to the person (no content in it)."""


# ---- models ----------------------------------------------------------------------------------


class BriefStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # open to objections from the member delegations
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.value])


STATUS_LABELS = {
    "draft": _l("Draft"),
    "pending": _l("Open to objections"),
    "published": _l("Published"),
}


class TrendBrief(db.Model):
    """The chair's brief while it is in the confidential room (drafted, pending, published)."""

    __tablename__ = "trend_brief"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[BriefStatus] = mapped_column(
        _enum(BriefStatus, "brief_status"), default=BriefStatus.DRAFT
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Grows with every submission for objections; objections count for their round only.
    round: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    objections_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Where it went (known on this side only; the published row points nowhere back).
    published_room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="SET NULL")
    )

    @property
    def is_open_to_objections(self) -> bool:
        return (
            self.status is BriefStatus.PENDING
            and self.objections_close_at is not None
            and utcnow() < self.objections_close_at
        )


class BriefObjection(db.Model):
    """A member delegation's objection to a pending brief (one per delegation and round)."""

    __tablename__ = "brief_objection"
    __table_args__ = (
        UniqueConstraint("brief_id", "delegation_id", "round", name="one_objection_per_delegation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(
        ForeignKey("trend_brief.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column()
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegation: Mapped[Delegation] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


class BriefFlagConfirmation(db.Model):
    """The chair's confirmation that a flagged string is not identifying ("keep this")."""

    __tablename__ = "brief_flag_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(
        ForeignKey("trend_brief.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    #: The flagged string itself (it may be a serial number: encrypted like the draft).
    text: Mapped[str] = mapped_column(EncryptedText)
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> str:
        return flag_key(self.kind, self.text)


class PublishedBrief(db.Model):
    """A published trend brief in a non-confidential room.

    Deliberately linked to its target room only: no author, no delegation, no reference to
    the confidential room, its brief or its threads.
    """

    __tablename__ = "published_brief"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    #: Plain Markdown, rendered through consult.markdown.
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# ---- policy ----------------------------------------------------------------------------------


def manages(user: User, room: Room) -> bool:
    """A named chair or facilitator of the confidential room (the Secretariat is not)."""
    membership = personal_membership(user, room)
    return membership is not None and membership.role.manages


@rule(TrendBrief)
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


@visible_filter(TrendBrief)
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


@rule(PublishedBrief)
def published_brief_rule(user: User, need: Need, brief: PublishedBrief) -> bool:
    return need is Need.VIEW and can(Need.VIEW, db.session.get(Room, brief.room_id), user)


@visible_filter(PublishedBrief)
def visible_published_briefs(user: User) -> ColumnElement[bool]:
    return PublishedBrief.room_id.in_(viewable_room_ids(user))


# ---- the checker -----------------------------------------------------------------------------


class FlagKind(enum.StrEnum):
    DELEGATION = "delegation"
    PERSON = "person"
    CASE_REFERENCE = "case_reference"
    SERIAL = "serial"
    NUMBER = "number"

    @property
    def label(self) -> str:
        return str(FLAG_LABELS[self.value])


FLAG_LABELS = {
    "delegation": _l("Name of a member delegation"),
    "person": _l("Name of a person in the room"),
    "case_reference": _l("Case reference of a thread"),
    "serial": _l("Serial-number-like string from a thread"),
    "number": _l("Long number from a thread"),
}
#: When flags overlap, the longer one wins, then the more specific kind.
_PRIORITY = {
    FlagKind.CASE_REFERENCE: 0,
    FlagKind.DELEGATION: 1,
    FlagKind.PERSON: 2,
    FlagKind.SERIAL: 3,
    FlagKind.NUMBER: 4,
}

# Letters and digits joined by - / . _ (e.g. "AK-47-X9912"), and a short capitalised prefix
# before a number (e.g. "SN 4458821").
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:[-/._][A-Za-z0-9]+)*(?![A-Za-z0-9])")
_PREFIXED = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,4}\.?[ \u00a0]?\d{5,}(?![A-Za-z0-9])")
_DIGITS = re.compile(r"\d(?:[,.'\u00a0]?\d)*")
MIN_SERIAL = 5
MIN_NUMBER = 6


def _alnum(text: str) -> str:
    return "".join(c for c in text if c.isalnum()).upper()


def _is_serial(text: str) -> bool:
    norm = _alnum(text)
    return (
        len(norm) >= MIN_SERIAL
        and any(c.isdigit() for c in norm)
        and any(c.isalpha() for c in norm)
    )


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def flag_key(kind: str, text: str) -> str:
    """A stable key for a flagged string, for the confirmation checkboxes."""
    return hashlib.sha256(f"{kind}\x00{text.casefold()}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Flag:
    """A string in the brief that may identify a delegation, a person or a case."""

    kind: FlagKind
    text: str
    #: The lines of the brief where it occurs (1-based).
    where: tuple[int, ...] = field(default=())

    @property
    def key(self) -> str:
        return flag_key(self.kind.value, self.text)

    @property
    def label(self) -> str:
        return self.kind.label


@dataclass
class _Sources:
    names: list[tuple[FlagKind, re.Pattern]]
    case_references: list[str]
    serials: set[str]
    numbers: set[str]


def _name_pattern(name: str, *, ignore_case: bool) -> re.Pattern:
    words = [re.escape(w) for w in name.split()]
    return re.compile(
        r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE if ignore_case else 0
    )


def _sources(room: Room, user: User) -> _Sources:
    """What the checker looks for: read from the threads this person may see, in memory only."""
    from consult.threads import services as threads

    people: dict[int, User] = {u.id: u for u in threads.room_members(room)}
    delegations: dict[int, Delegation] = {u.delegation_id: u.delegation for u in people.values()}
    for delegation in db.session.scalars(
        select(Delegation)
        .join(Membership, Membership.delegation_id == Delegation.id)
        .where(Membership.room_id == room.id, Membership.ended_at.is_(None))
    ):
        delegations[delegation.id] = delegation
    case_references: list[str] = []
    serials: set[str] = set()
    numbers: set[str] = set()
    for thread in threads.visible_threads(room, user):
        texts = [thread.title]
        if thread.case_reference:
            case_references.append(thread.case_reference.strip())
            texts.append(thread.case_reference)
        for post in threads.posts_for(thread, user):
            texts.append(post.body)
            people.setdefault(post.author_id, post.author)
            delegations.setdefault(post.delegation_id, post.delegation)
        for text in texts:
            for match in (*_TOKEN.finditer(text), *_PREFIXED.finditer(text)):
                if _is_serial(match.group()):
                    serials.add(_alnum(match.group()))
            for match in _DIGITS.finditer(text):
                digits = _digits(match.group())
                if len(digits) >= MIN_NUMBER:
                    numbers.add(digits)
    names: list[tuple[FlagKind, re.Pattern]] = []
    for delegation in delegations.values():
        names.append((FlagKind.DELEGATION, _name_pattern(delegation.name, ignore_case=True)))
        if delegation.short_name and len(delegation.short_name.strip()) >= 2:
            # Short names ("US", "FR") only as written, or every "us" would be flagged.
            names.append(
                (FlagKind.DELEGATION, _name_pattern(delegation.short_name, ignore_case=False))
            )
    for person in people.values():
        if person.name.strip():
            names.append((FlagKind.PERSON, _name_pattern(person.name, ignore_case=True)))
    return _Sources(names, case_references, serials, numbers)


def check_text(text: str, room: Room, user: User) -> list[Flag]:
    """Flag what in `text` could identify a member delegation, a person or a case."""
    sources = _sources(room, user)
    found: list[tuple[int, int, FlagKind]] = []
    for kind, pattern in sources.names:
        found += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    for reference in sources.case_references:
        if reference:
            pattern = _name_pattern(reference, ignore_case=True)
            found += [(m.start(), m.end(), FlagKind.CASE_REFERENCE) for m in pattern.finditer(text)]
    references = {_alnum(r) for r in sources.case_references if len(_alnum(r)) >= MIN_SERIAL}
    for match in (*_TOKEN.finditer(text), *_PREFIXED.finditer(text)):
        norm = _alnum(match.group())
        if len(norm) < MIN_SERIAL:
            continue
        if any(r in norm for r in references):
            found.append((match.start(), match.end(), FlagKind.CASE_REFERENCE))
        elif any(s in norm for s in sources.serials):
            found.append((match.start(), match.end(), FlagKind.SERIAL))
    for match in _DIGITS.finditer(text):
        digits = _digits(match.group())
        if len(digits) >= MIN_NUMBER and any(digits in n or n in digits for n in sources.numbers):
            found.append((match.start(), match.end(), FlagKind.NUMBER))
    # Keep the longest flag where several overlap.
    found.sort(key=lambda f: (-(f[1] - f[0]), _PRIORITY[f[2]], f[0]))
    kept: list[tuple[int, int, FlagKind]] = []
    for start, end, kind in found:
        if all(end <= s or start >= e for s, e, _k in kept):
            kept.append((start, end, kind))
    kept.sort()
    flags: dict[tuple[FlagKind, str], list[int]] = {}
    texts: dict[tuple[FlagKind, str], str] = {}
    for start, end, kind in kept:
        snippet = text[start:end]
        ident = (kind, snippet.casefold())
        texts.setdefault(ident, snippet)
        line = text.count("\n", 0, start) + 1
        if line not in flags.setdefault(ident, []):
            flags[ident].append(line)
    return [Flag(kind, texts[(kind, t)], tuple(lines)) for (kind, t), lines in flags.items()]


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
    rows = db.session.scalars(
        select(TrendBrief)
        .where(TrendBrief.room_id == room.id)
        .order_by(TrendBrief.created_at.desc(), TrendBrief.id.desc())
    ).all()
    return [b for b in rows if can(Need.VIEW, b, user)]


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


def published_in(room: Room) -> list[PublishedBrief]:
    return list(
        db.session.scalars(
            select(PublishedBrief)
            .where(PublishedBrief.room_id == room.id)
            .order_by(PublishedBrief.published_at.desc(), PublishedBrief.id.desc())
        )
    )


def _managers(room: Room) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.room_id == room.id,
                Membership.ended_at.is_(None),
                Membership.user_id.is_not(None),
                Membership.role.in_((RoomRole.CHAIR, RoomRole.FACILITATOR)),
            )
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
    from consult.threads.services import room_members

    audience = [u.id for u in room_members(room) if u.id != chair.id]
    notify(
        audience,
        "brief.pending",
        _(PENDING_TEXT),
        path_for("rooms.room", slug=room.slug),
        subject=brief,
    )
    note_activity(room, "brief.pending", PENDING_TEXT, chair, subject=brief)
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
        [uid for uid in _managers(db.session.get(Room, brief.room_id)) if uid != user.id],
        "brief.objection",
        _(OBJECTION_TEXT),
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
        [uid for uid in _managers(db.session.get(Room, brief.room_id)) if uid != user.id],
        "brief.objection",
        _(WITHDRAWN_OBJECTION_TEXT),
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
        raise BriefError(_("Choose a non-confidential room to publish the brief in."))
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
    note_activity(target, "brief.published", _(PUBLISHED_TEXT), subject=published)
    audit.record(
        "brief.published",
        "A trend brief was published",
        actor=chair,
        room_id=brief.room_id,
        brief_id=brief.id,
        flags_confirmed=len(newly),
    )
    return published
