"""The library page's filters: a GET form (it changes nothing, so no CSRF), read from the
query string. A value that names nothing offered is refused next to its field, and the page
lists as if that filter were not set."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from consult.forms import Form
from consult.taxonomy.models import TREATY_ARTICLES

#: The years a library entry can carry (a filter outside is refused, never run).
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _any(label: Any) -> list[SelectChoice]:
    return [SelectChoice("", label)]


class LibraryFilterForm(Form):
    """Kind (a shelf), regional group, delegation, Treaty article, year, transfer activity."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), validate_choice=False, default="")
    region = SelectField(_l("Regional group"), validate_choice=False, default="")
    delegation = SelectField(_l("Delegation"), validate_choice=False, default="")
    article = SelectField(
        _l("Treaty article"),
        choices=_any(_l("Any article"))
        + [SelectChoice(str(n), _l("Article %(n)d", n=n)) for n in TREATY_ARTICLES],
        validate_choice=False,
        default="",
    )
    year = StringField(
        _l("Year"),
        default="",
        description=_l("For example 2026."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "size": 6},
    )
    activity = SelectField(_l("Transfer activity"), validate_choice=False, default="")

    def offer(
        self,
        kinds: list[tuple[str, Any]],
        regions: list[tuple[int, str]],
        delegations: list[tuple[int, str]],
        activities: list[tuple[int, str]],
    ) -> None:
        """The choices, from the shelves and the database."""
        self.kind.choices = _any(_l("All kinds")) + [SelectChoice(k, label) for k, label in kinds]
        self.region.choices = _any(_l("Any regional group")) + [
            SelectChoice(str(i), name) for i, name in regions
        ]
        self.delegation.choices = _any(_l("Any delegation")) + [
            SelectChoice(str(i), name) for i, name in delegations
        ]
        self.activity.choices = _any(_l("Any activity")) + [
            SelectChoice(str(i), name) for i, name in activities
        ]

    def check(self) -> dict[str, Any]:
        """The chosen values that are valid (ids and numbers as ints, the kind as its key);
        each invalid one gets its message next to its field and is left out."""
        chosen: dict[str, Any] = {}
        for name in ("kind", "region", "delegation", "article", "activity"):
            field = self[name]
            value = (field.data or "").strip()
            field.errors = []
            if not value:
                continue
            offered = {c.value if isinstance(c, SelectChoice) else c[0] for c in field.choices}
            if value not in offered:
                field.errors = [_l("Choose from the list.")]
                continue
            chosen[name] = value if name == "kind" else int(value)
        year = (self.year.data or "").strip()
        self.year.errors = []
        if year:
            number = int(year) if year.isascii() and year.isdigit() and len(year) == 4 else None
            if number is None or not FIRST_YEAR <= number <= LAST_YEAR:
                self.year.errors = [
                    _l(
                        "Give a year of four digits, from %(first)d to %(last)d.",
                        first=FIRST_YEAR,
                        last=LAST_YEAR,
                    )
                ]
            else:
                chosen["year"] = number
        return chosen

    def args(self) -> dict[str, str]:
        """The valid values as they came, for the paging and "more" links."""
        return {
            name: str(field.data).strip()
            for name, field in self._fields.items()
            if not field.errors and field.data not in (None, "") and str(field.data).strip()
        }
