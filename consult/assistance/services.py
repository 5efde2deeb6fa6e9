"""Filing, offering, sharing, matching and moving requests for assistance; the Fund's calls;
the Secretariat's figures of unmet needs.

Services check and flush; the request commits once (consult.handlers). A refusal is an
`AssistanceError` naming its field, and nothing the request did is kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode, urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult import audit
from consult.accounts.models import GROUP_LABELS, Delegation, RegionalGroup, User
from consult.admin import services as admin
from consult.assistance.models import (
    AssistanceMatch,
    AssistanceOffer,
    AssistanceRequest,
    HelpKind,
    MatchedOffer,
    RequestShare,
    RequestStatus,
    StatusChange,
    TrustFundCall,
    Visibility,
)
from consult.assistance.policy import OFFERERS, delegation_sees_request
from consult.errors import ServiceError, refuse_longer_than
from consult.extensions import db
from consult.i18n import later
from consult.links import path_for
from consult.notifications.services import notify
from consult.policy import Need, can, visible
from consult.rooms import services as rooms
from consult.rooms.models import AccessLevel, Membership, Room, RoomKind, RoomRole
from consult.taxonomy import forms as tag_forms
from consult.taxonomy import services as taxonomy
from consult.taxonomy.models import Term
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit

MAX_TITLE = 150  # the room a match opens is titled "Assistance: <title>" (room titles: 200)
MAX_DESCRIPTION = 5_000
MAX_CALL_TITLE = 200
MAX_LINK = 500
MAX_NOTES = 2_000
#: The room a match opens keeps Geneva's time, where the Secretariat sits.
ROOM_TIME_ZONE = "Europe/Zurich"


class AssistanceError(ServiceError):
    """A request, offer, share, match or call that cannot be made; shown next to its field."""


# ---- filing and offering ---------------------------------------------------------------------


def _check_text(title: str, description: str) -> tuple[str, str]:
    title = (title or "").strip()
    if not title:
        raise AssistanceError(_("Give it a title."), "title")
    refuse_longer_than(title, MAX_TITLE, "title", AssistanceError)
    description = (description or "").strip()
    if not description:
        raise AssistanceError(_("Say what is needed, in a few sentences at least."), "description")
    refuse_longer_than(description, MAX_DESCRIPTION, "description", AssistanceError)
    return title, description


def check_kinds(values: Iterable[str]) -> list[str]:
    """The kinds of help chosen, in the list's order; at least one."""
    chosen = {str(v) for v in values or []}
    unknown = chosen - set(HelpKind._value2member_map_)
    if unknown:
        raise AssistanceError(_("Choose from the list."), "kinds")
    if not chosen:
        raise AssistanceError(_("Choose at least one kind of help."), "kinds")
    return [k.value for k in HelpKind if k.value in chosen]


def check_visibility(value: str | None) -> Visibility:
    if value not in Visibility._value2member_map_:
        raise AssistanceError(_("Choose who may see it."), "visibility")
    return Visibility(value)


def blank_request(user: User) -> AssistanceRequest:
    """A request of the person's own delegation, not yet filed: the policy says whether they
    may file one (`AUTHOR`)."""
    return AssistanceRequest(delegation_id=user.delegation_id, status=RequestStatus.OPEN)


def blank_offer(user: User) -> AssistanceOffer:
    """An offer of the person's own delegation, not yet posted (`AUTHOR`: may they post one)."""
    return AssistanceOffer(delegation_id=user.delegation_id)


