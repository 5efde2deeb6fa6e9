"""Rooms, who is in them and in what role, and what happened in them."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, RegionalGroup, User, _enum
from consult.extensions import db
from consult.markdown import rendered
from consult.timeutil import UTCDateTime, utcnow


class RoomKind(enum.StrEnum):
    WORKING_GROUP = "working_group"
    SUB_WORKING_GROUP = "sub_working_group"
    SMALL_GROUP = "small_group"
    REGIONAL_GROUP = "regional_group"
    PLENARY = "plenary"
    CONFIDENTIAL_FORUM = "confidential_forum"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    RoomKind.WORKING_GROUP: _l("Working group"),
    RoomKind.SUB_WORKING_GROUP: _l("Sub-working group"),
    RoomKind.SMALL_GROUP: _l("Small group"),
    RoomKind.REGIONAL_GROUP: _l("Regional group"),
    RoomKind.PLENARY: _l("Plenary"),
    RoomKind.CONFIDENTIAL_FORUM: _l("Confidential forum"),
}


class AccessLevel(enum.StrEnum):
    OPEN = "open"
    TRANSPARENT = "transparent"
    STATES = "states"
    MEMBERS = "members"
    CONFIDENTIAL = "confidential"

    @property
    def label(self) -> str:
        return str(ACCESS_LABELS[self])

    @property
    def explanation(self) -> str:
        return str(ACCESS_EXPLANATIONS[self])


ACCESS_LABELS = {
    AccessLevel.OPEN: _l("Open"),
    AccessLevel.TRANSPARENT: _l("Transparent"),
    AccessLevel.STATES: _l("States"),
    AccessLevel.MEMBERS: _l("Members"),
    AccessLevel.CONFIDENTIAL: _l("Confidential"),
}

ACCESS_EXPLANATIONS = {
    AccessLevel.OPEN: _l("Every signed-in participant reads and takes part."),
    AccessLevel.TRANSPARENT: _l("Everyone reads; members take part."),
    AccessLevel.STATES: _l("States Parties and signatory States only."),
    AccessLevel.MEMBERS: _l("Listed delegations and persons only."),
    AccessLevel.CONFIDENTIAL: _l("Members only, with handling rules for confidential content."),
}


class RoomRole(enum.StrEnum):
    CHAIR = "chair"
    FACILITATOR = "facilitator"
    MEMBER = "member"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @property
    def rank(self) -> int:
        """Higher is stronger: chair 3, facilitator 2, member 1, observer 0."""
        return ROLE_RANKS[self]

    @property
    def manages(self) -> bool:
        return self in (RoomRole.CHAIR, RoomRole.FACILITATOR)

    @property
    def takes_part(self) -> bool:
        return self is not RoomRole.OBSERVER


ROLE_LABELS = {
    RoomRole.CHAIR: _l("Chair"),
    RoomRole.FACILITATOR: _l("Facilitator"),
    RoomRole.MEMBER: _l("Member"),
    RoomRole.OBSERVER: _l("Observer"),
}
ROLE_RANKS = {RoomRole.CHAIR: 3, RoomRole.FACILITATOR: 2, RoomRole.MEMBER: 1, RoomRole.OBSERVER: 0}


class Room(db.Model):
    """A space for one body or consultation."""

    __tablename__ = "room"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown; description_html is what it renders to (consult.markdown).
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[Markup | None] = rendered("description")
    kind: Mapped[RoomKind] = mapped_column(_enum(RoomKind, "room_kind"))
    #: A regional group's room: only the States of this group may be added (the Secretariat
    #: may override). None for every other kind of room.
    regional_group: Mapped[RegionalGroup | None] = mapped_column(
        _enum(RegionalGroup, "regional_group")
    )
    access: Mapped[AccessLevel] = mapped_column(_enum(AccessLevel, "access_level"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"), index=True)
    #: Deadlines and meeting times in this room are set in this zone.
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Zurich")
    is_archived: Mapped[bool] = mapped_column(default=False)
    #: Confidential rooms: posts older than this many days are purged (a thread may set less).
    retention_days: Mapped[int | None] = mapped_column()
    #: A meeting's documents are due this many days before it starts; those circulated later
    #: are marked "late" (None: no circulation period).
    circulation_days: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who opened the room when it was not the Secretariat (a chair's small group), else None.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    parent: Mapped[Room | None] = relationship(remote_side=[id], lazy="raise")

    @property
    def is_confidential(self) -> bool:
        """Members only, with the handling rules of threads: nothing about it leaves the gate
        (notifications, e-mail) beyond a content-free line."""
        return self.access is AccessLevel.CONFIDENTIAL

    def __repr__(self) -> str:
        return f"<Room {self.slug}>"


class Membership(db.Model):
    """A delegation or a named person in a room, with a role, for a period.

    Ended memberships are kept (ended_at set) so the history of who held which role when
    stays visible after handovers and removals.
    """

    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint(
            "(delegation_id IS NULL) <> (user_id IS NULL)", name="delegation_xor_person"
        ),
        Index("ix_membership_room_current", "room_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[RoomRole] = mapped_column(_enum(RoomRole, "room_role"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "removed", "handover", "role changed", "left".
    end_reason: Mapped[str | None] = mapped_column(String(32))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The membership this one continues after a handover or a role change.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id"))

    room: Mapped[Room] = relationship(lazy="raise")
    delegation: Mapped[Delegation | None] = relationship(lazy="raise")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="raise")
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id], lazy="raise")

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class JoinRequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class JoinRequest(db.Model):
    """A delegate who can read a room asks its chair to take part."""

    __tablename__ = "join_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[JoinRequestStatus] = mapped_column(
        _enum(JoinRequestStatus, "join_request_status"), default=JoinRequestStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    room: Mapped[Room] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class RoomActivity(db.Model):
    """Something that happened in a room, for "what changed since my last visit".

    The summary never carries confidential content; other domains add rows here too.
    """

    __tablename__ = "room_activity"
    __table_args__ = (
        Index("ix_room_activity_room_created", "room_id", "created_at"),
        Index("ix_room_activity_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    #: The line in English, as written (exports, audit; and the line itself when `message`
    #: is empty).
    summary: Mapped[str] = mapped_column(String(300))
    #: The line as a message and its values (consult.i18n.to_message): read in each reader's
    #: language.
    message: Mapped[dict | None] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: What the line speaks of ("paper", 12): shown only to those who may see it when they read
    #: it (policy.visible_subject). None: the room itself (memberships).
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def line(self) -> str:
        """The line in the reader's language."""
        from consult import i18n

        return i18n.from_message(self.message) if self.message else self.summary


class RoomVisit(db.Model):
    """When a person last opened a room."""

    __tablename__ = "room_visit"
    __table_args__ = (UniqueConstraint("user_id", "room_id", name="one_visit_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
