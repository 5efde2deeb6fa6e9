"""The access policy's rules, asked directly: for each model, Need and kind of person, allowed
or refused, and `visible()` selecting in SQL exactly what `can(VIEW)` allows.

The authorisation table (tests/test_authorisation.py) asks the same questions through every
route, which takes minutes; these ask `can()` itself, in a fraction of a second per access level,
so `make mutants` can run them for every mutant of the policy modules (docs/testing.md). They
also cover people the table has no role for: a facilitator, an observer member, a delegation's
membership, an ended membership, a civil-society member of a confidential room, inactive
accounts, a room that is archived, a member who joined after a thread began.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask import Flask, g, session
from flask_login import AnonymousUserMixin, login_user
from sqlalchemy import false, select, true
from werkzeug.exceptions import Forbidden, NotFound

import consult
from consult import policy
from consult.accounts import sessions
from consult.accounts.models import DelegationStatus, User
from consult.briefs.models import BriefStatus, PublishedBrief, TrendBrief
from consult.handlers import handler
from consult.meetings import services as meetings
from consult.meetings.models import (
    ItemState,
    Meeting,
    MeetingKind,
    MeetingMode,
)
from consult.papers import services as papers
from consult.papers.models import Comment, Paper, PaperKind, PaperStatus
from consult.policy import Need, Parent, can, visible
from consult.rooms.models import AccessLevel, JoinRequest, Room, RoomActivity, RoomRole
from consult.threads import services as threads
from consult.threads.models import (
    Attachment,
    Marking,
    Post,
    Thread,
    ThreadParticipant,
    ThreadStatus,
)
from consult.threads.policy import visible_from
from consult.timeutil import utcnow

STATE = DelegationStatus.STATE_PARTY

# Who is who. Each person has a delegation of their own (so no membership reaches two people).
# status, personal room role, delegation's room role, membership ended
PEOPLE = {
    "observer_org": (DelegationStatus.CIVIL_SOCIETY, None, None),
    "observer_state": (DelegationStatus.OBSERVER_STATE, None, None),
    "signatory": (DelegationStatus.SIGNATORY, None, None),
    "state_party": (STATE, None, None),
    "member": (STATE, RoomRole.MEMBER, None),
    "chair": (STATE, RoomRole.CHAIR, None),
    "facilitator": (STATE, RoomRole.FACILITATOR, None),
    "observer": (STATE, RoomRole.OBSERVER, None),
    "delegation_member": (STATE, None, RoomRole.MEMBER),
    "delegation_chair": (STATE, None, RoomRole.CHAIR),
    # A personal observer whose delegation chairs: the strongest role counts for the room.
    "observer_of_chairing_delegation": (STATE, RoomRole.OBSERVER, RoomRole.CHAIR),
    "org_member": (DelegationStatus.CIVIL_SOCIETY, RoomRole.MEMBER, None),
    "ex_member": (STATE, RoomRole.CHAIR, None),  # the membership has ended
    "secretariat": (DelegationStatus.SECRETARIAT, None, None),
}
STATES = {
    name
    for name, (status, *_rest) in PEOPLE.items()
    if status in (STATE, DelegationStatus.SIGNATORY)
}
HOLDERS = {name for name, (_s, mine, theirs) in PEOPLE.items() if mine or theirs} - {"ex_member"}
ROOM_MANAGERS = {"chair", "facilitator", "delegation_chair", "observer_of_chairing_delegation"}


def _sign_in(user: User) -> None:
    """Sign in within the current request context, as a real sign-in would."""
    sessions.begin(user)
    login_user(user)


# ---- the spec, written out --------------------------------------------------------------


def sees_room(who: str, access: AccessLevel) -> bool:
    if who == "secretariat" or who in HOLDERS:
        return True
    if access in (AccessLevel.OPEN, AccessLevel.TRANSPARENT):
        return True
    return access is AccessLevel.STATES and who in STATES


def takes_part(who: str, access: AccessLevel, archived: bool = False) -> bool:
    if archived:
        return False
    if who in HOLDERS:
        return who != "observer"  # a member's role decides, even in an open room
    if who == "secretariat":
        return access is not AccessLevel.CONFIDENTIAL
    if access is AccessLevel.OPEN:
        return True
    return access is AccessLevel.STATES and who in STATES


def manages(who: str, access: AccessLevel) -> bool:
    return who == "secretariat" or who in ROOM_MANAGERS


def room_expected(who: str, access: AccessLevel, archived: bool = False) -> dict[Need, bool]:
    seen = sees_room(who, access)
    return {
        Need.VIEW: seen,
        Need.TAKE_PART: seen and takes_part(who, access, archived),
        Need.MANAGE: seen and manages(who, access),
        Need.ADMINISTER: who == "secretariat",
        Need.REQUEST_JOIN: seen
        and who != "secretariat"
        and not archived
        and not takes_part(who, access, archived),
        Need.HAND_OVER: False,  # not a room's power
        Need.OVERRIDE: who == "secretariat",  # past the membership guardrails
    }


def paper_expected(who: str, access: AccessLevel, *, drafting: bool, chatham: bool):
    room = room_expected(who, access)
    if drafting and not room[Need.MANAGE]:
        return dict.fromkeys(
            (Need.VIEW, Need.TAKE_PART, Need.MANAGE, Need.SEE_AUTHORS, Need.DECIDE), False
        )
    return {
        Need.VIEW: room[Need.VIEW],
        Need.TAKE_PART: room[Need.TAKE_PART],
        Need.MANAGE: room[Need.MANAGE],
        Need.SEE_AUTHORS: room[Need.VIEW] and (not chatham or room[Need.MANAGE]),
        Need.DECIDE: False,
    }


# Named members of a confidential room: a personal, current membership, from a State.
NAMED = {"member", "chair", "facilitator", "observer", "observer_of_chairing_delegation"}


def thread_expected(
    who: str,
    access: AccessLevel,
    *,
    closed=False,
    listed=None,
    author="member",
    exported=False,
):
    """`exported`: the thread allows exports and its marking lets it leave (not TLP:RED)."""
    named = (
        access is AccessLevel.CONFIDENTIAL and who in NAMED and (listed is None or who in listed)
    )
    observer = who in ("observer", "observer_of_chairing_delegation")  # their personal role
    return {
        Need.VIEW: named,
        Need.TAKE_PART: named and not observer and not closed,
        Need.MANAGE: named and who in ("chair", "facilitator"),
        Need.ORIGINATE: named and who == author,
        Need.LOWER_MARKING: named and who == author,  # only the originating delegation
        Need.EXPORT: named and exported,
        Need.HAND_OVER: False,
    }


# ---- the world ----------------------------------------------------------------------------


@dataclass
class World:
    access: AccessLevel
    people: dict[str, User]
    room: Room
    other_room: Room  # same access level, nobody's member
    objects: dict[str, object] = field(default_factory=dict)


@pytest.fixture
def fresh_policy(monkeypatch):
    """Empty registries, filled again by every domain's policy module (consult/*/policy.py), so
    the rules under test are exactly what each module's `register()` adds."""
    for name in ("_rules", "_filters", "_parents", "_gates"):
        monkeypatch.setattr(policy, name, {})
    for module in pkgutil.iter_modules(consult.__path__):
        if module.ispkg and importlib.util.find_spec(f"consult.{module.name}.policy"):
            importlib.import_module(f"consult.{module.name}.policy").register()
    return policy


