"""Search: through the visible filters, in the same transaction as the write, in three
languages, bad input answered plainly (issue #14, item 4)."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus
from consult.papers import services as papers
from consult.papers.models import PaperKind
from consult.rooms.models import AccessLevel, RoomRole
from consult.search import services as search
from consult.search.models import SearchDocument
from consult.search.text import highlight, query_variants, stem, terms

pytestmark = pytest.mark.reach


def _paper(room, chair, source="First paragraph.\n\nSecond paragraph.", **kw):
    paper = papers.create_paper(
        room,
        chair,
        title=kw.pop("title", "Draft guide"),
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source=source,
        **kw,
    )
    papers.open_for_comments(paper, chair)
    return paper


def _comment(paper, user, body):
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    return papers.post_comment(
        paper, user, paragraph=paragraph, body=body, on_behalf_of=user.delegation.name
    )


@pytest.fixture
def members_room(db, make_room, make_user, add_member):
    room = make_room(AccessLevel.MEMBERS, title="Post-shipment small group")
    chair, member = make_user(), make_user()
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member, RoomRole.MEMBER)
    return room, chair, member


def _found(user, text, **filters):
    """What `user` finds (confidential kinds left out: the gate is tested through the page)."""
    with current_app.test_request_context():
        return search.search(user, search.Query(text=text, **filters), include_gated=False)


def test_a_comment_is_found_by_a_member_and_not_by_an_outsider(db, members_room, make_user):
    room, chair, member = members_room
    paper = _paper(room, chair)
    _comment(paper, member, "End-use certificates should be verified on delivery.")
    db.session.flush()
    results = _found(member, "certificates")
    assert results.total == 1
    assert results.hits[0].kind == "comment"
    assert "<mark>certificates</mark>" in results.hits[0].snippet
    outsider = make_user()
    nothing = _found(outsider, "certificates")
    assert nothing.total == 0 and nothing.hits == [] and nothing.facets["kind"] == []
    assert nothing.facets["room"] == [] and nothing.facets["delegation"] == []


def test_stemming_in_english_french_and_spanish(db, members_room):
    room, chair, member = members_room
    paper = _paper(room, chair, source="Les exportations d'armes sont contrôlées par l'État.",
                   original_language="fr")
    _comment(paper, member, "Las transferencias de armas pequeñas requieren una licencia.")
    _comment(paper, member, "Verifying deliveries of the exported weapons.")
    db.session.flush()
    assert _found(member, "exportation", kind="revision").total == 1  # fr: exportations
    assert _found(member, "transferencia").total == 1  # es: transferencias
    assert _found(member, "delivery").total == 1  # en: deliveries
    assert _found(member, "controle").total == 1  # diacritics folded: contrôlées
    assert stem("exportations", "fr") == stem("exportation", "fr")
    assert stem("licencias", "es") in query_variants("licencia")


def test_the_index_follows_edits_hiding_and_deletion_in_the_same_transaction(db, members_room):
    room, chair, member = members_room
    paper = _paper(room, chair)
    comment = _comment(paper, member, "Brokering registers are kept.")
    db.session.flush()
    assert _found(member, "brokering").total == 1
    papers.hide_comment(comment, chair, "Off topic.")
    db.session.flush()
    assert _found(member, "brokering").total == 0
    other = _comment(paper, member, "Transit controls.")
    db.session.flush()
    papers.delete_comment(other, member)
    db.session.flush()
    assert _found(member, "transit").total == 0


def test_chatham_house_results_name_no_delegation_and_cannot_be_filtered_by_one(
    db, members_room
):
    room, chair, member = members_room
    paper = _paper(room, chair, is_chatham_house=True)
    _comment(paper, member, "Stockpile management matters.")
    db.session.flush()
    results = _found(chair, "stockpile")
    assert results.total == 1 and results.hits[0].delegation is None
    assert results.facets["delegation"] == []
    assert _found(chair, "stockpile", delegation_id=member.delegation_id).total == 0


@pytest.mark.parametrize(
    "text",
    ['"', "*", "NEAR", "-", 'a" OR "b', "NEAR(a b)", "x AND", "(", "^", ":", "'", "\\", "é*"],
)
def test_fts_syntax_is_taken_as_words(db, members_room, text):
    room, chair, member = members_room
    _comment(_paper(room, chair), member, "Nothing special here.")
    db.session.flush()
    results = _found(member, text)
    assert results.total >= 0  # no error: words or nothing


def test_highlight_escapes_the_text():
    html = highlight("<script>alert(1)</script> weapons", {"weapon"}, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>weapons</mark>" in html


def test_terms_are_folded_stems():
    assert terms("Exportations CONTRÔLÉES", "fr") == ["export", "control"]
