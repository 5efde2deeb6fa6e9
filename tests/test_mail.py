"""Notifications by e-mail: the outbox and its sender against a real SMTP server on loopback,
per-kind settings, digests built at send time through the policy, one-click unsubscribe, and
deadline reminders."""

from __future__ import annotations

import smtplib
import socket
import time
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from sqlalchemy import func, select

from consult import mail
from consult.notifications import mailing, reminders
from consult.notifications.models import MailPreference
from consult.notifications.services import KINDS, notify
from consult.papers import services as papers
from consult.papers.models import PaperKind
from consult.rooms.models import AccessLevel, Membership, RoomRole
from consult.timeutil import utcnow

pytestmark = pytest.mark.reach

REAL_SMTP = smtplib.SMTP  # taken before the autouse fixture refuses real SMTP


class Inbox:
    """An aiosmtpd handler that keeps what it accepts; it can refuse the next messages."""

    def __init__(self):
        self.messages = []
        self.refuse = 0
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on a loopback port, and the app pointed at it (no inline sending:
    the sender delivers, as in production)."""
    inbox = Inbox()
    port = _free_port()
    inbox.port = port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP)
    for key, value in {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_STARTTLS": False,
        "SMTP_USERNAME": None,
        "MAIL_SEND_INLINE": False,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    yield inbox
    controller.stop()


@pytest.fixture
def place(db, make_user, make_room, add_member):
    """An open paper in a members room with a chair, a member and an outsider."""
    room = make_room(AccessLevel.MEMBERS, title="WGETI")
    chair, member, outsider = make_user(name="Chair"), make_user(name="Mona"), make_user()
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member)
    paper = papers.create_paper(
        room,
        chair,
        title="Guide to Article 7",
        kind=PaperKind.VOLUNTARY_GUIDE,
        issued_by="Chair",
        source="Text.",
    )
    papers.open_for_comments(paper, chair)
    return room, paper, chair, member, outsider


def _outbox_rows(db):
    return db.session.scalars(select(mail.OutboxMessage).order_by(mail.OutboxMessage.id)).all()


def test_every_kind_has_a_label_and_a_default():
    for kind in KINDS:
        assert mailing.label_of(kind) != kind, f"{kind} has no label on the settings page"
        assert mailing.default_cadence(kind) in mailing.CADENCES


def test_an_immediate_notification_goes_through_the_outbox_with_unsubscribe(db, place):
    room, paper, chair, member, outsider = place
    notify(
        [member.id, outsider.id],
        "paper.reply",
        "Germany replied to your comment.",
        f"/papers/{paper.id}",
        subject=paper,
    )
    db.session.flush()
    (row,) = _outbox_rows(db)  # the outsider may not see the paper: no mail either
    assert row.to_address == member.email and row.kind == "paper.reply"
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert row.headers["List-Unsubscribe"].startswith("<http")
    assert "Germany replied to your comment." in row.body
    assert "Replies to it are not read and post nothing" in row.body
    assert row.sent_at is None  # it leaves after the commit
    db.session.rollback()
    assert _outbox_rows(db) == []  # a rolled-back change queues nothing


def test_the_sender_delivers_to_a_real_smtp_server_once(app, db, place, smtp_server):
    room, paper, chair, member, outsider = place
    with app.test_request_context():
        notify([member.id], "paper.reply", "A reply.", f"/papers/{paper.id}", subject=paper)
        db.session.commit()
    assert mail.send_pending() == 1
    assert mail.send_pending() == 0  # marked sent: never twice
    (message,) = smtp_server.messages
    assert message["To"] == member.email and "A reply." in message["Subject"]
    assert message["List-Unsubscribe"] and message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"]
    row = _outbox_rows(db)[0]
    assert row.sent_at is not None and row.attempts == 1


def test_a_refusal_is_retried_with_back_off_and_sent_once_accepted(
    app, db, place, smtp_server, clock
):
    room, paper, chair, member, outsider = place
    smtp_server.refuse = 1
    notify([member.id], "paper.reply", "A reply.", f"/papers/{paper.id}", subject=paper)
    db.session.commit()
    assert mail.send_pending() == 0
    row = _outbox_rows(db)[0]
    assert row.sent_at is None and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert mail.send_pending() == 0  # not before its time
    clock.move(seconds=31)
    assert mail.send_pending() == 1
    assert len(smtp_server.messages) == 1


def test_an_unreachable_server_loses_nothing(app, db, place, smtp_server, monkeypatch, clock):
    room, paper, chair, member, outsider = place
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nobody listens there
    notify([member.id], "paper.reply", "A reply.", f"/papers/{paper.id}", subject=paper)
    db.session.commit()
    assert mail.send_pending() == 0
    assert _outbox_rows(db)[0].sent_at is None
    monkeypatch.setitem(app.config, "SMTP_PORT", smtp_server.port)
    clock.move(minutes=5)
    assert mail.send_pending() == 1 and len(smtp_server.messages) == 1


def test_a_message_is_claimed_by_one_worker(db, place):
    room, paper, chair, member, outsider = place
    message = mail.queue(member.email, "Hello", "Body", user_id=member.id)
    db.session.commit()
    now = utcnow()
    assert mail._claim(message.id, now, "worker-a")
    assert not mail._claim(message.id, now, "worker-b")
    assert mail._claim(message.id, now + timedelta(seconds=mail.CLAIM_SECONDS + 1), "worker-b")


def test_a_recipient_deactivated_before_sending_gets_nothing(db, place):
    room, paper, chair, member, outsider = place
    notify([member.id], "paper.reply", "A reply.", f"/papers/{paper.id}", subject=paper)
    db.session.commit()
    member.is_active = False
    db.session.commit()
    mail.outbox.clear()
    assert mail.send_pending() == 0 and mail.outbox == []
    row = _outbox_rows(db)[0]
    assert row.failed_at is not None and row.last_error == "recipient deactivated"


def test_a_mail_about_what_one_no_longer_sees_is_dropped(db, place):
    room, paper, chair, member, outsider = place
    notify([member.id], "paper.reply", "A reply.", f"/papers/{paper.id}", subject=paper)
    db.session.commit()
    membership = db.session.scalars(select(Membership).where(Membership.user_id == member.id)).one()
    membership.ended_at = utcnow()
    db.session.commit()
    mail.outbox.clear()
    assert mail.send_pending() == 0 and mail.outbox == []
    assert "no longer sees" in _outbox_rows(db)[0].last_error


def test_a_confidential_subject_sends_a_content_free_line(db, place):
    room, paper, chair, member, outsider = place
    mailing.set_preference(member, "thread.activity", mailing.IMMEDIATELY)
    mailing.mail_now(
        [member], "thread.activity", {member.id: "CANARY-THREAD-TITLE"}, "/threads/1", paper, True
    )
    db.session.flush()
    (row,) = _outbox_rows(db)
    assert "CANARY" not in row.subject and "CANARY" not in row.body
    assert "confidential room" in row.body


def test_never_and_daily_send_nothing_at_once(db, place):
    room, paper, chair, member, outsider = place
    mailing.set_preference(member, "paper.reply", mailing.NEVER)
    notify([member.id], "paper.reply", "A reply.", f"/papers/{paper.id}", subject=paper)
    notify([member.id], "paper.revision", "Rev.1.", f"/papers/{paper.id}", subject=paper)
    db.session.flush()
    assert _outbox_rows(db) == []  # never; and a revision is in the daily digest by default


def test_the_daily_digest_holds_only_what_one_still_sees(db, place, make_room, add_member, clock):
    room, paper, chair, member, outsider = place
    other_room = make_room(AccessLevel.MEMBERS, title="Other")
    add_member(other_room, chair, RoomRole.CHAIR)
    left = add_member(other_room, member)
    other = papers.create_paper(
        other_room,
        chair,
        title="CANARY-LEFT-PAPER",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="Text.",
    )
    papers.open_for_comments(other, chair)
    member.time_zone = "Europe/Zurich"
    # The first digests (of what came before), and the marks, a minute before the guide
    # opened: whatever the hour the suite runs, its opening falls into the next digest.
    clock.now = clock.now - timedelta(minutes=1)
    mailing.send_digests()
    db.session.query(mail.OutboxMessage).delete()
    clock.move(minutes=1)
    notify(
        [member.id], "paper.revision", "Guide to Article 7: Rev.1 issued.", "/p/1", subject=paper
    )
    notify([member.id], "paper.revision", "CANARY-LEFT-PAPER: Rev.1 issued.", "/p/2", subject=other)
    left.ended_at = utcnow()  # she left the other room before the digest went out
    db.session.flush()
    assert mailing.send_digests() == 0  # not yet: tomorrow 07:00 her time
    clock.move(days=1)
    assert mailing.send_digests() == 1
    (row,) = [r for r in _outbox_rows(db) if r.kind == "digest.daily"]
    assert "Guide to Article 7: Rev.1 issued." in row.body
    assert "CANARY" not in row.body and "CANARY" not in row.subject
    assert "2 updates" in row.subject  # the guide's opening and its revision, nothing else
    assert mailing.send_digests() == 0  # one per day


def test_unsubscribe_by_one_click_and_bad_links(app, db, place):
    room, paper, chair, member, outsider = place
    token = mailing.unsubscribe_token(member.id, "paper.reply")
    db.session.commit()
    plain = FlaskClient(app)  # a mail client: no session, no CSRF token
    page = plain.get(f"/notifications/unsubscribe/{token}")
    assert page.status_code == 200 and "Stop these e-mails?" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(MailPreference.id))) == 0  # GET changes nothing
    done = plain.post(f"/notifications/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "E-mails stopped" in done.get_data(as_text=True)
    assert mailing.preferences(member)["paper.reply"] == mailing.NEVER
    tampered = plain.get(f"/notifications/unsubscribe/{token[:-3]}abc")
    assert tampered.status_code == 400
    assert "not valid" in tampered.get_data(as_text=True)
    old = mailing._serializer().dumps({"u": member.id, "k": "paper.reply"})
    real_loads = mailing.URLSafeTimedSerializer.loads

    def expired(self, s, max_age=None, **kw):
        return real_loads(self, s, max_age=-1, **kw)

    mailing.URLSafeTimedSerializer.loads = expired
    try:
        time.sleep(1)
        stale = plain.get(f"/notifications/unsubscribe/{old}")
    finally:
        mailing.URLSafeTimedSerializer.loads = real_loads
    assert stale.status_code == 400 and "expired" in stale.get_data(as_text=True)


def test_the_settings_page(client, auth, db, place):
    room, paper, chair, member, outsider = place
    db.session.commit()
    auth.login(member)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Someone replied to my comment on a paper" in page and "Daily digest" in page
    response = client.post(
        "/notifications/settings", data={"cadence-paper.revision": mailing.WEEKLY}
    )
    assert response.status_code == 303
    assert mailing.preferences(member)["paper.revision"] == mailing.WEEKLY
    assert (
        client.post(
            "/notifications/settings", data={"cadence-paper.revision": "hourly"}
        ).status_code
        == 400
    )


def test_deadline_reminders_72_and_24_hours_before(app, db, place, clock):
    room, paper, chair, member, outsider = place
    from consult.notifications.models import Notification

    paper.closes_at = utcnow() + timedelta(hours=70)
    db.session.flush()

    def told():
        return db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind == "deadline.reminder")
        )

    assert reminders.send() >= 1
    first = told()
    assert first >= 1
    assert reminders.send() == 0 and told() == first  # once
    clock.move(hours=47)
    assert reminders.send() >= 1 and told() == 2 * first


def test_a_sender_that_dies_after_claiming_loses_nothing(db, place, clock):
    """A sender claims a message and dies before sending it (a restart in the middle): no
    other sender takes it while the claim holds, and the next pass after the claim expires
    sends it, once."""
    room, paper, chair, member, outsider = place
    message = mail.queue(member.email, "Hello", "Body", user_id=member.id)
    db.session.commit()
    assert mail._claim(message.id, utcnow(), "worker-that-dies")
    db.session.commit()
    mail.outbox.clear()
    assert mail.send_pending() == 0 and mail.outbox == []  # claimed: not taken twice
    clock.move(seconds=mail.CLAIM_SECONDS + 1)
    assert mail.send_pending() == 1 and len(mail.outbox) == 1
    assert mail.send_pending() == 0
