"""The administration's own forms (filters, account actions) and the shared forms' set-up.

The edit forms themselves are the domains' (DelegationForm, UserForm, RoomForm); the helpers
below fill in their choices and read their data as the services expect it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SearchField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from consult.accounts.forms import DelegationForm, UserForm
from consult.accounts.models import (
    STATUS_LABELS,
    Delegation,
    DelegationStatus,
    RegionalGroup,
    User,
)
from consult.admin.services import PersonState
from consult.forms import Form
from consult.rooms.forms import RoomForm
from consult.rooms.models import AccessLevel, Room, RoomKind


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: "" (any) becomes None, anything else must be a whole number."""
    if value is None or value == "":
        return None
    return int(value)


# ---- filters (GET, no CSRF: they change nothing) ---------------------------------------------


class FilterForm(Form):
    """Read from the query string; a value that does not validate is left out of the search."""

    class Meta:
        csrf = False

    def cleaned(self) -> dict[str, Any]:
        """The valid, non-empty values, by field name (call after validate())."""
        return {
            name: field.data
            for name, field in self._fields.items()
            if not field.errors and field.data not in (None, "")
        }

    def args(self) -> dict[str, str]:
        """The valid values as they came, for the pager's links."""
        return {
            name: field.raw_data[0]
            for name, field in self._fields.items()
            if not field.errors and field.raw_data and field.raw_data[0]
        }

    def error_messages(self) -> list[str]:
        return [
            f"{self[name].label.text}: {' '.join(map(str, errors))}"
            for name, errors in self.errors.items()
        ]


def _any(label: Any) -> list[SelectChoice]:
    return [SelectChoice("", label)]


