"""Circulating a draft decision in writing, responding to it, and recording the outcome.

The deadline is a moment in UTC, entered in the room's time zone to the second: a response
strictly before it is kept, one at or after it is refused. The outcome is written down once,
by whichever comes first after the deadline: the sweep (`consult close-procedures`, run by
`consult serve` every few seconds and by cron in production) or the first person who opens
the procedure. Services flush; the request (or the sweep) commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from consult import audit, dates
from consult.accounts.models import Delegation, DelegationStatus, User
from consult.errors import ServiceError, accepted_text
from consult.extensions import db
from consult.i18n import later
from consult.links import path_for
from consult.papers.models import Paper, PaperStatus, Revision
from consult.policy import Need, can, visible
from consult.procedures.models import (
    Answer,
    Outcome,
    ProcedureChange,
    ProcedureMode,
    ProcedureResponse,
    WrittenProcedure,
)
from consult.rooms.models import AccessLevel, Membership, Room, RoomRole
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit

MAX_TITLE = 300
MAX_TEXT = 50_000
MAX_NOTE = 5_000
MAX_REASON = 5_000
MAX_EXTENSION_REASON = 1_000


class ProcedureError(ServiceError):
    """What was asked of a written procedure cannot be done; shown next to its field."""


def _check_text(text: str | None, limit: int, field_name: str, empty: str | None = None) -> str:
    return accepted_text(text, limit, field_name, ProcedureError, empty)


# ---- who is addressed ----------------------------------------------------------------------


def addressed_delegations(room: Room) -> list[Delegation]:
    """The States Parties the procedure is put to: every active State Party that takes part in
    the room (all of them in an open or States room, the member delegations otherwise), not
    those that only observe it."""
    current = and_(Membership.room_id == room.id, Membership.ended_at.is_(None))
    observing = select(Membership.delegation_id).where(
        current, Membership.delegation_id.is_not(None), Membership.role == RoomRole.OBSERVER
    )
    state_parties = and_(
        Delegation.is_active.is_(True), Delegation.status == DelegationStatus.STATE_PARTY
    )
    if room.access in (AccessLevel.OPEN, AccessLevel.STATES):
        where = and_(state_parties, Delegation.id.not_in(observing))
    else:
        taking_part = (RoomRole.MEMBER, RoomRole.CHAIR, RoomRole.FACILITATOR)
        whole = select(Membership.delegation_id).where(
            current, Membership.delegation_id.is_not(None), Membership.role.in_(taking_part)
        )
        persons = select(User.delegation_id).where(
            User.is_active.is_(True),
            User.id.in_(
                select(Membership.user_id).where(current, Membership.role.in_(taking_part))
            ),
        )
        where = and_(state_parties, or_(Delegation.id.in_(whole), Delegation.id.in_(persons)))
    return list(db.session.scalars(select(Delegation).where(where).order_by(Delegation.name)))


def _people_of_room(room: Room, actor: User | None) -> list[int]:
    """The people told of the procedure: in an open or States room everyone it admits (the
    whole conference), otherwise the people of the member delegations and the named members;
    notify() then keeps only those who may see it."""
    where = [User.is_active.is_(True), User.id != (actor.id if actor else -1)]
    if room.access is AccessLevel.STATES:
        where.append(
            User.delegation_id.in_(
                select(Delegation.id).where(
                    Delegation.status.in_(
                        (DelegationStatus.STATE_PARTY, DelegationStatus.SIGNATORY)
                    )
                )
            )
        )
    elif room.access is not AccessLevel.OPEN:
        current = and_(Membership.room_id == room.id, Membership.ended_at.is_(None))
        where.append(
            or_(
                User.delegation_id.in_(select(Membership.delegation_id).where(current)),
                User.id.in_(select(Membership.user_id).where(current)),
            )
        )
    return list(db.session.scalars(select(User.id).where(*where)))


def _notify_room(
    procedure: WrittenProcedure, room: Room, actor: User | None, kind: str, text: str
) -> int:
    from consult.notifications import services as notifications

    told = notifications.notify(
        _people_of_room(room, actor),
        kind,
        text,
        path_for("procedures.procedure", procedure_id=procedure.id),
        subject=procedure,
    )
    return len(told)


def _changed(procedure: WrittenProcedure) -> None:
    """Bump the version and, after the commit, signal the open pages (no content: each page
    re-fetches its part over HTTP, through the policy)."""
    procedure.version += 1
    emit_after_commit(
        "procedure-changed",
        {"procedure": procedure.id, "version": procedure.version},
        to=f"procedure:{procedure.id}",
    )
    emit_after_commit(
        "procedures-changed", {"room": procedure.room_id}, to=f"room:{procedure.room_id}"
    )


def deadline_text(when: datetime, room: Room) -> str:
    """The deadline as the letter and the notifications say it: to the second (a response a
    second late is late), in the room's time zone, named."""
    return dates.zoned(when, "moment_seconds", zone=room.time_zone)


