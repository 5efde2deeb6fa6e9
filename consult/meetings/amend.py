"""Correcting an agenda: edit an item, remove it (kept, restorable), restore it, move it.

Nothing here destroys: a removed item stays in the database with its papers and documents,
listed under "Removed from the agenda" with a Restore button. Once the agenda is adopted each
change is logged as an amendment (who, when, what) and audited; every change is announced
live to the open agenda pages and the live views.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from consult.accounts.models import User
from consult.errors import refuse_longer_than
from consult.extensions import db
from consult.meetings import agenda, services
from consult.meetings.models import AgendaItem, FloorRequest, ItemState, Meeting
from consult.meetings.services import MeetingError
from consult.timeutil import utcnow

TITLE_LIMIT = 300
ANNOTATION_LIMIT = 10_000
PRESENTERS_LIMIT = 300


def _meeting(item: AgendaItem) -> Meeting:
    return db.session.get(Meeting, item.meeting_id)


def _announce(meeting: Meeting, notice: str) -> None:
    services.changed(meeting)
    agenda.broadcast(meeting, notice)


def edit_item(
    item: AgendaItem,
    actor: User,
    *,
    title: str,
    annotation: str = "",
    planned_minutes: int = 30,
    presenters: str = "",
    speaking_limit_seconds: int = 180,
) -> list[str]:
    """Change an item's title, annotation, planned duration, presenters or speaking time.
    Returns what changed, in words (empty: nothing did). Text over its limit is refused with
    its length said, never cut."""
    if item.is_removed:
        raise MeetingError(
            _("Item %(label)s is removed from the agenda: restore it first.", label=item.label)
        )
    title, annotation, presenters = title.strip(), annotation.strip(), presenters.strip()
    if not title:
        raise MeetingError(_("Give the item a title: it is empty."), field="title")
    refuse_longer_than(title, TITLE_LIMIT, "title", MeetingError)
    refuse_longer_than(annotation, ANNOTATION_LIMIT, "annotation", MeetingError)
    refuse_longer_than(presenters, PRESENTERS_LIMIT, "presenters", MeetingError)
    if not 0 < planned_minutes <= 24 * 60:
        raise MeetingError(_("Plan between 1 minute and 24 hours."), field="planned_minutes")
    if not 15 <= speaking_limit_seconds <= 3600:
        raise MeetingError(
            _("The speaking time must be between 15 seconds and an hour."),
            field="speaking_limit_seconds",
        )
    changes: list[str] = []
    if title != item.title:
        changes.append(_("title changed from “%(old)s” to “%(new)s”", old=item.title, new=title))
        item.title = title
    if annotation != item.annotation:
        changes.append(_("annotation changed"))
        item.annotation = annotation
    if planned_minutes != item.planned_minutes:
        changes.append(
            _(
                "planned duration changed from %(old)s to %(new)s",
                old=services.minutes(item.planned_minutes),
                new=services.minutes(planned_minutes),
            )
        )
        item.planned_minutes = planned_minutes
    if presenters != item.presenters:
        changes.append(_("presenters changed to “%(new)s”", new=presenters or "—"))
        item.presenters = presenters
    if speaking_limit_seconds != item.speaking_limit_seconds:
        changes.append(
            _(
                "speaking time changed from %(old)s to %(new)s",
                old=services.clock(item.speaking_limit_seconds),
                new=services.clock(speaking_limit_seconds),
            )
        )
        item.speaking_limit_seconds = speaking_limit_seconds
    if not changes:
        return []
    meeting = _meeting(item)
    summary = _("Item %(label)s: %(changes)s", label=item.label, changes="; ".join(changes))
    agenda.log(meeting, actor, "edited", summary, item)
    _announce(meeting, _("Agenda amended. %(summary)s.", summary=summary))
    return changes


def _sub_items(item: AgendaItem, *, removed: bool | None = None) -> list[AgendaItem]:
    """The sub-items of an item (3(a), 3(b) of 3): all, or only those (not) removed."""
    where = [
        AgendaItem.meeting_id == item.meeting_id,
        AgendaItem.number == item.number,
        AgendaItem.letter != "",
    ]
    if removed is not None:
        gone = AgendaItem.removed_at.is_not(None)
        where.append(gone if removed else ~gone)
    return list(db.session.scalars(select(AgendaItem).where(*where).order_by(AgendaItem.letter)))


def remove_item(item: AgendaItem, actor: User) -> None:
    """Take an item off the agenda. It is kept (its papers and documents too) and may be
    restored. Refused for the item under discussion, one with requests for the floor or
    statements on record (defer it instead), and an item whose sub-items are still on."""
    if item.is_removed:
        raise MeetingError(_("Item %(label)s is already removed.", label=item.label))
    if item.state is ItemState.CURRENT:
        raise MeetingError(
            _(
                "Item %(label)s is under discussion: move to another item before removing it.",
                label=item.label,
            )
        )
    spoken = db.session.scalar(
        select(FloorRequest.id)
        .where(
            FloorRequest.item_id == item.id,
            FloorRequest.turn.is_not(None) | FloorRequest.status.in_(list(services.OPEN)),
        )
        .limit(1)
    )
    if spoken is not None:
        raise MeetingError(
            _(
                "Item %(label)s has requests for the floor or statements on record: "
                "defer it instead.",
                label=item.label,
            )
        )
    if not item.letter and (subs := _sub_items(item, removed=False)):
        raise MeetingError(
            _(
                "Remove its sub-items first: %(labels)s.",
                labels=", ".join(s.label for s in subs),
            )
        )
    item.removed_at = utcnow()
    item.removed_by_id = actor.id
    db.session.flush()
    meeting = _meeting(item)
    summary = _("Item %(label)s removed: %(title)s", label=item.label, title=item.title)
    agenda.log(meeting, actor, "removed", summary, item)
    _announce(meeting, _("Agenda amended. %(summary)s.", summary=summary))


def restore_item(item: AgendaItem, actor: User) -> None:
    """Put a removed item back on the agenda, in its place (a sub-item: once its item is)."""
    if not item.is_removed:
        raise MeetingError(
            _(
                "Item %(label)s is on the agenda: there is nothing to restore.",
                label=item.label,
            )
        )
    if item.letter:
        parent = db.session.scalar(
            select(AgendaItem).where(
                AgendaItem.meeting_id == item.meeting_id,
                AgendaItem.number == item.number,
                AgendaItem.letter == "",
            )
        )
        if parent is not None and parent.is_removed:
            raise MeetingError(_("Restore item %(n)d first.", n=item.number))
    item.removed_at = None
    item.removed_by_id = None
    db.session.flush()
    meeting = _meeting(item)
    summary = _("Item %(label)s restored: %(title)s", label=item.label, title=item.title)
    agenda.log(meeting, actor, "restored", summary, item)
    _announce(meeting, _("Agenda amended. %(summary)s.", summary=summary))


def move_item(item: AgendaItem, actor: User, direction: str) -> AgendaItem:
    """Move an item up or down among its siblings (items; or one item's sub-items): it
    changes places with its neighbour, each taking the other's number (an item's sub-items
    go with it). Returns the neighbour. Refused beyond the ends."""
    if direction not in ("up", "down"):
        raise MeetingError(_("Move an item up or down."))
    if item.is_removed:
        raise MeetingError(
            _("Item %(label)s is removed from the agenda: restore it first.", label=item.label)
        )
    meeting = _meeting(item)
    siblings = [
        i
        for i in agenda.active_items(meeting)
        if bool(i.letter) == bool(item.letter) and (not item.letter or i.number == item.number)
    ]
    index = next(k for k, i in enumerate(siblings) if i.id == item.id)
    target = index - 1 if direction == "up" else index + 1
    if target < 0:
        raise MeetingError(_("Item %(label)s is already first.", label=item.label))
    if target >= len(siblings):
        raise MeetingError(_("Item %(label)s is already last.", label=item.label))
    other = siblings[target]
    old_label = item.label
    if item.letter:
        mine, theirs = item.letter, other.letter
        # Through a letter no item has, so the (meeting, number, letter) key is never doubled.
        item.letter = "~"
        db.session.flush()
        other.letter = mine
        db.session.flush()
        item.letter = theirs
    else:
        mine, theirs = item.number, other.number
        group, other_group = [item, *_sub_items(item)], [other, *_sub_items(other)]
        for i in group:
            i.number = -mine
        db.session.flush()
        for i in other_group:
            i.number = mine
        db.session.flush()
        for i in group:
            i.number = theirs
    db.session.flush()
    summary = _(
        "Item %(old)s (%(title)s) moved %(direction)s: now item %(new)s",
        old=old_label,
        title=item.title,
        direction=_("up") if direction == "up" else _("down"),
        new=item.label,
    )
    agenda.log(meeting, actor, "moved", summary, item)
    _announce(meeting, _("Agenda amended. %(summary)s.", summary=summary))
    return other
