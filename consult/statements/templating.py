"""The room page's statements section and the dashboard's "waiting for you" lines."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from consult.extensions import db
from consult.links import path_for
from consult.policy import Need, can, visible
from consult.rooms.models import Room
from consult.statements import services
from consult.statements.models import GroupStatement, Stance, StatementStatus
from consult.timeutil import utcnow
from consult.waiting import Waiting


def room_statements(room: Room, user):
    """Only in rooms that have statements or whose managers may open one."""
    statements = services.statements_in_room(room, user)
    manages = can(Need.MANAGE, room, user) and services.drafts_statements(room)
    if not statements and not manages:
        return None
    return "statements/_room_statements.html", {
        "statements": statements,
        "manages": manages,
        "room": room,
        "effective": _effective(statements),
    }


def _effective(statements: list[GroupStatement]) -> dict[int, StatementStatus]:
    latest = services.latest_positions_of(statements)
    now = utcnow()
    return {s.id: services.effective_status(s, now, latest[s.id]) for s in statements}


def waiting_for(user) -> list[Waiting]:
    """Statements this person's delegation has not yet taken a position on (with their
    deadline), and final statements this person, as coordinator, may deliver."""
    now = utcnow()
    rows = db.session.scalars(
        select(GroupStatement).where(
            visible(GroupStatement, user),
            GroupStatement.status.in_((StatementStatus.CONSULTING, StatementStatus.FINAL)),
        )
    ).all()
    positions = services.latest_positions_of(list(rows))
    lines = []
    for statement in rows:
        status = services.effective_status(statement, now, positions[statement.id])
        url = path_for("statements.statement", statement_id=statement.id)
        if status is StatementStatus.CONSULTING and now < statement.deadline:
            if not can(Need.TAKE_PART, statement, user):
                continue
            latest = positions[statement.id].get(user.delegation_id)
            if latest is not None and latest.position is not Stance.WITHDRAWN:
                continue
            lines.append(
                Waiting(
                    kind=_("Statement to agree"),
                    title=statement.paper.title,
                    url=url,
                    due=statement.deadline,
                )
            )
        elif status is StatementStatus.FINAL and can(Need.MANAGE, statement, user):
            lines.append(
                Waiting(
                    kind=_("Statement ready to deliver"),
                    title=statement.paper.title,
                    url=url,
                    since=statement.finalised_at or statement.deadline,
                )
            )
    return lines
