"""Papers in language versions: a revision's French or Spanish text, aligned paragraph for
paragraph with the original, read per paper, with the comments of every language beside the
same paragraph, each marked with the language it was written in."""

from __future__ import annotations

import io
import re

import docx
import pytest
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus
from consult.papers import services, versions
from consult.papers.models import Comment, PaperKind, PaperVersion, VersionParagraph
from consult.papers.services import PaperError
from consult.rooms.models import AccessLevel, RoomRole

pytestmark = pytest.mark.i18n

HX = {"HX-Request": "true"}

ENGLISH = """# Risk assessment

States Parties assess each export application.

The assessment considers the risk of diversion, including through transit points, and the end
user's record of keeping earlier assurances given to exporting States.

By 2030 every national authority should publish its criteria.

Mitigating measures include:
- confidence-building measures;
- jointly developed programmes.

# Final provisions

The guide is reviewed at each Conference, taking into account the national practice that States
Parties report and the lessons drawn from cases of diversion detected since the last review."""

FRENCH = """# Évaluation des risques

Les États parties évaluent chaque demande d'exportation.

L'évaluation tient compte du risque de détournement, y compris par les points de transit, et des
antécédents de l'utilisateur final en matière de respect des assurances données aux États
exportateurs.

D'ici 2030, chaque autorité nationale devrait publier ses critères.

Les mesures d'atténuation comprennent :
- des mesures de confiance ;
- des programmes élaborés conjointement.

# Dispositions finales

Le guide est réexaminé à chaque Conférence, compte tenu de la pratique nationale dont les États
parties rendent compte et des enseignements tirés des cas de détournement détectés depuis le
dernier examen."""


def _without(text: str, paragraph: str) -> str:
    """The text with one of its blocks left out."""
    blocks = text.split("\n\n")
    return "\n\n".join(b for b in blocks if not b.startswith(paragraph))


@pytest.fixture
def setting(db, make_user, make_room, add_member, make_delegation):
    """An open English paper in a transparent room: its chair, a member delegate, and a
    reader of a delegation outside the room."""
    room = make_room(AccessLevel.TRANSPARENT)
    chair = make_user(name="Ricardo Chair")
    member = make_user(
        name="Claire Membre",
        delegation=make_delegation(DelegationStatus.STATE_PARTY, name="Senegal"),
    )
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member.delegation, RoomRole.MEMBER)
    paper = services.create_paper(
        room,
        chair,
        title="Guide on risk assessment",
        kind=PaperKind.VOLUNTARY_GUIDE,
        issued_by="Facilitator",
        source=ENGLISH,
        symbol="ATT/CSP12.WGETI/2026/FAC/900/VG",
    )
    services.open_for_comments(paper, chair)
    return room, chair, member, paper


def _add(paper, chair, text=FRENCH, language="fr", revision=None):
    return versions.add_version(
        paper,
        chair,
        revision=revision or services.current_revision(paper),
        language=language,
        source=text,
    )


# ---- services --------------------------------------------------------------------------------


def test_an_aligned_version_takes_the_keys_and_numbers_of_the_revision(setting, db):
    _room, chair, _member, paper = setting
    version = _add(paper, chair)
    original = services.paragraphs_of(services.current_revision(paper))
    translated = versions.version_paragraphs(version)
    assert [(p.key, p.number, p.is_heading) for p in translated] == [
        (p.key, p.number, p.is_heading) for p in original
    ]
    assert translated[1].text.startswith("Les États parties évaluent")
    assert "<li>des mesures de confiance" in str(translated[4].text_html)
    assert translated[0].text_html.startswith("<h2")  # a heading, one level below the title


def test_a_version_missing_a_paragraph_is_refused_naming_the_place(setting, db):
    _room, chair, _member, paper = setting
    with pytest.raises(PaperError) as refused:
        _add(paper, chair, _without(FRENCH, "D'ici 2030"))
    message = refused.value.message
    assert refused.value.field == "source"
    assert "The French text has 4 paragraphs where Rev.0 has 5" in message
    assert "the paragraphs differ from ¶3 on" in message
    assert "¶3 seems to have no French counterpart" in message
    assert db.session.scalar(select(func.count(PaperVersion.id))) == 0
    assert db.session.scalar(select(func.count(VersionParagraph.id))) == 0


