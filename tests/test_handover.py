"""Handover that leaves nothing behind, the confidential history grant, and My delegation."""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus, User
from consult.audit import AuditEvent
from consult.meetings import services as meetings
from consult.meetings.models import (
    FloorKind,
    ItemState,
    MeetingKind,
    MeetingMode,
    Presence,
)
from consult.papers import services as papers
from consult.papers.models import PaperFollow, PaperKind
from consult.rooms.models import AccessLevel, Membership, RoomRole
from consult.threads import services as threads
from consult.threads.models import Marking, Post, ThreadParticipant
from consult.timeutil import utcnow

pytestmark = pytest.mark.hardening


def kinds(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


def error_of(page: str, field_id: str) -> str:
    """The error message shown next to a field (the field macro's id-error paragraph)."""
    match = re.search(rf'id="{field_id}-error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


def enter(client, auth, user):
    """Signed in with a fresh second factor, as confidential rooms ask."""
    auth.login_quickly(user)
    with client.session_transaction() as session:
        session["second_factor_at"] = time.time()


def two_factor(**kw):
    return {"totp_enabled_at": utcnow(), "totp_secret": "A" * 32, **kw}


@pytest.fixture
def team(make_user, make_delegation):
    """A State Party delegation: a focal point, a departing delegate and their successor."""
    delegation = make_delegation(DelegationStatus.STATE_PARTY, name="Ruritania")
    return {
        "focal": make_user(delegation=delegation, name="Focal Point", is_focal_point=True),
        "departing": make_user(delegation=delegation, name="Departing Delegate", **two_factor()),
        "successor": make_user(delegation=delegation, name="Successor Delegate", **two_factor()),
    }


def hand_over(client, departing, successor, **extra):
    data = {"successor": successor.id if successor else 0, "confirm": "y", **extra}
    return client.post(f"/people/{departing.id}/handover", data=data)


# ---- refusals ------------------------------------------------------------------------------


def test_handover_to_an_invited_colleague_who_cannot_sign_in_is_refused(
    client, auth, team, make_user, make_room, add_member, db
):
    invited = make_user(delegation=team["focal"].delegation, name="Not Yet", password=None)
    room = make_room()
    add_member(room, team["departing"], RoomRole.CHAIR)
    auth.login(team["focal"])
    response = hand_over(client, team["departing"], invited)
    assert response.status_code == 422
    message = error_of(response.get_data(as_text=True), "successor")
    assert "has not accepted their invitation" in message and "Not Yet" in message
    db.session.refresh(team["departing"])
    assert team["departing"].is_active
    chairs = db.session.scalars(
        select(Membership.user_id).where(
            Membership.room_id == room.id, Membership.ended_at.is_(None)
        )
    ).all()
    assert chairs == [team["departing"].id]
    assert "account.handover" not in kinds(db)


@pytest.mark.parametrize("who", ["deactivated", "other_delegation", "themself"])
def test_handover_refusals_say_why_next_to_the_field(client, auth, team, make_user, db, who):
    if who == "deactivated":
        successor = make_user(delegation=team["focal"].delegation, name="Gone Colleague")
        successor.is_active = False
        expected = "deactivated; choose an active colleague"
    elif who == "other_delegation":
        successor = make_user(name="Foreign Delegate")
        expected = "same delegation"
    else:
        successor = team["departing"]
        expected = "someone other than the departing delegate"
    db.session.flush()
    auth.login(team["focal"])
    response = hand_over(client, team["departing"], successor)
    assert response.status_code == 422
    assert expected in error_of(response.get_data(as_text=True), "successor")
    db.session.refresh(team["departing"])
    assert team["departing"].is_active and team["departing"].successor_id is None


def test_handover_without_a_choice_or_confirmation_changes_nothing(client, auth, team, db):
    auth.login(team["focal"])
    response = hand_over(client, team["departing"], None)
    assert response.status_code == 422
    assert "Choose a colleague" in error_of(response.get_data(as_text=True), "successor")
    response = client.post(
        f"/people/{team['departing'].id}/handover", data={"successor": team["successor"].id}
    )
    assert response.status_code == 422
    assert "Tick the box" in error_of(response.get_data(as_text=True), "confirm")
    db.session.refresh(team["departing"])
    assert team["departing"].is_active


# ---- every right moves ---------------------------------------------------------------------


@pytest.fixture
def holdings(db, team, make_user, make_room, add_member):
    """The departing delegate chairs a small group, is on a need-to-know list, follows a paper
    and has a floor request waiting in a meeting's speakers' list."""
    departing = team["departing"]
    small = make_room(title="Small group on stockpiles")
    add_member(small, departing, RoomRole.CHAIR)
    add_member(small, team["successor"], RoomRole.OBSERVER)
    forum = make_room(AccessLevel.CONFIDENTIAL, title="Forum")
    origin = make_user(name="Other State Delegate", **two_factor())
    for person in (origin, departing):
        add_member(forum, person, RoomRole.MEMBER)
    listed = threads.create_thread(
        forum,
        origin,
        title="Case A",
        marking=Marking.AMBER,
        body="First post.",
        audience=[departing],
    )
    paper = papers.create_paper(
        small,
        departing,
        title="Draft guide",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="One.\n\nTwo.",
    )
    papers.open_for_comments(paper, departing)
    papers.follow(paper, departing, True)
    meeting = meetings.create_meeting(
        small,
        departing,
        title="Session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=2),
        time_zone="Europe/Zurich",
    )
    item = meetings.add_item(meeting, departing, number=1, letter="", title="Opening")
    meetings.adopt_agenda(meeting, departing)
    meetings.set_item_state(item, departing, ItemState.CURRENT)
    floor = meetings.request_floor(
        item,
        departing,
        kind=FloorKind.STATEMENT,
        presence=Presence.REMOTE,
        on_behalf_of=departing.delegation.name,
    )
    db.session.flush()
    return {"small": small, "forum": forum, "thread": listed, "paper": paper, "floor": floor}


def test_the_handover_page_lists_everything_that_moves(client, auth, team, holdings):
    auth.login(team["focal"])
    page = client.get(f"/people/{team['departing'].id}/handover").get_data(as_text=True)
    for words in (
        "Small group on stockpiles: Chair",
        "need-to-know list of 1 confidential thread",
        "Follows 1 paper",
        "1 floor request in a speakers",
    ):
        assert words in page
    assert "Case A" not in page  # counts only: the focal point is not in the forum


def test_handover_moves_room_roles_lists_follows_and_floor_requests(
    client, auth, team, holdings, db
):
    departing, successor = team["departing"], team["successor"]
    auth.login(team["focal"])
    response = hand_over(client, departing, successor)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/delegations/{departing.delegation_id}/people")
    # Room roles: the successor chairs the small group (their observer seat was upgraded).
    roles = dict(
        db.session.execute(
            select(Membership.room_id, Membership.role).where(
                Membership.user_id == successor.id, Membership.ended_at.is_(None)
            )
        ).all()
    )
    assert roles == {holdings["small"].id: RoomRole.CHAIR, holdings["forum"].id: RoomRole.MEMBER}
    # Need-to-know list: the successor is on it, from the handover on.
    row = db.session.scalars(
        select(ThreadParticipant).where(
            ThreadParticipant.thread_id == holdings["thread"].id,
            ThreadParticipant.user_id == successor.id,
        )
    ).one()
    assert row.sees_from is not None
    # Paper follows: moved, none left with the departing account.
    followers = db.session.scalars(
        select(PaperFollow.user_id).where(PaperFollow.paper_id == holdings["paper"].id)
    ).all()
    assert followers == [successor.id]
    # Floor requests: still in the queue, in the successor's name.
    db.session.refresh(holdings["floor"])
    assert holdings["floor"].requested_by_id == successor.id
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "account.handover")
    ).one()
    assert event.details["moved"] == {
        "room_roles": 2,
        "need_to_know_lists": 1,
        "paper_follows": 1,
        "floor_requests": 1,
        "case_study_contacts": 0,
    }
    # The successor opens the need-to-know thread; the departing account is deactivated.
    enter(client, auth, successor)
    assert client.get(f"/threads/{holdings['thread'].id}").status_code == 200
    db.session.refresh(departing)
    assert not departing.is_active and departing.successor_id == successor.id


