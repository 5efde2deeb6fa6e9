"""Who sees a questionnaire, its questions and the responses to it.

- A questionnaire in drafting: the room's managers (chairs, facilitators, the Secretariat);
  issued: everyone who sees the room (the protection parent).
- A response in drafting: the answering delegation's people only (not the chair).
- A submitted response: everyone who sees the questionnaire when its answers are shared with
  the room; otherwise the room's managers, the Secretariat and the answering delegation.

The SQL filters are built from the same conditions, so lists and `can()` agree.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import User
from consult.extensions import db
from consult.policy import Need, Parent
from consult.questionnaires.models import (
    Question,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireResponse,
)
from consult.rooms.models import Room
from consult.rooms.policy import managed_room_ids, room_rule


def _room(questionnaire: Questionnaire) -> Room:
    from consult.extensions import db

    return db.session.get(Room, questionnaire.room_id)


def manages(user: User, questionnaire: Questionnaire) -> bool:
    return room_rule(user, Need.MANAGE, _room(questionnaire))


def questionnaire_rule(user: User, need: Need, questionnaire: Questionnaire) -> bool:
    """VIEW and EXPORT: issued, or the room's managers; MANAGE: the room's managers; TAKE_PART
    (answer for one's delegation): who takes part in the room, once issued, not the
    Secretariat (it asks, it does not answer); AUTHOR (submit the delegation's answers): of
    those, the focal point or the colleague it designated; DECIDE (designate): the focal
    point."""
    managing = manages(user, questionnaire)
    match need:
        case Need.VIEW:
            return questionnaire.issued_at is not None or managing
        case Need.MANAGE:
            return managing
        case Need.EXPORT:  # the compilation of what the person may read, as a file
            return questionnaire.issued_at is not None or managing
        case Need.TAKE_PART:
            return _answers(user, questionnaire)
        case Need.AUTHOR:  # submit (or amend) the delegation's answers
            return _answers(user, questionnaire) and _submits(user, questionnaire)
        case Need.DECIDE:  # designate the colleague who submits: the focal point
            return _answers(user, questionnaire) and user.is_focal_point
    return False


def _answers(user: User, questionnaire: Questionnaire) -> bool:
    return (
        questionnaire.issued_at is not None
        and not user.is_secretariat
        and room_rule(user, Need.TAKE_PART, _room(questionnaire))
    )


def _submits(user: User, questionnaire: Questionnaire) -> bool:
    """The delegation's focal point, or the colleague the focal point designated for this
    questionnaire. A delegation with no focal point on the platform has nobody to designate:
    then any of its people who may answer submits."""
    if user.is_focal_point:
        return True
    designated = db.session.scalar(
        select(QuestionnaireResponse.designated_id).where(
            QuestionnaireResponse.questionnaire_id == questionnaire.id,
            QuestionnaireResponse.delegation_id == user.delegation_id,
        )
    )
    if designated == user.id:
        return True
    focal = select(User.id).where(
        User.delegation_id == user.delegation_id,
        User.is_focal_point.is_(True),
        User.is_active.is_(True),
    )
    return db.session.scalar(focal.limit(1)) is None


def visible_questionnaires(user: User) -> ColumnElement[bool]:
    return or_(
        Questionnaire.issued_at.is_not(None), Questionnaire.room_id.in_(managed_room_ids(user))
    )


def question_rule(user: User, need: Need, question: Question) -> bool:
    """A question is read by whoever sees its questionnaire (the parent chain asks that) and
    changed (MANAGE) by the room's managers."""
    from consult.extensions import db

    if need is Need.VIEW:
        return True
    if need is Need.MANAGE:
        return manages(user, db.session.get(Questionnaire, question.questionnaire_id))
    return False


def _shared_questionnaire_ids():
    return select(Questionnaire.id).where(Questionnaire.is_shared_with_room.is_(True))


def _managed_questionnaire_ids(user: User):
    return select(Questionnaire.id).where(Questionnaire.room_id.in_(managed_room_ids(user)))


def response_rule(user: User, need: Need, response: QuestionnaireResponse) -> bool:
    """VIEW as the module says; AUTHOR (draft, submit, amend): the delegation's people."""
    from consult.extensions import db

    own = response.delegation_id == user.delegation_id
    if need is Need.AUTHOR:
        return own
    if need is not Need.VIEW:
        return False
    if own:
        return True
    if response.submitted_at is None:
        return False
    questionnaire = db.session.get(Questionnaire, response.questionnaire_id)
    return questionnaire.is_shared_with_room or manages(user, questionnaire)


def visible_responses(user: User) -> ColumnElement[bool]:
    return or_(
        QuestionnaireResponse.delegation_id == user.delegation_id,
        and_(
            QuestionnaireResponse.submitted_at.is_not(None),
            or_(
                QuestionnaireResponse.questionnaire_id.in_(_shared_questionnaire_ids()),
                QuestionnaireResponse.questionnaire_id.in_(_managed_questionnaire_ids(user)),
            ),
        ),
    )


def answer_rule(user: User, need: Need, answer: QuestionnaireAnswer) -> bool:
    """A submitted answer is read by whoever sees its response (the parent chain)."""
    return need is Need.VIEW


def register() -> None:
    policy.add(
        Questionnaire,
        rule=questionnaire_rule,
        visible=visible_questionnaires,
        parent=Parent(Questionnaire.room_id, Room),
    )
    policy.add(
        Question, rule=question_rule, parent=Parent(Question.questionnaire_id, Questionnaire)
    )
    policy.add(
        QuestionnaireResponse,
        rule=response_rule,
        visible=visible_responses,
        parent=Parent(QuestionnaireResponse.questionnaire_id, Questionnaire),
    )
    policy.add(
        QuestionnaireAnswer,
        rule=answer_rule,
        parent=Parent(QuestionnaireAnswer.response_id, QuestionnaireResponse),
    )
