"""Confidential operational threads: need-to-know, markings, read records, no side doors."""

from __future__ import annotations

import io
import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from consult import mail
from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.extensions import db as _db
from consult.meetings import services as meetings
from consult.meetings.models import MeetingKind, MeetingMode
from consult.notifications import mailing
from consult.notifications.models import Notification
from consult.rooms.models import AccessLevel, RoomRole
from consult.threads import services
from consult.threads.models import Attachment, Marking, Post, ReadRecord, Thread
from consult.timeutil import utcnow

CANARIES = ("CANARY-TITLE-7f3a", "CANARY-BODY-91bc", "CANARY-CASE-55de", "CANARY-FILE-0c1d")


@pytest.fixture
def forum(db, make_user, make_room, add_member, make_delegation):
    """A DIEF-like room: a chair, two members and a third member outside a need-to-know list."""
    room = make_room(AccessLevel.CONFIDENTIAL, title="DIEF")
    people = {
        "chair": make_user(name="Forum Chair", totp_enabled_at=utcnow(), totp_secret="A" * 32),
        "origin": make_user(name="Origin Delegate", totp_enabled_at=utcnow(), totp_secret="B" * 32),
        "partner": make_user(
            status=DelegationStatus.SIGNATORY,
            name="Partner Delegate",
            totp_enabled_at=utcnow(),
            totp_secret="C" * 32,
        ),
        "outside": make_user(
            name="Outside Delegate", totp_enabled_at=utcnow(), totp_secret="D" * 32
        ),
    }
    add_member(room, people["chair"], RoomRole.CHAIR)
    for key in ("origin", "partner", "outside"):
        add_member(room, people[key], RoomRole.MEMBER)
    return room, people


def enter(client, auth, user):
    """Sign in with a fresh second factor (the two-step form is tested in test_accounts)."""
    auth.login_quickly(user)
    with client.session_transaction() as session:
        session["second_factor_at"] = time.time()


def open_thread(room, people, *, marking=Marking.AMBER, audience=("partner",)):
    return services.create_thread(
        room,
        people["origin"],
        title=f"{CANARIES[0]} suspected diversion",
        marking=marking,
        body=f"Serial numbers {CANARIES[1]} found.",
        case_reference=CANARIES[2],
        audience=[people[k] for k in audience] if audience is not None else None,
    )


