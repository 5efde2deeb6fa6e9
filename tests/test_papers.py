"""Draft papers: issuing, revisions, comments that follow the text, the chair's tools."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import docx
import pytest
from sqlalchemy import func, select

from consult import mail
from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.audit import AuditEvent
from consult.notifications.models import Notification
from consult.papers import services
from consult.papers.models import Comment, Paper, PaperKind, PaperStatus, Paragraph, Revision
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow

HX = {"HX-Request": "true"}
TEXT = """# Introduction

The Working Group met three times.

It considered the following:
- risk assessment
- end-use controls

# Recommendations

States should exchange information on diversion.

States should report annually."""


@pytest.fixture
def setting(db, make_user, make_room, add_member, make_delegation):
    """A transparent WGETI-like room with a chair, a member delegate and an outsider."""
    room = make_room(AccessLevel.TRANSPARENT, time_zone="Europe/Zurich")
    chair = make_user(name="Ricardo Chair")
    member = make_user(
        name="Jonas Member",
        delegation=make_delegation(
            DelegationStatus.STATE_PARTY, name="Germany", group=RegionalGroup.WEOG
        ),
    )
    reader = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member.delegation, RoomRole.MEMBER)
    return room, chair, member, reader


def issue(client, auth, room, chair, text=TEXT, *, opened=True, **extra):
    """The chair issues a paper (it starts in drafting) and, unless `opened` is False, opens
    it for comments, as a chair does once the draft is ready."""
    auth.login(chair)
    data = {
        "title": "Draft report",
        "kind": "chair_draft_report",
        "issued_by": "WGETI Chair",
        "original_language": "en",
        "source": text,
        **extra,
    }
    response = client.post(f"/rooms/{room.slug}/papers/new", data=data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    if opened:
        paper_id = int(response.headers["Location"].rsplit("/", 1)[-1])
        response = client.post(f"/papers/{paper_id}/open", data={})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    auth.logout()


def the_paper(db) -> Paper:
    return db.session.scalars(select(Paper).order_by(Paper.id.desc())).first()


def current(db, paper) -> list[Paragraph]:
    return services.paragraphs_of(services.current_revision(paper))


def by_number(db, paper, n: int) -> Paragraph:
    return next(p for p in current(db, paper) if p.number == n)


def comment_on(client, paper, paragraph, body="We propose stronger wording.", **extra):
    data = {
        "body": body,
        "revision": services.current_revision(paper).number,
        "on_behalf_of": extra.pop("on_behalf_of", "Germany"),
        **extra,
    }
    return client.post(f"/papers/{paper.id}/p/{paragraph.key}/comments", data=data, headers=HX)


def test_issue_numbers_paragraphs_not_headings_and_keeps_lists(client, auth, setting, db):
    room, chair, *_ = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    paragraphs = current(db, paper)
    numbers = [p.number for p in paragraphs]
    assert numbers == [None, 1, 2, None, 3, 4]
    assert "end-use controls" in paragraphs[2].text  # the list stays with its paragraph
    assert paper.status is PaperStatus.OPEN


def test_paper_page_shows_counts_and_comments_live_in_fragment(client, auth, setting, db):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(member)
    p3 = by_number(db, paper, 3)
    response = comment_on(
        client,
        paper,
        p3,
        quote="exchange information",
        proposed_text="States shall exchange information on diversion.",
        position="supports",
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "We propose stronger wording." in fragment and "<html" not in fragment
    assert "<ins>" in fragment  # the proposed text is shown as a redline
    assert 'hx-swap-oob="outerHTML">1 comment</a>' in fragment  # the count follows
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "1 comment" in page


def test_comments_follow_the_text_into_the_next_revision(client, auth, setting, db):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(member)
    comment_on(client, paper, by_number(db, paper, 3), body="On information exchange.")
    auth.logout()
    auth.login(chair)
    rev1 = TEXT.replace(
        "# Recommendations\n\n",
        "# Recommendations\n\nA new opening recommendation on transparency.\n\n",
    )
    response = client.post(f"/papers/{paper.id}/revise", data={"source": rev1, "note": "added"})
    assert response.status_code in (302, 303)
    p4 = by_number(db, paper, 4)
    assert "exchange information" in p4.text
    thread = client.get(f"/papers/{paper.id}/p/{p4.key}", headers=HX).get_data(as_text=True)
    assert "On information exchange." in thread
    assert "made on Rev.0 ¶3" in thread
    assert "text changed since" not in thread


def test_changed_text_is_flagged_and_removed_text_is_kept(client, auth, setting, db):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(member)
    comment_on(client, paper, by_number(db, paper, 3), body="On paragraph three.")
    comment_on(client, paper, by_number(db, paper, 4), body="On paragraph four.")
    auth.logout()
    auth.login(chair)
    rev1 = TEXT.replace(
        "States should exchange information on diversion.",
        "States should exchange information on diversion promptly.",
    )
    rev1 = rev1.replace("\n\nStates should report annually.", "")
    client.post(f"/papers/{paper.id}/revise", data={"source": rev1})
    p3 = by_number(db, paper, 3)
    thread = client.get(f"/papers/{paper.id}/p/{p3.key}", headers=HX).get_data(as_text=True)
    assert "On paragraph three." in thread and "text changed since" in thread
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "Comments on removed text" in page and "On paragraph four." in page
    orphan = db.session.scalars(select(Comment).where(Comment.body == "On paragraph four.")).one()
    response = client.post(f"/comments/{orphan.id}/reattach", data={"key": p3.key})
    assert response.status_code in (302, 303)
    db.session.refresh(orphan)
    assert orphan.paragraph_key == p3.key and orphan.reattached_at is not None
    assert "Comments on removed text" not in client.get(f"/papers/{paper.id}").get_data(
        as_text=True
    )


def test_deadline_refuses_late_comments_and_keeps_nothing(client, auth, setting, db):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    paper.closes_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    auth.login(member)
    response = comment_on(client, paper, by_number(db, paper, 1), body="Too late?")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "deadline has passed" in body
    assert "Too late?" in body  # what was written is handed back, not lost
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_a_comment_a_second_before_the_deadline_is_kept(db, setting, make_user):
    room, chair, member, _reader = setting
    paper = services.create_paper(
        room,
        chair,
        title="T",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="One.\n\nTwo.",
    )
    services.open_for_comments(paper, chair)
    deadline = utcnow() + timedelta(minutes=5)
    paper.closes_at = deadline
    paragraph = current(db, paper)[0]
    services.post_comment(
        paper,
        member,
        paragraph=paragraph,
        body="Just in time",
        on_behalf_of="Germany",
        now=deadline - timedelta(seconds=1),
    )
    with pytest.raises(services.PaperError):
        services.post_comment(
            paper,
            member,
            paragraph=paragraph,
            body="Late",
            on_behalf_of="Germany",
            now=deadline + timedelta(seconds=1),
        )
    assert [c.body for c in db.session.scalars(select(Comment))] == ["Just in time"]


def test_chair_reopens_comments(client, auth, setting, db):
    room, chair, *_ = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(chair)
    response = client.post(
        f"/papers/{paper.id}/status", data={"status": "open", "closes_at": "2001-01-01T10:00"}
    )
    assert response.status_code == 422  # a deadline in the past
    response = client.post(
        f"/papers/{paper.id}/status", data={"status": "open", "closes_at": "2099-01-01T10:00"}
    )
    assert response.status_code in (302, 303)
    db.session.refresh(paper)
    # 10:00 in Zurich is 09:00 UTC in winter.
    assert paper.closes_at.hour == 9


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "Write your comment"),
        ({"body": "x" * 20_001}, ""),
        ({"body": "ok", "on_behalf_of": "France"}, "speak only for your delegation"),
        ({"body": "ok", "quote": "words that are not there"}, "not in paragraph"),
        ({"body": "ok", "revision": 7}, "was issued while you were writing"),
    ],
)
def test_bad_comments_store_nothing(client, auth, setting, db, data, message):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(member)
    response = comment_on(client, paper, by_number(db, paper, 1), **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_reply_to_a_comment_of_another_paper_is_refused(client, auth, setting, db):
    room, chair, member, _reader = setting
    first = services.create_paper(
        room, chair, title="A", kind=PaperKind.WORKING_PAPER, issued_by="Chair", source="One."
    )
    services.open_for_comments(first, chair)
    second = services.create_paper(
        room, chair, title="B", kind=PaperKind.WORKING_PAPER, issued_by="Chair", source="Other."
    )
    services.open_for_comments(second, chair)
    other = services.post_comment(
        first, member, paragraph=current(db, first)[0], body="x", on_behalf_of="Germany"
    )
    db.session.flush()
    auth.login(member)
    response = comment_on(client, second, current(db, second)[0], body="reply", parent_id=other.id)
    assert response.status_code == 422
    assert "only reply to a comment on this paper" in response.get_data(as_text=True)


def test_replies_nest_three_levels_then_stay_flat(db, setting):
    room, chair, member, _reader = setting
    paper = services.create_paper(
        room, chair, title="T", kind=PaperKind.WORKING_PAPER, issued_by="Chair", source="One."
    )
    services.open_for_comments(paper, chair)
    paragraph = current(db, paper)[0]
    parent = None
    depths = []
    for i in range(5):
        with db.session.no_autoflush:
            parent = services.post_comment(
                paper,
                member if i % 2 else chair,
                paragraph=paragraph,
                body=f"level {i}",
                on_behalf_of=(member if i % 2 else chair).delegation.name,
                parent=parent,
            )
        depths.append(parent.depth)
    assert depths == [0, 1, 2, 3, 3]


def test_edit_history_tombstone_and_hiding(client, auth, setting, db, app):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(member)
    paragraph = by_number(db, paper, 1)
    comment_on(client, paper, paragraph, body="First wording.")
    comment = db.session.scalars(select(Comment)).one()
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Second wording."})
    assert response.status_code in (302, 303)
    thread = client.get(f"/papers/{paper.id}/p/{paragraph.key}", headers=HX).get_data(as_text=True)
    assert "Second wording." in thread and "Edit history" in thread and "First wording." in thread
    auth.logout()
    auth.login(chair)
    comment_on(
        client,
        paper,
        paragraph,
        body="A reply from the chair.",
        on_behalf_of=chair.delegation.name,
        parent_id=comment.id,
    )
    response = client.post(f"/comments/{comment.id}/hide", data={"reason": ""}, headers=HX)
    assert response.status_code == 422
    response = client.post(f"/comments/{comment.id}/hide", data={"reason": "Off topic"}, headers=HX)
    assert "Hidden by the chair: Off topic" in response.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.kind == "paper.comment_hidden")
        )
        == 1
    )
    auth.logout()
    auth.login(member)
    client.post(f"/comments/{comment.id}/delete", headers=HX)
    thread = client.get(f"/papers/{paper.id}/p/{paragraph.key}", headers=HX).get_data(as_text=True)
    assert "deleted by its author" in thread and "A reply from the chair." in thread


def test_edit_window_closes(client, auth, setting, db):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(member)
    comment_on(client, paper, by_number(db, paper, 1), body="Original.")
    comment = db.session.scalars(select(Comment)).one()
    comment.created_at = utcnow() - timedelta(hours=2)
    db.session.flush()
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Changed."})
    assert response.status_code == 422
    db.session.refresh(comment)
    assert comment.body == "Original."


def test_chatham_house_hides_attribution_except_from_the_chair(
    client, auth, setting, db, make_user, add_member
):
    room, chair, member, _reader = setting
    other = make_user(name="Other Delegate")
    add_member(room, other, RoomRole.MEMBER)
    issue(client, auth, room, chair, is_chatham_house="y")
    paper = the_paper(db)
    auth.login(member)
    paragraph = by_number(db, paper, 1)
    comment_on(client, paper, paragraph, body="Unattributed view.")
    auth.logout()
    auth.login(other)
    thread = client.get(f"/papers/{paper.id}/p/{paragraph.key}", headers=HX).get_data(as_text=True)
    assert "Unattributed view." in thread
    assert "Jonas Member" not in thread and "Germany" not in thread
    auth.logout()
    auth.login(chair)
    thread = client.get(f"/papers/{paper.id}/p/{paragraph.key}", headers=HX).get_data(as_text=True)
    assert "Jonas Member" in thread
    compilation = client.get(f"/papers/{paper.id}/compilation.md").get_data(as_text=True)
    assert "Unattributed view." in compilation and "Germany" not in compilation


def test_compilation_docx_lists_the_comment_under_its_paragraph(client, auth, setting, db):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(member)
    comment_on(client, paper, by_number(db, paper, 3), body="Docx comment body.")
    auth.logout()
    auth.login(chair)
    rev1 = TEXT.replace("# Recommendations\n\n", "# Recommendations\n\nInserted first.\n\n")
    client.post(f"/papers/{paper.id}/revise", data={"source": rev1})
    response = client.get(f"/papers/{paper.id}/compilation.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    texts = [p.text for p in document.paragraphs]
    heading = texts.index("¶4")
    assert any("Docx comment body." in t for t in texts[heading:])
    csv_text = client.get(f"/papers/{paper.id}/compilation.csv").get_data(as_text=True)
    assert "Docx comment body." in csv_text and "Germany" in csv_text


def test_compilation_filters_and_taken_into_account(client, auth, setting, db):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(member)
    comment_on(client, paper, by_number(db, paper, 1), body="Plain remark.")
    comment_on(
        client, paper, by_number(db, paper, 2), body="With wording.", proposed_text="New wording."
    )
    auth.logout()
    auth.login(chair)
    page = client.get(f"/papers/{paper.id}/compilation?proposed=1", headers=HX).get_data(
        as_text=True
    )
    assert "With wording." in page and "Plain remark." not in page
    target = db.session.scalars(select(Comment).where(Comment.body == "Plain remark.")).one()
    client.post(f"/comments/{target.id}/taken", data={"value": "1", "back": "compilation"})
    page = client.get(f"/papers/{paper.id}/compilation?taken=1", headers=HX).get_data(as_text=True)
    assert "Plain remark." in page and "With wording." not in page
    by_delegation = client.get(
        f"/papers/{paper.id}/compilation?by=delegation", headers=HX
    ).get_data(as_text=True)
    assert "<h3>Germany</h3>" in by_delegation


def test_compare_shows_a_word_level_redline_with_both_numbers(client, auth, setting, db):
    room, chair, *_ = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(chair)
    rev1 = TEXT.replace("States should report annually.", "States should report every year.")
    client.post(f"/papers/{paper.id}/revise", data={"source": rev1})
    page = client.get(f"/papers/{paper.id}/compare?from=0&to=1").get_data(as_text=True)
    assert re.search(r"<del><span class=\"visually-hidden\">\[deleted: </span>annually<", page)
    assert re.search(r"<ins><span class=\"visually-hidden\">\[inserted: </span>every year<", page)
    assert "¶4" in page


def test_docx_upload_becomes_rev0(client, auth, setting, db):
    room, chair, *_ = setting
    document = docx.Document()
    document.add_heading("Draft decision", level=1)
    document.add_paragraph("The Conference decides to adopt the guide.")
    document.add_paragraph("It requests the Secretariat to publish it.")
    buffer = io.BytesIO()
    document.save(buffer)
    auth.login(chair)
    response = client.post(
        f"/rooms/{room.slug}/papers/new",
        data={
            "title": "Draft decision",
            "kind": "draft_decision",
            "issued_by": "President",
            "original_language": "en",
            "source": "",
            "document": (io.BytesIO(buffer.getvalue()), "decision.docx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:1000]
    paper = the_paper(db)
    assert [p.number for p in current(db, paper)] == [None, 1, 2]
    revision = db.session.scalars(select(Revision).where(Revision.paper_id == paper.id)).one()
    assert revision.origin == "decision.docx"


def test_malformed_docx_is_refused_and_nothing_stored(client, auth, setting, db):
    room, chair, *_ = setting
    auth.login(chair)
    response = client.post(
        f"/rooms/{room.slug}/papers/new",
        data={
            "title": "Broken",
            "kind": "working_paper",
            "issued_by": "Chair",
            "original_language": "en",
            "document": (io.BytesIO(b"not a zip"), "x.docx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "not a Word document" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Paper.id))) == 0


def test_duplicate_symbol_and_past_deadline_are_refused(client, auth, setting, db):
    room, chair, *_ = setting
    symbol = "ATT/CSP11.WGETI/2025/CHAIR/801/Conf.Rep"
    issue(client, auth, room, chair, symbol=symbol)
    auth.login(chair)
    response = client.post(
        f"/rooms/{room.slug}/papers/new",
        data={
            "title": "Again",
            "kind": "working_paper",
            "issued_by": "Chair",
            "original_language": "en",
            "source": "Text.",
            "symbol": symbol,
        },
    )
    assert response.status_code == 422 and "already has the symbol" in response.get_data(
        as_text=True
    )
    response = client.post(
        f"/rooms/{room.slug}/papers/new",
        data={
            "title": "Past",
            "kind": "working_paper",
            "issued_by": "Chair",
            "original_language": "en",
            "source": "Text.",
            "closes_at": "2001-01-01T10:00",
        },
    )
    assert response.status_code == 422 and "must be in the future" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Paper.id))) == 1


def test_revisions_are_immutable(db, setting):
    room, chair, *_ = setting
    paper = services.create_paper(
        room, chair, title="T", kind=PaperKind.WORKING_PAPER, issued_by="Chair", source="One."
    )
    services.open_for_comments(paper, chair)
    revision = services.current_revision(paper)
    revision.source = "Changed"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_outsider_gets_404_everywhere(
    client, auth, db, make_user, make_room, add_member, socket_client
):
    room = make_room(AccessLevel.MEMBERS)
    chair, outsider = make_user(), make_user()
    add_member(room, chair, RoomRole.CHAIR)
    paper = services.create_paper(
        room, chair, title="Closed", kind=PaperKind.WORKING_PAPER, issued_by="Chair", source="One."
    )
    services.open_for_comments(paper, chair)
    key = current(db, paper)[0].key
    paper_id = paper.id
    db.session.flush()
    auth.login(outsider)
    for url in (
        f"/papers/{paper_id}",
        f"/papers/{paper_id}/p/{key}",
        f"/papers/{paper_id}/rev/0.docx",
        f"/papers/{paper_id}/compilation.csv",
        f"/papers/{paper_id}/compare",
    ):
        assert client.get(url).status_code == 404, url
    sc = socket_client()
    assert sc.emit("watch_paper", {"paper": paper_id}, namespace="/live", callback=True) == {
        "ok": False
    }


def test_drafting_papers_are_seen_only_by_those_who_manage(client, auth, setting, db):
    room, chair, member, _reader = setting
    paper = services.create_paper(
        room, chair, title="Early", kind=PaperKind.WORKING_PAPER, issued_by="Chair", source="One."
    )
    services.open_for_comments(paper, chair)
    paper.status = PaperStatus.DRAFTING
    db.session.flush()
    auth.login(member)
    assert client.get(f"/papers/{paper.id}").status_code == 404
    assert f"/papers/{paper.id}" not in client.get(f"/rooms/{room.slug}").get_data(as_text=True)


def test_following_tells_of_revisions_and_replies(client, auth, setting, db):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    auth.login(member)
    client.post(f"/papers/{paper.id}/follow", data={"follow": "1"})
    comment_on(client, paper, by_number(db, paper, 1), body="Question?")
    auth.logout()
    auth.login(chair)
    question = db.session.scalars(select(Comment)).one()
    comment_on(
        client,
        paper,
        by_number(db, paper, 1),
        body="Answer.",
        parent_id=question.id,
        on_behalf_of=chair.delegation.name,
    )
    client.post(f"/papers/{paper.id}/revise", data={"source": TEXT + "\n\nOne more."})
    auth.logout()
    auth.login(member)
    texts = [
        n.text
        for n in db.session.scalars(select(Notification).where(Notification.user_id == member.id))
    ]
    assert any("replied to your comment" in t for t in texts)
    assert any("Rev.1 is out" in t for t in texts)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Rev.1 is out" in page
    client.post("/notifications/read")
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == member.id, Notification.read_at.is_(None)
            )
        )
        == 0
    )
    # By e-mail at once only the reply (the default for replies); the revision waits for the
    # daily digest.
    assert [m["To"] for m in mail.outbox] == [member.email]
    assert "replied to your comment" in mail.outbox[0]["Subject"]


def test_new_comment_is_signalled_live_to_viewers(client, auth, setting, db, app):
    room, chair, member, _reader = setting
    issue(client, auth, room, chair)
    paper = the_paper(db)
    paper_id, key = paper.id, by_number(db, paper, 1).key
    chair_email, member_email = chair.email, member.email
    from consult.extensions import socketio

    viewer = app.test_client()
    viewer.post("/sign-in", data={"email": chair_email, "password": "a-long-test-password"})
    sc = socketio.test_client(app, namespace="/live", flask_test_client=viewer)
    assert sc.emit("watch_paper", {"paper": paper_id}, namespace="/live", callback=True)["ok"]
    sc.get_received("/live")
    client.post("/sign-in", data={"email": member_email, "password": "a-long-test-password"})
    client.post(
        f"/papers/{paper_id}/p/{key}/comments",
        data={"body": "Live!", "revision": 0, "on_behalf_of": "Germany"},
    )
    events = [e for e in sc.get_received("/live") if e["name"] == "paper-changed"]
    assert events and events[-1]["args"][0]["key"] == key
    assert "Live!" not in str(events)  # signals carry no content
    # ... but the paragraph's comment count, so that pages with its thread closed need no GET.
    assert events[-1]["args"][0]["count"] == 1
    client.post(
        f"/papers/{paper_id}/p/{key}/comments",
        data={"body": "Again", "revision": 0, "on_behalf_of": "Germany"},
    )
    events = [e for e in sc.get_received("/live") if e["name"] == "paper-changed"]
    assert [e["args"][0]["count"] for e in events] == [2]
    sc.disconnect(namespace="/live")


def test_paper_page_query_count_does_not_grow_with_comments(
    client, auth, setting, db, count_queries
):
    room, chair, member, _reader = setting
    paper = services.create_paper(
        room,
        chair,
        title="Big",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="\n\n".join(f"Paragraph {i}." for i in range(40)),
    )
    services.open_for_comments(paper, chair)
    paragraphs = current(db, paper)
    auth.login(chair)

    def measure() -> int:
        with count_queries() as statements:
            assert client.get(f"/papers/{paper.id}").status_code == 200
        return len(statements)

    services.post_comment(
        paper, member, paragraph=paragraphs[0], body="one", on_behalf_of="Germany"
    )
    db.session.flush()
    small = measure()
    for i in range(200):
        services.post_comment(
            paper, member, paragraph=paragraphs[i % 40], body=f"c{i}", on_behalf_of="Germany"
        )
    db.session.flush()
    assert measure() == small


def test_a_300_paragraph_paper_with_5000_comments_renders_in_constant_queries(
    client, auth, setting, db, count_queries
):
    """The issue's scale: queries do not grow with the number of comments."""
    from sqlalchemy import insert

    room, chair, member, _reader = setting
    paper = services.create_paper(
        room,
        chair,
        title="Long guide",
        kind=PaperKind.VOLUNTARY_GUIDE,
        issued_by="Chair",
        source="\n\n".join(f"Paragraph {i} of the guide." for i in range(300)),
    )
    services.open_for_comments(paper, chair)
    paragraphs = [p for p in current(db, paper) if not p.is_heading]
    assert len(paragraphs) == 300
    auth.login(chair)

    def measure() -> int:
        with count_queries() as statements:
            response = client.get(f"/papers/{paper.id}")
            assert response.status_code == 200
        return len(statements)

    db.session.flush()
    measure()  # warm: the shared test session then holds the same objects both times
    empty = measure()
    now = utcnow()
    db.session.execute(
        insert(Comment),
        [
            {
                "paper_id": paper.id,
                "paragraph_key": paragraphs[i % 300].key,
                "made_on_id": paragraphs[i % 300].id,
                "depth": 0,
                "author_id": member.id,
                "delegation_id": member.delegation_id,
                "on_behalf_of": "Germany",
                "body": f"Comment {i}",
                "created_at": now,
            }
            for i in range(5000)
        ],
    )
    db.session.flush()
    full = measure()
    assert full == empty
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert page.count("17 comments") + page.count("16 comments") == 300
