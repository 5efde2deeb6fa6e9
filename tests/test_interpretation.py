"""A meeting's interpretation as a list of channels: the form, the order each viewer sees,
the calendar, the record, and the migration from the old free text."""

from __future__ import annotations

import importlib.util
import io
import re
from datetime import timedelta
from pathlib import Path

import docx
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from consult.accounts.models import DelegationStatus
from consult.extensions import db as _db
from consult.meetings import interpretation, services
from consult.meetings.interpretation import ChannelEntry
from consult.meetings.models import Meeting, MeetingKind, MeetingMode
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow
from tests import ics_strict

pytestmark = pytest.mark.i18n

MIGRATION = Path(__file__).parent.parent / "migrations/versions/0044_interpretation_channels.py"
EN_LINK = "https://interpretation.example.org/wgeti/en"
FR_LINK = "https://interpretation.example.org/wgeti/fr"


@pytest.fixture
def hybrid(db, make_user, make_room, add_member):
    """A transparent room's hybrid meeting, interpreted English (1), French (2), Spanish (3),
    English and French also streamed; a civil-society reader who may see but not attend."""
    room = make_room(AccessLevel.TRANSPARENT)
    chair = make_user(name="The Chair")
    add_member(room, chair, RoomRole.CHAIR)
    reader = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    meeting = services.create_meeting(
        room,
        chair,
        title="WGETI session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow() + timedelta(days=2),
        ends_at=utcnow() + timedelta(days=2, hours=3),
        time_zone="Europe/Zurich",
        venue="CICG, Room 2",
        channels=[
            ChannelEntry("en", "1", EN_LINK),
            ChannelEntry("fr", "2", FR_LINK),
            ChannelEntry("es", "3", note="Relay through English"),
        ],
    )
    db.session.flush()
    return room, chair, reader, meeting


def stored(meeting: Meeting) -> list[tuple]:
    return [
        (c.position, c.language, c.number, c.link, c.note)
        for c in interpretation.channels_of(meeting)
    ]


def form_data(meeting: Meeting, rows: list[dict], **changes) -> dict:
    """The edit form as the chair sends it: the meeting's fields, then the rows."""
    data = {
        "title": meeting.title,
        "kind": meeting.kind.value,
        "mode": meeting.mode.value,
        "venue": meeting.venue,
        "time_zone": meeting.time_zone,
        "starts_at": "2030-03-02T10:00",
        "ends_at": "2030-03-02T13:00",
        "video_link": "",
        "symbol": "",
        **changes,
    }
    for index, row in enumerate(rows):
        for name in ("language", "number", "link", "note"):
            data[f"channels-{index}-{name}"] = row.get(name, "")
    return data


