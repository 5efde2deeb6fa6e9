"""The redline: proposals read against the text they were made on, revisions compared as
rendered text with moved and removed paragraphs in place, and circulated as Word (real
tracked changes) and PDF."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.audit import AuditEvent
from consult.exports.word import NUMBER_STYLE, DocxWriter, HouseDocument
from consult.markdown import render
from consult.papers import services
from consult.papers.comparison import compare_blocks
from consult.papers.models import Comment, Paper, PaperKind, PaperStatus, Revision
from consult.papers.redline import rendered_redline
from consult.papers.redline_docx import write_redline
from consult.rooms.models import AccessLevel, RoomRole

pytestmark = pytest.mark.papers

HX = {"HX-Request": "true"}
WHEN = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)

REV0 = """# Elements of national practice

Several States Parties interpret "overriding" as meaning that the risk is more likely than not
to materialise.

States Parties also take into account:
- the end user's record of compliance;
- reports by United Nations bodies.

## Mitigating measures

Mitigating measures may include confidence-building measures.

The Secretariat will publish the guide."""

# Rev.1: ¶1 reworded, a list item added, ¶3 removed, the last paragraph moved up.
REV1 = """# Elements of national practice

The Secretariat will publish the guide.

Some States Parties interpret "overriding" as meaning that the risk is **clearly** more likely
than not to materialise.

States Parties also take into account:
- the end user's record of compliance;
- the capacity of the importing State to prevent diversion;
- reports by United Nations bodies.

## Mitigating measures"""

GERMANY = (
    'Some States Parties interpret "overriding" as meaning that the risk is more likely than '
    "not to materialise."
)


@pytest.fixture
def setting(db, make_user, make_room, add_member, make_delegation):
    """An open room with its chair (who issues the paper) and Germany's delegate."""
    room = make_room(AccessLevel.TRANSPARENT, time_zone="Europe/Zurich")
    chair = make_user(name="Ricardo Chair")
    germany = make_user(
        name="Jonas Member",
        delegation=make_delegation(
            DelegationStatus.STATE_PARTY, name="Germany", group=RegionalGroup.WEOG
        ),
    )
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, germany.delegation, RoomRole.MEMBER)
    paper = services.create_paper(
        room,
        chair,
        title="Voluntary guide: Article 7",
        kind=PaperKind.VOLUNTARY_GUIDE,
        issued_by="Facilitator, Articles 6 and 7",
        symbol="ATT/CSP12.WGETI/2026/FAC/812/VG.Art7",
        source=REV0,
        status=PaperStatus.OPEN,
    )
    db.session.flush()
    return room, chair, germany, paper


def numbered(paper: Paper, n: int):
    paragraphs = services.paragraphs_of(services.current_revision(paper))
    return next(p for p in paragraphs if p.number == n)


# ---- the rendered redline ----------------------------------------------------------------------


def test_a_redline_shows_rendered_text_with_labelled_changes_in_reading_order(app):
    with app.test_request_context():
        html = str(
            rendered_redline(
                render("## Mitigating measures\n\nIt considered:\n\n- risk *assessment*\n- a"),
                render("## Mitigating steps\n\nIt considered:\n\n- risk *assessment*\n- b"),
            )
        )
    assert "<h2>" in html and "<ul><li>" in html and "<em>assessment</em>" in html
    assert "#" not in html and "- " not in html  # no raw Markdown
    heading = re.search(r"<h2>(.*?)</h2>", html).group(1)
    # Struck then inserted, each announced, so "measures steps" never runs together.
    assert heading == (
        'Mitigating <del><span class="visually-hidden">[deleted: </span>measures'
        '<span class="visually-hidden">] </span></del>'
        '<ins><span class="visually-hidden">[inserted: </span>steps'
        '<span class="visually-hidden">] </span></ins>'
    )
    assert html.count("<del>") == 2 and html.count("<ins>") == 2


def test_a_redline_escapes_text_and_keeps_the_writers_own_strike_apart(app):
    with app.test_request_context():
        html = str(rendered_redline(render("Keep ~~this~~."), render("Keep ~~this~~ &lt;b&gt;.")))
        same = str(rendered_redline(render("Same *text*."), render("Same *text*.")))
    assert "<s>this</s>" in html and "<del>" not in html  # typed strike is not a deletion
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert same == "<p>Same <em>text</em>.</p>"