def test_two_paragraphs_run_together_are_named(setting, db):
    _room, chair, _member, paper = setting
    joined = FRENCH.replace(
        "dernier examen.", "dernier examen. Le présent guide est publié en trois langues."
    ).replace("exportateurs.\n\nD'ici 2030", "exportateurs. D'ici 2030")
    with pytest.raises(PaperError) as refused:
        _add(paper, chair, joined)
    assert "the paragraphs differ from ¶2 on" in refused.value.message
    assert "¶2 and the next paragraph seem to be one" in refused.value.message


def test_an_extra_paragraph_at_the_end_names_the_last(setting, db):
    _room, chair, _member, paper = setting
    with pytest.raises(PaperError) as refused:
        _add(paper, chair, FRENCH + "\n\nUn paragraphe de plus.")
    message = refused.value.message
    assert "6 paragraphs where Rev.0 has 5" in message
    # A short paragraph after the last reads as the last one cut in two: either way, ¶5.
    assert "the paragraphs differ from ¶5 on" in message


def _guide_rev1() -> str:
    """The demo guide's Rev.1, of which the demo's Spanish version is the translation."""
    from consult.demo import GUIDE_REV0

    return GUIDE_REV0.replace(
        "Several States Parties interpret", "Some States Parties interpret"
    ).replace(
        "## Mitigating measures\n\n",
        "## Mitigating measures\n\nMitigating measures are considered before the overriding "
        "risk is determined.\n\n",
    )


def test_every_paragraph_left_out_or_run_together_is_named(setting, db):
    """Over the demo guide's Spanish text: leave out each paragraph in turn, or run each pair
    together, and the message names that paragraph and what seems to have happened."""
    from consult.demo import GUIDE_REV1_ES
    from consult.papers.blocks import Block, split_blocks

    room, chair, _member, _paper = setting
    guide = services.create_paper(
        room,
        chair,
        title="Guide",
        kind=PaperKind.VOLUNTARY_GUIDE,
        issued_by="F",
        source=_guide_rev1(),
    )
    original = services.paragraphs_of(services.current_revision(guide))
    blocks = split_blocks(GUIDE_REV1_ES)
    assert versions.alignment_problem(original, blocks, "es", "Rev.0") is None
    numbered = [i for i, b in enumerate(blocks) if b.kind == "paragraph"]
    for n, index in enumerate(numbered, start=1):
        message = versions.alignment_problem(
            original, blocks[:index] + blocks[index + 1 :], "es", "Rev.0"
        )
        assert f"differ from ¶{n} on (¶{n} seems to have no Spanish counterpart)" in message
    for n, (a, b) in enumerate(zip(numbered, numbered[1:], strict=False), start=1):
        if b != a + 1:
            continue  # a heading between them
        joined = Block("paragraph", f"{blocks[a].text} {blocks[b].text}")
        message = versions.alignment_problem(
            original, [*blocks[:a], joined, *blocks[b + 1 :]], "es", "Rev.0"
        )
        assert f"differ from ¶{n} on (¶{n} and the next paragraph seem to be one" in message


def test_a_heading_for_a_paragraph_is_refused(setting, db):
    _room, chair, _member, paper = setting
    with pytest.raises(PaperError) as refused:
        _add(paper, chair, FRENCH.replace("# Dispositions finales\n\n", "Dispositions finales\n\n"))
    assert "headings" in refused.value.message
    assert "¶6" in refused.value.message or "¶5" in refused.value.message


def test_a_language_the_revision_already_has_is_refused(setting, db):
    _room, chair, _member, paper = setting
    _add(paper, chair)
    with pytest.raises(PaperError) as refused:
        _add(paper, chair, FRENCH.replace("chaque", "toute"))
    assert refused.value.field == "language"
    assert "Rev.0 already has a French version" in refused.value.message
    assert db.session.scalar(select(func.count(PaperVersion.id))) == 1


def test_the_original_language_is_refused(setting, db):
    _room, chair, _member, paper = setting
    with pytest.raises(PaperError) as refused:
        _add(paper, chair, ENGLISH, language="en")
    assert refused.value.field == "language"
    assert "English is this paper's original language" in refused.value.message


