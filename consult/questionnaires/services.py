"""Issuing a questionnaire, answering it as a delegation, and the chair's compilation.

A delegation's colleagues edit one working draft (one text per question), one version at a
time: a save made from an older version is refused and the page shows both texts, so nothing
is lost (as `consult.delegation_drafts` does for a single text). The focal point, or the
colleague the focal point designates, submits; until the deadline they may amend, and each
submission and amendment keeps the texts it replaced. Services flush; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from consult import audit, dates, policy
from consult.accounts.models import Delegation, DelegationStatus, User
from consult.errors import ServiceError, accepted_text
from consult.extensions import db
from consult.i18n import later
from consult.links import path_for
from consult.policy import Need
from consult.questionnaires.models import (
    Question,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireResponse,
    ResponseChange,
)
from consult.rooms.models import Membership, Room, RoomRole
from consult.timeutil import utcnow
from consult.waiting import Waiting

MAX_TITLE = 200
MAX_INTRODUCTION = 20_000
MAX_QUESTION = 4_000
MAX_ANSWER = 10_000
MAX_QUESTIONS = 50
ATTRIBUTIONS = ("attributed", "lettered", "unattributed")


class QuestionnaireError(ServiceError):
    """What the chair or a delegation asked cannot be done; shown next to its field."""


class ResponseConflict(QuestionnaireError):
    """A colleague saved the delegation's draft after this person opened it: their text is not
    stored, and the page shows both texts so that nothing is lost."""


def answer_field(question: Question | int) -> str:
    """The form field of a question's answer ("answer_12")."""
    ident = question if isinstance(question, int) else question.id
    return f"answer_{ident}"


# ---- the chair: issue a questionnaire -------------------------------------------------------


def _check_text(text: str | None, limit: int, field_name: str, empty: str | None = None) -> str:
    return accepted_text(text, limit, field_name, QuestionnaireError, empty)


def _check_settings(title: str, introduction: str, attribution: str) -> tuple[str, str]:
    title = _check_text(title, MAX_TITLE, "title", _("Give the questionnaire a title."))
    introduction = _check_text(introduction, MAX_INTRODUCTION, "introduction")
    if attribution not in ATTRIBUTIONS:
        raise QuestionnaireError(_("Choose from the list."), "attribution")
    return title, introduction


def _check_deadline(closes_at: datetime | None) -> datetime:
    if closes_at is None:
        raise QuestionnaireError(_("Set the deadline for answers."), "closes_at")
    if closes_at <= utcnow():
        raise QuestionnaireError(_("The deadline must be in the future."), "closes_at")
    return closes_at


def create(
    room: Room,
    actor: User,
    *,
    title: str,
    introduction: str,
    closes_at: datetime | None,
    is_shared_with_room: bool,
    attribution: str,
) -> Questionnaire:
    """A questionnaire in drafting (only the room's managers see it until it is issued)."""
    title, introduction = _check_settings(title, introduction, attribution)
    questionnaire = Questionnaire(
        room_id=room.id,
        title=title,
        introduction=introduction,
        closes_at=_check_deadline(closes_at),
        is_shared_with_room=is_shared_with_room,
        attribution=attribution,
        created_by_id=actor.id,
    )
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def update(
    questionnaire: Questionnaire,
    actor: User,
    *,
    title: str,
    introduction: str,
    closes_at: datetime | None,
    is_shared_with_room: bool,
    attribution: str,
) -> None:
    """Change the settings: all of them in drafting; once issued only the deadline (who reads
    the answers was promised to those answering)."""
    title, introduction = _check_settings(title, introduction, attribution)
    if not questionnaire.is_draft:
        if is_shared_with_room != questionnaire.is_shared_with_room:
            raise QuestionnaireError(
                _("Who reads the answers cannot change once the questionnaire is issued."),
                "is_shared_with_room",
            )
        if attribution != questionnaire.attribution:
            raise QuestionnaireError(
                _("The attribution cannot change once the questionnaire is issued."),
                "attribution",
            )
        if title != questionnaire.title or introduction != questionnaire.introduction:
            raise QuestionnaireError(
                _("The title and introduction cannot change once the questionnaire is issued."),
                "title",
            )
    if closes_at != questionnaire.closes_at:
        questionnaire.closes_at = _check_deadline(closes_at)
    questionnaire.title = title
    questionnaire.introduction = introduction
    questionnaire.is_shared_with_room = is_shared_with_room
    questionnaire.attribution = attribution
    db.session.flush()


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.questionnaire_id == questionnaire.id)
            .order_by(Question.position, Question.id)
        )
    )


