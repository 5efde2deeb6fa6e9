"""The chair's form for opening a small group."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.forms import CheckboxesField, Form, row_id
from consult.markdown import Renderable
from consult.small_groups.services import MAX_DESCRIPTION, MAX_TITLE


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
        _l("Delegations (each of their people joins)"), coerce=row_id, validate_choice=False
    )
    people = CheckboxesField(_l("People, in their own name"), coerce=row_id, validate_choice=False)
