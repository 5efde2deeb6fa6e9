"""Reading the taxonomy, checking what a form chose, and tagging subjects.

Every domain tags through `check_terms` / `check_articles` (a refusal next to the field, for a
term that does not exist or is retired) and `set_tags` / `set_articles`; the library selects
with `tagged` / `tagged_article`, which are subqueries (one statement however many rows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from consult.errors import ServiceError
from consult.extensions import db
from consult.policy import subject_of
from consult.taxonomy.models import TREATY_ARTICLES, ArticleTag, Tag, Term, Vocabulary


class TaxonomyError(ServiceError):
    """A tag or a term change that cannot be made; the message is shown next to its field."""

    field = "stages"


# ---- reading ---------------------------------------------------------------------------------


def terms(vocabulary: Vocabulary = Vocabulary.STAGE, *, with_retired: bool = False) -> list[Term]:
    """Every term of the vocabulary in the Secretariat's order (stages before their sub-topics
    is the caller's business: see `tree`)."""
    query = select(Term).where(Term.vocabulary == vocabulary)
    if not with_retired:
        query = query.where(Term.retired_at.is_(None))
    return list(db.session.scalars(query.order_by(Term.position, Term.id)))


def tree(*, with_retired: bool = False) -> list[tuple[Term, list[Term]]]:
    """The stages, each with its sub-topics, in order (one query)."""
    rows = terms(Vocabulary.STAGE, with_retired=with_retired)
    children: dict[int, list[Term]] = defaultdict(list)
    for term in rows:
        if term.parent_id is not None:
            children[term.parent_id].append(term)
    return [(t, children[t.id]) for t in rows if t.parent_id is None]


def by_slug(slug: str) -> Term | None:
    return db.session.scalars(select(Term).where(Term.slug == slug)).first()


def with_subtopics(term: Term) -> list[int]:
    """The term's id and its sub-topics' (retired ones too: what was tagged stays listed)."""
    ids = db.session.scalars(select(Term.id).where(Term.parent_id == term.id))
    return [term.id, *ids]


def label(term: Term, parents: dict[int, Term] | None = None) -> str:
    """ "Post-delivery measures: Stockpile management" for a sub-topic, the name for a stage."""
    if term.parent_id is None:
        return term.name
    parent = (parents or {}).get(term.parent_id) or db.session.get(Term, term.parent_id)
    return f"{parent.name}: {term.name}"


def choices(
    vocabulary: Vocabulary = Vocabulary.STAGE, keep: Iterable[int] = ()
) -> list[tuple[str, str]]:
    """(value, label) pairs for a form's multiple choice: the terms in use, plus the retired
    ones the subject already has (`keep`), so editing never drops a tag silently."""
    keep = set(keep)
    rows = [t for t in terms(vocabulary, with_retired=True) if t.retired_at is None or t.id in keep]
    if vocabulary is not Vocabulary.STAGE:
        return [(str(t.id), t.name) for t in rows]
    parents = {t.id: t for t in rows if t.parent_id is None}
    out: list[tuple[str, str]] = []
    for stage in parents.values():
        out.append((str(stage.id), stage.name))
        out.extend((str(t.id), f"{stage.name}: {t.name}") for t in rows if t.parent_id == stage.id)
    return out


@dataclass
class Tags:
    """What a subject is tagged with: terms (stages, sub-topics, activities) and articles."""

    terms: list[Term] = field(default_factory=list)
    articles: list[int] = field(default_factory=list)

    @property
    def stages(self) -> list[Term]:
        return [t for t in self.terms if t.vocabulary is Vocabulary.STAGE]

    @property
    def activities(self) -> list[Term]:
        return [t for t in self.terms if t.vocabulary is Vocabulary.ACTIVITY]

    def __bool__(self) -> bool:
        return bool(self.terms or self.articles)


def tags_of_many(subjects: Sequence[Any]) -> dict[tuple[str, int], Tags]:
    """The tags of several subjects (of any types), in two queries; keyed by (type, id)."""
    keys = [subject_of(s) for s in subjects]
    found: dict[tuple[str, int], Tags] = {k: Tags() for k in keys}
    by_type: dict[str, list[int]] = defaultdict(list)
    for kind, ident in keys:
        by_type[kind].append(ident)
    if not by_type:
        return found
    # In the Secretariat's order: each stage, then its sub-topics (a sub-topic sorts with its
    # stage), so "Post-delivery measures" comes before its "Delivery verification certificates".
    stage = aliased(Term)
    rows = db.session.execute(
        select(Tag.subject_type, Tag.subject_id, Term)
        .join(Term, Term.id == Tag.term_id)
        .outerjoin(stage, stage.id == Term.parent_id)
        .where(_any_of(Tag, by_type))
        .order_by(
            Term.vocabulary,
            func.coalesce(stage.position, Term.position),
            func.coalesce(stage.id, Term.id),
            Term.parent_id.is_not(None),
            Term.position,
            Term.id,
        )
    )
    for kind, ident, term in rows:
        found[(kind, ident)].terms.append(term)
    articles = db.session.execute(
        select(ArticleTag.subject_type, ArticleTag.subject_id, ArticleTag.article)
        .where(_any_of(ArticleTag, by_type))
        .order_by(ArticleTag.article)
    )
    for kind, ident, article in articles:
        found[(kind, ident)].articles.append(article)
    return found


