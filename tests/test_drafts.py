"""Nothing typed is lost to a time limit: text sent after the confidential idle limit, after a
sign-out in another tab or after the session was ended elsewhere is kept (encrypted, for its
author only, for a day) and offered back on the form's page after signing in again."""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

import itsdangerous.timed
import pyotp
import pytest
from flask import g
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import delete, func, select, text

from consult import drafts
from consult.accounts.models import DelegationStatus, SignedInSession
from consult.briefs import services as briefs
from consult.drafts import KeptDraft
from consult.papers import services as papers
from consult.papers.models import Comment, PaperKind
from consult.rooms.models import AccessLevel, Membership, RoomRole
from consult.threads import services as threads
from consult.threads.models import Marking, Post
from consult.timeutil import utcnow

from .conftest import PASSWORD

pytestmark = pytest.mark.hardening

SECRET_TEXT = "CANARY-KEPT-4e2b: the consignment left the free zone on a Tuesday."
HX = {"HX-Request": "true"}


# ---- settings ------------------------------------------------------------------------------


@pytest.fixture
def forum(db, make_user, make_room, add_member):
    """A confidential room with two members (two-factor on) and a thread they share."""
    room = make_room(AccessLevel.CONFIDENTIAL, title="DIEF")
    origin = make_user(name="Origin Delegate", totp_enabled_at=utcnow(), totp_secret="B" * 32)
    partner = make_user(name="Partner Delegate", totp_enabled_at=utcnow(), totp_secret="C" * 32)
    add_member(room, origin, RoomRole.MEMBER)
    add_member(room, partner, RoomRole.MEMBER)
    thread = threads.create_thread(
        room, origin, title="Transit case", marking=Marking.AMBER, body="Opening post."
    )
    db.session.flush()
    return room, thread, origin, partner


@pytest.fixture
def paper_room(db, make_user, make_room, add_member):
    """An open room with a paper, a delegate who comments and a colleague from elsewhere."""
    room = make_room(AccessLevel.OPEN)
    chair = make_user(name="Paper Chair")
    delegate = make_user(name="Commenting Delegate")
    other = make_user(name="Other Delegate", status=DelegationStatus.STATE_PARTY)
    add_member(room, chair, RoomRole.CHAIR)
    paper = papers.create_paper(
        room,
        chair,
        title="Draft guide",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First paragraph.\n\nSecond paragraph.",
    )
    papers.open_for_comments(paper, chair)
    db.session.flush()
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    return paper, paragraph, delegate, other


def enter(client, auth, user) -> None:
    """Signed in with a fresh second factor (the sign-in forms are tested in test_accounts)."""
    auth.login_quickly(user)
    with client.session_transaction() as session:
        session["second_factor_at"] = time.time()


def go_idle(client, minutes: float = 16) -> None:
    """As if the person had not been active in a confidential room for `minutes`."""
    with client.session_transaction() as session:
        session["second_factor_at"] = time.time() - minutes * 60
        session["confidential_seen"] = time.time() - minutes * 60


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no hidden {name} field in the page"
    return html.unescape(match.group(1))


def kept_rows(db) -> list[KeptDraft]:
    return list(db.session.scalars(select(KeptDraft)))


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no {name} textarea in the page"
    return html.unescape(match.group(1)).strip()


# ---- the confidential idle limit --------------------------------------------------------------


def test_a_post_sent_after_the_idle_limit_is_kept_and_offered_back(client, auth, forum, db):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    token = hidden(page, "kept_for")
    go_idle(client)

    response = client.post(
        f"/threads/{thread.id}/posts", data={"body": SECRET_TEXT, "kept_for": token}
    )
    # Sent to sign in again, and from there back to the thread (not to the POST's URL).
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/sign-in/again?next=")
    assert f"/threads/{thread.id}/posts" not in location
    assert location.endswith(f"/threads/{thread.id}")
    assert db.session.scalar(select(func.count(Post.id))) == 1  # nothing was posted

    code = pyotp.TOTP(partner.totp_secret).now()
    response = client.post(location, data={"password": PASSWORD, "code": code})
    assert response.headers["Location"].endswith(f"/threads/{thread.id}")
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert textarea(page, "body") == SECRET_TEXT
    assert "Your text was kept" in page

    # Sending it posts it, and the kept copy goes.
    response = client.post(f"/threads/{thread.id}/posts", data={"body": textarea(page, "body")})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Post.id))) == 2
    assert kept_rows(db) == []
    assert "Your text was kept" not in client.get(f"/threads/{thread.id}").get_data(as_text=True)


