"""Delegation drafts: save, edit (one version at a time), post, discard and restore.

Every step is kept in the draft's history (who, what, when, the text as it then stood). A
draft is the delegation's own: nothing here notifies anyone, writes an activity line or emits
a live signal, and the audit log (read by the Secretariat) records only the posting, which
makes the text public anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from consult import audit, policy
from consult.accounts.models import User
from consult.delegation_drafts import kinds
from consult.delegation_drafts.models import DelegationDraft, DelegationDraftChange
from consult.errors import ServiceError
from consult.extensions import db
from consult.links import path_for
from consult.timeutil import utcnow
from consult.waiting import Waiting


class DraftError(ServiceError):
    """A draft that cannot be saved or posted as asked; the message is shown to the colleague."""

    field = "body"


class DraftConflict(DraftError):
    """A colleague saved the draft after this person opened it: their text is not stored, and
    the page shows both texts so that nothing is lost."""


def _kind(name: str) -> kinds.Kind:
    kind = kinds.get(name)
    if kind is None:
        raise DraftError(_("This kind of draft is not available."))
    return kind


def _clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DraftError(_("Write the text before saving the draft."))
    return body


def _note(draft: DelegationDraft, user: User, action: str) -> None:
    db.session.add(
        DelegationDraftChange(
            draft_id=draft.id,
            user_id=user.id,
            action=action,
            version=draft.version,
            title=draft.title,
            body=draft.body,
            fields=dict(draft.fields or {}),
        )
    )


def save_new(
    kind_name: str, target: Any, key: str | None, user: User, body: str, fields: dict
) -> DelegationDraft:
    """A new draft of `user`'s delegation on `target` (the caller loaded it through the policy)."""
    kind = _kind(kind_name)
    body = _clean(body)
    kind.check_target(target, key, user)
    room = kind.room_of(target)
    now = utcnow()
    draft = DelegationDraft(
        delegation_id=user.delegation_id,
        kind=kind.name,
        target_id=target.id,
        target_key=key,
        room_id=room.id,
        title=kind.describe(target, key, fields)[:300],
        body=body,
        fields=dict(fields),
        created_by_id=user.id,
        created_at=now,
        updated_by_id=user.id,
        updated_at=now,
    )
    db.session.add(draft)
    db.session.flush()
    _note(draft, user, "created")
    return draft


def _check_open(draft: DelegationDraft) -> None:
    if draft.posted_at is not None:
        raise DraftError(_("This draft has been posted; it can no longer be changed."))
    if draft.discarded_at is not None:
        raise DraftError(_("This draft was discarded; restore it first."))


def _check_version(draft: DelegationDraft, seen: int | None, user: User) -> None:
    if seen is None or seen != draft.version:
        raise DraftConflict(
            _(
                "A colleague saved this draft while you were editing it. Your text was not "
                "stored; both texts are shown below: copy what you need into yours, then save."
            )
        )


def _flush_or_conflict() -> None:
    """Flush; a save that lost a race with a colleague's (the row's version moved on between
    our read and our write) is refused like any other stale save."""
    try:
        db.session.flush()
    except StaleDataError:
        raise DraftConflict(
            _("A colleague saved this draft at the same moment. Your text was not stored.")
        ) from None


def edit(draft: DelegationDraft, user: User, *, seen: int | None, body: str, fields: dict) -> None:
    """Save a colleague's edit, refused when the draft changed since `seen` (its version)."""
    _check_open(draft)
    _check_version(draft, seen, user)
    kind = _kind(draft.kind)
    body = _clean(body)
    target = db.session.get(kind.target_model, draft.target_id)
    if target is None:
        raise DraftError(_("What this draft was written for is no longer there."))
    if body == draft.body and dict(fields) == dict(draft.fields or {}):
        return  # nothing changed: no new version, no history line
    title = kind.describe(target, draft.target_key, dict(fields))[:300]  # reads: before writing
    draft.body = body
    draft.fields = dict(fields)
    draft.title = title
    draft.updated_by_id = user.id
    draft.updated_at = utcnow()
    _flush_or_conflict()
    _note(draft, user, "edited")