# ---- the chair: circulate, extend, withdraw -------------------------------------------------


def papers_to_circulate(room: Room, user: User) -> list[Paper]:
    """The room's papers this person sees that are out of drafting: the draft decisions one
    may circulate."""
    return list(
        db.session.scalars(
            select(Paper)
            .where(
                Paper.room_id == room.id,
                Paper.status != PaperStatus.DRAFTING,
                visible(Paper, user),
            )
            .order_by(Paper.title)
        )
    )


def _current_revision(paper: Paper) -> Revision | None:
    return db.session.scalars(
        select(Revision).where(Revision.paper_id == paper.id).order_by(Revision.number.desc())
    ).first()


def _check_deadline(closes_at: datetime | None, field_name: str = "closes_at") -> datetime:
    if closes_at is None:
        raise ProcedureError(_("Set the deadline for responses."), field_name)
    if closes_at <= utcnow():
        raise ProcedureError(_("The deadline must be in the future."), field_name)
    return closes_at


def circulate(
    room: Room,
    actor: User,
    *,
    title: str,
    text: str,
    paper_id: int | None,
    note: str,
    mode: ProcedureMode,
    quorum: int | None,
    closes_at: datetime | None,
) -> WrittenProcedure:
    """Put a draft decision to the room's States Parties until `closes_at`; they are told."""
    title = _check_text(title, MAX_TITLE, "title", _("Give the draft decision a title."))
    note = _check_text(note, MAX_NOTE, "note")
    text = _check_text(text, MAX_TEXT, "text")
    paper = revision = None
    if paper_id is not None:
        paper = db.session.get(Paper, paper_id)
        if (
            paper is None
            or paper.room_id != room.id
            or paper.status is PaperStatus.DRAFTING
            or not can(Need.VIEW, paper, actor)
        ):
            raise ProcedureError(_("Choose a paper of this room from the list."), "paper")
        revision = _current_revision(paper)
        if text:
            raise ProcedureError(
                _("Circulate either a paper of the room or a text, not both."), "text"
            )
    elif not text:
        raise ProcedureError(_("Write the draft decision, or choose a paper of the room."), "text")
    addressed = addressed_delegations(room)
    if not addressed:
        raise ProcedureError(
            _("No State Party takes part in this room: there is nobody to put the decision to."),
            "title",
        )
    if mode is ProcedureMode.APPROVAL:
        if quorum is None:
            quorum = len(addressed) // 2 + 1  # a majority of those addressed
        if not 1 <= quorum <= len(addressed):
            raise ProcedureError(
                _(
                    "Between 1 and %(n)s States Parties (those addressed) can be asked to approve.",
                    n=len(addressed),
                ),
                "quorum",
            )
    else:
        quorum = None
    procedure = WrittenProcedure(
        room_id=room.id,
        title=title,
        text=text,
        note=note,
        paper_id=paper.id if paper else None,
        revision_id=revision.id if revision else None,
        mode=mode,
        quorum=quorum,
        addressed_count=len(addressed),
        circulated_by_id=actor.id,
        closes_at=_check_deadline(closes_at),
    )
    db.session.add(procedure)
    db.session.flush()
    _notify_room(
        procedure,
        room,
        actor,
        "procedure.circulated",
        # Lazy, each sentence whole: worded in each recipient's language (consult.i18n).
        (
            _l(
                "%(room)s: “%(title)s” is circulated under the silence procedure; responses by "
                "%(when)s.",
                room=room.title,
                title=title,
                when=later(lambda: deadline_text(procedure.closes_at, room)),
            )
            if mode is ProcedureMode.SILENCE
            else _l(
                "%(room)s: “%(title)s” is circulated for explicit approval; responses by %(when)s.",
                room=room.title,
                title=title,
                when=later(lambda: deadline_text(procedure.closes_at, room)),
            )
        ),
    )
    audit.record(
        "procedure.circulated",
        f"{room.title}: {actor.name} circulated {title} ({mode.value}) to {len(addressed)} "
        f"States Parties, deadline {procedure.closes_at.isoformat()}",
        actor=actor,
        room_id=room.id,
        procedure_id=procedure.id,
    )
    _changed(procedure)
    return procedure


