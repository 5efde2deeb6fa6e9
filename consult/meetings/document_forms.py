"""The forms of agenda items' documents: the chair's papers and files, delegations' statements."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from consult.forms import Form

FILE_HINT = _l("PDF, Word (.docx) or PowerPoint (.pptx), at most the size limit.")
CIRCULATED_HINT = _l(
    "When the document was made available to participants, in the meeting's time zone. "
    "Leave empty for now."
)


class AttachPaperForm(Form):
    """The chair attaches a paper of the room (or of a room the meeting's audience sees)."""

    paper = SelectField(_l("Paper"), coerce=int, validate_choice=False)
    paper_circulated_on = DateField(
        _l("Circulated on"), validators=[Optional()], description=CIRCULATED_HINT
    )


class AttachFileForm(Form):
    """The chair attaches a file to an agenda item."""

    file_title = StringField(_l("Title"))
    upload = FileField(_l("File"), description=FILE_HINT)
    file_circulated_on = DateField(
        _l("Circulated on"), validators=[Optional()], description=CIRCULATED_HINT
    )


class WrittenStatementForm(Form):
    """A delegation submits its written statement on an agenda item."""

    statement_title = StringField(
        _l("Title"), description=_l('Optional, e.g. "Written statement by Mexico".')
    )
    statement_file = FileField(_l("File"), description=FILE_HINT)


class DocumentActionForm(Form):
    """Publish, remove or restore a document: the button and its CSRF token."""
