"""The live channel's core: one table of watches and events per app, and socket writes that
commit through the one path views take (consult.handlers.event_writes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import create_app, handlers, live
from consult.accounts.models import User
from consult.config import TestConfig
from consult.errors import ServiceError
from consult.extensions import socketio
from consult.meetings import services as meetings
from consult.meetings.models import Attendance, MeetingKind, MeetingMode, Presence
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit


def _socket(app, db, auth, user_id: int):
    """A signed-in socket of the user, on a test client of its own (what the test wrote is
    committed first: socket handlers release the session, so tests keep ids, not rows)."""
    user = db.session.get(User, user_id)
    client = app.test_client()
    auth.client, saved = client, auth.client
    try:
        auth.login_quickly(user)
    finally:
        auth.client = saved
    db.session.commit()
    sc = socketio.test_client(app, namespace="/live", flask_test_client=client)
    assert sc.is_connected("/live")
    return sc


@pytest.fixture
def meeting_room(db, make_user, make_room, add_member):
    room = make_room(AccessLevel.OPEN)
    chair, delegate = make_user(), make_user()
    add_member(room, chair, RoomRole.CHAIR)
    meeting = meetings.create_meeting(
        room,
        chair,
        title="Plenary",
        kind=MeetingKind.REGIONAL_MEETING,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        time_zone="UTC",
    )
    return meeting, chair, delegate


def _attendance(db, meeting_id: int, user_id: int) -> Attendance | None:
    db.session.expire_all()
    return db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.user_id == user_id)
    ).first()


def _consoles(sc) -> list[dict]:
    return [e["args"][0] for e in sc.get_received("/live") if e["name"] == "meeting-console"]


def test_attendance_is_written_by_the_meetings_events_and_the_chairs_are_told(
    app, db, auth, meeting_room
):
    """Joining, the heartbeat and leaving record attendance (meetings/events.py), each through
    one commit after which the chairs' console is refreshed."""
    meeting, chair, delegate = meeting_room
    meeting_id, delegate_id, version = meeting.id, delegate.id, meeting.version
    chair_socket = _socket(app, db, auth, chair.id)
    socket = _socket(app, db, auth, delegate_id)
    try:
        answer = chair_socket.emit(
            "watch_meeting",
            {"meeting": meeting_id, "view": "screen"},
            namespace="/live",
            callback=True,
        )
        assert answer["ok"] and answer["chair"]
        chair_socket.get_received("/live")

        answer = socket.emit(
            "watch_meeting",
            {"meeting": meeting_id, "presence": "in_room"},
            namespace="/live",
            callback=True,
        )
        assert answer == {"ok": True, "version": version, "chair": False}
        row = _attendance(db, meeting_id, delegate_id)
        assert row is not None and row.presence is Presence.IN_ROOM
        assert row.connected_until > utcnow()
        assert _consoles(chair_socket), "the chairs' console is refreshed after the commit"

        here = socket.emit(
            "meeting_here", {"meeting": meeting_id}, namespace="/live", callback=True
        )
        assert here["ok"]
        assert not _consoles(chair_socket), "a heartbeat that changes nothing renders nothing"

        socket.disconnect(namespace="/live")
        row = _attendance(db, meeting_id, delegate_id)
        assert row.connected_until <= utcnow()
        assert _consoles(chair_socket), "leaving refreshes the console too"
    finally:
        for sc in (chair_socket, socket):
            if sc.is_connected("/live"):
                sc.disconnect(namespace="/live")


def test_the_projector_screen_records_no_attendance(app, db, auth, meeting_room):
    meeting, _chair, delegate = meeting_room
    meeting_id, delegate_id = meeting.id, delegate.id
    socket = _socket(app, db, auth, delegate_id)
    answer = socket.emit(
        "watch_meeting", {"meeting": meeting_id, "view": "screen"}, namespace="/live", callback=True
    )
    assert answer["ok"]
    assert _attendance(db, meeting_id, delegate_id) is None
    socket.disconnect(namespace="/live")


def _rename(fail: bool):
    """A socket event that writes through the service path and announces it live."""

    def act(user, data) -> dict:
        with handlers.event_writes():
            user.name = "Renamed live"
            emit_after_commit("renamed", {"id": user.id}, to=f"user:{user.id}")
            if fail:
                raise ServiceError("Refused.")
        return {"ok": True}

    return act


@pytest.mark.parametrize("fail", [False, True], ids=["commits", "refused"])
def test_a_socket_write_commits_once_then_signals_or_stores_nothing(
    app, db, auth, make_user, monkeypatch, fail
):
    user = make_user(name="Before")
    user_id = user.id
    monkeypatch.setitem(live.table(app).events, "rename", _rename(fail))
    socket = _socket(app, db, auth, user_id)
    socket.get_received("/live")
    try:
        answer = socket.emit("rename", {}, namespace="/live", callback=True)
        signals = [e["name"] for e in socket.get_received("/live")]
        db.session.expire_all()
        name = db.session.get(User, user_id).name
        if fail:
            assert answer == {"ok": False, "error": "Refused."}
            assert (name, signals) == ("Before", [])
        else:
            assert answer == {"ok": True}
            assert (name, signals) == ("Renamed live", ["renamed"])
        assert socket.is_connected("/live")
    finally:
        socket.disconnect(namespace="/live")


def test_an_event_no_domain_registered_is_ignored(app, db, auth, make_user):
    socket = _socket(app, db, auth, make_user().id)
    assert not socket.emit("drop_tables", {}, namespace="/live", callback=True)
    assert socket.is_connected("/live")
    socket.disconnect(namespace="/live")


def test_each_app_has_its_own_table_and_a_name_is_taken_once(app):
    """Tests and workers create many apps: one app's registrations are not another's."""
    other = create_app(TestConfig)
    live.on(other, "only_here", lambda user, data: {"ok": True})
    assert "only_here" in live.handled(other)
    assert "only_here" not in live.handled(app)
    assert live.handled(other) == live.handled(app) | {"only_here"}
    with pytest.raises(ValueError, match="already handled"):
        live.on(other, "clock", lambda user, data: None)
    with pytest.raises(ValueError, match="already"):
        live.watch(other, live.table(app).watches["meeting"])
