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


# ---- authors of earlier comments reply on their own threads ---------------------------------


@pytest.fixture
def former_author(db, make_user, make_room, add_member):
    """On an open paper of a transparent room (everyone sees it, members take part): the
    Philippines' delegate commented on ¶1 and Germany's chair replied; another member started
    a thread of their own; then the Philippines' membership ended."""
    room = make_room(AccessLevel.TRANSPARENT)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    former = make_user()
    ended = add_member(room, former, RoomRole.MEMBER)
    other = make_user()
    add_member(room, other, RoomRole.MEMBER)
    paper = _paper(room, chair)
    first = services.paragraphs_of(services.current_revision(paper))[0]

    def say(who, body, parent=None):
        return services.post_comment(
            paper,
            who,
            paragraph=first,
            body=body,
            on_behalf_of=who.delegation.name,
            parent=parent,
        )

    own = say(former, "Our concern.")
    answer = say(chair, "Noted.", parent=own)
    others = say(other, "Another thread.")
    ended.ended_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    forget_room_roles()
    return dict(
        room=room, chair=chair, former=former, other=other, paper=paper, first=first,
        own=own, answer=answer, others=others, membership=ended,
    )  # fmt: skip


def _reply(client, w, parent, body="We reply."):
    return _post(client, w["paper"], w["first"], w["former"], body=body, parent_id=str(parent.id))


def _switch(auth, user) -> None:
    """Sign out, then in as someone else (the test client keeps one `g` between requests)."""
    from flask import g

    auth.logout()
    g.pop("_login_user", None)
    auth.login(user)


def _reply_forms(page: str) -> set[str]:
    import re

    return set(re.findall(r'name="parent_id" value="(\d+)"', page))


def test_a_former_member_replies_on_their_own_thread(db, client, auth, former_author):
    w = former_author
    assert not can(Need.TAKE_PART, w["paper"], w["former"])
    assert can(Need.REPLY, w["own"], w["former"]) and can(Need.REPLY, w["answer"], w["former"])
    assert not can(Need.REPLY, w["others"], w["former"])
    auth.login(w["former"])
    page = client.get(f"/papers/{w['paper'].id}/p/{w['first'].key}").get_data(as_text=True)
    # Why no new comment, and that replying in their own threads is still open to them.
    assert "You are not a member of this room" in page
    assert "You can still reply in the threads you wrote in" in page
    # A reply form on each comment of their thread, none on the other thread's.
    assert _reply_forms(page) == {str(w["own"].id), str(w["answer"].id)}
    before = _stored(db)
    response = _reply(client, w, w["answer"], body="Thank you, Germany.")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert _stored(db) == before + 1
    assert "Thank you, Germany." in response.get_data(as_text=True)


def test_a_former_member_cannot_start_a_new_comment(db, client, auth, former_author):
    w = former_author
    auth.login(w["former"])
    before = _stored(db)
    response = _post(client, w["paper"], w["first"], w["former"], body="A new point.")
    assert response.status_code == 403
    assert _stored(db) == before
    page = client.get(f"/papers/{w['paper'].id}/p/{w['first'].key}").get_data(as_text=True)
    assert "Your comment on ¶1" not in page  # no top-level form


def test_no_reply_in_a_thread_they_never_wrote_in(db, client, auth, former_author):
    w = former_author
    auth.login(w["former"])
    before = _stored(db)
    assert _reply(client, w, w["others"]).status_code == 403
    assert _stored(db) == before


def test_an_observer_now_replies_on_their_own_thread(db, client, auth, former_author):
    w = former_author
    w["membership"].ended_at = None
    w["membership"].role = RoomRole.OBSERVER
    db.session.commit()
    forget_room_roles()
    assert comment_refusal(w["former"], w["paper"]).code == "observer"
    assert comment_refusal(w["former"], w["paper"]).may_reply
    auth.login(w["former"])
    assert _reply(client, w, w["own"]).status_code == 200


