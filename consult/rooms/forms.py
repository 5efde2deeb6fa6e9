"""Forms for managing a room's members and for asking to join."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from consult.accounts.models import RegionalGroup
from consult.forms import Form, label_choices
from consult.i18n import later
from consult.ids import WholeNumberField
from consult.markdown import Renderable
from consult.rooms.models import AccessLevel, RoomKind, RoomRole
from consult.zones import ZoneField

ROLE_CHOICES = label_choices(RoomRole)


def _access_choice(access: AccessLevel) -> str:
    return _("%(level)s: %(meaning)s", level=access.label, meaning=access.explanation)


MAX_MESSAGE_LENGTH = 1000


class MaxLength:
    """Refuse text over a limit and say how long it is: it is never cut."""

    def __init__(self, limit: int) -> None:
        self.limit = limit  # no maxlength attribute: a browser would cut pasted text silently

    def __call__(self, form, field) -> None:
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                _l(
                    "Your message is %(length)d characters long; the limit is %(limit)d.",
                    length=length,
                    limit=self.limit,
                )
            )


OVERRIDE_LABEL = _l("Add anyway (Secretariat): outside the room's rule, recorded in the audit log")


class AddDelegationForm(Form):
    delegation = SelectField(_l("Delegation"), coerce=int, validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=RoomRole.MEMBER.value)
    override = BooleanField(OVERRIDE_LABEL)


class AddPersonForm(Form):
    email = EmailField(
        _l("E-mail of the person"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l(
            "If they have no account yet, give their name and delegation: they "
            "will receive an invitation."
        ),
    )
    name = StringField(_l("Name (new accounts only)"), validators=[Optional(), Length(max=200)])
    delegation = SelectField(
        _l("Delegation (new accounts only)"),
        coerce=int,
        validators=[Optional()],
        validate_choice=False,  # the service says why another delegation is refused
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=RoomRole.MEMBER.value)
    note = TextAreaField(
        _l("Message"),
        validators=[Optional(), MaxLength(MAX_MESSAGE_LENGTH)],
        description=_l(
            "Goes in the e-mail with the room's name, at most %(n)d characters.",
            n=MAX_MESSAGE_LENGTH,
        ),
    )
    override = BooleanField(OVERRIDE_LABEL)


class ChangeRoleForm(Form):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class JoinRequestForm(Form):
    message = TextAreaField(
        _l("Why you would like to take part (optional)"), validators=[Optional(), Length(max=1000)]
    )


class DecideForm(Form):
    role = SelectField(_l("Role if accepted"), choices=ROLE_CHOICES, default=RoomRole.MEMBER.value)


class RoomForm(Form):
    """The Secretariat's form for creating and editing rooms."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short address"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Use lower-case letters, digits and hyphens."),
            ),
        ],
        description=_l("Used in the room's address, e.g. wgeti-art-6-7."),
    )
    kind = SelectField(_l("Kind"), choices=label_choices(RoomKind))
    regional_group = SelectField(
        _l("Regional group (regional group rooms only)"),
        choices=[("", _l("None"))] + label_choices(RegionalGroup),
        default="",
        description=_l("Only the States of this group can be added to the room."),
    )
    access = SelectField(
        _l("Access level"),
        choices=[(a.value, later(lambda a=a: _access_choice(a))) for a in AccessLevel],
    )
    parent = SelectField(_l("Parent room"), coerce=int, validators=[Optional()])
    time_zone = ZoneField(_l("Time zone"), default="Europe/Zurich")
    retention_days = WholeNumberField(
        _l("Retention of confidential posts (days)"),
        validators=[Optional(), NumberRange(1, 3650)],
        description=_l(
            "Confidential rooms only: posts older than this are purged for good by "
            "consult purge-expired. Leave empty to keep them."
        ),
    )
    circulation_days = WholeNumberField(
        _l("Circulation period for meeting documents (days)"),
        validators=[Optional(), NumberRange(1, 365)],
        description=_l(
            "Documents for a meeting are due this many days before it starts (28: four weeks); "
            "those circulated later are marked late. Leave empty for no period."
        ),
    )
    description = TextAreaField(
        _l("Description (Markdown)"), validators=[Optional(), Length(max=20000), Renderable()]
    )


class RemoveForm(Form):
    """Nothing to fill in: the button and its CSRF token (a refusal is flashed)."""
