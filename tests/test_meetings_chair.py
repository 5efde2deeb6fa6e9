"""The chair's actions: every agenda change reaches the watchers (the last item's too), every
chair action is in the audit log, and the lists of meetings cost the same however many there are.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import transaction
from consult.audit import AuditEvent
from consult.extensions import socketio
from consult.meetings import services
from consult.meetings.models import (
    AgendaItem,
    FloorKind,
    ItemState,
    MeetingKind,
    MeetingMode,
    Presence,
)
from consult.rooms.models import AccessLevel, RoomRole
from consult.rooms.policy import forget_room_roles
from consult.timeutil import utcnow
from tests.test_meetings import CONFIRM, HX, delegate

PASSWORD = "a-long-test-password"


def _schedule(room, chair, title="Session", **fields):
    return services.create_meeting(
        room,
        chair,
        title=title,
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=fields.pop("starts_at", utcnow()),
        ends_at=fields.pop("ends_at", utcnow() + timedelta(hours=3)),
        time_zone="Europe/Zurich",
        **fields,
    )


@pytest.fixture
def agenda(db, make_user, make_room, add_member):
    """An open room, its chair, a meeting with an adopted agenda of three items, none current."""
    room = make_room(AccessLevel.OPEN)
    chair = make_user(name="The Chair")
    add_member(room, chair, RoomRole.CHAIR)
    meeting = _schedule(room, chair, title="WGETI session")
    items = [
        services.add_item(meeting, chair, number=n, letter="", title=title)
        for n, title in enumerate(("Opening", "Article 11", "Closing"), start=1)
    ]
    services.adopt_agenda(meeting, chair)
    db.session.flush()
    return room, chair, meeting, items


# ---- the live signal ---------------------------------------------------------------------------


def _watcher(app, db, make_user, make_delegation, meeting_id: int):
    """A delegate's page watching the meeting over /live; returns it and the version it saw.

    The socket handler releases the session: objects loaded before are detached after.
    """
    viewer = delegate(make_user, make_delegation)
    email = viewer.email
    db.session.flush()
    page = app.test_client()
    page.post("/sign-in", data={"email": email, "password": PASSWORD})
    sc = socketio.test_client(app, namespace="/live", flask_test_client=page)
    answer = sc.emit("watch_meeting", {"meeting": meeting_id}, namespace="/live", callback=True)
    assert answer["ok"]
    sc.get_received("/live")
    # What the setup queued is not the chair's request's to send: only its own events count.
    transaction.discard()
    return sc, answer["version"]


def _chair_signs_in(client, email: str) -> None:
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302
    transaction.discard()


def _panels(sc) -> list[dict]:
    return [e["args"][0] for e in sc.get_received("/live") if e["name"] == "meeting-panel"]


def _on_the_last_item(db, chair, meeting, items) -> None:
    """Items 1 and 2 are done, the last one is current."""
    for item in items:
        services.set_item_state(item, chair, ItemState.CURRENT)
    db.session.flush()


def test_closing_the_last_item_reaches_the_watchers(
    app, client, auth, db, agenda, make_user, make_delegation
):
    """The planted bug of issue #11: the chair's "next item" on the last item (nothing pending
    is left) closed it without telling the watchers."""
    _room, chair, meeting, items = agenda
    _on_the_last_item(db, chair, meeting, items)
    meeting_id, last_id, email = meeting.id, items[-1].id, chair.email
    sc, seen = _watcher(app, db, make_user, make_delegation, meeting_id)
    try:
        _chair_signs_in(client, email)
        response = client.post(f"/meetings/{meeting_id}/chair/next-item", data=CONFIRM, headers=HX)
        assert response.status_code == 200
        assert db.session.get(AgendaItem, last_id).state is ItemState.DONE
        panels = _panels(sc)
        assert panels, "closing the last agenda item sent no live panel"
        assert panels[-1]["version"] > seen
    finally:
        sc.disconnect(namespace="/live")


@pytest.mark.parametrize("state", ["current", "done", "deferred", "pending"])
def test_every_change_of_the_last_item_reaches_the_watchers(
    app, client, auth, db, agenda, make_user, make_delegation, state
):
    """The chair sets the state of the last agenda item from the agenda (not the console)."""
    _room, chair, meeting, items = agenda
    if state != "current":
        services.set_item_state(items[-1], chair, ItemState.CURRENT)
        db.session.flush()
    meeting_id, last_id, email = meeting.id, items[-1].id, chair.email
    sc, seen = _watcher(app, db, make_user, make_delegation, meeting_id)
    try:
        _chair_signs_in(client, email)
        response = client.post(f"/agenda/{last_id}/state/{state}", data={"back": "agenda"})
        assert response.status_code == 303
        assert db.session.get(AgendaItem, last_id).state is ItemState(state)
        panels = _panels(sc)
        assert panels, f"setting the last agenda item {state} sent no live panel"
        assert panels[-1]["version"] > seen
        assert "Closing" in panels[-1]["html"]
    finally:
        sc.disconnect(namespace="/live")


def test_moving_onto_the_last_item_reaches_the_watchers(
    app, client, auth, db, agenda, make_user, make_delegation
):
    _room, chair, meeting, items = agenda
    services.set_item_state(items[1], chair, ItemState.CURRENT)
    services.set_item_state(items[0], chair, ItemState.DONE)
    db.session.flush()
    meeting_id, last_id, email = meeting.id, items[-1].id, chair.email
    sc, seen = _watcher(app, db, make_user, make_delegation, meeting_id)
    try:
        _chair_signs_in(client, email)
        client.post(f"/meetings/{meeting_id}/chair/next-item", data=CONFIRM, headers=HX)
        assert db.session.get(AgendaItem, last_id).state is ItemState.CURRENT
        panels = _panels(sc)
        assert panels and panels[-1]["version"] > seen
    finally:
        sc.disconnect(namespace="/live")


def test_a_refused_chair_action_sends_nothing(
    app, client, auth, db, agenda, make_user, make_delegation
):
    """A refusal stores nothing, so it announces nothing."""
    _room, chair, meeting, items = agenda
    _on_the_last_item(db, chair, meeting, items)
    meeting_id, email = meeting.id, chair.email
    sc, _seen = _watcher(app, db, make_user, make_delegation, meeting_id)
    try:
        _chair_signs_in(client, email)
        response = client.post(f"/meetings/{meeting_id}/chair/give-floor", data=CONFIRM, headers=HX)
        assert response.status_code == 422
        assert "Nobody is waiting" in response.get_data(as_text=True)
        assert _panels(sc) == []
    finally:
        sc.disconnect(namespace="/live")


# ---- the audit log -----------------------------------------------------------------------------


def _audit(meeting, since: int = 0) -> list[AuditEvent]:
    from consult.extensions import db

    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.room_id == meeting.room_id, AuditEvent.id > since)
            .order_by(AuditEvent.id)
        )
    )


def _last_id() -> int:
    from sqlalchemy import func

    from consult.extensions import db

    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def test_agenda_changes_are_audited(client, auth, db, agenda):
    _room, chair, meeting, items = agenda
    auth.login(chair)
    since = _last_id()
    url = f"/meetings/{meeting.id}"
    data = {"number": "4", "title": "Any other business", "planned_minutes": "10"}
    assert client.post(f"{url}/items", data={**data, "speaking_limit_seconds": "120"}).status_code
    client.post(f"/agenda/{items[0].id}/state/current", data=CONFIRM, headers=HX)
    client.post(f"{url}/chair/next-item", data=CONFIRM, headers=HX)
    client.post(f"/agenda/{items[2].id}/state/deferred", headers=HX)
    events = _audit(meeting, since)
    assert [e.kind for e in events] == [
        "meeting.item_added",
        "meeting.item_state",
        "meeting.item_state",
        "meeting.item_state",
    ]
    assert all(e.actor_id == chair.id and e.details["meeting_id"] == meeting.id for e in events)
    assert "4 added: Any other business" in events[0].summary
    assert [e.details["state"] for e in events[1:]] == ["current", "current", "deferred"]
    assert [e.details["item_id"] for e in events[1:]] == [items[0].id, items[1].id, items[2].id]


def test_a_refused_agenda_change_is_not_audited(client, auth, db, agenda):
    _room, chair, meeting, _items = agenda
    auth.login(chair)
    since = _last_id()
    data = {
        "number": "1",
        "title": "Again",
        "planned_minutes": "10",
        "speaking_limit_seconds": "60",
    }
    response = client.post(f"/meetings/{meeting.id}/items", data=data)
    assert response.status_code == 422
    assert "already has an item 1" in response.get_data(as_text=True)
    assert _audit(meeting, since) == []


def test_the_floor_and_the_speakers_list_are_audited(
    client, auth, db, agenda, make_user, make_delegation
):
    _room, chair, meeting, items = agenda
    services.set_item_state(items[0], chair, ItemState.CURRENT)
    alpha = delegate(make_user, make_delegation, name="Alpha")
    beta = delegate(make_user, make_delegation, name="Beta")
    requests = {
        user.delegation.name: services.request_floor(
            items[0],
            user,
            kind=FloorKind.STATEMENT,
            presence=Presence.REMOTE,
            on_behalf_of=user.delegation.name,
        )
        for user in (alpha, beta)
    }
    gamma = make_delegation(name="Gamma")
    db.session.flush()
    auth.login(chair)
    since = _last_id()
    url = f"/meetings/{meeting.id}"
    steps = [
        (f"{url}/inscribe", {"delegation": gamma.id, "kind": "statement"}),
        (f"/floor/{requests['Beta'].id}/up", {}),
        (f"{url}/chair/give-floor", CONFIRM),
        (f"{url}/chair/end-turn", CONFIRM),
        (f"{url}/chair/readd-last", {}),
        (f"/floor/{requests['Alpha'].id}/remove", CONFIRM),
        (f"{url}/chair/close-list", {}),
        (f"{url}/chair/reopen-list", {}),
    ]
    for path, data in steps:
        assert client.post(path, data=data, headers=HX).status_code == 200, path
    events = _audit(meeting, since)
    assert [e.kind for e in events] == [
        "meeting.speaker_inscribed",
        "meeting.speaker_moved",
        "meeting.floor_given",
        "meeting.speaker_readded",
        "meeting.speaker_removed",
        "meeting.list_closed",
        "meeting.list_reopened",
    ]
    assert all(e.actor_id == chair.id for e in events)
    assert "Gamma inscribed at the desk" in events[0].summary
    assert events[1].delegation_id == beta.delegation_id
    assert "Beta given the floor" in events[2].summary  # moved up, so Beta spoke first
    assert events[4].delegation_id == alpha.delegation_id


def test_a_ruling_is_audited_with_its_text(client, auth, db, agenda, make_user, make_delegation):
    _room, chair, meeting, items = agenda
    services.set_item_state(items[0], chair, ItemState.CURRENT)
    user = delegate(make_user, make_delegation, name="Orderland")
    point = services.request_floor(
        items[0],
        user,
        kind=FloorKind.POINT_OF_ORDER,
        presence=Presence.IN_ROOM,
        on_behalf_of="Orderland",
    )
    db.session.flush()
    auth.login(chair)
    since = _last_id()
    response = client.post(f"/floor/{point.id}/ruling", data={"ruling": "Well taken."}, headers=HX)
    assert response.status_code == 200
    (event,) = _audit(meeting, since)
    assert event.kind == "meeting.ruling" and event.details["request_id"] == point.id
    assert "Orderland: Well taken." in event.summary
    # A refused ruling (empty) stores nothing, in the log neither.
    response = client.post(f"/floor/{point.id}/ruling", data={"ruling": ""}, headers=HX)
    assert response.status_code == 422
    assert len(_audit(meeting, since)) == 1


def test_a_delegates_own_withdrawal_is_not_a_chair_action(
    client, auth, db, agenda, make_user, make_delegation
):
    _room, chair, meeting, items = agenda
    services.set_item_state(items[0], chair, ItemState.CURRENT)
    user = delegate(make_user, make_delegation)
    services.request_floor(
        items[0],
        user,
        kind=FloorKind.STATEMENT,
        presence=Presence.REMOTE,
        on_behalf_of=user.delegation.name,
    )
    db.session.flush()
    auth.login(user)
    since = _last_id()
    assert (
        client.post(f"/meetings/{meeting.id}/floor/withdraw", data=CONFIRM, headers=HX).status_code
        == 200
    )
    assert _audit(meeting, since) == []


# ---- lists select through the policy -----------------------------------------------------------


def _grow(room, chair, n: int) -> None:
    """n more meetings of two items each in the room."""
    for k in range(n):
        meeting = _schedule(room, chair, title=f"Meeting {k}")
        for number in (1, 2):
            services.add_item(meeting, chair, number=number, letter="", title=f"Item {number}")
    # The live panels this setup queued would be sent (and counted) by the next request.
    transaction.discard()


def test_room_page_meetings_query_count_does_not_grow(
    client, auth, db, make_user, make_room, add_member, count_queries
):
    room = make_room(AccessLevel.MEMBERS)
    chair, member = make_user(), make_user()
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member, RoomRole.MEMBER)
    auth.login(member)

    def measure() -> int:
        with count_queries() as statements:
            page = client.get(f"/rooms/{room.slug}")
            assert page.status_code == 200
        return len(statements)

    _grow(room, chair, 1)
    db.session.flush()
    small = measure()
    _grow(room, chair, 15)
    db.session.flush()
    assert measure() == small
    assert "Meeting 14" in client.get(f"/rooms/{room.slug}").get_data(as_text=True)


def test_room_page_lists_the_meetings_of_a_room_one_may_see(
    client, auth, db, make_user, make_room, add_member
):
    room = make_room(AccessLevel.MEMBERS)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    _schedule(room, chair, title="Members only")
    db.session.flush()
    auth.login(chair)
    assert "Members only" in client.get(f"/rooms/{room.slug}").get_data(as_text=True)


def test_calendar_query_count_does_not_grow_and_shows_only_visible_meetings(
    client, auth, db, make_user, make_room, add_member, count_queries
):
    mine, closed = make_room(AccessLevel.MEMBERS), make_room(AccessLevel.MEMBERS)
    chair, member = make_user(), make_user()
    for room in (mine, closed):
        add_member(room, chair, RoomRole.CHAIR)
    add_member(mine, member, RoomRole.MEMBER)
    _schedule(closed, chair, title="Not for you")
    auth.login(member)
    page = client.post("/calendar/feed", data={"action": "new"}).get_data(as_text=True)
    path = re.sub(r"^https?://[^/]+", "", re.search(r'value="(http[^"]+\.ics)"', page).group(1))

    def measure() -> int:
        with count_queries() as statements:
            assert client.get("/calendar/feed").status_code == 200
            feed = client.get(path)
            assert feed.status_code == 200
        assert b"Not for you" not in feed.data
        return len(statements)

    _grow(mine, chair, 1)
    db.session.flush()
    measure()  # the installation's id (in calendar UIDs) is read once per process
    small = measure()
    _grow(mine, chair, 15)
    _grow(closed, chair, 5)
    db.session.flush()
    assert measure() == small
    feed = client.get(path).data.replace(b"\r\n ", b"")
    assert feed.count(b"BEGIN:VEVENT") == 16


# ---- the protection chain: visible() agrees with can(VIEW) -------------------------------------


def test_meetings_items_and_requests_are_visible_exactly_where_they_may_be_seen(
    db, make_user, make_room, add_member, make_delegation
):
    """Over every kind of room and of person, the SQL filter of Meeting, AgendaItem and
    FloorRequest selects exactly what can(VIEW) allows, through room, meeting and item."""
    from consult.accounts.models import DelegationStatus
    from consult.meetings.models import FloorRequest, Meeting
    from consult.policy import Need, can, visible

    chair = make_user()
    member = make_user()
    speaker = make_user()
    people = [
        chair,
        member,
        make_user(status=DelegationStatus.SECRETARIAT),
        make_user(status=DelegationStatus.STATE_PARTY),
        make_user(status=DelegationStatus.CIVIL_SOCIETY),
    ]
    for access in AccessLevel:
        room = make_room(access)
        add_member(room, chair, RoomRole.CHAIR)
        if access is not AccessLevel.OPEN:
            add_member(room, member, RoomRole.MEMBER)
        meeting = _schedule(room, chair, title=f"{access} meeting")
        item = services.add_item(meeting, chair, number=1, letter="", title="Opening")
        services.inscribe(item, chair, speaker.delegation)
    db.session.flush()
    transaction.discard()
    # Scheduling notifies the room, which read (and cached) roles before the later rooms'
    # memberships were added: read them afresh, as a request would.
    forget_room_roles()
    for model in (Meeting, AgendaItem, FloorRequest):
        everything = db.session.scalars(select(model)).all()
        for person in people:
            selected = set(db.session.scalars(select(model.id).where(visible(model, person))))
            allowed = {obj.id for obj in everything if can(Need.VIEW, obj, person)}
            assert selected == allowed, (model.__name__, person.delegation.status)
    # The chain reaches the floor requests: someone outside a members room sees none of it.
    outsider = people[3]
    secret = db.session.scalars(
        select(FloorRequest)
        .join(AgendaItem)
        .join(Meeting)
        .where(Meeting.title == "members meeting")
    ).one()
    assert not can(Need.VIEW, secret, outsider) and can(Need.MANAGE, secret, chair)
