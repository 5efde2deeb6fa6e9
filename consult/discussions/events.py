"""The discussions' live events: a topic's page watches `topic:<id>` (signals "topic-changed",
a version and no content); the room page hears "discussions-changed" on `room:<id>`."""

from __future__ import annotations

from flask import Flask

from consult import live
from consult.discussions.models import Topic


def _version(topic: Topic) -> dict:
    """The topic's version when the socket joined: the page re-fetches if it is behind."""
    return {"version": topic.version}


def register(app: Flask) -> None:
    """`watch_topic`: join `topic:<id>` while the policy lets the person see the topic."""
    live.watch(
        app,
        live.Watch(event="watch_topic", prefix="topic", model=Topic, key="topic", reply=_version),
    )
