"""The documents of agenda items: papers, files, and delegations' written statements.

The chair attaches papers of the room (or of a narrower room, only where everyone who sees
the meeting may see them) and files (PDF, Word, PowerPoint; `consult.uploads`), each with its
circulation date; a document circulated after the room's circulation period (days before the
meeting starts) is "late". Delegations submit written statements per item, seen by the chair
and their own delegation until the chair publishes them. Removing a document keeps it: the
chair may restore it.

Every list selects through the policy's visible filter for `AgendaDocument` (registered in
`consult.meetings.policy`), which agrees with `can(VIEW)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from consult import audit, uploads
from consult.accounts.models import User
from consult.errors import ServiceError, refuse_longer_than
from consult.extensions import db
from consult.meetings.models import AgendaDocument, AgendaItem, DocumentKind, Meeting
from consult.policy import Need, can, visible
from consult.timeutil import utcnow

TITLE_MAX = 300
#: How far back a chair may date a document's circulation.
OLDEST_CIRCULATION_DAYS = 366


class DocumentError(ServiceError):
    """A document that cannot be attached, published, removed or restored now."""


@dataclass(frozen=True)
class ItemDocument:
    """One document of an agenda item as a list shows it."""

    id: int
    title: str
    kind: DocumentKind
    circulated_at: datetime | None
    late: bool
    is_published: bool
    paper_id: int | None
    is_file: bool
    delegation_id: int | None
    delegation_name: str | None
    document: AgendaDocument


# ---- what is late ---------------------------------------------------------------------------


def due_by(meeting: Meeting) -> datetime | None:
    """The end of the room's circulation period for this meeting (None: the room has none)."""
    days = meeting.room.circulation_days
    if not days:
        return None
    return meeting.starts_at - timedelta(days=days)


def is_late(document: AgendaDocument, meeting: Meeting) -> bool:
    due = due_by(meeting)
    return due is not None and document.circulated_at is not None and document.circulated_at > due


# ---- lists ----------------------------------------------------------------------------------


def _audience_clause():
    """What the whole audience of a meeting sees (the screen, the record): the documents
    circulated to it. Papers only when issued to their room (not drafting, not a pending
    contribution) and not a group's statement (seen by the group's room alone)."""
    from consult.papers.models import PENDING_CONTRIBUTION, Paper, PaperKind, PaperStatus

    issued = select(Paper.id).where(
        Paper.status != PaperStatus.DRAFTING,
        or_(
            Paper.contribution_status.is_(None),
            Paper.contribution_status.not_in(PENDING_CONTRIBUTION),
        ),
        Paper.kind != PaperKind.GROUP_STATEMENT,
    )
    return and_(
        AgendaDocument.removed_at.is_(None),
        AgendaDocument.is_published.is_(True),
        or_(AgendaDocument.paper_id.is_(None), AgendaDocument.paper_id.in_(issued)),
    )


def _views(meeting: Meeting, rows) -> list[ItemDocument]:
    return [
        ItemDocument(
            id=d.id,
            title=d.title,
            kind=d.kind,
            circulated_at=d.circulated_at,
            late=is_late(d, meeting),
            is_published=d.is_published,
            paper_id=d.paper_id,
            is_file=d.is_file,
            delegation_id=d.delegation_id,
            delegation_name=d.delegation.name if d.delegation is not None else None,
            document=d,
        )
        for d in rows
    ]


def _ordered(query):
    # Circulated first, by date; unpublished statements (no date yet) last, by submission.
    return query.order_by(
        AgendaDocument.circulated_at.is_(None),
        AgendaDocument.circulated_at,
        AgendaDocument.created_at,
        AgendaDocument.id,
    )


def item_documents(meeting: Meeting, user: User | None = None) -> dict[int, list[ItemDocument]]:
    """Agenda item id -> its documents that `user` may see, in order of circulation (each with
    its title, kind, circulation date and late flag). Without a user: what the meeting's whole
    audience sees (the screen, the record). One statement for the whole meeting."""
    query = (
        select(AgendaDocument)
        .join(AgendaItem, AgendaItem.id == AgendaDocument.item_id)
        .where(AgendaItem.meeting_id == meeting.id, AgendaDocument.removed_at.is_(None))
    )
    if user is None:
        query = query.where(_audience_clause())
    else:
        query = query.where(visible(AgendaDocument, user))
    out: dict[int, list[ItemDocument]] = {}
    rows = db.session.scalars(_ordered(query)).all()
    for view in _views(meeting, rows):
        out.setdefault(view.document.item_id, []).append(view)
    return out


def documents_of(item: AgendaItem, meeting: Meeting, user: User | None = None) -> list:
    """One item's documents `user` may see (without a user: the audience's)."""
    return item_documents(meeting, user).get(item.id, [])


def audience_documents(meeting: Meeting, item: AgendaItem) -> list[ItemDocument]:
    """The item's documents the meeting's whole audience sees (the live panel and the screen,
    rendered once for all their viewers)."""
    return documents_of(item, meeting)


