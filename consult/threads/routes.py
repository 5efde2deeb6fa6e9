"""Confidential thread pages. Every view loads through the policy (404 for outsiders), then
passes the confidential gate (two-factor sign-in, fresh after idle time), and answers with
`Cache-Control: no-store`."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult import drafts, policy
from consult.accounts.models import User
from consult.extensions import db
from consult.forms import Form
from consult.htmx import redirect, render
from consult.ids import parse_id, parse_int
from consult.markdown import Renderable
from consult.policy import Need, can, load, protected
from consult.rooms.models import AccessLevel, Room
from consult.threads import services
from consult.threads.models import Attachment, Marking, Post, Thread, ThreadStatus
from consult.threads.policy import may_post_in_room, personal_membership
from consult.transaction import commit, writing

bp = Blueprint("threads", __name__)
MARKING_CHOICES = [(m.value, f"{m.value}: {m.meaning}") for m in Marking]


class ThreadForm(Form):
    title = StringField(_("Title"), validators=[DataRequired(), Length(max=300)])
    marking = SelectField(
        _("Handling marking"), choices=MARKING_CHOICES, default=Marking.AMBER_STRICT.value
    )
    case_reference = StringField(
        _("Case reference (optional)"), validators=[Optional(), Length(max=120)]
    )
    need_to_know = BooleanField(_("Need-to-know: only the members I choose see this thread"))
    audience = SelectMultipleField(_("Members who may see it"), coerce=int, validators=[Optional()])
    body = TextAreaField(
        _("First post (Markdown; remote images are never shown)"),
        validators=[DataRequired(), Length(max=services.MAX_POST_LENGTH), Renderable()],
    )


class PostForm(Form):
    body = TextAreaField(
        _("Post (Markdown)"),
        validators=[DataRequired(), Length(max=services.MAX_POST_LENGTH), Renderable()],
    )
    attachment = FileField(_("Attachment (optional: PDF, Word, Excel, CSV, text, image)"))


idle_remaining = policy.idle_remaining
is_fresh = policy.is_fresh


def _come_back_to() -> str:
    """Where to return after signing in again: a GET comes back to itself; a form's POST to
    the page with the form (its URL reopened as a GET would only say "Not allowed")."""
    if request.method == "GET":
        return request.full_path
    if (page := drafts.keep_for_fresh_sign_in()) is not None:
        return page
    if thread_id := (request.view_args or {}).get("thread_id"):
        return url_for("threads.thread", thread_id=thread_id)
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path  # the page the form was on (a brief, a post's thread)
    return url_for("core.dashboard")


def gate_closed() -> str | None:
    """The confidential gate (consult.policy.gate_closed), for any confidential content."""
    return policy.gate_closed()


def _gate():
    """Two-factor sign-in, and a fresh one after the idle time; None when the person may go on."""
    g.no_store = True
    closed = gate_closed()
    if closed == "two_factor":
        flash(_("Confidential rooms need two-factor sign-in. Turn it on first."), "info")
        return redirect(url_for("accounts.two_factor_setup", next=_come_back_to()))
    if closed == "fresh":
        return redirect(url_for("accounts.reauthenticate", next=_come_back_to()))
    session["confidential_seen"] = time.time()
    # base.html then warns before the idle limit and offers to stay (static/js/idle.js).
    g.confidential_idle = idle_remaining()
    return None


@bp.route("/confidential/idle", methods=["GET", "POST"])
@protected
def idle():
    """The seconds left before the idle limit; POST "stays" (renews the idle clock), but only
    while it has not run out: an expired or ended session is never extended."""
    g.no_store = True
    extended = request.method == "POST" and is_fresh()
    if extended:
        session["confidential_seen"] = time.time()
    return jsonify(remaining=round(idle_remaining()), extended=extended)


def _thread(thread_id: int, need: Need = Need.VIEW):
    thread = load(Thread, thread_id, need)
    return thread, db.session.get(Room, thread.room_id)


def _thread_page(thread: Thread, room: Room, status: int = 200, form: PostForm | None = None):
    services.record_read(thread, current_user)
    commit()
    posts = services.posts_for(thread, current_user)
    kept = drafts.offered("threads.post", thread_id=thread.id) if form is None else None
    if kept is not None:
        form = PostForm(formdata=None, data=kept.values)
    return render(
        "threads/thread.html",
        thread=thread,
        room=room,
        posts=posts,
        attachments=services.attachments_of(posts),
        readers=services.readers(thread),
        participants=services.participants(thread) if thread.is_need_to_know else [],
        members=services.room_members(room),
        form=form or PostForm(formdata=None),
        kept=kept,
        originates=can(Need.ORIGINATE, thread),
        manages=can(Need.MANAGE, thread),
        takes_part=can(Need.TAKE_PART, thread),
        markings=list(Marking),
        visible_from=services.visible_from(thread, current_user),
        status=status,
    )


def _room_by_slug(slug: str) -> Room | None:
    return db.session.scalars(select(Room).where(Room.slug == slug)).first()


def _thread_or_none(thread_id: int) -> Thread | None:
    return db.session.get(Thread, thread_id)


@bp.route("/rooms/<slug>/threads/new", methods=["GET", "POST"])
@drafts.keepable(
    text=("title", "case_reference", "body"),
    extra=("marking",),
    page=lambda slug: url_for("threads.new_thread", slug=slug),
    target=_room_by_slug,
)
@protected
def new_thread(slug: str):
    room = load(Room, slug, by="slug")
    if (
        room.access is not AccessLevel.CONFIDENTIAL
        or personal_membership(current_user, room) is None
    ):
        abort(404)
    if (gate := _gate()) is not None:
        return gate
    if not may_post_in_room(current_user, room):
        abort(403)
    kept = None if request.method == "POST" else drafts.offered("threads.new_thread", slug=slug)
    form = ThreadForm(data=kept.values) if kept is not None else ThreadForm()
    members = [u for u in services.room_members(room) if u.id != current_user.id]
    form.audience.choices = [(u.id, f"{u.name} ({u.delegation.name})") for u in members]
    if form.validate_on_submit():
        audience = (
            [u for u in members if u.id in (form.audience.data or [])]
            if form.need_to_know.data
            else None
        )
        try:
            thread = services.create_thread(
                room,
                current_user,
                title=form.title.data,
                marking=Marking(form.marking.data),
                body=form.body.data,
                case_reference=form.case_reference.data or "",
                audience=audience,
            )
        except services.ThreadError as error:
            form.title.errors = [*form.title.errors, str(error)]
        else:
            drafts.forget("threads.new_thread", slug=slug)
            commit()
            return redirect(url_for("threads.thread", thread_id=thread.id))
    status = 422 if form.is_submitted() else 200
    return render("threads/new.html", form=form, room=room, kept=kept, status=status)


@bp.route("/threads/<int:thread_id>")
@protected
@writing()  # records the read, then shows the thread
def thread(thread_id: int):
    thread, room = _thread(thread_id)
    if (gate := _gate()) is not None:
        return gate
    return _thread_page(thread, room)


@bp.route("/threads/<int:thread_id>/posts", methods=["POST"])
@drafts.keepable(
    text=("body",),
    files=("attachment",),
    page=lambda thread_id: url_for("threads.thread", thread_id=thread_id),
    target=_thread_or_none,
)
@protected
def post(thread_id: int):
    thread, room = _thread(thread_id, Need.TAKE_PART)
    if (gate := _gate()) is not None:
        return gate
    form = PostForm()
    if form.validate_on_submit():
        upload = form.attachment.data
        files = []
        if upload and getattr(upload, "filename", ""):
            limit = current_app.config["MAX_ATTACHMENT_BYTES"]
            files.append((upload.filename, upload.read(limit + 1)))
        try:
            services.add_post(thread, current_user, form.body.data, files)
        except services.ThreadError as error:
            form.body.errors = [*form.body.errors, str(error)]
        else:
            drafts.forget("threads.post", thread_id=thread.id)
            commit()
            return redirect(url_for("threads.thread", thread_id=thread.id) + "#latest")
    return _thread_page(thread, room, status=422, form=form)


@bp.route("/attachments/<int:attachment_id>")
@protected
@writing()  # records who opened the attachment
def attachment(attachment_id: int):
    item = load(Attachment, attachment_id)
    if (gate := _gate()) is not None:
        return gate
    post_ = db.session.get(Post, item.post_id)
    thread_ = db.session.get(Thread, post_.thread_id)
    services.record_read(thread_, current_user, item)
    commit()
    response = Response(services.read_attachment(item), mimetype=item.content_type)
    response.headers["Content-Disposition"] = "attachment"
    return response


@bp.route("/threads/<int:thread_id>/marking", methods=["POST"])
@protected
def marking(thread_id: int):
    thread, room = _thread(thread_id)
    if (gate := _gate()) is not None:
        return gate
    try:
        value = Marking(request.form.get("marking", ""))
        services.set_marking(thread, current_user, value, originates=can(Need.ORIGINATE, thread))
    except ValueError as error:
        flash(
            str(error)
            if isinstance(error, services.ThreadError)
            else _("Choose a marking from the list."),
            "error",
        )
        return _thread_page(thread, room, status=422)
    commit()
    return redirect(url_for("threads.thread", thread_id=thread.id))


@bp.route("/threads/<int:thread_id>/audience", methods=["POST"])
@protected
def widen(thread_id: int):
    thread, room = _thread(thread_id, Need.ORIGINATE)
    if (gate := _gate()) is not None:
        return gate
    ids = {parse_id(i) for i in request.form.getlist("user")}
    people = [u for u in services.room_members(room) if u.id in ids]
    try:
        if not people or len(people) != len(ids):
            raise services.ThreadError(_("Choose members of the room to add."))
        services.widen(thread, current_user, people)
    except services.ThreadError as error:
        flash(str(error), "error")
        return _thread_page(thread, room, status=422)
    commit()
    return redirect(url_for("threads.thread", thread_id=thread.id))


@bp.route("/threads/<int:thread_id>/history/<int:user_id>", methods=["POST"])
@protected
def grant_history(thread_id: int, user_id: int):
    thread, room = _thread(thread_id, Need.ORIGINATE)
    if (gate := _gate()) is not None:
        return gate
    person = db.session.get(User, user_id)
    try:
        if person is None or person.id not in {u.id for u in services.room_members(room)}:
            raise services.ThreadError(_("Choose a member of the room."))
        services.grant_history(thread, current_user, person)
    except services.ThreadError as error:
        flash(str(error), "error")
        return _thread_page(thread, room, status=422)
    commit()
    return redirect(url_for("threads.thread", thread_id=thread.id))


@bp.route("/threads/<int:thread_id>/exports", methods=["POST"])
@protected
def exports(thread_id: int):
    thread, room = _thread(thread_id, Need.ORIGINATE)
    if (gate := _gate()) is not None:
        return gate
    try:
        services.allow_exports(thread, current_user, request.form.get("allowed") == "1")
    except services.ThreadError as error:
        flash(str(error), "error")
        return _thread_page(thread, room, status=422)
    commit()
    return redirect(url_for("threads.thread", thread_id=thread.id))


@bp.route("/threads/<int:thread_id>/export.txt")
@protected
@writing()  # the export is audited
def export(thread_id: int):
    thread, room = _thread(thread_id)
    if (gate := _gate()) is not None:
        return gate
    try:
        text = services.export_text(thread, current_user)
    except services.ThreadError as error:
        flash(str(error), "error")
        return _thread_page(thread, room, status=403)
    commit()
    response = Response(text, mimetype="text/plain; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="thread-{thread.id}.txt"'
    return response


@bp.route("/threads/<int:thread_id>/status", methods=["POST"])
@protected
def set_status(thread_id: int):
    thread, room = _thread(thread_id, Need.MANAGE)
    if (gate := _gate()) is not None:
        return gate
    value = request.form.get("status")
    if value not in {s.value for s in ThreadStatus}:
        flash(_("Choose open or closed."), "error")
        return _thread_page(thread, room, status=422)
    services.set_status(thread, current_user, ThreadStatus(value))
    commit()
    return redirect(url_for("threads.thread", thread_id=thread.id))


@bp.route("/threads/<int:thread_id>/retention", methods=["POST"])
@protected
def retention(thread_id: int):
    thread, room = _thread(thread_id, Need.MANAGE)
    if (gate := _gate()) is not None:
        return gate
    raw = request.form.get("days", "").strip()
    try:
        days = parse_int(raw, minimum=1) if raw else None
        if raw and days is None:
            raise ValueError(raw)
        services.set_retention(thread, current_user, days)
    except (ValueError, services.ThreadError):
        flash(_("Give a number of days between 1 and 3650, or leave it empty."), "error")
        return _thread_page(thread, room, status=422)
    commit()
    flash(_("The retention period is saved."), "success")
    return redirect(url_for("threads.thread", thread_id=thread.id))


@bp.route("/posts/<int:post_id>/purge", methods=["POST"])
@protected
def purge(post_id: int):
    post_ = load(Post, post_id, Need.MANAGE)
    thread_ = db.session.get(Thread, post_.thread_id)
    if (gate := _gate()) is not None:
        return gate
    services.purge_post(post_, current_user, request.form.get("reason", ""))
    commit()
    flash(_("The post was purged."), "success")
    return redirect(url_for("threads.thread", thread_id=thread_.id))


def room_threads(room: Room, user):
    """The thread list on a confidential room's page, for its named members only."""
    if room.access is not AccessLevel.CONFIDENTIAL:
        return None
    member = personal_membership(user, room) is not None
    fresh = member and is_fresh()
    g.no_store = True
    return "threads/_room_threads.html", {
        "room": room,
        "member": member,
        "fresh": fresh,
        "threads": services.visible_threads(room, user) if fresh else [],
        "may_post": may_post_in_room(user, room),
    }


__all__ = ["bp", "select"]


@bp.route("/people/<int:user_id>/confidential-history", methods=["GET", "POST"])
@protected
def grant_predecessor_history(user_id: int):
    """The departing person's delegation grants their successor the confidential history.

    One explicit, audited step, confirmed on this page, for the focal point (or the person,
    before they leave). Only counts are shown: the focal point may not be in the room.
    """
    from consult.accounts.forms import GrantHistoryForm

    predecessor = load(User, user_id, Need.GRANT_HISTORY)
    successor = db.session.get(User, predecessor.successor_id) if predecessor.successor_id else None
    form = GrantHistoryForm()
    plan = services.history_plan(predecessor, successor) if successor is not None else None
    if successor is not None and form.validate_on_submit():
        granted, withheld = services.grant_predecessor_history(
            predecessor, successor, current_user._get_current_object()
        )
        commit()
        flash(services.history_sentence(successor, granted, withheld), "success")
        return redirect(
            url_for("accounts.delegation_page", delegation_id=predecessor.delegation_id)
        )
    status = 422 if form.is_submitted() else 200
    return render(
        "threads/grant_history.html",
        predecessor=predecessor,
        successor=successor,
        plan=plan,
        form=form,
        status=status,
    )