class DelegationFilterForm(FilterForm):
    q = SearchField(_l("Name or short name"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Status"),
        choices=_any(_l("Any status"))
        + [SelectChoice(s.value, STATUS_LABELS[s]) for s in DelegationStatus],
        default="",
    )


PERSON_STATE_LABELS = {
    PersonState.ACTIVE: _l("Active"),
    PersonState.INVITED: _l("Invited, no password yet"),
    PersonState.INACTIVE: _l("Deactivated"),
}


class PeopleFilterForm(FilterForm):
    q = SearchField(_l("Name, e-mail or delegation"), validators=[Optional(), Length(max=100)])
    delegation = SelectField(_l("Delegation"), coerce=optional_int)
    state = SelectField(
        _l("Account"),
        choices=_any(_l("Any"))
        + [SelectChoice(s.value, label) for s, label in PERSON_STATE_LABELS.items()],
        default="",
    )

    def __init__(self, *args: Any, delegations: list[tuple[int, str, bool]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.delegation.choices = _any(_l("Any delegation")) + _delegation_options(delegations)


class RoomFilterForm(FilterForm):
    q = SearchField(_l("Title or short address"), validators=[Optional(), Length(max=100)])


class AuditFilterForm(FilterForm):
    kind = SelectField(_l("Kind of event"), default="")
    person = StringField(
        _l("Person (part of an e-mail address)"), validators=[Optional(), Length(max=254)]
    )
    room = SelectField(_l("Room"), coerce=optional_int)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args: Any, kinds: list[str], rooms: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The kinds are identifiers (paper.revised), the same in every language.
        self.kind.choices = _any(_l("Any kind")) + [
            SelectChoice(k, k, render_kw={"lang": "zxx"}) for k in kinds
        ]
        self.room.choices = _any(_l("Any room")) + [SelectChoice(str(i), t) for i, t in rooms]

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


# ---- account actions ---------------------------------------------------------------------------


class DeactivateForm(Form):
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Kept in the audit log, e.g. “left the delegation”."),
    )


class ResendInvitationForm(Form):
    note = TextAreaField(
        _l("Personal note in the invitation (optional)"), validators=[Optional(), Length(max=1000)]
    )


class ReactivateForm(Form):
    """Nothing to fill in: the button and its CSRF token."""


# ---- the domains' forms, set up for the Secretariat -----------------------------------------


def delegation_form(delegation: Delegation | None = None) -> DelegationForm:
    data: dict[str, Any] = {"regional_group": ""}  # "None", also when the field is not sent
    if delegation is not None:
        data = {
            "name": delegation.name,
            "short_name": delegation.short_name,
            "status": delegation.status.value,
            "regional_group": delegation.regional_group.value if delegation.regional_group else "",
            "is_active": delegation.is_active,
            "time_zone": delegation.time_zone,
        }
    return DelegationForm(data=data)


def delegation_fields(form: DelegationForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "short_name": form.short_name.data,
        "status": DelegationStatus(form.status.data),
        "regional_group": RegionalGroup(form.regional_group.data)
        if form.regional_group.data
        else None,
        "is_active": bool(form.is_active.data),
        "time_zone": form.time_zone.data,
    }


def _delegation_options(delegations: list[tuple[int, str, bool]]) -> list[SelectChoice]:
    return [
        SelectChoice(str(i), name if active else _l("%(name)s (inactive)", name=name))
        for i, name, active in delegations
    ]


def user_form(delegations: list[tuple[int, str, bool]], user: User | None = None) -> UserForm:
    """The person form without its invitation note: invitations go out as invite_user writes
    them (a note can be added when an invitation is sent again)."""
    data: dict[str, Any] = {"time_zone": ""}  # the delegation's
    if user is not None:
        data = {
            "name": user.name,
            "email": user.email,
            "delegation": user.delegation_id,
            "title": user.title,
            "agency": user.agency,
            "time_zone": user.time_zone,
            "is_npc": user.is_npc,
            "is_focal_point": user.is_focal_point,
        }
    form = UserForm(data=data)
    del form.note
    form.delegation.choices = [SelectChoice("0", _l("Choose a delegation"))] + _delegation_options(
        delegations
    )
    return form


def user_fields(form: UserForm) -> dict[str, Any]:
    return {
        "delegation_id": form.delegation.data,
        "name": form.name.data,
        "email": form.email.data,
        "title": form.title.data or "",
        "agency": form.agency.data or "",
        "time_zone": form.time_zone.data,
        "is_npc": bool(form.is_npc.data),
        "is_focal_point": bool(form.is_focal_point.data),
    }


def room_form(parents: list[tuple[int, str]], room: Room | None = None) -> RoomForm:
    """The room form with its parent and time-zone choices."""
    data: dict[str, Any] = {
        "kind": RoomKind.WORKING_GROUP.value,
        "access": AccessLevel.OPEN.value,
        "parent": 0,
    }
    if room is not None:
        data = {
            "title": room.title,
            "slug": room.slug,
            "kind": room.kind.value,
            "access": room.access.value,
            "parent": room.parent_id or 0,
            "time_zone": room.time_zone,
            "description": room.description,
            "retention_days": room.retention_days,
            "circulation_days": room.circulation_days,
            "regional_group": room.regional_group.value if room.regional_group else "",
        }
    form = RoomForm(data=data)
    form.parent.choices = [SelectChoice("0", _l("No parent room"))] + [
        SelectChoice(str(i), title) for i, title in parents
    ]
    # The service explains an unknown parent or a loop better than "Not a valid choice".
    form.parent.validate_choice = False
    return form


def room_fields(form: RoomForm) -> dict[str, Any]:
    return {
        "title": form.title.data,
        "slug": form.slug.data,
        "kind": RoomKind(form.kind.data),
        "access": AccessLevel(form.access.data),
        "parent_id": form.parent.data or None,
        "time_zone": form.time_zone.data,
        "description": form.description.data or "",
        "retention_days": form.retention_days.data or None,
        "circulation_days": form.circulation_days.data or None,
        "regional_group": RegionalGroup(form.regional_group.data)
        if form.regional_group.data
        else None,
    }
