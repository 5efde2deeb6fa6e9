"""The dashboard's "waiting for you": the domains' lines, through the policy, above the rooms."""

from __future__ import annotations

import pytest

from consult import waiting
from consult.extensions import db as _db
from consult.papers import services as papers
from consult.papers.models import PaperKind, PaperStatus
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow

pytestmark = pytest.mark.exchange


def _reply_to(author, replier, room):
    paper = papers.create_paper(
        room,
        replier,
        title="Draft guide",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="1. First paragraph.\n\n2. Second paragraph.",
    )
    papers.open_for_comments(paper, replier)
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    first = papers.post_comment(
        paper,
        author,
        paragraph=paragraph,
        body="Our remark.",
        on_behalf_of=author.delegation.name,
    )
    papers.post_comment(
        paper,
        replier,
        paragraph=paragraph,
        body="Our answer.",
        on_behalf_of=replier.delegation.name,
        parent=first,
    )
    _db.session.commit()
    return paper


def test_an_unread_reply_waits_until_read_or_no_longer_visible(
    client, auth, make_user, make_room, add_member
):
    author, chair = make_user(), make_user()
    room = make_room(AccessLevel.MEMBERS)
    add_member(room, author.delegation)
    add_member(room, chair, RoomRole.CHAIR)
    paper = _reply_to(author, chair, room)
    auth.login(author)
    page = client.get("/").get_data(as_text=True)
    assert "Waiting for you" in page and "Reply to you" in page
    assert page.index("Waiting for you") < page.index("Since your last visit")

    paper.status = PaperStatus.DRAFTING  # back to drafting: the author no longer sees it
    _db.session.commit()
    assert "Reply to you" not in client.get("/").get_data(as_text=True)

    paper.status = PaperStatus.OPEN
    _db.session.commit()
    client.post("/notifications/read")
    assert "Reply to you" not in client.get("/").get_data(as_text=True)


def test_nothing_waiting_shows_no_section(client, auth, make_user):
    auth.login(make_user())
    assert "Waiting for you" not in client.get("/").get_data(as_text=True)


def test_deadlines_come_first_soonest_first_then_the_newest(app):
    now = utcnow()
    from datetime import timedelta

    lines = [
        waiting.Waiting("a", "old", "/a", since=now - timedelta(days=2)),
        waiting.Waiting("b", "late deadline", "/b", due=now + timedelta(days=3)),
        waiting.Waiting("c", "new", "/c", since=now),
        waiting.Waiting("d", "soon deadline", "/d", due=now + timedelta(hours=5)),
    ]
    with app.test_request_context():
        saved = app.extensions.get("consult.waiting", [])
        app.extensions["consult.waiting"] = [lambda user: lines]
        try:
            titles = [w.title for w in waiting.for_person(None)]
        finally:
            app.extensions["consult.waiting"] = saved
    assert titles == ["soon deadline", "late deadline", "new", "old"]
