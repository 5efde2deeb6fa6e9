"""Notifications and activity lines through the access policy, as a table.

Each row makes something happen in a room of each access level, then asks every role what it
got: a notification "delivered" (in words that may name a delegation), "anonymised" (delivered
without naming anyone, under the Chatham House Rule) or "withheld"; an activity line "shown" on
the room page and the dashboard's "since your last visit", or "withheld". The expectations are
written from the spec (tests/test_authorisation.py's SEES and MANAGES), not from the code.

A row per kind: a test fails for a notification or activity kind that has none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from consult.accounts.models import DelegationStatus
from consult.briefs import services as briefs
from consult.meetings import services as meetings
from consult.meetings.models import MeetingKind, MeetingMode
from consult.notifications import services as notifications
from consult.notifications.models import Notification
from consult.notifications.services import CONFIDENTIAL_AWARE
from consult.papers import services as papers
from consult.papers.models import PaperKind, PaperStatus
from consult.policy import Need, can, visible
from consult.rooms import services as rooms
from consult.rooms.models import AccessLevel, Room, RoomActivity, RoomKind, RoomRole, RoomVisit
from consult.threads import services as threads
from consult.threads.models import Marking
from consult.timeutil import utcnow
from tests.test_authorisation import MANAGES, SEES

pytestmark = pytest.mark.hardening

ROLES = [
    "observer_org",
    "observer_state",
    "signatory",
    "state_party",
    "room_member",
    "room_chair",
    "secretariat",
]
STATUSES = {
    "observer_org": DelegationStatus.CIVIL_SOCIETY,
    "observer_state": DelegationStatus.OBSERVER_STATE,
    "signatory": DelegationStatus.SIGNATORY,
    "state_party": DelegationStatus.STATE_PARTY,
    "room_member": DelegationStatus.STATE_PARTY,
    "room_chair": DelegationStatus.STATE_PARTY,
    "secretariat": DelegationStatus.SECRETARIAT,
}
REPLIER = "Philippines"
#: Notification kinds whose text names the replying delegation (unless Chatham House).
REPLIES = ("paper.reply", "discussion.reply")
NAMED = {"room_member", "room_chair"}  # named (personal) members: the confidential audience


@dataclass
class Town:
    room: Room
    users: dict
    actor: object  # a second chair of the room, who does things (never a role in the table)
    replier: object  # a member of the room from the Philippines
    db: object
    made: dict = field(default_factory=dict)


@pytest.fixture
def town(db, make_delegation, make_user, make_room, add_member, request) -> Town:
    access = request.param
    room = make_room(access)
    users = {role: make_user(status=status) for role, status in STATUSES.items()}
    add_member(room, users["room_chair"], RoomRole.CHAIR)
    add_member(room, users["room_member"], RoomRole.MEMBER)
    actor = make_user(status=DelegationStatus.STATE_PARTY)
    add_member(room, actor, RoomRole.CHAIR)
    philippines = make_delegation(DelegationStatus.STATE_PARTY, name=REPLIER)
    replier = make_user(delegation=philippines)
    add_member(room, replier, RoomRole.MEMBER)
    if access is AccessLevel.CONFIDENTIAL:
        for user in [*users.values(), actor, replier]:
            user.totp_enabled_at, user.totp_secret = utcnow(), "A" * 32
    newcomer = make_user(status=DelegationStatus.STATE_PARTY)
    db.session.flush()
    return Town(room, users, actor, replier, db, {"newcomer": newcomer})


# ---- what happens ----------------------------------------------------------------------------


def _paper(t: Town, *, chatham: bool = False):
    """A paper the actor issues (in drafting) and then opens for comments."""
    paper = papers.create_paper(
        t.room,
        t.actor,
        title="Draft guide",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First.\n\nSecond.",
        is_chatham_house=chatham,
    )
    papers.open_for_comments(paper, t.actor)
    t.made["paper"] = paper
    return paper


def _status(t: Town, paper, status: PaperStatus) -> None:
    papers.set_status(paper, t.actor, status, None)


def _revise(t: Town, paper) -> None:
    papers.revise(paper, t.actor, "First.\n\nSecond, amended.")


def paper_created(t):
    _paper(t)


def paper_created_then_drafting(t):
    _status(t, _paper(t), PaperStatus.DRAFTING)


def paper_drafting_then_open_again(t):
    paper = _paper(t)
    _status(t, paper, PaperStatus.DRAFTING)
    _revise(t, paper)
    _status(t, paper, PaperStatus.OPEN)


def _followed_paper(t):
    paper = _paper(t)
    for user in t.users.values():
        papers.follow(paper, user, True)  # the room's chairs already do, by default
    t.db.session.flush()
    return paper


def revision_open(t):
    _revise(t, _followed_paper(t))


def revision_of_drafting_paper(t):
    paper = _followed_paper(t)
    _status(t, paper, PaperStatus.DRAFTING)
    _revise(t, paper)


def revision_then_drafting(t):
    """Told while open; the paper then goes back to drafting: the news falls silent."""
    paper = _followed_paper(t)
    _revise(t, paper)
    _status(t, paper, PaperStatus.DRAFTING)


def _replies(t, *, chatham: bool):
    paper = _paper(t, chatham=chatham)
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    for user in t.users.values():
        # Comments made while each could comment (some have since lost the room).
        comment = papers.post_comment(
            paper, user, paragraph=paragraph, body="Hm.", on_behalf_of=user.delegation.name
        )
        papers.post_comment(
            paper,
            t.replier,
            paragraph=paragraph,
            body="Agreed.",
            on_behalf_of=REPLIER,
            parent=comment,
        )


def reply(t):
    _replies(t, chatham=False)


def _comment_heard_by_followers(t, *, chatham: bool):
    """Every role follows the paper (the chairs do by default); the replier comments: only
    the followers who manage or carry the paper hear of it."""
    paper = _paper(t, chatham=chatham)
    for user in t.users.values():
        papers.follow(paper, user, True)
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    papers.post_comment(paper, t.replier, paragraph=paragraph, body="Hm.", on_behalf_of=REPLIER)


def comment_to_followers(t):
    _comment_heard_by_followers(t, chatham=False)


def comment_to_followers_chatham_house(t):
    _comment_heard_by_followers(t, chatham=True)


def opened_then_drafting(t):
    _status(t, _paper(t), PaperStatus.DRAFTING)


def managers_told_by_name(role, access):  # those who manage may see who commented
    return "named a delegation" if sees_and_manages(role, access) else "withheld"


def room_people(role, access):  # the room's named members (the actor opened it)
    return role in ("room_member", "room_chair")


def room_managers(role, access):  # back in drafting: only the managers among them
    return role == "room_chair"


def reply_chatham_house(t):
    _replies(t, chatham=True)


def meeting_created(t):
    meetings.create_meeting(
        t.room,
        t.actor,
        title="Session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=3),
        time_zone="Europe/Zurich",
    )


def _meeting(t):
    return meetings.create_meeting(
        t.room,
        t.actor,
        title="Session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow() + timedelta(days=7),
        ends_at=utcnow() + timedelta(days=7, hours=3),
        time_zone="Europe/Zurich",
    )


def meeting_moved(t):
    meeting = _meeting(t)
    t.db.session.query(Notification).delete()  # only the move's notification counts
    meetings.update_meeting(
        meeting,
        t.actor,
        starts_at=meeting.starts_at + timedelta(days=1),
        ends_at=meeting.ends_at + timedelta(days=1),
    )


def meeting_details_changed(t):
    """A new title is not a move: nobody is told."""
    meeting = _meeting(t)
    t.db.session.query(Notification).delete()
    meetings.update_meeting(
        meeting,
        t.actor,
        title="Session (renamed)",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )


def meeting_cancelled(t):
    meeting = _meeting(t)
    t.db.session.query(Notification).delete()  # only the cancellation's notification counts
    meetings.cancel_meeting(meeting, t.actor)


def _mentioning_everyone(t) -> str:
    return " ".join(f"@[{user.name}]" for user in t.users.values())


def mention_in_comment(t):
    """The actor names every role in a comment: told, who may see the paper."""
    paper = _paper(t)
    t.db.session.query(Notification).delete()
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    papers.post_comment(
        paper,
        t.actor,
        paragraph=paragraph,
        body=_mentioning_everyone(t),
        on_behalf_of=t.actor.delegation.name,
    )


def mention_by_the_philippines_chatham_house(t):
    """The Philippines names every role under the Chatham House Rule: named only to those
    who may see authors."""
    paper = _paper(t, chatham=True)
    t.db.session.query(Notification).delete()
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    papers.post_comment(
        paper, t.replier, paragraph=paragraph, body=_mentioning_everyone(t), on_behalf_of=REPLIER
    )


def mention_in_discussion(t):
    from consult.discussions import services as discussions

    if t.room.access is AccessLevel.CONFIDENTIAL:
        pytest.skip("confidential rooms have threads, not discussions")
    topic = discussions.start_topic(t.room, t.actor, "Topic", "Opening.")
    discussions.post_reply(topic, t.replier, _mentioning_everyone(t))


def named_unless_chatham_house(role, access):
    """Told by name where one may see authors (the chairs and the Secretariat); in a
    confidential room the line names nothing at all."""
    if role not in SEES[access]:
        return "withheld"
    if access is AccessLevel.CONFIDENTIAL:
        return "delivered"
    return "named a delegation" if role in MANAGES else "delivered"


def agenda_adopted(t):
    meeting = _meeting(t)
    meetings.add_item(meeting, t.actor, number=1, letter="", title="One")
    meetings.adopt_agenda(meeting, t.actor)


def person_added(t):
    rooms.add_member(t.room, RoomRole.MEMBER, t.actor, user=t.users["state_party"])


def delegation_added(t):
    rooms.add_member(t.room, RoomRole.MEMBER, t.actor, delegation=t.users["signatory"].delegation)


def given_a_role(t):
    rooms.add_member(t.room, RoomRole.FACILITATOR, t.actor, user=t.users["room_member"])


def join_requested(t):
    rooms.request_to_join(t.room, t.made["newcomer"], "Please.")


def only(*roles):
    return lambda role, access: role in roles


def nobody(role, access):
    return False


def member_added(t):
    rooms.add_member(t.room, RoomRole.OBSERVER, t.actor, user=t.made["newcomer"])


def role_changed(t):
    rooms.add_member(t.room, RoomRole.OBSERVER, t.actor, user=t.replier)


def member_removed(t):
    membership = rooms.current_membership(t.room, user=t.replier)
    rooms.remove_member(membership, t.actor)


def demo_line(t):
    t.db.session.add(RoomActivity(room_id=t.room.id, kind="room.activity", summary="Demo line"))


def _confidential(t):
    if t.room.access is not AccessLevel.CONFIDENTIAL:
        pytest.skip("threads and trend briefs live in confidential rooms")


def thread_post(t):
    _confidential(t)
    thread = threads.create_thread(
        t.room, t.replier, title="Case", marking=Marking.AMBER, body="Details."
    )
    threads.add_post(thread, t.actor, "More.")


def need_to_know_thread_post(t):
    _confidential(t)
    thread = threads.create_thread(
        t.room,
        t.replier,
        title="Case",
        marking=Marking.AMBER,
        body="Details.",
        audience=[t.actor, t.users["room_member"]],
    )
    threads.add_post(thread, t.actor, "More.")


def _pending_brief(t):
    _confidential(t)
    brief = briefs.draft(t.room, t.actor, "Trends in transit.")
    briefs.submit(brief, t.actor, 14, set())
    return brief


def brief_pending(t):
    _pending_brief(t)


def brief_withdrawn_to_draft(t):
    briefs.withdraw(_pending_brief(t), t.actor)


def brief_objection(t):
    briefs.object_to(_pending_brief(t), t.replier, "It names a case.")


def brief_objection_withdrawn(t):
    brief = _pending_brief(t)
    briefs.object_to(brief, t.replier, "It names a case.")
    t.db.session.query(Notification).delete()  # only the withdrawal's notification counts
    briefs.withdraw_objection(brief, t.replier)


def brief_published(t):
    """Published from a confidential forum into this (non-confidential) room."""
    if t.room.access is AccessLevel.CONFIDENTIAL:
        pytest.skip("a trend brief is published into a non-confidential room")
    forum = Room(slug=f"forum-{t.room.id}", title="DIEF", kind=RoomKind.CONFIDENTIAL_FORUM)
    forum.access = AccessLevel.CONFIDENTIAL
    t.db.session.add(forum)
    t.db.session.flush()
    rooms.add_member(forum, RoomRole.CHAIR, t.actor, user=t.actor)
    brief = briefs.draft(forum, t.actor, "Trends in transit.")
    briefs.submit(brief, t.actor, 1, set())
    brief.objections_close_at = utcnow() - timedelta(minutes=1)
    t.db.session.query(RoomActivity).delete()  # the forum's lines are not this row's
    briefs.publish(brief, t.actor, t.room, set())


def _discussion_replies(t, *, chatham: bool):
    """A post by each role (made while each could post), each answered by the replier."""
    from consult.discussions import services as discussions
    from consult.discussions.models import TopicPost

    if t.room.access is AccessLevel.CONFIDENTIAL:
        pytest.skip("confidential rooms have threads, not discussions")
    topic = discussions.start_topic(t.room, t.actor, "Topic", "Opening.", is_chatham_house=chatham)
    for user in t.users.values():
        post = TopicPost(
            topic_id=topic.id, author_id=user.id, delegation_id=user.delegation_id, body="Hm."
        )
        t.db.session.add(post)
        t.db.session.flush()
        discussions.post_reply(topic, t.replier, "Agreed.", parent=post)


def discussion_reply(t):
    _discussion_replies(t, chatham=False)


def discussion_reply_chatham_house(t):
    _discussion_replies(t, chatham=True)


def discussion_started(t):
    from consult.discussions import services as discussions

    if t.room.access is AccessLevel.CONFIDENTIAL:
        pytest.skip("confidential rooms have threads, not discussions")
    discussions.start_topic(t.room, t.replier, "Topic", "Opening.")


def _contribution(t, by, cosponsors=()):
    from consult.papers import contributions

    return contributions.submit_contribution(
        t.room,
        by,
        title="National practice",
        source="Our practice.",
        cosponsor_ids=[t.users[role].delegation_id for role in cosponsors],
    )


def contribution_submitted(t):
    _contribution(t, t.replier)


def contribution_returned(t):
    from consult.papers import contributions

    paper = _contribution(t, t.users["room_member"])
    contributions.return_contribution(paper, t.actor, "Please shorten it.")


def contribution_accepted(t):
    from consult.papers import contributions

    paper = _contribution(t, t.users["room_member"])
    contributions.accept(paper, t.actor, symbol=contributions.suggested_symbol(paper))


def contribution_accepted_line(t):
    from consult.papers import contributions

    paper = _contribution(t, t.replier)
    contributions.accept(paper, t.actor, symbol=contributions.suggested_symbol(paper))


def cosponsors_invited(t):
    _contribution(t, t.replier, cosponsors=("state_party", "signatory"))


def the_submitter(role, access):  # the room_member's delegation submitted it
    return role == "room_member"


def chairs_told_by_name(role, access):  # a national contribution names its delegation
    return "named a delegation" if role == "room_chair" else "withheld"


def invited_states_told_by_name(role, access):
    if role in ("state_party", "signatory") and role in SEES[access]:
        return "named a delegation"
    return "withheld"


def _case_study(t, by, *, attributed: bool = True):
    from consult.case_studies import services as case_studies

    if t.room.access is AccessLevel.CONFIDENTIAL:
        pytest.skip("case studies are not submitted to confidential rooms")
    texts = dict.fromkeys(
        ("context", "challenge", "measures", "agencies", "result", "lessons"), "x"
    )
    draft = case_studies.Draft(title="Stockpiles", sections=texts, is_attributed=attributed)
    return case_studies.submit(t.room, by, draft)


def case_study_submitted(t):
    _case_study(t, t.replier)


def case_study_submitted_unattributed(t):
    _case_study(t, t.replier, attributed=False)


def case_study_published(t):
    from consult.case_studies import services as case_studies

    case_studies.publish(_case_study(t, t.users["room_member"], attributed=False), t.actor)


def case_study_returned(t):
    from consult.case_studies import services as case_studies

    case_study = _case_study(t, t.users["room_member"])
    case_studies.return_case_study(case_study, t.actor, "Add figures.")


def case_study_published_line(t):
    from consult.case_studies import services as case_studies

    case_studies.publish(_case_study(t, t.replier, attributed=False), t.actor)


def chairs_told_without_a_name(role, access):  # an unattributed case study names nobody
    return "delivered" if role == "room_chair" else "withheld"


def small_group_opened(t):
    """A chair opens a small group under the room with one of its members (issue #12)."""
    from consult.small_groups import services as small_groups

    small_groups.create_small_group(
        t.room,
        t.actor,
        title="Friends of the chair",
        description="",
        delegation_ids=[],
        user_ids=[t.users["room_member"].id],
    )


# ---- groups: what is said on a group's behalf is confirmed or declined by its coordinator ----


def _group_comments(t):
    """Each role comments on behalf of a group (coordinated by the Philippines), pending."""
    from consult.groups.models import Group, GroupKind, GroupMember

    group = Group(
        name="Friends of the Guide",
        slug=f"friends-{t.room.id}",
        kind=GroupKind.DEFINED,
        coordinator_id=t.replier.delegation_id,
    )
    t.db.session.add(group)
    t.db.session.flush()
    for user in [*t.users.values(), t.replier]:
        t.db.session.add(GroupMember(group_id=group.id, delegation_id=user.delegation_id))
    paper = _paper(t)
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    return [
        papers.post_comment(
            paper, user, paragraph=paragraph, body="For us all.", on_behalf_of=f"group-{group.id}"
        )
        for user in t.users.values()
    ]


def group_confirmed(t):
    for comment in _group_comments(t):
        papers.confirm_comment(comment, t.replier)


def group_declined(t):
    for comment in _group_comments(t):
        papers.decline_comment(comment, t.replier, "Not agreed yet.")


def names_own_delegation(role, access):  # "you can post it as <your delegation> instead"
    return "named a delegation" if sees(role, access) else "withheld"


def meeting_floor_closed(t):
    """Every role's delegation is inscribed on item 1 at the desk; the chair moves on and
    closes the waiting requests: each delegation's people are told, if they see the meeting."""
    from consult.meetings import services as meetings
    from consult.meetings.models import ItemState, MeetingKind, MeetingMode

    meeting = meetings.create_meeting(
        t.room,
        t.actor,
        title="Session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=2),
        time_zone="UTC",
    )
    first = meetings.add_item(meeting, t.actor, number=1, letter="", title="One")
    meetings.add_item(meeting, t.actor, number=2, letter="", title="Two")
    meetings.adopt_agenda(meeting, t.actor)
    meetings.set_item_state(first, t.actor, ItemState.CURRENT)
    for user in t.users.values():
        meetings.inscribe(first, t.actor, user.delegation)
    meetings.next_item(meeting, t.actor, meetings.Waiting.CLOSE)


def statement_agreement_asked(t):
    from consult.statements import services as statements

    statement = statements.open_statement(t.room, t.actor, title="Statement", source="We agree.")
    statements.ask_agreement(statement, t.actor, utcnow() + timedelta(days=1))


def member_delegations(role, access):  # the room's member delegations are the group
    return role in ("room_member", "room_chair")


def questionnaire_issued(t):
    """The chair issues a questionnaire to the room (issue #13): its members are told."""
    from consult.questionnaires import services as questionnaires

    questionnaire = questionnaires.create(
        t.room,
        t.actor,
        title="Practice",
        introduction="",
        closes_at=utcnow() + timedelta(days=7),
        is_shared_with_room=True,
        attribution="attributed",
    )
    questionnaires.add_question(questionnaire, t.actor, "How?")
    questionnaires.issue(questionnaire, t.actor)


def _procedure(t):
    """The room's chair circulates a draft decision under the silence procedure (issue #16)."""
    from consult.procedures import services as procedures
    from consult.procedures.models import ProcedureMode

    return procedures.circulate(
        t.room,
        t.actor,
        title="Venue",
        text="Geneva.",
        paper_id=None,
        note="",
        mode=ProcedureMode.SILENCE,
        quorum=None,
        closes_at=utcnow() + timedelta(days=3),
    )


def procedure_circulated(t):
    _procedure(t)


def procedure_extended(t):
    from consult.procedures import services as procedures

    procedure = _procedure(t)
    procedures.extend(procedure, t.actor, procedure.closes_at + timedelta(days=1), "Capitals.")


def procedure_decided(t):
    """The deadline passes and the sweep records the outcome (adopted by silence)."""
    from consult.procedures import services as procedures

    procedure = _procedure(t)
    procedure.closes_at = utcnow() - timedelta(seconds=1)
    t.db.session.flush()
    procedures.close_due()


def deadline_reminder(t):
    """A questionnaire to the room closes in 70 hours; the reminder job runs (issue #14): the
    delegations asked that have not answered are reminded."""
    from consult.notifications import reminders
    from consult.questionnaires import services as questionnaires

    questionnaire = questionnaires.create(
        t.room,
        t.actor,
        title="Practice",
        introduction="",
        closes_at=utcnow() + timedelta(hours=70),
        is_shared_with_room=True,
        attribution="attributed",
    )
    questionnaires.add_question(questionnaire, t.actor, "How?")
    questionnaires.issue(questionnaire, t.actor)
    reminders.send()


def asked_to_answer(role, access):
    """A questionnaire asks the room's member delegations, not its chairs' (they ask)."""
    return role == "room_member"


def procedure_told(role, access):
    """Everyone an open room admits; the States of a States room; the members otherwise (in
    a transparent room, who takes part: its members)."""
    if access is AccessLevel.OPEN:
        return role in SEES[access]
    if access is AccessLevel.STATES:
        return role in SEES[access] and role != "secretariat"
    return role in ("room_member", "room_chair")


def assistance_matched(t):
    """The Secretariat matches the room member's private request (shared with the room
    chair's delegation) with the room chair's offer; the room does not matter."""
    from consult.assistance import services as assistance
    from consult.taxonomy import services as taxonomy
    from consult.taxonomy.forms import ChosenTags

    stage = ChosenTags([taxonomy.by_slug("national-control-list")], [], [])
    fields = dict(title="Help", description="Needed.", kinds=["training"], tags=stage)
    request = assistance.file_request(t.users["room_member"], visibility="private", **fields)
    secretariat = t.users["secretariat"]
    assistance.share(request, secretariat, t.users["room_chair"].delegation_id)
    offer = assistance.post_offer(t.users["room_chair"], visibility="private", **fields)
    assistance.match(request, secretariat, [offer.id])


def assistance_in_progress(t):
    """The requesting delegation (the room member) moves its matched request to in progress:
    the offering party (the room chair's delegation) is told."""
    from consult.assistance import services as assistance

    assistance_matched(t)
    request = _latest_request()
    assistance.move(request, t.users["room_member"], "in_progress")


def _latest_request():
    from consult.assistance.models import AssistanceRequest
    from consult.extensions import db

    return db.session.scalars(
        select(AssistanceRequest).order_by(AssistanceRequest.id.desc())
    ).first()


def the_offering_party(role, access):  # told by the requesting delegation's move
    return role == "room_chair"


def the_parties(role, access):  # the requesting and offering delegations, not the Secretariat
    return role in ("room_member", "room_chair")


# ---- the expectations --------------------------------------------------------------------------


def sees(role, access):
    return role in SEES[access]


def sees_and_manages(role, access):
    return role in SEES[access] and role in MANAGES


def named(role, access):
    return access is AccessLevel.CONFIDENTIAL and role in NAMED


def named_managers(role, access):
    return access is AccessLevel.CONFIDENTIAL and role == "room_chair"


def small_group_members(role, access):  # the line speaks of the small group: its members
    return role in ("room_member", "secretariat")


def listed(role, access):  # the need-to-know thread's list names the room_member only
    return access is AccessLevel.CONFIDENTIAL and role == "room_member"


def anonymised_unless_managing(role, access):
    if role not in SEES[access]:
        return "withheld"
    return "delivered" if role in MANAGES else "anonymised"


@dataclass
class Row:
    kind: str
    case: str
    make: Callable[[Town], None]
    rule: Callable  # (role, access) -> bool (delivered / shown) or an outcome string
    #: Made while the person could see it, hidden since: stored, but no longer listed.
    hidden_later: bool = False


NOTIFICATION_ROWS = [
    Row("paper.revision", "open paper, to its followers", revision_open, sees),
    Row("paper.revision", "paper in drafting", revision_of_drafting_paper, sees_and_manages),
    Row(
        "paper.revision",
        "told, then back to drafting",
        revision_then_drafting,
        sees_and_manages,
        True,
    ),
    Row("paper.reply", "names the replying delegation", reply, sees),
    Row("paper.opened", "to the room's people", paper_created, room_people),
    Row("paper.opened", "reopened from drafting", paper_drafting_then_open_again, room_people),
    Row("paper.opened", "then back to drafting", opened_then_drafting, room_managers, True),
    Row(
        "paper.comment", "to the followers who manage", comment_to_followers, managers_told_by_name
    ),
    Row(
        "paper.comment",
        "Chatham House Rule",
        comment_to_followers_chatham_house,
        managers_told_by_name,
    ),
    Row("paper.reply", "Chatham House Rule", reply_chatham_house, anonymised_unless_managing),
    Row("thread.activity", "thread", thread_post, named),
    Row("thread.activity", "need-to-know thread", need_to_know_thread_post, listed),
    Row("brief.pending", "to the named members", brief_pending, named),
    Row("brief.objection", "to the chairs", brief_objection, named_managers),
    Row("brief.objection", "withdrawn, to the chairs", brief_objection_withdrawn, named_managers),
    # ---- discussions ----
    Row("discussion.reply", "names the replying delegation", discussion_reply, sees),
    Row(
        "discussion.reply",
        "Chatham House Rule",
        discussion_reply_chatham_house,
        anonymised_unless_managing,
    ),
    Row(
        "paper.contribution_submitted",
        "to the chairs",
        contribution_submitted,
        chairs_told_by_name,
    ),
    Row("paper.contribution_decided", "returned", contribution_returned, the_submitter),
    Row("paper.contribution_decided", "accepted", contribution_accepted, the_submitter),
    Row(
        "paper.cosponsor_invited",
        "to the invited States",
        cosponsors_invited,
        invited_states_told_by_name,
    ),
    # ---- groups ----
    Row("group.confirmed", "to the author", group_confirmed, sees),
    Row("group.declined", "to the author", group_declined, names_own_delegation),
    # ---- meetings ----
    Row("meeting.floor_closed", "to the delegation", meeting_floor_closed, sees),
    Row("meeting.scheduled", "to the room's people", meeting_created, room_people),
    Row("meeting.moved", "to the room's people", meeting_moved, room_people),
    Row("meeting.moved", "renamed, not moved", meeting_details_changed, nobody),
    Row("meeting.cancelled", "to the room's people", meeting_cancelled, room_people),
    Row("agenda.adopted", "to the room's people", agenda_adopted, room_people),
    # ---- mentions ----
    Row("mention", "in a comment, whom the paper admits", mention_in_comment, sees),
    Row(
        "mention",
        "Chatham House Rule",
        mention_by_the_philippines_chatham_house,
        named_unless_chatham_house,
    ),
    Row("mention", "in a discussion reply", mention_in_discussion, names_own_delegation),
    # ---- rooms ----
    Row("room.added", "a person", person_added, only("state_party")),
    Row("room.added", "a delegation", delegation_added, only("signatory")),
    Row("room.role", "a member made facilitator", given_a_role, only("room_member")),
    Row("room.join_request", "to the room's chairs", join_requested, room_managers),
    Row(
        "statement.agreement_asked",
        "to the member delegations",
        statement_agreement_asked,
        member_delegations,
    ),
    # ---- questionnaires ----
    Row("questionnaire.issued", "to the room's members", questionnaire_issued, member_delegations),
    # ---- deadline reminders (issue #14) ----
    Row("deadline.reminder", "questionnaire to answer", deadline_reminder, asked_to_answer),
    # ---- written procedure ----
    Row("procedure.circulated", "to the room", procedure_circulated, procedure_told),
    Row("procedure.extended", "to the room", procedure_extended, procedure_told),
    Row("procedure.outcome", "adopted by silence", procedure_decided, procedure_told),
    # ---- case studies ----
    Row("case_study.submitted", "attributed", case_study_submitted, chairs_told_by_name),
    Row(
        "case_study.submitted",
        "unattributed",
        case_study_submitted_unattributed,
        chairs_told_without_a_name,
    ),
    Row("case_study.decided", "published", case_study_published, the_submitter),
    Row("case_study.decided", "returned", case_study_returned, the_submitter),
    # ---- needs and assistance ----
    Row("assistance.matched", "to the parties", assistance_matched, the_parties),
    Row(
        "assistance.status_changed",
        "to the other party",
        assistance_in_progress,
        the_offering_party,
    ),
]

ACTIVITY_ROWS = [
    Row("paper.created", "open paper", paper_created, sees),
    Row("paper.created", "paper back in drafting", paper_created_then_drafting, sees_and_manages),
    Row("paper.created", "national paper accepted", contribution_accepted_line, sees),
    Row("paper.revised", "paper in drafting", revision_of_drafting_paper, sees_and_manages),
    Row("paper.opened", "opened for comments", paper_created, sees),
    Row("paper.opened", "then back to drafting", opened_then_drafting, sees_and_manages),
    Row("paper.revised", "open paper", revision_open, sees),
    Row("paper.revised", "open again after drafting", paper_drafting_then_open_again, sees),
    Row("meeting.created", "meeting", meeting_created, sees),
    Row("room.member_added", "newcomer", member_added, sees),
    Row("room.role_changed", "member becomes observer", role_changed, sees),
    Row("room.member_removed", "member removed", member_removed, sees),
    Row("room.activity", "a line about the room", demo_line, sees),
    Row("thread.activity", "thread", thread_post, named),
    Row("thread.activity", "need-to-know thread", need_to_know_thread_post, listed),
    Row("brief.pending", "open to objections", brief_pending, named),
    Row("brief.pending", "withdrawn to draft", brief_withdrawn_to_draft, named_managers),
    Row("brief.published", "in the target room", brief_published, sees),
    # ---- discussions ----
    Row("discussion.started", "a new topic", discussion_started, sees),
    # ---- small groups ----
    Row("room.small_group_opened", "its members only", small_group_opened, small_group_members),
    # ---- case studies ----
    Row("case_study.published", "unattributed", case_study_published_line, sees),
]


def _cases(rows):
    return [
        pytest.param(row, access, id=f"{row.kind}-{row.case}-{access.value}".replace(" ", "_"))
        for row in rows
        for access in AccessLevel
    ]


def _expected(row: Row, role: str, access: AccessLevel, yes: str) -> str:
    answer = row.rule(role, access)
    if (
        yes == "delivered"
        and access is AccessLevel.CONFIDENTIAL
        and answer not in (False, "withheld")
        and row.kind not in CONFIDENTIAL_AWARE
    ):
        # A notification about something in a confidential room is one content-free line:
        # the notifications page is not behind the two-factor gate.
        return "anonymised" if row.kind in REPLIES else "delivered"
    if isinstance(answer, str):
        return answer
    return yes if answer else "withheld"


@pytest.mark.parametrize(("row", "town"), _cases(NOTIFICATION_ROWS), indirect=["town"])
def test_notification_table(town, row):
    row.make(town)
    town.db.session.flush()
    got, expected = {}, {}
    for role in ROLES:
        user = town.users[role]
        mine = [n for n in notifications.recent(user) if n.kind == row.kind]
        stored = town.db.session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == row.kind
            )
        ).all()
        if not row.hidden_later:  # built for what the recipient could see when it was made
            assert len(stored) == len(mine), f"{role} was sent what they may not see"
        if not mine:
            got[role] = "withheld"
        elif any(REPLIER in n.text or user.delegation.name in n.text for n in mine):
            got[role] = "delivered" if row.kind in REPLIES else "named a delegation"
        else:
            got[role] = "anonymised" if row.kind in REPLIES else "delivered"
        # The count in the navigation agrees with the list.
        unread = [n for n in notifications.recent(user) if n.read_at is None]
        assert notifications.unread_count(user) == len(unread)
        expected[role] = _expected(row, role, town.room.access, "delivered")
    assert got == expected


