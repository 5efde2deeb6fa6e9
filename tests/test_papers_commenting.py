"""Who may comment, said plainly: the reason a page gives agrees with the policy."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from consult.accounts.models import DelegationStatus
from consult.extensions import db as _db
from consult.papers import services
from consult.papers.models import PaperKind, PaperStatus
from consult.papers.policy import comment_refusal
from consult.policy import Need, can
from consult.rooms.models import AccessLevel, JoinRequest, RoomRole
from consult.rooms.policy import forget_room_roles
from consult.timeutil import utcnow

pytestmark = pytest.mark.papers

ROLES = (None, RoomRole.OBSERVER, RoomRole.MEMBER, RoomRole.CHAIR, "former")
STATUSES = (
    DelegationStatus.STATE_PARTY,
    DelegationStatus.CIVIL_SOCIETY,
    DelegationStatus.SECRETARIAT,
)


def _paper(room, chair):
    paper = services.create_paper(
        room,
        chair,
        title="Draft",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First paragraph.\n\nSecond paragraph.",
    )
    services.open_for_comments(paper, chair)
    return paper


def test_the_reason_agrees_with_can_over_all_cases(db, make_user, make_room, add_member):
    """For every access level, role, kind of delegation, paper state, deadline and archive
    flag: no reason exactly when can(TAKE_PART) holds and the paper takes comments, and a
    reason always names a refusal the facts explain."""
    now = utcnow()
    seen_codes: set[str] = set()
    for access in AccessLevel:
        room = make_room(access)
        chair = make_user(status=DelegationStatus.STATE_PARTY)
        add_member(room, chair, RoomRole.CHAIR)
        paper = _paper(room, chair)
        people = []
        for role, status in itertools.product(ROLES, STATUSES):
            person = make_user(status=status)
            if role == "former":
                membership = add_member(room, person, RoomRole.MEMBER)
                membership.ended_at = now - timedelta(days=1)
            elif role is not None:
                add_member(room, person, role)
            people.append(person)
        db.session.flush()
        forget_room_roles()
        for archived, paper_status, deadline in itertools.product(
            (False, True), PaperStatus, (None, now - timedelta(hours=1), now + timedelta(hours=1))
        ):
            room.is_archived = archived
            paper.status = paper_status
            paper.closes_at = deadline
            db.session.flush()
            for person in people:
                refusal = comment_refusal(person, paper, now)
                may = can(Need.TAKE_PART, paper, person)
                takes = services.comments_closed_reason(paper, now) is None
                assert (refusal is None) == (may and takes), (access, paper_status, person)
                if refusal is None:
                    continue
                seen_codes.add(refusal.code)
                assert refusal.message
                if refusal.code in ("not_seen", "archived", "observer", "not_member"):
                    assert not may
                else:
                    assert may and not takes
                if refusal.code == "not_seen":
                    assert not can(Need.VIEW, paper, person)
                if refusal.code == "archived":
                    assert archived
                if refusal.code == "deadline":
                    assert paper_status is PaperStatus.OPEN and deadline < now
    assert seen_codes == {"not_seen", "archived", "observer", "not_member", "closed", "deadline"}


def test_a_pending_join_request_is_linked(db, make_user, make_room, add_member):
    room = make_room(AccessLevel.TRANSPARENT)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    paper = _paper(room, chair)
    outsider = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    refusal = comment_refusal(outsider, paper)
    assert refusal.code == "not_member" and refusal.join_request is None
    request = JoinRequest(room_id=room.id, user_id=outsider.id, message="")
    _db.session.add(request)
    _db.session.flush()
    assert comment_refusal(outsider, paper).join_request == request


def test_a_former_member_is_told_why_on_the_paragraph_page(
    db, client, auth, make_user, make_room, add_member
):
    room = make_room(AccessLevel.TRANSPARENT)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    paper = _paper(room, chair)
    former = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    membership = add_member(room, former, RoomRole.MEMBER)
    membership.ended_at = utcnow() - timedelta(days=1)
    key = services.paragraphs_of(services.current_revision(paper))[0].key
    db.session.commit()
    auth.login(former)
    page = client.get(f"/papers/{paper.id}/p/{key}").get_data(as_text=True)
    assert "You are not a member of this room" in page
    assert "Ask to join" in page and f"{room.slug}#take-part" in page
    assert 'name="body"' not in page


HX = {"HX-Request": "true"}


@pytest.fixture
def member_at_paper(db, client, auth, make_user, make_room, add_member):
    """A member signed in, on an open paper of two paragraphs."""
    room = make_room(AccessLevel.MEMBERS)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    member = make_user()
    add_member(room, member, RoomRole.MEMBER)
    paper = _paper(room, chair)
    first = services.paragraphs_of(services.current_revision(paper))[0]
    db.session.commit()
    auth.login(member)
    return paper, first, member


def _post(client, paper, paragraph, member, **data):
    form = {"body": "Our view.", "revision": 0, "on_behalf_of": member.delegation.name, **data}
    return client.post(f"/papers/{paper.id}/p/{paragraph.key}/comments", data=form, headers=HX)


def _stored(db) -> int:
    from sqlalchemy import func, select

    from consult.papers.models import Comment

    return db.session.scalar(select(func.count(Comment.id)))


def _error_of(page: str, field_id: str) -> str:
    import re

    match = re.search(rf'<p class="error" id="{field_id}-error"[^>]*>([^<]*)</p>', page)
    return match.group(1) if match else ""


def test_a_quote_spanning_two_paragraphs_is_refused_under_the_quote(db, client, member_at_paper):
    paper, first, member = member_at_paper
    before = _stored(db)
    page = _post(
        client, paper, first, member, quote="First paragraph.\n\nSecond paragraph."
    ).get_data(as_text=True)
    assert "not in paragraph 1" in _error_of(page, f"c-{first.key}-quote")
    assert not _error_of(page, f"c-{first.key}")  # not under the comment itself
    assert _stored(db) == before


def test_over_length_text_is_refused_with_its_length_under_its_field(db, client, member_at_paper):
    paper, first, member = member_at_paper
    before = _stored(db)
    page = _post(client, paper, first, member, quote="x" * 2345).get_data(as_text=True)
    message = _error_of(page, f"c-{first.key}-quote")
    assert "2,345 characters long" in message and "2,000" in message
    page = _post(client, paper, first, member, body="y" * 20_001).get_data(as_text=True)
    assert "20,001 characters long" in _error_of(page, f"c-{first.key}")
    assert "y" * 20_001 in page  # the text is kept to correct, never cut
    page = _post(client, paper, first, member, proposed_text="z" * 20_005).get_data(as_text=True)
    assert "20,005 characters long" in _error_of(page, f"c-{first.key}-proposed")
    assert _stored(db) == before
    assert 'maxlength="2000"' not in page and 'maxlength="20000"' not in page
