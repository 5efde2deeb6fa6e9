"""Who may be added to a room: its kind, the delegations already in it, the invitation e-mail."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from consult import mail
from consult.accounts.models import DelegationStatus, RegionalGroup, User
from consult.audit import AuditEvent
from consult.rooms.models import AccessLevel, Membership, RoomKind, RoomRole

pytestmark = pytest.mark.hardening
HX = {"HX-Request": "true"}


def error_of(page: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


def members(db, room) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.room_id == room.id, Membership.ended_at.is_(None)
        )
    )


def kinds(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.kind)))


@pytest.fixture
def african_room(make_room, make_user, make_delegation, add_member):
    room = make_room(
        kind=RoomKind.REGIONAL_GROUP, regional_group=RegionalGroup.AFRICAN, title="African Group"
    )
    coordinator = make_user(
        delegation=make_delegation(DelegationStatus.STATE_PARTY, group=RegionalGroup.AFRICAN)
    )
    add_member(room, coordinator, RoomRole.CHAIR)
    return room, coordinator


def add_delegation(client, room, delegation, **extra):
    return client.post(
        f"/rooms/{room.slug}/members/delegations",
        data={"d-delegation": delegation.id, "d-role": "member", **extra},
        headers=HX,
    )


@pytest.mark.parametrize(
    ("status", "group", "expected"),
    [
        (DelegationStatus.CIVIL_SOCIETY, None, "takes the group's States"),
        (DelegationStatus.STATE_PARTY, RegionalGroup.WEOG, "is not in that group"),
    ],
)
def test_regional_group_room_takes_only_its_groups_states(
    client, auth, african_room, make_delegation, db, status, group, expected
):
    room, coordinator = african_room
    outsider = make_delegation(status, group=group, name="Outsider")
    auth.login(coordinator)
    before = members(db, room)
    response = add_delegation(client, room, outsider)
    assert response.status_code == 422
    message = error_of(response.get_data(as_text=True), "d-delegation")
    assert expected in message and "Outsider" in message
    assert members(db, room) == before
    assert "Add anyway" not in response.get_data(as_text=True)  # not the coordinator's to tick


def test_regional_group_room_takes_a_state_of_the_group(
    client, auth, african_room, make_delegation, db
):
    room, coordinator = african_room
    ghana = make_delegation(DelegationStatus.SIGNATORY, group=RegionalGroup.AFRICAN)
    auth.login(coordinator)
    assert add_delegation(client, room, ghana).status_code == 200
    assert members(db, room) == 2


def test_regional_group_room_without_its_group_set_says_so(
    client, auth, make_room, make_user, make_delegation, add_member, db
):
    room = make_room(kind=RoomKind.REGIONAL_GROUP)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)
    response = add_delegation(client, room, make_delegation())
    assert response.status_code == 422
    assert "no regional group set" in error_of(response.get_data(as_text=True), "d-delegation")


def test_states_only_room_takes_states_parties_and_signatories(
    client, auth, make_room, make_user, make_delegation, add_member, db
):
    room = make_room(AccessLevel.STATES, kind=RoomKind.WORKING_GROUP)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)
    observer = make_delegation(DelegationStatus.OBSERVER_STATE, name="Observer Land")
    response = add_delegation(client, room, observer)
    assert response.status_code == 422
    assert "States Parties and signatory States only" in error_of(
        response.get_data(as_text=True), "d-delegation"
    )
    signatory = make_delegation(DelegationStatus.SIGNATORY)
    assert add_delegation(client, room, signatory).status_code == 200
    assert members(db, room) == 2


def test_the_secretariat_may_override_the_kind_rule_audited(
    client, auth, african_room, make_user, make_delegation, db
):
    room, _coordinator = african_room
    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    ngo = make_delegation(DelegationStatus.CIVIL_SOCIETY, group=None, name="Small Arms Survey")
    auth.login(secretariat)
    refused = add_delegation(client, room, ngo)
    assert refused.status_code == 422
    assert "tick “Add anyway”" in error_of(refused.get_data(as_text=True), "d-override")
    assert members(db, room) == 1 and "room.kind_rule_overridden" not in kinds(db)
    done = add_delegation(client, room, ngo, **{"d-override": "y"})
    assert done.status_code == 200
    assert "Added outside the room's rule" in html.unescape(done.get_data(as_text=True))
    assert members(db, room) == 2
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "room.kind_rule_overridden")
    ).one()
    assert "Small Arms Survey" in event.summary and event.actor_id == secretariat.id


def test_override_never_opens_a_confidential_room(
    client, auth, make_room, make_user, make_delegation, db
):
    room = make_room(AccessLevel.CONFIDENTIAL, kind=RoomKind.CONFIDENTIAL_FORUM)
    auth.login(make_user(status=DelegationStatus.SECRETARIAT))
    ngo = make_delegation(DelegationStatus.CIVIL_SOCIETY)
    response = add_delegation(client, room, ngo, **{"d-override": "y"})
    assert response.status_code == 422 and members(db, room) == 0


def add_person(client, room, **data):
    form = {"p-role": "member", **{f"p-{k}": v for k, v in data.items()}}
    return client.post(f"/rooms/{room.slug}/members/people", data=form, headers=HX)


def test_chair_adds_only_people_of_delegations_already_in_the_room(
    client, auth, make_room, make_user, add_member, db
):
    room = make_room(title="Small group")
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    stranger = make_user(name="Stranger Delegate")
    auth.login(chair)
    response = add_person(client, room, email=stranger.email)
    assert response.status_code == 422
    assert "is not in this room" in error_of(response.get_data(as_text=True), "p-email")
    assert members(db, room) == 1 and mail.outbox == []
    add_member(room, stranger.delegation)
    assert add_person(client, room, email=stranger.email).status_code == 200
    assert members(db, room) == 3


def test_chair_cannot_create_accounts_for_other_delegations(
    client, auth, make_room, make_user, make_delegation, add_member, db
):
    room = make_room()
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    other = make_delegation(DelegationStatus.STATE_PARTY)
    add_member(room, other)
    auth.login(chair)
    response = add_person(
        client, room, email="new.person@example.org", name="New Person", delegation=other.id
    )
    assert response.status_code == 422
    assert "only for your own delegation" in error_of(
        response.get_data(as_text=True), "p-delegation"
    )
    assert db.session.scalar(select(User).where(User.email == "new.person@example.org")) is None
    assert mail.outbox == []
    # The form offers the chair's own delegation only.
    select_ = response.get_data(as_text=True).split('id="p-delegation"')[1].split("</select>")[0]
    options = re.findall(r'<option[^>]*value="(\d+)"', select_)
    assert str(other.id) not in options and str(chair.delegation_id) in options


def test_invitation_names_the_room_and_carries_the_message(
    client, auth, make_room, make_user, add_member, db
):
    room = make_room(title="Small group on end-use controls")
    chair = make_user(name="Chair Person")
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)
    response = add_person(
        client,
        room,
        email="colleague@example.org",
        name="Customs Colleague",
        delegation=chair.delegation_id,
        note="Please join us before the March session.",
    )
    assert response.status_code == 200
    sent = mail.outbox[-1]
    assert sent["To"] == "colleague@example.org"
    assert "Small group on end-use controls" in sent["Subject"]
    body = sent.get_content()
    assert "take part in Small group on end-use controls" in body
    assert "Please join us before the March session." in body and "Chair Person" in body
    assert "/invitation/" in body


def test_existing_person_is_told_the_room_and_the_message(
    client, auth, make_room, make_user, add_member
):
    room = make_room(title="Small group on brokering")
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    colleague = make_user(delegation=chair.delegation)
    auth.login(chair)
    add_person(client, room, email=colleague.email, note="Welcome aboard.")
    sent = mail.outbox[-1]
    assert "Small group on brokering" in sent["Subject"]
    assert "Welcome aboard." in sent.get_content()


def test_a_message_over_the_limit_is_refused_with_its_length(
    client, auth, make_room, make_user, add_member, db
):
    room = make_room()
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)
    response = add_person(
        client,
        room,
        email="long@example.org",
        name="Long Message",
        delegation=chair.delegation_id,
        note="x" * 1001,
    )
    assert response.status_code == 422
    assert "1001 characters long; the limit is 1000" in error_of(
        response.get_data(as_text=True), "p-note"
    )
    assert db.session.scalar(select(User).where(User.email == "long@example.org")) is None
    assert mail.outbox == []


def test_a_deactivated_account_lists_no_rooms_now(
    client, auth, make_room, make_user, make_delegation, add_member, db
):
    room = make_room(title="Room of the past")
    person = make_user(name="Former Delegate")
    add_member(room, person, RoomRole.MEMBER)
    add_member(make_room(title="Delegation-wide room"), person.delegation)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    person.is_active = False
    db.session.flush()
    auth.login(make_user(status=DelegationStatus.SECRETARIAT))
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    rooms_now = page.split('id="rooms-title"')[1].split("</section>")[0]
    assert "the account is deactivated" in rooms_now
    assert "Room of the past" not in rooms_now and "Delegation-wide room" not in rooms_now
    members_panel = client.get(f"/rooms/{room.slug}/members", headers=HX).get_data(as_text=True)
    assert "Former Delegate" not in members_panel


def test_admin_regional_group_room_needs_its_group(client, auth, make_user, db):
    auth.login(make_user(status=DelegationStatus.SECRETARIAT))
    response = client.post(
        "/admin/rooms/new",
        data={
            "title": "GRULAC",
            "slug": "grulac",
            "kind": "regional_group",
            "access": "members",
            "parent": "0",
            "time_zone": "America/Bogota",
            "regional_group": "",
        },
    )
    assert response.status_code == 422
    assert "Choose the regional group" in error_of(
        response.get_data(as_text=True), "regional_group"
    )


def test_only_the_secretariat_may_override_and_only_it_sees_the_box(
    app, client, auth, african_room, make_user, db
):
    """The override is one rule (Need.OVERRIDE on the room): the services, the routes and the
    members panel all ask it, so a chair never gets the box nor gets past the guardrails."""
    from consult.policy import Need, can

    room, coordinator = african_room
    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    with app.test_request_context():
        assert can(Need.OVERRIDE, room, secretariat)
        assert not can(Need.OVERRIDE, room, coordinator)
    auth.login(coordinator)
    page = client.get(f"/rooms/{room.slug}/members", headers=HX).get_data(as_text=True)
    assert 'name="d-override"' not in page and "The Secretariat invites the people" in page
    auth.logout()
    auth.login(secretariat)
    page = client.get(f"/rooms/{room.slug}/members", headers=HX).get_data(as_text=True)
    assert 'name="d-override"' in page and "The Secretariat invites the people" not in page


def test_a_chair_ticking_the_override_gets_past_nothing(
    client, auth, african_room, make_delegation, db
):
    room, coordinator = african_room
    ngo = make_delegation(DelegationStatus.CIVIL_SOCIETY, group=None)
    auth.login(coordinator)
    response = add_delegation(client, room, ngo, **{"d-override": "y"})
    assert response.status_code == 422 and members(db, room) == 1
    assert "room.kind_rule_overridden" not in kinds(db)