def file_request(
    user: User,
    *,
    title: str,
    description: str,
    kinds: Iterable[str],
    visibility: str,
    tags: tag_forms.ChosenTags,
) -> AssistanceRequest:
    """A State Party's or signatory's request for its delegation (open at once)."""
    if not can(Need.AUTHOR, blank_request(user), user):
        raise AssistanceError(
            _("Only States Parties and signatory States file requests for assistance.")
        )
    title, description = _check_text(title, description)
    kinds = check_kinds(kinds)
    chosen = check_visibility(visibility)
    if not tags.stages:
        raise AssistanceError(_("Choose at least one stage of implementation."), "stages")
    request = AssistanceRequest(
        delegation_id=user.delegation_id,
        title=title,
        description=description,
        kinds=kinds,
        visibility=chosen,
        status=RequestStatus.OPEN,
        created_by_id=user.id,
    )
    db.session.add(request)
    db.session.flush()
    tag_forms.apply(request, tags)
    _record_move(request, user, None, RequestStatus.OPEN)
    audit.record(
        "assistance.request_filed",
        f"{user.name} filed request for assistance {request.id} for {user.delegation.name}",
        actor=user,
        delegation_id=user.delegation_id,
        request_id=request.id,
        visibility=chosen.value,
    )
    return request


def edit_request(
    request: AssistanceRequest,
    user: User,
    *,
    title: str,
    description: str,
    kinds: Iterable[str],
    visibility: str,
    tags: tag_forms.ChosenTags,
) -> None:
    """The filing delegation edits its request while it is open (nobody works on it yet)."""
    if not can(Need.AUTHOR, request, user):
        raise AssistanceError(_("Only the delegation that filed the request can edit it."))
    if not can(Need.REVISE, request, user):
        raise AssistanceError(
            _(
                "A request can be edited only while it is open; this one is %(status)s.",
                status=request.status.label.lower(),
            )
        )
    if not tags.stages:
        raise AssistanceError(_("Choose at least one stage of implementation."), "stages")
    _set_terms(request, title, description, kinds, visibility, tags)
    audit.record(
        "assistance.request_edited",
        f"{user.name} edited request for assistance {request.id}",
        actor=user,
        delegation_id=request.delegation_id,
        request_id=request.id,
    )


def post_offer(
    user: User,
    *,
    title: str,
    description: str,
    kinds: Iterable[str],
    visibility: str,
    tags: tag_forms.ChosenTags,
) -> AssistanceOffer:
    """An offer of a State, an international or regional organisation, or the Secretariat."""
    if not can(Need.AUTHOR, blank_offer(user), user):
        raise AssistanceError(
            _(
                "Offers of assistance are posted by States, international and regional "
                "organisations and the Secretariat."
            )
        )
    title, description = _check_text(title, description)
    offer = AssistanceOffer(
        delegation_id=user.delegation_id,
        title=title,
        description=description,
        kinds=check_kinds(kinds),
        visibility=check_visibility(visibility),
        created_by_id=user.id,
    )
    db.session.add(offer)
    db.session.flush()
    tag_forms.apply(offer, tags)
    audit.record(
        "assistance.offer_posted",
        f"{user.name} posted offer of assistance {offer.id} for {user.delegation.name}",
        actor=user,
        delegation_id=user.delegation_id,
        offer_id=offer.id,
    )
    return offer


def _set_terms(
    item: AssistanceRequest | AssistanceOffer,
    title: str,
    description: str,
    kinds: Iterable[str],
    visibility: str,
    tags: tag_forms.ChosenTags,
) -> None:
    """A request's or an offer's terms, checked (a refusal next to its field) and set: both
    are edited on the same terms."""
    title, description = _check_text(title, description)
    item.kinds = check_kinds(kinds)
    item.visibility = check_visibility(visibility)
    item.title, item.description = title, description
    item.updated_at = utcnow()
    tag_forms.apply(item, tags)


def edit_offer(
    offer: AssistanceOffer,
    user: User,
    *,
    title: str,
    description: str,
    kinds: Iterable[str],
    visibility: str,
    tags: tag_forms.ChosenTags,
) -> None:
    if not can(Need.AUTHOR, offer, user):
        raise AssistanceError(_("Only the delegation that posted the offer can edit it."))
    _set_terms(offer, title, description, kinds, visibility, tags)
    audit.record(
        "assistance.offer_edited",
        f"{user.name} edited offer of assistance {offer.id}",
        actor=user,
        delegation_id=offer.delegation_id,
        offer_id=offer.id,
    )


