"""The Secretariat's taxonomy pages: edit, order and retire the stages, sub-topics and
transfer activities (the blueprint asks for the Secretariat's power before any view)."""

from __future__ import annotations

from flask import Blueprint

from consult.policy import Need, acting_user, require

bp = Blueprint("taxonomy", __name__, url_prefix="/admin/taxonomy")


@bp.before_request
def _secretariat_only() -> None:
    """404 to anyone signed in without the Secretariat's power (as consult.admin does)."""
    if acting_user() is not None:
        require(Need.ADMINISTER)