def test_kept_text_is_encrypted_at_rest(client, auth, forum, db):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    go_idle(client)
    client.post(f"/threads/{thread.id}/posts", data={"body": SECRET_TEXT})
    (row,) = kept_rows(db)
    raw = db.session.execute(text("SELECT content, form_key, page FROM kept_draft")).one()
    stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in raw)
    assert b"CANARY-KEPT" not in stored
    assert row.values["body"] == SECRET_TEXT  # readable with the key
    assert row.user_id == partner.id
    assert row.expires_at - row.created_at == timedelta(hours=24)


def test_a_new_thread_typed_past_the_idle_limit_is_kept(client, auth, forum, db):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    go_idle(client)
    response = client.post(
        f"/rooms/{room.slug}/threads/new",
        data={"title": "Night-vision sights", "marking": "TLP:RED", "body": SECRET_TEXT},
    )
    assert response.headers["Location"].endswith(f"/rooms/{room.slug}/threads/new")
    enter(client, auth, partner)
    page = client.get(f"/rooms/{room.slug}/threads/new").get_data(as_text=True)
    assert textarea(page, "body") == SECRET_TEXT
    assert 'value="Night-vision sights"' in page
    assert re.search(r'<option selected value="TLP:RED"|value="TLP:RED" selected', page)


def test_another_form_sent_after_the_idle_limit_comes_back_to_its_page(
    client, auth, forum, db, make_user, add_member
):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    go_idle(client)
    response = client.post(f"/threads/{thread.id}/marking", data={"marking": "TLP:RED"})
    assert response.headers["Location"].endswith(f"/sign-in/again?next=/threads/{thread.id}")

    # A form without a thread in its URL (an objection to a trend brief): back to its page.
    chair = make_user(totp_enabled_at=utcnow(), totp_secret="E" * 32)
    add_member(room, chair, RoomRole.CHAIR)
    brief = briefs.draft(room, chair, "Trends in transit.")
    briefs.submit(brief, chair, 14, set())
    db.session.flush()
    response = client.post(
        f"/briefs/{brief.id}/objections",
        data={"reason": "Too early."},
        headers={"Referer": f"http://localhost/briefs/{brief.id}"},
    )
    assert response.headers["Location"].endswith(f"/sign-in/again?next=/briefs/{brief.id}")


def test_staying_renews_the_idle_clock_only_while_it_runs(client, auth, forum, db, app):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    go_idle(client, minutes=14)  # one minute left
    answer = client.get("/confidential/idle").get_json()
    assert answer["extended"] is False and 0 < answer["remaining"] <= 60  # a GET renews nothing

    answer = client.post("/confidential/idle").get_json()
    idle = app.config["CONFIDENTIAL_IDLE_MINUTES"] * 60
    assert answer["extended"] is True and answer["remaining"] >= idle - 5
    assert client.get(f"/threads/{thread.id}").status_code == 200  # no sign-in asked

    go_idle(client, minutes=16)
    answer = client.post("/confidential/idle").get_json()
    assert answer == {"extended": False, "remaining": 0}
    assert "/sign-in/again" in client.get(f"/threads/{thread.id}").headers["Location"]


def test_staying_does_not_revive_an_ended_session(client, auth, forum, db):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    assert client.get("/confidential/idle").status_code == 200  # registers the session
    row = db.session.scalars(select(SignedInSession)).one()
    row.ended_at = utcnow()
    db.session.flush()
    response = client.post("/confidential/idle")
    assert response.status_code in (302, 303) and "/sign-in" in response.headers["Location"]


def test_gated_pages_carry_the_warning_and_others_do_not(client, auth, forum, db, app):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert 'role="alertdialog"' in page and "Stay signed in" in page
    remaining = int(re.search(r'data-remaining="(\d+)"', page).group(1))
    assert abs(remaining - app.config["CONFIDENTIAL_IDLE_MINUTES"] * 60) <= 5
    assert f'data-warn="{app.config["CONFIDENTIAL_IDLE_WARN_SECONDS"]}"' in page
    assert "js/idle.js" in page
    g.pop("confidential_idle", None)  # the tests' app context outlives a request; a server's not
    assert 'role="alertdialog"' not in client.get("/profile").get_data(as_text=True)


# ---- sessions that ended: paper comments --------------------------------------------------------


