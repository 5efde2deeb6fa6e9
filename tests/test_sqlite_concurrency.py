"""SQLite done right: many writers at once, no "database is locked", nothing lost."""

from __future__ import annotations

import threading

from sqlalchemy import delete, func, select, text

from consult.extensions import db
from consult.rooms import services
from consult.rooms.models import AccessLevel, Room, RoomActivity, RoomKind

THREADS = 20
WRITES = 50


def test_pragmas_are_set(app):
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_twenty_writers_store_every_row(app):
    """Each thread commits 50 activity lines through the service, as requests would."""
    with app.app_context():
        room = Room(
            slug="concurrency-test",
            title="Concurrency",
            kind=RoomKind.SMALL_GROUP,
            access=AccessLevel.MEMBERS,
        )
        db.session.add(room)
        db.session.commit()
        room_id = room.id
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(WRITES):
                with app.app_context():
                    target = db.session.get(Room, room_id)
                    services.note_activity(target, "room.activity", f"writer {n} line {i}")
                    db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors[:3]
        with app.app_context():
            stored = db.session.scalar(
                select(func.count(RoomActivity.id)).where(RoomActivity.room_id == room_id)
            )
            assert stored == THREADS * WRITES
    finally:
        with app.app_context():
            db.session.execute(delete(RoomActivity).where(RoomActivity.room_id == room_id))
            db.session.execute(delete(Room).where(Room.id == room_id))
            db.session.commit()
