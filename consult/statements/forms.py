"""Forms of a group statement: open, ask agreement, take a position, deliver."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from consult.forms import Form
from consult.ids import WholeNumberField
from consult.statements.models import Stance


class OpenForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    source = TextAreaField(
        _l("First draft (Markdown)"),
        validators=[DataRequired(), Length(max=100_000)],
        description=_l("Blank lines separate paragraphs; lines starting with # are headings."),
    )


class AskForm(Form):
    deadline = DateTimeLocalField(_l("Agree by"), validators=[Optional()], format="%Y-%m-%dT%H:%M")


class PositionForm(Form):
    position = RadioField(
        _l("Your delegation's position"),
        choices=[
            (Stance.AGREE.value, _l("Agree")),
            (Stance.OBJECT.value, _l("Object")),
            (Stance.WITHDRAWN.value, _l("Withdraw our objection")),
        ],
        validators=[InputRequired(_l("Choose a position."))],
    )
    reason = TextAreaField(
        _l("Reason (required to object)"), validators=[Optional(), Length(max=2_000)]
    )


class ConsensusForm(Form):
    confirm = BooleanField(
        _l("The group has agreed: make this text final (it cannot be revised afterwards)"),
        validators=[DataRequired(_l("Tick the box to confirm the group's consensus."))],
    )


class DeliverCommentForm(Form):
    paper = SelectField(_l("Paper"), validators=[InputRequired(_l("Choose a paper."))])
    paragraph = WholeNumberField(
        _l("Paragraph number"), validators=[InputRequired(_l("Give the paragraph number."))]
    )


class DeliverItemForm(Form):
    item = SelectField(_l("Agenda item"), validators=[InputRequired(_l("Choose an item."))])