def test_the_message_after_a_handover_says_what_moved(client, auth, team, holdings):
    auth.login(team["focal"])
    page = client.post(
        f"/people/{team['departing'].id}/handover",
        data={"successor": team["successor"].id, "confirm": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "now belong to Successor Delegate" in page
    assert "Room roles: 2" in page and "Floor requests: 1" in page


def test_departing_delegate_hands_over_themself_and_is_signed_out(
    client, auth, team, make_room, add_member, db
):
    room = make_room()
    add_member(room, team["departing"], RoomRole.MEMBER)
    auth.login_quickly(team["departing"])
    response = hand_over(client, team["departing"], team["successor"])
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client.get("/").status_code == 302  # signed out
    db.session.refresh(team["departing"])
    assert not team["departing"].is_active


# ---- the confidential history ----------------------------------------------------------------


@pytest.fixture
def history(db, team, make_user, make_room, add_member):
    """Two threads the departing delegate read: one their delegation started, one another."""
    forum = make_room(AccessLevel.CONFIDENTIAL, title="Forum")
    other = make_user(name="Other State Delegate", **two_factor())
    for person in (team["departing"], other):
        add_member(forum, person, RoomRole.MEMBER)
    own = threads.create_thread(
        forum, team["departing"], title="Own case", marking=Marking.AMBER, body="OWN-EARLY"
    )
    foreign = threads.create_thread(
        forum, other, title="Their case", marking=Marking.AMBER, body="FOREIGN-EARLY"
    )
    for post in db.session.scalars(select(Post)):
        post.created_at = utcnow() - timedelta(days=3)
    own.created_at = foreign.created_at = utcnow() - timedelta(days=3)
    for membership in db.session.scalars(select(Membership).where(Membership.room_id == forum.id)):
        membership.started_at = utcnow() - timedelta(days=10)
    db.session.flush()
    return {"forum": forum, "own": own, "foreign": foreign}


def test_history_granted_in_the_handover_step(client, auth, team, history, db):
    auth.login(team["focal"])
    page = client.post(
        f"/people/{team['departing'].id}/handover",
        data={"successor": team["successor"].id, "confirm": "y", "grant_history": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "now sees the earlier history of 1 thread your delegation started" in page
    assert "1 thread started by another delegation still shows from the handover on" in page
    assert "thread.history_granted_on_handover" in kinds(db)
    enter(client, auth, team["successor"])
    assert "OWN-EARLY" in client.get(f"/threads/{history['own'].id}").get_data(as_text=True)
    theirs = client.get(f"/threads/{history['foreign'].id}")
    assert theirs.status_code == 200
    # Only its originating delegation may grant that history.
    assert "FOREIGN-EARLY" not in theirs.get_data(as_text=True)


def test_without_the_grant_the_successor_sees_from_the_handover_on(client, auth, team, history, db):
    auth.login(team["focal"])
    hand_over(client, team["departing"], team["successor"])
    assert "thread.history_granted_on_handover" not in kinds(db)
    enter(client, auth, team["successor"])
    page = client.get(f"/threads/{history['own'].id}")
    assert page.status_code == 200 and "OWN-EARLY" not in page.get_data(as_text=True)


def test_focal_point_grants_the_history_later_after_confirming(client, auth, team, history, db):
    auth.login(team["focal"])
    hand_over(client, team["departing"], team["successor"])
    url = f"/people/{team['departing'].id}/confidential-history"
    page = client.get(url).get_data(as_text=True)
    assert "1 thread your delegation started" in page and "1 thread started by another" in page
    assert "Own case" not in page  # counts only
    refused = client.post(url, data={})
    assert refused.status_code == 422
    assert "Tick the box" in error_of(refused.get_data(as_text=True), "confirm")
    assert "thread.history_granted_on_handover" not in kinds(db)
    done = client.post(url, data={"confirm": "y"}, follow_redirects=True)
    assert "now sees the earlier history of 1 thread" in done.get_data(as_text=True)
    enter(client, auth, team["successor"])
    assert "OWN-EARLY" in client.get(f"/threads/{history['own'].id}").get_data(as_text=True)


def test_the_secretariat_hands_over_but_cannot_grant_history(
    client, auth, team, history, make_user, db
):
    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    auth.login(secretariat)
    form = client.get(f"/people/{team['departing'].id}/handover").get_data(as_text=True)
    assert "grant_history" not in form
    hand_over(client, team["departing"], team["successor"], grant_history="y")
    assert "thread.history_granted_on_handover" not in kinds(db)
    assert client.get(f"/people/{team['departing'].id}/confidential-history").status_code == 403


# ---- My delegation -------------------------------------------------------------------------------


def test_my_delegation_lists_colleagues_rooms_and_the_handover(
    client, auth, team, make_room, add_member
):
    room = make_room(title="Working group on transparency")
    add_member(room, team["departing"], RoomRole.FACILITATOR)
    auth.login(team["focal"])
    dashboard = client.get("/").get_data(as_text=True)
    url = f"/delegations/{team['focal'].delegation_id}/people"
    assert url in dashboard  # "My delegation" in the navigation
    assert url in client.get("/profile").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "Working group on transparency: Facilitator" in page
    assert "Successor Delegate" in page
    assert f"/people/{team['departing'].id}/handover" in page


def test_my_delegation_is_for_focal_points_and_the_secretariat(
    client, auth, team, make_user, make_delegation
):
    url = f"/delegations/{team['focal'].delegation_id}/people"
    auth.login_quickly(team["successor"])
    assert url not in client.get("/").get_data(as_text=True)
    assert client.get(url).status_code == 403
    other_focal = make_user(is_focal_point=True)
    auth.login_quickly(other_focal)
    assert client.get(url).status_code == 403
    auth.login_quickly(make_user(status=DelegationStatus.SECRETARIAT))
    assert client.get(url).status_code == 200


def test_my_delegation_page_query_count_does_not_grow(
    client, auth, team, make_user, make_room, add_member, count_queries
):
    focal = team["focal"]
    url = f"/delegations/{focal.delegation_id}/people"
    auth.login(focal)
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    for n in range(6):
        colleague = make_user(delegation=focal.delegation)
        for _ in range(3):
            add_member(make_room(), colleague, RoomRole.MEMBER)
        if n % 2:
            colleague.is_active = False
    add_member(make_room(), focal.delegation, RoomRole.OBSERVER)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_deactivated_colleagues_show_their_successor_and_no_rooms(
    client, auth, team, make_room, add_member, db
):
    room = make_room(title="Room left behind")
    add_member(room, team["departing"], RoomRole.MEMBER)
    auth.login(team["focal"])
    hand_over(client, team["departing"], team["successor"])
    page = client.get(f"/delegations/{team['focal'].delegation_id}/people").get_data(as_text=True)
    assert "handed over to Successor Delegate" in page
    assert f"/people/{team['departing'].id}/confidential-history" in page
    assert db.session.scalar(select(func.count(User.id)).where(User.is_active.is_(False))) == 1


def test_the_secretariat_is_not_told_about_need_to_know_lists(
    client, auth, team, holdings, make_user
):
    auth.login(make_user(status=DelegationStatus.SECRETARIAT))
    form = client.get(f"/people/{team['departing'].id}/handover").get_data(as_text=True)
    assert "Small group on stockpiles: Chair" in form
    assert "need-to-know" not in form.lower()
    done = client.post(
        f"/people/{team['departing'].id}/handover",
        data={"successor": team["successor"].id, "confirm": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Room roles: 2" in done and "need-to-know" not in done.lower()
