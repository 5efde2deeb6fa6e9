"""National contributions: a delegation's working paper or presentation of national experience,
submitted to a room it takes part in and accepted (or returned with a reason) by the room's
chair.

A contribution is a `Paper` from the start (Rev.0 on submission), kept in drafting and seen
only by its delegation, its invited co-sponsors and the room's managers until the chair
accepts it (`consult.papers.policy`). Accepted, it is a paper of the room like any other, open
for comments, and always attributed to its delegation, even in a Chatham House room: the rule
covers the comments on it, never the paper itself. Services flush, audit and notify; the view
commits once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult import audit
from consult.accounts.models import Delegation, DelegationStatus, User
from consult.errors import refuse_longer_than
from consult.extensions import db
from consult.links import path_for
from consult.notifications.services import notify
from consult.papers.models import (
    LANGUAGES,
    PENDING_CONTRIBUTION,
    ContributionStatus,
    Paper,
    PaperCosponsor,
    PaperKind,
    PaperStatus,
)
from consult.papers.services import (
    PaperError,
    _add_revision,
    _check_source,
    current_revision,
    paragraphs_of,
    signal_changed,
)
from consult.policy import Need, can, visible
from consult.rooms.models import Room, RoomKind
from consult.rooms.policy import chaired_room_ids
from consult.rooms.services import manager_ids, note_activity
from consult.taxonomy.forms import apply as apply_tags
from consult.taxonomy.forms import chosen as chosen_tags
from consult.timeutil import utcnow
from consult.waiting import Waiting

CONTRIBUTION_KINDS = (PaperKind.NATIONAL_PAPER, PaperKind.NATIONAL_EXPERIENCE)
MAX_TITLE = 300
MAX_REASON = 1000
MAX_COSPONSORS = 50
MAX_NOTE = 500
MAX_SYMBOL = 120

#: ATT/CSP<n>[.<body>]/<year>/<DELEGATION CODE>/<number>, optionally followed by a tag.
SYMBOL_RE = re.compile(
    r"^ATT/CSP(?P<n>[1-9][0-9]{0,2})(?:\.(?P<body>[A-Z][A-Z0-9]*(?:\.[A-Z0-9]+)*))?"
    r"/(?P<year>20[0-9]{2})/(?P<code>[A-Z0-9]{2,12})/(?P<number>[1-9][0-9]{0,5})"
    r"(?:/(?P<tag>[A-Za-z0-9][A-Za-z0-9.\-]{0,40}))?$"
)


# ---- reading ---------------------------------------------------------------------------------


def delegation_code(delegation: Delegation) -> str:
    """The delegation's part of a national symbol: its short name (the ISO code), upper case."""
    return re.sub(r"[^A-Z0-9]", "", delegation.short_name.upper())[:12]


def _body_of(room: Room) -> str | None:
    """The body a symbol names: the working group (a sub-working group's parent), else none."""
    if room.kind is RoomKind.SUB_WORKING_GROUP and room.parent_id is not None:
        room = db.session.get(Room, room.parent_id) or room
    if room.kind in (RoomKind.WORKING_GROUP, RoomKind.SUB_WORKING_GROUP):
        body = re.sub(r"[^A-Z0-9]", "", room.slug.upper())
        return body or None
    return None


def suggested_symbol(paper: Paper, now: datetime | None = None) -> str:
    """The pattern the Secretariat assigns, pre-filled: the CSP cycle of the configuration
    (`CONSULT_CSP_NUMBER`), the room's working group, this year, the delegation's code and the
    next number free under that prefix."""
    delegation = db.session.get(Delegation, paper.submitted_by_delegation_id)
    now = now or utcnow()
    body = _body_of(paper.room)
    prefix = "ATT/CSP{n}{body}/{year}/{code}/".format(
        n=current_app.config.get("CSP_NUMBER", 12),
        body=f".{body}" if body else "",
        year=now.year,
        code=delegation_code(delegation),
    )
    taken = db.session.scalars(select(Paper.symbol).where(Paper.symbol.startswith(prefix)))
    numbers = [int(m.group("number")) for s in taken if s and (m := SYMBOL_RE.match(s))]
    return f"{prefix}{max(numbers, default=0) + 1}"


