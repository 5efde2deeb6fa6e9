"""Chatham House meetings: the floor by status, not by name, to everyone but the chair and the
Secretariat, on every way out (pages, fragments, the live channel, the screen, the record and
its exports). A canary delegation asks for the floor; its name must not leak."""

from __future__ import annotations

import io

import docx
import pytest

from consult.accounts.models import DelegationStatus
from consult.extensions import socketio
from consult.meetings import screens, services
from consult.meetings.models import FloorKind, Presence
from consult.rooms.models import RoomRole
from tests import test_meetings
from tests.test_meetings import HX, delegate

pytestmark = [pytest.mark.meetings, pytest.mark.leak]

hall = test_meetings.hall  # the fixture
CANARY = "Canaryland Zq7"


@pytest.fixture
def chatham(db, hall, make_user, make_delegation):
    """The hall's meeting under the Chatham House Rule; the canary speaks, an observer waits."""
    room, chair, meeting, (first, *_rest) = hall
    meeting.is_chatham_house = True
    canary = delegate(make_user, make_delegation, name=CANARY)
    observer = delegate(
        make_user, make_delegation, status=DelegationStatus.CIVIL_SOCIETY, name="Canary Watch Zq7"
    )
    for who, kind in ((canary, FloorKind.POINT_OF_ORDER), (observer, FloorKind.STATEMENT)):
        services.request_floor(
            first, who, kind=kind, presence=Presence.REMOTE, on_behalf_of=who.delegation.name
        )
    services.give_floor(first, chair)  # the canary's point of order
    services.record_ruling(services._speaking(first), chair, "Noted.")
    services.seen(meeting, canary, Presence.IN_ROOM, connected=True)
    db.session.flush()
    return room, chair, meeting, canary, observer


def _no_canary(text: str) -> None:
    assert "Canaryland" not in text and "Canary Watch" not in text


def test_the_live_view_the_screen_and_the_record_name_nobody(client, auth, db, chatham, make_user):
    room, chair, meeting, canary, _observer = chatham
    screens_token = screens.new_link(meeting, chair)
    bystander = make_user(name="A bystander")
    auth.login(bystander)
    for path in ("/live", "/panel", "/floor-panel", "/screen", "/projector", "/record", ""):
        html = client.get(f"/meetings/{meeting.id}{path}").get_data(as_text=True)
        _no_canary(html)
    live = client.get(f"/meetings/{meeting.id}/live").get_data(as_text=True)
    assert "a State Party" in live and "an observer organisation" in live
    assert "Held under the Chatham House Rule" in live
    assert f'data-delegation-id="{canary.delegation_id}"' not in live
    record = client.get(f"/meetings/{meeting.id}/record").get_data(as_text=True)
    assert "Held under the Chatham House Rule" in record and "a State Party" in record
    assert canary.name not in record  # nor the attendees
    auth.logout()
    _no_canary(client.get(f"/screen/{screens_token}").get_data(as_text=True))


def test_the_chair_sees_names_the_exports_do_not(client, auth, chatham):
    _room, chair, meeting, _canary, _observer = chatham
    auth.login(chair)
    assert CANARY in client.get(f"/meetings/{meeting.id}/console").get_data(as_text=True)
    assert CANARY in client.get(f"/meetings/{meeting.id}/live").get_data(as_text=True)
    assert CANARY in client.get(f"/meetings/{meeting.id}/record").get_data(as_text=True)
    csv_text = "".join(
        client.get(f"/meetings/{meeting.id}/record-{part}.csv").data.decode("utf-8-sig")
        for part in ("speakers", "attendance")
    )
    _no_canary(csv_text)
    assert "a State Party" in csv_text and "State Party" in csv_text
    document = docx.Document(io.BytesIO(client.get(f"/meetings/{meeting.id}/record.docx").data))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for row in t.rows for c in row.cells
    )
    _no_canary(text)
    assert "Chatham House Rule" in text and "a State Party" in text


def test_the_live_channel_pushes_per_visibility_class(
    app, client, auth, db, chatham, make_user, add_member
):
    room, chair, meeting, _canary, _observer = chatham
    token = screens.new_link(meeting, chair)
    member = make_user(name="A member")
    add_member(room, member, RoomRole.MEMBER)
    auth.login(member)
    meeting_id, chair_id, user_class = meeting.id, chair.id, type(chair)
    db.session.commit()
    delegate_socket = socketio.test_client(app, namespace="/live", flask_test_client=client)
    screen = socketio.test_client(app, namespace="/live", auth={"screen": token})
    chair_client = app.test_client()
    try:
        delegate_socket.emit(
            "watch_meeting",
            {"meeting": meeting_id, "view": "delegate"},
            namespace="/live",
            callback=True,
        )
        screen.emit("watch_screen", {"token": token}, namespace="/live", callback=True)
        delegate_socket.get_received("/live")
        screen.get_received("/live")
        # The chair acts (in a client of their own): every channel gets its own render.
        from tests.conftest import Auth

        Auth(chair_client).login(db.session.get(user_class, chair_id))
        chair_client.post(f"/meetings/{meeting_id}/chair/end-turn", data={}, headers=HX)
        received = delegate_socket.get_received("/live") + screen.get_received("/live")
        names = {e["name"] for e in received}
        assert "meeting-panel" in names and "screen-panel" in names
        assert "meeting-panel-named" not in names and "meeting-console" not in names
        for event in received:
            _no_canary(str(event["args"]))
    finally:
        for sc in (delegate_socket, screen):
            if sc.is_connected("/live"):
                sc.disconnect(namespace="/live")


def test_the_chair_turns_the_rule_on_from_the_meeting_form(client, auth, db, hall):
    _room, chair, meeting, _items = hall
    auth.login(chair)
    form = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert "Held under the Chatham House Rule" in form
    data = {
        "title": meeting.title,
        "kind": meeting.kind.value,
        "mode": meeting.mode.value,
        "time_zone": meeting.time_zone,
        "starts_at": "2026-12-02T09:00",
        "ends_at": "2026-12-02T12:00",
        "is_chatham_house": "y",
    }
    assert client.post(f"/meetings/{meeting.id}/edit", data=data).status_code == 303
    assert meeting.is_chatham_house
