"""The one kind of refusal a service gives: a message for the person and the field it is about.

Services raise a `ServiceError` (each domain has its subclass) when what was asked cannot be
done: a closed paper, a name already taken, a file too large. The handler layer
(`consult.handlers`) turns it into the answer the view declares: the form again with the
message next to its field (422), or a flash and a redirect. Nothing the request did is kept.
"""

from __future__ import annotations

from flask_babel import format_number
from flask_babel import gettext as _


class ServiceError(ValueError):
    """What was asked cannot be done; `field` names the form field the reason belongs to."""

    #: The field a subclass's refusals belong to unless the raise names one.
    field: str | None = None

    def __init__(self, message: str = "", field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field

    @property
    def message(self) -> str:
        return str(self)


def refuse_longer_than(
    text: str, limit: int, field: str | None, error: type[ServiceError] = ServiceError
) -> None:
    """Text over a limit is refused with its length said (never cut), next to its field."""
    if len(text) > limit:
        raise error(
            _(
                "This is %(length)s characters long; at most %(limit)s are accepted.",
                length=format_number(len(text)),
                limit=format_number(limit),
            ),
            field,
        )


def accepted_text(
    text: str | None,
    limit: int,
    field: str | None,
    error: type[ServiceError] = ServiceError,
    empty: str | None = None,
) -> str:
    """Text a person wrote, as a service stores it: stripped; refused when empty (if `empty`
    says why), over the limit (its length said) or not storable as Markdown."""
    from consult.markdown import check

    text = (text or "").strip()
    if empty and not text:
        raise error(empty, field)
    refuse_longer_than(text, limit, field, error)
    if problem := check(text):
        raise error(problem, field)
    return text