def test_need_to_know_members_see_it_and_others_do_not(client, auth, forum, db):
    room, people = forum
    thread = open_thread(room, people)
    db.session.flush()
    enter(client, auth, people["partner"])
    page = client.get(f"/threads/{thread.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert CANARIES[1] in body and "TLP:AMBER" in body
    assert page.headers["Cache-Control"] == "no-store"
    enter(client, auth, people["outside"])
    assert client.get(f"/threads/{thread.id}").status_code == 404
    assert CANARIES[0] not in client.get(f"/rooms/{room.slug}").get_data(as_text=True)


def test_content_is_encrypted_at_rest(forum, db):
    room, people = forum
    thread = open_thread(room, people)
    db.session.flush()
    raw = db.session.execute(text("SELECT title, case_reference FROM thread")).one()
    posts = db.session.execute(text("SELECT body FROM post")).scalars().all()
    blob = b"".join(bytes(v) for v in (*raw, *posts))
    assert all(c.encode() not in blob for c in CANARIES[:3])
    assert thread.title.startswith(CANARIES[0])  # and readable with the key


def test_two_factor_and_fresh_sign_in_are_required(client, auth, forum, db, make_user, add_member):
    room, people = forum
    thread = open_thread(room, people, audience=None)
    no_factor = make_user(name="No Factor")
    add_member(room, no_factor, RoomRole.MEMBER)
    db.session.flush()
    auth.login_quickly(no_factor)
    response = client.get(f"/threads/{thread.id}")
    assert response.status_code in (302, 303)
    assert "/profile/two-factor" in response.headers["Location"]
    auth.login_quickly(people["partner"])  # two-factor on, but this session never used it
    response = client.get(f"/threads/{thread.id}")
    assert "/sign-in/again" in response.headers["Location"]
    enter(client, auth, people["partner"])
    with client.session_transaction() as session:
        session["second_factor_at"] = time.time() - 16 * 60  # idle past 15 minutes
    response = client.get(f"/threads/{thread.id}")
    assert "/sign-in/again" in response.headers["Location"]


def test_sign_in_again_with_password_and_code(client, auth, forum, db):
    import pyotp

    room, people = forum
    thread = open_thread(room, people, audience=None)
    db.session.flush()
    auth.login_quickly(people["partner"])  # signed in, but not with the second factor
    response = client.post(
        f"/sign-in/again?next=/threads/{thread.id}",
        data={"password": "a-long-test-password", "code": "000000"},
    )
    assert response.status_code == 422
    code = pyotp.TOTP(people["partner"].totp_secret).now()
    response = client.post(
        f"/sign-in/again?next=/threads/{thread.id}",
        data={"password": "a-long-test-password", "code": code},
    )
    assert response.headers["Location"].endswith(f"/threads/{thread.id}")
    assert client.get(f"/threads/{thread.id}").status_code == 200


def test_secretariat_administers_but_cannot_read(client, auth, forum, db, make_user):
    room, people = forum
    thread = open_thread(room, people, audience=None)
    admin = make_user(
        status=DelegationStatus.SECRETARIAT, totp_enabled_at=utcnow(), totp_secret="E" * 32
    )
    db.session.flush()
    enter(client, auth, admin)
    room_page = client.get(f"/rooms/{room.slug}")
    assert room_page.status_code == 200 and "Members" in room_page.get_data(as_text=True)
    assert CANARIES[0] not in room_page.get_data(as_text=True)
    assert client.get(f"/threads/{thread.id}").status_code == 404


def test_markings_raise_by_anyone_lower_by_the_originator(client, auth, forum, db):
    room, people = forum
    thread = open_thread(room, people)
    db.session.flush()
    enter(client, auth, people["partner"])
    client.post(f"/threads/{thread.id}/marking", data={"marking": "TLP:RED"})
    db.session.refresh(thread)
    assert thread.marking is Marking.RED
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert 'value="TLP:RED"' in page and 'value="TLP:GREEN"' not in page  # raise only
    response = client.post(f"/threads/{thread.id}/marking", data={"marking": "TLP:GREEN"})
    assert response.status_code == 403  # can(LOWER_MARKING): the originating delegation only
    assert client.post(f"/threads/{thread.id}/marking", data={"marking": "x"}).status_code == 422
    db.session.refresh(thread)
    assert thread.marking is Marking.RED
    enter(client, auth, people["origin"])
    client.post(f"/threads/{thread.id}/marking", data={"marking": "TLP:GREEN"})
    db.session.refresh(thread)
    assert thread.marking is Marking.GREEN
    kinds = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.kind == "thread.marking")
    ).all()
    assert len(kinds) == 2 and all(CANARIES[0] not in k for k in kinds)


def test_widening_and_history_grants(client, auth, forum, db):
    room, people = forum
    thread = open_thread(room, people)
    db.session.flush()
    enter(client, auth, people["partner"])
    assert (
        client.post(
            f"/threads/{thread.id}/audience", data={"user": people["outside"].id}
        ).status_code
        == 403
    )
    enter(client, auth, people["origin"])
    client.post(f"/threads/{thread.id}/audience", data={"user": people["outside"].id})
    db.session.flush()
    enter(client, auth, people["outside"])
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert CANARIES[1] not in page  # the earlier post stays hidden
    assert "grant you the earlier history" in page
    enter(client, auth, people["origin"])
    client.post(f"/threads/{thread.id}/history/{people['outside'].id}")
    enter(client, auth, people["outside"])
    assert CANARIES[1] in client.get(f"/threads/{thread.id}").get_data(as_text=True)


