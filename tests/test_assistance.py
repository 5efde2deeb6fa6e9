"""Needs and assistance: filing, who sees what, sharing, matching (and its refusal), status
moves, the Secretariat's figures, the Voluntary Trust Fund's calls, bad input, and a private
request's canaries that never reach anyone it is not for."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from consult import mail
from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.assistance import services
from consult.assistance.models import (
    AssistanceMatch,
    AssistanceOffer,
    AssistanceRequest,
    RequestStatus,
    StatusChange,
    TrustFundCall,
)
from consult.extensions import db as _db
from consult.notifications.models import Notification
from consult.policy import Need, can, visible
from consult.rooms.models import Membership, Room, RoomRole
from consult.taxonomy import services as taxonomy
from consult.waiting import for_person

pytestmark = pytest.mark.library

S = DelegationStatus


@pytest.fixture
def people(db, make_delegation, make_user):
    """A requesting State (African Group), a donor State, an organisation, civil society, an
    observer State, a signatory, another State Party and the Secretariat; one person each."""
    made = {}
    for role, status, name, group in [
        ("requester", S.STATE_PARTY, "Sierra Leone", RegionalGroup.AFRICAN),
        ("donor", S.STATE_PARTY, "Germany", RegionalGroup.WEOG),
        ("org", S.INTERNATIONAL_ORG, "UNIDIR", None),
        ("civil", S.CIVIL_SOCIETY, "Control Arms", None),
        ("observer", S.OBSERVER_STATE, "India", RegionalGroup.ASIA_PACIFIC),
        ("signatory", S.SIGNATORY, "Angola", RegionalGroup.AFRICAN),
        ("other", S.STATE_PARTY, "Latvia", RegionalGroup.EASTERN_EUROPEAN),
        ("secretariat", S.SECRETARIAT, "ATT Secretariat", None),
    ]:
        delegation = make_delegation(status, name=name, group=group)
        made[role] = make_user(delegation=delegation, name=f"{name} delegate")
    made["colleague"] = make_user(delegation=made["requester"].delegation, name="Colleague")
    return made


def term(slug: str) -> int:
    return taxonomy.by_slug(slug).id


def file(client, **data):
    form = {
        "title": "Drafting a national control list",
        "description": "We need help to **draft** our list.",
        "kinds": ["control_list", "legal_drafting"],
        "visibility": "private",
        "stages": [str(term("national-control-list"))],
        **data,
    }
    return client.post("/assistance/requests/new", data=form)


def offer_by(user, **kw) -> AssistanceOffer:
    from consult.taxonomy.forms import ChosenTags

    fields = dict(
        title="Control list workshop",
        description="Two experts for a week.",
        kinds=["control_list", "training"],
        visibility="open",
    )
    fields.update(kw)
    return services.post_offer(user, tags=ChosenTags([], [], []), **fields)


def request_by(user, **kw) -> AssistanceRequest:
    from consult.taxonomy.forms import ChosenTags
    from consult.taxonomy.models import Term

    stages = kw.pop("stages", ["national-control-list"])
    fields = dict(
        title="Control list",
        description="Help with our list.",
        kinds=["control_list"],
        visibility="private",
    )
    fields.update(kw)
    terms = [_db.session.get(Term, term(s)) for s in stages]
    return services.file_request(user, tags=ChosenTags(terms, [], []), **fields)


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


# ---- filing ----------------------------------------------------------------------------------


def test_a_state_party_files_a_request_for_its_delegation(client, auth, people):
    auth.login_quickly(people["requester"])
    assert "File a request for assistance" in client.get("/assistance").get_data(as_text=True)
    response = file(client)
    assert response.status_code == 303
    filed = _db.session.scalars(select(AssistanceRequest)).one()
    assert filed.delegation_id == people["requester"].delegation_id
    assert filed.status is RequestStatus.OPEN
    assert filed.kinds == ["legal_drafting", "control_list"]  # the list's order
    assert "<strong>draft</strong>" in filed.description_html  # rendered once, when written
    assert [t.slug for t in taxonomy.tags_of(filed).stages] == ["national-control-list"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Drafting a national control list" in page and "National control list" in page
    assert [c.to_status for c in services.history(filed)] == [RequestStatus.OPEN]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("signatory", 200), ("observer", 404), ("org", 404), ("civil", 404), ("secretariat", 404)],
)
def test_who_may_file(client, auth, people, role, expected):
    auth.login_quickly(people[role])
    assert client.get("/assistance/requests/new").status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [("donor", 200), ("observer", 200), ("org", 200), ("secretariat", 200), ("civil", 404)],
)
def test_who_may_offer(client, auth, people, role, expected):
    auth.login_quickly(people[role])
    assert client.get("/assistance/offers/new").status_code == expected


def test_the_filing_delegation_edits_while_open_and_withdraws_with_a_way_back(client, auth, people):
    filed = request_by(people["requester"])
    auth.login_quickly(people["colleague"])  # a colleague of the same delegation
    edit = client.post(
        f"/assistance/requests/{filed.id}/edit",
        data={
            "title": "Control list, revised",
            "description": "More detail.",
            "kinds": ["control_list"],
            "visibility": "open",
            "stages": [str(term("national-control-list")), str(term("licensing-procedures"))],
        },
    )
    assert edit.status_code == 303
    assert filed.title == "Control list, revised" and filed.visibility.value == "open"
    assert len(taxonomy.tags_of(filed).stages) == 2
    confirm = client.get(f"/assistance/requests/{filed.id}/withdraw")
    assert confirm.status_code == 200 and "Withdraw the request" in confirm.get_data(as_text=True)
    assert filed.status is RequestStatus.OPEN  # asking is not doing
    client.post(f"/assistance/requests/{filed.id}/withdraw")
    assert filed.status is RequestStatus.WITHDRAWN
    auth.login_quickly(people["other"])
    assert client.get(f"/assistance/requests/{filed.id}").status_code == 404  # gone for others
    auth.login_quickly(people["colleague"])
    page = client.get(f"/assistance/requests/{filed.id}").get_data(as_text=True)
    assert "Reopen" in page
    client.post(f"/assistance/requests/{filed.id}/reopen")
    assert filed.status is RequestStatus.OPEN
    auth.login_quickly(people["donor"])  # another State: may read (open) but not edit
    assert client.get(f"/assistance/requests/{filed.id}").status_code == 200
    assert client.get(f"/assistance/requests/{filed.id}/edit").status_code == 403


# ---- visibility ------------------------------------------------------------------------------


def _sees(user, obj) -> bool:
    by_rule = can(Need.VIEW, obj, user)
    model = type(obj)
    by_sql = obj.id in set(_db.session.scalars(select(model.id).where(visible(model, user))))
    assert by_rule == by_sql, f"can() and visible() disagree for {user.name}"
    return by_rule


def test_a_private_request_is_seen_by_its_delegation_the_secretariat_and_whom_it_is_shared_with(
    people,
):
    private = request_by(people["requester"])
    seen = {role for role, user in people.items() if _sees(user, private)}
    assert seen == {"requester", "colleague", "secretariat"}
    services.share(private, people["secretariat"], people["donor"].delegation_id)
    seen = {role for role, user in people.items() if _sees(user, private)}
    assert seen == {"requester", "colleague", "secretariat", "donor"}
    services.unshare(private, people["secretariat"], people["donor"].delegation_id)
    assert not _sees(people["donor"], private)


def test_an_open_request_is_seen_by_states_parties_and_signatories(people):
    public = request_by(people["requester"], visibility="open")
    seen = {role for role, user in people.items() if _sees(user, public)}
    assert seen == {"requester", "colleague", "secretariat", "donor", "signatory", "other"}


def test_a_private_offer_is_the_secretariats_until_matched(people):
    private = offer_by(people["org"], visibility="private")
    open_offer = offer_by(people["donor"])
    assert {r for r, u in people.items() if _sees(u, private)} == {"org", "secretariat"}
    assert {r for r, u in people.items() if _sees(u, open_offer)} == {
        "donor",
        "secretariat",
        "requester",
        "colleague",
        "signatory",
        "other",
    }
    filed = request_by(people["requester"])
    services.share(filed, people["secretariat"], people["org"].delegation_id)
    services.match(filed, people["secretariat"], [private.id])
    assert _sees(people["requester"], private)  # the requesting State sees its match's offer
    assert not _sees(people["other"], private)


def test_only_the_secretariat_shares_and_a_share_is_refused_next_to_its_field(client, auth, people):
    filed = request_by(people["requester"])
    auth.login_quickly(people["requester"])
    assert (
        client.post(
            f"/assistance/requests/{filed.id}/shares",
            data={"delegation": people["donor"].delegation_id},
        ).status_code
        == 403
    )
    auth.login_quickly(people["secretariat"])
    refused = client.post(
        f"/assistance/requests/{filed.id}/shares",
        data={"delegation": people["civil"].delegation_id},  # civil society offers no help here
    )
    assert refused.status_code == 422
    assert "Choose a delegation from the list." in refused.get_data(as_text=True)
    assert not services.shares(filed)


# ---- matching --------------------------------------------------------------------------------


def test_a_match_with_a_party_who_may_not_see_the_request_is_refused_and_nothing_is_stored(
    client, auth, people
):
    filed = request_by(people["requester"])  # private, shared with nobody
    offer = offer_by(people["donor"])
    rooms_before = count(Room)
    auth.login_quickly(people["secretariat"])
    form = client.get(f"/assistance/requests/{filed.id}/match").get_data(as_text=True)
    assert "may not see this request yet" in form
    refused = client.post(f"/assistance/requests/{filed.id}/match", data={"offers": [offer.id]})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="offers-error"' in page
    assert "Germany may not see this request: it is private and not shared with them." in page
    assert count(Room) == rooms_before and count(AssistanceMatch) == 0
    assert filed.status is RequestStatus.OPEN
    assert count(Notification) == 0


def test_an_open_request_is_not_seen_by_an_organisation_until_shared(client, auth, people):
    filed = request_by(people["requester"], visibility="open")
    offer = offer_by(people["org"])
    auth.login_quickly(people["secretariat"])
    refused = client.post(f"/assistance/requests/{filed.id}/match", data={"offers": [offer.id]})
    assert refused.status_code == 422
    assert "open to States Parties and signatory States only" in refused.get_data(as_text=True)
    client.post(
        f"/assistance/requests/{filed.id}/shares", data={"delegation": people["org"].delegation_id}
    )
    done = client.post(f"/assistance/requests/{filed.id}/match", data={"offers": [offer.id]})
    assert done.status_code == 303


def test_the_secretariat_matches_a_request_and_the_parties_meet_in_a_private_room(
    app, client, auth, people
):
    filed = request_by(people["requester"])
    offer = offer_by(people["donor"])
    second = offer_by(people["org"], visibility="private")
    services.share(filed, people["secretariat"], people["donor"].delegation_id)
    services.share(filed, people["secretariat"], people["org"].delegation_id)
    auth.login_quickly(people["secretariat"])
    done = client.post(
        f"/assistance/requests/{filed.id}/match", data={"offers": [offer.id, second.id]}
    )
    assert done.status_code == 303
    match = _db.session.scalars(select(AssistanceMatch)).one()
    room = match.room
    assert done.headers["Location"].endswith(f"/rooms/{room.slug}")
    assert room.access.value == "members"
    assert f'href="/assistance/requests/{filed.id}"' in room.description_html
    assert filed.status is RequestStatus.MATCHED
    members = _db.session.scalars(
        select(Membership).where(Membership.room_id == room.id, Membership.ended_at.is_(None))
    ).all()
    delegations = {m.delegation_id for m in members if m.delegation_id}
    assert delegations == {
        people[r].delegation_id for r in ("requester", "donor", "org", "secretariat")
    }
    assert any(m.user_id == people["secretariat"].id and m.role is RoomRole.CHAIR for m in members)
    told = {n.user_id for n in _db.session.scalars(select(Notification))}
    assert told == {people[r].id for r in ("requester", "colleague", "donor", "org")}
    for role in ("requester", "donor", "org"):
        party = app.test_client()
        type(auth)(party).login_quickly(people[role])
        assert party.get(f"/rooms/{room.slug}").status_code == 200, role
        assert party.get(f"/assistance/requests/{filed.id}").status_code == 200, role
    outsider = app.test_client()
    type(auth)(outsider).login_quickly(people["other"])
    assert outsider.get(f"/rooms/{room.slug}").status_code == 404
    # The donor's offer lists the request it is matched with, and the room.
    donor = app.test_client()
    type(auth)(donor).login_quickly(people["donor"])
    page = donor.get(f"/assistance/offers/{offer.id}").get_data(as_text=True)
    assert "Matched with" in page and f"/rooms/{room.slug}" in page
    page = outsider.get(f"/assistance/offers/{offer.id}").get_data(as_text=True)
    assert "Matched with" not in page  # the other State sees the open offer, not the match
    # Matched: no second match, no edit.
    again = client.post(f"/assistance/requests/{filed.id}/match", data={"offers": [offer.id]})
    assert again.status_code == 422 and "Only an open request can be matched" in again.get_data(
        as_text=True
    )


def test_the_match_form_refuses_an_offer_of_the_requesting_delegation_or_withdrawn(
    client, auth, people
):
    filed = request_by(people["requester"])
    own = offer_by(people["colleague"])
    gone = offer_by(people["secretariat"])
    services.set_offer_withdrawn(gone, people["secretariat"], True)
    auth.login_quickly(people["secretariat"])
    for offer in (own, gone):
        refused = client.post(f"/assistance/requests/{filed.id}/match", data={"offers": [offer.id]})
        assert refused.status_code == 422
        assert "Choose offers from the list" in refused.get_data(as_text=True)
    empty = client.post(f"/assistance/requests/{filed.id}/match", data={})
    assert "Choose at least one offer." in empty.get_data(as_text=True)
    assert count(AssistanceMatch) == 0


# ---- statuses --------------------------------------------------------------------------------


def _matched(people):
    filed = request_by(people["requester"], visibility="open")
    offer = offer_by(people["donor"])
    match = services.match(filed, people["secretariat"], [offer.id])
    return filed, match


def test_status_moves_forward_and_back_one_step_recorded_with_who_and_when(client, auth, people):
    filed, match = _matched(people)
    auth.login_quickly(people["requester"])
    confirm = client.get(f"/assistance/requests/{filed.id}/status?to=in_progress")
    assert confirm.status_code == 200 and "Move to in progress" in confirm.get_data(as_text=True)
    assert filed.status is RequestStatus.MATCHED
    client.post(f"/assistance/requests/{filed.id}/status", data={"to": "in_progress"})
    assert filed.status is RequestStatus.IN_PROGRESS
    auth.login_quickly(people["secretariat"])
    client.post(f"/assistance/requests/{filed.id}/status", data={"to": "completed"})
    assert filed.status is RequestStatus.COMPLETED
    page = client.get(f"/assistance/requests/{filed.id}").get_data(as_text=True)
    assert "Write it up as a case study" in page
    client.post(f"/assistance/requests/{filed.id}/status", data={"to": "in_progress"})  # back
    assert filed.status is RequestStatus.IN_PROGRESS
    moves = _db.session.scalars(
        select(StatusChange).where(StatusChange.request_id == filed.id).order_by(StatusChange.id)
    ).all()
    assert [(m.from_status, m.to_status) for m in moves] == [
        (None, RequestStatus.OPEN),
        (RequestStatus.OPEN, RequestStatus.MATCHED),
        (RequestStatus.MATCHED, RequestStatus.IN_PROGRESS),
        (RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED),
        (RequestStatus.COMPLETED, RequestStatus.IN_PROGRESS),
    ]
    assert [m.actor_id for m in moves[2:]] == [
        people["requester"].id,
        people["secretariat"].id,
        people["secretariat"].id,
    ]
    assert all(m.created_at is not None for m in moves)
    # Two steps at once, or a status that does not exist: refused, nothing moves.
    for to in ("open", "withdrawn", "nonsense"):
        client.post(f"/assistance/requests/{filed.id}/status", data={"to": to})
        assert filed.status is RequestStatus.IN_PROGRESS
    assert client.get(f"/assistance/requests/{filed.id}/status?to=open").status_code == 404


def test_the_donor_may_not_move_the_status(client, auth, people):
    filed, _match = _matched(people)
    auth.login_quickly(people["donor"])
    assert client.get(f"/assistance/requests/{filed.id}").status_code == 200
    response = client.post(f"/assistance/requests/{filed.id}/status", data={"to": "in_progress"})
    assert response.status_code == 403 and filed.status is RequestStatus.MATCHED


def test_back_to_open_ends_the_match_and_closes_its_room(client, auth, people):
    filed, match = _matched(people)
    auth.login_quickly(people["secretariat"])
    page = client.get(f"/assistance/requests/{filed.id}/status?to=open").get_data(as_text=True)
    assert "The match ends and its room is closed" in page
    client.post(f"/assistance/requests/{filed.id}/status", data={"to": "open"})
    assert filed.status is RequestStatus.OPEN
    assert match.ended_at is not None and match.room.is_archived
    assert services.current_match(filed) is None
    # It can be matched again, in a new room.
    again = services.match(filed, people["secretariat"], [services.matched_offers(match)[0].id])
    assert again.room_id != match.room_id


def test_the_case_study_link_carries_the_title_stages_and_context(people):
    filed = request_by(
        people["requester"],
        visibility="open",
        stages=["national-control-list", "licensing-procedures"],
    )
    offer = offer_by(people["donor"])
    services.match(filed, people["secretariat"], [offer.id])
    for to in ("in_progress", "completed"):
        services.move(filed, people["secretariat"], to)
    link = services.case_study_link(filed)
    parts = urlsplit(link)
    assert parts.path == "/case-studies/new"
    query = parse_qs(parts.query)
    assert query["title"] == ["Control list"]
    assert sorted(query["stages"]) == sorted(
        [str(term("national-control-list")), str(term("licensing-procedures"))]
    )
    assert "Sierra Leone asked for assistance" in query["context"][0]
    assert "Germany" in query["context"][0] and "Help with our list." in query["context"][0]


# ---- the Secretariat's overview ------------------------------------------------------------


def test_the_overview_counts_open_requests_by_region_and_stage(client, auth, people):
    request_by(people["requester"], stages=["national-control-list", "licensing-procedures"])
    request_by(people["requester"], stages=["national-control-system"])
    request_by(people["signatory"], stages=["stockpile-management"])
    request_by(people["other"], stages=["national-control-list"])
    done = request_by(people["other"], stages=["stockpile-management"], visibility="open")
    services.match(done, people["secretariat"], [offer_by(people["donor"]).id])  # met
    figures = services.overview()
    control = term("national-control-system")
    assert figures.total == 4
    assert figures.by_region == {"african": 3, "eastern_european": 1}
    # Two requests of Sierra Leone under the control system (one through its sub-topic).
    assert figures.cells[(control, "african")] == 2
    assert figures.cells[(control, "eastern_european")] == 1
    assert figures.by_stage[control] == 3
    assert figures.by_stage[term("post-delivery-measures")] == 1
    assert figures.by_stage[term("authorisation-of-transfers")] == 1
    auth.login_quickly(people["secretariat"])
    page = client.get("/assistance/overview").get_data(as_text=True)
    assert 'id="needs-table"' in page and "<svg" in page and 'role="img"' in page
    assert "4 open requests for assistance wait for a match." in page
    auth.login_quickly(people["donor"])
    assert client.get("/assistance/overview").status_code == 404


def test_the_secretariat_is_waiting_to_match_new_requests(people):
    filed = request_by(people["requester"])
    lines = for_person(people["secretariat"])
    assert any(filed.title in w.title and w.url.endswith(f"/{filed.id}") for w in lines)
    assert not any(filed.title in w.title for w in for_person(people["donor"]))
    services.share(filed, people["secretariat"], people["donor"].delegation_id)
    services.match(filed, people["secretariat"], [offer_by(people["donor"]).id])
    assert not any(filed.title in w.title for w in for_person(people["secretariat"]))


# ---- the Voluntary Trust Fund's calls -------------------------------------------------------


def test_the_secretariat_records_a_call_and_states_see_its_days_left(client, auth, people):
    today = date.today()
    auth.login_quickly(people["secretariat"])
    response = client.post(
        "/assistance/calls/new",
        data={
            "title": "VTF 2027 call",
            "opens_on": (today - timedelta(days=3)).isoformat(),
            "deadline_on": (today + timedelta(days=21)).isoformat(),
            "link": "https://www.thearmstradetreaty.org/vtf",
            "notes": "Proposals in English, French or Spanish.",
        },
    )
    assert response.status_code == 303
    assert "VTF 2027 call" in client.get("/assistance/overview").get_data(as_text=True)
    for role in ("requester", "signatory", "observer"):
        auth.login_quickly(people[role])
        page = client.get("/assistance").get_data(as_text=True)
        assert "VTF 2027 call" in page and "21 days left" in page, role
    auth.login_quickly(people["civil"])
    assert "VTF 2027 call" not in client.get("/assistance").get_data(as_text=True)
    assert client.get("/assistance/calls/new").status_code == 404


def test_a_closed_call_leaves_the_states_page(client, auth, people):
    today = date.today()
    _db.session.add(
        TrustFundCall(
            title="Old call",
            opens_on=today - timedelta(days=60),
            deadline_on=today - timedelta(days=1),
            created_by_id=people["secretariat"].id,
        )
    )
    _db.session.flush()
    auth.login_quickly(people["requester"])
    assert "Old call" not in client.get("/assistance").get_data(as_text=True)
    auth.login_quickly(people["secretariat"])
    page = client.get("/assistance/overview").get_data(as_text=True)
    assert "Old call" in page and "closed" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"deadline_on": "2027-01-01", "opens_on": "2027-02-01"},
            "deadline_on",
            "The deadline comes before the call opens.",
        ),
        ({"link": "javascript:alert(1)"}, "link", "starting with https://"),
        ({"title": "x" * 201}, "title", "This is 201 characters long; at most 200"),
        ({"notes": "n" * 2001}, "notes", "This is 2,001 characters long; at most 2,000"),
        ({"deadline_on": "not a date"}, "deadline_on", "Not a valid date value."),
    ],
)
def test_a_bad_call_is_refused_next_to_its_field(client, auth, people, data, field, message):
    auth.login_quickly(people["secretariat"])
    form = {"title": "Call", "opens_on": "2027-01-01", "deadline_on": "2027-03-01", **data}
    response = client.post("/assistance/calls/new", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert count(TrustFundCall) == 0


# ---- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "t" * 151}, "title", "This is 151 characters long; at most 150"),
        ({"description": "d" * 5001}, "description", "This is 5,001 characters long"),
        ({"kinds": []}, "kinds", "Choose at least one kind of help."),
        ({"kinds": ["moral_support"]}, "kinds", "Choose from the list."),
        ({"visibility": "everyone"}, "visibility", "Choose who may see it."),
        ({"stages": []}, "stages", "Choose at least one stage of implementation."),
        ({"stages": ["999999"]}, "stages", "Choose from the list."),
    ],
)
def test_a_bad_request_is_refused_next_to_its_field_and_nothing_is_stored(
    client, auth, people, data, field, message
):
    auth.login_quickly(people["requester"])
    response = file(client, **data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page, page[:2000]
    assert message in page
    assert count(AssistanceRequest) == 0 and count(StatusChange) == 0


def test_an_edit_after_the_match_is_refused(client, auth, people):
    filed, _match = _matched(people)
    auth.login_quickly(people["requester"])
    response = client.post(
        f"/assistance/requests/{filed.id}/edit",
        data={
            "title": "Changed",
            "description": "Changed.",
            "kinds": ["training"],
            "visibility": "open",
            "stages": [str(term("national-control-list"))],
        },
    )
    assert response.status_code == 422
    assert "can be edited only while it is open" in response.get_data(as_text=True)
    assert filed.title == "Control list"


# ---- the leak test ---------------------------------------------------------------------------

CANARY_TITLE = "CANARY-ASSIST-5d1e"
CANARY_BODY = "CANARY-NEED-08b7"


@pytest.mark.leak
@pytest.mark.parametrize("role", ["anonymous", "donor", "other", "observer", "org", "civil"])
def test_a_private_request_never_reaches_anyone_it_is_not_for(
    app, client, auth, db, people, role, caplog
):
    """Shared with the signatory only: the unshared donor (even with an offer matched with
    another request), another State, an observer State, an organisation and civil society see
    nothing of it, on any page, list, count, notification, dashboard line or mail."""
    caplog.set_level(logging.DEBUG)
    requester = app.test_client()
    type(auth)(requester).login_quickly(people["requester"])
    response = file(
        requester,
        title=CANARY_TITLE,
        description=CANARY_BODY,
        stages=[str(term("stockpile-management"))],
    )
    assert response.status_code == 303
    filed = db.session.scalars(select(AssistanceRequest)).one()
    secretariat = app.test_client()
    type(auth)(secretariat).login_quickly(people["secretariat"])
    secretariat.post(
        f"/assistance/requests/{filed.id}/shares",
        data={"delegation": people["signatory"].delegation_id},
    )
    offer = offer_by(people["signatory"])
    matched = secretariat.post(
        f"/assistance/requests/{filed.id}/match", data={"offers": [offer.id]}
    )
    assert matched.status_code == 303
    room = db.session.scalars(select(AssistanceMatch)).one().room
    # The donor's offer elsewhere: a match of another, open request.
    elsewhere = request_by(people["other"], visibility="open", title="Elsewhere")
    services.match(elsewhere, people["secretariat"], [offer_by(people["donor"]).id])
    outsider = people.get(role)
    if outsider is not None:
        auth.login_quickly(outsider)
    seen: list[str] = []
    urls = [
        "/",
        "/assistance",
        f"/assistance/requests/{filed.id}",
        f"/assistance/requests/{filed.id}/edit",
        f"/assistance/requests/{filed.id}/match",
        f"/assistance/requests/{filed.id}/status?to=in_progress",
        f"/assistance/offers/{offer.id}",
        "/assistance/overview",
        "/library/post-delivery-measures",
        "/library/stockpile-management",
        "/rooms/",
        f"/rooms/{room.slug}",
        "/notifications/",
    ]
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            answer = client.get(url, headers=headers)
            seen.append(answer.get_data(as_text=True))
            if outsider is not None and (f"/requests/{filed.id}" in url or room.slug in url):
                assert answer.status_code == 404, url
    if outsider is not None:
        seen += [
            n.text + n.link
            for n in db.session.scalars(
                select(Notification).where(Notification.user_id == outsider.id)
            )
        ]
        seen += [str(w) for w in for_person(outsider)]
        seen += [r.title for r in services.visible_requests(outsider)]
    seen += [m.as_string() for m in mail.outbox]
    seen.append(caplog.text)
    for canary in (CANARY_TITLE, CANARY_BODY):
        assert all(canary not in s for s in seen), f"{canary} leaked to {role}"
    # ... while those it is for do see it.
    assert CANARY_TITLE in requester.get(f"/assistance/requests/{filed.id}").get_data(as_text=True)
    party = app.test_client()
    type(auth)(party).login_quickly(people["signatory"])
    assert CANARY_TITLE in party.get("/assistance").get_data(as_text=True)
    assert CANARY_TITLE in party.get("/library/stockpile-management").get_data(as_text=True)


def test_the_pages_query_counts_do_not_grow_with_the_data(client, auth, people, count_queries):
    """The requests page, the overview and the library's shelf cost the same queries with one
    request and offer as with six of each."""

    def counts() -> dict[str, int]:
        found = {}
        for who, url in (
            ("donor", "/assistance"),
            ("secretariat", "/assistance"),
            ("secretariat", "/assistance/overview"),
            ("donor", "/library/national-control-system"),
        ):
            auth.login_quickly(people[who])
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            found[f"{who} {url}"] = len(statements)
        return found

    request_by(people["requester"], visibility="open")
    offer_by(people["org"])
    small = counts()
    for _ in range(5):
        request_by(people["requester"], visibility="open")
        request_by(people["signatory"], stages=["licensing-procedures"])
        offer_by(people["donor"])
    assert counts() == small


def test_the_library_shelf_filters_by_region_delegation_and_year_and_counts_by_term(app, people):
    """The requests shelf applies every facet of the library in SQL, and counts per term for
    the library's index as it lists."""
    from consult.groups.models import Group
    from consult.library import shelves

    african = request_by(people["requester"], visibility="open", title="African request")
    request_by(people["other"], visibility="open", title="Eastern European request")
    shelf = shelves.get("assistance")
    stage = taxonomy.by_slug("national-control-system")
    ids = tuple(taxonomy.with_subtopics(stage))
    region = _db.session.scalars(select(Group).where(Group.slug == "african-group")).one()
    reader = people["donor"]
    with app.test_request_context():
        both = {e.title for e in shelf.find(reader, shelves.Query(term_ids=ids))}
        assert both == {"African request", "Eastern European request"}
        by_region = shelf.find(reader, shelves.Query(term_ids=ids, region_id=region.id))
        assert [e.title for e in by_region] == ["African request"]
        by_delegation = shelves.Query(term_ids=ids, delegation_id=people["other"].delegation_id)
        assert [e.title for e in shelf.find(reader, by_delegation)] == ["Eastern European request"]
        last_year = shelves.Query(term_ids=ids, year=african.created_at.year - 1)
        assert shelf.find(reader, last_year) == [] and shelf.count(reader, last_year) == 0
        assert shelf.counts(reader)[stage.id] == 2
        assert shelf.counts(reader)[term("national-control-list")] == 2
