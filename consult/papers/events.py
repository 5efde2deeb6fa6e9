"""The papers' live events: a paper's page watches `paper:<id>` (signals "paper-changed")."""

from __future__ import annotations

from flask import Flask

from consult import live
from consult.papers.models import Paper


def _version(paper: Paper) -> dict:
    """The paper's version when the socket joined: the page re-fetches if it is behind."""
    return {"version": paper.version}


def register(app: Flask) -> None:
    """`watch_paper`: join `paper:<id>` when the policy lets the person see the paper."""
    live.watch(
        app,
        live.Watch(event="watch_paper", prefix="paper", model=Paper, key="paper", reply=_version),
    )