def _comment_page(client, paper, paragraph) -> str:
    response = client.get(f"/papers/{paper.id}/p/{paragraph.key}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _comment(paper, paragraph, body=SECRET_TEXT, **extra) -> dict:
    return {
        "body": body,
        "revision": papers.current_revision(paper).number,
        "on_behalf_of": extra.pop("on_behalf_of", ""),
        "proposed_text": "Stronger wording.",
        **extra,
    }


def test_a_comment_sent_after_signing_out_in_another_tab_is_kept(client, auth, paper_room, db):
    paper, paragraph, delegate, other = paper_room
    auth.login(delegate)
    page = _comment_page(client, paper, paragraph)
    data = {
        **_comment(paper, paragraph, on_behalf_of=delegate.delegation.name),
        "kept_for": hidden(page, "kept_for"),
        "csrf_token": hidden(page, "csrf_token"),
    }
    auth.logout()  # the other tab: the session is gone, its CSRF secret with it

    url = f"/papers/{paper.id}/p/{paragraph.key}/comments"
    response = client.post(url, data=data, headers=HX, csrf=False)
    assert response.status_code == 204  # htmx follows HX-Redirect to the sign-in page
    target = response.headers["HX-Redirect"]
    assert target.startswith("/sign-in?next=")
    assert target.endswith(f"/papers/{paper.id}/p/{paragraph.key}")
    assert db.session.scalar(select(func.count(Comment.id))) == 0

    response = client.post(target, data={"email": delegate.email, "password": PASSWORD})
    assert response.headers["Location"] == f"/papers/{paper.id}/p/{paragraph.key}"
    # The paper's own page links to it too.
    paper_page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert f'href="/papers/{paper.id}/p/{paragraph.key}">Your comment was kept' in paper_page
    page = _comment_page(client, paper, paragraph)
    assert textarea(page, "body") == SECRET_TEXT
    assert textarea(page, "proposed_text") == "Stronger wording."
    assert "Your text was kept" in page

    data = _comment(paper, paragraph, on_behalf_of=delegate.delegation.name)
    response = client.post(url, data=data, headers=HX)
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Comment.id))) == 1
    assert kept_rows(db) == []


def test_a_comment_sent_after_the_session_was_ended_elsewhere_is_kept(client, auth, paper_room, db):
    paper, paragraph, delegate, other = paper_room
    auth.login(delegate)
    page = _comment_page(client, paper, paragraph)
    for row in db.session.scalars(select(SignedInSession)):
        row.ended_at = utcnow()  # "End all other sessions" on another device
    db.session.flush()
    url = f"/papers/{paper.id}/p/{paragraph.key}/comments"
    response = client.post(
        url, data={**_comment(paper, paragraph), "kept_for": hidden(page, "kept_for")}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"next=/papers/{paper.id}/p/{paragraph.key}")
    (row,) = kept_rows(db)
    assert row.user_id == delegate.id and row.values["body"] == SECRET_TEXT


def test_a_reply_comes_back_in_its_own_open_form(client, auth, paper_room, db):
    paper, paragraph, delegate, other = paper_room
    parent = papers.post_comment(
        paper, other, paragraph=paragraph, body="First.", on_behalf_of=other.delegation.name
    )
    db.session.flush()
    auth.login(delegate)
    page = _comment_page(client, paper, paragraph)
    token = hidden(page, "kept_for")
    auth.logout()
    client.post(
        f"/papers/{paper.id}/p/{paragraph.key}/comments",
        data={**_comment(paper, paragraph, parent_id=str(parent.id)), "kept_for": token},
    )
    auth.login(delegate)
    page = _comment_page(client, paper, paragraph)
    assert '<details class="reply" open>' in page
    assert SECRET_TEXT in page.split('<details class="reply" open>', 1)[1].split("</details>")[0]


# ---- for its author only -------------------------------------------------------------------------


def test_nobody_else_sees_kept_text_or_can_discard_it(client, auth, paper_room, db):
    paper, paragraph, delegate, other = paper_room
    auth.login(delegate)
    token = hidden(_comment_page(client, paper, paragraph), "kept_for")
    auth.logout()
    client.post(
        f"/papers/{paper.id}/p/{paragraph.key}/comments",
        data={**_comment(paper, paragraph), "kept_for": token},
    )
    (row,) = kept_rows(db)

    auth.login(other)  # someone else signs in on the same browser
    page = _comment_page(client, paper, paragraph)
    assert SECRET_TEXT not in page and "Your text was kept" not in page
    assert "Your comment was kept" not in client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert client.post(f"/kept/{row.id}/discard").status_code == 404
    assert kept_rows(db) == [row]

    auth.logout()
    auth.login(delegate)
    response = client.post(f"/kept/{row.id}/discard")
    assert response.headers["Location"] == f"/papers/{paper.id}/p/{paragraph.key}"
    assert kept_rows(db) == []
    assert SECRET_TEXT not in _comment_page(client, paper, paragraph)


