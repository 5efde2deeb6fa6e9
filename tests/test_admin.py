"""The Secretariat's administration: tables that search and page, the changes it makes, the
refusals it answers with, the audit trail it leaves, and that nobody else can reach it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import g
from sqlalchemy import func, select

from consult import mail
from consult.accounts.models import Delegation, DelegationStatus, RegionalGroup, User
from consult.audit import AuditEvent
from consult.rooms.models import AccessLevel, Membership, Room, RoomKind, RoomRole
from consult.timeutil import utcnow

PASSWORD = "a-long-test-password"


@pytest.fixture
def secretariat(make_user, make_delegation):
    delegation = make_delegation(DelegationStatus.SECRETARIAT, name="ATT Secretariat", group=None)
    return make_user(delegation=delegation, name="Sec Retariat", email="sec@att.example.org")


@pytest.fixture
def admin(client, auth, secretariat):
    """The test client, signed in as a member of the Secretariat."""
    auth.login(secretariat)
    return client


def sign_in(app, user: User, password: str = PASSWORD):
    """A second browser, signed in as `user`."""
    other = app.test_client()
    response = other.post("/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return other


def text(response) -> str:
    return response.get_data(as_text=True)


def events(db, kind: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
        )
    )


def mail_link(index: int = -1) -> str:
    body = mail.outbox[index].get_content()
    return re.sub(r"^https?://[^/]+", "", re.search(r"https?://\S+", body).group(0))


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# ---- overview ---------------------------------------------------------------------------------


def test_index_links_to_every_section_with_counts(admin, make_user, make_delegation):
    make_delegation(is_active=False)
    make_user(password=None)
    page = text(admin.get("/admin/"))
    for path in ("/admin/delegations", "/admin/people", "/admin/rooms", "/admin/audit"):
        assert f'href="{path}"' in page
    assert "1 invited, no password yet" in page
    # The Secretariat's own delegation, the inactive one, and the invited person's.
    assert "3 delegations" in page
    assert "2 active" in page


# ---- delegations ------------------------------------------------------------------------------


def test_delegations_search_by_name_and_short_name_and_filter_by_status(admin, make_delegation):
    make_delegation(name="Ruritania")
    make_delegation(name="Freedonia")
    make_delegation(DelegationStatus.CIVIL_SOCIETY, name="Control Arms Coalition", group=None)

    page = text(admin.get("/admin/delegations?q=rurit"))
    assert "Ruritania" in page and "Freedonia" not in page

    page = text(admin.get("/admin/delegations?status=civil_society"))
    assert "Control Arms Coalition" in page
    assert "Ruritania" not in page and "Freedonia" not in page


def test_delegation_search_by_short_name(admin, make_delegation, db):
    target = make_delegation(name="Ruritania")
    target.short_name = "RUR"
    make_delegation(name="Freedonia")
    db.session.flush()
    page = text(admin.get("/admin/delegations?q=RUR"))
    assert "Ruritania" in page and "Freedonia" not in page


def test_search_treats_wildcards_as_text(admin, make_delegation):
    make_delegation(name="Ruritania")
    assert "Ruritania" not in text(admin.get("/admin/delegations?q=%25"))
    assert "No delegation matches" in text(admin.get("/admin/delegations?q=_"))


def test_delegation_table_answers_htmx_with_the_fragment_alone(admin, make_delegation):
    make_delegation(name="Ruritania")
    response = admin.get("/admin/delegations?q=Rur", headers={"HX-Request": "true"})
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="delegation-table"')
    assert "<html" not in body and "Ruritania" in body
    assert "HX-Request" in response.headers.get("Vary", "")
    # The page itself carries the live search input and includes the same fragment.
    page = text(admin.get("/admin/delegations"))
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'hx-push-url="true"' in page and 'id="delegation-table"' in page


def test_delegations_page_and_out_of_range_pages(admin, make_delegation, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for letter in "ABCDE":
        make_delegation(name=f"Pagetest {letter}")

    first = text(admin.get("/admin/delegations?q=Pagetest"))
    assert "Pagetest A" in first and "Pagetest B" in first and "Pagetest C" not in first
    assert "Page 1 of 3" in first
    # The pager keeps the search.
    assert "/admin/delegations?page=2&amp;q=Pagetest" in first

    second = text(admin.get("/admin/delegations?q=Pagetest&page=2"))
    assert "Pagetest C" in second and "Pagetest D" in second and "Pagetest A" not in second

    beyond = admin.get("/admin/delegations?q=Pagetest&page=999999999999")
    assert beyond.status_code == 200
    assert "Pagetest E" in text(beyond) and "Page 3 of 3" in text(beyond)

    for odd in ("-4", "0", "abc"):
        response = admin.get(f"/admin/delegations?q=Pagetest&page={odd}")
        assert response.status_code == 200 and "Pagetest A" in text(response)


def test_unknown_filter_value_is_reported_and_left_out(admin, make_delegation):
    make_delegation(name="Ruritania")
    response = admin.get("/admin/delegations?status=empire")
    assert response.status_code == 422
    assert "not understood" in text(response)
    assert "Ruritania" in text(response)


def test_create_delegation(admin, db, secretariat):
    response = admin.post(
        "/admin/delegations/new",
        data={
            "name": "Ruritania",
            "short_name": "RUR",
            "status": "signatory",
            "regional_group": "eastern_european",
            "is_active": "y",
        },
    )
    assert response.status_code == 303
    created = db.session.scalars(select(Delegation).where(Delegation.name == "Ruritania")).one()
    assert created.short_name == "RUR"
    assert created.status is DelegationStatus.SIGNATORY
    assert created.regional_group is RegionalGroup.EASTERN_EUROPEAN
    assert created.is_active
    [event] = events(db, "delegation.created")
    assert event.delegation_id == created.id and event.actor_id == secretariat.id
    assert "Ruritania" in text(admin.get(response.headers["Location"]))


def test_create_delegation_without_group_or_active_flag(admin, db):
    response = admin.post(
        "/admin/delegations/new",
        data={
            "name": "Control Arms",
            "short_name": "CA",
            "status": "civil_society",
            "regional_group": "",
        },
    )
    assert response.status_code == 303
    created = db.session.scalars(select(Delegation).where(Delegation.name == "Control Arms")).one()
    assert created.regional_group is None and not created.is_active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Ruritania", "short_name": "R2", "status": "state_party"}, "already exists"),
        ({"name": "ruritania", "short_name": "R2", "status": "state_party"}, "already exists"),
        ({"name": "", "short_name": "R2", "status": "state_party"}, "This field is required"),
        ({"name": "Elbonia", "short_name": "ELB", "status": "empire"}, "Not a valid choice"),
        (
            {
                "name": "Elbonia",
                "short_name": "ELB",
                "status": "state_party",
                "regional_group": "moon",
            },
            "Not a valid choice",
        ),
    ],
)
def test_create_delegation_refuses_bad_input(admin, db, make_delegation, data, message):
    make_delegation(name="Ruritania")
    before = count(db, Delegation)
    response = admin.post("/admin/delegations/new", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert count(db, Delegation) == before
    assert events(db, "delegation.created") == []


def test_edit_delegation(admin, db, make_delegation):
    delegation = make_delegation(name="Ruritania")
    page = text(admin.get(f"/admin/delegations/{delegation.id}/edit"))
    assert 'value="Ruritania"' in page
    response = admin.post(
        f"/admin/delegations/{delegation.id}/edit",
        data={
            "name": "Republic of Ruritania",
            "short_name": "RUR",
            "status": "observer_state",
            "regional_group": "",
            "is_active": "y",
        },
    )
    assert response.status_code == 303
    db.session.refresh(delegation)
    assert delegation.name == "Republic of Ruritania"
    assert delegation.status is DelegationStatus.OBSERVER_STATE
    assert delegation.regional_group is None
    [event] = events(db, "delegation.updated")
    assert event.details["changes"]["name"] == ["Ruritania", "Republic of Ruritania"]
    assert event.details["changes"]["status"] == ["state_party", "observer_state"]


def test_edit_delegation_refuses_a_taken_name(admin, db, make_delegation):
    make_delegation(name="Freedonia")
    delegation = make_delegation(name="Ruritania")
    response = admin.post(
        f"/admin/delegations/{delegation.id}/edit",
        data={
            "name": "Freedonia",
            "short_name": "X",
            "status": "state_party",
            "is_active": "y",
        },
    )
    assert response.status_code == 422 and "already exists" in text(response)
    db.session.refresh(delegation)
    assert delegation.name == "Ruritania" and delegation.short_name != "X"
    assert events(db, "delegation.updated") == []


def test_the_secretariat_cannot_lock_itself_out(admin, db, secretariat):
    own = secretariat.delegation
    response = admin.post(
        f"/admin/delegations/{own.id}/edit",
        data={
            "name": own.name,
            "short_name": own.short_name,
            "status": "state_party",
            "is_active": "y",
        },
    )
    assert response.status_code == 422
    db.session.refresh(own)
    assert own.status is DelegationStatus.SECRETARIAT
    assert admin.get("/admin/").status_code == 200


def test_unknown_delegation_is_404(admin):
    assert admin.get("/admin/delegations/999999/edit").status_code == 404


# ---- people -----------------------------------------------------------------------------------


def test_people_search_and_filters(admin, db, make_user, make_delegation):
    ruritania = make_delegation(name="Ruritania")
    freedonia = make_delegation(name="Freedonia")
    alice = make_user(delegation=ruritania, name="Alice Arbiter", email="alice@rur.example")
    make_user(delegation=freedonia, name="Bob Builder", email="bob@free.example")
    invited = make_user(delegation=freedonia, name="Carol Invited", password=None)
    gone = make_user(delegation=ruritania, name="Dan Departed", is_active=False)

    page = text(admin.get("/admin/people?q=alice"))
    assert "Alice Arbiter" in page and "Bob Builder" not in page
    page = text(admin.get("/admin/people?q=free.example"))
    assert "Bob Builder" in page and "Alice Arbiter" not in page
    page = text(admin.get("/admin/people?q=Freedon"))  # by delegation
    assert "Bob Builder" in page and "Carol Invited" in page and "Alice Arbiter" not in page

    page = text(admin.get(f"/admin/people?delegation={ruritania.id}"))
    assert "Alice Arbiter" in page and "Dan Departed" in page and "Bob Builder" not in page

    page = text(admin.get("/admin/people?state=invited"))
    assert invited.name in page and alice.name not in page and gone.name not in page
    page = text(admin.get("/admin/people?state=inactive"))
    assert gone.name in page and alice.name not in page and invited.name not in page
    page = text(admin.get(f"/admin/people?state=active&delegation={ruritania.id}"))
    assert alice.name in page and gone.name not in page

    fragment = text(admin.get("/admin/people?q=alice", headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<div id="people-table"') and "Alice Arbiter" in fragment


def test_people_are_paged(admin, make_user, make_delegation, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    delegation = make_delegation(name="Pagedonia")
    for i in range(7):
        make_user(delegation=delegation, name=f"Paged Person {i}")
    third = text(admin.get(f"/admin/people?delegation={delegation.id}&page=3"))
    assert "Paged Person 6" in third and "Paged Person 0" not in third
    assert "Page 3 of 3" in third
    assert f"/admin/people?page=2&amp;delegation={delegation.id}" in third


def test_invite_a_person_who_then_chooses_a_password(admin, app, db, make_delegation, secretariat):
    delegation = make_delegation(name="Ruritania")
    response = admin.post(
        "/admin/people/new",
        data={
            "name": "Iris Invitee",
            "email": "Iris@Rur.example",
            "delegation": delegation.id,
            "title": "First Secretary",
            "agency": "Ministry of Defence",
            "time_zone": "Europe/Vienna",
            "is_npc": "y",
        },
    )
    assert response.status_code == 303
    user = db.session.scalars(select(User).where(User.email == "iris@rur.example")).one()
    assert response.headers["Location"].endswith(f"/admin/people/{user.id}")
    assert user.password_hash is None and user.is_npc and not user.is_focal_point
    assert user.delegation_id == delegation.id and user.time_zone == "Europe/Vienna"
    assert user.agency == "Ministry of Defence"
    [message] = mail.outbox
    assert message["To"] == "iris@rur.example"
    [event] = events(db, "account.invited")
    assert event.subject_user_id == user.id and event.actor_id == secretariat.id

    link = mail_link()
    assert link.startswith("/invitation/")
    browser = app.test_client()
    assert browser.get(link).status_code == 200
    response = browser.post(
        link, data={"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.password_hash is not None
    assert browser.get("/").status_code == 200
    assert browser.get(link).status_code == 410  # single use


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "taken@example.org"}, "already exists"),
        ({"email": "TAKEN@example.org"}, "already exists"),
        ({"email": "not-an-address"}, "Invalid email address"),
        ({"name": ""}, "This field is required"),
        ({"delegation": "999999"}, "Not a valid choice"),
        ({"time_zone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone we know"),
    ],
)
def test_invite_refuses_bad_input(admin, db, make_user, make_delegation, changes, message):
    make_user(email="taken@example.org")
    delegation = make_delegation()
    data = {
        "name": "Iris",
        "email": "iris@example.org",
        "delegation": delegation.id,
        "time_zone": "UTC",
    } | changes
    before = count(db, User)
    response = admin.post("/admin/people/new", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert count(db, User) == before
    assert mail.outbox == []
    assert events(db, "account.invited") == []


def test_edit_a_person(admin, db, make_user, make_delegation):
    user = make_user(name="Alice", title="", agency="")
    other = make_delegation(name="Freedonia")
    page = text(admin.get(f"/admin/people/{user.id}/edit"))
    assert f'value="{user.email}"' in page and "Personal note" not in page
    response = admin.post(
        f"/admin/people/{user.id}/edit",
        data={
            "name": "Alice Arbiter",
            "email": "Alice.New@example.org",
            "delegation": other.id,
            "title": "Counsellor",
            "agency": "Customs",
            "time_zone": "Asia/Tokyo",
            "is_focal_point": "y",
        },
    )
    assert response.status_code == 303
    db.session.refresh(user)
    assert (user.name, user.email, user.delegation_id) == (
        "Alice Arbiter",
        "alice.new@example.org",
        other.id,
    )
    assert (user.title, user.agency, user.time_zone) == ("Counsellor", "Customs", "Asia/Tokyo")
    assert user.is_focal_point and not user.is_npc
    [event] = events(db, "account.updated")
    assert event.subject_user_id == user.id
    assert set(event.details["changes"]) >= {"name", "email", "delegation", "is_focal_point"}


def test_edit_refuses_an_e_mail_of_another_account(admin, db, make_user):
    make_user(email="taken@example.org")
    user = make_user(name="Alice")
    original = user.email
    response = admin.post(
        f"/admin/people/{user.id}/edit",
        data={
            "name": "Alice Renamed",
            "email": "taken@example.org",
            "delegation": user.delegation_id,
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 422 and "already exists" in text(response)
    db.session.refresh(user)
    assert user.email == original and user.name == "Alice"
    assert events(db, "account.updated") == []


def test_resend_invitation_replaces_the_link(admin, app, db, make_user):
    user = make_user(password=None)
    page = text(admin.get(f"/admin/people/{user.id}"))
    assert f"/admin/people/{user.id}/invitation" in page
    admin.post(f"/admin/people/{user.id}/invitation", data={})
    first = mail_link()
    response = admin.post(f"/admin/people/{user.id}/invitation", data={"note": "See you at CSP11."})
    assert response.status_code == 303
    assert len(mail.outbox) == 2 and "See you at CSP11." in mail.outbox[-1].get_content()
    browser = app.test_client()
    assert browser.get(first).status_code == 410
    assert browser.get(mail_link()).status_code == 200
    assert len(events(db, "account.invitation_resent")) == 2


def test_resend_invitation_only_without_a_password(admin, db, make_user):
    user = make_user()
    assert f"/admin/people/{user.id}/invitation" not in text(admin.get(f"/admin/people/{user.id}"))
    response = admin.post(f"/admin/people/{user.id}/invitation", data={})
    assert response.status_code == 422 and "already chosen a password" in text(response)
    assert mail.outbox == [] and events(db, "account.invitation_resent") == []


def test_deactivate_ends_the_session_and_reactivate_restores_sign_in(admin, app, db, make_user):
    user = make_user()
    browser = sign_in(app, user)
    assert browser.get("/").status_code == 200

    response = admin.post(
        f"/admin/people/{user.id}/deactivate", data={"reason": "left the ministry"}
    )
    assert response.status_code == 303
    db.session.refresh(user)
    assert not user.is_active and user.deactivated_at is not None
    gone = browser.get("/")
    assert gone.status_code == 302 and "/sign-in" in gone.headers["Location"]
    refused = app.test_client().post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 422
    [event] = events(db, "account.deactivated")
    assert "left the ministry" in event.summary
    assert "Deactivated" in text(admin.get("/admin/people?state=inactive"))

    response = admin.post(f"/admin/people/{user.id}/reactivate", data={})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.is_active
    assert sign_in(app, user).get("/").status_code == 200
    assert len(events(db, "account.reactivated")) == 1


def test_deactivate_needs_a_reason_and_not_oneself(admin, db, make_user, secretariat):
    user = make_user()
    response = admin.post(f"/admin/people/{user.id}/deactivate", data={"reason": ""})
    assert response.status_code == 422 and "This field is required" in text(response)
    response = admin.post(f"/admin/people/{secretariat.id}/deactivate", data={"reason": "oops"})
    assert response.status_code == 422 and "your own account" in text(response)
    db.session.refresh(user)
    db.session.refresh(secretariat)
    assert user.is_active and secretariat.is_active
    assert events(db, "account.deactivated") == []


def test_reactivate_an_active_account_is_refused(admin, db, make_user):
    user = make_user()
    response = admin.post(f"/admin/people/{user.id}/reactivate", data={})
    assert response.status_code == 422 and "already active" in text(response)
    assert events(db, "account.reactivated") == []


def test_person_page_shows_rooms_history_and_events(admin, db, make_user, make_room, add_member):
    user = make_user(name="Alice Arbiter")
    current = make_room(title="Working Group on Transparency")
    whole = make_room(title="Plenary of States")
    earlier = make_room(title="Old Small Group")
    add_member(current, user, RoomRole.FACILITATOR)
    add_member(whole, user.delegation, RoomRole.MEMBER)
    ended = add_member(earlier, user, RoomRole.CHAIR)
    ended.ended_at = utcnow()
    ended.end_reason = "handover"
    admin.post(
        f"/admin/people/{user.id}/edit",
        data={
            "name": "Alice A. Arbiter",
            "email": user.email,
            "delegation": user.delegation_id,
            "time_zone": "UTC",
        },
    )
    page = text(admin.get(f"/admin/people/{user.id}"))
    rooms_now = page.split('id="rooms-title"')[1].split('id="history-title"')[0]
    assert "Working Group on Transparency" in rooms_now and "Facilitator" in rooms_now
    assert "Plenary of States" in rooms_now and "the whole delegation" in rooms_now
    assert "Old Small Group" not in rooms_now
    history = page.split('id="history-title"')[1].split('id="events-title"')[0]
    assert "Old Small Group" in history and "handed over" in history
    assert "account.updated" in page.split('id="events-title"')[1]
    assert f"/people/{user.id}/handover" in page


def test_unknown_person_is_404(admin):
    assert admin.get("/admin/people/999999").status_code == 404


# ---- rooms ------------------------------------------------------------------------------------


def room_data(**changes) -> dict:
    return {
        "title": "WGETI sub-working group on Articles 6 and 7",
        "slug": "wgeti-art-6-7",
        "kind": "sub_working_group",
        "access": "open",
        "parent": "0",
        "time_zone": "Europe/Zurich",
        "description": "Led by a **facilitator**.",
    } | changes


def test_rooms_search_and_page(admin, make_room, app, monkeypatch):
    make_room(title="Working Group on Effective Treaty Implementation", slug="wgeti")
    make_room(title="Diversion Information Exchange Forum", slug="dief")
    page = text(admin.get("/admin/rooms?q=diversion"))
    assert "Diversion Information" in page and "Effective Treaty" not in page
    page = text(admin.get("/admin/rooms?q=wgeti"))  # by short address
    assert "Effective Treaty" in page and "Diversion Information" not in page

    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    second = text(admin.get("/admin/rooms?q=i&page=2"))
    assert "Page 2 of" in second
    fragment = text(admin.get("/admin/rooms?q=dief", headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<div id="room-table"')


def test_create_room(admin, db, make_room, secretariat):
    parent = make_room(title="WGETI", slug="wgeti", kind=RoomKind.WORKING_GROUP)
    response = admin.post("/admin/rooms/new", data=room_data(parent=str(parent.id)))
    assert response.status_code == 303
    room = db.session.scalars(select(Room).where(Room.slug == "wgeti-art-6-7")).one()
    assert room.parent_id == parent.id and room.kind is RoomKind.SUB_WORKING_GROUP
    assert room.access is AccessLevel.OPEN and room.description == "Led by a **facilitator**."
    assert count(db, Membership, Membership.room_id == room.id) == 0
    [event] = events(db, "room.created")
    assert event.room_id == room.id and event.actor_id == secretariat.id
    edit = text(admin.get(response.headers["Location"]))
    assert "The room has 0 members." in edit
    assert "/rooms/wgeti-art-6-7#members" in edit


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "taken"}, "already uses that short address"),
        ({"slug": "Not A Slug"}, "lower-case letters"),
        ({"parent": "999999"}, "Choose a parent room from the list"),
        ({"parent": "abc"}, "could not coerce"),
        ({"kind": "castle"}, "Not a valid choice"),
        ({"access": "secret"}, "Not a valid choice"),
        ({"time_zone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone we know"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_create_room_refuses_bad_input(admin, db, make_room, changes, message):
    make_room(slug="taken")
    before = count(db, Room)
    response = admin.post("/admin/rooms/new", data=room_data(**changes))
    assert response.status_code == 422
    assert message in text(response)
    assert count(db, Room) == before
    assert events(db, "room.created") == []


def test_edit_room(admin, db, make_room):
    room = make_room(title="Small group", slug="small")
    parent = make_room(title="Plenary", slug="plenary", kind=RoomKind.PLENARY)
    response = admin.post(
        f"/admin/rooms/{room.id}/edit",
        data=room_data(
            title="Small group on gender",
            slug="small-gender",
            kind="small_group",
            access="members",
            parent=str(parent.id),
        ),
    )
    assert response.status_code == 303
    db.session.refresh(room)
    assert (room.title, room.slug, room.parent_id) == (
        "Small group on gender",
        "small-gender",
        parent.id,
    )
    assert room.access is AccessLevel.MEMBERS
    [event] = events(db, "room.updated")
    assert event.room_id == room.id
    assert event.details["changes"]["slug"] == ["small", "small-gender"]


def test_edit_room_refuses_loops_and_taken_slugs(admin, db, make_room):
    top = make_room(title="Top", slug="top")
    middle = make_room(title="Middle", slug="middle", parent_id=top.id)
    bottom = make_room(title="Bottom", slug="bottom", parent_id=middle.id)
    cases = [
        (room_data(title="Top", slug="top", parent=str(top.id)), "its own parent"),
        (room_data(title="Top", slug="top", parent=str(bottom.id)), "is inside this room"),
        (room_data(title="Top", slug="middle"), "already uses that short address"),
    ]
    for data, message in cases:
        response = admin.post(f"/admin/rooms/{top.id}/edit", data=data)
        assert response.status_code == 422, data
        assert message in text(response)
    db.session.refresh(top)
    assert top.parent_id is None and top.slug == "top"
    assert events(db, "room.updated") == []


def test_a_room_does_not_become_confidential_around_observers(
    admin, db, make_room, make_delegation, add_member
):
    room = make_room(access=AccessLevel.MEMBERS, slug="mixed", title="Mixed")
    add_member(room, make_delegation(DelegationStatus.CIVIL_SOCIETY, name="Arms Watch", group=None))
    response = admin.post(
        f"/admin/rooms/{room.id}/edit",
        data=room_data(slug="mixed", title="Mixed", access="confidential"),
    )
    assert response.status_code == 422 and "Arms Watch" in text(response)
    db.session.refresh(room)
    assert room.access is AccessLevel.MEMBERS


# ---- audit log --------------------------------------------------------------------------------


def add_event(db, kind: str, when: datetime, **kw) -> AuditEvent:
    event = AuditEvent(kind=kind, created_at=when, summary=kw.pop("summary", kind), **kw)
    db.session.add(event)
    db.session.flush()
    return event


def test_audit_log_filters(admin, db, make_user, make_room):
    alice = make_user(name="Alice", email="alice@ruritania.example")
    room = make_room(title="DIEF")
    when = datetime(2024, 5, 1, 12, tzinfo=UTC)
    add_event(
        db,
        "room.member_added",
        when,
        actor_id=alice.id,
        actor_label=alice.email,
        room_id=room.id,
        summary="Alice added someone",
    )
    add_event(
        db,
        "auth.sign_in_failed",
        when,
        actor_label="intruder@elsewhere.example",
        summary="Somebody failed",
    )
    add_event(db, "account.invited", when, summary="An invitation")

    page = text(admin.get("/admin/audit?kind=auth.sign_in_failed"))
    assert "Somebody failed" in page and "Alice added someone" not in page
    # Kinds offered are those that exist; they are identifiers, in no language (lang="zxx").
    assert '<option lang="zxx" value="account.invited">' in page

    page = text(admin.get("/admin/audit?person=intruder"))
    assert "Somebody failed" in page and "Alice added someone" not in page
    page = text(admin.get("/admin/audit?person=RURITANIA"))
    assert "Alice added someone" in page and "Somebody failed" not in page

    page = text(admin.get(f"/admin/audit?room={room.id}"))
    assert "Alice added someone" in page and "An invitation" not in page

    fragment = text(admin.get("/admin/audit?person=intruder", headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<div id="audit-table"')
    assert "Somebody failed" in fragment and "Alice added someone" not in fragment


def test_audit_log_is_newest_first_and_paged(admin, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for day in (1, 3, 2):
        add_event(db, "test.event", datetime(2024, 5, day, tzinfo=UTC), summary=f"Day {day}")
    page = text(admin.get("/admin/audit?kind=test.event"))
    assert page.index("Day 3") < page.index("Day 2") and "Day 1" not in page
    assert "Day 1" in text(admin.get("/admin/audit?kind=test.event&page=2"))


def test_audit_dates_are_days_in_the_viewers_time_zone(client, auth, db, secretariat):
    secretariat.time_zone = "Pacific/Auckland"  # UTC+12 in May
    db.session.flush()
    auth.login(secretariat)
    # 20:00 UTC on 1 May is already 2 May in Auckland.
    add_event(db, "test.event", datetime(2024, 5, 1, 20, tzinfo=UTC), summary="Late in UTC")
    g.pop("_flask_babel", None)  # the tests share one app context; Babel caches the zone in g
    page = text(client.get("/admin/audit?date_from=2024-05-02&date_to=2024-05-02"))
    assert "Late in UTC" in page
    page = text(client.get("/admin/audit?date_from=2024-05-01&date_to=2024-05-01"))
    assert "Late in UTC" not in page
    page = text(client.get("/admin/audit?date_from=2024-05-03"))
    assert "Late in UTC" not in page
    page = text(client.get("/admin/audit?date_to=2024-05-02"))
    assert "Late in UTC" in page


def test_audit_refuses_bad_dates(admin, db):
    add_event(db, "test.event", datetime(2024, 5, 1, tzinfo=UTC), summary="Still listed")
    response = admin.get("/admin/audit?date_from=yesterday")
    assert response.status_code == 422
    assert "Not a valid date value" in text(response) and "Still listed" in text(response)
    response = admin.get("/admin/audit?date_from=2024-05-02&date_to=2024-05-01")
    assert response.status_code == 422 and "before the start date" in text(response)


def test_audit_log_is_read_only(admin):
    assert admin.post("/admin/audit", data={}).status_code == 405


# ---- no N+1: a page costs the same number of queries for few rows and many ---------------------


@pytest.mark.parametrize(
    "path", ["/admin/delegations", "/admin/people", "/admin/rooms", "/admin/audit", "/admin/"]
)
def test_tables_cost_the_same_number_of_queries_at_any_size(
    admin, db, count_queries, make_user, make_room, add_member, path
):
    def grow(n: int) -> None:
        for _i in range(n):
            user = make_user()
            room = make_room(parent_id=None)
            add_member(room, user, RoomRole.CHAIR)
            add_event(
                db,
                "test.event",
                utcnow(),
                actor_id=user.id,
                subject_user_id=user.id,
                room_id=room.id,
            )

    grow(1)
    with count_queries() as small:
        assert admin.get(path).status_code == 200
    grow(12)
    with count_queries() as large:
        assert admin.get(path).status_code == 200
    assert len(large) == len(small), "\n".join(large)


def test_person_page_costs_the_same_whatever_the_history(
    admin, db, count_queries, make_user, make_room, add_member
):
    user = make_user()
    add_member(make_room(), user)
    with count_queries() as small:
        admin.get(f"/admin/people/{user.id}")
    for _i in range(8):
        add_member(make_room(), user).ended_at = utcnow()
        add_event(db, "test.event", utcnow(), subject_user_id=user.id)
    with count_queries() as large:
        admin.get(f"/admin/people/{user.id}")
    assert len(large) == len(small)


# ---- nobody but the Secretariat -------------------------------------------------------------


ADMIN_REQUESTS = [
    ("GET", "admin.index", "/admin/"),
    ("GET", "admin.delegations", "/admin/delegations"),
    ("GET", "admin.new_delegation", "/admin/delegations/new"),
    ("POST", "admin.new_delegation", "/admin/delegations/new"),
    ("GET", "admin.edit_delegation", "/admin/delegations/{delegation}/edit"),
    ("POST", "admin.edit_delegation", "/admin/delegations/{delegation}/edit"),
    ("GET", "admin.people", "/admin/people"),
    ("GET", "admin.invite_user", "/admin/people/new"),
    ("POST", "admin.invite_user", "/admin/people/new"),
    ("GET", "admin.user_detail", "/admin/people/{user}"),
    ("GET", "admin.edit_user", "/admin/people/{user}/edit"),
    ("POST", "admin.edit_user", "/admin/people/{user}/edit"),
    ("POST", "admin.resend_invitation", "/admin/people/{invited}/invitation"),
    ("POST", "admin.deactivate_user", "/admin/people/{user}/deactivate"),
    ("POST", "admin.reactivate_user", "/admin/people/{gone}/reactivate"),
    ("GET", "admin.rooms", "/admin/rooms"),
    ("GET", "admin.new_room", "/admin/rooms/new"),
    ("POST", "admin.new_room", "/admin/rooms/new"),
    ("GET", "admin.edit_room", "/admin/rooms/{room}/edit"),
    ("POST", "admin.edit_room", "/admin/rooms/{room}/edit"),
    ("GET", "admin.audit_log", "/admin/audit"),
]

#: A complete, valid form for every POST, so a refusal cannot hide behind a validation error.
VALID_POSTS = {
    "admin.new_delegation": lambda w: {
        "name": "Elbonia",
        "short_name": "ELB",
        "status": "state_party",
        "is_active": "y",
    },
    "admin.edit_delegation": lambda w: {
        "name": "Renamed",
        "short_name": "REN",
        "status": "state_party",
        "is_active": "y",
    },
    "admin.invite_user": lambda w: {
        "name": "Eve",
        "email": "eve@example.org",
        "delegation": w["delegation"],
        "time_zone": "UTC",
    },
    "admin.edit_user": lambda w: {
        "name": "Renamed",
        "email": "renamed@example.org",
        "delegation": w["delegation"],
        "time_zone": "UTC",
    },
    "admin.resend_invitation": lambda w: {},
    "admin.deactivate_user": lambda w: {"reason": "because"},
    "admin.reactivate_user": lambda w: {},
    "admin.new_room": lambda w: room_data(slug="sneaky"),
    "admin.edit_room": lambda w: room_data(slug="renamed"),
}


def test_every_admin_endpoint_is_in_the_access_table(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    assert endpoints == {endpoint for _m, endpoint, _p in ADMIN_REQUESTS}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            listed = {m for m, e, _p in ADMIN_REQUESTS if e == rule.endpoint}
            assert listed == rule.methods - {"HEAD", "OPTIONS"}, rule.endpoint


@pytest.fixture
def admin_world(db, make_user, make_delegation, make_room):
    delegation = make_delegation(name="Target Delegation")
    user = make_user(delegation=delegation, name="Target Person")
    invited = make_user(delegation=delegation, password=None)
    gone = make_user(delegation=delegation, is_active=False)
    room = make_room(slug="target-room")
    return {
        "delegation": delegation.id,
        "user": user.id,
        "invited": invited.id,
        "gone": gone.id,
        "room": room.id,
    }


def snapshot(db) -> tuple:
    """Everything an admin POST could change."""
    db.session.expire_all()
    return (
        tuple(
            db.session.execute(
                select(
                    Delegation.id, Delegation.name, Delegation.status, Delegation.is_active
                ).order_by(Delegation.id)
            )
        ),
        tuple(
            db.session.execute(
                select(User.id, User.name, User.email, User.is_active, User.session_nonce).order_by(
                    User.id
                )
            )
        ),
        tuple(db.session.execute(select(Room.id, Room.slug, Room.title).order_by(Room.id))),
        count(db, AuditEvent, AuditEvent.kind.not_like("auth.%")),
    )


@pytest.mark.parametrize("role", ["state_party", "observer_org", "anonymous"])
@pytest.mark.parametrize(
    ("method", "endpoint", "path"), ADMIN_REQUESTS, ids=[f"{m}-{e}" for m, e, _p in ADMIN_REQUESTS]
)
def test_nobody_else_reaches_the_administration(
    client, auth, db, make_user, admin_world, role, method, endpoint, path
):
    if role != "anonymous":
        status = {
            "state_party": DelegationStatus.STATE_PARTY,
            "observer_org": DelegationStatus.INTERNATIONAL_ORG,
        }[role]
        user = make_user(status=status)
        user.is_focal_point = True  # even a focal point of their delegation
        db.session.flush()
        auth.login(user)
    url = path.format(**admin_world)
    data = VALID_POSTS[endpoint](admin_world) if method == "POST" else None
    before = snapshot(db)
    response = client.open(url, method=method, data=data)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]
    else:
        assert response.status_code == 404, text(response)[:300]
        assert "Target Person" not in text(response)
    assert snapshot(db) == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("method", "endpoint", "path"), ADMIN_REQUESTS, ids=[f"{m}-{e}" for m, e, _p in ADMIN_REQUESTS]
)
def test_the_secretariat_reaches_every_endpoint(admin, admin_world, method, endpoint, path):
    """The same valid requests succeed for the Secretariat: the refusals above are real."""
    url = path.format(**admin_world)
    data = VALID_POSTS[endpoint](admin_world) if method == "POST" else None
    response = admin.open(url, method=method, data=data)
    assert response.status_code == (303 if method == "POST" else 200), text(response)[:500]


def test_a_deactivated_secretariat_member_is_out(client, auth, db, secretariat):
    auth.login(secretariat)
    secretariat.delegation.is_active = False
    db.session.flush()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
