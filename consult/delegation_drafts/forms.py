"""The forms that edit a delegation draft: the text and the version it was read at."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from consult.errors import ServiceError
from consult.forms import Form
from consult.ids import WholeNumberField, parse_id
from consult.markdown import Renderable
from consult.taxonomy.forms import TagFields

MAX_BODY = 20_000


class DraftForm(Form):
    """What every kind edits: the text, and the version the colleague started from."""

    body = TextAreaField(
        _l("Text (Markdown)"),
        validators=[
            DataRequired(_l("Write the text before saving the draft.")),
            Length(max=MAX_BODY),
            Renderable(),
        ],
    )
    #: The draft's version when this form was shown; empty when a draft is first saved.
    version = WholeNumberField(validators=[Optional()])


class PaperCommentDraftForm(DraftForm):
    """A comment on a paper's paragraph: the comment form's fields, saved for colleagues."""

    quote = TextAreaField(
        _l("Words you refer to (optional, copied from the paragraph)"),
        validators=[Optional(), Length(max=2000)],
    )
    proposed_text = TextAreaField(
        _l("Proposed text (optional replacement wording)"),
        validators=[Optional(), Length(max=MAX_BODY), Renderable()],
    )
    position = SelectField(_l("Position"), validate_choice=False)
    on_behalf_of = SelectField(_l("On behalf of"), validate_choice=False)
    parent_id = HiddenField()
    #: The language version the comment is written on (empty: the paper's original).
    language = HiddenField()


class DiscussionReplyDraftForm(DraftForm):
    """A reply in a discussion topic: the reply form's fields (files are not kept in drafts)."""

    #: The post answered (empty: the topic itself) and the post quoted, by id, as on the topic.
    parent = HiddenField()
    quote_of = HiddenField()


class DiscussionTopicDraftForm(DraftForm):
    """A new discussion in a room: its title, its opening text and the Chatham House Rule."""

    # The kind checks the title (empty, over-long: said with its length), as the service does.
    title = StringField(_l("Title of the discussion"))
    is_chatham_house = BooleanField(
        _l("Chatham House Rule: only the chairs and the Secretariat see who wrote what")
    )


def _to_id(value: Any) -> int | None:
    return parse_id(str(value)) if value not in (None, "") else None


class ContributionDraftForm(TagFields, DraftForm):
    """A national contribution: the submission form's fields. The text is Markdown; a Word
    document uploaded with the draft is converted to Markdown when the draft is saved (the
    draft keeps the Markdown, never the file), or refused next to the upload."""

    # The contribution form calls its text "source": the same name, so its button works.
    body = TextAreaField(
        _l("Text of the contribution (Markdown)"),
        name="source",
        validators=[
            DataRequired(_l("Paste the text or upload a .docx document.")),
            Length(max=MAX_BODY),
            Renderable(),
        ],
    )
    title = StringField(_l("Title"))
    kind = SelectField(_l("Kind"), validate_choice=False)
    original_language = SelectField(_l("Original language"), validate_choice=False)
    cosponsors = SelectMultipleField(
        _l("Co-sponsors (optional)"), coerce=_to_id, validate_choice=False
    )
    document = FileField(
        _l("Or a Word document (.docx)"),
        description=_l(
            "Converted to Markdown when the draft is saved; the draft keeps the text, not the "
            "file. It replaces the text above."
        ),
    )
    #: Where the text came from (a document's file name, or "pasted"), kept for the paper.
    origin = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        """Convert an uploaded .docx into the text before the text is checked."""
        from consult.delegation_drafts.contribution import docx_text

        problem = None
        upload = self.document.data
        if upload is not None and getattr(upload, "filename", ""):
            try:
                self.body.data = docx_text(upload)
            except ServiceError as error:
                problem = error.message
        valid = super().validate(extra_validators)
        if problem is not None:
            # The document was the text: say what is wrong with it, not that the text is empty.
            self.body.errors = []
            self.document.errors = [*self.document.errors, problem]
            return False
        return valid
