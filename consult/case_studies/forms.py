"""The case study forms. The service checks emptiness, lengths, Markdown and tags (one
message, which says the length, whatever the way in), so the fields here carry the input."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField

from consult.case_studies.models import SECTIONS
from consult.forms import Form
from consult.taxonomy.forms import TagFields


class _Sections:
    """The six structured parts, each Markdown."""


for _name, _label, _help in SECTIONS:
    setattr(_Sections, _name, TextAreaField(_label, description=_help))


class CaseStudyForm(TagFields, _Sections, Form):
    title = StringField(_l("Title"))
    attribution = RadioField(
        _l("Attribution"),
        choices=[
            ("attributed", _l("Attributed: the page and the library name my delegation")),
            (
                "unattributed",
                _l(
                    "Unattributed: nobody but my delegation and the ATT Secretariat sees "
                    "which delegation submitted it"
                ),
            ),
        ],
        default="attributed",
        validate_choice=False,
    )
    # The service says why a person is refused (not of the delegation), not WTForms.
    contact = SelectField(
        _l("Contact point (optional): a person of your delegation"),
        validate_choice=False,
        description=_l("Shown on an attributed case study to those who may read it."),
    )
    contact_text = StringField(
        _l("… or another contact point (optional)"),
        description=_l("A unit or a mailbox, e.g. “Licensing Division, exports@example.org”."),
    )


class ReturnForm(Form):
    reason = TextAreaField(_l("Why you return it (the delegation reads your reason)"))


class ConfirmForm(Form):
    """A confirmation step (withdraw, publish, reinstate): only the CSRF token."""
