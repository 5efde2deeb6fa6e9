"""The forms of the thread pages (labels through lazy gettext: translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from consult.forms import Form
from consult.ids import parse_id, parse_int
from consult.markdown import Renderable
from consult.threads.models import Marking, ThreadStatus
from consult.threads.services import MAX_POST_LENGTH

MAX_RETENTION_DAYS = 3650
RETENTION_MESSAGE = _l("Give a number of days between 1 and 3650, or leave it empty.")


def marking_choices() -> list[tuple[str, str]]:
    return [(m.value, f"{m.value}: {m.meaning}") for m in Marking]


class ThreadForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    marking = SelectField(
        _l("Handling marking"), choices=marking_choices, default=Marking.AMBER_STRICT.value
    )
    case_reference = StringField(
        _l("Case reference (optional)"), validators=[Optional(), Length(max=120)]
    )
    need_to_know = BooleanField(_l("Need-to-know: only the members I choose see this thread"))
    audience = SelectMultipleField(
        _l("Members who may see it"), coerce=int, validators=[Optional()]
    )
    body = TextAreaField(
        _l("First post (Markdown; remote images are never shown)"),
        validators=[DataRequired(), Length(max=MAX_POST_LENGTH), Renderable()],
    )


class PostForm(Form):
    body = TextAreaField(
        _l("Post (Markdown)"),
        validators=[DataRequired(), Length(max=MAX_POST_LENGTH), Renderable()],
    )
    attachment = FileField(_l("Attachment (optional: PDF, Word, Excel, CSV, text, image)"))


class MarkingForm(Form):
    marking = StringField(_l("Handling marking"))

    def validate_marking(self, field) -> None:
        if field.data not in {m.value for m in Marking}:
            raise ValidationError(_l("Choose a marking from the list."))


class AudienceForm(Form):
    #: Ids of the room's members to add to the need-to-know list.
    user = SelectMultipleField(
        _l("Add members of the room"), coerce=parse_id, validate_choice=False
    )


class ExportsForm(Form):
    allowed = StringField()  # "1": allow exports; anything else: turn them off


class StatusForm(Form):
    status = StringField()

    def validate_status(self, field) -> None:
        if field.data not in {s.value for s in ThreadStatus}:
            raise ValidationError(_l("Choose open or closed."))


class RetentionForm(Form):
    days = StringField(_l("Purge posts older than (days; empty: keep)"), validators=[Optional()])

    def validate_days(self, field) -> None:
        if parse_int(field.data, minimum=1, maximum=MAX_RETENTION_DAYS) is None:
            raise ValidationError(RETENTION_MESSAGE)


class PurgeForm(Form):
    #: A note of the author's request; not stored (the audit records only that one was given).
    reason = StringField(validators=[Optional(), Length(max=200)])
