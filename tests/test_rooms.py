"""Rooms: membership, roles, invitations, join requests, dashboard, query counts, live channel."""

from __future__ import annotations

from sqlalchemy import select

from consult import mail
from consult.accounts.models import DelegationStatus, User
from consult.rooms.models import AccessLevel, JoinRequest, JoinRequestStatus, Membership, RoomRole
from tests.conftest import link_in_mail

HX = {"HX-Request": "true"}


def current(db, room):
    return db.session.scalars(
        select(Membership).where(Membership.room_id == room.id, Membership.ended_at.is_(None))
    ).all()


def test_chair_adds_a_delegation_and_its_people_see_the_room(
    client, auth, make_user, make_room, add_member, db
):
    chair = make_user()
    delegate = make_user(status=DelegationStatus.SIGNATORY)
    room = make_room(AccessLevel.MEMBERS, title="Informal small group")
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(delegate)
    assert client.get(f"/rooms/{room.slug}").status_code == 404
    assert "Informal small group" not in client.get("/").get_data(as_text=True)
    auth.logout()

    auth.login(chair)
    response = client.post(
        f"/rooms/{room.slug}/members/delegations",
        data={"d-delegation": delegate.delegation_id, "d-role": "member"},
        headers=HX,
    )
    assert response.status_code == 200
    assert delegate.delegation.name in response.get_data(as_text=True)
    auth.logout()

    auth.login(delegate)
    assert client.get(f"/rooms/{room.slug}").status_code == 200
    assert "Informal small group" in client.get("/").get_data(as_text=True)