def test_removed_and_moved_paragraphs_stand_where_they_were(app, setting, db):
    _room, chair, _germany, paper = setting
    rev0 = services.paragraphs_of(services.current_revision(paper))
    services.revise(paper, chair, REV1)
    rev1 = services.paragraphs_of(services.current_revision(paper))
    blocks = compare_blocks(rev0, rev1)
    kinds = [(b.kind, b.old.number if b.old else None, b.new.number if b.new else None)
             for b in blocks]  # fmt: skip
    assert kinds == [
        ("same", None, None),  # the first heading
        ("moved", 4, 1),  # the Secretariat's paragraph moved up, to ¶1
        ("changed", 1, 2),
        ("changed", 2, 3),  # its list gained an item
        ("same", None, None),  # "## Mitigating measures"
        ("removed", 3, None),  # removed, shown under its heading where it was
        ("moved_away", 4, 1),  # and where the moved paragraph used to be, a pointer
    ]


# ---- the compare page --------------------------------------------------------------------------


def test_the_compare_page_reads_as_the_paper_with_both_numberings(client, auth, setting, db):
    _room, chair, germany, paper = setting
    services.revise(paper, chair, REV1)
    db.session.flush()
    auth.login(germany)
    page = client.get(f"/papers/{paper.id}/compare?from=0&to=1").get_data(as_text=True)
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "<h2>Elements of national practice</h2>" in table  # rendered, not "# ..."
    assert "# " not in table and "\n- " not in table
    assert "<li><ins>" in table and "capacity of the importing State" in table
    assert re.search(r"<del><span[^>]*>\[deleted: </span>Several", table)
    assert "<strong>clearly</strong>" in table
    rows = re.findall(r'<tr id="cmp-[^"]+" class="cmp-(\w+)">', table)
    assert rows == ["same", "moved", "changed", "changed", "same", "removed", "moved_away"]
    assert "Moved from Rev.0 ¶4" in table and "moved to ¶1" in table
    assert '<th scope="col">Rev.0 ¶</th>' in page and '<th scope="col">Rev.1 ¶</th>' in page
    assert f'href="/papers/{paper.id}/compare.docx?from=0&amp;to=1"' in page
    assert f'href="/papers/{paper.id}/compare.pdf?from=0&amp;to=1"' in page


@pytest.mark.parametrize(
    "url",
    [
        "/papers/{id}/compare?from=0&to=7",
        "/papers/{id}/compare?from=x",
        "/papers/{id}/compare.docx?from=0&to=7",
        "/papers/{id}/compare.pdf?to=-1",
        "/papers/{id}/compare.odt",
        "/papers/999999/compare.docx",
    ],
)
def test_revisions_that_do_not_exist_are_not_found_and_nothing_is_stored(
    client, auth, setting, db, url
):
    _room, _chair, germany, paper = setting
    auth.login(germany)
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    assert client.get(url.format(id=paper.id)).status_code == 404
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before
    assert db.session.scalar(select(func.count(Revision.id))) == 1


def test_a_paper_one_may_not_see_has_no_redline_either(client, auth, setting, db, make_user):
    _room, chair, germany, paper = setting
    services.revise(paper, chair, REV1)
    paper.status = PaperStatus.DRAFTING  # seen only by those who manage the room
    db.session.flush()
    auth.login(germany)
    for fmt in ("", ".docx", ".pdf"):
        assert client.get(f"/papers/{paper.id}/compare{fmt}?from=0&to=1").status_code == 404


# ---- Word and PDF ------------------------------------------------------------------------------


def _changes(element) -> tuple[list[str], list[str]]:
    """The texts of the tracked insertions and deletions under an element."""
    inserted = ["".join(t.text for t in i.iter(qn("w:t"))) for i in element.iter(qn("w:ins"))]
    deleted = ["".join(t.text for t in d.iter(qn("w:delText"))) for d in element.iter(qn("w:del"))]
    return [t for t in inserted if t], [t for t in deleted if t]


def _accepted(paragraph) -> str:
    """The paragraph's text once every tracked change is accepted."""
    return "".join(
        t.text for t in paragraph.iter(qn("w:t")) if t.getparent().getparent().tag != qn("w:del")
    )


def _rejected(paragraph) -> str:
    """The paragraph's text once every tracked change is rejected."""
    out = []
    for node in paragraph.iter(qn("w:t"), qn("w:delText")):
        if node.getparent().getparent().tag != qn("w:ins"):
            out.append(node.text)
    return "".join(out)