def test_a_language_outside_the_consultation_is_refused(setting, db):
    _room, chair, _member, paper = setting
    with pytest.raises(PaperError) as refused:
        _add(paper, chair, language="de")
    assert refused.value.field == "language"


def test_a_version_of_an_older_revision_is_marked_and_still_read(setting, db):
    _room, chair, _member, paper = setting
    _add(paper, chair)
    services.revise(paper, chair, ENGLISH.replace("each export", "every export"))
    reading = versions.reading(paper, "fr", "en")
    assert reading.language == "fr"
    assert reading.is_outdated
    assert reading.revision.label == "Rev.0" and reading.current.label == "Rev.1"
    # A French version of Rev.1 is the one read from then on, no longer marked.
    _add(paper, chair, FRENCH.replace("chaque demande", "toute demande"))
    reading = versions.reading(paper, "fr", "en")
    assert not reading.is_outdated and reading.revision.label == "Rev.1"


def test_the_default_is_the_interface_language_when_a_version_exists(setting, db):
    _room, chair, _member, paper = setting
    assert versions.reading(paper, None, "fr").language == "en"  # no version yet
    _add(paper, chair)
    assert versions.reading(paper, None, "fr").language == "fr"
    assert versions.reading(paper, None, "es").language == "en"
    assert versions.reading(paper, "en", "fr").language == "en"  # the reader's choice
    assert versions.reading(paper, "es", "fr").language == "fr"  # no Spanish: the default
    assert versions.reading(paper, None, "en").languages == ["en", "fr"]


def test_a_comment_records_the_language_it_was_written_in(setting, db):
    _room, chair, member, paper = setting
    _add(paper, chair)
    paragraph = next(
        p for p in services.paragraphs_of(services.current_revision(paper)) if p.number == 2
    )
    french = services.post_comment(
        paper,
        member,
        paragraph=paragraph,
        body="Le Sénégal propose de mentionner les zones de transit.",
        on_behalf_of="Senegal",
        quote="points de transit",  # the French words, checked against the French text
        language="fr",
    )
    english = services.post_comment(
        paper, member, paragraph=paragraph, body="Noted.", on_behalf_of="Senegal"
    )
    assert (french.language, english.language) == ("fr", "en")
    assert french.paragraph_key == english.paragraph_key == paragraph.key
    with pytest.raises(PaperError) as refused:
        services.post_comment(
            paper,
            member,
            paragraph=paragraph,
            body="Hm.",
            on_behalf_of="Senegal",
            quote="transit points",  # English words are not in the French paragraph
            language="fr",
        )
    assert refused.value.field == "quote"


def test_proposed_text_is_made_on_the_original(setting, db):
    _room, chair, member, paper = setting
    _add(paper, chair)
    paragraph = services.paragraphs_of(services.current_revision(paper))[1]
    with pytest.raises(PaperError) as refused:
        services.post_comment(
            paper,
            member,
            paragraph=paragraph,
            body="Plus court.",
            on_behalf_of="Senegal",
            proposed_text="Les États parties évaluent les demandes.",
            language="fr",
        )
    assert refused.value.field == "proposed_text"


def test_no_comment_on_a_version_of_an_older_revision(setting, db):
    _room, chair, member, paper = setting
    _add(paper, chair)
    services.revise(paper, chair, ENGLISH.replace("each export", "every export"))
    paragraph = services.paragraphs_of(services.current_revision(paper))[1]
    with pytest.raises(PaperError) as refused:
        services.post_comment(
            paper, member, paragraph=paragraph, body="Oui.", on_behalf_of="Senegal", language="fr"
        )
    assert "Rev.1 has no French version" in refused.value.message


# ---- pages -----------------------------------------------------------------------------------


def _switch(html: str) -> str:
    return re.search(r'<nav class="version-switch".*?</nav>', html, re.S).group(0)