def post(draft: DelegationDraft, user: User, *, seen: int | None) -> str:
    """Post the draft through its kind (the owning service checks everything); the draft is
    then closed and points to what was posted. A refusal leaves the draft as it was."""
    _check_open(draft)
    if seen is None or seen != draft.version:
        raise DraftConflict(
            _("A colleague changed this draft since you opened it. Read it again, then post it.")
        )
    kind = _kind(draft.kind)
    target = db.session.get(kind.target_model, draft.target_id)
    if target is None or not policy.can(policy.Need.VIEW, target, user):
        raise DraftError(_("What this draft was written for is no longer there."))
    url = kind.post(draft, target, user)
    draft.posted_at = utcnow()
    draft.posted_by_id = user.id
    draft.posted_url = url[:300]
    draft.updated_by_id = user.id
    draft.updated_at = draft.posted_at
    _flush_or_conflict()
    _note(draft, user, "posted")
    audit.record(
        "delegation_draft.posted",
        f"{user.name} posted a draft of {user.delegation.name}",
        actor=user,
        delegation_id=draft.delegation_id,
        room_id=draft.room_id,
        draft_id=draft.id,
        draft_kind=draft.kind,
    )
    return url


def discard(draft: DelegationDraft, user: User) -> None:
    """Set the draft aside (restore brings it back, with its history)."""
    _check_open(draft)
    draft.discarded_at = utcnow()
    draft.discarded_by_id = user.id
    draft.updated_by_id = user.id
    draft.updated_at = draft.discarded_at
    _flush_or_conflict()
    _note(draft, user, "discarded")


def restore(draft: DelegationDraft, user: User) -> None:
    """Undo a discard."""
    if draft.discarded_at is None:
        raise DraftError(_("This draft is not discarded."))
    draft.discarded_at = None
    draft.discarded_by_id = None
    draft.updated_by_id = user.id
    draft.updated_at = utcnow()
    _flush_or_conflict()
    _note(draft, user, "restored")


# ---- reading --------------------------------------------------------------------------------


@dataclass
class DraftLists:
    open: list[DelegationDraft]
    discarded: list[DelegationDraft]
    posted: list[DelegationDraft]


def drafts_of(user: User, limit: int = 50) -> DraftLists:
    """The drafts of `user`'s delegation that `user` may see: open, discarded, posted
    (three queries whatever their number; each draft's last editor loaded with it)."""
    base = (
        select(DelegationDraft)
        .where(policy.visible(DelegationDraft, user))
        .options(joinedload(DelegationDraft.updated_by))
        .order_by(DelegationDraft.updated_at.desc(), DelegationDraft.id.desc())
        .limit(limit)
    )
    return DraftLists(
        open=list(
            db.session.scalars(
                base.where(
                    DelegationDraft.posted_at.is_(None), DelegationDraft.discarded_at.is_(None)
                )
            )
        ),
        discarded=list(
            db.session.scalars(
                base.where(
                    DelegationDraft.posted_at.is_(None), DelegationDraft.discarded_at.is_not(None)
                )
            )
        ),
        posted=list(db.session.scalars(base.where(DelegationDraft.posted_at.is_not(None)))),
    )


def history(draft: DelegationDraft) -> list[DelegationDraftChange]:
    """Every step of the draft, oldest first, with who took it."""
    return list(
        db.session.scalars(
            select(DelegationDraftChange)
            .where(DelegationDraftChange.draft_id == draft.id)
            .options(selectinload(DelegationDraftChange.user))
            .order_by(DelegationDraftChange.id)
        )
    )


def open_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(DelegationDraft.id)).where(
                policy.visible(DelegationDraft, user),
                DelegationDraft.posted_at.is_(None),
                DelegationDraft.discarded_at.is_(None),
            )
        )
        or 0
    )


def waiting(user: User) -> list[Waiting]:
    """The dashboard's "waiting for you": the open drafts of the person's delegation."""
    drafts = db.session.scalars(
        select(DelegationDraft)
        .where(
            policy.visible(DelegationDraft, user),
            DelegationDraft.posted_at.is_(None),
            DelegationDraft.discarded_at.is_(None),
        )
        .order_by(DelegationDraft.updated_at.desc())
        .limit(20)
    )
    return [
        Waiting(
            kind=_("Draft of your delegation"),
            title=draft.title,
            url=path_for("delegation_drafts.draft", draft_id=draft.id),
            since=draft.updated_at,
        )
        for draft in drafts
    ]
