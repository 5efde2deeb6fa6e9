"""A restart loses nothing: a server process writes a live meeting, is killed, and a new app on
a new connection to the same database file reads back exactly what the first one showed.

The writer is a separate process ended with SIGKILL (no clean shutdown, no atexit), so state
kept in a Python object, a module-level cache or an unflushed session cannot survive; the
reader is a new app built in this process with its own engine. Run by hand, this module is the
writer: `python -m tests.test_restart DATABASE_FILE`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password"


def make_app(database: Path) -> Flask:
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()} | {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "ATTACHMENT_DIR": str(database.parent / "attachments"),
    }
    return create_app(config)


def snapshot(meeting_id: int, at: datetime) -> dict:
    """What the live views show of a meeting, as plain data, with every timer read at `at`
    (so two processes reading at different moments compare equal)."""
    from consult.meetings import services
    from consult.meetings.models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    state = services.live_state(meeting)

    def request(r) -> dict:
        return {
            "id": r.id,
            "delegation": r.delegation.name,
            "kind": r.kind.value,
            "status": r.status.value,
            "position": r.position,
            "turn": r.turn,
            "spoken_seconds": r.spoken_seconds(at),
            "paused": r.paused_at is not None,
            "ruling": r.ruling,
        }

    return {
        "version": meeting.version,
        "agenda_adopted": meeting.is_agenda_adopted,
        "items": [
            {
                "label": v.item.label,
                "title": v.item.title,
                "state": v.item.state.value,
                "actual_seconds": v.item.actual_seconds(at),
                "list_closed": v.item.is_list_closed,
            }
            for v in state.items
        ],
        "current": state.current.label if state.current else None,
        "speaker": request(state.speaker) if state.speaker else None,
        "waiting": [request(r) for r in state.waiting],
        "rulings": [request(r) for r in state.rulings],
        "attendance": [
            [a.user_id, a.presence.value, a.connected_until.isoformat()]
            for a in services.attendance(meeting)
        ],
        "record": [
            [item.label, [request(r) for r in turns]]
            for item, turns in services.speaking_record(meeting)
        ],
    }


def write(database: Path) -> None:
    """Build a meeting in full swing through the services, commit, print what it shows, die."""
    from flask_migrate import upgrade

    from consult.accounts import services as accounts
    from consult.accounts.models import Delegation, DelegationStatus, RegionalGroup, User
    from consult.meetings import services
    from consult.meetings.models import FloorKind, ItemState, MeetingKind, MeetingMode, Presence
    from consult.rooms.models import AccessLevel, Membership, Room, RoomKind, RoomRole
    from consult.timeutil import utcnow

    app = make_app(database)
    with app.app_context():
        upgrade()

        def person(name: str) -> User:
            delegation = Delegation(
                name=name,
                short_name=name[:3],
                status=DelegationStatus.STATE_PARTY,
                regional_group=RegionalGroup.WEOG,
            )
            user = User(
                delegation=delegation,
                name=f"Delegate of {name}",
                email=f"{name.lower()}@example.org",
                session_nonce=accounts.new_session_nonce(),
                password_hash=accounts.hash_password(PASSWORD),
            )
            db.session.add(user)
            db.session.flush()
            return user

        chair, austria, brazil, chile, denmark = (
            person(n) for n in ("Chairland", "Austria", "Brazil", "Chile", "Denmark")
        )
        room = Room(
            slug="wgeti", title="WGETI", access=AccessLevel.OPEN, kind=RoomKind.WORKING_GROUP
        )
        db.session.add(room)
        db.session.flush()
        db.session.add(Membership(room_id=room.id, user_id=chair.id, role=RoomRole.CHAIR))
        now = utcnow()
        meeting = services.create_meeting(
            room,
            chair,
            title="WGETI session",
            kind=MeetingKind.WORKING_GROUP_SESSION,
            mode=MeetingMode.HYBRID,
            starts_at=now,
            ends_at=now + timedelta(hours=3),
            time_zone="Europe/Zurich",
        )
        first = services.add_item(meeting, chair, number=1, letter="", title="Opening")
        second = services.add_item(meeting, chair, number=2, letter="", title="Article 11")
        services.add_item(meeting, chair, number=2, letter="a", title="Diversion cases")
        services.adopt_agenda(meeting, chair)
        services.set_item_state(first, chair, ItemState.CURRENT)
        for user in (austria, brazil):
            services.request_floor(
                first,
                user,
                kind=FloorKind.STATEMENT,
                presence=Presence.REMOTE,
                on_behalf_of=user.delegation.name,
            )
        services.give_floor(first, chair)  # Austria speaks on item 1, then it closes
        services.end_turn(first, chair)
        services.set_item_state(second, chair, ItemState.CURRENT)
        for user in (austria, brazil, chile):
            services.request_floor(
                second,
                user,
                kind=FloorKind.STATEMENT,
                presence=Presence.IN_ROOM,
                on_behalf_of=user.delegation.name,
            )
        order = services.request_floor(
            second,
            denmark,
            kind=FloorKind.POINT_OF_ORDER,
            presence=Presence.REMOTE,
            on_behalf_of=denmark.delegation.name,
        )
        services.give_floor(second, chair)  # the point of order first
        services.record_ruling(order, chair, "The point is well taken.")
        services.give_floor(second, chair)  # then Austria, whose turn the chair pauses
        services.pause(second, chair)
        chile_request = services.queue(second)[-1]
        services.move(chile_request, chair, "up")  # Chile before Brazil
        services.set_list_closed(second, chair, True)
        services.seen(meeting, chair, Presence.IN_ROOM, connected=True)
        services.seen(meeting, brazil, Presence.REMOTE, connected=True)
        db.session.commit()

        at = utcnow() + timedelta(minutes=10)
        shown = snapshot(meeting.id, at)
        print(json.dumps({"meeting": meeting.id, "at": at.isoformat(), "shown": shown}))
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # a crash: nothing gets a chance to save itself


def test_server_restart_loses_nothing(tmp_path):
    database = tmp_path / "consult.db"
    writer = subprocess.run(
        [sys.executable, "-m", "tests.test_restart", str(database)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert writer.returncode == -signal.SIGKILL, writer.stderr[-3000:]
    written = json.loads(writer.stdout.strip().splitlines()[-1])
    shown = written["shown"]
    # The writer really built a meeting in full swing (or the comparison below proves little).
    assert shown["current"] == "2" and shown["speaker"]["delegation"] == "Austria"
    assert shown["speaker"]["paused"] and shown["items"][1]["list_closed"]
    assert [r["delegation"] for r in shown["waiting"]] == ["Chile", "Brazil"]
    assert shown["rulings"][0]["ruling"] == "The point is well taken."

    app = make_app(database)  # a new app, a new engine, on the same file
    with app.app_context():
        after = snapshot(written["meeting"], datetime.fromisoformat(written["at"]))
        for key, value in shown.items():  # one key at a time, so a failure names it
            assert after[key] == value, key
        assert after == shown

        # And through the new app's own pages: the chair signs in and sees the same list.
        from tests.conftest import ConsultClient  # sends the CSRF token a page would

        app.test_client_class = ConsultClient
        client = app.test_client()
        response = client.post(
            "/sign-in", data={"email": "chairland@example.org", "password": PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        panel = client.get(
            f"/meetings/{written['meeting']}/panel", headers={"HX-Request": "true"}
        ).get_data(as_text=True)
        assert panel.index("Chile") < panel.index("Brazil")
        assert "The point is well taken." in panel or "Austria" in panel
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    write(Path(sys.argv[1]))