def test_a_form_of_someone_elses_earlier_session_is_kept_for_its_author(
    client, auth, paper_room, db
):
    paper, paragraph, delegate, other = paper_room
    auth.login(delegate)
    page = _comment_page(client, paper, paragraph)
    data = {**_comment(paper, paragraph), "kept_for": hidden(page, "kept_for")}
    data["csrf_token"] = hidden(page, "csrf_token")
    auth.logout()
    auth.login(other)
    response = client.post(f"/papers/{paper.id}/p/{paragraph.key}/comments", data=data, csrf=False)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    (row,) = kept_rows(db)
    assert row.user_id == delegate.id
    assert SECRET_TEXT not in _comment_page(client, paper, paragraph)


@pytest.mark.parametrize("forge", ["missing", "tampered", "other-secret", "expired"])
def test_without_a_genuine_token_nothing_is_kept(
    client, auth, paper_room, db, app, forge, monkeypatch
):
    paper, paragraph, delegate, other = paper_room
    auth.login(delegate)
    token = hidden(_comment_page(client, paper, paragraph), "kept_for")
    auth.logout()
    if forge == "missing":
        token = ""
    elif forge == "tampered":
        token = (
            URLSafeTimedSerializer(app.secret_key, salt="consult.kept-draft").dumps(other.id)[:-2]
            + "xx"
        )
    elif forge == "other-secret":
        token = URLSafeTimedSerializer("not-the-secret", salt="consult.kept-draft").dumps(
            delegate.id
        )
    else:  # a genuine token, from a page rendered more than a day ago
        day_ago = time.time() - 25 * 3600
        with monkeypatch.context() as patch:
            patch.setattr(itsdangerous.timed.time, "time", lambda: day_ago)
            token = URLSafeTimedSerializer(app.secret_key, salt="consult.kept-draft").dumps(
                delegate.id
            )
    response = client.post(
        f"/papers/{paper.id}/p/{paragraph.key}/comments",
        data={**_comment(paper, paragraph), "kept_for": token},
    )
    assert "/sign-in" in response.headers["Location"]
    assert kept_rows(db) == []


def test_nothing_is_kept_for_someone_who_may_not_use_the_form(client, auth, forum, db, make_user):
    room, thread, origin, partner = forum
    stranger = make_user(totp_enabled_at=utcnow(), totp_secret="D" * 32)
    db.session.flush()
    enter(client, auth, stranger)
    token = URLSafeTimedSerializer(client.application.secret_key, salt="consult.kept-draft")
    auth.logout()
    response = client.post(
        f"/threads/{thread.id}/posts",
        data={"body": SECRET_TEXT, "kept_for": token.dumps(stranger.id)},
    )
    assert "/sign-in" in response.headers["Location"]
    assert kept_rows(db) == []


# ---- for a short time ----------------------------------------------------------------------------


def test_kept_text_expires_and_is_purged(client, auth, forum, db, app):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    go_idle(client)
    client.post(f"/threads/{thread.id}/posts", data={"body": SECRET_TEXT})
    (row,) = kept_rows(db)
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    enter(client, auth, partner)
    assert SECRET_TEXT not in client.get(f"/threads/{thread.id}").get_data(as_text=True)

    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert "Purged 1 kept text" in result.output
    assert kept_rows(db) == []


def test_purge_leaves_kept_text_that_is_still_in_time(client, auth, forum, db):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    go_idle(client)
    client.post(f"/threads/{thread.id}/posts", data={"body": SECRET_TEXT})
    assert drafts.purge_expired() == 0
    assert drafts.purge_expired(utcnow() + timedelta(hours=25)) == 1


def test_kept_text_is_not_offered_to_a_member_who_lost_access(client, auth, forum, db):
    room, thread, origin, partner = forum
    enter(client, auth, partner)
    go_idle(client)
    client.post(f"/threads/{thread.id}/posts", data={"body": SECRET_TEXT})
    assert len(kept_rows(db)) == 1
    db.session.execute(
        delete(Membership).where(Membership.room_id == room.id, Membership.user_id == partner.id)
    )
    db.session.flush()
    enter(client, auth, partner)
    response = client.get(f"/threads/{thread.id}")
    assert response.status_code == 404
    assert SECRET_TEXT not in response.get_data(as_text=True)