def check_symbol(paper: Paper, symbol: str) -> str:
    """The symbol, or a refusal next to its field: it follows the pattern, names the
    submitting delegation and no other paper has it."""
    symbol = (symbol or "").strip()
    if not symbol:
        raise PaperError(_("Give the paper its document symbol."), "symbol")
    refuse_longer_than(symbol, MAX_SYMBOL, "symbol", PaperError)
    match = SYMBOL_RE.match(symbol)
    if match is None:
        raise PaperError(
            _(
                "A national paper's symbol has the form ATT/CSP<n>[.<body>]/<year>/"
                "<delegation>/<number>, e.g. %(example)s.",
                example=suggested_symbol(paper),
            ),
            "symbol",
        )
    code = delegation_code(db.session.get(Delegation, paper.submitted_by_delegation_id))
    if match.group("code") != code:
        raise PaperError(
            _("The symbol must name the submitting delegation (%(code)s).", code=code), "symbol"
        )
    taken = db.session.scalar(select(Paper.id).where(Paper.symbol == symbol, Paper.id != paper.id))
    if taken:
        raise PaperError(
            _("Another paper already has the symbol %(symbol)s.", symbol=symbol), "symbol"
        )
    return symbol


def contributions_in_room(room: Room, user: User) -> list[Paper]:
    """The contributions not (yet) accepted that this person may see in the room (the room
    page's section): three queries whatever their number (papers, delegations, co-sponsors)."""
    return list(
        db.session.scalars(
            select(Paper)
            .where(
                Paper.room_id == room.id,
                Paper.contribution_status.in_(PENDING_CONTRIBUTION),
                visible(Paper, user),
            )
            .options(
                selectinload(Paper.submitted_by),
                selectinload(Paper.cosponsors).selectinload(PaperCosponsor.delegation),
            )
            .order_by(Paper.submitted_at.desc())
        )
    )


def load_details(paper: Paper) -> None:
    """Load what a paper's page shows of its contribution (delegation, articles, co-sponsors)."""
    if paper.submitted_by_delegation_id is None:
        return
    db.session.scalars(
        select(Paper)
        .where(Paper.id == paper.id)
        .options(
            selectinload(Paper.submitted_by),
            selectinload(Paper.articles),
            selectinload(Paper.cosponsors).selectinload(PaperCosponsor.delegation),
        )
        .execution_options(populate_existing=True)
    ).one()


def confirmed_cosponsors(paper: Paper) -> list[Delegation]:
    """Co-sponsors that confirmed (the paper's `cosponsors` must be loaded)."""
    return [c.delegation for c in paper.cosponsors if c.confirmed_at is not None]


def attribution(paper: Paper) -> str:
    """ "Submitted by Nigeria, co-sponsored by Ghana and Mexico": shown wherever the paper is,
    Chatham House or not (the delegation and the confirmed co-sponsors must be loaded)."""
    if paper.submitted_by_delegation_id is None:
        return ""
    names = [d.name for d in confirmed_cosponsors(paper)]
    if not names:
        return _("Submitted by %(delegation)s", delegation=paper.submitted_by.name)
    return _(
        "Submitted by %(delegation)s, co-sponsored by %(cosponsors)s",
        delegation=paper.submitted_by.name,
        cosponsors=", ".join(names),
    )


def cosponsor_choices(room: Room, submitter: Delegation) -> list[Delegation]:
    """The State delegations that could co-sponsor (any active State but the submitter)."""
    return list(
        db.session.scalars(
            select(Delegation)
            .where(
                Delegation.is_active.is_(True),
                Delegation.id != submitter.id,
                Delegation.status.in_(
                    (
                        DelegationStatus.STATE_PARTY,
                        DelegationStatus.SIGNATORY,
                        DelegationStatus.OBSERVER_STATE,
                    )
                ),
            )
            .order_by(Delegation.name)
        )
    )