def listed(page: str) -> list[str]:
    """The header's channel lines, as text, in the order shown."""
    found = re.search(r'<ul class="channel-list".*?</ul>', page, re.S)
    assert found, "no interpretation in the header"
    items = re.findall(r"<li>(.*?)</li>", found.group(0), re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


# ---- languages ------------------------------------------------------------------------------


def test_languages_are_named_in_the_viewers_language_and_in_their_own(app):
    with app.test_request_context():
        assert interpretation.language_name("fr") == "French"
        assert interpretation.native_name("fr") == "Français"
        assert interpretation.native_name("zh") == "中文"
        assert interpretation.is_rtl("ar") and not interpretation.is_rtl("fr")
        with force_locale("fr"):
            assert interpretation.language_name("en") == "Anglais"
            assert interpretation.find_language("allemand") == "de"
        with force_locale("es"):
            assert interpretation.language_name("fr") == "Francés"
        # A code, the name in English or in itself is understood whatever the interface.
        for typed in ("fr", "FR", "French", "français", "Francais", " french "):
            assert interpretation.find_language(typed) == "fr", typed
        assert interpretation.find_language("Klingon") is None
        names = interpretation.language_names()
        # The six of the United Nations first, then the rest.
        assert names[:6] == ["Arabic", "Chinese", "English", "French", "Russian", "Spanish"]
        assert "Swahili" in names and len(names) == len(interpretation.codes())


# ---- the order each viewer sees --------------------------------------------------------------


def test_each_viewer_sees_their_own_language_first_then_the_chairs_order(app, hybrid):
    _room, _chair, _reader, meeting = hybrid
    channels = interpretation.channels_of(meeting)
    with app.test_request_context():
        assert [c.language for c in interpretation.ordered(channels)] == ["en", "fr", "es"]
        with force_locale("fr"):
            assert [c.language for c in interpretation.ordered(channels)] == ["fr", "en", "es"]
            shown = interpretation.shown(channels)
            assert [c.name for c in shown] == ["Français", "Anglais", "Espagnol"]
            # The viewer's own language needs no second name; the others have theirs.
            assert [c.native for c in shown] == ["", "English", "Español"]
        with force_locale("es"):
            assert [c.language for c in interpretation.ordered(channels)] == ["es", "en", "fr"]
        # A language without a channel changes nothing: the chair's order.
        assert [c.language for c in interpretation.ordered(channels, "de")] == ["en", "fr", "es"]


def test_the_header_lists_channels_in_the_viewers_language_first(client, auth, hybrid):
    _room, chair, _reader, meeting = hybrid
    auth.login(chair)
    english = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert listed(english)[0].startswith("English")
    assert listed(english)[1].startswith("French (Français) · Channel 2")
    assert '<bdi lang="fr">Français</bdi>' in english
    assert f'href="{FR_LINK}"' in english  # the chair may attend: the streams are there
    assert "Relay through English" in english
    french = client.get(
        f"/meetings/{meeting.id}", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"}
    )
    lines = listed(french.get_data(as_text=True))
    assert [line.split(" ")[0] for line in lines] == ["Français", "Anglais", "Espagnol"]
    assert '<bdi lang="en">English</bdi>' in french.get_data(as_text=True)


def test_stream_links_only_for_those_who_may_attend(client, auth, hybrid):
    _room, _chair, reader, meeting = hybrid
    auth.login(reader)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert [line.split(" ")[0] for line in listed(page)] == ["English", "French", "Spanish"]
    assert "Channel 2" in page  # the languages and channels are part of the meeting page
    assert "interpretation.example.org" not in page
    assert "The stream links are shown to participants of this room." in page


def test_only_those_who_may_see_the_meeting_see_its_channels(
    client, auth, db, make_user, make_room, add_member
):
    room = make_room(AccessLevel.MEMBERS)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    meeting = services.create_meeting(
        room,
        chair,
        title="Members only",
        kind=MeetingKind.INFORMAL_CONSULTATION,
        mode=MeetingMode.VIRTUAL,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        time_zone="UTC",
        channels=[ChannelEntry("fr", link="https://interpretation.example.org/canary-fr")],
    )
    db.session.flush()
    auth.login(make_user())
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/meetings/{meeting.id}.ics").status_code == 404


# ---- the form -------------------------------------------------------------------------------


def test_a_list_of_channels_is_saved_in_the_chairs_order(
    client, auth, db, make_user, make_room, add_member
):
    room = make_room(AccessLevel.TRANSPARENT, time_zone="Europe/Zurich")
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)
    page = client.get(f"/rooms/{room.slug}/meetings/new").get_data(as_text=True)
    assert 'name="channels-2-language"' in page  # blank rows to fill in
    assert '<datalist id="interpretation-languages">' in page
    data = {
        "title": "Informal consultation",
        "kind": "informal_consultation",
        "mode": "hybrid",
        "time_zone": "Europe/Zurich",
        "starts_at": "2030-03-02T10:00",
        "ends_at": "2030-03-02T13:00",
        "channels-0-language": "French",
        "channels-0-number": "2",
        "channels-1-language": "",  # a blank row in between is left out
        "channels-2-language": "en",
        "channels-2-number": "1",
        "channels-2-link": EN_LINK,
        "channels-3-language": "العربية",
        "channels-3-link": "https://interpretation.example.org/wgeti/ar",
        "channels-3-note": "  Plenary   only ",
    }
    response = client.post(f"/rooms/{room.slug}/meetings/new", data=data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    meeting = db.session.scalars(select(Meeting).where(Meeting.room_id == room.id)).one()
    assert stored(meeting) == [
        (1, "fr", 2, "", ""),
        (2, "en", 1, EN_LINK, ""),
        (3, "ar", None, "https://interpretation.example.org/wgeti/ar", "Plenary only"),
    ]
    # The edit form shows them again, named, with blank rows after them.
    page = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert 'name="channels-0-language" type="text" value="French"' in page
    assert 'name="channels-2-language" type="text" value="Arabic"' in page
    assert 'name="channels-4-language"' in page
    # Saved again unchanged, then emptied: the rows go.
    rows = [{"language": "French", "number": "2"}, {"language": "English", "number": "1"}]
    response = client.post(f"/meetings/{meeting.id}/edit", data=form_data(meeting, rows))
    assert response.status_code in (302, 303)
    assert [row[1:3] for row in stored(meeting)] == [("fr", 2), ("en", 1)]
    response = client.post(f"/meetings/{meeting.id}/edit", data=form_data(meeting, []))
    assert response.status_code in (302, 303)
    assert stored(meeting) == []


BAD_ROWS = [
    pytest.param(
        [{"language": "Klingon", "number": "4"}],
        "channels-0-language",
        "“Klingon” is not a language we know",
        id="unknown-language",
    ),
    pytest.param(
        [{"number": "4"}],
        "channels-0-language",
        "Choose the language of this channel.",
        id="no-language",
    ),
    pytest.param(
        [{"language": "German", "link": "http://stream.example.org/de"}],
        "channels-0-link",
        "beginning with https://",
        id="not-https",
    ),
    pytest.param(
        [{"language": "German", "link": "stream for German"}],
        "channels-0-link",
        "beginning with https://",
        id="not-a-link",
    ),
    pytest.param(
        [{"language": "German", "link": "https://example.org/" + "x" * 500}],
        "channels-0-link",
        "520 characters long; at most 500",
        id="link-too-long",
    ),
    pytest.param(
        [{"language": "German", "note": "From 15:00"}],
        "channels-0-number",
        "Give the channel on the room's receivers, the stream link, or both.",
        id="neither-link-nor-channel",
    ),
    pytest.param(
        [{"language": "German", "number": "two"}],
        "channels-0-number",
        "whole number from 0 to 99",
        id="number-not-a-number",
    ),
    pytest.param(
        [{"language": "German", "number": "100"}],
        "channels-0-number",
        "whole number from 0 to 99",
        id="number-too-high",
    ),
    pytest.param(
        [{"language": "German", "number": "4"}, {"language": "de", "number": "5"}],
        "channels-1-language",
        "German is already in the list (row 1): each language has one channel.",
        id="duplicate-language",
    ),
    pytest.param(
        [{"language": "German", "number": "4", "note": "n" * 201}],
        "channels-0-note",
        "201 characters long; at most 200",
        id="note-too-long",
    ),
]


@pytest.mark.parametrize(("rows", "field", "message"), BAD_ROWS)
def test_bad_channels_are_refused_next_to_their_field_and_nothing_changes(
    client, auth, hybrid, rows, field, message
):
    _room, chair, _reader, meeting = hybrid
    before = stored(meeting)
    auth.login(chair)
    good = [{"language": "English", "number": "1"}]
    data = form_data(meeting, [*good, *rows], title="Renamed session")
    response = client.post(f"/meetings/{meeting.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    shifted = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), field, count=1)
    error = re.search(rf'<p class="error" id="{shifted}-error" role="alert">(.*?)</p>', page, re.S)
    assert error, f"no message next to {shifted}"
    expected = message.replace("row 1", "row 2")
    assert expected in error.group(1).replace("&#39;", "'").replace("&#34;", '"')
    field_tag = re.search(rf'<input[^>]*\bid="{shifted}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field_tag and f"{shifted}-error" in field_tag
    # What was typed is kept to correct; nothing is stored.
    assert 'value="Renamed session"' in page
    assert stored(meeting) == before
    _db.session.expire(meeting)
    assert meeting.title == "WGETI session"


def test_every_bad_row_is_shown_at_once(client, auth, hybrid):
    _room, chair, _reader, meeting = hybrid
    auth.login(chair)
    rows = [{"language": "Klingon", "number": "1"}, {"language": "German"}]
    page = client.post(f"/meetings/{meeting.id}/edit", data=form_data(meeting, rows))
    text = page.get_data(as_text=True)
    assert 'id="channels-0-language-error"' in text and 'id="channels-1-number-error"' in text


def test_a_meeting_has_at_most_thirty_channels(app):
    many = [ChannelEntry(code, link=EN_LINK) for code in sorted(interpretation.codes())[:31]]
    with app.test_request_context():
        checked, problems = interpretation.problems(many)
    assert len(checked) == 30
    assert problems == {(30, "language"): "A meeting has at most 30 interpretation channels."}


def test_the_service_refuses_a_bad_channel_with_its_field(app, hybrid):
    room, chair, _reader, _meeting = hybrid
    with app.test_request_context(), pytest.raises(services.MeetingError) as refused:
        services.create_meeting(
            room,
            chair,
            title="Bad",
            kind=MeetingKind.WORKING_GROUP_SESSION,
            mode=MeetingMode.VIRTUAL,
            starts_at=utcnow(),
            ends_at=utcnow() + timedelta(hours=1),
            time_zone="UTC",
            channels=[ChannelEntry("fr", "2"), ChannelEntry("es", link="ftp://x.example.org")],
        )
    assert refused.value.field == "channels-1-link"


def test_row_buttons_rearrange_the_rows_and_save_nothing(client, auth, hybrid):
    _room, chair, _reader, meeting = hybrid
    before = stored(meeting)
    auth.login(chair)
    rows = [{"language": "English", "number": "1"}, {"language": "French", "number": "2"}]

    def values(response) -> list[str]:
        return re.findall(r'name="channels-\d+-language" type="text" value="([^"]*)"', response)

    added = client.post(
        f"/meetings/{meeting.id}/edit", data={**form_data(meeting, rows), "channel_action": "add"}
    )
    assert added.status_code == 200
    assert values(added.get_data(as_text=True)) == ["English", "French", ""]
    moved = client.post(
        f"/meetings/{meeting.id}/edit", data={**form_data(meeting, rows), "channel_action": "up-1"}
    )
    assert values(moved.get_data(as_text=True)) == ["French", "English"]
    removed = client.post(
        f"/meetings/{meeting.id}/edit",
        data={**form_data(meeting, rows), "channel_action": "remove-0"},
    )
    assert values(removed.get_data(as_text=True)) == ["French"]
    # A button with nonsense is no button: the form is saved as usual.
    odd = client.post(
        f"/meetings/{meeting.id}/edit",
        data={**form_data(meeting, rows), "channel_action": "remove-99999999999"},
    )
    assert odd.status_code in (302, 303)
    assert [row[1] for row in stored(meeting)] == ["en", "fr"] != [row[1] for row in before]


# ---- the calendar and the record ------------------------------------------------------------


def description(data: bytes) -> str:
    (event,) = ics_strict.events(data)
    return str(event.get("description"))


def test_the_calendar_lists_the_channels_in_the_readers_language(client, auth, hybrid):
    _room, chair, reader, meeting = hybrid
    auth.login(chair)
    text = description(client.get(f"/meetings/{meeting.id}.ics").data)
    assert (
        f"Interpretation:\nEnglish: channel 1, {EN_LINK}\nFrench: channel 2, {FR_LINK}\n"
        "Spanish: channel 3, Relay through English" in text
    )
    french = client.get(f"/meetings/{meeting.id}.ics", headers={"Accept-Language": "fr"})
    lines = description(french.data).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Français"))
    # French writes a no-break space before the colon.
    assert [line.split(":")[0].strip() for line in lines[start : start + 3]] == [
        "Français",
        "Anglais",
        "Espagnol",
    ]
    auth.logout()
    auth.login(reader)  # may see, may not attend: no stream links in the calendar either
    text = description(client.get(f"/meetings/{meeting.id}.ics").data)
    assert "English: channel 1\nFrench: channel 2\n" in text
    assert "interpretation.example.org" not in text


def test_the_private_feed_reads_every_meetings_channels_at_once(app, hybrid, db, count_queries):
    room, chair, _reader, _meeting = hybrid

    def feed_statements() -> int:
        from consult.meetings import calendar

        with app.test_request_context(), count_queries() as statements:
            meetings = calendar.my_meetings(chair)
            data = calendar.ics(meetings, base_url="http://x/", name="feed", user=chair)
        assert data.replace(b"\r\n ", b"").count(b"Interpretation:") == len(meetings)
        return len(statements)

    feed_statements()  # the installation's id and the person's roles, read once and kept
    few = feed_statements()
    for n in range(3):
        services.create_meeting(
            room,
            chair,
            title=f"Another {n}",
            kind=MeetingKind.WORKING_GROUP_SESSION,
            mode=MeetingMode.VIRTUAL,
            starts_at=utcnow() + timedelta(days=n + 3),
            ends_at=utcnow() + timedelta(days=n + 3, hours=1),
            time_zone="UTC",
            channels=[ChannelEntry("fr", link=FR_LINK)],
        )
    db.session.flush()
    assert feed_statements() == few


def test_the_record_names_the_languages_in_its_own(client, auth, hybrid):
    _room, chair, _reader, meeting = hybrid
    auth.login(chair)
    document = docx.Document(io.BytesIO(client.get(f"/meetings/{meeting.id}/record.docx").data))
    text = "\n".join(p.text for p in document.paragraphs)
    for section in document.sections:
        text += "\n".join(p.text for p in section.header.paragraphs)
    assert "Interpretation: English, French, and Spanish" in text  # CLDR's English list
    french = client.get(f"/meetings/{meeting.id}/record.docx", headers={"Accept-Language": "fr"})
    document = docx.Document(io.BytesIO(french.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "français, anglais et espagnol" in text  # its language first, named as in a sentence


# ---- the migration from the free text -------------------------------------------------------


def _migration():
    spec = importlib.util.spec_from_file_location("interpretation_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("English, French, Spanish", ["en", "fr", "es"]),
        ("English and French", ["en", "fr"]),
        ("Arabic; Chinese / Russian & English", ["ar", "zh", "ru", "en"]),
        ("english (floor), FRENCH, Español, fr", ["en", "fr", "es"]),
        ("English, French, International Sign, tbc", ["en", "fr"]),
        ("all six official languages", []),
        ("", []),
    ],
)
def test_the_migration_turns_the_old_text_into_channels(text, codes):
    assert _migration().channels_from_text(text) == codes


MIGRATION_SCRIPT = r"""
import importlib.util, sqlite3, sys
from flask_migrate import downgrade, upgrade
from consult import create_app
from consult.config import TestConfig

path, migration = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("m", migration)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
before = module.down_revision

config = type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
app = create_app(config)
with app.app_context():
    upgrade(revision=before)
    raw = sqlite3.connect(path)

    def insert(table, **given):
        # Every NOT NULL column without a default gets a plain value unless given.
        values = {}
        for _cid, name, kind, notnull, default, pk in raw.execute(f"PRAGMA table_info({table})"):
            if name in given:
                values[name] = given[name]
            elif notnull and default is None and not pk:
                kind = kind.upper()
                values[name] = (
                    0 if "INT" in kind or "BOOL" in kind
                    else "2026-01-01 00:00:00" if "DATE" in kind
                    else "x"
                )
        names = ", ".join(f'"{n}"' for n in values)
        marks = ", ".join("?" for _ in values)
        raw.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(values.values()))

    insert("delegation", id=1, name="D", short_name="D", status="state_party")
    insert("user", id=1, delegation_id=1, email="a@example.org", name="A", time_zone="UTC")
    insert("room", id=1, slug="r", kind="small_group", access="open", time_zone="UTC")
    meeting = dict(
        room_id=1, created_by_id=1, kind="working_group_session", mode="hybrid",
        time_zone="UTC", screen_mode="speakers",
    )
    insert("meeting", id=1, interpretation="English, French and Klingon", **meeting)
    insert("meeting", id=2, interpretation="", **meeting)
    insert("agenda_item", id=1, meeting_id=1, number=1, letter="", state="pending")
    raw.commit()
    upgrade(revision="0044")
    channels = raw.execute(
        "SELECT meeting_id, position, language, number, link FROM interpretation_channel"
        " ORDER BY meeting_id, position"
    ).fetchall()
    assert channels == [(1, 1, "en", None, ""), (1, 2, "fr", None, "")], channels
    columns = [row[1] for row in raw.execute("PRAGMA table_info(meeting)")]
    assert "interpretation" not in columns, columns
    # The meeting's children are still there (a copy of the table would have deleted them).
    assert raw.execute("SELECT count(*) FROM agenda_item").fetchone() == (1,)
    downgrade(revision=before)
    rows = raw.execute("SELECT id, interpretation FROM meeting ORDER BY id").fetchall()
    assert rows == [(1, "English, French"), (2, "")], rows
    assert raw.execute("SELECT count(*) FROM agenda_item").fetchone() == (1,)
print("migrated")
"""


def test_the_migration_keeps_the_meetings_children_and_goes_back(tmp_path):
    """On a database of its own (in a process of its own): the old text, up, then back."""
    import subprocess
    import sys

    script = tmp_path / "migrate.py"
    script.write_text(MIGRATION_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "old.db"), str(MIGRATION)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0 and "migrated" in result.stdout, result.stderr[-3000:]
