"""The tag fields every taggable form shares (a paper, a topic, a contribution, an agenda
item, a case study, a question, a request for assistance).

A form adds them by inheriting `TagFields`; its view calls `prepare(form, subject)` before
validating (the choices come from the database, with the retired terms the subject already
has) and `tags_from(form, subject)` to have the service's checks refuse, next to the field, a
term that is retired or does not exist. The service then calls `apply(subject, tags)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from consult.forms import Form
from consult.taxonomy import services
from consult.taxonomy.models import TREATY_ARTICLES, Term, Vocabulary


class TagFields:
    """Stages and sub-topics, transfer activities and Treaty articles (all optional).

    The service refuses a wrong value with its own words, not WTForms (`validate_choice`)."""

    stages = SelectMultipleField(
        _l("Stages of implementation and sub-topics (optional)"),
        validate_choice=False,
        description=_l("Hold Ctrl (or Cmd) to choose several."),
    )
    activities = SelectMultipleField(
        _l("Transfer activities (optional)"),
        validate_choice=False,
        description=_l("Import, export, transit, trans-shipment, brokering."),
    )
    articles = SelectMultipleField(
        _l("Treaty articles it concerns (optional)"),
        choices=[(str(n), _l("Article %(n)d", n=n)) for n in TREATY_ARTICLES],
        validate_choice=False,
        description=_l("Hold Ctrl (or Cmd) to choose several."),
    )


@dataclass
class ChosenTags:
    """What a form chose, checked: the terms of both vocabularies and the articles."""

    stages: list[Term]
    activities: list[Term]
    articles: list[int]


def prepare(form: Any, subject: Any = None) -> None:
    """Fill the choices (and, on a GET, the current values of `subject`)."""
    kept = services.term_ids_of(subject) if subject is not None and subject.id else []
    form.stages.choices = services.choices(Vocabulary.STAGE, keep=kept)
    form.activities.choices = services.choices(Vocabulary.ACTIVITY, keep=kept)
    if subject is not None and subject.id and not form.is_submitted():
        tags = services.tags_of(subject)
        form.stages.data = [str(t.id) for t in tags.stages]
        form.activities.data = [str(t.id) for t in tags.activities]
        form.articles.data = [str(a) for a in tags.articles]


def chosen(
    stages: list[str] | None,
    activities: list[str] | None,
    articles: list[str] | None,
    subject: Any = None,
) -> ChosenTags:
    """Check what was chosen (a `TaxonomyError` names the field); retired terms the subject
    already has are kept, no new one is accepted."""
    kept = services.term_ids_of(subject) if subject is not None and subject.id else []
    return ChosenTags(
        stages=services.check_terms(stages or [], vocabulary=Vocabulary.STAGE, keep=kept),
        activities=services.check_terms(
            activities or [], vocabulary=Vocabulary.ACTIVITY, keep=kept, field="activities"
        ),
        articles=services.check_articles(articles or []),
    )


def tags_from(form: Any, subject: Any = None) -> ChosenTags:
    """`chosen` for a form that has the `TagFields`."""
    return chosen(form.stages.data, form.activities.data, form.articles.data, subject)


def apply(subject: Any, tags: ChosenTags) -> None:
    """Tag the subject with exactly what was chosen (the subject must have its id)."""
    services.set_tags(subject, tags.stages, vocabulary=Vocabulary.STAGE)
    services.set_tags(subject, tags.activities, vocabulary=Vocabulary.ACTIVITY)
    services.set_articles(subject, tags.articles)


# ---- the Secretariat's administration --------------------------------------------------------


class TermForm(Form):
    """A stage, sub-topic or transfer activity. The service checks every field (with its own
    words, the lengths said), so the fields here only carry the input."""

    #: Where a new term goes (a stage, a sub-topic of a stage, an activity); not when editing.
    place = SelectField(_l("What it is"), validate_choice=False)
    name = StringField(_l("Name"))
    slug = StringField(
        _l("Short name (in its library address)"),
        description=_l(
            "Lower-case words joined by hyphens, e.g. stockpile-management. Left empty, it is "
            "made from the name."
        ),
    )
    description = TextAreaField(_l("Description (optional)"))


class TermActionForm(Form):
    """Move, retire or reinstate a term: a button, no fields."""