# ---- checks ----------------------------------------------------------------------------------


def check_submitter(room: Room, user: User) -> None:
    status = user.delegation.status
    if not status.takes_part_as_state:
        raise PaperError(
            _(
                "Only a State Party or signatory State submits a national contribution; "
                "%(status)s delegations comment on the room's papers.",
                status=status.label,
            ),
            "title",
        )
    if not can(Need.TAKE_PART, room, user):
        raise PaperError(
            _("Your delegation does not take part in %(room)s.", room=room.title), "title"
        )


def check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise PaperError(_("Give the contribution a title."), "title")
    refuse_longer_than(title, MAX_TITLE, "title", PaperError)
    return title


def _check_source_field(source: str) -> list:
    if not (source or "").strip():
        raise PaperError(_("Paste the text or upload a .docx document."), "source")
    try:
        return _check_source(source)
    except PaperError as error:
        raise PaperError(error.message, "source") from None


def check_cosponsors(ids: Iterable[int], submitter: Delegation) -> list[Delegation]:
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_COSPONSORS:
        raise PaperError(_("At most %(n)d co-sponsors.", n=MAX_COSPONSORS), "cosponsors")
    found = {
        d.id: d for d in db.session.scalars(select(Delegation).where(Delegation.id.in_(wanted)))
    }
    chosen = []
    for ident in wanted:
        delegation = found.get(ident)
        if delegation is None or not delegation.is_active:
            raise PaperError(_("Choose co-sponsors from the list of delegations."), "cosponsors")
        if delegation.id == submitter.id:
            raise PaperError(
                _("Your own delegation submits the paper; it cannot co-sponsor it too."),
                "cosponsors",
            )
        if not delegation.status.is_state:
            raise PaperError(
                _(
                    "%(delegation)s is not a State delegation; only States co-sponsor a "
                    "national paper.",
                    delegation=delegation.name,
                ),
                "cosponsors",
            )
        chosen.append(delegation)
    return chosen


# ---- submitting ------------------------------------------------------------------------------


def submit_contribution(
    room: Room,
    user: User,
    *,
    title: str,
    source: str,
    kind: PaperKind = PaperKind.NATIONAL_PAPER,
    stages: Iterable[int | str] = (),
    activities: Iterable[int | str] = (),
    articles: Iterable[int | str] = (),
    cosponsor_ids: Iterable[int] = (),
    origin: str = "pasted",
    original_language: str = "en",
) -> Paper:
    """Submit a national contribution for the room's chair to accept: the paper and its Rev.0,
    attributed to the person's delegation, in drafting until accepted. Any flow that ends in a
    national paper (a delegation's own drafting, for one) submits through this function."""
    check_submitter(room, user)
    if kind not in CONTRIBUTION_KINDS:
        raise PaperError(_("Choose a national working paper or a national experience."), "kind")
    if original_language not in LANGUAGES:
        raise PaperError(_("Choose the language it was written in."), "original_language")
    title = check_title(title)
    blocks = _check_source_field(source)
    tags = chosen_tags(list(stages), list(activities), list(articles))
    cosponsors = check_cosponsors(cosponsor_ids, user.delegation)
    now = utcnow()
    paper = Paper(
        room_id=room.id,
        title=title,
        kind=kind,
        issued_by=user.delegation.name,
        original_language=original_language,
        status=PaperStatus.DRAFTING,
        is_chatham_house=False,
        created_by_id=user.id,
        submitted_by_delegation_id=user.delegation_id,
        contribution_status=ContributionStatus.SUBMITTED,
        submitted_at=now,
    )
    db.session.add(paper)
    db.session.flush()
    _add_revision(paper, 0, source, blocks, user, origin, "", [])
    apply_tags(paper, tags)
    invited = _invite(paper, user, cosponsors)
    audit.record(
        "paper.contribution_submitted",
        f"{room.title}: {user.delegation.name} submitted {title}",
        actor=user,
        room_id=room.id,
        paper_id=paper.id,
        articles=tags.articles,
        terms=[t.id for t in [*tags.stages, *tags.activities]],
        cosponsors=[d.id for d in invited],
    )
    _tell_chairs(paper, user, resubmitted=False)
    return paper


