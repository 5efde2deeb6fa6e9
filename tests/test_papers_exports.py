"""Papers' files as a secretariat sends them: the compilation (Word, PDF, CSV, Markdown) and
revisions, through the house writer; delegations and offices named, persons never."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

import docx
import pytest
from sqlalchemy import select

from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.papers import services
from consult.papers.docx_io import RevisionDoc, docx_to_markdown, revision_docx
from consult.papers.exports import (
    Compilation,
    CompiledComment,
    Section,
    compilation_csv,
    compilation_docx,
    compilation_markdown,
)
from consult.papers.models import Comment, PaperKind, PaperStatus
from consult.rooms.models import AccessLevel, RoomRole

pytestmark = pytest.mark.papers

PERSONS = ["Anna Muster", "Jean Dupont", "Aino Facilitator"]
PARA_4 = "States Parties shall endeavour to report annually on their exports."


def comment(**changes) -> CompiledComment:
    values = dict(
        comment_id=11,
        parent_id=None,
        paragraph_label="¶4",
        made_on="Rev.0 ¶3",
        speaker="Germany",
        delegation="Germany",
        capacity=None,
        position="objects",
        quote="shall endeavour",
        body="We propose **stronger** wording.",
        proposed_text="States Parties *shall* report annually.",
        original_text=PARA_4,
        created_at=datetime(2025, 3, 5, 14, 5, 7, 123456, tzinfo=UTC),
        taken_into_account=True,
    )
    values.update(changes)
    return CompiledComment(**values)


def compilation(*, attributed: bool = True, by: str = "paragraph", **changes) -> Compilation:
    germany = comment()
    group = comment(comment_id=12, speaker="African Group", delegation="Nigeria",
                    position="supports", quote=None, body="We agree with the proposal.",
                    proposed_text=None, original_text=None, taken_into_account=False)  # fmt: skip
    reply = comment(comment_id=13, parent_id=11, speaker="the Facilitator", delegation=None,
                    capacity="the Facilitator", position=None, quote=None,
                    body="Thank you; Rev.1 will reflect this.", proposed_text=None,
                    original_text=None, taken_into_account=False)  # fmt: skip
    if by == "delegation":
        sections = [Section("Germany", [germany]), Section("African Group", [group])]
    else:
        sections = [Section("¶4", [germany, reply, group], PARA_4)]
    values = dict(
        symbol="ATT/CSP11/2025/CHAIR/800/WP",
        title="Working paper on reporting",
        revision_label="Rev.2",
        issued_by="Working Group on Transparency and Reporting",
        generated_at=datetime(2025, 3, 6, 9, 0, tzinfo=UTC),
        attributed=attributed,
        by=by,
        sections=sections,
        time_zone="Europe/Zurich",
        closes_at=datetime(2025, 3, 20, 16, 0, tzinfo=UTC),
        counts=[("Germany", 1), ("African Group", 1), ("the Facilitator", 1)],
    )
    values.update(changes)
    return Compilation(**values)


def docx_xml(data: bytes) -> str:
    """Every XML part of a .docx: a search covers headers and properties too."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))


def body_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


# ---- the Word compilation ------------------------------------------------------------------


def test_compilation_word_has_the_house_furniture_and_true_properties(app):
    with app.test_request_context():
        data = compilation_docx(compilation())
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    header = "\n".join(p.text for p in section.header.paragraphs)
    assert "ATT/CSP11/2025/CHAIR/800/WP · Rev.2" in header and "6 March 2025" in header
    assert 'w:instr="PAGE"' in section.footer._element.xml
    props = document.core_properties
    assert props.author == "Working Group on Transparency and Reporting"
    assert props.created == datetime(2025, 3, 6, 9, 0, tzinfo=UTC) and props.language == "en-GB"
    assert "python-docx" not in docx_xml(data)


