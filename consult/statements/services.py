"""Group statements: open a draft, ask the group to agree by a deadline, take positions,
record consensus, deliver (as a comment on a paper, or to an agenda item).

Finality needs no background job: `effective_status` is a pure function of the rows and now
(agreement asked, the deadline passed, no objection standing), and `refresh` writes it down on
the next write or page read. Services flush and audit; the view commits once.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, union

from consult import audit
from consult.accounts.models import Delegation, User
from consult.errors import ServiceError, refuse_longer_than
from consult.extensions import db
from consult.groups import services as groups
from consult.groups.models import Group
from consult.links import path_for
from consult.meetings import documents
from consult.meetings.models import AgendaItem
from consult.notifications.services import notify
from consult.papers import services as papers
from consult.papers.models import Comment, Paper, PaperKind, PaperStatus, Paragraph
from consult.policy import Need, can, parent_of
from consult.rooms.models import Membership, Room, RoomKind, RoomRole
from consult.statements.models import GroupStatement, Stance, StatementPosition, StatementStatus
from consult.timeutil import utcnow

MAX_REASON_LENGTH = 2_000
#: Where a group drafts its statements (a room the Secretariat gave a Group counts too).
STATEMENT_ROOM_KINDS = (RoomKind.REGIONAL_GROUP, RoomKind.SMALL_GROUP)
MAX_TITLE_LENGTH = 300


class StatementError(ServiceError):
    """A step of a statement that cannot be taken; the message is shown to the person."""


# ---- who the group is ------------------------------------------------------------------------


def group_of(statement: GroupStatement) -> Group | None:
    return db.session.get(Group, statement.group_id) if statement.group_id else None


def room_member_delegation_ids(room_id: int) -> Select:
    """The delegations taking part in a room now (as a whole or through one of their people)."""
    current = (
        Membership.room_id == room_id,
        Membership.ended_at.is_(None),
        Membership.role != RoomRole.OBSERVER,
    )
    whole = select(Membership.delegation_id).where(*current, Membership.delegation_id.is_not(None))
    people = (
        select(User.delegation_id)
        .join(Membership, Membership.user_id == User.id)
        .where(*current, User.is_active.is_(True))
    )
    return select(union(whole, people).subquery().c[0])


def member_delegation_ids(statement: GroupStatement) -> Select:
    """The group's member delegations (a small-group room without a Group: its members)."""
    group = group_of(statement)
    if group is not None:
        return groups.member_delegation_ids(group)
    return room_member_delegation_ids(statement.paper.room_id)


def member_delegations(statement: GroupStatement) -> list[Delegation]:
    return list(
        db.session.scalars(
            select(Delegation)
            .where(Delegation.id.in_(member_delegation_ids(statement)))
            .order_by(Delegation.name)
        )
    )


def is_member_delegation(statement: GroupStatement, delegation_id: int | None) -> bool:
    if delegation_id is None:
        return False
    return delegation_id in db.session.scalars(member_delegation_ids(statement)).all()


def speaks_for(statement: GroupStatement) -> str:
    """As printed after "on behalf of": "the African Group" (or the small group's room)."""
    group = group_of(statement)
    name = group.name if group is not None else statement.paper.room.title
    return name if name.lower().startswith("the ") else _("the %(name)s", name=name)


def statement_of(paper: Paper) -> GroupStatement | None:
    return db.session.scalar(select(GroupStatement).where(GroupStatement.paper_id == paper.id))


# ---- positions and finality ------------------------------------------------------------------


def history(statement: GroupStatement) -> list[StatementPosition]:
    """Every position taken, oldest first (the record of changes of position)."""
    return list(
        db.session.scalars(
            select(StatementPosition)
            .where(StatementPosition.statement_id == statement.id)
            .order_by(StatementPosition.created_at, StatementPosition.id)
        )
    )


def _counting(statement: GroupStatement, rows) -> dict[int, StatementPosition]:
    """The latest position per delegation among `rows` (oldest first), in the current round
    (since agreement was last asked; nothing counts while the statement is being drafted)."""
    if statement.asked_at is None or statement.status is StatementStatus.DRAFTING:
        return {}
    latest: dict[int, StatementPosition] = {}
    for row in rows:
        if row.created_at >= statement.asked_at:
            latest[row.delegation_id] = row
    return latest