@pytest.mark.parametrize(("row", "town"), _cases(ACTIVITY_ROWS), indirect=["town"])
def test_activity_table(town, row):
    row.make(town)
    town.db.session.flush()
    got, expected = {}, {}
    for role in ROLES:
        user = town.users[role]
        page = can(Need.VIEW, town.room, user) and any(
            a.kind == row.kind for a in rooms.recent_activity(town.room, user)
        )
        rows, latest = rooms.dashboard(user)
        board = [a for a, r in latest if r.id == town.room.id and a.kind == row.kind]
        # The number on the dashboard's room card counts only the lines the person may see.
        for dashboard_row in rows:
            if dashboard_row.room.id == town.room.id:
                shown = [a for a, r in latest if r.id == town.room.id]
                assert dashboard_row.new_count == len(shown), role
        if page and board:
            got[role] = "shown"
        elif not page and not board:
            got[role] = "withheld"
        else:
            got[role] = f"room page {page}, dashboard {bool(board)}"
        expected[role] = _expected(row, role, town.room.access, "shown")
    assert got == expected


def test_every_notification_kind_has_a_row():
    assert sorted(notifications.KINDS) == sorted({row.kind for row in NOTIFICATION_ROWS})


def test_every_activity_kind_has_a_row():
    assert sorted(rooms.ACTIVITY_KINDS) == sorted({row.kind for row in ACTIVITY_ROWS})