def _invite(paper: Paper, user: User, cosponsors: list[Delegation]) -> list[Delegation]:
    """Invite these delegations (those not yet invited); open invitations of delegations no
    longer chosen are taken back, answered ones stay. Returns the newly invited."""
    existing = {
        c.delegation_id: c
        for c in db.session.scalars(
            select(PaperCosponsor).where(PaperCosponsor.paper_id == paper.id)
        )
    }
    wanted = {d.id for d in cosponsors}
    for delegation_id, row in existing.items():
        if delegation_id not in wanted and row.is_open:
            db.session.delete(row)
    new = [d for d in cosponsors if d.id not in existing]
    db.session.add_all(PaperCosponsor(paper_id=paper.id, delegation_id=d.id) for d in new)
    db.session.flush()
    if new:
        people = db.session.scalars(
            select(User.id).where(
                User.delegation_id.in_([d.id for d in new]), User.is_active.is_(True)
            )
        )
        notify(
            people,
            "paper.cosponsor_invited",
            _l(
                "%(delegation)s invites your delegation to co-sponsor %(title)s",
                delegation=user.delegation.name,
                title=paper.title,
            ),
            path_for("papers.paper", paper_id=paper.id),
            subject=paper,
        )
    return new


def _tell_chairs(paper: Paper, user: User, *, resubmitted: bool) -> None:
    text = (
        _l(
            "%(delegation)s resubmitted %(title)s",
            delegation=user.delegation.name,
            title=paper.title,
        )
        if resubmitted
        else _l(
            "%(delegation)s submitted %(title)s for the room",
            delegation=user.delegation.name,
            title=paper.title,
        )
    )
    notify(
        [uid for uid in manager_ids(paper.room) if uid != user.id],
        "paper.contribution_submitted",
        text,
        path_for("papers.paper", paper_id=paper.id),
        subject=paper,
    )


def resubmit(
    paper: Paper,
    user: User,
    *,
    title: str,
    source: str,
    stages: Iterable[int | str] = (),
    activities: Iterable[int | str] = (),
    articles: Iterable[int | str] = (),
    cosponsor_ids: Iterable[int] = (),
    origin: str = "pasted",
    note: str = "",
) -> Paper:
    """The delegation revises a returned (or withdrawn, or still submitted) contribution and
    submits it again: a new revision, the chair asked once more."""
    if not paper.is_pending_contribution:
        raise PaperError(_("This contribution is already a paper of the room."), "title")
    title = check_title(title)
    blocks = _check_source_field(source)
    # The retired terms it already has stay; no new one is accepted.
    tags = chosen_tags(list(stages), list(activities), list(articles), paper)
    cosponsors = check_cosponsors(cosponsor_ids, user.delegation)
    note = (note or "").strip()
    refuse_longer_than(note, MAX_NOTE, "note", PaperError)
    previous = current_revision(paper)
    if _norm(previous.source) != _norm(source):
        _add_revision(
            paper,
            previous.number + 1,
            source,
            blocks,
            user,
            origin,
            note,
            paragraphs_of(previous),
        )
    paper.title = title
    apply_tags(paper, tags)
    _invite(paper, user, cosponsors)
    paper.contribution_status = ContributionStatus.SUBMITTED
    paper.submitted_at = utcnow()
    paper.returned_reason = None
    paper.decided_by_id = paper.decided_at = None
    signal_changed(paper, "status")
    audit.record(
        "paper.contribution_resubmitted",
        f"{paper.room.title}: {user.delegation.name} resubmitted {title}",
        actor=user,
        room_id=paper.room_id,
        paper_id=paper.id,
    )
    _tell_chairs(paper, user, resubmitted=True)
    return paper


def _norm(text: str) -> str:
    return " ".join(text.split())


