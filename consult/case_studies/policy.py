"""Who may see, review and learn the origin of a case study.

The protection parent is the room: whoever may not see the room sees nothing of its case
studies. Within it:

- before its first publication a case study is seen by its delegation and the room's
  reviewers (chairs, facilitators, the Secretariat) only;
- once published, by everyone who sees the room, for good: the text while it is published, a
  placeholder after a withdrawal, so a link to it never breaks;
- its delegation has the author's powers (`Need.AUTHOR`: revise, resubmit, withdraw,
  reinstate); the reviewers decide (`Need.DECIDE`: publish, return);
- the origin (`Need.SEE_AUTHORS`) is seen by everyone who sees it when attributed; when not,
  by its own delegation and the Secretariat only. The room's chairs and facilitators review an
  unattributed case study without learning where it came from.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import User
from consult.case_studies.models import CaseStudy
from consult.policy import Need, Parent
from consult.rooms.models import Room
from consult.rooms.policy import managed_room_ids, room_rule


def _reviews(user: User, case_study: CaseStudy) -> bool:
    room = policy.parent_of(case_study)
    return room is not None and room_rule(user, Need.MANAGE, room)


def case_study_rule(user: User, need: Need, case_study: CaseStudy) -> bool:
    """The room's rule already let the person see the room (the parent)."""
    own = case_study.delegation_id == user.delegation_id
    match need:
        case Need.VIEW:
            return case_study.is_public or own or _reviews(user, case_study)
        case Need.AUTHOR:
            return own
        case Need.DECIDE:
            return _reviews(user, case_study)
        case Need.SEE_AUTHORS:
            return case_study.is_attributed or own or user.is_secretariat
    return False


def visible_case_studies(user: User) -> ColumnElement[bool]:
    """What case_study_rule lets the person see, within the rooms they see (the parent)."""
    return or_(
        CaseStudy.published_at.is_not(None),
        CaseStudy.delegation_id == user.delegation_id,
        CaseStudy.room_id.in_(managed_room_ids(user)),
    )


def register() -> None:
    """Tell the policy how to answer for CaseStudy."""
    policy.add(
        CaseStudy,
        rule=case_study_rule,
        visible=visible_case_studies,
        parent=Parent(CaseStudy.room_id, Room),
    )
