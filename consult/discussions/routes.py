"""Discussion pages: a room's topics, a topic with its posts, and the chairs' powers.

Every view goes through the handler layer (consult.handlers): it loads through the policy
(404 for whoever may not see the room), acts through a service, and commits once.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult import drafts, policy, uploads
from consult.discussions import services
from consult.discussions.forms import (
    EditForm,
    HideForm,
    MoveForm,
    ReplyForm,
    TagsForm,
    TopicForm,
)
from consult.discussions.models import Topic, TopicAttachment, TopicPost
from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.ids import parse_id
from consult.policy import Need, can
from consult.rooms import contents
from consult.rooms.models import AccessLevel, Room
from consult.taxonomy import forms as tagging
from consult.taxonomy.services import tags_of

bp = Blueprint("discussions", __name__)


def _files(form) -> list[services.Upload]:
    """The uploaded files, each read to one byte past the limit (so "too large" is seen
    without reading a huge file whole)."""
    limit = uploads.limit()
    return [
        (f.filename, f.read(limit + 1))
        for f in (form.attachments.data or [])
        if getattr(f, "filename", "")
    ]


# ---- the room's topics ------------------------------------------------------------------------


def room_section(room: Room, user):
    """The room page's "Discussions" section (none in a confidential room)."""
    if room.access is AccessLevel.CONFIDENTIAL:
        return None
    return "discussions/_room_discussions.html", _section(room, user)


def _section(room: Room, user) -> dict:
    return {
        "room": room,
        "lines": services.topics_in_room(room, user),
        "may_start": can(Need.TAKE_PART, room, user),
    }


@bp.route("/rooms/<slug>/discussions")
@handler(room=Load(Room, by="slug"))
def room_discussions(room: Room):
    """The section alone: the room page re-fetches it when a discussion changes."""
    contents.not_confidential(room)
    return render(
        "discussions/room_discussions.html",
        "discussions/_room_discussions.html",
        section=_section(room, current_user),
        room=room,
    )


def _room_or_none(slug: str, **_args) -> Room | None:
    return db.session.scalars(select(Room).where(Room.slug == slug)).first()


@bp.route("/rooms/<slug>/discussions/new", methods=["GET", "POST"])
@drafts.keepable(
    text=("title", "body"),
    files=("attachments",),
    page=lambda slug: url_for("discussions.new_topic", slug=slug),
    target=_room_or_none,
)
@handler(room=Load(Room, by="slug"), field="body")
def new_topic(room: Room):
    # Not found in a confidential room, whoever asks; then 403 for who may not take part.
    policy.authorise(contents.not_confidential(room), Need.TAKE_PART)
    kept = (
        None
        if request.method == "POST"
        else drafts.offered("discussions.new_topic", slug=room.slug)
    )
    form = TopicForm(data=kept.values) if kept is not None else TopicForm()
    tagging.prepare(form)
    if form.validate_on_submit():
        tags = tagging.tags_from(form)
        topic = services.start_topic(
            room,
            current_user,
            form.title.data,
            form.body.data,
            is_chatham_house=bool(form.is_chatham_house.data),
            attachments=_files(form),
            tags=tags,
        )
        drafts.forget("discussions.new_topic", slug=room.slug)
        flash(_("Your discussion is open."), "success")
        return redirect(url_for("discussions.topic", topic_id=topic.id))
    status = 422 if form.is_submitted() else 200
    return render(
        "discussions/new.html",
        form=form,
        room=room,
        manages=can(Need.MANAGE, room),
        kept=kept,
        status=status,
    )


# ---- a topic ------------------------------------------------------------------------------


def _post_in(topic: Topic, value: str | None) -> TopicPost | None:
    """The post a form names, if it is one this person sees in this topic. Anything else is
    the same refusal, whether it exists elsewhere or not."""
    if not value:
        return None
    post = db.session.get(TopicPost, parse_id(value) or -1)
    if post is None or post.topic_id != topic.id or not can(Need.VIEW, post):
        raise services.DiscussionError(
            _("You can only answer or quote a post of this discussion."), field="body"
        )
    return post


