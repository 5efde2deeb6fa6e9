"""Case studies: submission, review, attribution, withdrawal and the library's shelf."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import policy
from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.case_studies import services
from consult.case_studies.models import CaseStudy, CaseStudyStatus
from consult.groups.models import Group, GroupKind, GroupMember
from consult.library import shelves
from consult.notifications.models import Notification
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, RoomActivity, RoomRole
from consult.taxonomy import services as taxonomy
from consult.taxonomy.models import Term
from consult.timeutil import utcnow

pytestmark = pytest.mark.library

#: A delegation name that must never appear where an unattributed case study is shown.
CANARY = "Canaryland Ministry of Zzyzx"

SECTIONS = {
    "context": "A land-locked State with one airport.",
    "challenge": "Deliveries vanished between the airport and the depot.",
    "measures": "Delivery verification certificates, signed at the depot.",
    "agencies": "Customs; the armed forces' logistics command.",
    "result": "Every delivery of 2025 was confirmed within 30 days.",
    "lessons": "Agree the certificate's form with the exporter before the licence.",
}


def _form(**over) -> dict:
    data = {"title": "Delivery verification at the depot", **SECTIONS, "attribution": "attributed"}
    data.update(over)
    return data


def _term(slug: str) -> Term:
    return taxonomy.by_slug(slug)


@pytest.fixture
def wg(db, make_delegation, make_user, make_room, add_member):
    """A transparent working-group room with its chair, a member delegation (the canary) with
    two people, another member, and an outsider who only reads."""
    room = make_room(AccessLevel.TRANSPARENT)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    canary = make_delegation(DelegationStatus.STATE_PARTY, name=CANARY)
    add_member(room, canary)
    delegate = make_user(delegation=canary, name="Ada Canary", email="ada@canary.example.org")
    colleague = make_user(delegation=canary, name="Bo Canary")
    other = make_user()
    add_member(room, other.delegation)
    reader = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    return {
        "room": room,
        "chair": chair,
        "delegate": delegate,
        "colleague": colleague,
        "other": other,
        "reader": reader,
        "secretariat": secretariat,
        "canary": canary,
    }


def _submit(w, **over) -> CaseStudy:
    values = {"title": "Delivery verification at the depot", **over}
    draft = services.Draft(
        title=values.pop("title"),
        sections={**SECTIONS, **values.pop("sections", {})},
        **values,
    )
    return services.submit(w["room"], w["delegate"], draft)


# ---- submitting through the page -------------------------------------------------------------


def test_a_delegate_submits_and_the_chair_is_told(client, auth, wg, db):
    stage = _term("post-delivery-measures")
    sub = _term("delivery-verification-certificates")
    auth.login(wg["delegate"])
    page = client.get(f"/rooms/{wg['room'].slug}/case-studies/new")
    assert page.status_code == 200
    assert "Agencies involved" in page.get_data(as_text=True)
    response = client.post(
        f"/rooms/{wg['room'].slug}/case-studies/new",
        data=_form(stages=[str(stage.id), str(sub.id)], articles=["11"]),
    )
    assert response.status_code == 303
    case_study = db.session.scalars(select(CaseStudy)).one()
    assert case_study.status is CaseStudyStatus.SUBMITTED
    assert case_study.delegation_id == wg["canary"].id
    assert "<p>A land-locked State" in case_study.context_html  # rendered once, stored
    tags = taxonomy.tags_of(case_study)
    assert {t.slug for t in tags.stages} == {stage.slug, sub.slug} and tags.articles == [11]
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "case_study.submitted")
    ).all()
    assert [n.user_id for n in told] == [wg["chair"].id]
    assert CANARY in told[0].text  # attributed: the chair may know who submitted it
    # Before publication: the delegation and the reviewers only.
    assert can(Need.VIEW, case_study, wg["colleague"])
    assert can(Need.VIEW, case_study, wg["chair"])
    assert can(Need.VIEW, case_study, wg["secretariat"])
    assert not can(Need.VIEW, case_study, wg["other"])
    assert not can(Need.VIEW, case_study, wg["reader"])
    auth.logout()
    auth.login(wg["other"])
    assert client.get(f"/case-studies/{case_study.id}").status_code == 404


def test_the_prefill_from_a_link(client, auth, wg):
    stage = _term("post-delivery-measures")
    auth.login(wg["delegate"])
    page = client.get(
        f"/rooms/{wg['room'].slug}/case-studies/new",
        query_string={
            "title": "Our stockpile audit",
            "stages": [str(stage.id), "x", "-1"],
            "context": "After the request for assistance was met ...",
        },
    ).get_data(as_text=True)
    assert 'value="Our stockpile audit"' in page
    assert "After the request for assistance was met ..." in page
    assert f'<option selected value="{stage.id}">' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give the case study a title."),
        ("title", "T" * 301, "This is 301 characters long; at most 300 are accepted."),
        ("lessons", "", "Write the lessons."),
        ("context", "x" * 10_001, "This is 10,001 characters long; at most 10,000 are accepted."),
        ("agencies", "a" * 2_001, "This is 2,001 characters long; at most 2,000 are accepted."),
        ("measures", "> " * 40 + "deep", "nested too deeply"),
        ("contact_text", "c" * 301, "This is 301 characters long; at most 300 are accepted."),
    ],
)
def test_bad_input_is_refused_next_to_its_field(client, auth, wg, db, field, value, message):
    auth.login(wg["delegate"])
    response = client.post(
        f"/rooms/{wg['room'].slug}/case-studies/new", data=_form(**{field: value})
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalars(select(CaseStudy)).first() is None


def test_a_retired_term_is_refused_next_to_its_field(client, auth, wg, db):
    term = _term("stockpile-management")
    term.retired_at = utcnow()
    db.session.flush()
    auth.login(wg["delegate"])
    response = client.post(
        f"/rooms/{wg['room'].slug}/case-studies/new", data=_form(stages=[str(term.id)])
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="stages-error"' in page and "has been retired" in page
    assert db.session.scalars(select(CaseStudy)).first() is None


def test_an_unknown_activity_and_article_are_refused(client, auth, wg, db):
    auth.login(wg["delegate"])
    url = f"/rooms/{wg['room'].slug}/case-studies/new"
    stage = _term("post-delivery-measures")
    response = client.post(url, data=_form(activities=[str(stage.id)]))  # not an activity
    assert response.status_code == 422 and 'id="activities-error"' in response.get_data(
        as_text=True
    )
    response = client.post(url, data=_form(articles=["29"]))
    assert response.status_code == 422 and "29 is not one" in response.get_data(as_text=True)
    assert db.session.scalars(select(CaseStudy)).first() is None


def test_the_contact_point(client, auth, wg, db, make_user):
    auth.login(wg["delegate"])
    url = f"/rooms/{wg['room'].slug}/case-studies/new"
    stranger = make_user()
    response = client.post(url, data=_form(contact=str(stranger.id)))
    assert response.status_code == 422
    assert "Choose a person of your delegation" in response.get_data(as_text=True)
    response = client.post(url, data=_form(contact="abc"))
    assert response.status_code == 422
    response = client.post(
        url, data=_form(contact=str(wg["colleague"].id), contact_text="Licensing unit")
    )
    assert "not both" in response.get_data(as_text=True)
    response = client.post(url, data=_form(attribution="unattributed", contact_text="Unit"))
    assert response.status_code == 422
    assert "would name your delegation" in response.get_data(as_text=True)
    assert db.session.scalars(select(CaseStudy)).first() is None
    assert client.post(url, data=_form(contact=str(wg["colleague"].id))).status_code == 303
    case_study = db.session.scalars(select(CaseStudy)).one()
    services.publish(case_study, wg["chair"])
    auth.logout()
    auth.login(wg["reader"])
    page = client.get(f"/case-studies/{case_study.id}").get_data(as_text=True)
    assert "Bo Canary" in page and "Contact point" in page


def test_who_cannot_take_part_cannot_submit(client, auth, wg, db, make_room, make_user):
    # An observer organisation reads the transparent room but does not take part.
    auth.login(wg["reader"])
    assert client.get(f"/rooms/{wg['room'].slug}/case-studies/new").status_code == 403
    assert (
        client.post(f"/rooms/{wg['room'].slug}/case-studies/new", data=_form()).status_code == 403
    )
    auth.logout()
    # Civil society in an open room takes part, but does not submit case studies.
    open_room = make_room(AccessLevel.OPEN)
    auth.login(wg["reader"])
    response = client.post(f"/rooms/{open_room.slug}/case-studies/new", data=_form())
    assert response.status_code == 422
    assert "submitted by States and intergovernmental organisations" in response.get_data(
        as_text=True
    )
    auth.logout()
    # Nothing in a confidential room, for anyone.
    dief = make_room(AccessLevel.CONFIDENTIAL)
    auth.login(wg["secretariat"])
    assert client.get(f"/rooms/{dief.slug}/case-studies/new").status_code == 404
    with pytest.raises(services.CaseStudyError):
        services.check_submitter(dief, wg["delegate"])
    assert db.session.scalars(select(CaseStudy)).first() is None


# ---- review ----------------------------------------------------------------------------------


def test_publish_then_everyone_who_sees_the_room_reads_it(client, auth, wg, db):
    case_study = _submit(wg)
    auth.login(wg["chair"])
    assert client.post(f"/case-studies/{case_study.id}/publish").status_code == 303
    assert case_study.status is CaseStudyStatus.PUBLISHED and case_study.published_at
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "case_study.decided")
    ).all()
    assert {n.user_id for n in told} == {wg["delegate"].id, wg["colleague"].id}
    line = db.session.scalars(
        select(RoomActivity).where(RoomActivity.kind == "case_study.published")
    ).one()
    assert CANARY not in line.summary
    # A second publication is refused, and said so.
    response = client.post(f"/case-studies/{case_study.id}/publish", headers={"Referer": ""})
    assert response.status_code in (302, 303, 422)
    with pytest.raises(services.CaseStudyError, match="waiting for review"):
        services.publish(case_study, wg["chair"])
    auth.logout()
    auth.login(wg["reader"])
    page = client.get(f"/case-studies/{case_study.id}").get_data(as_text=True)
    assert "Deliveries vanished" in page and CANARY in page


def test_the_delegate_cannot_publish_and_others_do_not_see(client, auth, wg):
    case_study = _submit(wg)
    auth.login(wg["delegate"])
    assert client.post(f"/case-studies/{case_study.id}/publish").status_code == 403
    auth.logout()
    auth.login(wg["other"])
    assert client.post(f"/case-studies/{case_study.id}/publish").status_code == 404
    assert case_study.status is CaseStudyStatus.SUBMITTED


def test_return_revise_and_resubmit(client, auth, wg, db):
    case_study = _submit(wg)
    auth.login(wg["chair"])
    response = client.post(f"/case-studies/{case_study.id}/return", data={"reason": ""})
    assert response.status_code == 422 and "Say why you return it" in response.get_data(
        as_text=True
    )
    response = client.post(f"/case-studies/{case_study.id}/return", data={"reason": "r" * 1001})
    assert "1,001 characters" in response.get_data(as_text=True)
    assert case_study.status is CaseStudyStatus.SUBMITTED
    response = client.post(
        f"/case-studies/{case_study.id}/return", data={"reason": "Please add figures."}
    )
    assert response.status_code == 303 and case_study.status is CaseStudyStatus.RETURNED
    auth.logout()
    auth.login(wg["colleague"])
    waiting = [w.kind for w in services.waiting_for(wg["colleague"])]
    assert waiting == ["Returned case study: revise and resubmit"]
    page = client.get(f"/case-studies/{case_study.id}/edit").get_data(as_text=True)
    assert "Please add figures." in page
    response = client.post(
        f"/case-studies/{case_study.id}/edit",
        data=_form(result="Every delivery of 2025 (412) was confirmed."),
    )
    assert response.status_code == 303
    assert case_study.status is CaseStudyStatus.SUBMITTED and case_study.returned_reason is None
    assert "(412)" in case_study.result_html
    assert [w.kind for w in services.waiting_for(wg["chair"])] == ["Case study to review"]


# ---- unattributed: the origin stays with the delegation and the Secretariat -----------------


@pytest.mark.leak
def test_an_unattributed_case_study_names_its_delegation_nowhere(client, auth, wg, db):
    stage = _term("post-delivery-measures")
    auth.login(wg["delegate"])
    response = client.post(
        f"/rooms/{wg['room'].slug}/case-studies/new",
        data=_form(attribution="unattributed", stages=[str(stage.id)]),
    )
    assert response.status_code == 303
    case_study = db.session.scalars(select(CaseStudy)).one()
    assert not case_study.is_attributed and case_study.delegation_id == wg["canary"].id
    # The reviewers are told without the name.
    note = db.session.scalars(
        select(Notification).where(Notification.kind == "case_study.submitted")
    ).one()
    assert CANARY not in note.text and "unattributed" in note.text.lower()
    auth.logout()
    auth.login(wg["chair"])  # the reviewer
    page = client.get(f"/case-studies/{case_study.id}").get_data(as_text=True)
    assert "Deliveries vanished" in page and CANARY not in page and "Ada Canary" not in page
    assert str(wg["canary"].id) not in _attributes(page, wg["canary"].id)
    assert client.post(f"/case-studies/{case_study.id}/publish").status_code == 303
    for who in ("other", "reader", "chair"):
        auth.logout()
        auth.login(wg[who])
        for url in (
            f"/case-studies/{case_study.id}",
            f"/rooms/{wg['room'].slug}/case-studies",
            "/library/post-delivery-measures",
            "/notifications/",
            "/",
        ):
            page = client.get(url).get_data(as_text=True)
            # The library's delegation filter offers every delegation by name (the list of
            # delegations is public); it says nothing about who wrote what.
            page = re.sub(r'<select[^>]*name="delegation".*?</select>', "", page, flags=re.S)
            assert CANARY not in page, (who, url)
            assert "Ada Canary" not in page and "ada@canary" not in page, (who, url)
        # The room page names its member delegations; its case studies' section names none.
        room_page = client.get(f"/rooms/{wg['room'].slug}").get_data(as_text=True)
        section = room_page[room_page.index('id="room-case-studies"') :]
        section = section[: section.index("</section>")]
        assert "Delivery verification at the depot" in section and CANARY not in section
        assert (
            client.get("/library/post-delivery-measures")
            .get_data(as_text=True)
            .count("Delivery verification at the depot")
            == 1
        )
    # Activity lines and stored notifications of others name nobody.
    for line in db.session.scalars(select(RoomActivity)):
        assert CANARY not in line.summary
    for n in db.session.scalars(
        select(Notification).where(Notification.user_id != wg["delegate"].id)
    ):
        if n.user_id != wg["colleague"].id:
            assert CANARY not in n.text
    # The library's entry names nobody; the delegation and region facets never find it.
    entries = services.find(wg["other"], shelves.Query(term_ids=(stage.id,)))
    assert [e.delegation for e in entries] == [None]
    assert (
        services.find(wg["secretariat"], shelves.Query(term_ids=(stage.id,)))[0].delegation is None
    )
    for person in (wg["other"], wg["secretariat"], wg["delegate"]):
        query = shelves.Query(term_ids=(stage.id,), delegation_id=wg["canary"].id)
        assert services.find(person, query) == [] and services.count(person, query) == 0
    group = Group(name="Canary region", slug="canary-region", kind=GroupKind.DEFINED)
    db.session.add(group)
    db.session.flush()
    db.session.add(GroupMember(group_id=group.id, delegation_id=wg["canary"].id))
    db.session.flush()
    assert services.find(wg["secretariat"], shelves.Query(term_ids=(), region_id=group.id)) == []
    # Its own delegation and the Secretariat see the origin.
    auth.logout()
    auth.login(wg["colleague"])
    assert CANARY in client.get(f"/case-studies/{case_study.id}").get_data(as_text=True)
    auth.logout()
    auth.login(wg["secretariat"])
    assert CANARY in client.get(f"/case-studies/{case_study.id}").get_data(as_text=True)
    assert policy.can(Need.SEE_AUTHORS, case_study, wg["secretariat"])
    assert not policy.can(Need.SEE_AUTHORS, case_study, wg["chair"])
    # The audit log (the Secretariat's) keeps the origin.
    assert any(
        CANARY in e.summary
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "case_study.submitted")
        )
    )


def _attributes(page: str, ident: int) -> str:
    """Any data attribute or HTML comment that carries the delegation's id."""
    import re

    found = re.findall(r'data-[a-z-]*delegation[a-z-]*="([^"]*)"', page)
    found += [c for c in re.findall(r"<!--(.*?)-->", page, re.S) if str(ident) in c]
    return " ".join(found)