def test_readers_switch_language_and_see_every_comment_marked(client, auth, setting, db):
    _room, chair, member, paper = setting
    _add(paper, chair)
    key = services.paragraphs_of(services.current_revision(paper))[2].key
    auth.login(member)
    page = client.get(f"/papers/{paper.id}?lang=fr").get_data(as_text=True)
    switch = _switch(page)
    assert 'lang="en"' in switch and ">English<" in switch
    assert 'lang="fr"' in switch and "Français" in switch and 'aria-current="true"' in switch
    assert "Les États parties évaluent chaque demande" in page
    assert 'lang="fr">' in page  # the text says its language
    assert f"/papers/{paper.id}/p/{key}?lang=fr" in page  # its threads open in French too

    response = client.post(
        f"/papers/{paper.id}/p/{key}/comments?lang=fr",
        data={"body": "Le Sénégal appuie ce paragraphe.", "revision": 0, "on_behalf_of": "Senegal"},
        headers=HX,
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    comment = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert comment.language == "fr"
    # Read in French, the French comment carries no marker; read in English, it says "fr".
    french = client.get(f"/papers/{paper.id}/p/{key}?lang=fr", headers=HX).get_data(as_text=True)
    assert "lang-mark" not in french
    auth.logout()
    auth.login(chair)
    english = client.get(f"/papers/{paper.id}/p/{key}", headers=HX).get_data(as_text=True)
    assert re.search(
        r'<abbr class="badge lang-mark" title="Written on the French version">fr</abbr>', english
    )
    assert 'lang="fr">' in english  # the comment's words are marked French
    assert "Le Sénégal appuie ce paragraphe." in english


def test_the_comment_form_on_a_version_posts_in_its_language(client, auth, setting, db):
    _room, chair, member, paper = setting
    _add(paper, chair)
    key = services.paragraphs_of(services.current_revision(paper))[2].key
    auth.login(member)
    thread = client.get(f"/papers/{paper.id}/p/{key}?lang=fr", headers=HX).get_data(as_text=True)
    assert f'action="/papers/{paper.id}/p/{key}/comments?lang=fr"' in thread
    assert 'name="proposed_text"' not in thread
    assert "Proposed text is written against the original (English)" in thread


def test_an_older_version_is_marked_on_the_page(client, auth, setting, db):
    _room, chair, member, paper = setting
    _add(paper, chair)
    services.revise(paper, chair, ENGLISH.replace("each export", "every export"))
    auth.login(member)
    page = client.get(f"/papers/{paper.id}?lang=fr").get_data(as_text=True)
    assert "This French version is of Rev.0; the current English text is Rev.1." in page
    assert "Les États parties évaluent chaque demande" in page  # still readable
    key = services.paragraphs_of(services.current_revision(paper))[2].key
    thread = client.get(f"/papers/{paper.id}/p/{key}?lang=fr", headers=HX).get_data(as_text=True)
    assert "comments are made on the current text, Rev.1" in thread
    assert "Post comment" not in thread


def test_a_paper_without_versions_shows_no_switch(client, auth, setting, db):
    _room, _chair, member, paper = setting
    auth.login(member)
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "version-switch" not in page
    assert "?lang=" not in page


def test_the_chair_adds_a_version_from_the_form(client, auth, setting, db):
    _room, chair, _member, paper = setting
    auth.login(chair)
    form = client.get(f"/papers/{paper.id}/versions/new")
    assert form.status_code == 200
    response = client.post(
        f"/papers/{paper.id}/versions/new",
        data={"language": "fr", "revision": "0", "source": FRENCH},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith(f"/papers/{paper.id}?lang=fr")
    assert db.session.scalar(select(func.count(PaperVersion.id))) == 1


def test_the_form_says_each_refusal_next_to_its_field(client, auth, setting, db):
    _room, chair, _member, paper = setting
    auth.login(chair)
    short = _without(FRENCH, "D'ici 2030")
    response = client.post(
        f"/papers/{paper.id}/versions/new",
        data={"language": "fr", "revision": "0", "source": short},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="source-error"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "The French text has 4 paragraphs where Rev.0 has 5" in error
    assert "D&#39;ici" not in error and "Évaluation des risques" in html  # the text is kept
    response = client.post(
        f"/papers/{paper.id}/versions/new",
        data={"language": "en", "revision": "0", "source": ENGLISH},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="language-error"[^>]*>[^<]*original language', html)
    assert db.session.scalar(select(func.count(PaperVersion.id))) == 0


def test_the_version_is_exported_to_word_in_its_language(client, auth, setting, db):
    _room, chair, member, paper = setting
    _add(paper, chair)
    auth.login(member)
    response = client.get(f"/papers/{paper.id}/rev/0.docx?lang=fr")
    assert response.status_code == 200
    assert "FR" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Les États parties évaluent chaque demande" in text
    assert client.get(f"/papers/{paper.id}/rev/0.docx?lang=es").status_code == 404


# ---- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"), [("chair", 200), ("member", 403), ("outsider", 404), ("secretariat", 200)]
)
def test_who_may_add_a_version(client, auth, db, make_user, make_room, add_member, who, expected):
    room = make_room(AccessLevel.MEMBERS)
    chair = make_user()
    member = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member, RoomRole.MEMBER)
    people = {
        "chair": chair,
        "member": member,
        "outsider": make_user(),
        "secretariat": make_user(status=DelegationStatus.SECRETARIAT),
    }
    paper = services.create_paper(
        room, chair, title="Guide", kind=PaperKind.WORKING_PAPER, issued_by="Chair", source=ENGLISH
    )
    services.open_for_comments(paper, chair)
    versions.add_version(
        paper, chair, revision=services.current_revision(paper), language="fr", source=FRENCH
    )
    auth.login(people[who])
    assert client.get(f"/papers/{paper.id}/versions/new").status_code == expected
    # Reading is whoever may read the paper: 404 for one who may not see it, in any language.
    reading = client.get(f"/papers/{paper.id}?lang=fr").status_code
    assert reading == (404 if who == "outsider" else 200)
    key = services.paragraphs_of(services.current_revision(paper))[1].key
    thread = client.get(f"/papers/{paper.id}/p/{key}?lang=fr", headers=HX).status_code
    assert thread == (404 if who == "outsider" else 200)
    export = client.get(f"/papers/{paper.id}/rev/0.docx?lang=fr").status_code
    assert export == (404 if who == "outsider" else 200)


def test_a_delegation_draft_written_on_a_version_is_posted_in_its_language(
    client, auth, setting, db
):
    from consult.delegation_drafts.models import DelegationDraft

    _room, chair, member, paper = setting
    _add(paper, chair)
    key = services.paragraphs_of(services.current_revision(paper))[2].key
    auth.login(member)
    thread = client.get(f"/papers/{paper.id}/p/{key}?lang=fr", headers=HX).get_data(as_text=True)
    assert '<input type="hidden" name="language" value="fr">' in thread
    response = client.post(
        f"/delegation-drafts/new/paper_comment/{paper.id}?key={key}",
        data={
            "body": "Le Sénégal propose une précision.",
            "on_behalf_of": "Senegal",
            "revision": "0",
            "language": "fr",
            "quote": "points de transit",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    draft = db.session.scalars(select(DelegationDraft)).one()
    response = client.post(f"/delegation-drafts/{draft.id}/post", data={"version": draft.version})
    assert response.status_code == 303
    comment = db.session.scalars(select(Comment)).one()
    assert comment.language == "fr" and comment.quote == "points de transit"


def test_the_compilation_says_which_version_a_comment_was_written_on(client, auth, setting, db):
    _room, chair, member, paper = setting
    _add(paper, chair)
    paragraph = services.paragraphs_of(services.current_revision(paper))[2]
    services.post_comment(
        paper,
        member,
        paragraph=paragraph,
        body="Le Sénégal appuie.",
        on_behalf_of="Senegal",
        language="fr",
    )
    services.post_comment(
        paper, member, paragraph=paragraph, body="Senegal agrees.", on_behalf_of="Senegal"
    )
    compiled = services.compile_comments(paper, by="paragraph", attributed=True)
    made_on = [c.made_on for s in compiled.sections for c in s.comments]
    assert made_on == ["Rev.0 ¶2, French version", "Rev.0 ¶2"]
    auth.login(chair)
    csv = client.get(f"/papers/{paper.id}/compilation.csv").get_data(as_text=True)
    assert "Rev.0 ¶2, French version" in csv


def test_a_version_page_stays_constant_in_queries(client, auth, setting, db, count_queries):
    room, chair, member, _paper = setting

    def paper_of(n: int):
        paper = services.create_paper(
            room,
            chair,
            title=f"Paper of {n}",
            kind=PaperKind.WORKING_PAPER,
            issued_by="Chair",
            source="\n\n".join(f"Paragraph {i}." for i in range(n)),
        )
        services.open_for_comments(paper, chair)
        versions.add_version(
            paper,
            chair,
            revision=services.current_revision(paper),
            language="fr",
            source="\n\n".join(f"Paragraphe {i}." for i in range(n)),
        )
        for i, paragraph in enumerate(services.paragraphs_of(services.current_revision(paper))):
            services.post_comment(
                paper,
                member,
                paragraph=paragraph,
                body=f"c{i}",
                on_behalf_of="Senegal",
                language="fr" if i % 2 else None,
            )
        db.session.flush()
        return paper

    small, large = paper_of(3), paper_of(40)
    auth.login(chair)

    def measure(paper) -> int:
        with count_queries() as statements:
            assert client.get(f"/papers/{paper.id}?lang=fr").status_code == 200
        return len(statements)

    assert measure(large) == measure(small)


# ---- the migration --------------------------------------------------------------------------

MIGRATION_SCRIPT = r"""
import sqlite3, sys
from flask_migrate import downgrade, upgrade
from consult import create_app
from consult.config import TestConfig

path = sys.argv[1]
config = type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
app = create_app(config)
with app.app_context():
    upgrade(revision="0044")
    raw = sqlite3.connect(path)  # foreign keys off: lone rows are enough here
    for n, language in [(1, "fr"), (2, "en")]:
        raw.execute(
            "INSERT INTO paper (id, room_id, title, kind, issued_by, original_language, status,"
            " is_chatham_house, created_by_id, created_at, version, authors_may_reply)"
            " VALUES (?, 1, 'P', 'working_paper', 'Chair', ?, 'open', 0, 1,"
            " '2026-01-01 00:00:00', 1, 1)",
            (n, language),
        )
        raw.execute(
            "INSERT INTO comment (id, paper_id, paragraph_key, made_on_id, depth, author_id,"
            " delegation_id, on_behalf_of, body, created_at)"
            " VALUES (?, ?, 'k', 1, 0, 1, 1, 'Senegal', 'Oui.', '2026-01-01 00:00:00')",
            (n, n),
        )
    raw.commit()
    upgrade(revision="0043")
    rows = dict(raw.execute("SELECT id, language FROM comment").fetchall())
    assert rows == {1: "fr", 2: "en"}, rows
    raw.commit()
    downgrade(revision="0044")
    columns = [row[1] for row in raw.execute("PRAGMA table_info(comment)")]
    assert "language" not in columns, columns
    assert raw.execute("SELECT count(*) FROM comment").fetchone()[0] == 2  # kept, not copied
    tables = [row[0] for row in raw.execute("SELECT name FROM sqlite_master")]
    assert "paper_version" not in tables and "version_paragraph" not in tables, tables
print("migrated")
"""


def test_the_migration_gives_existing_comments_their_papers_language(tmp_path):
    """On a database of its own (in a process of its own): rows before the versions (0044),
    then 0043, then back."""
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


def test_the_revision_exported_to_word_comes_back_aligned(client, auth, setting, db):
    """The form offers the revision as Word to translate: the file, uploaded as it is (here
    untranslated), lines up paragraph for paragraph with the revision."""
    _room, chair, _member, paper = setting
    auth.login(chair)
    exported = client.get(f"/papers/{paper.id}/rev/0.docx").data
    response = client.post(
        f"/papers/{paper.id}/versions/new",
        data={
            "language": "es",
            "revision": "0",
            "document": (io.BytesIO(exported), "guia.docx"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 303, re.findall(
        r'class="(?:error|flash[^"]*)"[^>]*>([^<]*)', html
    )
    version = db.session.scalars(select(PaperVersion)).one()
    assert version.origin == "guia.docx"
    texts = [p.text for p in versions.version_paragraphs(version)]
    assert texts[1] == "States Parties assess each export application."
