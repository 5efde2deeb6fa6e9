"""The Secretariat's administration of the taxonomy: list, add, edit, order, retire and
reinstate stages, sub-topics and activities, and the refusals next to their fields."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.papers import services as papers
from consult.papers.models import PaperKind
from consult.rooms.models import AccessLevel, RoomRole
from consult.taxonomy import services
from consult.taxonomy.models import Tag, Term, Vocabulary

pytestmark = pytest.mark.library


@pytest.fixture
def secretariat(make_user, auth):
    user = make_user(status=DelegationStatus.SECRETARIAT)
    auth.login_quickly(user)
    return user


def term(slug: str) -> Term:
    return services.by_slug(slug)


def audits(kind: str) -> int:
    from consult.extensions import db

    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.kind == kind))


def test_the_list_shows_stages_sub_topics_and_activities_in_order_with_counts(
    client, db, secretariat, make_user, make_room, add_member
):
    room = make_room(AccessLevel.OPEN)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    paper = papers.create_paper(
        room, chair, title="T", kind=PaperKind.WORKING_PAPER, issued_by="Chair", source="One."
    )
    papers.open_for_comments(paper, chair)
    services.set_tags(paper, [term("stockpile-management")])
    page = client.get("/admin/taxonomy").get_data(as_text=True)
    first, last = page.index("ATT domestication"), page.index("Post-delivery measures")
    assert first < page.index("National legislation and regulations") < last
    assert page.index(">Trans-shipment<") > page.index('id="activity-table"') > last
    row = page[page.index(f'id="term-{term("stockpile-management").id}"') :]
    assert "<td>1</td>" in row[: row.index("</tr>")]
    assert 'href="/library/post-delivery-measures"' in page
    assert 'href="/admin/taxonomy"' in client.get("/admin/").get_data(as_text=True)


def test_adding_a_stage_a_sub_topic_and_an_activity(client, db, secretariat):
    response = client.post(
        "/admin/taxonomy/new",
        data={"place": "stage", "name": "International cooperation and assistance", "slug": ""},
    )
    assert response.status_code == 303
    stage = term("international-cooperation-and-assistance")
    assert stage.is_stage and stage.position == 9
    client.post(
        "/admin/taxonomy/new",
        data={"place": f"sub-{stage.id}", "name": "Needs assessment", "slug": "needs-assessment"},
    )
    sub = term("needs-assessment")
    assert sub.parent_id == stage.id and sub.position == 1
    client.post("/admin/taxonomy/new", data={"place": "activity", "name": "Re-export"})
    assert term("re-export").vocabulary is Vocabulary.ACTIVITY
    assert audits("taxonomy.term_created") == 3
    assert str(sub.id) in dict(services.choices())


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "  "}, "name", "Give the term a name"),
        ({"name": "x" * 201}, "name", "201 characters long; at most 200"),
        ({"name": "Ok", "slug": "Not A Slug"}, "slug", "Use lower-case words"),
        ({"name": "Ok", "slug": "a" * 81}, "slug", "81 characters long; at most 80"),
        ({"name": "Ok", "slug": "export"}, "slug", "already has the address export"),
        ({"name": "Ok", "description": "d" * 2001}, "description", "2,001 characters"),
        ({"name": "Ok", "place": "sub-999999"}, "place", "goes under a stage"),
        ({"name": "ATT domestication", "slug": "other"}, "name", "already has this name"),
    ],
)
def test_a_new_term_is_refused_next_to_its_field(client, db, secretariat, data, field, message):
    before = db.session.scalar(select(func.count(Term.id)))
    response = client.post("/admin/taxonomy/new", data={"place": "stage", **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(select(func.count(Term.id))) == before


def test_a_sub_topic_goes_under_a_stage_not_under_a_sub_topic_or_an_activity(
    client, db, secretariat
):
    for parent in ("stockpile-management", "export"):
        response = client.post(
            "/admin/taxonomy/new", data={"place": f"sub-{term(parent).id}", "name": "Deeper"}
        )
        assert response.status_code == 422 and "goes under a stage" in response.get_data(
            as_text=True
        )
    assert term("deeper") is None


def test_editing_name_address_and_description(client, db, secretariat):
    stockpile = term("stockpile-management")
    page = client.get(f"/admin/taxonomy/{stockpile.id}/edit").get_data(as_text=True)
    assert 'value="Stockpile management and security"' in page
    response = client.post(
        f"/admin/taxonomy/{stockpile.id}/edit",
        data={"name": "Stockpile security", "slug": "stockpile-security", "description": "Safe."},
    )
    assert response.status_code == 303
    assert (stockpile.name, stockpile.slug, stockpile.description) == (
        "Stockpile security",
        "stockpile-security",
        "Safe.",
    )
    assert audits("taxonomy.term_updated") == 1
    taken = client.post(
        f"/admin/taxonomy/{stockpile.id}/edit",
        data={"name": "Stockpile security", "slug": "re-export-assurances"},
    )
    assert taken.status_code == 422 and "already has the address" in taken.get_data(as_text=True)
    assert stockpile.slug == "stockpile-security"


def test_moving_up_and_down_among_siblings(client, db, secretariat):
    def order():
        return [t.slug for t in services.tree()[-1][1]]

    assert order()[:2] == ["delivery-verification-certificates", "post-shipment-verification"]
    client.post(f"/admin/taxonomy/{term('post-shipment-verification').id}/move/up")
    assert order()[:2] == ["post-shipment-verification", "delivery-verification-certificates"]
    client.post(f"/admin/taxonomy/{term('post-shipment-verification').id}/move/down")
    assert order()[:2] == ["delivery-verification-certificates", "post-shipment-verification"]
    # Already first: refused, said, nothing moved.
    response = client.post(
        f"/admin/taxonomy/{term('delivery-verification-certificates').id}/move/up",
        follow_redirects=True,
    )
    assert "already first" in response.get_data(as_text=True)
    assert order()[0] == "delivery-verification-certificates"
    # A stage moves among the stages (and the choices follow the order).
    client.post(f"/admin/taxonomy/{term('post-delivery-measures').id}/move/up")
    assert [s.slug for s, _ in services.tree()][-2:] == [
        "post-delivery-measures",
        "accounting-and-reporting",
    ]
    assert audits("taxonomy.term_moved") == 3


def test_retiring_says_what_it_means_keeps_tags_and_reinstating_undoes_it(
    client, db, secretariat, make_user, make_room, add_member
):
    room = make_room(AccessLevel.OPEN)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    paper = papers.create_paper(
        room, chair, title="T", kind=PaperKind.WORKING_PAPER, issued_by="Chair", source="One."
    )
    papers.open_for_comments(paper, chair)
    stockpile = term("stockpile-management")
    services.set_tags(paper, [stockpile])
    confirm = client.get(f"/admin/taxonomy/{stockpile.id}/retire").get_data(as_text=True)
    assert "no longer offered" in confirm and "keeps the tag" in confirm
    assert "(1 item now)" in confirm
    assert stockpile.retired_at is None  # the GET only asks
    done = client.post(f"/admin/taxonomy/{stockpile.id}/retire", follow_redirects=True)
    assert "is retired" in done.get_data(as_text=True) and "Reinstate it to undo" in done.get_data(
        as_text=True
    )
    assert stockpile.is_retired
    assert [t.id for t in services.tags_of(paper).stages] == [stockpile.id]  # kept
    assert str(stockpile.id) not in dict(services.choices())  # not offered
    assert stockpile.id in services.with_subtopics(term("post-delivery-measures"))  # still listed
    page = client.get("/admin/taxonomy").get_data(as_text=True)
    assert f"/admin/taxonomy/{stockpile.id}/reinstate" in page
    client.post(f"/admin/taxonomy/{stockpile.id}/reinstate")
    assert not stockpile.is_retired and str(stockpile.id) in dict(services.choices())
    assert audits("taxonomy.term_retired") == 1 and audits("taxonomy.term_reinstated") == 1


def test_retiring_a_stage_retires_its_sub_topics_in_use_and_reinstating_brings_them_back(
    client, db, secretariat
):
    stage, old, live = (
        term("enforcement"),
        term("offences-and-penalties"),
        term("customs-and-border-controls"),
    )
    client.post(f"/admin/taxonomy/{old.id}/retire")
    client.post(f"/admin/taxonomy/{stage.id}/retire")
    assert stage.is_retired and live.is_retired and old.is_retired
    assert not any(v == str(live.id) for v, _ in services.choices())
    # A sub-topic waits for its stage; adding under a retired stage is refused.
    refused = client.post(f"/admin/taxonomy/{live.id}/reinstate", follow_redirects=True)
    assert "reinstate the stage first" in refused.get_data(as_text=True) and live.is_retired
    added = client.post("/admin/taxonomy/new", data={"place": f"sub-{stage.id}", "name": "New"})
    assert added.status_code == 422
    client.post(f"/admin/taxonomy/{stage.id}/reinstate")
    assert not stage.is_retired and not live.is_retired
    assert old.is_retired  # retired on its own before: it stays retired


@pytest.mark.parametrize(
    "path",
    [
        "/admin/taxonomy",
        "/admin/taxonomy/new",
        "/admin/taxonomy/1/edit",
        "/admin/taxonomy/1/retire",
    ],
)
def test_only_the_secretariat_reaches_the_pages(client, db, make_user, auth, path):
    auth.login_quickly(make_user(status=DelegationStatus.STATE_PARTY))
    assert client.get(path).status_code == 404
    assert client.post("/admin/taxonomy/1/move/up").status_code == 404
    assert db.session.scalar(select(func.count(Tag.id))) == 0


def test_retiring_twice_is_refused_and_said(client, db, secretariat):
    stockpile = term("stockpile-management")
    client.post(f"/admin/taxonomy/{stockpile.id}/retire")
    retired_at = stockpile.retired_at
    again = client.post(f"/admin/taxonomy/{stockpile.id}/retire")
    assert again.status_code == 422 and "already retired" in again.get_data(as_text=True)
    assert stockpile.retired_at == retired_at and audits("taxonomy.term_retired") == 1
    page = client.get(f"/admin/taxonomy/{stockpile.id}/retire").get_data(as_text=True)
    assert "already retired" in page and "button danger" not in page
