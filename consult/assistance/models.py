"""Requests for assistance, offers of assistance, the Secretariat's matches between them, and
the Voluntary Trust Fund's calls."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User, _enum
from consult.extensions import db
from consult.markdown import rendered
from consult.rooms.models import Room
from consult.timeutil import UTCDateTime, utcnow


class HelpKind(enum.StrEnum):
    """The kinds of help a request asks for and an offer provides (a fixed list)."""

    LEGAL_DRAFTING = "legal_drafting"
    CONTROL_LIST = "control_list"
    LICENSING_SYSTEM = "licensing_system"
    TRAINING = "training"
    REPORTING = "reporting"
    STOCKPILE_MANAGEMENT = "stockpile_management"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(HELP_LABELS[self])


HELP_LABELS = {
    HelpKind.LEGAL_DRAFTING: _l("Legal drafting"),
    HelpKind.CONTROL_LIST: _l("National control list"),
    HelpKind.LICENSING_SYSTEM: _l("Licensing system"),
    HelpKind.TRAINING: _l("Training"),
    HelpKind.REPORTING: _l("Reporting"),
    HelpKind.STOCKPILE_MANAGEMENT: _l("Stockpile management"),
    HelpKind.OTHER: _l("Other"),
}


class Visibility(enum.StrEnum):
    """Who besides its delegation and the Secretariat sees a request or an offer."""

    PRIVATE = "private"
    OPEN = "open"

    @property
    def label(self) -> str:
        return str(VISIBILITY_LABELS[self])


VISIBILITY_LABELS = {
    Visibility.PRIVATE: _l("Private: the Secretariat, and the donors it chooses to share it with"),
    Visibility.OPEN: _l("Open to all States Parties and signatory States"),
}


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    RequestStatus.OPEN: lazy_pgettext("assistance request", "Open"),
    RequestStatus.MATCHED: _l("Matched"),
    RequestStatus.IN_PROGRESS: _l("In progress"),
    RequestStatus.COMPLETED: _l("Completed"),
    RequestStatus.WITHDRAWN: lazy_pgettext("assistance request", "Withdrawn"),
}


def _kinds(values: list[str] | None) -> list[HelpKind]:
    return [HelpKind(v) for v in values or [] if v in HelpKind._value2member_map_]


class AssistanceRequest(db.Model):
    """A State's stated need: what it asks help with, by stage and kind of help."""

    __tablename__ = "assistance_request"
    __table_args__ = (Index("ix_assistance_request_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The filing State's delegation (States Parties and signatory States).
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown; description_html is what it renders to, once, when written.
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[Markup | None] = rendered("description")
    #: The HelpKind values asked for, in the list's order.
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility, "assistance_visibility"))
    status: Mapped[RequestStatus] = mapped_column(
        _enum(RequestStatus, "assistance_status"), default=RequestStatus.OPEN
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegation: Mapped[Delegation] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(lazy="raise")

    @property
    def help_kinds(self) -> list[HelpKind]:
        return _kinds(self.kinds)

    def __repr__(self) -> str:
        return f"<AssistanceRequest {self.id} {self.status}>"


class AssistanceOffer(db.Model):
    """What a State, an organisation or the Secretariat can provide, on the same terms."""

    __tablename__ = "assistance_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[Markup | None] = rendered("description")
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Private: the Secretariat only (and, once matched, the requesting State).
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility, "assistance_visibility"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegation: Mapped[Delegation] = relationship(lazy="joined")

    @property
    def help_kinds(self) -> list[HelpKind]:
        return _kinds(self.kinds)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def __repr__(self) -> str:
        return f"<AssistanceOffer {self.id}>"


class RequestShare(db.Model):
    """A donor delegation the Secretariat shared a request with (it sees the request)."""

    __tablename__ = "assistance_share"
    __table_args__ = (UniqueConstraint("request_id", "delegation_id", name="one_share"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_request.id", ondelete="CASCADE"), index=True
    )
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    shared_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegation: Mapped[Delegation] = relationship(lazy="joined")


class AssistanceMatch(db.Model):
    """The Secretariat's match of a request with one or more offers, and the private room
    it opened for the parties. A match ends when the request goes back to open."""

    __tablename__ = "assistance_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_request.id", ondelete="CASCADE"), index=True
    )
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    room: Mapped[Room] = relationship(lazy="joined")


class MatchedOffer(db.Model):
    """One offer of a match."""

    __tablename__ = "assistance_match_offer"
    __table_args__ = (UniqueConstraint("match_id", "offer_id", name="one_offer_per_match"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_match.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(ForeignKey("assistance_offer.id"), index=True)

    offer: Mapped[AssistanceOffer] = relationship(lazy="joined")


class StatusChange(db.Model):
    """Each move of a request's status: who moved it, when, from what to what."""

    __tablename__ = "assistance_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_request.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[RequestStatus | None] = mapped_column(
        _enum(RequestStatus, "assistance_from_status")
    )
    to_status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, "assistance_to_status"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship(lazy="joined")


class TrustFundCall(db.Model):
    """A call for project proposals of the Voluntary Trust Fund, recorded by the Secretariat.

    Dates, not times: the Fund announces a closing day."""

    __tablename__ = "assistance_vtf_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    #: The last day proposals are accepted.
    deadline_on: Mapped[date] = mapped_column(Date)
    link: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
