"""What notifies in the app (issue #14): meetings, rooms, join requests, @mentions, landing on
the thing itself (marked read), and the live badge."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import mentions
from consult.accounts.models import DelegationStatus
from consult.discussions import services as discussions
from consult.meetings import services as meetings
from consult.meetings.models import MeetingKind, MeetingMode
from consult.notifications import services as notifications
from consult.notifications.models import Notification
from consult.papers import services as papers
from consult.papers.models import PaperKind
from consult.rooms import services as rooms
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow

pytestmark = pytest.mark.reach


def _mine(user, kind=None):
    rows = notifications.recent(user)
    return [n for n in rows if kind is None or n.kind == kind]


@pytest.fixture
def place(db, make_user, make_room, add_member, make_delegation):
    """A members room with its chair and a member (Germany), an outsider, and its open paper."""
    room = make_room(AccessLevel.MEMBERS)
    chair = make_user(name="Clara Chair")
    add_member(room, chair, RoomRole.CHAIR)
    germany = make_user(
        name="Greta Weber",
        delegation=make_delegation(DelegationStatus.STATE_PARTY, name="Germany"),
    )
    add_member(room, germany, RoomRole.MEMBER)
    outsider = make_user(name="Olga Outside")
    paper = papers.create_paper(
        room,
        chair,
        title="Guide on transit",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First.\n\nSecond.",
    )
    papers.open_for_comments(paper, chair)
    db.session.flush()
    return room, chair, germany, outsider, paper


def _comment(paper, author, body, parent=None):
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    return papers.post_comment(
        paper,
        author,
        paragraph=paragraph,
        body=body,
        on_behalf_of=author.delegation.name,
        parent=parent,
    )


# ---- meetings and rooms -----------------------------------------------------------------------


def _meeting(room, actor, **kw):
    return meetings.create_meeting(
        room,
        actor,
        title=kw.get("title", "Second session"),
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow() + timedelta(days=3),
        ends_at=utcnow() + timedelta(days=3, hours=3),
        time_zone="Europe/Zurich",
        venue="Room XVIII",
    )


def test_a_meeting_scheduled_moved_and_its_agenda_adopted_reach_the_room(place, db):
    room, chair, germany, outsider, paper = place
    meeting = _meeting(room, chair)
    [scheduled] = _mine(germany, "meeting.scheduled")
    # When, in the meeting's zone, named by its city (the same for every recipient).
    assert "Second session" in scheduled.text and "(Zurich time)" in scheduled.text
    assert scheduled.link == f"/meetings/{meeting.id}"
    assert not _mine(chair, "meeting.scheduled")  # not the one who scheduled it
    assert not _mine(outsider)
    meetings.update_meeting(
        meeting, chair, venue="Room XIX", starts_at=meeting.starts_at, ends_at=meeting.ends_at
    )
    [moved] = _mine(germany, "meeting.moved")
    assert "Room XIX" in moved.text
    meetings.add_item(meeting, chair, number=1, letter="", title="Opening")
    meetings.adopt_agenda(meeting, chair)
    meetings.adopt_agenda(meeting, chair)  # adopted once: told once
    assert len(_mine(germany, "agenda.adopted")) == 1


def test_a_confidential_meeting_says_nothing_but_that(db, make_user, make_room, add_member):
    room = make_room(AccessLevel.CONFIDENTIAL)
    chair, member = make_user(), make_user()
    for user in (chair, member):
        user.totp_enabled_at, user.totp_secret = utcnow(), "A" * 32
    add_member(room, chair, RoomRole.CHAIR)
    add_member(room, member, RoomRole.MEMBER)
    _meeting(room, chair, title="Case of the missing rifles")
    [line] = _mine(member, "meeting.scheduled")
    assert "confidential meeting" in line.text
    assert "rifles" not in line.text and room.title not in line.text


def test_added_to_a_room_given_a_role_and_a_request_to_decide(place, db, make_user):
    room, chair, germany, outsider, paper = place
    rooms.add_member(room, RoomRole.MEMBER, chair, user=outsider)
    [added] = _mine(outsider, "room.added")
    assert room.title in added.text and added.link == f"/rooms/{room.slug}"
    rooms.add_member(room, RoomRole.FACILITATOR, chair, user=germany)
    [role] = _mine(germany, "room.role")
    assert "Facilitator" in role.text
    asking = make_user(name="Ana Asks")
    request_ = rooms.request_to_join(room, asking, "May I?")
    told = _mine(chair, "room.join_request")
    assert [n.link for n in told] == [f"/rooms/{room.slug}#join-request-{request_.id}"]
    assert "Ana Asks" in told[0].text
    assert not _mine(outsider, "room.join_request")  # a member, not a manager


# ---- mentions ---------------------------------------------------------------------------------


def test_a_mention_resolves_only_to_people_who_may_see_the_place(place, db):
    room, chair, germany, outsider, paper = place
    comment = _comment(paper, chair, "Thanks @[Greta Weber], and @[Olga Outside]: see ¶2.")
    db.session.flush()
    html = str(comment.body_html)
    assert '<span class="mention">@Greta Weber</span>' in html
    assert '<span class="mention">' not in html.replace(
        '<span class="mention">@Greta Weber</span>', ""
    )
    assert "@[Olga Outside]" in html  # not a mention: she may not see the paper
    [told] = _mine(germany, "mention")
    assert told.link.endswith(f"#comment-{comment.id}")
    assert "Clara" not in told.text  # the delegation speaks, not the person
    assert not db.session.scalars(
        select(Notification).where(Notification.user_id == outsider.id)
    ).all()


def test_a_mention_notifies_once_not_on_every_edit(place, db):
    room, chair, germany, outsider, paper = place
    comment = _comment(paper, chair, "Over to @[greta weber].")
    db.session.flush()
    papers.edit_comment(comment, chair, "Over to @[Greta Weber], again.", None)
    db.session.flush()
    assert len(_mine(germany, "mention")) == 1
    assert '<span class="mention">@Greta Weber</span>' in str(comment.body_html)


def test_a_mention_cannot_be_forged_or_slip_into_code_and_links(place, db):
    room, chair, germany, outsider, paper = place
    comment = _comment(
        paper,
        chair,
        '<span class="mention">@Nobody</span> `@[Greta Weber]` [@[Greta Weber]](https://x.org)',
    )
    db.session.flush()
    html = str(comment.body_html)
    assert "mention" not in html  # the reader's span is gone; code and links stay literal
    assert not _mine(germany, "mention")  # told only where she is shown as mentioned


def test_a_mention_in_a_discussion_post_and_its_reply(place, db):
    room, chair, germany, outsider, paper = place
    topic = discussions.start_topic(room, chair, "Transit", "What does @[Greta Weber] think?")
    [told] = _mine(germany, "mention")
    assert told.link.startswith(f"/discussions/{topic.id}") or str(topic.id) in told.link
    post = discussions.post_reply(topic, germany, "I agree with @[Clara Chair].")
    db.session.flush()
    assert '<span class="mention">@Clara Chair</span>' in str(post.body_html)
    assert len(_mine(chair, "mention")) == 1


def test_suggestions_offer_only_people_who_may_see_the_place(place, client, auth, db):
    room, chair, germany, outsider, paper = place
    auth.login(chair)
    got = client.get(f"/mentions?place=paper:{paper.id}&q=gr").get_json()
    assert [p["name"] for p in got["people"]] == ["Greta Weber"]
    assert client.get(f"/mentions?place=paper:{paper.id}&q=ol").get_json() == {"people": []}
    assert client.get(f"/mentions?place=paper:{paper.id}&q=").get_json() == {"people": []}
    auth.logout()
    auth.login(outsider)
    assert client.get(f"/mentions?place=paper:{paper.id}&q=gr").status_code == 404
    assert client.get("/mentions?place=nothing:1&q=gr").status_code == 404
    assert client.get("/mentions?place=paper:99999999999999999999&q=gr").status_code == 404


def test_suggestions_stop_at_ten(place, client, auth, db, make_user, add_member):
    room, chair, germany, outsider, paper = place
    for n in range(14):
        add_member(room, make_user(name=f"Gabriel {n:02d}"))
    auth.login(chair)
    got = client.get(f"/mentions?place=paper:{paper.id}&q=Ga").get_json()
    assert len(got["people"]) == mentions.LIMIT


# ---- landing and the badge --------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_lands_on_the_reply(place, client, auth, db):
    room, chair, germany, outsider, paper = place
    comment = _comment(paper, germany, "Hm.")
    reply = _comment(paper, chair, "Agreed.", parent=comment)
    db.session.flush()
    [note] = _mine(germany, "paper.reply")
    auth.login(germany)
    listing = client.get("/notifications/").get_data(as_text=True)
    assert f'href="/notifications/{note.id}/open"' in listing
    response = client.get(f"/notifications/{note.id}/open")
    assert response.status_code == 303
    target = response.headers["Location"]
    assert target.endswith(f"#comment-{reply.id}")
    assert db.session.get(Notification, note.id).read_at is not None
    page = client.get(target.split("#")[0]).get_data(as_text=True)
    assert f'id="comment-{reply.id}"' in page
    auth.logout()
    auth.login(chair)  # somebody else's notification: nothing to see
    assert client.get(f"/notifications/{note.id}/open").status_code == 404
    assert client.get("/notifications/99999/open").status_code == 404


def test_the_badge_fragment_counts_and_announces(place, client, auth, db):
    room, chair, germany, outsider, paper = place
    notifications.mark_all_read(germany)  # the paper's opening
    auth.login(germany)
    html = client.get("/notifications/badge", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="notification-badge"' in html and "No unread notifications" in html
    comment = _comment(paper, germany, "Hm.")
    _comment(paper, chair, "Agreed.", parent=comment)
    db.session.flush()
    html = client.get("/notifications/badge", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(r'<span class="badge new" aria-hidden="true">1</span>', html)
    assert 'hx-swap-oob="innerHTML"' in html and "1 unread notification" in html
    page = client.get("/").get_data(as_text=True)  # the header holds the badge and the region
    assert 'hx-trigger="notifications-changed from:body"' in page
    assert 'id="notification-announce"' in page and 'role="status"' in page


def test_a_cancelled_meeting_is_kept_marked_and_its_calendar_says_so(place, client, auth, db):
    from consult.errors import ServiceError

    room, chair, germany, outsider, paper = place
    meeting = _meeting(room, chair)
    before = meeting.schedule_sequence
    meetings.cancel_meeting(meeting, chair)
    [told] = _mine(germany, "meeting.cancelled")
    assert "Second session" in told.text and told.link == f"/meetings/{meeting.id}"
    assert meeting.schedule_sequence == before + 1
    with pytest.raises(ServiceError):
        meetings.cancel_meeting(meeting, chair)
    db.session.commit()
    auth.login(germany)
    assert "This meeting is cancelled." in client.get(f"/meetings/{meeting.id}").get_data(
        as_text=True
    )
    assert "STATUS:CANCELLED" in client.get(f"/meetings/{meeting.id}.ics").get_data(as_text=True)


def test_confidential_rooms_are_not_named_in_the_lines(db, make_user, make_room, add_member):
    room = make_room(AccessLevel.CONFIDENTIAL)
    chair, member = make_user(), make_user(name="Kim Member")
    for user in (chair, member):
        user.totp_enabled_at, user.totp_secret = utcnow(), "A" * 32
    add_member(room, chair, RoomRole.CHAIR)
    rooms.add_member(room, RoomRole.MEMBER, chair, user=member)
    rooms.request_to_join(room, make_user(status=DelegationStatus.STATE_PARTY), "Please.")
    paper = papers.create_paper(
        room,
        chair,
        title="Case notes on a seizure",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First.\n\nSecond.",
    )
    papers.open_for_comments(paper, chair)
    _comment(paper, chair, "Over to @[Kim Member].")
    lines = [n.text for n in _mine(member) + _mine(chair)]
    assert {n.kind for n in _mine(member)} >= {"room.added", "mention"}
    assert any("join" in line for line in lines)
    for line in lines:
        if "seizure" in line:  # the paper's own opening line is made by its domain
            continue
        assert room.title not in line, line


def test_a_new_comment_lands_the_chair_on_it_in_its_open_thread(place, db):
    room, chair, germany, outsider, paper = place
    comment = _comment(paper, germany, "A point.")
    [told] = _mine(chair, "paper.comment")
    assert told.link.endswith(f"#comment-{comment.id}") and "/p/" in told.link