def _posts_context(topic: Topic) -> dict:
    posts = services.posts_of(topic)
    return {
        "topic": topic,
        "posts": posts,
        "by_id": {p.id: p for p in posts},
        "attachments": services.attachments_of(posts, current_user),
        "edits": services.edit_counts(posts),
        "sees_authors": can(Need.SEE_AUTHORS, topic),
        "may_post": can(Need.TAKE_PART, topic) and not topic.is_closed,
        "manages": can(Need.MANAGE, topic),
        "may_edit": lambda post: services.may_edit(post, current_user),
    }


def _topic_page(topic: Topic, status: int = 200, form: ReplyForm | None = None):
    room = db.session.get(Room, topic.room_id)
    kept = drafts.offered("discussions.reply", topic_id=topic.id) if form is None else None
    if kept is not None:
        form = ReplyForm(formdata=None, data=kept.values)
    elif form is None:
        form = ReplyForm(formdata=None)
        form.parent.data = request.args.get("reply_to", "")
        form.quote_of.data = request.args.get("quote", "")
    context = _posts_context(topic)
    answering = context["by_id"].get(parse_id(form.parent.data or "") or -1)
    quoting = context["by_id"].get(parse_id(form.quote_of.data or "") or -1)
    return render(
        "discussions/topic.html",
        "discussions/_posts.html",
        status=status,
        room=room,
        form=form,
        kept=kept,
        answering=answering,
        quoting=quoting,
        tags=tags_of(topic),
        may_tag=services.may_tag(topic, current_user),
        **context,
    )


@bp.route("/discussions/<int:topic_id>")
@handler(topic=Load(Topic), writes=True)  # marks the topic read, then shows it
def topic(topic: Topic):
    services.mark_read(topic, current_user)
    return _topic_page(topic)


