"""Who may see a meeting, take part in it (ask for the floor) and chair it."""

from __future__ import annotations

from consult.accounts.models import User
from consult.extensions import db
from consult.meetings.models import AgendaItem, FloorRequest, Meeting
from consult.policy import Need, rule, visible_filter
from consult.rooms.policy import room_rule, viewable_room_ids


@rule(Meeting)
def meeting_rule(user: User, need: Need, meeting: Meeting) -> bool:
    if need in (Need.VIEW, Need.TAKE_PART, Need.MANAGE):
        return room_rule(user, need, meeting.room)
    return False


@visible_filter(Meeting)
def visible_meetings(user: User):
    """A meeting is seen by whoever sees its room."""
    return Meeting.room_id.in_(viewable_room_ids(user))


@rule(AgendaItem)
def item_rule(user: User, need: Need, item: AgendaItem) -> bool:
    meeting = db.session.get(Meeting, item.meeting_id)
    return meeting is not None and meeting_rule(user, need, meeting)


@rule(FloorRequest)
def floor_rule(user: User, need: Need, request_: FloorRequest) -> bool:
    item = db.session.get(AgendaItem, request_.item_id)
    return item is not None and item_rule(user, need, item)
