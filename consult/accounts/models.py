"""Delegations, delegates (users) and the records behind signing in."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.timeutil import UTCDateTime, utcnow


class DelegationStatus(enum.StrEnum):
    STATE_PARTY = "state_party"
    SIGNATORY = "signatory"
    OBSERVER_STATE = "observer_state"
    INTERNATIONAL_ORG = "international_org"
    REGIONAL_ORG = "regional_org"
    CIVIL_SOCIETY = "civil_society"
    INDUSTRY = "industry"
    SECRETARIAT = "secretariat"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def is_state(self) -> bool:
        return self in (self.STATE_PARTY, self.SIGNATORY, self.OBSERVER_STATE)

    @property
    def takes_part_as_state(self) -> bool:
        """States Parties and signatory States: the 'states' access level and the DIEF."""
        return self in (self.STATE_PARTY, self.SIGNATORY)

    @property
    def speaking_rank(self) -> int:
        """Rule 20 order: States Parties and signatories, observer States, then the rest."""
        if self.takes_part_as_state:
            return 0
        if self is self.OBSERVER_STATE:
            return 1
        return 2


STATUS_LABELS = {
    DelegationStatus.STATE_PARTY: _l("State Party"),
    DelegationStatus.SIGNATORY: _l("Signatory State"),
    DelegationStatus.OBSERVER_STATE: _l("Observer State"),
    DelegationStatus.INTERNATIONAL_ORG: _l("International organisation"),
    DelegationStatus.REGIONAL_ORG: _l("Regional organisation"),
    DelegationStatus.CIVIL_SOCIETY: _l("Civil society"),
    DelegationStatus.INDUSTRY: _l("Industry"),
    DelegationStatus.SECRETARIAT: _l("ATT Secretariat"),
}


class RegionalGroup(enum.StrEnum):
    AFRICAN = "african"
    ASIA_PACIFIC = "asia_pacific"
    EASTERN_EUROPEAN = "eastern_european"
    GRULAC = "grulac"
    WEOG = "weog"

    @property
    def label(self) -> str:
        return str(GROUP_LABELS[self])


GROUP_LABELS = {
    RegionalGroup.AFRICAN: _l("African Group"),
    RegionalGroup.ASIA_PACIFIC: _l("Asia-Pacific Group"),
    RegionalGroup.EASTERN_EUROPEAN: _l("Eastern European Group"),
    RegionalGroup.GRULAC: _l("GRULAC"),
    RegionalGroup.WEOG: _l("WEOG"),
}


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Store the values (not the member names) as plain strings with a CHECK constraint.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Delegation(db.Model):
    """The registered team of one State or organisation, accredited by the Secretariat."""

    __tablename__ = "delegation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(60))
    status: Mapped[DelegationStatus] = mapped_column(_enum(DelegationStatus, "delegation_status"))
    #: UN regional group, for States (organisations have none).
    regional_group: Mapped[RegionalGroup | None] = mapped_column(
        _enum(RegionalGroup, "regional_group")
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Where the delegation works from: the time zone its people are invited with, until
    #: they choose their own on their profile (a later change moves no one already there).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="delegation", lazy="raise")

    def __repr__(self) -> str:
        return f"<Delegation {self.short_name}>"


class User(UserMixin, db.Model):
    """A delegate: one person on one delegation."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Always stored lower-case; the sign-in name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    #: Delegations are interagency: foreign affairs, defence, customs, licensing authority ...
    agency: Mapped[str] = mapped_column(String(200), default="")
    is_npc: Mapped[bool] = mapped_column(default=False)
    #: May hand over a colleague's rooms and roles to a successor in the same delegation.
    is_focal_point: Mapped[bool] = mapped_column(default=False)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: The interface and mail language they chose (consult.i18n); None: as the browser asks.
    language: Mapped[str | None] = mapped_column(String(8))
    #: None until an invitation is accepted.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Changes on password change, reset, deactivation: every older session stops working.
    session_nonce: Mapped[str] = mapped_column(String(32))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Last accepted TOTP time step, so a code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who took over this person's rooms and roles at a handover.
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    delegation: Mapped[Delegation] = relationship(back_populates="users", lazy="joined")
    successor: Mapped[User | None] = relationship(remote_side=[id], lazy="raise")

    #: The raw key of the signed-in session (device) this object was loaded or signed in for;
    #: set by consult.accounts.sessions, never stored.
    device_key = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: "id:nonce:key".

        The nonce ends every session at once (password change, deactivation); the key names
        one SignedInSession, so ending that row ends this device, remember-me cookie included.
        """
        if not self.device_key:
            raise RuntimeError("sign in through consult.accounts.sessions.begin()")
        return f"{self.id}:{self.session_nonce}:{self.device_key}"

    @property
    def is_secretariat(self) -> bool:
        return self.delegation.status is DelegationStatus.SECRETARIAT

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def may_sign_in(self) -> bool:
        return self.is_active and self.delegation.is_active and self.password_hash is not None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RecoveryCode(db.Model):
    """A single-use code that stands in for the second factor when the phone is lost."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TokenPurpose(enum.StrEnum):
    RESET = "reset"
    INVITATION = "invitation"


class AccountToken(db.Model):
    """A single-use, expiring link sent by e-mail; only its SHA-256 is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(_enum(TokenPurpose, "token_purpose"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class SignInAttempt(db.Model):
    """Recent sign-in attempts, kept in the database so every worker throttles alike."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        Index("ix_sign_in_attempt_email_created", "email", "created_at"),
        Index("ix_sign_in_attempt_address_created", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Which step failed: "password" or "two_factor".
    step: Mapped[str] = mapped_column(String(16), default="password")
    note: Mapped[str] = mapped_column(Text, default="")


class SignedInSession(db.Model):
    """One signed-in browser, so a person can see their sessions and end the others."""

    __tablename__ = "signed_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random key kept in the browser's signed session cookie.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
