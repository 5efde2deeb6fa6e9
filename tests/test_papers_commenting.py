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
    return services.create_paper(
        room,
        chair,
        title="Draft",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First paragraph.\n\nSecond paragraph.",
    )


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
