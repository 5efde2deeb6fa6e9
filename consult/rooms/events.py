"""The rooms' live events: a room's page watches `room:<id>` while the person may see it."""

from __future__ import annotations

from flask import Flask

from consult import live
from consult.rooms.models import Room


def register(app: Flask) -> None:
    """`watch_room`: join `room:<id>` when the policy lets the person see the room."""
    live.watch(app, live.Watch(event="watch_room", prefix="room", model=Room, key="room"))
