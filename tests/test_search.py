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
    paper = _paper(
        room,
        chair,
        source="Les exportations d'armes sont contrôlées par l'État.",
        original_language="fr",
    )
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


def test_chatham_house_results_name_no_delegation_and_cannot_be_filtered_by_one(db, members_room):
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


# ---- the table: every role of the authorisation table's world ------------------------------

WORDS = [
    "draft",
    "first",
    "second",
    "hm",
    "group",
    "opening",
    "reply",
    "session",
    "details",
    "file",
    "case",
    "practice",
    "text",
    "agree",
    "national",
    "statement",
    "topic",
    "room",
    "how",
]


def _indexed() -> list[tuple[str, int, set[str], object]]:
    """Every row a source indexes: (kind, id, its terms, its subject)."""
    from consult.extensions import db
    from consult.search.sources import SOURCES
    from consult.search.text import guess_language

    rows = []
    for source in SOURCES:
        for obj in db.session.scalars(select(source.model)):
            doc = source.make(obj)
            if doc is None:
                continue
            text = f"{doc.title}\n{doc.body}"
            language = doc.language if doc.language in ("en", "fr", "es") else guess_language(text)
            subject = db.session.get(doc.subject, doc.subject_id)
            rows.append((source.kind, obj.id, set(terms(text, language)), subject))
    return rows


def _expected(rows, user, word: str) -> set[tuple[str, int]]:
    """The oracle: the indexed rows whose subject `can(VIEW)` lets the person see (the rule,
    not the SQL filter) and whose own text holds the word."""
    from consult import policy

    wanted = query_variants(word)
    return {
        (kind, ident)
        for kind, ident, words, subject in rows
        if wanted & words and policy.can("view", subject, user)
    }


@pytest.mark.parametrize("access", list(AccessLevel), ids=lambda a: a.value)
def test_every_role_finds_exactly_the_visible_rows_holding_the_word(
    db, make_delegation, make_user, make_room, add_member, access
):
    from tests.test_authorisation import ROLES, build_world

    world = build_world(db, make_delegation, make_user, make_room, add_member, access)
    db.session.flush()
    assert db.session.scalar(select(func.count(SearchDocument.id))) > 10
    rows = _indexed()
    seen_by: dict[str, int] = {}
    for role in ROLES[1:]:
        user = world.users[role]
        for word in WORDS:
            query = search.Query(text=word)
            found = search.matches(user, query, include_gated=True)
            assert found == _expected(rows, user, word), (role, word)
            seen_by[role] = seen_by.get(role, 0) + len(found)
            # The room filter keeps the same rows of the world's room, and the counts agree.
            in_room = search.matches(
                user, search.Query(text=word, room_id=world.room.id), include_gated=True
            )
            assert in_room <= found
    # The table means something: the room's chair finds the world's rows; where the room is
    # closed to them, an observer organisation finds none of them.
    assert seen_by["room_chair"] > 5
    if access in (AccessLevel.MEMBERS, AccessLevel.CONFIDENTIAL):
        assert seen_by["observer_org"] < seen_by["room_chair"]


# ---- the page: the box, bad input, the gate, pages ---------------------------------------


def test_the_header_box_is_labelled_and_the_page_works_without_javascript(
    client, auth, db, members_room
):
    room, chair, member = members_room
    _comment(_paper(room, chair), member, "Marking of small arms at import.")
    db.session.flush()
    auth.login_quickly(member)
    page = client.get("/").get_data(as_text=True)
    assert 'role="search"' in page and 'for="site-search-q"' in page
    answer = client.get("/search?q=marking")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "1 result for" in html and "<mark>Marking</mark>" in html
    assert "/papers/" in html and "#comment-" in html
    assert "Post-shipment small group" in html  # the room facet


