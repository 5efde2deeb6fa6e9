"""The new discussion kind: a draft topic (title and opening text) in a room, started through
`consult.discussions.services.start_topic` with all its checks.

Files are not kept in a draft: it holds the text only (the forms say so)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.delegation_drafts.forms import DiscussionTopicDraftForm
from consult.delegation_drafts.kinds import Kind
from consult.delegation_drafts.models import DelegationDraft
from consult.delegation_drafts.services import DraftError
from consult.discussions import services as discussions
from consult.errors import refuse_longer_than
from consult.links import path_for
from consult.policy import Need, can
from consult.rooms.models import AccessLevel, Room

NAME = "discussion_topic"


def _describe(room: Room, key: str | None, fields: dict) -> str:
    title = fields.get("title", "")
    return _("New discussion “%(title)s” in %(room)s", title=title, room=room.title)


def _check_target(room: Room, key: str | None, user: Any) -> None:
    if room.access is AccessLevel.CONFIDENTIAL:
        raise DraftError(_("Confidential rooms use their threads, not discussions."))


def _closed_reason(room: Room, key: str | None, user: Any) -> str | None:
    if not can(Need.TAKE_PART, room, user):
        return _(
            "You can read this room but not start a discussion in it; a colleague who can may."
        )
    return None


def _post(draft: DelegationDraft, room: Room, user: Any) -> str:
    fields = draft.fields or {}
    topic = discussions.start_topic(
        room,
        user,
        fields.get("title", ""),
        draft.body,
        is_chatham_house=bool(fields.get("is_chatham_house")),
        attachments=(),
    )
    return path_for("discussions.topic", topic_id=topic.id)


def _fields_from(form: DiscussionTopicDraftForm) -> dict:
    """The title and the Chatham House Rule, refused as the discussion service refuses them."""
    title = (form.title.data or "").strip()
    if not title:
        raise DraftError(_("Give the discussion a title."), "title")
    refuse_longer_than(title, discussions.MAX_TITLE_LENGTH, "title", DraftError)
    chatham = bool(form.is_chatham_house.data)
    if chatham and not can(Need.MANAGE, form.target):
        raise DraftError(
            _("Only the room's chairs can put a discussion under the Chatham House Rule."),
            "is_chatham_house",
        )
    return {"title": title, "is_chatham_house": chatham}


def _fill(form: DiscussionTopicDraftForm, fields: dict) -> None:
    form.title.data = fields.get("title", "")
    form.is_chatham_house.data = bool(fields.get("is_chatham_house"))


def _prepare(form: DiscussionTopicDraftForm, user: Any, room: Room | None) -> None:
    form.target = room  # for _fields_from's checks


KIND = Kind(
    name=NAME,
    label=_l("New discussion"),
    target_model=Room,
    room_of=lambda room: room,
    describe=_describe,
    check_target=_check_target,
    closed_reason=_closed_reason,
    post=_post,
    form=DiscussionTopicDraftForm,
    fields_from=_fields_from,
    fill=_fill,
    template="delegation_drafts/_discussion_topic_fields.html",
    target_url=lambda room, key: path_for("rooms.room", slug=room.slug),
    prepare=_prepare,
)
