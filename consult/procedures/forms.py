"""The chair's form to circulate a draft decision, the delegations' response, the extension and
the withdrawal. Lengths, Markdown and the rules are checked by the services (a refusal says
why, next to its field); these forms only carry the values."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from consult.forms import Form
from consult.procedures.models import Answer, ProcedureMode

#: Deadlines are exact to the second; a browser that leaves the seconds out means ":00".
DEADLINE_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]

MODE_CHOICES = [
    (
        ProcedureMode.SILENCE.value,
        _l("Silence procedure: adopted at the deadline unless a State Party objects"),
    ),
    (
        ProcedureMode.APPROVAL.value,
        _l("Explicit approval: adopted only if enough States Parties approve and none objects"),
    ),
]

ANSWER_LABELS = {
    ProcedureMode.SILENCE: {
        Answer.NO_OBJECTION: _l("No objection"),
        Answer.OBJECTION: _l("Objection (silence is broken)"),
    },
    ProcedureMode.APPROVAL: {
        Answer.NO_OBJECTION: _l("Approval"),
        Answer.OBJECTION: _l("Objection"),
    },
}
COMMENT_LABEL = _l("Comment (signatories and observers comment; they do not object)")


def deadline_field(label) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, validators=[Optional()], format=DEADLINE_FORMATS, render_kw={"step": "1"}
    )


class ProcedureForm(Form):
    title = StringField(_l("Title of the draft decision"))
    paper = SelectField(_l("A paper of the room"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Or the text of the draft decision (Markdown)"))
    note = TextAreaField(_l("Covering note (optional)"))
    mode = RadioField(_l("Procedure"), choices=MODE_CHOICES, default=ProcedureMode.SILENCE.value)
    quorum = IntegerField(_l("Approvals needed (explicit approval only)"), validators=[Optional()])
    closes_at = deadline_field(_l("Deadline for responses"))


class ResponseForm(Form):
    answer = RadioField(_l("Your delegation's response"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason, comment or note"))


class ExtendForm(Form):
    closes_at = deadline_field(_l("New deadline"))
    reason = TextAreaField(_l("Why the deadline is extended (sent to the room)"))


class WithdrawForm(Form):
    reason = TextAreaField(_l("Why the draft decision is withdrawn (sent to the room)"))


def answer_choices(mode: ProcedureMode, answers) -> list[tuple[str, str]]:
    labels = ANSWER_LABELS[mode]
    return [(a.value, labels.get(a, COMMENT_LABEL)) for a in answers]