def removed_of(item: AgendaItem, user: User) -> list[AgendaDocument]:
    """The item's removed documents, for the chair to restore (nobody else sees them)."""
    return list(
        db.session.scalars(
            select(AgendaDocument)
            .where(
                AgendaDocument.item_id == item.id,
                AgendaDocument.removed_at.is_not(None),
                visible(AgendaDocument, user),
            )
            .order_by(AgendaDocument.removed_at.desc())
        )
    )


def paper_choices(meeting: Meeting, user: User) -> list:
    """The papers the chair may attach: those they see in the meeting's room, and in other
    rooms whose papers everyone who sees the meeting may see (checked again on attaching)."""
    from consult.papers.models import Paper, PaperStatus
    from consult.rooms.models import Room

    candidates = db.session.scalars(
        select(Paper)
        .join(Room, Room.id == Paper.room_id)
        .where(visible(Paper, user), Paper.status != PaperStatus.DRAFTING)
        .order_by(Paper.room_id != meeting.room_id, Paper.title)
        .limit(500)
    ).all()
    return [p for p in candidates if audience_problem(meeting, p) is None]


def audience_problem(meeting: Meeting, paper) -> str | None:
    """Why the meeting's audience may not see this paper, or None when it may."""
    from consult.discussions.services import audience_within
    from consult.papers.models import PaperKind, PaperStatus
    from consult.rooms.models import Room

    if paper.status is PaperStatus.DRAFTING or paper.is_pending_contribution:
        return _("That paper is not issued to its room yet; it cannot be circulated.")
    if paper.kind is PaperKind.GROUP_STATEMENT:
        return _("A group's statement is delivered to an item by its group, not attached.")
    if paper.room_id != meeting.room_id:
        source = db.session.get(Room, paper.room_id)
        if not audience_within(meeting.room, source):
            return _(
                "Not everyone who sees this meeting may see that paper (it belongs to "
                "%(room)s); attach papers of this room, or of a room its audience sees.",
                room=source.title,
            )
    return None


# ---- the chair's documents ------------------------------------------------------------------


def _circulation(circulated_at: datetime | None, field: str) -> datetime:
    now = utcnow()
    if circulated_at is None:
        return now
    if circulated_at > now + timedelta(minutes=1):
        raise DocumentError(_("A circulation date cannot be in the future."), field)
    if circulated_at < now - timedelta(days=OLDEST_CIRCULATION_DAYS):
        raise DocumentError(_("A circulation date can be at most a year back."), field)
    return circulated_at


def _title(title: str, field: str) -> str:
    title = (title or "").strip()
    if not title:
        raise DocumentError(_("Give the document a title."), field)
    refuse_longer_than(title, TITLE_MAX, field, DocumentError)
    return title


def _checked(filename: str, data: bytes, field: str) -> tuple[str, bytes, str]:
    if not filename:
        raise DocumentError(_("Choose a file to upload."), field)
    return uploads.check_file(
        filename,
        data,
        DocumentError,
        field,
        types=uploads.DOCUMENT_TYPES,
        refusal=_("Upload a PDF, Word (.docx) or PowerPoint (.pptx) file."),
    )


def _meeting_of(item: AgendaItem) -> Meeting:
    return db.session.get(Meeting, item.meeting_id)


def _changed(meeting: Meeting) -> None:
    """The live panels and the screens show the current item's documents: send them again."""
    from consult.meetings import services

    services.changed(meeting)


def _audit(document: AgendaDocument, actor: User, action: str, said: str) -> None:
    item = db.session.get(AgendaItem, document.item_id)
    meeting = _meeting_of(item)
    audit.record(
        f"meeting.document_{action}",
        f"{meeting.title}, item {item.label}: {said} {document.title}",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
        item_id=item.id,
        document_id=document.id,
    )


def attach_paper(
    item: AgendaItem, actor: User, paper, circulated_at: datetime | None = None
) -> AgendaDocument:
    """The chair attaches a paper to an item; only one the meeting's audience may see."""
    meeting = _meeting_of(item)
    if paper is None or not can(Need.VIEW, paper, actor):
        raise DocumentError(_("Choose a paper from the list."), "paper")
    if (problem := audience_problem(meeting, paper)) is not None:
        raise DocumentError(problem, "paper")
    already = db.session.scalar(
        select(AgendaDocument.id).where(
            AgendaDocument.item_id == item.id,
            AgendaDocument.paper_id == paper.id,
            AgendaDocument.removed_at.is_(None),
        )
    )
    if already is not None:
        raise DocumentError(_("That paper is already a document of this item."), "paper")
    document = AgendaDocument(
        item_id=item.id,
        kind=DocumentKind.PAPER,
        title=paper.title[:TITLE_MAX],
        paper_id=paper.id,
        added_by_id=actor.id,
        circulated_at=_circulation(circulated_at, "paper_circulated_on"),
        is_published=True,
    )
    db.session.add(document)
    db.session.flush()
    _audit(document, actor, "attached", "paper attached:")
    _changed(meeting)
    return document