def withdraw(paper: Paper, user: User) -> None:
    """The delegation takes its contribution back before the chair accepts it; it can submit
    it again later (resubmit)."""
    if paper.contribution_status not in (ContributionStatus.SUBMITTED, ContributionStatus.RETURNED):
        raise PaperError(_("Only a contribution awaiting the chair can be withdrawn."))
    paper.contribution_status = ContributionStatus.WITHDRAWN
    signal_changed(paper, "status")
    audit.record(
        "paper.contribution_withdrawn",
        f"{paper.room.title}: {user.delegation.name} withdrew {paper.title}",
        actor=user,
        room_id=paper.room_id,
        paper_id=paper.id,
    )


# ---- the chair's decision --------------------------------------------------------------------


def accept(
    paper: Paper,
    chair: User,
    *,
    symbol: str,
    status: PaperStatus = PaperStatus.OPEN,
    closes_at: datetime | None = None,
    is_chatham_house: bool | None = None,
) -> None:
    """The chair (or the Secretariat) accepts the contribution into the room with its symbol:
    open for comments (or drafting, when the chair chooses), listed with the room's papers."""
    if paper.contribution_status is not ContributionStatus.SUBMITTED:
        raise PaperError(_("Only a submitted contribution can be accepted."), "symbol")
    if status not in (PaperStatus.OPEN, PaperStatus.DRAFTING):
        raise PaperError(_("Accept it open for comments or in drafting."), "status")
    if closes_at is not None and closes_at <= utcnow():
        raise PaperError(_("The comment deadline must be in the future."), "closes_at")
    paper.symbol = check_symbol(paper, symbol)
    paper.contribution_status = ContributionStatus.ACCEPTED
    paper.status = status
    paper.closes_at = closes_at
    paper.is_chatham_house = (
        room_is_chatham_house(paper.room) if is_chatham_house is None else is_chatham_house
    )
    paper.decided_by_id, paper.decided_at = chair.id, utcnow()
    paper.returned_reason = None
    signal_changed(paper, "status")
    audit.record(
        "paper.contribution_accepted",
        f"{paper.room.title}: {chair.name} accepted {paper.title} as {paper.symbol}",
        actor=chair,
        room_id=paper.room_id,
        paper_id=paper.id,
    )
    note_activity(
        paper.room,
        "paper.created",
        _l("New national paper: %(title)s", title=paper.title),
        chair,
        subject=paper,
    )
    _tell_submitter(
        paper,
        chair,
        _l(
            "%(title)s is accepted into %(room)s as %(symbol)s",
            title=paper.title,
            room=paper.room.title,
            symbol=paper.symbol,
        ),
    )


def room_is_chatham_house(room: Room) -> bool:
    """The room's practice, the accept form's default: Chatham House when the room's latest
    paper issued by the chair is. It covers the comments; the paper itself stays attributed."""
    return bool(
        db.session.scalar(
            select(Paper.is_chatham_house)
            .where(Paper.room_id == room.id, Paper.submitted_by_delegation_id.is_(None))
            .order_by(Paper.created_at.desc())
            .limit(1)
        )
    )


def return_contribution(paper: Paper, chair: User, reason: str) -> None:
    """The chair returns the contribution to its delegation with a reason; the delegation may
    revise and resubmit it."""
    if paper.contribution_status is not ContributionStatus.SUBMITTED:
        raise PaperError(_("Only a submitted contribution can be returned."), "reason")
    reason = (reason or "").strip()
    if not reason:
        raise PaperError(_("Say why you return it; the delegation reads your reason."), "reason")
    refuse_longer_than(reason, MAX_REASON, "reason", PaperError)
    paper.contribution_status = ContributionStatus.RETURNED
    paper.returned_reason = reason
    paper.decided_by_id, paper.decided_at = chair.id, utcnow()
    signal_changed(paper, "status")
    audit.record(
        "paper.contribution_returned",
        f"{paper.room.title}: {chair.name} returned {paper.title}",
        actor=chair,
        room_id=paper.room_id,
        paper_id=paper.id,
    )
    _tell_submitter(
        paper,
        chair,
        _l("%(title)s was returned: %(reason)s", title=paper.title, reason=reason),
    )