# ---- withdrawal ------------------------------------------------------------------------------


def test_withdraw_leaves_a_placeholder_and_reinstate_brings_it_back(client, auth, wg, db, clock):
    stage = _term("post-delivery-measures")
    case_study = _submit(wg, stages=[str(stage.id)])
    services.publish(case_study, wg["chair"])
    auth.login(wg["delegate"])
    confirm = client.get(f"/case-studies/{case_study.id}/withdraw").get_data(as_text=True)
    assert "stays where others cited it" in confirm
    assert client.post(f"/case-studies/{case_study.id}/withdraw").status_code == 303
    assert case_study.status is CaseStudyStatus.WITHDRAWN
    auth.logout()
    auth.login(wg["reader"])
    response = client.get(f"/case-studies/{case_study.id}")
    assert response.status_code == 200  # a link from elsewhere does not break
    page = response.get_data(as_text=True)
    assert "Case study withdrawn by the submitting delegation on" in page
    assert "Delivery verification at the depot" in page  # the title is kept
    assert "Deliveries vanished" not in page  # the text is gone from view
    assert services.find(wg["reader"], shelves.Query(term_ids=(stage.id,))) == []
    assert client.post(f"/case-studies/{case_study.id}/reinstate").status_code == 403
    auth.logout()
    auth.login(wg["colleague"])
    assert client.post(f"/case-studies/{case_study.id}/reinstate").status_code == 303
    assert case_study.status is CaseStudyStatus.PUBLISHED
    assert len(services.find(wg["reader"], shelves.Query(term_ids=(stage.id,)))) == 1
    # Past the time to reinstate: revise and resubmit instead.
    services.withdraw(case_study, wg["delegate"])
    case_study.withdrawn_at = utcnow() - timedelta(days=services.REINSTATE_DAYS + 1)
    with pytest.raises(services.CaseStudyError, match="more than 30 days"):
        services.reinstate(case_study, wg["delegate"])
    with pytest.raises(services.CaseStudyError, match="already withdrawn"):
        services.withdraw(case_study, wg["delegate"])
    services.revise(
        case_study,
        wg["delegate"],
        services.Draft(title="Delivery verification, revised", sections=SECTIONS),
    )
    # Waiting for review again: still a placeholder for the room, the text for the reviewers.
    assert can(Need.VIEW, case_study, wg["reader"])
    auth.logout()
    auth.login(wg["reader"])
    assert "Deliveries vanished" not in client.get(f"/case-studies/{case_study.id}").get_data(
        as_text=True
    )
    auth.logout()
    auth.login(wg["chair"])
    assert "Deliveries vanished" in client.get(f"/case-studies/{case_study.id}").get_data(
        as_text=True
    )


