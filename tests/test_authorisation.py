"""The access policy as a table: every endpoint x every role -> what they get.

Outcomes: "ok" (the action runs or answers its form: 200, 204, 302/303 elsewhere than the
sign-in page, 410 for a dead link, 422 for an empty form), "signin" (anonymous: sent to sign in),
403 (may see, may not act), 404 (may not know it exists).

A test below walks app.url_map and fails on any endpoint missing from this table, so a new
route cannot ship without its row.
"""

from __future__ import annotations

import re
import time
import tomllib
import zlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import select
from sqlalchemy.orm import scoped_session, sessionmaker

from consult import policy
from consult.accounts.models import DelegationStatus
from consult.briefs import services as briefs
from consult.extensions import db as _db
from consult.handlers import handler
from consult.meetings import services as meetings
from consult.meetings.models import ItemState, MeetingKind, MeetingMode
from consult.papers import services as papers
from consult.papers.models import PaperKind
from consult.rooms.models import AccessLevel, JoinRequest, RoomRole
from consult.threads import services as threads
from consult.threads.models import Attachment, Marking
from consult.timeutil import utcnow

ROLES = [
    "anonymous",
    "observer_org",
    "observer_state",
    "signatory",
    "state_party",
    "room_member",
    "room_chair",
    "secretariat",
]
SIGNED_IN = ROLES[1:]
ACCESS = list(AccessLevel)

# Who may see a room of each access level (the spec, written out by hand).
SEES = {
    AccessLevel.OPEN: set(SIGNED_IN),
    AccessLevel.TRANSPARENT: set(SIGNED_IN),
    AccessLevel.STATES: {"signatory", "state_party", "room_member", "room_chair", "secretariat"},
    AccessLevel.MEMBERS: {"room_member", "room_chair", "secretariat"},
    AccessLevel.CONFIDENTIAL: {"room_member", "room_chair", "secretariat"},
}
TAKES_PART = {
    AccessLevel.OPEN: set(SIGNED_IN),
    AccessLevel.TRANSPARENT: {"room_member", "room_chair", "secretariat"},
    AccessLevel.STATES: {"signatory", "state_party", "room_member", "room_chair", "secretariat"},
    AccessLevel.MEMBERS: {"room_member", "room_chair", "secretariat"},
    AccessLevel.CONFIDENTIAL: {"room_member", "room_chair"},
}
MANAGES = {"room_chair", "secretariat"}


def may_request_join(role: str, access: AccessLevel) -> bool:
    return role in SEES[access] and role not in TAKES_PART[access] and role != "secretariat"


@dataclass
class World:
    users: dict
    room: object
    member_membership: object
    join_request: object
    handover_target: object
    paper: object = None
    comment: object = None
    key: str = ""
    meeting: object = None
    item: object = None
    floor: object = None
    thread_id: int = 999_999
    attachment_id: int = 999_999
    brief_id: int = 999_999
    statement_id: int = 999_999
    term_id: int = 999_999
    questionnaire_id: int = 999_999
    question_id: int = 999_999
    questionnaire_response_id: int = 999_999
    case_study_id: int = 999_999
    assistance: dict | None = None
    screen_token: str = ""
    screen_link_id: int = 999_999
    programme_session_id: int = 999_999
    procedure_id: int = 999_999


@pytest.fixture(scope="module")
def _module_transaction(app):
    """One connection and transaction for this module's tests: each access level's world is
    built in it once (about fifty rows; building it per case was two thirds of the table's
    time), and every case runs in a savepoint rolled back after it, so no case sees another's
    writes."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        try:
            yield connection, {}
        finally:
            outer.rollback()
            connection.close()


@pytest.fixture
def db(app, _module_transaction):
    """This module's `db` (in place of conftest's): the module's connection, a session per
    test whose commits are savepoints, discarded with it."""
    connection, _worlds = _module_transaction
    with app.app_context():
        original = _db.session
        _db.session = scoped_session(
            sessionmaker(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            ),
            scopefunc=_app_ctx_id,
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original


@pytest.fixture
def world(db, make_delegation, make_user, make_room, add_member, request, _module_transaction):
    """The access level's world, built once per module, and a savepoint for this case."""
    connection, worlds = _module_transaction
    access = request.param
    if access not in worlds:
        worlds[access] = build_world(db, make_delegation, make_user, make_room, add_member, access)
        db.session.commit()  # the session's savepoint, released into the module's transaction
    case = connection.begin_nested()
    try:
        yield worlds[access]
    finally:
        db.session.remove()
        case.rollback()


def build_world(db, make_delegation, make_user, make_room, add_member, access) -> World:
    statuses = {
        "observer_org": DelegationStatus.CIVIL_SOCIETY,
        "observer_state": DelegationStatus.OBSERVER_STATE,
        "signatory": DelegationStatus.SIGNATORY,
        "state_party": DelegationStatus.STATE_PARTY,
        "room_member": DelegationStatus.STATE_PARTY,
        "room_chair": DelegationStatus.STATE_PARTY,
        "secretariat": DelegationStatus.SECRETARIAT,
    }
    users = {role: make_user(status=status) for role, status in statuses.items()}
    room = make_room(access)
    add_member(room, users["room_chair"], RoomRole.CHAIR)
    member_membership = add_member(room, users["room_member"], RoomRole.MEMBER)
    requester = make_user(status=DelegationStatus.STATE_PARTY)
    join_request = JoinRequest(room_id=room.id, user_id=requester.id)
    db.session.add(join_request)
    handover_target = make_user(delegation=users["state_party"].delegation)
    db.session.flush()
    paper = papers.create_paper(
        room,
        users["room_chair"],
        title="Draft",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First.\n\nSecond.",
    )
    papers.open_for_comments(paper, users["room_chair"])
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    comment = papers.post_comment(
        paper,
        users["room_member"],
        paragraph=paragraph,
        body="Hm.",
        on_behalf_of=users["room_member"].delegation.name,
    )
    db.session.flush()
    chair = users["room_chair"]
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
    floor = meetings.inscribe(item, chair, users["room_member"].delegation)
    db.session.flush()
    world = World(
        users,
        room,
        member_membership,
        join_request,
        handover_target,
        paper,
        comment,
        paragraph.key,
        meeting,
        item,
        floor,
    )
    if access is AccessLevel.CONFIDENTIAL:
        # Confidential rooms ask for two-factor sign-in: everyone here has it.
        for user in users.values():
            user.totp_enabled_at, user.totp_secret = utcnow(), "A" * 32
        thread = threads.create_thread(
            room, users["room_member"], title="Case", marking=Marking.AMBER, body="Details."
        )
        post = threads.add_post(thread, users["room_member"], "File.", [("a.txt", b"x")])
        db.session.flush()
        world.thread_id = thread.id
        world.attachment_id = (
            db.session.scalars(select(Attachment).where(Attachment.post_id == post.id)).one().id
        )
        brief = briefs.draft(room, users["room_chair"], "Trends in transit.")
        briefs.submit(brief, users["room_chair"], 14, set())  # open to objections
        db.session.flush()
        world.brief_id = brief.id
    _discussions_world(world, db)
    _contributions_world(world)
    _exchange_drafts_world(world)
    _groups_world(world, make_user, add_member)
    _world_statement(world)
    _world_taxonomy(world)
    _world_questionnaires(world)
    _world_procedure(world)
    _world_case_studies(world)
    _world_assistance(world)
    _world_screen(world)
    _world_documents(world)
    _world_programme(world)
    return world


def _world_documents(world: World) -> None:
    """A file the chair attached to the world's item (circulated to everyone who sees it)."""
    from consult.meetings import documents

    document = documents.attach_file(
        world.item, world.users["room_chair"], title="Annex", filename="annex.pdf", data=b"%PDF"
    )
    world.document_id = document.id


def _discussions_world(world: World, db) -> None:
    """A topic (with a reply by the room member, and its file) in every room that is not
    confidential; ids that name nothing in a confidential one."""
    from consult.discussions import services as discussions
    from consult.discussions.models import TopicAttachment

    world.topic_id = world.topic_post_id = world.topic_attachment_id = 999_999
    if world.room.access is AccessLevel.CONFIDENTIAL:
        return
    users = world.users
    topic = discussions.start_topic(world.room, users["room_chair"], "Topic", "Opening.")
    post = discussions.post_reply(
        topic, users["room_member"], "Reply.", attachments=[("a.txt", b"x")]
    )
    db.session.flush()
    world.topic_id, world.topic_post_id = topic.id, post.id
    world.topic_attachment_id = db.session.scalars(
        select(TopicAttachment.id).where(TopicAttachment.post_id == post.id)
    ).one()


def _contributions_world(world: World) -> None:
    """A national contribution submitted by the room member's delegation (a State Party),
    with the state_party role's delegation invited to co-sponsor it."""
    from consult.extensions import db
    from consult.papers import contributions

    world.contribution = contributions.submit_contribution(
        world.room,
        world.users["room_member"],
        title="National paper",
        source="Our practice.",
        cosponsor_ids=[world.users["state_party"].delegation_id],
    )
    db.session.flush()


