"""Discussions: topics in every room that is not confidential (issue #12, deliverable 1)."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult import mail
from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.discussions import services
from consult.discussions.models import (
    Topic,
    TopicAttachment,
    TopicPost,
    TopicPostEdit,
    TopicRead,
)
from consult.notifications.models import Notification
from consult.rooms.models import AccessLevel, RoomActivity, RoomRole
from consult.waiting import for_person

pytestmark = pytest.mark.exchange


@pytest.fixture
def setting(db, make_user, make_room, add_member):
    """A members room with a chair, two members and an observer."""
    room = make_room(AccessLevel.MEMBERS, title="Transit and trans-shipment")
    people = {
        "chair": make_user(),
        "member": make_user(),
        "other": make_user(),
        "observer": make_user(),
    }
    add_member(room, people["chair"], RoomRole.CHAIR)
    add_member(room, people["member"], RoomRole.MEMBER)
    add_member(room, people["other"], RoomRole.MEMBER)
    add_member(room, people["observer"], RoomRole.OBSERVER)
    return room, people


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def start(room, user, title="Brokering controls", body="How do you register brokers?", **kw):
    return services.start_topic(room, user, title, body, **kw)


# ---- starting and reading ---------------------------------------------------------------


def test_a_member_starts_a_topic_and_another_sees_it_unread_until_opened(client, auth, db, setting):
    room, people = setting
    auth.login(people["member"])
    response = client.post(
        f"/rooms/{room.slug}/discussions/new",
        data={"title": "Brokering controls", "body": "How do **you** register brokers?"},
    )
    assert response.status_code == 303
    topic = db.session.scalars(select(Topic)).one()
    assert response.headers["Location"].endswith(f"/discussions/{topic.id}")
    opening = db.session.scalars(select(TopicPost)).one()
    assert opening.is_opening and "<strong>you</strong>" in opening.body_html
    auth.logout()

    auth.login(people["other"])
    page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "Brokering controls" in page and "1 unread" in page
    topic_page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "<strong>you</strong>" in topic_page
    assert people["member"].delegation.name in topic_page  # the author's delegation
    page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "Brokering controls" in page and "unread" not in page
    # The room's recent activity names the new discussion.
    assert db.session.scalars(select(RoomActivity.summary)).all()[-1].endswith("Brokering controls")


def test_observers_read_but_do_not_post(client, auth, db, setting):
    room, people = setting
    topic = start(room, people["member"])
    db.session.flush()
    auth.login(people["observer"])
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "How do you register brokers?" in page
    assert "Post reply" not in page and "only those who take part" in page
    assert client.get(f"/rooms/{room.slug}/discussions/new").status_code == 403
    assert client.post(f"/discussions/{topic.id}/replies", data={"body": "Hi"}).status_code == 403
    assert count(db, TopicPost) == 1


def test_confidential_rooms_keep_their_threads(client, auth, db, make_room, make_user, add_member):
    room = make_room(AccessLevel.CONFIDENTIAL)
    member = make_user()
    add_member(room, member, RoomRole.CHAIR)
    with pytest.raises(services.DiscussionError):
        start(room, member)
    auth.login(member)
    assert client.get(f"/rooms/{room.slug}/discussions/new").status_code == 404
    assert client.get(f"/rooms/{room.slug}/discussions").status_code == 404


def test_replies_nest_two_levels_then_flatten_and_quote(client, auth, db, setting):
    room, people = setting
    member, other = people["member"], people["other"]
    topic = start(room, member)
    first = services.post_reply(topic, other, "Level zero")
    second = services.post_reply(topic, member, "Level one", parent=first)
    third = services.post_reply(topic, other, "Level two", parent=second)
    fourth = services.post_reply(topic, member, "Still two", parent=third, quote_of=first)
    assert [first.depth, second.depth, third.depth, fourth.depth] == [0, 1, 2, 2]
    assert fourth.parent_id == second.id and fourth.reply_to_id == third.id
    db.session.flush()
    ordered = [p.body for p in services.posts_of(topic)]
    assert ordered == [
        "How do you register brokers?",
        "Level zero",
        "Level one",
        "Level two",
        "Still two",
    ]
    auth.login(other)
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert 'class="quote"' in page and "wrote:" in page
    # Quoting through the page: ?quote= fills the form, the reply shows the quote.
    form = client.get(f"/discussions/{topic.id}?quote={second.id}").get_data(as_text=True)
    assert f'value="{second.id}"' in form and "Quoting the post of" in form
    response = client.post(
        f"/discussions/{topic.id}/replies", data={"body": "Agreed", "quote_of": str(second.id)}
    )
    assert response.status_code == 303
    assert (
        db.session.scalars(select(TopicPost).order_by(TopicPost.id.desc())).first().quote_of_id
        == second.id
    )
    # The quoted author hears of it.
    notes = db.session.scalars(select(Notification).where(Notification.user_id == member.id)).all()
    assert any("answered your post" in n.text for n in notes)


# ---- bad input: a message next to the field, nothing stored ------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "x"}, "Give the discussion a title."),
        ({"title": "T", "body": "  "}, "Write what you would like to discuss."),
        ({"title": "T" * 201, "body": "x"}, "This is 201 characters long; at most 200"),
        ({"title": "T", "body": "x" * 20_001}, "This is 20,001 characters long; at most 20,000"),
    ],
)
def test_bad_topics_are_refused_next_to_the_field(client, auth, db, setting, data, message):
    room, people = setting
    auth.login(people["member"])
    response = client.post(f"/rooms/{room.slug}/discussions/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'role="alert"' in page
    assert count(db, Topic) == 0 and count(db, TopicPost) == 0


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("tool.exe", 10, "Attach PDF, Word, Excel, CSV, text or image files only."),
        ("big.pdf", 2 * 1024 * 1024 + 1, "An attachment can be at most 2 MB."),
        ("empty.pdf", 0, "That attachment is empty."),
    ],
)
def test_refused_attachments_store_nothing(client, auth, db, app, setting, name, size, message):
    room, people = setting
    auth.login(people["member"])
    app.config["MAX_ATTACHMENT_BYTES"], old = 2 * 1024 * 1024, app.config["MAX_ATTACHMENT_BYTES"]
    try:
        response = client.post(
            f"/rooms/{room.slug}/discussions/new",
            data={"title": "T", "body": "B", "attachments": (io.BytesIO(b"x" * size), name)},
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_ATTACHMENT_BYTES"] = old
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'id="attachments-error"' in page
    assert count(db, Topic) == 0 and count(db, TopicAttachment) == 0


def test_attachments_are_served_as_downloads_to_those_who_see_the_topic(
    client, auth, db, setting, make_user
):
    room, people = setting
    auth.login(people["member"])
    response = client.post(
        f"/rooms/{room.slug}/discussions/new",
        data={
            "title": "Forms",
            "body": "Our form attached.",
            "attachments": [(io.BytesIO(b"%PDF-1.7"), "form.pdf"), (io.BytesIO(b"a,b"), "x.csv")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    attachment = db.session.scalars(select(TopicAttachment).order_by(TopicAttachment.id)).first()
    download = client.get(f"/discussion-attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.7"
    assert download.headers["Content-Disposition"] == "attachment"
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    auth.logout()
    auth.login(make_user())
    assert client.get(f"/discussion-attachments/{attachment.id}").status_code == 404


def test_reply_to_a_post_of_another_topic_is_refused(client, auth, db, setting):
    room, people = setting
    topic = start(room, people["member"])
    elsewhere = start(room, people["other"], title="Other")
    foreign = services.post_reply(elsewhere, people["other"], "there")
    db.session.flush()
    before = count(db, TopicPost)
    auth.login(people["member"])
    for field in ("parent", "quote_of"):
        response = client.post(
            f"/discussions/{topic.id}/replies", data={"body": "Hi", field: str(foreign.id)}
        )
        assert response.status_code == 422
        assert "only answer or quote a post of this discussion" in response.get_data(as_text=True)
    with pytest.raises(services.DiscussionError):
        services.post_reply(topic, people["member"], "Hi", parent=foreign)
    assert count(db, TopicPost) == before


def test_empty_and_oversized_replies_are_refused(client, auth, db, setting):
    room, people = setting
    topic = start(room, people["member"])
    db.session.flush()
    auth.login(people["other"])
    for body, message in (
        ("", "Write your reply before posting it."),
        ("y" * 20_001, "This is 20,001 characters long"),
    ):
        response = client.post(f"/discussions/{topic.id}/replies", data={"body": body})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert count(db, TopicPost) == 1


def test_closed_topics_take_no_posts_until_reopened(client, auth, db, setting):
    room, people = setting
    topic = start(room, people["member"])
    db.session.flush()
    auth.login(people["chair"])
    assert client.post(f"/discussions/{topic.id}/close").status_code == 303
    auth.logout()
    auth.login(people["other"])
    response = client.post(f"/discussions/{topic.id}/replies", data={"body": "Late"})
    assert response.status_code == 422
    assert "This discussion is closed" in response.get_data(as_text=True)
    assert count(db, TopicPost) == 1
    auth.logout()
    auth.login(people["chair"])
    assert client.post(f"/discussions/{topic.id}/reopen").status_code == 303
    auth.logout()
    auth.login(people["other"])
    assert client.post(f"/discussions/{topic.id}/replies", data={"body": "Now"}).status_code == 303
    kinds = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("discussion.%")))
    assert {"discussion.closed", "discussion.reopened"} <= set(kinds)


# ---- edits, hiding, pinning --------------------------------------------------------------


def test_edits_within_the_window_keep_a_visible_history(client, auth, db, setting, clock, app):
    room, people = setting
    topic = start(room, people["member"])
    post = services.post_reply(topic, people["member"], "First wording")
    db.session.flush()
    auth.login(people["member"])
    response = client.post(f"/discussion-posts/{post.id}/edit", data={"body": "Second wording"})
    assert response.status_code == 303
    assert post.body == "Second wording" and post.edited_at is not None
    auth.logout()
    auth.login(people["other"])
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "edited (1 earlier version)" in page
    history = client.get(f"/discussion-posts/{post.id}/history").get_data(as_text=True)
    assert "First wording" in history
    # Only the author edits; and only within the window.
    assert client.get(f"/discussion-posts/{post.id}/edit").status_code == 403
    auth.logout()
    auth.login(people["member"])
    clock.move(minutes=app.config["DISCUSSION_EDIT_MINUTES"] + 1)
    response = client.post(f"/discussion-posts/{post.id}/edit", data={"body": "Third"})
    assert response.status_code == 422
    assert "can be edited by its author for 30 minutes" in response.get_data(as_text=True)
    assert count(db, TopicPostEdit) == 1


def test_chairs_hide_with_an_audited_reason_and_can_show_again(client, auth, db, setting):
    room, people = setting
    topic = start(room, people["member"])
    post = services.post_reply(topic, people["other"], "Abusive words")
    db.session.flush()
    auth.login(people["member"])
    assert client.post(f"/discussion-posts/{post.id}/hide", data={"reason": "x"}).status_code == 403
    auth.logout()
    auth.login(people["chair"])
    response = client.post(f"/discussion-posts/{post.id}/hide", data={"reason": ""})
    assert response.status_code == 422
    assert "Give a reason for hiding the post." in response.get_data(as_text=True)
    assert post.hidden_at is None
    response = client.post(f"/discussion-posts/{post.id}/hide", data={"reason": "Insults"})
    assert response.status_code == 303
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "discussion.post_hidden")
    ).one()
    assert "Insults" in event.summary and event.actor_id == people["chair"].id
    auth.logout()
    auth.login(people["member"])
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "Abusive words" not in page and "Hidden by a chair: Insults" in page
    auth.logout()
    auth.login(people["chair"])
    assert client.post(f"/discussion-posts/{post.id}/unhide").status_code == 303
    assert post.hidden_at is None


def test_pinned_topics_first_then_newest_activity(client, auth, db, setting, clock):
    room, people = setting
    old = start(room, people["member"], title="Old")
    clock.move(minutes=1)
    new = start(room, people["member"], title="New")
    clock.move(minutes=1)
    assert [line.topic.title for line in services.topics_in_room(room, people["other"])] == [
        "New",
        "Old",
    ]
    services.post_reply(old, people["other"], "Revived")
    assert [t.topic.id for t in services.topics_in_room(room, people["other"])] == [old.id, new.id]
    auth.login(people["chair"])
    assert client.post(f"/discussions/{new.id}/pin", data={"pinned": "1"}).status_code == 303
    assert [t.topic.id for t in services.topics_in_room(room, people["other"])] == [new.id, old.id]


def test_the_room_list_takes_the_same_queries_whatever_the_topics(
    client, auth, db, setting, count_queries
):
    room, people = setting
    auth.login(people["other"])

    def measure() -> int:
        with count_queries() as statements:
            assert client.get(f"/rooms/{room.slug}/discussions").status_code == 200
        return len(statements)

    start(room, people["member"], title="T0")
    db.session.flush()
    small = measure()
    for i in range(30):
        topic = start(room, people["member"], title=f"T{i + 1}")
        services.post_reply(topic, people["chair"], "r")
    db.session.flush()
    assert measure() == small


# ---- Chatham House ----------------------------------------------------------------------


def test_chatham_house_topics_attribute_to_nobody_but_chairs_and_secretariat(
    client, auth, db, setting, make_user
):
    room, people = setting
    auth.login(people["member"])
    client.post(
        f"/rooms/{room.slug}/discussions/new",
        data={"title": "Chatham", "body": "B", "is_chatham_house": "y"},
    )
    assert count(db, Topic) == 0  # only a chair may set the rule
    auth.logout()
    topic = start(room, people["chair"], title="Frank talk", is_chatham_house=True)
    services.post_reply(topic, people["member"], "Our view")
    reply = services.post_reply(
        topic,
        people["other"],
        "Answer",
        parent=db.session.scalars(select(TopicPost).where(TopicPost.body == "Our view")).one(),
    )
    db.session.flush()
    assert reply.depth == 1
    names = [people[k].delegation.name for k in ("chair", "member", "other")]
    auth.login(people["other"])
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert all(name not in page for name in names) and "A participant" in page
    room_page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert names[0] not in room_page.split("Discussions", 1)[1].split("</section>", 1)[0]
    auth.logout()
    for who in (people["chair"], make_user(status=DelegationStatus.SECRETARIAT)):
        auth.login(who)
        page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
        assert all(name in page for name in names)
        auth.logout()
    note = db.session.scalars(
        select(Notification).where(Notification.user_id == people["member"].id)
    ).one()
    assert names[2] not in note.text and "Chatham House Rule" in note.text


# ---- moving -----------------------------------------------------------------------------


def test_moves_go_only_to_chaired_rooms_with_the_same_or_a_narrower_audience(
    client, auth, db, setting, make_room, make_user, add_member
):
    room, people = setting
    chair = people["chair"]
    topic = start(room, people["member"])
    wider = make_room(AccessLevel.STATES, title="Wider")
    narrower = make_room(AccessLevel.MEMBERS, title="Narrower")
    stranger_room = make_room(AccessLevel.MEMBERS, title="With a stranger")
    for r in (wider, narrower, stranger_room):
        add_member(r, chair, RoomRole.CHAIR)
    add_member(narrower, people["member"], RoomRole.MEMBER)
    add_member(stranger_room, make_user(), RoomRole.MEMBER)
    not_mine = make_room(AccessLevel.MEMBERS, title="Not chaired")
    add_member(not_mine, chair, RoomRole.MEMBER)
    db.session.flush()
    assert [r.title for r in services.move_targets(topic, chair)] == ["Narrower"]
    auth.login(chair)
    page = client.get(f"/discussions/{topic.id}/move").get_data(as_text=True)
    assert "Narrower" in page and "Wider" not in page
    for target, message in (
        (wider, "move it only to a room with the same audience or a narrower one"),
        (stranger_room, "move it only to a room with the same audience or a narrower one"),
        (not_mine, "only to a room you chair"),
    ):
        response = client.post(f"/discussions/{topic.id}/move", data={"room": str(target.id)})
        assert response.status_code == 422, target.title
        assert message in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Topic, topic.id).room_id == room.id
    response = client.post(f"/discussions/{topic.id}/move", data={"room": str(narrower.id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).room_id == narrower.id
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "discussion.moved")).one()


def test_a_move_tells_the_open_pages_of_the_topic_to_recheck(app, client, auth, db, setting):
    from consult.extensions import socketio

    room, people = setting
    topic = start(room, people["member"])
    target = type(room)(slug="narrow-target", title="Narrow", access=AccessLevel.MEMBERS)
    target.kind = room.kind
    db.session.add(target)
    db.session.flush()
    from consult.rooms.models import Membership

    db.session.add(Membership(room_id=target.id, user_id=people["chair"].id, role=RoomRole.CHAIR))
    db.session.flush()
    topic_id, target_id = topic.id, target.id
    auth.login_quickly(people["other"])
    chair = app.test_client()
    type(auth)(chair).login_quickly(people["chair"])
    db.session.commit()
    sc = socketio.test_client(app, namespace="/live", flask_test_client=client)
    try:
        assert sc.emit("watch_topic", {"topic": topic_id}, namespace="/live", callback=True)["ok"]
        response = chair.post(f"/discussions/{topic_id}/move", data={"room": str(target_id)})
        assert response.status_code == 303
        assert "access-changed" in {r["name"] for r in sc.get_received("/live")}
        assert (
            f"topic:{topic_id}" in sc.emit("recheck", {}, namespace="/live", callback=True)["left"]
        )
        assert client.get(f"/discussions/{topic_id}").status_code == 404
    finally:
        if sc.is_connected("/live"):
            sc.disconnect(namespace="/live")


def test_audience_rule(db, make_room, make_user, make_delegation, add_member):
    open_room, states = make_room(AccessLevel.OPEN), make_room(AccessLevel.STATES)
    members = make_room(AccessLevel.MEMBERS)
    ngo = make_delegation(DelegationStatus.CIVIL_SOCIETY)
    state = make_delegation(DelegationStatus.STATE_PARTY)
    assert services.audience_within(states, open_room)
    assert not services.audience_within(open_room, states)
    assert services.audience_within(members, states)  # nobody in it yet
    add_member(members, state)
    assert services.audience_within(members, states)  # a State sees a states room
    add_member(members, ngo)
    assert not services.audience_within(members, states)  # civil society does not
    add_member(states, ngo)
    assert services.audience_within(members, states)  # unless it is a member there
    assert not services.audience_within(make_room(AccessLevel.CONFIDENTIAL), open_room)


# ---- the dashboard ----------------------------------------------------------------------


def test_the_dashboard_lists_unread_posts_where_one_takes_part(client, auth, db, setting):
    room, people = setting
    topic = start(room, people["member"], title="Waiting topic")
    services.post_reply(topic, people["chair"], "one")
    services.post_reply(topic, people["chair"], "two")
    db.session.flush()
    lines = [w for w in for_person(people["other"]) if w.kind == "Unread posts"]
    assert [(w.title, w.count) for w in lines] == [("Waiting topic", 3)]
    assert not [w for w in for_person(people["observer"]) if w.kind == "Unread posts"]
    assert [w.count for w in for_person(people["member"]) if w.kind == "Unread posts"] == [2]
    auth.login(people["other"])
    assert "Waiting topic" in client.get("/").get_data(as_text=True)
    client.get(f"/discussions/{topic.id}")
    assert not [w for w in for_person(people["other"]) if w.kind == "Unread posts"]
    assert db.session.scalars(select(TopicRead).where(TopicRead.user_id == people["other"].id))


# ---- live ---------------------------------------------------------------------------------


def test_live_signals_carry_no_content_and_a_removed_member_loses_the_channel(
    app, client, auth, db, setting
):
    from consult.extensions import socketio
    from consult.rooms.models import Membership

    room, people = setting
    topic = start(room, people["member"], title="Live topic")
    db.session.flush()
    topic_id, room_id, slug = topic.id, room.id, room.slug
    membership_id = db.session.scalars(
        select(Membership.id).where(
            Membership.room_id == room_id, Membership.user_id == people["other"].id
        )
    ).one()
    auth.login_quickly(people["other"])
    writer, chair = app.test_client(), app.test_client()
    type(auth)(writer).login_quickly(people["member"])
    type(auth)(chair).login_quickly(people["chair"])
    db.session.commit()  # socket handlers release the session: plain values from here
    sc = socketio.test_client(app, namespace="/live", flask_test_client=client)
    try:
        assert sc.emit("watch_topic", {"topic": topic_id}, namespace="/live", callback=True)["ok"]
        assert sc.emit("watch_room", {"room": room_id}, namespace="/live", callback=True)["ok"]
        response = writer.post(f"/discussions/{topic_id}/replies", data={"body": "Secret words"})
        assert response.status_code == 303
        received = sc.get_received("/live")
        assert {"topic-changed", "discussions-changed"} <= {r["name"] for r in received}
        assert "Secret words" not in str(received) and "Live topic" not in str(received)
        # The chair removes the member: at once their socket is told, leaves the channel at
        # its recheck, and cannot watch again.
        response = chair.post(f"/rooms/{slug}/members/{membership_id}/remove")
        assert response.status_code in (200, 204, 303), response.status_code
        assert "access-changed" in {r["name"] for r in sc.get_received("/live")}
        left = sc.emit("recheck", {}, namespace="/live", callback=True)["left"]
        assert f"topic:{topic_id}" in left
        again = sc.emit("watch_topic", {"topic": topic_id}, namespace="/live", callback=True)
        assert again == {"ok": False}
        writer.post(f"/discussions/{topic_id}/replies", data={"body": "After"})
        assert "topic-changed" not in {r["name"] for r in sc.get_received("/live")}
        assert client.get(f"/discussions/{topic_id}").status_code == 404
    finally:
        if sc.is_connected("/live"):
            sc.disconnect(namespace="/live")


# ---- the leak test ----------------------------------------------------------------------

CANARY_TITLE = "CANARY-TOPIC-7f3a"
CANARY_BODY = "CANARY-BODY-91c2"


@pytest.mark.leak
@pytest.mark.parametrize("role", ["anonymous", "civil_society", "other_state", "other_room"])
def test_a_members_room_discussion_never_reaches_an_outsider(
    app, client, auth, db, setting, make_user, make_room, add_member, role, caplog
):
    from consult.extensions import socketio

    room, people = setting
    caplog.set_level(logging.DEBUG)
    outsiders = {
        "civil_society": make_user(status=DelegationStatus.CIVIL_SOCIETY),
        "other_state": make_user(),
        "other_room": make_user(),
    }
    add_member(make_room(AccessLevel.MEMBERS), outsiders["other_room"], RoomRole.CHAIR)
    outsider = outsiders.get(role)
    member = app.test_client()
    type(auth)(member).login_quickly(people["member"])
    response = member.post(
        f"/rooms/{room.slug}/discussions/new",
        data={
            "title": CANARY_TITLE,
            "body": CANARY_BODY,
            "attachments": (io.BytesIO(b"x"), f"{CANARY_TITLE}.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    topic = db.session.scalars(select(Topic)).one()
    first = db.session.scalars(select(TopicPost)).one()
    member.post(f"/discussions/{topic.id}/replies", data={"body": CANARY_BODY, "parent": first.id})
    attachment = db.session.scalars(select(TopicAttachment)).one()
    post = db.session.scalars(select(TopicPost).order_by(TopicPost.id.desc())).first()
    if outsider is not None:
        auth.login_quickly(outsider)
    seen: list[str] = []
    urls = [
        "/",
        "/rooms/",
        f"/rooms/?q={CANARY_TITLE[:8]}",
        f"/rooms/{room.slug}",
        f"/rooms/{room.slug}/discussions",
        f"/discussions/{topic.id}",
        f"/discussions/{topic.id}/posts",
        f"/discussions/{topic.id}/move",
        f"/discussion-posts/{post.id}/history",
        f"/discussion-posts/{post.id}/edit",
        f"/discussion-attachments/{attachment.id}",
        "/notifications/",
        "/calendar/feed",
    ]
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            answer = client.get(url, headers=headers)
            seen.append(answer.get_data(as_text=True))
            if outsider is not None and "/discussion" in url:
                assert answer.status_code == 404, url
    # Search, for each canary (its distinctive word, and whole: the page repeats the query, so
    # the whole one is judged by its results), finds nothing and counts nothing.
    for canary in (CANARY_TITLE, CANARY_BODY):
        for q in (canary.rsplit("-", 1)[-1], canary):
            page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
            if outsider is not None:
                assert "Nothing found for" in page and 'class="search-hit"' not in page, q
            if q != canary:
                seen.append(page)
    if outsider is not None:
        topic_id = topic.id
        seen += [
            n.text + n.link
            for n in db.session.scalars(
                select(Notification).where(Notification.user_id == outsider.id)
            )
        ]
        seen += [str(w) for w in for_person(outsider)]
        db.session.commit()
        sc = socketio.test_client(app, namespace="/live", flask_test_client=client)
        seen.append(
            str(sc.emit("watch_topic", {"topic": topic_id}, namespace="/live", callback=True))
        )
        member.post(f"/discussions/{topic_id}/replies", data={"body": CANARY_BODY})
        seen.append(str(sc.get_received("/live")))
        sc.disconnect(namespace="/live")
    seen += [m.as_string() for m in mail.outbox]
    seen.append(caplog.text)
    for canary in (CANARY_TITLE, CANARY_BODY):
        assert all(canary not in s for s in seen), f"{canary} leaked to {role}"


def test_the_edit_window_is_configurable(app):
    with app.test_request_context():
        assert services.edit_window() == timedelta(minutes=app.config["DISCUSSION_EDIT_MINUTES"])


def test_a_reply_typed_when_the_session_ended_is_kept_and_offered_back(client, auth, db, setting):
    room, people = setting
    topic = start(room, people["member"])
    db.session.flush()
    auth.login(people["other"])
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    token = page.split('name="kept_for" value="', 1)[1].split('"', 1)[0]
    auth.logout()
    response = client.post(
        f"/discussions/{topic.id}/replies", data={"body": "Typed too late", "kept_for": token}
    )
    assert response.status_code in (302, 303)
    assert count(db, TopicPost) == 1
    auth.login(people["other"])
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "Your text was kept" in page and "Typed too late" in page


def test_a_topic_and_the_dashboard_take_the_same_queries_whatever_the_posts(
    client, auth, db, setting, count_queries
):
    room, people = setting
    topic = start(room, people["member"])
    db.session.flush()
    auth.login(people["other"])

    def measure() -> tuple[int, int]:
        with count_queries() as page:
            assert client.get(f"/discussions/{topic.id}").status_code == 200
        with count_queries() as board:
            assert client.get("/").status_code == 200
        return len(page), len(board)

    measure()  # the first visit writes the read marker; later ones update it
    small = measure()
    parent = None
    for i in range(40):
        post = services.post_reply(
            topic,
            people["member" if i % 2 else "chair"],
            f"r{i}",
            parent=parent,
            attachments=[("a.txt", b"x")] if i % 5 == 0 else (),
        )
        parent = post if i % 3 else None
        if i % 7 == 0:
            services.edit_post(post, people["member" if i % 2 else "chair"], f"r{i} edited")
        other = start(room, people["chair"], title=f"More {i}")
        services.post_reply(other, people["member"], "x")
    db.session.flush()
    assert measure() == small


def test_a_hidden_posts_files_are_withheld_but_from_the_chairs(client, auth, db, setting):
    room, people = setting
    topic = start(room, people["member"])
    post = services.post_reply(topic, people["other"], "Look", attachments=[("a.txt", b"bad")])
    db.session.flush()
    attachment = db.session.scalars(select(TopicAttachment)).one()
    services.hide_post(post, people["chair"], "Offensive file")
    db.session.flush()
    auth.login(people["member"])
    assert client.get(f"/discussion-attachments/{attachment.id}").status_code == 404
    with pytest.raises(services.DiscussionError, match="hidden post cannot be quoted"):
        services.post_reply(topic, people["member"], "Quoting", quote_of=post)
    auth.logout()
    auth.login(people["chair"])
    assert client.get(f"/discussion-attachments/{attachment.id}").data == b"bad"