def test_write_redline_tracks_exactly_the_changed_words_with_author_and_date(app):
    with app.test_request_context():
        writer = DocxWriter.house(HouseDocument(title="T", body="WGETI", issued_at=WHEN))
        writer.prefix("3.", style=NUMBER_STYLE)
        writer.prefix(" ", bold=False)
        write_redline(
            writer,
            "States should report annually on *all* transfers.",
            "States shall report annually on *all* transfers.",
            author="WGETI Chair",
            when=WHEN,
        )
        data = writer.to_bytes()
    document = docx.Document(BytesIO(data))
    paragraph = document.paragraphs[-1]._p
    assert _changes(paragraph) == (["shall"], ["should"])
    assert _accepted(paragraph) == "3. States shall report annually on all transfers."
    assert _rejected(paragraph) == "3. States should report annually on all transfers."
    for change in [*paragraph.iter(qn("w:ins")), *paragraph.iter(qn("w:del"))]:
        assert change.get(qn("w:author")) == "WGETI Chair"
        assert change.get(qn("w:date")) == "2026-12-03T09:30:00Z"
    italic = [r for r in document.paragraphs[-1].runs if r.italic]
    assert [r.text for r in italic] == ["all"]
    ids = [c.get(qn("w:id")) for c in document.element.body.iter(qn("w:ins"), qn("w:del"))]
    assert len(ids) == len(set(ids))  # unique within the document


def test_word_redline_of_two_revisions_has_changes_where_text_changed_and_nowhere_else(
    client, auth, setting, db
):
    _room, chair, germany, paper = setting
    services.revise(paper, chair, REV1)
    db.session.flush()
    auth.login(germany)
    response = client.get(f"/papers/{paper.id}/compare.docx?from=0&to=1")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert 'filename="ATT-CSP12.WGETI-2026-FAC-812-VG.Art7-Rev.0-Rev.1-redline.docx"' in disposition
    document = docx.Document(BytesIO(response.data))
    texts = [p.text for p in document.paragraphs]
    body = document.element.body
    by_text = {}
    for p in body.iter(qn("w:p")):
        by_text[_rejected(p) + " || " + _accepted(p)] = _changes(p)
    unchanged = [key for key, changes in by_text.items() if changes == ([], [])]
    # Headings that did not change, and the house furniture, carry no tracked change.
    assert any(key.startswith("Elements of national practice") for key in unchanged)
    assert any(key.startswith("Mitigating measures ||") for key in unchanged)
    assert any("the end user's record of compliance;" in key for key in unchanged)
    changed = {key: c for key, c in by_text.items() if c != ([], [])}
    inserted = sorted(t for ins, _d in changed.values() for t in ins)
    deleted = sorted(t for _i, dels in changed.values() for t in dels)
    assert "Some" in inserted and "Several" in deleted
    assert "clearly " in inserted or "clearly" in [t.strip() for t in inserted]
    assert "the capacity of the importing State to prevent diversion;" in inserted
    assert "Mitigating measures may include confidence-building measures." in deleted
    # The moved paragraph: struck where it was, inserted where it went.
    assert deleted.count("The Secretariat will publish the guide.") == 1
    assert inserted.count("The Secretariat will publish the guide.") == 1
    assert any("moved from Rev.0 ¶4" in t for t in texts)
    assert any("Rev.0 ¶3, removed" in t for t in texts)
    # Every change is signed by the paper's issuer and dated with Rev.1's issue.
    rev1 = services.current_revision(paper)
    stamp = rev1.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for change in [*body.iter(qn("w:ins")), *body.iter(qn("w:del"))]:
        assert change.get(qn("w:author")) == "Facilitator, Articles 6 and 7"
        assert change.get(qn("w:date")) == stamp
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "ATT/CSP12.WGETI/2026/FAC/812/VG.Art7 · Rev.1" in header
    assert "Rev.0 compared with Rev.1" in texts


def test_the_pdf_redline_prints_the_tracked_changes(client, auth, setting, db, to_pdf):
    _room, chair, germany, paper = setting
    services.revise(paper, chair, REV1)
    db.session.flush()
    auth.login(germany)
    word = client.get(f"/papers/{paper.id}/compare.docx?from=0&to=1").data
    (pages,) = to_pdf([word])
    text = " ".join(" ".join(pages).split())
    assert "ATT/CSP12.WGETI/2026/FAC/812/VG.Art7" in text
    assert "Rev.0 compared with Rev.1" in text
    # Both sides of a change are printed (struck and underlined), as Word shows them.
    assert "Several" in text and "Some" in text and "capacity of the importing State" in text
    response = client.get(f"/papers/{paper.id}/compare.pdf?from=0&to=1")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert "VG.Art7-Rev.0-Rev.1-redline.pdf" in response.headers["Content-Disposition"]
    printed = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "Rev.0 compared with Rev.1" in " ".join(printed.split())