def _only_in_drafting(questionnaire: Questionnaire) -> None:
    if not questionnaire.is_draft:
        raise QuestionnaireError(
            _("The questions cannot change once the questionnaire is issued."), "text"
        )


def add_question(questionnaire: Questionnaire, actor: User, text: str) -> Question:
    """A question at the end (its tags are applied by the caller with the taxonomy)."""
    _only_in_drafting(questionnaire)
    text = _check_text(text, MAX_QUESTION, "text", _("Write the question."))
    count = db.session.scalar(
        select(func.count(Question.id)).where(Question.questionnaire_id == questionnaire.id)
    )
    if count >= MAX_QUESTIONS:
        raise QuestionnaireError(
            _("A questionnaire has at most %(n)s questions.", n=MAX_QUESTIONS), "text"
        )
    last = db.session.scalar(
        select(func.max(Question.position)).where(Question.questionnaire_id == questionnaire.id)
    )
    question = Question(questionnaire_id=questionnaire.id, text=text, position=(last or 0) + 1)
    db.session.add(question)
    db.session.flush()
    return question


def edit_question(question: Question, actor: User, text: str) -> None:
    _only_in_drafting(db.session.get(Questionnaire, question.questionnaire_id))
    question.text = _check_text(text, MAX_QUESTION, "text", _("Write the question."))
    db.session.flush()


def remove_question(question: Question, actor: User) -> None:
    """Remove a question from a questionnaire in drafting (after the chair confirmed)."""
    _only_in_drafting(db.session.get(Questionnaire, question.questionnaire_id))
    db.session.delete(question)
    db.session.flush()


def move_up(question: Question, actor: User) -> None:
    """Swap the question with the one before it."""
    questionnaire = db.session.get(Questionnaire, question.questionnaire_id)
    _only_in_drafting(questionnaire)
    questions = questions_of(questionnaire)
    at = next(i for i, q in enumerate(questions) if q.id == question.id)
    if at == 0:
        return
    for i, q in enumerate(questions, start=1):
        q.position = i
    before = questions[at - 1]
    before.position, question.position = question.position, before.position
    db.session.flush()


def expected_delegations(room: Room) -> list[Delegation]:
    """The delegations asked to answer: those that take part in the room as delegations or
    through their members (not observers, not the Secretariat), by name."""
    taking_part = (RoomRole.MEMBER, RoomRole.CHAIR, RoomRole.FACILITATOR)
    whole = select(Membership.delegation_id).where(
        Membership.room_id == room.id,
        Membership.ended_at.is_(None),
        Membership.delegation_id.is_not(None),
        Membership.role.in_(taking_part),
    )
    members = select(User.delegation_id).where(
        User.id.in_(
            select(Membership.user_id).where(
                Membership.room_id == room.id,
                Membership.ended_at.is_(None),
                Membership.role == RoomRole.MEMBER,
            )
        )
    )
    return list(
        db.session.scalars(
            select(Delegation)
            .where(
                or_(Delegation.id.in_(whole), Delegation.id.in_(members)),
                Delegation.is_active.is_(True),
                Delegation.status != DelegationStatus.SECRETARIAT,
            )
            .order_by(Delegation.name)
        )
    )


