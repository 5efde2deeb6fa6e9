"""Account operations: passwords, sign-in throttling, links by e-mail, two-factor, handover.

Services change the session and record audit events; the handler layer commits once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from consult import audit, i18n, mail
from consult.accounts import handover, sessions
from consult.accounts.models import (
    AccountToken,
    Delegation,
    RecoveryCode,
    SignedInSession,
    SignInAttempt,
    TokenPurpose,
    User,
)
from consult.errors import ServiceError
from consult.extensions import db
from consult.timeutil import utcnow

_hashers: dict[tuple, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    """Argon2id with the configured cost (the library's RFC 9106 profile unless set)."""
    params = tuple(sorted(current_app.config.get("ARGON2_PARAMETERS", {}).items()))
    if params not in _hashers:
        _hashers[params] = PasswordHasher(**dict(params))
    return _hashers[params]


MIN_PASSWORD_LENGTH = 12
RECOVERY_CODE_COUNT = 10


class AccountError(ServiceError):
    """A request that cannot be carried out; the message is shown to the person."""


# ---- passwords ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """Verify, and upgrade the stored hash when Argon2's parameters have moved on."""
    if not user.password_hash:
        _hasher().hash(password)  # spend the same time as a real check
        return False
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def new_session_nonce() -> str:
    return secrets.token_hex(8)


def set_password(user: User, password: str, *, keep: SignedInSession | None = None) -> None:
    """Set a new password and end every other session of this person (all but `keep`, the
    session that changed it): their cookies, remember-me included, stop working."""
    user.password_hash = hash_password(password)
    user.session_nonce = new_session_nonce()
    if user.id is not None:  # a new account (consult create-user) has no session yet
        sessions.end_all(user, keep=keep)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == email.strip().lower())).first()


# ---- throttling --------------------------------------------------------------------------


def _failures_since(column, value: str, since: datetime) -> int:
    return db.session.scalar(
        select(func.count(SignInAttempt.id)).where(
            column == value, SignInAttempt.succeeded.is_(False), SignInAttempt.created_at >= since
        )
    )


def throttle_wait(email: str, address: str) -> int:
    """Minutes until this e-mail or client address may try again; 0 when it may now."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["SIGN_IN_WINDOW_MINUTES"])
    since = utcnow() - window
    email = email.strip().lower()
    too_many = (
        _failures_since(SignInAttempt.email, email, since)
        >= cfg["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]
        or _failures_since(SignInAttempt.address, address, since)
        >= cfg["SIGN_IN_MAX_FAILURES_PER_ADDRESS"]
    )
    if not too_many:
        return 0
    oldest = db.session.scalar(
        select(func.min(SignInAttempt.created_at)).where(
            (SignInAttempt.email == email) | (SignInAttempt.address == address),
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.created_at >= since,
        )
    )
    remaining = (oldest + window - utcnow()).total_seconds() if oldest else window.total_seconds()
    return max(1, int(remaining // 60) + 1)


def record_attempt(email: str, address: str, *, succeeded: bool, step: str = "password") -> None:
    db.session.add(
        SignInAttempt(
            email=email.strip().lower()[:254], address=address, succeeded=succeeded, step=step
        )
    )


def authenticate(email: str, password: str, address: str) -> tuple[User | None, str]:
    """Check an e-mail and password: the account, or None and why not (for the person).

    A refusal is answered, not raised: the failed attempt it records is what throttling
    counts, so it must be committed with the request (a raised ServiceError rolls back).
    """
    wait = throttle_wait(email, address)
    if wait:
        audit.record(
            "auth.sign_in_throttled",
            f"Sign-in refused for {email}: too many failures",
            actor_label=email,
        )
        return None, _(
            "Too many failed sign-ins. Try again in %(minutes)d minutes, or reset your password.",
            minutes=wait,
        )
    user = find_user_by_email(email)
    ok = user is not None and check_password(user, password) and user.may_sign_in
    record_attempt(email, address, succeeded=ok)
    if not ok:
        audit.record(
            "auth.sign_in_failed", f"Failed sign-in for {email}", actor_label=email, subject=user
        )
        return None, _("That e-mail and password do not match an active account.")
    return user, ""


def signed_in(user: User, *, method: str) -> None:
    user.last_sign_in_at = utcnow()
    audit.record("auth.sign_in", f"{user.name} signed in ({method})", actor=user)


# ---- single-use links ----------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    user: User, purpose: TokenPurpose, lifetime: timedelta, created_by: User | None = None
) -> str:
    """A new single-use link token; any earlier unused token of the same purpose dies."""
    now = utcnow()
    for old in db.session.scalars(
        select(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            purpose=purpose,
            user_id=user.id,
            token_hash=_digest(token),
            expires_at=now + lifetime,
            created_by_id=created_by.id if created_by else None,
        )
    )
    return token


def valid_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    row = db.session.scalars(
        select(AccountToken).where(
            AccountToken.token_hash == _digest(token), AccountToken.purpose == purpose
        )
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    if purpose is TokenPurpose.RESET and not row.user.may_sign_in:
        return None
    return row


def send_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active account; say nothing otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.may_sign_in:
        return
    hours = current_app.config["RESET_TOKEN_HOURS"]
    token = issue_token(user, TokenPurpose.RESET, timedelta(hours=hours))
    link = url_for("accounts.reset_password", token=token, _external=True)
    # In their profile's language; else the one of the page that asked.
    with i18n.writing_to(user, fallback=i18n.current()):
        mail.queue(
            user.email,
            _("Reset your consult password"),
            _(
                "Someone (we hope you) asked to reset the password of your consult account.\n\n"
                "Open this link within %(hours)d hours to choose a new password:\n%(link)s\n\n"
                "If it was not you, ignore this message; your password stays as it is.",
                hours=hours,
                link=link,
            ),
            user_id=user.id,
        )
    audit.record(
        "auth.reset_requested",
        f"Password reset requested for {user.email}",
        actor_label=user.email,
        subject=user,
    )


def use_reset_token(row: AccountToken, password: str) -> User:
    row.used_at = utcnow()
    set_password(row.user, password)
    audit.record(
        "auth.password_reset",
        f"{row.user.name} reset their password",
        actor=row.user,
        subject=row.user,
    )
    return row.user


def invite_user(
    *,
    delegation: Delegation,
    name: str,
    email: str,
    invited_by: User,
    title: str = "",
    agency: str = "",
    time_zone: str | None = None,
    is_npc: bool = False,
    is_focal_point: bool = False,
    note: str = "",
    room_title: str = "",
) -> User:
    """Create an account that has no password yet and mail its invitation link; its time
    zone, unless one is given, is the delegation's, until the person chooses their own."""
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise AccountError(_("An account with that e-mail address already exists."), field="email")
    user = User(
        delegation=delegation,
        name=name.strip(),
        email=email,
        title=title,
        agency=agency,
        time_zone=time_zone or delegation.time_zone or "UTC",
        is_npc=is_npc,
        is_focal_point=is_focal_point,
        session_nonce=new_session_nonce(),
    )
    db.session.add(user)
    db.session.flush()
    send_invitation(user, invited_by, note, room_title=room_title)
    audit.record(
        "account.invited",
        f"{invited_by.name} invited {user.name} ({delegation.name})",
        actor=invited_by,
        subject=user,
        delegation_id=delegation.id,
    )
    return user