@pytest.fixture
def build(db, fresh_policy, make_user, make_room, add_member):
    def make(access: AccessLevel, *, archived: bool = False) -> World:
        people = {}
        for name, (status, _mine, _theirs) in PEOPLE.items():
            people[name] = make_user(status=status)
        room = make_room(access, is_archived=archived)
        other_room = make_room(access)
        for name, (_status, mine, theirs) in PEOPLE.items():
            if mine:
                membership = add_member(room, people[name], mine)
                if name == "ex_member":
                    membership.ended_at = utcnow()
            if theirs:
                add_member(room, people[name].delegation, theirs)
        db.session.flush()
        return World(access, people, room, other_room)

    return make


def _content(db, world: World) -> None:
    """A paper (and one still drafting, one under the Chatham House Rule), a comment, a meeting
    with an agenda item and a floor request, a join request; threads in a confidential room."""
    people, room = world.people, world.room
    chair = people["chair"]

    def paper(title: str, **kw) -> Paper:
        made = papers.create_paper(
            room,
            chair,
            title=title,
            kind=PaperKind.WORKING_PAPER,
            issued_by="Chair",
            source="First.\n\nSecond.",
            **kw,
        )
        papers.open_for_comments(made, chair)  # a paper starts in drafting
        return made

    world.objects["paper"] = open_paper = paper("Open")
    paragraph = papers.paragraphs_of(papers.current_revision(open_paper))[0]
    world.objects["comment"] = papers.post_comment(
        open_paper, chair, paragraph=paragraph, body="Hm.", on_behalf_of=chair.delegation.name
    )
    world.objects["chatham"] = paper("Chatham", is_chatham_house=True)
    drafting = paper("Drafting")
    paragraph = papers.paragraphs_of(papers.current_revision(drafting))[0]
    world.objects["drafting_comment"] = papers.post_comment(
        drafting, chair, paragraph=paragraph, body="Hm.", on_behalf_of=chair.delegation.name
    )
    drafting.status = PaperStatus.DRAFTING
    world.objects["drafting"] = drafting
    world.objects["elsewhere"] = papers.create_paper(
        world.other_room,
        people["secretariat"],
        title="Elsewhere",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="Text.",
    )
    papers.open_for_comments(world.objects["elsewhere"], people["secretariat"])

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
    world.objects["meeting"] = meeting
    world.objects["item"] = item
    world.objects["floor"] = meetings.inscribe(item, chair, people["member"].delegation)
    world.objects["elsewhere_meeting"] = meetings.create_meeting(
        world.other_room,
        people["secretariat"],
        title="Other",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=3),
        time_zone="Europe/Zurich",
    )
    request = JoinRequest(room_id=room.id, user_id=people["observer"].id)
    db.session.add(request)
    world.objects["join_request"] = request

    if world.access is AccessLevel.CONFIDENTIAL:
        member = people["member"]
        thread = threads.create_thread(
            room, member, title="Case", marking=Marking.AMBER, body="One."
        )
        post = threads.add_post(thread, member, "File.", [("a.txt", b"x")])
        db.session.flush()
        thread.is_export_allowed = True
        world.objects["thread"] = thread
        world.objects["post"] = post
        world.objects["attachment"] = db.session.scalars(
            select(Attachment).where(Attachment.post_id == post.id)
        ).one()
        closed = threads.create_thread(
            room, member, title="Done", marking=Marking.AMBER, body="Two."
        )
        closed.status = ThreadStatus.CLOSED
        world.objects["closed"] = closed
        world.objects["need_to_know"] = threads.create_thread(
            room,
            member,
            title="Few",
            marking=Marking.RED,
            body="Three.",
            audience=[people["facilitator"]],
        )
        world.objects["chairs_own"] = threads.create_thread(
            room, chair, title="Mine", marking=Marking.RED, body="Four.", audience=[]
        )
        world.objects["chairs_own"].is_export_allowed = True  # TLP:RED still never leaves
    db.session.flush()


ACCESS = list(AccessLevel)


def _mismatches(world: World, cases) -> list[str]:
    wrong = []
    for label, obj, expected_of in cases:
        for who, person in world.people.items():
            for need, expected in expected_of(who).items():
                if can(need, obj, person) != expected:
                    wrong.append(f"{label} {need.value} as {who}: expected {expected}")
    return wrong