def issue(questionnaire: Questionnaire, actor: User) -> int:
    """Issue it: the room's delegations see it and are told. Returns how many were told."""
    from consult.notifications import services as notifications

    if not questionnaire.is_draft:
        raise QuestionnaireError(_("This questionnaire is already issued."))
    if not questions_of(questionnaire):
        raise QuestionnaireError(_("Add at least one question before issuing it."))
    if questionnaire.closes_at <= utcnow():
        raise QuestionnaireError(_("The deadline has passed: set a later one before issuing."))
    questionnaire.issued_at = utcnow()
    db.session.flush()
    room = db.session.get(Room, questionnaire.room_id)
    delegation_ids = [d.id for d in expected_delegations(room)]
    people = db.session.scalars(
        select(User.id).where(
            User.is_active.is_(True),
            User.id != actor.id,
            or_(
                User.delegation_id.in_(delegation_ids),
                User.id.in_(
                    select(Membership.user_id).where(
                        Membership.room_id == room.id, Membership.ended_at.is_(None)
                    )
                ),
            ),
        )
    )
    told = notifications.notify(
        people,
        "questionnaire.issued",
        _l(
            "%(room)s: the chair asks your delegation to answer “%(title)s” by %(when)s.",
            room=room.title,
            title=questionnaire.title,
            # In each recipient's language, the room's zone named.
            when=later(lambda: dates.zoned(questionnaire.closes_at, zone=room.time_zone)),
        ),
        path_for("questionnaires.questionnaire", questionnaire_id=questionnaire.id),
        subject=questionnaire,
    )
    audit.record(
        "questionnaire.issued",
        f"{room.title}: {actor.name} issued the questionnaire {questionnaire.title}",
        actor=actor,
        room_id=room.id,
        questionnaire_id=questionnaire.id,
    )
    return len(told)


def close(questionnaire: Questionnaire, actor: User) -> None:
    """Close it before its deadline (reopen undoes it)."""
    if questionnaire.is_draft or questionnaire.closed_at is not None:
        raise QuestionnaireError(_("This questionnaire is not open."))
    questionnaire.closed_at = utcnow()
    db.session.flush()
    audit.record(
        "questionnaire.closed",
        f"{actor.name} closed the questionnaire {questionnaire.title}",
        actor=actor,
        room_id=questionnaire.room_id,
        questionnaire_id=questionnaire.id,
    )


def reopen(questionnaire: Questionnaire, actor: User, closes_at: datetime | None) -> None:
    """Take answers again until `closes_at` (a closed one, or one past its deadline)."""
    if questionnaire.is_draft:
        raise QuestionnaireError(_("This questionnaire is not issued yet."), "closes_at")
    questionnaire.closes_at = _check_deadline(closes_at)
    questionnaire.closed_at = None
    db.session.flush()
    audit.record(
        "questionnaire.reopened",
        f"{actor.name} reopened the questionnaire {questionnaire.title}",
        actor=actor,
        room_id=questionnaire.room_id,
        questionnaire_id=questionnaire.id,
    )


def closed_reason(questionnaire: Questionnaire, now: datetime | None = None) -> str | None:
    """Why answers are not taken now, or None."""
    now = now or utcnow()
    if questionnaire.is_draft:
        return _("This questionnaire is not issued yet.")
    if questionnaire.closed_at is not None:
        return _("The chair closed this questionnaire; answers can no longer be given or amended.")
    if now >= questionnaire.closes_at:
        return _(
            "The deadline (%(when)s) has passed; answers can no longer be given or amended.",
            when=dates.zoned(
                questionnaire.closes_at,
                zone=db.session.get(Room, questionnaire.room_id).time_zone,
            ),
        )
    return None


# ---- a delegation answers -------------------------------------------------------------------


def response_of(questionnaire: Questionnaire, delegation_id: int) -> QuestionnaireResponse | None:
    return db.session.scalars(
        select(QuestionnaireResponse)
        .where(
            QuestionnaireResponse.questionnaire_id == questionnaire.id,
            QuestionnaireResponse.delegation_id == delegation_id,
        )
        .options(
            selectinload(QuestionnaireResponse.updated_by),
            selectinload(QuestionnaireResponse.submitted_by),
        )
    ).first()


def focal_points(delegation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.delegation_id == delegation_id,
                User.is_focal_point.is_(True),
                User.is_active.is_(True),
            )
            .order_by(User.name)
        )
    )


def colleagues(delegation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.delegation_id == delegation_id, User.is_active.is_(True))
            .order_by(User.name)
        )
    )


def _submit_refusal(user: User) -> str:
    names = ", ".join(u.name for u in focal_points(user.delegation_id))
    return _(
        "Only the focal point of %(delegation)s (%(names)s), or the colleague the focal point "
        "designates for this questionnaire, may submit its answers. Your text is kept as the "
        "delegation's draft if you save it.",
        delegation=user.delegation.name,
        names=names,
    )


