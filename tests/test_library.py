"""The library's pages: the index's counts, a term's shelves, filters, paging, and that
nothing one may not see is listed or counted (leak canaries, a property check against
can(VIEW), and a constant number of statements whatever the data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.briefs.models import PublishedBrief
from consult.case_studies.models import CaseStudy, CaseStudyStatus
from consult.discussions.models import Topic
from consult.extensions import db
from consult.groups.models import Group
from consult.library import shelves
from consult.library.shelves import Query
from consult.papers.models import (
    ContributionStatus,
    Paper,
    PaperKind,
    PaperStatus,
    Revision,
)
from consult.policy import Need, can, subject_of
from consult.questionnaires.models import (
    Question,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireResponse,
)
from consult.rooms.models import AccessLevel, RoomKind, RoomRole
from consult.taxonomy import services as taxonomy
from consult.taxonomy.models import Tag
from tests.test_threads import forum  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.library

STAGE = "post-delivery-measures"
SUB = "delivery-verification-certificates"


def tag(subject, *slugs: str, articles=()) -> None:
    """Add the terms (stages, sub-topics, activities) and articles to what `subject` has."""
    kind, ident = subject_of(subject)
    have = set(taxonomy.term_ids_of(subject))
    for slug in slugs:
        term = taxonomy.by_slug(slug)
        if term.id not in have:
            db.session.add(Tag(subject_type=kind, subject_id=ident, term_id=term.id))
    if articles:
        taxonomy.set_articles(subject, articles)
    db.session.flush()


def paper(
    db,
    room,
    author,
    title,
    *,
    kind=PaperKind.WORKING_PAPER,
    status=PaperStatus.OPEN,
    revisions=1,
    when=None,
    delegation=None,
    contribution=None,
):
    """A paper with its revisions, quicker than the services (the library only reads)."""
    p = Paper(
        room_id=room.id,
        title=title,
        kind=kind,
        issued_by="The Chair",
        status=status,
        created_by_id=author.id,
        submitted_by_delegation_id=delegation.id if delegation else None,
        contribution_status=contribution,
    )
    db.session.add(p)
    db.session.flush()
    for n in range(revisions):
        db.session.add(
            Revision(
                paper_id=p.id,
                number=n,
                source="Text.",
                created_by_id=author.id,
                created_at=when or datetime(2026, 3, 1, tzinfo=UTC),
            )
        )
    db.session.flush()
    return p


def topic(db, room, author, title, *, chatham=False):
    t = Topic(
        room_id=room.id,
        title=title,
        author_id=author.id,
        delegation_id=author.delegation_id,
        is_chatham_house=chatham,
    )
    db.session.add(t)
    db.session.flush()
    return t


@pytest.fixture
def world(db, make_room, make_user, make_delegation, add_member):
    """An open working group with papers of every kind, a members-only room, a states-only
    room, and people: a State delegate, an observer State, civil society, the chair."""
    wg = make_room(AccessLevel.OPEN, RoomKind.WORKING_GROUP, title="Working group")
    members = make_room(AccessLevel.MEMBERS, title="Members room")
    states = make_room(AccessLevel.STATES, title="States room")
    chair = make_user(name="Chair")
    add_member(wg, chair, RoomRole.CHAIR)
    add_member(members, chair, RoomRole.CHAIR)
    germany = make_delegation(name="Germany", group=RegionalGroup.WEOG)
    nigeria = make_delegation(name="Nigeria", group=RegionalGroup.AFRICAN)
    people = {
        "chair": chair,
        "state": make_user(germany, name="German delegate"),
        "nigeria": make_user(nigeria, name="Nigerian delegate"),
        "observer": make_user(status=DelegationStatus.OBSERVER_STATE, name="Observer"),
        "ngo": make_user(status=DelegationStatus.CIVIL_SOCIETY, name="NGO"),
    }
    add_member(members, people["state"])
    p = {
        "guide": paper(db, wg, chair, "Guide on DVCs", kind=PaperKind.VOLUNTARY_GUIDE, revisions=3),
        "old": paper(
            db,
            wg,
            chair,
            "Old background paper",
            kind=PaperKind.BACKGROUND_PAPER,
            when=datetime(2024, 5, 1, tzinfo=UTC),
        ),
        "members": paper(db, members, chair, "Members-only paper"),
        "states": paper(db, states, chair, "States-only paper"),
        "drafting": paper(db, wg, chair, "Drafting paper", status=PaperStatus.DRAFTING),
        "summary": paper(db, wg, chair, "Chair's summary of day one", kind=PaperKind.CHAIR_SUMMARY),
        "national": paper(
            db,
            wg,
            people["nigeria"],
            "Nigeria's practice",
            kind=PaperKind.NATIONAL_PAPER,
            delegation=nigeria,
            contribution=ContributionStatus.ACCEPTED,
        ),
        "pending": paper(
            db,
            wg,
            people["state"],
            "Germany's pending paper",
            kind=PaperKind.NATIONAL_PAPER,
            delegation=germany,
            contribution=ContributionStatus.SUBMITTED,
        ),
        "untagged": paper(db, wg, chair, "Untagged paper"),
    }
    for key, subject in p.items():
        if key != "untagged":
            tag(subject, STAGE)
    tag(p["guide"], SUB, "export", articles=[11])
    discussion = topic(db, wg, people["state"], "How do you verify deliveries?")
    tag(discussion, SUB)
    secret_topic = topic(db, wg, people["nigeria"], "Chatham topic", chatham=True)
    tag(secret_topic, STAGE)
    brief = PublishedBrief(room_id=wg.id, body="Trends in **forged** certificates.")
    members_brief = PublishedBrief(room_id=members.id, body="A members-only brief.")
    db.session.add_all([brief, members_brief])
    db.session.flush()
    tag(brief, STAGE)
    tag(members_brief, STAGE)
    _case_studies_and_answers(db, wg, members, people, nigeria)
    return {
        "rooms": {"wg": wg, "members": members, "states": states},
        "people": people,
        "papers": p,
        "topic": discussion,
        "chatham": secret_topic,
        "brief": brief,
        "germany": germany,
        "nigeria": nigeria,
    }


def _case_studies_and_answers(db, wg, members, people, nigeria) -> None:
    """Published case studies (one unattributed, one in the members' room, one still waiting)
    and answers to questions tagged with the stage: shared with the room, in the members'
    room, for the chair only, and not yet submitted."""
    texts = dict.fromkeys(
        ("context", "challenge", "measures", "agencies", "result", "lessons"), "c"
    )
    now = datetime.now(UTC)
    for room, title, status, attributed in (
        (wg, "Case study: DVCs in practice", CaseStudyStatus.PUBLISHED, True),
        (wg, "Case study: unattributed", CaseStudyStatus.PUBLISHED, False),
        (members, "Case study: members only", CaseStudyStatus.PUBLISHED, True),
        (wg, "Case study: waiting", CaseStudyStatus.SUBMITTED, True),
    ):
        case = CaseStudy(
            room_id=room.id,
            delegation_id=nigeria.id,
            submitted_by_id=people["nigeria"].id,
            title=title,
            is_attributed=attributed,
            status=status,
            published_at=now if status is CaseStudyStatus.PUBLISHED else None,
            **texts,
        )
        db.session.add(case)
        db.session.flush()
        tag(case, STAGE)
    for room, text, shared, submitted in (
        (wg, "Question shared with the room?", True, True),
        (members, "Question of the members' room?", True, True),
        (wg, "Question for the chair only?", False, True),
        (wg, "Question not yet answered?", True, False),
    ):
        questionnaire = Questionnaire(
            room_id=room.id,
            title=text,
            introduction="",
            closes_at=now + timedelta(days=30),
            is_shared_with_room=shared,
            attribution="attributed",
            issued_at=now,
            created_by_id=people["chair"].id,
        )
        db.session.add(questionnaire)
        db.session.flush()
        question = Question(questionnaire_id=questionnaire.id, text=text, position=1)
        db.session.add(question)
        db.session.flush()
        tag(question, SUB)
        response = QuestionnaireResponse(
            questionnaire_id=questionnaire.id,
            delegation_id=nigeria.id,
            draft={str(question.id): "draft"},
            updated_by_id=people["nigeria"].id,
            submitted_at=now if submitted else None,
            submitted_by_id=people["nigeria"].id if submitted else None,
        )
        db.session.add(response)
        db.session.flush()
        if submitted:
            db.session.add(
                QuestionnaireAnswer(response_id=response.id, question_id=question.id, body="a")
            )
    db.session.flush()


def titles(user, query: Query) -> dict[str, set[str]]:
    return {s.key: {e.title for e in s.find(user, query)} for s in shelves.all_shelves()}


def stage_query(slug: str = STAGE, **kw) -> Query:
    term = taxonomy.by_slug(slug)
    return Query(term_ids=tuple(taxonomy.with_subtopics(term)), **kw)


BRIEF = "Trend brief of the chair of a confidential forum"
EVERYONE = {"Guide on DVCs", "Old background paper"}


def test_each_shelf_lists_its_own_kind_of_what_a_member_state_may_see(app, world):
    with app.test_request_context():
        found = titles(world["people"]["state"], stage_query())
    assert found["papers"] == EVERYONE | {"Members-only paper", "States-only paper"}
    assert found["contributions"] == {"Nigeria's practice"}
    assert found["summaries"] == {"Chair's summary of day one"}
    assert found["discussions"] == {"Chatham topic", "How do you verify deliveries?"}
    assert found["briefs"] == {BRIEF}  # the members room's too: one title for both
    with app.test_request_context():
        lines = shelves.get("briefs").find(world["people"]["state"], stage_query())
    assert len(lines) == 2 and "forged certificates" in lines[-1].summary + lines[0].summary


@pytest.mark.parametrize("role", ["observer", "ngo"])
def test_an_observer_sees_neither_states_rooms_nor_members_rooms(app, world, role):
    with app.test_request_context():
        found = titles(world["people"][role], stage_query())
        briefs = shelves.get("briefs").find(world["people"][role], stage_query())
    assert found["papers"] == EVERYONE
    assert "Germany's pending paper" not in found["contributions"]
    assert len(briefs) == 1


def test_the_facets_filter_in_sql(app, world, db):
    state = world["people"]["state"]
    african = db.session.scalar(
        select(Group.id).where(Group.regional_group == RegionalGroup.AFRICAN)
    )
    with app.test_request_context():
        assert titles(state, stage_query(article=11))["papers"] == {"Guide on DVCs"}
        export = taxonomy.by_slug("export").id
        assert titles(state, stage_query(activity_id=export))["papers"] == {"Guide on DVCs"}
        old = titles(state, stage_query(year=2024))
        assert old["papers"] == {"Old background paper"} and not old["summaries"]
        by_nigeria = titles(state, stage_query(delegation_id=world["nigeria"].id))
        assert by_nigeria["contributions"] == {"Nigeria's practice"}
        # Unattributed shelves list nothing for a delegation; a Chatham House topic's
        # author is not told by a filter.
        assert not by_nigeria["papers"] and not by_nigeria["briefs"]
        assert not by_nigeria["discussions"]
        by_region = titles(state, stage_query(region_id=african))
        assert by_region["contributions"] == {"Nigeria's practice"}
        chair = world["people"]["chair"]
        assert titles(chair, stage_query(delegation_id=world["nigeria"].id))["discussions"] == {
            "Chatham topic"
        }
        weog = titles(state, stage_query(delegation_id=world["germany"].id))
        assert weog["discussions"] == {"How do you verify deliveries?"}
        assert not weog["contributions"]  # Germany's is pending: not in the library
        sub = titles(state, stage_query(SUB))
        assert sub["papers"] == {"Guide on DVCs"} and sub["discussions"] == {
            "How do you verify deliveries?"
        }


def test_the_term_page_lists_the_shelves_with_notes_and_attribution(client, auth, world):
    auth.login_quickly(world["people"]["state"])
    response = client.get(f"/library/{STAGE}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Post-delivery measures" in html and "after the arms arrive" in html
    for title in ("Guide on DVCs", "States-only paper", "Nigeria&#39;s practice"):
        assert title in html
    assert "Rev.2" in html and "Unattributed" in html and "Nigeria" in html
    assert 'href="/library/delivery-verification-certificates"' in html
    assert "Drafting paper" not in html and "Germany&#39;s pending paper" not in html
    sub = client.get(f"/library/{SUB}").get_data(as_text=True)
    assert f'href="/library/{STAGE}"' in sub and "A sub-topic of Post-delivery measures" in sub
    assert "Old background paper" not in sub


def test_the_filter_form_keeps_its_values_and_offers_a_way_back(client, auth, world):
    auth.login_quickly(world["people"]["state"])
    html = client.get(f"/library/{STAGE}?article=11&year=2026").get_data(as_text=True)
    assert '<option selected value="11">' in html and 'value="2026"' in html
    assert "Clear filters" in html and "Old background paper" not in html
    assert "Guide on DVCs" in html


@pytest.mark.parametrize(
    "args, field, message",
    [
        ("article=29", "article", "Choose from the list"),
        ("year=abc", "year", "four digits"),
        ("year=20266", "year", "four digits"),
        ("kind=cookbooks", "kind", "Choose from the list"),
        ("delegation=99999999", "delegation", "Choose from the list"),
        ("region=%C2%B2", "region", "Choose from the list"),
        ("activity=1", "activity", "Choose from the list"),
    ],
)
def test_a_bad_filter_is_refused_next_to_its_field(client, auth, world, args, field, message):
    auth.login_quickly(world["people"]["state"])
    response = client.get(f"/library/{STAGE}?{args}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html.split(f'id="{field}-error"')[1][:200]
    assert "Guide on DVCs" in html  # the rest of the page still lists, unfiltered


def test_unknown_and_activity_slugs_are_not_pages(client, auth, world):
    auth.login_quickly(world["people"]["state"])
    assert client.get("/library/no-such-stage").status_code == 404
    assert client.get("/library/export").status_code == 404


def test_a_retired_term_keeps_its_page_marked_retired(client, auth, world, db):
    term = taxonomy.by_slug(SUB)
    term.retired_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.flush()
    auth.login_quickly(world["people"]["state"])
    html = client.get(f"/library/{SUB}").get_data(as_text=True)
    assert "Retired" in html and "Guide on DVCs" in html
    assert "Retired" in client.get("/library").get_data(as_text=True)


def test_one_kind_pages_through_its_entries(client, auth, world, monkeypatch):
    from consult.library import routes

    monkeypatch.setattr(routes, "PER_PAGE", 3)
    monkeypatch.setattr(routes, "PREVIEW", 2)
    auth.login_quickly(world["people"]["state"])
    overview = client.get(f"/library/{STAGE}?article=").get_data(as_text=True)
    assert "Show all 4 entries of Papers" in overview
    assert f"/library/{STAGE}?kind=papers" in overview
    first = client.get(f"/library/{STAGE}?kind=papers").get_data(as_text=True)
    assert "Page 1 of 2" in first and "kind=papers&amp;page=2" in first
    assert "Nigeria&#39;s practice" not in first  # the other shelves are not asked
    second = client.get(f"/library/{STAGE}?kind=papers&page=2").get_data(as_text=True)
    assert "Old background paper" in second and "Page 2 of 2" in second
    assert client.get(f"/library/{STAGE}?kind=papers&page=-4").status_code == 200


def test_the_index_counts_what_each_person_may_see(client, auth, world):
    auth.login_quickly(world["people"]["state"])
    mine = client.get("/library").get_data(as_text=True)
    # 4 papers, Nigeria's, the summary, 2 topics, 2 briefs, 3 case studies, 2 answers (the
    # answers' questions are tagged with the sub-topic).
    assert 'href="/library/post-delivery-measures">Post-delivery measures</a>' in mine
    assert stage_count(mine, STAGE) == 15 and stage_count(mine, SUB) == 4
    auth.login_quickly(world["people"]["observer"])
    theirs = client.get("/library").get_data(as_text=True)
    assert stage_count(theirs, STAGE) == 10  # neither the members' nor the states' room
    assert 'aria-current="page">Library</a>' in theirs  # the main navigation's link


def stage_count(html: str, slug: str) -> int:
    after = html.split(f'href="/library/{slug}">', 1)[1]
    return int(after.split('<span class="meta">', 1)[1].split(" ", 1)[0])


# ---- statements: bounded whatever the data ---------------------------------------------------


def test_the_term_page_and_the_index_take_the_same_statements_as_data_grows(
    client, auth, world, db, count_queries
):
    auth.login_quickly(world["people"]["state"])
    wg, chair = world["rooms"]["wg"], world["people"]["chair"]

    def measure(url: str) -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    urls = [f"/library/{STAGE}", f"/library/{STAGE}?kind=papers&article=11", "/library"]
    small = [measure(url) for url in urls]
    for n in range(25):
        more = paper(db, wg, chair, f"More {n}", revisions=2)
        tag(more, STAGE, SUB, "export", articles=[11])
        tag(topic(db, wg, chair, f"Topic {n}"), SUB)
        tag(paper(db, wg, chair, f"Summary {n}", kind=PaperKind.CHAIR_SUMMARY), STAGE)
    assert [measure(url) for url in urls] == small


# ---- the policy: nothing one may not see, listed or counted ------------------------------------

CANARIES = {
    "members": "CANARY-LIB-MEMBERS-5c1e",
    "drafting": "CANARY-LIB-DRAFT-88b0",
    "pending": "CANARY-LIB-PENDING-3d7a",
    "brief": "CANARY-LIB-BRIEF-e41f",
}


@pytest.mark.leak
@pytest.mark.parametrize("role", ["state", "observer", "ngo", "nigeria"])
def test_canaries_never_reach_the_library_of_who_may_not_see_them(
    client, auth, world, db, make_room, role
):
    wg, chair = world["rooms"]["wg"], world["people"]["chair"]
    closed = make_room(AccessLevel.MEMBERS, title="Closed room")
    canaries = [
        paper(db, closed, chair, CANARIES["members"]),
        paper(db, wg, chair, CANARIES["drafting"], status=PaperStatus.DRAFTING),
        paper(
            db,
            wg,
            world["people"]["state"],
            CANARIES["pending"],
            kind=PaperKind.NATIONAL_PAPER,
            delegation=world["germany"],
            contribution=ContributionStatus.SUBMITTED,
        ),
    ]
    brief = PublishedBrief(room_id=closed.id, body=f"Lessons. {CANARIES['brief']}")
    db.session.add(brief)
    db.session.flush()
    for subject in [*canaries, brief]:
        tag(subject, STAGE, SUB, "export", articles=[11])
    person = world["people"][role]
    auth.login_quickly(person)
    with client.application.test_request_context():
        before = {
            s.key: s.count(person, stage_query()) for s in shelves.all_shelves() if s.key in KNOWN
        }
    seen = []
    urls = [
        "/library",
        f"/library/{STAGE}",
        f"/library/{SUB}",
        f"/library/{STAGE}?article=11",
        f"/library/{STAGE}?year=2026&activity={taxonomy.by_slug('export').id}",
    ]
    urls += [f"/library/{STAGE}?kind={s.key}" for s in shelves.all_shelves()]
    urls.append(f"/library/{STAGE}?delegation={world['germany'].id}")
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            seen.append(client.get(url, headers=headers).get_data(as_text=True))
    for canary in CANARIES.values():
        assert all(canary not in page for page in seen), f"{canary} reached {role}"
    # Nor are they counted: the counts are those of the world without the canaries.
    with client.application.test_request_context():
        expected = expected_titles(person, stage_query(), exclude_canaries=True)
        assert before == {key: len(titles_) for key, titles_ in expected.items()}


#: The shelves `expected_titles` knows how to derive from can(VIEW).
KNOWN = (
    "papers",
    "contributions",
    "case_studies",
    "answers",
    "summaries",
    "discussions",
    "briefs",
)


def expected_titles(user, query: Query, exclude_canaries: bool = False) -> dict[str, set[str]]:
    """What each shelf should list, from can(VIEW) on every tagged row, not from SQL."""
    tagged_ids = {
        (kind, ident)
        for kind, ident in db.session.execute(
            select(Tag.subject_type, Tag.subject_id).where(Tag.term_id.in_(query.term_ids))
        )
    }
    found: dict[str, set[str]] = {key: set() for key in KNOWN}
    for p in db.session.scalars(select(Paper)):
        if ("paper", p.id) not in tagged_ids or not can(Need.VIEW, p, user):
            continue
        if p.status is PaperStatus.DRAFTING:
            continue
        if p.kind is PaperKind.CHAIR_SUMMARY:
            found["summaries"].add(p.title)
        elif p.kind in (PaperKind.NATIONAL_PAPER, PaperKind.NATIONAL_EXPERIENCE):
            if p.contribution_status is ContributionStatus.ACCEPTED:
                found["contributions"].add(p.title)
        elif p.kind is not PaperKind.GROUP_STATEMENT:
            found["papers"].add(p.title)
    for t in db.session.scalars(select(Topic)):
        if ("discussion_topic", t.id) in tagged_ids and can(Need.VIEW, t, user):
            found["discussions"].add(t.title)
    for b in db.session.scalars(select(PublishedBrief)):
        if ("published_brief", b.id) in tagged_ids and can(Need.VIEW, b, user):
            found["briefs"].add(f"{BRIEF} {b.id}")
    for c in db.session.scalars(select(CaseStudy)):
        if (
            ("case_study", c.id) in tagged_ids
            and c.status is CaseStudyStatus.PUBLISHED
            and can(Need.VIEW, c, user)
        ):
            found["case_studies"].add(c.title)
    for answer in db.session.scalars(select(QuestionnaireAnswer)):
        response = db.session.get(QuestionnaireResponse, answer.response_id)
        question = db.session.get(Question, answer.question_id)
        questionnaire = db.session.get(Questionnaire, question.questionnaire_id)
        if (
            (Question.__tablename__, question.id) in tagged_ids
            and questionnaire.is_shared_with_room
            and response.submitted_at is not None
            and answer.body
            and can(Need.VIEW, answer, user)
        ):
            found["answers"].add(question.text)
    if exclude_canaries:
        for key in found:
            found[key] = {t for t in found[key] if not t.startswith("CANARY")}
    return found


@pytest.mark.parametrize("role", ["chair", "state", "nigeria", "observer", "ngo", "secretariat"])
def test_every_shelf_agrees_with_can_view(app, world, db, role, make_user):
    """Each shelf lists, and counts, exactly the tagged entries of its kind that can(VIEW)
    allows (papers being drafted and pending contributions aside), for the stage and for a
    sub-topic; the index's counts agree."""
    people = {**world["people"]}
    if role == "secretariat":
        people[role] = make_user(status=DelegationStatus.SECRETARIAT)
    person = people[role]
    with app.test_request_context():
        for query in (stage_query(), stage_query(SUB)):
            want = expected_titles(person, query)
            for shelf in shelves.all_shelves():
                if shelf.key not in KNOWN:
                    continue  # another domain's shelf: add its kind to expected_titles
                entries = shelf.find(person, Query(term_ids=query.term_ids, limit=1000))
                got = {e.title for e in entries}
                if shelf.key == "briefs":
                    assert len(entries) == len(want["briefs"])
                else:
                    assert got == want[shelf.key], (role, shelf.key)
                assert shelf.count(person, query) == len(want[shelf.key])
                assert shelf.counts(person).get(query.term_ids[0], 0) == len(want[shelf.key])
        # Who started a topic is shown exactly where can(SEE_AUTHORS) says so.
        for entry in shelves.get("discussions").find(person, stage_query(limit=1000)):
            t = db.session.scalars(select(Topic).where(Topic.title == entry.title)).one()
            assert (entry.delegation is not None) == can(Need.SEE_AUTHORS, t, person)


# ---- trend briefs are tagged when published --------------------------------------------------


def test_the_chair_tags_a_brief_when_publishing_it(client, auth, forum, db, make_room):  # noqa: F811
    from consult.briefs import services as briefs
    from consult.timeutil import utcnow
    from tests.test_threads import enter

    room, people = forum
    wgeti = make_room(AccessLevel.OPEN, kind=RoomKind.WORKING_GROUP, title="WGETI")
    brief = briefs.draft(room, people["chair"], "Transit hubs remain the main trend this year.")
    briefs.submit(brief, people["chair"], 1, set())
    brief.objections_close_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    enter(client, auth, people["chair"])
    page = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    assert "Stages of implementation and sub-topics" in page
    retired = taxonomy.by_slug("stockpile-management")
    retired.retired_at = utcnow()
    db.session.flush()
    refused = client.post(
        f"/briefs/{brief.id}/publish", data={"target": wgeti.id, "stages": [retired.id]}
    )
    assert refused.status_code == 422 and "retired" in refused.get_data(as_text=True)
    assert db.session.scalar(select(PublishedBrief.id)) is None
    stage = taxonomy.by_slug(STAGE)
    response = client.post(
        f"/briefs/{brief.id}/publish",
        data={"target": wgeti.id, "stages": [stage.id], "articles": ["11"]},
    )
    assert response.status_code == 303
    published = db.session.scalars(select(PublishedBrief)).one()
    assert [t.slug for t in taxonomy.tags_of(published).stages] == [STAGE]
    assert taxonomy.tags_of(published).articles == [11]
    reader = people["outside"]
    auth.login_quickly(reader)
    html = client.get(f"/library/{STAGE}?article=11").get_data(as_text=True)
    assert f"/rooms/{wgeti.slug}#published-briefs-title" in html
