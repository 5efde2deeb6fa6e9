"""Forms for signing in, profiles, passwords, two-factor, handover and administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from consult import i18n
from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.accounts.services import MIN_PASSWORD_LENGTH
from consult.forms import Form, label_choices
from consult.ids import coerce_id
from consult.zones import ZoneField


class SignInForm(Form):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class SecondFactorForm(Form):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text"},
    )


class ReauthForm(Form):
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code"},
    )


class RequestResetForm(Form):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class NewPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l(
            "At least %(n)d characters. A few unrelated words make a good one.",
            n=MIN_PASSWORD_LENGTH,
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l("e.g. First Secretary, Arms Control Officer"),
    )
    agency = StringField(
        _l("Agency"),
        validators=[Optional(), Length(max=200)],
        description=_l("e.g. Ministry of Foreign Affairs, Defence, Customs, Licensing authority"),
    )
    time_zone = ZoneField(_l("Time zone"), validators=[DataRequired()])
    language = SelectField(
        _l("Language"),
        description=_l("Of the pages and of the e-mail consult sends you."),
        validate_choice=False,  # a code not offered falls back to the browser's, no error
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [("", _l("As my browser asks"))] + i18n.choices()
        if self.language.data not in dict(self.language.choices):
            self.language.data = ""


class EnableTwoFactorForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        description=_l("With the code, it counts as signing in again for confidential rooms."),
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        _l("Six-digit code from your app"),
        validators=[DataRequired(), Length(min=6, max=8)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ConfirmPasswordForm(Form):
    # Its own id: the profile page also shows the new-password field ("password").
    password = PasswordField(
        _l("Your password"),
        id="confirm-password",
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class HandoverForm(Form):
    successor = SelectField(
        _l("Successor"),
        coerce=coerce_id,
        validators=[DataRequired(message=_l("Choose a colleague from the list."))],
        description=_l(
            "An active colleague in the same delegation who has accepted their invitation."
        ),
        # The view explains a refused choice (another delegation, not yet signed in ...).
        validate_choice=False,
    )
    grant_history = BooleanField(
        _l("Also grant the successor the confidential history the departing person could read"),
        description=_l(
            "For the confidential threads your delegation started; other delegations grant "
            "their own. Recorded in the audit log."
        ),
    )
    confirm = BooleanField(
        _l("I understand the departing account will be deactivated"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class GrantHistoryForm(Form):
    confirm = BooleanField(
        _l("Grant the successor this confidential history"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class DelegationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=60)])
    status = SelectField(_l("Status"), choices=label_choices(DelegationStatus))
    regional_group = SelectField(
        _l("UN regional group"),
        choices=[("", _l("None"))] + label_choices(RegionalGroup),
    )
    is_active = BooleanField(_l("Active"), default=True)
    time_zone = ZoneField(
        _l("Time zone"),
        default="UTC",
        description=_l(
            "People invited into this delegation start with it until they choose their own; "
            "people already in it keep theirs."
        ),
    )


class UserForm(Form):
    """The Secretariat's form for inviting or editing a delegate."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    delegation = SelectField(_l("Delegation"), coerce=int, validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    agency = StringField(_l("Agency"), validators=[Optional(), Length(max=200)])
    time_zone = ZoneField(
        _l("Time zone"),
        blank=_l("The delegation's time zone"),
        default="",
        description=_l("They can choose their own on their profile."),
    )
    is_npc = BooleanField(_l("National Point of Contact"))
    is_focal_point = BooleanField(_l("Delegation focal point (may hand over colleagues' roles)"))
    note = TextAreaField(
        _l("Personal note in the invitation"), validators=[Optional(), Length(max=1000)]
    )