# ---- the shelf and the policy ----------------------------------------------------------------


def test_the_shelf_filters_in_sql(wg, db, make_room, count_queries):
    stage = _term("post-delivery-measures")
    sub = _term("stockpile-management")
    export = taxonomy.by_slug("export")
    first = _submit(
        wg,
        title="Stockpile audit",
        stages=[str(sub.id)],
        articles=["11"],
        activities=[str(export.id)],
    )
    second = _submit(wg, title="Unattributed audit", stages=[str(sub.id)], is_attributed=False)
    pending = _submit(wg, title="Pending audit", stages=[str(sub.id)])
    for cs in (first, second):
        services.publish(cs, wg["chair"])
    every = tuple(taxonomy.with_subtopics(stage))
    reader = wg["reader"]
    titles = [e.title for e in services.find(reader, shelves.Query(term_ids=every))]
    assert sorted(titles) == ["Stockpile audit", "Unattributed audit"]
    assert services.count(reader, shelves.Query(term_ids=every)) == 2
    assert [e.title for e in services.find(reader, shelves.Query(term_ids=every, article=11))] == [
        "Stockpile audit"
    ]
    by_activity = shelves.Query(term_ids=every, activity_id=export.id)
    assert [e.title for e in services.find(reader, by_activity)] == ["Stockpile audit"]
    mine = shelves.Query(term_ids=every, delegation_id=wg["canary"].id)
    assert [e.title for e in services.find(reader, mine)] == ["Stockpile audit"]
    year = first.published_at.year
    assert services.count(reader, shelves.Query(term_ids=every, year=year)) == 2
    assert services.count(reader, shelves.Query(term_ids=every, year=year - 1)) == 0
    assert services.count(reader, shelves.Query(term_ids=every, year=99999)) == 0
    # The pending one is the delegation's and the reviewers' (the shelf lists published only).
    assert pending.id not in {
        cs for cs in db.session.scalars(select(CaseStudy.id).where(visible(CaseStudy, reader)))
    }
    # One query, whatever the number.
    with count_queries() as few:
        services.find(reader, shelves.Query(term_ids=every))
    for i in range(5):
        services.publish(_submit(wg, title=f"More {i}", stages=[str(sub.id)]), wg["chair"])
    db.session.flush()
    with count_queries() as many:
        services.find(reader, shelves.Query(term_ids=every))
    assert len(few) == len(many) == 1


