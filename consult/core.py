"""The dashboard ("My rooms") and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user
from sqlalchemy import text

from consult import dashboard as sections
from consult import waiting
from consult.extensions import db
from consult.handlers import handler
from consult.htmx import render
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


@bp.route("/health")
@handler(public=True)
def health():
    """For load balancers: answers 200 when the database answers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
