"""The chair's forms (settings, a question) and the delegation's answer form.

Lengths and Markdown are checked by the services (a refusal says the length, next to its
field); these forms only carry the values.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from consult.forms import Form
from consult.ids import parse_id
from consult.questionnaires.models import Question
from consult.questionnaires.services import answer_field
from consult.taxonomy.forms import TagFields

ATTRIBUTION_CHOICES = [
    ("attributed", _l("Attributed: each answer under its delegation's name")),
    ("lettered", _l("Lettered: “Delegation A”, “Delegation B” … (no names)")),
    ("unattributed", _l("Unattributed: answers without any name")),
]
SHARING_CHOICES = [
    ("room", _l("With the room: everyone who sees the room reads the submitted answers")),
    (
        "chair",
        _l("Only with the chair: the room's chairs, the Secretariat and each delegation its own"),
    ),
]


class QuestionnaireForm(Form):
    title = StringField(_l("Title"))
    introduction = TextAreaField(_l("Introduction (Markdown, optional)"))
    closes_at = DateTimeLocalField(
        _l("Deadline for answers"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    sharing = RadioField(_l("Who reads the answers"), choices=SHARING_CHOICES, default="room")
    attribution = SelectField(_l("Compilation"), choices=ATTRIBUTION_CHOICES, validate_choice=False)


class QuestionForm(TagFields, Form):
    text = TextAreaField(_l("Question (Markdown)"))


class DeadlineForm(Form):
    closes_at = DateTimeLocalField(
        _l("New deadline for answers"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )


class DesignateForm(Form):
    designated = SelectField(_l("Colleague who may submit"), validate_choice=False)


class AnswerFormBase(Form):
    #: The draft's version when the form was shown; empty when the delegation has no draft.
    version = HiddenField()
    #: save | submit | amend
    action = StringField(validators=[InputRequired()], default="save")


def answer_form(questions: list[Question], **kwargs) -> AnswerFormBase:
    """A form with one text per question (`answer_<id>`), the version and the action."""

    class AnswerForm(AnswerFormBase):
        pass

    for number, question in enumerate(questions, start=1):
        setattr(
            AnswerForm,
            answer_field(question),
            TextAreaField(_l("Answer to question %(n)s", n=number), validators=[Optional()]),
        )
    return AnswerForm(**kwargs)


def answers_from(form: AnswerFormBase, questions: list[Question]) -> dict[int, str]:
    return {q.id: form[answer_field(q)].data or "" for q in questions}


def seen_version(form: AnswerFormBase) -> int | None:
    """The version the person started from (None: there was no draft, or it is unreadable)."""
    raw = (form.version.data or "").strip()
    return parse_id(raw) if raw else None
