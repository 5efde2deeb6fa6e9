"""The forms of requests and offers (with the taxonomy's tag fields), sharing, matching,
status moves and the Fund's calls. Lengths and choices are checked by the services, which
say the length and name the field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from consult.assistance.models import HelpKind, Visibility
from consult.forms import CheckboxesField, Form, label_choices, row_id
from consult.markdown import Renderable
from consult.taxonomy.forms import TagFields


class _AssistanceFields(TagFields):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give it a title."))])
    description = TextAreaField(
        _l("What is needed, and the situation now (Markdown)"),
        validators=[
            DataRequired(_l("Say what is needed, in a few sentences at least.")),
            Renderable(),
        ],
    )
    kinds = CheckboxesField(
        _l("Kinds of help"),
        choices=label_choices(HelpKind),
        validate_choice=False,
    )
    visibility = RadioField(
        _l("Who may see it"),
        choices=label_choices(Visibility),
        default=Visibility.PRIVATE.value,
        validate_choice=False,
    )


class RequestForm(_AssistanceFields, Form):
    # A request counts among the unmet needs by stage: at least one is asked for.
    stages = SelectMultipleField(
        _l("Stages of implementation and sub-topics"),
        validate_choice=False,
        description=_l("At least one. Hold Ctrl (or Cmd) to choose several."),
    )


class OfferForm(_AssistanceFields, Form):
    description = TextAreaField(
        _l("What you can provide, for whom and how (Markdown)"),
        validators=[DataRequired(_l("Say what you can provide.")), Renderable()],
    )
    visibility = RadioField(
        _l("Who may see it"),
        choices=[
            (Visibility.PRIVATE.value, _l("Private: the Secretariat only, until it is matched")),
            (Visibility.OPEN.value, _l("Open to all States Parties and signatory States")),
        ],
        default=Visibility.PRIVATE.value,
        validate_choice=False,
    )


class ShareForm(Form):
    delegation = SelectField(
        _l("Share with a donor delegation"), coerce=row_id, validate_choice=False
    )


class MatchForm(Form):
    offers = CheckboxesField(_l("Offers to match it with"), coerce=row_id, validate_choice=False)


class ConfirmForm(Form):
    """A confirmation step (withdraw, reopen): the CSRF token only."""


class CallForm(Form):
    title = StringField(
        _l("Title of the call"), validators=[DataRequired(_l("Give the call a title."))]
    )
    opens_on = DateField(
        _l("Opens on"), validators=[InputRequired(_l("Give the day the call opens."))]
    )
    deadline_on = DateField(
        _l("Deadline (last day for proposals)"),
        validators=[InputRequired(_l("Give the call's deadline."))],
    )
    link = URLField(_l("Link to the call (optional)"), validators=[Optional()])
    notes = TextAreaField(_l("Notes (optional)"), validators=[Optional()])
