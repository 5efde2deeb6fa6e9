"""The programme of work: a meeting of several days as sessions by day, each with its items;
the printable week; an .ics per session and the feed; "now" and "next" on the dashboard; the
calendar's SEQUENCE, UIDs and confidential entries."""

from __future__ import annotations

import re
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

from consult.accounts.models import DelegationStatus
from consult.extensions import db as _db
from consult.instance import InstallationSetting, instance_id
from consult.meetings import programme, services
from consult.meetings.models import (
    AgendaItem,
    ItemState,
    MeetingKind,
    MeetingMode,
    MeetingSession,
)
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow
from tests import ics_strict

pytestmark = pytest.mark.meetings

ZONE = "Europe/Zurich"
MONDAY, TUESDAY, WEDNESDAY = date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)


def zurich(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


@pytest.fixture
def week(db, make_user, make_room, add_member):
    """A Working Group week (Monday to Wednesday, Geneva) with three agenda items."""
    room = make_room(AccessLevel.OPEN)
    chair = make_user(name="The Chair")
    add_member(room, chair, RoomRole.CHAIR)
    meeting = services.create_meeting(
        room,
        chair,
        title="Working Group week",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=zurich(MONDAY, 9),
        ends_at=zurich(WEDNESDAY, 18),
        time_zone=ZONE,
        venue="CICG, Geneva",
        video_link="https://video.example.org/week",
    )
    items = [
        services.add_item(meeting, chair, number=n, letter="", title=title)
        for n, title in enumerate(("Diversion", "Universalization", "Transparency"), 1)
    ]
    db.session.flush()
    return room, chair, meeting, items


def form(day: date, start: str, end: str, body: str = "WGETI", **extra) -> dict:
    return {"body": body, "day": day.isoformat(), "starts": start, "ends": end, **extra}


def sessions_count(meeting) -> int:
    return _db.session.scalar(
        select(func.count())
        .select_from(MeetingSession)
        .where(MeetingSession.meeting_id == meeting.id)
    )


def three_days(meeting, chair) -> list[MeetingSession]:
    return [
        programme.add_session(
            meeting, chair, body=body, starts_at=zurich(day, 10), ends_at=zurich(day, 13)
        )
        for day, body in ((MONDAY, "WGETI"), (TUESDAY, "WGTU"), (WEDNESDAY, "WGTR"))
    ]


# ---- arranging the programme -------------------------------------------------------------------


def test_the_chair_builds_a_three_day_programme_shown_by_day(client, auth, week, db):
    _room, chair, meeting, (diversion, universalization, transparency) = week
    auth.login(chair)
    for day, body in ((WEDNESDAY, "WGTR"), (MONDAY, "WGETI"), (TUESDAY, "WGTU")):
        answer = client.post(
            f"/meetings/{meeting.id}/sessions",
            data=form(day, "10:00", "13:00", body, venue="Room XVII"),
        )
        assert answer.status_code == 303, answer.get_data(as_text=True)
    sessions = {s.body: s for s in programme.sessions_of(meeting, chair)}
    # Stored in UTC: 10:00 in Geneva in March is 09:00 UTC.
    assert sessions["WGETI"].starts_at == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    client.post(f"/agenda/{diversion.id}/session", data={"session": sessions["WGETI"].id})
    client.post(f"/agenda/{transparency.id}/session", data={"session": sessions["WGTR"].id})
    page = client.get(f"/meetings/{meeting.id}/programme").get_data(as_text=True)
    monday, tuesday, wednesday = (page.index(f'data-day="{d.isoformat()}"') for d in week_days())
    assert monday < tuesday < wednesday
    assert "Monday 1 March 2027" in page and "Wednesday 3 March 2027" in page
    wgeti, wgtr = page.index('class="session-body badge">WGETI'), page.index(">WGTR<")
    assert monday < wgeti < tuesday < wednesday < wgtr
    # Each item under its session; the one not placed yet under "Not yet placed".
    assert wgeti < page.index("Diversion") < tuesday
    assert wgtr < page.index("Transparency")
    assert page.index("Not yet placed</h3>") < page.index("Universalization")
    assert "Room XVII" in page
    assert "css/programme-print.css" in page and 'media="print"' in page


def week_days() -> tuple[date, date, date]:
    return MONDAY, TUESDAY, WEDNESDAY


def test_a_delegate_sees_the_programme_but_cannot_arrange_it(client, auth, week, db, make_user):
    _room, chair, meeting, _items = week
    three_days(meeting, chair)
    db.session.flush()
    reader = make_user()
    auth.login(reader)
    page = client.get(f"/meetings/{meeting.id}/programme").get_data(as_text=True)
    assert "WGTU" in page and "Add a session" not in page
    answer = client.post(f"/meetings/{meeting.id}/sessions", data=form(MONDAY, "14:00", "15:00"))
    assert answer.status_code == 403
    assert sessions_count(meeting) == 3


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (form(MONDAY, "13:00", "10:00"), "ends", "must end after it starts"),
        (form(MONDAY, "10:00", "10:00"), "ends", "must end after it starts"),
        (form(date(2027, 3, 4), "10:00", "12:00"), "day", "outside the meeting"),
        (form(date(2027, 2, 28), "10:00", "12:00"), "day", "outside the meeting"),
        (
            form(MONDAY, "12:00", "14:00", "wgeti"),
            "starts",
            "WGETI already meets from 10:00 to 13:00",
        ),
        (form(MONDAY, "10:00", "12:00", "W" * 61), "body", "61 characters long"),
        (form(MONDAY, "", "12:00"), "starts", "Give the start time"),
        (form(MONDAY, "14:00", "15:00", video_link="not a link"), "video_link", "URL"),
    ],
    ids=[
        "end-before-start",
        "no-length",
        "after",
        "before",
        "overlap",
        "long-body",
        "no-start",
        "bad-link",
    ],
)
def test_a_session_that_cannot_be_is_refused_next_to_its_field(
    client, auth, week, db, data, field, message
):
    _room, chair, meeting, _items = week
    programme.add_session(
        meeting, chair, body="WGETI", starts_at=zurich(MONDAY, 10), ends_at=zurich(MONDAY, 13)
    )
    db.session.flush()
    auth.login(chair)
    answer = client.post(f"/meetings/{meeting.id}/sessions", data=data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error" role="alert">([^<]*)</p>', page)
    assert error is not None, f"no error next to {field}"
    assert message in error.group(1).replace("&#39;", "'")
    assert sessions_count(meeting) == 1


def test_another_body_may_meet_at_the_same_time(client, auth, week, db):
    _room, chair, meeting, _items = week
    programme.add_session(
        meeting, chair, body="WGETI", starts_at=zurich(MONDAY, 10), ends_at=zurich(MONDAY, 13)
    )
    db.session.flush()
    auth.login(chair)
    answer = client.post(
        f"/meetings/{meeting.id}/sessions", data=form(MONDAY, "11:00", "12:00", "WGTU")
    )
    assert answer.status_code == 303
    # Back to back with the same body is not an overlap.
    answer = client.post(f"/meetings/{meeting.id}/sessions", data=form(MONDAY, "13:00", "15:00"))
    assert answer.status_code == 303
    assert sessions_count(meeting) == 3


def test_changing_a_session_checks_it_again_and_keeps_it_when_refused(client, auth, week, db):
    _room, chair, meeting, _items = week
    monday, tuesday, _wednesday = three_days(meeting, chair)
    db.session.flush()
    auth.login(chair)
    page = client.get(f"/sessions/{tuesday.id}/edit").get_data(as_text=True)
    assert 'value="2027-03-02"' in page and 'value="10:00"' in page
    answer = client.post(
        f"/sessions/{tuesday.id}/edit", data=form(TUESDAY, "12:00", "11:00", "WGTU")
    )
    assert answer.status_code == 422 and "must end after it starts" in answer.get_data(as_text=True)
    db.session.refresh(tuesday)
    assert tuesday.ends_at == zurich(TUESDAY, 13)
    # Moving it onto Monday's WGETI slot as WGETI: an overlap with itself does not count, with
    # Monday's does.
    answer = client.post(
        f"/sessions/{tuesday.id}/edit", data=form(MONDAY, "11:00", "12:00", "WGETI")
    )
    assert answer.status_code == 422 and "already meets" in answer.get_data(as_text=True)
    answer = client.post(
        f"/sessions/{monday.id}/edit", data=form(MONDAY, "10:30", "13:00", "WGETI")
    )
    assert answer.status_code == 303


def test_removing_a_session_asks_first_and_keeps_its_items(client, auth, week, db):
    _room, chair, meeting, (diversion, *_rest) = week
    monday, *_others = three_days(meeting, chair)
    programme.place_item(diversion, chair, monday)
    db.session.flush()
    auth.login(chair)
    asked = client.post(f"/sessions/{monday.id}/remove")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Remove the session WGETI of Monday 1 March?" in page
    assert sessions_count(meeting) == 3
    done = client.post(
        f"/sessions/{monday.id}/remove", data={"confirm": "1"}, follow_redirects=True
    )
    page = done.get_data(as_text=True)
    assert "Session removed: WGETI. Its 1 agenda items are kept" in page
    assert sessions_count(meeting) == 2
    item = db.session.get(AgendaItem, diversion.id)
    db.session.refresh(item)
    assert item.session_id is None
    assert page.index("Not yet placed</h3>") < page.index("Diversion")


def test_an_item_is_placed_only_in_a_session_of_its_meeting(
    client, auth, week, db, make_room, add_member
):
    room, chair, meeting, (diversion, *_rest) = week
    other = services.create_meeting(
        room,
        chair,
        title="Other",
        kind=MeetingKind.INFORMAL_CONSULTATION,
        mode=MeetingMode.VIRTUAL,
        starts_at=zurich(MONDAY, 9),
        ends_at=zurich(MONDAY, 18),
        time_zone=ZONE,
    )
    elsewhere = programme.add_session(
        other, chair, body="Plenary", starts_at=zurich(MONDAY, 10), ends_at=zurich(MONDAY, 11)
    )
    three_days(meeting, chair)
    db.session.flush()
    auth.login(chair)
    answer = client.post(f"/agenda/{diversion.id}/session", data={"session": elsewhere.id})
    assert answer.status_code == 422
    assert "Choose a session of this meeting." in answer.get_data(as_text=True)
    db.session.refresh(diversion)
    assert diversion.session_id is None
    for bad in ("abc", "99999999", "-1"):
        assert client.post(
            f"/agenda/{diversion.id}/session", data={"session": bad}
        ).status_code in (
            404,
            422,
        )


def test_the_meeting_cannot_shrink_away_from_its_sessions(client, auth, week, db):
    _room, chair, meeting, _items = week
    three_days(meeting, chair)
    db.session.flush()
    auth.login(chair)
    answer = client.post(
        f"/meetings/{meeting.id}/edit",
        data={
            "title": meeting.title,
            "kind": meeting.kind.value,
            "mode": meeting.mode.value,
            "time_zone": ZONE,
            "starts_at": "2027-03-01T09:00",
            "ends_at": "2027-03-02T18:00",
            "venue": meeting.venue,
        },
    )
    assert answer.status_code == 422
    assert "falls outside these days" in answer.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.ends_at == zurich(WEDNESDAY, 18)


# ---- calendars ---------------------------------------------------------------------------------


def _feed_path(client) -> str:
    answer = client.post("/calendar/feed", data={"action": "new"})
    page = answer.get_data(as_text=True)
    assert "value=" in page, (answer.status_code, answer.headers, page[-3000:])
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_three_day_programme_is_three_events_in_the_feed(client, auth, week, db):
    _room, chair, meeting, _items = week
    sessions = three_days(meeting, chair)
    db.session.flush()
    auth.login(chair)
    feed = client.get(_feed_path(client))
    found = [e for e in ics_strict.events(feed.data) if "Working Group week" in str(e["summary"])]
    assert [str(e["summary"]) for e in found] == [
        "WGETI: Working Group week",
        "WGTU: Working Group week",
        "WGTR: Working Group week",
    ]
    assert [e.decoded("dtstart") for e in found] == [s.starts_at for s in sessions]
    assert {str(e["location"]) for e in found} == {"CICG, Geneva"}  # the meeting's venue
    assert len({str(e["uid"]) for e in found}) == 3
    # The meeting's own .ics is its programme too; a session's .ics is that session alone.
    whole = ics_strict.events(client.get(f"/meetings/{meeting.id}.ics").data)
    assert len(whole) == 3
    one = ics_strict.events(client.get(f"/sessions/{sessions[1].id}.ics").data)
    assert [str(e["summary"]) for e in one] == ["WGTU: Working Group week"]
    assert "video.example.org/week" in str(one[0]["description"])  # the chair takes part


def test_a_session_link_is_only_for_those_who_may_attend(client, auth, week, db, make_user):
    room, chair, meeting, _items = week
    session = programme.add_session(
        meeting,
        chair,
        body="WGETI",
        starts_at=zurich(MONDAY, 10),
        ends_at=zurich(MONDAY, 12),
        venue="Room XVII",
        video_link="https://video.example.org/secret-session",
    )
    # A transparent room: civil society reads it, but does not take part.
    room.access = AccessLevel.TRANSPARENT
    reader = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    db.session.flush()
    auth.login(reader)
    answer = client.get(f"/sessions/{session.id}.ics")
    (event,) = ics_strict.events(answer.data)
    assert str(event["location"]) == "Room XVII"
    assert b"secret-session" not in answer.data.replace(b"\r\n ", b"")
    page = client.get(f"/meetings/{meeting.id}/programme").get_data(as_text=True)
    assert "secret-session" not in page and "shown to participants of this room" in page
    auth.logout()
    auth.login(chair)
    assert b"secret-session" in client.get(f"/sessions/{session.id}.ics").data.replace(
        b"\r\n ", b""
    )


def test_sequence_rises_with_the_schedule_not_with_the_console(client, auth, week, db):
    _room, chair, meeting, items = week
    monday = three_days(meeting, chair)[0]
    db.session.flush()
    auth.login(chair)

    def sequences() -> tuple[int, int]:
        (meeting_event,) = ics_strict.events(client.get(f"/sessions/{monday.id}.ics").data)
        return int(meeting_event["sequence"]), meeting.version

    first, version = sequences()
    # The console's actions bump the live version, not the calendar's SEQUENCE.
    services.adopt_agenda(meeting, chair)
    services.set_item_state(items[0], chair, ItemState.CURRENT)
    services.set_item_state(items[0], chair, ItemState.DONE)
    db.session.flush()
    after_console, later_version = sequences()
    assert later_version > version and after_console == first
    # The body's name is not the schedule; the time is.
    programme.update_session(
        monday, chair, body="WGETI (Diversion)", starts_at=monday.starts_at, ends_at=monday.ends_at
    )
    db.session.flush()
    assert sequences()[0] == first
    programme.update_session(
        monday, chair, body="WGETI", starts_at=zurich(MONDAY, 11), ends_at=zurich(MONDAY, 13)
    )
    db.session.flush()
    moved = sequences()[0]
    assert moved == first + 1
    # The meeting's place changes every session's entry.
    fields = {
        "title": meeting.title,
        "kind": meeting.kind,
        "mode": meeting.mode,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "time_zone": meeting.time_zone,
        "venue": "Palais des Nations",
        "video_link": meeting.video_link,
        "is_chatham_house": False,
    }
    services.update_meeting(meeting, chair, **fields)
    db.session.flush()
    assert sequences()[0] == moved + 1
    services.update_meeting(meeting, chair, **{**fields, "title": "Renamed week"})
    db.session.flush()
    assert sequences()[0] == moved + 1


def test_uids_carry_the_installation_id(app, client, auth, week, db):
    _room, chair, meeting, _items = week
    session = three_days(meeting, chair)[0]
    db.session.flush()
    auth.login(chair)
    stored = instance_id()
    assert re.fullmatch(r"[0-9a-f]{32}", stored)  # generated by the migration, kept
    (event,) = ics_strict.events(client.get(f"/sessions/{session.id}.ics").data)
    assert str(event["uid"]) == f"session-{session.id}@{stored}"
    app.config["INSTANCE_ID"] = "consult.example.org"
    try:
        (event,) = ics_strict.events(client.get(f"/sessions/{session.id}.ics").data)
        assert str(event["uid"]) == f"session-{session.id}@consult.example.org"
    finally:
        app.config["INSTANCE_ID"] = None


def test_an_installation_without_an_id_generates_one_and_keeps_it(app, db):
    with app.test_request_context():
        db.session.execute(delete(InstallationSetting))
        app.extensions.pop("consult.instance_id", None)
        first = instance_id()
        assert re.fullmatch(r"[0-9a-f]{32}", first)
        app.extensions.pop("consult.instance_id", None)
        assert instance_id() == first  # read back, not generated again
        rows = db.session.scalars(select(InstallationSetting.value)).all()
        assert rows == [first]
    app.extensions.pop("consult.instance_id", None)


def test_a_confidential_meeting_leaves_only_as_confidential_meeting(
    client, auth, db, make_user, make_room, add_member
):
    room = make_room(AccessLevel.CONFIDENTIAL)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    chair.totp_enabled_at, chair.totp_secret = utcnow(), "A" * 32
    meeting = services.create_meeting(
        room,
        chair,
        title="Case 7 review",
        kind=MeetingKind.REGIONAL_MEETING,
        mode=MeetingMode.HYBRID,
        starts_at=zurich(MONDAY, 9),
        ends_at=zurich(TUESDAY, 18),
        time_zone=ZONE,
        venue="Secret venue",
        video_link="https://video.example.org/case-7",
    )
    plain = services.create_meeting(
        room,
        chair,
        title="Case 8 review",
        kind=MeetingKind.REGIONAL_MEETING,
        mode=MeetingMode.VIRTUAL,
        starts_at=zurich(MONDAY, 9),
        ends_at=zurich(MONDAY, 11),
        time_zone=ZONE,
        venue="Hidden room",
    )
    session = programme.add_session(
        meeting,
        chair,
        body="Case team",
        starts_at=zurich(TUESDAY, 10),
        ends_at=zurich(TUESDAY, 12),
        venue="Room of secrets",
    )
    db.session.flush()
    auth.login_quickly(chair)  # two-factor sign-in, as a confidential room asks
    with client.session_transaction() as s:
        s["second_factor_at"] = clock.time()
    answers = [
        client.get(f"/sessions/{session.id}.ics"),
        client.get(f"/meetings/{meeting.id}.ics"),
        client.get(f"/meetings/{plain.id}.ics"),
    ]
    path = _feed_path(client)
    auth.logout()
    answers.append(client.get(path))
    for answer in answers:
        assert answer.status_code == 200
        text = answer.data.replace(b"\r\n ", b"").decode()
        for secret in (
            "Case 7",
            "Case 8",
            "Secret venue",
            "Hidden room",
            "Room of secrets",
            "case-7",
            "Case team",
            room.title,
        ):
            assert secret not in text, (secret, text)
        entries = ics_strict.events(answer.data)
        assert entries and all(str(e["summary"]) == "Confidential meeting" for e in entries)
        assert all("LOCATION" not in e for e in entries)
        assert all(str(e["url"]).startswith("http") for e in entries)  # the link back
    feed_events = ics_strict.events(answers[-1].data)
    assert {str(e["url"]).split("/")[-1] for e in feed_events} == {
        f"programme#session-{session.id}",
        str(plain.id),
    }


# ---- now and next ------------------------------------------------------------------------------


def test_the_dashboard_shows_now_and_next_one_may_see(
    client, auth, db, make_user, make_room, add_member
):
    open_room, closed = make_room(AccessLevel.OPEN), make_room(AccessLevel.MEMBERS)
    chair, delegate = make_user(), make_user()
    for room in (open_room, closed):
        add_member(room, chair, RoomRole.CHAIR)
    now = utcnow().replace(second=0, microsecond=0)

    def meeting_in(room, title):
        return services.create_meeting(
            room,
            chair,
            title=title,
            kind=MeetingKind.WORKING_GROUP_SESSION,
            mode=MeetingMode.HYBRID,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=2),
            time_zone="UTC",
        )

    open_week, closed_week = meeting_in(open_room, "Open week"), meeting_in(closed, "Closed week")
    running = programme.add_session(
        open_week,
        chair,
        body="WGTU",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=30),
    )
    upcoming = programme.add_session(
        open_week,
        chair,
        body="Plenary",
        starts_at=now + timedelta(hours=3),
        ends_at=now + timedelta(hours=4),
    )
    programme.add_session(
        closed_week,
        chair,
        body="WGTR",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    programme.add_session(
        open_week,
        chair,
        body="WGETI",
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
    )
    db.session.flush()
    auth.login(delegate)
    page = client.get("/").get_data(as_text=True)
    assert "Meetings now and next" in page
    now_part, next_part = page.split(">Now</h3>")[1].split(">Next</h3>")
    assert f"#session-{running.id}" in now_part and "WGTU" in now_part
    assert f"#session-{upcoming.id}" in next_part.split("</section>")[0]
    assert "WGTR" not in page and "Closed week" not in page  # a room one may not see
    assert "WGETI" not in page  # over
    auth.logout()
    auth.login(chair)  # the chair sees the closed room: its WGTR is the next
    page = client.get("/").get_data(as_text=True)
    assert "WGTR" in page.split(">Next</h3>")[1]


def test_the_programme_page_query_count_does_not_grow_with_the_week(
    client, auth, week, db, count_queries
):
    _room, chair, meeting, items = week
    auth.login(chair)

    def measure() -> int:
        with count_queries() as statements:
            assert client.get(f"/meetings/{meeting.id}/programme").status_code == 200
        return len(statements)

    first = programme.add_session(
        meeting, chair, body="WGETI", starts_at=zurich(MONDAY, 10), ends_at=zurich(MONDAY, 11)
    )
    programme.place_item(items[0], chair, first)
    db.session.flush()
    small = measure()
    for day in (TUESDAY, WEDNESDAY):
        for hour, body in ((10, "WGTU"), (15, "WGTR"), (16, "Plenary")):
            programme.add_session(
                meeting,
                chair,
                body=body,
                starts_at=zurich(day, hour),
                ends_at=zurich(day, hour + 1),
            )
    for n in range(4, 12):
        item = services.add_item(meeting, chair, number=n, letter="", title=f"Item {n}")
        programme.place_item(item, chair, first)
    db.session.flush()
    assert measure() == small