def set_offer_withdrawn(offer: AssistanceOffer, user: User, withdrawn: bool) -> None:
    """Withdraw an offer (it is no longer matched with new requests) or put it back."""
    if not can(Need.AUTHOR, offer, user):
        raise AssistanceError(_("Only the delegation that posted the offer can withdraw it."))
    if offer.is_withdrawn == withdrawn:
        raise AssistanceError(
            _("This offer is already withdrawn.")
            if withdrawn
            else _("This offer is not withdrawn.")
        )
    offer.withdrawn_at = utcnow() if withdrawn else None
    audit.record(
        "assistance.offer_withdrawn" if withdrawn else "assistance.offer_reopened",
        f"{user.name} {'withdrew' if withdrawn else 'reopened'} offer of assistance {offer.id}",
        actor=user,
        delegation_id=offer.delegation_id,
        offer_id=offer.id,
    )


# ---- statuses ------------------------------------------------------------------------------

S = RequestStatus
#: Forward moves made on the request's page (open -> matched is the match itself).
FORWARD = {S.MATCHED: S.IN_PROGRESS, S.IN_PROGRESS: S.COMPLETED}
#: The way back, one step (matched -> open ends the match and closes its room).
BACK = {S.MATCHED: S.OPEN, S.IN_PROGRESS: S.MATCHED, S.COMPLETED: S.IN_PROGRESS}


def _record_move(
    request: AssistanceRequest, actor: User, old: RequestStatus | None, new: RequestStatus
) -> None:
    db.session.add(
        StatusChange(request_id=request.id, from_status=old, to_status=new, actor_id=actor.id)
    )
    request.status = new
    request.updated_at = utcnow()
    if old is not None:
        audit.record(
            "assistance.status_changed",
            f"{actor.name} moved request for assistance {request.id} from {old.value} to "
            f"{new.value}",
            actor=actor,
            delegation_id=request.delegation_id,
            request_id=request.id,
            from_status=old.value,
            to_status=new.value,
        )


def move(request: AssistanceRequest, actor: User, to: str | None) -> RequestStatus:
    """Move the request one step forward or back (the requesting delegation or the
    Secretariat); going back from matched to open ends the match and closes its room."""
    if not can(Need.MANAGE, request, actor):
        raise AssistanceError(
            _("Only the requesting delegation and the Secretariat move a request's status.")
        )
    target = RequestStatus(to) if to in RequestStatus._value2member_map_ else None
    allowed = {FORWARD.get(request.status), BACK.get(request.status)} - {None}
    if target is None or target not in allowed:
        raise AssistanceError(
            _(
                "A request that is %(status)s cannot move there.",
                status=request.status.label.lower(),
            )
        )
    old = request.status
    match = current_match(request)
    if old is S.MATCHED and target is S.OPEN and match is not None:
        _end_match(match, actor)
    _record_move(request, actor, old, target)
    if match is not None:
        _tell_parties(request, actor, [o.delegation_id for o in matched_offers(match)], target)
    return target


def _party_people(request: AssistanceRequest, offer_delegation_ids: list[int], actor: User):
    """The people of the requesting and offering delegations, the actor's own aside."""
    party_ids = {request.delegation_id, *offer_delegation_ids} - {actor.delegation_id}
    return list(
        db.session.scalars(
            select(User.id).where(
                User.delegation_id.in_(party_ids), User.is_active.is_(True), User.id != actor.id
            )
        )
    )


def _tell_parties(
    request: AssistanceRequest, actor: User, offer_delegation_ids: list[int], to: RequestStatus
) -> None:
    """The other party learns where the request they work on now stands."""
    notify(
        _party_people(request, offer_delegation_ids, actor),
        "assistance.status_changed",
        _l(
            "The request for assistance “%(title)s” is now %(status)s.",
            title=request.title,
            status=later(lambda: to.label.lower()),
        ),
        path_for("assistance.request_page", request_id=request.id),
        subject=request,
    )