def test_an_unlisted_kind_is_refused(db, make_room, make_user):
    room = make_room()
    with pytest.raises(ValueError, match="unknown notification kind"):
        notifications.notify([make_user().id], "paper.gossip", "Hi", "/", subject=room)
    with pytest.raises(ValueError, match="unknown activity kind"):
        rooms.note_activity(room, "paper.gossip", "Hi")


# ---- what a person notices, through the pages ------------------------------------------------


@pytest.fixture
def open_room(db, make_user, make_room, add_member, make_delegation):
    """An open room with its chair, a delegate who follows its paper, and the Philippines."""
    room = make_room(AccessLevel.OPEN)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    delegate = make_user()
    replier = make_user(delegation=make_delegation(DelegationStatus.STATE_PARTY, name=REPLIER))
    return room, chair, delegate, replier


def test_a_chatham_house_reply_names_no_delegation(client, auth, open_room):
    room, chair, delegate, replier = open_room
    paper = papers.create_paper(
        room,
        chair,
        title="Guide on diversion",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First.\n\nSecond.",
        is_chatham_house=True,
    )
    papers.open_for_comments(paper, chair)
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    comment = papers.post_comment(
        paper, delegate, paragraph=paragraph, body="Hm.", on_behalf_of=delegate.delegation.name
    )
    auth.login(replier)
    response = client.post(
        f"/papers/{paper.id}/p/{paragraph.key}/comments",
        data={
            "body": "Agreed.",
            "on_behalf_of": REPLIER,
            "parent_id": str(comment.id),
            "revision": "0",
        },
    )
    assert response.status_code in (200, 302, 303)
    auth.logout()
    auth.login(delegate)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "replied to your comment on Guide on diversion ¶1" in page
    assert REPLIER not in page


