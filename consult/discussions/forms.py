"""The forms of the discussion pages. The services check lengths and emptiness (one message,
which says the length, whatever the way in), so the fields here only carry the input."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from consult.forms import Form
from consult.taxonomy.forms import TagFields

ATTACHMENTS_HINT = _l(
    "Optional: up to 5 files, PDF, Word, Excel, CSV, text or images, each at most the size limit."
)


class TopicForm(TagFields, Form):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("What would you like to discuss? (Markdown)"))
    is_chatham_house = BooleanField(
        _l("Chatham House Rule: only the chairs and the Secretariat see who wrote what")
    )
    attachments = MultipleFileField(_l("Attachments"), description=ATTACHMENTS_HINT)


class TagsForm(TagFields, Form):
    """A topic's stages, activities and Treaty articles (its author or the room's chairs)."""


class ReplyForm(Form):
    body = TextAreaField(_l("Your reply (Markdown)"))
    #: The post answered (empty: the topic itself) and the post quoted, by id.
    parent = HiddenField()
    quote_of = HiddenField()
    attachments = MultipleFileField(_l("Attachments"), description=ATTACHMENTS_HINT)


class EditForm(Form):
    body = TextAreaField(_l("Post (Markdown)"))


class HideForm(Form):
    reason = StringField(_l("Reason for hiding (shown in the post's place and kept in the log)"))


class MoveForm(Form):
    # The service says why a room is refused (wider audience, not chaired), not WTForms.
    room = SelectField(_l("Move to"), coerce=str, validate_choice=False)