def _refuse_unless_open(procedure: WrittenProcedure, field_name: str | None) -> None:
    if procedure.outcome is Outcome.WITHDRAWN:
        raise ProcedureError(_("This draft decision was withdrawn."), field_name)
    if not procedure.is_open():
        raise ProcedureError(
            _(
                "The deadline passed at %(when)s: responses are no longer taken.",
                when=deadline_text(procedure.closes_at, _room_of(procedure)),
            ),
            field_name,
        )


def _room_of(procedure: WrittenProcedure) -> Room:
    return db.session.get(Room, procedure.room_id)


def extend(
    procedure: WrittenProcedure, actor: User, closes_at: datetime | None, reason: str
) -> None:
    """Move the deadline later, once, before it passes; everyone addressed is told."""
    _refuse_unless_open(procedure, "closes_at")
    if procedure.was_extended:
        raise ProcedureError(_("The deadline was already extended once."), "closes_at")
    closes_at = _check_deadline(closes_at)
    if closes_at <= procedure.closes_at:
        raise ProcedureError(_("The new deadline must be later than the current one."), "closes_at")
    reason = _check_text(
        reason, MAX_EXTENSION_REASON, "reason", _("Say why the deadline is extended.")
    )
    room = _room_of(procedure)
    procedure.first_closes_at = procedure.closes_at
    procedure.closes_at = closes_at
    procedure.extended_at = utcnow()
    procedure.extended_by_id = actor.id
    procedure.extension_reason = reason
    db.session.flush()
    _notify_room(
        procedure,
        room,
        actor,
        "procedure.extended",
        _l(
            "%(room)s: the deadline for “%(title)s” is extended to %(when)s.",
            room=room.title,
            title=procedure.title,
            when=later(lambda: deadline_text(closes_at, room)),
        ),
    )
    audit.record(
        "procedure.extended",
        f"{room.title}: {actor.name} extended {procedure.title} from "
        f"{procedure.first_closes_at.isoformat()} to {closes_at.isoformat()}: {reason}",
        actor=actor,
        room_id=room.id,
        procedure_id=procedure.id,
    )
    _changed(procedure)


def withdraw(procedure: WrittenProcedure, actor: User, reason: str) -> None:
    """Withdraw the draft decision before the deadline (after the chair confirmed); the
    responses are kept and the room is told."""
    _refuse_unless_open(procedure, "reason")
    reason = _check_text(
        reason, MAX_EXTENSION_REASON, "reason", _("Say why the draft decision is withdrawn.")
    )
    room = _room_of(procedure)
    procedure.outcome = Outcome.WITHDRAWN
    procedure.decided_at = utcnow()
    procedure.withdrawn_by_id = actor.id
    procedure.withdrawal_reason = reason
    db.session.flush()
    _notify_room(
        procedure,
        room,
        actor,
        "procedure.outcome",
        _l("%(room)s: “%(title)s” was withdrawn.", room=room.title, title=procedure.title),
    )
    audit.record(
        "procedure.withdrawn",
        f"{room.title}: {actor.name} withdrew {procedure.title}: {reason}",
        actor=actor,
        room_id=room.id,
        procedure_id=procedure.id,
    )
    _changed(procedure)


