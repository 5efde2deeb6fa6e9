"""Discussion operations: start a topic, reply, quote, edit within the window, and the chairs'
powers (pin, close, reopen, move, hide with a reason).

Services flush and queue; the handler commits once and the live signals leave after it. Live
signals carry ids and a version only ("topic-changed", "discussions-changed"): pages re-fetch
what they show over HTTP, through the policy. `start_topic` and `post_reply` are the only ways
a topic or a post is written, so anything that later posts for someone (a delegation's draft)
goes through the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from consult import audit, markdown, mentions, uploads
from consult.accounts.models import DelegationStatus, User
from consult.discussions.models import (
    MAX_DEPTH,
    Topic,
    TopicAttachment,
    TopicPost,
    TopicPostEdit,
    TopicRead,
)
from consult.errors import ServiceError, refuse_longer_than
from consult.extensions import db
from consult.links import path_for
from consult.notifications.services import notify
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, Membership, Room, RoomRole
from consult.rooms.policy import forget_room_roles
from consult.rooms.services import note_activity
from consult.taxonomy.forms import ChosenTags
from consult.taxonomy.forms import apply as apply_tags
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit
from consult.waiting import Waiting

MAX_TITLE_LENGTH = 200
MAX_POST_LENGTH = 20_000
MAX_REASON_LENGTH = 300
MAX_ATTACHMENTS = 5
_STATES = (DelegationStatus.STATE_PARTY, DelegationStatus.SIGNATORY)

#: A file as it arrives: its name and its bytes.
Upload = tuple[str, bytes]


class DiscussionError(ServiceError):
    """What was asked of a discussion cannot be done; shown next to the field it names."""

    field = "body"


# ---- writing -----------------------------------------------------------------------------


def _text(value: str | None, limit: int, field: str, empty: str) -> str:
    """The text, stripped; refused when empty, over `limit` (its length said) or too complex
    to render."""
    value = (value or "").strip()
    if not value:
        raise DiscussionError(empty, field=field)
    refuse_longer_than(value, limit, field, DiscussionError)
    if field != "title" and (problem := markdown.check(value)) is not None:
        raise DiscussionError(problem, field=field)
    return value


def _checked_files(attachments: Iterable[Upload]) -> list[tuple[str, bytes, str]]:
    files = [(name, data) for name, data in attachments if name]
    if len(files) > MAX_ATTACHMENTS:
        raise DiscussionError(
            _("Attach at most %(n)d files to one post.", n=MAX_ATTACHMENTS), field="attachments"
        )
    return [uploads.check_file(n, d, DiscussionError, "attachments") for n, d in files]


def _store_files(post: TopicPost, files: list[tuple[str, bytes, str]]) -> None:
    for name, data, content_type in files:
        db.session.add(
            TopicAttachment(
                post_id=post.id,
                filename=name,
                content_type=content_type,
                size=len(data),
                stored_name=uploads.store(data),
            )
        )


def start_topic(
    room: Room,
    user: User,
    title: str,
    body: str,
    *,
    is_chatham_house: bool = False,
    attachments: Sequence[Upload] = (),
    tags: ChosenTags | None = None,
) -> Topic:
    """Start a topic in a room that is not confidential; any member who may take part may.
    `tags`: its stages, activities and articles (checked by `consult.taxonomy.forms`)."""
    if room.access is AccessLevel.CONFIDENTIAL:
        raise DiscussionError(_("Confidential rooms use their threads, not discussions."))
    if not can(Need.TAKE_PART, room, user):
        raise DiscussionError(_("You can read this room but not start a discussion in it."))
    title = _text(title, MAX_TITLE_LENGTH, "title", _("Give the discussion a title."))
    body = _text(body, MAX_POST_LENGTH, "body", _("Write what you would like to discuss."))
    if is_chatham_house and not can(Need.MANAGE, room, user):
        raise DiscussionError(
            _("Only the room's chairs can put a discussion under the Chatham House Rule."),
            field="is_chatham_house",
        )
    files = _checked_files(attachments)
    topic = Topic(
        room_id=room.id,
        title=title,
        author_id=user.id,
        delegation_id=user.delegation_id,
        is_chatham_house=is_chatham_house,
    )
    db.session.add(topic)
    db.session.flush()
    opening = TopicPost(
        topic_id=topic.id,
        is_opening=True,
        author_id=user.id,
        delegation_id=user.delegation_id,
        body=body,
    )
    mentioned = mentions.prepare(opening, body, topic)
    db.session.add(opening)
    db.session.flush()
    _tell_mentioned(topic, opening, user, mentioned)
    _store_files(opening, files)
    if tags is not None:
        apply_tags(topic, tags)
    _read(topic, user, opening.created_at)
    note_activity(
        room,
        "discussion.started",
        _l("New discussion: %(title)s", title=title),
        user,
        subject=topic,
    )
    _changed(topic)
    return topic


def post_reply(
    topic: Topic,
    user: User,
    body: str,
    parent: TopicPost | None = None,
    quote_of: TopicPost | None = None,
    attachments: Sequence[Upload] = (),
) -> TopicPost:
    """Reply to the topic, or to one of its posts (`parent`), perhaps quoting one (`quote_of`).

    Replies nest two levels; a reply to a post at the deepest level is shown beside it.
    """
    if not can(Need.TAKE_PART, topic, user):
        raise DiscussionError(_("You can read this discussion but not post in it."))
    if topic.is_closed:
        raise DiscussionError(_("This discussion is closed; a chair can reopen it."))
    body = _text(body, MAX_POST_LENGTH, "body", _("Write your reply before posting it."))
    for other, field in ((parent, "parent"), (quote_of, "quote_of")):
        if other is not None and other.topic_id != topic.id:
            raise DiscussionError(
                _("You can only answer or quote a post of this discussion."), field=field
            )
    if quote_of is not None and quote_of.hidden_at is not None:
        raise DiscussionError(_("A hidden post cannot be quoted."), field="quote_of")
    files = _checked_files(attachments)
    shown_under, depth = None, 0
    if parent is not None and not parent.is_opening:
        if parent.depth >= MAX_DEPTH:
            shown_under, depth = parent.parent_id, MAX_DEPTH
        else:
            shown_under, depth = parent.id, parent.depth + 1
    post = TopicPost(
        topic_id=topic.id,
        parent_id=shown_under,
        reply_to_id=parent.id if parent is not None else None,
        quote_of_id=quote_of.id if quote_of is not None else None,
        depth=depth,
        author_id=user.id,
        delegation_id=user.delegation_id,
        body=body,
    )
    mentioned = mentions.prepare(post, body, topic)
    db.session.add(post)
    db.session.flush()
    _store_files(post, files)
    topic.last_activity_at = post.created_at
    _read(topic, user, post.created_at)
    answered = {p.author_id for p in (parent, quote_of) if p is not None} - {user.id}
    _tell_mentioned(topic, post, user, [p for p in mentioned if p.id not in answered])
    if answered:
        notify(
            answered,
            "discussion.reply",
            lambda recipient: _reply_text(topic, user, recipient),
            path_for("discussions.topic", topic_id=topic.id) + f"#post-{post.id}",
            subject=topic,
        )
    _changed(topic)
    return post


def _tell_mentioned(topic: Topic, post: TopicPost, author: User, people: list[User]) -> None:
    """The people a post names with @[Name] who may see the discussion, each once; the
    writer's delegation is named only to those who may see authors."""
    if not people:
        return

    def text(recipient: User) -> str:
        if can(Need.SEE_AUTHORS, topic, recipient):
            return _(
                "%(who)s mentioned you in the discussion %(title)s",
                who=author.delegation.name,
                title=topic.title,
            )
        return _("You were mentioned in the discussion %(title)s", title=topic.title)

    mentions.tell(
        people,
        author,
        text,
        path_for("discussions.topic", topic_id=topic.id) + f"#post-{post.id}",
        subject=topic,
        html=post.body_html,
    )