def tags_of(subject: Any) -> Tags:
    """What one subject is tagged with (two queries)."""
    return tags_of_many([subject])[subject_of(subject)]


def _any_of(model: Any, by_type: dict[str, list[int]]) -> ColumnElement[bool]:
    from sqlalchemy import or_

    return or_(
        *(
            and_(model.subject_type == kind, model.subject_id.in_(ids))
            for kind, ids in by_type.items()
        )
    )


# ---- checking what a form chose --------------------------------------------------------------


def check_terms(
    values: Iterable[int | str],
    *,
    vocabulary: Vocabulary | None = Vocabulary.STAGE,
    keep: Iterable[int] = (),
    field: str = "stages",
) -> list[Term]:
    """The chosen terms, or a refusal next to `field`: a value that names no term (of the
    vocabulary), or a retired term the subject did not already have (`keep`)."""
    keep = set(keep)
    ids: list[int] = []
    for value in values:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 9):
            raise TaxonomyError(_("Choose from the list."), field)
        if int(text) not in ids:
            ids.append(int(text))
    if not ids:
        return []
    found = {t.id: t for t in db.session.scalars(select(Term).where(Term.id.in_(ids)))}
    chosen: list[Term] = []
    for ident in ids:
        term = found.get(ident)
        if term is None or (vocabulary is not None and term.vocabulary is not vocabulary):
            raise TaxonomyError(_("Choose from the list."), field)
        if term.is_retired and term.id not in keep:
            raise TaxonomyError(
                _(
                    "“%(term)s” has been retired by the Secretariat and can no longer be chosen.",
                    term=term.name,
                ),
                field,
            )
        chosen.append(term)
    return chosen


def check_articles(values: Iterable[int | str], field: str = "articles") -> list[int]:
    """The Treaty articles, each 1 to 28, without repeats; a refusal names the first wrong one."""
    chosen: list[int] = []
    for value in values:
        text = str(value).strip()
        number = int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None
        if number is None or number not in TREATY_ARTICLES:
            raise TaxonomyError(
                _("The Treaty has articles 1 to 28; %(value)s is not one.", value=text[:10]),
                field,
            )
        if number not in chosen:
            chosen.append(number)
    return sorted(chosen)


# ---- tagging ---------------------------------------------------------------------------------


def set_tags(
    subject: Any, chosen: Iterable[Term], *, vocabulary: Vocabulary | None = Vocabulary.STAGE
) -> None:
    """Make the subject's tags of `vocabulary` (None: every vocabulary) exactly `chosen`."""
    kind, ident = subject_of(subject)
    wanted = {t.id for t in chosen}
    current = dict(
        db.session.execute(
            select(Tag.term_id, Tag.id)
            .join(Term, Term.id == Tag.term_id)
            .where(
                Tag.subject_type == kind,
                Tag.subject_id == ident,
                *([Term.vocabulary == vocabulary] if vocabulary is not None else []),
            )
        ).all()
    )
    stale = [tag_id for term_id, tag_id in current.items() if term_id not in wanted]
    if stale:
        db.session.execute(delete(Tag).where(Tag.id.in_(stale)))
    db.session.add_all(
        Tag(subject_type=kind, subject_id=ident, term_id=t) for t in wanted if t not in current
    )
    db.session.flush()


def set_articles(subject: Any, articles: Iterable[int]) -> None:
    """Make the subject's Treaty articles exactly `articles` (already checked)."""
    kind, ident = subject_of(subject)
    wanted = set(articles)
    current = set(
        db.session.scalars(
            select(ArticleTag.article).where(
                ArticleTag.subject_type == kind, ArticleTag.subject_id == ident
            )
        )
    )
    if current - wanted:
        db.session.execute(
            delete(ArticleTag).where(
                ArticleTag.subject_type == kind,
                ArticleTag.subject_id == ident,
                ArticleTag.article.in_(current - wanted),
            )
        )
    db.session.add_all(
        ArticleTag(subject_type=kind, subject_id=ident, article=a) for a in sorted(wanted - current)
    )
    db.session.flush()


def term_ids_of(subject: Any) -> list[int]:
    """The ids of the subject's terms (for `keep=` when editing it)."""
    kind, ident = subject_of(subject)
    return list(
        db.session.scalars(
            select(Tag.term_id).where(Tag.subject_type == kind, Tag.subject_id == ident)
        )
    )


# ---- selecting what is tagged ----------------------------------------------------------------


def tagged(model: type, term_ids: Iterable[int]) -> ColumnElement[bool]:
    """A WHERE clause on `model`: its rows tagged with any of the terms (a subquery)."""
    return model.id.in_(
        select(Tag.subject_id).where(
            Tag.subject_type == model.__tablename__, Tag.term_id.in_(list(term_ids))
        )
    )


def tagged_article(model: type, article: int) -> ColumnElement[bool]:
    """A WHERE clause on `model`: its rows that concern the Treaty article."""
    return model.id.in_(
        select(ArticleTag.subject_id).where(
            ArticleTag.subject_type == model.__tablename__, ArticleTag.article == article
        )
    )