# ---- the delegations: respond and amend -----------------------------------------------------


def response_of(procedure: WrittenProcedure, delegation_id: int) -> ProcedureResponse | None:
    return db.session.scalars(
        select(ProcedureResponse)
        .where(
            ProcedureResponse.procedure_id == procedure.id,
            ProcedureResponse.delegation_id == delegation_id,
        )
        .options(joinedload(ProcedureResponse.responded_by))
    ).first()


def answers_for(user: User) -> tuple[Answer, ...]:
    """What this person may answer for their delegation."""
    if user.delegation.status is DelegationStatus.STATE_PARTY:
        return (Answer.NO_OBJECTION, Answer.OBJECTION)
    return (Answer.COMMENT,)


def _check_answer(procedure: WrittenProcedure, actor: User, answer: str | None, reason: str):
    if not can(Need.TAKE_PART, procedure, actor):
        _refuse_unless_open(procedure, "answer")
        raise ProcedureError(
            _("Your delegation does not take part in this room, so it cannot respond."),
            "answer",
        )
    try:
        chosen = Answer(answer or "")
    except ValueError:
        raise ProcedureError(_("Choose your delegation's response."), "answer") from None
    if chosen not in answers_for(actor):
        raise ProcedureError(
            _(
                "Only States Parties can object or say they do not object; "
                "your delegation can comment."
            ),
            "answer",
        )
    empty = {
        Answer.OBJECTION: _("Give the reason for the objection."),
        Answer.COMMENT: _("Write the comment."),
    }.get(chosen)
    return chosen, _check_text(reason, MAX_REASON, "reason", empty)


