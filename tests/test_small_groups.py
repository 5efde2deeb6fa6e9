"""Office holders open small groups under the rooms they chair; the Secretariat closes them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.extensions import db as _db
from consult.policy import Need, can
from consult.rooms import services as rooms
from consult.rooms.models import AccessLevel, Membership, Room, RoomKind, RoomRole

pytestmark = pytest.mark.exchange


@pytest.fixture
def parent(db, make_delegation, make_user, make_room, add_member):
    room = make_room(AccessLevel.MEMBERS, kind=RoomKind.WORKING_GROUP, title="WGETI", slug="wgeti")
    chair = make_user(status=DelegationStatus.STATE_PARTY, name="Chair")
    member = make_delegation(DelegationStatus.STATE_PARTY, name="Ghana")
    person = make_user(status=DelegationStatus.STATE_PARTY, name="Pat")
    outsider = make_delegation(DelegationStatus.STATE_PARTY, name="Outside")
    outsider_person = make_user(delegation=outsider, name="Olu")
    plain = make_user(delegation=member, name="Gina")
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member)
    add_member(room, person)
    secretariat = make_user(status=DelegationStatus.SECRETARIAT, name="Sec")
    return dict(
        room=room,
        chair=chair,
        member=member,
        person=person,
        outsider=outsider,
        outsider_person=outsider_person,
        plain=plain,
        secretariat=secretariat,
    )


def _open(client, p, **data):
    form = {"title": "Friends of the chair", "description": "", **data}
    return client.post(f"/rooms/{p['room'].slug}/small-groups/new", data=form)


def _small_groups():
    return _db.session.scalars(select(Room).where(Room.parent_id.is_not(None))).all()


def test_a_chair_opens_a_small_group_from_the_rooms_audience(client, auth, parent):
    p = parent
    auth.login_quickly(p["chair"])
    page = client.get(f"/rooms/{p['room'].slug}").get_data(as_text=True)
    assert "Open a small group" in page
    form = client.get(f"/rooms/{p['room'].slug}/small-groups/new").get_data(as_text=True)
    assert "Ghana" in form and "Outside" not in form and "Pat" in form
    response = _open(client, p, delegations=[p["member"].id], people=[p["person"].id])
    assert response.status_code == 303
    (room,) = _small_groups()
    assert room.kind is RoomKind.SMALL_GROUP and room.access is AccessLevel.MEMBERS
    assert room.parent_id == p["room"].id and room.created_by_id == p["chair"].id
    assert can(Need.MANAGE, room, p["chair"])
    assert can(Need.VIEW, room, p["plain"]) and can(Need.VIEW, room, p["person"])
    assert not can(Need.VIEW, room, p["outsider_person"])
    kinds = _db.session.scalars(select(AuditEvent.kind)).all()
    assert "room.created" in kinds and "room.small_group_opened" in kinds
    # The parent's activity line speaks only to those who see the small group.
    assert any(
        a.kind == "room.small_group_opened" for a in rooms.recent_activity(p["room"], p["plain"])
    )
    rooms.forget_room_roles()
    lonely = p["room"]
    _db.session.add(
        Membership(room_id=lonely.id, user_id=p["outsider_person"].id, role=RoomRole.MEMBER)
    )
    _db.session.flush()
    rooms.forget_room_roles()
    assert not any(
        a.kind == "room.small_group_opened"
        for a in rooms.recent_activity(p["room"], p["outsider_person"])
    )


@pytest.mark.parametrize("field", ["delegations", "people"])
def test_members_wider_than_the_parents_audience_are_refused(client, auth, parent, field):
    p = parent
    auth.login_quickly(p["chair"])
    ident = p["outsider"].id if field == "delegations" else p["outsider_person"].id
    response = _open(client, p, **{field: [ident]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "may not see WGETI" in page and f'id="{field}-error"' in page
    assert _small_groups() == []


def test_a_confidential_parent_makes_a_confidential_small_group(db, parent):
    p = parent
    from consult.small_groups import services

    p["room"].access = AccessLevel.CONFIDENTIAL
    db.session.flush()
    room = services.create_small_group(
        p["room"], p["chair"], title="Inner", description="", delegation_ids=[], user_ids=[]
    )
    assert room.access is AccessLevel.CONFIDENTIAL


def test_only_the_rooms_chairs_open_one(client, auth, parent):
    auth.login_quickly(parent["person"])  # a member, not a chair
    assert _open(client, parent).status_code == 403
    auth.login_quickly(parent["outsider_person"])
    assert _open(client, parent).status_code == 404
    assert _small_groups() == []


def test_empty_title_is_refused(client, auth, parent):
    auth.login_quickly(parent["chair"])
    response = _open(client, parent, title="")
    assert response.status_code == 422 and "Give the small group a title." in response.get_data(
        as_text=True
    )
    assert _small_groups() == []


def test_the_secretariat_sees_closes_and_reopens(client, auth, parent):
    p = parent
    auth.login_quickly(p["chair"])
    _open(client, p)
    (room,) = _small_groups()
    auth.login_quickly(p["secretariat"])
    page = client.get("/admin/small-groups").get_data(as_text=True)
    assert "Friends of the chair" in page and "WGETI" in page and "Chair" in page
    confirm = client.get(f"/admin/small-groups/{room.id}/close").get_data(as_text=True)
    assert "Close the small group" in confirm
    _db.session.expire_all()
    assert not room.is_archived  # asking is not closing
    client.post(f"/admin/small-groups/{room.id}/close")
    _db.session.expire_all()
    assert room.is_archived and not can(Need.TAKE_PART, room, p["chair"])
    client.post(f"/admin/small-groups/{room.id}/reopen")
    _db.session.expire_all()
    assert not room.is_archived
    kinds = _db.session.scalars(select(AuditEvent.kind)).all()
    assert "room.closed" in kinds and "room.reopened" in kinds
    auth.login_quickly(p["chair"])
    assert client.post(f"/admin/small-groups/{room.id}/close").status_code == 404


def test_closing_a_room_that_is_not_a_small_group_is_a_404(client, auth, parent):
    auth.login_quickly(parent["secretariat"])
    assert client.get(f"/admin/small-groups/{parent['room'].id}/close").status_code == 404
    assert (
        _db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.kind == "room.closed")
        )
        == 0
    )


@pytest.mark.parametrize("value", ["9223372036854775808", "-1", "abc"])
def test_ids_no_database_could_hold_are_refused_next_to_the_field(client, auth, parent, value):
    auth.login_quickly(parent["chair"])
    response = _open(client, parent, delegations=[value])
    assert response.status_code == 422 and 'id="delegations-error"' in response.get_data(
        as_text=True
    )
    assert _small_groups() == []
