"""The revision workflow: drafting first, opening for comments, the draft revision and its
preview, proposals taken into it, the summary and confirmation before an immutable revision."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.audit import AuditEvent
from consult.notifications.models import Notification
from consult.papers import services, workflow
from consult.papers.models import (
    Comment,
    Paper,
    PaperFollow,
    PaperKind,
    PaperStatus,
    Revision,
    RevisionDraft,
)
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, RoomActivity, RoomRole

pytestmark = pytest.mark.papers

HX = {"HX-Request": "true"}
TEXT = "# Scope\n\nStates assess every export.\n\nStates share their practice.\n\nA third one."


@pytest.fixture
def room(db, make_user, make_room, add_member, make_delegation):
    """An open room: a chair, a facilitator, a member who carries one paper, a member, and a
    signed-in outsider who is no member (an open room: sees what is not drafting)."""
    room = make_room(AccessLevel.OPEN)
    people = {name: make_user(name=name.title()) for name in ("chair", "fac", "carrier", "member")}
    people["outsider"] = make_user(name="Outsider")
    add_member(room, people["chair"], RoomRole.CHAIR)
    add_member(room, people["fac"], RoomRole.FACILITATOR)
    add_member(room, people["carrier"], RoomRole.MEMBER)
    add_member(room, people["member"], RoomRole.MEMBER)
    return room, people


def _paper(room, people, **kw) -> Paper:
    return services.create_paper(
        room,
        people["chair"],
        title="Guide",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source=TEXT,
        **kw,
    )


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*where))


# ---- drafting, then open -----------------------------------------------------------------------


def test_a_new_paper_is_drafting_and_seen_by_managers_and_its_facilitator_only(
    db, client, auth, room
):
    room, people = room
    paper = _paper(room, people, facilitator=people["carrier"])
    db.session.flush()
    assert paper.status is PaperStatus.DRAFTING
    for name, sees in (
        ("chair", True),
        ("fac", True),
        ("carrier", True),
        ("member", False),
        ("outsider", False),
    ):
        user = people[name]
        assert can(Need.VIEW, paper, user) is sees, name
        listed = db.session.scalars(select(Paper.id).where(visible(Paper, user))).all()
        assert (paper.id in listed) is sees, name
        auth.login(user)
        assert client.get(f"/papers/{paper.id}").status_code == (200 if sees else 404), name
        room_page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
        assert ("Guide" in room_page) is sees, name
        auth.logout()
    # The paper's facilitator writes its revisions but does not manage it.
    assert can(Need.REVISE, paper, people["carrier"])
    assert not can(Need.MANAGE, paper, people["carrier"])
    # Chairs, facilitators and the paper's facilitator follow it from the start.
    followers = set(
        db.session.scalars(select(PaperFollow.user_id).where(PaperFollow.paper_id == paper.id))
    )
    assert followers == {people["chair"].id, people["fac"].id, people["carrier"].id}


def test_the_new_paper_form_names_a_facilitator_among_the_members(db, client, auth, room):
    room, people = room
    auth.login(people["chair"])
    data = {
        "title": "Carried",
        "kind": "working_paper",
        "issued_by": "Chair",
        "original_language": "en",
        "source": TEXT,
        "facilitator": str(people["outsider"].id),
    }
    response = client.post(f"/rooms/{room.slug}/papers/new", data=data)
    assert response.status_code == 422
    assert "Choose the facilitator among the room&#39;s members." in response.get_data(as_text=True)
    assert _count(db, Paper) == 0
    data["facilitator"] = str(people["carrier"].id)
    response = client.post(f"/rooms/{room.slug}/papers/new", data=data)
    assert response.status_code == 303
    paper = db.session.scalars(select(Paper)).one()
    assert paper.facilitator_id == people["carrier"].id
    assert paper.status is PaperStatus.DRAFTING


def test_opening_asks_first_then_tells_the_room(db, client, auth, room):
    room, people = room
    paper = _paper(room, people)
    db.session.flush()
    auth.login(people["member"])
    assert client.post(f"/papers/{paper.id}/open").status_code == 404
    auth.logout()
    auth.login(people["fac"])
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert f"/papers/{paper.id}/open" in page and "In drafting" in page
    confirm = client.get(f"/papers/{paper.id}/open").get_data(as_text=True)
    assert "Open Guide for comments?" in confirm
    db.session.refresh(paper)
    assert paper.status is PaperStatus.DRAFTING  # asking changes nothing
    response = client.post(f"/papers/{paper.id}/open", data={"closes_at": "2001-01-01T10:00"})
    assert response.status_code == 422
    assert "must be in the future" in response.get_data(as_text=True)
    db.session.refresh(paper)
    assert paper.status is PaperStatus.DRAFTING
    response = client.post(f"/papers/{paper.id}/open", data={})
    assert response.status_code == 303
    db.session.refresh(paper)
    assert paper.status is PaperStatus.OPEN
    told = set(
        db.session.scalars(select(Notification.user_id).where(Notification.kind == "paper.opened"))
    )
    assert told == {people["chair"].id, people["carrier"].id, people["member"].id}
    assert _count(db, RoomActivity, RoomActivity.kind == "paper.opened") == 1
    assert _count(db, AuditEvent, AuditEvent.kind == "paper.opened") == 1
    # Opening twice is refused and tells nobody again.
    response = client.post(f"/papers/{paper.id}/open", data={})
    assert response.status_code == 422
    assert _count(db, Notification, Notification.kind == "paper.opened") == 3
    auth.logout()
    auth.login(people["outsider"])
    assert client.get(f"/papers/{paper.id}").status_code == 200


def test_chairs_hear_of_new_comments_delegates_who_follow_do_not(db, room):
    room, people = room
    paper = _paper(room, people, facilitator=people["carrier"])
    services.open_for_comments(paper, people["chair"])
    services.follow(paper, people["outsider"], True)
    paragraph = services.paragraphs_of(services.current_revision(paper))[1]
    services.post_comment(
        paper,
        people["member"],
        paragraph=paragraph,
        body="Agreed.",
        on_behalf_of=people["member"].delegation.name,
    )
    told = db.session.scalars(select(Notification).where(Notification.kind == "paper.comment"))
    by_user = {n.user_id: n.text for n in told}
    assert set(by_user) == {people["chair"].id, people["fac"].id, people["carrier"].id}
    assert all(people["member"].delegation.name in text for text in by_user.values())


# ---- the draft revision ------------------------------------------------------------------------


@pytest.fixture
def opened(db, room):
    room, people = room
    paper = _paper(room, people, facilitator=people["carrier"])
    services.open_for_comments(paper, people["chair"])
    db.session.flush()
    return paper, people


def _proposal(db, paper, author, number: int, text: str) -> Comment:
    paragraph = next(
        p for p in services.paragraphs_of(services.current_revision(paper)) if p.number == number
    )
    comment = services.post_comment(
        paper,
        author,
        paragraph=paragraph,
        body="Better wording.",
        on_behalf_of=author.delegation.name,
        proposed_text=text,
    )
    db.session.flush()
    return comment


def test_the_draft_is_kept_and_previewed_with_numbers(db, client, auth, opened):
    paper, people = opened
    auth.login(people["carrier"])
    page = client.get(f"/papers/{paper.id}/draft").get_data(as_text=True)
    assert "States assess every export." in page  # started from the current revision
    assert 'class="para-number"' in page
    source = "# Scope\n\nStates assess **every** export.\n\n<script>x</script>New one."
    response = client.post(f"/papers/{paper.id}/draft/preview", data={"source": source}, headers=HX)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert 'id="draft-preview"' in fragment and "<strong>every</strong>" in fragment
    assert "<script>" not in fragment  # the project's sanitised Markdown
    assert ">2.</span>" in fragment  # paragraph numbers in the margin
    draft = workflow.draft_of(paper)
    assert draft.source == source  # kept on the server as typed
    # Nobody else sees it: a member may not open the editor.
    auth.logout()
    auth.login(people["member"])
    assert client.get(f"/papers/{paper.id}/draft").status_code == 403


def test_a_draft_over_the_limit_is_refused_with_its_length(db, client, auth, opened, monkeypatch):
    paper, people = opened
    monkeypatch.setattr(workflow, "MAX_DRAFT_LENGTH", 50)
    auth.login(people["chair"])
    long = "x" * 60
    response = client.post(f"/papers/{paper.id}/draft/preview", data={"source": long}, headers=HX)
    assert response.status_code == 422
    assert "This is 60 characters long; at most 50 are accepted." in response.get_data(as_text=True)
    response = client.post(f"/papers/{paper.id}/draft", data={"source": long, "action": "save"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "This is 60 characters long" in body and long in body  # what was typed is kept
    assert _count(db, RevisionDraft) == 0


def test_taking_a_proposal_puts_it_in_the_draft_and_marks_the_comment(db, client, auth, opened):
    paper, people = opened
    comment = _proposal(db, paper, people["member"], 2, "States share their practice yearly.")
    auth.login(people["member"])
    assert client.post(f"/comments/{comment.id}/take").status_code == 403
    auth.logout()
    auth.login(people["carrier"])
    thread = client.get(f"/papers/{paper.id}/p/{comment.paragraph_key}", headers=HX).get_data(
        as_text=True
    )
    assert f"/comments/{comment.id}/take" in thread
    response = client.post(f"/comments/{comment.id}/take")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/papers/{paper.id}/draft")
    draft = workflow.draft_of(paper)
    assert "States share their practice yearly." in draft.source
    assert "States share their practice.\n" not in draft.source
    db.session.refresh(comment)
    assert comment.taken_into_account_at is not None
    # Review: one paragraph changed; then confirm: Rev.1, the draft gone.
    response = client.post(
        f"/papers/{paper.id}/draft", data={"source": draft.source, "action": "review"}
    )
    review = response.get_data(as_text=True)
    assert "0 paragraphs added" in review and "1 changed" in review and "0 removed" in review
    assert _count(db, Revision, Revision.paper_id == paper.id) == 1  # nothing issued yet
    response = client.post(
        f"/papers/{paper.id}/draft/issue", data={"version": draft.version, "note": "Taken"}
    )
    assert response.status_code == 303
    current = services.current_revision(paper)
    assert current.number == 1 and "practice yearly" in current.source
    assert workflow.draft_of(paper) is None
    compare = client.get(f"/papers/{paper.id}/compare").get_data(as_text=True)
    assert "<ins>yearly.</ins>" in compare or "yearly" in compare


def test_a_proposal_on_a_paragraph_no_longer_in_the_draft_stores_nothing(db, client, auth, opened):
    paper, people = opened
    comment = _proposal(db, paper, people["member"], 3, "A better third one.")
    workflow.save_draft(paper, people["chair"], "# Scope\n\nStates assess every export.")
    db.session.flush()
    before = workflow.draft_of(paper).source
    auth.login(people["chair"])
    response = client.post(f"/comments/{comment.id}/take", follow_redirects=True)
    assert "is no longer in the draft revision; nothing was changed" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert workflow.draft_of(paper).source == before
    assert db.session.get(Comment, comment.id).taken_into_account_at is None


def test_a_proposal_whose_paragraph_was_removed_from_the_revision_is_refused(db, opened):
    paper, people = opened
    comment = _proposal(db, paper, people["member"], 3, "A better third one.")
    services.revise(paper, people["chair"], "# Scope\n\nStates assess every export.")
    with pytest.raises(services.PaperError, match="no longer in Rev.1"):
        workflow.take_proposal(comment, people["chair"])
    assert workflow.draft_of(paper) is None


def test_an_identical_revision_is_refused(db, client, auth, opened):
    paper, people = opened
    auth.login(people["chair"])
    source = services.current_revision(paper).source
    review = client.post(
        f"/papers/{paper.id}/draft", data={"source": source, "action": "review"}
    ).get_data(as_text=True)
    assert "identical to Rev.0" in review
    draft = workflow.draft_of(paper)
    response = client.post(f"/papers/{paper.id}/draft/issue", data={"version": draft.version})
    assert response.status_code == 422
    assert "identical to Rev.0" in response.get_data(as_text=True)
    assert _count(db, Revision, Revision.paper_id == paper.id) == 1
    # The upload path refuses it too.
    response = client.post(f"/papers/{paper.id}/revise", data={"source": source})
    assert response.status_code == 422
    assert "identical to Rev.0" in response.get_data(as_text=True)


def test_a_draft_changed_after_review_is_not_issued(db, client, auth, opened):
    paper, people = opened
    draft = workflow.save_draft(paper, people["chair"], TEXT + "\n\nA fourth.")
    reviewed = draft.version
    workflow.save_draft(paper, people["fac"], TEXT + "\n\nA fourth, changed.")
    db.session.flush()
    auth.login(people["chair"])
    response = client.post(f"/papers/{paper.id}/draft/issue", data={"version": reviewed})
    assert response.status_code == 422
    assert "changed since you reviewed it" in response.get_data(as_text=True)
    assert _count(db, Revision, Revision.paper_id == paper.id) == 1


def test_the_summary_counts_added_changed_removed(db, opened):
    paper, _people = opened
    summary = workflow.summarise(
        paper, "# Scope\n\nStates assess each export.\n\nA third one.\n\nA new fourth."
    )
    assert (summary.added, summary.changed, summary.removed) == (1, 1, 1)
    assert not summary.identical
    kinds = {c.kind: (c.old_label, c.new_label) for c in summary.changes}
    assert kinds["changed"] == ("¶1", "¶1")
    assert kinds["removed"] == ("¶2", "")
    assert kinds["added"] == ("", "¶3")