def _reply_text(topic: Topic, author: User, recipient: User) -> str:
    """In the words this recipient may read: under the Chatham House Rule the delegation is
    named only to those who may see attributions."""
    if can(Need.SEE_AUTHORS, topic, recipient):
        return _(
            "%(who)s answered your post in the discussion %(title)s",
            who=author.delegation.name,
            title=topic.title,
        )
    return _(
        "Someone answered your post in the discussion %(title)s (Chatham House Rule)",
        title=topic.title,
    )


def edit_window() -> timedelta:
    return timedelta(minutes=float(current_app.config.get("DISCUSSION_EDIT_MINUTES", 30)))


def may_edit(post: TopicPost, user: User, now: datetime | None = None) -> bool:
    """The author, while they may still post in the topic, within the window, not hidden."""
    topic = db.session.get(Topic, post.topic_id)
    return (
        can(Need.AUTHOR, post, user)
        and can(Need.TAKE_PART, topic, user)
        and not topic.is_closed
        and post.hidden_at is None
        and (now or utcnow()) - post.created_at <= edit_window()
    )


def edit_post(post: TopicPost, user: User, body: str) -> None:
    """The author changes a post within the window; what it said before is kept and shown."""
    if not may_edit(post, user):
        raise DiscussionError(
            _(
                "A post can be edited by its author for %(n)d minutes after posting, while the "
                "discussion is open.",
                n=int(edit_window().total_seconds() // 60),
            )
        )
    body = _text(body, MAX_POST_LENGTH, "body", _("A post cannot be empty."))
    if body == post.body:
        return
    db.session.add(TopicPostEdit(post_id=post.id, body=post.body))
    post.body = body
    post.edited_at = utcnow()
    topic = db.session.get(Topic, post.topic_id)
    mentioned = mentions.prepare(post, body, topic)
    db.session.flush()
    _tell_mentioned(topic, post, user, mentioned)  # only the newly named are told
    _changed(db.session.get(Topic, post.topic_id))


def hide_post(post: TopicPost, chair: User, reason: str) -> None:
    """A chair hides an abusive post; the reason is shown in its place and audited."""
    if post.hidden_at is not None:
        raise DiscussionError(_("This post is already hidden."), field="reason")
    reason = _text(reason, MAX_REASON_LENGTH, "reason", _("Give a reason for hiding the post."))
    post.hidden_at = utcnow()
    post.hidden_reason = reason
    post.hidden_by_id = chair.id
    topic = db.session.get(Topic, post.topic_id)
    audit.record(
        "discussion.post_hidden",
        f"A discussion post was hidden: {reason}",
        actor=chair,
        room_id=topic.room_id,
        topic_id=topic.id,
        post_id=post.id,
    )
    _changed(topic)


def unhide_post(post: TopicPost, chair: User) -> None:
    """The way back from a mistaken hiding; the log keeps both."""
    if post.hidden_at is None:
        raise DiscussionError(_("This post is not hidden."))
    reason = post.hidden_reason or ""
    post.hidden_at = post.hidden_reason = post.hidden_by_id = None
    topic = db.session.get(Topic, post.topic_id)
    audit.record(
        "discussion.post_unhidden",
        f"A discussion post hidden as \u201c{reason}\u201d was shown again",
        actor=chair,
        room_id=topic.room_id,
        topic_id=topic.id,
        post_id=post.id,
    )
    _changed(topic)


def set_pinned(topic: Topic, chair: User, value: bool) -> None:
    if topic.is_pinned == value:
        return
    topic.is_pinned = value
    audit.record(
        "discussion.pinned" if value else "discussion.unpinned",
        "A discussion was pinned" if value else "A discussion was unpinned",
        actor=chair,
        room_id=topic.room_id,
        topic_id=topic.id,
    )
    _changed(topic)


def set_closed(topic: Topic, chair: User, closed: bool) -> None:
    """Close a topic to new posts, or reopen it (its posts stay readable)."""
    if topic.is_closed == closed:
        raise DiscussionError(
            _("This discussion is already closed.")
            if closed
            else _("This discussion is already open.")
        )
    topic.closed_at = utcnow() if closed else None
    audit.record(
        "discussion.closed" if closed else "discussion.reopened",
        "A discussion was closed" if closed else "A discussion was reopened",
        actor=chair,
        room_id=topic.room_id,
        topic_id=topic.id,
    )
    _changed(topic)


# ---- moving ------------------------------------------------------------------------------

#: How wide a room's audience is, by its access level (confidential rooms take no topics).
_WIDTH = {
    AccessLevel.OPEN: 3,
    AccessLevel.TRANSPARENT: 3,
    AccessLevel.STATES: 2,
    AccessLevel.MEMBERS: 1,
}


def audience_within(target: Room, source: Room) -> bool:
    """Whether everyone who could see `target` could already see `source`, so moving a topic
    there shows it to nobody new.

    The access level may not widen (open and transparent > states > members), and, unless the
    source is seen by every signed-in participant, each current member of the target (a whole
    delegation, or one person) must see the source already: a member of it, or, for a
    "states" source, a State Party or signatory.
    """
    if target.access not in _WIDTH or source.access not in _WIDTH:
        return False
    if _WIDTH[target.access] > _WIDTH[source.access]:
        return False
    if _WIDTH[source.access] == 3:
        return True
    rows = db.session.execute(
        select(Membership.delegation_id, Membership.user_id).where(
            Membership.room_id == source.id, Membership.ended_at.is_(None)
        )
    ).all()
    source_delegations = {d for d, _u in rows if d is not None}
    source_people = {u for _d, u in rows if u is not None}
    states_see = source.access is AccessLevel.STATES
    for membership in db.session.scalars(
        select(Membership)
        .where(Membership.room_id == target.id, Membership.ended_at.is_(None))
        .options(joinedload(Membership.delegation), joinedload(Membership.user))
    ):
        if membership.delegation_id is not None:
            delegation = membership.delegation
            sees = delegation.id in source_delegations or (
                states_see and delegation.status in _STATES
            )
        else:
            person = membership.user
            sees = (
                person.is_secretariat
                or person.id in source_people
                or person.delegation_id in source_delegations
                or (states_see and person.delegation.status in _STATES)
            )
        if not sees:
            return False
    return True


def move_targets(topic: Topic, user: User) -> list[Room]:
    """The rooms this person may move the topic to: ones they chair, not archived, whose
    audience is the same as the topic's room's or narrower."""
    source = db.session.get(Room, topic.room_id)
    candidates = db.session.scalars(
        select(Room)
        .where(
            visible(Room, user),
            Room.id != source.id,
            Room.is_archived.is_(False),
            Room.access != AccessLevel.CONFIDENTIAL,
        )
        .order_by(Room.title)
    )
    return [r for r in candidates if can(Need.MANAGE, r, user) and audience_within(r, source)]


def move_topic(topic: Topic, chair: User, target: Room) -> None:
    """Move a topic to another room the mover chairs, whose audience is the same or narrower."""
    source = db.session.get(Room, topic.room_id)
    if target.id == source.id:
        raise DiscussionError(_("The discussion is already in that room."), field="room")
    if not can(Need.MANAGE, target, chair) or target.is_archived:
        raise DiscussionError(
            _("You can move a discussion only to a room you chair."), field="room"
        )
    if target.access is AccessLevel.CONFIDENTIAL:
        raise DiscussionError(_("Discussions cannot move into a confidential room."), field="room")
    if not audience_within(target, source):
        raise DiscussionError(
            _(
                "%(room)s is seen by people who cannot see this discussion now; move it only "
                "to a room with the same audience or a narrower one.",
                room=target.title,
            ),
            field="room",
        )
    old_room_id = topic.room_id
    topic.room_id = target.id
    audit.record(
        "discussion.moved",
        f"A discussion was moved from room {old_room_id} to room {target.id}",
        actor=chair,
        room_id=target.id,
        topic_id=topic.id,
        from_room_id=old_room_id,
    )
    forget_room_roles()
    _changed(topic, also_room=old_room_id)
    # Open pages of the topic re-check their channels and reload: whoever cannot see the new
    # room leaves `topic:<id>` and is shown "not found", the others the topic in its new room.
    emit_after_commit("access-changed", {"room": old_room_id}, to=f"topic:{topic.id}")


# ---- reading -----------------------------------------------------------------------------


def _read(topic: Topic, user: User, moment: datetime | None = None) -> None:
    """Remember that `user` has read `topic` up to `moment` (now)."""
    moment = moment or utcnow()
    marker = db.session.scalars(
        select(TopicRead).where(TopicRead.topic_id == topic.id, TopicRead.user_id == user.id)
    ).first()
    if marker is None:
        db.session.add(TopicRead(topic_id=topic.id, user_id=user.id, read_at=moment))
    elif marker.read_at < moment:
        marker.read_at = moment


def mark_read(topic: Topic, user: User) -> None:
    """The person opened the topic: every post so far is read."""
    _read(topic, user)


def _unread_count(user: User):
    """A correlated count of the topic's posts by others after this person's marker."""
    read_at = (
        select(TopicRead.read_at)
        .where(TopicRead.topic_id == Topic.id, TopicRead.user_id == user.id)
        .correlate(Topic)
        .scalar_subquery()
    )
    return (
        select(func.count(TopicPost.id))
        .where(
            TopicPost.topic_id == Topic.id,
            TopicPost.author_id != user.id,
            or_(read_at.is_(None), TopicPost.created_at > read_at),
        )
        .correlate(Topic)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class TopicLine:
    """A topic as the room page lists it."""

    topic: Topic
    unread: int
    replies: int


def topics_in_room(room: Room, user: User) -> list[TopicLine]:
    """The room's topics this person sees, pinned first, then newest activity first, with
    their unread and reply counts: one query, however many topics."""
    replies = (
        select(func.count(TopicPost.id))
        .where(TopicPost.topic_id == Topic.id, TopicPost.is_opening.is_(False))
        .correlate(Topic)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Topic, _unread_count(user), replies)
        .where(Topic.room_id == room.id, visible(Topic, user))
        .options(joinedload(Topic.delegation))
        .order_by(Topic.is_pinned.desc(), Topic.last_activity_at.desc(), Topic.id.desc())
    ).all()
    return [TopicLine(topic, unread, count) for topic, unread, count in rows]


def posts_of(topic: Topic) -> list[TopicPost]:
    """The topic's posts in reading order: the opening, then each reply followed by the
    replies shown under it (oldest first at every level)."""
    posts = list(
        db.session.scalars(
            select(TopicPost)
            .where(TopicPost.topic_id == topic.id)
            .options(joinedload(TopicPost.delegation))
            .order_by(TopicPost.created_at, TopicPost.id)
        )
    )
    children: dict[int | None, list[TopicPost]] = {}
    ordered = [p for p in posts if p.is_opening]
    for post in posts:
        if not post.is_opening:
            children.setdefault(post.parent_id, []).append(post)

    def walk(parent_id: int | None) -> None:
        for child in children.get(parent_id, []):
            ordered.append(child)
            walk(child.id)

    walk(None)
    return ordered


def attachments_of(posts: list[TopicPost], user: User) -> dict[int, list[TopicAttachment]]:
    """The attachments of these posts this person may open, by post."""
    result: dict[int, list[TopicAttachment]] = {}
    if posts:
        for a in db.session.scalars(
            select(TopicAttachment)
            .where(
                TopicAttachment.post_id.in_([p.id for p in posts]),
                visible(TopicAttachment, user),
            )
            .order_by(TopicAttachment.id)
        ):
            result.setdefault(a.post_id, []).append(a)
    return result


def edits_of(post: TopicPost) -> list[TopicPostEdit]:
    """What the post said before each edit, newest first."""
    return list(
        db.session.scalars(
            select(TopicPostEdit)
            .where(TopicPostEdit.post_id == post.id)
            .order_by(TopicPostEdit.edited_at.desc(), TopicPostEdit.id.desc())
        )
    )


def edit_counts(posts: list[TopicPost]) -> dict[int, int]:
    if not posts:
        return {}
    return dict(
        db.session.execute(
            select(TopicPostEdit.post_id, func.count(TopicPostEdit.id))
            .where(TopicPostEdit.post_id.in_([p.id for p in posts]))
            .group_by(TopicPostEdit.post_id)
        ).all()
    )


def waiting_for(user: User) -> list[Waiting]:
    """ "Unread posts": topics with posts this person has not read, in rooms where they take
    part (a current membership with a role other than observer), one query."""
    unread = _unread_count(user).label("unread")
    takes_part = select(Membership.room_id).where(
        Membership.ended_at.is_(None),
        or_(Membership.user_id == user.id, Membership.delegation_id == user.delegation_id),
        Membership.role != RoomRole.OBSERVER,
    )
    rows = db.session.execute(
        select(Topic, unread)
        .join(Room, Room.id == Topic.room_id)
        .where(
            Topic.room_id.in_(takes_part),
            Room.is_archived.is_(False),
            visible(Topic, user),
            unread > 0,
        )
        .order_by(Topic.last_activity_at.desc())
        .limit(20)
    ).all()
    return [
        Waiting(
            kind=_("Unread posts"),
            title=topic.title,
            url=path_for("discussions.topic", topic_id=topic.id),
            since=topic.last_activity_at,
            count=count,
        )
        for topic, count in rows
    ]


# ---- live signals -----------------------------------------------------------------------


def may_tag(topic: Topic, user: User) -> bool:
    """Who started the topic, and the room's managers, set its stages and articles."""
    return can(Need.AUTHOR, topic, user) or can(Need.MANAGE, topic, user)


def set_tags(topic: Topic, user: User, tags: ChosenTags) -> None:
    """Set the topic's stages, activities and Treaty articles (its author or the room's
    managers; checked by `consult.taxonomy.forms.tags_from`, retired terms it had kept)."""
    if not may_tag(topic, user):
        raise DiscussionError(_("Only who started the discussion and the room's chairs tag it."))
    apply_tags(topic, tags)
    audit.record(
        "discussion.tagged",
        f"{topic.title}: tagged "
        + (", ".join(t.slug for t in [*tags.stages, *tags.activities]) or "-")
        + (f"; articles {', '.join(map(str, tags.articles))}" if tags.articles else ""),
        actor=user,
        room_id=topic.room_id,
        topic_id=topic.id,
    )


def _changed(topic: Topic, also_room: int | None = None) -> None:
    """Bump the topic's version and, after the commit, tell the open pages (no content): the
    topic's page re-fetches its posts, the room page its list of discussions."""
    topic.version += 1
    emit_after_commit(
        "topic-changed", {"topic": topic.id, "version": topic.version}, to=f"topic:{topic.id}"
    )
    for room_id in {topic.room_id, also_room} - {None}:
        emit_after_commit("discussions-changed", {"room": room_id}, to=f"room:{room_id}")