def attach_file(
    item: AgendaItem,
    actor: User,
    *,
    title: str,
    filename: str,
    data: bytes,
    circulated_at: datetime | None = None,
) -> AgendaDocument:
    """The chair attaches a file (PDF, Word, PowerPoint) to an item."""
    title = _title(title, "file_title")
    when = _circulation(circulated_at, "file_circulated_on")
    document = _file_document(
        item,
        actor,
        DocumentKind.FILE,
        title,
        _checked(filename, data, "upload"),
        circulated_at=when,
        is_published=True,
    )
    _audit(document, actor, "attached", "file attached:")
    _changed(_meeting_of(item))
    return document


def _file_document(
    item: AgendaItem,
    actor: User,
    kind: DocumentKind,
    title: str,
    checked: tuple[str, bytes, str],
    **fields,
) -> AgendaDocument:
    """A document held as a stored file (the chair's file, a delegation's statement): stored
    only once its type and size were checked (`checked` is what `_checked` returned)."""
    name, data, content_type = checked
    document = AgendaDocument(
        item_id=item.id,
        kind=kind,
        title=title,
        filename=name,
        content_type=content_type,
        size=len(data),
        stored_name=uploads.store(data),
        added_by_id=actor.id,
        **fields,
    )
    db.session.add(document)
    db.session.flush()
    return document


# ---- written statements ---------------------------------------------------------------------


def submit_statement(
    item: AgendaItem, actor: User, *, title: str, filename: str, data: bytes
) -> AgendaDocument:
    """A delegation submits its written statement on an item; the chair publishes it."""
    meeting = _meeting_of(item)
    if not can(Need.TAKE_PART, meeting, actor):
        raise DocumentError(
            _("Only delegations taking part may submit a statement."), "statement_file"
        )
    title = (title or "").strip() or _(
        "Written statement by %(delegation)s", delegation=actor.delegation.name
    )
    title = _title(title, "statement_title")
    document = _file_document(
        item,
        actor,
        DocumentKind.WRITTEN_STATEMENT,
        title,
        _checked(filename, data, "statement_file"),
        delegation_id=actor.delegation_id,
        circulated_at=None,
        is_published=False,
    )
    _audit(document, actor, "submitted", "written statement submitted:")
    return document


def publish(document: AgendaDocument, actor: User) -> None:
    """The chair publishes a written statement: circulated to the meeting now."""
    if document.kind is not DocumentKind.WRITTEN_STATEMENT:
        raise DocumentError(_("Only a written statement waits for publication."))
    if document.removed_at is not None:
        raise DocumentError(_("Restore the statement before publishing it."))
    if document.is_published:
        raise DocumentError(_("The statement is already published."))
    document.is_published = True
    document.published_by_id = actor.id
    document.circulated_at = utcnow()
    _audit(document, actor, "published", "written statement published:")
    _changed(_meeting_of(db.session.get(AgendaItem, document.item_id)))


# ---- removing and restoring -----------------------------------------------------------------


def remove(document: AgendaDocument, actor: User) -> None:
    """Take a document off its item; it is kept, and the chair may restore it."""
    if document.removed_at is not None:
        raise DocumentError(_("That document was already removed."))
    document.removed_at = utcnow()
    document.removed_by_id = actor.id
    _audit(document, actor, "removed", "removed")
    _changed(_meeting_of(db.session.get(AgendaItem, document.item_id)))


def restore(document: AgendaDocument, actor: User) -> None:
    """Put a removed document back on its item, as it was."""
    if document.removed_at is None:
        raise DocumentError(_("That document is not removed."))
    if document.paper_id is not None:
        twin = db.session.scalar(
            select(AgendaDocument.id).where(
                AgendaDocument.item_id == document.item_id,
                AgendaDocument.paper_id == document.paper_id,
                AgendaDocument.removed_at.is_(None),
            )
        )
        if twin is not None:
            raise DocumentError(_("That paper is already a document of this item again."))
    document.removed_at = None
    document.removed_by_id = None
    _audit(document, actor, "restored", "restored")
    _changed(_meeting_of(db.session.get(AgendaItem, document.item_id)))


def link_paper(item: AgendaItem, actor: User, paper, now: datetime | None = None) -> AgendaDocument:
    """Record a paper as a document of an item without the chair's checks: for a group's
    statement its group delivers (`consult.statements`), seen where the paper is."""
    document = AgendaDocument(
        item_id=item.id,
        kind=DocumentKind.PAPER,
        title=paper.title[:TITLE_MAX],
        paper_id=paper.id,
        added_by_id=actor.id,
        circulated_at=now or utcnow(),
        is_published=True,
    )
    db.session.add(document)
    db.session.flush()
    return document