def send_invitation(user: User, invited_by: User, note: str = "", *, room_title: str = "") -> None:
    """Mail the invitation link, naming the room it is for (if any) and the inviter's message."""
    days = current_app.config["INVITATION_TOKEN_DAYS"]
    token = issue_token(user, TokenPurpose.INVITATION, timedelta(days=days), created_by=invited_by)
    link = url_for("accounts.accept_invitation", token=token, _external=True)
    room = (
        _("They invited you to take part in %(room)s.\n\n", room=room_title) if room_title else ""
    )
    message = _("Their message:\n%(note)s\n\n", note=note.strip()) if note and note.strip() else ""
    body = _(
        "%(inviter)s invited you to consult, the platform for Arms Trade Treaty consultations, "
        "as a member of the delegation of %(delegation)s.\n\n%(room)s%(note)s"
        "Open this link within %(days)d days to choose your password:\n%(link)s\n",
        inviter=invited_by.name,
        delegation=user.delegation.name,
        room=room,
        note=message,
        days=days,
        link=link,
    )
    subject = (
        _("Your invitation to %(room)s on consult", room=room_title)
        if room_title
        else _("Your invitation to consult")
    )
    mail.queue(user.email, subject, body, user_id=user.id)


def accept_invitation(row: AccountToken, password: str) -> User:
    row.used_at = utcnow()
    set_password(row.user, password)
    audit.record(
        "account.invitation_accepted",
        f"{row.user.name} accepted their invitation",
        actor=row.user,
        subject=row.user,
    )
    return row.user


# ---- two-factor sign-in --------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="consult")


def _totp_step(secret: str, code: str) -> int | None:
    """The time step a code belongs to (this one or its neighbours), or None."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for offset in (0, -1, 1):
        moment = now + timedelta(seconds=30 * offset)
        if secrets.compare_digest(totp.at(moment), code):
            return int(moment.timestamp()) // 30
    return None


def code_was_just_used(user: User, code: str) -> bool:
    """Is `code` the authenticator's code of a time step already accepted (a replay)?"""
    if not user.totp_secret or user.totp_last_step is None:
        return False
    step = _totp_step(user.totp_secret, code)
    return step is not None and step <= user.totp_last_step


