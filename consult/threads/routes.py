"""Confidential thread pages. Every view goes through the handler layer (consult.handlers):
it loads through the policy (404 for outsiders), passes the confidential gate (two-factor
sign-in, fresh after idle time: threads, posts and attachments are behind it) and answers with
`Cache-Control: no-store`."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, flash, g, jsonify, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import drafts, policy
from consult.accounts.models import User
from consult.downloads import TEXT_TYPE, download
from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.policy import Need, can
from consult.rooms.models import AccessLevel, Room
from consult.threads import services
from consult.threads.forms import (
    AudienceForm,
    ExportsForm,
    MarkingForm,
    PostForm,
    PurgeForm,
    RetentionForm,
    StatusForm,
    ThreadForm,
)
from consult.threads.models import Attachment, Forum, Marking, Post, Thread, ThreadStatus
from consult.threads.policy import exportable, forum_of, visible_from

bp = Blueprint("threads", __name__)


@bp.route("/confidential/idle", methods=["GET", "POST"])
@handler()
def idle():
    """The seconds left before the idle limit; POST "stays" (renews the idle clock), but only
    while it has not run out: an expired or ended session is never extended."""
    g.no_store = True
    extended = request.method == "POST" and policy.is_fresh()
    if extended:
        session["confidential_seen"] = time.time()
    return jsonify(remaining=round(policy.idle_remaining()), extended=extended)


def _thread_page(thread: Thread, status: int = 200, **forms):
    """The thread with its posts; a refused form of the page comes back with its message."""
    room = db.session.get(Room, thread.room_id)
    posts = services.posts_for(thread, current_user)
    form = forms.pop("form", None)
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
        markings=list(Marking),
        exportable=exportable(thread),
        visible_from=visible_from(thread, current_user),
        status=status,
        **forms,
    )


def _forum_by_slug(slug: str) -> Forum | None:
    room = db.session.scalars(db.select(Room).where(Room.slug == slug)).first()
    return forum_of(room) if room is not None else None


def _thread_or_none(thread_id: int, **_args) -> Thread | None:
    return db.session.get(Thread, thread_id)


def _thread_url(thread_id: int, **_args) -> str:
    return url_for("threads.thread", thread_id=thread_id)


def _back_to_thread(thread: Thread) -> str:
    return url_for("threads.thread", thread_id=thread.id)


#: A thread page's small forms keep no text, but name their page: after a fresh sign-in the
#: person comes back to the thread (consult.drafts.keep_for_fresh_sign_in).
_on_thread_page = drafts.keepable(text=(), page=_thread_url, target=_thread_or_none)


@bp.route("/rooms/<slug>/threads/new", methods=["GET", "POST"])
@drafts.keepable(
    text=("title", "case_reference", "body"),
    extra=("marking",),
    page=lambda slug: url_for("threads.new_thread", slug=slug),
    target=_forum_by_slug,
)
@handler(forum=Load(Forum, Need.TAKE_PART, by="slug"), field="title")
def new_thread(forum: Forum):
    room = db.session.get(Room, forum.id)
    kept = (
        None if request.method == "POST" else drafts.offered("threads.new_thread", slug=room.slug)
    )
    form = ThreadForm(data=kept.values) if kept is not None else ThreadForm()
    members = [u for u in services.room_members(room) if u.id != current_user.id]
    form.audience.choices = [(u.id, f"{u.name} ({u.delegation.name})") for u in members]
    if form.validate_on_submit():
        audience = (
            [u for u in members if u.id in (form.audience.data or [])]
            if form.need_to_know.data
            else None
        )
        thread = services.create_thread(
            room,
            current_user,
            title=form.title.data,
            marking=Marking(form.marking.data),
            body=form.body.data,
            case_reference=form.case_reference.data or "",
            audience=audience,
        )
        drafts.forget("threads.new_thread", slug=room.slug)
        return redirect(url_for("threads.thread", thread_id=thread.id))
    status = 422 if form.is_submitted() else 200
    return render("threads/new.html", form=form, room=room, kept=kept, status=status)


@bp.route("/threads/<int:thread_id>")
@handler(thread=Load(Thread), writes=True)  # records the read, then shows the thread
def thread(thread: Thread):
    services.record_read(thread, current_user)
    return _thread_page(thread)


@bp.route("/threads/<int:thread_id>/posts", methods=["POST"])
@drafts.keepable(
    text=("body",),
    files=("attachment",),
    page=_thread_url,
    target=_thread_or_none,
)
@handler(thread=Load(Thread, Need.TAKE_PART), field="body")
def post(thread: Thread):
    form = PostForm()
    if form.validate_on_submit():
        upload = form.attachment.data
        files = []
        if upload and getattr(upload, "filename", ""):
            limit = current_app.config["MAX_ATTACHMENT_BYTES"]
            files.append((upload.filename, upload.read(limit + 1)))
        services.add_post(thread, current_user, form.body.data, files)
        drafts.forget("threads.post", thread_id=thread.id)
        return redirect(url_for("threads.thread", thread_id=thread.id) + "#latest")
    return _thread_page(thread, status=422, form=form)


@bp.route("/attachments/<int:attachment_id>")
@handler(item=Load(Attachment, arg="attachment_id"), writes=True)  # records who opened it
def attachment(item: Attachment):
    post_ = db.session.get(Post, item.post_id)
    services.record_read(db.session.get(Thread, post_.thread_id), current_user, item)
    response = Response(services.read_attachment(item), content_type=item.content_type)
    response.headers["Content-Disposition"] = "attachment"
    return response


@bp.route("/threads/<int:thread_id>/marking", methods=["POST"])
@_on_thread_page
@handler(thread=Load(Thread), field="marking")
def marking(thread: Thread):
    form = MarkingForm()
    if form.validate_on_submit():
        value = Marking(form.marking.data)
        if value.level < thread.marking.level:
            policy.authorise(thread, Need.LOWER_MARKING)  # 403: only the originators lower it
        services.set_marking(thread, current_user, value)
        return redirect(_back_to_thread(thread))
    return _thread_page(thread, status=422, marking_form=form)


@bp.route("/threads/<int:thread_id>/audience", methods=["POST"])
@_on_thread_page
@handler(thread=Load(Thread, Need.ORIGINATE), field="user")
def widen(thread: Thread):
    form = AudienceForm()
    if form.validate_on_submit():
        ids = set(form.user.data or [])
        people = [u for u in services.room_members(db.session.get(Room, thread.room_id))]
        chosen = [u for u in people if u.id in ids]
        if not chosen or len(chosen) != len(ids):
            raise services.ThreadError(_("Choose members of the room to add."), field="user")
        services.widen(thread, current_user, chosen)
        return redirect(_back_to_thread(thread))
    return _thread_page(thread, status=422, audience_form=form)


@bp.route("/threads/<int:thread_id>/history/<int:user_id>", methods=["POST"])
@_on_thread_page
@handler(thread=Load(Thread, Need.ORIGINATE), refused=_back_to_thread)
def grant_history(thread: Thread, user_id: int):
    room = db.session.get(Room, thread.room_id)
    person = db.session.get(User, user_id)
    if person is None or person.id not in {u.id for u in services.room_members(room)}:
        raise services.ThreadError(_("Choose a member of the room."))
    services.grant_history(thread, current_user, person)
    return redirect(_back_to_thread(thread))


@bp.route("/threads/<int:thread_id>/exports", methods=["POST"])
@_on_thread_page
@handler(thread=Load(Thread, Need.ORIGINATE), field="allowed")
def exports(thread: Thread):
    form = ExportsForm()
    if form.validate_on_submit():
        services.allow_exports(thread, current_user, form.allowed.data == "1")
        return redirect(_back_to_thread(thread))
    return _thread_page(thread, status=422, exports_form=form)


@bp.route("/threads/<int:thread_id>/export.txt")
@handler(thread=Load(Thread, Need.EXPORT), writes=True)  # the export is audited
def export(thread: Thread):
    text = services.export_text(thread, current_user)
    return download(text.encode(), f"thread-{thread.id}.txt", TEXT_TYPE)


@bp.route("/threads/<int:thread_id>/status", methods=["POST"])
@_on_thread_page
@handler(thread=Load(Thread, Need.MANAGE), field="status")
def set_status(thread: Thread):
    form = StatusForm()
    if form.validate_on_submit():
        services.set_status(thread, current_user, ThreadStatus(form.status.data))
        return redirect(_back_to_thread(thread))
    return _thread_page(thread, status=422, status_form=form)


@bp.route("/threads/<int:thread_id>/retention", methods=["POST"])
@_on_thread_page
@handler(thread=Load(Thread, Need.MANAGE), field="days")
def retention(thread: Thread):
    form = RetentionForm()
    if form.validate_on_submit():
        raw = (form.days.data or "").strip()
        services.set_retention(thread, current_user, int(raw) if raw else None)
        flash(_("The retention period is saved."), "success")
        return redirect(_back_to_thread(thread))
    return _thread_page(thread, status=422, retention_form=form)


def _post_thread_url(post_id: int) -> str:
    post_ = db.session.get(Post, post_id)
    return _thread_url(post_.thread_id) if post_ is not None else url_for("core.dashboard")


@bp.route("/posts/<int:post_id>/purge", methods=["POST"])
@drafts.keepable(
    text=(), page=_post_thread_url, target=lambda post_id: db.session.get(Post, post_id)
)
@handler(post_=Load(Post, Need.MANAGE, arg="post_id"))
def purge(post_: Post):
    form = PurgeForm()
    thread_id = post_.thread_id
    services.purge_post(post_, current_user, form.reason.data or "")
    flash(_("The post was purged."), "success")
    return redirect(_thread_url(thread_id))


def room_threads(room: Room, user):
    """The thread list on a confidential room's page, for its named members only."""
    if room.access is not AccessLevel.CONFIDENTIAL:
        return None
    forum = forum_of(room)
    g.no_store = True
    member = can(Need.VIEW, forum, user)
    shown = member and policy.gate_closed(forum) is None
    return "threads/_room_threads.html", {
        "room": room,
        "forum": forum,
        "member": member,
        "threads": services.visible_threads(room, user) if shown else [],
        "may_post": can(Need.TAKE_PART, forum, user),
    }


@bp.route("/people/<int:user_id>/confidential-history", methods=["GET", "POST"])
@handler(predecessor=Load(User, Need.GRANT_HISTORY, arg="user_id"))
def grant_predecessor_history(predecessor: User):
    """The departing person's delegation grants their successor the confidential history.

    One explicit, audited step, confirmed on this page, for the focal point (or the person,
    before they leave). Only counts are shown: the focal point may not be in the room.
    """
    from consult.accounts.forms import GrantHistoryForm

    successor = db.session.get(User, predecessor.successor_id) if predecessor.successor_id else None
    form = GrantHistoryForm()
    plan = services.history_plan(predecessor, successor) if successor is not None else None
    if successor is not None and form.validate_on_submit():
        granted, withheld = services.grant_predecessor_history(
            predecessor, successor, current_user._get_current_object()
        )
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