def _exchange_drafts_world(world: World) -> None:
    """A draft of the room member's delegation on the paper, and a small group under the room
    opened by its chair (issue #12, delegation drafts and small groups)."""
    from consult.delegation_drafts import services as delegation_drafts
    from consult.extensions import db
    from consult.small_groups import services as small_groups

    draft = delegation_drafts.save_new(
        "paper_comment", world.paper, world.key, world.users["room_member"], "Ours.", {}
    )
    small_group = small_groups.create_small_group(
        world.room,
        world.users["room_chair"],
        title="Friends of the chair",
        description="",
        delegation_ids=[],
        user_ids=[],
    )
    db.session.flush()
    world.delegation_draft_id = draft.id
    world.small_group_id = small_group.id


def _groups_world(world, make_user, add_member) -> None:
    """A group (the room's chair coordinates it) with the room member's comment on its behalf
    and a floor request of another member, both pending its confirmation; a defined group."""
    from consult.extensions import db
    from consult.groups.models import Group, GroupKind, GroupMember
    from consult.meetings.models import FloorKind, Presence

    users = world.users
    speaker = make_user(status=DelegationStatus.STATE_PARTY)
    add_member(world.room, speaker, RoomRole.MEMBER)
    group = Group(
        name=f"Group of {world.room.slug}",
        slug=f"group-{world.room.slug}",
        kind=GroupKind.DEFINED,
        coordinator_id=users["room_chair"].delegation_id,
    )
    db.session.add(group)
    db.session.flush()
    for user in (users["room_member"], users["room_chair"], speaker):
        db.session.add(GroupMember(group_id=group.id, delegation_id=user.delegation_id))
    paragraph = papers.paragraphs_of(papers.current_revision(world.paper))[0]
    world.pending_comment = papers.post_comment(
        world.paper,
        users["room_member"],
        paragraph=paragraph,
        body="For the group.",
        on_behalf_of=f"group-{group.id}",
    )
    world.pending_floor = meetings.request_floor(
        world.item,
        speaker,
        kind=FloorKind.STATEMENT,
        presence=Presence.REMOTE,
        on_behalf_of=f"group-{group.id}",
    )
    world.group = group
    db.session.flush()


def _world_taxonomy(world: World) -> None:
    """A seeded sub-topic (in the middle of its stage, so it moves either way), tagging the
    world's paper."""
    from consult.taxonomy import services as taxonomy

    term = taxonomy.by_slug("post-shipment-verification")
    taxonomy.set_tags(world.paper, [term])
    world.term_id = term.id


def _world_statement(world: World) -> None:
    """A group statement in the world's room (no Group: its member delegations are the
    room's), asked for agreement."""
    from consult.statements import services as statements

    statement = statements.open_statement(
        world.room, world.users["room_chair"], title="Statement", source="We agree."
    )
    statements.ask_agreement(statement, world.users["room_chair"], utcnow() + timedelta(days=1))
    world.statement_id = statement.id


def _world_questionnaires(world: World) -> None:
    """A questionnaire the room's chair issued (one question, answers shared with the room,
    attributed), answered and submitted by the room member's delegation (no focal point)."""
    from consult.extensions import db
    from consult.questionnaires import services as questionnaires

    chair = world.users["room_chair"]
    questionnaire = questionnaires.create(
        world.room,
        chair,
        title="Practice",
        introduction="",
        closes_at=utcnow() + timedelta(days=7),
        is_shared_with_room=True,
        attribution="attributed",
    )
    question = questionnaires.add_question(questionnaire, chair, "How?")
    questionnaires.issue(questionnaire, chair)
    response = questionnaires.submit(
        questionnaire, world.users["room_member"], seen=None, answers={question.id: "Thus."}
    )
    db.session.flush()
    world.questionnaire_id, world.question_id = questionnaire.id, question.id
    world.questionnaire_response_id = response.id


def _unsubscribe_token(user_id: int, kind: str) -> str:
    from consult.notifications import mailing

    return mailing.unsubscribe_token(user_id, kind)


def _world_procedure(world: World) -> None:
    """A draft decision the room's chair circulated under the silence procedure (open)."""
    from consult.procedures import services as procedures
    from consult.procedures.models import ProcedureMode

    procedure = procedures.circulate(
        world.room,
        world.users["room_chair"],
        title="Venue",
        text="Geneva.",
        paper_id=None,
        note="",
        mode=ProcedureMode.SILENCE,
        quorum=None,
        closes_at=utcnow() + timedelta(days=3),
    )
    world.procedure_id = procedure.id


def _world_case_studies(world: World) -> None:
    """An unattributed case study submitted by the room member's delegation, waiting for
    review (none in a confidential room: an id that names nothing)."""
    from consult.case_studies import services as case_studies

    world.case_study_id = 999_999
    if world.room.access is AccessLevel.CONFIDENTIAL:
        return
    sections = dict.fromkeys(
        ("context", "challenge", "measures", "agencies", "result", "lessons"), "Text."
    )
    draft = case_studies.Draft(title="Case study", sections=sections, is_attributed=False)
    world.case_study_id = case_studies.submit(world.room, world.users["room_member"], draft).id
    _db.session.flush()  # its notification too: a read must not find it waiting to be written


def _world_assistance(world: World) -> None:
    """Needs and assistance: a private request of the room member's delegation shared with the
    state_party's; an open offer of the room chair's delegation; an open request of the room
    member's delegation matched with it; a call of the Voluntary Trust Fund."""
    from consult.assistance import services as assistance
    from consult.extensions import db
    from consult.taxonomy import services as taxonomy
    from consult.taxonomy.forms import ChosenTags

    users = world.users
    stage = ChosenTags([taxonomy.by_slug("national-control-list")], [], [])
    fields = dict(title="Help", description="Needed.", kinds=["training"], tags=stage)
    private = assistance.file_request(users["room_member"], visibility="private", **fields)
    assistance.share(private, users["secretariat"], users["state_party"].delegation_id)
    offer = assistance.post_offer(users["room_chair"], visibility="open", **fields)
    matched = assistance.file_request(users["room_member"], visibility="open", **fields)
    assistance.match(matched, users["secretariat"], [offer.id])
    call = assistance.record_call(
        users["secretariat"],
        title="Call",
        opens_on=utcnow().date(),
        deadline_on=utcnow().date() + timedelta(days=30),
        link="",
        notes="",
    )
    db.session.flush()
    world.assistance = {"private": private.id, "matched": matched.id, "offer": offer.id}
    world.assistance["call"] = call.id


def _world_screen(world: World) -> None:
    """A screen link of the world's meeting, made by its chair (its token kept for the rows)."""
    from consult.meetings import screens

    if world.room.access is AccessLevel.CONFIDENTIAL:
        # None can be made there; a revoked one from before (revoking it again: 422).
        from consult.extensions import db
        from consult.meetings.models import ScreenLink

        link = ScreenLink(meeting_id=world.meeting.id, token_hash="0" * 64, revoked_at=utcnow())
        db.session.add(link)
        db.session.flush()
        world.screen_token, world.screen_link_id = "not-a-token", link.id
        return
    world.screen_token = screens.new_link(world.meeting, world.users["room_chair"], "Screen")
    world.screen_link_id = screens.link_for(world.screen_token).id


def _world_programme(world: World) -> None:
    """A session of the meeting's programme of work (its first day, an hour after it starts)."""
    from consult.meetings import programme

    meeting = world.meeting
    session = programme.add_session(
        meeting,
        world.users["room_chair"],
        body="WGETI",
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + timedelta(minutes=5),
    )
    _db.session.flush()  # its audit line too: a request that only reads must find nothing to write
    world.programme_session_id = session.id


# endpoint -> (method, url builder, rule) where rule(role, access) gives the expected outcome.
def _room_rule(need_set):
    def expected(role, access):
        if role == "anonymous":
            return "signin"
        if role not in SEES[access]:
            return 404
        return "ok" if need_set(role, access) else 403

    return per_room(expected)


def per_room(rule):
    """Mark an expected outcome that depends on the room's access level: its endpoint is
    checked at every level (the others once, with the open room)."""
    rule.per_room = True
    return rule


VIEW = _room_rule(lambda role, access: True)
TAKE_PART = _room_rule(lambda role, access: role in TAKES_PART[access])
AUTHOR = _room_rule(lambda role, access: role == "room_member")  # the comment's author
MANAGE = _room_rule(lambda role, access: role in MANAGES)
REQUEST_JOIN = _room_rule(may_request_join)
# A position on a group statement: people of its member delegations who take part in the room.
STATEMENT_POSITION = _room_rule(
    lambda role, access: role in ("room_member", "room_chair") and role in TAKES_PART[access]
)


def _thread_rule(members_get):
    """Threads live in confidential rooms; only its named members know they exist."""

    def expected(role, access):
        if role == "anonymous":
            return "signin"
        if access is not AccessLevel.CONFIDENTIAL or role not in ("room_member", "room_chair"):
            return 404
        return members_get(role)

    return expected


THREAD_VIEW = _thread_rule(lambda role: "ok")
THREAD_ORIGINATE = _thread_rule(lambda role: "ok" if role == "room_member" else 403)
THREAD_MANAGE = _thread_rule(lambda role: "ok" if role == "room_chair" else 403)
THREAD_EXPORT = _thread_rule(lambda role: 403)  # exports are off until the originator allows
BRIEF_OBJECT = _thread_rule(lambda role: "ok" if role == "room_member" else 403)  # not the chair


def SIGNED_IN_ONLY(role, access):  # noqa: N802 - reads as a constant in the table
    return "signin" if role == "anonymous" else "ok"