def _check_open(questionnaire: Questionnaire) -> None:
    if (reason := closed_reason(questionnaire)) is not None:
        raise QuestionnaireError(reason)


def _clean_answers(questions: list[Question], answers: dict[int, str]) -> dict[str, str]:
    """The answers by question, each checked (over the limit: refused with its length, next
    to its field; Markdown that cannot be rendered: refused)."""
    cleaned: dict[str, str] = {}
    for question in questions:
        text = (answers.get(question.id) or "").strip()
        cleaned[str(question.id)] = _check_text(text, MAX_ANSWER, answer_field(question))
    return cleaned


def _note(response: QuestionnaireResponse, user: User, action: str, previous: dict, current: dict):
    db.session.add(
        ResponseChange(
            response_id=response.id,
            user_id=user.id,
            action=action,
            previous=dict(previous),
            current=dict(current),
        )
    )


def _flush_or_conflict() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise ResponseConflict(
            _(
                "A colleague saved your delegation's answers at the same moment. Yours were not "
                "stored; both texts are shown below."
            )  # fmt: skip
        ) from None


def _conflict() -> ResponseConflict:
    return ResponseConflict(
        _(
            "A colleague saved your delegation's answers while you were editing them. Yours "
            "were not stored; both texts are shown below each question: copy what you need "
            "into yours, then save."
        )
    )


def save_draft(
    questionnaire: Questionnaire, user: User, *, seen: int | None, answers: dict[int, str]
) -> QuestionnaireResponse:
    """Save the delegation's working draft (any colleague who may answer), refused when a
    colleague saved it since `seen` (the version the person started from; None: none yet)."""
    if not policy.can(Need.TAKE_PART, questionnaire, user):
        raise QuestionnaireError(_("Your delegation is not asked to answer this questionnaire."))
    _check_open(questionnaire)
    questions = questions_of(questionnaire)
    cleaned = _clean_answers(questions, answers)
    response = response_of(questionnaire, user.delegation_id)
    if response is None:
        if seen is not None:
            raise _conflict()
        if not any(cleaned.values()):
            raise QuestionnaireError(
                _("Write at least one answer before saving."), answer_field(questions[0])
            )
        response = QuestionnaireResponse(
            questionnaire_id=questionnaire.id,
            delegation_id=user.delegation_id,
            draft=cleaned,
            updated_by_id=user.id,
        )
        db.session.add(response)
        db.session.flush()
        _note(response, user, "saved", {}, cleaned)
        return response
    if seen != response.version:
        raise _conflict()
    if cleaned == dict(response.draft or {}):
        return response
    previous = dict(response.draft or {})
    response.draft = cleaned
    response.updated_by_id = user.id
    response.updated_at = utcnow()
    _flush_or_conflict()
    _note(response, user, "saved", previous, cleaned)
    return response


def _written(texts: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in texts.items() if v}


def submitted_texts(response: QuestionnaireResponse) -> dict[str, str]:
    """The submitted answers as they now stand, {question id: text}."""
    return {
        str(a.question_id): a.body
        for a in db.session.scalars(
            select(QuestionnaireAnswer).where(QuestionnaireAnswer.response_id == response.id)
        )
    }


