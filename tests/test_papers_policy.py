"""Papers in the one policy: the author's rule, the protection chain, SQL lists, the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.papers import services
from consult.papers.models import Comment, Paper, PaperKind, PaperStatus
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, RoomRole

HX = {"HX-Request": "true"}


@pytest.fixture
def town(db, make_user, make_room, add_member, make_delegation, request):
    """A room of the given access with a chair, two member delegates, a reader and an outsider
    of another room; a paper with a comment by the first member, and a drafting paper."""
    room = make_room(getattr(request, "param", AccessLevel.TRANSPARENT))
    people = {
        "chair": make_user(status=DelegationStatus.STATE_PARTY),
        "author": make_user(status=DelegationStatus.STATE_PARTY),
        "member": make_user(status=DelegationStatus.STATE_PARTY),
        "reader": make_user(status=DelegationStatus.CIVIL_SOCIETY),
        "state": make_user(status=DelegationStatus.STATE_PARTY),
        "secretariat": make_user(status=DelegationStatus.SECRETARIAT),
    }
    add_member(room, people["chair"], RoomRole.CHAIR)
    add_member(room, people["author"], RoomRole.MEMBER)
    add_member(room, people["member"], RoomRole.MEMBER)
    db.session.flush()
    paper = _paper(room, people["chair"])
    paragraph = services.paragraphs_of(services.current_revision(paper))[0]
    comment = services.post_comment(
        paper,
        people["author"],
        paragraph=paragraph,
        body="Our view.",
        on_behalf_of=people["author"].delegation.name,
    )
    drafting = _paper(room, people["chair"], title="Early")
    services.post_comment(
        drafting,
        people["chair"],
        paragraph=services.paragraphs_of(services.current_revision(drafting))[0],
        body="A note to myself.",
        on_behalf_of=people["chair"].delegation.name,
    )
    drafting.status = PaperStatus.DRAFTING
    db.session.flush()
    return room, people, paper, paragraph, comment


def _paper(room, chair, title: str = "Draft") -> Paper:
    """A paper its chair has opened for comments (a paper starts in drafting)."""
    paper = services.create_paper(
        room,
        chair,
        title=title,
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First paragraph.\n\nSecond paragraph.",
    )
    services.open_for_comments(paper, chair)
    return paper


def _events(db, kind: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


# ---- the author's rule -------------------------------------------------------------------------


def test_only_the_author_has_the_authors_powers(town):
    room, people, paper, _paragraph, comment = town
    assert can(Need.AUTHOR, comment, people["author"])
    for role in ("chair", "member", "reader", "secretariat"):
        assert not can(Need.AUTHOR, comment, people[role]), role
    assert services.may_edit(comment, people["author"])
    assert not services.may_edit(comment, people["chair"])


def test_the_author_sees_edit_and_delete_and_nobody_else_does(client, auth, town):
    _room, people, paper, paragraph, comment = town
    url = f"/papers/{paper.id}/p/{paragraph.key}"
    delete = f"/comments/{comment.id}/delete"
    for role, shown in (("author", True), ("member", False), ("chair", False)):
        auth.login(people[role])
        thread = client.get(url, headers=HX).get_data(as_text=True)
        assert (delete in thread) is shown, role
        assert (f"/comments/{comment.id}/edit" in thread) is shown, role
        auth.logout()


def test_an_author_no_longer_taking_part_may_withdraw_but_not_edit(client, auth, db, town):
    room, people, _paper, _paragraph, comment = town
    room.is_archived = True
    db.session.flush()
    assert not services.may_edit(comment, people["author"])
    auth.login(people["author"])
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    response = client.post(f"/comments/{comment.id}/delete")
    assert response.status_code in (302, 303)
    db.session.refresh(comment)
    assert comment.deleted_at is not None


def test_withdrawing_twice_is_refused_and_stores_nothing(client, auth, db, town):
    _room, people, _paper, _paragraph, comment = town
    auth.login(people["author"])
    client.post(f"/comments/{comment.id}/delete")
    before = _events(db, "paper.comment_deleted")
    response = client.post(f"/comments/{comment.id}/delete")
    assert response.status_code == 422
    assert "Only its author" in response.get_data(as_text=True)
    assert _events(db, "paper.comment_deleted") == before


# ---- the protection chain and lists in SQL -----------------------------------------------------


@pytest.mark.parametrize("town", list(AccessLevel), indirect=True)
def test_visible_papers_and_comments_are_exactly_what_can_view_allows(db, town):
    _room, people, *_ = town
    for model in (Paper, Comment):
        everything = db.session.scalars(select(model)).all()
        for role, user in people.items():
            allowed = {o.id for o in everything if can(Need.VIEW, o, user)}
            selected = set(db.session.scalars(select(model.id).where(visible(model, user))))
            assert selected == allowed, (model.__name__, role)


@pytest.mark.parametrize("town", [AccessLevel.MEMBERS], indirect=True)
def test_what_one_may_not_see_the_room_of_one_may_not_see(db, town):
    """The parent decides: a state outside a members-only room sees none of its papers,
    whatever the paper's own rule would say."""
    _room, people, paper, _paragraph, comment = town
    outsider = people["state"]
    for need in Need:
        assert not can(need, paper, outsider), need
        assert not can(need, comment, outsider), need
    assert db.session.scalars(select(Paper.id).where(visible(Paper, outsider))).all() == []


