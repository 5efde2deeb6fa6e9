"""Case studies: submitting, reviewing, withdrawing, and the library's shelf.

A delegation submits a case study to a room it takes part in; the room's chairs and
facilitators (or the Secretariat) publish it or return it with a reason; the delegation
revises and resubmits. Published, it is in the room and on the library's "Case studies"
shelf. Withdrawn, its page stays as a placeholder. Unattributed, it names its delegation to
nobody but that delegation and the Secretariat: not on its page, not in the library, not in
notifications or activity lines. Services flush, audit and notify; the view commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consult import audit, markdown
from consult.accounts import handover
from consult.accounts.models import Delegation, DelegationStatus, User
from consult.case_studies.models import SECTION_NAMES, SECTIONS, CaseStudy, CaseStudyStatus
from consult.errors import ServiceError, refuse_longer_than
from consult.extensions import db
from consult.library import shelves
from consult.links import path_for
from consult.notifications.services import notify
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, Room
from consult.rooms.policy import managed_room_ids
from consult.rooms.services import manager_ids, note_activity
from consult.taxonomy import forms as tag_forms
from consult.timeutil import utcnow
from consult.waiting import Waiting

MAX_TITLE = 300
#: Characters per part; the agencies are a list, the rest prose.
MAX_SECTION = 10_000
MAX_AGENCIES = 2_000
MAX_REASON = 1_000
MAX_CONTACT = 300
#: How long after a withdrawal the delegation may reinstate the published text as it was;
#: later (or after changing it) it resubmits for review.
REINSTATE_DAYS = 30
#: Who submits: States and intergovernmental organisations (their national or regional
#: practice); civil society, industry and the Secretariat do not.
SUBMITTING_STATUSES = (
    DelegationStatus.STATE_PARTY,
    DelegationStatus.SIGNATORY,
    DelegationStatus.OBSERVER_STATE,
    DelegationStatus.INTERNATIONAL_ORG,
    DelegationStatus.REGIONAL_ORG,
)
SHELF_KEY = "case_studies"


class CaseStudyError(ServiceError):
    """A case study that cannot be submitted or decided as asked."""

    field = "title"


@dataclass
class Draft:
    """What the form gives the service (checked there, whatever the way in)."""

    title: str
    sections: dict[str, str]
    is_attributed: bool = True
    contact_user_id: int | None = None
    contact_text: str = ""
    stages: list[str] | None = None
    activities: list[str] | None = None
    articles: list[str] | None = None


# ---- reading ---------------------------------------------------------------------------------


def may_submit_as(user: User) -> bool:
    """Whether the person's delegation is of a kind that submits case studies."""
    return user.delegation.status in SUBMITTING_STATUSES


def origin(case_study: CaseStudy, user: Any = None) -> str | None:
    """The submitting delegation's name, for those who may learn it; None for everyone else."""
    if not can(Need.SEE_AUTHORS, case_study, user):
        return None
    return db.session.get(Delegation, case_study.delegation_id).name


def contact_point(case_study: CaseStudy) -> str | None:
    """The contact point shown on the page: only for an attributed case study."""
    if not case_study.is_attributed:
        return None
    if case_study.contact_user_id is not None:
        person = db.session.get(User, case_study.contact_user_id)
        if person is not None and person.is_active:
            label = ", ".join(p for p in (person.name, person.title, person.agency) if p)
            return f"{label} ({person.email})"
    return case_study.contact_text or None


