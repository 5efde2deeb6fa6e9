"""The Secretariat's administration of the taxonomy: add, edit, order, retire and reinstate
stages, sub-topics and transfer activities.

Terms are never deleted: a retired term is no longer offered for new tags, and what was tagged
with it keeps the tag and stays listed under it (`consult.taxonomy.services.check_terms`
refuses it for new tags). Every change is recorded in the audit log.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from consult import audit
from consult.errors import refuse_longer_than
from consult.extensions import db
from consult.policy import visible_subject
from consult.taxonomy.models import Tag, Term, Vocabulary
from consult.taxonomy.services import TaxonomyError
from consult.timeutil import utcnow

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME = 200
MAX_SLUG = 80
MAX_DESCRIPTION = 2000

#: Where a new term goes, as the form names it: a stage, an activity, or "sub-<stage id>".
STAGE_PLACE = "stage"
ACTIVITY_PLACE = "activity"
SUB_PREFIX = "sub-"


@dataclass
class Listing:
    """What the administration page lists: the stages with their sub-topics and the
    activities, in order, retired ones included, with how many subjects each tags."""

    stages: list[tuple[Term, list[Term]]]
    activities: list[Term]
    counts: dict[int, int]


def listing(user: Any) -> Listing:
    """Every term in order (one query) and the tag counts (one query), counting only the
    subjects `user` may see."""
    rows = list(db.session.scalars(select(Term).order_by(Term.position, Term.id)))
    stages = [t for t in rows if t.vocabulary is Vocabulary.STAGE and t.parent_id is None]
    tree = [(s, [t for t in rows if t.parent_id == s.id]) for s in stages]
    activities = [t for t in rows if t.vocabulary is Vocabulary.ACTIVITY]
    return Listing(tree, activities, tag_counts(user))


def tag_counts(user: Any) -> dict[int, int]:
    """How many subjects (that `user` may see) are tagged with each term."""
    return dict(
        db.session.execute(
            select(Tag.term_id, func.count(Tag.id))
            .where(visible_subject(Tag.subject_type, Tag.subject_id, user))
            .group_by(Tag.term_id)
        ).all()
    )


def place_choices() -> list[tuple[str, str]]:
    """Where a new term may go: a stage, a sub-topic of a stage in use, a transfer activity."""
    out = [(STAGE_PLACE, _("A stage of implementation"))]
    for stage in db.session.scalars(
        select(Term)
        .where(
            Term.vocabulary == Vocabulary.STAGE,
            Term.parent_id.is_(None),
            Term.retired_at.is_(None),
        )
        .order_by(Term.position, Term.id)
    ):
        out.append((f"{SUB_PREFIX}{stage.id}", _("A sub-topic of %(stage)s", stage=stage.name)))
    out.append((ACTIVITY_PLACE, _("A transfer activity")))
    return out


def slug_of(name: str) -> str:
    """An address made from a name: "Post-delivery measures" -> "post-delivery-measures"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:MAX_SLUG].strip("-")


def _checked(name: str, slug: str, description: str, term: Term | None) -> tuple[str, str, str]:
    name = " ".join((name or "").split())
    description = (description or "").strip()
    if not name:
        raise TaxonomyError(_("Give the term a name."), "name")
    refuse_longer_than(name, MAX_NAME, "name", TaxonomyError)
    slug = (slug or "").strip()
    if not slug and term is None:
        slug = slug_of(name)
        if not slug:
            raise TaxonomyError(
                _("Give the term a short name for its address (letters a to z and digits)."),
                "slug",
            )
    if not slug:
        raise TaxonomyError(_("Give the term a short name for its address."), "slug")
    refuse_longer_than(slug, MAX_SLUG, "slug", TaxonomyError)
    if not SLUG_PATTERN.match(slug):
        raise TaxonomyError(
            _(
                "Use lower-case words of letters a to z and digits, joined by hyphens, "
                "e.g. stockpile-management."
            ),
            "slug",
        )
    refuse_longer_than(description, MAX_DESCRIPTION, "description", TaxonomyError)
    taken = select(Term.name).where(Term.slug == slug, Term.id != (term.id if term else 0))
    if (other := db.session.scalar(taken)) is not None:
        raise TaxonomyError(
            _("“%(other)s” already has the address %(slug)s.", other=other, slug=slug), "slug"
        )
    return name, slug, description


def _siblings_query(vocabulary: Vocabulary, parent_id: int | None):
    query = select(Term).where(Term.vocabulary == vocabulary)
    if parent_id is None:
        return query.where(Term.parent_id.is_(None))
    return query.where(Term.parent_id == parent_id)


def _same_name(vocabulary: Vocabulary, parent_id: int | None, name: str, term: Term | None):
    others = _siblings_query(vocabulary, parent_id).where(
        func.lower(Term.name) == name.lower(), Term.id != (term.id if term else 0)
    )
    if db.session.scalars(others).first() is not None:
        raise TaxonomyError(_("A term beside it already has this name."), "name")


def _where(place: str) -> tuple[Vocabulary, Term | None]:
    """The vocabulary and parent a form's place names; a sub-topic's parent must be a stage
    in use."""
    if place == STAGE_PLACE:
        return Vocabulary.STAGE, None
    if place == ACTIVITY_PLACE:
        return Vocabulary.ACTIVITY, None
    text = (place or "").removeprefix(SUB_PREFIX)
    parent = None
    if place.startswith(SUB_PREFIX) and text.isascii() and text.isdigit() and len(text) <= 9:
        parent = db.session.get(Term, int(text))
    if parent is None or not parent.is_stage:
        raise TaxonomyError(_("A sub-topic goes under a stage of implementation."), "place")
    if parent.is_retired:
        raise TaxonomyError(
            _("%(stage)s is retired; reinstate it before adding to it.", stage=parent.name),
            "place",
        )
    return Vocabulary.STAGE, parent


