"""Meetings of a room: agenda items, the speakers' list, rulings and attendance.

All meeting state lives here, in the database, never in a worker's memory: a restart or a
dropped connection loses nothing, and any worker can answer any request. `Meeting.version`
grows with every change, so a client that missed an event knows it and re-fetches.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Delegation, User, _enum
from consult.extensions import db
from consult.markdown import rendered
from consult.rooms.models import Room
from consult.timeutil import UTCDateTime, utcnow


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        # Keyed by class too: ItemState.DONE and FloorStatus.DONE are both the string "done".
        return str(LABELS[(type(self), self.value)])


class MeetingKind(_Labelled):
    WORKING_GROUP_SESSION = "working_group_session"
    INFORMAL_CONSULTATION = "informal_consultation"
    REGIONAL_MEETING = "regional_meeting"
    PREPARATORY_MEETING = "preparatory_meeting"


class MeetingMode(_Labelled):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    HYBRID = "hybrid"


class ItemState(_Labelled):
    PENDING = "pending"
    CURRENT = "current"
    DONE = "done"
    DEFERRED = "deferred"


class FloorKind(_Labelled):
    STATEMENT = "statement"
    POINT_OF_ORDER = "point_of_order"
    RIGHT_OF_REPLY = "right_of_reply"

    @property
    def rank(self) -> int:
        """Points of order go to the top; rights of reply come after the statements."""
        return {"point_of_order": 0, "statement": 1, "right_of_reply": 2}[self.value]


class Presence(_Labelled):
    IN_ROOM = "in_room"
    REMOTE = "remote"


class ScreenMode(_Labelled):
    """What the projector shows, chosen by the chair."""

    SPEAKERS = "speakers"
    AGENDA = "agenda"
    PARAGRAPH = "paragraph"


class FloorStatus(_Labelled):
    WAITING = "waiting"
    SPEAKING = "speaking"
    #: Interrupted by a point of order or a right of reply: the time left is kept.
    SUSPENDED = "suspended"
    DONE = "done"
    WITHDRAWN = "withdrawn"


LABELS = {
    (MeetingKind, MeetingKind.WORKING_GROUP_SESSION.value): _l("Working-group session"),
    (MeetingKind, MeetingKind.INFORMAL_CONSULTATION.value): _l("Informal consultation"),
    (MeetingKind, MeetingKind.REGIONAL_MEETING.value): _l("Regional meeting"),
    (MeetingKind, MeetingKind.PREPARATORY_MEETING.value): _l("Preparatory meeting"),
    (MeetingMode, MeetingMode.IN_PERSON.value): _l("In person"),
    (MeetingMode, MeetingMode.VIRTUAL.value): _l("Virtual"),
    (MeetingMode, MeetingMode.HYBRID.value): _l("Hybrid"),
    (ItemState, ItemState.PENDING.value): _l("Pending"),
    (ItemState, ItemState.CURRENT.value): _l("Current"),
    (ItemState, ItemState.DONE.value): _l("Done"),
    (ItemState, ItemState.DEFERRED.value): _l("Deferred"),
    (FloorKind, FloorKind.STATEMENT.value): _l("Statement"),
    (FloorKind, FloorKind.POINT_OF_ORDER.value): _l("Point of order"),
    (FloorKind, FloorKind.RIGHT_OF_REPLY.value): _l("Right of reply"),
    (Presence, Presence.IN_ROOM.value): _l("In the room"),
    (Presence, Presence.REMOTE.value): _l("Remote"),
    (ScreenMode, ScreenMode.SPEAKERS.value): _l("The speakers' list"),
    (ScreenMode, ScreenMode.AGENDA.value): _l("The agenda"),
    (ScreenMode, ScreenMode.PARAGRAPH.value): _l("A paragraph of the current paper"),
    (FloorStatus, FloorStatus.WAITING.value): _l("Waiting"),
    (FloorStatus, FloorStatus.SPEAKING.value): _l("Speaking"),
    (FloorStatus, FloorStatus.SUSPENDED.value): _l("Interrupted"),
    (FloorStatus, FloorStatus.DONE.value): _l("Spoke"),
    (FloorStatus, FloorStatus.WITHDRAWN.value): lazy_pgettext("floor request", "Withdrawn"),
}


#: The statuses of an open request (one per delegation per item): the partial unique index.
OPEN_SQL = "status IN ('waiting', 'speaking', 'suspended')"


class Meeting(db.Model):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    mode: Mapped[MeetingMode] = mapped_column(_enum(MeetingMode, "meeting_mode"))
    venue: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The zone the meeting is announced in (the room's by default).
    time_zone: Mapped[str] = mapped_column(String(64))
    #: Video-conference or livestream link: shown only to those who may attend.
    video_link: Mapped[str] = mapped_column(String(500), default="")
    # Its interpretation is a list of channels: `InterpretationChannel`.
    is_agenda_adopted: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Grows with every change; live events carry it so a missed one is detected.
    version: Mapped[int] = mapped_column(default=1)
    #: Held under the Chatham House Rule: the floor is shown by status, not by name, to all
    #: but the chair and the Secretariat (live view, screen, record).
    is_chatham_house: Mapped[bool] = mapped_column(default=False)
    #: What the projector shows (the chair chooses).
    screen_mode: Mapped[ScreenMode] = mapped_column(
        _enum(ScreenMode, "screen_mode"), default=ScreenMode.SPEAKERS
    )
    #: For the paragraph screen: the paper and the paragraph (its stable key) projected.
    screen_paper_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id", ondelete="SET NULL"))
    screen_paragraph_key: Mapped[str | None] = mapped_column(String(16))
    #: The document symbol its record is issued under, e.g. ATT/CSP12.WGETI/2026/SEC/3/Rec.
    symbol: Mapped[str] = mapped_column(String(120), default="")
    #: The calendar's SEQUENCE (RFC 5545): raised only when the schedule or the place changes
    #: (start, end, time zone, venue, video link), never by the console's actions as `version`.
    schedule_sequence: Mapped[int] = mapped_column(default=0)
    #: Cancelled by its room's chair: kept on record (page, calendar entry), marked as such.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    room: Mapped[Room] = relationship(lazy="joined")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class InterpretationChannel(db.Model):
    """One language a meeting is interpreted into, and where to hear it: a channel on the
    room's receivers, a stream link for those who follow from afar, or both (a hybrid
    meeting). Seen by whoever may see the meeting; the link, like the video link, only by
    those who may attend. See `consult.meetings.interpretation`."""

    __tablename__ = "interpretation_channel"
    __table_args__ = (UniqueConstraint("meeting_id", "language", name="one_channel_per_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    #: The chair's order (1, 2, ...); a viewer's own language is shown first whatever it is.
    position: Mapped[int]
    #: A language code of Babel's (CLDR) locale data: "en", "fr", "zh", "ar".
    language: Mapped[str] = mapped_column(String(16))
    #: The channel on the room's interpretation receivers (None: no channel, a link only).
    number: Mapped[int | None]
    #: An https link to the interpretation's stream ("": none).
    link: Mapped[str] = mapped_column(String(500), default="")
    #: e.g. "Plenary sessions only", "Relay through English".
    note: Mapped[str] = mapped_column(String(200), default="")


class MeetingSession(db.Model):
    """One session of a meeting's programme of work: a day, a start and an end, a room or a
    link, and the body that meets (WGETI, WGTU, WGTR, Plenary ...). A meeting of several days
    is a week of sessions; its agenda items are each taken up in one of them."""

    __tablename__ = "meeting_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    #: The body that meets, e.g. "WGETI", "WGTU", "WGTR", "Plenary".
    body: Mapped[str] = mapped_column(String(60))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The room it meets in ("" : the meeting's venue).
    venue: Mapped[str] = mapped_column(String(300), default="")
    #: Its own video link ("" : the meeting's); shown only to those who may attend.
    video_link: Mapped[str] = mapped_column(String(500), default="")
    #: Raised when this session's time or place changes; its calendar SEQUENCE is this plus
    #: the meeting's `schedule_sequence`, so either change reaches the calendars.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(lazy="joined")

    @property
    def place(self) -> str:
        return self.venue or self.meeting.venue

    @property
    def link(self) -> str:
        return self.video_link or self.meeting.video_link


class AgendaItem(db.Model):
    """Item 3, or sub-item 3(a)."""

    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "number", "letter", name="one_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    #: "" for an item, "a", "b" ... for its sub-items.
    letter: Mapped[str] = mapped_column(String(2), default="")
    title: Mapped[str] = mapped_column(String(300))
    annotation: Mapped[str] = mapped_column(Text, default="")
    annotation_html: Mapped[Markup | None] = rendered("annotation")
    planned_minutes: Mapped[int] = mapped_column(default=30)
    presenters: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[ItemState] = mapped_column(
        _enum(ItemState, "item_state"), default=ItemState.PENDING
    )
    #: When the item last became current (None when it is not current).
    current_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Time spent as the current item before current_since.
    spent_seconds: Mapped[int] = mapped_column(default=0)
    speaking_limit_seconds: Mapped[int] = mapped_column(default=180)
    is_list_closed: Mapped[bool] = mapped_column(default=False)
    #: Removed from the agenda (kept, with its documents, and restorable); None: on it.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The session of the programme of work the item is taken up in (None: not yet placed).
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_session.id", ondelete="SET NULL"), index=True
    )

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def label(self) -> str:
        return f"{self.number}({self.letter})" if self.letter else str(self.number)

    def actual_seconds(self, now: datetime) -> int:
        running = (now - self.current_since).total_seconds() if self.current_since else 0
        return int(self.spent_seconds + running)


class AgendaAmendment(db.Model):
    """One change to an agenda after its adoption: what, by whom, when (shown on the agenda)."""

    __tablename__ = "agenda_amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: "added", "edited", "removed", "restored", "moved".
    action: Mapped[str] = mapped_column(String(16))
    #: What changed, in words ("Item 3: title changed from ... to ...").
    summary: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


class FloorRequest(db.Model):
    """A delegation asks for the floor on an agenda item."""

    __tablename__ = "floor_request"
    __table_args__ = (
        # One open request per delegation per item, enforced by the database itself, so that
        # simultaneous clicks can never queue a delegation twice.
        Index(
            "uq_floor_request_open",
            "item_id",
            "delegation_id",
            unique=True,
            sqlite_where=text(OPEN_SQL),
            postgresql_where=text(OPEN_SQL),
        ),
        Index("ix_floor_request_item_status", "item_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"))
    #: Who asked (None when the chair inscribed a flag raised in the room).
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    on_behalf_of: Mapped[str] = mapped_column(String(200))
    #: Speaking for a group: pending the group's confirmation until `group_confirmed_at` is set
    #: (by the group's coordinator, or by delivering the group's final statement).
    on_behalf_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegation_group.id"), index=True
    )
    group_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    group_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[FloorKind] = mapped_column(_enum(FloorKind, "floor_kind"))
    presence: Mapped[Presence] = mapped_column(_enum(Presence, "presence"))
    is_inscribed_at_desk: Mapped[bool] = mapped_column(default=False)
    status: Mapped[FloorStatus] = mapped_column(
        _enum(FloorStatus, "floor_status"), default=FloorStatus.WAITING
    )
    #: Place in the queue among requests of the same kind (the chair may reorder).
    position: Mapped[float] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Order in which turns were given on this item (the record).
    turn: Mapped[int | None] = mapped_column()
    #: The chair's one-line ruling on a point of order.
    ruling: Mapped[str | None] = mapped_column(String(500))
    #: The point of order or right of reply that interrupted this statement (the record).
    interrupted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("floor_request.id", ondelete="SET NULL")
    )

    delegation: Mapped[Delegation] = relationship(lazy="joined")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id], lazy="raise")

    def spoken_seconds(self, now: datetime) -> int:
        if self.started_at is None:
            return 0
        end = self.ended_at or self.paused_at or now
        return max(0, int((end - self.started_at).total_seconds()) - self.paused_seconds)


class FloorAction(db.Model):
    """One action on the floor (a chair's console action, a delegation's withdrawal), with the
    floor as it was before and after it: the snapshot "Undo" restores, for 30 seconds.

    Kept in the database, not in a worker's memory, so any worker can undo it and a restart
    loses nothing. The newest chair action's id is the console's action token: a press made on
    a page that had not seen it is refused (two chairs at once, one chair pressing twice).
    """

    __tablename__ = "floor_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: The console action ("next-item", "give-floor", ..., "undo"; "withdraw" for a delegate).
    action: Mapped[str] = mapped_column(String(32))
    #: What was done, in words, for the Undo bar and refusals ("Next item: 2. Any other ...").
    summary: Mapped[str] = mapped_column(String(500))
    #: A chair's action (the console's token and Undo) or a delegation's own (its floor panel).
    is_chair: Mapped[bool] = mapped_column(default=True)
    #: JSON: the rows the action may change (items, open requests), before and after it.
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor: Mapped[User] = relationship(lazy="joined")

    @property
    def undoable(self) -> bool:
        return bool(self.before) and self.undone_at is None


class Attendance(db.Model):
    """Who attended a meeting, in the room or remotely, first and last seen."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="once_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: The person's delegation when they attended (the participation report counts these).
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"), index=True)
    presence: Mapped[Presence] = mapped_column(_enum(Presence, "attendance_presence"))
    #: Who at the desk (the chair or the Secretariat) last set the presence; None: the person.
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Recorded at the desk for someone following without a device.
    is_recorded_at_desk: Mapped[bool] = mapped_column(default=False)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Live connection believed open until then (refreshed by a heartbeat).
    connected_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class ScreenLink(db.Model):
    """A revocable address that opens one meeting's screen with no personal sign-in (for the
    room's projector); only the token's SHA-256 is stored, the token is shown once."""

    __tablename__ = "screen_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Which screen it is for, e.g. "Room XVII, left screen".
    label: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class CalendarFeed(db.Model):
    """A private, revocable address of a person's "my meetings" calendar (SHA-256 only)."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DocumentKind(_Labelled):
    """What an agenda item's document is: a paper of the platform, a file the chair attached,
    or a delegation's written statement (a file, circulated once the chair publishes it)."""

    PAPER = "paper"
    FILE = "file"
    WRITTEN_STATEMENT = "written_statement"