def respond(
    procedure: WrittenProcedure, actor: User, answer: str | None, reason: str
) -> ProcedureResponse:
    """The delegation's one response; a second is refused (amend the first instead)."""
    chosen, reason = _check_answer(procedure, actor, answer, reason)
    if response_of(procedure, actor.delegation_id) is not None:
        raise ProcedureError(
            _("Your delegation has already responded; you can amend its response."), "answer"
        )
    response = ProcedureResponse(
        procedure_id=procedure.id,
        delegation_id=actor.delegation_id,
        answer=chosen,
        reason=reason,
        responded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:  # a colleague's response landed first
        raise ProcedureError(
            _("Your delegation has already responded; you can amend its response."), "answer"
        ) from None
    _step(procedure, response, actor, "responded", None, "")
    return response


def amend(
    procedure: WrittenProcedure, actor: User, answer: str | None, reason: str
) -> ProcedureResponse:
    """Change the delegation's response before the deadline; the earlier one is kept."""
    chosen, reason = _check_answer(procedure, actor, answer, reason)
    response = response_of(procedure, actor.delegation_id)
    if response is None:
        raise ProcedureError(_("Your delegation has not responded yet."), "answer")
    if response.answer is chosen and response.reason == reason:
        raise ProcedureError(_("This is the response your delegation already gave."), "reason")
    before, before_reason = response.answer, response.reason
    response.answer = chosen
    response.reason = reason
    response.responded_by_id = actor.id
    response.amended_at = utcnow()
    db.session.flush()
    _step(procedure, response, actor, "amended", before, before_reason)
    return response


def _step(
    procedure: WrittenProcedure,
    response: ProcedureResponse,
    actor: User,
    action: str,
    before: Answer | None,
    before_reason: str,
) -> None:
    db.session.add(
        ProcedureChange(
            response_id=response.id,
            user_id=actor.id,
            action=action,
            answer=response.answer,
            reason=response.reason,
            previous_answer=before,
            previous_reason=before_reason,
        )
    )
    room = _room_of(procedure)
    audit.record(
        f"procedure.{action}",
        f"{room.title}: {actor.name} ({actor.delegation.name}) {action} to {procedure.title}: "
        f"{response.answer.value}" + (f" (was {before.value})" if before else ""),
        actor=actor,
        room_id=room.id,
        procedure_id=procedure.id,
    )
    _changed(procedure)


# ---- where it stands, and the outcome -------------------------------------------------------


@dataclass
class Tally:
    """Where the procedure stands: the responses by delegation, who objected, who approved,
    which addressed States Parties have not responded."""

    responses: list[ProcedureResponse] = field(default_factory=list)
    objections: list[ProcedureResponse] = field(default_factory=list)
    approvals: list[ProcedureResponse] = field(default_factory=list)
    comments: list[ProcedureResponse] = field(default_factory=list)
    silent: list[Delegation] = field(default_factory=list)

    @property
    def silence_broken(self) -> bool:
        return bool(self.objections)


def tally(procedure: WrittenProcedure) -> Tally:
    responses = list(
        db.session.scalars(
            select(ProcedureResponse)
            .where(ProcedureResponse.procedure_id == procedure.id)
            .options(joinedload(ProcedureResponse.delegation))
            .order_by(ProcedureResponse.responded_at, ProcedureResponse.id)
        )
    )
    result = Tally(responses=responses)
    for response in responses:
        {
            Answer.OBJECTION: result.objections,
            Answer.NO_OBJECTION: result.approvals,
            Answer.COMMENT: result.comments,
        }[response.answer].append(response)
    responded = {r.delegation_id for r in responses}
    result.silent = [d for d in addressed_delegations(_room_of(procedure)) if d.id not in responded]
    return result


def outcome_of(procedure: WrittenProcedure, counted: Tally) -> Outcome:
    """Silence: adopted unless a State Party objected. Explicit approval: adopted when none
    objected and at least the quorum approved."""
    if counted.objections:
        return Outcome.NOT_ADOPTED
    if procedure.mode is ProcedureMode.APPROVAL and len(counted.approvals) < (
        procedure.quorum or 1
    ):
        return Outcome.NOT_ADOPTED
    return Outcome.ADOPTED


def record_outcome(procedure: WrittenProcedure) -> Outcome | None:
    """Write down the outcome of a procedure past its deadline, once: the row is claimed by a
    conditional UPDATE, so the sweep and a reader (or two workers) never both record it; the
    room is told."""
    if not procedure.is_due():
        return None
    counted = tally(procedure)
    outcome, now = outcome_of(procedure, counted), utcnow()
    claimed = db.session.execute(
        sql_update(WrittenProcedure)
        .where(WrittenProcedure.id == procedure.id, WrittenProcedure.outcome.is_(None))
        .values(outcome=outcome, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.refresh(procedure)
        return None
    procedure.outcome, procedure.decided_at = outcome, now
    room = _room_of(procedure)
    _notify_room(
        procedure,
        room,
        None,
        "procedure.outcome",
        later(lambda: outcome_line(procedure, counted)),  # in each recipient's words
    )
    audit.record(
        "procedure.decided",
        f"{room.title}: {procedure.title}: {outcome.value}"
        + (
            " (objections: " + ", ".join(r.delegation.name for r in counted.objections) + ")"
            if counted.objections
            else ""
        ),
        actor_label="consult",
        room_id=room.id,
        procedure_id=procedure.id,
    )
    _changed(procedure)
    return outcome


def outcome_line(procedure: WrittenProcedure, counted: Tally) -> str:
    """The outcome in one sentence, as the notification, the page and the letter say it."""
    room = _room_of(procedure)
    if procedure.outcome is Outcome.WITHDRAWN:
        return _("%(room)s: “%(title)s” was withdrawn.", room=room.title, title=procedure.title)
    if counted.objections:
        return _(
            "%(room)s: silence on “%(title)s” was broken by %(who)s; the decision is not adopted.",
            room=room.title,
            title=procedure.title,
            who=", ".join(r.delegation.name for r in counted.objections),
        )
    if procedure.outcome is Outcome.NOT_ADOPTED:
        return _(
            "%(room)s: “%(title)s” is not adopted: %(n)s States Parties approved, %(quorum)s "
            "were needed.",
            room=room.title,
            title=procedure.title,
            n=len(counted.approvals),
            quorum=procedure.quorum,
        )
    if procedure.mode is ProcedureMode.APPROVAL:
        return _(
            "%(room)s: “%(title)s” is adopted, approved by %(n)s States Parties with no objection.",
            room=room.title,
            title=procedure.title,
            n=len(counted.approvals),
        )
    return _(
        "%(room)s: “%(title)s” is adopted by silence procedure.",
        room=room.title,
        title=procedure.title,
    )


def settle(procedure: WrittenProcedure) -> None:
    """On a read: if the deadline has passed and nobody wrote the outcome down yet, do it now
    (the sweep may not have run yet), committed at once so the page shows it."""
    from consult import transaction

    if not procedure.is_due():
        return
    if transaction.mode() != transaction.READ:  # a write request: its own commit carries it
        record_outcome(procedure)
        return
    with transaction.writing():
        record_outcome(procedure)
        transaction.commit()


def close_due(now: datetime | None = None) -> int:
    """The sweep: record the outcome of every procedure past its deadline. Returns how many."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(WrittenProcedure)
            .where(WrittenProcedure.outcome.is_(None), WrittenProcedure.closes_at <= now)
            .order_by(WrittenProcedure.closes_at)
        )
    )
    for procedure in due:
        record_outcome(procedure)
    return len(due)


# ---- lists and history ---------------------------------------------------------------------


def procedures_in(room: Room, user: User) -> list[WrittenProcedure]:
    return list(
        db.session.scalars(
            select(WrittenProcedure)
            .where(WrittenProcedure.room_id == room.id, visible(WrittenProcedure, user))
            .order_by(WrittenProcedure.circulated_at.desc())
        )
    )


def history(procedure: WrittenProcedure) -> list[tuple[ProcedureChange, Delegation]]:
    """Every response and amendment, oldest first, with the delegation it was for."""
    return list(
        db.session.execute(
            select(ProcedureChange, Delegation)
            .join(ProcedureResponse, ProcedureResponse.id == ProcedureChange.response_id)
            .join(Delegation, Delegation.id == ProcedureResponse.delegation_id)
            .where(ProcedureResponse.procedure_id == procedure.id)
            .options(joinedload(ProcedureChange.user))
            .order_by(ProcedureChange.at, ProcedureChange.id)
        ).all()
    )


def revision_of(procedure: WrittenProcedure) -> tuple[Paper | None, Revision | None]:
    paper = db.session.get(Paper, procedure.paper_id) if procedure.paper_id else None
    revision = db.session.get(Revision, procedure.revision_id) if procedure.revision_id else None
    return paper, revision


def reminder_deadlines(now: datetime, until: datetime):
    """Deadline reminders: each open procedure closing in (now, until], to the people of the
    addressed States Parties that have not responded yet."""
    from consult.notifications.reminders import Deadline, people_of

    due = db.session.scalars(
        select(WrittenProcedure).where(
            WrittenProcedure.outcome.is_(None),
            WrittenProcedure.closes_at > now,
            WrittenProcedure.closes_at <= until,
        )
    )
    for procedure in list(due):
        responded = select(ProcedureResponse.delegation_id).where(
            ProcedureResponse.procedure_id == procedure.id
        )
        addressed = [d.id for d in addressed_delegations(_room_of(procedure))]
        yield Deadline(
            procedure,
            procedure.closes_at,
            _("respond to the written procedure “%(title)s”", title=procedure.title),
            path_for("procedures.procedure", procedure_id=procedure.id),
            people_of(addressed, responded),
        )