def latest_positions(statement: GroupStatement) -> dict[int, StatementPosition]:
    """The position that counts, per delegation: its latest in the current round."""
    return _counting(statement, history(statement))


def latest_positions_of(
    statements: list[GroupStatement],
) -> dict[int, dict[int, StatementPosition]]:
    """`latest_positions` for many statements in one query (lists, the dashboard)."""
    rows: dict[int, list[StatementPosition]] = {s.id: [] for s in statements}
    if rows:
        for row in db.session.scalars(
            select(StatementPosition)
            .where(StatementPosition.statement_id.in_(list(rows)))
            .order_by(StatementPosition.created_at, StatementPosition.id)
        ):
            rows[row.statement_id].append(row)
    return {s.id: _counting(s, rows[s.id]) for s in statements}


def standing_objections(
    statement: GroupStatement, latest: dict[int, StatementPosition] | None = None
) -> list[StatementPosition]:
    latest = latest_positions(statement) if latest is None else latest
    return [p for p in latest.values() if p.position is Stance.OBJECT]


def effective_status(
    statement: GroupStatement,
    now: datetime | None = None,
    latest: dict[int, StatementPosition] | None = None,
) -> StatementStatus:
    """The status the rows and the clock say: past the deadline without a standing objection,
    a statement whose agreement was asked is final, whether or not anyone wrote it down yet."""
    now = now or utcnow()
    if (
        statement.status is StatementStatus.CONSULTING
        and statement.deadline is not None
        and now >= statement.deadline
        and not standing_objections(statement, latest)
    ):
        return StatementStatus.FINAL
    return statement.status


def _finalise(statement: GroupStatement, when: datetime) -> None:
    statement.status = StatementStatus.FINAL
    statement.finalised_at = when
    paper = statement.paper
    paper.status = PaperStatus.ADOPTED  # the agreed text is fixed: no revision, no comment
    paper.version += 1


def refresh(statement: GroupStatement, now: datetime | None = None) -> bool:
    """Write down a finality the deadline brought; True when something changed."""
    if effective_status(statement, now) is StatementStatus.FINAL and (
        statement.status is StatementStatus.CONSULTING
    ):
        _finalise(statement, statement.deadline)
        audit.record(
            "statement.final",
            f"{statement.paper.title}: final, the deadline passed without objection",
            room_id=statement.paper.room_id,
            paper_id=statement.paper_id,
        )
        db.session.flush()
        return True
    return False


def signal_changed(statement: GroupStatement) -> None:
    """Viewers of the statement's paper re-fetch (a content-free signal, as papers send)."""
    papers.signal_changed(statement.paper, "status")


# ---- the coordinator's steps -----------------------------------------------------------------


def drafts_statements(room: Room) -> bool:
    """Whether a room is a group's room, where statements are drafted."""
    return room.kind in STATEMENT_ROOM_KINDS or groups.group_of_room(room.id) is not None


def open_statement(room: Room, actor: User, *, title: str, source: str) -> GroupStatement:
    """Open a draft in a group's room: a GROUP_STATEMENT paper that members revise together."""
    if not drafts_statements(room):
        raise StatementError(
            _("Group statements are drafted in a regional-group or small-group room."), "title"
        )
    title = (title or "").strip()
    if not title:
        raise StatementError(_("Give the statement a title."), "title")
    refuse_longer_than(title, MAX_TITLE_LENGTH, "title", StatementError)
    group = groups.group_of_room(room.id)
    try:
        paper = papers.create_paper(
            room,
            actor,
            title=title,
            kind=PaperKind.GROUP_STATEMENT,
            issued_by=_("Coordinator, %(group)s", group=group.name if group else room.title),
            source=source,
            # Drafted together by the group's members from the start (not a chair's draft).
            status=PaperStatus.OPEN,
        )
    except papers.PaperError as error:
        raise StatementError(error.message, "source") from None
    statement = GroupStatement(
        paper_id=paper.id, group_id=group.id if group else None, created_by_id=actor.id
    )
    db.session.add(statement)
    db.session.flush()
    audit.record(
        "statement.opened",
        f"{room.title}: {actor.name} opened the statement {title}",
        actor=actor,
        room_id=room.id,
        paper_id=paper.id,
    )
    return statement