def test_compilation_cover_says_deadline_counts_and_paragraph_text_comes_first(app):
    with app.test_request_context():
        document = docx.Document(io.BytesIO(compilation_docx(compilation())))
    texts = body_texts(document)
    assert "Working paper on reporting" in texts
    assert "Compilation of comments by paragraph" in texts
    assert "Comment deadline: 20 March 2025, 17:00 (Zurich time)" in texts
    assert "3 comments from 3 delegations and groups" in texts
    counts = document.tables[0]
    assert [c.text for c in counts.rows[1].cells] == ["Germany", "1"]
    assert [c.text for c in counts.rows[2].cells] == ["African Group", "1"]
    heading = texts.index("¶4")
    assert texts[heading + 1] == PARA_4  # the paragraph's text, not "¶4" alone
    after = texts[heading + 2 :]
    assert after[0].startswith(
        "Germany · Objects · made on Rev.0 ¶3 · 5 March 2025, 15:05 (Zurich time)"
    )
    assert any(t.startswith("Reply · the Facilitator") for t in after)
    assert any(t.startswith("African Group · Supports") for t in after)
    # The proposal is a redline of the text it was made on, as Word's tracked changes signed
    # with the delegation: "endeavour to" and "on their exports" deleted, the rest kept.
    proposal = next(p for p in document.paragraphs if p.text.startswith("Proposed text: "))
    xml = proposal._p.xml
    deleted = "".join(proposal._p.xpath(".//w:del//w:delText/text()"))
    inserted = "".join(proposal._p.xpath(".//w:ins//w:t/text()"))
    assert inserted.strip(), "the proposal inserts nothing"
    assert "endeavour to" in deleted and "on their exports" in deleted
    assert "report annually" not in deleted and "States Parties" not in deleted
    assert 'w:author="Germany"' in xml and "Krüger" not in xml


def test_office_holders_speak_in_their_capacity_and_no_person_is_named(app):
    with app.test_request_context():
        c = compilation()
        outputs = {
            "docx": docx_xml(compilation_docx(c)),
            "csv": compilation_csv(c).decode("utf-8-sig"),
            "markdown": compilation_markdown(c),
        }
    for kind, output in outputs.items():
        assert "the Facilitator" in output, kind
        assert "on behalf of the" not in output and "on behalf of Germany" not in output, kind
        assert not [p for p in PERSONS if p in output], kind


@pytest.mark.parametrize("by", ["paragraph", "delegation"])
def test_chatham_house_compilations_attribute_nothing(app, by):
    with app.test_request_context():
        c = compilation(attributed=False, by=by)
        outputs = {
            "docx": docx_xml(compilation_docx(c)),
            "csv": compilation_csv(c).decode("utf-8-sig"),
            "markdown": compilation_markdown(c),
        }
    for kind, output in outputs.items():
        for name in ["Germany", "Nigeria", "African Group", "the Facilitator"]:
            assert name not in output, f"{name} in the {kind} export"
    assert "Chatham House Rule" in outputs["markdown"]
    with app.test_request_context():  # the same data attributed names them: not vacuous
        assert "African Group" in compilation_markdown(compilation(by=by))


def test_an_empty_compilation_says_so_and_keeps_its_filters(app):
    with app.test_request_context():
        c = compilation(sections=[], counts=[], filters=["only comments with proposed text"])
        text = "\n".join(body_texts(docx.Document(io.BytesIO(compilation_docx(c)))))
        data = compilation_csv(c)
    assert "No comment matches these filters: this compilation is empty." in text
    assert "Filters: only comments with proposed text" in text
    assert len(data.decode("utf-8-sig").splitlines()) == 1  # the header row only


def test_a_french_paper_compiles_in_french(app):
    with app.test_request_context():
        data = compilation_docx(compilation(language="fr"))
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.language == "fr-FR"
    assert 'w:val="fr-FR"' in docx_xml(data)
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "6 mars 2025" in header


# ---- CSV -----------------------------------------------------------------------------------


