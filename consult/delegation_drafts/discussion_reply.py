"""The discussion reply kind: a draft reply in a topic (perhaps answering or quoting one of its
posts), posted through `consult.discussions.services.post_reply` with all its checks.

Files are not kept in a draft: it holds the text only (the forms say so)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.delegation_drafts.forms import DiscussionReplyDraftForm
from consult.delegation_drafts.kinds import Kind
from consult.delegation_drafts.models import DelegationDraft
from consult.delegation_drafts.services import DraftError
from consult.discussions import services as discussions
from consult.discussions.models import Topic, TopicPost
from consult.extensions import db
from consult.ids import parse_id
from consult.links import path_for
from consult.policy import Need, can
from consult.rooms.models import Room

NAME = "discussion_reply"


def _post_in(topic: Topic, raw: str | None, field: str) -> TopicPost | None:
    """The post a draft answers or quotes, if it is still one of the topic's that one sees."""
    if not raw:
        return None
    ident = parse_id(raw)
    post = db.session.get(TopicPost, ident) if ident is not None else None
    if post is None or post.topic_id != topic.id or not can(Need.VIEW, post):
        raise DraftError(_("The post this draft answers or quotes is no longer there."), field)
    return post


def _describe(topic: Topic, key: str | None, fields: dict) -> str:
    return _("Reply in “%(topic)s”", topic=topic.title)


def _check_target(topic: Topic, key: str | None, user: Any) -> None:
    """Any topic one sees takes a draft, even a closed one (a chair may reopen it)."""


def _closed_reason(topic: Topic, key: str | None, user: Any) -> str | None:
    if not can(Need.TAKE_PART, topic, user):
        return _("You can read this discussion but not post in it; a colleague who can may.")
    if topic.is_closed:
        return _("This discussion is closed; a chair can reopen it. The draft is kept.")
    return None


def _post(draft: DelegationDraft, topic: Topic, user: Any) -> str:
    fields = draft.fields or {}
    post = discussions.post_reply(
        topic,
        user,
        draft.body,
        parent=_post_in(topic, fields.get("parent"), "body"),
        quote_of=_post_in(topic, fields.get("quote_of"), "body"),
        attachments=(),
    )
    return path_for("discussions.topic", topic_id=topic.id) + f"#post-{post.id}"


def _fields_from(form: DiscussionReplyDraftForm) -> dict:
    """The answered and quoted posts, refused when they are not posts of the topic."""
    fields = {
        "parent": (form.parent.data or "").strip(),
        "quote_of": (form.quote_of.data or "").strip(),
    }
    for name in ("parent", "quote_of"):
        _post_in(form.target, fields[name], "body")
    return fields


def _fill(form: DiscussionReplyDraftForm, fields: dict) -> None:
    form.parent.data = fields.get("parent", "")
    form.quote_of.data = fields.get("quote_of", "")


def _prepare(form: DiscussionReplyDraftForm, user: Any, topic: Topic | None) -> None:
    form.target = topic  # for _fields_from's checks


KIND = Kind(
    name=NAME,
    label=_l("Reply in a discussion"),
    target_model=Topic,
    room_of=lambda topic: db.session.get(Room, topic.room_id),
    describe=_describe,
    check_target=_check_target,
    closed_reason=_closed_reason,
    post=_post,
    form=DiscussionReplyDraftForm,
    fields_from=_fields_from,
    fill=_fill,
    template="delegation_drafts/_discussion_reply_fields.html",
    target_url=lambda topic, key: path_for("discussions.topic", topic_id=topic.id),
    prepare=_prepare,
)