def withdraw(request: AssistanceRequest, user: User) -> None:
    """The filing delegation withdraws its open request (reopen undoes it)."""
    if not can(Need.AUTHOR, request, user):
        raise AssistanceError(_("Only the delegation that filed the request can withdraw it."))
    if not can(Need.REVISE, request, user):
        raise AssistanceError(
            _(
                "Only an open request can be withdrawn; this one is %(status)s.",
                status=request.status.label.lower(),
            )
        )
    _record_move(request, user, S.OPEN, S.WITHDRAWN)


def reopen(request: AssistanceRequest, user: User) -> None:
    if not can(Need.AUTHOR, request, user):
        raise AssistanceError(_("Only the delegation that filed the request can reopen it."))
    if not can(Need.REOPEN, request, user):
        raise AssistanceError(_("This request is not withdrawn."))
    _record_move(request, user, S.WITHDRAWN, S.OPEN)


def history(request: AssistanceRequest) -> list[StatusChange]:
    return list(
        db.session.scalars(
            select(StatusChange)
            .where(StatusChange.request_id == request.id)
            .order_by(StatusChange.created_at, StatusChange.id)
        )
    )


# ---- sharing -------------------------------------------------------------------------------


def donor_choices(request: AssistanceRequest) -> list[Delegation]:
    """The delegations the Secretariat may share a request with: every active delegation that
    may post offers, except the requesting one and the Secretariat."""
    return list(
        db.session.scalars(
            select(Delegation)
            .where(
                Delegation.is_active.is_(True),
                Delegation.status.in_([s for s in OFFERERS if s.value != "secretariat"]),
                Delegation.id != request.delegation_id,
            )
            .order_by(Delegation.name)
        )
    )


def shares(request: AssistanceRequest) -> list[RequestShare]:
    return list(
        db.session.scalars(
            select(RequestShare)
            .where(RequestShare.request_id == request.id)
            .order_by(RequestShare.shared_at)
        )
    )


def share(request: AssistanceRequest, actor: User, delegation_id: int | None) -> RequestShare:
    """The Secretariat shares a request with a donor delegation (its people then see it)."""
    if not can(Need.ADMINISTER, request, actor):
        raise AssistanceError(_("Only the Secretariat shares requests."), "delegation")
    delegation = db.session.get(Delegation, delegation_id) if delegation_id else None
    if delegation is None or delegation.id not in {d.id for d in donor_choices(request)}:
        raise AssistanceError(_("Choose a delegation from the list."), "delegation")
    if request.status is S.WITHDRAWN:
        raise AssistanceError(_("A withdrawn request is not shared."), "delegation")
    exists = db.session.scalar(
        select(RequestShare.id).where(
            RequestShare.request_id == request.id, RequestShare.delegation_id == delegation.id
        )
    )
    if exists:
        raise AssistanceError(
            _("The request is already shared with %(name)s.", name=delegation.name), "delegation"
        )
    row = RequestShare(request_id=request.id, delegation_id=delegation.id, shared_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "assistance.request_shared",
        f"{actor.name} shared request for assistance {request.id} with {delegation.name}",
        actor=actor,
        delegation_id=delegation.id,
        request_id=request.id,
    )
    return row


def unshare(request: AssistanceRequest, actor: User, delegation_id: int | None) -> Delegation:
    """Stop sharing (sharing again undoes it). A delegation matched with the request keeps
    seeing it through the match."""
    if not can(Need.ADMINISTER, request, actor):
        raise AssistanceError(_("Only the Secretariat shares requests."))
    row = db.session.scalars(
        select(RequestShare).where(
            RequestShare.request_id == request.id, RequestShare.delegation_id == delegation_id
        )
    ).first()
    if row is None:
        raise AssistanceError(_("The request is not shared with that delegation."))
    delegation = row.delegation
    db.session.delete(row)
    db.session.flush()
    audit.record(
        "assistance.request_unshared",
        f"{actor.name} stopped sharing request for assistance {request.id} with {delegation.name}",
        actor=actor,
        delegation_id=delegation.id,
        request_id=request.id,
    )
    return delegation


