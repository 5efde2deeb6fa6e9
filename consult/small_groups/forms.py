"""The chair's form for opening a small group."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.forms import Form
from consult.ids import parse_id
from consult.markdown import Renderable
from consult.small_groups.services import MAX_DESCRIPTION, MAX_TITLE


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (a fieldset of labelled boxes)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _row_id(value: object) -> int:
    """A chosen row's id; anything no database id can be is refused (WTForms says so)."""
    ident = parse_id(value)
    if ident is None:
        raise ValueError(value)
    return ident


class SmallGroupForm(Form):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the small group a title.")), Length(max=MAX_TITLE)],
    )
    description = TextAreaField(
        _l("What the small group is for (Markdown, optional)"),
        validators=[Optional(), Length(max=MAX_DESCRIPTION), Renderable()],
    )
    # The service checks every choice against the parent's audience (and says which is not).
    delegations = CheckboxesField(
        _l("Delegations (each of their people joins)"), coerce=_row_id, validate_choice=False
    )
    people = CheckboxesField(_l("People, in their own name"), coerce=_row_id, validate_choice=False)