def test_a_paper_in_drafting_is_silent_to_delegates_until_it_opens_again(
    client, auth, open_room, db
):
    room, chair, delegate, replier = open_room
    paper = papers.create_paper(
        room,
        chair,
        title="Draft decision on reporting",
        kind=PaperKind.DRAFT_DECISION,
        issued_by="Chair",
        source="First.\n\nSecond.",
    )
    papers.open_for_comments(paper, chair)
    papers.follow(paper, delegate, True)
    papers.set_status(paper, chair, PaperStatus.DRAFTING, None)
    papers.revise(paper, chair, "First.\n\nSecond, amended.")
    auth.login(delegate)
    for path in ("/", f"/rooms/{room.slug}", "/notifications/"):
        page = client.get(path).get_data(as_text=True)
        assert "Draft decision on reporting" not in page, path
        assert "Rev.1" not in page, path
    # As if the delegate had not opened the room since (its page records a visit).
    db.session.execute(delete(RoomVisit).where(RoomVisit.user_id == delegate.id))
    auth.logout()
    auth.login(chair)
    assert "Rev.1 issued" in client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    papers.set_status(paper, chair, PaperStatus.OPEN, None)
    auth.logout()
    auth.login(delegate)
    # Open again: its news speak again (the follower notification was never made: it was
    # drafting when Rev.1 was issued).
    assert "Draft decision on reporting: Rev.1 issued" in client.get("/").get_data(as_text=True)
    room_page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "Draft decision on reporting: Rev.1 issued" in room_page
    assert "Rev.1 is out" not in client.get("/notifications/").get_data(as_text=True)


