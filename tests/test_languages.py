"""The interface language: the browser's preference, the switch (also before sign-in), the
profile, and mail in the recipient's language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult import i18n
from consult.extensions import db

pytestmark = pytest.mark.i18n


def page_language(response) -> str:
    match = re.search(r'<html lang="([a-z-]+)"', response.get_data(as_text=True))
    assert match, "the page names its language"
    return match.group(1)


def test_the_browser_preference_is_the_default(client):
    assert page_language(client.get("/sign-in")) == "en"
    asked = client.get("/sign-in", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert page_language(asked) == "es"
    asked = client.get("/sign-in", headers={"Accept-Language": "fr-CH, de;q=0.5"})
    assert page_language(asked) == "fr"
    # A regional variant first: its language, before an exact match further down the list.
    asked = client.get("/sign-in", headers={"Accept-Language": "fr-CH, en;q=0.8"})
    assert page_language(asked) == "fr"
    asked = client.get("/sign-in", headers={"Accept-Language": "de-CH, es-419;q=0.8, en;q=0.5"})
    assert page_language(asked) == "es"


def test_a_language_not_offered_falls_back_to_english_without_error(client, make_user, auth):
    assert page_language(client.get("/sign-in", headers={"Accept-Language": "de, ja"})) == "en"
    response = client.post("/language", data={"language": "de", "next": "/sign-in"})
    assert response.status_code == 303
    assert page_language(client.get("/sign-in")) == "en"
    # A stored code that is no longer offered does not break a page either.
    user = make_user(language="xx")
    db.session.commit()
    auth.login(user)
    response = client.get("/")
    assert response.status_code == 200 and page_language(response) == "en"


def test_every_page_offers_the_switch_each_language_in_its_own_words(client):
    html = client.get("/sign-in").get_data(as_text=True)
    switch = html[html.index('class="language-switch"') :]
    switch = switch[: switch.index("</form>")]
    for code, name in (("en", "English"), ("fr", "Français"), ("es", "Español")):
        assert f'value="{code}" lang="{code}"' in switch
        assert f">{name}</button>" in switch
    assert 'value="en" lang="en" class="link-button"\n          aria-current="true"' in switch


def test_switching_before_sign_in_is_kept_through_sign_in_and_saved_on_the_profile(
    client, make_user, auth
):
    user = make_user()
    db.session.commit()
    response = client.post("/language", data={"language": "fr", "next": "/sign-in?next=/"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/sign-in?next=/"
    assert "consult_language=fr" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert page_language(client.get("/sign-in")) == "fr"

    auth.login(user)  # the session is cleared on sign-in; the choice is not
    assert page_language(client.get("/")) == "fr"
    db.session.expire_all()
    assert db.session.get(type(user), user.id).language == "fr"


def test_the_profile_language_wins_and_the_switch_changes_it(client, make_user, auth):
    user = make_user(language="es")
    db.session.commit()
    auth.login(user)
    assert page_language(client.get("/", headers={"Accept-Language": "fr"})) == "es"
    client.post("/language", data={"language": "en", "next": "/"})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).language == "en"
    assert page_language(client.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_the_profile_form_sets_or_clears_the_language(client, make_user, auth):
    user = make_user()
    db.session.commit()
    auth.login(user)
    form = {"name": user.name, "title": "", "agency": "", "time_zone": "UTC"}
    response = client.post("/profile", data={**form, "language": "es"})
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).language == "es"
    client.post("/profile", data={**form, "language": ""})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).language is None


def test_the_switch_only_goes_back_to_this_site(client):
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/language", data={"language": "es", "next": elsewhere})
        assert response.status_code == 303
        assert response.headers["Location"] == "/"


def test_mail_is_written_in_the_recipient_language(app):
    class Person:
        language = "es"

    class Unset:
        language = None

    with app.app_context():
        assert i18n.for_person(Person()) == "es"
        assert i18n.for_person(Unset()) == "en"
        assert i18n.native_name("es") == "Español"
        assert i18n.language_name("fr", "en") == "French"
        assert i18n.language_name("fr", "es") == "Francés"


def test_each_recipient_reads_a_notification_in_their_own_language(app, db, make_user, make_room):
    """The chair acts in English; the French and the Spanish delegates read it in theirs,
    the role's label included."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from consult.notifications.models import Notification
    from consult.rooms import services as rooms
    from consult.rooms.models import AccessLevel, RoomRole

    room = make_room(AccessLevel.MEMBERS, title="Small group on Article 11")
    chair = make_user(language="en")
    rooms.add_member(room, RoomRole.CHAIR, chair, user=chair, override=True)
    readers = {code: make_user(language=code) for code in ("fr", "es", "en")}
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        for reader in readers.values():
            rooms.add_member(room, RoomRole.MEMBER, chair, user=reader, override=True)
    db.session.flush()
    for code, reader in readers.items():
        (line,) = db.session.scalars(
            select(Notification.text).where(
                Notification.user_id == reader.id, Notification.kind == "room.added"
            )
        ).all()
        with app.test_request_context("/"), force_locale(code):
            expected = _(
                "You were added to %(room)s as %(role)s", room=room.title, role=_("Member")
            )
        assert line == expected
    french = db.session.scalars(
        select(Notification.text).where(Notification.user_id == readers["fr"].id)
    ).first()
    assert "You were added" not in french and "Member" not in french


def test_activity_lines_read_in_each_reader_language(client, auth, db, make_user, make_room):
    """ "Since your last visit" is written once, by whoever acted, and read by each in theirs."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from consult.rooms import services as rooms
    from consult.rooms.models import AccessLevel, RoomActivity, RoomRole

    room = make_room(AccessLevel.MEMBERS, title="Small group on Article 11")
    chair = make_user(language="en")
    rooms.add_member(room, RoomRole.CHAIR, chair, user=chair, override=True)
    reader = make_user(language="es", name="Lucía Pérez")
    rooms.add_member(room, RoomRole.MEMBER, chair, user=reader, override=True)
    db.session.commit()
    line = db.session.scalars(
        select(RoomActivity).where(RoomActivity.kind == "room.member_added")
    ).all()[-1]
    who = line.message["params"]["who"]
    assert who.startswith("Lucía Pérez")
    assert line.summary == f"{who} joined as Member"  # the stored words, in English
    with client.application.test_request_context("/"), force_locale("es"):
        expected = _("%(who)s joined as %(role)s", who=who, role=_("Member"))
    assert expected != line.summary
    auth.login(reader)
    assert expected in client.get(f"/rooms/{room.slug}").get_data(as_text=True)
