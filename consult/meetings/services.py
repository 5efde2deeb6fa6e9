"""Meeting operations: agenda, the speakers' list (Rule 20 order), turns, attendance.

Every change bumps the meeting's version and, after the commit, broadcasts the freshly
rendered live panel to `meeting:<id>` (and the chair's console to `meeting:<id>:chair`):
every viewer sees the same thing, so it is rendered once, not fetched by each client.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consult import audit, dates, waiting
from consult.accounts import handover
from consult.accounts.models import Delegation, User
from consult.errors import ServiceError, refuse_longer_than
from consult.extensions import db
from consult.groups import services as groups
from consult.i18n import later
from consult.links import path_for
from consult.meetings import agenda, interpretation, screens, undo, visibility
from consult.meetings.interpretation import ChannelEntry
from consult.meetings.models import (
    AgendaItem,
    Attendance,
    FloorAction,
    FloorKind,
    FloorRequest,
    FloorStatus,
    InterpretationChannel,
    ItemState,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingSession,
    Presence,
)
from consult.notifications.services import notify
from consult.policy import is_gated, visible
from consult.rooms.models import AccessLevel, Room
from consult.rooms.services import note_activity, people_ids
from consult.taxonomy.forms import ChosenTags
from consult.taxonomy.forms import apply as apply_tags
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit

OPEN = undo.OPEN_STATUSES
#: Given the floor while someone speaks, these suspend the statement instead of ending it.
INTERRUPTING = (FloorKind.POINT_OF_ORDER, FloorKind.RIGHT_OF_REPLY)


class Waiting(enum.StrEnum):
    """What becomes of the requests still waiting when the meeting moves to another item."""

    CARRY = "carry"  # to the next item, in their Rule 20 order
    KEEP = "keep"  # on this item, for when it comes back
    CLOSE = "close"  # withdrawn, and each delegation is told


HEARTBEAT_SECONDS = 45


class MeetingError(ServiceError):
    """An action that cannot be taken now; the message is shown to the person."""


# ---- meetings and agenda ---------------------------------------------------------------------


def create_meeting(
    room: Room,
    actor: User,
    *,
    title: str,
    kind: MeetingKind,
    mode: MeetingMode,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    venue: str = "",
    video_link: str = "",
    channels: Sequence[ChannelEntry] = (),
    is_chatham_house: bool = False,
    symbol: str = "",
) -> Meeting:
    """Schedule a meeting; `channels`: its interpretation, in the chair's order."""
    if ends_at <= starts_at:
        raise MeetingError(_("The meeting must end after it starts."), field="ends_at")
    checked = checked_channels(channels)
    meeting = Meeting(
        room_id=room.id,
        title=title.strip(),
        kind=kind,
        mode=mode,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        venue=venue.strip(),
        video_link=video_link.strip(),
        is_chatham_house=is_chatham_house,
        symbol=symbol.strip(),
        created_by_id=actor.id,
    )
    db.session.add(meeting)
    db.session.flush()
    _store_channels(meeting, checked)
    audit.record(
        "meeting.created",
        f"{room.title}: {actor.name} scheduled {meeting.title}",
        actor=actor,
        room_id=room.id,
        meeting_id=meeting.id,
    )
    note_activity(
        room,
        "meeting.created",
        _l("Meeting scheduled: %(title)s", title=meeting.title),
        actor,
        subject=meeting,
    )
    _tell_room(meeting, actor, "meeting.scheduled")
    return meeting


def cancel_meeting(meeting: Meeting, actor: User) -> None:
    """The room's chair cancels a meeting: kept and marked, its calendar entry says so, and
    the room's people are told."""
    if meeting.is_cancelled:
        raise MeetingError(_("This meeting is already cancelled."))
    if meeting.ends_at <= utcnow():
        raise MeetingError(_("This meeting has already taken place; it cannot be cancelled."))
    meeting.cancelled_at = utcnow()
    meeting.schedule_sequence += 1  # calendars update on this
    changed(meeting)
    audit.record(
        "meeting.cancelled",
        f"{meeting.title}: cancelled",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
    )
    _tell_room(meeting, actor, "meeting.cancelled")


def _when(meeting: Meeting) -> str:
    """When the meeting starts, in its own time zone, named (the same for every recipient), in
    the language being written (each recipient's: `later`)."""
    return dates.zoned(meeting.starts_at, "weekday_moment", zone=meeting.time_zone)


def _tell_room(meeting: Meeting, actor: User, kind: str) -> None:
    """The people of the meeting's room who may see it hear that it was scheduled, moved,
    cancelled or its agenda adopted; a confidential meeting is named as nothing more."""
    # The notifications page is not behind the confidential gate: its lines say nothing more.
    hidden = meeting.room.access is AccessLevel.CONFIDENTIAL or is_gated(meeting)
    when = later(lambda: _when(meeting))  # in each recipient's language
    if kind == "meeting.scheduled":
        text = (
            _l(
                "A confidential meeting was scheduled for %(when)s",
                when=when,
            )
            if hidden
            else _l(
                "Meeting scheduled: %(title)s, %(when)s",
                title=meeting.title,
                when=when,
            )
        )
    elif kind == "meeting.moved":
        text = (
            _l("A confidential meeting was moved: now %(when)s", when=when)
            if hidden
            else _l(
                "Meeting moved: %(title)s, now %(when)s, %(where)s",
                title=meeting.title,
                when=when,
                where=meeting.venue or later(lambda: meeting.mode.label),
            )
        )
    elif kind == "meeting.cancelled":
        text = (
            _l("A confidential meeting was cancelled")
            if hidden
            else _l(
                "Meeting cancelled: %(title)s, %(when)s",
                title=meeting.title,
                when=when,
            )
        )
    else:
        text = (
            _l("The agenda of a confidential meeting was adopted")
            if hidden
            else _l("The agenda of %(title)s is adopted", title=meeting.title)
        )
    db.session.flush()  # the policy reads the meeting as it is now
    notify(
        [user_id for user_id in people_ids(meeting.room) if user_id != actor.id],
        kind,
        text,
        path_for("meetings.meeting", meeting_id=meeting.id),
        subject=meeting,
    )


def update_meeting(
    meeting: Meeting, actor: User, *, channels: Sequence[ChannelEntry] | None = None, **fields
) -> None:
    """Change a meeting's details; `channels` (None: as they are) replaces its interpretation."""
    if fields["ends_at"] <= fields["starts_at"]:
        raise MeetingError(_("The meeting must end after it starts."), field="ends_at")
    if channels is not None:
        set_channels(meeting, actor, checked_channels(channels))
    rule_before = meeting.is_chatham_house
    schedule_before = _schedule(meeting)
    for key, value in fields.items():
        # Kinds and modes are str enums too: only plain text is stripped.
        plain = isinstance(value, str) and not isinstance(value, enum.Enum)
        setattr(meeting, key, value.strip() if plain else value)
    if _schedule(meeting) != schedule_before:
        _keep_sessions_within(meeting)
        # Calendars update on this, never on the console's actions (version).
        meeting.schedule_sequence += 1
        _tell_room(meeting, actor, "meeting.moved")
    if meeting.is_chatham_house != rule_before:
        _audit_chair(
            meeting,
            actor,
            "meeting.chatham_house",
            "held under the Chatham House Rule"
            if meeting.is_chatham_house
            else "no longer held under the Chatham House Rule",
        )
    changed(meeting)
    audit.record(
        "meeting.updated",
        f"{meeting.title}: details changed",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
    )


