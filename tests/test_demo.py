"""The demo dataset and the console commands."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from consult.accounts.models import Delegation, DelegationStatus, RegionalGroup, User
from consult.notifications import reminders
from consult.notifications.models import ReminderSent
from consult.rooms.models import Room, RoomKind
from consult.timeutil import utcnow


def seed(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return runner


def test_demo_covers_every_status_group_and_room_kind(app, db):
    seed(app)
    statuses = set(db.session.scalars(select(Delegation.status)))
    assert statuses == set(DelegationStatus)
    groups = set(db.session.scalars(select(Delegation.regional_group))) - {None}
    assert groups == set(RegionalGroup)
    assert 28 <= db.session.scalar(select(func.count(Delegation.id))) <= 45
    kinds = set(db.session.scalars(select(Room.kind)))
    assert kinds == set(RoomKind)
    sub = db.session.scalars(select(Room).where(Room.slug == "wgeti-art-6-7")).one()
    assert sub.parent_id == db.session.scalars(select(Room.id).where(Room.slug == "wgeti")).one()


def test_demo_runs_once_only(app, db):
    runner = seed(app)
    again = runner.invoke(args=["demo", "--once"])
    assert again.exit_code == 0 and "already present" in again.output
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0


def test_demo_chair_signs_in_and_reaches_their_rooms(app, client, db):
    seed(app)
    response = client.post(
        "/sign-in",
        data={"email": "chair.wgeti@demo.example.org", "password": app.config["DEMO_PASSWORD"]},
    )
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Working Group on Effective Treaty Implementation (WGETI)" in page
    assert client.get("/rooms/wgeti").status_code == 200
    # A members-only room of another group is invisible to the WGETI chair.
    assert client.get("/rooms/african-group").status_code == 404


def test_readme_lists_every_demo_account(app, db):
    from pathlib import Path

    from consult.config import ROOT

    seed(app)
    readme = (Path(ROOT) / "README.md").read_text()
    for email in db.session.scalars(select(User.email)):
        assert email in readme, f"{email} is missing from the README's demo accounts"


def test_create_user_command(app, db):
    runner = app.test_cli_runner()
    delegation = Delegation(
        name="ATT Secretariat", short_name="ATTS", status=DelegationStatus.SECRETARIAT
    )
    db.session.add(delegation)
    db.session.flush()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Admin@Example.org",
            "--name",
            "Admin",
            "--delegation",
            "ATT Secretariat",
            "--password",
            "a-very-long-password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(User).where(User.email == "admin@example.org")).one()
    short = runner.invoke(
        args=[
            "create-user",
            "--email",
            "b@example.org",
            "--name",
            "B",
            "--delegation",
            "ATT Secretariat",
            "--password",
            "short",
        ]
    )
    assert short.exit_code != 0 and "at least" in short.output


def test_every_deadline_of_the_demo_is_reminded_once(app, db):
    """The reminder job over the whole demo: papers, questionnaires, group statements and
    written procedures all answer, each deadline is reminded of once, and again at 24 hours."""
    seed(app)
    later = utcnow() + timedelta(days=4, hours=1)  # the CSP13 procedure closes in five days
    first = reminders.send(later)
    assert first >= 1
    kinds = set(db.session.scalars(select(ReminderSent.subject_type)))
    assert "written_procedure" in kinds
    assert reminders.send(later) == 0
    assert db.session.scalar(select(func.count(ReminderSent.id))) >= first
