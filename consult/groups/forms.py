"""The Secretariat's form for a group: members, coordinator, room (and a defined group's name)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Optional

from consult.forms import Form
from consult.ids import coerce_id


class GroupForm(Form):
    #: A defined group's own; a regional group's name and members are fixed (the form drops them).
    name = StringField(
        _l("Name, as printed after “on behalf of the”"),
        validators=[DataRequired(_l("Give the group a name."))],
    )
    slug = StringField(
        _l("Short name (in addresses)"),
        validators=[DataRequired(_l("Give the group a short name."))],
    )
    members = SelectMultipleField(_l("Member delegations"), coerce=int, validators=[Optional()])
    coordinator = SelectField(_l("Coordinator delegation"), coerce=coerce_id)
    room = SelectField(_l("The group's room (optional)"), coerce=coerce_id)


class ActiveForm(Form):
    """Deactivate or reactivate a group: a button, no fields."""


def group_form(delegations, rooms, *, regional: bool, **data) -> GroupForm:
    form = GroupForm(**data)
    if regional:
        for name in ("name", "slug", "members"):
            del form[name]
    else:
        form.members.choices = delegations
    form.coordinator.choices = [("", _l("No coordinator"))] + delegations
    form.room.choices = [("", _l("No room"))] + rooms
    return form