@pytest.mark.parametrize(
    ("q", "status", "says"),
    [
        ("", 200, "Type one or more words"),
        ("   ", 200, "Type one or more words"),
        ("x" * 10_000, 422, "this has 10,000"),
        ("y" * 201, 422, "Search for at most 200 characters; this has 201."),
        ('"', 200, "Nothing found"),
        ("*", 200, "Nothing found"),
        ("NEAR", 200, "Nothing found"),
        ("-", 200, "Nothing found"),
        ('" OR "" NEAR(*', 200, "Nothing found"),
        ("arms NOT", 200, "Nothing found"),  # "not" is a word like any other
        ("-arms", 200, "1 result"),
        ("arms*", 200, "1 result"),
    ],
)
def test_bad_queries_get_a_clear_answer_never_a_500(
    client, auth, db, members_room, q, status, says
):
    room, chair, member = members_room
    _comment(_paper(room, chair), member, "Marking of small arms at import.")
    db.session.flush()
    auth.login_quickly(member)
    answer = client.get("/search", query_string={"q": q})
    assert answer.status_code == status
    assert says in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "args",
    [
        {"page": "999999"},
        {"page": "99999999999999999999999"},
        {"page": "-1"},
        {"page": "abc"},
        {"room": "99999999999999999999999"},
        {"kind": "nonsense"},
        {"from": "2026-13-45"},
        {"from": "2026-05-01", "to": "2026-04-01"},
        {"stage": "x"},
        {"delegation": "0x10"},
    ],
)
def test_bad_filters_and_pages_past_the_end_are_answered(client, auth, db, members_room, args):
    room, chair, member = members_room
    _comment(_paper(room, chair), member, "Marking of small arms at import.")
    db.session.flush()
    auth.login_quickly(member)
    answer = client.get("/search", query_string={"q": "marking", **args})
    assert answer.status_code in (200, 422)
    html = answer.get_data(as_text=True)
    if args.get("page") == "999999":
        assert "There is no page 999999" in html and "Go to the last page" in html
    if answer.status_code == 422:
        assert 'role="alert"' in html


def test_an_outsider_gets_no_count_and_no_facet(client, auth, db, members_room, make_user):
    room, chair, member = members_room
    _comment(_paper(room, chair), member, "Marking of small arms at import.")
    db.session.flush()
    auth.login_quickly(make_user())
    html = client.get("/search?q=marking").get_data(as_text=True)
    assert "Nothing found for" in html
    assert "Post-shipment small group" not in html and "search-facets" not in html
    assert "result for" not in html and "results for" not in html


def test_filters_by_kind_room_stage_delegation_and_date(db, members_room, make_room, add_member):
    from datetime import date, timedelta

    from consult.taxonomy import services as taxonomy

    room, chair, member = members_room
    paper = _paper(room, chair, source="Verification of deliveries.")
    taxonomy.set_tags(paper, [taxonomy.by_slug("post-shipment-verification")])
    _comment(paper, member, "Verification on site.")
    other = make_room(AccessLevel.MEMBERS)
    add_member(other, chair, RoomRole.CHAIR)
    add_member(other, member, RoomRole.MEMBER)
    _comment(_paper(other, chair, title="Other"), member, "Verification elsewhere.")
    db.session.flush()
    assert _found(member, "verification").total == 3
    assert _found(member, "verification", kind="comment").total == 2
    assert _found(member, "verification", room_id=other.id).total == 1
    stage = taxonomy.by_slug("post-delivery-measures")
    assert _found(member, "verification", stage_id=stage.id).total == 2  # the paper's rows
    assert _found(member, "verification", delegation_id=member.delegation_id).total == 2
    today = date.today()
    assert _found(member, "verification", date_from=today - timedelta(days=1)).total == 3
    assert _found(member, "verification", date_to=today - timedelta(days=1)).total == 0
    facets = _found(member, "verification").facets
    assert {label: n for _v, label, n in facets["room"]} == {room.title: 2, other.title: 1}
    assert dict((v, n) for v, _l, n in facets["kind"]) == {"revision": 1, "comment": 2}


