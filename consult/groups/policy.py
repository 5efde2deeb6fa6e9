"""Groups are reference data like delegations: every signed-in person may see them (their
names are printed on statements), so they have a rule but no visible filter to list them
through; the Secretariat manages them."""

from __future__ import annotations

from consult import policy
from consult.groups.models import Group
from consult.policy import Need


def _rule(user, need, group: Group) -> bool:
    if need is Need.VIEW:
        return True
    return user.is_secretariat


def register() -> None:
    policy.add(Group, rule=_rule)