def test_visible_agrees_with_can(wg, db, make_room, make_user, add_member):
    members = make_room(AccessLevel.MEMBERS)
    add_member(members, wg["canary"])
    hidden = services.submit(
        members, wg["delegate"], services.Draft(title="In a members room", sections=SECTIONS)
    )
    services.publish(hidden, wg["secretariat"])
    a = _submit(wg)
    b = _submit(wg, is_attributed=False)
    services.publish(b, wg["chair"])
    c = _submit(wg)
    services.return_case_study(c, wg["chair"], "Shorter, please.")
    rows = db.session.scalars(select(CaseStudy)).all()
    assert len(rows) == 4 and a in rows
    for person in wg.values():
        if not hasattr(person, "delegation_id") or not hasattr(person, "email"):
            continue
        by_sql = set(db.session.scalars(select(CaseStudy.id).where(visible(CaseStudy, person))))
        by_rule = {r.id for r in rows if can(Need.VIEW, r, person)}
        assert by_sql == by_rule, person.name
    assert not can(Need.VIEW, hidden, wg["other"])  # the room decides first


def test_the_room_page_lists_them(client, auth, wg):
    case_study = _submit(wg, title="Our depot")
    services.publish(case_study, wg["chair"])
    auth.login(wg["reader"])
    page = client.get(f"/rooms/{wg['room'].slug}").get_data(as_text=True)
    assert "Case studies" in page and "Our depot" in page
    assert "Submit a case study" not in page  # the reader does not take part


def test_a_handover_moves_the_contact_point(wg, db, make_user):
    from consult.accounts import handover

    case_study = _submit(wg, contact_user_id=wg["delegate"].id)
    successor = wg["colleague"]
    held = dict((step.name, lines) for step, lines in handover.held(wg["delegate"], wg["chair"]))
    assert held["case_study_contacts"] == ["Contact point of 1 case study"]
    run = handover.Handover(departing=wg["delegate"], successor=successor, actor=successor)
    assert services.CONTACT_POINTS.move(run) == 1
    assert case_study.contact_user_id == successor.id


def test_without_chairs_the_secretariat_is_told_and_reviews(wg, db, make_room, add_member):
    room = make_room(AccessLevel.OPEN)
    case_study = services.submit(
        room, wg["delegate"], services.Draft(title="Unchaired", sections=SECTIONS)
    )
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "case_study.submitted")
    ).all()
    assert told == [wg["secretariat"].id]
    lines = services.waiting_for(wg["secretariat"])
    assert [line.title for line in lines] == ["Unchaired"]
    assert can(Need.DECIDE, case_study, wg["secretariat"])
    assert not can(Need.DECIDE, case_study, wg["chair"])  # the chair of another room
