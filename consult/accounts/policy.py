"""Who may see and administer delegations and accounts."""

from __future__ import annotations

from consult import policy
from consult.accounts.models import Delegation, SignedInSession, User
from consult.policy import Need


def delegation_rule(user: User, need: Need, delegation: Delegation) -> bool:
    match need:
        case Need.VIEW:
            return True  # delegations are public knowledge among participants
        case Need.ADMINISTER:
            return user.is_secretariat
        case Need.HAND_OVER:
            return user.is_secretariat or (
                user.is_focal_point and user.delegation_id == delegation.id
            )
    return False


def user_rule(user: User, need: Need, other: User) -> bool:
    match need:
        case Need.VIEW:
            return True
        case Need.ADMINISTER:
            return user.is_secretariat
        case Need.HAND_OVER:
            # The departing person themself, their delegation's focal point, or the Secretariat.
            return (
                other.id == user.id
                or user.is_secretariat
                or (user.is_focal_point and user.delegation_id == other.delegation_id)
            )
        case Need.GRANT_HISTORY:
            # Only the person's own delegation (its focal point, or the person before they
            # leave) grants their confidential history: the Secretariat reads no threads.
            return user.delegation_id == other.delegation_id and (
                user.is_focal_point or other.id == user.id
            )
    return False


def session_rule(user: User, need: Need, row: SignedInSession) -> bool:
    """A signed-in session is its person's alone: nobody else may know it exists (not even the
    Secretariat, which ends them all by deactivating the account)."""
    return row.user_id == user.id and need in (Need.VIEW, Need.MANAGE)


def register() -> None:
    """Tell the policy how to answer for Delegation, User, SignedInSession."""
    policy.add(Delegation, rule=delegation_rule)
    policy.add(User, rule=user_rule)
    policy.add(SignedInSession, rule=session_rule)
