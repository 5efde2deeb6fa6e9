"""consult.dates: one date style per language, zones named, relative times, durations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from consult import dates

pytestmark = pytest.mark.i18n

#: 13:30:05 UTC on Friday 4 December 2026: 14:30:05 in Geneva (Europe/Zurich, CET).
WHEN = datetime(2026, 12, 4, 13, 30, 5, tzinfo=UTC)
NBSP, NNBSP = "\xa0", "\u202f"

STYLES = {
    "en": {
        "day": "4 Dec 2026",
        "long_day": "Friday 4 December 2026",
        "document": "4 December 2026",
        "moment": "4 Dec 2026, 14:30",
        "weekday_moment": "Fri 4 Dec 2026, 14:30",
        "short_moment": "Fri 4 Dec, 14:30",
        "weekday": "Friday 4 December",
        "time": "14:30",
        "seconds": "14:30:05",
        "moment_seconds": "4 Dec 2026, 14:30:05",
    },
    "fr": {
        "day": "4 déc. 2026",
        "long_day": "vendredi 4 décembre 2026",
        "document": "4 décembre 2026",
        "moment": "4 déc. 2026, 14:30",
        "weekday_moment": "ven. 4 déc. 2026, 14:30",
        "short_moment": "ven. 4 déc., 14:30",
        "weekday": "vendredi 4 décembre",
        "time": "14:30",
        "seconds": "14:30:05",
        "moment_seconds": "4 déc. 2026, 14:30:05",
    },
    "es": {
        "day": "4 dic 2026",
        "long_day": "viernes, 4 de diciembre de 2026",
        "document": "4 de diciembre de 2026",
        "moment": "4 dic 2026, 14:30",
        "weekday_moment": "vie, 4 dic 2026, 14:30",
        "short_moment": "vie, 4 dic, 14:30",
        "weekday": "viernes, 4 de diciembre",
        "time": "14:30",
        "seconds": "14:30:05",
        "moment_seconds": "4 dic 2026, 14:30:05",
    },
}


@pytest.mark.parametrize(
    ("language", "style"), [(lang, style) for lang in STYLES for style in STYLES[lang]]
)
def test_each_style_in_each_language(app, language, style):
    with app.app_context():
        assert (
            dates.moment(WHEN, style, zone="Europe/Zurich", language=language)
            == (STYLES[language][style])
        )


def test_no_style_writes_the_month_as_a_number_or_a_12_hour_clock(app):
    evening = datetime(2026, 1, 12, 20, 4, tzinfo=UTC)  # 12/1 or 1/12: read two ways
    with app.app_context():
        for language in STYLES:
            for style in STYLES[language]:
                shown = dates.moment(evening, style, zone="UTC", language=language)
                assert "/" not in shown and "PM" not in shown and "pm" not in shown, shown
                if style not in ("time", "seconds"):
                    assert "1" not in shown.replace("12", "").replace("2026", ""), shown


def test_babel_style_names_map_onto_ours(app):
    with app.app_context():
        for babel_name, ours in dates.STYLES.items():
            assert dates.moment(WHEN, babel_name, zone="UTC", language="en") == dates.moment(
                WHEN, ours, zone="UTC", language="en"
            )
        # A CLDR pattern still passes through as it is (older callers).
        assert dates.moment(WHEN, "y", zone="UTC", language="en") == "2026"


def test_times_are_in_the_readers_zone_and_a_day_is_the_zones_day(app):
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 2 December in Geneva
    with app.test_request_context():
        # No zone given: the reader's (UTC for an anonymous request here).
        assert dates.moment(late, language="en") == "1 Dec 2026, 23:30"
        assert dates.day(late, zone="Europe/Zurich", language="en") == "2 Dec 2026"
        assert dates.day(late, zone="UTC", language="en") == "1 Dec 2026"
        assert dates.day(date(2026, 12, 1), "long_day", language="fr") == "mardi 1 décembre 2026"
        assert dates.moment(None) == "" and dates.day(None) == ""


def test_document_date_prints_the_month_in_words(app):
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    with app.app_context():
        assert dates.document_date(late, "en", "Europe/Zurich") == "2 December 2026"
        assert dates.document_date(late, "fr", "Europe/Zurich") == "2 décembre 2026"
        assert dates.document_date(late, "es", "Europe/Zurich") == "2 de diciembre de 2026"
        assert dates.document_date(late, "xx") == "1 December 2026"  # not offered: English
        from consult.timeutil import document_date  # the old name still works

        assert document_date(late, "es", "Europe/Zurich") == "2 de diciembre de 2026"


def test_zones_are_named_by_their_city_in_the_readers_words(app):
    with app.app_context():
        assert dates.zone_name("Europe/Zurich", language="en") == "Zurich"
        assert dates.zone_name("Europe/Zurich", language="es") == "Zúrich"
        assert dates.zone_name("America/New_York", language="es") == "Nueva York"
        assert dates.zone_name("Europe/London", language="fr") == "Londres"
        assert dates.zone_name("UTC", language="fr") == "UTC"
        assert dates.zone_name("Not/AZone", language="en") == "Not/AZone"


def test_zoned_names_the_zone_in_the_language_of_the_date(app):
    with app.test_request_context():  # an English request: the words follow `language`
        assert dates.zoned(WHEN, zone="Europe/Zurich", language="en") == (
            "4 Dec 2026, 14:30 (Zurich time)"
        )
        assert dates.zoned(WHEN, zone="Europe/Zurich", language="fr") == (
            "4 déc. 2026, 14:30 (heure de Zurich)"
        )
        assert dates.zoned(WHEN, "time", zone="UTC", language="en") == "13:30 UTC"
        assert dates.zoned(WHEN, zone="America/New_York", language="en") == (
            "4 Dec 2026, 08:30 (New York time)"
        )
        assert dates.zoned(None) == ""


def test_relative_times_in_each_language(app):
    with app.app_context():
        now = WHEN - timedelta(days=3)
        assert dates.relative(WHEN, now=now, language="en") == "in 3 days"
        assert dates.relative(WHEN, now=now, language="fr") == "dans 3 jours"
        assert dates.relative(WHEN, now=now, language="es") == "dentro de 3 días"
        later = WHEN + timedelta(hours=2)
        assert dates.relative(WHEN, now=later, language="en") == "2 hours ago"
        assert dates.relative(WHEN, now=later, language="fr") == "il y a 2 heures"
        assert dates.relative(WHEN, now=later, language="es") == "hace 2 horas"
        assert dates.relative(WHEN, now=WHEN - timedelta(minutes=5), language="en") == (
            "in 5 minutes"
        )
        assert dates.relative(None) == ""


def test_a_deadline_shows_its_zone_and_how_far_it_is_in_time_tags(app):
    with app.test_request_context():
        shown = str(
            dates.when(WHEN, zone="Europe/Zurich", language="en", now=WHEN - timedelta(days=3))
        )
    iso = WHEN.isoformat()
    assert shown == (
        f'<time datetime="{iso}">4 Dec 2026, 14:30 (Zurich time)</time> · '
        f'<span class="relative"><time datetime="{iso}">in 3 days</time></span>'
    )


def test_the_relative_filter_wraps_the_words_in_a_time_tag(app):
    with app.test_request_context():
        shown = app.jinja_env.from_string("{{ t|relative }}").render(t=WHEN + timedelta(days=400))
    assert shown.startswith(f'<time datetime="{(WHEN + timedelta(days=400)).isoformat()}">')
    assert shown.endswith("</time>") and " ago" not in shown


@pytest.mark.parametrize(
    ("seconds", "language", "shown"),
    [
        (3900, "en", "1 hr 5 min"),
        (3900, "fr", f"1{NNBSP}h 5{NBSP}min"),
        (3900, "es", "1 h 5 min"),
        (2700, "en", "45 min"),
        (65, "en", "1 min 5 sec"),
        (30, "fr", f"30{NNBSP}s"),
        (30, "es", "30 s"),
        (3601, "en", "1 hr"),  # seconds only under an hour
        (7200, "fr", f"2{NNBSP}h"),
        (0, "en", "0 min"),
        (None, "en", "0 min"),
        (-90, "en", "-1 min 30 sec"),  # an overrun keeps its sign
        (-3900, "es", "-1 h 5 min"),
        (timedelta(minutes=90), "en", "1 hr 30 min"),
    ],
)
def test_durations_are_durations(app, seconds, language, shown):
    with app.app_context():
        assert dates.duration(seconds, language=language) == shown


def test_the_request_language_is_the_default(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert dates.moment(WHEN, zone="Europe/Zurich") == "4 dic 2026, 14:30"
        assert dates.duration(3900) == "1 h 5 min"


# ---- where the styles are used: a paper's deadline, a reminder, a digest, a meeting --------


@pytest.fixture
def room_in_geneva(db, make_user, make_room, add_member, make_delegation):
    from consult.accounts.models import DelegationStatus
    from consult.rooms.models import AccessLevel, RoomRole

    room = make_room(AccessLevel.MEMBERS, time_zone="Europe/Zurich")
    chair = make_user(name="Clara Chair", time_zone="Europe/Zurich")
    add_member(room, chair, RoomRole.CHAIR)
    member = make_user(
        name="Marta Mexico",
        time_zone="America/Mexico_City",
        delegation=make_delegation(DelegationStatus.STATE_PARTY, name="Mexico"),
    )
    add_member(room, member, RoomRole.MEMBER)
    return room, chair, member


def test_a_paper_deadline_names_the_rooms_zone_the_readers_time_and_how_far(
    client, auth, db, room_in_geneva
):
    from consult.papers import services as papers
    from consult.papers.models import PaperKind
    from consult.timeutil import utcnow

    room, chair, member = room_in_geneva
    closes = utcnow().replace(second=0, microsecond=0) + timedelta(days=3, hours=1)
    paper = papers.create_paper(
        room,
        chair,
        title="Guide on transit",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First.\n\nSecond.",
        closes_at=closes,
    )
    papers.open_for_comments(paper, chair)
    db.session.flush()
    auth.login(member)
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    geneva = dates.moment(closes, zone="Europe/Zurich", language="en")
    mexico = dates.moment(closes, zone="America/Mexico_City", language="en")
    assert f"Comments close {geneva} (Zurich time)" in page
    assert f"your time: {mexico}" in page  # the reader is in Mexico City
    assert f'datetime="{closes.isoformat()}"' in page and ">in 3 days</time>" in page
    member.language = "es"
    db.session.flush()
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert dates.moment(closes, zone="Europe/Zurich", language="es") + " (hora de Zúrich)" in page
    assert ">dentro de 3 días</time>" in page


def test_a_reminder_is_in_the_recipients_language_and_zone(app, db, room_in_geneva):
    from consult.notifications.reminders import Deadline, _text_for

    room, chair, member = room_in_geneva
    member.language = "fr"
    deadline = Deadline(subject=room, closes_at=WHEN, what="le questionnaire X", link="/", who=[])
    with app.test_request_context():  # the job's own language is English
        text = _text_for(deadline)(member)
    # 13:30 UTC is 07:30 in Mexico City; the French words of the zone.
    assert "4 déc. 2026, 07:30 (heure de Mexico)" in text and "le questionnaire X" in text


def test_a_digest_line_says_when_in_the_recipients_language_and_zone(db, room_in_geneva):
    from sqlalchemy import select

    from consult.mail import OutboxMessage
    from consult.notifications import mailing
    from consult.notifications.models import Notification

    room, chair, member = room_in_geneva
    member.language = "es"
    db.session.add(
        Notification(
            user_id=member.id,
            kind="paper.revision",
            text="Nueva revisión",
            link="/",
            created_at=WHEN,
        )
    )
    db.session.flush()
    assert mailing.send_digest(member, mailing.DAILY, now=WHEN + timedelta(hours=20))
    body = db.session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id.desc())).first()
    # 13:30 UTC is 07:30 in Mexico City, in Spanish.
    assert "- 4 dic 2026, 07:30 · Nueva revisión" in body


def test_a_meeting_says_its_hours_in_its_zone_and_how_soon(client, auth, db, room_in_geneva):
    from consult.meetings import services as meetings
    from consult.meetings.models import MeetingKind, MeetingMode
    from consult.timeutil import utcnow

    room, chair, member = room_in_geneva
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=3, hours=1)
    meeting = meetings.create_meeting(
        room,
        chair,
        title="Second session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        time_zone="Europe/Zurich",
        venue="Room XVIII",
    )
    db.session.flush()
    auth.login(member)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    start = dates.moment(starts, "weekday_moment", zone="Europe/Zurich", language="en")
    end = dates.moment(starts + timedelta(hours=3), "time", zone="Europe/Zurich", language="en")
    assert f"{start} to {end} (Zurich time)" in page
    assert ">in 3 days</time>" in page
    room_page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert dates.moment(starts, zone="Europe/Zurich", language="en") + " (Zurich time)" in (
        room_page
    )


def test_a_letter_says_the_deadline_to_the_second_in_its_own_language(app):
    from types import SimpleNamespace

    from flask_babel import force_locale

    from consult.procedures.services import deadline_text

    room = SimpleNamespace(time_zone="Europe/Zurich")
    with app.test_request_context(), force_locale("es"):  # the letter's language
        assert deadline_text(WHEN, room) == "4 dic 2026, 14:30:05 (hora de Zúrich)"
        assert dates.document_date(WHEN, "es", "Europe/Zurich") == "4 de diciembre de 2026"
