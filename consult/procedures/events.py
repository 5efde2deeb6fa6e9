"""The written procedure's live event: its page watches `procedure:<id>` and hears
"procedure-changed" (a version, no content) when a delegation responds or amends, the deadline
moves, or the outcome is recorded; the page re-fetches its status over HTTP."""

from __future__ import annotations

from flask import Flask

from consult import live
from consult.procedures.models import WrittenProcedure


def _version(procedure: WrittenProcedure) -> dict:
    """The procedure's version when the socket joined: the page re-fetches if it is behind."""
    return {"version": procedure.version}


def register(app: Flask) -> None:
    """`watch_procedure`: join `procedure:<id>` while the policy lets the person see it."""
    live.watch(
        app,
        live.Watch(
            event="watch_procedure",
            prefix="procedure",
            model=WrittenProcedure,
            key="procedure",
            reply=_version,
        ),
    )
