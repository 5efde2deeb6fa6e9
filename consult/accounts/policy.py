"""Who may see and administer delegations and accounts."""

from __future__ import annotations

from consult.accounts.models import Delegation, User
from consult.policy import Need, rule


@rule(Delegation)
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


@rule(User)
def user_rule(user: User, need: Need, other: User) -> bool:
    match need:
        case Need.VIEW:
            return True
        case Need.ADMINISTER:
            return user.is_secretariat
        case Need.HAND_OVER:
            # The departing person's own delegation focal point, or the Secretariat.
            return other.id != user.id and (
                user.is_secretariat
                or (user.is_focal_point and user.delegation_id == other.delegation_id)
            )
    return False
