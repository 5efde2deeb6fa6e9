"""An agenda one can correct: edit, remove (kept, restorable), restore, move; the amendment
log after adoption (who, when; audited); the change announced live to open agenda pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult import transaction
from consult.audit import AuditEvent
from consult.extensions import socketio
from consult.meetings import agenda, amend, services
from consult.meetings.models import (
    AgendaAmendment,
    AgendaItem,
    Attendance,
    FloorKind,
    ItemState,
    MeetingKind,
    MeetingMode,
)
from consult.papers import services as papers
from consult.papers.models import PaperKind
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow
from tests.conftest import PASSWORD

pytestmark = pytest.mark.meetings
HX = {"HX-Request": "true"}


@pytest.fixture
def session(db, make_user, make_room, add_member):
    """A chair and an agenda of 1, 2, 2(a), 2(b), 3; not adopted yet."""
    room = make_room(AccessLevel.OPEN)
    chair = make_user(name="Chair Person")
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
    )
    add = lambda n, letter, title: services.add_item(  # noqa: E731
        meeting, chair, number=n, letter=letter, title=title
    )
    items = [
        add(1, "", "Opening"),
        add(2, "", "Article 11"),
        add(2, "a", "Diversion cases"),
        add(2, "b", "Post-delivery"),
        add(3, "", "Any other business"),
    ]
    db.session.flush()
    return room, chair, meeting, items


def labels(meeting) -> list[str]:
    return [f"{i.label} {i.title}" for i in services.items_of(meeting)]


def _amendments(meeting) -> list[AgendaAmendment]:
    return agenda.amendments(meeting)


# ---- the services ----------------------------------------------------------------------------


def test_moving_swaps_places_and_sub_items_go_with_their_item(session, db):
    _room, chair, meeting, (one, two, two_a, two_b, three) = session
    amend.move_item(two, chair, "up")
    assert labels(meeting) == [
        "1 Article 11",
        "1(a) Diversion cases",
        "1(b) Post-delivery",
        "2 Opening",
        "3 Any other business",
    ]
    amend.move_item(two_b, chair, "up")
    assert labels(meeting)[1:3] == ["1(a) Post-delivery", "1(b) Diversion cases"]
    amend.move_item(two, chair, "down")
    assert labels(meeting)[0] == "1 Opening"


@pytest.mark.parametrize(
    ("index", "direction", "message"),
    [
        (0, "up", "Item 1 is already first."),
        (4, "down", "Item 3 is already last."),
        (2, "up", r"Item 2\(a\) is already first."),
        (3, "down", r"Item 2\(b\) is already last."),
    ],
)
def test_moving_beyond_the_ends_is_refused(session, db, index, direction, message):
    _room, chair, meeting, items = session
    before = labels(meeting)
    with pytest.raises(services.MeetingError, match=message):
        amend.move_item(items[index], chair, direction)
    assert labels(meeting) == before


def test_removal_keeps_the_item_and_its_papers_and_restore_brings_it_back(session, db):
    room, chair, meeting, (one, two, two_a, two_b, three) = session
    paper = papers.create_paper(
        room,
        chair,
        title="Draft report",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="The text.",
    )

    from consult.meetings import documents

    documents.link_paper(three, chair, paper)
    amend.remove_item(three, chair)
    assert "3 Any other business" not in labels(meeting)
    assert [i.id for i in agenda.removed_items(meeting)] == [three.id]
    assert db.session.get(AgendaItem, three.id) is not None  # kept
    assert services.item_papers(meeting, chair)[three.id] == [paper]  # its papers too
    with pytest.raises(services.MeetingError, match="restore it, or choose another number"):
        services.add_item(meeting, chair, number=3, letter="", title="Another")
    amend.restore_item(three, chair)
    assert labels(meeting)[-1] == "3 Any other business"
    with pytest.raises(services.MeetingError, match="nothing to restore"):
        amend.restore_item(three, chair)


def test_what_cannot_be_removed_says_why(session, db, make_user):
    _room, chair, meeting, (one, two, two_a, two_b, three) = session
    with pytest.raises(services.MeetingError, match=r"sub-items first: 2\(a\), 2\(b\)"):
        amend.remove_item(two, chair)
    services.adopt_agenda(meeting, chair)
    services.set_item_state(one, chair, ItemState.CURRENT)
    with pytest.raises(services.MeetingError, match="under discussion"):
        amend.remove_item(one, chair)
    services.inscribe(one, chair, make_user().delegation, kind=FloorKind.STATEMENT)
    services.set_item_state(three, chair, ItemState.CURRENT)
    with pytest.raises(services.MeetingError, match="defer it instead"):
        amend.remove_item(one, chair)
    amend.remove_item(two_a, chair)
    with pytest.raises(services.MeetingError, match="already removed"):
        amend.remove_item(two_a, chair)
    amend.remove_item(two_b, chair)
    amend.remove_item(two, chair)
    with pytest.raises(services.MeetingError, match="Restore item 2 first"):
        amend.restore_item(two_a, chair)
    with pytest.raises(services.MeetingError, match="restore it first"):
        services.set_item_state(two, chair, ItemState.CURRENT)


def test_changes_before_adoption_are_not_amendments_after_it_they_are(session, db):
    _room, chair, meeting, (one, *_rest) = session
    amend.edit_item(one, chair, title="Opening of the session")
    assert _amendments(meeting) == []
    services.adopt_agenda(meeting, chair)
    amend.edit_item(one, chair, title="Opening", planned_minutes=45)
    services.add_item(meeting, chair, number=4, letter="", title="Closing")
    log = _amendments(meeting)
    assert [a.action for a in log] == ["edited", "added"]
    assert log[0].actor_id == chair.id and log[0].created_at is not None
    assert "title changed from “Opening of the session” to “Opening”" in log[0].summary
    assert "planned duration changed from 30 min to 45 min" in log[0].summary
    assert amend.edit_item(one, chair, title="Opening", planned_minutes=45) == []  # no change


# ---- through the pages -------------------------------------------------------------------------


def test_editing_through_the_form_and_the_log_on_the_agenda(client, auth, session, db):
    _room, chair, meeting, (one, *_rest) = session
    services.adopt_agenda(meeting, chair)
    db.session.flush()
    auth.login(chair)
    page = client.get(f"/agenda/{one.id}/edit")
    assert page.status_code == 200 and "logged as an amendment" in page.get_data(as_text=True)
    response = client.post(
        f"/agenda/{one.id}/edit",
        data={"title": "Opening and adoption", "planned_minutes": "20", "speaking_limit_seconds": "180"},  # noqa: E501
    )  # fmt: skip
    assert response.status_code == 303 and response.location.endswith(f"#item-{one.id}")
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Amendments since the agenda" in html
    assert "title changed from “Opening” to “Opening and adoption”" in html
    assert "Chair Person" in html
    since = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.kind == "meeting.item_edited"))  # fmt: skip
    assert since == 1


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("   ", "Give the item a title: it is empty."),
        ("x" * 301, "This is 301 characters long; at most 300 are accepted."),
    ],
)
def test_a_bad_title_is_refused_next_to_its_field_and_nothing_changes(
    client, auth, session, db, title, message
):
    _room, chair, meeting, (one, *_rest) = session
    auth.login(chair)
    response = client.post(
        f"/agenda/{one.id}/edit",
        data={"title": title, "planned_minutes": "30", "speaking_limit_seconds": "180"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="title-error" role="alert">{message}' in html
    db.session.expire_all()
    assert db.session.get(AgendaItem, one.id).title == "Opening"  # never cut, never emptied


def test_refused_buttons_say_why_next_to_the_item(client, auth, session, db):
    _room, chair, meeting, (one, _two, _a, _b, three) = session
    auth.login(chair)
    up = client.post(f"/agenda/{one.id}/move/up")
    assert up.status_code == 422
    assert f'id="item-{one.id}-error">Item 1 is already first.' in up.get_data(as_text=True)
    restore = client.post(f"/agenda/{three.id}/restore")
    assert restore.status_code == 422
    assert "nothing to restore" in restore.get_data(as_text=True)
    assert labels(meeting)[0] == "1 Opening"
    removed = client.post(f"/agenda/{three.id}/remove")
    assert removed.status_code == 303
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Removed from the agenda" in page and "restore it under" in page
    assert f'action="/agenda/{three.id}/restore"' in page
    assert client.post(f"/agenda/{three.id}/restore").status_code == 303
    assert "3 Any other business" in labels(meeting)


def test_the_buttons_are_labelled_for_screen_readers(client, auth, session, db):
    _room, chair, meeting, _items = session
    auth.login(chair)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'aria-label="Move up, item 2(a)" aria-disabled="true"' in html
    assert 'aria-label="Move down, item 2(b)" aria-disabled="true"' in html
    assert 'aria-label="Remove item 3 from the agenda"' in html
    assert 'id="agenda-announce"' in html and 'role="status"' in html


# ---- live -------------------------------------------------------------------------------------


def test_an_amendment_reaches_open_agenda_pages_without_counting_as_attendance(
    app, client, auth, session, db, make_user
):
    room, chair, meeting, (one, *_rest) = session
    services.adopt_agenda(meeting, chair)
    reader = make_user(name="A reader")
    meeting_id, item_id, emails = meeting.id, one.id, (reader.email, chair.email)
    db.session.flush()
    page = app.test_client()
    page.post("/sign-in", data={"email": emails[0], "password": PASSWORD})
    sc = socketio.test_client(app, namespace="/live", flask_test_client=page)
    try:
        answer = sc.emit(
            "watch_meeting", {"meeting": meeting_id, "view": "agenda"}, namespace="/live",
            callback=True,
        )  # fmt: skip
        assert answer["ok"]
        sc.get_received("/live")
        transaction.discard()
        client.post("/sign-in", data={"email": emails[1], "password": PASSWORD})
        transaction.discard()
        response = client.post(
            f"/agenda/{item_id}/edit",
            data={"title": "Opening, amended", "planned_minutes": "30", "speaking_limit_seconds": "180"},  # noqa: E501
        )  # fmt: skip
        assert response.status_code == 303
        events = [e["args"][0] for e in sc.get_received("/live") if e["name"] == "meeting-agenda"]
        assert events and events[-1]["version"] > answer["version"]
        assert "Opening, amended" in events[-1]["html"]
        assert "Agenda amended" in events[-1]["notice"]
        # Rendered once for everyone: no chair's buttons, no form token, no one's papers.
        assert "csrf" not in events[-1]["html"].lower()
        assert "/remove" not in events[-1]["html"]
        # Reading the agenda is not attending the meeting.
        assert db.session.scalar(
            select(func.count(Attendance.id)).where(Attendance.meeting_id == meeting_id)
        ) == 0  # fmt: skip
    finally:
        sc.disconnect(namespace="/live")


def test_the_fragment_is_what_the_person_may_do(client, auth, session, db, make_user):
    _room, chair, meeting, _items = session
    reader = make_user()
    db.session.flush()
    auth.login(reader)
    html = client.get(f"/meetings/{meeting.id}/agenda", headers=HX).get_data(as_text=True)
    assert 'id="agenda"' in html and "Diversion cases" in html and "/remove" not in html
    auth.logout()
    auth.login(chair)
    html = client.get(f"/meetings/{meeting.id}/agenda", headers=HX).get_data(as_text=True)
    assert "/remove" in html and 'data-manages="true"' in html
