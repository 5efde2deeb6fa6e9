"""Who sees and does what with requests and offers of assistance.

Requests and offers are not in a room: they have their own rules and visible filters (no
protection parent). Every answer is about the person's delegation, so the match can ask the
same question of a delegation before it lets it into a room (`delegation_sees_request`).

- A request is seen by the Secretariat, its own delegation, the delegations of the offers it
  is currently matched with, and, unless withdrawn, by the delegations it was shared with and,
  when open to them, by every State Party and signatory State.
- An offer is seen by the Secretariat, its own delegation, the requesting delegations of its
  current matches, and, unless withdrawn, by every State Party and signatory when open.
- AUTHOR: the request's (offer's) own delegation, when its status may file (offer); MANAGE
  (status moves): the requesting delegation and the Secretariat; ADMINISTER (share, match):
  the Secretariat.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select, true
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import Delegation, DelegationStatus
from consult.assistance.models import (
    AssistanceMatch,
    AssistanceOffer,
    AssistanceRequest,
    MatchedOffer,
    RequestShare,
    RequestStatus,
    TrustFundCall,
    Visibility,
)
from consult.extensions import db
from consult.policy import Need

#: Who files requests for assistance: States Parties and signatory States (Article 16; the
#: Voluntary Trust Fund funds both). Observer States ask the Secretariat directly.
FILERS = (DelegationStatus.STATE_PARTY, DelegationStatus.SIGNATORY)
#: Who posts offers: every State, international and regional organisations, the Secretariat.
OFFERERS = (
    DelegationStatus.STATE_PARTY,
    DelegationStatus.SIGNATORY,
    DelegationStatus.OBSERVER_STATE,
    DelegationStatus.INTERNATIONAL_ORG,
    DelegationStatus.REGIONAL_ORG,
    DelegationStatus.SECRETARIAT,
)


def _current_match_offers():
    return (
        select(MatchedOffer.offer_id, AssistanceMatch.request_id)
        .join(AssistanceMatch, AssistanceMatch.id == MatchedOffer.match_id)
        .where(AssistanceMatch.ended_at.is_(None))
    )


def _offering_delegations(request_id: int) -> set[int]:
    """The delegations whose offers are matched with the request now."""
    return set(
        db.session.scalars(
            select(AssistanceOffer.delegation_id)
            .join(MatchedOffer, MatchedOffer.offer_id == AssistanceOffer.id)
            .join(AssistanceMatch, AssistanceMatch.id == MatchedOffer.match_id)
            .where(AssistanceMatch.request_id == request_id, AssistanceMatch.ended_at.is_(None))
        )
    )


def shared_with(request: AssistanceRequest) -> set[int]:
    return set(
        db.session.scalars(
            select(RequestShare.delegation_id).where(RequestShare.request_id == request.id)
        )
    )


def delegation_sees_request(delegation: Delegation, request: AssistanceRequest) -> bool:
    """Whether the people of `delegation` see the request (the rule, for a whole delegation)."""
    if delegation.status is DelegationStatus.SECRETARIAT or delegation.id == request.delegation_id:
        return True
    if request.id is None:
        return False
    if delegation.id in _offering_delegations(request.id):
        return True
    if request.status is RequestStatus.WITHDRAWN:
        return False
    if request.visibility is Visibility.OPEN and delegation.status in FILERS:
        return True
    return delegation.id in shared_with(request)


def _request_rule(user: Any, need: Need, request: AssistanceRequest) -> bool:
    own = user.delegation_id == request.delegation_id
    if need is Need.VIEW:
        return delegation_sees_request(user.delegation, request)
    author = own and user.delegation.status in FILERS
    match need:
        case Need.AUTHOR:
            return author
        case Need.REVISE:  # edit or withdraw: only while open (nobody works on it yet)
            return author and request.status is RequestStatus.OPEN
        case Need.REOPEN:
            return author and request.status is RequestStatus.WITHDRAWN
        case Need.MANAGE:
            return own or user.is_secretariat
        case Need.ADMINISTER:
            return user.is_secretariat
        case Need.DECIDE:  # match with offers: the Secretariat, while the request is open
            return user.is_secretariat and request.status is RequestStatus.OPEN
    return False


def _visible_requests(user: Any) -> ColumnElement[bool]:
    if user.is_secretariat:
        return true()
    delegation = user.delegation
    current = _current_match_offers().subquery()
    matched = select(current.c.request_id).where(
        current.c.offer_id.in_(
            select(AssistanceOffer.id).where(AssistanceOffer.delegation_id == delegation.id)
        )
    )
    seen = [
        AssistanceRequest.id.in_(
            select(RequestShare.request_id).where(RequestShare.delegation_id == delegation.id)
        )
    ]
    if delegation.status in FILERS:
        seen.append(AssistanceRequest.visibility == Visibility.OPEN)
    return or_(
        AssistanceRequest.delegation_id == delegation.id,
        AssistanceRequest.id.in_(matched),
        and_(AssistanceRequest.status != RequestStatus.WITHDRAWN, or_(*seen)),
    )


def _requesting_delegations(offer_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(AssistanceRequest.delegation_id)
            .join(AssistanceMatch, AssistanceMatch.request_id == AssistanceRequest.id)
            .join(MatchedOffer, MatchedOffer.match_id == AssistanceMatch.id)
            .where(MatchedOffer.offer_id == offer_id, AssistanceMatch.ended_at.is_(None))
        )
    )


def _offer_rule(user: Any, need: Need, offer: AssistanceOffer) -> bool:
    delegation = user.delegation
    own = user.delegation_id == offer.delegation_id
    if need is Need.AUTHOR:
        return own and delegation.status in OFFERERS
    if need is Need.ADMINISTER:
        return user.is_secretariat
    if need is not Need.VIEW:
        return False
    if own or user.is_secretariat:
        return True
    if offer.id is not None and delegation.id in _requesting_delegations(offer.id):
        return True
    if offer.withdrawn_at is not None:
        return False
    return offer.visibility is Visibility.OPEN and delegation.status in FILERS


def _visible_offers(user: Any) -> ColumnElement[bool]:
    if user.is_secretariat:
        return true()
    delegation = user.delegation
    current = _current_match_offers().subquery()
    matched = select(current.c.offer_id).where(
        current.c.request_id.in_(
            select(AssistanceRequest.id).where(AssistanceRequest.delegation_id == delegation.id)
        )
    )
    clauses = [AssistanceOffer.delegation_id == delegation.id, AssistanceOffer.id.in_(matched)]
    if delegation.status in FILERS:
        clauses.append(
            and_(
                AssistanceOffer.withdrawn_at.is_(None),
                AssistanceOffer.visibility == Visibility.OPEN,
            )
        )
    return or_(*clauses)


def _call_rule(user: Any, need: Need, call: TrustFundCall) -> bool:
    """The Fund's calls are public information: every signed-in person may read them; the
    Secretariat records them."""
    if need is Need.VIEW:
        return True
    return need is Need.ADMINISTER and user.is_secretariat


def register() -> None:
    policy.add(AssistanceRequest, rule=_request_rule, visible=_visible_requests)
    policy.add(AssistanceOffer, rule=_offer_rule, visible=_visible_offers)
    policy.add(TrustFundCall, rule=_call_rule)
