"""Speaking on behalf of a group: the choice, the group's confirmation (pending until then,
seen only by the author and the coordinators, in every list), confirm and decline, the
dashboard's lines, and the Secretariat's administration of groups."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.audit import AuditEvent
from consult.groups import services as groups
from consult.groups.models import Group, GroupKind, GroupMember
from consult.meetings import services as meetings
from consult.meetings.models import (
    FloorKind,
    FloorRequest,
    FloorStatus,
    ItemState,
    MeetingKind,
    MeetingMode,
    Presence,
)
from consult.notifications.models import Notification
from consult.papers import services as papers
from consult.papers.models import Comment, PaperKind
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow
from consult.waiting import for_person

pytestmark = pytest.mark.exchange

HX = {"HX-Request": "true"}
TEXT = "# Title\n\nStates should exchange information.\n\nStates should report annually."


def african(db) -> Group:
    return db.session.scalar(select(Group).where(Group.slug == "african-group"))


def value(group: Group) -> str:
    return f"{groups.GROUP_PREFIX}{group.id}"


@pytest.fixture
def room_of(db, make_user, make_room, make_delegation, add_member):
    """An open room with a paper: Nigeria coordinates the African Group; Ghana and Senegal are
    members of it; Germany is not."""
    room = make_room(AccessLevel.OPEN)
    chair = make_user(name="The Chair")
    add_member(room, chair, RoomRole.CHAIR)

    def person(name: str, group=RegionalGroup.AFRICAN):
        return make_user(
            name=f"{name} delegate",
            delegation=make_delegation(DelegationStatus.STATE_PARTY, name=name, group=group),
        )

    people = {
        "nigeria": person("Nigeria"),
        "ghana": person("Ghana"),
        "senegal": person("Senegal"),
        "germany": person("Germany", RegionalGroup.WEOG),
    }
    group = african(db)
    group.coordinator_id = people["nigeria"].delegation_id
    paper = papers.create_paper(
        room,
        chair,
        title="Draft guide",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source=TEXT,
    )
    papers.open_for_comments(paper, chair)
    db.session.flush()
    return room, chair, paper, people, group


def first_paragraph(paper):
    return next(p for p in papers.paragraphs_of(papers.current_revision(paper)) if p.number)


def post_for_group(paper, user, group, body="For the group."):
    return papers.post_comment(
        paper, user, paragraph=first_paragraph(paper), body=body, on_behalf_of=value(group)
    )


# ---- the choice ------------------------------------------------------------------------------


def test_choices_are_the_delegation_and_its_groups_by_id(db, room_of):
    _room, _chair, _paper, people, group = room_of
    eu = Group(name="European Union", slug="eu", kind=GroupKind.DEFINED)
    db.session.add(eu)
    db.session.flush()
    db.session.add(GroupMember(group_id=eu.id, delegation_id=people["germany"].delegation_id))
    db.session.flush()
    assert groups.speaking_choices(people["ghana"]) == [
        ("Ghana", "Ghana"),
        (value(group), "the African Group"),
    ]
    assert groups.speaking_choices(people["germany"]) == [
        ("Germany", "Germany"),
        (value(eu), "the European Union"),
        (
            value(db.session.scalar(select(Group).where(Group.slug == "weog"))),
            "the Western European and Others Group (WEOG)",
        ),
    ]
    eu.is_active = False  # a deactivated group is no longer offered, nor accepted
    assert value(eu) not in dict(groups.speaking_choices(people["germany"]))
    with pytest.raises(groups.GroupError, match="not a member of European Union"):
        groups.resolve_speaker(people["germany"], value(eu))


def test_a_comment_for_a_group_one_is_not_in_is_refused_next_to_the_field(
    client, auth, db, room_of
):
    _room, _chair, paper, people, group = room_of
    auth.login(people["germany"])
    paragraph = first_paragraph(paper)
    before = db.session.scalar(select(func.count(Comment.id)))
    response = client.post(
        f"/papers/{paper.id}/p/{paragraph.key}/comments",
        data={"body": "For Africa.", "revision": 0, "on_behalf_of": value(group)},
        headers=HX,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # Next to the "On behalf of" choice, which says it is the invalid one.
    error = re.search(r'<p class="error" id="([\w-]+)-behalf-error" role="alert">([^<]+)</p>', html)
    assert error and "Germany is not a member of African Group" in error.group(2)
    assert f'aria-describedby="{error.group(1)}-behalf-error"' in html
    assert db.session.scalar(select(func.count(Comment.id))) == before
    for bogus in ("group-999999", "group-x", "France"):
        response = client.post(
            f"/papers/{paper.id}/p/{paragraph.key}/comments",
            data={"body": "x", "revision": 0, "on_behalf_of": bogus},
            headers=HX,
        )
        assert response.status_code == 422
        assert "speak only for your delegation" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Comment.id))) == before


def test_a_floor_request_for_a_group_one_is_not_in_is_refused(client, auth, db, room_of):
    room, chair, _paper, people, group = room_of
    meeting, item = _meeting(db, room, chair)
    auth.login(people["germany"])
    response = client.post(
        f"/meetings/{meeting.id}/floor",
        data={"kind": "statement", "presence": "remote", "on_behalf_of": value(group)},
        headers=HX,
    )
    assert response.status_code == 422
    assert "Germany is not a member of African Group" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(FloorRequest.id))) == 0


# ---- pending comments --------------------------------------------------------------------------


def test_the_coordinator_speaks_for_the_group_at_once(db, room_of):
    _room, _chair, paper, people, group = room_of
    comment = post_for_group(paper, people["nigeria"], group)
    assert comment.on_behalf_of == "the African Group"
    assert comment.on_behalf_group_id == group.id
    assert comment.group_confirmed_at is not None
    assert comment.group_confirmed_by_id == people["nigeria"].id
    assert can(Need.VIEW, comment, people["germany"])


def test_a_pending_comment_is_seen_by_its_author_and_the_coordinator_only(db, room_of):
    _room, chair, paper, people, group = room_of
    comment = post_for_group(paper, people["ghana"], group)
    assert groups.is_pending(comment)
    key = comment.paragraph_key
    seers = {"ghana", "nigeria"}
    for name, user in [*people.items(), ("chair", chair)]:
        sees = name in seers
        assert can(Need.VIEW, comment, user) is sees, name
        in_sql = db.session.scalar(
            select(Comment.id).where(Comment.id == comment.id, visible(Comment, user))
        )
        assert (in_sql is not None) is sees, name
        threads = papers.paragraph_threads(paper, key, user)
        assert bool(threads) is sees, name
        assert papers.comment_counts(paper, viewer=user).get(key, 0) == (1 if sees else 0)
    # Nobody else may act on it (the chair cannot hide what it cannot see).
    assert not can(Need.MANAGE, comment, chair)
    # What everyone sees: no count, no compilation, no delegation in the filter.
    assert papers.comment_counts(paper).get(key, 0) == 0
    compiled = papers.compile_comments(paper, by="paragraph", attributed=True)
    assert compiled.groups == []
    assert papers.delegations_in(paper) == []


def test_a_pending_comment_sends_no_signal_and_no_reply_notice(db, room_of, app):
    _room, _chair, paper, people, group = room_of
    parent = papers.post_comment(
        paper,
        people["germany"],
        paragraph=first_paragraph(paper),
        body="Ours.",
        on_behalf_of="Germany",
    )
    version = paper.version
    reply = papers.post_comment(
        paper,
        people["ghana"],
        paragraph=first_paragraph(paper),
        body="For Africa.",
        on_behalf_of=value(group),
        parent=parent,
    )
    db.session.flush()
    assert paper.version == version  # no "paper-changed" to the paper's viewers
    notices = db.session.scalars(
        select(Notification).where(Notification.user_id == people["germany"].id)
    ).all()
    assert notices == []
    # Once confirmed, the reply is published: the signal and the notice follow.
    papers.confirm_comment(reply, people["nigeria"])
    db.session.flush()
    assert paper.version == version + 1
    notices = db.session.scalars(
        select(Notification).where(Notification.user_id == people["germany"].id)
    ).all()
    assert [n.kind for n in notices] == ["paper.reply"]
    assert "the African Group replied" in notices[0].text


def test_no_reply_to_a_pending_comment(db, room_of):
    _room, _chair, paper, people, group = room_of
    pending = post_for_group(paper, people["ghana"], group)
    with pytest.raises(papers.PaperError, match="Replies wait"):
        papers.post_comment(
            paper,
            people["nigeria"],
            paragraph=first_paragraph(paper),
            body="Hm.",
            on_behalf_of="Nigeria",
            parent=pending,
        )


def test_the_paper_pages_show_pending_to_author_and_coordinator_only(client, auth, db, room_of):
    _room, _chair, paper, people, group = room_of
    comment = post_for_group(paper, people["ghana"], group, body="Secret *draft* words.")
    key = comment.paragraph_key
    db.session.flush()
    for name, sees in (("ghana", True), ("nigeria", True), ("senegal", False), ("germany", False)):
        auth.login(people[name])
        thread = client.get(f"/papers/{paper.id}/p/{key}", headers=HX).get_data(as_text=True)
        page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
        assert ("Secret" in thread) is sees, name
        assert ("pending the group's confirmation" in thread) is sees, name
        assert ("Confirm for the group" in thread) is (name == "nigeria"), name
        assert ("Post as Ghana instead" in thread) is (name == "ghana"), name
        assert "Secret" not in page or sees
        auth.logout()


def test_confirm_through_the_route_then_everyone_sees_it(client, auth, db, room_of):
    _room, _chair, paper, people, group = room_of
    comment = post_for_group(paper, people["ghana"], group)
    db.session.flush()
    auth.login(people["senegal"])  # a member, not the coordinator: may not even see it
    assert client.post(f"/comments/{comment.id}/confirm", headers=HX).status_code == 404
    auth.logout()
    auth.login(people["ghana"])  # the author sees it but may not confirm it
    assert client.post(f"/comments/{comment.id}/confirm", headers=HX).status_code == 403
    auth.logout()
    auth.login(people["nigeria"])
    response = client.post(f"/comments/{comment.id}/confirm", headers=HX)
    assert response.status_code == 200
    db.session.refresh(comment)
    assert comment.group_confirmed_by_id == people["nigeria"].id
    assert can(Need.VIEW, comment, people["germany"])
    assert papers.comment_counts(paper).get(comment.paragraph_key) == 1
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.kind == "paper.comment_group_confirmed")
    )
    assert [n.kind for n in _notices(db, people["ghana"])] == ["group.confirmed"]
    # Confirmed once: no second confirmation.
    assert client.post(f"/comments/{comment.id}/confirm", headers=HX).status_code == 403


def _notices(db, user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def test_decline_tells_the_author_who_may_post_as_their_delegation(client, auth, db, room_of):
    _room, _chair, paper, people, group = room_of
    comment = post_for_group(paper, people["ghana"], group, body="Our view.")
    db.session.flush()
    auth.login(people["nigeria"])
    too_long = "x" * 501
    response = client.post(f"/comments/{comment.id}/decline", data={"reason": too_long}, headers=HX)
    assert response.status_code == 422
    assert "501 characters" in response.get_data(as_text=True)
    db.session.refresh(comment)
    assert comment.group_declined_at is None  # nothing stored
    response = client.post(
        f"/comments/{comment.id}/decline",
        data={"reason": "The group has not discussed it."},
        headers=HX,
    )
    assert response.status_code == 200
    db.session.refresh(comment)
    assert comment.group_declined_at is not None
    assert not can(Need.VIEW, comment, people["germany"])
    [notice] = _notices(db, people["ghana"])
    assert notice.kind == "group.declined"
    assert "The group has not discussed it." in notice.text
    assert "post it as Ghana instead" in notice.text
    assert papers.waiting_for_group(people["nigeria"]) == []  # declined: no longer waiting
    auth.logout()
    auth.login(people["ghana"])
    thread = client.get(f"/papers/{paper.id}/p/{comment.paragraph_key}", headers=HX)
    assert "declined by the group" in thread.get_data(as_text=True)
    response = client.post(f"/comments/{comment.id}/as-delegation", headers=HX)
    assert response.status_code == 200
    db.session.refresh(comment)
    assert comment.on_behalf_of == "Ghana"
    assert comment.on_behalf_group_id is None
    assert can(Need.VIEW, comment, people["germany"])
    auth.logout()
    auth.login(people["germany"])  # another's comment: not theirs to move
    assert client.post(f"/comments/{comment.id}/as-delegation", headers=HX).status_code == 403


def test_a_final_group_statement_confirms(db, room_of):
    """The hook the group statements use; and a row marked confirmed directly is confirmed."""
    _room, chair, paper, people, group = room_of
    comment = post_for_group(paper, people["ghana"], group)
    groups.confirm_by_statement(comment, paper, chair)
    assert can(Need.VIEW, comment, people["germany"])
    other = post_for_group(paper, people["senegal"], group)
    other.group_confirmed_at = utcnow()  # as the statement engineer sets it
    db.session.flush()
    assert db.session.scalar(
        select(Comment.id).where(Comment.id == other.id, visible(Comment, people["germany"]))
    )
    with pytest.raises(groups.GroupError):
        groups.confirm_by_statement(
            papers.post_comment(
                paper,
                people["ghana"],
                paragraph=first_paragraph(paper),
                body="x",
                on_behalf_of="Ghana",
            ),
            paper,
            chair,
        )


def test_the_chair_of_the_groups_room_also_confirms(db, room_of, make_room, add_member):
    _room, _chair, paper, people, group = room_of
    group.coordinator_id = None
    group_room = make_room(AccessLevel.MEMBERS)
    group.room_id = group_room.id
    add_member(group_room, people["senegal"], RoomRole.CHAIR)
    comment = post_for_group(paper, people["ghana"], group)
    assert can(Need.VIEW, comment, people["senegal"])
    assert can(Need.CONFIRM, comment, people["senegal"])
    assert not can(Need.VIEW, comment, people["nigeria"])


# ---- the dashboard -------------------------------------------------------------------------------


def test_waiting_lines_for_the_coordinator_only(client, auth, db, room_of, count_queries):
    _room, _chair, paper, people, group = room_of
    post_for_group(paper, people["ghana"], group)
    db.session.flush()
    lines = for_person(people["nigeria"])
    [line] = [i for i in lines if i.kind == "On behalf of the group: to confirm"]
    assert "Ghana" in line.title and "Draft guide" in line.title
    assert line.url.startswith(f"/papers/{paper.id}/p/")
    assert not [i for i in for_person(people["ghana"]) if "to confirm" in i.kind]
    assert not [i for i in for_person(people["germany"]) if "to confirm" in i.kind]
    auth.login(people["nigeria"])
    assert "On behalf of the group: to confirm" in client.get("/").get_data(as_text=True)
    # The lines take the same number of queries for one comment or many.
    with count_queries() as few:
        papers.waiting_for_group(people["nigeria"])
    for _ in range(6):
        post_for_group(paper, people["senegal"], group)
    db.session.flush()
    with count_queries() as many:
        assert len(papers.waiting_for_group(people["nigeria"])) == 7
    assert len(many) == len(few)


def test_thread_query_count_does_not_grow_with_pending_comments(db, room_of, count_queries):
    _room, _chair, paper, people, group = room_of
    post_for_group(paper, people["ghana"], group)
    key = first_paragraph(paper).key
    db.session.flush()
    with count_queries() as few:
        papers.paragraph_threads(paper, key, people["germany"])
        papers.comment_counts(paper, viewer=people["germany"])
    for _ in range(5):
        post_for_group(paper, people["senegal"], group)
    db.session.flush()
    with count_queries() as many:
        assert papers.paragraph_threads(paper, key, people["germany"]) == []
        papers.comment_counts(paper, viewer=people["germany"])
    assert len(many) == len(few)


# ---- floor requests ---------------------------------------------------------------------------


def _meeting(db, room, chair):
    meeting = meetings.create_meeting(
        room,
        chair,
        title="Session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=3),
        time_zone="Europe/Zurich",
    )
    item = meetings.add_item(meeting, chair, number=1, letter="", title="Opening")
    meetings.adopt_agenda(meeting, chair)
    meetings.set_item_state(item, chair, ItemState.CURRENT)
    db.session.flush()
    return meeting, item


def _ask(item, user, on_behalf_of):
    return meetings.request_floor(
        item, user, kind=FloorKind.STATEMENT, presence=Presence.REMOTE, on_behalf_of=on_behalf_of
    )


def test_a_pending_floor_request_is_on_no_list_until_confirmed(client, auth, db, room_of):
    room, chair, _paper, people, group = room_of
    meeting, item = _meeting(db, room, chair)
    germany = _ask(item, people["germany"], "Germany")
    version = meeting.version
    pending = _ask(item, people["ghana"], value(group))
    db.session.flush()
    assert meeting.version == version  # no broadcast for what only two may see
    assert pending.on_behalf_of == "the African Group"
    assert meetings.queue(item) == [germany]  # not in Rule 20 order
    assert meetings.live_state(meeting).waiting == [germany]  # panels, console, screen
    with pytest.raises(meetings.MeetingError):
        meetings.give_floor(item, chair, pending)
    for name, user in [*people.items(), ("chair", chair)]:
        sees = name in ("ghana", "nigeria")
        assert can(Need.VIEW, pending, user) is sees, name
        assert (
            db.session.scalar(
                select(FloorRequest.id).where(
                    FloorRequest.id == pending.id, visible(FloorRequest, user)
                )
            )
            is not None
        ) is sees, name
    # Who sees what on the live page.
    for name, shown in (("ghana", "pending the group"), ("nigeria", "to confirm")):
        auth.login(people[name])
        html = client.get(f"/meetings/{meeting.id}/floor-panel", headers=HX).get_data(as_text=True)
        assert shown in html, name
        auth.logout()
    for name in ("senegal", "germany"):
        auth.login(people[name])
        for path in ("floor-panel", "panel", "screen"):
            html = client.get(f"/meetings/{meeting.id}/{path}", headers=HX).get_data(as_text=True)
            # (the floor panel's own choices offer Senegal "the African Group" to speak for)
            assert "Ghana" not in html, (name, path)
            if path != "floor-panel":
                assert "African Group" not in html, (name, path)
        auth.logout()
    auth.login(chair)
    html = client.get(f"/meetings/{meeting.id}/console").get_data(as_text=True)
    assert "African Group" not in html
    auth.logout()
    # The coordinator confirms: it takes its Rule 20 place and everyone sees it.
    auth.login(people["ghana"])
    assert client.post(f"/floor/{pending.id}/confirm", headers=HX).status_code == 403
    auth.logout()
    auth.login(people["nigeria"])
    assert client.post(f"/floor/{pending.id}/confirm", headers=HX).status_code == 200
    db.session.refresh(pending)
    assert pending.group_confirmed_at is not None
    assert [r.id for r in meetings.queue(item)] == [germany.id, pending.id]
    assert meeting.version > version
    assert [n.kind for n in _notices(db, people["ghana"])] == ["group.confirmed"]
    meetings.give_floor(item, chair)
    meetings.give_floor(item, chair)
    record = meetings.speaking_record(meeting)
    assert [t.on_behalf_of for t in record[0][1]] == ["Germany", "the African Group"]


def test_a_declined_floor_request_leaves_and_the_delegate_is_told(client, auth, db, room_of):
    room, chair, _paper, people, group = room_of
    meeting, item = _meeting(db, room, chair)
    pending = _ask(item, people["ghana"], value(group))
    db.session.flush()
    auth.login(people["senegal"])
    assert client.post(f"/floor/{pending.id}/decline", headers=HX).status_code == 404
    auth.logout()
    auth.login(people["nigeria"])
    response = client.post(
        f"/floor/{pending.id}/decline", data={"reason": "Nigeria speaks first."}, headers=HX
    )
    assert response.status_code == 200
    db.session.refresh(pending)
    assert pending.status is FloorStatus.WITHDRAWN
    [notice] = _notices(db, people["ghana"])
    assert notice.kind == "group.declined" and "Nigeria speaks first." in notice.text
    # Ghana may now ask for its delegation.
    assert _ask(item, people["ghana"], "Ghana").on_behalf_group_id is None


def test_waiting_lines_for_floor_requests(db, room_of):
    room, chair, _paper, people, group = room_of
    meeting, item = _meeting(db, room, chair)
    _ask(item, people["ghana"], value(group))
    db.session.flush()
    [line] = meetings.waiting_for_group(people["nigeria"])
    assert line.url == f"/meetings/{meeting.id}/live#floor-panel"
    assert "Ghana" in line.title
    assert meetings.waiting_for_group(people["senegal"]) == []


# ---- the Secretariat's administration ---------------------------------------------------------


@pytest.fixture
def secretariat(make_user):
    return make_user(status=DelegationStatus.SECRETARIAT)


def test_define_edit_deactivate_and_reactivate_a_group(client, auth, db, room_of, secretariat):
    room, _chair, _paper, people, _group = room_of
    auth.login(secretariat)
    assert "African Group" in client.get("/admin/groups").get_data(as_text=True)
    germany, senegal = people["germany"].delegation, people["senegal"].delegation
    response = client.post(
        "/admin/groups/new",
        data={
            "name": "European Union",
            "slug": "european-union",
            "members": [str(germany.id), str(senegal.id)],
            "coordinator": str(germany.id),
            "room": str(room.id),
        },
    )
    assert response.status_code in (302, 303)
    eu = db.session.scalar(select(Group).where(Group.slug == "european-union"))
    assert eu.kind is GroupKind.DEFINED and eu.coordinator_id == germany.id
    assert {d.id for d in groups.member_delegations(eu)} == {germany.id, senegal.id}
    response = client.post(
        f"/admin/groups/{eu.id}/edit",
        data={
            "name": "European Union",
            "slug": "european-union",
            "members": [str(germany.id)],
            "coordinator": str(germany.id),
            "room": "",
        },
    )
    assert response.status_code in (302, 303)
    db.session.refresh(eu)
    assert [d.id for d in groups.member_delegations(eu)] == [germany.id] and eu.room_id is None
    assert client.post(f"/admin/groups/{eu.id}/deactivate").status_code in (302, 303)
    db.session.refresh(eu)
    assert not eu.is_active and eu not in groups.groups_of(germany)
    assert client.post(f"/admin/groups/{eu.id}/reactivate").status_code in (302, 303)
    db.session.refresh(eu)
    assert eu.is_active
    kinds = db.session.scalars(
        select(AuditEvent.kind).where(AuditEvent.kind.like("group.%")).order_by(AuditEvent.id)
    ).all()
    assert kinds == ["group.created", "group.updated", "group.deactivated", "group.reactivated"]


def test_a_regional_groups_coordinator_and_room_are_edited_not_its_members(
    client, auth, db, room_of, secretariat
):
    room, _chair, _paper, people, group = room_of
    auth.login(secretariat)
    page = client.get(f"/admin/groups/{group.id}/edit").get_data(as_text=True)
    assert "Ghana" in page and 'name="members"' not in page
    response = client.post(
        f"/admin/groups/{group.id}/edit",
        data={"coordinator": str(people["ghana"].delegation_id), "room": str(room.id)},
    )
    assert response.status_code in (302, 303)
    db.session.refresh(group)
    assert group.coordinator_id == people["ghana"].delegation_id and group.room_id == room.id
    with pytest.raises(groups.GroupError, match="regional group"):
        groups.update_group(
            group, secretariat, coordinator=None, room=None, members=[people["ghana"].delegation]
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "slug": "x"}, "Give the group a name."),
        ({"name": "African Group", "slug": "africa-2"}, "Another group has this name."),
        ({"name": "New", "slug": "Not a slug!"}, "lower-case letters"),
        ({"name": "New", "slug": "weog"}, "Another group has this short name."),
        ({"name": "New", "slug": "new", "members": []}, "member delegations."),
        ({"name": "x" * 201, "slug": "new"}, "201 characters"),
        ({"name": "New", "slug": "new", "coordinator": "outsider"}, "is not a member"),
    ],
)
def test_bad_group_input_is_refused_next_to_its_field(
    client, auth, db, room_of, secretariat, data, message
):
    _room, _chair, _paper, people, _group = room_of
    auth.login(secretariat)
    form = {"members": [str(people["ghana"].delegation_id)], "coordinator": "", "room": ""}
    form.update(data)
    if form["coordinator"] == "outsider":
        form["coordinator"] = str(people["germany"].delegation_id)
    before = db.session.scalar(select(func.count(Group.id)))
    response = client.post("/admin/groups/new", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'role="alert"' in html
    assert db.session.scalar(select(func.count(Group.id))) == before


def test_only_the_secretariat_administers_groups(client, auth, db, room_of):
    _room, chair, _paper, people, group = room_of
    auth.login(people["nigeria"])  # even the coordinator
    assert client.get("/admin/groups").status_code == 404
    assert client.post(f"/admin/groups/{group.id}/deactivate").status_code == 404


# ---- the demo ----------------------------------------------------------------------------------


def test_the_demo_has_its_groups_and_one_comment_waiting(app, db):
    from consult.accounts.models import User

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    group = african(db)
    nigeria = db.session.scalar(select(User).where(User.email.like("npc.nigeria@%")))
    assert group.coordinator_id == nigeria.delegation_id and group.room_id is not None
    eu = db.session.scalar(select(Group).where(Group.slug == "european-union"))
    assert eu.coordinator.name == "European Union"
    assert "Germany" in [d.name for d in groups.member_delegations(eu)]
    # What Nigeria said for the group is confirmed; Ghana's comment waits for it.
    said = db.session.scalars(select(Comment).where(Comment.on_behalf_group_id == group.id)).all()
    assert sorted(groups.is_pending(c) for c in said) == [False, True]
    assert (
        db.session.scalar(
            select(func.count(FloorRequest.id)).where(
                FloorRequest.on_behalf_group_id == group.id,
                FloorRequest.group_confirmed_at.is_(None),
            )
        )
        == 0
    )
    [line] = papers.waiting_for_group(nigeria)
    assert "Ghana" in line.title


def test_the_coordinators_dashboards_are_told_and_no_one_else(db, room_of, monkeypatch):
    """A content-free "rooms-changed" to each coordinator's own channel (their dashboard then
    asks for "Waiting for you" through the policy); the paper's viewers hear nothing."""
    _room, _chair, paper, people, group = room_of
    colleague = people["nigeria"].__class__(
        delegation_id=people["nigeria"].delegation_id,
        name="Another Nigerian",
        email="another.nigerian@example.org",
        session_nonce="n",
    )
    db.session.add(colleague)
    db.session.flush()
    sent = []
    monkeypatch.setattr(
        groups, "emit_after_commit", lambda event, data, to: sent.append((event, data, to))
    )
    post_for_group(paper, people["ghana"], group)
    assert sorted(sent) == sorted(
        ("rooms-changed", {}, f"user:{u.id}") for u in (people["nigeria"], colleague)
    )