@bp.route("/discussions/<int:topic_id>/tags", methods=["GET", "POST"])
@handler(topic=Load(Topic), field="stages")
def tags(topic: Topic):
    """Who started the topic and the room's chairs set its stages, activities and articles."""
    if not services.may_tag(topic, current_user):
        abort(403)
    form = TagsForm()
    tagging.prepare(form, topic)
    if form.validate_on_submit():
        services.set_tags(topic, current_user, tagging.tags_from(form, topic))
        flash(_("The discussion's stages, activities and articles are saved."), "success")
        return redirect(url_for("discussions.topic", topic_id=topic.id))
    return render(
        "discussions/tags.html",
        form=form,
        topic=topic,
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/discussions/<int:topic_id>/posts")
@handler(topic=Load(Topic), writes=True)
def posts(topic: Topic):
    """The posts alone: an open topic page re-fetches them on a live signal (and has read
    them then)."""
    services.mark_read(topic, current_user)
    return render(
        "discussions/topic_posts.html", "discussions/_posts.html", **_posts_context(topic)
    )


@bp.route("/discussions/<int:topic_id>/replies", methods=["POST"])
@drafts.keepable(
    text=("body",),
    extra=("parent", "quote_of"),
    files=("attachments",),
    page=lambda topic_id: url_for("discussions.topic", topic_id=topic_id),
    target=lambda topic_id, **_args: db.session.get(Topic, topic_id),
)
@handler(topic=Load(Topic, Need.TAKE_PART), field="body")
def reply(topic: Topic):
    form = ReplyForm()
    if form.validate_on_submit():
        post = services.post_reply(
            topic,
            current_user,
            form.body.data,
            parent=_post_in(topic, form.parent.data),
            quote_of=_post_in(topic, form.quote_of.data),
            attachments=_files(form),
        )
        drafts.forget("discussions.reply", topic_id=topic.id)
        return redirect(url_for("discussions.topic", topic_id=topic.id) + f"#post-{post.id}")
    return _topic_page(topic, status=422, form=form)


@bp.route("/discussion-posts/<int:post_id>/edit", methods=["GET", "POST"])
@handler(post=Load(TopicPost, Need.AUTHOR), field="body")
def edit(post: TopicPost):
    topic = db.session.get(Topic, post.topic_id)
    form = EditForm(data={"body": post.body} if request.method == "GET" else None)
    if form.validate_on_submit():
        services.edit_post(post, current_user, form.body.data)
        flash(_("Your post is saved; its earlier text stays in its history."), "success")
        return redirect(url_for("discussions.topic", topic_id=topic.id) + f"#post-{post.id}")
    status = 422 if form.is_submitted() else 200
    return render(
        "discussions/edit.html",
        form=form,
        post=post,
        topic=topic,
        may_edit=services.may_edit(post, current_user),
        minutes=int(services.edit_window().total_seconds() // 60),
        status=status,
    )


@bp.route("/discussion-posts/<int:post_id>/history")
@handler(post=Load(TopicPost))
def history(post: TopicPost):
    topic = db.session.get(Topic, post.topic_id)
    return render(
        "discussions/history.html",
        "discussions/_history.html",
        post=post,
        topic=topic,
        edits=services.edits_of(post) if post.hidden_at is None or can(Need.MANAGE, post) else [],
    )


@bp.route("/discussion-attachments/<int:attachment_id>")
@handler(item=Load(TopicAttachment, arg="attachment_id"))
def attachment(item: TopicAttachment):
    return uploads.serve(item.stored_name, item.content_type)


# ---- the chairs' powers -------------------------------------------------------------------


def _back(topic: Topic | None = None, post: TopicPost | None = None) -> str:
    topic = topic or db.session.get(Topic, post.topic_id)
    return url_for("discussions.topic", topic_id=topic.id)


@bp.route("/discussion-posts/<int:post_id>/hide", methods=["POST"])
@handler(post=Load(TopicPost, Need.MANAGE), field="reason")
def hide(post: TopicPost):
    form = HideForm()
    if form.validate_on_submit():
        services.hide_post(post, current_user, form.reason.data)
        flash(
            _("The post is hidden; its reason shows in its place. You can show it again."),
            "success",
        )
        return redirect(_back(post=post) + f"#post-{post.id}")
    return render("discussions/hide.html", form=form, post=post, status=422)


@bp.route("/discussion-posts/<int:post_id>/unhide", methods=["POST"])
@handler(post=Load(TopicPost, Need.MANAGE), refused=lambda post: _back(post=post))
def unhide(post: TopicPost):
    services.unhide_post(post, current_user)
    flash(_("The post is shown again."), "success")
    return redirect(_back(post=post) + f"#post-{post.id}")


@bp.route("/discussions/<int:topic_id>/pin", methods=["POST"])
@handler(topic=Load(Topic, Need.MANAGE), refused=lambda topic: _back(topic))
def pin(topic: Topic):
    value = request.form.get("pinned") == "1"
    services.set_pinned(topic, current_user, value)
    flash(
        _("The discussion is pinned to the top of the room.")
        if value
        else _("The discussion is no longer pinned."),
        "success",
    )
    return redirect(_back(topic))


@bp.route("/discussions/<int:topic_id>/close", methods=["POST"])
@handler(topic=Load(Topic, Need.MANAGE), refused=lambda topic: _back(topic))
def close(topic: Topic):
    services.set_closed(topic, current_user, True)
    flash(_("The discussion is closed to new posts. You can reopen it."), "success")
    return redirect(_back(topic))


@bp.route("/discussions/<int:topic_id>/reopen", methods=["POST"])
@handler(topic=Load(Topic, Need.MANAGE), refused=lambda topic: _back(topic))
def reopen(topic: Topic):
    services.set_closed(topic, current_user, False)
    flash(_("The discussion is open again."), "success")
    return redirect(_back(topic))


@bp.route("/discussions/<int:topic_id>/move", methods=["GET", "POST"])
@handler(topic=Load(Topic, Need.MANAGE), field="room")
def move(topic: Topic):
    form = MoveForm()
    targets = services.move_targets(topic, current_user)
    form.room.choices = [(str(r.id), r.title) for r in targets]
    if form.validate_on_submit():
        target = db.session.get(Room, parse_id(form.room.data) or -1)
        if target is None or not can(Need.VIEW, target):
            raise services.DiscussionError(_("Choose a room you chair."), field="room")
        services.move_topic(topic, current_user, target)
        flash(_("The discussion is now in %(room)s.", room=target.title), "success")
        return redirect(_back(topic))
    status = 422 if form.is_submitted() else 200
    return render(
        "discussions/move.html",
        form=form,
        topic=topic,
        room=db.session.get(Room, topic.room_id),
        targets=targets,
        status=status,
    )
