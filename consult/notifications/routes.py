"""The notifications page."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user

from consult.htmx import redirect, render
from consult.notifications import services
from consult.policy import protected
from consult.transaction import commit

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@protected
def index():
    return render(
        "notifications/index.html",
        "notifications/_list.html",
        notifications=services.recent(current_user._get_current_object()),
    )


@bp.route("/read", methods=["POST"])
@protected
def mark_read():
    services.mark_all_read(current_user._get_current_object())
    commit()
    return redirect(url_for("notifications.index"))