@pytest.mark.parametrize("access", ACCESS, ids=[a.value for a in ACCESS])
def test_every_rule_answers_as_the_spec_says(db, build, access):
    world = build(access)
    _content(db, world)
    o = world.objects

    def room_need(who: str) -> dict[Need, bool]:
        return room_expected(who, access)

    def rooms_only(who: str) -> dict[Need, bool]:
        kept = (Need.VIEW, Need.TAKE_PART, Need.MANAGE)
        return {n: v for n, v in room_need(who).items() if n in kept}

    cases = [
        ("room", world.room, room_need),
        (
            "paper",
            o["paper"],
            lambda who: paper_expected(who, access, drafting=False, chatham=False),
        ),
        (
            "chatham paper",
            o["chatham"],
            lambda who: paper_expected(who, access, drafting=False, chatham=True),
        ),
        (
            "drafting paper",
            o["drafting"],
            lambda who: paper_expected(who, access, drafting=True, chatham=False),
        ),
        (
            "comment",
            o["comment"],
            lambda who: {
                **rooms_only(who),
                Need.HAND_OVER: False,
                Need.AUTHOR: who == "chair",
                # Nobody else wrote in its thread: a reply is for those who take part.
                Need.REPLY: rooms_only(who)[Need.TAKE_PART],
            },
        ),
        (
            "comment on a drafting paper",
            o["drafting_comment"],
            lambda who: {
                **{n: v and manages(who, access) for n, v in rooms_only(who).items()},
                Need.AUTHOR: who == "chair",  # its author, who manages the room
                Need.REPLY: rooms_only(who)[Need.TAKE_PART] and manages(who, access),
            },
        ),
        ("meeting", o["meeting"], lambda who: {**rooms_only(who), Need.DECIDE: False}),
        ("agenda item", o["item"], lambda who: {**rooms_only(who), Need.DECIDE: False}),
        ("floor request", o["floor"], lambda who: {**rooms_only(who), Need.DECIDE: False}),
        (
            "join request",
            o["join_request"],
            lambda who: {
                Need.VIEW: room_need(who)[Need.MANAGE] or who == "observer",
                Need.DECIDE: room_need(who)[Need.MANAGE],
                Need.AUTHOR: who == "observer",  # only its author withdraws it
                Need.MANAGE: False,
            },
        ),
    ]
    if access is AccessLevel.CONFIDENTIAL:

        def thread_need(who: str) -> dict[Need, bool]:
            return thread_expected(who, access)

        cases += [
            ("thread", o["thread"], lambda who: thread_expected(who, access, exported=True)),
            ("closed thread", o["closed"], lambda who: thread_expected(who, access, closed=True)),
            (
                "need-to-know thread",
                o["need_to_know"],
                lambda who: thread_expected(who, access, listed={"member", "facilitator"}),
            ),
            (
                "need-to-know thread of one",  # being on another thread's list is no help
                o["chairs_own"],
                lambda who: thread_expected(who, access, listed={"chair"}, author="chair"),
            ),
            (
                "post",
                o["post"],
                lambda who: {
                    n: thread_need(who)[n] for n in (Need.VIEW, Need.TAKE_PART, Need.MANAGE)
                },
            ),
            (
                "attachment",
                o["attachment"],
                lambda who: {
                    n: thread_need(who)[n] for n in (Need.VIEW, Need.TAKE_PART, Need.MANAGE)
                },
            ),
        ]
    wrong = _mismatches(world, cases)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("access", ACCESS, ids=[a.value for a in ACCESS])
def test_authors_reply_in_their_own_threads(db, build, access):
    """Whoever wrote in a thread replies in it while the paper takes comments and its chair
    lets them, if they still see the paper: the former member and the observer here (unless
    they take part anyway, as everyone in an open room); never in another thread, never once
    the paper closes or the chair switches it off."""
    world = build(access)
    people, room = world.people, world.room
    paper = papers.create_paper(
        room,
        people["chair"],
        title="Replies",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First.\n\nSecond.",
    )
    papers.open_for_comments(paper, people["chair"])
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]

    def say(who: str, parent=None) -> Comment:
        person = people[who]
        return papers.post_comment(
            paper, person, paragraph=paragraph, body="-", on_behalf_of=person.delegation.name,
            parent=parent,
        )  # fmt: skip

    thread = say("chair")
    answered = say("ex_member", parent=thread)
    deeper = say("chair", parent=answered)
    own = say("observer")
    other = say("chair")
    db.session.flush()
    for who in ("ex_member", "observer"):
        wrote = {"ex_member": (thread, answered, deeper), "observer": (own,)}[who]
        sees, voice = sees_room(who, access), takes_part(who, access)
        for comment in (thread, answered, deeper, own, other):
            expected = voice or (sees and comment in wrote)
            assert can(Need.REPLY, comment, people[who]) == expected, (who, comment.id)
        assert can(Need.TAKE_PART, paper, people[who]) == voice
    for change in ("off", "deadline", "closed"):
        paper.authors_may_reply = change != "off"
        paper.closes_at = utcnow() - timedelta(minutes=1) if change == "deadline" else None
        paper.status = PaperStatus.CLOSED if change == "closed" else PaperStatus.OPEN
        voice = takes_part("ex_member", access)  # an open room: everyone takes part
        assert can(Need.REPLY, deeper, people["ex_member"]) == voice, change
        assert not can(Need.REPLY, own, people["observer"]), change
        # Those who take part keep their reply (the service says why once it is closed).
        assert can(Need.REPLY, own, people["member"]), change


def _visible_ids(model: type, person) -> set[int]:
    return set(policy.db.session.scalars(select(model.id).where(visible(model, person))))


