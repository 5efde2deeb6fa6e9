"""The dashboard ("My rooms"), the language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import text

from consult import dashboard as sections
from consult import i18n, waiting
from consult.accounts import services as accounts
from consult.extensions import db
from consult.handlers import handler
from consult.htmx import redirect, render
from consult.links import local_path
from consult.rooms import services as rooms

bp = Blueprint("core", __name__)


@bp.route("/")
@handler()
def dashboard():
    rows, latest = rooms.dashboard(current_user)
    return render(
        "core/dashboard.html",
        "core/_my_rooms.html",
        rows=rows,
        latest=latest,
        waiting=waiting.for_person(current_user),
        sections=sections.sections(current_user),
    )


@bp.route("/language", methods=["POST"])
@handler(public=True)
def switch_language():
    """The switch in the header, also before sign-in: remembered in this browser and, for a
    signed-in person, on the profile."""
    code = i18n.offered_or_default(request.form.get("language")) or i18n.DEFAULT
    if current_user.is_authenticated:
        accounts.update_profile(current_user, language=code)
    back = local_path(request.form.get("next")) or url_for("core.dashboard")
    return i18n.remember(redirect(back), code)


@bp.route("/health")
@handler(public=True)
def health():
    """For load balancers: answers 200 when the database answers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