def test_an_unattributed_case_study_names_nobody(
    db, make_room, make_user, make_delegation, add_member
):
    from consult.case_studies import services as case_studies

    room = make_room(AccessLevel.TRANSPARENT)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    canary = make_delegation(DelegationStatus.STATE_PARTY, name="Canaryland Ministry of Zzyzx")
    add_member(room, canary)
    delegate = make_user(delegation=canary)
    sections = dict.fromkeys(
        ("context", "challenge", "measures", "agencies", "result", "lessons"), "Depot checks."
    )
    draft = case_studies.Draft(title="At the depot", sections=sections, is_attributed=False)
    case = case_studies.submit(room, delegate, draft)
    case_studies.publish(case, chair)
    db.session.flush()
    reader = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    with current_app.test_request_context():
        results = search.search(reader, search.Query(text="depot"), include_gated=False)
    assert results.total == 1 and results.hits[0].kind == "case_study"
    assert results.hits[0].delegation is None and results.facets["delegation"] == []
    assert _found(reader, "depot", delegation_id=canary.id).total == 0


def test_confidential_threads_only_behind_the_gate(
    client, auth, db, make_room, make_user, add_member
):
    import time

    from consult.threads import services as threads
    from consult.threads.models import Marking
    from consult.timeutil import utcnow

    room = make_room(AccessLevel.CONFIDENTIAL, title="DIEF")
    member = make_user(totp_enabled_at=utcnow(), totp_secret="A" * 32)
    add_member(room, member, RoomRole.MEMBER)
    threads.create_thread(
        room,
        member,
        title="Diverted rifles",
        marking=Marking.AMBER,
        body="The consignment was re-exported through a free zone.",
    )
    db.session.flush()
    stored = db.session.scalars(select(SearchDocument).where(SearchDocument.is_sealed)).all()
    assert len(stored) == 2  # the thread and its first post
    assert all("rifle" not in d.terms and "consign" not in d.terms for d in stored)
    assert all(d.title == "" and d.body == "" for d in stored)
    auth.login_quickly(member)
    without = client.get("/search?q=consignment").get_data(as_text=True)
    assert "Nothing found for" in without and "Confidential threads were not searched" in without
    with client.session_transaction() as session:
        session["second_factor_at"] = time.time()
    answer = client.get("/search?q=consignment")
    html = answer.get_data(as_text=True)
    assert "1 result for" in html and "<mark>consignment</mark>" in html
    assert "Diverted rifles" in html and answer.headers["Cache-Control"] == "no-store"
    assert client.get("/search?q=rifles").get_data(as_text=True).count('class="search-hit"') == 1


def test_consult_reindex_rebuilds_the_same_rows(app, db, members_room):
    from consult.search import index

    room, chair, member = members_room
    _comment(_paper(room, chair), member, "Marking of small arms at import.")
    db.session.flush()
    before = _found(member, "marking").total
    db.session.execute(SearchDocument.__table__.delete())
    assert _found(member, "marking").total == 0
    index.rebuild(db.session)
    assert _found(member, "marking").total == before == 1


def test_a_write_rolled_back_leaves_nothing_in_the_index(db, members_room):
    room, chair, member = members_room
    paper = _paper(room, chair)
    db.session.flush()
    savepoint = db.session.begin_nested()
    _comment(paper, member, "Intermediaries must be registered.")
    db.session.flush()
    assert _found(member, "intermediaries").total == 1
    savepoint.rollback()
    assert _found(member, "intermediaries").total == 0
    assert (
        db.session.scalar(
            select(func.count(SearchDocument.id)).where(SearchDocument.kind == "comment")
        )
        == 0
    )


def test_a_chatham_house_discussion_names_nobody_and_a_title_change_reaches_its_posts(
    db, members_room
):
    from consult.discussions import services as discussions

    room, chair, member = members_room
    topic = discussions.start_topic(
        room, chair, "Ideas for the statement", "What should we stress?", is_chatham_house=True
    )
    discussions.post_reply(topic, member, "Stockpile security, first of all.")
    db.session.flush()
    results = _found(chair, "stockpile")
    assert results.total == 1 and results.hits[0].kind == "discussion_post"
    assert results.hits[0].delegation is None and results.facets["delegation"] == []
    assert "Ideas for the statement" in results.hits[0].title
    topic.title = "Priorities of the group"
    db.session.flush()
    assert "Priorities of the group" in _found(chair, "stockpile").hits[0].title
    assert _found(chair, "priorities").total == 1  # the topic once, not its posts again
