"""A person's kept text (consult.drafts): discarding what they no longer want.

The views are the accounts domain's, under the blueprint's own name (`drafts.*`): the handler
layer reads consult.drafts, so consult.drafts imports neither it nor the people it keeps for.
"""

from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import gettext as _

from consult import drafts
from consult.drafts import KeptDraft
from consult.handlers import Load, handler
from consult.htmx import redirect
from consult.policy import Need

bp = Blueprint("drafts", __name__)


@bp.route("/kept/<int:draft_id>/discard", methods=["POST"])
@handler(draft=Load(KeptDraft, Need.MANAGE))  # its author's alone: 404 for anyone else
def discard(draft: KeptDraft):
    """The author no longer wants the kept text (asked to confirm in the page first)."""
    page = drafts.discard(draft)
    flash(_("The kept text was discarded."), "success")
    return redirect(page)