def checked_channels(entries: Sequence[ChannelEntry]) -> list[interpretation.Channel]:
    """The interpretation rows checked; the first problem refused next to its field."""
    checked, problems = interpretation.problems(entries)
    if problems:
        (index, name), message = next(iter(problems.items()))
        raise MeetingError(message, field=interpretation.field_name(index, name))
    return checked


def _store_channels(meeting: Meeting, channels: Sequence[interpretation.Channel]) -> None:
    for position, channel in enumerate(channels, 1):
        db.session.add(
            InterpretationChannel(
                meeting_id=meeting.id,
                position=position,
                language=channel.language,
                number=channel.number,
                link=channel.link,
                note=channel.note,
            )
        )


def set_channels(meeting: Meeting, actor: User, channels: Sequence[interpretation.Channel]) -> bool:
    """Replace the meeting's interpretation with these channels (checked), in this order;
    False when nothing changed. The audit log says which languages on which channels."""
    before = interpretation.channels_of(meeting)
    as_was = [interpretation.Channel(c.language, c.number, c.link, c.note) for c in before]
    if as_was == list(channels):
        return False
    for row in before:
        db.session.delete(row)
    db.session.flush()  # one language per meeting: the old rows go before the new come
    _store_channels(meeting, channels)
    listed = ", ".join(
        f"{c.language}" + ("" if c.number is None else f" {c.number}") for c in channels
    )
    _audit_chair(
        meeting,
        actor,
        "meeting.interpretation",
        f"interpretation: {listed}" if channels else "no interpretation",
    )
    return True


def _schedule(meeting: Meeting) -> tuple:
    """What a calendar entry of the meeting says about when and where."""
    return (
        meeting.starts_at,
        meeting.ends_at,
        meeting.time_zone,
        meeting.venue,
        meeting.video_link,
    )


