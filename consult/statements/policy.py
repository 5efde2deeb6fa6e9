"""Who may see a group statement, take a position on it and steer it.

A statement's protection parent is its paper (whose parent is the group's room): whoever may
not see the paper may do nothing with the statement, in `can()` and `visible()` alike. The
rule adds who takes a position (people of the group's member delegations who take part in the
room) and who steers it (the coordinator: the group's coordinator, or whoever manages the room).
"""

from __future__ import annotations

from consult import policy
from consult.accounts.models import User
from consult.groups import services as groups
from consult.papers.models import Paper
from consult.policy import Need, Parent
from consult.rooms.policy import room_rule
from consult.statements.models import GroupStatement


def is_coordinator(user: User, statement: GroupStatement) -> bool:
    if room_rule(user, Need.MANAGE, statement.paper.room):
        return True
    from consult.statements.services import group_of

    group = group_of(statement)
    return group is not None and groups.is_coordinator(user, group)


def statement_rule(user: User, need: Need, statement: GroupStatement) -> bool:
    match need:
        case Need.VIEW | Need.EXPORT:
            return True
        case Need.TAKE_PART:
            from consult.statements.services import is_member_delegation

            return room_rule(user, Need.TAKE_PART, statement.paper.room) and is_member_delegation(
                statement, user.delegation_id
            )
        case Need.MANAGE:
            return is_coordinator(user, statement)
    return False


def register() -> None:
    # Seen exactly where its paper is seen: the parent alone selects what can(VIEW) allows.
    policy.add(
        GroupStatement,
        rule=statement_rule,
        parent=Parent(GroupStatement.paper_id, Paper, lambda s: s.paper),
    )