def test_without_a_converter_the_pdf_is_refused_with_a_reason(
    client, auth, setting, db, monkeypatch
):
    _room, chair, germany, paper = setting
    monkeypatch.setenv("CONSULT_SOFFICE", "/nonexistent/soffice")
    auth.login(germany)
    response = client.get(f"/papers/{paper.id}/compare.pdf?from=0&to=0")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith(f"/papers/{paper.id}/compare?from=0&to=0")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PDF is not available on this server; download the Word file instead." in page


# ---- proposals keep their meaning --------------------------------------------------------------


def propose(client, paper, paragraph, proposed: str, body: str = "We propose wording."):
    return client.post(
        f"/papers/{paper.id}/p/{paragraph.key}/comments",
        data={
            "body": body,
            "revision": services.current_revision(paper).number,
            "on_behalf_of": "Germany",
            "proposed_text": proposed,
        },
        headers=HX,
    )


def test_a_proposal_reads_against_the_text_it_was_made_on(client, auth, setting, db):
    _room, chair, germany, paper = setting
    auth.login(germany)
    assert propose(client, paper, numbered(paper, 1), GERMANY).status_code == 200
    key = numbered(paper, 1).key
    # Rev.1 takes "Some" (and adds "clearly"); Rev.2 changes the paragraph again.
    services.revise(paper, chair, REV1)
    services.revise(paper, chair, REV1.replace("**clearly** more likely", "far more likely"))
    db.session.flush()
    fragment = client.get(f"/papers/{paper.id}/p/{key}", headers=HX).get_data(as_text=True)
    proposal = fragment[fragment.index('class="proposed"') :]
    proposal = proposal[: proposal.index("</details>")]
    assert "proposed on Rev.0 ¶1" in proposal
    assert "the paragraph has changed since" in proposal
    first, now = proposal.split('<details class="proposal-now">')
    # Against Rev.0, Germany's proposal changes "Several" into "Some", and nothing else:
    assert re.findall(r"\[deleted: </span>(.*?)<span", first) == ["Several"]
    assert re.findall(r"\[inserted: </span>(.*?)<span", first) == ["Some"]
    # The second view, on request: against Rev.2 it would take out "far", not "Some".
    assert "against the current text (Rev.2 ¶2)" in now
    assert re.findall(r"\[deleted: </span>(.*?)<span", now) == ["far "]
    assert "[inserted:" not in now


def test_an_unchanged_paragraph_shows_no_second_view(client, auth, setting, db):
    _room, _chair, germany, paper = setting
    auth.login(germany)
    fragment = propose(client, paper, numbered(paper, 1), GERMANY).get_data(as_text=True)
    assert "proposed on Rev.0 ¶1" in fragment
    assert "the paragraph has changed since" not in fragment
    assert "proposal-now" not in fragment


def test_wording_edited_after_a_revision_is_proposed_on_the_text_of_that_revision(
    client, auth, setting, db
):
    _room, chair, germany, paper = setting
    auth.login(germany)
    propose(client, paper, numbered(paper, 1), GERMANY)
    comment = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    rev0_paragraph = comment.made_on_id
    assert comment.proposed_on_id == rev0_paragraph
    services.revise(paper, chair, REV1)
    db.session.flush()
    # Same wording kept: still proposed on Rev.0.
    client.post(
        f"/comments/{comment.id}/edit",
        data={"body": "We propose wording, again.", "proposed_text": GERMANY},
    )
    db.session.refresh(comment)
    assert comment.proposed_on_id == rev0_paragraph
    # New wording: written against the paragraph as Rev.1 has it.
    client.post(
        f"/comments/{comment.id}/edit",
        data={"body": "Updated.", "proposed_text": GERMANY.replace("Some", "Many")},
    )
    db.session.refresh(comment)
    assert comment.proposed_on_id == numbered(paper, 2).id
    fragment = client.get(f"/papers/{paper.id}/p/{comment.paragraph_key}", headers=HX)
    assert "proposed on Rev.1 ¶2" in fragment.get_data(as_text=True)
    client.post(f"/comments/{comment.id}/edit", data={"body": "No wording.", "proposed_text": ""})
    db.session.refresh(comment)
    assert comment.proposed_on_id is None