def test_compilation_csv_is_one_truthful_table_for_a_spreadsheet(app):
    with app.test_request_context():
        data = compilation_csv(compilation())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "comment", "reply to", "paragraph", "made on", "delegation", "on behalf of", "capacity",
        "position", "quote", "comment text", "proposed text", "original text",
        "created (Europe/Zurich)", "taken into account",
    ]  # fmt: skip
    germany, reply, group = rows
    assert germany["delegation"] == "Germany" and germany["created (Europe/Zurich)"] == (
        "2025-03-05 15:05:07"
    )
    assert reply["reply to"] == germany["comment"] == "11"
    assert (reply["capacity"], reply["delegation"], reply["on behalf of"]) == (
        "the Facilitator",
        "",
        "",
    )
    assert (group["delegation"], group["on behalf of"]) == ("Nigeria", "African Group")
    assert germany["original text"] == PARA_4 and group["original text"] == ""


# ---- the PDF -------------------------------------------------------------------------------


def test_the_compilation_pdf_carries_header_date_and_text(app, to_pdf):
    with app.test_request_context():
        (pages,) = to_pdf([compilation_docx(compilation())])
    assert "ATT/CSP11/2025/CHAIR/800/WP · Rev.2" in pages[0]
    assert "6 March 2025" in pages[0]
    assert "We agree with the proposal." in "\n".join(pages)


# ---- revisions -----------------------------------------------------------------------------


def test_a_revision_is_a_house_file_in_its_language_with_tables_numbered(app):
    doc = RevisionDoc(
        symbol="ATT/CSP11/2025/CHAIR/800/WP",
        title="Projet de décision",
        revision_label="Rev.1",
        issued_by="Groupe de travail",
        blocks=[
            (1, "paragraph", "La Conférence décide."),
            (2, "paragraph", "| État | Montant |\n| --- | --- |\n| Ruritanie | 10 |"),
        ],
        issued_at=datetime(2025, 3, 6, 9, 0, tzinfo=UTC),
        language="fr",
        time_zone="Europe/Zurich",
        kind="Projet de décision",
    )
    with app.test_request_context():
        data = revision_docx(doc)
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.language == "fr-FR"
    assert document.core_properties.author == "Groupe de travail"
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "Rev.1" in header and "6 mars 2025" in header
    assert "2." not in body_texts(document)  # no number alone above the table
    assert document.tables[0].cell(0, 0).text == "2. État"
    # Imported again, the front matter and the numbers are gone: the text is the text.
    markdown = docx_to_markdown(data)
    assert markdown.startswith("# Projet de décision\n\nLa Conférence décide.")
    assert "| État | Montant |" in markdown and "Groupe de travail" not in markdown


# ---- through the routes --------------------------------------------------------------------


@pytest.fixture
def consultation(db, make_user, make_room, add_member, make_delegation):
    """A room whose facilitator (from Finland) replies to Germany's comment on ¶2."""
    room = make_room(AccessLevel.TRANSPARENT, time_zone="Europe/Zurich")
    finland = make_delegation(DelegationStatus.STATE_PARTY, name="Finland")
    facilitator = make_user(name="Aino Facilitator", delegation=finland)
    germany = make_delegation(
        DelegationStatus.STATE_PARTY, name="Germany", group=RegionalGroup.WEOG
    )
    delegate = make_user(name="Anna Muster", delegation=germany)
    add_member(room, facilitator, RoomRole.FACILITATOR)
    add_member(room, germany, RoomRole.MEMBER)
    paper = services.create_paper(
        room,
        facilitator,
        title="Draft guide",
        kind=PaperKind.VOLUNTARY_GUIDE,
        issued_by="Facilitator, Articles 6 and 7",
        symbol="ATT/CSP12.WGETI/2026/FAC/812/VG",
        source="First paragraph.\n\nSecond paragraph on risk.\n",
        closes_at=datetime.now(UTC) + timedelta(days=7),
    )
    paper.status = PaperStatus.OPEN  # issued open for comments
    second = [p for p in services.paragraphs_of(services.current_revision(paper))][1]
    first = services.post_comment(
        paper,
        delegate,
        paragraph=second,
        on_behalf_of="Germany",
        body="Germany asks for examples.",
        proposed_text="Second paragraph on overriding risk.",
    )
    services.post_comment(
        paper,
        facilitator,
        paragraph=second,
        parent=first,
        on_behalf_of="Finland",
        body="The facilitator will add examples.",
    )
    db.session.flush()
    return paper, facilitator, delegate