def submit(
    questionnaire: Questionnaire, user: User, *, seen: int | None, answers: dict[int, str]
) -> QuestionnaireResponse:
    """Save the draft and submit it as the delegation's answers (first time) or as an
    amendment (later, until the deadline); who replaced what is kept."""
    if not policy.can(Need.AUTHOR, questionnaire, user):
        raise QuestionnaireError(_submit_refusal(user))
    response = save_draft(questionnaire, user, seen=seen, answers=answers)
    texts = dict(response.draft or {})
    if not any(texts.values()):
        questions = questions_of(questionnaire)
        raise QuestionnaireError(
            _("Write at least one answer before submitting."), answer_field(questions[0])
        )
    previous = submitted_texts(response)
    now = utcnow()
    by_question = {
        a.question_id: a
        for a in db.session.scalars(
            select(QuestionnaireAnswer).where(QuestionnaireAnswer.response_id == response.id)
        )
    }
    for key, text in texts.items():
        answer = by_question.get(int(key))
        if answer is None and not text:
            continue  # a question left unanswered has no answer (yet)
        if answer is None:
            db.session.add(
                QuestionnaireAnswer(
                    response_id=response.id, question_id=int(key), body=text, updated_at=now
                )
            )
        elif answer.body != text:
            answer.body, answer.updated_at = text, now
    action = "amended" if response.is_submitted else "submitted"
    if action == "amended" and _written(previous) == _written(texts):
        raise QuestionnaireError(
            _("These are the answers already submitted; change a text to amend them.")
        )
    if action == "submitted":
        response.submitted_at = now
        response.submitted_by_id = user.id
    else:
        response.amended_at = now
    response.updated_by_id = user.id
    response.updated_at = now
    _flush_or_conflict()
    _note(response, user, action, previous, texts)
    audit.record(
        f"questionnaire.{action}",
        f"{user.name} {action} the answers of {user.delegation.name} to {questionnaire.title}",
        actor=user,
        room_id=questionnaire.room_id,
        questionnaire_id=questionnaire.id,
        delegation_id=user.delegation_id,
    )
    return response


def first_submission(
    questionnaire: Questionnaire, user: User, *, seen: int | None, answers: dict[int, str]
) -> QuestionnaireResponse:
    """Submit for the first time: a second submission is refused (amend instead)."""
    response = response_of(questionnaire, user.delegation_id)
    if response is not None and response.is_submitted:
        raise QuestionnaireError(
            _(
                "%(delegation)s has already submitted its answers (on %(when)s); a delegation "
                "answers once. Amend them instead.",
                delegation=user.delegation.name,
                when=dates.moment(response.submitted_at),
            )
        )
    return submit(questionnaire, user, seen=seen, answers=answers)


def amend(
    questionnaire: Questionnaire, user: User, *, seen: int | None, answers: dict[int, str]
) -> QuestionnaireResponse:
    """Amend the submitted answers (until the deadline)."""
    response = response_of(questionnaire, user.delegation_id)
    if response is None or not response.is_submitted:
        raise QuestionnaireError(_("Your delegation has not submitted its answers yet."))
    return submit(questionnaire, user, seen=seen, answers=answers)


def designate(questionnaire: Questionnaire, focal: User, colleague_id: int | None) -> None:
    """The focal point lets one colleague submit for the delegation (None: nobody else)."""
    if not policy.can(Need.DECIDE, questionnaire, focal):
        raise QuestionnaireError(
            _("Only your delegation's focal point designates who submits."), "designated"
        )
    _check_open(questionnaire)
    if colleague_id is not None and colleague_id not in {
        u.id for u in colleagues(focal.delegation_id) if u.id != focal.id
    }:
        raise QuestionnaireError(_("Choose a colleague of your delegation."), "designated")
    response = response_of(questionnaire, focal.delegation_id)
    if response is None:
        response = QuestionnaireResponse(
            questionnaire_id=questionnaire.id,
            delegation_id=focal.delegation_id,
            draft={},
            updated_by_id=focal.id,
        )
        db.session.add(response)
        db.session.flush()
    if response.designated_id == colleague_id:
        return
    # Not through the ORM: the designation is not a change of the draft's text, so it must
    # not raise the version (a colleague typing meanwhile would meet a false conflict).
    db.session.execute(
        sql_update(QuestionnaireResponse)
        .where(QuestionnaireResponse.id == response.id)
        .values(designated_id=colleague_id)
    )
    db.session.refresh(response)
    _note(response, focal, "designated", {}, {"designated": colleague_id})


def history(response: QuestionnaireResponse, viewer: User) -> list[ResponseChange]:
    """The response's steps, newest first: every step for the delegation; the submission and
    the amendments for anyone else who sees the response."""
    query = select(ResponseChange).where(ResponseChange.response_id == response.id)
    if viewer.delegation_id != response.delegation_id:
        query = query.where(ResponseChange.action.in_(("submitted", "amended")))
    return list(
        db.session.scalars(
            query.options(selectinload(ResponseChange.user)).order_by(ResponseChange.id.desc())
        )
    )


# ---- the chair's view and the compilation ---------------------------------------------------