LABELS.update(
    {
        (DocumentKind, DocumentKind.PAPER.value): _l("Paper"),
        (DocumentKind, DocumentKind.FILE.value): _l("Document"),
        (DocumentKind, DocumentKind.WRITTEN_STATEMENT.value): _l("Written statement"),
    }
)


class AgendaDocument(db.Model):
    """A document of an agenda item: a paper, a file, or a delegation's written statement.

    Removing one sets `removed_at` (the chair may restore it); nothing is deleted. A written
    statement is seen by the chair and its delegation until the chair publishes it.
    """

    __tablename__ = "agenda_document"
    __table_args__ = (Index("ix_agenda_document_item_removed", "item_id", "removed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind, "document_kind"))
    title: Mapped[str] = mapped_column(String(300))
    #: The paper, for a paper (its own visibility applies on top of the item's).
    paper_id: Mapped[int | None] = mapped_column(
        ForeignKey("paper.id", ondelete="CASCADE"), index=True
    )
    #: A file's name as uploaded, its type as we checked it, its size, its (encrypted) store.
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column()
    stored_name: Mapped[str | None] = mapped_column(String(64))
    #: The delegation that submitted a written statement (None for the chair's documents).
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was made available to the meeting's participants (None: not yet published).
    circulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A written statement is circulated only once the chair publishes it.
    is_published: Mapped[bool] = mapped_column(default=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    delegation: Mapped[Delegation | None] = relationship(lazy="joined")

    @property
    def is_file(self) -> bool:
        return self.stored_name is not None
