"""Who may read, post in and manage discussions.

A topic's protection parent is its room, a post's its topic, an attachment's its post
(`consult.policy`): whoever may not see the room sees nothing of its discussions, in `can()`
and `visible()` alike. What discussions add: none in a confidential room (its threads are the
place), observers read but do not post, the room's managers (chairs, facilitators, the
Secretariat) manage, and under the Chatham House Rule only they see who wrote what.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.sql import ColumnElement

from consult import policy
from consult.accounts.models import User
from consult.discussions.models import Topic, TopicAttachment, TopicPost
from consult.policy import Need, Parent
from consult.rooms.models import AccessLevel, Room
from consult.rooms.policy import managed_room_ids, room_rule


def topic_rule(user: User, need: Need, topic: Topic) -> bool:
    """The room's rule (its parent already lets the person see the room), in a room that is
    not confidential."""
    room = policy.parent_of(topic)
    if room is None or room.access is AccessLevel.CONFIDENTIAL:
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART:
            return room_rule(user, Need.TAKE_PART, room)
        case Need.MANAGE:
            return room_rule(user, Need.MANAGE, room)
        case Need.SEE_AUTHORS:
            return not topic.is_chatham_house or room_rule(user, Need.MANAGE, room)
        case Need.AUTHOR:  # who started it (tags it, as the room's managers do)
            return topic.author_id == user.id
    return False


def visible_topics(user: User) -> ColumnElement[bool]:
    """The topics topic_rule lets this person see, within the rooms they see (the parent)."""
    return Topic.room_id.in_(select(Room.id).where(Room.access != AccessLevel.CONFIDENTIAL))


def post_rule(user: User, need: Need, post: TopicPost) -> bool:
    """Everyone who sees the topic sees its posts (a hidden one shows the chair's reason, not
    its text); only the author has the author's powers (edit within the window)."""
    topic = policy.parent_of(post)
    if topic is None:
        return False
    match need:
        case Need.VIEW:
            return True
        case Need.TAKE_PART | Need.MANAGE:
            return topic_rule(user, need, topic)
        case Need.AUTHOR:
            return post.author_id == user.id
    return False


def attachment_rule(user: User, need: Need, attachment: TopicAttachment) -> bool:
    """Seen with its post; a hidden post's files are withheld with its text (but from the
    room's managers, who judge it)."""
    post = policy.parent_of(attachment)
    if post is None or need is not Need.VIEW:
        return False
    return post.hidden_at is None or post_rule(user, Need.MANAGE, post)


def register() -> None:
    """Tell the policy how to answer for Topic, TopicPost and TopicAttachment."""
    policy.add(Topic, rule=topic_rule, visible=visible_topics, parent=Parent(Topic.room_id, Room))
    # Every post of a topic one sees is seen, so the parent alone selects what can(VIEW) does.
    policy.add(TopicPost, rule=post_rule, parent=Parent(TopicPost.topic_id, Topic))
    policy.add(
        TopicAttachment,
        rule=attachment_rule,
        visible=_visible_attachments,
        parent=Parent(TopicAttachment.post_id, TopicPost),
    )


def _visible_attachments(user: User) -> ColumnElement[bool]:
    """Attachments of posts not hidden, and of hidden ones in rooms this person manages."""
    shown = select(TopicPost.id).where(TopicPost.hidden_at.is_(None))
    managed = (
        select(TopicPost.id)
        .join(Topic, Topic.id == TopicPost.topic_id)
        .where(Topic.room_id.in_(managed_room_ids(user)))
    )
    return TopicAttachment.post_id.in_(shown) | TopicAttachment.post_id.in_(managed)
