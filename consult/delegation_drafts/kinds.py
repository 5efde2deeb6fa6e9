"""What a delegation draft can become: one registered kind per thing a delegation posts.

A kind says what it targets (a paper and one of its paragraphs for a comment, a topic for a
reply, a room for a national contribution), how to load that target and check it may still
take the text, which form edits the draft, and how to post it through the owning domain's
service. The drafts package imports no kind's domain; each kind is added with `add(app, kind)`
from `consult.delegation_drafts.register` (docs/exchange.md, "Delegation drafts", shows how).
A draft whose kind is not registered in this app is seen by nobody (deny by default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from consult.delegation_drafts.models import DelegationDraft

_KEY = "consult.delegation_draft_kinds"


@dataclass(frozen=True)
class Kind:
    """One kind of delegation draft.

    - `target_model`: the model `DelegationDraft.target_id` points to; a draft is seen only by
      colleagues who may see its target (`policy.visible(target_model)` / `can(VIEW, target)`);
    - `room_of(target)`: the room the target is in;
    - `describe(target, key, fields)`: the draft's title line ("Comment on ¶3 of WP.1"), for
      the drafts page and the dashboard (seen only inside the delegation);
    - `check_target(target, key, user)`: raise a `ServiceError` when the draft cannot be saved
      on this target (a paragraph that is not in the current text ...);
    - `closed_reason(target, key, user)`: why it cannot be posted now, or None (shown on the
      draft's page; posting asks the owning service anyway);
    - `post(draft, target, user) -> url`: post the text through the owning domain's service
      (which makes every check and may refuse with a `ServiceError`) and return where it is;
    - `form`: the Form class editing it (`forms.DraftForm` and the kind's own fields);
      `fields_from(form) -> dict` and `fill(form, fields)` move the kind's fields in and out;
    - `template`: the fragment with the kind's own form fields (under templates/).
    """

    name: str
    label: Any
    target_model: type
    room_of: Callable[[Any], Any]
    describe: Callable[[Any, str | None, dict], str]
    check_target: Callable[[Any, str | None, Any], None]
    closed_reason: Callable[[Any, str | None, Any], str | None]
    post: Callable[[DelegationDraft, Any, Any], str]
    form: type
    fields_from: Callable[[Any], dict]
    fill: Callable[[Any, dict], None]
    template: str
    #: The target's page, for the draft's "where" link.
    target_url: Callable[[Any, str | None], str]
    #: Fill the form's choices for this person and target (selects), before it validates or
    #: renders: `prepare(form, user, target)`.
    prepare: Callable[[Any, Any, Any], None] | None = None


def add(app: Flask, kind: Kind) -> None:
    """Register `kind` in `app` (one call per kind, from a register(app))."""
    app.extensions.setdefault(_KEY, {})[kind.name] = kind


def all_kinds() -> dict[str, Kind]:
    return current_app.extensions.get(_KEY, {})


def get(name: str) -> Kind | None:
    return all_kinds().get(name)