def test_late_room_member_sees_from_joining(client, auth, forum, db, make_user, add_member):
    room, people = forum
    thread = open_thread(room, people, audience=None)
    db.session.flush()
    newcomer = make_user(totp_enabled_at=utcnow(), totp_secret="F" * 32)
    membership = add_member(room, newcomer, RoomRole.MEMBER)
    membership.started_at = utcnow() + timedelta(seconds=1)
    services.add_post(thread, people["origin"], "A later update.")
    db.session.flush()
    later = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
    later.created_at = utcnow() + timedelta(seconds=2)
    db.session.flush()
    enter(client, auth, newcomer)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "A later update." in page and CANARIES[1] not in page


def test_exports_off_by_default_never_for_red_and_watermarked(client, auth, forum, db):
    room, people = forum
    thread = open_thread(room, people)
    db.session.flush()
    enter(client, auth, people["partner"])
    assert client.get(f"/threads/{thread.id}/export.txt").status_code == 403
    enter(client, auth, people["origin"])
    client.post(f"/threads/{thread.id}/exports", data={"allowed": "1"})
    enter(client, auth, people["partner"])
    exported = client.get(f"/threads/{thread.id}/export.txt").get_data(as_text=True)
    assert exported.startswith("TLP:AMBER") and exported.rstrip().endswith("TLP:AMBER")
    assert f"Exported by {people['partner'].name}" in exported
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.kind == "thread.exported")
        )
        == 1
    )
    enter(client, auth, people["origin"])
    client.post(f"/threads/{thread.id}/marking", data={"marking": "TLP:RED"})
    response = client.post(f"/threads/{thread.id}/exports", data={"allowed": "1"})
    assert response.status_code == 422
    assert client.get(f"/threads/{thread.id}/export.txt").status_code == 403


