"""The chair's console under pressure: it asks before an action that loses someone, undoes
for 30 seconds (timers included), refuses a second press and an undo after someone else's
action, and a point of order suspends a statement that then resumes with its time left."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.meetings import services, undo
from consult.meetings.models import (
    FloorKind,
    FloorStatus,
    ItemState,
    Presence,
)
from consult.notifications.models import Notification
from consult.rooms.models import RoomRole
from consult.timeutil import utcnow
from tests.test_meetings import HX, delegate
from tests.test_meetings_chair import agenda  # noqa: F401 - the fixture

pytestmark = pytest.mark.meetings


@pytest.fixture
def floor(db, agenda, make_user, make_delegation):  # noqa: F811
    """Item 1 current; Alpha speaks (50 s spoken of 180), Beta and Gamma wait (asked online)."""
    room, chair, meeting, items = agenda
    services.set_item_state(items[0], chair, ItemState.CURRENT)
    people = {}
    for name in ("Alpha", "Beta", "Gamma"):
        user = delegate(make_user, make_delegation, name=name)
        people[name] = user
        services.request_floor(
            items[0],
            user,
            kind=FloorKind.STATEMENT,
            presence=Presence.REMOTE,
            on_behalf_of=user.delegation.name,
        )
    services.give_floor(items[0], chair)
    speaker = services._speaking(items[0])
    speaker.started_at = utcnow() - timedelta(seconds=50)
    db.session.flush()
    return room, chair, meeting, items, people


def _token(meeting) -> str:
    return str(undo.token(meeting))


def _time_left(item) -> int:
    speaker = services._speaking(item)
    return services.time_left(item, speaker)


def test_next_item_asks_first_then_carries_and_undo_restores_everything(client, auth, db, floor):
    _room, chair, meeting, items, _people = floor
    auth.login(chair)
    url = f"/meetings/{meeting.id}/chair/next-item"
    version = meeting.version
    asked = client.post(url, data={"after": _token(meeting)}, headers=HX)
    text = asked.get_data(as_text=True).replace("&#39;", "'")
    assert asked.status_code == 200
    assert "Move to item 2?" in text and "statement ends (2 min 10 sec left)" in text
    assert "2 requests wait on item 1" in text and "Carry them to item 2" in text
    db.session.refresh(meeting)
    assert meeting.version == version  # nothing was done
    assert services.current_item(meeting).id == items[0].id

    before_left = _time_left(items[0])
    done = client.post(
        url, data={"confirm": "1", "waiting": "carry", "after": _token(meeting)}, headers=HX
    )
    assert done.status_code == 200
    assert "Undo within 30 seconds" in done.get_data(as_text=True).replace("&#39;", "'")
    assert services.current_item(meeting).id == items[1].id
    assert [r.delegation.name for r in services.queue(items[1])] == ["Beta", "Gamma"]
    assert services._speaking(items[0]) is None

    # The chair undoes: Alpha speaks with the time that was left (the clock stood still).
    entry = undo.latest(meeting)
    back = client.post(
        f"/meetings/{meeting.id}/chair/undo", data={"action_id": entry.id}, headers=HX
    )
    assert back.status_code == 200, back.get_data(as_text=True).replace("&#39;", "'")
    assert "Undone: Next item: 2. Article 11" in back.get_data(as_text=True).replace("&#39;", "'")
    db.session.expire_all()
    assert services.current_item(meeting).id == items[0].id
    assert items[1].state is ItemState.PENDING
    assert [r.delegation.name for r in services.queue(items[0])] == ["Beta", "Gamma"]
    assert services.queue(items[1]) == []
    assert services._speaking(items[0]).delegation.name == "Alpha"
    assert abs(_time_left(items[0]) - before_left) <= 1


def test_next_item_can_close_the_waiting_requests_with_a_notice(client, auth, db, floor):
    _room, chair, meeting, items, people = floor
    auth.login(chair)
    response = client.post(
        f"/meetings/{meeting.id}/chair/next-item",
        data={"confirm": "1", "waiting": "close"},
        headers=HX,
    )
    assert response.status_code == 200
    assert services.queue(items[0]) == [] and services.queue(items[1]) == []
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "meeting.floor_closed")
    ).all()
    assert sorted(told) == sorted([people["Beta"].id, people["Gamma"].id])


def test_next_item_can_keep_the_requests_for_later(client, auth, db, floor):
    _room, chair, meeting, items, _people = floor
    auth.login(chair)
    client.post(
        f"/meetings/{meeting.id}/chair/next-item",
        data={"confirm": "1", "waiting": "keep"},
        headers=HX,
    )
    assert [r.delegation.name for r in services.queue(items[0])] == ["Beta", "Gamma"]
    response = client.post(
        f"/meetings/{meeting.id}/chair/next-item", data={"waiting": "later"}, headers=HX
    )
    assert response.status_code == 422
    assert "carry, keep or close" in response.get_data(as_text=True).replace("&#39;", "'")


def test_a_second_press_and_another_chairs_press_are_refused(
    client, auth, db, floor, make_user, add_member
):
    room, chair, meeting, items, _people = floor
    seen = _token(meeting)
    auth.login(chair)
    url = f"/meetings/{meeting.id}/chair/next-item"
    data = {"confirm": "1", "after": seen}
    assert client.post(url, data=data, headers=HX).status_code == 200
    again = client.post(url, data=data, headers=HX)
    assert again.status_code == 422
    assert "Already done: you did “Next item: 2. Article 11”" in again.get_data(
        as_text=True
    ).replace("&#39;", "'")
    assert services.current_item(meeting).id == items[1].id  # not item 3

    other = make_user(name="Co-Chair")
    add_member(room, other, RoomRole.CHAIR)
    auth.logout()
    auth.login(other)
    refused = client.post(url, data=data, headers=HX)
    assert refused.status_code == 422
    assert "The Chair acted just before you" in refused.get_data(as_text=True).replace("&#39;", "'")
    # Nor may the co-chair undo the chair's action: the message says whose it is.
    entry = undo.latest(meeting)
    response = client.post(
        f"/meetings/{meeting.id}/chair/undo", data={"action_id": entry.id}, headers=HX
    )
    assert response.status_code == 422
    assert "was done by The Chair" in response.get_data(as_text=True).replace("&#39;", "'")
    # The co-chair acts; now the chair's undo of the earlier action is refused, naming them.
    client.post(f"/meetings/{meeting.id}/chair/close-list", headers=HX)
    auth.logout()
    auth.login(chair)
    response = client.post(
        f"/meetings/{meeting.id}/chair/undo", data={"action_id": entry.id}, headers=HX
    )
    assert response.status_code == 422
    assert "Co-Chair acted since" in response.get_data(as_text=True).replace("&#39;", "'")
    assert services.current_item(meeting).id == items[1].id


def test_undo_is_refused_after_thirty_seconds(client, auth, db, floor):
    _room, chair, meeting, items, _people = floor
    auth.login(chair)
    client.post(f"/meetings/{meeting.id}/chair/pause", headers=HX)
    entry = undo.latest(meeting)
    entry.created_at -= timedelta(seconds=31)
    db.session.flush()
    response = client.post(
        f"/meetings/{meeting.id}/chair/undo", data={"action_id": entry.id}, headers=HX
    )
    assert response.status_code == 422
    assert "Too late to undo" in response.get_data(as_text=True).replace("&#39;", "'")


def test_a_point_of_order_suspends_the_statement_which_resumes_with_its_time_left(
    client, auth, db, floor, make_user, make_delegation
):
    _room, chair, meeting, items, people = floor
    point = delegate(make_user, make_delegation, name="Delta")
    services.request_floor(
        items[0],
        point,
        kind=FloorKind.POINT_OF_ORDER,
        presence=Presence.IN_ROOM,
        on_behalf_of=point.delegation.name,
    )
    auth.login(chair)
    left = _time_left(items[0])
    # The point of order is first on the list: "next speaker" gives it the floor, no question.
    response = client.post(f"/meetings/{meeting.id}/chair/give-floor", headers=HX)
    assert response.status_code == 200
    assert "Alpha interrupted" in response.get_data(as_text=True).replace("&#39;", "'")
    alpha = services.open_request_of(items[0], people["Alpha"].delegation_id)
    assert alpha.status is FloorStatus.SUSPENDED
    assert services._speaking(items[0]).delegation.name == "Delta"
    # A statement may not take the floor while Alpha's is interrupted.
    beta = services.open_request_of(items[0], people["Beta"].delegation_id)
    refused = client.post(
        f"/meetings/{meeting.id}/chair/give-floor",
        data={"request_id": beta.id, "confirm": "1"},
        headers=HX,
    )
    assert refused.status_code == 422
    refusal = refused.get_data(as_text=True).replace("&#39;", "'")
    assert "interrupted with 2 min 10 sec left" in refusal  # a duration, not a clock
    # Time passes during the point of order; then "next speaker" gives Alpha the floor back.
    alpha.started_at -= timedelta(seconds=40)
    alpha.paused_at -= timedelta(seconds=40)
    db.session.flush()
    back = client.post(f"/meetings/{meeting.id}/chair/give-floor", headers=HX)
    assert back.status_code == 200
    assert "Alpha has the floor back (2 min 10 sec left)" in back.get_data(as_text=True).replace(
        "&#39;", "'"
    )
    db.session.expire_all()
    assert services._speaking(items[0]).delegation.name == "Alpha"
    assert abs(_time_left(items[0]) - left) <= 1
    # The record shows the interruption.
    record = (
        client.get(f"/meetings/{meeting.id}/record").get_data(as_text=True).replace("&#39;", "'")
    )
    assert "interrupted by a point of order (Delta)" in record
    csv = (
        client.get(f"/meetings/{meeting.id}/record-speakers.csv")
        .data.decode("utf-8-sig")
        .replace("&#39;", "'")
    )
    assert "interrupted by a point of order (Delta)" in csv


def test_giving_back_after_the_item_changed_says_what_happened(
    client, auth, db, floor, make_user, make_delegation
):
    _room, chair, meeting, items, people = floor
    point = delegate(make_user, make_delegation, name="Delta")
    services.request_floor(
        items[0],
        point,
        kind=FloorKind.POINT_OF_ORDER,
        presence=Presence.IN_ROOM,
        on_behalf_of=point.delegation.name,
    )
    services.give_floor(items[0], chair)
    alpha = services.open_request_of(items[0], people["Alpha"].delegation_id)
    services.next_item(meeting, chair, services.Waiting.KEEP)
    assert alpha.status is FloorStatus.DONE
    auth.login(chair)
    response = client.post(
        f"/meetings/{meeting.id}/chair/give-floor",
        data={"request_id": alpha.id, "confirm": "1"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "interrupted statement ended when item 1 was left" in response.get_data(
        as_text=True
    ).replace("&#39;", "'")
    assert services._speaking(items[1]) is None  # nothing given, the list untouched
    assert [r.delegation.name for r in services.queue(items[0])] == ["Beta", "Gamma"]


def test_end_turn_and_remove_ask_first(client, auth, db, floor):
    _room, chair, meeting, items, people = floor
    auth.login(chair)
    asked = client.post(f"/meetings/{meeting.id}/chair/end-turn", headers=HX)
    assert "End Alpha's statement (2 min 10 sec left)?" in asked.get_data(as_text=True).replace(
        "&#39;", "'"
    )
    assert services._speaking(items[0]) is not None
    beta = services.open_request_of(items[0], people["Beta"].delegation_id)
    asked = client.post(f"/floor/{beta.id}/remove", headers=HX)
    assert "Take Beta off the speakers' list of item 1?" in asked.get_data(as_text=True).replace(
        "&#39;", "'"
    )
    assert beta.status is FloorStatus.WAITING
    client.post(f"/floor/{beta.id}/remove", data={"confirm": "1"}, headers=HX)
    assert beta.status is FloorStatus.WITHDRAWN
    entry = undo.latest(meeting)
    client.post(f"/meetings/{meeting.id}/chair/undo", data={"action_id": entry.id}, headers=HX)
    db.session.expire_all()
    assert [r.delegation.name for r in services.queue(items[0])] == ["Beta", "Gamma"]


def test_a_delegate_withdraws_after_a_question_and_can_undo(client, auth, db, floor):
    _room, _chair, meeting, items, people = floor
    auth.login(people["Gamma"])
    url = f"/meetings/{meeting.id}/floor/withdraw"
    asked = client.post(url, headers=HX).get_data(as_text=True).replace("&#39;", "'")
    assert "Withdraw your request?" in asked
    assert [r.delegation.name for r in services.queue(items[0])] == ["Beta", "Gamma"]
    done = (
        client.post(url, data={"confirm": "1"}, headers=HX)
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    assert "Undo: back in my place" in done
    assert [r.delegation.name for r in services.queue(items[0])] == ["Beta"]
    back = client.post(f"/meetings/{meeting.id}/floor/undo", headers=HX)
    assert back.status_code == 200
    assert [r.delegation.name for r in services.queue(items[0])] == ["Beta", "Gamma"]
    again = client.post(f"/meetings/{meeting.id}/floor/undo", headers=HX)
    assert again.status_code == 422
    assert "nothing of yours to undo" in again.get_data(as_text=True).replace("&#39;", "'")


def test_an_empty_ruling_is_refused_with_a_message(
    client, auth, db, floor, make_user, make_delegation
):
    _room, chair, meeting, items, _people = floor
    point = delegate(make_user, make_delegation, name="Delta")
    services.request_floor(
        items[0],
        point,
        kind=FloorKind.POINT_OF_ORDER,
        presence=Presence.IN_ROOM,
        on_behalf_of=point.delegation.name,
    )
    services.give_floor(items[0], chair)
    request_ = services._speaking(items[0])
    auth.login(chair)
    response = client.post(f"/floor/{request_.id}/ruling", data={"ruling": "   "}, headers=HX)
    assert response.status_code == 422
    text = response.get_data(as_text=True).replace("&#39;", "'")
    assert "Write the ruling before recording it: it is empty." in text
    assert 'id="ruling-error"' in text
    assert request_.ruling is None
    long = client.post(f"/floor/{request_.id}/ruling", data={"ruling": "x" * 501}, headers=HX)
    assert long.status_code == 422
    assert "501 characters long" in long.get_data(as_text=True).replace("&#39;", "'")


def test_the_console_has_one_flash_region_toggles_in_words_and_minutes(client, auth, db, floor):
    _room, chair, meeting, _items, _people = floor
    auth.login(chair)
    page = (
        client.get(f"/meetings/{meeting.id}/console").get_data(as_text=True).replace("&#39;", "'")
    )
    assert page.count('id="flashes"') == 1
    assert "Planned duration: 30 min" in page
    assert re.search(r'data-control="pause"[^>]*>\s', page) and "(running)" in page
    assert re.search(r'data-control="resume"[^>]*hidden', page)
    assert "Keyboard shortcuts" in page and 'id="shortcuts-on"' in page
    assert 'Give the floor<span class="visually-hidden"> to Beta</span>' in page
    assert 'Remove<span class="visually-hidden"> Beta</span>' in page
    client.post(f"/meetings/{meeting.id}/chair/pause", headers=HX)
    page = (
        client.get(f"/meetings/{meeting.id}/console").get_data(as_text=True).replace("&#39;", "'")
    )
    assert re.search(r'data-control="pause"[^>]*hidden', page) and "(paused)" in page


def test_make_current_from_the_agenda_asks_and_keeps_or_carries(client, auth, db, floor):
    _room, chair, meeting, items, _people = floor
    auth.login(chair)
    url = f"/agenda/{items[2].id}/state/current"
    asked = client.post(url, data={"back": "agenda"})
    text = asked.get_data(as_text=True).replace("&#39;", "'")
    assert asked.status_code == 200
    assert "Item 3: current?" in text and "Alpha's statement ends" in text
    assert "Carry them to item 3" in text and 'name="back" value="agenda"' in text
    assert services.current_item(meeting).id == items[0].id
    done = client.post(url, data={"back": "agenda", "confirm": "1", "waiting": "keep"})
    assert done.status_code == 303
    assert services.current_item(meeting).id == items[2].id
    assert [r.delegation.name for r in services.queue(items[0])] == ["Beta", "Gamma"]


@pytest.mark.parametrize("token", ["²", "-1", "x", "9" * 40])
def test_a_bad_action_token_is_refused_with_a_message(client, auth, db, floor, token):
    _room, chair, meeting, items, _people = floor
    auth.login(chair)
    response = client.post(f"/meetings/{meeting.id}/chair/pause", data={"after": token}, headers=HX)
    assert response.status_code == 422
    assert "invalid action token" in response.get_data(as_text=True)
    assert services._speaking(items[0]).paused_at is None
