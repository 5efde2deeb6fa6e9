"""The floor's action log: a snapshot before and after each action, and "Undo" for 30 seconds.

A snapshot holds the rows an action may change: the meeting's agenda items (state, time
spent, list closed) and the open floor requests (status, place, timers). Undo puts back only
the rows the action changed, and only if nobody changed them since (a three-way check), so
whatever happened meanwhile (a delegate asking for the floor) is kept, and nothing is lost.
The newest chair action's id is the console's action token (see `check_token`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from consult import dates
from consult.accounts.models import User
from consult.errors import ServiceError
from consult.extensions import db
from consult.meetings.models import (
    OPEN_SQL,
    AgendaItem,
    FloorAction,
    FloorRequest,
    FloorStatus,
    ItemState,
    Meeting,
)
from consult.timeutil import utcnow

UNDO_SECONDS = 30
OPEN_STATUSES = (FloorStatus.WAITING, FloorStatus.SPEAKING, FloorStatus.SUSPENDED)
ITEM_FIELDS = ("state", "current_since", "spent_seconds", "is_list_closed")
REQUEST_FIELDS = (
    "item_id",
    "status",
    "position",
    "started_at",
    "paused_at",
    "paused_seconds",
    "ended_at",
    "turn",
    "interrupted_by_id",
)
_TIMES = {"current_since", "started_at", "paused_at", "ended_at"}

assert "suspended" in OPEN_SQL  # the index and the snapshot agree on what is open


class UndoError(ServiceError):
    """An undo (or a press on a page that had not seen the last action) that is refused."""


def _dump(row, fields: tuple[str, ...]) -> dict:
    out = {}
    for name in fields:
        value = getattr(row, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        out[name] = value
    return out


def _load(row, fields: dict) -> None:
    for name, value in fields.items():
        if name in _TIMES and value is not None:
            value = datetime.fromisoformat(value)
        elif name == "state":
            value = ItemState(value)
        elif name == "status":
            value = FloorStatus(value)
        setattr(row, name, value)


def snapshot(meeting: Meeting, request_ids: set[int] | None = None) -> dict:
    """The floor as it is: every item of the meeting and its open requests (plus
    `request_ids`, rows an earlier snapshot held)."""
    db.session.flush()
    items = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    where = FloorRequest.status.in_(OPEN_STATUSES)
    if request_ids:
        where = where | FloorRequest.id.in_(request_ids)
    requests = db.session.scalars(
        select(FloorRequest)
        .join(AgendaItem, AgendaItem.id == FloorRequest.item_id)
        .where(AgendaItem.meeting_id == meeting.id, where)
    )
    return {
        "items": {str(i.id): _dump(i, ITEM_FIELDS) for i in items},
        "requests": {str(r.id): _dump(r, REQUEST_FIELDS) for r in requests},
    }


def only(state: dict, request_id: int) -> dict:
    """A snapshot cut down to one request (a delegation's own withdrawal)."""
    key = str(request_id)
    return {
        "items": {},
        "requests": {key: state["requests"][key]} if key in state["requests"] else {},
    }


def record(
    meeting: Meeting,
    actor: User,
    action: str,
    summary: str,
    before: dict | None,
    *,
    is_chair: bool = True,
    request_id: int | None = None,
) -> FloorAction:
    """Log an action, with the floor before it (None: not undoable) and as it is now."""
    after = None
    if before is not None:
        held = {int(k) for k in before["requests"]}
        after = snapshot(meeting, held)
        if request_id is not None:
            after = only(after, request_id)
    entry = FloorAction(
        meeting_id=meeting.id,
        actor_id=actor.id,
        action=action,
        summary=summary[:500],
        is_chair=is_chair,
        before=json.dumps(before) if before is not None else "",
        after=json.dumps(after) if after is not None else "",
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def latest(meeting: Meeting) -> FloorAction | None:
    """The newest chair action of the meeting (its id is the console's token)."""
    return db.session.scalars(
        select(FloorAction)
        .where(FloorAction.meeting_id == meeting.id, FloorAction.is_chair.is_(True))
        .order_by(FloorAction.id.desc())
        .limit(1)
    ).first()


def token(meeting: Meeting) -> int:
    entry = latest(meeting)
    return entry.id if entry else 0


def undo_until(entry: FloorAction) -> datetime:
    return entry.created_at + timedelta(seconds=UNDO_SECONDS)


def offered(meeting: Meeting) -> FloorAction | None:
    """The action the console offers to undo now: the newest, if undoable and recent."""
    entry = latest(meeting)
    if entry is None or not entry.undoable or utcnow() > undo_until(entry):
        return None
    return entry


def _when(entry: FloorAction) -> str:
    return dates.moment(entry.created_at, "seconds")


def check_token(meeting: Meeting, actor: User, posted: str | None) -> None:
    """Refuse a press made on a page that had not seen the newest chair action: two chairs
    pressing at once, or one chair pressing twice. No token posted: nothing to compare."""
    if posted is None or posted == "":
        return
    if not (posted.isascii() and posted.isdigit()) or len(posted) > 18:
        raise UndoError(_("The console sent an invalid action token; reload the page."))
    entry = latest(meeting)
    if int(posted) == (entry.id if entry else 0):
        return
    if entry is None:
        raise UndoError(_("The console sent an invalid action token; reload the page."))
    if entry.actor_id == actor.id:
        raise UndoError(
            _(
                "Already done: you did “%(what)s” at %(when)s. Nothing more was done.",
                what=entry.summary,
                when=_when(entry),
            )
        )
    raise UndoError(
        _(
            "%(who)s acted just before you: “%(what)s” at %(when)s. Nothing was done; the "
            "console shows the floor as it is now. Press again if you still want to.",
            who=entry.actor.name,
            what=entry.summary,
            when=_when(entry),
        )
    )


def _conflicts(before: dict, after: dict) -> list[str]:
    """What someone changed since the action, among the rows the action changed."""
    found = []
    for kind, model, fields in (
        ("items", AgendaItem, ITEM_FIELDS),
        ("requests", FloorRequest, REQUEST_FIELDS),
    ):
        for key, later in after[kind].items():
            earlier = before[kind].get(key)
            if earlier == later:
                continue  # not the action's change
            row = db.session.get(model, int(key))
            if row is None or _dump(row, fields) != later:
                found.append(_describe(row))
    return found


def _describe(row) -> str:
    if isinstance(row, FloorRequest):
        return row.delegation.name
    if isinstance(row, AgendaItem):
        return _("item %(label)s", label=row.label)
    return _("a request that is gone")


def undo(entry: FloorAction, actor: User) -> FloorAction:
    """Put the floor back as it was before `entry`, timers included: a speaker whose clock
    ran gets the time the undo window took back (the time left is as it was)."""
    now = utcnow()
    if not entry.before:
        raise UndoError(_("“%(what)s” cannot be undone.", what=entry.summary))
    if entry.undone_at is not None:
        raise UndoError(_("“%(what)s” is already undone.", what=entry.summary))
    if entry.actor_id != actor.id:
        raise UndoError(
            _(
                "“%(what)s” was done by %(who)s: only they can undo it.",
                what=entry.summary,
                who=entry.actor.name,
            )
        )
    if now > undo_until(entry):
        raise UndoError(
            _(
                "Too late to undo “%(what)s”: undo works for %(n)d seconds.",
                what=entry.summary,
                n=UNDO_SECONDS,
            )
        )
    meeting = db.session.get(Meeting, entry.meeting_id)
    if entry.is_chair:
        newest = latest(meeting)
        if newest is not None and newest.id != entry.id:
            if newest.actor_id == actor.id:
                raise UndoError(
                    _(
                        "You acted since (“%(what)s”): only your last action can be undone.",
                        what=newest.summary,
                    )
                )
            raise UndoError(
                _(
                    "%(who)s acted since (“%(what)s” at %(when)s): undo refused; the floor is "
                    "as they left it.",
                    who=newest.actor.name,
                    what=newest.summary,
                    when=_when(newest),
                )
            )
    before, after = json.loads(entry.before), json.loads(entry.after)
    conflicts = _conflicts(before, after)
    if conflicts:
        raise UndoError(
            _(
                "Undo refused: %(what)s changed since “%(action)s”. Nothing was changed.",
                what=", ".join(conflicts),
                action=entry.summary,
            )
        )
    gap = int((now - entry.created_at).total_seconds())
    for key, earlier in before["items"].items():
        if after["items"].get(key) != earlier:
            _load(db.session.get(AgendaItem, int(key)), earlier)
    created = [k for k in after["requests"] if k not in before["requests"]]
    for key, earlier in before["requests"].items():
        if after["requests"].get(key) == earlier:
            continue
        row = db.session.get(FloorRequest, int(key))
        reopening = FloorStatus(earlier["status"]) in OPEN_STATUSES and row.status not in (
            OPEN_STATUSES
        )
        if reopening and _open_elsewhere(row, int(earlier["item_id"])):
            raise UndoError(
                _(
                    "Undo refused: %(name)s asked for the floor again since. Nothing was changed.",
                    name=row.delegation.name,
                )
            )
        _load(row, earlier)
        if row.status is FloorStatus.SPEAKING and row.paused_at is None:
            row.paused_seconds += gap  # the clock stood still while the action held
    for key in created:
        db.session.delete(db.session.get(FloorRequest, int(key)))
    entry.undone_at = now
    db.session.flush()
    return record(
        meeting,
        actor,
        "undo",
        _("Undone: %(what)s", what=entry.summary),
        None,
        is_chair=entry.is_chair,
    )


def _open_elsewhere(row: FloorRequest, item_id: int) -> bool:
    return (
        db.session.scalar(
            select(FloorRequest.id).where(
                FloorRequest.item_id == item_id,
                FloorRequest.delegation_id == row.delegation_id,
                FloorRequest.status.in_(OPEN_STATUSES),
                FloorRequest.id != row.id,
            )
        )
        is not None
    )


def own_offered(meeting: Meeting, actor: User) -> FloorAction | None:
    """A delegate's own withdrawal on this meeting that they may still undo (30 seconds)."""
    entry = db.session.scalars(
        select(FloorAction)
        .where(
            FloorAction.meeting_id == meeting.id,
            FloorAction.actor_id == actor.id,
            FloorAction.is_chair.is_(False),
        )
        .order_by(FloorAction.id.desc())
        .limit(1)
    ).first()
    if entry is None or not entry.undoable or utcnow() > undo_until(entry):
        return None
    return entry
