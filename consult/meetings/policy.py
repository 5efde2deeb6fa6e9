"""Who may see a meeting, take part in it (ask for the floor) and chair it."""

from __future__ import annotations

from consult import policy
from consult.accounts.models import User
from consult.extensions import db
from consult.meetings.models import AgendaItem, FloorRequest, Meeting
from consult.policy import Need
from consult.rooms.policy import room_rule, viewable_room_ids


def meeting_rule(user: User, need: Need, meeting: Meeting) -> bool:
    if need in (Need.VIEW, Need.TAKE_PART, Need.MANAGE):
        return room_rule(user, need, meeting.room)
    return False


def visible_meetings(user: User):
    """A meeting is seen by whoever sees its room."""
    return Meeting.room_id.in_(viewable_room_ids(user))


def item_rule(user: User, need: Need, item: AgendaItem) -> bool:
    meeting = db.session.get(Meeting, item.meeting_id)
    return meeting is not None and meeting_rule(user, need, meeting)


def floor_rule(user: User, need: Need, request_: FloorRequest) -> bool:
    item = db.session.get(AgendaItem, request_.item_id)
    return item is not None and item_rule(user, need, item)


def register() -> None:
    """Tell the policy how to answer for Meeting, AgendaItem, FloorRequest."""
    policy.add(Meeting, rule=meeting_rule, visible=visible_meetings)
    policy.add(AgendaItem, rule=item_rule)
    policy.add(FloorRequest, rule=floor_rule)
