"""No comment is ever lost across revisions, whatever the edits (property-based)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from consult.accounts.models import DelegationStatus
from consult.papers import services
from consult.papers.blocks import split_blocks
from consult.papers.models import Comment, PaperKind
from consult.rooms.models import AccessLevel, RoomRole

WORDS = [
    "states",
    "shall",
    "report",
    "exports",
    "diversion",
    "risk",
    "end-use",
    "controls",
    "transparency",
    "assessment",
    "brokering",
    "transfer",
    "licence",
    "customs",
    "annual",
]

sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(
    lambda words: " ".join(words).capitalize() + "."
)
edit = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 50), sentence),
    st.tuples(st.just("delete"), st.integers(0, 50), st.just("")),
    st.tuples(st.just("modify"), st.integers(0, 50), st.sampled_from(WORDS)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 50).map(str)),
)


def apply(texts: list[str], op: tuple) -> list[str]:
    kind, index, value = op
    texts = list(texts)
    if kind == "insert":
        texts.insert(index % (len(texts) + 1), value)
    elif texts and kind == "delete" and len(texts) > 1:
        texts.pop(index % len(texts))
    elif texts and kind == "modify":
        i = index % len(texts)
        texts[i] = texts[i][:-1] + f" {value}."
    elif texts and kind == "move":
        item = texts.pop(index % len(texts))
        texts.insert(int(value) % (len(texts) + 1), item)
    return texts


def _shape(source: str) -> list[tuple[str, str]]:
    return [(b.kind, " ".join(b.text.split())) for b in split_blocks(source)]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.lists(sentence, min_size=1, max_size=8),
    revisions=st.lists(st.lists(edit, min_size=1, max_size=4), min_size=1, max_size=4),
)
def test_comments_survive_any_sequence_of_revisions(
    db, make_user, make_room, add_member, start, revisions
):
    nested = db.session.begin_nested()
    try:
        room = make_room(AccessLevel.MEMBERS)
        chair = make_user(status=DelegationStatus.STATE_PARTY)
        add_member(room, chair, RoomRole.CHAIR)
        paper = services.create_paper(
            room,
            chair,
            title="P",
            kind=PaperKind.WORKING_PAPER,
            issued_by="Chair",
            source="\n\n".join(start),
        )
        services.open_for_comments(paper, chair)
        # One comment per paragraph, remembering the text it was made on.
        made_on = {}
        for paragraph in services.paragraphs_of(services.current_revision(paper)):
            comment = services.post_comment(
                paper, chair, paragraph=paragraph, body="c", on_behalf_of=chair.delegation.name
            )
            made_on[comment.id] = paragraph.text
        texts = list(start)
        intact = {cid for cid, text in made_on.items() if start.count(text) == 1}
        for edits in revisions:
            for op in edits:
                texts = apply(texts, op)
            before = services.current_revision(paper).source
            try:
                services.revise(paper, chair, "\n\n".join(texts))
            except services.PaperError as error:
                # The same text again is refused: nothing to issue, nothing moves.
                assert "identical" in error.message
                assert _shape(before) == _shape("\n\n".join(texts))
                continue
            current = services.paragraphs_of(services.current_revision(paper))
            keys = {p.key: p for p in current}
            comments = db.session.scalars(select(Comment).where(Comment.paper_id == paper.id)).all()
            # None is lost: every comment is still there, attached or "on removed text".
            assert {c.id for c in comments} == set(made_on)
            attached = [c for c in comments if c.paragraph_key in keys]
            removed = services.removed_text_threads(paper, current)
            assert len(attached) + len(removed) == len(comments)
            # A comment whose text has survived word for word (and uniquely) in every revision
            # sits on that text.
            intact = {cid for cid in intact if texts.count(made_on[cid]) == 1}
            for c in comments:
                if c.id in intact:
                    assert c.paragraph_key in keys
                    assert keys[c.paragraph_key].text == made_on[c.id]
    finally:
        nested.rollback()