def _keep_sessions_within(meeting: Meeting) -> None:
    """A meeting's days may not shrink away from a session of its programme."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(meeting.time_zone)
    first = meeting.starts_at.astimezone(zone).date()
    last = meeting.ends_at.astimezone(zone).date()
    outside = db.session.scalars(
        select(MeetingSession)
        .where(MeetingSession.meeting_id == meeting.id)
        .order_by(MeetingSession.starts_at)
    ).all()
    for session in outside:
        start = session.starts_at.astimezone(zone).date()
        end = (session.ends_at - timedelta(seconds=1)).astimezone(zone).date()
        if start < first or end > last:
            raise MeetingError(
                _(
                    "A session of the programme (%(body)s) falls outside these days: move or "
                    "remove it first.",
                    body=session.body,
                ),
                field="ends_at",
            )


def items_of(meeting: Meeting) -> list[AgendaItem]:
    """The items on the agenda, in order (those removed from it are left out)."""
    return agenda.active_items(meeting)


def item_papers(meeting: Meeting, user: User) -> dict[int, list]:
    """The papers attached to each item that this person may see (a group's statement is seen
    by the group's room): the paper documents of `consult.meetings.documents`."""
    from consult.meetings import documents
    from consult.papers.models import Paper

    by_item = documents.item_documents(meeting, user)
    ids = {d.paper_id for docs in by_item.values() for d in docs if d.paper_id is not None}
    found = {p.id: p for p in db.session.scalars(select(Paper).where(Paper.id.in_(ids)))}
    return {
        item_id: [found[d.paper_id] for d in docs if d.paper_id in found]
        for item_id, docs in by_item.items()
        if any(d.paper_id in found for d in docs)
    }


def add_item(
    meeting: Meeting,
    actor: User,
    *,
    number: int,
    letter: str,
    title: str,
    annotation: str = "",
    planned_minutes: int = 30,
    presenters: str = "",
    speaking_limit_seconds: int = 180,
    papers: list | None = None,
    tags: ChosenTags | None = None,
) -> AgendaItem:
    """Add an item to the meeting's agenda (`tags`: its stages, activities and articles,
    checked by `consult.taxonomy.forms.tags_from`)."""
    letter = letter.strip().lower()
    if letter and not (len(letter) == 1 and letter.isalpha()):
        raise MeetingError(_("A sub-item is one letter: 3(a), 3(b) ..."), field="letter")
    if number < 1:
        raise MeetingError(_("Items are numbered from 1."), field="number")
    if letter and not any(i.number == number and not i.letter for i in items_of(meeting)):
        raise MeetingError(_("Add item %(n)d before its sub-items.", n=number), field="letter")
    label = f"{number}({letter})" if letter else number
    if any(i.number == number and i.letter == letter for i in items_of(meeting)):
        raise MeetingError(
            _("The agenda already has an item %(label)s.", label=label), field="number"
        )
    if any(i.number == number and i.letter == letter for i in agenda.removed_items(meeting)):
        raise MeetingError(
            _(
                "A removed item %(label)s is kept with this agenda: restore it, or choose "
                "another number.",
                label=label,
            ),
            field="number",
        )
    if not 0 < planned_minutes <= 24 * 60:
        raise MeetingError(_("Plan between 1 minute and 24 hours."), field="planned_minutes")
    if not 15 <= speaking_limit_seconds <= 3600:
        raise MeetingError(
            _("The speaking time must be between 15 seconds and an hour."),
            field="speaking_limit_seconds",
        )
    item = AgendaItem(
        meeting_id=meeting.id,
        number=number,
        letter=letter,
        title=title.strip(),
        annotation=annotation.strip(),
        planned_minutes=planned_minutes,
        presenters=presenters.strip(),
        speaking_limit_seconds=speaking_limit_seconds,
    )
    db.session.add(item)
    db.session.flush()
    if papers:
        from consult.meetings import documents

        for paper in papers:
            documents.attach_paper(item, actor, paper)
    if tags is not None:
        apply_tags(item, tags)
    changed(meeting)
    agenda.log(
        meeting,
        actor,
        "added",
        _("Item %(label)s added: %(title)s", label=item.label, title=item.title),
        item,
    )
    agenda.broadcast(meeting, _("Agenda amended: item %(label)s added.", label=item.label))
    return item


def adopt_agenda(meeting: Meeting, actor: User) -> None:
    if not items_of(meeting):
        raise MeetingError(_("Add at least one agenda item before adopting the agenda."))
    already = meeting.is_agenda_adopted
    meeting.is_agenda_adopted = True
    changed(meeting)
    agenda.broadcast(meeting, _("The agenda is adopted."))
    if not already:
        _tell_room(meeting, actor, "agenda.adopted")
    audit.record(
        "meeting.agenda_adopted",
        f"{meeting.title}: agenda adopted",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
    )


def current_item(meeting: Meeting) -> AgendaItem | None:
    return next((i for i in items_of(meeting) if i.state is ItemState.CURRENT), None)


def _leave(item: AgendaItem, state: ItemState, now: datetime) -> None:
    if item.current_since is not None:
        item.spent_seconds = item.actual_seconds(now)
        item.current_since = None
    for request_ in (_speaking(item), _suspended(item)):
        if request_ is not None:
            _end(request_, now)
    item.state = state


def _dispose(
    item: AgendaItem, upcoming: AgendaItem | None, waiting: Waiting, actor: User
) -> list[str]:
    """The requests still waiting on `item`, which the meeting leaves: carried to `upcoming`,
    kept, or closed with a notice. Returns the delegations that could not be carried (already
    on the next item's list: their request stays on this item)."""
    left = queue(item)
    if not left or waiting is Waiting.KEEP or (waiting is Waiting.CARRY and upcoming is None):
        return []  # kept on the item (nowhere to carry them: the agenda is done)
    meeting = db.session.get(Meeting, item.meeting_id)
    if waiting is Waiting.CLOSE:
        now = utcnow()
        for request_ in left:
            request_.status = FloorStatus.WITHDRAWN
            request_.ended_at = now
        _tell_closed(meeting, item, left)
        return []
    kept = []
    for request_ in left:
        if open_request_of(upcoming, request_.delegation_id) is not None:
            kept.append(request_.delegation.name)
            continue
        request_.position = _default_position(
            upcoming, request_.kind, request_.delegation.status.speaking_rank
        )
        request_.item_id = upcoming.id
        db.session.flush()
    return kept


def _tell_closed(meeting: Meeting, item: AgendaItem, closed: list[FloorRequest]) -> None:
    """Each delegation whose request was closed is told (who asked, or, for a flag raised in
    the room, the delegation's people)."""
    for request_ in closed:
        if request_.requested_by_id is not None:
            ids = [request_.requested_by_id]
        else:
            ids = list(
                db.session.scalars(
                    select(User.id).where(
                        User.delegation_id == request_.delegation_id, User.is_active.is_(True)
                    )
                )
            )
        notify(
            ids,
            "meeting.floor_closed",
            _l(
                "The chair closed the speakers' list of item %(label)s of %(title)s when the "
                "meeting moved on: your request for the floor (%(kind)s) is withdrawn. Ask "
                "again on the item under discussion if you still wish to speak.",
                label=item.label,
                title=meeting.title,
                kind=later(lambda request_=request_: request_.kind.label),
            ),
            path_for("meetings.live", meeting_id=meeting.id),
            subject=meeting,
        )


def set_item_state(
    item: AgendaItem, actor: User, state: ItemState, waiting: Waiting = Waiting.KEEP
) -> None:
    """Make an item current (the previous current one is done), or mark it done/deferred;
    the requests waiting on the item left are carried, kept or closed (`waiting`)."""
    meeting = db.session.get(Meeting, item.meeting_id)
    if item.is_removed:
        raise MeetingError(
            _("Item %(label)s is removed from the agenda: restore it first.", label=item.label)
        )
    now = utcnow()
    before = undo.snapshot(meeting)
    if state is ItemState.CURRENT:
        if not meeting.is_agenda_adopted:
            raise MeetingError(_("Adopt the agenda before moving through it."))
        previous = current_item(meeting)
        if previous is not None and previous.id != item.id:
            _leave(previous, ItemState.DONE, now)
            _dispose(previous, item, waiting, actor)
        item.state = ItemState.CURRENT
        item.current_since = item.current_since or now
    else:
        _leave(item, state, now)
        _dispose(item, None, waiting, actor)
    changed(meeting)
    agenda.broadcast(meeting)
    undo.record(
        meeting,
        actor,
        "item-state",
        _("Item %(label)s: %(state)s", label=item.label, state=state.label),
        before,
    )
    _audit_chair(
        meeting,
        actor,
        "meeting.item_state",
        f"agenda item {item.label} is {state.label.lower()}",
        item_id=item.id,
        state=state.value,
    )


def upcoming_item(meeting: Meeting) -> AgendaItem | None:
    """The item "next item" opens: the next pending one in agenda order (or an earlier one)."""
    items = items_of(meeting)
    current = next((i for i in items if i.state is ItemState.CURRENT), None)
    after = items.index(current) + 1 if current else 0
    upcoming = next((i for i in items[after:] if i.state is ItemState.PENDING), None)
    return upcoming or next((i for i in items if i.state is ItemState.PENDING), None)


def next_item(meeting: Meeting, actor: User, waiting: Waiting = Waiting.KEEP) -> AgendaItem | None:
    """Close the current item and open the next pending one, in agenda order; the requests
    still waiting are carried to it, kept on this item, or closed with a notice."""
    current = current_item(meeting)
    upcoming = upcoming_item(meeting)
    if upcoming is None:
        if current is None:
            raise MeetingError(_("There is no pending item left on the agenda."))
        before = undo.snapshot(meeting)
        _leave(current, ItemState.DONE, utcnow())
        _dispose(current, None, waiting, actor)
        changed(meeting)
        agenda.broadcast(meeting)
        undo.record(
            meeting, actor, "next-item", _("Item %(label)s closed", label=current.label), before
        )
        _audit_chair(
            meeting,
            actor,
            "meeting.item_state",
            f"agenda item {current.label} is done",
            item_id=current.id,
            state=ItemState.DONE.value,
        )
        return None
    set_item_state(upcoming, actor, ItemState.CURRENT, waiting)
    entry = undo.latest(meeting)
    entry.action = "next-item"
    entry.summary = _("Next item: %(label)s. %(title)s", label=upcoming.label, title=upcoming.title)
    return upcoming


# ---- the speakers' list ----------------------------------------------------------------------


def queue(item: AgendaItem) -> list[FloorRequest]:
    """Waiting requests: points of order, then statements, then rights of reply."""
    waiting = db.session.scalars(
        select(FloorRequest).where(
            FloorRequest.item_id == item.id,
            FloorRequest.status == FloorStatus.WAITING,
            # Pending the group's confirmation: not on the list (nor in Rule 20 order) yet.
            groups.confirmed_clause(FloorRequest),
        )
    ).all()
    return sorted(waiting, key=lambda r: (r.kind.rank, r.position, r.id))


def _speaking(item: AgendaItem) -> FloorRequest | None:
    return db.session.scalars(
        select(FloorRequest).where(
            FloorRequest.item_id == item.id, FloorRequest.status == FloorStatus.SPEAKING
        )
    ).first()


def _suspended(item: AgendaItem) -> FloorRequest | None:
    """The statement a point of order or a right of reply interrupted (at most one)."""
    return db.session.scalars(
        select(FloorRequest).where(
            FloorRequest.item_id == item.id, FloorRequest.status == FloorStatus.SUSPENDED
        )
    ).first()


def time_left(item: AgendaItem, request_: FloorRequest, now: datetime | None = None) -> int:
    """Seconds left of the speaking time (negative: the overrun)."""
    return item.speaking_limit_seconds - request_.spoken_seconds(now or utcnow())


def _default_position(item: AgendaItem, kind: FloorKind, rank: int) -> float:
    """Rule 20: after every waiting request of the same kind whose delegation ranks the same
    or higher (States Parties and signatories, then observer States, then organisations)."""
    same_kind = [r for r in queue(item) if r.kind is kind]
    before = [r for r in same_kind if r.delegation.status.speaking_rank <= rank]
    after = [r for r in same_kind if r.delegation.status.speaking_rank > rank]
    low = max((r.position for r in before), default=0.0)
    high = min((r.position for r in after), default=None)
    if high is None:
        return low + 1.0
    if high - low < 1e-6:
        # Repeated halving has used up the gap: renumber the list as it stands, keep its order.
        for n, r in enumerate(same_kind, start=1):
            r.position = float(n)
        return _default_position(item, kind, rank)
    return (low + high) / 2


def _check_item_open(item: AgendaItem, kind: FloorKind) -> None:
    if item.state not in (ItemState.CURRENT, ItemState.PENDING):
        raise MeetingError(
            _(
                "Item %(label)s is %(state)s: the floor can be asked only on the "
                "current or a pending item.",
                label=item.label,
                state=item.state.label.lower(),
            )
        )
    if item.is_list_closed and kind is not FloorKind.POINT_OF_ORDER:
        raise MeetingError(_("The speakers' list for item %(label)s is closed.", label=item.label))


def request_floor(
    item: AgendaItem, user: User, *, kind: FloorKind, presence: Presence, on_behalf_of: str
) -> FloorRequest:
    """A delegate asks for the floor for their delegation (or a group it belongs to: the
    request waits for the group's coordinator, and is on the list once confirmed)."""
    _check_item_open(item, kind)
    on_behalf_of, group = groups.resolve_speaker(user, on_behalf_of)
    return _add_request(
        item,
        user.delegation,
        kind=kind,
        presence=presence,
        on_behalf_of=on_behalf_of,
        requested_by=user,
        group=group,
    )


def inscribe(
    item: AgendaItem, chair: User, delegation: Delegation, *, kind: FloorKind = FloorKind.STATEMENT
) -> FloorRequest:
    """The chair inscribes a flag raised in the room."""
    if item.state not in (ItemState.CURRENT, ItemState.PENDING):
        raise MeetingError(_("Inscribe speakers on the current or a pending item."))
    request_ = _add_request(
        item,
        delegation,
        kind=kind,
        presence=Presence.IN_ROOM,
        on_behalf_of=delegation.name,
        requested_by=None,
        at_desk=True,
    )
    db.session.flush()
    _audit_floor(request_, chair, "meeting.speaker_inscribed", "inscribed at the desk")
    return request_


def inscribe_undoable(
    item: AgendaItem, chair: User, delegation: Delegation, *, kind: FloorKind
) -> FloorRequest:
    """`inscribe`, from the console: logged, so that Undo takes the inscription back."""
    meeting = db.session.get(Meeting, item.meeting_id)
    before = undo.snapshot(meeting)
    request_ = inscribe(item, chair, delegation, kind=kind)
    undo.record(
        meeting,
        chair,
        "inscribe",
        _("%(name)s inscribed (%(kind)s)", name=delegation.name, kind=kind.label),
        before,
    )
    return request_


def _add_request(
    item: AgendaItem,
    delegation: Delegation,
    *,
    kind: FloorKind,
    presence: Presence,
    on_behalf_of: str,
    requested_by: User | None,
    at_desk: bool = False,
    group: groups.Group | None = None,
) -> FloorRequest:
    already = db.session.scalar(
        select(FloorRequest.id).where(
            FloorRequest.item_id == item.id,
            FloorRequest.delegation_id == delegation.id,
            FloorRequest.status.in_(OPEN),
        )
    )
    if already is not None:
        raise MeetingError(
            _(
                "%(name)s is already on the speakers' list for item %(label)s.",
                name=delegation.name,
                label=item.label,
            )
        )
    request_ = FloorRequest(
        item_id=item.id,
        delegation_id=delegation.id,
        requested_by_id=requested_by.id if requested_by else None,
        on_behalf_of=on_behalf_of,
        kind=kind,
        presence=presence,
        is_inscribed_at_desk=at_desk,
        on_behalf_group_id=group.id if group else None,
        # A pending request takes its Rule 20 place when the group confirms it.
        position=_default_position(item, kind, delegation.status.speaking_rank),
    )
    if (
        group is not None
        and requested_by is not None
        and groups.is_coordinator(requested_by, group)
    ):
        groups.confirm(request_, requested_by)  # the coordinator speaks for the group at once
    try:
        with db.session.begin_nested():
            db.session.add(request_)
    except IntegrityError:
        # Another request of the same delegation won the race: one open request only.
        raise MeetingError(
            _(
                "%(name)s is already on the speakers' list for item %(label)s.",
                name=delegation.name,
                label=item.label,
            )
        ) from None
    if groups.is_pending(request_):
        # A pending one is on nobody's panel: nothing to broadcast (nor to reveal) yet; the
        # coordinators' dashboards are told that something waits.
        groups.tell_coordinators(group.id)
    else:
        changed(db.session.get(Meeting, item.meeting_id))
    return request_


def confirm_floor(request_: FloorRequest, coordinator: User) -> None:
    """The group's coordinator confirms a floor request on the group's behalf: it joins the
    speakers' list now, in its Rule 20 place among those waiting."""
    if not groups.may_confirm(coordinator, request_) or request_.status is not FloorStatus.WAITING:
        raise MeetingError(_("Only the group's coordinator can confirm a waiting request."))
    item = db.session.get(AgendaItem, request_.item_id)
    group = groups.confirm(request_, coordinator)
    request_.position = _default_position(
        item, request_.kind, request_.delegation.status.speaking_rank
    )
    _audit_floor(
        request_, coordinator, "meeting.floor_group_confirmed", f"confirmed for {group.name}"
    )
    meeting = db.session.get(Meeting, item.meeting_id)
    changed(meeting)
    if request_.requested_by_id not in (None, coordinator.id):
        notify(
            [request_.requested_by_id],
            "group.confirmed",
            _l(
                "%(group)s confirmed your request for the floor on item %(label)s of %(title)s",
                group=group.name,
                label=item.label,
                title=meeting.title,
            ),
            path_for("meetings.live", meeting_id=meeting.id),
            subject=meeting,
        )


def decline_floor(request_: FloorRequest, coordinator: User, reason: str | None) -> None:
    """The coordinator declines: the request leaves (it was never on the list) and who asked
    is told, with the reason if given; they may ask again for their delegation."""
    if not groups.may_confirm(coordinator, request_) or request_.status is not FloorStatus.WAITING:
        raise MeetingError(_("Only the group's coordinator can decline a waiting request."))
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise MeetingError(
            _(
                "The reason is too long (%(length)d characters; at most %(n)d).",
                length=len(reason),
                n=500,
            ),
            field="reason",
        )
    group = db.session.get(groups.Group, request_.on_behalf_group_id)
    item = db.session.get(AgendaItem, request_.item_id)
    meeting = db.session.get(Meeting, item.meeting_id)
    request_.status = FloorStatus.WITHDRAWN
    request_.ended_at = utcnow()
    groups.tell_coordinators(group.id)
    _audit_floor(
        request_, coordinator, "meeting.floor_group_declined", f"declined for {group.name}"
    )
    if request_.requested_by_id is not None:
        text = _l(
            "%(group)s declined your request for the floor on item %(label)s of %(title)s; "
            "you can ask again for %(delegation)s.",
            group=group.name,
            label=item.label,
            title=meeting.title,
            delegation=request_.delegation.name,
        )
        if reason:
            declined = text  # both halves in the recipient's language
            text = lambda _recipient: f"{declined} {_('Reason: %(reason)s', reason=reason)}"  # noqa: E731
        notify(
            [request_.requested_by_id],
            "group.declined",
            text,
            path_for("meetings.live", meeting_id=meeting.id),
            subject=meeting,
        )


def _pending_for(user: User) -> list:
    """WHERE: waiting floor requests on behalf of a group `user` coordinates, on items they see."""
    return [
        FloorRequest.on_behalf_group_id.in_(groups.coordinated_group_ids(user)),
        FloorRequest.group_confirmed_at.is_(None),
        FloorRequest.status == FloorStatus.WAITING,
        visible(FloorRequest, user),
    ]


def pending_floor_to_confirm(user: User, meeting: Meeting) -> list[FloorRequest]:
    """What waits for the word of a group `user` coordinates in this meeting (one query)."""
    return list(
        db.session.scalars(
            select(FloorRequest)
            .join(AgendaItem, AgendaItem.id == FloorRequest.item_id)
            .where(AgendaItem.meeting_id == meeting.id, *_pending_for(user))
            .order_by(FloorRequest.created_at)
        )
    )


def waiting_for_group(user: User) -> list[waiting.Waiting]:
    """The dashboard's lines for a group's coordinator: each request for the floor on the
    group's behalf that waits for its confirmation, linking to the meeting's live page (where
    the floor panel lists them with Confirm and Decline)."""
    return [
        waiting.Waiting(
            kind=_("On behalf of the group: to confirm"),
            title=_(
                "%(delegation)s asks for the floor for %(who)s",
                delegation=request_.delegation.name,
                who=request_.on_behalf_of,
            ),
            url=path_for("meetings.live", meeting_id=meeting_id) + "#floor-panel",
            since=request_.created_at,
        )
        for request_, meeting_id in _pending_with_meeting(user)
    ]


def _pending_with_meeting(user: User) -> list[tuple[FloorRequest, int]]:
    rows = db.session.execute(
        select(FloorRequest, AgendaItem.meeting_id)
        .join(AgendaItem, AgendaItem.id == FloorRequest.item_id)
        .where(*_pending_for(user))
        .order_by(FloorRequest.created_at)
    )
    return [tuple(row) for row in rows]


def withdraw(request_: FloorRequest, actor: User, *, chair: bool = False) -> None:
    """The delegation withdraws its waiting request (or the chair removes it): undoable for
    30 seconds, by whoever did it."""
    if request_.status is not FloorStatus.WAITING:
        raise MeetingError(_("Only a request that is still waiting can be withdrawn."))
    meeting = meeting_of(request_)
    before = undo.snapshot(meeting)
    if not chair:
        before = undo.only(before, request_.id)
    request_.status = FloorStatus.WITHDRAWN
    request_.ended_at = utcnow()
    if groups.is_pending(request_):
        groups.tell_coordinators(request_.on_behalf_group_id)  # it waits no longer
    else:  # a pending one was on nobody's panel
        changed(meeting)
    undo.record(
        meeting,
        actor,
        "remove" if chair else "withdraw",
        _("%(name)s taken off the speakers' list", name=request_.on_behalf_of)
        if chair
        else _("Request of %(name)s withdrawn", name=request_.on_behalf_of),
        before,
        is_chair=chair,
        request_id=None if chair else request_.id,
    )


def remove_request(request_: FloorRequest, chair: User) -> None:
    """The chair takes a waiting request off the speakers' list."""
    withdraw(request_, chair, chair=True)
    _audit_floor(request_, chair, "meeting.speaker_removed", "taken off the speakers' list")


def undo_action(meeting: Meeting, actor: User, entry: FloorAction) -> FloorAction:
    """Undo `entry` (the newest action, within 30 seconds, by `actor`), then broadcast."""
    if entry.meeting_id != meeting.id:
        raise MeetingError(_("That action is not of this meeting."))
    done = undo.undo(entry, actor)
    changed(meeting)
    agenda.broadcast(meeting)
    _audit_chair(
        meeting,
        actor,
        "meeting.undone",
        f"undone: {entry.summary}",
        action_id=entry.id,
    )
    return done


def open_request_of(
    item: AgendaItem, delegation_id: int, viewer: User | None = None
) -> FloorRequest | None:
    """The delegation's open request on the item (one the viewer may see, when given: a
    colleague's request pending a group's confirmation is its author's alone)."""
    where = [
        FloorRequest.item_id == item.id,
        FloorRequest.delegation_id == delegation_id,
        FloorRequest.status.in_(OPEN),
    ]
    if viewer is not None:
        where.append(visible(FloorRequest, viewer))
    return db.session.scalars(select(FloorRequest).where(*where)).first()


def meeting_of(request_: FloorRequest) -> Meeting:
    item = db.session.get(AgendaItem, request_.item_id)
    return db.session.get(Meeting, item.meeting_id)


def _end(request_: FloorRequest, now: datetime) -> None:
    if request_.paused_at is not None:
        request_.paused_seconds += int((now - request_.paused_at).total_seconds())
        request_.paused_at = None
    request_.status = FloorStatus.DONE
    request_.ended_at = now


def give_floor(item: AgendaItem, actor: User, request_: FloorRequest | None = None) -> None:
    """Give the floor to the next in the queue (or a chosen request).

    A point of order or a right of reply given while a statement is made suspends it (the
    time left is kept); once it ends, "next speaker" gives the interrupted speaker the floor
    back before anyone else, with the time that was left. Otherwise the current turn ends.
    """
    if item.state is not ItemState.CURRENT:
        raise MeetingError(
            _("Make item %(label)s current before giving the floor.", label=item.label)
        )
    meeting = db.session.get(Meeting, item.meeting_id)
    before = undo.snapshot(meeting)
    speaking, suspended = _speaking(item), _suspended(item)
    waiting = queue(item)
    if request_ is None:
        if suspended is not None and not (waiting and waiting[0].kind in INTERRUPTING):
            return _give_back(item, actor, suspended, speaking, before)
        if not waiting:
            raise MeetingError(_("Nobody is waiting for the floor."))
        request_ = waiting[0]
    elif request_.status is FloorStatus.SUSPENDED and request_.item_id == item.id:
        return _give_back(item, actor, request_, speaking, before)
    elif (
        request_.status is not FloorStatus.WAITING
        or request_.item_id != item.id
        or groups.is_pending(request_)
    ):
        if request_.status is FloorStatus.SUSPENDED or (
            request_.status is FloorStatus.DONE and request_.interrupted_by_id is not None
        ):
            raise MeetingError(
                _(
                    "%(name)s's interrupted statement ended when item %(label)s was left; "
                    "undo that action to bring it back, or inscribe %(name)s again.",
                    name=request_.delegation.name,
                    label=db.session.get(AgendaItem, request_.item_id).label,
                )
            )
        raise MeetingError(_("That request is not waiting on this item."))
    if suspended is not None and request_.kind not in INTERRUPTING:
        raise MeetingError(
            _(
                "%(name)s's statement was interrupted with %(left)s left: give them the floor "
                "back first, or end their statement.",
                name=suspended.delegation.name,
                left=dates.duration(max(0, time_left(item, suspended))),
            )
        )
    now = utcnow()
    interrupting = (
        speaking is not None
        and suspended is None
        and request_.kind in INTERRUPTING
        and speaking.kind is not FloorKind.POINT_OF_ORDER
    )
    if interrupting:
        speaking.status = FloorStatus.SUSPENDED
        speaking.paused_at = speaking.paused_at or now
        speaking.interrupted_by_id = request_.id
    elif speaking is not None:
        _end(speaking, now)
    turns = (
        db.session.scalar(
            select(func.max(FloorRequest.turn)).where(FloorRequest.item_id == item.id)
        )
        or 0
    )
    request_.status = FloorStatus.SPEAKING
    request_.started_at = now
    request_.turn = turns + 1
    changed(meeting)
    _audit_floor(request_, actor, "meeting.floor_given", "given the floor")
    if interrupting:
        _audit_floor(speaking, actor, "meeting.floor_suspended", "interrupted")
    undo.record(
        meeting,
        actor,
        "give-floor",
        _("%(name)s has the floor", name=request_.on_behalf_of)
        if not interrupting
        else _(
            "%(name)s has the floor (%(kind)s); %(other)s interrupted",
            name=request_.on_behalf_of,
            kind=later(lambda request_=request_: request_.kind.label),
            other=speaking.on_behalf_of,
        ),
        before,
    )


def _give_back(
    item: AgendaItem,
    actor: User,
    suspended: FloorRequest,
    speaking: FloorRequest | None,
    before: dict,
) -> None:
    """The interrupted speaker has the floor again, with the time that was left."""
    now = utcnow()
    if speaking is not None:
        _end(speaking, now)
    suspended.paused_seconds += int((now - suspended.paused_at).total_seconds())
    suspended.paused_at = None
    suspended.status = FloorStatus.SPEAKING
    meeting = db.session.get(Meeting, item.meeting_id)
    changed(meeting)
    _audit_floor(suspended, actor, "meeting.floor_resumed", "given the floor back")
    undo.record(
        meeting,
        actor,
        "give-floor",
        _(
            "%(name)s has the floor back (%(left)s left)",
            name=suspended.on_behalf_of,
            left=dates.duration(max(0, time_left(item, suspended, now))),
        ),
        before,
    )


def end_turn(item: AgendaItem, actor: User) -> None:
    """End the statement being made (or, if none, the interrupted one)."""
    meeting = db.session.get(Meeting, item.meeting_id)
    ending = _speaking(item) or _suspended(item)
    if ending is None:
        raise MeetingError(_("Nobody has the floor."))
    before = undo.snapshot(meeting)
    _end(ending, utcnow())
    changed(meeting)
    undo.record(
        meeting,
        actor,
        "end-turn",
        _("%(name)s's statement ended", name=ending.on_behalf_of),
        before,
    )


def pause(item: AgendaItem, actor: User) -> None:
    speaking = _speaking(item)
    if speaking is None or speaking.paused_at is not None:
        raise MeetingError(_("There is no running turn to pause."))
    meeting = db.session.get(Meeting, item.meeting_id)
    before = undo.snapshot(meeting)
    speaking.paused_at = utcnow()
    changed(meeting)
    undo.record(meeting, actor, "pause", _("%(name)s paused", name=speaking.on_behalf_of), before)


def resume(item: AgendaItem, actor: User) -> None:
    speaking = _speaking(item)
    if speaking is None or speaking.paused_at is None:
        raise MeetingError(_("There is no paused turn to resume."))
    meeting = db.session.get(Meeting, item.meeting_id)
    before = undo.snapshot(meeting)
    now = utcnow()
    speaking.paused_seconds += int((now - speaking.paused_at).total_seconds())
    speaking.paused_at = None
    changed(meeting)
    undo.record(meeting, actor, "resume", _("%(name)s resumed", name=speaking.on_behalf_of), before)


def minutes(count: int) -> str:
    """A planned duration in words ("10 min", "1 hr 30 min"), never read as a time of day."""
    return dates.duration(count * 60)


def clock(seconds: int) -> str:
    """A countdown as the screens show it: 2:10; an overrun as +0:40 over."""
    sign, seconds = ("+" if seconds < 0 else ""), abs(int(seconds))
    minutes, secs = divmod(seconds, 60)
    text = f"{sign}{minutes}:{secs:02d}"
    return _("%(time)s over", time=text) if sign else text


def readd_last(item: AgendaItem, actor: User) -> FloorRequest:
    """Put the last speaker back at the top of the statements."""
    last = db.session.scalars(
        select(FloorRequest)
        .where(
            FloorRequest.item_id == item.id,
            FloorRequest.status == FloorStatus.DONE,
            FloorRequest.turn.is_not(None),
        )
        .order_by(FloorRequest.turn.desc())
    ).first()
    if last is None:
        raise MeetingError(_("Nobody has spoken on this item yet."))
    if open_request_of(item, last.delegation_id) is not None:
        raise MeetingError(_("%(name)s is already on the list.", name=last.delegation.name))
    statements = [r for r in queue(item) if r.kind is FloorKind.STATEMENT]
    top = min((r.position for r in statements), default=1.0)
    request_ = FloorRequest(
        item_id=item.id,
        delegation_id=last.delegation_id,
        requested_by_id=last.requested_by_id,
        on_behalf_of=last.on_behalf_of,
        on_behalf_group_id=last.on_behalf_group_id,
        group_confirmed_at=last.group_confirmed_at,
        group_confirmed_by_id=last.group_confirmed_by_id,
        kind=FloorKind.STATEMENT,
        presence=last.presence,
        is_inscribed_at_desk=True,
        position=top - 1.0,
    )
    meeting = db.session.get(Meeting, item.meeting_id)
    before = undo.snapshot(meeting)
    db.session.add(request_)
    db.session.flush()
    changed(meeting)
    _audit_floor(request_, actor, "meeting.speaker_readded", "put back at the top of the list")
    undo.record(
        meeting,
        actor,
        "readd-last",
        _("%(name)s back at the top of the list", name=request_.on_behalf_of),
        before,
    )
    return request_


def move(request_: FloorRequest, actor: User, direction: str) -> None:
    """The chair moves a waiting request up or down among requests of the same kind."""
    item = db.session.get(AgendaItem, request_.item_id)
    same = [r for r in queue(item) if r.kind is request_.kind]
    if request_ not in same:
        raise MeetingError(_("Only waiting requests can be moved."))
    index = same.index(request_)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(same):
        return
    meeting = db.session.get(Meeting, item.meeting_id)
    before = undo.snapshot(meeting)
    # Give every request a distinct position first, then swap two neighbours.
    for n, r in enumerate(same, start=1):
        r.position = float(n)
    same[index].position, same[other].position = same[other].position, same[index].position
    changed(meeting)
    _audit_floor(request_, actor, "meeting.speaker_moved", f"moved {direction} the list")
    undo.record(
        meeting,
        actor,
        "move",
        _("%(name)s moved up", name=request_.on_behalf_of)
        if direction == "up"
        else _("%(name)s moved down", name=request_.on_behalf_of),
        before,
    )


def set_list_closed(item: AgendaItem, actor: User, closed: bool) -> None:
    meeting = db.session.get(Meeting, item.meeting_id)
    if item.is_list_closed is closed:
        raise MeetingError(
            _("The speakers' list is already closed.")
            if closed
            else _("The speakers' list is already open.")
        )
    before = undo.snapshot(meeting)
    item.is_list_closed = closed
    changed(meeting)
    undo.record(
        meeting,
        actor,
        "close-list" if closed else "reopen-list",
        _("Speakers' list of item %(label)s closed", label=item.label)
        if closed
        else _("Speakers' list of item %(label)s reopened", label=item.label),
        before,
    )
    _audit_chair(
        meeting,
        actor,
        "meeting.list_closed" if closed else "meeting.list_reopened",
        f"speakers' list for item {item.label} {'closed' if closed else 'reopened'}",
        item_id=item.id,
    )


def record_ruling(request_: FloorRequest, actor: User, text: str) -> None:
    text = (text or "").strip()
    if request_.kind is not FloorKind.POINT_OF_ORDER:
        raise MeetingError(_("Rulings are recorded on points of order."))
    if not text:
        raise MeetingError(_("Write the ruling before recording it: it is empty."), field="ruling")
    refuse_longer_than(text, 500, "ruling")
    request_.ruling = text
    meeting = meeting_of(request_)
    _audit_chair(
        meeting,
        actor,
        "meeting.ruling",
        f"ruling on a point of order by {request_.delegation.name}: {text}",
        item_id=request_.item_id,
        request_id=request_.id,
    )
    changed(meeting)


# ---- the chair's audit trail -------------------------------------------------------------------


def _audit_chair(meeting: Meeting, actor: User, kind: str, what: str, **details) -> None:
    """A chair's action in the audit log, with the meeting it was taken in."""
    audit.record(
        kind,
        f"{meeting.title}: {what}",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
        **details,
    )


def _audit_floor(request_: FloorRequest, actor: User, kind: str, what: str) -> None:
    """A chair's action on one request of the speakers' list."""
    item = db.session.get(AgendaItem, request_.item_id)
    _audit_chair(
        db.session.get(Meeting, item.meeting_id),
        actor,
        kind,
        f"{request_.delegation.name} {what} on item {item.label}",
        item_id=item.id,
        request_id=request_.id,
        delegation_id=request_.delegation_id,
    )


# ---- reading ---------------------------------------------------------------------------------


@dataclass
class ItemView:
    item: AgendaItem
    actual_seconds: int


@dataclass
class LiveState:
    meeting: Meeting
    items: list[ItemView]
    current: AgendaItem | None
    speaker: FloorRequest | None
    waiting: list[FloorRequest]
    #: The statement a point of order or a right of reply interrupted (its time left kept).
    suspended: FloorRequest | None
    totals: list[tuple[str, int]]
    rulings: list[FloorRequest]
    #: Speaking time by status class (what a Chatham House meeting shows for the totals).
    status_totals: list[tuple[str, int]]
    now: datetime
    expected_end: datetime | None


def live_state(meeting: Meeting) -> LiveState:
    """Everything the live views show, in a fixed number of queries."""
    now = utcnow()
    items = items_of(meeting)
    current = next((i for i in items if i.state is ItemState.CURRENT), None)
    requests = []
    if current is not None:
        # Every viewer sees the same panel: requests pending a group's confirmation are not
        # on it (their author and the coordinator see them on their own floor panel).
        requests = db.session.scalars(
            select(FloorRequest).where(
                FloorRequest.item_id == current.id, groups.confirmed_clause(FloorRequest)
            )
        ).all()
    speaker = next((r for r in requests if r.status is FloorStatus.SPEAKING), None)
    suspended = next((r for r in requests if r.status is FloorStatus.SUSPENDED), None)
    waiting = sorted(
        (r for r in requests if r.status is FloorStatus.WAITING),
        key=lambda r: (r.kind.rank, r.position, r.id),
    )
    totals: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for r in requests:
        if r.started_at is not None:
            totals[r.delegation.name] = totals.get(r.delegation.name, 0) + r.spoken_seconds(now)
            key = visibility.status_class(r)
            by_status[key] = by_status.get(key, 0) + r.spoken_seconds(now)
    rulings = [r for r in requests if r.ruling]
    # Expected end: now plus what remains of the current item and all pending items.
    remaining = 0
    for i in items:
        if i.state is ItemState.PENDING:
            remaining += i.planned_minutes * 60
        elif i.state is ItemState.CURRENT:
            remaining += max(0, i.planned_minutes * 60 - i.actual_seconds(now))
    expected_end = now + timedelta(seconds=remaining) if current or remaining else None
    return LiveState(
        meeting,
        [ItemView(i, i.actual_seconds(now)) for i in items],
        current,
        speaker,
        waiting,
        suspended,
        sorted(totals.items(), key=lambda t: -t[1]),
        rulings,
        sorted(by_status.items(), key=lambda t: -t[1]),
        now,
        expected_end,
    )


def connected_attendees(meeting: Meeting) -> list[Attendance]:
    now = utcnow()
    return list(
        db.session.scalars(
            select(Attendance)
            .where(Attendance.meeting_id == meeting.id, Attendance.connected_until > now)
            .order_by(Attendance.presence, Attendance.first_seen_at)
        )
    )


def attendance(meeting: Meeting) -> list[Attendance]:
    return list(
        db.session.scalars(
            select(Attendance)
            .where(Attendance.meeting_id == meeting.id)
            .order_by(Attendance.first_seen_at)
        )
    )


def seen(
    meeting: Meeting,
    user: User,
    presence: Presence | None,
    *,
    connected: bool,
    default: Presence = Presence.REMOTE,
) -> bool:
    """Record attendance; returns True when the chair's presence list changed.

    Only a change the chair sees counts (connected or not, in the room or remote): a page that
    reconnects or sends its heartbeat with the same presence must not re-render the console
    for every chair, or a thousand reconnecting pages cost a thousand renders.
    """
    now = utcnow()
    row = db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.user_id == user.id)
    ).first()
    was_connected = (
        row is not None and row.connected_until is not None and row.connected_until > now
    )
    moved = presence is not None and (row is None or row.presence is not presence)
    if row is None:
        row = Attendance(
            meeting_id=meeting.id,
            user_id=user.id,
            delegation_id=user.delegation_id,
            presence=presence or default,
            first_seen_at=now,
        )
        db.session.add(row)
    elif presence is not None:
        row.presence = presence
    row.last_seen_at = now
    row.connected_until = now + timedelta(seconds=HEARTBEAT_SECONDS * 2) if connected else now
    return was_connected != connected or moved