def test_attachments_are_bounded_encrypted_and_read_recorded(client, auth, forum, db, app):
    room, people = forum
    thread = open_thread(room, people)
    db.session.flush()
    enter(client, auth, people["origin"])
    bad = client.post(
        f"/threads/{thread.id}/posts",
        data={"body": "See file", "attachment": (io.BytesIO(b"MZ..."), "tool.exe")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "PDF, Word" in bad.get_data(as_text=True)
    app.config["MAX_ATTACHMENT_BYTES"] = 10
    big = client.post(
        f"/threads/{thread.id}/posts",
        data={"body": "See file", "attachment": (io.BytesIO(b"x" * 11), "big.txt")},
        content_type="multipart/form-data",
    )
    app.config["MAX_ATTACHMENT_BYTES"] = 10 * 1024 * 1024
    assert big.status_code == 422
    assert db.session.scalar(select(func.count(Post.id))) == 1
    good = client.post(
        f"/threads/{thread.id}/posts",
        data={
            "body": "Photo attached",
            "attachment": (io.BytesIO(b"%PDF serial 123"), f"{CANARIES[3]}.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code in (302, 303)
    attachment = db.session.scalars(select(Attachment)).one()
    stored = (services.attachment_dir() / attachment.stored_name).read_bytes()
    assert b"serial 123" not in stored
    enter(client, auth, people["partner"])
    download = client.get(f"/attachments/{attachment.id}")
    assert download.data == b"%PDF serial 123"
    assert download.headers["Cache-Control"] == "no-store"
    assert (
        db.session.scalar(
            select(func.count(ReadRecord.id)).where(ReadRecord.attachment_id == attachment.id)
        )
        == 1
    )
    enter(client, auth, people["outside"])
    assert client.get(f"/attachments/{attachment.id}").status_code == 404


def test_read_records_are_shown_to_members(client, auth, forum, db):
    room, people = forum
    thread = open_thread(room, people)
    db.session.flush()
    enter(client, auth, people["partner"])
    client.get(f"/threads/{thread.id}")
    enter(client, auth, people["origin"])
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    readers = page.split("Read by", 1)[1]
    assert people["partner"].name in readers


def test_retention_and_purge_remove_rows_and_files(client, auth, forum, db, app):
    room, people = forum
    thread = open_thread(room, people)
    thread.retention_days = 30
    old = db.session.scalars(select(Post)).one()
    old.created_at = utcnow() - timedelta(days=31)
    db.session.flush()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge-expired"])
    assert "Purged 1 post" in result.output
    assert db.session.scalar(select(func.count(Post.id))) == 0
    summaries = " ".join(db.session.scalars(select(AuditEvent.summary)))
    assert "retention period were purged" in summaries
    assert all(c not in summaries for c in CANARIES)


def test_confidential_rooms_refuse_non_state_members(client, auth, forum, db, make_delegation):
    room, people = forum
    ngo = make_delegation(DelegationStatus.CIVIL_SOCIETY, group=None)
    enter(client, auth, people["chair"])
    response = client.post(
        f"/rooms/{room.slug}/members/delegations",
        data={"d-delegation": ngo.id, "d-role": "member"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Only States Parties and signatory States" in response.get_data(as_text=True)


# ---- leak tests: canaries never leave through a side door ------------------------------------

OUTSIDERS = [
    "anonymous",
    "observer_org",
    "other_state_party",
    "other_room_member",
    "secretariat",
    "outside_need_to_know",
]


@pytest.mark.leak
@pytest.mark.parametrize("role", OUTSIDERS)
def test_no_canary_reaches_an_outsider(
    client, auth, forum, db, make_user, make_room, add_member, role, caplog, app
):
    from consult.extensions import socketio

    room, people = forum
    other_room = make_room(AccessLevel.MEMBERS)
    users = {
        "observer_org": make_user(status=DelegationStatus.CIVIL_SOCIETY),
        "other_state_party": make_user(),
        "other_room_member": make_user(),
        "secretariat": make_user(status=DelegationStatus.SECRETARIAT),
        "outside_need_to_know": people["outside"],
    }
    add_member(other_room, users["other_room_member"], RoomRole.MEMBER)
    meetings.create_meeting(
        room,
        people["chair"],
        title="DIEF session",
        kind=MeetingKind.REGIONAL_MEETING,
        mode=MeetingMode.VIRTUAL,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        time_zone="UTC",
    )
    db.session.flush()
    outsider = users.get(role)
    seen: list[str] = []
    if outsider is not None:
        for user in users.values():
            user.totp_enabled_at, user.totp_secret = utcnow(), "G" * 32
        enter(client, auth, outsider)
    # The thread is created, posted to and exported through the app by its members.
    caplog.set_level(logging.DEBUG)
    member_client = app.test_client()
    Auth = type(auth)
    Auth(member_client).login_quickly(people["origin"])
    with member_client.session_transaction() as session:
        session["second_factor_at"] = time.time()
    response = member_client.post(
        f"/rooms/{room.slug}/threads/new",
        data={
            "title": f"{CANARIES[0]} case",
            "marking": "TLP:AMBER",
            "case_reference": CANARIES[2],
            "need_to_know": "y",
            "audience": [people["partner"].id],
            "body": f"Found {CANARIES[1]}",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    thread = db.session.scalars(select(Thread)).one()
    member_client.post(
        f"/threads/{thread.id}/posts",
        data={
            "body": f"More on {CANARIES[1]}",
            "attachment": (io.BytesIO(b"%PDF"), f"{CANARIES[3]}.pdf"),
        },
        content_type="multipart/form-data",
    )
    member_client.post(f"/threads/{thread.id}/exports", data={"allowed": "1"})
    member_client.get(f"/threads/{thread.id}/export.txt")
    attachment = db.session.scalars(select(Attachment)).one()

    # Every surface the outsider can reach.
    urls = [
        "/",
        "/rooms/",
        f"/rooms/?q={CANARIES[0][:6]}",
        f"/rooms/{room.slug}",
        f"/threads/{thread.id}",
        f"/threads/{thread.id}/export.txt",
        f"/attachments/{attachment.id}",
        "/notifications/",
        "/calendar/feed",
        f"/threads/{thread.id}/nonexistent",
        "/admin/audit",
        "/admin/rooms",
    ]
    for url in urls:
        seen.append(client.get(url).get_data(as_text=True))
        seen.append(client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True))
    # Search, for every canary (its distinctive word, and whole: the page repeats the query,
    # so the whole one is judged by its results), finds nothing and counts nothing.
    for canary in CANARIES:
        for q in (canary.rsplit("-", 1)[-1], canary, f"{canary} case"):
            page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
            if outsider is not None:
                assert "Nothing found for" in page and 'class="search-hit"' not in page, q
            if q != canary and not q.startswith(canary):
                seen.append(page)
    if outsider is not None:
        seen.append(client.post("/calendar/feed", data={"action": "new"}).get_data(as_text=True))
        seen += [
            str(n.text) + n.link
            for n in db.session.scalars(
                select(Notification).where(Notification.user_id == outsider.id)
            )
        ]
        # Socket handlers release the session: commit the test's data first, keep plain values.
        thread_id = thread.id
        db.session.commit()
        sc = socketio.test_client(app, namespace="/live", flask_test_client=client)
        seen.append(
            str(sc.emit("watch_thread", {"thread": thread_id}, namespace="/live", callback=True))
        )
        member_client.post(f"/threads/{thread_id}/posts", data={"body": CANARIES[1]})
        seen.append(str(sc.get_received("/live")))
        sc.disconnect(namespace="/live")
    seen += [m.as_string() for m in mail.outbox]
    seen.append(caplog.text)
    for canary in CANARIES:
        assert all(canary not in s for s in seen), f"{canary} leaked to {role}"


def test_member_notifications_and_socket_signals_carry_no_content(client, auth, forum, db, app):
    from consult.extensions import socketio

    room, people = forum
    thread = open_thread(room, people, audience=None)
    db.session.flush()
    thread_id = thread.id
    partner_email = people["partner"].email
    mailing.set_preference(people["partner"], "thread.activity", mailing.IMMEDIATELY)
    enter(client, auth, people["partner"])
    type(auth)(origin_client := app.test_client()).login_quickly(people["origin"])
    with origin_client.session_transaction() as session:
        session["second_factor_at"] = time.time()
    db.session.commit()  # socket handlers release the session
    sc = socketio.test_client(app, namespace="/live", flask_test_client=client)
    assert sc.emit("watch_thread", {"thread": thread_id}, namespace="/live", callback=True)["ok"]
    sc.get_received("/live")
    origin_client.post(f"/threads/{thread_id}/posts", data={"body": f"Update {CANARIES[1]}"})
    received = str(sc.get_received("/live"))
    assert "thread-changed" in received and CANARIES[1] not in received
    texts = _db.session.scalars(select(Notification.text)).all()
    assert texts and all(t == "New activity in a confidential room" for t in texts)
    assert partner_email not in received
    sc.disconnect(namespace="/live")
    # By e-mail too: one content-free line and a link, never the title or the post.
    rows = _db.session.scalars(select(mail.OutboxMessage)).all()
    assert any(r.to_address == partner_email for r in rows)
    for row in rows:
        assert all(c not in row.subject + row.body for c in CANARIES), row.body
    assert all(c not in str(m) for m in mail.outbox for c in CANARIES)


def test_chair_sets_retention_with_validation(client, auth, forum, db):
    room, people = forum
    thread = open_thread(room, people, audience=None)
    db.session.flush()
    enter(client, auth, people["chair"])
    assert client.post(f"/threads/{thread.id}/retention", data={"days": "0"}).status_code == 422
    assert client.post(f"/threads/{thread.id}/retention", data={"days": "abc"}).status_code == 422
    client.post(f"/threads/{thread.id}/retention", data={"days": "90"})
    db.session.refresh(thread)
    assert thread.retention_days == 90
    enter(client, auth, people["partner"])
    assert client.post(f"/threads/{thread.id}/retention", data={"days": "1"}).status_code == 403


def test_a_rooms_retention_period_applies_to_its_threads(forum, db, app, make_user, client, auth):
    room, people = forum
    thread = open_thread(room, people, audience=None)
    services.add_post(thread, people["partner"], "Recent post.")
    old = db.session.scalars(select(Post).order_by(Post.id)).first()
    old.created_at = utcnow() - timedelta(days=61)
    db.session.flush()
    # The Secretariat sets the room's period in the administration.
    admin = make_user(status=DelegationStatus.SECRETARIAT)
    auth.login(admin)
    form = {
        "title": room.title,
        "slug": room.slug,
        "kind": room.kind.value,
        "access": room.access.value,
        "parent": "0",
        "time_zone": room.time_zone,
        "retention_days": "60",
        "description": "",
    }
    response = client.post(f"/admin/rooms/{room.id}/edit", data=form)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    db.session.refresh(room)
    assert room.retention_days == 60
    assert services.purge_expired() == 1
    assert [p.body for p in db.session.scalars(select(Post))] == ["Recent post."]


@pytest.mark.hardening
@pytest.mark.parametrize("marking", list(Marking))
def test_each_marking_shows_as_its_tlp_label_wherever_it_appears(client, auth, forum, db, marking):
    """The room's list and both banners use the one TLP label (its colour class, its exact
    text); an export's first and last lines carry the same text."""
    room, people = forum
    thread = open_thread(room, people, marking=marking, audience=None)
    thread.is_export_allowed = marking is not Marking.RED
    db.session.flush()
    label = f'<span class="tlp tlp-{marking.css}">{marking.value}</span>'
    enter(client, auth, people["partner"])
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert page.count(label) == 2 and page.count('class="tlp ') == 2
    assert page.count('role="note" aria-label="Handling marking"') == 2
    listing = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert label in listing
    exported = client.get(f"/threads/{thread.id}/export.txt")
    if marking is Marking.RED:
        assert exported.status_code == 403
    else:
        lines = exported.get_data(as_text=True).strip().splitlines()
        assert lines[0] == marking.value and lines[-1] == marking.value


# ---- the TLP:RED guard (planted bug 2 of issue #11) ------------------------------------------


def _exports_card(page: str) -> str:
    return page.split('id="exports-title"', 1)[1].split("</section>", 1)[0]


def test_a_red_thread_offers_no_export_and_the_export_is_refused(client, auth, forum, db):
    """A TLP:RED thread is never exported: its page offers neither the export nor the switch
    to allow it, even to the originators and even on a row that says exports are allowed
    (an edit outside the app, or a marking raised by hand), and the export URL answers 403."""
    room, people = forum
    amber = open_thread(room, people, audience=None)
    amber.is_export_allowed = True
    red = open_thread(room, people, marking=Marking.RED, audience=None)
    red.is_export_allowed = True
    db.session.flush()
    for who in ("origin", "partner"):
        enter(client, auth, people[who])
        # The control the guard hides is there on an exportable thread ...
        shown = _exports_card(client.get(f"/threads/{amber.id}").get_data(as_text=True))
        assert f"/threads/{amber.id}/export.txt" in shown
        # ... and on the TLP:RED thread only the reason shows.
        card = _exports_card(client.get(f"/threads/{red.id}").get_data(as_text=True))
        assert "A TLP:RED thread is never exported." in card
        assert "export.txt" not in card and f"/threads/{red.id}/exports" not in card
        assert "Allow exports" not in card and "Turn exports off" not in card
        assert client.get(f"/threads/{red.id}/export.txt").status_code == 403
    enter(client, auth, people["origin"])
    refused = client.post(f"/threads/{red.id}/exports", data={"allowed": "1"})
    assert refused.status_code == 422 and "can never be exported" in refused.get_data(as_text=True)
    exported = select(func.count(AuditEvent.id)).where(AuditEvent.kind == "thread.exported")
    assert db.session.scalar(exported) == 0


# ---- opening a thread: the forum's rule --------------------------------------------------------


def test_who_may_open_a_thread(client, auth, forum, db, make_user, make_room, add_member):
    room, people = forum
    observer = make_user(totp_enabled_at=utcnow(), totp_secret="H" * 32)
    add_member(room, observer, RoomRole.OBSERVER)
    admin = make_user(
        status=DelegationStatus.SECRETARIAT, totp_enabled_at=utcnow(), totp_secret="I" * 32
    )
    open_room = make_room(AccessLevel.OPEN)
    plain = make_user()  # no second factor: an open room has no threads to ask it for
    add_member(open_room, plain, RoomRole.MEMBER)
    db.session.flush()
    enter(client, auth, people["partner"])
    assert client.get(f"/rooms/{room.slug}/threads/new").status_code == 200
    enter(client, auth, observer)
    assert client.get(f"/rooms/{room.slug}/threads/new").status_code == 403
    enter(client, auth, admin)  # administers the room, is no member of it
    assert client.get(f"/rooms/{room.slug}/threads/new").status_code == 404
    auth.login_quickly(plain)
    assert client.get(f"/rooms/{open_room.slug}/threads/new").status_code == 404
    # A named member without a fresh second factor is sent to sign in again, not refused.
    auth.login_quickly(people["partner"])
    response = client.get(f"/rooms/{room.slug}/threads/new")
    assert "/sign-in/again" in response.headers["Location"]


# ---- lists select in SQL what can(VIEW) allows -------------------------------------------------


def test_visible_filters_agree_with_can(forum, db, make_user, add_member):
    """For every listed model of threads and briefs, the SQL filter selects exactly the rows
    can(VIEW) allows, for members, listed and unlisted, late joiners, a granted history,
    an observer, the Secretariat and an outsider."""
    from consult import policy
    from consult.briefs import services as briefs
    from consult.briefs.models import PublishedBrief, TrendBrief
    from consult.policy import Need

    room, people = forum
    shared = open_thread(room, people, audience=None)
    listed = open_thread(room, people)
    services.add_post(shared, people["partner"], "Second.", [("note.txt", b"x")])
    late = make_user(totp_enabled_at=utcnow(), totp_secret="J" * 32)
    membership = add_member(room, late, RoomRole.MEMBER)
    membership.started_at = utcnow() + timedelta(seconds=1)
    granted = make_user(totp_enabled_at=utcnow(), totp_secret="K" * 32)
    add_member(room, granted, RoomRole.OBSERVER).started_at = utcnow() + timedelta(seconds=1)
    db.session.flush()
    later = services.add_post(shared, people["origin"], "Third.", [("later.txt", b"y")])
    later.created_at = utcnow() + timedelta(seconds=2)
    services.widen(listed, people["origin"], [granted])
    services.grant_history(listed, people["origin"], granted)
    draft = briefs.draft(room, people["chair"], "Trends.")
    pending = briefs.draft(room, people["chair"], "More trends.")
    briefs.submit(pending, people["chair"], 7, set())
    admin = make_user(status=DelegationStatus.SECRETARIAT)
    stranger = make_user()
    db.session.flush()
    assert draft.id and later.id
    everyone = [*people.values(), late, granted, admin, stranger]
    for model in (Thread, Post, Attachment, TrendBrief, PublishedBrief):
        rows = db.session.scalars(select(model)).all()
        for person in everyone:
            query = select(model.id).where(policy.visible(model, person))
            selected = set(db.session.scalars(query))
            allowed = {row.id for row in rows if policy.can(Need.VIEW, row, person)}
            assert selected == allowed, (model.__name__, person.name)
    # The cases the filters must tell apart, so the agreement above says something.
    assert {p.body for p in services.posts_for(shared, late)} == {"Third."}
    assert len(services.posts_for(listed, granted)) == 1
    assert services.visible_threads(room, people["outside"]) == [shared]
    assert briefs.briefs_in(room, people["partner"]) == [pending]


def test_the_room_pages_thread_list_costs_the_same_queries_at_any_size(
    client, auth, forum, db, count_queries
):
    room, people = forum
    open_thread(room, people, audience=None)
    open_thread(room, people)
    db.session.flush()
    enter(client, auth, people["partner"])

    def measure() -> tuple[int, str]:
        with count_queries() as statements:
            page = client.get(f"/rooms/{room.slug}")
            assert page.status_code == 200
        return len(statements), page.get_data(as_text=True)

    small, _page = measure()
    for i in range(12):
        open_thread(room, people, audience=None if i % 2 else ("partner",))
    db.session.flush()
    large, page = measure()
    assert page.count('href="/threads/') == 14
    assert large == small
