"""The threads' live events: a thread's page watches `thread:<id>`; its signals carry no
content, and the socket asks the confidential gate the page asks first."""

from __future__ import annotations

from flask import Flask

from consult import live
from consult.threads.models import Thread


def _version(thread: Thread) -> dict:
    """The thread's version when the socket joined: the page re-fetches if it is behind."""
    return {"version": thread.version}


def register(app: Flask) -> None:
    """`watch_thread`: join `thread:<id>` when the policy lets the person see the thread and
    the confidential gate is open (two-factor sign-in, fresh after idle time)."""
    live.watch(
        app,
        live.Watch(
            event="watch_thread",
            prefix="thread",
            model=Thread,
            key="thread",
            gate=True,
            reply=_version,
        ),
    )
