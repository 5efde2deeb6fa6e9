"""The base of every form: a FlaskForm that can show a service's refusal next to its field.

When a service refuses (`consult.errors.ServiceError`), the handler layer rolls the request
back and runs the view once more with the refusal recorded. In that second run the form that
was submitted does not validate: the reason is put on the field it names (or on the form), so
the view answers its own 422 page exactly as for any other invalid input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import g
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from consult.i18n import later
from consult.ids import parse_id


def label_choices(members: Iterable[Any]) -> list[tuple[str, Any]]:
    """(value, label) choices of enum members whose label is read when the form is shown.

    A form's class-level choices are built once, at import, outside any request: `.label`
    there would be the English text for everyone. The lazy label is worded per request."""
    return [(member.value, later(lambda member=member: member.label)) for member in members]


class Form(FlaskForm):
    """A FlaskForm that takes part in the handler layer's refusals."""

    def validate_on_submit(self, extra_validators=None) -> bool:
        valid = super().validate_on_submit(extra_validators)
        refusal = g.get("_refusal")
        if valid and refusal is not None and not g.get("_refusal_placed"):
            g._refusal_placed = True
            self.refuse(refusal.message, refusal.field or g.get("_refusal_field"))
            return False
        if valid:
            g._form_accepted = True
        return valid

    def refuse(self, message: str, field: str | None = None) -> None:
        """Show `message` next to `field`, or for the whole form when it has no such field."""
        target = self._fields.get(field) if field else None
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            self.form_errors.append(message)


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of labelled checkboxes (a fieldset of boxes)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def row_id(value: object) -> int:
    """A chosen row's id (a field's `coerce`); anything no database id can be is refused
    (WTForms says so next to the field)."""
    ident = parse_id(value)
    if ident is None:
        raise ValueError(value)
    return ident