def test_the_chair_switches_it_off_and_on(db, client, auth, former_author):
    import re

    from sqlalchemy import func, select

    from consult.audit import AuditEvent

    w = former_author
    paper_url = f"/papers/{w['paper'].id}"
    auth.login(w["chair"])
    page = client.get(paper_url).get_data(as_text=True)
    assert "Replies from earlier authors" in page
    response = client.post(f"{paper_url}/authors-reply", data={"value": "0"})
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert not w["paper"].authors_may_reply
    kinds = select(func.count(AuditEvent.id)).where(AuditEvent.kind == "paper.authors_reply")
    assert db.session.scalar(kinds) == 1
    assert not can(Need.REPLY, w["own"], w["former"])
    assert can(Need.REPLY, w["own"], w["other"])  # members keep what they have
    # A delegate cannot switch it.
    _switch(auth, w["other"])
    assert client.post(f"{paper_url}/authors-reply", data={"value": "1"}).status_code == 403
    # The form is gone; a reply written before is refused next to its text, nothing stored.
    _switch(auth, w["former"])
    page = client.get(f"{paper_url}/p/{w['first'].key}").get_data(as_text=True)
    assert _reply_forms(page) == set()
    assert "You can still reply" not in page
    before = _stored(db)
    response = _reply(client, w, w["own"], body="Written before the switch.")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert re.search(r'id="lapsed-[^"]*">[^<]*switched off replies', text)
    assert "Written before the switch." in text
    assert _stored(db) == before
    # And on again.
    _switch(auth, w["chair"])
    client.post(f"{paper_url}/authors-reply", data={"value": "1"})
    db.session.expire_all()
    assert w["paper"].authors_may_reply and can(Need.REPLY, w["own"], w["former"])
    assert db.session.scalar(kinds) == 2


@pytest.mark.parametrize("how", ["deadline", "closed"])
def test_no_reply_once_the_paper_takes_no_comments(db, client, auth, former_author, how):
    w = former_author
    if how == "deadline":
        w["paper"].closes_at = utcnow() - timedelta(minutes=1)
        expected = "comment deadline has passed"
    else:
        w["paper"].status = PaperStatus.CLOSED
        expected = "not open for comments"
    db.session.commit()
    assert not can(Need.REPLY, w["own"], w["former"])
    assert comment_refusal(w["former"], w["paper"]).may_reply is False
    auth.login(w["former"])
    page = client.get(f"/papers/{w['paper'].id}/p/{w['first'].key}").get_data(as_text=True)
    assert _reply_forms(page) == set()
    before = _stored(db)
    response = _reply(client, w, w["own"], body="Too late?")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert expected in text and "Too late?" in text  # said, and the text handed back
    assert _stored(db) == before


def test_no_reply_for_whoever_no_longer_sees_the_paper(db, client, auth, former_author):
    w = former_author
    w["room"].access = AccessLevel.MEMBERS
    db.session.commit()
    assert not can(Need.VIEW, w["paper"], w["former"])
    assert not can(Need.REPLY, w["own"], w["former"])
    auth.login(w["former"])
    assert client.get(f"/papers/{w['paper'].id}/p/{w['first'].key}").status_code == 404
    before = _stored(db)
    assert _reply(client, w, w["own"]).status_code == 404
    assert _stored(db) == before


def test_a_withdrawn_comment_gives_no_right_to_reply(db, former_author):
    w = former_author
    services.delete_comment(w["own"], w["former"])
    db.session.flush()
    assert not can(Need.REPLY, w["answer"], w["former"])
    assert not comment_refusal(w["former"], w["paper"]).may_reply


def test_the_reply_notification_opens_a_page_to_reply_on(db, client, auth, former_author):
    from sqlalchemy import select

    from consult.notifications.models import Notification

    w = former_author
    notice = db.session.scalars(
        select(Notification).where(
            Notification.user_id == w["former"].id, Notification.kind == "paper.reply"
        )
    ).one()
    assert notice.link.endswith(f"#comment-{w['answer'].id}")
    auth.login(w["former"])
    page = client.get(notice.link.split("#")[0]).get_data(as_text=True)
    assert f'id="comment-{w["answer"].id}"' in page
    assert str(w["answer"].id) in _reply_forms(page)