def test_pages_with_activity_cost_the_same_queries_whatever_the_number_of_lines(
    client, auth, open_room, count_queries
):
    room, chair, delegate, replier = open_room
    auth.login(delegate)

    def measure(path: str) -> int:
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    def papers_and_lines(n: int) -> None:
        for i in range(n):
            paper = papers.create_paper(
                room,
                chair,
                title=f"Paper {i}",
                kind=PaperKind.WORKING_PAPER,
                issued_by="Chair",
                source="Text.",
            )
            papers.open_for_comments(paper, chair)
            if i % 2:
                papers.set_status(paper, chair, PaperStatus.DRAFTING, None)
            papers.revise(paper, chair, "Text, again.")

    papers_and_lines(2)
    small = (measure("/"), measure(f"/rooms/{room.slug}"), measure("/notifications/"))
    papers_and_lines(12)
    assert (measure("/"), measure(f"/rooms/{room.slug}"), measure("/notifications/")) == small


@pytest.mark.parametrize("town", list(AccessLevel), indirect=True)
def test_the_visible_filters_agree_with_can_view(town):
    """For every model a line can speak of, the SQL filter selects exactly what can(VIEW) allows."""
    from consult.briefs.models import PublishedBrief, TrendBrief
    from consult.meetings.models import Meeting
    from consult.papers.models import Paper
    from consult.threads.models import Thread

    for status in PaperStatus:
        _status(town, _paper(town), status)
    meeting_created(town)
    if town.room.access is AccessLevel.CONFIDENTIAL:
        thread_post(town)
        need_to_know_thread_post(town)
        brief_withdrawn_to_draft(town)
        brief_pending(town)
    else:
        brief_published(town)
    town.db.session.flush()
    for model in (Room, Paper, Meeting, Thread, TrendBrief, PublishedBrief):
        everything = town.db.session.scalars(select(model)).all()
        for role in ROLES:
            user = town.users[role]
            allowed = {o.id for o in everything if can(Need.VIEW, o, user)}
            selected = set(town.db.session.scalars(select(model.id).where(visible(model, user))))
            assert selected == allowed, (model.__name__, role)