def test_adding_twice_with_the_same_role_is_refused_and_changes_nothing(
    client, auth, make_user, make_room, add_member, db
):
    chair, member = make_user(), make_user()
    room = make_room()
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member.delegation, RoomRole.MEMBER)
    auth.login(chair)
    before = len(current(db, room))
    response = client.post(
        f"/rooms/{room.slug}/members/delegations",
        data={"d-delegation": member.delegation_id, "d-role": "member"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "already in this room" in response.get_data(as_text=True)
    assert len(current(db, room)) == before


def test_unknown_delegation_is_a_validation_error(client, auth, make_user, make_room, add_member):
    chair = make_user()
    room = make_room()
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)
    response = client.post(
        f"/rooms/{room.slug}/members/delegations",
        data={"d-delegation": 999999, "d-role": "member"},
        headers=HX,
    )
    assert response.status_code == 422


def test_confidential_rooms_refuse_observer_delegations_with_the_reason(
    client, auth, make_user, make_room, add_member, make_delegation, db
):
    chair = make_user()
    room = make_room(AccessLevel.CONFIDENTIAL)
    add_member(room, chair, RoomRole.CHAIR)
    ngo = make_delegation(DelegationStatus.CIVIL_SOCIETY, group=None)
    auth.login(chair)
    response = client.post(
        f"/rooms/{room.slug}/members/delegations",
        data={"d-delegation": ngo.id, "d-role": "member"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "Only States Parties and signatory States" in response.get_data(as_text=True)
    assert len(current(db, room)) == 1


def test_role_change_and_removal_keep_the_history(
    client, auth, make_user, make_room, add_member, db
):
    chair, person = make_user(), make_user()
    room = make_room()
    add_member(room, chair, RoomRole.CHAIR)
    membership = add_member(room, person, RoomRole.MEMBER)
    auth.login(chair)
    response = client.post(
        f"/rooms/{room.slug}/members/{membership.id}/role", data={"role": "facilitator"}, headers=HX
    )
    assert response.status_code == 200
    new = db.session.scalars(
        select(Membership).where(Membership.user_id == person.id, Membership.ended_at.is_(None))
    ).one()
    assert new.role is RoomRole.FACILITATOR and new.previous_id == membership.id
    response = client.post(f"/rooms/{room.slug}/members/{new.id}/remove", headers=HX)
    assert response.status_code == 200
    rows = db.session.scalars(select(Membership).where(Membership.user_id == person.id)).all()
    assert sorted(m.end_reason for m in rows) == ["removed", "role changed"]
    page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "Role history" in page and person.name in page


def test_the_last_chair_cannot_be_removed_by_a_chair(
    client, auth, make_user, make_room, add_member, db
):
    chair = make_user()
    room = make_room()
    membership = add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)
    response = client.post(f"/rooms/{room.slug}/members/{membership.id}/remove", headers=HX)
    assert response.status_code == 422
    assert "A room needs a chair" in response.get_data(as_text=True)
    assert len(current(db, room)) == 1


def test_membership_of_another_room_is_not_found(client, auth, make_user, make_room, add_member):
    chair = make_user()
    room, other = make_room(), make_room()
    add_member(room, chair, RoomRole.CHAIR)
    elsewhere = add_member(other, make_user(), RoomRole.MEMBER)
    auth.login(chair)
    response = client.post(f"/rooms/{room.slug}/members/{elsewhere.id}/remove")
    assert response.status_code == 404


def test_chair_invites_a_new_person_by_email(
    client, auth, make_user, make_room, add_member, make_delegation, db
):
    chair = make_user()
    room = make_room()
    add_member(room, chair, RoomRole.CHAIR)
    delegation = chair.delegation  # a chair invites new accounts for their own delegation only
    auth.login(chair)
    # Without a name and delegation, an unknown address cannot be invited.
    response = client.post(
        f"/rooms/{room.slug}/members/people",
        data={"p-email": "expert@example.org", "p-role": "member"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "give their name and delegation" in response.get_data(as_text=True)
    assert mail.outbox == []
    response = client.post(
        f"/rooms/{room.slug}/members/people",
        data={
            "p-email": "expert@example.org",
            "p-name": "Expert Person",
            "p-delegation": delegation.id,
            "p-role": "observer",
        },
        headers=HX,
    )
    assert response.status_code == 200
    invited = db.session.scalars(select(User).where(User.email == "expert@example.org")).one()
    assert invited.password_hash is None
    assert "/invitation/" in link_in_mail()
    membership = db.session.scalars(
        select(Membership).where(Membership.user_id == invited.id)
    ).one()
    assert membership.role is RoomRole.OBSERVER


def test_existing_person_added_by_email_is_told(client, auth, make_user, make_room, add_member):
    chair, person = make_user(), make_user()
    room = make_room(title="Regional coordination")
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, person.delegation)  # a chair adds people of delegations already in
    auth.login(chair)
    response = client.post(
        f"/rooms/{room.slug}/members/people",
        data={"p-email": person.email.upper(), "p-role": "member"},
        headers=HX,
    )
    assert response.status_code == 200
    assert mail.outbox[-1]["To"] == person.email
    assert "Regional coordination" in mail.outbox[-1]["Subject"]


def test_join_request_in_a_transparent_room(client, auth, make_user, make_room, add_member, db):
    chair = make_user()
    observer = make_user(status=DelegationStatus.OBSERVER_STATE)
    room = make_room(AccessLevel.TRANSPARENT)
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(observer)
    assert "Ask to join" in client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    response = client.post(f"/rooms/{room.slug}/join-requests", data={"message": "Please"})
    assert response.status_code == 303
    response = client.post(
        f"/rooms/{room.slug}/join-requests", data={"message": "Again"}, follow_redirects=True
    )
    assert "already asked to join" in response.get_data(as_text=True)
    assert db.session.scalars(select(JoinRequest)).all().__len__() == 1
    auth.logout()

    auth.login(chair)
    join_request = db.session.scalars(select(JoinRequest)).one()
    assert observer.name in client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    response = client.post(
        f"/rooms/join-requests/{join_request.id}/accept", data={"role": "member"}, headers=HX
    )
    assert response.status_code == 200
    db.session.refresh(join_request)
    assert join_request.status is JoinRequestStatus.ACCEPTED
    assert any(m.user_id == observer.id and m.role is RoomRole.MEMBER for m in current(db, room))
    assert "Your request to join" in mail.outbox[-1]["Subject"]


def test_members_are_grouped_by_status(
    client, auth, make_user, make_room, add_member, make_delegation
):
    chair = make_user()
    room = make_room()
    add_member(room, chair, RoomRole.CHAIR)
    add_member(
        room,
        make_delegation(DelegationStatus.CIVIL_SOCIETY, name="Voices for Arms Control", group=None),
    )
    add_member(room, make_delegation(DelegationStatus.OBSERVER_STATE, name="Observerland"))
    auth.login(chair)
    page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    positions = [page.index(label) for label in ("State Party", "Observer State", "Civil society")]
    assert positions == sorted(positions)


def test_dashboard_counts_changes_since_my_last_visit(
    client, auth, make_user, make_room, add_member, db
):
    chair, reader = make_user(), make_user()
    room = make_room(AccessLevel.MEMBERS, title="Room with news")
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, reader.delegation)
    auth.login(reader)
    client.get(f"/rooms/{room.slug}")  # visit: nothing new from now on
    assert "1 new" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(chair)
    client.post(
        f"/rooms/{room.slug}/members/delegations",
        data={"d-delegation": make_user().delegation_id, "d-role": "member"},
    )
    auth.logout()
    auth.login(reader)
    page = client.get("/").get_data(as_text=True)
    assert "1 new" in page and "joined as Member" in page


def test_dashboard_query_count_does_not_grow_with_rooms(
    client, auth, make_user, make_room, add_member, count_queries
):
    user = make_user()
    auth.login(user)

    def measure() -> int:
        with count_queries() as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    for _ in range(2):
        add_member(make_room(), user, RoomRole.MEMBER)
    small = measure()
    for _ in range(25):
        add_member(make_room(), user.delegation, RoomRole.MEMBER)
    assert measure() == small


def test_room_page_query_count_does_not_grow_with_members(
    client, auth, make_user, make_room, add_member, count_queries
):
    chair = make_user()
    room = make_room()
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)

    def measure() -> int:
        with count_queries() as statements:
            assert client.get(f"/rooms/{room.slug}").status_code == 200
        return len(statements)

    add_member(room, make_user(), RoomRole.MEMBER)
    small = measure()
    for _ in range(20):
        add_member(room, make_user(), RoomRole.MEMBER)
        add_member(room, make_user().delegation, RoomRole.OBSERVER)
    assert measure() == small


def test_room_search_only_finds_visible_rooms(client, auth, make_user, make_room):
    user = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    make_room(AccessLevel.OPEN, title="Universalization outreach")
    make_room(AccessLevel.MEMBERS, title="Universalization strategy (closed)")
    auth.login(user)
    page = client.get("/rooms/?q=universal", headers=HX).get_data(as_text=True)
    assert "Universalization outreach" in page
    assert "closed" not in page
    assert "<html" not in page  # htmx gets the fragment


def test_htmx_fragment_and_full_page_vary(client, auth, make_user):
    auth.login(make_user())
    full = client.get("/rooms/")
    fragment = client.get("/rooms/", headers=HX)
    assert "<html" in full.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    restore = client.get("/rooms/", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


# ---- live channel ----------------------------------------------------------------------------


def test_anonymous_socket_is_refused(socket_client):
    sc = socket_client()
    assert not sc.is_connected("/live")


def test_watch_room_asks_the_policy(client, auth, make_user, make_room, add_member, socket_client):
    member, outsider = make_user(), make_user()
    room = make_room(AccessLevel.MEMBERS)
    add_member(room, member, RoomRole.MEMBER)
    room_id = room.id  # socket handlers release the session: keep plain values
    member_email = member.email
    auth.login(outsider)
    sc = socket_client()
    assert sc.is_connected("/live")
    assert sc.emit("watch_room", {"room": room_id}, namespace="/live", callback=True) == {
        "ok": False
    }
    client.post("/sign-out")
    client.post("/sign-in", data={"email": member_email, "password": "a-long-test-password"})
    sc2 = socket_client()
    assert sc2.emit("watch_room", {"room": room_id}, namespace="/live", callback=True) == {
        "ok": True
    }


def test_added_member_is_told_live_and_removed_member_leaves(
    client, auth, make_user, make_room, add_member, socket_client, app
):
    chair, person = make_user(), make_user()
    room = make_room(AccessLevel.MEMBERS)
    add_member(room, chair, RoomRole.CHAIR)
    membership = add_member(room, person, RoomRole.MEMBER)
    room_id, slug, membership_id = room.id, room.slug, membership.id
    chair_email = chair.email
    # The person's socket watches the room.
    person_client = app.test_client()
    person_client.post("/sign-in", data={"email": person.email, "password": "a-long-test-password"})
    from consult.extensions import socketio

    person_socket = socketio.test_client(app, namespace="/live", flask_test_client=person_client)
    assert person_socket.emit(
        "watch_room", {"room": room_id}, namespace="/live", callback=True
    ) == {"ok": True}
    person_socket.get_received("/live")
    client.post("/sign-in", data={"email": chair_email, "password": "a-long-test-password"})
    client.post(f"/rooms/{slug}/members/{membership_id}/remove")
    received = {e["name"] for e in person_socket.get_received("/live")}
    assert {"rooms-changed", "access-changed"} <= received
    answer = person_socket.emit("recheck", {}, namespace="/live", callback=True)
    assert answer == {"left": [f"room:{room_id}"]}
    person_socket.disconnect(namespace="/live")