def test_the_groups_page_takes_the_same_queries_for_more_groups(
    client, auth, db, room_of, secretariat, count_queries, make_room
):
    _room, _chair, _paper, people, _group = room_of
    auth.login(secretariat)
    client.get("/admin/groups")

    def define(n: int) -> None:
        for i in range(n):
            groups.create_group(
                secretariat,
                name=f"Friends {n}-{i}",
                slug=f"friends-{n}-{i}",
                members=[people["ghana"].delegation, people["senegal"].delegation],
                coordinator=people["ghana"].delegation,
                room=make_room(),
            )
        db.session.flush()

    define(1)
    with count_queries() as few:
        assert client.get("/admin/groups").status_code == 200
    define(8)
    with count_queries() as many:
        html = client.get("/admin/groups").get_data(as_text=True)
    assert "Friends 8-7" in html
    assert len(many) == len(few)


def test_editing_or_deleting_a_pending_comment_sends_no_signal(db, room_of):
    _room, _chair, paper, people, group = room_of
    comment = post_for_group(paper, people["ghana"], group)
    version = paper.version
    papers.edit_comment(comment, people["ghana"], "Better words.", None)
    papers.delete_comment(comment, people["ghana"])
    assert paper.version == version
    confirmed = post_for_group(paper, people["nigeria"], group)
    papers.edit_comment(confirmed, people["nigeria"], "Better words.", None)
    assert paper.version > version


def test_withdrawing_a_pending_floor_request_is_not_broadcast(db, room_of):
    room, chair, _paper, people, group = room_of
    meeting, item = _meeting(db, room, chair)
    pending = _ask(item, people["ghana"], value(group))
    version = meeting.version
    meetings.withdraw(pending, people["ghana"])
    assert meeting.version == version and pending.status is FloorStatus.WITHDRAWN
