"""No untranslated string slips in: the main pages, rendered in French and in Spanish for a
delegate, a chair and the Secretariat (and signed out), show no English outside user content.

tests/test_catalogues.py checks that every extracted message is translated; this walk finds
what is not extracted at all (a label built at import, a text stored in English, a literal in
a template). The demo is seeded in the walk's language, as it would have been written by people
using that language (notifications and room activity lines are worded when they are made), and
every text the database holds is user content (tests/english_finder.py). The browser walk
(tests/browser/test_languages.py) does the same with what JavaScript fills in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select
from sqlalchemy.orm import scoped_session, sessionmaker

from consult import demo, i18n
from consult.accounts.models import Delegation, User
from consult.extensions import db as _db
from consult.handlers import handler
from consult.markdown import render
from tests.english_finder import (
    ENGLISH,
    NOT_USER_CONTENT,
    SYMBOLS,
    EnglishFinder,
    _english_words,
    place_names,
    user_texts_of,
)

pytestmark = pytest.mark.i18n

LANGUAGES = ("fr", "es")
DEMO_PASSWORD = "consult-demo"
#: Written when the demo is seeded in the walk's language, so checked, not left out.
SEEDED_IN_LANGUAGE = {"notification", "room_activity"}


@dataclass
class Walk:
    lang: str
    finder: EnglishFinder
    found: dict[str, list[str]] = field(default_factory=dict)

    def look(self, client, label: str, path: str, expect: int = 200, **kwargs) -> str:
        """GET (or `method=`) `path` in the walk's language; record the English it shows."""
        method = kwargs.pop("method", "GET")
        headers = {"Accept-Language": self.lang, **kwargs.pop("headers", {})}
        response = client.open(path, method=method, headers=headers, **kwargs)
        if response.status_code != expect:  # a walk that missed its page proves nothing
            self.found[f"{label} ({path})"] = [f"answered {response.status_code}, not {expect}"]
            return ""
        html = response.get_data(as_text=True)
        assert f'<html lang="{self.lang}"' in html or "<html" not in html, f"{label} not {self}"
        findings = [str(f) for f in self.finder.find(html)]
        if findings:
            self.found[f"{label} ({path})"] = findings
        return html

    def report(self) -> str:
        return "\n".join(
            f"{page}:\n  " + "\n  ".join(items) for page, items in sorted(self.found.items())
        )


@pytest.fixture
def walk(seeded: Walk) -> Walk:
    """The module's walk, with nothing found yet by this test."""
    seeded.found.clear()
    return seeded


@pytest.fixture(scope="module", params=LANGUAGES)
def seeded(request, app) -> Iterator[Walk]:
    """The demo, seeded in the walk's language inside a transaction rolled back at the end."""
    lang = request.param
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        from flask_sqlalchemy.session import _app_ctx_id

        _db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        patch = pytest.MonkeyPatch()
        try:
            # The people of the demo read in the walk's language: what is written for them
            # when the demo is made (notifications, mail) is in their words.
            patch.setattr(i18n, "for_person", lambda person, fallback=None: lang)
            with app.test_request_context("/", headers={"Accept-Language": lang}):
                demo.seed(password=DEMO_PASSWORD)
                _db.session.commit()
            patch.undo()
            texts = user_texts_of(
                _db.session, _db.metadata, leave_out=NOT_USER_CONTENT - SEEDED_IN_LANGUAGE
            )
            texts |= place_names(lang)
            yield Walk(lang, EnglishFinder(texts, markdown=render))
        finally:
            patch.undo()
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


