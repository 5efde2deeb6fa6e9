"""The forms that edit a delegation draft: the text and the version it was read at."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.forms import Form
from consult.ids import WholeNumberField
from consult.markdown import Renderable

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
