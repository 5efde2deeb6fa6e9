"""Signing in and out, throttling, links by e-mail, two-factor, profile and handover."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from consult import mail
from consult.accounts import services
from consult.accounts.models import AccountToken, DelegationStatus, TokenPurpose, User
from consult.audit import AuditEvent
from consult.rooms.models import Membership, RoomRole
from consult.timeutil import utcnow
from tests.conftest import PASSWORD, link_in_mail


def kinds(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


def test_sign_in_records_audit_and_lands_on_dashboard(client, auth, make_user, db):
    user = make_user()
    response = auth.login(user)
    assert response.headers["Location"].endswith("/")
    assert "auth.sign_in" in kinds(db)
    assert client.get("/").status_code == 200


def test_wrong_password_says_so_and_is_audited(client, make_user, db):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email, "password": "nope"})
    assert response.status_code == 422
    assert "do not match an active account" in response.get_data(as_text=True)
    assert "auth.sign_in_failed" in kinds(db)
    assert client.get("/").status_code == 302


def test_next_parameter_only_allows_local_paths(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD}
    response = client.post("/sign-in?next=https://evil.example/x", data=data)
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = client.post("/sign-in?next=/rooms/", data=data)
    assert response.headers["Location"] == "/rooms/"


def test_repeated_failures_throttle_even_the_right_password(client, make_user, app):
    user = make_user()
    limit = app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        client.post("/sign-in", data={"email": user.email, "password": "wrong"})
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert "Too many failed sign-ins" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_throttle_ends_after_the_window_and_not_before(client, make_user, app, clock):
    """The window is counted from the failures: refused with the right password until it
    has passed, to the second, and not a second longer."""
    user = make_user()
    window = timedelta(minutes=app.config["SIGN_IN_WINDOW_MINUTES"])
    right = {"email": user.email, "password": PASSWORD}
    for _ in range(app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/sign-in", data={"email": user.email, "password": "wrong"})
    failed_at = clock.now

    def refused() -> bool:
        response = client.post("/sign-in", data=right)
        if response.status_code == 302:
            client.post("/sign-out")
            return False
        assert response.status_code == 422
        assert "Too many failed sign-ins" in response.get_data(as_text=True)
        return True

    assert refused()  # at once
    clock.move(seconds=window.total_seconds() // 2)
    assert refused()  # half way
    clock.now = failed_at + window - timedelta(seconds=1)
    assert refused()  # a second before the end: still refused (refusals do not count)
    response = client.post("/sign-in", data=right)
    assert "Try again in 1 minutes" in response.get_data(as_text=True)
    clock.now = failed_at + window + timedelta(seconds=1)
    response = client.post("/sign-in", data=right)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert client.get("/").status_code == 200  # signed in


def test_disabled_account_cannot_sign_in_nor_keep_its_session(client, auth, make_user, db):
    user = make_user()
    auth.login(user)
    actor = make_user(status=DelegationStatus.SECRETARIAT)
    services.deactivate(user, reason="left", actor=actor)
    db.session.commit()
    assert client.get("/").status_code == 302  # the old session is gone
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422


def test_inactive_delegation_locks_its_people_out(client, auth, make_user, db):
    user = make_user()
    auth.login(user)
    user.delegation.is_active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_password_reset_by_single_use_link(client, make_user, db):
    user = make_user()
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = link_in_mail()
    assert client.get(link).status_code == 200
    new = "a-brand-new-password"
    response = client.post(link, data={"password": new, "confirm": new})
    assert response.status_code == 302
    response = client.post("/sign-in", data={"email": user.email, "password": new})
    assert response.status_code == 302
    client.post("/sign-out")
    # The link works once.
    assert client.get(link).status_code == 410


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(
        "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert "If that address belongs to an account" in response.get_data(as_text=True)
    assert mail.outbox == []


def test_expired_reset_link_is_refused(client, make_user, db):
    user = make_user()
    token = services.issue_token(user, TokenPurpose.RESET, timedelta(hours=2))
    row = db.session.scalars(select(AccountToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.get(f"/password/reset/{token}").status_code == 410


def test_reset_with_mismatched_passwords_changes_nothing(client, make_user, db):
    user = make_user()
    token = services.issue_token(user, TokenPurpose.RESET, timedelta(hours=2))
    old_hash = user.password_hash
    response = client.post(
        f"/password/reset/{token}",
        data={"password": "one-long-password", "confirm": "another-one-x"},
    )
    assert response.status_code == 422
    assert "The two passwords differ" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_invitation_link_sets_the_first_password(client, make_user, make_delegation, db):
    inviter = make_user(status=DelegationStatus.SECRETARIAT)
    delegation = make_delegation(DelegationStatus.SIGNATORY)
    with client.application.test_request_context():
        user = services.invite_user(
            delegation=delegation, name="New Delegate", email="New@Example.org", invited_by=inviter
        )
        mail.flush_after_commit()
    assert user.email == "new@example.org"
    assert user.password_hash is None
    link = link_in_mail()
    # Nobody can sign in to an invited account before it is accepted.
    response = client.post("/sign-in", data={"email": user.email, "password": ""})
    assert response.status_code == 422
    response = client.post(
        link, data={"password": "my-first-password", "confirm": "my-first-password"}
    )
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert client.get(link).status_code == 410


def _enable_two_factor(client, user, path="/profile/two-factor") -> tuple[str, list[str]]:
    client.get(path)
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    response = client.post(path, data={"code": pyotp.TOTP(secret).now(), "password": PASSWORD})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Your recovery codes" in page
    import re

    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", page)
    assert len(codes) == services.RECOVERY_CODE_COUNT
    return secret, codes


def test_two_factor_enrolment_and_sign_in(client, auth, make_user, db):
    user = make_user()
    auth.login(user)
    secret, codes = _enable_two_factor(client, user)
    client.post("/sign-out")

    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/sign-in/two-factor")
    assert client.get("/").status_code == 302  # not signed in yet
    response = client.post("/sign-in/two-factor", data={"code": "000000"})
    assert response.status_code == 422
    # The code the enrolment used cannot be replayed; the next time step's code works.
    db.session.refresh(user)
    later = utcnow() + timedelta(seconds=30)
    response = client.post("/sign-in/two-factor", data={"code": pyotp.TOTP(secret).at(later)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_recovery_code_works_once(client, auth, make_user):
    user = make_user()
    auth.login(user)
    _secret, codes = _enable_two_factor(client, user)
    client.post("/sign-out")
    for expected in (302, 422):
        client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        response = client.post("/sign-in/two-factor", data={"code": codes[0]})
        assert response.status_code == expected
        client.post("/sign-out")


def test_wrong_enrolment_code_leaves_two_factor_off(client, auth, make_user, db):
    user = make_user()
    auth.login(user)
    client.get("/profile/two-factor")
    response = client.post("/profile/two-factor", data={"code": "123456", "password": PASSWORD})
    assert response.status_code == 422
    db.session.refresh(user)
    assert not user.has_two_factor


@pytest.mark.hardening
def test_turning_on_two_factor_asks_for_the_password(client, auth, make_user, db):
    user = make_user()
    auth.login(user)
    client.get("/profile/two-factor")
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    code = pyotp.TOTP(secret).now()
    response = client.post("/profile/two-factor", data={"code": code, "password": "wrong"})
    assert response.status_code == 422
    assert "That is not your password." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.has_two_factor


def test_profile_edit_validates_time_zone(client, auth, make_user, db):
    user = make_user()
    auth.login(user)
    response = client.post("/profile", data={"name": "Ana", "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.time_zone == "UTC"
    response = client.post(
        "/profile",
        data={
            "name": "Ana Pérez",
            "title": "Counsellor",
            "agency": "Customs",
            "time_zone": "Europe/Vienna",
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.agency, user.time_zone) == ("Ana Pérez", "Customs", "Europe/Vienna")


def test_password_change_ends_other_sessions(app, client, auth, make_user, db):
    user = make_user()
    other = app.test_client()
    auth.login(user)
    other.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert other.get("/").status_code == 200
    new = "another-long-password"
    response = client.post(
        "/profile/password", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session stays
    assert other.get("/").status_code == 302  # the other one ends


def test_handover_moves_roles_and_keeps_history(client, auth, make_user, make_room, add_member, db):
    focal = make_user(is_focal_point=True)
    departing = make_user(delegation=focal.delegation)
    successor = make_user(delegation=focal.delegation)
    room_a, room_b = make_room(), make_room()
    add_member(room_a, departing, RoomRole.CHAIR)
    add_member(room_b, departing, RoomRole.MEMBER)
    auth.login(focal)
    response = client.post(
        f"/people/{departing.id}/handover", data={"successor": successor.id, "confirm": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(departing)
    assert not departing.is_active and departing.successor_id == successor.id
    current = db.session.scalars(
        select(Membership).where(Membership.user_id == successor.id, Membership.ended_at.is_(None))
    ).all()
    assert {(m.room_id, m.role) for m in current} == {
        (room_a.id, RoomRole.CHAIR),
        (room_b.id, RoomRole.MEMBER),
    }
    ended = db.session.scalars(select(Membership).where(Membership.user_id == departing.id)).all()
    assert all(m.end_reason == "handover" for m in ended)
    assert "account.handover" in kinds(db)
    client.post("/sign-out")
    auth.login(successor)
    page = client.get(f"/rooms/{room_a.slug}").get_data(as_text=True)
    assert "Role history" in page and departing.name in page


def test_handover_needs_a_successor_from_the_same_delegation(client, auth, make_user, db):
    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    departing = make_user()
    stranger = make_user()
    auth.login(secretariat)
    response = client.post(
        f"/people/{departing.id}/handover", data={"successor": stranger.id, "confirm": "y"}
    )
    assert response.status_code == 422
    db.session.refresh(departing)
    assert departing.is_active


def test_focal_point_of_another_delegation_may_not_hand_over(client, auth, make_user):
    focal = make_user(is_focal_point=True)
    departing = make_user()
    auth.login(focal)
    assert client.get(f"/people/{departing.id}/handover").status_code == 403


def test_audit_log_is_append_only(db, make_user):
    import pytest

    user = make_user()
    from consult import audit

    event = audit.record("test.event", "something happened", actor=user)
    db.session.flush()
    event.summary = "rewritten"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_audit_log_refuses_updates_in_the_database_itself(db, make_user):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from consult import audit

    audit.record("test.event", "something happened", actor=make_user())
    db.session.flush()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE audit_event SET summary = 'x'"))
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_event"))


def test_user_ids_carry_a_nonce_and_the_session_key(make_user):
    user: User = make_user()
    user.device_key = "k3y"
    assert user.get_id() == f"{user.id}:{user.session_nonce}:k3y"


def test_sessions_are_listed_and_the_others_can_be_ended(app, client, auth, make_user, db):
    from consult.accounts.models import SignedInSession

    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        browser.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    auth.login(user)
    page = client.get("/profile").get_data(as_text=True)
    assert "Where you are signed in" in page and "(this browser)" in page
    rows = db.session.scalars(
        select(SignedInSession).where(SignedInSession.user_id == user.id)
    ).all()
    assert len(rows) == 3
    phone_row = rows[1]
    response = client.post(f"/profile/sessions/{phone_row.id}/end")
    assert response.status_code in (302, 303)
    assert phone.get("/").status_code == 302  # signed out there
    assert laptop.get("/").status_code == 200
    client.post("/profile/sessions/end-others")
    assert laptop.get("/").status_code == 302
    assert client.get("/").status_code == 200  # this one stays
    someone_else = make_user()
    other_browser = app.test_client()
    other_browser.post("/sign-in", data={"email": someone_else.email, "password": PASSWORD})
    theirs = db.session.scalars(
        select(SignedInSession).where(SignedInSession.user_id == someone_else.id)
    ).one()
    assert client.post(f"/profile/sessions/{theirs.id}/end").status_code == 404


def test_signing_out_ends_the_session_record(client, auth, make_user, db):
    from consult.accounts.models import SignedInSession

    user = make_user()
    auth.login(user)
    client.get("/")
    client.post("/sign-out")
    row = db.session.scalars(
        select(SignedInSession).where(SignedInSession.user_id == user.id)
    ).one()
    assert row.ended_at is not None
