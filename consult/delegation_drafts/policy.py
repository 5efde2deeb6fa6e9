"""Who may see a delegation draft: the active colleagues of its delegation, and nobody else.

Not the Secretariat (unless it is the Secretariat's own draft), not a room's chair from
another delegation. A colleague must also see the draft's target (a paper still being
drafted, a room they are not in: its drafts stay out of their lists too). The SQL filter is
built from the same two conditions, kind by kind, so lists and `can()` agree.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import User
from consult.delegation_drafts import kinds
from consult.delegation_drafts.models import DelegationDraft
from consult.extensions import db
from consult.policy import Need


def target_of(draft: DelegationDraft):
    """The draft's target object, or None when its kind is unknown here or it is gone."""
    kind = kinds.get(draft.kind)
    if kind is None:
        return None
    return db.session.get(kind.target_model, draft.target_id)


def draft_rule(user: User, need: Need, draft: DelegationDraft) -> bool:
    """Colleagues who see the target read the draft (VIEW) and edit, post or discard it
    (AUTHOR: the delegation is its author)."""
    if draft.delegation_id != user.delegation_id:
        return False
    target = target_of(draft)
    if target is None or not policy.can(Need.VIEW, target, user):
        return False
    return need in (Need.VIEW, Need.AUTHOR)


def visible_drafts(user: User) -> ColumnElement[bool]:
    """The drafts draft_rule lets this person see, in one clause."""
    per_kind = [
        and_(
            DelegationDraft.kind == kind.name,
            DelegationDraft.target_id.in_(
                select(kind.target_model.id).where(policy.visible(kind.target_model, user))
            ),
        )
        for kind in kinds.all_kinds().values()
    ]
    if not per_kind:
        return false()
    return and_(DelegationDraft.delegation_id == user.delegation_id, or_(*per_kind))


def register() -> None:
    policy.add(DelegationDraft, rule=draft_rule, visible=visible_drafts)