# ---- matching ------------------------------------------------------------------------------


def current_match(request: AssistanceRequest) -> AssistanceMatch | None:
    return db.session.scalars(
        select(AssistanceMatch).where(
            AssistanceMatch.request_id == request.id, AssistanceMatch.ended_at.is_(None)
        )
    ).first()


def matched_offers(match: AssistanceMatch | None) -> list[AssistanceOffer]:
    if match is None:
        return []
    return list(
        db.session.scalars(
            select(AssistanceOffer)
            .join(MatchedOffer, MatchedOffer.offer_id == AssistanceOffer.id)
            .where(MatchedOffer.match_id == match.id)
            .order_by(MatchedOffer.id)
        )
    )


def match_choices(request: AssistanceRequest, user: User) -> list[AssistanceOffer]:
    """The offers the Secretariat may match the request with: active, of another delegation;
    those of the same kinds of help first."""
    offers = list(
        db.session.scalars(
            select(AssistanceOffer)
            .where(
                visible(AssistanceOffer, user),
                AssistanceOffer.withdrawn_at.is_(None),
                AssistanceOffer.delegation_id != request.delegation_id,
            )
            .order_by(AssistanceOffer.created_at.desc(), AssistanceOffer.id.desc())
        )
    )
    wanted = set(request.kinds or [])
    return sorted(offers, key=lambda o: -len(wanted & set(o.kinds or [])))


def matches_of(
    offer: AssistanceOffer, user: User
) -> list[tuple[AssistanceMatch, AssistanceRequest]]:
    """The offer's current matches with their requests, newest first: those whose request
    the person may see (one statement, through the visible filter)."""
    return [
        (m, r)
        for m, r in db.session.execute(
            select(AssistanceMatch, AssistanceRequest)
            .join(MatchedOffer, MatchedOffer.match_id == AssistanceMatch.id)
            .join(AssistanceRequest, AssistanceRequest.id == AssistanceMatch.request_id)
            .where(
                MatchedOffer.offer_id == offer.id,
                AssistanceMatch.ended_at.is_(None),
                visible(AssistanceRequest, user),
            )
            .order_by(AssistanceMatch.created_at.desc(), AssistanceMatch.id.desc())
        )
    ]