def PUBLIC(role, access):  # noqa: N802
    return "ok"


def DELEGATION_COLLEAGUE(role, access):  # noqa: N802 - the draft's delegation only
    if role == "anonymous":
        return "signin"
    return "ok" if role == "room_member" else 404


def SECRETARIAT_ONLY(role, access):  # noqa: N802
    if role == "anonymous":
        return "signin"
    return "ok" if role == "secretariat" else 404


def DECIDE(role, access):  # noqa: N802
    # The join request is seen by the room's managers (and its author, not a role here).
    if role == "anonymous":
        return "signin"
    return "ok" if role in MANAGES and role in SEES[access] else 404


def WITHDRAW(role, access):  # noqa: N802
    if role == "anonymous":
        return "signin"
    return 403 if role in MANAGES and role in SEES[access] else 404


def HAND_OVER(role, access):  # noqa: N802
    if role == "anonymous":
        return "signin"
    return "ok" if role == "secretariat" else 403


def GRANT_HISTORY(role, access):  # noqa: N802
    # Only the person's own delegation (its focal point, or the person) grants their
    # confidential history; nobody here is either, and the Secretariat never is.
    return "signin" if role == "anonymous" else 403


@per_room
def OWN_NOTIFICATION(role, access):  # noqa: N802 - the room member's own notification
    if role == "anonymous":
        return "signin"
    return "ok" if role == "room_member" else 404


def _own_notification(world: World) -> int:
    from consult.notifications.models import Notification

    return _db.session.scalar(
        select(Notification.id).where(Notification.user_id == world.users["room_member"].id)
    )


def _discussion_rule(rule):
    """Discussions follow their room's rule, except that confidential rooms have none."""

    def expected(role, access):
        if role != "anonymous" and access is AccessLevel.CONFIDENTIAL:
            return 404
        return rule(role, access)

    return expected


DISCUSSION_VIEW = _discussion_rule(VIEW)
DISCUSSION_TAKE_PART = _discussion_rule(TAKE_PART)
DISCUSSION_MANAGE = _discussion_rule(MANAGE)
DISCUSSION_AUTHOR = _discussion_rule(AUTHOR)  # the world's post is the room member's


def _contribution_rule(role: str, access: AccessLevel, allowed: set[str]):
    """A submitted contribution is seen by its delegation (room_member), the invited
    co-sponsor (state_party, where it sees the room), the chair and the Secretariat."""
    if role == "anonymous":
        return "signin"
    circle = {"room_member", "room_chair", "secretariat", "state_party"} & SEES[access]
    if role not in circle:
        return 404
    return "ok" if role in allowed else 403