def ask_agreement(
    statement: GroupStatement, actor: User, deadline: datetime | None, now: datetime | None = None
) -> list[int]:
    """Ask every member delegation to agree by `deadline`; the text is fixed meanwhile."""
    now = now or utcnow()
    if statement.status is not StatementStatus.DRAFTING:
        raise StatementError(
            _("Agreement was already asked (%(status)s).", status=statement.status.label),
            "deadline",
        )
    if deadline is None:
        raise StatementError(_("Give the deadline for agreement."), "deadline")
    if deadline <= now:
        raise StatementError(_("The deadline must be in the future."), "deadline")
    statement.status = StatementStatus.CONSULTING
    statement.deadline = deadline
    statement.asked_at = now
    paper = statement.paper
    paper.status = PaperStatus.CLOSED  # what the group agrees to must not move under it
    signal_changed(statement)
    audit.record(
        "statement.agreement_asked",
        f"{paper.title}: agreement asked by {deadline.isoformat()}",
        actor=actor,
        room_id=paper.room_id,
        paper_id=paper.id,
    )
    people = db.session.scalars(
        select(User.id).where(
            User.delegation_id.in_(member_delegation_ids(statement)),
            User.is_active.is_(True),
            User.id != actor.id,
        )
    )
    notified = notify(
        people,
        "statement.agreement_asked",
        _l(
            "Statement of %(group)s to agree: %(title)s",
            group=speaks_for(statement),
            title=paper.title,
        ),
        path_for("statements.statement", statement_id=statement.id),
        subject=paper,  # only those who may see the statement's paper hear of it
    )
    db.session.flush()
    return notified


