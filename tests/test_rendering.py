"""Markdown is rendered once, when written, within a bound; pages print what was stored."""

from __future__ import annotations

import time

import cmarkgfm
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from consult import markdown
from consult.crypto import decrypt
from consult.papers import services as papers
from consult.papers.models import Comment, CommentEdit, Paper, PaperKind
from consult.rooms.models import AccessLevel, RoomRole
from consult.threads import services as threads
from consult.threads.models import Marking, Post

pytestmark = pytest.mark.hardening

BUDGET = 0.050  # seconds of CPU for one text, refused or rendered
COMMENT_LIMIT = 20_000  # comments, proposed text, briefs, room descriptions
POST_LIMIT = threads.MAX_POST_LENGTH  # confidential posts, the longest Markdown field
BRACKETS = "[" * 9000 + "a" + "]" * 9000  # the review's 18,001 characters


def cost(text: str) -> tuple[float, str | None]:
    """CPU seconds `check` (which renders) takes on a text it has not seen, best of three."""
    best, problem = float("inf"), None
    for _ in range(3):
        markdown._render.cache_clear()
        start = time.thread_time()
        problem = markdown.check(text)
        best = min(best, time.thread_time() - start)
    return best, problem


def shapes(n: int) -> dict[str, str]:
    """The adversarial shapes measured in docs/decisions.md, each about n characters."""
    rows = max(n // 6, 1)
    return {
        "nested brackets": "[" * (n // 2) + "a" + "]" * (n // 2),
        "open brackets": "[" * n,
        "image openers": "![" * (n // 2),
        "link openers": "[a](" * (n // 4),
        "nested links": "[a](" * (n // 8) + ")" * (n // 8),
        "bracketed text": "[a" * (n // 4) + "]" * (n // 4),
        "emphasis runs": "*" * (n // 2) + "a" + "*" * (n // 2),
        "alternating emphasis": "*_" * (n // 2),
        "strong emphasis": "***" * (n // 6) + "a" + "***" * (n // 6),
        "emphasis pairs": "*a " * (n // 3),
        "backtick runs": " ".join("`" * i for i in range(1, int((2 * n) ** 0.5))),
        "single backticks": "` " * (n // 2),
        "deep quote": ">" * n + " a",
        "spaced quote": "> " * (n // 2) + "a",
        "deep list": "\n".join("  " * i + "- a" for i in range(n // 40)),
        "list in quote": "".join("> " if i % 2 else "- " for i in range(n // 2)) + "a",
        "many items": "- a\n" * (n // 4),
        "tall table": "|a|b|\n|-|-|\n" + "|x|y|\n" * rows,
        "one-column table": "|a|\n|-|\n" + "|x\n" * (n // 3),
        "wide table": "|" + "a|" * (n // 4) + "\n|" + "-|" * (n // 4) + "\n",
        "raw open tags": "<div>" * (n // 5),
        "raw misnested tags": "<b><i></b></i>" * (n // 14),
        "angle brackets": "<" * n,
        "ampersands": "&" * n,
        "headings": "#a\n" * (n // 3),
        "setext headings": "a\n=\n" * (n // 4),
        "fences": "```\n" * (n // 4),
        "rules": "* * *\n" * (n // 6),
        "autolinks": "www.a.b " * (n // 8),
        "prose": ("The Working Group considered *risk* and [reports](https://example.org). ")
        * (n // 70),
    }


@pytest.mark.parametrize("limit", [COMMENT_LIMIT, POST_LIMIT])
def test_every_adversarial_shape_at_the_size_limit_is_bounded(app, limit):
    """At each field's limit, each shape is refused with a reason or rendered, in budget."""
    with app.app_context():
        slow = {}
        for name, shape in shapes(limit).items():
            spent, problem = cost(shape[:limit])
            if spent > BUDGET:
                slow[name] = (round(spent * 1000, 1), problem)
            if problem is not None:
                assert "at most" in problem, (name, problem)
        assert not slow, slow


def test_the_review_comment_renders_fast_as_plain_brackets(app):
    with app.app_context():
        spent, problem = cost(BRACKETS)
        assert problem is None and spent < BUDGET
        assert markdown.render(BRACKETS).count("[") == 9000


_piece = st.one_of(
    st.sampled_from(["[", "]", "(", ")", "![", "*", "_", "**", "~~", "`", "``", "```"]),
    st.sampled_from([">", "> ", "- ", "1. ", "  ", "    ", "|", "|-", ":-:", "#", "\n", "\n\n"]),
    st.sampled_from(["<div>", "</div>", "<b>", "<i>", "</b>", "&amp;", "&", "<", "www.a.b"]),
    st.text(alphabet="ab *_[]`>|-\n", min_size=1, max_size=8),
)


@st.composite
def adversarial(draw) -> str:
    """A few pieces, each repeated many times, mixed: the shapes that blow up renderers."""
    parts = draw(st.lists(st.tuples(_piece, st.integers(1, 6000)), min_size=1, max_size=6))
    out = "".join(piece * times for piece, times in parts)
    if draw(st.booleans()):
        out = "".join(draw(st.permutations([piece * times for piece, times in parts])))
    return out[:COMMENT_LIMIT]


@given(adversarial())
@example(BRACKETS)
@example("*_" * 10_000)
@example(">" * 19_999)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_no_text_within_the_limit_takes_more_than_the_budget(app, text):
    with app.app_context():
        spent, problem = cost(text)
        assert spent < BUDGET, (len(text), text[:60], problem)
        if problem is None:
            assert _depth_ok(markdown.render(text))


def _depth_ok(html: str) -> bool:
    return markdown._depth(html) <= markdown.MAX_DEPTH


# ---- through the forms --------------------------------------------------------------------


@pytest.fixture
def paper_setting(db, make_user, make_room, add_member):
    room = make_room(AccessLevel.TRANSPARENT)
    chair, member = make_user(), make_user()
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member.delegation, RoomRole.MEMBER)
    paper = papers.create_paper(
        room,
        chair,
        title="Draft",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="# Part\n\nThe first paragraph.\n\nThe second paragraph.",
        original_language="en",
    )
    papers.open_for_comments(paper, chair)
    db.session.flush()
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[1]
    return paper, paragraph, member


def _post_comment(client, paper: Paper, paragraph, body: str, **extra):
    data = {
        "body": body,
        "revision": papers.current_revision(paper).number,
        "on_behalf_of": extra.pop("on_behalf_of"),
        **extra,
    }
    return client.post(
        f"/papers/{paper.id}/p/{paragraph.key}/comments", data=data, headers={"HX-Request": "true"}
    )


def test_too_deep_a_comment_is_refused_next_to_its_field_and_nothing_is_stored(
    client, auth, db, paper_setting
):
    paper, paragraph, member = paper_setting
    auth.login(member)
    response = _post_comment(
        client, paper, paragraph, ">" * 18_000 + " a", on_behalf_of=member.delegation.name
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nested too deeply" in page and "at most 16 levels" in page
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_a_comment_is_stored_rendered_and_edits_keep_their_own_html(
    client, auth, db, paper_setting, monkeypatch
):
    paper, paragraph, member = paper_setting
    auth.login(member)
    name = member.delegation.name
    response = _post_comment(
        client, paper, paragraph, "We *object*.", proposed_text="**New** words", on_behalf_of=name
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    comment = db.session.scalars(select(Comment)).one()
    assert comment.body_html == "<p>We <em>object</em>.</p>\n"
    assert "<strong>New</strong>" in comment.proposed_text_html

    papers.edit_comment(comment, member, "We _support_ it.", None)
    db.session.flush()
    edit = db.session.scalars(select(CommentEdit)).one()
    assert edit.body == "We *object*." and "<em>object</em>" in edit.body_html
    assert "<em>support</em>" in comment.body_html and comment.proposed_text_html is None

    # Reading never renders: the pages print what was stored.
    def no_rendering(*args, **kwargs):
        raise AssertionError("Markdown rendered on a read")

    monkeypatch.setattr(cmarkgfm, "markdown_to_html_with_extensions", no_rendering)
    markdown._render.cache_clear()
    thread = client.get(f"/papers/{paper.id}/p/{paragraph.key}", headers={"HX-Request": "true"})
    assert thread.status_code == 200 and "<em>support</em>" in thread.get_data(as_text=True)
    page = client.get(f"/papers/{paper.id}")
    assert page.status_code == 200 and "The second paragraph." in page.get_data(as_text=True)


def test_a_confidential_post_keeps_its_html_encrypted(db, make_user, make_room, add_member):
    room = make_room(AccessLevel.CONFIDENTIAL)
    author = make_user()
    add_member(room, author, RoomRole.MEMBER)
    thread = threads.create_thread(
        room, author, title="Case", marking=Marking.AMBER, body="The *canary-7731* again."
    )
    db.session.flush()
    post = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).one()
    assert "<em>canary-7731</em>" in post.body_html
    raw = db.session.execute(text("SELECT body_html FROM post WHERE id = :id"), {"id": post.id})
    stored = bytes(raw.scalar_one())
    assert b"canary-7731" not in stored
    assert b"<em>canary-7731</em>" in decrypt(stored)


def test_a_revision_names_the_paragraph_it_refuses(app):
    source = "# Part\n\nFine.\n\n" + "> " * 20 + "deep"
    with app.app_context(), pytest.raises(papers.PaperError, match=r"Paragraph 2: Lists and"):
        papers._check_source(source)


# ---- the migration --------------------------------------------------------------------------

MIGRATION_SCRIPT = r"""
import sqlite3, sys
from flask_migrate import downgrade, upgrade
from consult import create_app
from consult.config import TestConfig
from consult.crypto import decrypt, encrypt

path = sys.argv[1]
config = type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
app = create_app(config)
with app.app_context():
    upgrade(revision="0007")
    raw = sqlite3.connect(path)  # foreign keys off: lone rows are enough here
    for n, description in [(1, "*Hello* <script>alert(1)</script>"), (2, ">" * 100 + " deep")]:
        raw.execute(
            "INSERT INTO room (id, slug, title, description, kind, access, time_zone,"
            " is_archived, created_at) VALUES (?, ?, 'R', ?, 'small_group', 'open', 'UTC', 0,"
            " '2026-01-01 00:00:00')",
            (n, f"r{n}", description),
        )
    raw.execute(
        "INSERT INTO post (id, thread_id, author_id, delegation_id, body, created_at)"
        " VALUES (1, 1, 1, 1, ?, '2026-01-01 00:00:00')",
        (encrypt(b"The *canary-42* again."),),
    )
    raw.commit()
    upgrade(revision="0008")
    rooms = dict(raw.execute("SELECT id, description_html FROM room").fetchall())
    assert "<em>Hello</em>" in rooms[1] and "alert" not in rooms[1], rooms[1]
    assert rooms[2].startswith("<pre>&gt;&gt;&gt;"), rooms[2][:40]
    (stored,) = raw.execute("SELECT body_html FROM post").fetchone()
    assert b"canary-42" not in bytes(stored)
    assert b"<em>canary-42</em>" in decrypt(bytes(stored))
    raw.execute("DELETE FROM post")  # the lone row would not survive the table's copy
    raw.commit()
    downgrade(revision="0007")
    columns = [row[1] for row in raw.execute("PRAGMA table_info(post)")]
    assert "body_html" not in columns, columns
print("migrated")
"""


def test_the_migration_renders_existing_rows_and_keeps_confidential_html_encrypted(tmp_path):
    """On a database of its own (in a process of its own): 0007 rows, then 0008, then back."""
    import subprocess
    import sys

    script = tmp_path / "migrate.py"
    script.write_text(MIGRATION_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "old.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "migrated" in result.stdout, result.stderr[-3000:]