def _markdown_text(text: str) -> str:
    """Text as Markdown that reads as itself (a title with brackets or stars stays a title)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", text)


def _room_slug(request: AssistanceRequest) -> str:
    base, n = f"assistance-{request.id}", 1
    slug = base
    while db.session.scalar(select(Room.id).where(Room.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def match(request: AssistanceRequest, actor: User, offer_ids: Iterable[int]) -> AssistanceMatch:
    """The Secretariat matches an open request with offers: a members-only room for the
    requesting delegation, the offering delegations and the Secretariat, the parties told.

    Refused, next to the offers, when a party may not see the request: the Secretariat shares
    it first (the match never widens who sees a State's request by itself)."""
    if not can(Need.ADMINISTER, request, actor):
        raise AssistanceError(_("Only the Secretariat matches requests with offers."), "offers")
    if not can(Need.DECIDE, request, actor):
        raise AssistanceError(
            _(
                "Only an open request can be matched; this one is %(status)s.",
                status=request.status.label.lower(),
            ),
            "offers",
        )
    ids = list(dict.fromkeys(offer_ids or []))
    if not ids:
        raise AssistanceError(_("Choose at least one offer."), "offers")
    choices = {o.id: o for o in match_choices(request, actor)}
    offers = []
    for ident in ids:
        offer = choices.get(ident)
        if offer is None:
            raise AssistanceError(
                _("Choose offers from the list (active offers of other delegations)."), "offers"
            )
        delegation = offer.delegation
        if not delegation.is_active:
            raise AssistanceError(
                _("%(name)s is not an active delegation.", name=delegation.name), "offers"
            )
        if not delegation_sees_request(delegation, request):
            raise AssistanceError(
                _(
                    "%(name)s may not see this request: it is private and not shared with "
                    "them. Share it with %(name)s first (below), or choose another offer.",
                    name=delegation.name,
                )
                if request.visibility is Visibility.PRIVATE
                else _(
                    "%(name)s may not see this request: it is open to States Parties and "
                    "signatory States only. Share it with %(name)s first (below), or choose "
                    "another offer.",
                    name=delegation.name,
                ),
                "offers",
            )
        offers.append(offer)
    requester = request.delegation
    room = admin.create_room(
        title=_("Assistance: %(title)s", title=request.title)[:200],
        slug=_room_slug(request),
        kind=RoomKind.SMALL_GROUP,
        access=AccessLevel.MEMBERS,
        parent_id=None,
        time_zone=ROOM_TIME_ZONE,
        description=_(
            "A private room for the request for assistance [%(title)s](%(link)s) of "
            "%(requester)s, matched by the Secretariat with the offer of %(offerers)s.",
            title=_markdown_text(request.title),
            link=f"/assistance/requests/{request.id}",
            requester=_markdown_text(requester.name),
            offerers=_markdown_text(", ".join(dict.fromkeys(o.delegation.name for o in offers))),
        ),
        actor=actor,
    )
    room.created_by_id = actor.id
    rooms.add_member(room, RoomRole.CHAIR, actor, user=actor)
    parties = [actor.delegation, requester, *(o.delegation for o in offers)]
    for delegation in dict.fromkeys(parties):
        rooms.add_member(room, RoomRole.MEMBER, actor, delegation=delegation)
    found = AssistanceMatch(request_id=request.id, room_id=room.id, created_by_id=actor.id)
    db.session.add(found)
    db.session.flush()
    db.session.add_all(MatchedOffer(match_id=found.id, offer_id=o.id) for o in offers)
    db.session.flush()
    _record_move(request, actor, S.OPEN, S.MATCHED)
    audit.record(
        "assistance.matched",
        f"{actor.name} matched request for assistance {request.id} with offers "
        f"{', '.join(str(o.id) for o in offers)}",
        actor=actor,
        delegation_id=request.delegation_id,
        room_id=room.id,
        request_id=request.id,
        offers=[o.id for o in offers],
    )
    notify(
        _party_people(request, [o.delegation_id for o in offers], actor),
        "assistance.matched",
        _l(
            "The Secretariat matched the request for assistance “%(title)s” with an offer: "
            "meet in the room %(room)s.",
            title=request.title,
            room=room.title,
        ),
        f"/rooms/{room.slug}",
        subject=request,
    )
    return found


def _end_match(found: AssistanceMatch, actor: User) -> None:
    """The request went back to open: the match ends and its room closes (read-only)."""
    found.ended_at = utcnow()
    room = found.room
    room.is_archived = True
    audit.record(
        "assistance.match_ended",
        f"{actor.name} ended the match of request for assistance {found.request_id}; the room "
        f"{room.title} is closed",
        actor=actor,
        room_id=room.id,
        request_id=found.request_id,
    )
    current = select(Membership).where(Membership.room_id == room.id, Membership.ended_at.is_(None))
    people = {u for m in db.session.scalars(current) for u in rooms.affected_user_ids(m)}
    for user_id in sorted(people):
        emit_after_commit("rooms-changed", {}, to=f"user:{user_id}")


def case_study_link(request: AssistanceRequest) -> str:
    """The link that starts a case study from a completed request, prefilled: its title, its
    stages and sub-topics, and the context (who asked for what, who helped)."""
    tags = taxonomy.tags_of(request)
    offers = matched_offers(last_match(request))
    context = _(
        "%(requester)s asked for assistance (%(kinds)s), matched by the Secretariat with "
        "%(offerers)s.",
        requester=request.delegation.name,
        kinds=", ".join(k.label for k in request.help_kinds),
        offerers=", ".join(dict.fromkeys(o.delegation.name for o in offers)) or _("an offer"),
    )
    query = [("title", request.title)]
    query += [("stages", str(t.id)) for t in tags.stages]
    full = f"{context}\n\n{request.description}"
    # A long description would make an address some proxies refuse (8 KB): then the summary.
    query.append(("context", full if len(urlencode([("c", full)])) < 4_000 else context))
    return "/case-studies/new?" + urlencode(query)


def last_match(request: AssistanceRequest) -> AssistanceMatch | None:
    return db.session.scalars(
        select(AssistanceMatch)
        .where(AssistanceMatch.request_id == request.id)
        .order_by(AssistanceMatch.ended_at.is_not(None), AssistanceMatch.id.desc())
    ).first()


# ---- lists ---------------------------------------------------------------------------------


def visible_requests(user: User, *, statuses: Iterable[RequestStatus] | None = None):
    query = (
        select(AssistanceRequest)
        .where(visible(AssistanceRequest, user))
        .order_by(AssistanceRequest.created_at.desc(), AssistanceRequest.id.desc())
    )
    if statuses is not None:
        query = query.where(AssistanceRequest.status.in_(list(statuses)))
    return list(db.session.scalars(query))


def visible_offers(user: User, *, active_only: bool = False):
    query = (
        select(AssistanceOffer)
        .where(visible(AssistanceOffer, user))
        .order_by(AssistanceOffer.created_at.desc(), AssistanceOffer.id.desc())
    )
    if active_only:
        query = query.where(AssistanceOffer.withdrawn_at.is_(None))
    return list(db.session.scalars(query))


# ---- the Secretariat's overview --------------------------------------------------------------


@dataclass
class Overview:
    """Open requests (unmet needs) counted by regional group and stage of implementation.

    A request tagged with several stages (or sub-topics of several) counts once under each;
    the totals count each request once."""

    regions: list[tuple[str | None, str]]
    stages: list[Term]
    #: (stage id, region key) -> requests
    cells: dict[tuple[int, str | None], int] = field(default_factory=dict)
    by_region: dict[str | None, int] = field(default_factory=dict)
    by_stage: dict[int, int] = field(default_factory=dict)
    total: int = 0
    #: Open requests tagged with no stage (filed before a stage was required, or retired).
    untagged: int = 0

    @property
    def stage_bars(self) -> list[tuple[str, int]]:
        return [(s.name, self.by_stage.get(s.id, 0)) for s in self.stages]

    @property
    def region_bars(self) -> list[tuple[str, int]]:
        return [(label, self.by_region.get(key, 0)) for key, label in self.regions]

    @property
    def most(self) -> int:
        return max([1, *self.by_region.values(), *self.by_stage.values()])


def overview() -> Overview:
    """The unmet needs: every open request, whoever filed it (the Secretariat's figures)."""
    requests = list(
        db.session.scalars(select(AssistanceRequest).where(AssistanceRequest.status == S.OPEN))
    )
    regions: list[tuple[str | None, str]] = [(g.value, str(GROUP_LABELS[g])) for g in RegionalGroup]
    regions.append((None, _("No regional group")))
    stages = [stage for stage, _subs in taxonomy.tree(with_retired=True)]
    stage_of = {}
    for stage, subs in taxonomy.tree(with_retired=True):
        stage_of[stage.id] = stage.id
        for sub in subs:
            stage_of[sub.id] = stage.id
    tags = taxonomy.tags_of_many(requests)
    found = Overview(regions=regions, stages=stages, total=len(requests))
    cells: dict[tuple[int, str | None], int] = defaultdict(int)
    by_region: dict[str | None, int] = defaultdict(int)
    by_stage: dict[int, int] = defaultdict(int)
    for request in requests:
        group = request.delegation.regional_group
        region = group.value if group else None
        by_region[region] += 1
        ids = {
            stage_of[t.id]
            for t in tags[("assistance_request", request.id)].stages
            if t.id in stage_of
        }
        if not ids:
            found.untagged += 1
        for stage_id in ids:
            cells[(stage_id, region)] += 1
            by_stage[stage_id] += 1
    found.cells, found.by_region, found.by_stage = dict(cells), dict(by_region), dict(by_stage)
    if None not in found.by_region:  # only States file: a column of zeros says nothing
        found.regions = [r for r in regions if r[0] is not None]
    return found


def waiting_to_match() -> list[AssistanceRequest]:
    """Open requests, oldest first: what the Secretariat has still to match."""
    return list(
        db.session.scalars(
            select(AssistanceRequest)
            .where(AssistanceRequest.status == S.OPEN)
            .order_by(AssistanceRequest.created_at, AssistanceRequest.id)
        )
    )


# ---- the Voluntary Trust Fund's calls -------------------------------------------------------

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _check_call(
    title: str, opens_on: date | None, deadline_on: date | None, link: str, notes: str
) -> tuple[str, str, str]:
    title = (title or "").strip()
    if not title:
        raise AssistanceError(_("Give the call a title."), "title")
    refuse_longer_than(title, MAX_CALL_TITLE, "title", AssistanceError)
    if opens_on is None:
        raise AssistanceError(_("Give the day the call opens."), "opens_on")
    if deadline_on is None:
        raise AssistanceError(_("Give the call's deadline."), "deadline_on")
    if deadline_on < opens_on:
        raise AssistanceError(_("The deadline comes before the call opens."), "deadline_on")
    link = (link or "").strip()
    refuse_longer_than(link, MAX_LINK, "link", AssistanceError)
    if link and (not _URL.match(link) or not urlsplit(link).netloc):
        raise AssistanceError(
            _("Give the full address of the call's page, starting with https://."), "link"
        )
    notes = (notes or "").strip()
    refuse_longer_than(notes, MAX_NOTES, "notes", AssistanceError)
    return title, link, notes


def record_call(
    actor: User,
    *,
    title: str,
    opens_on: date | None,
    deadline_on: date | None,
    link: str,
    notes: str,
) -> TrustFundCall:
    if not can(Need.ADMINISTER, TrustFundCall(), actor):
        raise AssistanceError(_("Only the Secretariat records the Fund's calls."))
    title, link, notes = _check_call(title, opens_on, deadline_on, link, notes)
    call = TrustFundCall(
        title=title,
        opens_on=opens_on,
        deadline_on=deadline_on,
        link=link,
        notes=notes,
        created_by_id=actor.id,
    )
    db.session.add(call)
    db.session.flush()
    audit.record(
        "assistance.call_recorded",
        f"{actor.name} recorded the Voluntary Trust Fund call {call.title}",
        actor=actor,
        call_id=call.id,
    )
    return call


def update_call(
    call: TrustFundCall,
    actor: User,
    *,
    title: str,
    opens_on: date | None,
    deadline_on: date | None,
    link: str,
    notes: str,
) -> None:
    if not can(Need.ADMINISTER, call, actor):
        raise AssistanceError(_("Only the Secretariat records the Fund's calls."))
    call.title, call.link, call.notes = _check_call(title, opens_on, deadline_on, link, notes)
    call.opens_on, call.deadline_on = opens_on, deadline_on
    audit.record(
        "assistance.call_updated",
        f"{actor.name} updated the Voluntary Trust Fund call {call.title}",
        actor=actor,
        call_id=call.id,
    )


def calls(today: date, *, include_closed: bool = False) -> list[TrustFundCall]:
    """The Fund's calls, the soonest deadline first; closed ones (deadline passed) only when
    asked, after the others."""
    query = select(TrustFundCall).order_by(TrustFundCall.deadline_on, TrustFundCall.id)
    if not include_closed:
        query = query.where(TrustFundCall.deadline_on >= today)
    rows = list(db.session.scalars(query))
    return sorted(rows, key=lambda c: (c.deadline_on < today, c.deadline_on))


def days_left(call: TrustFundCall, today: date) -> int:
    """Whole days until the deadline (0: it closes today; negative: closed)."""
    return (call.deadline_on - today).days
