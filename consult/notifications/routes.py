"""The notifications page."""

from __future__ import annotations

from flask import Blueprint, abort, url_for
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


@bp.route("/<int:notification_id>/open", endpoint="open")
@handler(writes=True)
def open_notification(notification_id: int):
    """The recipient opens a notification: marked read, then on to what it speaks of (its
    link goes through the policy again). Anyone else's, or one no longer listed: 404."""
    notification = services.open_for(current_user._get_current_object(), notification_id)
    if notification is None or not _inside(notification.link):
        abort(404)
    return redirect(notification.link)


@bp.route("/badge")
@handler()
def badge():
    """The unread count in the header, re-fetched when a notification arrives (with the
    words a screen reader announces)."""
    return render(
        "notifications/_badge.html",
        "notifications/_badge.html",
        unread=services.unread_count(current_user._get_current_object()),
        announce=True,
    )


def _inside(link: str) -> bool:
    """A path of this site (the links are ours; never follow one elsewhere)."""
    return link.startswith("/") and not link.startswith("//") and "\\" not in link