def interruption_of(turn: FloorRequest, turns: list[FloorRequest], named: bool = True) -> str:
    """For the record: "interrupted by a point of order (Philippines)", or "". Under the
    Chatham House Rule, for those who may not see names, the interrupter by status."""
    if turn.interrupted_by_id is None:
        return ""
    by = next((t for t in turns if t.id == turn.interrupted_by_id), None)
    if by is None:
        return ""
    return _(
        "interrupted by a %(kind)s (%(name)s)",
        kind=by.kind.label.lower(),
        name=visibility.who(by, named),
    )


def speaking_record(meeting: Meeting) -> list[tuple[AgendaItem, list[FloorRequest]]]:
    """Who spoke on which item, in which order, for how long."""
    items = items_of(meeting)
    turns = db.session.scalars(
        select(FloorRequest)
        .where(
            FloorRequest.item_id.in_([i.id for i in items]),
            FloorRequest.turn.is_not(None),
            groups.confirmed_clause(FloorRequest),
        )
        .order_by(FloorRequest.item_id, FloorRequest.turn)
    ).all()
    by_item: dict[int, list[FloorRequest]] = {}
    for t in turns:
        by_item.setdefault(t.item_id, []).append(t)
    return [(i, by_item.get(i.id, [])) for i in items]


# ---- broadcasting ----------------------------------------------------------------------------