def questionnaires_in(room: Room, user: User) -> list[Questionnaire]:
    return list(
        db.session.scalars(
            select(Questionnaire)
            .where(Questionnaire.room_id == room.id, policy.visible(Questionnaire, user))
            .order_by(Questionnaire.created_at.desc(), Questionnaire.id.desc())
        )
    )


def visible_responses(questionnaire: Questionnaire, user: User) -> list[QuestionnaireResponse]:
    """The submitted responses this person may read (the policy's filter), by delegation."""
    return list(
        db.session.scalars(
            select(QuestionnaireResponse)
            .join(Delegation, Delegation.id == QuestionnaireResponse.delegation_id)
            .where(
                QuestionnaireResponse.questionnaire_id == questionnaire.id,
                QuestionnaireResponse.submitted_at.is_not(None),
                policy.visible(QuestionnaireResponse, user),
            )
            .options(
                selectinload(QuestionnaireResponse.delegation),
                selectinload(QuestionnaireResponse.submitted_by),
            )
            .order_by(Delegation.name)
        )
    )


@dataclass
class Standing:
    """Who answered and who did not, for the chair."""

    answered: list[QuestionnaireResponse]
    not_answered: list[Delegation]


def standing(questionnaire: Questionnaire, user: User) -> Standing:
    room = db.session.get(Room, questionnaire.room_id)
    answered = visible_responses(questionnaire, user)
    done = {r.delegation_id for r in answered}
    return Standing(
        answered=answered,
        not_answered=[d for d in expected_delegations(room) if d.id not in done],
    )


def _letter(n: int) -> str:
    """A, B, ... Z, AA, AB ..."""
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass
class CompiledAnswer:
    who: str | None  # the delegation, "Delegation A", or None (unattributed)
    body: str
    body_html: object
    submitted_at: datetime
    amended_at: datetime | None
    response_id: int


@dataclass
class CompiledQuestion:
    number: int
    question: Question
    answers: list[CompiledAnswer] = field(default_factory=list)


@dataclass
class Compilation:
    questionnaire: Questionnaire
    room: Room
    questions: list[CompiledQuestion]
    responses: int
    generated_at: datetime


def compile_answers(questionnaire: Questionnaire, user: User) -> Compilation:
    """The answers this person may read, question by question, named as the questionnaire's
    attribution says (letters follow the delegations' names, the same letter throughout)."""
    responses = visible_responses(questionnaire, user)
    questions = questions_of(questionnaire)
    names: dict[int, str | None] = {}
    for i, response in enumerate(responses):
        if questionnaire.attribution == "attributed":
            names[response.id] = response.delegation.name
        elif questionnaire.attribution == "lettered":
            names[response.id] = _("Delegation %(letter)s", letter=_letter(i))
        else:
            names[response.id] = None
    by_response = {r.id: r for r in responses}
    answers = (
        db.session.scalars(
            select(QuestionnaireAnswer).where(
                QuestionnaireAnswer.response_id.in_(list(by_response))
            )
        )
        if by_response
        else []
    )
    grouped: dict[int, list[QuestionnaireAnswer]] = {}
    for answer in answers:
        if answer.body.strip():
            grouped.setdefault(answer.question_id, []).append(answer)
    order = {r.id: i for i, r in enumerate(responses)}
    compiled = []
    for number, question in enumerate(questions, start=1):
        rows = sorted(grouped.get(question.id, []), key=lambda a: order[a.response_id])
        compiled.append(
            CompiledQuestion(
                number,
                question,
                [
                    CompiledAnswer(
                        who=names[a.response_id],
                        body=a.body,
                        body_html=a.body_html,
                        submitted_at=by_response[a.response_id].submitted_at,
                        amended_at=by_response[a.response_id].amended_at,
                        response_id=a.response_id,
                    )
                    for a in rows
                ],
            )
        )
    return Compilation(
        questionnaire,
        db.session.get(Room, questionnaire.room_id),
        compiled,
        len(responses),
        utcnow(),
    )