def take_position(
    statement: GroupStatement,
    user: User,
    position: Stance,
    reason: str | None = None,
    now: datetime | None = None,
) -> StatementPosition:
    """A member delegation agrees, objects (with its reason) or withdraws its objection."""
    now = now or utcnow()
    refresh(statement, now)
    if statement.status is not StatementStatus.CONSULTING:
        raise StatementError(
            _("The group is not being asked to agree (%(status)s).", status=statement.status.label),
            "position",
        )
    if now >= statement.deadline:
        raise StatementError(_("The deadline for agreement has passed."), "position")
    if not is_member_delegation(statement, user.delegation_id):
        raise StatementError(_("Your delegation is not a member of this group."), "position")
    latest = latest_positions(statement).get(user.delegation_id)
    current = latest.position if latest else None
    reason = (reason or "").strip() or None
    if position is Stance.AGREE and current is Stance.AGREE:
        raise StatementError(_("Your delegation has already agreed."), "position")
    if position is Stance.OBJECT:
        if current is Stance.OBJECT:
            raise StatementError(_("Your delegation already objects."), "position")
        if not reason:
            raise StatementError(_("Say why your delegation objects."), "reason")
        refuse_longer_than(reason, MAX_REASON_LENGTH, "reason", StatementError)
    if position is Stance.WITHDRAWN:
        if current is not Stance.OBJECT:
            raise StatementError(_("Your delegation has no objection to withdraw."), "position")
        reason = None
    if position is Stance.AGREE:
        reason = None
    row = StatementPosition(
        statement_id=statement.id,
        delegation_id=user.delegation_id,
        position=position,
        reason=reason,
        user_id=user.id,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    signal_changed(statement)
    audit.record(
        "statement.position",
        f"{statement.paper.title}: {user.delegation.name} {position.value}",
        actor=user,
        room_id=statement.paper.room_id,
        paper_id=statement.paper_id,
    )
    return row


def record_consensus(statement: GroupStatement, actor: User, now: datetime | None = None) -> None:
    """The coordinator records the group's consensus: the statement is final."""
    now = now or utcnow()
    refresh(statement, now)
    if statement.status is not StatementStatus.CONSULTING:
        raise StatementError(
            _(
                "Consensus is recorded while the group is asked to agree (now: %(status)s).",
                status=statement.status.label,
            ),
            "confirm",
        )
    objections = standing_objections(statement)
    if objections:
        names = ", ".join(sorted(p.delegation.name for p in objections))
        raise StatementError(
            _(
                "%(names)s objects; consensus cannot be recorded while an objection stands.",
                names=names,
            ),
            "confirm",
        )
    statement.consensus_recorded_by_id = actor.id
    statement.consensus_recorded_at = now
    _finalise(statement, now)
    signal_changed(statement)
    audit.record(
        "statement.consensus",
        f"{statement.paper.title}: consensus recorded by {actor.name}",
        actor=actor,
        room_id=statement.paper.room_id,
        paper_id=statement.paper_id,
    )


def reopen_drafting(statement: GroupStatement, actor: User, now: datetime | None = None) -> None:
    """Take the statement back to drafting (the way back from asking agreement): members
    revise again, and the positions taken so far stay in the history but no longer count."""
    now = now or utcnow()
    refresh(statement, now)
    if statement.status is not StatementStatus.CONSULTING:
        raise StatementError(
            _(
                "Only a statement the group is asked to agree to goes back to drafting "
                "(now: %(status)s).",
                status=statement.status.label,
            ),
            "reopen",
        )
    statement.status = StatementStatus.DRAFTING
    statement.deadline = None
    statement.paper.status = PaperStatus.OPEN
    signal_changed(statement)
    audit.record(
        "statement.reopened",
        f"{statement.paper.title}: back to drafting",
        actor=actor,
        room_id=statement.paper.room_id,
        paper_id=statement.paper_id,
    )


# ---- delivery --------------------------------------------------------------------------------


def final_text(statement: GroupStatement) -> tuple[str, list[Paragraph]]:
    paragraphs = papers.paragraphs_of(papers.current_revision(statement.paper))
    return "\n\n".join(p.text for p in paragraphs), paragraphs


def _audience(room_id: int) -> list[User]:
    """The people who take part in the group's room now (its audience)."""
    return list(
        db.session.scalars(
            select(User).where(
                User.is_active.is_(True),
                (User.delegation_id.in_(room_member_delegation_ids(room_id)))
                | User.id.in_(
                    select(Membership.user_id).where(
                        Membership.room_id == room_id, Membership.ended_at.is_(None)
                    )
                ),
            )
        )
    )


def _check_deliverable(statement: GroupStatement, now: datetime, field: str) -> None:
    refresh(statement, now)
    if statement.status is StatementStatus.DELIVERED:
        raise StatementError(_("The statement has already been delivered."), field)
    if statement.status is not StatementStatus.FINAL:
        raise StatementError(
            _(
                "Only a final statement can be delivered (now: %(status)s).",
                status=statement.status.label,
            ),
            field,
        )


def _audience_sees(statement: GroupStatement, target, field: str) -> None:
    blind = [u for u in _audience(statement.paper.room_id) if not can(Need.VIEW, target, u)]
    if blind:
        raise StatementError(
            _("Not every member of the group's room may see it; deliver where the group can."),
            field,
        )


def deliver_as_comment(
    statement: GroupStatement,
    actor: User,
    target: Paper | None,
    number: int | None,
    now: datetime | None = None,
) -> Comment:
    """Post the final text as a comment on ¶`number` of `target`, on behalf of the group,
    confirmed by the group at once (its members agreed to exactly this text)."""
    now = now or utcnow()
    _check_deliverable(statement, now, "paper")
    if target is None or not can(Need.VIEW, target, actor):
        raise StatementError(_("Choose a paper from the list."), "paper")
    if target.id == statement.paper_id or target.kind is PaperKind.GROUP_STATEMENT:
        raise StatementError(_("Deliver the statement to a paper under consultation."), "paper")
    if not can(Need.TAKE_PART, target, actor):
        raise StatementError(_("You cannot comment on that paper."), "paper")
    closed = papers.comments_closed_reason(target, now)
    if closed:
        raise StatementError(closed, "paper")
    _audience_sees(statement, target, "paper")
    paragraph = next(
        (
            p
            for p in papers.paragraphs_of(papers.current_revision(target))
            if p.number is not None and p.number == number
        ),
        None,
    )
    if paragraph is None:
        raise StatementError(
            _("Choose a numbered paragraph of the paper's current text."), "paragraph"
        )
    text, _paragraphs = final_text(statement)
    link = path_for("statements.statement", statement_id=statement.id)
    body = text + "\n\n" + _("[The statement in the group's room](%(link)s)", link=link)
    if len(body) > papers.MAX_COMMENT_LENGTH:
        raise StatementError(
            _(
                "The statement is %(n)d characters long; a comment holds at most %(max)d.",
                n=len(body),
                max=papers.MAX_COMMENT_LENGTH,
            ),
            "paper",
        )
    group = group_of(statement)
    comment = Comment(
        paper_id=target.id,
        paragraph_key=paragraph.key,
        made_on_id=paragraph.id,
        depth=0,
        author_id=actor.id,
        delegation_id=actor.delegation_id,
        on_behalf_of=speaks_for(statement),
        on_behalf_group_id=group.id if group else None,
        group_confirmed_at=now if group else None,
        group_confirmed_by_id=actor.id if group else None,
        body=body,
    )
    db.session.add(comment)
    db.session.flush()
    papers.signal_changed(target, "comment", paragraph.key)
    _delivered(statement, actor, now)
    statement.target_paper_id = target.id
    statement.delivered_comment_id = comment.id
    audit.record(
        "statement.delivered",
        f"{statement.paper.title}: delivered as a comment on {target.title} ¶{number}",
        actor=actor,
        room_id=statement.paper.room_id,
        paper_id=statement.paper_id,
    )
    return comment


def deliver_to_item(
    statement: GroupStatement, actor: User, item: AgendaItem | None, now: datetime | None = None
) -> None:
    """Attach the final statement to an agenda item as a written statement."""
    now = now or utcnow()
    _check_deliverable(statement, now, "item")
    if item is None or not can(Need.VIEW, item, actor):
        raise StatementError(_("Choose an agenda item from the list."), "item")
    _audience_sees(statement, item, "item")
    documents.link_paper(item, actor, statement.paper, now)
    _delivered(statement, actor, now)
    statement.agenda_item_id = item.id
    meeting = parent_of(item)
    audit.record(
        "statement.delivered",
        f"{statement.paper.title}: attached to {meeting.title}, item {item.label}",
        actor=actor,
        room_id=statement.paper.room_id,
        paper_id=statement.paper_id,
    )


def _delivered(statement: GroupStatement, actor: User, now: datetime) -> None:
    statement.status = StatementStatus.DELIVERED
    statement.delivered_at = now
    statement.delivered_by_id = actor.id
    signal_changed(statement)


def check_exportable(statement: GroupStatement, now: datetime | None = None) -> None:
    if effective_status(statement, now) not in (StatementStatus.FINAL, StatementStatus.DELIVERED):
        raise StatementError(_("Only a final statement is exported as the group's statement."))


# ---- lists -----------------------------------------------------------------------------------


def statements_in_room(room: Room, user: User) -> list[GroupStatement]:
    from consult.policy import visible

    return list(
        db.session.scalars(
            select(GroupStatement)
            .join(Paper, Paper.id == GroupStatement.paper_id)
            .where(Paper.room_id == room.id, visible(GroupStatement, user))
            .order_by(GroupStatement.created_at.desc())
        )
    )


def reminder_deadlines(now: datetime, until: datetime):
    """Deadline reminders: each statement whose agreement is asked by a deadline in
    (now, until], to the people of the member delegations that have not taken a position."""
    from consult.notifications.reminders import Deadline, people_of

    due = db.session.scalars(
        select(GroupStatement).where(
            GroupStatement.status == StatementStatus.CONSULTING,
            GroupStatement.deadline.is_not(None),
            GroupStatement.deadline > now,
            GroupStatement.deadline <= until,
        )
    )
    for statement in list(due):
        answered = set(latest_positions(statement))
        waiting_ids = [d.id for d in member_delegations(statement) if d.id not in answered]
        yield Deadline(
            statement,
            statement.deadline,
            _("agree to the statement “%(title)s”", title=statement.paper.title),
            path_for("statements.statement", statement_id=statement.id),
            people_of(waiting_ids),
        )