def test_compilation_downloads_are_named_from_the_symbol_with_one_content_type(
    client, auth, consultation
):
    paper, facilitator, _delegate = consultation
    auth.login(facilitator)
    expected = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "csv": "text/csv; charset=utf-8",
        "md": "text/markdown; charset=utf-8",
    }
    for fmt, content_type in expected.items():
        response = client.get(f"/papers/{paper.id}/compilation.{fmt}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == content_type
        assert (
            f'filename="ATT-CSP12.WGETI-2026-FAC-812-VG-Rev.0-compilation.{fmt}"'
            in response.headers["Content-Disposition"]
        )
    revision = client.get(f"/papers/{paper.id}/rev/0.docx")
    assert (
        'filename="ATT-CSP12.WGETI-2026-FAC-812-VG-Rev.0.docx"'
        in (revision.headers["Content-Disposition"])
    )
    props = docx.Document(io.BytesIO(revision.data)).core_properties
    assert props.author == "Facilitator, Articles 6 and 7" and props.created.year >= 2026


def test_the_facilitators_reply_is_optional_and_labelled_in_capacity(client, auth, consultation):
    paper, facilitator, _delegate = consultation
    auth.login(facilitator)
    plain = client.get(f"/papers/{paper.id}/compilation.docx").data
    texts = body_texts(docx.Document(io.BytesIO(plain)))
    assert "Second paragraph on risk." in texts
    assert not any("The facilitator will add examples." in t for t in texts)
    assert any(t.startswith("Germany · made on Rev.0 ¶2") for t in texts)
    data = client.get(f"/papers/{paper.id}/compilation.docx?replies=1").data
    xml = docx_xml(data)
    texts = body_texts(docx.Document(io.BytesIO(data)))
    assert any(t.startswith("Reply · the Facilitator") for t in texts)
    assert "on behalf of Finland" not in xml and "Finland" not in xml
    assert "Aino Facilitator" not in xml and "Anna Muster" not in xml
    assert "Filters: replies of the chair, facilitators and the Secretariat included" in texts
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/papers/{paper.id}/compilation.csv?replies=1").data.decode("utf-8-sig")
            )
        )
    )
    germany = next(r for r in rows if r["delegation"] == "Germany")
    reply = next(r for r in rows if r["capacity"] == "the Facilitator")
    assert reply["reply to"] == germany["comment"]


def test_a_filter_that_matches_nothing_gives_an_empty_compilation(client, auth, consultation):
    paper, facilitator, _delegate = consultation
    auth.login(facilitator)
    data = client.get(f"/papers/{paper.id}/compilation.docx?position=objects").data
    text = "\n".join(body_texts(docx.Document(io.BytesIO(data))))
    assert "No comment matches these filters" in text and "position: Objects" in text
    assert "Germany asks" not in text


def test_pending_group_comments_and_hidden_ones_stay_out(client, auth, consultation, db):
    paper, facilitator, _delegate = consultation
    comment = db.session.scalars(select(Comment).where(Comment.parent_id.is_(None))).one()
    comment.hidden_at = datetime.now(UTC)
    db.session.flush()
    auth.login(facilitator)
    text = docx_to_markdown(client.get(f"/papers/{paper.id}/compilation.docx").data)
    assert "Germany asks" not in text