def _tell_submitter(paper: Paper, chair: User, text: str) -> None:
    people = db.session.scalars(
        select(User.id).where(
            User.delegation_id == paper.submitted_by_delegation_id,
            User.is_active.is_(True),
            User.id != chair.id,
        )
    )
    notify(
        people,
        "paper.contribution_decided",
        text,
        path_for("papers.paper", paper_id=paper.id),
        subject=paper,
    )


# ---- co-sponsors -----------------------------------------------------------------------------


def answer_invitation(paper: Paper, user: User, confirm: bool) -> PaperCosponsor:
    """An invited delegation confirms (it is then named on the paper) or declines."""
    row = db.session.scalars(
        select(PaperCosponsor).where(
            PaperCosponsor.paper_id == paper.id,
            PaperCosponsor.delegation_id == user.delegation_id,
        )
    ).first()
    if row is None or not row.is_open:
        raise PaperError(_("Your delegation has no open invitation to co-sponsor this paper."))
    now = utcnow()
    if confirm:
        row.confirmed_at = now
    else:
        row.declined_at = now
    row.decided_by_id = user.id
    signal_changed(paper, "status")
    audit.record(
        "paper.cosponsor_confirmed" if confirm else "paper.cosponsor_declined",
        f"{paper.title}: {user.delegation.name} {'confirmed' if confirm else 'declined'}",
        actor=user,
        room_id=paper.room_id,
        paper_id=paper.id,
    )
    return row


# ---- "waiting for you" -----------------------------------------------------------------------


def waiting_for(user: User) -> list[Waiting]:
    """The dashboard's lines: contributions to accept (chairs), co-sponsorships to confirm
    (invited delegations) and returned contributions to revise (submitters). One query each,
    through the visible filter."""
    lines: list[Waiting] = []
    seen = visible(Paper, user)
    chaired = chaired_room_ids(user)
    to_accept = db.session.scalars(
        select(Paper)
        .where(
            seen,
            Paper.contribution_status == ContributionStatus.SUBMITTED,
            Paper.room_id.in_(chaired),
        )
        .order_by(Paper.submitted_at.desc())
        .limit(20)
    )
    for paper in to_accept:
        lines.append(
            Waiting(
                kind=_("Contribution to accept"),
                title=paper.title,
                url=path_for("papers.paper", paper_id=paper.id),
                since=paper.submitted_at,
            )
        )
    invited = db.session.execute(
        select(Paper, PaperCosponsor.invited_at)
        .join(PaperCosponsor, PaperCosponsor.paper_id == Paper.id)
        .where(
            seen,
            PaperCosponsor.delegation_id == user.delegation_id,
            PaperCosponsor.confirmed_at.is_(None),
            PaperCosponsor.declined_at.is_(None),
            Paper.contribution_status.in_(
                (
                    ContributionStatus.SUBMITTED,
                    ContributionStatus.RETURNED,
                    ContributionStatus.ACCEPTED,
                )
            ),
        )
        .order_by(PaperCosponsor.invited_at.desc())
        .limit(20)
    )
    for paper, invited_at in invited:
        lines.append(
            Waiting(
                kind=_("Co-sponsorship to confirm"),
                title=paper.title,
                url=path_for("papers.paper", paper_id=paper.id),
                since=invited_at,
            )
        )
    returned = db.session.scalars(
        select(Paper)
        .where(
            seen,
            Paper.contribution_status == ContributionStatus.RETURNED,
            Paper.submitted_by_delegation_id == user.delegation_id,
        )
        .order_by(Paper.decided_at.desc())
        .limit(20)
    )
    for paper in returned:
        lines.append(
            Waiting(
                kind=_("Returned: revise and resubmit"),
                title=paper.title,
                url=path_for("papers.paper", paper_id=paper.id),
                since=paper.decided_at,
            )
        )
    return lines