def changed(meeting: Meeting) -> None:
    """Bump the version; after the commit, send the rendered panels to every viewer: one
    render per visibility class (under the Chatham House Rule the room's channel gets the
    panel that names nobody, and the chairs' channel the named one too), and one for the
    screens."""
    meeting.version += 1
    meeting_id = meeting.id
    emit_after_commit(
        "meeting-panel", lambda: panel_payload(meeting_id, chair=False), to=f"meeting:{meeting_id}"
    )
    if meeting.is_chatham_house:
        emit_after_commit(
            "meeting-panel-named",
            lambda: panel_payload(meeting_id, chair=False, named=True),
            to=f"meeting:{meeting_id}:chair",
        )
    emit_after_commit(
        "meeting-console",
        lambda: panel_payload(meeting_id, chair=True),
        to=f"meeting:{meeting_id}:chair",
    )
    screens.broadcast(meeting)


def console_context(meeting: Meeting) -> dict:
    """What the chair's console panel shows besides the live state: who is connected, the
    action Undo offers, and the action token its buttons send back."""
    return {
        "attendees": connected_attendees(meeting),
        "offer": undo.offered(meeting),
        "token": undo.token(meeting),
        "undo_seconds": undo.UNDO_SECONDS,
    }


def panel_payload(meeting_id: int, *, chair: bool, named: bool | None = None) -> dict:
    """A live panel for one visibility class: the console, the named live panel (the chairs'
    channel), or the room's (named only when the meeting is not under the Chatham House Rule)."""
    meeting = db.session.get(Meeting, meeting_id)
    state = live_state(meeting)
    template = "meetings/_console_panel.html" if chair else "meetings/_live_panel.html"
    extra = console_context(meeting) if chair else {}
    named = True if chair else bool(named) or not meeting.is_chatham_house
    return {
        "meeting": meeting.id,
        "version": meeting.version,
        "chatham": meeting.is_chatham_house,
        "named": named,
        "html": render_template(
            template, state=state, meeting=meeting, broadcast=True, named=named, **extra
        ),
    }