def enable_two_factor(user: User, secret: str, code: str) -> list[str]:
    """Turn on TOTP once the person proves their app has the secret; return recovery codes."""
    step = _totp_step(secret, code)
    if step is None:
        raise AccountError(
            _("That code is not right. Check your app's clock and try again."), field="code"
        )
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = replace_recovery_codes(user)
    audit.record(
        "auth.two_factor_enabled", f"{user.name} turned on two-factor sign-in", subject=user
    )
    return codes


def disable_two_factor(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    for code in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(code)
    audit.record(
        "auth.two_factor_disabled", f"{user.name} turned off two-factor sign-in", subject=user
    )


def replace_recovery_codes(user: User) -> list[str]:
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(old)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_password(code)))
    return codes


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def check_second_factor(user: User, code: str) -> str | None:
    """Accept a fresh TOTP code or an unused recovery code; return which, or None."""
    if not user.totp_secret:
        return None
    step = _totp_step(user.totp_secret, code)
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        return "totp"
    candidate = code.strip().lower()
    if len(candidate) == 13 and candidate[6] == "-":
        for row in db.session.scalars(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ):
            try:
                _hasher().verify(row.code_hash, candidate)
            except (VerificationError, InvalidHashError):
                continue
            row.used_at = utcnow()
            return "recovery code"
    return None


# ---- profile and handover ------------------------------------------------------------------


def confirm_password(user: User, password: str, *, field: str = "password") -> None:
    """Refuse an action confirmed with the wrong password (the message next to `field`)."""
    if not check_password(user, password):
        raise AccountError(_("That is not your password."), field=field)


def change_password(
    user: User, current: str, new: str, *, keep: SignedInSession | None = None
) -> None:
    """A new password, confirmed with the current one; every other session ends."""
    if not check_password(user, current):
        raise AccountError(_("That is not your current password."), field="current")
    set_password(user, new, keep=keep)
    audit.record("auth.password_changed", f"{user.name} changed their password", subject=user)


def update_profile(user: User, **fields: object) -> None:
    changed = [k for k, v in fields.items() if getattr(user, k) != v]
    for key in changed:
        setattr(user, key, fields[key])
    if changed:
        audit.record(
            "account.profile_updated", f"{user.name} updated {', '.join(changed)}", subject=user
        )


def deactivate(user: User, *, reason: str, actor: User) -> None:
    user.is_active = False
    user.deactivated_at = utcnow()
    user.session_nonce = new_session_nonce()
    sessions.end_all(user)  # and, once committed, their sockets are dropped
    audit.record(
        "account.deactivated",
        f"{actor.name} deactivated {user.name}: {reason}",
        actor=actor,
        subject=user,
        delegation_id=user.delegation_id,
    )


def reactivate(user: User, *, actor: User) -> None:
    user.is_active = True
    user.deactivated_at = None
    audit.record(
        "account.reactivated",
        f"{actor.name} reactivated {user.name}",
        actor=actor,
        subject=user,
        delegation_id=user.delegation_id,
    )


def check_successor(departing: User, successor: User | None) -> None:
    """Refuse a successor who could not take over: the message is shown next to the field."""
    if successor is None:
        raise AccountError(_("Choose a colleague from the list."), field="successor")
    if successor.id == departing.id:
        raise AccountError(_("Choose someone other than the departing delegate."))
    if successor.delegation_id != departing.delegation_id:
        raise AccountError(_("The successor must belong to the same delegation."))
    if not successor.is_active:
        raise AccountError(
            _("%(name)s's account is deactivated; choose an active colleague.", name=successor.name)
        )
    if successor.password_hash is None:
        # An invitation not yet accepted: the rooms would be left with nobody who can sign in.
        raise AccountError(
            _(
                "%(name)s has not accepted their invitation yet, so they cannot sign in. "
                "Hand over once they have, or choose a colleague who has.",
                name=successor.name,
            )
        )


def hand_over(
    departing: User, successor: User | None, *, actor: User, grant_history: bool = False
) -> handover.Handover:
    """Move everything a departing delegate holds for the delegation to a successor, in one step.

    Each domain moves its own part through the handover registry (consult.accounts.handover):
    room roles (the old memberships end with reason "handover" and stay in the history),
    need-to-know lists, paper follows, floor requests. The departing account is deactivated.
    """
    check_successor(departing, successor)
    if not departing.is_active:
        raise AccountError(_("This account has already been deactivated."))
    run = handover.Handover(departing, successor, actor, grant_history=grant_history)
    moved = run.moved = handover.move_all(run)
    departing.successor_id = successor.id
    deactivate(departing, reason=f"handed over to {successor.name}", actor=actor)
    audit.record(
        "account.handover",
        f"{actor.name} handed over {departing.name}'s rights to {successor.name}: "
        + ", ".join(f"{m.count} {m.name}" for m in moved),
        actor=actor,
        subject=departing,
        delegation_id=departing.delegation_id,
        successor_id=successor.id,
        moved={m.name: m.count for m in moved},
        history_granted=grant_history,
    )
    return run
