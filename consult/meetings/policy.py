"""Who may see a meeting, take part in it (ask for the floor) and chair it.

Access is inherited through the protection chain: a meeting's parent is its room, an agenda
item's its meeting, a floor request's its agenda item. `policy.can()` refuses everything on an
object whose parent the person may not see, and `policy.visible()` selects through the same
chain, so these rules only say what the chain does not: which powers over a meeting come from
the room (taking part, chairing).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import User
from consult.extensions import db
from consult.groups.services import may_confirm, may_see_pending, seen_clause
from consult.meetings.models import (
    AgendaDocument,
    AgendaItem,
    DocumentKind,
    FloorRequest,
    Meeting,
    MeetingSession,
)
from consult.policy import Need, Parent
from consult.rooms.models import Room
from consult.rooms.policy import managed_room_ids, room_rule


def meeting_rule(user: User, need: Need, meeting: Meeting) -> bool:
    """Whoever sees the room sees its meetings (the chain); taking part and chairing are the
    room's powers."""
    if need is Need.VIEW:
        return True
    if need in (Need.TAKE_PART, Need.MANAGE):
        return room_rule(user, need, meeting.room)
    return False


def item_rule(user: User, need: Need, item: AgendaItem) -> bool:
    """An agenda item is the meeting's: the same powers."""
    if need is Need.VIEW:
        return True
    meeting = policy.parent_of(item)
    return meeting is not None and meeting_rule(user, need, meeting)


def session_rule(user: User, need: Need, session: MeetingSession) -> bool:
    """A session of the programme is the meeting's: seen where the meeting is, arranged by
    whoever chairs it."""
    if need is Need.VIEW:
        return True
    meeting = policy.parent_of(session)
    return meeting is not None and meeting_rule(user, need, meeting)


def floor_rule(user: User, need: Need, request_: FloorRequest) -> bool:
    """A floor request is the agenda item's: the chair manages it (moves it, rules on it).
    One made on behalf of a group and pending its confirmation is seen only by who asked and
    the group's coordinators, and nobody may act on it otherwise (not even the chair: it is
    not on the speakers' list until confirmed)."""
    if not may_see_pending(user, request_, request_.requested_by_id):
        return False
    if need is Need.VIEW:
        return True
    if need is Need.CONFIRM:
        return may_confirm(user, request_)
    item = policy.parent_of(request_)
    return item is not None and item_rule(user, need, item)


def visible_floor_requests(user: User) -> ColumnElement[bool]:
    """The floor requests floor_rule lets this person see (within the items they see)."""
    return seen_clause(FloorRequest, FloorRequest.requested_by_id, user)


def document_rule(user: User, need: Need, document: AgendaDocument) -> bool:
    """An item's document: the chair (who manages the meeting) sees all of them, also the
    removed ones (to restore them) and the written statements waiting for publication; the
    submitting delegation sees its own statement; everyone else who sees the item sees the
    circulated ones, a paper only where they may see the paper. `AUTHOR` is the delegation's
    power over its statement before publication (take it back)."""
    item = policy.parent_of(document)
    manages = item is not None and item_rule(user, Need.MANAGE, item)
    own = (
        document.kind is DocumentKind.WRITTEN_STATEMENT
        and document.delegation_id is not None
        and document.delegation_id == user.delegation_id
    )
    if not manages:
        if document.removed_at is not None and not own:
            return False
        if not document.is_published and not own:
            return False
    if document.paper_id is not None:
        from consult.papers.models import Paper

        paper = db.session.get(Paper, document.paper_id)
        if paper is None or not policy.can(Need.VIEW, paper, user):
            return False
    match need:
        case Need.VIEW:
            return True
        case Need.MANAGE:
            return manages
        case Need.AUTHOR:
            return (
                own
                and not document.is_published
                and item is not None
                and item_rule(user, Need.TAKE_PART, item)
            )
    return False


def visible_documents(user: User) -> ColumnElement[bool]:
    """The documents document_rule lets this person see (within the items they see)."""
    from consult.papers.models import Paper

    managed_items = select(AgendaItem.id).join(Meeting, Meeting.id == AgendaItem.meeting_id)
    managed_items = managed_items.where(Meeting.room_id.in_(managed_room_ids(user)))
    own = and_(
        AgendaDocument.kind == DocumentKind.WRITTEN_STATEMENT,
        AgendaDocument.delegation_id == user.delegation_id,
    )
    circulated = and_(AgendaDocument.removed_at.is_(None), AgendaDocument.is_published.is_(True))
    papers_seen = select(Paper.id).where(policy.visible(Paper, user))
    return and_(
        or_(AgendaDocument.item_id.in_(managed_items), own, circulated),
        or_(AgendaDocument.paper_id.is_(None), AgendaDocument.paper_id.in_(papers_seen)),
    )


def register() -> None:
    """Tell the policy how to answer for Meeting, AgendaItem, MeetingSession, FloorRequest:
    each is seen exactly where its parent is (a floor request: but for the pending ones of a
    group), in `can()` and in SQL alike."""
    policy.add(
        Meeting,
        rule=meeting_rule,
        parent=Parent(Meeting.room_id, Room),
    )
    policy.add(
        AgendaItem,
        rule=item_rule,
        parent=Parent(AgendaItem.meeting_id, Meeting),
    )
    policy.add(
        MeetingSession,
        rule=session_rule,
        parent=Parent(MeetingSession.meeting_id, Meeting),
    )
    policy.add(
        FloorRequest,
        rule=floor_rule,
        visible=visible_floor_requests,
        parent=Parent(FloorRequest.item_id, AgendaItem),
    )
    policy.add(
        AgendaDocument,
        rule=document_rule,
        visible=visible_documents,
        parent=Parent(AgendaDocument.item_id, AgendaItem),
    )