# ---- what the console asks before acting -----------------------------------------------------


@dataclass
class Ask:
    """A question the console asks before an action that would end a statement or drop
    waiting requests: the second press of the key (or Enter) confirms."""

    action: str
    question: str
    #: The requests still waiting that the action leaves (next item, make current).
    waiting: list[FloorRequest] = field(default_factory=list)
    #: The item the waiting requests can be carried to (None: only keep or close).
    carry_to: AgendaItem | None = None
    #: The form values to post again with the confirmation.
    values: dict = field(default_factory=dict)
    confirm_label: str = ""
    #: Where the confirmation posts (the chair action's own address when empty).
    url: str = ""


def _ending(item: AgendaItem, now: datetime) -> list[str]:
    """What leaving `item` ends: the statement being made, the one interrupted."""
    said = []
    for request_ in (_speaking(item), _suspended(item)):
        if request_ is not None:
            said.append(
                _(
                    "%(name)s's statement ends (%(left)s left).",
                    name=request_.on_behalf_of,
                    left=dates.duration(max(0, time_left(item, request_, now))),
                )
            )
    return said


def ask_before(
    meeting: Meeting,
    action: str,
    *,
    request_: FloorRequest | None = None,
    item: AgendaItem | None = None,
    state: ItemState | None = None,
) -> Ask | None:
    """The question to ask before this console action, or None when it loses nobody."""
    now = utcnow()
    current = current_item(meeting)
    if action in ("next-item", "item-state"):
        if current is None or (
            action == "item-state" and state is ItemState.CURRENT and item.id == current.id
        ):
            return None
        target = (
            upcoming_item(meeting)
            if action == "next-item"
            else (item if state is ItemState.CURRENT else None)
        )
        if action == "item-state" and state is not ItemState.CURRENT and item.id != current.id:
            return None
        said = _ending(current, now)
        left = queue(current)
        if not said and not left:
            return None
        if left:
            said.append(
                ngettext(
                    "%(num)d request waits on item %(label)s: %(names)s.",
                    "%(num)d requests wait on item %(label)s: %(names)s.",
                    len(left),
                    label=current.label,
                    names=", ".join(r.on_behalf_of for r in left),
                )
            )
        if action == "next-item":
            head = (
                _("Move to item %(label)s?", label=target.label)
                if target
                else _("Close item %(label)s?", label=current.label)
            )
            label = (
                _("Yes, move to item %(label)s", label=target.label)
                if target
                else _("Yes, close item %(label)s", label=current.label)
            )
        else:
            head = _("Item %(label)s: %(state)s?", label=item.label, state=state.label.lower())
            label = _("Yes: %(state)s", state=state.label.lower())
        return Ask(
            action,
            " ".join([head, *said]),
            left,
            target if left else None,
            {},
            label,
        )
    if current is None:
        return None
    speaking = _speaking(current)
    if action == "give-floor":
        waiting = queue(current)
        chosen = request_ or (waiting[0] if waiting else None)
        if (
            speaking is None
            or chosen is None
            or chosen.status is not FloorStatus.WAITING
            or speaking.kind is FloorKind.POINT_OF_ORDER
            or (chosen.kind in INTERRUPTING and _suspended(current) is None)
            or (request_ is None and _suspended(current) is not None)
        ):
            return None
        return Ask(
            action,
            _(
                "Give the floor to %(who)s? %(name)s's statement ends (%(left)s left).",
                who=chosen.on_behalf_of,
                name=speaking.on_behalf_of,
                left=dates.duration(max(0, time_left(current, speaking, now))),
            ),
            values={"request_id": chosen.id} if request_ is not None else {},
            confirm_label=_("Yes, give the floor to %(who)s", who=chosen.on_behalf_of),
        )
    if action == "end-turn":
        ending = speaking or _suspended(current)
        if ending is None or ending.kind is FloorKind.POINT_OF_ORDER:
            return None
        return Ask(
            action,
            _(
                "End %(name)s's statement (%(left)s left)?",
                name=ending.on_behalf_of,
                left=dates.duration(max(0, time_left(current, ending, now))),
            ),
            confirm_label=_("Yes, end the statement"),
        )
    if action == "remove" and request_ is not None:
        return Ask(
            action,
            _(
                "Take %(name)s off the speakers' list of item %(label)s?",
                name=request_.on_behalf_of,
                label=db.session.get(AgendaItem, request_.item_id).label,
            ),
            values={"request_id": request_.id},
            confirm_label=_("Yes, take %(name)s off the list", name=request_.on_behalf_of),
        )
    return None