@pytest.mark.parametrize("access", ACCESS, ids=[a.value for a in ACCESS])
def test_visible_selects_what_can_view_allows(db, build, access):
    world = build(access)
    _content(db, world)
    o = world.objects
    rooms = {world.room, world.other_room}
    listed = {
        Room: rooms,
        Paper: {o["paper"], o["chatham"], o["drafting"], o["elsewhere"]},
        Meeting: {o["meeting"], o["elsewhere_meeting"]},
    }
    if access is AccessLevel.CONFIDENTIAL:
        listed[Thread] = {o["thread"], o["closed"], o["need_to_know"], o["chairs_own"]}
    wrong = []
    for model, objects in listed.items():
        ids = {obj.id for obj in objects}
        for who, person in world.people.items():
            allowed = {obj.id for obj in objects if can(Need.VIEW, obj, person)}
            selected = _visible_ids(model, person) & ids
            if selected != allowed:
                wrong.append(f"{model.__name__} as {who}: visible {selected}, can(VIEW) {allowed}")
    assert not wrong, "\n".join(wrong)
    # The other room is nobody's: only where its access level lets everyone in, or the Secretariat.
    assert (world.other_room.id in _visible_ids(Room, world.people["state_party"])) == (
        access in (AccessLevel.OPEN, AccessLevel.TRANSPARENT, AccessLevel.STATES)
    )


@pytest.mark.parametrize("access", ACCESS, ids=[a.value for a in ACCESS])
def test_an_archived_room_takes_no_part_and_takes_no_requests(db, build, access):
    world = build(access, archived=True)
    wrong = _mismatches(
        world,
        [("archived room", world.room, lambda who: room_expected(who, access, archived=True))],
    )
    assert not wrong, "\n".join(wrong)


def test_threads_outside_a_confidential_room_are_nobodys(db, build, make_room):
    world = build(AccessLevel.MEMBERS)
    make_room(AccessLevel.CONFIDENTIAL)  # one exists elsewhere
    people = world.people
    thread = Thread(
        room_id=world.room.id,
        title="Misplaced",
        marking=Marking.AMBER,
        originating_delegation_id=people["member"].delegation_id,
        created_by_id=people["member"].id,
    )
    db.session.add(thread)
    db.session.flush()
    assert [who for who, person in people.items() if can(Need.VIEW, thread, person)] == []
    assert all(thread.id not in _visible_ids(Thread, person) for person in people.values())


def test_a_late_member_sees_posts_from_when_they_joined(db, build, add_member, make_user):
    world = build(AccessLevel.CONFIDENTIAL)
    member, chair = world.people["member"], world.people["chair"]
    thread = threads.create_thread(
        world.room, member, title="Case", marking=Marking.AMBER, body="Old."
    )
    db.session.flush()
    old = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).one()
    late = make_user()
    membership = add_member(world.room, late, RoomRole.MEMBER)
    membership.started_at = thread.created_at + timedelta(hours=1)
    new = threads.add_post(thread, chair, "New.", [])
    new.created_at = thread.created_at + timedelta(hours=2)
    edge = threads.add_post(thread, chair, "As they joined.", [])
    edge.created_at = membership.started_at
    db.session.flush()
    assert can(Need.VIEW, edge, late)
    assert can(Need.VIEW, thread, late)
    assert not can(Need.VIEW, old, late) and not can(Need.TAKE_PART, old, late)
    assert can(Need.VIEW, new, late) and can(Need.TAKE_PART, new, late)
    assert not can(Need.MANAGE, new, late)
    assert can(Need.VIEW, old, member)
    # From when each sees the thread (None: its whole history), as the thread's page says.
    on_time = make_user()
    add_member(world.room, on_time, RoomRole.MEMBER).started_at = thread.created_at
    db.session.flush()
    assert visible_from(thread, member) is None  # joined before it began
    assert visible_from(thread, on_time) is None  # joined as it began
    assert visible_from(thread, late) == membership.started_at
    assert visible_from(thread, world.people["secretariat"]) is None  # no membership: no date
    # One's row on another thread's list says nothing of this one; another's row on this
    # thread's list says nothing of one's own.
    few = threads.create_thread(
        world.room, member, title="Few", marking=Marking.AMBER, body="x", audience=[late, on_time]
    )
    db.session.flush()
    db.session.scalars(
        select(ThreadParticipant).where(
            ThreadParticipant.thread_id == few.id, ThreadParticipant.user_id == on_time.id
        )
    ).one().sees_from = utcnow() + timedelta(days=1)
    first = db.session.scalars(select(Post).where(Post.thread_id == few.id)).one()
    db.session.flush()
    posts = (old, new, edge, first)
    ids = {p.id for p in posts}
    for person in (late, member, on_time, chair):
        allowed = {p.id for p in posts if can(Need.VIEW, p, person)}
        assert _visible_ids(Post, person) & ids == allowed
    assert not can(Need.VIEW, first, on_time) and can(Need.VIEW, first, late)
    # A need-to-know list's own "from when" counts too.
    db.session.add(
        ThreadParticipant(
            thread_id=thread.id, user_id=chair.id, sees_from=thread.created_at + timedelta(hours=3)
        )
    )
    later = threads.add_post(thread, chair, "After the list's date.", [])
    later.created_at = thread.created_at + timedelta(hours=4)
    thread.is_need_to_know = True
    db.session.flush()
    assert not can(Need.VIEW, new, chair)
    assert can(Need.VIEW, thread, chair)
    # ... in SQL too: from that date on, and not before it.
    assert can(Need.VIEW, later, chair)
    seen = _visible_ids(Post, chair)
    assert later.id in seen and new.id not in seen


# ---- people and delegations ----------------------------------------------------------------


