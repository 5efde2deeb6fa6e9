"""A group of delegations and its coordinator.

A regional group's members are the States whose delegation names that regional group (so a
change of a delegation's group is followed at once); a group the Secretariat defines lists its
member delegations. Either way `services.member_delegations(group)` is the one answer.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, RegionalGroup, _enum
from consult.extensions import db
from consult.rooms.models import Room
from consult.timeutil import UTCDateTime, utcnow


class GroupKind(enum.StrEnum):
    REGIONAL = "regional"
    DEFINED = "defined"

    @property
    def label(self) -> str:
        return str(GROUP_KIND_LABELS[self])


GROUP_KIND_LABELS = {
    GroupKind.REGIONAL: _l("UN regional group"),
    GroupKind.DEFINED: _l("Group defined by the Secretariat"),
}


class Group(db.Model):
    """Delegations that may speak as one: "on behalf of the African Group"."""

    __tablename__ = "delegation_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: As printed after "on behalf of": "the African Group", "the European Union".
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[GroupKind] = mapped_column(_enum(GroupKind, "group_kind"))
    #: A regional group: its members are the States of this regional group.
    regional_group: Mapped[RegionalGroup | None] = mapped_column(
        _enum(RegionalGroup, "regional_group"), unique=True
    )
    #: The delegation that coordinates the group (it changes, often yearly).
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"))
    #: The group's own room, where its coordinator chairs and its statements are drafted.
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coordinator: Mapped[Delegation | None] = relationship(lazy="joined")
    room: Mapped[Room | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<Group {self.slug}>"


class GroupMember(db.Model):
    """A delegation listed in a group the Secretariat defined (regional groups need none)."""

    __tablename__ = "delegation_group_member"
    __table_args__ = (UniqueConstraint("group_id", "delegation_id", name="one_listing_per_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("delegation_group.id", ondelete="CASCADE"), index=True
    )
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    delegation: Mapped[Delegation] = relationship(lazy="joined")