# ---- handover ----------------------------------------------------------------------------------


def _open_requests_of(person: User) -> list[FloorRequest]:
    return list(
        db.session.scalars(
            select(FloorRequest)
            .where(FloorRequest.requested_by_id == person.id, FloorRequest.status.in_(OPEN))
            .order_by(FloorRequest.id)
        )
    )


def _held_floor_requests(departing: User, viewer: User) -> list[str]:
    count = len(_open_requests_of(departing))
    if not count:
        return []
    return [
        ngettext(
            "%(num)d floor request in a speakers' list",
            "%(num)d floor requests in speakers' lists",
            count,
        )
    ]


def _move_floor_requests(run: handover.Handover) -> int:
    """The successor holds the delegation's open floor requests the departing person made.

    The place in the queue stays: it is the delegation's request, now in the successor's name.
    """
    requests = _open_requests_of(run.departing)
    meetings: dict[int, Meeting] = {}
    for request_ in requests:
        request_.requested_by_id = run.successor.id
        meeting = meeting_of(request_)
        meetings[meeting.id] = meeting
    db.session.flush()
    for meeting in meetings.values():
        changed(meeting)
    return len(requests)


#: This domain's part of a handover (added from consult.meetings.register).
FLOOR_REQUESTS = handover.Step(
    name="floor_requests",
    label=_l("Floor requests"),
    held=_held_floor_requests,
    move=_move_floor_requests,
    order=40,
)