def test_who_may_administer_hand_over_and_grant_history(
    db, fresh_policy, make_user, make_delegation
):
    home = make_delegation(STATE)
    departing = make_user(delegation=home)
    colleague = make_user(delegation=home)
    focal = make_user(delegation=home, is_focal_point=True)
    foreign_focal = make_user(status=STATE, is_focal_point=True)
    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    people = {
        "departing": departing,
        "colleague": colleague,
        "focal": focal,
        "foreign_focal": foreign_focal,
        "secretariat": secretariat,
    }
    expected_for_departing = {
        Need.VIEW: set(people),
        Need.ADMINISTER: {"secretariat"},
        Need.HAND_OVER: {"departing", "focal", "secretariat"},
        Need.GRANT_HISTORY: {"departing", "focal"},
        Need.MANAGE: set(),
    }
    expected_for_delegation = {
        Need.VIEW: set(people),
        Need.ADMINISTER: {"secretariat"},
        Need.HAND_OVER: {"focal", "secretariat"},
        Need.MANAGE: set(),
    }
    for obj, table in ((departing, expected_for_departing), (home, expected_for_delegation)):
        for need, allowed in table.items():
            got = {who for who, person in people.items() if can(need, obj, person)}
            assert got == allowed, f"{type(obj).__name__} {need.value}"


def test_a_signed_in_session_is_its_persons_alone(db, fresh_policy, make_user):
    from consult.accounts.models import SignedInSession

    person = make_user()
    people = {
        "person": person,
        "focal": make_user(delegation=person.delegation, is_focal_point=True),
        "secretariat": make_user(status=DelegationStatus.SECRETARIAT),
    }
    row = SignedInSession(user_id=person.id, key_hash="0" * 64)
    db.session.add(row)
    db.session.flush()
    expected = {
        Need.VIEW: {"person"},
        Need.MANAGE: {"person"},  # end it
        Need.ADMINISTER: set(),
        Need.HAND_OVER: set(),
    }
    for need, allowed in expected.items():
        assert {w for w, p in people.items() if can(need, row, p)} == allowed, need.value


# ---- the core: who acts, deny by default ----------------------------------------------------


def test_nobody_acts_but_an_active_person_of_an_active_delegation(db, make_user, make_room):
    room = make_room(AccessLevel.OPEN)
    person = make_user()
    assert can(Need.VIEW, room, person)
    assert can("view", room, person)  # a Need's value is a Need
    assert policy.acting_user(person) is person
    assert policy.acting_user(AnonymousUserMixin()) is None
    assert policy.acting_user(object()) is None  # nothing that says it is signed in
    assert policy.acting_user() is None  # outside a request: nobody
    assert not can(Need.VIEW, room, AnonymousUserMixin())
    assert not can(Need.VIEW, room)
    assert _visible_ids(Room, AnonymousUserMixin()) == set()
    person.is_active = False
    assert policy.acting_user(person) is None and not can(Need.VIEW, room, person)
    assert _visible_ids(Room, person) == set()
    person.is_active = True
    person.delegation.is_active = False
    assert policy.acting_user(person) is None and not can(Need.VIEW, room, person)


def test_object_less_powers_and_unknown_objects(db, make_user):
    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    person = make_user()
    assert can(Need.ADMINISTER, None, secretariat)
    assert not can(Need.ADMINISTER, None, person)
    assert not can(Need.VIEW, None, secretariat)  # only ADMINISTER needs no object
    assert not can(Need.VIEW, object(), secretariat)  # a type nobody registered: refused
    assert _visible_ids(User, secretariat) == set()  # no filter, no parent: nothing listed

    assert policy.parent_of(object()) is None


def test_the_current_user_is_asked_when_none_is_given(app, db, make_user, make_room):
    room = make_room(AccessLevel.MEMBERS)
    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    person = make_user()
    with app.test_request_context("/"):
        _sign_in(secretariat)
        assert policy.acting_user() == secretariat
        assert can(Need.VIEW, room)
        assert can(Need.ADMINISTER)
        assert room.id in {r.id for r in db.session.scalars(select(Room).where(visible(Room)))}
    with app.test_request_context("/"):
        _sign_in(person)
        assert not can(Need.VIEW, room)
        assert not can(Need.ADMINISTER)


def test_a_protection_parent_hides_what_its_parent_hides(
    db, fresh_policy, make_user, make_room, add_member
):
    shown, hidden = make_room(AccessLevel.OPEN), make_room(AccessLevel.MEMBERS)
    person = make_user()
    member = make_user()
    add_member(hidden, member)
    by_room = {}
    for room in (shown, hidden):
        for title in ("A", "B"):
            meeting = Meeting(
                room_id=room.id,
                title=title,
                kind=MeetingKind.WORKING_GROUP_SESSION,
                mode=MeetingMode.HYBRID,
                starts_at=utcnow(),
                ends_at=utcnow(),
                time_zone="Europe/Zurich",
                created_by_id=member.id,
            )
            db.session.add(meeting)
            by_room[(room.id, title)] = meeting
    db.session.flush()
    ids = {m.id for m in by_room.values()}
    parent = Parent(Meeting.room_id, Room, lambda m: db.session.get(Room, m.room_id))
    # A rule that allows everything, under a parent: the parent's refusal wins.
    policy.add(Meeting, rule=lambda user, need, obj: True, parent=parent)
    assert policy.parent_of(by_room[(hidden.id, "A")]) is hidden
    assert policy.parent_of(shown) is None
    assert can(Need.MANAGE, by_room[(shown.id, "A")], person)
    assert not can(Need.VIEW, by_room[(hidden.id, "A")], person)
    assert can(Need.MANAGE, by_room[(hidden.id, "A")], member)
    assert Meeting in policy.listed_models()
    # A filter of its own, within its parent's.
    policy.add(Meeting, visible=lambda user: true())
    assert _visible_ids(Meeting, person) & ids == {by_room[(shown.id, t)].id for t in "AB"}
    policy.add(Meeting, visible=lambda user: Meeting.title == "A")
    assert _visible_ids(Meeting, person) & ids == {by_room[(shown.id, "A")].id}
    assert _visible_ids(Meeting, member) & ids == {by_room[(r.id, "A")].id for r in (shown, hidden)}
    policy.add(Meeting, visible=lambda user: Meeting.created_by_id == user.id)  # the person's
    assert _visible_ids(Meeting, person) & ids == set()
    assert _visible_ids(Meeting, member) & ids == {m.id for m in by_room.values()}
    # A parent and no filter of its own: visible where the parent is.
    del policy._filters[Meeting]
    assert _visible_ids(Meeting, person) & ids == {by_room[(shown.id, t)].id for t in "AB"}
    assert _visible_ids(Meeting, AnonymousUserMixin()) == set()


