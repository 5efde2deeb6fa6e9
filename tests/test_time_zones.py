"""Time zones a person can pick: by city and country in the reader's language, found by a
search in that language or in English, the delegation's zone as the default of the people it
invites, and an unknown zone refused next to its field with nothing changed."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from consult import zones
from consult.accounts import services as accounts
from consult.accounts.models import Delegation, DelegationStatus, User
from consult.audit import AuditEvent
from consult.demo import DELEGATION_ZONES, DELEGATIONS

pytestmark = pytest.mark.i18n

WINTER = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def text(response) -> str:
    return response.get_data(as_text=True)


def options(page: str, select_id: str = "time_zone") -> dict[str, dict[str, str]]:
    """The options of one rendered <select>, by value: label, data-search, optgroup, selected."""
    start = re.search(rf'<select [^>]*\bid="{select_id}"', page).start()
    body = page[start : page.index("</select>", start)]
    found: dict[str, dict[str, str]] = {}
    group = ""
    for match in re.finditer(r'<optgroup label="([^"]*)">|<option ([^>]*)>([^<]*)</option>', body):
        if match.group(1) is not None:
            group = html.unescape(match.group(1))
            continue
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(2)))
        found[html.unescape(attrs["value"])] = {
            "label": html.unescape(match.group(3)),
            "search": html.unescape(attrs.get("data-search", "")),
            "group": group,
            "selected": "selected" if re.search(r"\bselected\b", match.group(2)) else "",
        }
    return found


def matching(found: dict[str, dict[str, str]], typed: str) -> set[str]:
    """What static/js/zones.js keeps for `typed`: every word, accents and case aside, in the
    label, the data-search terms, the value or the country's group."""
    words = [w for w in re.split(r"[\s,]+", zones.fold(typed)) if w]
    return {
        value
        for value, o in found.items()
        if value
        and all(
            w
            in zones.fold(" ".join([o["label"], o["search"], value.replace("_", " "), o["group"]]))
            for w in words
        )
    }


# ---- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "zurich", "madrid"),
    [
        ("en", "Geneva, Zurich — Switzerland", "Madrid — Spain"),
        ("fr", "Genève, Zurich — Suisse", "Madrid — Espagne"),
        ("es", "Ginebra, Zúrich — Suiza", "Madrid — España"),
    ],
)
def test_a_zone_is_labelled_by_city_and_country_in_the_readers_language(
    app, language, zurich, madrid
):
    with app.test_request_context():
        assert zones.label("Europe/Zurich", language, WINTER) == f"{zurich} (UTC+01:00)"
        assert zones.label("Europe/Zurich", language, SUMMER) == f"{zurich} (UTC+02:00)"
        assert zones.place("Europe/Madrid", language) == madrid
        assert zones.label("America/Argentina/Buenos_Aires", language, WINTER).endswith(
            "(UTC-03:00)"
        )
        assert zones.label("Asia/Kathmandu", language, WINTER).endswith("(UTC+05:45)")
        assert zones.label("UTC", language) == "UTC"


def test_an_alias_is_labelled_by_the_place_it_links_to(app):
    with app.test_request_context():
        assert zones.canonical("Asia/Calcutta") == "Asia/Kolkata"
        assert zones.canonical("Etc/UTC") == "UTC"
        assert zones.place("Asia/Calcutta", "en") == "New Delhi, Kolkata — India"
        assert zones.place("Etc/GMT+5", "en") == "Etc/GMT+5"  # no place: as it is


def test_the_list_is_grouped_by_country_in_the_readers_alphabet_with_utc_first(
    client, auth, make_user
):
    auth.login(make_user(language="fr"))
    found = options(text(client.get("/profile")))
    values = list(found)
    assert values[0] == "UTC" and found["UTC"]["group"] == ""
    assert found["Europe/Zurich"]["group"] == "Suisse"
    assert found["Europe/Zurich"]["label"].startswith("Genève, Zurich — Suisse (UTC+0")
    groups = list(dict.fromkeys(o["group"] for o in found.values() if o["group"]))
    assert groups.index("Égypte") < groups.index("Espagne") < groups.index("Suisse")
    assert groups == sorted(groups, key=zones.fold)
    us = [v for v, o in found.items() if o["group"] == "États-Unis"]
    assert len(us) > 20 and "America/New_York" in us
    # Every zone of zone.tab once, and nothing the tz database does not know.
    assert set(values) == set(zones.countries()) | {"UTC"}


