"""Tagging through each form that has the tag fields: a paper (issued, and its tags form), a
national contribution (submit, revise, the delegation's draft), a discussion topic (start and
its tags page) and an agenda item; a retired or unknown term is refused next to its field with
nothing stored; the tags show where the subject is, linking to the library."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus
from consult.delegation_drafts.models import DelegationDraft
from consult.discussions.models import Topic
from consult.extensions import db as _db
from consult.meetings import services as meetings
from consult.meetings.models import AgendaItem, MeetingKind, MeetingMode
from consult.papers import contributions
from consult.papers import services as papers
from consult.papers.models import Paper, PaperKind
from consult.rooms.models import AccessLevel, RoomKind, RoomRole
from consult.taxonomy import services
from consult.taxonomy.models import Tag, Term
from consult.timeutil import utcnow

pytestmark = pytest.mark.library

TEXT = "# Verification\n\nStates should verify deliveries.\n\nAnd keep records."


def term(slug: str) -> Term:
    return services.by_slug(slug)


def ids(*slugs: str) -> list[str]:
    return [str(term(s).id) for s in slugs]


def retire(slug: str) -> Term:
    t = term(slug)
    t.retired_at = utcnow()
    _db.session.flush()
    return t


def tag_count() -> int:
    return _db.session.scalar(select(func.count(Tag.id)))


def slugs(subject) -> list[str]:
    tags = services.tags_of(subject)
    return [t.slug for t in [*tags.stages, *tags.activities]]


@pytest.fixture
def setting(db, make_user, make_room, make_delegation, add_member):
    """WGETI (open) with its chair and Nigeria, a State Party taking part."""
    room = make_room(AccessLevel.OPEN, kind=RoomKind.WORKING_GROUP, slug="wgeti")
    chair = make_user(name="Chair")
    add_member(room, chair, RoomRole.CHAIR)
    nigeria = make_delegation(DelegationStatus.STATE_PARTY, name="Nigeria")
    add_member(room, nigeria, RoomRole.MEMBER)
    return {
        "room": room,
        "chair": chair,
        "nigeria": make_user(delegation=nigeria, name="Amina"),
        "nigeria2": make_user(delegation=nigeria, name="Tunde"),
    }


# ---- a paper -----------------------------------------------------------------------------------


def _paper_form(**tags) -> dict:
    return {
        "title": "Delivery verification",
        "kind": "working_paper",
        "issued_by": "WGETI Chair",
        "original_language": "en",
        "source": TEXT,
        **tags,
    }


def test_the_chair_issues_a_paper_tagged_and_its_page_links_to_the_library(client, auth, setting):
    auth.login_quickly(setting["chair"])
    form = client.get("/rooms/wgeti/papers/new").get_data(as_text=True)
    assert "Post-delivery measures: Delivery verification certificates" in form
    response = client.post(
        "/rooms/wgeti/papers/new",
        data=_paper_form(
            stages=ids("post-delivery-measures", "delivery-verification-certificates"),
            activities=ids("export"),
            articles=["11"],
        ),
    )
    assert response.status_code == 303
    paper = _db.session.scalars(select(Paper)).one()
    assert slugs(paper) == [
        "post-delivery-measures",
        "delivery-verification-certificates",
        "export",
    ]
    assert services.tags_of(paper).articles == [11]
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert 'href="/library/post-delivery-measures">Post-delivery measures</a>' in page
    assert 'href="/library/delivery-verification-certificates"' in page
    assert "Art. 11" in page and "<li>Export</li>" in page


@pytest.mark.parametrize(
    ("tags", "field", "message"),
    [
        ({"stages": "retired"}, "stages", "has been retired by the Secretariat"),
        ({"stages": ["999999"]}, "stages", "Choose from the list"),
        ({"activities": "stage"}, "activities", "Choose from the list"),
        ({"activities": ["abc"]}, "activities", "Choose from the list"),
        ({"articles": ["29"]}, "articles", "articles 1 to 28"),
    ],
)
def test_a_paper_with_a_wrong_tag_is_refused_next_to_the_field(
    client, auth, setting, tags, field, message
):
    retired = retire("stockpile-management")
    values = {"retired": [str(retired.id)], "stage": ids("enforcement")}
    tags = {k: values.get(v, v) if isinstance(v, str) else v for k, v in tags.items()}
    auth.login_quickly(setting["chair"])
    response = client.post("/rooms/wgeti/papers/new", data=_paper_form(**tags))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert _db.session.scalar(select(func.count(Paper.id))) == 0 and tag_count() == 0


def test_the_managers_tag_a_paper_and_a_retired_tag_it_has_is_kept(client, auth, setting):
    paper = papers.create_paper(
        setting["room"],
        setting["chair"],
        title="T",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source=TEXT,
    )
    papers.open_for_comments(paper, setting["chair"])
    services.set_tags(paper, [term("stockpile-management")])
    retire("stockpile-management")
    auth.login_quickly(setting["chair"])
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "(retired)" in page  # shown, still offered in this paper's own form
    kept = ids("stockpile-management")
    response = client.post(
        f"/papers/{paper.id}/tags", data={"stages": kept + ids("enforcement"), "articles": ["6"]}
    )
    assert response.status_code == 303
    assert slugs(paper) == ["enforcement", "stockpile-management"]
    assert services.tags_of(paper).articles == [6]
    # A retired term it does not have is refused, and nothing changes.
    retire("enforcement")
    other = papers.create_paper(
        setting["room"],
        setting["chair"],
        title="U",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source=TEXT,
    )
    papers.open_for_comments(other, setting["chair"])
    refused = client.post(f"/papers/{other.id}/tags", data={"stages": ids("enforcement")})
    assert refused.status_code == 422 and "has been retired" in refused.get_data(as_text=True)
    assert slugs(other) == []
    # Not a manager: the form is not shown, and the route refuses.
    auth.login_quickly(setting["nigeria"])
    assert "/tags" not in client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert client.post(f"/papers/{paper.id}/tags", data={"stages": []}).status_code == 403
    assert slugs(paper) == ["enforcement", "stockpile-management"]


# ---- a national contribution -------------------------------------------------------------------


def _contribution_form(**tags) -> dict:
    return {
        "title": "Nigeria's verification",
        "kind": "national_paper",
        "original_language": "en",
        "source": TEXT,
        **tags,
    }


def test_a_contribution_is_submitted_and_revised_with_its_tags(client, auth, setting):
    auth.login_quickly(setting["nigeria"])
    response = client.post(
        "/rooms/wgeti/contributions/new",
        data=_contribution_form(
            stages=ids("stockpile-management"), activities=ids("import"), articles=["11"]
        ),
    )
    assert response.status_code == 303
    paper = _db.session.scalars(select(Paper)).one()
    assert slugs(paper) == ["stockpile-management", "import"]
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert 'href="/library/stockpile-management"' in page and "Art. 11" in page
    retire("stockpile-management")
    form = client.get(f"/papers/{paper.id}/resubmit").get_data(as_text=True)
    assert f'<option selected value="{term("stockpile-management").id}">' in form
    response = client.post(
        f"/papers/{paper.id}/resubmit",
        data={
            "title": paper.title,
            "source": TEXT,
            "stages": ids("stockpile-management", "record-keeping"),
            "articles": ["11", "12"],
        },
    )
    assert response.status_code == 303
    assert slugs(paper) == ["record-keeping", "stockpile-management"]  # the retired one kept
    assert services.tags_of(paper).articles == [11, 12]


def test_a_contribution_with_a_retired_term_is_refused_and_nothing_stored(client, auth, setting):
    retired = retire("re-export-assurances")
    auth.login_quickly(setting["nigeria"])
    response = client.post(
        "/rooms/wgeti/contributions/new", data=_contribution_form(stages=[str(retired.id)])
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="stages-error"' in page and "“Re-export assurances” has been retired" in page
    assert _db.session.scalar(select(func.count(Paper.id))) == 0 and tag_count() == 0


def test_the_delegation_draft_keeps_tags_and_the_retired_ones_are_refused_when_submitted(
    client, auth, setting
):
    room = setting["room"]
    auth.login_quickly(setting["nigeria"])
    response = client.post(
        f"/delegation-drafts/new/national_contribution/{room.id}",
        data=_contribution_form(stages=ids("diversion-response"), activities=ids("transit")),
    )
    assert response.status_code == 303
    draft = _db.session.scalars(select(DelegationDraft)).one()
    assert draft.fields["stages"] == [term("diversion-response").id]
    assert draft.fields["activities"] == [term("transit").id]
    auth.login_quickly(setting["nigeria2"])
    page = client.get(f"/delegation-drafts/{draft.id}").get_data(as_text=True)
    assert f'<option selected value="{term("diversion-response").id}">' in page
    retire("diversion-response")
    refused = client.post(
        f"/delegation-drafts/{draft.id}/post",
        data={"version": draft.version},
        follow_redirects=True,
    )
    assert "has been retired" in refused.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(Paper.id))) == 0
    term("diversion-response").retired_at = None
    _db.session.flush()
    client.post(f"/delegation-drafts/{draft.id}/post", data={"version": draft.version})
    paper = _db.session.scalars(select(Paper)).one()
    assert slugs(paper) == ["diversion-response", "transit"]


def test_a_draft_with_a_retired_term_is_refused_when_saved(client, auth, setting):
    retired = retire("annual-reports")
    auth.login_quickly(setting["nigeria"])
    response = client.post(
        f"/delegation-drafts/new/national_contribution/{setting['room'].id}",
        data=_contribution_form(stages=[str(retired.id)]),
    )
    assert response.status_code == 422 and "has been retired" in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(DelegationDraft.id))) == 0


# ---- a discussion topic ------------------------------------------------------------------------


def test_a_topic_is_started_tagged_and_its_author_edits_the_tags(client, auth, setting):
    auth.login_quickly(setting["nigeria"])
    response = client.post(
        "/rooms/wgeti/discussions/new",
        data={"title": "Registers", "body": "How?", "stages": ids("record-keeping")},
    )
    assert response.status_code == 303
    topic = _db.session.scalars(select(Topic)).one()
    assert slugs(topic) == ["record-keeping"]
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert 'href="/library/record-keeping"' in page and f"/discussions/{topic.id}/tags" in page
    assert client.get(f"/discussions/{topic.id}/tags").status_code == 200
    response = client.post(
        f"/discussions/{topic.id}/tags",
        data={"stages": ids("information-management"), "articles": ["12"]},
    )
    assert response.status_code == 303
    assert slugs(topic) == ["information-management"]
    retire("information-exchange")
    refused = client.post(
        f"/discussions/{topic.id}/tags", data={"stages": ids("information-exchange")}
    )
    assert refused.status_code == 422 and 'id="stages-error"' in refused.get_data(as_text=True)
    assert slugs(topic) == ["information-management"]
    # A colleague who did not start it and does not chair the room does not tag it.
    auth.login_quickly(setting["nigeria2"])
    assert f"/discussions/{topic.id}/tags" not in client.get(f"/discussions/{topic.id}").get_data(
        as_text=True
    )
    assert client.post(f"/discussions/{topic.id}/tags", data={"stages": []}).status_code == 403
    auth.login_quickly(setting["chair"])  # the room's chair does
    assert client.post(f"/discussions/{topic.id}/tags", data={"stages": []}).status_code == 303
    assert slugs(topic) == []


def test_a_topic_with_a_retired_term_is_refused_and_nothing_stored(client, auth, setting):
    retired = retire("initial-reports")
    auth.login_quickly(setting["nigeria"])
    response = client.post(
        "/rooms/wgeti/discussions/new",
        data={"title": "Reports", "body": "When?", "stages": [str(retired.id)]},
    )
    assert response.status_code == 422 and "has been retired" in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(Topic.id))) == 0 and tag_count() == 0


# ---- an agenda item ----------------------------------------------------------------------------


@pytest.fixture
def meeting(setting):
    return meetings.create_meeting(
        setting["room"],
        setting["chair"],
        title="WGETI session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow() + timedelta(days=1),
        ends_at=utcnow() + timedelta(days=1, hours=3),
        time_zone="Europe/Zurich",
    )


def _item_form(number: int, **tags) -> dict:
    return {
        "number": str(number),
        "title": f"Item {number}",
        "planned_minutes": "30",
        "speaking_limit_seconds": "180",
        **tags,
    }


def test_an_agenda_item_is_added_tagged_and_shown_on_the_meeting_page(
    client, auth, setting, meeting
):
    auth.login_quickly(setting["chair"])
    response = client.post(
        f"/meetings/{meeting.id}/items",
        data=_item_form(1, stages=ids("post-delivery-measures"), articles=["11"]),
    )
    assert response.status_code == 303
    item = _db.session.scalars(select(AgendaItem)).one()
    assert slugs(item) == ["post-delivery-measures"]
    auth.login_quickly(setting["nigeria"])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    agenda = page[page.index('id="agenda"') : page.index("</section>", page.index('id="agenda"'))]
    assert 'href="/library/post-delivery-measures"' in agenda and "Art. 11" in agenda


def test_an_agenda_item_with_a_retired_term_is_refused_and_nothing_stored(
    client, auth, setting, meeting
):
    retired = retire("post-delivery-measures")
    auth.login_quickly(setting["chair"])
    response = client.post(
        f"/meetings/{meeting.id}/items", data=_item_form(1, stages=[str(retired.id)])
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="stages-error"' in page and "has been retired" in page
    assert _db.session.scalar(select(func.count(AgendaItem.id))) == 0 and tag_count() == 0


def test_the_meeting_page_loads_the_agenda_tags_in_the_same_queries_however_many_items(
    client, auth, setting, meeting, count_queries
):
    auth.login_quickly(setting["nigeria"])

    def add(number: int) -> None:
        item = meetings.add_item(meeting, setting["chair"], number=number, letter="", title="X")
        services.set_tags(item, [term("enforcement")])
        _db.session.flush()

    add(1)
    with count_queries() as few:
        client.get(f"/meetings/{meeting.id}")
    for number in range(2, 7):
        add(number)
    with count_queries() as many:
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert page.count('href="/library/enforcement"') == 6
    assert len(many) == len(few)


def test_a_submitted_contribution_through_the_service_is_checked_too(setting):
    """The service checks what any caller passes (a draft, a script), not only the form."""
    retired = retire("legal-review")
    with pytest.raises(services.TaxonomyError) as refused:
        contributions.submit_contribution(
            setting["room"],
            setting["nigeria"],
            title="T",
            source=TEXT,
            stages=[retired.id],
        )
    assert refused.value.field == "stages"
    with pytest.raises(services.TaxonomyError) as refused:
        contributions.submit_contribution(
            setting["room"], setting["nigeria"], title="T", source=TEXT, activities=["1"]
        )
    assert refused.value.field == "activities"


def test_the_demo_tags_papers_topics_and_agenda_items(app, db):
    from consult.discussions.models import Topic as DemoTopic
    from consult.rooms.models import Room

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    wgeti = _db.session.scalars(select(Room).where(Room.slug == "wgeti")).one()
    post_delivery = services.with_subtopics(term("post-delivery-measures"))
    in_wgeti = _db.session.scalars(
        select(Paper.title).where(Paper.room_id == wgeti.id, services.tagged(Paper, post_delivery))
    ).all()
    assert "Nigeria's national control system: licensing and end-use verification" in in_wgeti
    assert _db.session.scalar(
        select(func.count(DemoTopic.id)).where(services.tagged(DemoTopic, post_delivery))
    )
    assert _db.session.scalar(
        select(func.count(AgendaItem.id)).where(services.tagged(AgendaItem, post_delivery))
    )
