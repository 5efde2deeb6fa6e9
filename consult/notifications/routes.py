"""The notifications page, the e-mail settings, and the one-click unsubscribe of an e-mail."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import audit
from consult.extensions import csrf
from consult.handlers import handler
from consult.htmx import redirect, render
from consult.notifications import mailing, services

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


@bp.route("/settings", methods=["GET", "POST"])
@handler()
def settings():
    """Per kind: immediately, a daily or weekly digest, or never."""
    user = current_user._get_current_object()
    current = mailing.preferences(user)
    if request.method == "POST":
        changed = []
        for kind in current:
            chosen = request.form.get(f"cadence-{kind}")
            if chosen is None:
                continue
            if chosen not in mailing.CADENCES:
                abort(400)
            if chosen != current[kind]:
                mailing.set_preference(user, kind, chosen)
                changed.append(f"{kind}={chosen}")
        if changed:
            audit.record(
                "mail.preferences", f"{user.name} changed e-mail settings: {', '.join(changed)}"
            )
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render(
        "notifications/settings.html",
        sections=mailing.SECTIONS,
        current=current,
        cadences=mailing.CADENCE_LABELS,
        email=user.email,
    )


def _unsubscribe_target(token: str):
    found = mailing.read_unsubscribe(token)
    if isinstance(found, str):
        return None, found
    return found, None


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@handler(public=True)
@csrf.exempt
def unsubscribe(token: str):
    """From an e-mail: GET asks, POST (the button, or a mail client's one-click) stops this
    kind. A link tampered with or expired says so, and nothing changes."""
    target, problem = _unsubscribe_target(token)
    if target is None:
        return render("notifications/unsubscribe.html", problem=problem, status=400)
    user, kind = target
    what = (
        str(mailing.CADENCE_LABELS[kind]).lower()
        if kind in (mailing.DAILY, mailing.WEEKLY)
        else mailing.label_of(kind)
    )
    if request.method == "POST":
        if kind in (mailing.DAILY, mailing.WEEKLY):
            for each, cadence in mailing.preferences(user).items():
                if cadence == kind:
                    mailing.set_preference(user, each, mailing.NEVER)
        else:
            mailing.set_preference(user, kind, mailing.NEVER)
        audit.record("mail.unsubscribed", f"{user.name} stopped e-mails: {kind}", actor=user)
        return render("notifications/unsubscribe.html", done=True, what=what)
    return render("notifications/unsubscribe.html", token=token, what=what, email=user.email)


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
