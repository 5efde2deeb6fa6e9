"""Questionnaires: a chair asks the room's delegations; each answers once, as a delegation."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest
from sqlalchemy import func, select

from consult import policy
from consult.accounts.models import DelegationStatus
from consult.library import shelves
from consult.notifications.models import Notification
from consult.papers.models import Paper, PaperKind, PaperStatus
from consult.policy import Need
from consult.questionnaires import services
from consult.questionnaires.models import (
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireResponse,
    ResponseChange,
)
from consult.rooms.models import AccessLevel, RoomRole
from consult.taxonomy import services as taxonomy
from consult.timeutil import utcnow
from consult.waiting import for_person

pytestmark = pytest.mark.library

CANARY = "CANARY-CHAIR-ONLY-5d1e"


@pytest.fixture
def setting(db, make_delegation, make_user, make_room, add_member):
    room = make_room(AccessLevel.TRANSPARENT, time_zone="Europe/Zurich")
    germany = make_delegation(name="Germany")
    france = make_delegation(name="France", group=None)
    people = dict(
        chair=make_user(name="Chair"),
        focal=make_user(delegation=germany, name="Sabine", is_focal_point=True),
        delegate=make_user(delegation=germany, name="Jonas"),
        third=make_user(delegation=germany, name="Lena"),
        france=make_user(delegation=france, name="Claire"),  # France has no focal point
        outsider=make_user(name="Outsider"),  # sees the room, not a member
        secretariat=make_user(status=DelegationStatus.SECRETARIAT, name="Sec"),
    )
    add_member(room, people["chair"], RoomRole.CHAIR)
    add_member(room, germany)
    add_member(room, france)
    return room, people


def _issued(room, chair, *, shared=True, attribution="attributed", questions=2):
    q = services.create(
        room,
        chair,
        title="Practical implementation",
        introduction="Tell us how you do it.",
        closes_at=utcnow() + timedelta(days=7),
        is_shared_with_room=shared,
        attribution=attribution,
    )
    stage = taxonomy.by_slug("post-delivery-measures")
    made = []
    for n in range(questions):
        question = services.add_question(q, chair, f"Question text {n + 1}?")
        taxonomy.set_tags(question, [stage])
        made.append(question)
    services.issue(q, chair)
    return q, made


def _client(app, auth, user):
    c = app.test_client()
    type(auth)(c).login_quickly(user)
    return c


def _answers(questions, *texts):
    return {f"answer_{q.id}": t for q, t in zip(questions, texts, strict=False)}


# ---- the chair ---------------------------------------------------------------------------


def test_the_chair_prepares_and_issues_a_questionnaire_and_the_delegations_are_told(
    app, client, auth, db, setting
):
    room, people = setting
    auth.login_quickly(people["chair"])
    answer = client.post(
        f"/rooms/{room.slug}/questionnaires/new",
        data={
            "title": "National practice",
            "introduction": "Please answer.",
            "closes_at": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "sharing": "chair",
            "attribution": "lettered",
        },
    )
    assert answer.status_code == 303
    q = db.session.scalars(select(Questionnaire)).one()
    assert not q.is_shared_with_room and q.attribution == "lettered" and q.is_draft
    stage = taxonomy.by_slug("post-delivery-measures")
    answer = client.post(
        f"/questionnaires/{q.id}/questions/new",
        data={"text": "How do you manage stockpiles?", "stages": [str(stage.id)]},
    )
    assert answer.status_code == 303
    question = services.questions_of(q)[0]
    assert [t.id for t in taxonomy.tags_of(question).stages] == [stage.id]
    # In drafting, a delegation does not know it exists.
    assert not policy.can(Need.VIEW, q, people["delegate"])
    other = _client(app, auth, people["delegate"])
    assert other.get(f"/questionnaires/{q.id}").status_code == 404
    assert client.post(f"/questionnaires/{q.id}/issue").status_code == 303
    told = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "questionnaire.issued")
        )
    )
    assert told == {
        people["focal"].id,
        people["delegate"].id,
        people["third"].id,
        people["france"].id,
    }
    page = other.get(f"/questionnaires/{q.id}").get_data(as_text=True)
    assert "How do you manage stockpiles?" in page and "(Zurich time)" in page
    assert [w.title for w in for_person(people["delegate"])].count("National practice") == 1
    # Issued: the questions cannot change any more.
    answer = client.post(f"/questions/{question.id}/edit", data={"text": "Changed?"})
    assert answer.status_code == 422
    assert "cannot change once the questionnaire is issued" in answer.get_data(as_text=True)


def test_the_chair_refuses_bad_settings_next_to_the_field(client, auth, db, setting):
    room, people = setting
    auth.login_quickly(people["chair"])
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        f"/rooms/{room.slug}/questionnaires/new",
        data={
            "title": "x" * 201,
            "closes_at": past,
            "sharing": "room",
            "attribution": "attributed",
        },
    )
    assert answer.status_code == 422
    assert "201" in answer.get_data(as_text=True)
    answer = client.post(
        f"/rooms/{room.slug}/questionnaires/new",
        data={"title": "Fine", "closes_at": past, "sharing": "room", "attribution": "attributed"},
    )
    assert "The deadline must be in the future." in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Questionnaire.id))) == 0


def test_a_question_can_be_removed_after_confirmation_and_moved(client, auth, db, setting):
    room, people = setting
    auth.login_quickly(people["chair"])
    q = services.create(
        room,
        people["chair"],
        title="Q",
        introduction="",
        closes_at=utcnow() + timedelta(days=2),
        is_shared_with_room=True,
        attribution="attributed",
    )
    one = services.add_question(q, people["chair"], "One?")
    two = services.add_question(q, people["chair"], "Two?")
    assert client.post(f"/questions/{two.id}/up").status_code == 303
    assert [x.text for x in services.questions_of(q)] == ["Two?", "One?"]
    assert "Remove it" in client.get(f"/questions/{one.id}/remove").get_data(as_text=True)
    assert client.post(f"/questions/{one.id}/remove").status_code == 303
    assert [x.text for x in services.questions_of(q)] == ["Two?"]


def test_close_with_confirmation_and_reopen(client, auth, db, setting):
    room, people = setting
    q, _questions = _issued(room, people["chair"])
    auth.login_quickly(people["chair"])
    assert "Close it" in client.get(f"/questionnaires/{q.id}/close").get_data(as_text=True)
    assert client.post(f"/questionnaires/{q.id}/close").status_code == 303
    assert not q.is_open() and "chair closed" in services.closed_reason(q)
    later = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(f"/questionnaires/{q.id}/reopen", data={"closes_at": later}).status_code == 303
    )
    assert q.is_open()


# ---- the delegation answers ------------------------------------------------------------------


def test_a_colleague_drafts_and_the_focal_point_submits(app, client, auth, db, setting):
    room, people = setting
    q, questions = _issued(room, people["chair"])
    delegate = _client(app, auth, people["delegate"])
    answer = delegate.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "save", "version": "", **_answers(questions, "We keep registers.", "")},
    )
    assert answer.status_code == 303
    response = services.response_of(q, people["delegate"].delegation_id)
    assert not response.is_submitted
    # The chair does not see a draft: Germany has not answered yet.
    assert not policy.can(Need.VIEW, response, people["chair"])
    assert "Germany" in [d.name for d in services.standing(q, people["chair"]).not_answered]
    # A colleague who is not the focal point, nor designated, may not submit: nothing stored.
    answer = delegate.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "submit", "version": response.version, **_answers(questions, "Mine.")},
    )
    assert answer.status_code == 422
    assert "Only the focal point of Germany (Sabine)" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert response.draft[str(questions[0].id)] == "We keep registers."
    assert not response.is_submitted
    focal = _client(app, auth, people["focal"])
    page = focal.get(f"/questionnaires/{q.id}/answer").get_data(as_text=True)
    assert "We keep registers." in page and "Submit for Germany" in page
    answer = focal.post(
        f"/questionnaires/{q.id}/answer",
        data={
            "action": "submit",
            "version": response.version,
            **_answers(questions, "We keep registers.", "Annual checks."),
        },
    )
    assert answer.status_code == 303
    db.session.expire_all()
    assert response.is_submitted and response.submitted_by_id == people["focal"].id
    assert services.submitted_texts(response) == {
        str(questions[0].id): "We keep registers.",
        str(questions[1].id): "Annual checks.",
    }
    standing = services.standing(q, people["chair"])
    assert [r.delegation.name for r in standing.answered] == ["Germany"]
    assert [d.name for d in standing.not_answered] == ["France"]
    # A second submission for the delegation is refused (amend instead); nothing stored.
    answer = focal.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "submit", "version": response.version, **_answers(questions, "Again.")},
    )
    assert answer.status_code == 422
    assert "has already submitted its answers" in answer.get_data(as_text=True)
    assert services.submitted_texts(response)[str(questions[0].id)] == "We keep registers."
    assert db.session.scalar(select(func.count(QuestionnaireResponse.id))) == 1


def test_an_amendment_keeps_the_previous_text_and_the_designated_colleague_may_submit(
    app, auth, db, setting
):
    room, people = setting
    q, questions = _issued(room, people["chair"])
    focal = _client(app, auth, people["focal"])
    answer = focal.post(
        f"/questionnaires/{q.id}/designate", data={"designated": str(people["delegate"].id)}
    )
    assert answer.status_code == 303
    response = services.response_of(q, people["focal"].delegation_id)
    assert response.designated_id == people["delegate"].id
    # Designating again does not count as a change of the draft (no false conflict).
    version = response.version
    services.designate(q, people["focal"], people["third"].id)
    services.designate(q, people["focal"], people["delegate"].id)
    assert response.version == version
    # Only the focal point designates.
    third = _client(app, auth, people["third"])
    third.post(f"/questionnaires/{q.id}/designate", data={"designated": str(people["third"].id)})
    db.session.expire_all()
    assert response.designated_id == people["delegate"].id
    delegate = _client(app, auth, people["delegate"])
    answer = delegate.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "submit", "version": response.version, **_answers(questions, "First.")},
    )
    assert answer.status_code == 303
    db.session.expire_all()
    answer = delegate.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "amend", "version": response.version, **_answers(questions, "Second.")},
    )
    assert answer.status_code == 303
    db.session.expire_all()
    assert response.amended_at is not None
    assert services.submitted_texts(response)[str(questions[0].id)] == "Second."
    amended = db.session.scalars(
        select(ResponseChange).where(ResponseChange.action == "amended")
    ).one()
    assert amended.previous[str(questions[0].id)] == "First."
    assert amended.user_id == people["delegate"].id
    # The chair reads the history of what was submitted, not the delegation's drafts.
    chair_history = services.history(response, people["chair"])
    assert [c.action for c in chair_history] == ["amended", "submitted"]
    page = _client(app, auth, people["chair"]).get(f"/questionnaire-responses/{response.id}")
    assert "Second." in page.get_data(as_text=True)


def test_a_delegation_without_a_focal_point_submits_through_any_of_its_people(
    app, auth, db, setting
):
    room, people = setting
    q, questions = _issued(room, people["chair"])
    france = _client(app, auth, people["france"])
    answer = france.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "submit", "version": "", **_answers(questions, "Oui.")},
    )
    assert answer.status_code == 303
    assert services.response_of(q, people["france"].delegation_id).is_submitted


def test_two_colleagues_saving_at_once_lose_neither_text(app, auth, db, setting):
    room, people = setting
    q, questions = _issued(room, people["chair"])
    one, two = _client(app, auth, people["delegate"]), _client(app, auth, people["third"])
    # Both open the empty form (no draft yet); the first saves.
    assert one.get(f"/questionnaires/{q.id}/answer").status_code == 200
    assert two.get(f"/questionnaires/{q.id}/answer").status_code == 200
    answer = one.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "save", "version": "", **_answers(questions, "Jonas's text.")},
    )
    assert answer.status_code == 303
    answer = two.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "save", "version": "", **_answers(questions, "Lena's text.")},
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "A colleague saved your delegation" in page
    assert "Jonas&#39;s text." in page and "Lena&#39;s text." in page  # both versions
    response = services.response_of(q, people["delegate"].delegation_id)
    assert response.draft[str(questions[0].id)] == "Jonas's text."
    # Saved again from the version shown, Lena's text goes in.
    answer = two.post(
        f"/questionnaires/{q.id}/answer",
        data={
            "action": "save",
            "version": response.version,
            **_answers(questions, "Jonas's text. Lena's text."),
        },
    )
    assert answer.status_code == 303
    db.session.expire_all()
    assert response.draft[str(questions[0].id)] == "Jonas's text. Lena's text."
    # The service refuses a stale version too (another save in between).
    with pytest.raises(services.ResponseConflict):
        services.save_draft(
            q, people["delegate"], seen=response.version - 1, answers={questions[0].id: "Old."}
        )


def test_an_oversized_answer_is_refused_with_its_length_and_nothing_is_stored(
    app, auth, db, setting
):
    room, people = setting
    q, questions = _issued(room, people["chair"])
    focal = _client(app, auth, people["focal"])
    long = "x" * (services.MAX_ANSWER + 1)
    answer = focal.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "submit", "version": "", **_answers(questions, "Fine.", long)},
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "10,001 characters long" in page
    assert f'id="answer_{questions[1].id}-error"' in page  # next to its field
    assert db.session.scalar(select(func.count(QuestionnaireResponse.id))) == 0


def test_after_the_deadline_answers_and_amendments_are_refused(app, auth, db, setting, clock):
    room, people = setting
    q, questions = _issued(room, people["chair"])
    services.submit(q, people["focal"], seen=None, answers={questions[0].id: "In time."})
    db.session.flush()
    response = services.response_of(q, people["focal"].delegation_id)
    clock.move(days=8)
    assert not q.is_open()
    focal = _client(app, auth, people["focal"])
    answer = focal.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "amend", "version": response.version, **_answers(questions, "Late.")},
    )
    assert answer.status_code == 422
    assert "has passed; answers can no longer be given or amended" in answer.get_data(as_text=True)
    france = _client(app, auth, people["france"])
    answer = france.post(
        f"/questionnaires/{q.id}/answer",
        data={"action": "submit", "version": "", **_answers(questions, "Late.")},
    )
    assert answer.status_code == 422
    assert services.submitted_texts(response)[str(questions[0].id)] == "In time."
    assert services.response_of(q, people["france"].delegation_id) is None
    # Nobody outside the room's delegations and the Secretariat answers.
    assert not policy.can(Need.TAKE_PART, q, people["secretariat"])


# ---- the compilation, exports, the paper and the library ----------------------------------


def _two_answers(setting, **kw):
    room, people = setting
    q, questions = _issued(room, people["chair"], **kw)
    services.submit(q, people["focal"], seen=None, answers={questions[0].id: "German answer."})
    services.submit(q, people["france"], seen=None, answers={questions[0].id: "French answer."})
    db_flush()
    return q, questions


def db_flush():
    from consult.extensions import db

    db.session.flush()


def test_the_compilation_lists_the_answers_side_by_side_and_exports(app, auth, db, setting):
    room, people = setting
    q, questions = _two_answers(setting)
    chair = _client(app, auth, people["chair"])
    page = chair.get(f"/questionnaires/{q.id}/compilation").get_data(as_text=True)
    assert page.index("France") < page.index("French answer.") < page.index("Germany")
    answer = chair.get(f"/questionnaires/{q.id}/compilation.docx")
    assert answer.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(answer.data)).paragraphs)
    assert "German answer." in text and "French answer." in text and "Germany" in text
    answer = chair.get(f"/questionnaires/{q.id}/compilation.csv")
    assert answer.data.startswith(b"\xef\xbb\xbf")
    rows = answer.data.decode("utf-8-sig").splitlines()
    assert len(rows) == 3 and "Germany" in rows[2] and "German answer." in rows[2]


def test_a_lettered_compilation_names_no_delegation(app, auth, db, setting):
    room, people = setting
    q, _questions = _two_answers(setting, attribution="lettered")
    delegate = _client(app, auth, people["outsider"])
    page = delegate.get(f"/questionnaires/{q.id}/compilation").get_data(as_text=True)
    assert "Delegation A" in page and "Delegation B" in page
    assert "Germany" not in page and "France" not in page
    csv = delegate.get(f"/questionnaires/{q.id}/compilation.csv").data.decode("utf-8-sig")
    assert "Germany" not in csv and "Delegation A" in csv
    response = services.response_of(q, people["focal"].delegation_id)
    assert delegate.get(f"/questionnaire-responses/{response.id}").status_code == 404


def test_the_compilation_becomes_a_chair_summary_in_drafting(app, auth, db, setting):
    room, people = setting
    q, _questions = _two_answers(setting)
    chair = _client(app, auth, people["chair"])
    assert chair.post(f"/questionnaires/{q.id}/paper").status_code == 303
    db.session.expire_all()
    paper = db.session.get(Paper, q.paper_id)
    assert paper.kind is PaperKind.CHAIR_SUMMARY and paper.status is PaperStatus.DRAFTING
    assert paper.room_id == room.id
    page = chair.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "German answer." in page and f'href="/questionnaires/{q.id}"' in page
    assert not policy.can(Need.VIEW, paper, people["focal"])
    again = chair.post(f"/questionnaires/{q.id}/paper", follow_redirects=True)
    assert "A paper was already made from this questionnaire." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Paper.id))) == 1


def test_the_answers_shelf_finds_shared_answers_by_stage_and_facet(db, setting):
    room, people = setting
    q, _questions = _two_answers(setting)
    stage = taxonomy.by_slug("post-delivery-measures")
    shelf = shelves.get("answers")
    query = shelves.Query(term_ids=tuple(taxonomy.with_subtopics(stage)))
    found = shelf.find(people["outsider"], query)
    assert sorted(e.delegation for e in found) == ["France", "Germany"]
    assert shelf.count(people["outsider"], query) == 2
    germany = people["focal"].delegation_id
    only = shelves.Query(term_ids=query.term_ids, delegation_id=germany)
    assert [e.summary for e in shelf.find(people["outsider"], only)] == ["German answer."]
    other_stage = taxonomy.by_slug("national-control-system") or taxonomy.terms()[0]
    if other_stage.id != stage.id:
        assert shelf.find(people["outsider"], shelves.Query(term_ids=(other_stage.id,))) == []
    year = shelves.Query(term_ids=query.term_ids, year=utcnow().year - 1)
    assert shelf.find(people["outsider"], year) == []


def test_a_lettered_questionnaire_is_not_found_by_delegation(db, setting):
    room, people = setting
    _two_answers(setting, attribution="lettered")
    stage = taxonomy.by_slug("post-delivery-measures")
    shelf = shelves.get("answers")
    base = tuple(taxonomy.with_subtopics(stage))
    assert all(e.delegation is None for e in shelf.find(people["outsider"], shelves.Query(base)))
    by = shelves.Query(term_ids=base, delegation_id=people["focal"].delegation_id)
    assert shelf.find(people["outsider"], by) == []


@pytest.mark.leak
def test_answers_shared_only_with_the_chair_never_reach_others(app, client, auth, db, setting):
    room, people = setting
    q, questions = _issued(room, people["chair"], shared=False)
    services.submit(q, people["focal"], seen=None, answers={questions[0].id: CANARY})
    db.session.flush()
    response = services.response_of(q, people["focal"].delegation_id)
    chair = _client(app, auth, people["chair"])
    assert CANARY in chair.get(f"/questionnaires/{q.id}/compilation").get_data(as_text=True)
    secretariat = _client(app, auth, people["secretariat"])
    assert CANARY in secretariat.get(f"/questionnaire-responses/{response.id}").get_data(
        as_text=True
    )
    assert policy.can(Need.VIEW, response, people["delegate"])  # its own delegation
    stage = taxonomy.by_slug("post-delivery-measures")
    for who in ("france", "outsider"):
        auth.login_quickly(people[who])
        seen = []
        for url in (
            "/",
            f"/rooms/{room.slug}",
            f"/questionnaires/{q.id}",
            f"/questionnaires/{q.id}/compilation",
            f"/questionnaires/{q.id}/compilation.docx",
            f"/questionnaires/{q.id}/compilation.csv",
            f"/questionnaire-responses/{response.id}",
            "/library/post-delivery-measures",
            "/notifications/",
        ):
            answer = client.get(url)
            if url.endswith(".docx") and answer.status_code == 200:
                document = docx.Document(io.BytesIO(answer.data))
                seen.append("\n".join(p.text for p in document.paragraphs))
            else:
                seen.append(answer.data.decode("utf-8-sig"))
        assert client.get(f"/questionnaire-responses/{response.id}").status_code == 404
        seen += [
            e.summary or ""
            for e in shelves.get("answers").find(people[who], shelves.Query(term_ids=(stage.id,)))
        ]
        seen += [
            n.text
            for n in db.session.scalars(
                select(Notification).where(Notification.user_id == people[who].id)
            )
        ]
        assert all(CANARY not in s for s in seen), f"the chair-only answer leaked to {who}"
    assert db.session.scalar(select(func.count(QuestionnaireAnswer.id))) == 1


def test_the_demo_questionnaire_is_half_answered(app, client, auth, db):
    from consult.accounts.models import User
    from consult.rooms.models import Room

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    q = db.session.scalars(select(Questionnaire)).one()
    wgeti = db.session.scalars(select(Room).where(Room.slug == "wgeti")).one()
    assert q.room_id == wgeti.id and len(services.questions_of(q)) == 3
    assert all(taxonomy.tags_of(question).stages for question in services.questions_of(q))
    chair = db.session.scalars(select(User).where(User.email.startswith("chair.wgeti@"))).one()
    standing = services.standing(q, chair)
    assert len(standing.answered) == len(standing.not_answered) == 5
    assert sum(1 for r in standing.answered if r.amended_at) == 1
    germany = next(d for d in standing.not_answered if d.name == "Germany")
    draft = services.response_of(q, germany.id)
    assert draft is not None and not draft.is_submitted
    auth.login_quickly(chair)
    page = client.get(f"/questionnaires/{q.id}").get_data(as_text=True)
    assert "Who answered (5)" in page and "Who has not answered (5)" in page
    compiled = client.get(f"/questionnaires/{q.id}/compilation").get_data(as_text=True)
    assert "Nigeria is piloting post-shipment checks" in compiled
    assert "BAFA decides" not in compiled  # Germany's draft stays inside Germany