def test_the_gate_stands_before_what_is_behind_it(
    app, db, fresh_policy, make_user, make_room, monkeypatch
):
    confidential, open_room = make_room(AccessLevel.CONFIDENTIAL), make_room(AccessLevel.OPEN)
    policy.add(Room, gated=lambda room: room.access is AccessLevel.CONFIDENTIAL)
    policy.add(Paper, parent=Parent(Paper.room_id, Room))
    inside = Paper(room_id=confidential.id)
    outside = Paper(room_id=open_room.id)
    assert policy.is_gated(confidential) and policy.is_gated(inside)
    assert not policy.is_gated(open_room) and not policy.is_gated(outside)
    assert not policy.is_gated(None)

    now = 1_000_000.0
    monkeypatch.setattr(policy.time, "time", lambda: now)
    idle = app.config["CONFIDENTIAL_IDLE_MINUTES"] * 60
    plain = make_user()
    secured = make_user(totp_enabled_at=utcnow(), totp_secret="A" * 32)

    def ask(user, obj=None, **stamps):
        with app.test_request_context("/"):
            if user is not None:
                _sign_in(user)
            session.update(stamps)
            return policy.gate_closed(obj), policy.idle_remaining(), policy.is_fresh()

    assert ask(None, inside, second_factor_at=now) == ("two_factor", 0.0, False)
    assert ask(plain, inside, second_factor_at=now) == ("two_factor", 0.0, False)
    assert ask(plain, outside) == (None, 0.0, False)  # nothing behind the gate: not asked
    assert ask(plain) == ("two_factor", 0.0, False)  # no object: the gate itself is asked
    assert ask(secured, inside) == ("fresh", 0.0, False)  # no stamp at all
    assert ask(secured, inside, second_factor_at=now - 10) == (None, idle - 10, True)
    assert ask(secured, None, confidential_seen=now - 20) == (None, idle - 20, True)
    assert ask(secured, inside, second_factor_at=now - idle - 30, confidential_seen=now - 5) == (
        None,
        idle - 5,
        True,
    )
    assert ask(secured, inside, second_factor_at=now - 5, confidential_seen=now - idle - 30) == (
        None,
        idle - 5,
        True,
    )
    assert ask(secured, inside, second_factor_at=now - idle - 1) == ("fresh", 0.0, False)
    assert ask(secured, inside, second_factor_at=now - idle + 0.5) == (None, 0.5, True)
    assert policy.idle_remaining() == 0.0  # outside a request


# ---- subjects of notifications and activity lines ----------------------------------------


def test_subjects_are_listed_models_and_are_shown_where_they_are_seen(db, build):
    world = build(AccessLevel.OPEN)
    _content(db, world)
    paper, drafting = world.objects["paper"], world.objects["drafting"]
    assert policy.subject_of(None) == (None, None)
    assert policy.subject_of(paper) == ("paper", paper.id)
    with pytest.raises(ValueError, match="User has no visible filter"):
        policy.subject_of(world.people["member"])
    room = world.room
    lines = {}
    for name, (kind, ident) in {
        "room": (None, None),
        "paper": ("paper", paper.id),
        "drafting": ("paper", drafting.id),
        "this room": ("room", room.id),
        "other room": ("room", world.other_room.id),
        "unknown": ("nonsense", paper.id),
    }.items():
        line = RoomActivity(
            room_id=room.id, kind="test", summary=name, subject_type=kind, subject_id=ident
        )
        db.session.add(line)
        lines[name] = line
    db.session.flush()

    def shown(person) -> set[str]:
        clause = policy.visible_subject(RoomActivity.subject_type, RoomActivity.subject_id, person)
        ids = set(db.session.scalars(select(RoomActivity.id).where(clause)))
        return {name for name, line in lines.items() if line.id in ids}

    assert shown(world.people["member"]) == {"room", "paper", "this room", "other room"}
    assert shown(world.people["chair"]) == {"room", "paper", "drafting", "this room", "other room"}
    assert shown(AnonymousUserMixin()) == set()


# ---- loading in views ------------------------------------------------------------------------


def test_load_answers_404_for_the_unseen_and_403_for_the_refused(
    app, db, make_user, make_room, add_member
):
    room = make_room(AccessLevel.OPEN)
    hidden = make_room(AccessLevel.MEMBERS)
    person = make_user()
    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    with app.test_request_context("/"):
        _sign_in(person)
        assert policy.load(Room, room.id) is room
        assert policy.load(Room, str(room.id)) is room
        assert policy.load(Room, room.slug, by="slug") is room
        assert policy.load(Room, room.id, Need.TAKE_PART) is room
        assert policy.authorise(room) is room
        for ident in ("abc", f"0{room.id}", "0", str(2**63), "99999999"):
            with pytest.raises(NotFound):
                policy.load(Room, ident)
        with pytest.raises(NotFound):
            policy.load(Room, "no-such-room", by="slug")
        with pytest.raises(NotFound):
            policy.load(Room, hidden.id)
        with pytest.raises(NotFound):
            policy.load(Room, hidden.slug, Need.MANAGE, by="slug")
        with pytest.raises(Forbidden):
            policy.load(Room, room.id, Need.MANAGE)
        with pytest.raises(Forbidden):
            policy.authorise(room, "manage")
        with pytest.raises(NotFound):
            policy.require(Need.ADMINISTER)
    with app.test_request_context("/"):
        _sign_in(secretariat)
        assert policy.load(Room, hidden.id, Need.MANAGE) is hidden
        assert policy.authorise(hidden, Need.MANAGE) is hidden
        assert policy.require(Need.ADMINISTER) is None


