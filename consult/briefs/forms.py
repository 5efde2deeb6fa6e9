"""The forms of the trend brief pages (labels through lazy gettext: translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from consult.briefs.services import MAX_BRIEF_LENGTH, MAX_OBJECTION_DAYS, MAX_REASON_LENGTH
from consult.forms import Form
from consult.ids import WholeNumberField, parse_id
from consult.markdown import Renderable
from consult.taxonomy.forms import TagFields


class BriefForm(Form):
    body = TextAreaField(
        _l("Trend brief (Markdown): trends and general lessons, never cases"),
        validators=[DataRequired(), Length(max=MAX_BRIEF_LENGTH), Renderable()],
    )


class _ConfirmForm(Form):
    #: Keys of the flags the chair keeps ("keep this, it is not identifying").
    confirm = SelectMultipleField(validate_choice=False, validators=[Optional()])

    def confirmed(self) -> set[str]:
        return {key for key in self.confirm.data or [] if key}


class SubmitForm(_ConfirmForm):
    days = WholeNumberField(
        _l("Objection period (days)"),
        default=14,
        validators=[DataRequired(), NumberRange(1, MAX_OBJECTION_DAYS)],
        description=_l("Member delegations may object until the period ends."),
    )


class PublishForm(TagFields, _ConfirmForm):
    """Where to publish, and (optional) the stages, activities and articles the published
    brief is listed under in the library."""

    target = SelectField(
        _l("Publish in the room"),
        coerce=parse_id,  # None for anything that is not a room id: refused with a message
        validate_choice=False,
        description=_l("A non-confidential room, e.g. WGETI. The brief appears there unsigned."),
    )


class ObjectionForm(Form):
    reason = TextAreaField(
        _l("Reason for your delegation's objection"),
        validators=[DataRequired(), Length(max=MAX_REASON_LENGTH), Renderable()],
        description=_l("Only the chair and your delegation see it."),
    )
