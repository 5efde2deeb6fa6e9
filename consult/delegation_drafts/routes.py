"""Delegation drafts: save from a form, the drafts page, edit with history, post, discard."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import policy
from consult.delegation_drafts import kinds, services
from consult.delegation_drafts.forms import DraftForm
from consult.delegation_drafts.models import DelegationDraft
from consult.delegation_drafts.policy import target_of
from consult.handlers import Load, handler
from consult.htmx import redirect, render, wants_fragment
from consult.ids import parse_id
from consult.papers.redline import redline_html
from consult.policy import Need

bp = Blueprint("delegation_drafts", __name__)


def template_helpers() -> dict[str, Any]:
    """`delegation_draft_url(kind, target_id, key)`: where a form's "Save as a draft of ..."
    button sends its text (None when the kind is not registered or nobody is signed in)."""

    def delegation_draft_url(kind: str, target_id: int, key: str | None = None) -> str | None:
        if kinds.get(kind) is None or policy.acting_user() is None:
            return None
        return url_for("delegation_drafts.save_new", kind=kind, target_id=target_id, key=key)

    return {"delegation_draft_url": delegation_draft_url}


def _form(kind: kinds.Kind, target: Any, **data: Any) -> DraftForm:
    form = kind.form(**data)
    if kind.prepare is not None:
        kind.prepare(form, current_user, target)
    return form


@bp.route("/delegation-drafts")
@handler()
def index():
    """The drafts of the person's delegation (what they may see of them)."""
    return render(
        "delegation_drafts/index.html",
        lists=services.drafts_of(current_user),
        kinds=kinds.all_kinds(),
    )


@bp.route("/delegation-drafts/new/<kind>/<int:target_id>", methods=["POST"])
@handler(field="body")
def save_new(kind: str, target_id: int):
    """Save what was typed in a form (a comment ...) as a draft of the person's delegation."""
    found = kinds.get(kind)
    if found is None:
        abort(404)
    target = policy.load(found.target_model, target_id)
    key = request.args.get("key") or None
    form = _form(found, target)
    if form.validate_on_submit():
        draft = services.save_new(
            found.name, target, key, current_user, form.body.data, found.fields_from(form)
        )
        flash(
            _(
                "Saved as a draft of %(delegation)s. Your colleagues can read, edit and post it; "
                "nobody else sees it.",
                delegation=current_user.delegation.name,
            ),
            "success",
        )
        return redirect(url_for("delegation_drafts.draft", draft_id=draft.id))
    context = dict(
        form=form, kind=found, target=target, key=key, target_url=found.target_url(target, key)
    )
    if wants_fragment():
        # The button sits in another domain's fragment: show this form in the page's main
        # area instead, with the message next to the text and the text kept.
        response = make_response(render_template("delegation_drafts/_new.html", **context), 422)
        response.headers["HX-Retarget"] = "#main"
        response.headers["HX-Reswap"] = "innerHTML"
        response.vary.add("HX-Request")
        return response
    return render("delegation_drafts/new.html", status=422, **context)


def _draft_page(draft: DelegationDraft, form: DraftForm | None = None, status: int = 200):
    kind = kinds.get(draft.kind)
    target = target_of(draft)
    if kind is None or target is None:
        abort(404)
    if form is None:
        form = _form(kind, target, formdata=None)
        form.body.data = draft.body
        kind.fill(form, draft.fields or {})
    submitted = form.version.data if form.is_submitted() else draft.version
    changes = services.history(draft)
    previous = ""
    lines = []
    for change in changes:
        lines.append((change, redline_html(previous, change.body)))
        previous = change.body
    return render(
        "delegation_drafts/draft.html",
        status=status,
        draft=draft,
        kind=kind,
        target=target,
        target_url=kind.target_url(target, draft.target_key),
        form=form,
        conflict=form.is_submitted() and submitted != draft.version,
        stored_by=changes[-1].user if changes else None,
        closed_reason=kind.closed_reason(target, draft.target_key, current_user)
        if draft.is_open
        else None,
        history=list(reversed(lines)),
    )


@bp.route("/delegation-drafts/<int:draft_id>", methods=["GET", "POST"])
@handler(draft=Load(DelegationDraft, Need.AUTHOR), field="body")
def draft(draft: DelegationDraft):
    """A draft: its text to edit (one version at a time), how to post it, and its history."""
    if request.method == "GET":
        return _draft_page(draft)
    kind = kinds.get(draft.kind)
    if kind is None:
        abort(404)
    form = _form(kind, target_of(draft))
    if form.validate_on_submit():
        services.edit(
            draft,
            current_user,
            seen=form.version.data,
            body=form.body.data,
            fields=kind.fields_from(form),
        )
        flash(_("The draft is saved."), "success")
        return redirect(url_for("delegation_drafts.draft", draft_id=draft.id))
    return _draft_page(draft, form, status=422)


def _back_to_draft(draft: DelegationDraft) -> str:
    return url_for("delegation_drafts.draft", draft_id=draft.id)


@bp.route("/delegation-drafts/<int:draft_id>/post", methods=["POST"])
@handler(draft=Load(DelegationDraft, Need.AUTHOR), refused=_back_to_draft)
def post(draft: DelegationDraft):
    """Post the draft (through the owning domain's service); a refusal keeps the draft."""
    # The version the colleague saw (posting a text they have not read is refused).
    url = services.post(draft, current_user, seen=parse_id(request.form.get("version", "")))
    flash(_("The draft is posted."), "success")
    return redirect(url)


@bp.route("/delegation-drafts/<int:draft_id>/discard", methods=["POST"])
@handler(draft=Load(DelegationDraft, Need.AUTHOR), refused=_back_to_draft)
def discard(draft: DelegationDraft):
    """Set a draft aside; it stays under "Discarded drafts" with a Restore button."""
    services.discard(draft, current_user)
    flash(
        _(
            "The draft “%(title)s” is discarded. Restore it from “Discarded drafts” below if "
            "that was a mistake.",
            title=draft.title,
        ),
        "success",
    )
    return redirect(url_for("delegation_drafts.index") + "#discarded")


@bp.route("/delegation-drafts/<int:draft_id>/restore", methods=["POST"])
@handler(draft=Load(DelegationDraft, Need.AUTHOR), refused=_back_to_draft)
def restore(draft: DelegationDraft):
    """Undo a discard."""
    services.restore(draft, current_user)
    flash(_("The draft is restored."), "success")
    return redirect(_back_to_draft(draft))
