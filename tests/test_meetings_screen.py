"""The projector's screen: a revocable link per screen (stored hashed, shown once) that opens
the screen and nothing else, with no sign-in; its socket follows the meeting and goes dark
when the link is revoked; the chair chooses what it shows; one render per change."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.extensions import socketio
from consult.meetings import screens, services
from consult.meetings.models import FloorKind, Presence, ScreenLink, ScreenMode
from tests import test_meetings
from tests.test_meetings import HX, delegate

hall = test_meetings.hall  # the fixture: a meeting with an adopted agenda, item 1 current

pytestmark = pytest.mark.meetings


def _make_link(client, auth, chair, meeting, label="Left screen") -> str:
    auth.login(chair)
    response = client.post(f"/meetings/{meeting.id}/screens/links", data={"label": label})
    assert response.status_code == 200
    url = re.search(r'value="(http[^"]+/screen/[^"]+)"', response.get_data(as_text=True)).group(1)
    return url.split("/screen/")[1]


def test_a_screen_link_opens_the_screen_without_sign_in_and_only_the_screen(
    client, auth, db, hall, make_user, make_delegation
):
    _room, chair, meeting, (first, *_rest) = hall
    token = _make_link(client, auth, chair, meeting)
    link = db.session.scalars(select(ScreenLink)).one()
    assert link.token_hash != token and len(link.token_hash) == 64  # only the hash is kept
    speaker = delegate(make_user, make_delegation, name="Ruritania")
    services.request_floor(
        first, speaker, kind=FloorKind.STATEMENT, presence=Presence.REMOTE, on_behalf_of="Ruritania"
    )
    services.give_floor(first, chair)
    db.session.flush()
    # The page the chair saw once no longer shows the token.
    assert token not in client.get(f"/meetings/{meeting.id}/screens").get_data(as_text=True)
    auth.logout()
    page = client.get(f"/screen/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ruritania" in html and "Item 1" in html
    assert "Remote" in html and "inscribed at the desk" not in html
    assert "Live updates" not in html and "<nav" not in html and "<a " not in html
    assert "no-store" in page.headers["Cache-Control"]
    # The token opens nothing else: the meeting's pages still want a sign-in.
    assert client.get(f"/meetings/{meeting.id}/live").status_code == 302
    assert client.get(f"/screen/{token}x").status_code == 404
    fragment = client.get(f"/screen/{token}", headers=HX).get_data(as_text=True)
    assert fragment.strip().startswith('<div id="screen-panel"')


def test_a_revoked_link_is_not_found_and_its_screen_goes_dark(app, client, auth, db, hall):
    _room, chair, meeting, _items = hall
    token = _make_link(client, auth, chair, meeting)  # the chair stays signed in on `client`
    link_id = db.session.scalars(select(ScreenLink.id)).one()
    meeting_id, version = meeting.id, meeting.version
    db.session.commit()
    # The screen's socket has no cookie: anonymous but for its token.
    screen = socketio.test_client(app, namespace="/live", auth={"screen": token})
    try:
        assert screen.is_connected("/live")
        answer = screen.emit("watch_screen", {"token": token}, namespace="/live", callback=True)
        assert answer["ok"] and answer["version"] == version
        assert screen.emit("clock", {}, namespace="/live", callback=True)["now"] > 0
        # A guest socket may do nothing else.
        refused = screen.emit(
            "watch_meeting", {"meeting": meeting_id}, namespace="/live", callback=True
        )
        assert refused == {"ok": False}
        screen.get_received("/live")
        assert client.post(
            f"/meetings/{meeting_id}/screens/links/{link_id}/revoke", data={}
        ).status_code in (302, 303)
        received = screen.get_received("/live") if screen.is_connected("/live") else []
        assert not screen.is_connected("/live") or "screen-dark" in {e["name"] for e in received}
    finally:
        if screen.is_connected("/live"):
            screen.disconnect(namespace="/live")
    assert client.get(f"/screen/{token}").status_code == 404
    again = socketio.test_client(app, namespace="/live", auth={"screen": token})
    assert not again.is_connected("/live")  # refused at the door too
    # Revoking twice says so, and changes nothing.
    response = client.post(f"/meetings/{meeting_id}/screens/links/{link_id}/revoke", data={})
    assert response.status_code == 422
    assert "already revoked" in response.get_data(as_text=True)


def test_a_screen_that_watches_again_with_a_revoked_token_is_refused(app, db, hall, make_user):
    _room, chair, meeting, _items = hall
    token = screens.new_link(meeting, chair)
    db.session.commit()
    screen = socketio.test_client(app, namespace="/live", auth={"screen": token})
    try:
        assert screen.emit("watch_screen", {"token": token}, namespace="/live", callback=True)["ok"]
        link = db.session.scalars(select(ScreenLink)).one()
        link.revoked_at = link.created_at  # revoked on another worker, say
        db.session.commit()
        answer = screen.emit("watch_screen", {"token": token}, namespace="/live", callback=True)
        assert answer == {"ok": False, "dark": True}
    finally:
        if screen.is_connected("/live"):
            screen.disconnect(namespace="/live")


def test_a_screen_follows_the_chair_with_one_render_per_change(
    app, client, auth, db, hall, make_user, make_delegation, monkeypatch
):
    _room, chair, meeting, (first, *_rest) = hall
    token = screens.new_link(meeting, chair)
    speaker = delegate(make_user, make_delegation, name="Ruritania")
    services.request_floor(
        first,
        speaker,
        kind=FloorKind.STATEMENT,
        presence=Presence.IN_ROOM,
        on_behalf_of="Ruritania",
    )
    auth.login(chair)
    meeting_id = meeting.id
    db.session.commit()
    screen = socketio.test_client(app, namespace="/live", auth={"screen": token})
    renders = []
    original = screens.payload
    monkeypatch.setattr(screens, "payload", lambda mid: renders.append(mid) or original(mid))
    try:
        screen.emit("watch_screen", {"token": token}, namespace="/live", callback=True)
        screen.get_received("/live")
        client.post(f"/meetings/{meeting_id}/chair/give-floor", data={}, headers=HX)
        panels = [e["args"][0] for e in screen.get_received("/live") if e["name"] == "screen-panel"]
        # One render per language of the interface (not per screen), one panel per screen.
        assert len(panels) == 1 and len(renders) == len(app.config["LANGUAGES"])
        assert "Ruritania" in panels[0]["html"] and "In the room" in panels[0]["html"]
        # Nothing of the room's or the chairs' channels reaches the screen.
        assert not [e for e in screen.get_received("/live") if e["name"] != "screen-panel"]
    finally:
        if screen.is_connected("/live"):
            screen.disconnect(namespace="/live")


def test_the_chair_chooses_the_screen(client, auth, db, hall, make_room):
    from consult.meetings import documents
    from consult.papers import services as papers
    from consult.papers.models import PaperKind

    room, chair, meeting, (first, *_rest) = hall
    auth.login(chair)
    assert (
        client.post(f"/meetings/{meeting.id}/screens/mode", data={"mode": "agenda"}).status_code
        == 303
    )
    assert meeting.screen_mode is ScreenMode.AGENDA
    # The paragraph screen needs a paper of the current item: refused next to its field.
    response = client.post(f"/meetings/{meeting.id}/screens/mode", data={"mode": "paragraph"})
    assert response.status_code == 422
    assert "no paper" in response.get_data(as_text=True)
    paper = papers.create_paper(
        room,
        chair,
        title="Draft report",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First point.\n\nSecond point, on diversion.",
    )
    papers.open_for_comments(paper, chair)
    documents.link_paper(first, chair, paper)
    second = papers.paragraphs_of(papers.current_revision(paper))[1]
    db.session.flush()
    response = client.post(
        f"/meetings/{meeting.id}/screens/mode",
        data={"mode": "paragraph", "paragraph": f"{paper.id}:nonsense"},
    )
    assert response.status_code == 422 and "Choose a paragraph" in response.get_data(as_text=True)
    client.post(
        f"/meetings/{meeting.id}/screens/mode",
        data={"mode": "paragraph", "paragraph": f"{paper.id}:{second.key}"},
    )
    html = client.get(f"/meetings/{meeting.id}/projector").get_data(as_text=True)
    assert "Second point, on diversion." in html and "Draft report, paragraph 2" in html


def test_a_long_agenda_condenses_around_the_current_item(db, hall):
    _room, chair, meeting, _items = hall
    for n in range(3, 20):
        services.add_item(meeting, chair, number=n, letter="", title=f"Topic {n}")
    db.session.flush()
    items = services.live_state(meeting).items
    before, shown, after = screens.agenda_window(items, items[12].item)
    assert len(shown) == screens.AGENDA_LINES and before + len(shown) + after == len(items)
    assert items[12] in shown and before == 10


def test_a_screen_label_over_the_limit_is_refused_with_its_length(client, auth, db, hall):
    _room, chair, meeting, _items = hall
    auth.login(chair)
    response = client.post(f"/meetings/{meeting.id}/screens/links", data={"label": "x" * 101})
    assert response.status_code == 422
    assert "101 characters" in response.get_data(as_text=True)
    assert db.session.scalars(select(ScreenLink)).first() is None


@pytest.mark.i18n
def test_a_screen_in_french_gets_the_panel_in_french_when_the_chair_acts_in_english(
    app, client, auth, db, hall, make_user, make_delegation
):
    """A pushed fragment is rendered once per language (consult.live.join): the projector's
    browser asks for French, the chair works in English, the screen shows French."""
    _room, chair, meeting, (first, *_rest) = hall
    token = screens.new_link(meeting, chair)
    speaker = delegate(make_user, make_delegation, name="Ruritania")
    services.request_floor(
        first,
        speaker,
        kind=FloorKind.STATEMENT,
        presence=Presence.IN_ROOM,
        on_behalf_of="Ruritania",
    )
    auth.login(chair)
    meeting_id = meeting.id
    db.session.commit()
    screen = socketio.test_client(
        app, namespace="/live", auth={"screen": token}, headers={"Accept-Language": "fr"}
    )
    try:
        screen.emit("watch_screen", {"token": token}, namespace="/live", callback=True)
        screen.get_received("/live")
        client.post(
            f"/meetings/{meeting_id}/chair/give-floor",
            data={},
            headers={**HX, "Accept-Language": "en"},
        )
        panels = [e["args"][0] for e in screen.get_received("/live") if e["name"] == "screen-panel"]
        assert len(panels) == 1
        html = panels[0]["html"]
        assert "Liste des orateurs" in html and "Dans la salle" in html
        assert "Speakers' list" not in html and "In the room" not in html
    finally:
        screen.disconnect(namespace="/live")
