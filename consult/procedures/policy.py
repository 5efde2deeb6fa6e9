"""Who sees a written procedure, who responds to it, and who runs it.

- VIEW: whoever sees the room (the protection parent); the responses too: who responded and
  whether silence is broken is the room's business, as a letter to all States Parties would say.
- TAKE_PART (respond, as a comment at least): who takes part in the room, while the procedure is
  open, for a delegation other than the Secretariat (it circulates, it does not respond).
- DECIDE (answer "no objection" or "objection"): of those, the people of a State Party;
  signatories and observers comment, they do not object.
- MANAGE (extend the deadline, withdraw): the room's managers (the President, the chairs and
  facilitators, the Secretariat) while it is open.
- EXPORT (the Secretariat's letter): whoever sees it, once the deadline has passed (the outcome
  is recorded before the letter is written) or it was withdrawn; the room's managers at any
  time (a draft of the letter).

The responses' SQL filter is their parent's, so lists and `can()` agree.
"""

from __future__ import annotations

from consult import policy
from consult.accounts.models import DelegationStatus, User
from consult.extensions import db
from consult.policy import Need, Parent
from consult.procedures.models import ProcedureResponse, WrittenProcedure
from consult.rooms.models import Room
from consult.rooms.policy import room_rule


def _room(procedure: WrittenProcedure) -> Room:
    return db.session.get(Room, procedure.room_id)


def responds(user: User, procedure: WrittenProcedure) -> bool:
    """May respond for their delegation (a comment at least), whatever the clock says."""
    return not user.is_secretariat and room_rule(user, Need.TAKE_PART, _room(procedure))


def may_object(user: User) -> bool:
    """Only States Parties object (or approve); signatories and observers comment."""
    return user.delegation.status is DelegationStatus.STATE_PARTY


def procedure_rule(user: User, need: Need, procedure: WrittenProcedure) -> bool:
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return procedure.is_open() and responds(user, procedure)
        case Need.DECIDE:
            return procedure.is_open() and responds(user, procedure) and may_object(user)
        case Need.MANAGE:
            return procedure.is_open() and room_rule(user, Need.MANAGE, _room(procedure))
        case Need.EXPORT:
            return not procedure.is_open() or room_rule(user, Need.MANAGE, _room(procedure))
    return False


def response_rule(user: User, need: Need, response: ProcedureResponse) -> bool:
    """A response is read by whoever sees its procedure (the parent chain asks that)."""
    return need is Need.VIEW


def register() -> None:
    policy.add(WrittenProcedure, rule=procedure_rule, parent=Parent(WrittenProcedure.room_id, Room))
    policy.add(
        ProcedureResponse,
        rule=response_rule,
        parent=Parent(ProcedureResponse.procedure_id, WrittenProcedure),
    )
