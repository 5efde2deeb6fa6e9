"""Live hybrid meetings: agenda, the speakers' list, the chair's console, record, calendars."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import docx
import pytest
from sqlalchemy import delete, func, select

from consult.accounts.models import Delegation, DelegationStatus, RegionalGroup, User
from consult.extensions import db as _db
from consult.meetings import services
from consult.meetings.models import (
    AgendaItem,
    Attendance,
    FloorKind,
    FloorRequest,
    FloorStatus,
    ItemState,
    Meeting,
    MeetingKind,
    MeetingMode,
    Presence,
)
from consult.rooms.models import AccessLevel, Room, RoomKind, RoomRole
from consult.timeutil import utcnow

CONFIRM = {"confirm": "1"}  # the second press: the console asks first
HX = {"HX-Request": "true"}


@pytest.fixture
def hall(db, make_user, make_room, add_member, make_delegation):
    """A transparent room with a chair, a meeting with an adopted agenda, item 1 current."""
    room = make_room(AccessLevel.OPEN)
    chair = make_user(name="The Chair")
    add_member(room, chair, RoomRole.CHAIR)
    meeting = services.create_meeting(
        room,
        chair,
        title="WGETI session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=3),
        time_zone="Europe/Zurich",
        video_link="https://video.example.org/wgeti",
    )
    first = services.add_item(
        meeting, chair, number=1, letter="", title="Opening", planned_minutes=10
    )
    second = services.add_item(
        meeting, chair, number=2, letter="", title="Article 11", planned_minutes=60
    )
    sub = services.add_item(
        meeting, chair, number=2, letter="a", title="Diversion cases", planned_minutes=30
    )
    services.adopt_agenda(meeting, chair)
    services.set_item_state(first, chair, ItemState.CURRENT)
    db.session.flush()
    return room, chair, meeting, (first, second, sub)


def delegate(
    make_user,
    make_delegation,
    status=DelegationStatus.STATE_PARTY,
    name=None,
    group=RegionalGroup.WEOG,
):
    return make_user(delegation=make_delegation(status, name=name, group=group))


def ask(
    client, meeting, kind="statement", presence="remote", on_behalf_of=None, user=None, **extra
):
    data = {
        "kind": kind,
        "presence": presence,
        "on_behalf_of": on_behalf_of or user.delegation.name,
        **extra,
    }
    return client.post(f"/meetings/{meeting.id}/floor", data=data, headers=HX)


def test_agenda_labels_and_bad_items(hall, db):
    _room, chair, meeting, (first, second, sub) = hall
    assert [i.label for i in services.items_of(meeting)] == ["1", "2", "2(a)"]
    with pytest.raises(services.MeetingError, match="already has an item"):
        services.add_item(meeting, chair, number=2, letter="a", title="Again")
    with pytest.raises(services.MeetingError, match="before its sub-items"):
        services.add_item(meeting, chair, number=5, letter="a", title="Orphan")


def test_schedule_through_the_form(client, auth, db, make_user, make_room, add_member):
    room = make_room(AccessLevel.TRANSPARENT, time_zone="Europe/Zurich")
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)
    data = {
        "title": "Informal consultation",
        "kind": "informal_consultation",
        "mode": "virtual",
        "time_zone": "Europe/Zurich",
        "starts_at": "2030-03-02T10:00",
        "ends_at": "2030-03-02T09:00",
    }
    response = client.post(f"/rooms/{room.slug}/meetings/new", data=data)
    assert response.status_code == 422 and "must end after it starts" in response.get_data(
        as_text=True
    )
    data["ends_at"] = "2030-03-02T13:00"
    response = client.post(f"/rooms/{room.slug}/meetings/new", data=data)
    assert response.status_code in (302, 303)
    meeting = db.session.scalars(select(Meeting)).one()
    assert meeting.starts_at.hour == 9  # 10:00 in Zurich in March is 09:00 UTC
    response = client.post(
        f"/meetings/{meeting.id}/items",
        data={
            "number": 1,
            "title": "Opening",
            "planned_minutes": 15,
            "speaking_limit_seconds": 120,
        },
    )
    assert response.status_code in (302, 303)
    response = client.post(f"/meetings/{meeting.id}/adopt")
    assert response.status_code in (302, 303)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "adopted" in page and "Opening" in page


def test_rule_20_order_points_of_order_and_rights_of_reply(
    client, hall, db, make_user, make_delegation, auth
):
    _room, _chair, meeting, (first, *_rest) = hall
    ngo = delegate(make_user, make_delegation, DelegationStatus.CIVIL_SOCIETY, "NGO", None)
    observer = delegate(make_user, make_delegation, DelegationStatus.OBSERVER_STATE, "Obs")
    party = delegate(make_user, make_delegation, DelegationStatus.STATE_PARTY, "Party")
    signatory = delegate(make_user, make_delegation, DelegationStatus.SIGNATORY, "Sig")
    replier = delegate(make_user, make_delegation, DelegationStatus.STATE_PARTY, "Replier")
    orderly = delegate(make_user, make_delegation, DelegationStatus.STATE_PARTY, "Orderly")
    for user, kind in (
        (ngo, "statement"),
        (observer, "statement"),
        (replier, "right_of_reply"),
        (party, "statement"),
        (signatory, "statement"),
        (orderly, "point_of_order"),
    ):
        auth.login(user)
        assert ask(client, meeting, kind=kind, user=user).status_code == 200
        auth.logout()
    order = [r.delegation.name for r in services.queue(first)]
    assert order == ["Orderly", "Party", "Sig", "Obs", "NGO", "Replier"]


def test_one_open_request_per_delegation_and_withdraw(
    client, auth, hall, db, make_user, make_delegation
):
    _room, _chair, meeting, (first, *_rest) = hall
    user = delegate(make_user, make_delegation)
    colleague = make_user(delegation=user.delegation)
    auth.login(user)
    assert ask(client, meeting, user=user).status_code == 200
    auth.logout()
    auth.login(colleague)
    response = ask(client, meeting, user=colleague)
    assert response.status_code == 422
    assert "is already on the speakers" in response.get_data(as_text=True)
    response = client.post(f"/meetings/{meeting.id}/floor/withdraw", data=CONFIRM, headers=HX)
    assert response.status_code == 200
    assert services.queue(first) == []
    assert ask(client, meeting, user=colleague).status_code == 200


def test_nobody_speaks_for_another_delegation(client, auth, hall, db, make_user, make_delegation):
    _room, _chair, meeting, (first, *_rest) = hall
    user = delegate(make_user, make_delegation)
    auth.login(user)
    response = ask(client, meeting, user=user, on_behalf_of="Somebody Else")
    assert response.status_code == 422
    assert "only for your delegation" in response.get_data(as_text=True)
    # A forged delegation id in the form changes nothing: the delegation is the speaker's own.
    ask(client, meeting, user=user, delegation_id=999)
    assert [r.delegation_id for r in services.queue(first)] == [user.delegation_id]


def test_closed_list_and_finished_items_refuse_requests(
    client, auth, hall, db, make_user, make_delegation
):
    _room, chair, meeting, (first, second, _sub) = hall
    user = delegate(make_user, make_delegation)
    services.set_list_closed(first, chair, True)
    db.session.flush()
    auth.login(user)
    response = ask(client, meeting, user=user)
    assert response.status_code == 422 and "is closed" in response.get_data(as_text=True)
    assert ask(client, meeting, kind="point_of_order", user=user).status_code == 200
    services.set_item_state(second, chair, ItemState.DONE)
    db.session.flush()
    response = ask(client, meeting, user=user, item_id=second.id)
    assert response.status_code == 422 and "current or a pending item" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(FloorRequest.id))) == 1


def test_chair_runs_the_list(client, auth, hall, db, make_user, make_delegation):
    _room, chair, meeting, (first, second, _sub) = hall
    a = delegate(make_user, make_delegation, name="Alpha")
    b = delegate(make_user, make_delegation, name="Beta")
    for user in (a, b):
        services.request_floor(
            first,
            user,
            kind=FloorKind.STATEMENT,
            presence=Presence.REMOTE,
            on_behalf_of=user.delegation.name,
        )
    in_room = make_delegation(DelegationStatus.STATE_PARTY, name="Gamma")
    db.session.flush()
    auth.login(chair)
    url = f"/meetings/{meeting.id}"
    assert (
        client.post(
            f"{url}/inscribe", data={"delegation": in_room.id, "kind": "statement"}, headers=HX
        ).status_code
        == 200
    )
    gamma = services.open_request_of(first, in_room.id)
    assert gamma.is_inscribed_at_desk and gamma.presence is Presence.IN_ROOM
    # Move Gamma to the top, then give the floor: Gamma speaks first.
    client.post(f"/floor/{gamma.id}/up", headers=HX)
    client.post(f"/floor/{gamma.id}/up", headers=HX)
    panel = client.post(f"{url}/chair/give-floor", data=CONFIRM, headers=HX).get_data(as_text=True)
    assert "Gamma" in panel and "countdown-big" in panel
    assert client.post(f"{url}/chair/pause", headers=HX).status_code == 200
    assert client.post(f"{url}/chair/pause", headers=HX).status_code == 422
    assert client.post(f"{url}/chair/resume", headers=HX).status_code == 200
    client.post(
        f"{url}/chair/give-floor", data=CONFIRM, headers=HX
    )  # ends Gamma's turn, Alpha speaks
    client.post(f"{url}/chair/end-turn", data=CONFIRM, headers=HX)
    client.post(f"{url}/chair/readd-last", headers=HX)
    assert services.queue(first)[0].delegation.name == "Alpha"
    state = services.live_state(meeting)
    assert {name for name, _s in state.totals} == {"Gamma", "Alpha"}
    # Next item: item 1 is done, item 2 is current, and its actual time starts.
    client.post(f"{url}/chair/next-item", data=CONFIRM, headers=HX)
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.state is ItemState.DONE and second.state is ItemState.CURRENT
    turns = [
        r.delegation.name
        for r in db.session.scalars(
            select(FloorRequest).where(FloorRequest.turn.is_not(None)).order_by(FloorRequest.turn)
        )
    ]
    assert turns == ["Gamma", "Alpha"]


def test_chair_actions_with_nothing_to_do_say_so(client, auth, hall, db):
    _room, chair, meeting, _items = hall
    auth.login(chair)
    response = client.post(f"/meetings/{meeting.id}/chair/give-floor", data=CONFIRM, headers=HX)
    assert response.status_code == 422
    assert "Nobody is waiting" in response.get_data(as_text=True)


def test_point_of_order_ruling_is_recorded(client, auth, hall, db, make_user, make_delegation):
    _room, chair, meeting, (first, *_rest) = hall
    user = delegate(make_user, make_delegation, name="Orderland")
    request_ = services.request_floor(
        first,
        user,
        kind=FloorKind.POINT_OF_ORDER,
        presence=Presence.IN_ROOM,
        on_behalf_of="Orderland",
    )
    db.session.flush()
    auth.login(chair)
    client.post(f"/meetings/{meeting.id}/chair/give-floor", data=CONFIRM, headers=HX)
    response = client.post(
        f"/floor/{request_.id}/ruling", data={"ruling": "The point is well taken."}, headers=HX
    )
    assert response.status_code == 200
    record = client.get(f"/meetings/{meeting.id}/record").get_data(as_text=True)
    assert "The point is well taken." in record


def test_concurrent_floor_requests_are_consistent(app):
    """200 delegations ask at once, some twice: 200 on the list, no duplicate, none lost."""
    count = 200
    with app.app_context():
        chair_delegation = Delegation(
            name="Chairland", short_name="CHL", status=DelegationStatus.STATE_PARTY
        )
        _db.session.add(chair_delegation)
        _db.session.flush()
        chair = User(
            delegation=chair_delegation,
            name="Chair",
            email="chair@concurrency.test",
            session_nonce="x",
        )
        # Committed for real (threads need it): a members room nobody else sees, and models
        # built directly so that no audit row (which can never be deleted) refers to them.
        room = Room(
            slug="concurrency-meeting", title="C", kind=RoomKind.PLENARY, access=AccessLevel.MEMBERS
        )
        _db.session.add_all([chair, room])
        _db.session.flush()
        meeting = Meeting(
            room_id=room.id,
            title="Busy",
            kind=MeetingKind.PREPARATORY_MEETING,
            mode=MeetingMode.VIRTUAL,
            starts_at=utcnow(),
            ends_at=utcnow() + timedelta(hours=1),
            time_zone="UTC",
            created_by_id=chair.id,
            is_agenda_adopted=True,
        )
        _db.session.add(meeting)
        _db.session.flush()
        item = AgendaItem(meeting_id=meeting.id, number=1, letter="", title="General debate")
        _db.session.add(item)
        _db.session.flush()
        statuses = list(DelegationStatus)[:7]
        people = []
        for n in range(count):
            d = Delegation(
                name=f"Concurrent {n}", short_name=f"C{n}", status=statuses[n % len(statuses)]
            )
            _db.session.add(d)
            _db.session.flush()
            u = User(
                delegation=d,
                name=f"Delegate {n}",
                email=f"d{n}@concurrency.test",
                session_nonce="x",
            )
            _db.session.add(u)
            people.append(u)
        _db.session.commit()
        ids = {
            "item": item.id,
            "users": [u.id for u in people],
            "meeting": meeting.id,
            "room": room.id,
        }
    errors: list[BaseException] = []
    refused: list[str] = []

    def asker(user_ids: list[int]) -> None:
        for user_id in user_ids:
            with app.app_context():
                try:
                    user = _db.session.get(User, user_id)
                    target = _db.session.get(AgendaItem, ids["item"])
                    services.request_floor(
                        target,
                        user,
                        kind=FloorKind.STATEMENT,
                        presence=Presence.REMOTE,
                        on_behalf_of=user.delegation.name,
                    )
                    _db.session.commit()
                except services.MeetingError as error:
                    _db.session.rollback()
                    refused.append(str(error))
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)

    # Every delegation asks twice, from two threads at once.
    chunks = [ids["users"][i::10] for i in range(10)]
    threads = [threading.Thread(target=asker, args=(chunk,)) for chunk in chunks + chunks]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors[:3]
        with app.app_context():
            waiting = _db.session.scalars(
                select(FloorRequest).where(FloorRequest.item_id == ids["item"])
            ).all()
            assert len(waiting) == count
            assert len({r.delegation_id for r in waiting}) == count
            assert len(refused) == count
            # The list is in Rule 20 order: no State Party after an organisation.
            ranks = [
                r.delegation.status.speaking_rank
                for r in services.queue(_db.session.get(AgendaItem, ids["item"]))
            ]
            assert ranks == sorted(ranks)
    finally:
        with app.app_context():
            _db.session.execute(delete(FloorRequest).where(FloorRequest.item_id == ids["item"]))
            _db.session.execute(delete(AgendaItem).where(AgendaItem.id == ids["item"]))
            _db.session.execute(delete(Meeting).where(Meeting.id == ids["meeting"]))
            _db.session.execute(delete(Room).where(Room.id == ids["room"]))
            _db.session.execute(delete(User).where(User.email.like("%@concurrency.test")))
            _db.session.execute(
                delete(Delegation).where(
                    Delegation.name.like("Concurrent %") | (Delegation.name == "Chairland")
                )
            )
            _db.session.commit()


def test_live_panel_is_broadcast_after_a_chair_action(
    client, auth, hall, db, app, make_user, make_delegation
):
    _room, chair, meeting, _items = hall
    viewer = delegate(make_user, make_delegation)
    meeting_id, viewer_email, chair_email = meeting.id, viewer.email, chair.email
    from consult.extensions import socketio

    viewer_client = app.test_client()
    viewer_client.post("/sign-in", data={"email": viewer_email, "password": "a-long-test-password"})
    sc = socketio.test_client(app, namespace="/live", flask_test_client=viewer_client)
    answer = sc.emit(
        "watch_meeting",
        {"meeting": meeting_id, "presence": "in_room"},
        namespace="/live",
        callback=True,
    )
    assert answer["ok"] and not answer["chair"]
    assert sc.emit("clock", {}, namespace="/live", callback=True)["now"] > 0
    sc.get_received("/live")
    client.post("/sign-in", data={"email": chair_email, "password": "a-long-test-password"})
    client.post(f"/meetings/{meeting_id}/chair/next-item", data=CONFIRM, headers=HX)
    panels = [e["args"][0] for e in sc.get_received("/live") if e["name"] == "meeting-panel"]
    assert panels and panels[-1]["version"] > answer["version"]
    assert "Article 11" in panels[-1]["html"]
    assert "csrf" not in panels[-1]["html"].lower()
    attendance = _db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting_id)
    ).all()
    assert [a.presence for a in attendance] == [Presence.IN_ROOM]
    sc.disconnect(namespace="/live")


def test_outsider_cannot_watch_a_members_meeting(
    client, auth, db, make_user, make_room, add_member, socket_client
):
    room = make_room(AccessLevel.MEMBERS)
    chair, outsider = make_user(), make_user()
    add_member(room, chair, RoomRole.CHAIR)
    meeting = services.create_meeting(
        room,
        chair,
        title="Closed",
        kind=MeetingKind.REGIONAL_MEETING,
        mode=MeetingMode.VIRTUAL,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        time_zone="UTC",
    )
    meeting_id = meeting.id
    db.session.flush()
    auth.login(outsider)
    sc = socket_client()
    assert sc.emit("watch_meeting", {"meeting": meeting_id}, namespace="/live", callback=True) == {
        "ok": False
    }
    assert client.get(f"/meetings/{meeting_id}/live").status_code == 404


def test_removed_member_leaves_the_chairs_channel(
    client, auth, db, make_user, make_room, add_member, app
):
    room = make_room(AccessLevel.MEMBERS)
    chair, cochair = make_user(), make_user()
    add_member(room, chair, RoomRole.CHAIR)
    membership = add_member(room, cochair, RoomRole.CHAIR)
    meeting = services.create_meeting(
        room,
        chair,
        title="M",
        kind=MeetingKind.REGIONAL_MEETING,
        mode=MeetingMode.VIRTUAL,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        time_zone="UTC",
    )
    meeting_id, slug, membership_id = meeting.id, room.slug, membership.id
    emails = chair.email, cochair.email
    db.session.flush()
    from consult.extensions import socketio

    cochair_client = app.test_client()
    cochair_client.post("/sign-in", data={"email": emails[1], "password": "a-long-test-password"})
    sc = socketio.test_client(app, namespace="/live", flask_test_client=cochair_client)
    assert sc.emit("watch_meeting", {"meeting": meeting_id}, namespace="/live", callback=True)[
        "chair"
    ]
    client.post("/sign-in", data={"email": emails[0], "password": "a-long-test-password"})
    client.post(f"/rooms/{slug}/members/{membership_id}/remove")
    assert "access-changed" in {e["name"] for e in sc.get_received("/live")}
    left = sc.emit("recheck", {}, namespace="/live", callback=True)["left"]
    assert set(left) == {f"meeting:{meeting_id}", f"meeting:{meeting_id}:chair"}
    sc.disconnect(namespace="/live")


def test_only_a_presence_change_the_chair_sees_refreshes_the_console(
    hall, db, make_user, make_delegation
):
    """A reconnecting page or a heartbeat with the same presence re-renders no console."""
    _room, _chair, meeting, _items = hall
    user = delegate(make_user, make_delegation)
    assert services.seen(meeting, user, Presence.REMOTE, connected=True)  # arrives
    db.session.flush()
    assert not services.seen(meeting, user, Presence.REMOTE, connected=True)  # reconnects
    assert not services.seen(meeting, user, None, connected=True)  # heartbeat
    assert services.seen(meeting, user, Presence.IN_ROOM, connected=True)  # walks in
    assert services.seen(meeting, user, None, connected=False)  # leaves
    assert services.seen(meeting, user, Presence.IN_ROOM, connected=True)  # is back


def test_record_exports(client, auth, hall, db, make_user, make_delegation):
    _room, chair, meeting, (first, *_rest) = hall
    user = delegate(make_user, make_delegation, name="=Formula Land")
    services.request_floor(
        first,
        user,
        kind=FloorKind.STATEMENT,
        presence=Presence.REMOTE,
        on_behalf_of=user.delegation.name,
    )
    services.give_floor(first, chair)
    services.end_turn(first, chair)
    services.seen(meeting, user, Presence.REMOTE, connected=False)
    db.session.flush()
    auth.login(chair)
    speakers = client.get(f"/meetings/{meeting.id}/record-speakers.csv").data
    rows = list(csv.reader(io.StringIO(speakers.decode("utf-8-sig"))))
    assert rows[1][0] == "1" and rows[1][3] == "'=Formula Land"
    document = docx.Document(io.BytesIO(client.get(f"/meetings/{meeting.id}/record.docx").data))
    assert any("Attendance" in p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "=Formula Land" in cells


def test_ics_and_private_feed(client, auth, hall, db, make_user, make_room, add_member):
    room, chair, meeting, _items = hall
    secret_room = make_room(AccessLevel.CONFIDENTIAL)
    add_member(secret_room, chair, RoomRole.CHAIR)
    services.create_meeting(
        secret_room,
        chair,
        title="Confidential case review",
        kind=MeetingKind.REGIONAL_MEETING,
        mode=MeetingMode.VIRTUAL,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        time_zone="UTC",
    )
    db.session.flush()
    auth.login(chair)
    single = client.get(f"/meetings/{meeting.id}.ics")
    unfolded = single.data.replace(b"\r\n ", b"")  # iCalendar folds lines at 75 octets
    assert single.status_code == 200 and b"BEGIN:VEVENT" in unfolded
    assert b"video.example.org" in unfolded  # the chair may attend: the link is there
    page = client.post("/calendar/feed", data={"action": "new"}).get_data(as_text=True)
    import re

    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    path = re.sub(r"^https?://[^/]+", "", url)
    auth.logout()
    feed = client.get(path)
    assert feed.status_code == 200
    assert b"WGETI session" in feed.data
    assert b"Confidential case review" not in feed.data
    auth.login(chair)
    client.post("/calendar/feed", data={"action": "revoke"})
    auth.logout()
    assert client.get(path).status_code == 404


def test_video_link_is_only_for_participants(client, auth, db, make_user, make_room, add_member):
    room = make_room(AccessLevel.TRANSPARENT)
    chair = make_user()
    reader = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    add_member(room, chair, RoomRole.CHAIR)
    meeting = services.create_meeting(
        room,
        chair,
        title="M",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        time_zone="UTC",
        video_link="https://video.example.org/secret-room",
    )
    db.session.flush()
    auth.login(reader)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "secret-room" not in page
    ics = client.get(f"/meetings/{meeting.id}.ics").data.replace(b"\r\n ", b"")
    assert b"secret-room" not in ics


def test_live_panel_query_count_does_not_grow_with_the_queue(
    client, auth, hall, db, make_user, make_delegation, count_queries
):
    _room, chair, meeting, (first, *_rest) = hall
    auth.login(chair)

    def measure() -> int:
        with count_queries() as statements:
            assert client.get(f"/meetings/{meeting.id}/panel", headers=HX).status_code == 200
        return len(statements)

    def add(n):
        for _ in range(n):
            user = delegate(make_user, make_delegation)
            services.request_floor(
                first,
                user,
                kind=FloorKind.STATEMENT,
                presence=Presence.REMOTE,
                on_behalf_of=user.delegation.name,
            )
        db.session.flush()

    add(1)
    small = measure()
    add(30)
    assert measure() == small


def test_durations_read_as_durations_in_every_language(app):
    from consult.dates import duration

    with app.app_context():
        assert duration(65) == "1 min 5 sec" and duration(-7) == "-7 sec"
        assert duration(3725, language="en") == "1 hr 2 min"
        assert duration(3600, language="fr") == "1\u202fh"
        assert duration(2700, language="es") == "45 min"


def test_labels_of_equal_values_stay_distinct():
    # ItemState.DONE and FloorStatus.DONE are both "done": each keeps its own label.
    assert ItemState.DONE.label == "Done" and FloorStatus.DONE.label == "Spoke"
    assert all(s.label for s in FloorStatus)
