"""The taxonomy's core: the seeded stages, checking chosen terms, tagging and selecting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.papers.models import Paper, PaperKind
from consult.taxonomy import services
from consult.taxonomy.models import Term, Vocabulary
from consult.taxonomy.services import TaxonomyError
from consult.timeutil import utcnow

pytestmark = pytest.mark.library


def test_the_stages_are_seeded_in_order_with_their_sub_topics(db):
    stages = services.tree()
    assert [s.name for s, _ in stages][0] == "ATT domestication"
    assert [s.name for s, _ in stages][-1] == "Post-delivery measures"
    assert len(stages) == 8
    post = dict((s.slug, subs) for s, subs in stages)["post-delivery-measures"]
    assert "Stockpile management and security" in [t.name for t in post]
    assert [t.slug for t in services.terms(Vocabulary.ACTIVITY)] == [
        "import",
        "export",
        "transit",
        "transhipment",
        "brokering",
    ]


def test_a_retired_term_is_refused_for_new_tags_but_kept_where_it_was(db):
    term = services.by_slug("stockpile-management")
    term.retired_at = utcnow()
    db.session.flush()
    with pytest.raises(TaxonomyError) as refused:
        services.check_terms([str(term.id)])
    assert "retired" in refused.value.message and refused.value.field == "stages"
    assert services.check_terms([term.id], keep=[term.id]) == [term]
    assert str(term.id) not in dict(services.choices())
    assert str(term.id) in dict(services.choices(keep=[term.id]))


@pytest.mark.parametrize("value", ["x", "999999", "-1", "1" * 12])
def test_a_value_naming_no_term_is_refused(db, value):
    with pytest.raises(TaxonomyError, match="Choose from the list"):
        services.check_terms([value])


def test_an_activity_is_not_a_stage(db):
    export = services.by_slug("export")
    with pytest.raises(TaxonomyError):
        services.check_terms([export.id])
    assert services.check_terms([export.id], vocabulary=Vocabulary.ACTIVITY) == [export]


@pytest.mark.parametrize("value", ["0", "29", "abc", "7.5"])
def test_articles_outside_the_treaty_are_refused(db, value):
    with pytest.raises(TaxonomyError, match="articles 1 to 28"):
        services.check_articles([value])


def test_tags_are_set_read_and_selected(db, make_room, make_user):
    room = make_room()
    chair = make_user()
    papers = []
    for n in range(2):
        paper = Paper(
            room_id=room.id,
            title=f"Paper {n}",
            kind=PaperKind.WORKING_PAPER,
            issued_by="The Chair",
            created_by_id=chair.id,
        )
        db.session.add(paper)
        papers.append(paper)
    db.session.flush()
    stockpile = services.by_slug("stockpile-management")
    dvc = services.by_slug("delivery-verification-certificates")
    export = services.by_slug("export")
    services.set_tags(papers[0], [stockpile, dvc])
    services.set_tags(papers[0], [export], vocabulary=Vocabulary.ACTIVITY)
    services.set_articles(papers[0], [11, 7])
    services.set_tags(papers[1], [dvc])
    # Replacing the stages leaves the activity alone.
    services.set_tags(papers[0], [stockpile])
    tags = services.tags_of(papers[0])
    assert [t.slug for t in tags.stages] == ["stockpile-management"]
    assert [t.slug for t in tags.activities] == ["export"]
    assert tags.articles == [7, 11]
    stage = services.by_slug("post-delivery-measures")
    ids = services.with_subtopics(stage)
    found = db.session.scalars(
        select(Paper.id).where(services.tagged(Paper, ids)).order_by(Paper.id)
    ).all()
    assert found == [papers[0].id, papers[1].id]
    assert db.session.scalars(select(Paper.id).where(services.tagged_article(Paper, 11))).all() == [
        papers[0].id
    ]
    assert services.label(stockpile) == "Post-delivery measures: Stockpile management and security"
    assert isinstance(db.session.get(Term, stockpile.id), Term)