def test_every_endpoint_is_declared_and_the_guard_refuses_the_rest(app, caplog):
    bare = Flask(__name__)
    bare.before_request(policy.guard_request)

    def shown(name: str = "world", *, greeting: str = "hello"):
        return f"{greeting} {name}"

    opened = handler(public=True)(lambda: "open")
    kept = handler()(shown)
    assert opened._access == "public" and kept._access == "protected"
    assert kept.__name__ == "shown" and kept.__wrapped__ is shown
    bare.add_url_rule("/open", "opened", opened)
    bare.add_url_rule("/kept", "kept", kept)
    bare.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    bare.add_url_rule("/also", "also_forgotten", lambda: "secret")
    assert policy.endpoint_access(bare, "static") == "public"
    assert policy.endpoint_access(bare, "opened") == "public"
    assert policy.endpoint_access(bare, "kept") == "protected"
    assert policy.endpoint_access(bare, "forgotten") is None
    assert policy.endpoint_access(bare, "no-such-endpoint") is None
    assert policy.undeclared_endpoints(bare) == ["also_forgotten", "forgotten"]
    client = bare.test_client()
    assert client.get("/open").status_code == 200
    with caplog.at_level("ERROR"):
        assert client.get("/forgotten").status_code == 404
    assert "undeclared endpoint refused: forgotten" in caplog.messages
    assert client.post("/open").status_code == 405  # no route matched: Flask's own answer
    assert client.get("/nowhere").status_code == 404
    # protected: anyone not signed in goes to sign in; a person reaches the view.
    with app.test_request_context("/"):
        assert handler()(shown)().status_code == 302
    assert policy.undeclared_endpoints(app) == []


def test_protected_lets_a_person_through(app, db, make_user):
    person = make_user()

    def view(name, *, greeting):
        return f"{greeting} {name}"

    with app.test_request_context("/"):
        _sign_in(person)
        assert handler()(view)(name="you", greeting="hi") == "hi you"


# ---- room roles, cached per request -----------------------------------------------------


def test_room_roles_are_the_strongest_current_and_cached_until_forgotten(
    app, db, make_user, make_room, add_member, count_queries
):
    from consult.rooms.policy import forget_room_roles, room_roles

    room, other = make_room(), make_room()
    person = make_user()
    add_member(room, person.delegation, RoomRole.OBSERVER)
    add_member(room, person, RoomRole.CHAIR)
    add_member(other, person, RoomRole.FACILITATOR)
    add_member(other, person.delegation, RoomRole.MEMBER)
    ended = add_member(make_room(), person, RoomRole.CHAIR)
    ended.ended_at = utcnow()
    db.session.flush()
    with app.test_request_context("/"):
        assert room_roles(person) == {room.id: RoomRole.CHAIR, other.id: RoomRole.FACILITATOR}
        with count_queries() as statements:
            assert room_roles(person)[room.id] is RoomRole.CHAIR
        assert statements == []  # asked once per request
        third = make_room()
        add_member(third, person, RoomRole.MEMBER)
        assert third.id not in room_roles(person)
        forget_room_roles()
        forget_room_roles()  # twice is harmless
        assert room_roles(person)[third.id] is RoomRole.MEMBER
        assert "_room_roles" in g


def test_named_members_who_may_post_and_who_chair(db, build):
    from consult.threads.policy import forum_of, personal_room_ids

    def may_post_in_room(person, room) -> bool:
        return can(Need.TAKE_PART, forum_of(room), person)

    world = build(AccessLevel.CONFIDENTIAL)
    room = world.room
    posting = {who for who, person in world.people.items() if may_post_in_room(person, room)}
    assert posting == {"member", "chair", "facilitator"}
    chairing = {
        who
        for who, person in world.people.items()
        if room.id in set(db.session.scalars(personal_room_ids(person, managing=True)))
    }
    assert chairing == {"chair", "facilitator"}
    named = {
        who
        for who, person in world.people.items()
        if room.id in set(db.session.scalars(personal_room_ids(person)))
    }
    assert named == NAMED | {"org_member"}  # the room's; from a State is asked elsewhere
    members_room = build(AccessLevel.MEMBERS).room
    assert not may_post_in_room(world.people["member"], members_room)


def test_a_named_member_of_one_confidential_room_is_not_one_of_another(
    db, build, make_user, add_member
):
    from consult.threads.policy import forum_of

    world = build(AccessLevel.CONFIDENTIAL)
    elsewhere = world.other_room
    author = make_user()
    add_member(elsewhere, author, RoomRole.MEMBER)
    thread = threads.create_thread(
        elsewhere, author, title="There", marking=Marking.AMBER, body="x"
    )
    db.session.flush()
    member = world.people["member"]
    assert not can(Need.VIEW, thread, member)
    assert not can(Need.VIEW, forum_of(elsewhere), member)  # the forum has no parent to ask
    assert thread.id not in _visible_ids(Thread, member)
    assert can(Need.VIEW, thread, author)


# ---- trend briefs, the forum and the gate ------------------------------------------------

# A brief's named managers: a personal chair or facilitator of the confidential room (a
# delegation's chairing, or a personal observer whose delegation chairs, does not count).
BRIEF_MANAGERS = {"chair", "facilitator"}


def brief_expected(who: str, status: BriefStatus) -> dict[Need, bool]:
    seen = who in (BRIEF_MANAGERS if status is BriefStatus.DRAFT else NAMED)
    return {
        Need.VIEW: seen,
        Need.MANAGE: seen and who in BRIEF_MANAGERS,
        Need.TAKE_PART: seen and who == "member",  # object on behalf of one's delegation
        Need.ORIGINATE: False,
        Need.AUTHOR: False,
    }


def forum_expected(who: str) -> dict[Need, bool]:
    named = who in NAMED
    return {
        Need.VIEW: named,
        Need.TAKE_PART: named and who in ("member", "chair", "facilitator"),
        Need.MANAGE: named and who in BRIEF_MANAGERS,
        Need.ORIGINATE: False,
    }


