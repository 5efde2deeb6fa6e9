"""Reads take no lock: a slow page or a long render never makes anyone else wait.

These tests commit for real (threads need the rows), on rows built so that nothing they leave
behind (an audit event can never be deleted) refers to them, and delete them afterwards.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import create_engine, delete, event, select, text

from consult import audit, transaction
from consult.accounts import sessions
from consult.accounts.models import Delegation, DelegationStatus, SignedInSession, User
from consult.extensions import db
from consult.notifications.models import Notification
from consult.papers import services as papers
from consult.papers.models import Comment, Paper, PaperFollow, PaperKind, Paragraph, Revision
from consult.rooms import services as rooms
from consult.rooms.models import AccessLevel, Membership, Room, RoomActivity, RoomKind, RoomRole

pytestmark = pytest.mark.hardening

BRACKETS = "[" * 9000 + "a" + "]" * 9000  # the review's comment: 18,001 characters
HOLD = 8.0  # seconds the slow read stays open at most (released once everyone has finished)
ROUNDS = 3  # requests or writes per thread while it is open


@dataclass
class World:
    room_id: int
    user_ids: list[int]
    paper_id: int
    key: str
    revision: int
    delegation: str


@pytest.fixture(scope="module")
def world(app) -> Iterator[World]:
    with app.app_context():
        delegation = Delegation(
            name="Lockland", short_name="LCK", status=DelegationStatus.STATE_PARTY
        )
        db.session.add(delegation)
        db.session.flush()
        users = [
            User(
                delegation=delegation,
                name=f"Reader {n}",
                email=f"reader{n}@locks.test",
                session_nonce=f"nonce-{n}",
                password_hash="unused: these readers never type a password",
            )
            for n in range(6)
        ]
        room = Room(
            slug="read-locks", title="Locks", kind=RoomKind.SMALL_GROUP, access=AccessLevel.OPEN
        )
        db.session.add_all([*users, room])
        db.session.flush()
        db.session.add(
            Membership(room_id=room.id, delegation_id=delegation.id, role=RoomRole.CHAIR)
        )
        db.session.flush()
        # Issued through the service, without its audit line (it could never be deleted).
        real_record, audit.record = audit.record, lambda *a, **k: None
        try:
            paper = papers.create_paper(
                room,
                users[0],
                title="Locks",
                kind=PaperKind.WORKING_PAPER,
                issued_by="Chair",
                source="The first paragraph.\n\nThe second paragraph.",
            )
            papers.open_for_comments(paper, users[0])
        finally:
            audit.record = real_record
        db.session.commit()
        revision = papers.current_revision(paper)
        paragraph = papers.paragraphs_of(revision)[0]
        built = World(
            room.id,
            [u.id for u in users],
            paper.id,
            paragraph.key,
            revision.number,
            delegation.name,
        )
    yield built
    with app.app_context():
        ids = built.user_ids
        for statement in (
            delete(Notification).where(Notification.user_id.in_(ids)),
            delete(Comment).where(Comment.paper_id == built.paper_id),
            delete(PaperFollow).where(PaperFollow.paper_id == built.paper_id),
            delete(Paragraph).where(
                Paragraph.revision_id.in_(
                    select(Revision.id).where(Revision.paper_id == built.paper_id)
                )
            ),
            delete(Revision).where(Revision.paper_id == built.paper_id),
            delete(Paper).where(Paper.id == built.paper_id),
            delete(RoomActivity).where(RoomActivity.room_id == built.room_id),
            delete(SignedInSession).where(SignedInSession.user_id.in_(ids)),
            delete(Membership).where(Membership.room_id == built.room_id),
            delete(Room).where(Room.id == built.room_id),
            delete(User).where(User.id.in_(ids)),
            delete(Delegation).where(Delegation.name == "Lockland"),
        ):
            db.session.execute(statement)
        db.session.commit()


def signed_in(app, user_id: int) -> FlaskClient:
    """A client of its own (usable from any thread), signed in as Flask-Login would."""
    client = FlaskClient(app, app.response_class, use_cookies=True)
    with app.test_request_context("/", environ_base=client.environ_base):
        user = db.session.get(User, user_id)
        sessions.begin(user)  # a registered signed-in session, as a real sign-in makes
        login_user(user)
        data = dict(session)
        db.session.commit()
    with client.session_transaction() as client_session:
        client_session.update(data)
    return client


@pytest.fixture
def no_csrf(app):
    """Posting from threads without a form page: CSRF is tested elsewhere."""
    before = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = before


@pytest.fixture
def begins(app) -> Iterator[list[str]]:
    """The BEGIN statements the engine sends, in order."""
    sent: list[str] = []

    def on_execute(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    yield sent
    event.remove(engine, "before_cursor_execute", on_execute)


def post_comment(client: FlaskClient, world: World, body: str):
    return client.post(
        f"/papers/{world.paper_id}/p/{world.key}/comments",
        data={"body": body, "revision": world.revision, "on_behalf_of": world.delegation},
        headers={"HX-Request": "true"},
    )


def test_reads_begin_deferred_and_a_write_takes_the_lock_then_reads_again(
    app, world, begins, no_csrf, monkeypatch
):
    from consult.htmx import Page

    rendered_in: list[str | None] = []
    respond = Page.respond

    def recording(page):
        rendered_in.append(transaction.mode())
        return respond(page)

    monkeypatch.setattr(Page, "respond", recording)
    client = signed_in(app, world.user_ids[0])
    begins.clear()
    assert client.get("/rooms/").status_code == 200
    assert begins and set(begins) == {"BEGIN"}, begins

    begins.clear()
    response = post_comment(client, world, "A plain comment.")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    # The write from its first statement, once; the thread it shows afterwards is rendered
    # after the commit, from what the view loaded, and anything it still reads is deferred.
    assert begins[0] == "BEGIN IMMEDIATE" and "BEGIN IMMEDIATE" not in begins[1:], begins
    assert rendered_in[-1] == transaction.READ  # rendered once the write was committed


def _hold_a_slow_read(
    app, opened: threading.Event, release: threading.Event, seconds: float
) -> None:
    """Hold a read open for `seconds`, or until released once everyone else has finished."""
    with app.app_context(), transaction.reading(), db.engine.connect() as connection:
        connection.execute(select(Room.id)).all()  # a snapshot is now held
        opened.set()
        release.wait(seconds)
        connection.rollback()


def test_a_slow_read_makes_no_writer_and_no_reader_wait(app, world, no_csrf):
    readers = [signed_in(app, uid) for uid in world.user_ids[1:4]]
    writers = [signed_in(app, uid) for uid in world.user_ids[4:6]]
    opened, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_a_slow_read, args=(app, opened, release, HOLD))
    holder.start()
    assert opened.wait(10)
    timings: list[tuple[str, int, float]] = []
    errors: list[BaseException] = []

    def timed(kind: str, call) -> None:
        try:
            for _ in range(ROUNDS):
                start = time.monotonic()
                status = call()
                timings.append((kind, status, time.monotonic() - start))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def service_write() -> int:
        with app.app_context():
            rooms.note_activity(db.session.get(Room, world.room_id), "room.activity", "a line")
            db.session.commit()
        return 200

    jobs = [
        threading.Thread(target=timed, args=("read", lambda c=c: c.get("/rooms/").status_code))
        for c in readers
    ]
    jobs += [
        threading.Thread(
            target=timed, args=("post", lambda c=c: post_comment(c, world, "Fine.").status_code)
        )
        for c in writers
    ]
    jobs += [threading.Thread(target=timed, args=("write", service_write)) for _ in range(3)]
    started = time.monotonic()
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(60)
    elapsed = time.monotonic() - started
    read_still_open = holder.is_alive()
    release.set()  # everyone is done: no need to wait out the rest of HOLD
    holder.join(30)
    assert not errors, errors[:3]
    assert len(timings) == ROUNDS * len(jobs)
    assert {status for _kind, status, _t in timings} == {200}
    # Had anyone waited for the read, nobody would have finished before it ended.
    assert read_still_open, (elapsed, sorted(timings, key=lambda row: -row[2])[:5])
    slowest_read = max(t for kind, _status, t in timings if kind == "read")
    assert slowest_read < HOLD / 4, slowest_read


def test_the_review_comment_does_not_stall_a_reader(app, world, no_csrf):
    poster = signed_in(app, world.user_ids[1])
    reader = signed_in(app, world.user_ids[2])
    reader.get("/rooms/")  # warm
    result: dict[str, object] = {}

    def post() -> None:
        start = time.monotonic()
        result["status"] = post_comment(poster, world, BRACKETS).status_code
        result["seconds"] = time.monotonic() - start

    posting = threading.Thread(target=post)
    posting.start()
    latencies = []
    while posting.is_alive() or not latencies:
        start = time.monotonic()
        assert reader.get("/rooms/").status_code == 200
        latencies.append(time.monotonic() - start)
    posting.join(30)
    assert result["status"] == 200  # accepted: cmark renders it as plain brackets, at once
    assert max(latencies) < 0.2, latencies
    with app.app_context():
        stored = db.session.scalars(
            select(Comment).where(Comment.paper_id == world.paper_id, Comment.body == BRACKETS)
        ).one()
        assert stored.body_html.count("[") == 9000


def test_an_undeclared_write_in_a_read_is_refused_under_testing(app, db, make_room):
    room = make_room()
    # What the middleware sets around a GET request.
    with app.test_request_context("/rooms/"), transaction.reading(), transaction.writing():
        assert transaction.mode() == transaction.WRITE
        rooms.note_activity(room, "room.activity", "declared write")
        db.session.flush()  # declared: allowed
    with app.test_request_context("/rooms/"), transaction.reading():
        assert transaction.mode() == transaction.READ
        rooms.note_activity(room, "room.activity", "written during a read")
        with pytest.raises(transaction.UndeclaredWrite, match="declare it"):
            db.session.flush()
        db.session.rollback()
    # A test's own request context dispatches nothing: no mode, services may write.
    with app.test_request_context("/rooms/"):
        assert transaction.mode() is None


def test_in_production_an_undeclared_write_is_logged_not_refused(caplog):
    app = Flask("net")
    app.config["TESTING"] = False
    engine = create_engine("sqlite://")
    transaction.install(app, engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    with (
        app.test_request_context("/"),
        transaction.reading(),
        caplog.at_level(logging.WARNING, "consult.transaction"),
        engine.begin() as connection,
    ):
        connection.execute(text("INSERT INTO t VALUES (1)"))
    assert "a read transaction tried to write" in caplog.text
