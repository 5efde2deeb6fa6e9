"""The notifications page."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user

from consult.handlers import handler
from consult.htmx import redirect, render
from consult.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@handler()
def index():
    return render(
        "notifications/index.html",
        "notifications/_list.html",
        notifications=services.recent(current_user._get_current_object()),
    )


@bp.route("/read", methods=["POST"])
@handler()
def mark_read():
    services.mark_all_read(current_user._get_current_object())
    return redirect(url_for("notifications.index"))
