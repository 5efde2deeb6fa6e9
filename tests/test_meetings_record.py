"""The meeting's record done properly: the house Word file (A4, symbol and date in the header,
date, time, venue, mode, chair; attendance by presence, status and regional group; statements
with their durations, interruptions and rulings; each item's documents), the same as PDF, two
CSV files, and the old combined CSV gone (410) with the new files named."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import docx
import pytest
from docx.shared import Cm

from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.meetings import record, services
from consult.meetings.models import FloorKind, ItemState, MeetingKind, MeetingMode, Presence
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import document_date, utcnow

pytestmark = pytest.mark.meetings

STARTS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Geneva


@dataclass
class Doc:
    """A document of an item, as the documents of a meeting give them."""

    title: str
    kind: str
    circulated_at: datetime
    late: bool


@pytest.fixture
def held(db, make_user, make_room, add_member, make_delegation, clock):
    """A meeting held: two items, a statement interrupted by a point of order with a ruling,
    a statement still going on; attendance in the room and remote."""
    room = make_room(AccessLevel.OPEN, title="Working Group on Effective Treaty Implementation")
    chair = make_user(name="Ambassador Chair")
    add_member(room, chair, RoomRole.CHAIR)
    meeting = services.create_meeting(
        room,
        chair,
        title="WGETI first session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=3),
        time_zone="Europe/Zurich",
        venue="CICG, Room 2, Geneva",
        symbol="ATT/CSP12.WGETI/2026/SEC/3/Rec",
    )
    first = services.add_item(meeting, chair, number=1, letter="", title="Opening")
    second = services.add_item(meeting, chair, number=2, letter="", title="Article 11")
    services.adopt_agenda(meeting, chair)
    alpha = make_user(
        name="Ana Alpha",
        delegation=make_delegation(
            DelegationStatus.STATE_PARTY, name="Alphaland", group=RegionalGroup.WEOG
        ),
    )
    beta = make_user(
        name="Ben Beta",
        delegation=make_delegation(
            DelegationStatus.SIGNATORY, name="Betaland", group=RegionalGroup.AFRICAN
        ),
    )
    services.seen(meeting, alpha, Presence.IN_ROOM, connected=False)
    services.seen(meeting, beta, Presence.REMOTE, connected=False)
    services.set_item_state(first, chair, ItemState.CURRENT)
    statement = services.inscribe(first, chair, alpha.delegation)
    services.give_floor(first, chair, statement)
    clock.move(seconds=65)
    order = services.inscribe(first, chair, beta.delegation, kind=FloorKind.POINT_OF_ORDER)
    services.give_floor(first, chair, order)
    clock.move(seconds=20)
    services.record_ruling(order, chair, "The point is well taken.")
    services.give_floor(first, chair, statement)  # Alphaland has the floor back
    clock.move(seconds=60)
    services.end_turn(first, chair)
    services.set_item_state(second, chair, ItemState.CURRENT)
    current = services.inscribe(second, chair, beta.delegation)
    services.give_floor(second, chair, current)
    clock.move(seconds=42)
    db.session.flush()
    return room, chair, meeting, (first, second)


def _text(document) -> str:
    body = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(body + cells)


def test_the_word_record_is_a_house_document(app, held):
    _room, _chair, meeting, (first, _second) = held
    with app.test_request_context():
        document = docx.Document(io.BytesIO(record.record_docx(meeting)))
    section = document.sections[0]
    # A4 (Word stores twentieths of a point: within a tenth of a millimetre)
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    header = "\n".join(p.text for p in section.header.paragraphs)
    issued = document_date(utcnow(), "en", "Europe/Zurich")  # the record's issue date
    assert "ATT/CSP12.WGETI/2026/SEC/3/Rec" in header and issued in header
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    first_lines = [p.text for p in document.paragraphs[:12]]
    assert "WGETI first session" in first_lines
    assert "Date: 1 December 2026" in first_lines
    assert "Time: 10:00 to 13:00 (Zurich time)" in first_lines
    assert "Venue: CICG, Room 2, Geneva" in first_lines
    assert "Mode: Hybrid" in first_lines
    assert "Chair: Ambassador Chair" in first_lines
    assert document.core_properties.title == "WGETI first session"


def test_attendance_by_presence_status_and_regional_group(app, held):
    _room, _chair, meeting, _items = held
    with app.test_request_context():
        document = docx.Document(io.BytesIO(record.record_docx(meeting)))
    texts = [p.text for p in document.paragraphs]
    at = texts.index("Attendance")
    assert texts[at + 1] == "2 delegations attended (1 in the room, 1 remote), 2 people."
    assert {"By status", "By regional group", "Participants"} <= set(texts)
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["State Party", "1", "1", "0", "1"] in rows
    assert ["African Group", "1", "0", "1", "1"] in rows
    assert ["Ana Alpha", "Alphaland", "In the room"] in rows


def test_statements_with_durations_interruptions_and_rulings(app, held):
    _room, _chair, meeting, _items = held
    with app.test_request_context():
        document = docx.Document(io.BytesIO(record.record_docx(meeting)))
    rows = [
        [c.text for c in row.cells]
        for t in document.tables
        for row in t.rows
        if t.rows[0].cells[0].text == "#"
    ]
    statement = next(r for r in rows if r[1] == "Alphaland")
    assert statement[4] == "2 min 5 sec"  # 65 s, then 60 s after the point of order
    assert "interrupted by a point of order (Betaland)" in statement[2]
    assert next(r for r in rows if r[2] == "Point of order")[4] == "20 sec"
    speaking = [r for r in rows if r[1] == "Betaland" and r[2] == "Statement"][0]
    assert speaking[4] == "42 sec so far (speaking)"  # never "0:00" for the current speaker
    assert all("0:00" not in c for r in rows for c in r)
    text = _text(document)
    assert "Ruling on the point of order by Betaland: The point is well taken." in text
    assert "Item 2. Article 11" in text


def test_the_documents_of_each_item_are_listed_when_given(app, held):
    _room, _chair, meeting, (first, second) = held
    documents = {
        first.id: [
            Doc("Provisional agenda", "Agenda", datetime(2026, 11, 2, 12, tzinfo=UTC), False)
        ],
        second.id: [Doc("Chair's draft", "Draft", datetime(2026, 11, 30, 12, tzinfo=UTC), True)],
    }
    with app.test_request_context():
        listed = _text(docx.Document(io.BytesIO(record.record_docx(meeting, documents))))
        plain = _text(docx.Document(io.BytesIO(record.record_docx(meeting))))
    assert "Provisional agenda (Agenda), circulated 2 November 2026" in listed
    assert "Chair's draft (Draft), circulated 30 November 2026, late" in listed
    assert "Provisional agenda" not in plain and "Documents" not in plain


def test_no_empty_attendance_heading(app, db, make_user, make_room, add_member):
    room = make_room(AccessLevel.OPEN)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    meeting = services.create_meeting(
        room,
        chair,
        title="Nobody came",
        kind=MeetingKind.INFORMAL_CONSULTATION,
        mode=MeetingMode.VIRTUAL,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
        time_zone="UTC",
    )
    with app.test_request_context():
        document = docx.Document(io.BytesIO(record.record_docx(meeting)))
    texts = [p.text for p in document.paragraphs]
    at = texts.index("Attendance")
    assert texts[at + 1] == "Nobody was recorded as attending."
    assert not any(t.startswith("Venue:") for t in texts)  # no venue given, no empty line


def test_under_the_chatham_house_rule_the_record_names_nobody(app, held, db):
    _room, _chair, meeting, _items = held
    meeting.is_chatham_house = True
    db.session.flush()
    with app.test_request_context():
        text = _text(docx.Document(io.BytesIO(record.record_docx(meeting))))
        files = (record.speakers_csv(meeting) + record.attendance_csv(meeting)).decode("utf-8-sig")
    for name in ("Alphaland", "Betaland", "Ana Alpha", "Ben Beta"):
        assert name not in text and name not in files
    assert "a State Party" in text and "State Party" in files and "Participants" not in text


def test_the_pdf_is_the_word_record_printed(app, held, to_pdf):
    _room, _chair, meeting, _items = held
    with app.test_request_context():
        (pages,) = to_pdf([record.record_docx(meeting)])
    first = pages[0]
    assert "ATT/CSP12.WGETI/2026/SEC/3/Rec" in first and "Date: 1 December 2026" in first
    assert "CICG, Room 2, Geneva" in first and "Attendance" in first and "Ana Alpha" in first


def test_downloads_and_the_old_csv_gone(client, auth, held, monkeypatch):
    _room, chair, meeting, _items = held
    auth.login(chair)
    base = f"/meetings/{meeting.id}"
    word = client.get(f"{base}/record.docx")
    assert word.status_code == 200
    assert 'filename="ATT-CSP12.WGETI-2026-SEC-3-Rec.docx"' in word.headers["Content-Disposition"]
    assert word.headers["Cache-Control"] == "private, no-store"
    speakers = client.get(f"{base}/record-speakers.csv")
    assert speakers.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert speakers.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(speakers.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Item", "Item title", "Turn", "Delegation"]
    assert [r[3] for r in rows[1:]] == ["Alphaland", "Betaland", "Betaland"]
    attendance = client.get(f"{base}/record-attendance.csv")
    rows = list(csv.reader(io.StringIO(attendance.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Name", "Delegation", "Status", "Regional group", "Presence"]
    assert rows[1][:5] == ["Ana Alpha", "Alphaland", "State Party", "WEOG", "In the room"]
    gone = client.get(f"{base}/record.csv")
    assert gone.status_code == 410
    html = gone.get_data(as_text=True)
    assert "record-speakers.csv" in html and "record-attendance.csv" in html
    # No converter on the server: the record's page says so; the Word file still works.
    monkeypatch.setenv("CONSULT_SOFFICE", "/nonexistent/soffice")
    refused = client.get(f"{base}/record.pdf")
    assert refused.status_code in (302, 303) and refused.location.endswith(f"{base}/record")
    page = client.get(f"{base}/record").get_data(as_text=True)
    assert "PDF is not available on this server" in page
    assert "42 sec so far (speaking)" in page


def test_the_pdf_route_answers_a_pdf(client, auth, held):
    _room, chair, meeting, _items = held
    auth.login(chair)
    response = client.get(f"/meetings/{meeting.id}/record.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Type"] == "application/pdf"