def contact_choices(delegation_id: int) -> list[User]:
    """The active people of the delegation, for the contact point."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.delegation_id == delegation_id, User.is_active.is_(True))
            .order_by(User.name)
        )
    )


def in_room(room: Room, user: User) -> list[CaseStudy]:
    """The case studies of the room this person may see, newest first (one query)."""
    return list(
        db.session.scalars(
            select(CaseStudy)
            .where(CaseStudy.room_id == room.id, visible(CaseStudy, user))
            .options(selectinload(CaseStudy.delegation))
            .order_by(CaseStudy.submitted_at.desc(), CaseStudy.id.desc())
            .limit(100)
        )
    )


def may_reinstate(case_study: CaseStudy, now: datetime | None = None) -> bool:
    """Withdrawn after publication, unchanged since, and within REINSTATE_DAYS."""
    now = now or utcnow()
    return (
        case_study.is_withdrawn
        and case_study.published_at is not None
        and case_study.withdrawn_at is not None
        and now - case_study.withdrawn_at <= timedelta(days=REINSTATE_DAYS)
    )


# ---- checks ----------------------------------------------------------------------------------


def check_submitter(room: Room, user: User) -> None:
    """A State or organisation delegation that takes part in a room that is not confidential
    (a confidential forum's exchanges never go to the library)."""
    if room.access is AccessLevel.CONFIDENTIAL:
        raise CaseStudyError(_("Case studies are not submitted to a confidential room."))
    if not may_submit_as(user):
        raise CaseStudyError(
            _(
                "Case studies are submitted by States and intergovernmental organisations; "
                "%(status)s delegations take part in the room's discussions.",
                status=user.delegation.status.label,
            )
        )
    if not can(Need.TAKE_PART, room, user):
        raise CaseStudyError(_("Your delegation does not take part in %(room)s.", room=room.title))


def _check(draft: Draft, delegation_id: int, subject: CaseStudy | None) -> tuple[Any, ...]:
    title = (draft.title or "").strip()
    if not title:
        raise CaseStudyError(_("Give the case study a title."), "title")
    refuse_longer_than(title, MAX_TITLE, "title", CaseStudyError)
    texts: dict[str, str] = {}
    for name, label, _help in SECTIONS:
        text = (draft.sections.get(name) or "").strip()
        if not text:
            raise CaseStudyError(_("Write the %(part)s.", part=str(label).lower()), name)
        limit = MAX_AGENCIES if name == "agencies" else MAX_SECTION
        refuse_longer_than(text, limit, name, CaseStudyError)
        problem = markdown.check(text)
        if problem:
            raise CaseStudyError(problem, name)
        texts[name] = text
    contact_text = (draft.contact_text or "").strip()
    refuse_longer_than(contact_text, MAX_CONTACT, "contact_text", CaseStudyError)
    contact_user = None
    if draft.contact_user_id is not None:
        contact_user = db.session.get(User, draft.contact_user_id)
        if (
            contact_user is None
            or contact_user.delegation_id != delegation_id
            or not contact_user.is_active
        ):
            raise CaseStudyError(_("Choose a person of your delegation from the list."), "contact")
    if contact_user is not None and contact_text:
        raise CaseStudyError(
            _("Choose a person or write a contact point, not both."), "contact_text"
        )
    if not draft.is_attributed and (contact_user is not None or contact_text):
        raise CaseStudyError(
            _(
                "A contact point would name your delegation: leave it empty for an "
                "unattributed case study (readers' questions reach you through the "
                "Secretariat)."
            ),
            "contact" if contact_user is not None else "contact_text",
        )
    tags = tag_forms.chosen(draft.stages, draft.activities, draft.articles, subject)
    return title, texts, contact_user, contact_text, tags


def _fill(case_study: CaseStudy, draft: Draft, checked: tuple[Any, ...]) -> None:
    title, texts, contact_user, contact_text, _tags = checked
    case_study.title = title
    for name in SECTION_NAMES:
        setattr(case_study, name, texts[name])
    case_study.is_attributed = bool(draft.is_attributed)
    case_study.contact_user_id = contact_user.id if contact_user is not None else None
    case_study.contact_text = contact_text or None


# ---- the delegation --------------------------------------------------------------------------


def submit(room: Room, user: User, draft: Draft) -> CaseStudy:
    """Submit a case study for the room's reviewers; only the delegation and they see it until
    it is published."""
    check_submitter(room, user)
    checked = _check(draft, user.delegation_id, None)
    case_study = CaseStudy(
        room_id=room.id,
        delegation_id=user.delegation_id,
        submitted_by_id=user.id,
        status=CaseStudyStatus.SUBMITTED,
        submitted_at=utcnow(),
    )
    _fill(case_study, draft, checked)
    db.session.add(case_study)
    db.session.flush()
    tag_forms.apply(case_study, checked[4])
    audit.record(
        "case_study.submitted",
        f"{room.title}: {user.delegation.name} submitted the case study {case_study.title}"
        f" ({'attributed' if case_study.is_attributed else 'unattributed'})",
        actor=user,
        room_id=room.id,
        delegation_id=user.delegation_id,
        case_study_id=case_study.id,
    )
    _tell_reviewers(case_study, room, user, resubmitted=False)
    return case_study


def revise(case_study: CaseStudy, user: User, draft: Draft) -> CaseStudy:
    """The delegation revises a case study waiting for review, returned or withdrawn, and
    (again) submits it for review. A published one is withdrawn first."""
    if case_study.status is CaseStudyStatus.PUBLISHED:
        raise CaseStudyError(
            _("A published case study is withdrawn before it is revised and submitted again.")
        )
    room = db.session.get(Room, case_study.room_id)
    check_submitter(room, user)
    checked = _check(draft, case_study.delegation_id, case_study)
    _fill(case_study, draft, checked)
    tag_forms.apply(case_study, checked[4])
    case_study.status = CaseStudyStatus.SUBMITTED
    case_study.submitted_at = utcnow()
    case_study.returned_reason = None
    case_study.decided_by_id = case_study.decided_at = None
    audit.record(
        "case_study.resubmitted",
        f"{room.title}: {user.delegation.name} resubmitted the case study {case_study.title}",
        actor=user,
        room_id=room.id,
        delegation_id=case_study.delegation_id,
        case_study_id=case_study.id,
    )
    _tell_reviewers(case_study, room, user, resubmitted=True)
    return case_study


def withdraw(case_study: CaseStudy, user: User) -> None:
    """The delegation takes its case study back: its text leaves every page and the library;
    once published, its page stays as a placeholder where others cited it."""
    if case_study.is_withdrawn:
        raise CaseStudyError(_("This case study is already withdrawn."))
    case_study.status = CaseStudyStatus.WITHDRAWN
    case_study.withdrawn_at = utcnow()
    case_study.withdrawn_by_id = user.id
    room = db.session.get(Room, case_study.room_id)
    audit.record(
        "case_study.withdrawn",
        f"{room.title}: {user.delegation.name} withdrew the case study {case_study.title}",
        actor=user,
        room_id=room.id,
        delegation_id=case_study.delegation_id,
        case_study_id=case_study.id,
    )


def reinstate(case_study: CaseStudy, user: User) -> None:
    """Undo a withdrawal: the published text returns as it was (it was reviewed), within
    REINSTATE_DAYS of the withdrawal; otherwise the delegation revises and resubmits."""
    if not case_study.is_withdrawn:
        raise CaseStudyError(_("Only a withdrawn case study can be reinstated."))
    if case_study.published_at is None:
        raise CaseStudyError(_("It was never published: revise it and submit it for review again."))
    if not may_reinstate(case_study):
        raise CaseStudyError(
            _(
                "It was withdrawn more than %(days)d days ago: revise it and submit it for "
                "review again.",
                days=REINSTATE_DAYS,
            )
        )
    case_study.status = CaseStudyStatus.PUBLISHED
    case_study.withdrawn_at = case_study.withdrawn_by_id = None
    room = db.session.get(Room, case_study.room_id)
    audit.record(
        "case_study.reinstated",
        f"{room.title}: {user.delegation.name} reinstated the case study {case_study.title}",
        actor=user,
        room_id=room.id,
        delegation_id=case_study.delegation_id,
        case_study_id=case_study.id,
    )


# ---- the reviewers ---------------------------------------------------------------------------


def publish(case_study: CaseStudy, reviewer: User) -> None:
    """A reviewer publishes a submitted case study to the room and the library."""
    if case_study.status is not CaseStudyStatus.SUBMITTED:
        raise CaseStudyError(
            _(
                "Only a case study waiting for review can be published; this one is: %(status)s.",
                status=case_study.status.label,
            )
        )
    now = utcnow()
    first = case_study.published_at is None
    case_study.status = CaseStudyStatus.PUBLISHED
    case_study.published_at = case_study.published_at or now
    case_study.withdrawn_at = case_study.withdrawn_by_id = None
    case_study.decided_by_id, case_study.decided_at = reviewer.id, now
    case_study.returned_reason = None
    room = db.session.get(Room, case_study.room_id)
    audit.record(
        "case_study.published",
        f"{room.title}: {reviewer.name} published the case study {case_study.title}",
        actor=reviewer,
        room_id=room.id,
        case_study_id=case_study.id,
    )
    if first:  # the line never names the delegation: the reviewer acted, the title is public
        note_activity(
            room,
            "case_study.published",
            _l("New case study: %(title)s", title=case_study.title),
            reviewer,
            subject=case_study,
        )
    _tell_delegation(
        case_study,
        reviewer,
        _l(
            "Your case study %(title)s is published in %(room)s",
            title=case_study.title,
            room=room.title,
        ),
    )


def return_case_study(case_study: CaseStudy, reviewer: User, reason: str) -> None:
    """A reviewer returns a submitted case study to its delegation with a reason."""
    if case_study.status is not CaseStudyStatus.SUBMITTED:
        raise CaseStudyError(_("Only a case study waiting for review can be returned."), "reason")
    reason = (reason or "").strip()
    if not reason:
        raise CaseStudyError(
            _("Say why you return it; the delegation reads your reason."), "reason"
        )
    refuse_longer_than(reason, MAX_REASON, "reason", CaseStudyError)
    case_study.status = CaseStudyStatus.RETURNED
    case_study.returned_reason = reason
    case_study.decided_by_id, case_study.decided_at = reviewer.id, utcnow()
    room = db.session.get(Room, case_study.room_id)
    audit.record(
        "case_study.returned",
        f"{room.title}: {reviewer.name} returned the case study {case_study.title}",
        actor=reviewer,
        room_id=room.id,
        case_study_id=case_study.id,
    )
    _tell_delegation(
        case_study,
        reviewer,
        _l(
            "Your case study %(title)s was returned: %(reason)s",
            title=case_study.title,
            reason=reason,
        ),
    )


# ---- telling people --------------------------------------------------------------------------


def _link(case_study: CaseStudy) -> str:
    return path_for("case_studies.case_study", case_study_id=case_study.id)


def _tell_reviewers(case_study: CaseStudy, room: Room, user: User, *, resubmitted: bool) -> None:
    """The room's chairs and facilitators (the Secretariat when the room has none), in words
    that name the delegation only to those who may learn the origin."""
    managers = manager_ids(room)
    reviewers = [uid for uid in managers if uid != user.id]
    if not managers:
        reviewers = list(
            db.session.scalars(
                select(User.id)
                .join(Delegation, Delegation.id == User.delegation_id)
                .where(Delegation.status == DelegationStatus.SECRETARIAT, User.is_active.is_(True))
            )
        )
    name = user.delegation.name

    def text(recipient: User) -> str:
        if can(Need.SEE_AUTHORS, case_study, recipient):
            if resubmitted:
                return _(
                    "%(delegation)s resubmitted the case study %(title)s",
                    delegation=name,
                    title=case_study.title,
                )
            return _(
                "%(delegation)s submitted the case study %(title)s for review",
                delegation=name,
                title=case_study.title,
            )
        if resubmitted:
            return _(
                "An unattributed case study was resubmitted: %(title)s", title=case_study.title
            )
        return _("An unattributed case study awaits your review: %(title)s", title=case_study.title)

    notify(reviewers, "case_study.submitted", text, _link(case_study), subject=case_study)


def _tell_delegation(case_study: CaseStudy, reviewer: User, text: str) -> None:
    people = db.session.scalars(
        select(User.id).where(
            User.delegation_id == case_study.delegation_id,
            User.is_active.is_(True),
            User.id != reviewer.id,
        )
    )
    notify(people, "case_study.decided", text, _link(case_study), subject=case_study)


# ---- "waiting for you" -----------------------------------------------------------------------


def waiting_for(user: User) -> list[Waiting]:
    """Case studies to review (the rooms this person chairs or facilitates; the Secretariat's,
    every room's) and returned ones the delegation is asked to revise. One query each."""
    seen = visible(CaseStudy, user)
    lines: list[Waiting] = []
    to_review = select(CaseStudy).where(
        seen,
        CaseStudy.status == CaseStudyStatus.SUBMITTED,
        CaseStudy.room_id.in_(managed_room_ids(user)),
    )
    for case_study in db.session.scalars(
        to_review.order_by(CaseStudy.submitted_at.desc()).limit(20)
    ):
        lines.append(
            Waiting(
                kind=_("Case study to review"),
                title=case_study.title,
                url=_link(case_study),
                since=case_study.submitted_at,
            )
        )
    returned = db.session.scalars(
        select(CaseStudy)
        .where(
            seen,
            CaseStudy.status == CaseStudyStatus.RETURNED,
            CaseStudy.delegation_id == user.delegation_id,
        )
        .order_by(CaseStudy.decided_at.desc())
        .limit(20)
    )
    for case_study in returned:
        lines.append(
            Waiting(
                kind=_("Returned case study: revise and resubmit"),
                title=case_study.title,
                url=_link(case_study),
                since=case_study.decided_at,
            )
        )
    return lines


# ---- handover --------------------------------------------------------------------------------


def _held_contacts(departing: User, viewer: User) -> list[str]:
    count = db.session.scalar(
        select(func.count(CaseStudy.id)).where(CaseStudy.contact_user_id == departing.id)
    )
    if not count:
        return []
    return [
        ngettext(
            "Contact point of %(num)d case study", "Contact point of %(num)d case studies", count
        )
    ]


def _move_contacts(run: handover.Handover) -> int:
    """The successor (a colleague of the same delegation) becomes the contact point of the
    case studies that named the departing person."""
    rows = db.session.scalars(
        select(CaseStudy).where(CaseStudy.contact_user_id == run.departing.id)
    ).all()
    for case_study in rows:
        case_study.contact_user_id = run.successor.id
    db.session.flush()
    return len(rows)


#: This domain's part of a handover (added from consult.case_studies.register).
CONTACT_POINTS = handover.Step(
    name="case_study_contacts",
    label=_l("Case study contact points"),
    held=_held_contacts,
    move=_move_contacts,
    order=60,
)


# ---- the library's shelf ---------------------------------------------------------------------


def _shelf_query(user: Any, query: shelves.Query):
    """Published case studies this person may see, filtered by the query's facets in SQL. The
    delegation and region facets match attributed case studies only: an unattributed one
    must never be found by its origin."""
    return [
        visible(CaseStudy, user),
        CaseStudy.status == CaseStudyStatus.PUBLISHED,
        *shelves.facets(
            query,
            CaseStudy,
            date=CaseStudy.published_at,
            delegation=CaseStudy.delegation_id,
            attributed=CaseStudy.is_attributed.is_(True),
        ),
    ]


EXCERPT = 240


def _excerpt(html: Markup | None) -> str:
    text = " ".join(html.striptags().split()) if isinstance(html, Markup) else ""
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def find(user: Any, query: shelves.Query) -> list[shelves.Entry]:
    """The shelf's entries: one query (case study, delegation's name, room's title)."""
    rows = db.session.execute(
        select(CaseStudy, Delegation.name, Room.title)
        .join(Delegation, Delegation.id == CaseStudy.delegation_id)
        .join(Room, Room.id == CaseStudy.room_id)
        .where(*_shelf_query(user, query))
        .order_by(CaseStudy.published_at.desc(), CaseStudy.id.desc())
        .limit(max(0, query.limit))
        .offset(max(0, query.offset))
    )
    return [
        shelves.Entry(
            title=case_study.title,
            url=_link(case_study),
            date=case_study.published_at,
            kind=str(_l("Case study")),
            # The shelf is the same for every reader: an unattributed one names nobody.
            delegation=name if case_study.is_attributed else None,
            place=room_title,
            summary=_excerpt(case_study.context_html),
            note=None if case_study.is_attributed else str(_l("Unattributed")),
        )
        for case_study, name, room_title in rows
    ]


def count(user: Any, query: shelves.Query) -> int:
    return (
        db.session.scalar(select(func.count(CaseStudy.id)).where(*_shelf_query(user, query))) or 0
    )


def counts(user: Any) -> dict[int, int]:
    """The published case studies the person may see per term (for the library's index)."""
    return shelves.counts_by_term(
        CaseStudy, visible(CaseStudy, user), CaseStudy.status == CaseStudyStatus.PUBLISHED
    )


SHELF = shelves.Shelf(
    key=SHELF_KEY,
    label=_l("Case studies"),
    find=find,
    count=count,
    counts=counts,
    position=30,
)


def ids_of(values: Iterable[str]) -> list[int]:
    """Digits only (for the prefill's term ids): anything else is dropped, never an error."""
    from consult.ids import parse_id

    return [i for v in values if (i := parse_id(v)) is not None]