def signed_in(app, who: str):
    client = app.test_client()
    response = client.post(
        "/sign-in",
        data={"email": f"{who}@{demo.DOMAIN}", "password": DEMO_PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302, f"{who} could not sign in"
    return client


def _one(statement):
    value = _db.session.scalar(statement)
    assert value is not None, f"the demo has no {statement}"
    return value


def common_pages() -> list[tuple[str, str]]:
    """The pages every signed-in person has: found in the demo by what they show."""
    from consult.case_studies.models import CaseStudy
    from consult.discussions.models import Topic
    from consult.meetings.models import Meeting, MeetingSession
    from consult.papers.models import Comment, Paper
    from consult.procedures.models import WrittenProcedure
    from consult.questionnaires.models import Questionnaire

    guide = _one(
        select(Paper.id).where(Paper.title == "Voluntary guide: Article 7 (overriding risk)")
    )
    key = _one(select(Comment.paragraph_key).where(Comment.paper_id == guide).limit(1))
    week = _one(select(MeetingSession.meeting_id).group_by(MeetingSession.meeting_id).limit(1))
    meeting = _one(select(Meeting.id).where(Meeting.title.like("WGETI intersessional%")))
    topic = _one(select(Topic.id).order_by(Topic.id).limit(1))
    procedure = _one(select(WrittenProcedure.id).order_by(WrittenProcedure.id).limit(1))
    questionnaire = _one(select(Questionnaire.id).order_by(Questionnaire.id).limit(1))
    case_study = _one(select(CaseStudy.id).order_by(CaseStudy.id).limit(1))
    return [
        ("dashboard", "/"),
        ("all rooms", "/rooms/"),
        ("room", "/rooms/wgeti"),
        ("sub-working group room", "/rooms/wgeti-art-6-7"),
        ("room discussions", "/rooms/wgeti/discussions"),
        ("paper", f"/papers/{guide}"),
        ("paragraph and its comments", f"/papers/{guide}/p/{key}"),
        ("compare revisions", f"/papers/{guide}/compare"),
        ("meeting", f"/meetings/{meeting}"),
        ("live meeting", f"/meetings/{meeting}/live"),
        ("agenda", f"/meetings/{meeting}/agenda"),
        ("programme of work", f"/meetings/{week}/programme"),
        ("discussion", f"/discussions/{topic}"),
        ("written procedure", f"/procedures/{procedure}"),
        ("questionnaire", f"/questionnaires/{questionnaire}"),
        ("case study", f"/case-studies/{case_study}"),
        ("notifications", "/notifications/"),
        ("notification settings", "/notifications/settings"),
        ("search with results", "/search?q=diversion"),
        ("library", "/library"),
        ("library shelf", "/library/post-delivery-measures"),
        ("assistance", "/assistance"),
        ("profile", "/profile"),
        ("calendar feed", "/calendar/feed"),
        ("delegation drafts", "/delegation-drafts"),
        ("not found (404)", "/papers/999999"),
    ]


def _check(walk: Walk) -> None:
    assert not walk.found, (
        f"English on {len(walk.found)} {walk.lang} pages (wrap it in _() or _l(), or mark "
        f"user content with data-user-content; docs/testing.md):\n{walk.report()}"
    )


def test_a_delegate_reads_no_english(app, walk):
    client = signed_in(app, "delegate.germany")
    for label, path in common_pages():
        walk.look(client, label, path, expect=404 if "404" in label else 200)
    from consult.papers.models import Paper

    guide = _one(select(Paper.id).where(Paper.title.like("Voluntary guide: Article 7%")))
    walk.look(client, "not allowed (403)", f"/papers/{guide}/revise", expect=403)
    # A refused form: the 422 page, its message next to the field.
    walk.look(
        client,
        "refused profile (422)",
        "/profile",
        expect=422,
        method="POST",
        data={"name": "", "time_zone": "UTC", "language": ""},
    )
    _check(walk)


def test_a_chair_reads_no_english(app, walk):
    from consult.meetings.models import Meeting

    client = signed_in(app, "chair.wgeti")
    meeting = _one(select(Meeting.id).where(Meeting.title.like("WGETI intersessional%")))
    for label, path in [
        ("room as its chair", "/rooms/wgeti"),
        ("new paper", "/rooms/wgeti/papers/new"),
        ("new meeting", "/rooms/wgeti/meetings/new"),
        ("new questionnaire", "/rooms/wgeti/questionnaires/new"),
        ("new discussion", "/rooms/wgeti/discussions/new"),
        ("chair's console", f"/meetings/{meeting}/console"),
        ("screens", f"/meetings/{meeting}/screens"),
        ("screen", f"/meetings/{meeting}/screen"),
        ("record", f"/meetings/{meeting}/record"),
        ("edit meeting", f"/meetings/{meeting}/edit"),
    ]:
        walk.look(client, label, path)
    from consult.papers.models import Paper

    guide = _one(select(Paper.id).where(Paper.title.like("Voluntary guide: Article 7%")))
    facilitator = signed_in(app, "facilitator")
    walk.look(facilitator, "compilation of comments", f"/papers/{guide}/compilation")
    walk.look(facilitator, "revise the paper", f"/papers/{guide}/revise")
    _check(walk)


def test_the_secretariat_reads_no_english(app, walk):
    client = signed_in(app, "secretariat")
    person = _one(select(User.id).where(User.email == f"npc.nigeria@{demo.DOMAIN}"))
    delegation = _one(select(Delegation.id).where(Delegation.short_name == "DEU"))
    for label, path in [
        ("dashboard", "/"),
        ("administration", "/admin/"),
        ("people", "/admin/people"),
        ("a person", f"/admin/people/{person}"),
        ("invite a person", "/admin/people/new"),
        ("delegations", "/admin/delegations"),
        ("new delegation", "/admin/delegations/new"),
        ("rooms", "/admin/rooms"),
        ("new room", "/admin/rooms/new"),
        ("audit log", "/admin/audit"),
        ("taxonomy", "/admin/taxonomy"),
        ("groups", "/admin/groups"),
        ("small groups", "/admin/small-groups"),
        ("assistance overview", "/assistance/overview"),
        ("participation", "/participation"),
        ("a delegation's people", f"/delegations/{delegation}/people"),
        ("new procedure", "/rooms/csp12/procedures/new"),
        ("search", "/search?q=control"),
    ]:
        walk.look(client, label, path)
    _check(walk)


def test_signed_out_pages_and_errors_read_no_english(app, walk, monkeypatch):
    client = app.test_client()
    walk.look(client, "sign-in", "/sign-in")
    walk.look(client, "forgotten password", "/password/forgot")
    walk.look(client, "not found (404)", "/no-such-page", expect=404)
    walk.look(client, "expired link", "/password/reset/not-a-token", expect=410)

    @handler(public=True)
    def broken():
        raise RuntimeError("a bug")

    monkeypatch.setitem(app.view_functions, "core.health", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    walk.look(client, "server error (500)", "/health", expect=500)
    _check(walk)


def test_mail_reads_no_english(app, walk):
    """The mail the demo queued (in its recipients' language), and everyone's digests."""
    from datetime import timedelta

    from consult.mail import OutboxMessage
    from consult.notifications import mailing
    from consult.timeutil import utcnow

    # Everyone reads in the walk's language from now on (the module's data is rolled back).
    people = _db.session.scalars(select(User).where(User.is_active.is_(True))).all()
    with app.test_request_context("/"):
        for person in people:
            person.language = walk.lang
            for cadence in ("daily", "weekly"):
                mailing.send_digest(person, cadence, utcnow() + timedelta(minutes=1))
    _db.session.flush()
    client = app.test_client()  # a mail that is not a notification: a password reset
    client.post("/password/forgot", data={"email": f"npc.nigeria@{demo.DOMAIN}"})
    mails = _db.session.scalars(select(OutboxMessage)).all()
    assert len({m.kind for m in mails}) >= 2, "the walk reads mail of several kinds"
    for message in mails:
        for n, line in enumerate([message.subject, *message.body.splitlines()]):
            finding = walk.finder.check(line, f"line {n}")
            if finding:
                walk.found.setdefault(f"mail {message.kind} to {message.to_address}", [])
                walk.found[f"mail {message.kind} to {message.to_address}"].append(str(finding))
    _check(walk)


def _docx_lines(data: bytes) -> list[str]:
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    lines += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        lines += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return lines


def _ics_lines(data: bytes) -> list[str]:
    unfolded = data.decode().replace("\r\n ", "")
    return [
        line.split(":", 1)[1].replace("\\n", "\n").replace("\\,", ",")
        for line in unfolded.splitlines()
        if line.startswith(("SUMMARY", "DESCRIPTION", "X-WR-CALNAME", "LOCATION"))
    ]


def test_exports_read_no_english(app, walk):
    """What the reader downloads in their language: the meeting record in Word and its two
    CSV files, the questionnaire's compilation, the participation report, the calendars."""
    import csv
    import io

    from consult.meetings.models import Meeting
    from consult.questionnaires.models import Questionnaire

    meeting = _one(select(Meeting.id).where(Meeting.title.like("WGETI intersessional%")))
    questionnaire = _one(select(Questionnaire.id).order_by(Questionnaire.id).limit(1))
    chair = signed_in(app, "chair.wgeti")
    secretariat = signed_in(app, "secretariat")
    files = {
        "record.docx": (chair, f"/meetings/{meeting}/record.docx", _docx_lines),
        "record-speakers.csv": (chair, f"/meetings/{meeting}/record-speakers.csv", None),
        "record-attendance.csv": (chair, f"/meetings/{meeting}/record-attendance.csv", None),
        "questionnaire.csv": (chair, f"/questionnaires/{questionnaire}/compilation.csv", None),
        "questionnaire.docx": (
            chair,
            f"/questionnaires/{questionnaire}/compilation.docx",
            _docx_lines,
        ),
        "participation.csv": (secretariat, "/participation.csv", None),
        "meeting.ics": (chair, f"/meetings/{meeting}.ics", _ics_lines),
    }
    for name, (client, path, read) in files.items():
        response = client.get(path, headers={"Accept-Language": walk.lang})
        if response.status_code != 200:
            walk.found[f"{name} ({path})"] = [f"answered {response.status_code}"]
            continue
        if read is None:  # CSV: every cell
            text = response.data.decode("utf-8-sig")
            lines = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        else:
            lines = read(response.data)
        for n, line in enumerate(lines):
            finding = walk.finder.check(line, f"line {n}")
            if finding:
                walk.found.setdefault(f"{name} ({path})", []).append(str(finding))
    _check(walk)


# ---- the finder itself ----------------------------------------------------------------------


def test_the_finder_flags_english_and_passes_translations_symbols_and_user_content():
    finder = EnglishFinder(["Voluntary guide: Article 7", "<p>Members report <em>the</em></p>"])
    page = """<html lang="fr"><body>
      <h1>Voluntary guide: Article 7</h1>
      <p>Commentaires sur le ¶3 de Voluntary guide: Article 7 (Rev.2)</p>
      <p>Members report <em>the</em></p>
      <button aria-label="Close the dialog">×</button>
      <input type="submit" value="Save">
      <p>Please sign in</p>
      <p>ATT/CSP12.WGETI/2026/NGA/1 · TLP:AMBER+STRICT · Europe/Zurich · consult</p>
      <p lang="en">English</p><code>paper.revised</code>
      <div data-user-content>the draft of the paper</div>
      <textarea placeholder="Votre texte">what someone typed</textarea>
    </body></html>"""
    found = {(f.where, f.text) for f in finder.find(page)}
    assert found == {
        ("<button aria-label>", "Close the dialog"),
        ("<input value>", "Save"),
        ("<p>", "Please sign in"),
    }


def test_no_word_of_the_list_is_french_or_spanish():
    """The English words the finder looks for never occur in a French or Spanish translation
    (outside placeholders and symbols): a correct page can never be flagged."""
    from consult.config import ROOT

    symbols = re.compile("|".join(SYMBOLS))
    clashes = []
    for code in LANGUAGES:
        path = f"{ROOT}/consult/translations/{code}/LC_MESSAGES/messages.po"
        with open(path, "rb") as f:
            catalog = read_po(f, locale=code)
        for message in catalog:
            if not message.id or any(path.endswith("zones.py") for path, _ in message.locations):
                continue  # the capitals' names of consult.zones are proper names ("New Delhi")
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                words = _english_words(symbols.sub(" ", text or ""))
                if words:
                    clashes.append(f"{code}: {words} in {text!r}")
    assert not clashes, "\n".join(clashes)
    assert len(ENGLISH) > 200
