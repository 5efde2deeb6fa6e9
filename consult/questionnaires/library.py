"""The library's "Answers" shelf: submitted answers shared with the room, to questions tagged
with the query's terms, filtered by the facets in the same SQL statement. A delegation or
region facet only finds attributed answers (a lettered or unattributed compilation names
nobody, and the library must not either)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from consult import policy
from consult.accounts.models import Delegation
from consult.extensions import db
from consult.library import shelves
from consult.library.shelves import Entry, Query, Shelf, counts_through
from consult.links import path_for
from consult.questionnaires.models import (
    Question,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireResponse,
)
from consult.rooms.models import Room


def _where(user, query: Query | None) -> Select:
    """The answers the shelf lists for the query (None: every term, no facet, for counts)."""
    stmt = (
        select(QuestionnaireAnswer, Question, Questionnaire, QuestionnaireResponse, Room)
        .join(Question, Question.id == QuestionnaireAnswer.question_id)
        .join(QuestionnaireResponse, QuestionnaireResponse.id == QuestionnaireAnswer.response_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireResponse.questionnaire_id)
        .join(Room, Room.id == Questionnaire.room_id)
        .where(
            policy.visible(QuestionnaireAnswer, user),
            Questionnaire.is_shared_with_room.is_(True),
            QuestionnaireResponse.submitted_at.is_not(None),
            QuestionnaireAnswer.body != "",
        )
    )
    if query is None:
        return stmt
    return stmt.where(
        *shelves.facets(
            query,
            Question,
            date=QuestionnaireResponse.submitted_at,
            delegation=QuestionnaireResponse.delegation_id,
            attributed=Questionnaire.attribution == "attributed",
        )
    )


def find(user, query: Query) -> list[Entry]:
    rows = db.session.execute(
        _where(user, query)
        .order_by(QuestionnaireResponse.submitted_at.desc(), QuestionnaireAnswer.id)
        .limit(query.limit)
        .offset(query.offset)
    ).all()
    names = (
        dict(
            db.session.execute(
                select(Delegation.id, Delegation.name).where(
                    Delegation.id.in_({r.delegation_id for _a, _q, _qn, r, _room in rows})
                )
            ).all()
        )
        if rows
        else {}
    )
    entries = []
    for answer, question, questionnaire, response, room in rows:
        text = " ".join(question.text.split())
        entries.append(
            Entry(
                title=text if len(text) <= 120 else text[:119] + "…",
                url=path_for("questionnaires.compilation", questionnaire_id=questionnaire.id)
                + f"#question-{question.id}",
                date=response.amended_at or response.submitted_at,
                kind=str(_l("Answer to a questionnaire")),
                delegation=names.get(response.delegation_id)
                if questionnaire.attribution == "attributed"
                else None,
                place=room.title,
                summary=answer.body if len(answer.body) <= 300 else answer.body[:299] + "…",
                note=questionnaire.title,
            )
        )
    return entries


def count(user, query: Query) -> int:
    inner = _where(user, query).with_only_columns(QuestionnaireAnswer.id).subquery()
    return db.session.scalar(select(func.count()).select_from(inner)) or 0


def counts(user) -> dict[int, int]:
    """The answers the person may see per term of their question (for the library's index)."""
    pairs = _where(user, None).with_only_columns(
        Question.id.label("subject_id"), QuestionnaireAnswer.id.label("item_id")
    )
    return counts_through(Question, pairs)


SHELF = Shelf(
    key="answers", label=_l("Answers"), find=find, count=count, counts=counts, position=40
)