ENDPOINTS = {
    "static": ("GET", lambda w: "/static/vendor/VERSIONS", PUBLIC),
    "core.health": ("GET", lambda w: "/health", PUBLIC),
    "core.dashboard": ("GET", lambda w: "/", SIGNED_IN_ONLY),
    # The language switch works before sign-in too (an empty form: English, back to "/").
    "core.switch_language": ("POST", lambda w: "/language", PUBLIC),
    "accounts.sign_in": ("GET", lambda w: "/sign-in", PUBLIC),
    # Without a password step first, the second step sends people back to sign in.
    "accounts.second_factor": ("GET", lambda w: "/sign-in/two-factor", SIGNED_IN_ONLY),
    "accounts.forgot_password": ("GET", lambda w: "/password/forgot", PUBLIC),
    "accounts.reset_password": ("GET", lambda w: "/password/reset/not-a-token", PUBLIC),
    "accounts.accept_invitation": ("GET", lambda w: "/invitation/not-a-token", PUBLIC),
    # Signing out ends on the sign-in page, for everyone.
    "accounts.sign_out": ("POST", lambda w: "/sign-out", lambda role, access: "signin"),
    "accounts.profile": ("GET", lambda w: "/profile", SIGNED_IN_ONLY),
    "accounts.change_password": ("POST", lambda w: "/profile/password", SIGNED_IN_ONLY),
    "accounts.two_factor_setup": ("GET", lambda w: "/profile/two-factor", SIGNED_IN_ONLY),
    "accounts.two_factor_disable": (
        "POST",
        lambda w: "/profile/two-factor/disable",
        SIGNED_IN_ONLY,
    ),
    "accounts.recovery_codes_renew": (
        "POST",
        lambda w: "/profile/two-factor/recovery-codes",
        lambda role, access: "signin" if role == "anonymous" else 404,
    ),  # nobody here has two-factor turned on
    "accounts.handover": ("GET", lambda w: f"/people/{w.handover_target.id}/handover", HAND_OVER),
    "accounts.delegation_page": (
        "GET",
        lambda w: f"/delegations/{w.handover_target.delegation_id}/people",
        HAND_OVER,
    ),
    "threads.grant_predecessor_history": (
        "GET",
        lambda w: f"/people/{w.handover_target.id}/confidential-history",
        GRANT_HISTORY,
    ),
    "rooms.index": ("GET", lambda w: "/rooms/", SIGNED_IN_ONLY),
    "rooms.room": ("GET", lambda w: f"/rooms/{w.room.slug}", VIEW),
    "rooms.members": ("GET", lambda w: f"/rooms/{w.room.slug}/members", VIEW),
    "rooms.add_delegation": ("POST", lambda w: f"/rooms/{w.room.slug}/members/delegations", MANAGE),
    "rooms.add_person": ("POST", lambda w: f"/rooms/{w.room.slug}/members/people", MANAGE),
    "rooms.change_role": (
        "POST",
        lambda w: f"/rooms/{w.room.slug}/members/{w.member_membership.id}/role",
        MANAGE,
    ),
    "rooms.remove_member": (
        "POST",
        lambda w: f"/rooms/{w.room.slug}/members/{w.member_membership.id}/remove",
        MANAGE,
    ),
    "rooms.request_join": ("POST", lambda w: f"/rooms/{w.room.slug}/join-requests", REQUEST_JOIN),
    "rooms.withdraw_join": (
        "POST",
        lambda w: f"/rooms/join-requests/{w.join_request.id}/withdraw",
        WITHDRAW,
    ),
    "rooms.decide_join": (
        "POST",
        lambda w: f"/rooms/join-requests/{w.join_request.id}/decline",
        DECIDE,
    ),
    # ---- papers ---------------------------------------------------------------------------
    "papers.new_paper": ("GET", lambda w: f"/rooms/{w.room.slug}/papers/new", MANAGE),
    "papers.revise": ("GET", lambda w: f"/papers/{w.paper.id}/revise", MANAGE),
    # A language version: whoever may revise the paper (REVISE: here its room's managers).
    "papers.add_version": ("GET", lambda w: f"/papers/{w.paper.id}/versions/new", MANAGE),
    "papers.set_status": ("POST", lambda w: f"/papers/{w.paper.id}/status", MANAGE),
    "papers.follow": ("POST", lambda w: f"/papers/{w.paper.id}/follow", VIEW),
    "papers.paper": ("GET", lambda w: f"/papers/{w.paper.id}", VIEW),
    "papers.paragraph": ("GET", lambda w: f"/papers/{w.paper.id}/p/{w.key}", VIEW),
    "papers.revision": ("GET", lambda w: f"/papers/{w.paper.id}/rev/0", VIEW),
    "papers.revision_export": ("GET", lambda w: f"/papers/{w.paper.id}/rev/0.docx", VIEW),
    "papers.compare": ("GET", lambda w: f"/papers/{w.paper.id}/compare", VIEW),
    "papers.compare_export": ("GET", lambda w: f"/papers/{w.paper.id}/compare.docx", VIEW),
    "papers.post_comment": (
        "POST",
        lambda w: f"/papers/{w.paper.id}/p/{w.key}/comments",
        TAKE_PART,
    ),
    # A reply (with a parent_id) asks Need.REPLY instead: test_reply_access_table below.
    "papers.set_authors_reply": ("POST", lambda w: f"/papers/{w.paper.id}/authors-reply", MANAGE),
    "papers.edit_comment": ("GET", lambda w: f"/comments/{w.comment.id}/edit", AUTHOR),
    "papers.delete_comment": ("POST", lambda w: f"/comments/{w.comment.id}/delete", AUTHOR),
    "papers.hide_comment": ("POST", lambda w: f"/comments/{w.comment.id}/hide", MANAGE),
    "papers.unhide_comment": ("POST", lambda w: f"/comments/{w.comment.id}/unhide", MANAGE),
    "papers.taken_into_account": ("POST", lambda w: f"/comments/{w.comment.id}/taken", MANAGE),
    "papers.reattach": ("POST", lambda w: f"/comments/{w.comment.id}/reattach", MANAGE),
    "papers.compilation": ("GET", lambda w: f"/papers/{w.paper.id}/compilation", MANAGE),
    # ---- the revision workflow (the world's paper is open; REVISE is the managers') ----
    "paper_workflow.open_for_comments": ("GET", lambda w: f"/papers/{w.paper.id}/open", MANAGE),
    "paper_workflow.draft": ("GET", lambda w: f"/papers/{w.paper.id}/draft", MANAGE),
    "paper_workflow.draft_preview": (
        "POST",
        lambda w: f"/papers/{w.paper.id}/draft/preview",
        MANAGE,
    ),
    "paper_workflow.issue_draft": ("POST", lambda w: f"/papers/{w.paper.id}/draft/issue", MANAGE),
    "paper_workflow.take_proposal": ("POST", lambda w: f"/comments/{w.comment.id}/take", MANAGE),
    "papers.compilation_export": (
        "GET",
        lambda w: f"/papers/{w.paper.id}/compilation.docx",
        MANAGE,
    ),
    # ---- meetings -----------------------------------------------------------------------
    "meetings.new_meeting": ("GET", lambda w: f"/rooms/{w.room.slug}/meetings/new", MANAGE),
    "meetings.edit_meeting": ("GET", lambda w: f"/meetings/{w.meeting.id}/edit", MANAGE),
    "meetings.meeting": ("GET", lambda w: f"/meetings/{w.meeting.id}", VIEW),
    "meetings.add_item": ("POST", lambda w: f"/meetings/{w.meeting.id}/items", MANAGE),
    "meetings.adopt": ("POST", lambda w: f"/meetings/{w.meeting.id}/adopt", MANAGE),
    "meetings.cancel": ("POST", lambda w: f"/meetings/{w.meeting.id}/cancel", MANAGE),
    "meetings.live": ("GET", lambda w: f"/meetings/{w.meeting.id}/live", VIEW),
    "meetings.panel": ("GET", lambda w: f"/meetings/{w.meeting.id}/panel", VIEW),
    "meetings.floor_panel": ("GET", lambda w: f"/meetings/{w.meeting.id}/floor-panel", VIEW),
    "meetings.screen": ("GET", lambda w: f"/meetings/{w.meeting.id}/screen", VIEW),
    "meetings.console": ("GET", lambda w: f"/meetings/{w.meeting.id}/console", MANAGE),
    "meetings.request_floor": ("POST", lambda w: f"/meetings/{w.meeting.id}/floor", TAKE_PART),
    "meetings.withdraw_floor": (
        "POST",
        lambda w: f"/meetings/{w.meeting.id}/floor/withdraw",
        TAKE_PART,
    ),
    "meetings.chair_action": ("POST", lambda w: f"/meetings/{w.meeting.id}/chair/end-turn", MANAGE),
    "meetings.item_state": ("POST", lambda w: f"/agenda/{w.item.id}/state/current", MANAGE),
    "meetings.inscribe": ("POST", lambda w: f"/meetings/{w.meeting.id}/inscribe", MANAGE),
    "meetings.move": ("POST", lambda w: f"/floor/{w.floor.id}/up", MANAGE),
    "meetings.remove_request": ("POST", lambda w: f"/floor/{w.floor.id}/remove", MANAGE),
    "meetings.ruling": ("POST", lambda w: f"/floor/{w.floor.id}/ruling", MANAGE),
    "meetings.record": ("GET", lambda w: f"/meetings/{w.meeting.id}/record", VIEW),
    "meetings.record_docx": ("GET", lambda w: f"/meetings/{w.meeting.id}/record.docx", MANAGE),
    "meetings.record_pdf": ("GET", lambda w: f"/meetings/{w.meeting.id}/record.pdf", MANAGE),
    "meetings.record_csv": (
        "GET",
        lambda w: f"/meetings/{w.meeting.id}/record-attendance.csv",
        MANAGE,
    ),
    # The old combined CSV: 410 Gone (naming the two files) to who may download the record.
    "meetings.record_csv_gone": (
        "GET",
        lambda w: f"/meetings/{w.meeting.id}/record.csv",
        MANAGE,
    ),
    # ---- meetings: correcting the agenda ----
    "agenda.agenda_fragment": ("GET", lambda w: f"/meetings/{w.meeting.id}/agenda", VIEW),
    "agenda.edit_item": ("GET", lambda w: f"/agenda/{w.item.id}/edit", MANAGE),
    "agenda.move_item": ("POST", lambda w: f"/agenda/{w.item.id}/move/down", MANAGE),
    "agenda.remove_item": ("POST", lambda w: f"/agenda/{w.item.id}/remove", MANAGE),
    "agenda.restore_item": ("POST", lambda w: f"/agenda/{w.item.id}/restore", MANAGE),
    "meetings.ics": ("GET", lambda w: f"/meetings/{w.meeting.id}.ics", VIEW),
    "meetings.feed_settings": ("GET", lambda w: "/calendar/feed", SIGNED_IN_ONLY),
    # The feed's token is its credential: a wrong one is not found, for everyone.
    "meetings.calendar_feed": (
        "GET",
        lambda w: "/calendar/not-a-token.ics",
        lambda role, access: 404,
    ),
    # ---- confidential threads -----------------------------------------------------------
    "threads.new_thread": ("GET", lambda w: f"/rooms/{w.room.slug}/threads/new", THREAD_VIEW),
    "threads.thread": ("GET", lambda w: f"/threads/{w.thread_id}", THREAD_VIEW),
    "threads.post": ("POST", lambda w: f"/threads/{w.thread_id}/posts", THREAD_VIEW),
    "threads.attachment": ("GET", lambda w: f"/attachments/{w.attachment_id}", THREAD_VIEW),
    "threads.marking": ("POST", lambda w: f"/threads/{w.thread_id}/marking", THREAD_VIEW),
    "threads.widen": ("POST", lambda w: f"/threads/{w.thread_id}/audience", THREAD_ORIGINATE),
    "threads.grant_history": (
        "POST",
        lambda w: f"/threads/{w.thread_id}/history/{w.users['room_chair'].id}",
        THREAD_ORIGINATE,
    ),
    "threads.exports": ("POST", lambda w: f"/threads/{w.thread_id}/exports", THREAD_ORIGINATE),
    "threads.export": ("GET", lambda w: f"/threads/{w.thread_id}/export.txt", THREAD_EXPORT),
    "threads.set_status": ("POST", lambda w: f"/threads/{w.thread_id}/status", THREAD_MANAGE),
    "threads.retention": ("POST", lambda w: f"/threads/{w.thread_id}/retention", THREAD_MANAGE),
    "threads.purge": ("POST", lambda w: f"/posts/{w.thread_id}/purge", THREAD_MANAGE),
    "accounts.reauthenticate": ("GET", lambda w: "/sign-in/again", SIGNED_IN_ONLY),
    # The idle clock of the confidential gate: everyone signed in is told their own time left.
    "threads.idle": ("POST", lambda w: "/confidential/idle", SIGNED_IN_ONLY),
    # Kept text is its author's alone: anyone else's, or none, is not found.
    "drafts.discard": (
        "POST",
        lambda w: "/kept/999999/discard",
        lambda role, access: "signin" if role == "anonymous" else 404,
    ),
    # Another person's session, or none: not found, for everyone.
    "accounts.end_session": (
        "POST",
        lambda w: "/profile/sessions/999999/end",
        lambda role, access: "signin" if role == "anonymous" else 404,
    ),
    "accounts.end_other_sessions": (
        "POST",
        lambda w: "/profile/sessions/end-others",
        SIGNED_IN_ONLY,
    ),
    # ---- trend briefs (the world's brief is open to objections) ---------------------------
    "briefs.new_brief": ("GET", lambda w: f"/rooms/{w.room.slug}/briefs/new", THREAD_MANAGE),
    "briefs.brief": ("GET", lambda w: f"/briefs/{w.brief_id}", THREAD_VIEW),
    "briefs.edit": ("POST", lambda w: f"/briefs/{w.brief_id}/edit", THREAD_MANAGE),
    "briefs.submit": ("POST", lambda w: f"/briefs/{w.brief_id}/submit", THREAD_MANAGE),
    "briefs.withdraw": ("POST", lambda w: f"/briefs/{w.brief_id}/withdraw", THREAD_MANAGE),
    "briefs.publish": ("POST", lambda w: f"/briefs/{w.brief_id}/publish", THREAD_MANAGE),
    "briefs.object_to": ("POST", lambda w: f"/briefs/{w.brief_id}/objections", BRIEF_OBJECT),
    "briefs.withdraw_objection": (
        "POST",
        lambda w: f"/briefs/{w.brief_id}/objections/withdraw",
        BRIEF_OBJECT,
    ),
    # ---- notifications ----------------------------------------------------------------
    "notifications.index": ("GET", lambda w: "/notifications/", SIGNED_IN_ONLY),
    "notifications.mark_read": ("POST", lambda w: "/notifications/read", SIGNED_IN_ONLY),
    "notifications.settings": ("GET", lambda w: "/notifications/settings", SIGNED_IN_ONLY),
    # From an e-mail, signed for one person and kind: it works without signing in (GET asks).
    "notifications.unsubscribe": (
        "GET",
        lambda w: (
            "/notifications/unsubscribe/"
            + _unsubscribe_token(w.users["room_member"].id, "paper.reply")
        ),
        PUBLIC,
    ),
    # The room member's own notification (the paper was opened): theirs alone to open.
    "notifications.open": (
        "GET",
        lambda w: f"/notifications/{_own_notification(w)}/open",
        OWN_NOTIFICATION,
    ),
    "notifications.badge": ("GET", lambda w: "/notifications/badge", SIGNED_IN_ONLY),
    # Suggestions of people to mention: for those who may write in the place.
    "mentions.suggestions": (
        "GET",
        lambda w: f"/mentions?place=paper:{w.paper.id}&q=pe",
        TAKE_PART,
    ),
    # ---- ADMIN ROWS (the Secretariat's pages) -------------------------------------------
    "admin.index": ("GET", lambda w: "/admin/", SECRETARIAT_ONLY),
    "admin.user_detail": (
        "GET",
        lambda w: f"/admin/people/{w.handover_target.id}",
        SECRETARIAT_ONLY,
    ),
    # POST rows send an empty form: the Secretariat gets 422 (or a no-change save), others 404.
    "admin.delegations": ("GET", lambda w: "/admin/delegations", SECRETARIAT_ONLY),
    "admin.new_delegation": ("POST", lambda w: "/admin/delegations/new", SECRETARIAT_ONLY),
    "admin.edit_delegation": (
        "POST",
        lambda w: f"/admin/delegations/{w.handover_target.delegation_id}/edit",
        SECRETARIAT_ONLY,
    ),
    "admin.people": ("GET", lambda w: "/admin/people", SECRETARIAT_ONLY),
    "admin.invite_user": ("POST", lambda w: "/admin/people/new", SECRETARIAT_ONLY),
    "admin.edit_user": (
        "POST",
        lambda w: f"/admin/people/{w.handover_target.id}/edit",
        SECRETARIAT_ONLY,
    ),
    "admin.resend_invitation": (
        "POST",
        lambda w: f"/admin/people/{w.handover_target.id}/invitation",
        SECRETARIAT_ONLY,
    ),
    "admin.deactivate_user": (
        "POST",
        lambda w: f"/admin/people/{w.handover_target.id}/deactivate",
        SECRETARIAT_ONLY,
    ),
    "admin.reactivate_user": (
        "POST",
        lambda w: f"/admin/people/{w.handover_target.id}/reactivate",
        SECRETARIAT_ONLY,
    ),
    "admin.rooms": ("GET", lambda w: "/admin/rooms", SECRETARIAT_ONLY),
    "admin.new_room": ("POST", lambda w: "/admin/rooms/new", SECRETARIAT_ONLY),
    "admin.edit_room": ("POST", lambda w: f"/admin/rooms/{w.room.id}/edit", SECRETARIAT_ONLY),
    "admin.audit_log": ("GET", lambda w: "/admin/audit", SECRETARIAT_ONLY),
    # ---- END ADMIN ROWS ---------------------------------------------------------------
    # ---- discussions (none in a confidential room: 404 there for everyone) ----------------
    "discussions.room_discussions": (
        "GET",
        lambda w: f"/rooms/{w.room.slug}/discussions",
        DISCUSSION_VIEW,
    ),
    "discussions.new_topic": (
        "GET",
        lambda w: f"/rooms/{w.room.slug}/discussions/new",
        DISCUSSION_TAKE_PART,
    ),
    "discussions.topic": ("GET", lambda w: f"/discussions/{w.topic_id}", DISCUSSION_VIEW),
    "discussions.posts": ("GET", lambda w: f"/discussions/{w.topic_id}/posts", DISCUSSION_VIEW),
    "discussions.reply": (
        "POST",
        lambda w: f"/discussions/{w.topic_id}/replies",
        DISCUSSION_TAKE_PART,
    ),
    "discussions.edit": (
        "GET",
        lambda w: f"/discussion-posts/{w.topic_post_id}/edit",
        DISCUSSION_AUTHOR,
    ),
    "discussions.history": (
        "GET",
        lambda w: f"/discussion-posts/{w.topic_post_id}/history",
        DISCUSSION_VIEW,
    ),
    "discussions.attachment": (
        "GET",
        lambda w: f"/discussion-attachments/{w.topic_attachment_id}",
        DISCUSSION_VIEW,
    ),
    "discussions.hide": (
        "POST",
        lambda w: f"/discussion-posts/{w.topic_post_id}/hide",
        DISCUSSION_MANAGE,
    ),
    "discussions.unhide": (
        "POST",
        lambda w: f"/discussion-posts/{w.topic_post_id}/unhide",
        DISCUSSION_MANAGE,
    ),
    "discussions.pin": ("POST", lambda w: f"/discussions/{w.topic_id}/pin", DISCUSSION_MANAGE),
    "discussions.close": (
        "POST",
        lambda w: f"/discussions/{w.topic_id}/close",
        DISCUSSION_MANAGE,
    ),
    "discussions.reopen": (
        "POST",
        lambda w: f"/discussions/{w.topic_id}/reopen",
        DISCUSSION_MANAGE,
    ),
    "discussions.move": ("GET", lambda w: f"/discussions/{w.topic_id}/move", DISCUSSION_MANAGE),
    # ---- national contributions (the world's contribution is submitted, not accepted) ------
    "contributions.submit": ("GET", lambda w: f"/rooms/{w.room.slug}/contributions/new", TAKE_PART),
    "contributions.resubmit": (
        "GET",
        lambda w: f"/papers/{w.contribution.id}/resubmit",
        lambda role, access: _contribution_rule(role, access, {"room_member"}),
    ),
    "contributions.withdraw": (
        "POST",
        lambda w: f"/papers/{w.contribution.id}/withdraw-contribution",
        lambda role, access: _contribution_rule(role, access, {"room_member"}),
    ),
    "contributions.accept": (
        "GET",
        lambda w: f"/papers/{w.contribution.id}/accept",
        lambda role, access: _contribution_rule(role, access, MANAGES),
    ),
    "contributions.return_": (
        "POST",
        lambda w: f"/papers/{w.contribution.id}/return",
        lambda role, access: _contribution_rule(role, access, MANAGES),
    ),
    "contributions.answer": (
        "POST",
        lambda w: f"/papers/{w.contribution.id}/cosponsorship",
        lambda role, access: _contribution_rule(role, access, {"state_party"}),
    ),
    # ---- delegation drafts and small groups ----
    "delegation_drafts.index": ("GET", lambda w: "/delegation-drafts", SIGNED_IN_ONLY),
    "delegation_drafts.save_new": (
        "POST",
        lambda w: f"/delegation-drafts/new/paper_comment/{w.paper.id}?key={w.key}",
        VIEW,
    ),
    "delegation_drafts.draft": (
        "GET",
        lambda w: f"/delegation-drafts/{w.delegation_draft_id}",
        DELEGATION_COLLEAGUE,
    ),
    "delegation_drafts.post": (
        "POST",
        lambda w: f"/delegation-drafts/{w.delegation_draft_id}/post",
        DELEGATION_COLLEAGUE,
    ),
    "delegation_drafts.discard": (
        "POST",
        lambda w: f"/delegation-drafts/{w.delegation_draft_id}/discard",
        DELEGATION_COLLEAGUE,
    ),
    "delegation_drafts.restore": (
        "POST",
        lambda w: f"/delegation-drafts/{w.delegation_draft_id}/restore",
        DELEGATION_COLLEAGUE,
    ),
    "small_groups.new": ("GET", lambda w: f"/rooms/{w.room.slug}/small-groups/new", MANAGE),
    "small_groups.admin_list": ("GET", lambda w: "/admin/small-groups", SECRETARIAT_ONLY),
    "small_groups.close": (
        "GET",
        lambda w: f"/admin/small-groups/{w.small_group_id}/close",
        SECRETARIAT_ONLY,
    ),
    "small_groups.reopen": (
        "POST",
        lambda w: f"/admin/small-groups/{w.small_group_id}/reopen",
        SECRETARIAT_ONLY,
    ),
    # ---- groups ----
    "papers.confirm_comment": (
        "POST",
        lambda w: f"/comments/{w.pending_comment.id}/confirm",
        lambda role, access: _pending(role, coordinator="ok", author=403),
    ),
    "papers.decline_comment": (
        "POST",
        lambda w: f"/comments/{w.pending_comment.id}/decline",
        lambda role, access: _pending(role, coordinator="ok", author=403),
    ),
    "papers.speak_as_delegation": (
        "POST",
        lambda w: f"/comments/{w.pending_comment.id}/as-delegation",
        lambda role, access: _pending(role, coordinator=403, author="ok"),
    ),
    "meetings.confirm_floor": (
        "POST",
        lambda w: f"/floor/{w.pending_floor.id}/confirm",
        lambda role, access: _pending(role, coordinator="ok", author=404),  # not the asker
    ),
    "meetings.decline_floor": (
        "POST",
        lambda w: f"/floor/{w.pending_floor.id}/decline",
        lambda role, access: _pending(role, coordinator="ok", author=404),
    ),
    "groups.groups": ("GET", lambda w: "/admin/groups", SECRETARIAT_ONLY),
    "groups.new_group": ("POST", lambda w: "/admin/groups/new", SECRETARIAT_ONLY),
    "groups.edit_group": ("POST", lambda w: f"/admin/groups/{w.group.id}/edit", SECRETARIAT_ONLY),
    "groups.set_active": (
        "POST",
        lambda w: f"/admin/groups/{w.group.id}/deactivate",
        SECRETARIAT_ONLY,
    ),
    # ---- group statements (the world's statement is asked for agreement) ---------------
    "statements.new_statement": ("GET", lambda w: f"/rooms/{w.room.slug}/statements/new", MANAGE),
    "statements.statement": ("GET", lambda w: f"/statements/{w.statement_id}", VIEW),
    "statements.of_paper": ("GET", lambda w: f"/papers/{w.paper.id}/statement", VIEW),
    "statements.ask": ("POST", lambda w: f"/statements/{w.statement_id}/ask", MANAGE),
    "statements.position": (
        "POST",
        lambda w: f"/statements/{w.statement_id}/position",
        STATEMENT_POSITION,
    ),
    "statements.consensus": ("POST", lambda w: f"/statements/{w.statement_id}/consensus", MANAGE),
    "statements.reopen": ("POST", lambda w: f"/statements/{w.statement_id}/reopen", MANAGE),
    "statements.deliver_comment": (
        "POST",
        lambda w: f"/statements/{w.statement_id}/deliver/comment",
        MANAGE,
    ),
    "statements.deliver_item": (
        "POST",
        lambda w: f"/statements/{w.statement_id}/deliver/item",
        MANAGE,
    ),
    "statements.export": ("GET", lambda w: f"/statements/{w.statement_id}.docx", VIEW),
    # ---- the library ----
    "library.index": ("GET", lambda w: "/library", SIGNED_IN_ONLY),
    # Anyone signed in searches; what they find is the visible filters' (tests/test_search.py).
    "search.index": ("GET", lambda w: "/search?q=Draft+Opening&kind=comment", SIGNED_IN_ONLY),
    "library.term": ("GET", lambda w: "/library/post-delivery-measures", SIGNED_IN_ONLY),
    # ---- the taxonomy's administration and tagging ----
    "taxonomy.index": ("GET", lambda w: "/admin/taxonomy", SECRETARIAT_ONLY),
    "taxonomy.new_term": ("POST", lambda w: "/admin/taxonomy/new", SECRETARIAT_ONLY),
    "taxonomy.edit_term": (
        "POST",
        lambda w: f"/admin/taxonomy/{w.term_id}/edit",
        SECRETARIAT_ONLY,
    ),
    "taxonomy.move_term": (
        "POST",
        lambda w: f"/admin/taxonomy/{w.term_id}/move/down",
        SECRETARIAT_ONLY,
    ),
    "taxonomy.retire_term": (
        "POST",
        lambda w: f"/admin/taxonomy/{w.term_id}/retire",
        SECRETARIAT_ONLY,
    ),
    "taxonomy.reinstate_term": (
        "POST",
        lambda w: f"/admin/taxonomy/{w.term_id}/reinstate",
        SECRETARIAT_ONLY,
    ),
    "papers.set_tags": ("POST", lambda w: f"/papers/{w.paper.id}/tags", MANAGE),
    "discussions.tags": ("GET", lambda w: f"/discussions/{w.topic_id}/tags", DISCUSSION_MANAGE),
    # ---- questionnaires (the world's is issued, shared with the room, answered by the member) --
    "questionnaires.new": ("GET", lambda w: f"/rooms/{w.room.slug}/questionnaires/new", MANAGE),
    "questionnaires.edit": ("GET", lambda w: f"/questionnaires/{w.questionnaire_id}/edit", MANAGE),
    "questionnaires.add_question": (
        "GET",
        lambda w: f"/questionnaires/{w.questionnaire_id}/questions/new",
        MANAGE,
    ),
    "questionnaires.edit_question": ("GET", lambda w: f"/questions/{w.question_id}/edit", MANAGE),
    "questionnaires.remove_question": (
        "GET",
        lambda w: f"/questions/{w.question_id}/remove",
        MANAGE,
    ),
    "questionnaires.move_question": ("POST", lambda w: f"/questions/{w.question_id}/up", MANAGE),
    "questionnaires.issue": (
        "POST",
        lambda w: f"/questionnaires/{w.questionnaire_id}/issue",
        MANAGE,
    ),
    "questionnaires.close": (
        "GET",
        lambda w: f"/questionnaires/{w.questionnaire_id}/close",
        MANAGE,
    ),
    "questionnaires.reopen": (
        "GET",
        lambda w: f"/questionnaires/{w.questionnaire_id}/reopen",
        MANAGE,
    ),
    "questionnaires.questionnaire": (
        "GET",
        lambda w: f"/questionnaires/{w.questionnaire_id}",
        VIEW,
    ),
    "questionnaires.answer": (
        "GET",
        lambda w: f"/questionnaires/{w.questionnaire_id}/answer",
        _room_rule(lambda role, access: role in TAKES_PART[access] and role != "secretariat"),
    ),
    "questionnaires.designate": (
        "POST",
        lambda w: f"/questionnaires/{w.questionnaire_id}/designate",
        _room_rule(lambda role, access: role in TAKES_PART[access] and role != "secretariat"),
    ),
    "questionnaires.response": (
        "GET",
        lambda w: f"/questionnaire-responses/{w.questionnaire_response_id}",
        VIEW,
    ),
    "questionnaires.compilation": (
        "GET",
        lambda w: f"/questionnaires/{w.questionnaire_id}/compilation",
        VIEW,
    ),
    "questionnaires.export_docx": (
        "GET",
        lambda w: f"/questionnaires/{w.questionnaire_id}/compilation.docx",
        VIEW,
    ),
    "questionnaires.export_csv": (
        "GET",
        lambda w: f"/questionnaires/{w.questionnaire_id}/compilation.csv",
        VIEW,
    ),
    "questionnaires.to_paper": (
        "POST",
        lambda w: f"/questionnaires/{w.questionnaire_id}/paper",
        MANAGE,
    ),
    # ---- written procedure (the world's is open; a refused response is a 422 next to the
    # field for whoever sees it, so the row is VIEW; the letter is the chair's draft) ----
    "procedures.new": ("GET", lambda w: f"/rooms/{w.room.slug}/procedures/new", MANAGE),
    "procedures.procedure": ("GET", lambda w: f"/procedures/{w.procedure_id}", VIEW),
    "procedures.status": ("GET", lambda w: f"/procedures/{w.procedure_id}/status", VIEW),
    "procedures.respond": ("POST", lambda w: f"/procedures/{w.procedure_id}/respond", VIEW),
    "procedures.extend": ("GET", lambda w: f"/procedures/{w.procedure_id}/extend", MANAGE),
    "procedures.withdraw": ("GET", lambda w: f"/procedures/{w.procedure_id}/withdraw", MANAGE),
    "procedures.letter_docx": (
        "GET",
        lambda w: f"/procedures/{w.procedure_id}/letter.docx",
        MANAGE,
    ),
    "procedures.letter_pdf": ("GET", lambda w: f"/procedures/{w.procedure_id}/letter.pdf", MANAGE),
    # ---- case studies (the world's is submitted by the room member's delegation) ----
    "case_studies.room_case_studies": (
        "GET",
        lambda w: f"/rooms/{w.room.slug}/case-studies",
        DISCUSSION_VIEW,
    ),
    "case_studies.new": (
        "GET",
        lambda w: f"/rooms/{w.room.slug}/case-studies/new",
        DISCUSSION_TAKE_PART,
    ),
    "case_studies.case_study": (
        "GET",
        lambda w: f"/case-studies/{w.case_study_id}",
        per_room(lambda role, access: _case_study_rule(role, access, {"room_member", *MANAGES})),
    ),
    "case_studies.edit": (
        "GET",
        lambda w: f"/case-studies/{w.case_study_id}/edit",
        per_room(lambda role, access: _case_study_rule(role, access, {"room_member"})),
    ),
    "case_studies.withdraw": (
        "GET",
        lambda w: f"/case-studies/{w.case_study_id}/withdraw",
        per_room(lambda role, access: _case_study_rule(role, access, {"room_member"})),
    ),
    "case_studies.reinstate": (
        "POST",
        lambda w: f"/case-studies/{w.case_study_id}/reinstate",
        per_room(lambda role, access: _case_study_rule(role, access, {"room_member"})),
    ),
    "case_studies.publish": (
        "POST",
        lambda w: f"/case-studies/{w.case_study_id}/publish",
        per_room(lambda role, access: _case_study_rule(role, access, MANAGES)),
    ),
    "case_studies.return_": (
        "POST",
        lambda w: f"/case-studies/{w.case_study_id}/return",
        per_room(lambda role, access: _case_study_rule(role, access, MANAGES)),
    ),
    # ---- needs and assistance ----
    "assistance.index": ("GET", lambda w: "/assistance", SIGNED_IN_ONLY),
    "assistance.new_request": (
        "GET",
        lambda w: "/assistance/requests/new",
        lambda role, access: _assistance(role, ok=FILERS, seen=()),
    ),
    "assistance.request_page": (
        "GET",
        lambda w: f"/assistance/requests/{w.assistance['private']}",
        lambda role, access: _assistance(role, ok=PRIVATE_REQUEST_SEEN, seen=()),
    ),
    "assistance.edit_request": (
        "GET",
        lambda w: f"/assistance/requests/{w.assistance['private']}/edit",
        lambda role, access: _assistance(role, ok={"room_member"}, seen=PRIVATE_REQUEST_SEEN),
    ),
    "assistance.withdraw_request": (
        "GET",
        lambda w: f"/assistance/requests/{w.assistance['private']}/withdraw",
        lambda role, access: _assistance(role, ok={"room_member"}, seen=PRIVATE_REQUEST_SEEN),
    ),
    "assistance.reopen_request": (  # not withdrawn: refused with a message, back to its page
        "POST",
        lambda w: f"/assistance/requests/{w.assistance['private']}/reopen",
        lambda role, access: _assistance(role, ok={"room_member"}, seen=PRIVATE_REQUEST_SEEN),
    ),
    "assistance.share_request": (
        "POST",
        lambda w: f"/assistance/requests/{w.assistance['private']}/shares",
        lambda role, access: _assistance(role, ok={"secretariat"}, seen=PRIVATE_REQUEST_SEEN),
    ),
    "assistance.unshare_request": (
        "POST",
        lambda w: f"/assistance/requests/{w.assistance['private']}/unshare",
        lambda role, access: _assistance(role, ok={"secretariat"}, seen=PRIVATE_REQUEST_SEEN),
    ),
    "assistance.match_request": (
        "GET",
        lambda w: f"/assistance/requests/{w.assistance['private']}/match",
        lambda role, access: _assistance(role, ok={"secretariat"}, seen=PRIVATE_REQUEST_SEEN),
    ),
    "assistance.move_request": (  # the open request, matched with the room chair's offer
        "GET",
        lambda w: f"/assistance/requests/{w.assistance['matched']}/status?to=in_progress",
        lambda role, access: _assistance(
            role, ok={"room_member", "secretariat"}, seen=FILERS | {"room_chair"}
        ),
    ),
    "assistance.new_offer": (
        "GET",
        lambda w: "/assistance/offers/new",
        lambda role, access: _assistance(role, ok=set(SIGNED_IN) - {"observer_org"}, seen=()),
    ),
    "assistance.offer_page": (
        "GET",
        lambda w: f"/assistance/offers/{w.assistance['offer']}",
        lambda role, access: _assistance(role, ok=FILERS | {"secretariat"}, seen=()),
    ),
    "assistance.edit_offer": (
        "GET",
        lambda w: f"/assistance/offers/{w.assistance['offer']}/edit",
        lambda role, access: _assistance(role, ok={"room_chair"}, seen=FILERS | {"secretariat"}),
    ),
    "assistance.withdraw_offer": (
        "GET",
        lambda w: f"/assistance/offers/{w.assistance['offer']}/withdraw",
        lambda role, access: _assistance(role, ok={"room_chair"}, seen=FILERS | {"secretariat"}),
    ),
    "assistance.reopen_offer": (  # not withdrawn: refused with a message, back to its page
        "POST",
        lambda w: f"/assistance/offers/{w.assistance['offer']}/reopen",
        lambda role, access: _assistance(role, ok={"room_chair"}, seen=FILERS | {"secretariat"}),
    ),
    "assistance.overview": ("GET", lambda w: "/assistance/overview", SECRETARIAT_ONLY),
    "assistance.new_call": ("GET", lambda w: "/assistance/calls/new", SECRETARIAT_ONLY),
    "assistance.edit_call": (
        "GET",
        lambda w: f"/assistance/calls/{w.assistance['call']}/edit",
        SECRETARIAT_ONLY,
    ),
    # ---- the meetings console ----
    "meetings.undo_withdraw": (
        "POST",
        lambda w: f"/meetings/{w.meeting.id}/floor/undo",
        TAKE_PART,
    ),
    # ---- meetings: screens, presence, participation ----
    "screens.screens_page": ("GET", lambda w: f"/meetings/{w.meeting.id}/screens", MANAGE),
    "screens.new_screen_link": (
        "POST",
        lambda w: f"/meetings/{w.meeting.id}/screens/links",
        MANAGE,
    ),
    "screens.revoke_screen_link": (
        "POST",
        lambda w: f"/meetings/{w.meeting.id}/screens/links/{w.screen_link_id}/revoke",
        MANAGE,
    ),
    "screens.screen_mode": ("POST", lambda w: f"/meetings/{w.meeting.id}/screens/mode", MANAGE),
    "screens.projector": ("GET", lambda w: f"/meetings/{w.meeting.id}/projector", VIEW),
    # The token is the credential: the right one opens the screen for anyone, signed in or not.
    "screens.screen_by_link": ("GET", lambda w: f"/screen/{w.screen_token}", PUBLIC),
    "attendance.my_presence": ("POST", lambda w: f"/meetings/{w.meeting.id}/presence", VIEW),
    "attendance.desk_presence": ("POST", lambda w: f"/meetings/{w.meeting.id}/attendance", MANAGE),
    "attendance.participation": ("GET", lambda w: "/participation", SECRETARIAT_ONLY),
    "attendance.participation_csv": ("GET", lambda w: "/participation.csv", SECRETARIAT_ONLY),
    # ---- meetings: documents of agenda items ----
    "documents.item_documents": ("GET", lambda w: f"/agenda/{w.item.id}/documents", VIEW),
    "documents.attach_paper": ("POST", lambda w: f"/agenda/{w.item.id}/documents/paper", MANAGE),
    "documents.attach_file": ("POST", lambda w: f"/agenda/{w.item.id}/documents/file", MANAGE),
    "documents.submit_statement": (
        "POST",
        lambda w: f"/agenda/{w.item.id}/documents/statement",
        TAKE_PART,
    ),
    "documents.download": ("GET", lambda w: f"/agenda-documents/{w.document_id}/file", VIEW),
    "documents.publish": (
        "POST",
        lambda w: f"/agenda-documents/{w.document_id}/publish",
        MANAGE,
    ),
    "documents.remove": ("POST", lambda w: f"/agenda-documents/{w.document_id}/remove", MANAGE),
    "documents.restore": (
        "POST",
        lambda w: f"/agenda-documents/{w.document_id}/restore",
        MANAGE,
    ),
    # ---- meetings: the programme of work ----
    "programme.programme_page": ("GET", lambda w: f"/meetings/{w.meeting.id}/programme", VIEW),
    "programme.add_session": ("POST", lambda w: f"/meetings/{w.meeting.id}/sessions", MANAGE),
    "programme.edit_session": (
        "GET",
        lambda w: f"/sessions/{w.programme_session_id}/edit",
        MANAGE,
    ),
    "programme.remove_session": (
        "POST",
        lambda w: f"/sessions/{w.programme_session_id}/remove",
        MANAGE,
    ),
    "programme.place_item": ("POST", lambda w: f"/agenda/{w.item.id}/session", MANAGE),
    "programme.session_ics": ("GET", lambda w: f"/sessions/{w.programme_session_id}.ics", VIEW),
}