def test_trend_briefs_draft_pending_published_and_the_forum(db, build, make_room):
    from consult.briefs import policy as brief_policy
    from consult.briefs import services as briefs
    from consult.threads.policy import forum_of

    world = build(AccessLevel.CONFIDENTIAL)
    room, chair = world.room, world.people["chair"]
    by_status = {}
    for status in BriefStatus:
        brief = briefs.draft(room, chair, f"A {status.value} brief.")
        brief.status = status
        by_status[status] = brief
    target = make_room(AccessLevel.OPEN)
    published = PublishedBrief(room_id=target.id, body="Published.")
    members_only = PublishedBrief(room_id=make_room(AccessLevel.MEMBERS).id, body="Kept.")
    db.session.add_all([published, members_only])
    db.session.flush()

    cases = [
        (f"{status.value} brief", brief, lambda who, s=status: brief_expected(who, s))
        for status, brief in by_status.items()
    ]
    cases += [
        ("forum", forum_of(room), forum_expected),
        (
            "published brief",  # whoever sees its (open) room reads it; nobody acts on it
            published,
            lambda who: {Need.VIEW: True, Need.MANAGE: False, Need.TAKE_PART: False},
        ),
        (
            "brief published in a room of nobody's",  # its room's: the Secretariat sees it
            members_only,
            lambda who: {Need.VIEW: who == "secretariat", Need.MANAGE: False},
        ),
    ]
    wrong = _mismatches(world, cases)
    assert not wrong, "\n".join(wrong)
    assert {w for w, p in world.people.items() if brief_policy.manages(p, room)} == BRIEF_MANAGERS
    ids = {brief.id for brief in by_status.values()}
    for who, person in world.people.items():
        allowed = {b.id for b in by_status.values() if can(Need.VIEW, b, person)}
        assert _visible_ids(TrendBrief, person) & ids == allowed, who
        assert _visible_ids(PublishedBrief, person) & {published.id, members_only.id} == {
            b.id for b in (published, members_only) if can(Need.VIEW, b, person)
        }, who


def test_what_is_behind_the_confidential_gate(db, build, monkeypatch):
    from consult.briefs import services as briefs
    from consult.threads.policy import forum_of

    world = build(AccessLevel.CONFIDENTIAL)
    _content(db, world)
    o = world.objects
    brief = briefs.draft(world.room, world.people["chair"], "A brief.")
    published = PublishedBrief(room_id=world.room.id, body="Published.")
    behind = {
        "forum": forum_of(world.room),
        "thread": o["thread"],
        "post": o["post"],
        "attachment": o["attachment"],
        "trend brief": brief,
    }
    assert [name for name, obj in behind.items() if not policy.is_gated(obj)] == []
    open_world = build(AccessLevel.OPEN)
    _content(db, open_world)
    assert not policy.is_gated(open_world.objects["paper"])
    assert not policy.is_gated(open_world.objects["comment"])
    # Each is behind the gate by its own declaration, not only through its parent's.
    monkeypatch.setattr(policy, "_parents", {})
    assert [name for name, obj in behind.items() if not policy.is_gated(obj)] == []
    assert not policy.is_gated(published)


def test_a_threads_room_is_its_protection_parent(db, build, monkeypatch):
    from consult.briefs import services as briefs

    world = build(AccessLevel.CONFIDENTIAL)
    _content(db, world)
    o = world.objects
    o["brief"] = briefs.draft(world.room, world.people["chair"], "A brief.")
    o["brief"].status = BriefStatus.PENDING
    assert policy.parent_of(o["brief"]) is world.room
    member = world.people["member"]
    assert policy.parent_of(o["thread"]) is world.room
    assert policy.parent_of(o["post"]) is o["thread"]
    assert policy.parent_of(o["attachment"]) is o["post"]
    assert can(Need.VIEW, o["thread"], member)
    # Were the room to refuse its named member, its threads would refuse them too.
    monkeypatch.setitem(policy._rules, Room, lambda user, need, room: False)
    monkeypatch.setitem(policy._filters, Room, lambda user: false())
    for name in ("thread", "post", "attachment", "brief"):
        assert not can(Need.VIEW, o[name], member), name
    assert o["thread"].id not in _visible_ids(Thread, member)
    assert o["brief"].id not in _visible_ids(TrendBrief, member)
    assert o["post"].id not in _visible_ids(Post, member)


# A parent key that is not set is not looked up (SQLAlchemy warns now, and means to raise).
@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
def test_only_a_comments_author_has_the_authors_powers(db, build, make_user):
    world = build(AccessLevel.OPEN)
    _content(db, world)
    comment = world.objects["comment"]
    chair = world.people["chair"]
    colleague = make_user(delegation=chair.delegation)
    assert comment.author_id == chair.id
    assert can(Need.AUTHOR, comment, chair)
    assert can(Need.VIEW, comment, colleague) and not can(Need.AUTHOR, comment, colleague)
    assert not can(Need.AUTHOR, comment, world.people["secretariat"])
    # A comment that belongs to no paper is nobody's, not even its author's.
    orphan = Comment(author_id=chair.id, body="Lost.")
    assert not any(can(need, orphan, chair) for need in (Need.VIEW, Need.AUTHOR))
    assert not can(Need.VIEW, orphan, world.people["secretariat"])


def test_a_missing_stamp_is_no_stamp_whatever_the_clock(app, db, make_user, monkeypatch):
    idle = app.config["CONFIDENTIAL_IDLE_MINUTES"] * 60
    monkeypatch.setattr(policy.time, "time", lambda: float(idle))  # idle time past the epoch
    secured = make_user(totp_enabled_at=utcnow(), totp_secret="A" * 32)
    with app.test_request_context("/"):
        _sign_in(secured)
        assert policy.idle_remaining() == 0.0 and not policy.is_fresh()
        session["confidential_seen"] = 0.5
        assert policy.idle_remaining() == 0.5
