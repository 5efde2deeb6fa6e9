"""The agenda as its page shows it, the amendment log, and the agenda's live broadcast.

An adopted agenda may still be corrected (an item edited, removed, restored, moved), but every
change after adoption is logged here with who and when, shown on the agenda, and audited.
After each change the agenda fragment is rendered once and sent to `meeting:<id>`: what every
viewer sees alike (the items, the removed items, the log). What depends on the person (the
papers and documents they may see, the chair's controls) is not in it: the page keeps its own
(`data-personal` blocks) and a chair's page fetches its fragment over HTTP.

This module does not import `services` (which calls it on every change).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template
from sqlalchemy import select

from consult import audit
from consult.accounts.models import User
from consult.extensions import db
from consult.meetings.models import AgendaAmendment, AgendaItem, ItemState, Meeting
from consult.taxonomy.services import tags_of_many
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit

#: The live event that carries the agenda fragment.
EVENT = "meeting-agenda"


def active_items(meeting: Meeting) -> list[AgendaItem]:
    """The items on the agenda, in their order (removed ones left out)."""
    return _items(meeting, AgendaItem.removed_at.is_(None))


def removed_items(meeting: Meeting) -> list[AgendaItem]:
    """The items taken off the agenda, kept with their documents and restorable."""
    return _items(meeting, AgendaItem.removed_at.is_not(None))


def _items(meeting: Meeting, which) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, which)
            .order_by(AgendaItem.number, AgendaItem.letter)
        )
    )


def amendments(meeting: Meeting) -> list[AgendaAmendment]:
    """The amendment log, oldest first (as the agenda reads)."""
    return list(
        db.session.scalars(
            select(AgendaAmendment)
            .where(AgendaAmendment.meeting_id == meeting.id)
            .order_by(AgendaAmendment.created_at, AgendaAmendment.id)
        )
    )


def log(
    meeting: Meeting,
    actor: User,
    action: str,
    summary: str,
    item: AgendaItem | None = None,
) -> AgendaAmendment | None:
    """Audit a change to the agenda; after adoption also log it as an amendment (shown on the
    agenda with who and when). Returns the amendment, or None before adoption."""
    audit.record(
        f"meeting.item_{action}",
        f"{meeting.title}: {summary}",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
        item_id=item.id if item is not None else None,
    )
    if not meeting.is_agenda_adopted:
        return None
    entry = AgendaAmendment(
        meeting_id=meeting.id,
        item_id=item.id if item is not None else None,
        actor_id=actor.id,
        action=action,
        summary=summary[:1000],
        created_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def expected_end(items: list[AgendaItem], now: datetime) -> datetime | None:
    """Now plus what remains of the current item and of every pending one."""
    remaining, current = 0, False
    for i in items:
        if i.state is ItemState.PENDING:
            remaining += i.planned_minutes * 60
        elif i.state is ItemState.CURRENT:
            current = True
            remaining += max(0, i.planned_minutes * 60 - i.actual_seconds(now))
    return now + timedelta(seconds=remaining) if current or remaining else None


def context(meeting: Meeting, *, personal: dict | None = None, manages: bool = False) -> dict:
    """What the agenda fragment shows. `personal`: item id -> the papers (and documents) this
    person may see; None for the broadcast, which carries nothing personal."""
    now = utcnow()
    items = active_items(meeting)
    removed = removed_items(meeting)
    return {
        "meeting": meeting,
        "items": items,
        "removed": removed,
        "amendments": amendments(meeting),
        "now": now,
        "expected_end": expected_end(items, now),
        "item_tags": tags_of_many(items + removed),
        "personal": personal,
        "manages": manages,
        # The first and last of each run of siblings: no "move up" on the first, and so on.
        "ends": _ends(items),
    }


def _ends(items: list[AgendaItem]) -> dict[int, tuple[bool, bool]]:
    """Item id -> (is first, is last) among its siblings (items; or one item's sub-items)."""
    groups: dict[tuple[bool, int], list[AgendaItem]] = {}
    for i in items:
        groups.setdefault((bool(i.letter), i.number if i.letter else 0), []).append(i)
    ends = {}
    for run in groups.values():
        for k, i in enumerate(run):
            ends[i.id] = (k == 0, k == len(run) - 1)
    return ends


def payload(meeting_id: int, notice: str = "") -> dict:
    """The agenda fragment as everyone sees it, rendered once for the meeting's channel."""
    meeting = db.session.get(Meeting, meeting_id)
    return {
        "meeting": meeting.id,
        "version": meeting.version,
        "notice": notice,
        "html": render_template("meetings/_agenda.html", broadcast=True, **context(meeting)),
    }


def broadcast(meeting: Meeting, notice: str = "") -> None:
    """After the commit, every open agenda page gets the fresh agenda (and `notice`, read out
    in its status region)."""
    meeting_id = meeting.id
    emit_after_commit(EVENT, lambda: payload(meeting_id, notice), to=f"meeting:{meeting_id}")