#: States Parties and signatory States: they file requests and see open ones.
FILERS = {"signatory", "state_party", "room_member", "room_chair"}
#: The private request: its delegation (room_member), the delegation it is shared with
#: (state_party) and the Secretariat.
PRIVATE_REQUEST_SEEN = {"room_member", "state_party", "secretariat"}


def _assistance(role, *, ok, seen):
    """Requests and offers are not in a room: the same answer at every access level."""
    if role == "anonymous":
        return "signin"
    if role in ok:
        return "ok"
    return 403 if role in seen else 404


def _case_study_rule(role: str, access: AccessLevel, allowed: set[str]):
    """A case study waiting for review is seen by its delegation (room_member) and the
    room's reviewers (its chair, the Secretariat); to everyone else it does not exist."""
    if role == "anonymous":
        return "signin"
    if access is AccessLevel.CONFIDENTIAL or role not in {"room_member", *MANAGES}:
        return 404
    return "ok" if role in allowed else 403


def _pending(role, *, coordinator, author):
    """What is pending a group's confirmation: the coordinator (the room's chair here) and
    its author (the room member) see it; to everyone else it does not exist."""
    if role == "anonymous":
        return "signin"
    return {"room_chair": coordinator, "room_member": author}.get(role, 404)


def _outcome(response) -> str | int:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303) and "/sign-in" in location:
        return "signin"
    if status in (200, 204, 301, 302, 303, 410, 422):
        return "ok"
    return status


