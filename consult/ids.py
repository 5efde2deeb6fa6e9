"""Whole numbers from URLs, query strings and forms: only what the database can hold.

SQLite's INTEGER and PostgreSQL's BIGINT stop at 2**63-1; a larger Python int raises
OverflowError deep in the driver (a 500). So every id and number taken from a request passes
here first: the `int` URL converter (installed app-wide by create_app) for path segments, and
parse_int / parse_id for query strings and forms. Out of range or not a number: 404 for an id
(nothing by that name exists), a message for a form field.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import IntegerConverter, Map
from wtforms import IntegerField
from wtforms.validators import StopValidation

#: The largest value a database integer column holds (SQLite INTEGER, PostgreSQL BIGINT).
MAX_INT = 2**63 - 1

# ASCII digits only (str.isdigit() also says yes to "²", which int() refuses), no sign, no
# leading zero, at most 19 digits: one spelling per number and nothing int() could choke on.
_NUMBER = re.compile(r"(?:0|[1-9][0-9]{0,18})")


class IdConverter(IntegerConverter):
    """The app's `int` path converter: 0..2**63-1 in plain digits, anything else is a 404.

    Werkzeug's own accepts any run of digits ("/papers/99999999999999999999" reached the
    database and overflowed) and leading zeros ("/papers/007").
    """

    regex = _NUMBER.pattern

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 0,  # noqa: A002 - werkzeug's argument names
        max: int | None = MAX_INT,  # noqa: A002
        signed: bool = False,
    ) -> None:
        if signed:
            raise ValueError("ids are never negative; use a string converter for signed values")
        super().__init__(
            map, fixed_digits, 0 if min is None else min, MAX_INT if max is None else max
        )


def parse_int(value: Any, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """A whole number from request text, or None when it is not one or not in range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_id(value: Any) -> int | None:
    """A row id (1..2**63-1) from request text, or None: look nothing up for anything else."""
    return parse_int(value, minimum=1)


def coerce_id(value: Any) -> int | None:
    """A SelectField's `coerce` for row ids: "" or 0 (a "Choose ..." entry) is no choice;
    anything but an id is refused (WTForms then says "Invalid Choice" next to the field)
    instead of reaching the database."""
    if value is None or value == "" or parse_int(value) == 0:
        return None
    number = parse_id(value)
    if number is None:
        raise ValueError("not an id")
    return number


class WholeNumberField(IntegerField):
    """An IntegerField that refuses, with a message, what no database integer holds.

    WTForms' NumberRange calls math.isnan() on the value, which raises OverflowError for an int
    past a float's range (a 500 for "9" x 400); and a large id would overflow the driver.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not -MAX_INT <= self.data <= MAX_INT:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))

    def pre_validate(self, form: Any) -> None:
        # Say what is wrong with the text sent (not "This field is required.", which
        # DataRequired would put in its place) and skip the range check.
        if self.process_errors:
            raise StopValidation()