def test_the_room_pages_papers_stay_constant_in_queries(client, auth, db, town, count_queries):
    room, people, *_ = town

    def measure() -> int:
        with count_queries() as statements:
            page = client.get(f"/rooms/{room.slug}")
            assert page.status_code == 200
        return len(statements)

    auth.login(people["member"])
    measure()  # warm
    small = measure()
    for n in range(10):
        paper = _paper(room, people["chair"], title=f"Paper {n}")
        if n % 3 == 0:
            paper.status = PaperStatus.DRAFTING
    db.session.flush()
    assert measure() == small
    page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "Paper 1" in page and "Paper 3" not in page  # drafting: only for those who manage


# ---- the audit log -----------------------------------------------------------------------------


def test_a_status_change_is_in_the_audit_log(client, auth, db, town):
    room, people, paper, *_ = town
    auth.login(people["chair"])
    response = client.post(f"/papers/{paper.id}/status", data={"status": "withdrawn"})
    assert response.status_code in (302, 303)
    (event,) = _events(db, "paper.status")
    assert event.actor_id == people["chair"].id and event.room_id == room.id
    assert event.details["paper_id"] == paper.id
    assert "open -> withdrawn" in event.summary
    # A refused change (a deadline in the past) leaves no line.
    client.post(
        f"/papers/{paper.id}/status", data={"status": "open", "closes_at": "2001-01-01T10:00"}
    )
    assert len(_events(db, "paper.status")) == 1


def test_issuing_a_revision_is_in_the_audit_log(client, auth, db, town):
    room, people, paper, *_ = town
    auth.login(people["chair"])
    response = client.post(f"/papers/{paper.id}/revise", data={"source": "# Only a heading"})
    assert response.status_code == 422
    assert "no paragraph to comment on" in response.get_data(as_text=True)
    assert _events(db, "paper.revised") == []
    response = client.post(
        f"/papers/{paper.id}/revise", data={"source": "First paragraph.\n\nA new one."}
    )
    assert response.status_code in (302, 303)
    (event,) = _events(db, "paper.revised")
    assert event.actor_id == people["chair"].id and event.room_id == room.id
    assert event.details["paper_id"] == paper.id and "Rev.1" in event.summary


def test_hiding_and_showing_again_are_in_the_audit_log(client, auth, db, town):
    room, people, _paper, _paragraph, comment = town
    auth.login(people["chair"])
    response = client.post(f"/comments/{comment.id}/hide", data={"reason": ""}, headers=HX)
    assert response.status_code == 422
    assert _events(db, "paper.comment_hidden") == []
    response = client.post(f"/comments/{comment.id}/hide", data={"reason": "Off topic"}, headers=HX)
    assert "Hidden by the chair: Off topic" in response.get_data(as_text=True)
    (hidden,) = _events(db, "paper.comment_hidden")
    assert hidden.details["comment_id"] == comment.id and hidden.room_id == room.id
    response = client.post(f"/comments/{comment.id}/unhide", headers=HX)
    assert response.status_code == 200
    assert "Hidden by the chair" not in response.get_data(as_text=True)
    db.session.refresh(comment)
    assert comment.hidden_at is None and comment.hidden_reason is None
    (shown,) = _events(db, "paper.comment_unhidden")
    assert shown.actor_id == people["chair"].id and shown.details["comment_id"] == comment.id
    assert "Off topic" in shown.summary
    # Showing a comment that is not hidden is refused and leaves no line.
    assert client.post(f"/comments/{comment.id}/unhide").status_code == 422
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.kind == "paper.comment_unhidden")
        )
        == 1
    )


def test_only_those_who_manage_may_show_a_hidden_comment_again(client, auth, db, town):
    _room, people, _paper, _paragraph, comment = town
    services.hide_comment(comment, people["chair"], "Off topic")
    db.session.flush()
    auth.login(people["author"])
    assert client.post(f"/comments/{comment.id}/unhide").status_code == 403
    db.session.refresh(comment)
    assert comment.hidden_at is not None


# ---- refusals through the handler ----------------------------------------------------------------


def test_reattaching_to_no_paragraph_of_the_text_is_refused_and_stores_nothing(
    client, auth, db, town
):
    _room, people, paper, _paragraph, comment = town
    services.revise(paper, people["chair"], "# A heading\n\nSecond paragraph.")
    db.session.flush()
    heading, second = services.paragraphs_of(services.current_revision(paper))
    auth.login(people["chair"])
    for key in ("nothere", heading.key, ""):
        response = client.post(f"/comments/{comment.id}/reattach", data={"key": key})
        assert response.status_code == 422, key
        assert "Choose a paragraph of the current revision." in response.get_data(as_text=True)
    assert _events(db, "paper.comment_reattached") == []
    response = client.post(f"/comments/{comment.id}/reattach", data={"key": second.key})
    assert response.status_code in (302, 303)
    db.session.refresh(comment)
    assert comment.paragraph_key == second.key
    assert len(_events(db, "paper.comment_reattached")) == 1