# Endpoints that do not depend on a room are checked once, with the open room.
ROOM_RULES = (
    VIEW,
    MANAGE,
    REQUEST_JOIN,
    DECIDE,
    WITHDRAW,
    TAKE_PART,
    AUTHOR,
    THREAD_VIEW,
    THREAD_ORIGINATE,
    THREAD_MANAGE,
    THREAD_EXPORT,
    BRIEF_OBJECT,
    DISCUSSION_VIEW,
    DISCUSSION_TAKE_PART,
    DISCUSSION_MANAGE,
    DISCUSSION_AUTHOR,
    STATEMENT_POSITION,
)


def _rows_every_role() -> frozenset[str]:
    """The rows `make mutants` runs (pyproject's [tool.mutmut] selects them by id, "rooms.room-"
    ...): they keep every role, so each mutant of the policy meets every kind of person through
    a real route and not only through tests/test_policy_rules.py."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    selection = tomllib.loads(pyproject.read_text())["tool"]["mutmut"]
    arguments = selection["pytest_add_cli_args_test_selection"]
    expression = arguments[arguments.index("-k") + 1]
    return frozenset(re.findall(r"([a-z_]+\.[a-z_]+)-", expression))


EVERY_ROLE = _rows_every_role()


def _roles_to_test(endpoint: str, access: AccessLevel) -> list[str]:
    """Anonymous, and one signed-in role for each outcome the rule gives them.

    Every role's outcome against the policy is stated, fast, in tests/test_policy_rules.py; this
    table proves that each route gives each of its distinct outcomes. The role standing for an
    outcome turns with the row (a stable hash of its name), so that across the table every
    role is sent through routes, yet a run always tests the same cases.
    """
    rule = ENDPOINTS[endpoint][2]
    if endpoint in EVERY_ROLE:
        return list(ROLES)
    by_outcome: dict[str | int, list[str]] = {}
    for role in SIGNED_IN:
        by_outcome.setdefault(rule(role, access), []).append(role)
    turn = zlib.crc32(f"{endpoint}-{access.value}".encode())
    chosen = {group[turn % len(group)] for group in by_outcome.values()}
    return [role for role in ROLES if role == "anonymous" or role in chosen]


CASES = [
    pytest.param(endpoint, access, role, id=f"{endpoint}-{access.value}-{role}")
    for endpoint in ENDPOINTS
    for access in ACCESS
    if access is AccessLevel.OPEN
    or ENDPOINTS[endpoint][2] in ROOM_RULES
    or getattr(ENDPOINTS[endpoint][2], "per_room", False)
    for role in _roles_to_test(endpoint, access)
]


@pytest.mark.parametrize(("endpoint", "world", "role"), CASES, indirect=["world"])
def test_access_table(client, auth, world, endpoint, role):
    method, url, rule = ENDPOINTS[endpoint]
    if role != "anonymous":
        auth.login_quickly(world.users[role])
        with client.session_transaction() as session:
            session["second_factor_at"] = time.time()  # as after a two-factor sign-in
    response = client.open(url(world), method=method, data={})
    expected = rule(role, world.room.access)
    assert _outcome(response) == expected, (
        f"{method} {url(world)} as {role} in a {world.room.access.value} room: "
        f"got {response.status_code} {response.headers.get('Location', '')}"
    )


# A reply posts to `papers.post_comment` with the comment it answers (the world's comment, the
# room member's): `Need.REPLY`, which those who take part have; besides them, "former_author",
# whose membership ended after they commented in the thread, while the room lets them see it.
REPLY_CASES = [
    pytest.param(access, role, id=f"reply-{access.value}-{role}")
    for access in ACCESS
    for role in [*ROLES, "former_author"]
]


@pytest.mark.parametrize(("world", "role"), REPLY_CASES, indirect=["world"])
def test_reply_access_table(client, auth, db, make_user, add_member, world, role):
    access = world.room.access
    if role == "former_author":
        person = make_user(status=DelegationStatus.STATE_PARTY)
        membership = add_member(world.room, person, RoomRole.MEMBER)
        paragraph = papers.paragraphs_of(papers.current_revision(world.paper))[0]
        papers.post_comment(
            world.paper,
            person,
            paragraph=paragraph,
            body="Ours.",
            on_behalf_of=person.delegation.name,
            parent=world.comment,
        )
        membership.ended_at = utcnow()
        db.session.commit()
        expected = (
            "ok"
            if access in (AccessLevel.OPEN, AccessLevel.TRANSPARENT, AccessLevel.STATES)
            else 404
        )
    else:
        person = world.users.get(role)
        expected = TAKE_PART(role, access)
    if person is not None:
        auth.login_quickly(person)
        with client.session_transaction() as session:
            session["second_factor_at"] = time.time()  # as after a two-factor sign-in
    url = f"/papers/{world.paper.id}/p/{world.key}/comments"
    response = client.post(url, data={"parent_id": str(world.comment.id)})
    assert _outcome(response) == expected, (
        f"reply as {role} in a {access.value} room: got {response.status_code}"
    )


def test_every_endpoint_has_a_row_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ENDPOINTS))
    assert not missing, f"endpoints without a row in the authorisation table: {missing}"


def test_every_endpoint_is_declared_public_or_protected(app):
    assert policy.undeclared_endpoints(app) == []


def test_the_guard_bites_on_an_undeclared_endpoint():
    """A deliberately unprotected route is reported, and refused at request time."""
    app = Flask(__name__)
    app.before_request(policy.guard_request)

    @app.route("/open")
    @handler(public=True)
    def declared():
        return "fine"

    @app.route("/forgotten")
    def forgotten():
        return "secret"

    assert policy.undeclared_endpoints(app) == ["forgotten"]
    client = app.test_client()
    assert client.get("/open").status_code == 200
    assert client.get("/forgotten").status_code == 404


def test_csrf_is_required_for_state_changes(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post("/sign-out", csrf=False)
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    # Still signed in: nothing changed.
    assert client.get("/").status_code == 200


# ---- the live channel -------------------------------------------------------------------------
#
# Every event of the `/live` namespace, with its payload and the page whose rule it follows: a
# socket may watch what the page may show ("ok"), is refused otherwise (404: {"ok": False}, no
# hint), and an anonymous socket cannot connect ("signin"). `connect` is the connection itself
# (no event is sent); `disconnect` refuses nothing. A test below fails on an event without a row.

LIVE_EVENTS = {
    "connect": (lambda w: None, "core.dashboard"),
    "watch_room": (lambda w: {"room": w.room.id}, "rooms.room"),
    "watch_paper": (lambda w: {"paper": w.paper.id}, "papers.paper"),
    "watch_meeting": (lambda w: {"meeting": w.meeting.id, "view": "screen"}, "meetings.live"),
    "meeting_here": (lambda w: {"meeting": w.meeting.id}, "meetings.live"),
    "watch_thread": (lambda w: {"thread": w.thread_id}, "threads.thread"),
    "clock": (lambda w: {}, "core.dashboard"),
    "recheck": (lambda w: {}, "core.dashboard"),
    # ---- discussions ----
    "watch_topic": (lambda w: {"topic": w.topic_id}, "discussions.topic"),
    "watch_procedure": (lambda w: {"procedure": w.procedure_id}, "procedures.procedure"),
    # ---- meetings: screens (a signed-in screen by the meeting's rule; by token: see below) ----
    "watch_screen": (lambda w: {"meeting": w.meeting.id}, "meetings.screen"),
}

LIVE_CASES = [
    pytest.param(event, access, role, id=f"{event}-{access.value}-{role}")
    for event, (_payload, page) in LIVE_EVENTS.items()
    for access in ACCESS
    for role in ROLES
    if access is AccessLevel.OPEN or ENDPOINTS[page][2] in (VIEW, THREAD_VIEW, DISCUSSION_VIEW)
]


def _live_outcome(answer) -> str | int:
    if not isinstance(answer, dict) or answer.get("ok") is False:
        return 404
    return "ok"


@pytest.mark.hardening
@pytest.mark.parametrize(("event", "world", "role"), LIVE_CASES, indirect=["world"])
def test_live_access_table(app, client, auth, db, world, event, role):
    from consult.extensions import socketio

    payload, page = LIVE_EVENTS[event]
    data = payload(world)
    expected = ENDPOINTS[page][2](role, world.room.access)
    if role != "anonymous":
        auth.login_quickly(world.users[role])
        with client.session_transaction() as session:
            session["second_factor_at"] = time.time()  # as after a two-factor sign-in
    db.session.commit()  # socket handlers release the session
    sc = socketio.test_client(app, namespace="/live", flask_test_client=client)
    try:
        if not sc.is_connected("/live"):
            outcome = "signin"
        elif event == "connect":
            outcome = "ok"
        else:
            outcome = _live_outcome(sc.emit(event, data, namespace="/live", callback=True))
    finally:
        if sc.is_connected("/live"):
            sc.disconnect(namespace="/live")
    assert outcome == expected, f"{event} {data} as {role}: got {outcome}"


@pytest.mark.architecture
def test_every_live_event_has_a_row_in_the_table(app):
    """Every event this app's `/live` namespace handles (its own and those the domains
    registered from their `register(app)`) has a row; `disconnect` refuses nothing."""
    from consult import live

    events = live.handled(app) - {"disconnect"}
    assert {"watch_room", "watch_paper", "watch_meeting", "watch_thread"} <= events
    missing = sorted(events - set(LIVE_EVENTS))
    assert not missing, f"live events without a row: {missing}"
    assert not set(LIVE_EVENTS) - events, "rows for events the live channel does not handle"


# ---- the screen link's token, on the page and the live channel -----------------------------


@pytest.mark.parametrize("world", [AccessLevel.MEMBERS], indirect=True)
def test_screen_token_rows(app, client, world, db):
    """Anonymous with the right token: the screen, and a socket that may watch it; a wrong or
    revoked token: 404, and the socket is refused at the door."""
    from consult.extensions import socketio
    from consult.meetings import screens

    token = world.screen_token
    meeting_id = world.meeting.id
    assert client.get(f"/screen/{token}").status_code == 200
    assert client.get(f"/screen/not-{token}").status_code == 404
    db.session.commit()
    sc = socketio.test_client(app, namespace="/live", auth={"screen": token})
    assert sc.is_connected("/live")
    answer = sc.emit("watch_screen", {"token": token}, namespace="/live", callback=True)
    assert answer["ok"]
    assert sc.emit("watch_meeting", {"meeting": meeting_id}, namespace="/live", callback=True) == {
        "ok": False
    }
    sc.disconnect(namespace="/live")
    wrong = socketio.test_client(app, namespace="/live", auth={"screen": "not-a-token"})
    assert not wrong.is_connected("/live")
    link = screens.link_for(token)
    link.revoked_at = utcnow()
    db.session.commit()
    assert client.get(f"/screen/{token}").status_code == 404
    revoked = socketio.test_client(app, namespace="/live", auth={"screen": token})
    assert not revoked.is_connected("/live")