def compilation_markdown(c: Compilation) -> str:
    """The compilation as the Markdown of a chair's summary paper."""
    lines = [
        _(
            "Compilation of the answers to the questionnaire “%(title)s” (%(n)s responses).",
            title=c.questionnaire.title,
            n=c.responses,
        ),
        "",
        "[{label}]({url})".format(
            label=_("The questionnaire and its answers"),
            url=path_for("questionnaires.questionnaire", questionnaire_id=c.questionnaire.id),
        ),
        "",
    ]
    for q in c.questions:
        lines += [f"## {_('Question %(n)s', n=q.number)}", "", q.question.text, ""]
        if not q.answers:
            lines += [f"*{_('No answers.')}*", ""]
        for answer in q.answers:
            if answer.who:
                lines += [f"**{answer.who}**", ""]
            lines += [answer.body, ""]
    return "\n".join(lines).strip() + "\n"


def to_paper(questionnaire: Questionnaire, actor: User):
    """A chair's summary paper of the room, in drafting, made from the compilation the chair
    sees; the questionnaire links to it."""
    from consult.papers import services as papers
    from consult.papers.models import PaperKind, PaperStatus

    if questionnaire.is_draft:
        raise QuestionnaireError(_("Issue the questionnaire and collect answers first."))
    if questionnaire.paper_id is not None:
        raise QuestionnaireError(_("A paper was already made from this questionnaire."))
    compilation = compile_answers(questionnaire, actor)
    if not compilation.responses:
        raise QuestionnaireError(_("No delegation has answered yet: there is nothing to compile."))
    room = db.session.get(Room, questionnaire.room_id)
    paper = papers.create_paper(
        room,
        actor,
        title=_("Summary of the answers: %(title)s", title=questionnaire.title)[:200],
        kind=PaperKind.CHAIR_SUMMARY,
        issued_by=_("Chair"),
        source=compilation_markdown(compilation),
    )
    papers.set_status(paper, actor, PaperStatus.DRAFTING, None)
    questionnaire.paper_id = paper.id
    db.session.flush()
    return paper


# ---- the dashboard and the library ----------------------------------------------------------


def waiting(user: User) -> list[Waiting]:
    """Open questionnaires the person's delegation has not submitted answers to."""
    if user.is_secretariat:
        return []
    answered = select(QuestionnaireResponse.questionnaire_id).where(
        QuestionnaireResponse.delegation_id == user.delegation_id,
        QuestionnaireResponse.submitted_at.is_not(None),
    )
    now = utcnow()
    rows = db.session.scalars(
        select(Questionnaire)
        .where(
            policy.visible(Questionnaire, user),
            Questionnaire.issued_at.is_not(None),
            Questionnaire.closed_at.is_(None),
            Questionnaire.closes_at > now,
            Questionnaire.id.not_in(answered),
        )
        .options(selectinload(Questionnaire.room))
        .order_by(Questionnaire.closes_at)
        .limit(20)
    )
    return [
        Waiting(
            kind=_("Questionnaire for your delegation"),
            title=q.title,
            url=path_for("questionnaires.answer", questionnaire_id=q.id),
            since=q.issued_at,
            due=q.closes_at,
        )
        for q in rows
        if policy.can(Need.TAKE_PART, q, user)
    ]


def reminder_deadlines(now: datetime, until: datetime):
    """Deadline reminders: each issued questionnaire closing in (now, until], to the people of
    the delegations asked that have not submitted yet."""
    from consult.notifications.reminders import Deadline, people_of

    due = db.session.scalars(
        select(Questionnaire).where(
            Questionnaire.issued_at.is_not(None),
            Questionnaire.closed_at.is_(None),
            Questionnaire.closes_at > now,
            Questionnaire.closes_at <= until,
        )
    )
    for questionnaire in list(due):
        submitted = select(QuestionnaireResponse.delegation_id).where(
            QuestionnaireResponse.questionnaire_id == questionnaire.id,
            QuestionnaireResponse.submitted_at.is_not(None),
        )
        asked = [d.id for d in expected_delegations(db.session.get(Room, questionnaire.room_id))]
        yield Deadline(
            questionnaire,
            questionnaire.closes_at,
            _("answer the questionnaire “%(title)s”", title=questionnaire.title),
            path_for("questionnaires.questionnaire", questionnaire_id=questionnaire.id),
            people_of(asked, submitted),
        )