# ---- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Suisse", "Genève", "geneve", "Geneva", "Switzerland", "Zürich"])
def test_a_french_reader_finds_zurich_by_city_or_country_in_french_or_english(
    client, auth, make_user, typed
):
    auth.login(make_user(language="fr"))
    found = options(text(client.get("/profile")))
    assert "Europe/Zurich" in matching(found, typed)


def test_search_by_country_finds_each_of_its_zones_and_words_narrow_it(client, auth, make_user):
    auth.login(make_user(language="es"))
    found = options(text(client.get("/profile")))
    spain = {"Europe/Madrid", "Africa/Ceuta", "Atlantic/Canary"}
    assert matching(found, "España") == spain | {"America/Port_of_Spain"}  # Puerto España
    assert spain <= matching(found, "Spain")  # and Port of Spain, as the JS would
    assert matching(found, "spain madrid") == {"Europe/Madrid"}
    assert "Asia/Kolkata" in matching(found, "Calcutta")  # an old name still finds it
    assert "Asia/Kolkata" in matching(found, "Asia/Calcutta")
    assert matching(found, "Atlantis") == set()


def test_the_page_carries_the_search_and_the_count_for_screen_readers(client, auth, make_user):
    auth.login(make_user(language="fr"))
    page = text(client.get("/profile"))
    assert '<label for="time_zone-search">' in page
    assert 'aria-controls="time_zone"' in page
    count = re.search(r'<p class="hint zone-count" id="time_zone-count"[^>]*>', page, re.S)
    assert count and 'role="status"' in count.group(0) and 'aria-live="polite"' in count.group(0)
    assert "data-zone-suggestion" in page  # the browser's zone is offered on the profile only
    assert 'src="/static/js/zones.js"' in page


# ---- the delegation's zone ---------------------------------------------------------------------


@pytest.fixture
def secretariat(make_user, make_delegation):
    delegation = make_delegation(DelegationStatus.SECRETARIAT, name="ATT Secretariat", group=None)
    return make_user(delegation=delegation, name="Sec Retariat")


@pytest.fixture
def admin(client, auth, secretariat):
    auth.login(secretariat)
    return client


def test_a_person_invited_into_a_delegation_starts_with_its_zone(admin, db, make_delegation, app):
    germany = make_delegation(name="Germany", time_zone="Europe/Berlin")
    form = text(admin.get("/admin/people/new"))
    found = options(form)
    assert found[""]["label"] == "The delegation's time zone" and found[""]["selected"]
    response = admin.post(
        "/admin/people/new",
        data={"name": "Greta", "email": "greta@de.example", "delegation": germany.id},
    )
    assert response.status_code == 303
    greta = db.session.scalars(select(User).where(User.email == "greta@de.example")).one()
    assert greta.time_zone == "Europe/Berlin"
    # An invitation from a room (no zone given) does the same; a zone given wins.
    with app.test_request_context():
        other = accounts.invite_user(
            delegation=germany, name="Hans", email="hans@de.example", invited_by=greta
        )
        chosen = accounts.invite_user(
            delegation=germany,
            name="Ida",
            email="ida@de.example",
            invited_by=greta,
            time_zone="Asia/Tokyo",
        )
    assert other.time_zone == "Europe/Berlin"
    assert chosen.time_zone == "Asia/Tokyo"


def test_the_profile_shows_the_delegations_zone_as_the_default_until_one_chooses(
    client, auth, make_user, make_delegation, db
):
    germany = make_delegation(name="Germany", time_zone="Europe/Berlin")
    user = make_user(delegation=germany, time_zone="Europe/Berlin")
    auth.login(user)
    page = text(client.get("/profile"))
    assert options(page)["Europe/Berlin"]["selected"]
    assert "Your delegation's time zone, until you choose another." in page
    response = client.post("/profile", data={"name": user.name, "time_zone": "Europe/Lisbon"})
    assert response.status_code == 302
    page = text(client.get("/profile"))
    assert options(page)["Europe/Lisbon"]["selected"]
    assert "Your delegation's is Berlin — Germany." in page


