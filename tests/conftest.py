"""Shared fixtures: one app per session, one rolled-back transaction per test.

The schema is built by running the migrations, so every test run also proves them.
"""

from __future__ import annotations

import itertools
import re
import secrets
import smtplib
from collections.abc import Iterator

import pytest
from flask import g, session
from flask.testing import FlaskClient
from flask_login import login_user
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from consult import create_app, mail
from consult.accounts import services as accounts
from consult.accounts import sessions
from consult.accounts.models import Delegation, DelegationStatus, RegionalGroup, User
from consult.config import TestConfig
from consult.extensions import db as _db
from consult.extensions import socketio
from consult.rooms.models import AccessLevel, Membership, Room, RoomKind, RoomRole

PASSWORD = "a-long-test-password"
_seq = itertools.count(1)


class ConsultClient(FlaskClient):
    """A test client whose requests do not see the previous request's `g`.

    Tests hold an app context open (so objects stay attached); Flask then reuses it for each
    request, and Flask-Login's cached user or our cached room roles would leak between them.
    """

    def open(self, *args, csrf: bool = True, **kwargs):
        for key in ("_login_user", "_room_roles", "_flask_babel"):
            g.pop(key, None)
        method = kwargs.get("method", "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """The signed CSRF token for this client's session, as a page would carry it."""
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "test.db"
    config = type(
        "FileTestConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "ATTACHMENT_DIR": str(tmp_path_factory.mktemp("attachments")),
        },
    )
    app = create_app(config)
    with app.app_context():
        upgrade()
    app.test_client_class = ConsultClient
    return app


@pytest.fixture
def db(app) -> Iterator:
    """A transaction rolled back after each test; views' commits become savepoints."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        # A plain Session: Flask-SQLAlchemy's own ignores `bind` in favour of its engine.
        _db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db) -> ConsultClient:
    return app.test_client()


@pytest.fixture(autouse=True)
def no_real_mail(monkeypatch):
    """Fail any test that tries to reach an SMTP server; keep mail in memory instead."""

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to send real e-mail")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setattr(smtplib, "SMTP_SSL", refuse)
    mail.outbox.clear()
    yield
    mail.outbox.clear()


# ---- factories --------------------------------------------------------------------------


@pytest.fixture
def make_delegation(db):
    def make(
        status: DelegationStatus = DelegationStatus.STATE_PARTY,
        name: str | None = None,
        group: RegionalGroup | None = RegionalGroup.WEOG,
        **kw,
    ) -> Delegation:
        n = next(_seq)
        delegation = Delegation(
            name=name or f"Delegation {n}",
            short_name=f"D{n}",
            status=status,
            regional_group=group,
            **kw,
        )
        db.session.add(delegation)
        db.session.flush()
        return delegation

    return make


_hashes: dict[str, str] = {}


def _hash(password: str) -> str:
    """Argon2 is slow on purpose; hash each test password once per run."""
    if password not in _hashes:
        _hashes[password] = accounts.hash_password(password)
    return _hashes[password]


@pytest.fixture
def make_user(db, make_delegation):
    def make(
        delegation: Delegation | None = None,
        status: DelegationStatus | None = None,
        password: str | None = PASSWORD,
        **kw,
    ) -> User:
        if delegation is None:
            delegation = make_delegation(status or DelegationStatus.STATE_PARTY)
        n = next(_seq)
        kw.setdefault("name", f"Person {n}")
        kw.setdefault("email", f"person{n}@example.org")
        user = User(delegation=delegation, session_nonce=accounts.new_session_nonce(), **kw)
        if password:
            user.password_hash = _hash(password)
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def make_room(db):
    def make(
        access: AccessLevel = AccessLevel.MEMBERS, kind: RoomKind = RoomKind.SMALL_GROUP, **kw
    ) -> Room:
        n = next(_seq)
        kw.setdefault("slug", f"room-{n}")
        kw.setdefault("title", f"Room {n}")
        room = Room(access=access, kind=kind, **kw)
        db.session.add(room)
        db.session.flush()
        return room

    return make


@pytest.fixture
def add_member(db):
    def add(room: Room, who: User | Delegation, role: RoomRole = RoomRole.MEMBER) -> Membership:
        if isinstance(who, User):
            membership = Membership(room_id=room.id, user_id=who.id, role=role)
        else:
            membership = Membership(room_id=room.id, delegation_id=who.id, role=role)
        db.session.add(membership)
        db.session.flush()
        return membership

    return add


class Auth:
    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, user: User, password: str = PASSWORD):
        response = self.client.post(
            "/sign-in",
            data={"email": user.email, "password": password},
            follow_redirects=False,
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def login_quickly(self, user: User) -> None:
        """Sign in without the form, for tables of thousands of cases (the form is tested
        elsewhere): the same session Flask-Login would write, strong protection included."""
        app = self.client.application
        with app.test_request_context("/", environ_base=self.client.environ_base):
            sessions.begin(user)  # a registered session, as a real sign-in makes
            _db.session.flush()  # written here, not by the next request (which only reads)
            login_user(user)
            data = dict(session)
        g.pop("_login_user", None)
        with self.client.session_transaction() as client_session:
            client_session.clear()
            client_session.update(data)

    def logout(self):
        return self.client.post("/sign-out")


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def socket_client(app, client):
    """A Socket.IO test client sharing the Flask test client's cookies (its session)."""
    clients = []

    def make(namespace: str = "/live"):
        sc = socketio.test_client(app, namespace=namespace, flask_test_client=client)
        clients.append(sc)
        return sc

    yield make
    for sc in clients:
        if sc.is_connected("/live"):
            sc.disconnect(namespace="/live")


def link_in_mail(index: int = -1) -> str:
    """The path of the first link in a mail from the outbox."""
    body = mail.outbox[index].get_content()
    url = re.search(r"https?://[^\s]+", body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def count_queries(app, db):
    """Count the SQL statements run inside a `with count_queries() as n:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counter():
        statements: list[str] = []

        def on_execute(conn, cursor, statement, *args):
            if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)

    return counter


class Clock:
    """The application's clock, frozen at `now` until a test moves it."""

    def __init__(self, now):
        self.now = now

    def move(self, **delta) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Freeze the clock every stored time and every window reads (`consult.timeutil.utcnow`),
    so a test can step over a window's end instead of rewriting rows into the past."""
    from datetime import datetime

    from consult import timeutil

    frozen = Clock(datetime.now(timeutil.UTC).replace(microsecond=0))

    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return frozen.now.astimezone(tz) if tz else frozen.now.replace(tzinfo=None)

    monkeypatch.setattr(timeutil, "datetime", FrozenDatetime)
    return frozen


@pytest.fixture(scope="session")
def to_pdf():
    """Word files as PDF through the converter the app uses; no converter fails the test.

    Returns a function taking a list of .docx bytes and giving each PDF's text, page by page
    (read back with pypdf), so a test checks what LibreOffice prints, not what we wrote.
    """
    from io import BytesIO

    from pypdf import PdfReader

    from consult.exports.pdf import converter, docx_to_pdf_many

    if converter() is None:
        pytest.fail(
            "LibreOffice (soffice) not found: install Debian's libreoffice-writer-nogui "
            "(make test does) or set CONSULT_SOFFICE",
            pytrace=False,
        )

    def convert(files: list[bytes]) -> list[list[str]]:
        pdfs = docx_to_pdf_many(files)
        out = []
        for pdf in pdfs:
            assert pdf.startswith(b"%PDF")
            out.append([page.extract_text() for page in PdfReader(BytesIO(pdf)).pages])
        return out

    return convert
