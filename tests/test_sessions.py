"""Ended means ended: a signed-out or ended session's cookies (remember-me included) and its
open sockets stop working; confidential channels ask the pages' gate; the two-factor flow
leads where the person was going."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from html.parser import HTMLParser

import pyotp
import pytest
from sqlalchemy import select

from consult.accounts.models import DelegationStatus, SignedInSession, User
from consult.extensions import socketio
from consult.rooms.models import AccessLevel, RoomRole
from consult.threads import services as threads
from consult.threads.models import Marking
from consult.timeutil import utcnow
from tests.conftest import PASSWORD

pytestmark = pytest.mark.hardening

REMEMBER = "remember_token"


def sign_in(client, user: User, remember: bool = False) -> None:
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/sign-in", data=data)
    assert response.status_code == 302 and "/sign-in" not in response.headers["Location"]


def remember_cookie(client) -> str:
    cookie = client.get_cookie(REMEMBER)
    assert cookie is not None, "signing in with 'Keep me signed in' sets the cookie"
    return cookie.value


def only_the_cookie(app, value: str):
    """A browser that has nothing but a copy of the remember-me cookie."""
    browser = app.test_client()
    browser.set_cookie(REMEMBER, value)
    return browser


def signed_in(browser) -> bool:
    return browser.get("/").status_code == 200


def rows(db, user: User) -> list[SignedInSession]:
    return list(
        db.session.scalars(select(SignedInSession).where(SignedInSession.user_id == user.id))
    )


# ---- remember-me -------------------------------------------------------------------------------


def test_the_remember_cookie_restores_its_own_session_and_registers_no_other(
    app, client, make_user, db
):
    user = make_user()
    sign_in(client, user, remember=True)
    copy = only_the_cookie(app, remember_cookie(client))
    assert signed_in(copy)
    assert signed_in(copy)  # and stays signed in (strong protection keeps it)
    assert len(rows(db, user)) == 1  # the restore reused this device's row


def test_a_remember_cookie_replayed_after_sign_out_is_anonymous(app, client, make_user, db):
    user = make_user()
    sign_in(client, user, remember=True)
    value = remember_cookie(client)
    client.post("/sign-out")
    assert client.get_cookie(REMEMBER) is None  # the browser was told to delete it
    assert not signed_in(client)
    replayed = only_the_cookie(app, value)
    assert not signed_in(replayed)
    assert replayed.get_cookie(REMEMBER) is None  # and the dead copy is deleted there too
    assert [r.ended_at is not None for r in rows(db, user)] == [True]


def test_a_remember_cookie_replayed_after_ending_other_sessions_is_anonymous(
    app, client, make_user, db
):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user, remember=True)
    sign_in(phone, user, remember=True)
    laptop_cookie, phone_cookie = remember_cookie(laptop), remember_cookie(phone)
    sign_in(client, user)
    client.post("/profile/sessions/end-others")
    for value in (laptop_cookie, phone_cookie):
        assert not signed_in(only_the_cookie(app, value))
    assert not signed_in(laptop) and not signed_in(phone)
    assert signed_in(client)


def test_a_remember_cookie_of_a_session_signed_out_there_is_anonymous(app, client, make_user, db):
    user = make_user()
    phone = app.test_client()
    sign_in(phone, user, remember=True)
    value = remember_cookie(phone)
    sign_in(client, user)
    phone_row = next(r for r in rows(db, user) if r.ended_at is None)
    client.post(f"/profile/sessions/{phone_row.id}/end")
    assert not signed_in(only_the_cookie(app, value))


def test_a_remember_cookie_dies_with_a_password_change(app, client, make_user, db):
    user = make_user()
    phone = app.test_client()
    sign_in(phone, user, remember=True)
    value = remember_cookie(phone)
    sign_in(client, user, remember=True)
    new = "another-long-password"
    client.post("/profile/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert not signed_in(only_the_cookie(app, value))
    assert not signed_in(phone)
    # This browser stays signed in, and its own "keep me signed in" survives the change.
    assert signed_in(client)
    assert signed_in(only_the_cookie(app, remember_cookie(client)))
    assert [r.ended_at is None for r in rows(db, user)].count(True) == 1


def test_a_remember_cookie_dies_with_deactivation_even_after_reactivation(
    app, client, make_user, db
):
    user = make_user()
    phone = app.test_client()
    sign_in(phone, user, remember=True)
    value = remember_cookie(phone)
    sign_in(client, make_user(status=DelegationStatus.SECRETARIAT))
    response = client.post(f"/admin/people/{user.id}/deactivate", data={"reason": "left"})
    assert response.status_code in (302, 303)
    assert not signed_in(only_the_cookie(app, value))
    client.post(f"/admin/people/{user.id}/reactivate")
    db.session.refresh(user)
    assert user.is_active
    assert not signed_in(only_the_cookie(app, value))
    assert all(r.ended_at is not None for r in rows(db, user))


def test_a_handover_ends_the_departing_sessions(app, client, make_user, db):
    focal = make_user(is_focal_point=True)
    departing = make_user(delegation=focal.delegation)
    successor = make_user(delegation=focal.delegation)
    phone = app.test_client()
    sign_in(phone, departing, remember=True)
    value = remember_cookie(phone)
    sign_in(client, focal)
    response = client.post(
        f"/people/{departing.id}/handover", data={"successor": successor.id, "confirm": "y"}
    )
    assert response.status_code == 302
    assert not signed_in(only_the_cookie(app, value))
    assert all(r.ended_at is not None for r in rows(db, departing))


def test_an_id_without_a_session_key_is_refused(app, client, make_user, db):
    """Cookies from before sessions were bound to their key ("id:nonce") no longer sign in."""
    user = make_user()
    sign_in(client, user)
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_nonce}"
    assert not signed_in(client)


# ---- sockets of an ended session -----------------------------------------------------------------


def live(app, browser):
    sc = socketio.test_client(app, namespace="/live", flask_test_client=browser)
    assert sc.is_connected("/live")
    return sc


def test_ending_a_session_disconnects_its_sockets_at_once(app, client, make_user, db):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, user)
    sign_in(laptop, user)
    sign_in(client, user)
    phone_row = db.session.scalars(
        select(SignedInSession).where(SignedInSession.user_id == user.id)
    ).first()
    phone_row_id = phone_row.id
    db.session.commit()  # socket handlers release the session: commit, keep plain values
    phone_socket, laptop_socket, own_socket = live(app, phone), live(app, laptop), live(app, client)
    client.post(f"/profile/sessions/{phone_row_id}/end")
    assert not phone_socket.is_connected("/live")
    assert laptop_socket.is_connected("/live")
    client.post("/profile/sessions/end-others")
    assert not laptop_socket.is_connected("/live")
    assert own_socket.is_connected("/live")
    client.post("/sign-out")
    assert not own_socket.is_connected("/live")
    # A new socket on a dead session's cookies is refused.
    assert not socketio.test_client(app, namespace="/live", flask_test_client=phone).is_connected(
        "/live"
    )


def test_every_socket_event_checks_that_its_session_is_live(app, client, make_user, db):
    user = make_user()
    sign_in(client, user)
    db.session.commit()
    sc = live(app, client)
    # The session ends without this worker hearing of it (say, a worker that died meanwhile).
    db.session.execute(
        SignedInSession.__table__.update()
        .where(SignedInSession.user_id == user.id)
        .values(ended_at=utcnow())
    )
    db.session.commit()
    assert sc.emit("clock", {}, namespace="/live", callback=True) == {"ok": False}
    assert not sc.is_connected("/live")


def test_a_password_change_disconnects_the_other_sessions_sockets(app, client, make_user, db):
    user = make_user()
    phone = app.test_client()
    sign_in(phone, user)
    sign_in(client, user)
    db.session.commit()
    phone_socket, own_socket = live(app, phone), live(app, client)
    new = "another-long-password"
    client.post("/profile/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert not phone_socket.is_connected("/live")
    assert own_socket.is_connected("/live")
    own_socket.disconnect(namespace="/live")


def test_room_disconnects_travel_through_the_message_queue():
    """With several workers, the sockets of a session sit where they connected: the request
    goes out on the queue and each worker drops its own sockets in that room."""
    import socketio as python_socketio

    from consult import live as live_module

    published: list[dict] = []
    dropped: list[tuple[str, str]] = []

    class Queue(live_module.RoomDisconnects, python_socketio.PubSubManager):
        def _publish(self, data):
            published.append(data)

    class Server:
        packet_class = python_socketio.packet.Packet

        def disconnect(self, sid, namespace=None, ignore_queue=False):
            dropped.append((sid, namespace))

    here, there = Queue(), Queue()
    for manager in (here, there):
        manager.set_server(Server())
        manager.initialize = lambda: None
    here.basic_enter_room("a", "/live", "session:7", eio_sid="ea")
    there.basic_enter_room("b", "/live", "session:7", eio_sid="eb")
    there.basic_enter_room("c", "/live", "session:8", eio_sid="ec")
    here.disconnect_room("session:7", "/live")
    assert dropped == [("a", "/live")]
    assert published and published[0]["room"] == "session:7"
    there._handle_disconnect(published[0])  # what the other worker's listener does
    assert dropped == [("a", "/live"), ("b", "/live")]  # "c" is another session


# ---- the confidential gate on the live channel ----------------------------------------------


@pytest.fixture
def dief(db, make_user, make_room, add_member):
    room = make_room(AccessLevel.CONFIDENTIAL, title="DIEF")
    origin = make_user(totp_enabled_at=utcnow(), totp_secret=pyotp.random_base32())
    member = make_user(name="No Factor Yet")
    add_member(room, origin, RoomRole.MEMBER)
    add_member(room, member, RoomRole.MEMBER)
    thread = threads.create_thread(
        room, origin, title="Case", marking=Marking.AMBER, body="Details.", audience=None
    )
    db.session.flush()
    return room, origin, member, thread


def test_a_member_without_two_factor_cannot_watch_a_thread(app, client, auth, dief, db):
    room, _origin, member, thread = dief
    thread_id = thread.id
    auth.login(member)
    db.session.commit()
    sc = live(app, client)
    assert sc.emit("watch_thread", {"thread": thread_id}, namespace="/live", callback=True) == {
        "ok": False
    }
    sc.disconnect(namespace="/live")


def test_a_thread_channel_needs_a_fresh_sign_in_and_is_left_when_it_goes_stale(
    app, client, auth, dief, db, monkeypatch
):
    room, origin, _member, thread = dief
    thread_id = thread.id
    auth.login_quickly(origin)  # two-factor on, but this session never used it
    db.session.commit()
    stale = live(app, client)
    assert stale.emit("watch_thread", {"thread": thread_id}, namespace="/live", callback=True) == {
        "ok": False
    }
    stale.disconnect(namespace="/live")
    with client.session_transaction() as session:
        session["second_factor_at"] = time.time()
    fresh = live(app, client)
    answer = fresh.emit("watch_thread", {"thread": thread_id}, namespace="/live", callback=True)
    assert answer["ok"]
    # The idle time passes while the socket stays open: a recheck leaves the thread's channel.
    later = time.time() + app.config["CONFIDENTIAL_IDLE_MINUTES"] * 60 + 1
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: later)
        answer = fresh.emit("recheck", {}, namespace="/live", callback=True)
    assert answer == {"left": [f"thread:{thread_id}"]}
    fresh.disconnect(namespace="/live")


# ---- two-factor: replays, fresh sign-in, where one lands ------------------------------------


def enable(client, path: str = "/profile/two-factor"):
    """Turn two-factor on through the form; the response (the recovery codes) and the secret."""
    client.get(path)
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    code = pyotp.TOTP(secret).now()
    response = client.post(path, data={"code": code, "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response, secret, code


def test_a_replayed_code_says_so_when_signing_in_again(client, auth, dief, db):
    room, _origin, member, _thread = dief
    auth.login(member)
    _response, _secret, code = enable(client)
    with client.session_transaction() as session:
        session.pop("second_factor_at")  # as after the idle time
    response = client.post("/sign-in/again", data={"password": PASSWORD, "code": code})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This code was just used; wait for the next one." in page
    assert "That password and code do not match" not in page
    # A wrong password still says only that, whatever the code.
    response = client.post("/sign-in/again", data={"password": "wrong", "code": code})
    assert "That password and code do not match." in response.get_data(as_text=True)


def test_a_replayed_code_says_so_at_the_second_sign_in_step(client, auth, make_user, db):
    user = make_user()
    auth.login(user)
    _response, _secret, code = enable(client)
    client.post("/sign-out")
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    response = client.post("/sign-in/two-factor", data={"code": code})
    assert response.status_code == 422
    assert "This code was just used; wait for the next one." in response.get_data(as_text=True)
    response = client.post("/sign-in/two-factor", data={"code": "000000"})
    assert "That code is not right" in response.get_data(as_text=True)


def test_turning_on_two_factor_from_the_room_leads_back_into_its_threads(client, auth, dief, db):
    room, _origin, member, thread = dief
    auth.login(member)
    page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "Turn on two-factor sign-in to see the threads" in page
    assert "Sign in again" not in page
    link = re.search(r'href="(/profile/two-factor\?next=[^"]+)"', page).group(1)
    link = link.replace("&amp;", "&")
    response, _secret, _code = enable(client, link)
    kept = re.search(r'href="([^"]+)">I have kept them', response.get_data(as_text=True))
    assert kept.group(1) == f"/rooms/{room.slug}"
    page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "Sign in again" not in page and "Case" in page  # no second sign-in asked
    assert client.get(f"/threads/{thread.id}").status_code == 200


def test_a_thread_link_without_two_factor_comes_back_to_the_thread(client, auth, dief, db):
    room, _origin, member, thread = dief
    auth.login(member)
    response = client.get(f"/threads/{thread.id}")
    location = response.headers["Location"]
    assert location.startswith("/profile/two-factor?next=")
    response, _secret, _code = enable(client, location)
    kept = re.search(r'href="([^"]+)">I have kept them', response.get_data(as_text=True))
    assert kept.group(1).startswith(f"/threads/{thread.id}")
    assert client.get(kept.group(1)).status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_setup_goes_nowhere_off_site(client, auth, make_user, db, target):
    auth.login(make_user())
    response, _secret, _code = enable(client, f"/profile/two-factor?next={target}")
    kept = re.search(r'href="([^"]+)">I have kept them', response.get_data(as_text=True))
    assert kept.group(1) == "/profile"


def test_signing_in_again_without_two_factor_leads_to_its_setup(client, auth, make_user, db):
    auth.login(make_user())
    response = client.get("/sign-in/again?next=/rooms/dief")
    assert response.headers["Location"] == "/profile/two-factor?next=/rooms/dief"


# ---- the profile page's fields -----------------------------------------------------------------


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.labelled: set[str] = set()
        self.inputs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.inputs.append(attrs.get("id") or "")


def test_profile_fields_have_unique_ids_and_labels_with_two_factor_on(client, auth, make_user, db):
    user = make_user()
    auth.login(user)
    enable(client)
    fields = _Fields()
    fields.feed(client.get("/profile").get_data(as_text=True))
    duplicates = {i for i in fields.ids if fields.ids.count(i) > 1}
    assert not duplicates
    assert "confirm-password" in fields.inputs  # the field for recovery codes / turning it off
    assert all(i and i in fields.labelled for i in fields.inputs), fields.inputs


def test_an_ended_row_is_not_listed_and_restores_nothing(app, client, make_user, db):
    user = make_user()
    sign_in(client, user, remember=True)
    value = remember_cookie(client)
    row = rows(db, user)[0]
    row.ended_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not signed_in(only_the_cookie(app, value))
    assert not signed_in(client)


def test_a_background_fragment_never_rewrites_the_session_cookie(client, auth, make_user, db):
    """A page's live refetch runs beside the person's own request; its copy of the session,
    read before that request wrote (a flash after adopting the agenda), must not land last."""
    user = make_user()
    db.session.commit()
    auth.login(user)
    page = client.get("/")
    assert "consult_session=" in page.headers.get("Set-Cookie", "")  # a page keeps it alive
    fragment = client.get("/notifications/badge", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "consult_session=" not in fragment.headers.get("Set-Cookie", "")
