"""Presence: the chair at the console is in the room, a delegate says where they follow from,
the desk marks anyone (also who has no device); the console counts by presence, status and
regional group; the Secretariat's participation report across meetings (table, chart, CSV)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.extensions import socketio
from consult.meetings import presence, services
from consult.meetings.models import Attendance, Presence
from tests import test_meetings
from tests.test_meetings import HX, delegate

pytestmark = pytest.mark.meetings

hall = test_meetings.hall  # the fixture


def test_the_chair_opening_the_console_is_in_the_room(app, client, auth, db, hall):
    _room, chair, meeting, _items = hall
    auth.login(chair)
    meeting_id, chair_id = meeting.id, chair.id
    db.session.commit()
    sc = socketio.test_client(app, namespace="/live", flask_test_client=client)
    try:
        sc.emit(
            "watch_meeting",
            {"meeting": meeting_id, "view": "chair"},
            namespace="/live",
            callback=True,
        )
        row = db.session.scalars(select(Attendance).where(Attendance.user_id == chair_id)).one()
        assert row.presence is Presence.IN_ROOM
        html = client.get(f"/meetings/{meeting_id}/console").get_data(as_text=True)
        assert "The Chair" in html and "In the room" in html
    finally:
        sc.disconnect(namespace="/live")


def test_a_delegate_marks_themself_and_the_desk_records_who_has_no_device(
    client, auth, db, hall, make_user, make_delegation
):
    _room, chair, meeting, _items = hall
    me = delegate(make_user, make_delegation, name="Ruritania")
    offline = delegate(make_user, make_delegation, name="Freedonia")
    auth.login(me)
    response = client.post(
        f"/meetings/{meeting.id}/presence", data={"presence": "in_room"}, headers=HX
    )
    assert response.status_code == 200 and "You are marked: in the room." in response.get_data(
        as_text=True
    )
    assert presence.presence_of(meeting, me) is Presence.IN_ROOM
    # Bad input: nothing stored, said.
    response = client.post(
        f"/meetings/{meeting.id}/presence", data={"presence": "moon"}, headers=HX
    )
    assert response.status_code == 422 and presence.presence_of(meeting, me) is Presence.IN_ROOM
    # Only the desk marks someone else.
    response = client.post(
        f"/meetings/{meeting.id}/attendance", data={"user": offline.id, "presence": "in_room"}
    )
    assert response.status_code == 403 and presence.presence_of(meeting, offline) is None
    auth.logout()
    auth.login(chair)
    response = client.post(
        f"/meetings/{meeting.id}/attendance",
        data={"user": offline.id, "presence": "in_room"},
        headers=HX,
    )
    assert response.status_code == 200
    row = db.session.scalars(select(Attendance).where(Attendance.user_id == offline.id)).one()
    assert row.is_recorded_at_desk and row.marked_by_id == chair.id
    assert row.delegation_id == offline.delegation_id
    response = client.post(
        f"/meetings/{meeting.id}/attendance",
        data={"user": "999999", "presence": "in_room"},
        headers=HX,
    )
    assert response.status_code == 422 and "Choose a person" in response.get_data(as_text=True)
    counts = presence.counts(meeting)
    assert counts.total.delegations_in_room == 2 and counts.total.people_in_room == 2
    console = client.get(f"/meetings/{meeting.id}/console").get_data(as_text=True)
    assert "Mark Freedonia" not in console  # people are named by their own names
    assert f"Mark {offline.name} remote" in console


def test_counts_by_status_and_regional_group(db, hall, make_user, make_delegation):
    _room, chair, meeting, _items = hall
    a = delegate(make_user, make_delegation, group=RegionalGroup.AFRICAN)
    a2 = make_user(delegation=a.delegation)
    b = delegate(make_user, make_delegation, status=DelegationStatus.CIVIL_SOCIETY, group=None)
    services.seen(meeting, a, Presence.REMOTE, connected=True)
    services.seen(meeting, a2, Presence.IN_ROOM, connected=True)
    services.seen(meeting, b, Presence.REMOTE, connected=True)
    db.session.flush()
    counts = presence.counts(meeting)
    assert (counts.total.delegations_in_room, counts.total.delegations_remote) == (1, 1)
    assert (counts.total.people_in_room, counts.total.people_remote) == (1, 2)
    groups = dict(counts.by_group)
    assert groups[RegionalGroup.AFRICAN.label].delegations_in_room == 1
    statuses = {str(k): v for k, v in counts.by_status}
    assert statuses["Civil society"].delegations_remote == 1


def test_the_participation_report_is_the_secretariats(
    client, auth, db, hall, make_user, make_delegation
):
    room, chair, meeting, _items = hall
    who = delegate(make_user, make_delegation, name="=Sum Land")
    services.seen(meeting, who, Presence.IN_ROOM, connected=False)
    db.session.flush()
    auth.login(chair)
    assert client.get("/participation").status_code == 404
    assert client.get("/participation.csv").status_code == 404
    auth.logout()
    auth.login(make_user(status=DelegationStatus.SECRETARIAT))
    page = client.get("/participation").get_data(as_text=True)
    assert room.title in page and "<svg" in page and "<table" in page
    data = client.get("/participation.csv").data
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert room.title in text and "Delegations in the room" in text