def create_term(
    actor: Any, *, place: str, name: str, slug: str = "", description: str = ""
) -> Term:
    """Add a stage, a sub-topic under a stage, or a transfer activity, last among its
    siblings."""
    vocabulary, parent = _where(place)
    name, slug, description = _checked(name, slug, description, None)
    parent_id = parent.id if parent else None
    _same_name(vocabulary, parent_id, name, None)
    last = db.session.scalar(
        select(func.max(Term.position)).where(
            Term.id.in_(_siblings_query(vocabulary, parent_id).with_only_columns(Term.id))
        )
    )
    term = Term(
        vocabulary=vocabulary,
        parent_id=parent_id,
        slug=slug,
        name=name,
        description=description,
        position=(last or 0) + 1,
    )
    db.session.add(term)
    db.session.flush()
    audit.record(
        "taxonomy.term_created",
        f"Taxonomy: {_kind(term, parent)} {name} added ({slug})",
        actor=actor,
        term_id=term.id,
        parent_id=parent_id,
    )
    return term


def _kind(term: Term, parent: Term | None = None) -> str:
    if term.vocabulary is Vocabulary.ACTIVITY:
        return "activity"
    if term.parent_id is None:
        return "stage"
    parent = parent or db.session.get(Term, term.parent_id)
    return f"sub-topic of {parent.name}"


def update_term(term: Term, actor: Any, *, name: str, slug: str, description: str) -> list[str]:
    """Change a term's name, address or description; returns what changed."""
    name, slug, description = _checked(name, slug, description, term)
    _same_name(term.vocabulary, term.parent_id, name, term)
    changes = []
    if term.name != name:
        changes.append(f"name {term.name} -> {name}")
        term.name = name
    if term.slug != slug:
        changes.append(f"address {term.slug} -> {slug}")
        term.slug = slug
    if term.description != description:
        changes.append("description changed")
        term.description = description
    if changes:
        db.session.flush()
        audit.record(
            "taxonomy.term_updated",
            f"Taxonomy: {term.name}: {'; '.join(changes)}",
            actor=actor,
            term_id=term.id,
        )
    return changes


def siblings(term: Term) -> list[Term]:
    """The term and its siblings (retired ones too), in order."""
    return list(
        db.session.scalars(
            _siblings_query(term.vocabulary, term.parent_id).order_by(Term.position, Term.id)
        )
    )


def move(term: Term, actor: Any, *, up: bool) -> None:
    """Move the term one place up or down among its siblings (they are renumbered 1..n)."""
    row = siblings(term)
    index = row.index(term)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(row):
        raise TaxonomyError(
            _("%(name)s is already first.", name=term.name)
            if up
            else _("%(name)s is already last.", name=term.name),
            None,
        )
    row[index], row[other] = row[other], row[index]
    for position, sibling in enumerate(row, start=1):
        sibling.position = position
    db.session.flush()
    audit.record(
        "taxonomy.term_moved",
        f"Taxonomy: {term.name} moved {'up' if up else 'down'} to place {other + 1}",
        actor=actor,
        term_id=term.id,
    )


def retire(term: Term, actor: Any) -> list[Term]:
    """Retire the term (a stage: with its sub-topics in use, at the same moment, so that
    reinstating the stage brings them back). Returns the sub-topics retired with it."""
    if term.is_retired:
        raise TaxonomyError(_("%(name)s is already retired.", name=term.name), None)
    now = utcnow()
    term.retired_at = now
    with_it: list[Term] = []
    if term.is_stage:
        with_it = list(
            db.session.scalars(
                select(Term).where(Term.parent_id == term.id, Term.retired_at.is_(None))
            )
        )
        for sub in with_it:
            sub.retired_at = now
    db.session.flush()
    audit.record(
        "taxonomy.term_retired",
        f"Taxonomy: {term.name} retired"
        + (f" with its sub-topics {', '.join(s.name for s in with_it)}" if with_it else ""),
        actor=actor,
        term_id=term.id,
        with_subtopics=[s.id for s in with_it],
    )
    return with_it


def reinstate(term: Term, actor: Any) -> list[Term]:
    """Offer the term again (a stage: with the sub-topics retired together with it; a
    sub-topic only once its stage is in use). Returns the sub-topics reinstated with it."""
    if not term.is_retired:
        raise TaxonomyError(_("%(name)s is in use.", name=term.name), None)
    if term.parent_id is not None:
        parent = db.session.get(Term, term.parent_id)
        if parent.is_retired:
            raise TaxonomyError(
                _(
                    "%(stage)s is retired: reinstate the stage first.",
                    stage=parent.name,
                ),
                None,
            )
    with_it: list[Term] = []
    if term.is_stage:
        with_it = list(
            db.session.scalars(
                select(Term).where(Term.parent_id == term.id, Term.retired_at == term.retired_at)
            )
        )
        for sub in with_it:
            sub.retired_at = None
    term.retired_at = None
    db.session.flush()
    audit.record(
        "taxonomy.term_reinstated",
        f"Taxonomy: {term.name} reinstated"
        + (f" with its sub-topics {', '.join(s.name for s in with_it)}" if with_it else ""),
        actor=actor,
        term_id=term.id,
        with_subtopics=[s.id for s in with_it],
    )
    return with_it


def subtopics(term: Term) -> list[Term]:
    """A stage's sub-topics, in order (none for a sub-topic or an activity)."""
    if not term.is_stage:
        return []
    return list(
        db.session.scalars(
            select(Term).where(Term.parent_id == term.id).order_by(Term.position, Term.id)
        )
    )