def test_the_secretariat_sets_a_delegations_zone_and_only_new_invitations_follow(
    admin, db, make_delegation, make_user
):
    delegation = make_delegation(name="Ruritania")
    already = make_user(delegation=delegation)
    page = text(admin.get(f"/admin/delegations/{delegation.id}/edit"))
    assert options(page)["UTC"]["selected"]
    response = admin.post(
        f"/admin/delegations/{delegation.id}/edit",
        data={
            "name": "Ruritania",
            "short_name": delegation.short_name,
            "status": "state_party",
            "regional_group": "weog",
            "is_active": "y",
            "time_zone": "Europe/Vienna",
        },
    )
    assert response.status_code == 303
    db.session.refresh(delegation)
    assert delegation.time_zone == "Europe/Vienna"
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "delegation.updated")
    ).all()
    assert event.details["changes"]["time_zone"] == ["UTC", "Europe/Vienna"]
    db.session.refresh(already)
    assert already.time_zone == "UTC"  # nobody's own zone moves
    assert options(text(admin.get(f"/admin/delegations/{delegation.id}/edit")))["Europe/Vienna"][
        "selected"
    ]


def test_a_new_delegation_is_accredited_with_its_zone(admin, db):
    response = admin.post(
        "/admin/delegations/new",
        data={
            "name": "Elbonia",
            "short_name": "ELB",
            "status": "state_party",
            "regional_group": "",
            "time_zone": "Africa/Nairobi",
        },
    )
    assert response.status_code == 303
    created = db.session.scalars(select(Delegation).where(Delegation.name == "Elbonia")).one()
    assert created.time_zone == "Africa/Nairobi"


def test_the_demo_delegations_have_the_zones_of_their_capitals_or_seats():
    assert {short for _name, short, _status, _group in DELEGATIONS} == set(DELEGATION_ZONES)
    assert DELEGATION_ZONES["DEU"] == "Europe/Berlin"
    assert DELEGATION_ZONES["CHE"] == DELEGATION_ZONES["ATTS"] == "Europe/Zurich"
    assert set(DELEGATION_ZONES.values()) <= set(zones.countries())


# ---- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("Mars/Olympus", "“Mars/Olympus” is not a time zone we know. Choose a time zone"),
        ("../../etc/passwd", "is not a time zone we know"),
        ("Europe/" + "x" * 300, "Choose a time zone from the list."),
        ("", "This field is required."),
    ],
)
def test_an_unknown_zone_is_refused_next_to_the_field_and_nothing_changes(
    client, auth, make_user, db, sent, message
):
    user = make_user(name="Ana", time_zone="Europe/Madrid")
    auth.login(user)
    response = client.post("/profile", data={"name": "Ana B", "time_zone": sent})
    assert response.status_code == 422
    page = text(response)
    error = re.search(r'<p class="error" id="time_zone-error" role="alert">([^<]*)</p>', page)
    assert error and message in html.unescape(error.group(1))
    db.session.refresh(user)
    assert (user.name, user.time_zone) == ("Ana", "Europe/Madrid")


@pytest.mark.parametrize("where", ["person", "delegation"])
def test_the_secretariat_is_refused_an_unknown_zone_too(admin, db, make_delegation, where):
    delegation = make_delegation(name="Ruritania")
    if where == "person":
        url = "/admin/people/new"
        data = {"name": "Iris", "email": "iris@example.org", "delegation": delegation.id}
    else:
        url = f"/admin/delegations/{delegation.id}/edit"
        data = {"name": "Ruritania", "short_name": "RUR", "status": "state_party"}
    response = admin.post(url, data=data | {"time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "“Mars/Olympus” is not a time zone we know." in text(response)
    db.session.refresh(delegation)
    assert delegation.time_zone == "UTC" and delegation.short_name != "RUR"
    assert db.session.scalars(select(User).where(User.email == "iris@example.org")).first() is None


def test_a_valid_name_the_list_does_not_offer_is_kept_not_dropped(client, auth, make_user, db):
    user = make_user(name="Ana", time_zone="Asia/Calcutta")
    auth.login(user)
    found = options(text(client.get("/profile")))
    assert found["Asia/Calcutta"]["selected"] and "(UTC+05:30)" in found["Asia/Calcutta"]["label"]
    response = client.post("/profile", data={"name": "Ana", "time_zone": "Asia/Calcutta"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.time_zone == "Asia/Calcutta"
