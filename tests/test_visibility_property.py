"""`visible()` selects in SQL exactly what `can(VIEW)` allows, for every listed model (property).

Over random worlds (rooms of every access level, delegations of every status, memberships of
people and of delegations in every role, current and ended, papers and comments, meetings with
agenda items and floor requests, confidential threads with need-to-know lists and posts, trend
and published briefs, join requests), for every model `consult.policy.listed_models()` names and
for every person: the ids `select(M.id).where(visible(M, person))` returns are the ids of the
rows `can(Need.VIEW, row, person)` accepts. The test is generic: a model newly listed by its
domain is checked at once, and `test_every_listed_model_gets_data` fails until the world below
builds rows of it (so a new model cannot pass for want of data).

Models are looked up by class name in the SQLAlchemy registry, so the test does not care in
which domain package a model lives.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import g
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from consult import policy
from consult.accounts import services as accounts
from consult.accounts.models import Delegation, DelegationStatus, User
from consult.extensions import db as _db
from consult.policy import Need
from consult.rooms.models import AccessLevel, Membership, Room, RoomKind, RoomRole

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: Moments relative to T0 (minutes): before, at and after a thread begins, so that who joined
#: or was listed late (and sees a thread's posts only from then) is exercised.
MOMENTS = (-120, -30, 0, 30, 120)
_seq = itertools.count(1)
#: Every status, States more likely: only they may enter confidential rooms.
STATUSES = [
    *[DelegationStatus.STATE_PARTY] * 3,
    *[DelegationStatus.SIGNATORY] * 2,
    *DelegationStatus,
]


def model(name: str) -> type:
    """A mapped class by name, wherever its domain keeps it."""
    for mapper in _db.Model.registry.mappers:
        if mapper.class_.__name__ == name:
            return mapper.class_
    raise LookupError(f"no model named {name}")


def values(model_name: str, column: str) -> list:
    """The members of the enum a column stores (found from the column, not imported)."""
    return list(model(model_name).__table__.c[column].type.enum_class)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


# ---- the world, as plain data hypothesis draws ------------------------------------------


@dataclass
class World:
    delegations: list[tuple[DelegationStatus, bool]]  # status, active
    users: list[tuple[int, bool]]  # delegation index, active
    rooms: list[tuple[AccessLevel, bool]]  # access, archived
    memberships: list[tuple[int, str, int, RoomRole, bool, int]]
    papers: list[tuple[int, int, bool]]  # room, status index, Chatham House
    comments: list[tuple[int, int, int]]  # paper, author, hidden/deleted/plain
    meetings: list[tuple[int, int]]  # room, agenda items
    floor_requests: list[tuple[int, int]]  # meeting, delegation
    threads: list[tuple[int, bool, int, int, int]]  # room, need-to-know, status, creator, start
    participants: list[tuple[int, int, int | None]]  # thread, user, sees from
    posts: list[tuple[int, int, int, bool]]  # thread, author, moment, attachment
    briefs: list[tuple[int, int, int]]  # room, status index, author
    published: list[int]  # room
    join_requests: list[tuple[int, int]]  # room, user
    #: National contributions: room, submitting delegation, contribution status, paper
    #: status, invited co-sponsor delegation, its answer (0 open, 1 confirmed, 2 declined).
    contributions: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)
    #: Groups: coordinating delegation, the group's room (whose chairs coordinate too) or None.
    groups: list[tuple[int, int | None]] = field(default_factory=list)
    #: Said on behalf of a group: floor request (else comment), row, group, confirmed.
    spoken: list[tuple[bool, int, int, bool]] = field(default_factory=list)


def index(n: int) -> st.SearchStrategy[int]:
    return st.integers(0, max(0, n - 1))


@st.composite
def worlds(draw) -> World:
    delegations = draw(
        st.lists(
            st.tuples(st.sampled_from(STATUSES), st.sampled_from([True, True, True, False])),
            min_size=2,
            max_size=4,
        )
    )
    # Always one Secretariat delegation: its powers (and its lack of content access) count.
    delegations[0] = (DelegationStatus.SECRETARIAT, True)
    # A Secretariat person first; the others in the other delegations.
    users = [(0, True)] + draw(
        st.lists(
            st.tuples(
                st.integers(1, len(delegations) - 1), st.sampled_from([True, True, True, False])
            ),
            min_size=1,
            max_size=4,
        )
    )
    rooms = draw(
        st.lists(
            st.tuples(st.sampled_from(list(AccessLevel)), st.sampled_from([False, False, True])),
            min_size=1,
            max_size=4,
        )
    )
    # Most worlds hold a confidential room first, since threads and trend briefs live there
    # only: without one, four models would have no rows in most examples.
    if draw(st.integers(0, 3)):
        rooms[0] = (AccessLevel.CONFIDENTIAL, rooms[0][1])
    memberships = draw(
        st.lists(
            st.tuples(
                st.just(0) | index(len(rooms)),  # the first room (most often confidential)
                st.sampled_from(["user", "delegation"]),
                st.integers(0, 10),
                st.sampled_from(list(RoomRole)),
                st.sampled_from([False, False, True]),  # ended
                st.sampled_from(MOMENTS),  # started
            ),
            min_size=3,
            max_size=12,
        )
    )
    papers = draw(
        st.lists(st.tuples(index(len(rooms)), st.integers(0, 10), st.booleans()), max_size=4)
    )
    comments = draw(
        st.lists(st.tuples(st.integers(0, 10), index(len(users)), st.integers(0, 2)), max_size=4)
    )
    meetings = draw(st.lists(st.tuples(index(len(rooms)), st.integers(1, 2)), max_size=3))
    floor_requests = draw(
        st.lists(st.tuples(st.integers(0, 10), index(len(delegations))), max_size=3)
    )
    threads = draw(
        st.lists(
            st.tuples(
                index(len(rooms)),
                st.booleans(),
                st.integers(0, 1),
                index(len(users)),
                st.sampled_from(MOMENTS),
            ),
            max_size=4,
        )
    )
    participants = draw(
        st.lists(
            st.tuples(st.integers(0, 10), index(len(users)), st.sampled_from([None, *MOMENTS])),
            max_size=6,
        )
    )
    posts = draw(
        st.lists(
            st.tuples(
                st.integers(0, 10), index(len(users)), st.sampled_from(MOMENTS), st.booleans()
            ),
            max_size=6,
        )
    )
    briefs = draw(
        st.lists(st.tuples(index(len(rooms)), st.integers(0, 10), index(len(users))), max_size=3)
    )
    published = draw(st.lists(index(len(rooms)), max_size=2))
    join_requests = draw(st.lists(st.tuples(index(len(rooms)), index(len(users))), max_size=2))
    national = draw(
        st.lists(
            st.tuples(
                index(len(rooms)),
                index(len(delegations)),
                st.integers(0, 3),
                st.integers(0, 4),
                index(len(delegations)),
                st.integers(0, 2),
            ),
            max_size=3,
        )
    )
    groups = draw(
        st.lists(st.tuples(index(len(delegations)), st.none() | index(len(rooms))), max_size=2)
    )
    spoken = draw(
        st.lists(
            st.tuples(st.booleans(), st.integers(0, 10), st.integers(0, 3), st.booleans()),
            max_size=4,
        )
    )
    return World(
        delegations,
        users,
        rooms,
        memberships,
        papers,
        comments,
        meetings,
        floor_requests,
        threads,
        participants,
        posts,
        briefs,
        published,
        join_requests,
        national,
        groups,
        spoken,
    )


# ---- building it ------------------------------------------------------------------------


def pick(items: list, i: int):
    return items[i % len(items)] if items else None


def build(world: World, session) -> list[User]:
    """Insert the world's rows; return its people."""
    add = session.add

    def flush(obj):
        add(obj)
        session.flush()
        return obj

    n = next(_seq)
    delegations = [
        flush(
            Delegation(
                name=f"Delegation {n}-{i}", short_name=f"D{n}-{i}", status=s, is_active=active
            )
        )
        for i, (s, active) in enumerate(world.delegations)
    ]
    users = [
        flush(
            User(
                delegation=delegations[d],
                name=f"Person {n}-{i}",
                email=f"p{n}-{i}@example.org",
                session_nonce=accounts.new_session_nonce(),
                is_active=active,
            )
        )
        for i, (d, active) in enumerate(world.users)
    ]
    rooms = [
        flush(
            Room(
                slug=f"r{n}-{i}",
                title=f"Room {n}-{i}",
                access=access,
                kind=RoomKind.CONFIDENTIAL_FORUM
                if access is AccessLevel.CONFIDENTIAL
                else RoomKind.SMALL_GROUP,
                is_archived=archived,
            )
        )
        for i, (access, archived) in enumerate(world.rooms)
    ]
    confidential = [r for r in rooms if r.access is AccessLevel.CONFIDENTIAL]
    others = [r for r in rooms if r.access is not AccessLevel.CONFIDENTIAL]
    seen = set()
    for r, kind, who, role, ended, started in world.memberships:
        room = rooms[r]
        if kind == "user" or room.access is AccessLevel.CONFIDENTIAL:
            # Confidential rooms have named members only.
            key = (room.id, "user", pick(users, who).id)
            row = Membership(room_id=room.id, user_id=key[2], role=role)
        else:
            key = (room.id, "delegation", pick(delegations, who).id)
            row = Membership(room_id=room.id, delegation_id=key[2], role=role)
        if key in seen:
            continue
        seen.add(key)
        row.started_at = at(started)
        row.ended_at = at(started + 10) if ended else None
        flush(row)

    # Papers, with a revision to comment on, and comments (plain, hidden, withdrawn).
    Paper, Revision, Paragraph = model("Paper"), model("Revision"), model("Paragraph")
    Comment = model("Comment")
    statuses = values("Paper", "status")
    papers = []
    for r, s, chatham in world.papers:
        paper = flush(
            Paper(
                room_id=rooms[r].id,
                title="P",
                kind=values("Paper", "kind")[0],
                issued_by="Chair",
                status=pick(statuses, s),
                is_chatham_house=chatham,
                created_by_id=users[0].id,
                # Some papers name a facilitator (who sees them while drafted), drawn from
                # the people already drawn so the world keeps its shape.
                facilitator_id=pick(users, r + s).id if (r + s) % 3 else None,
            )
        )
        revision = flush(
            Revision(paper_id=paper.id, number=1, source="Text.", created_by_id=users[0].id)
        )
        paragraph = flush(Paragraph(revision_id=revision.id, position=0, key="k1", text="Text."))
        papers.append((paper, paragraph))
    PaperCosponsor = model("PaperCosponsor")
    national_statuses = values("Paper", "contribution_status")
    for r, d, c, s, co, answer in world.contributions:
        paper = flush(
            Paper(
                room_id=rooms[r].id,
                title="N",
                kind=values("Paper", "kind")[0],
                issued_by="A State",
                status=pick(statuses, s),
                created_by_id=users[0].id,
                submitted_by_delegation_id=pick(delegations, d).id,
                contribution_status=pick(national_statuses, c),
            )
        )
        cosponsor = pick(delegations, co)
        if cosponsor.id != paper.submitted_by_delegation_id:
            flush(
                PaperCosponsor(
                    paper_id=paper.id,
                    delegation_id=cosponsor.id,
                    confirmed_at=at(1) if answer == 1 else None,
                    declined_at=at(1) if answer == 2 else None,
                )
            )
        revision = flush(
            Revision(paper_id=paper.id, number=1, source="Text.", created_by_id=users[0].id)
        )
        paragraph = flush(Paragraph(revision_id=revision.id, position=0, key="k1", text="Text."))
        papers.append((paper, paragraph))
    made_comments = []
    # Group statements: one on each paper (seen exactly where its paper is seen).
    GroupStatement = model("GroupStatement")
    for paper, _paragraph in papers:
        flush(GroupStatement(paper_id=paper.id, created_by_id=users[0].id))
    for p, author, state in world.comments:
        if not papers:
            break
        paper, paragraph = pick(papers, p)
        person = pick(users, author)
        made_comments.append(
            Comment(
                paper_id=paper.id,
                paragraph_key="k1",
                made_on_id=paragraph.id,
                author_id=person.id,
                delegation_id=person.delegation_id,
                on_behalf_of=person.delegation.name,
                body="c",
                hidden_at=at(5) if state == 1 else None,
                hidden_reason="off topic" if state == 1 else None,
                deleted_at=at(5) if state == 2 else None,
            )
        )
        flush(made_comments[-1])

    # Meetings with agenda items, and floor requests on them.
    Meeting, AgendaItem, FloorRequest = model("Meeting"), model("AgendaItem"), model("FloorRequest")
    items = []
    for r, count in world.meetings:
        meeting = flush(
            Meeting(
                room_id=rooms[r].id,
                title="M",
                kind=values("Meeting", "kind")[0],
                mode=values("Meeting", "mode")[0],
                starts_at=T0,
                ends_at=at(180),
                time_zone="UTC",
                created_by_id=users[0].id,
            )
        )
        items += [
            flush(AgendaItem(meeting_id=meeting.id, number=k + 1, title=f"Item {k + 1}"))
            for k in range(count)
        ]
        # A session of its programme of work (seen where the meeting is).
        programme_session = model("MeetingSession")
        flush(programme_session(meeting_id=meeting.id, body="WGETI", starts_at=T0, ends_at=at(90)))
    asked = set()
    made_floors = []
    for i, d in world.floor_requests:
        if not items:
            break
        delegation, item = delegations[d], pick(items, i)
        if (item.id, delegation.id) in asked:
            continue  # one open request per delegation and item (a unique index)
        asked.add((item.id, delegation.id))
        made_floors.append(
            FloorRequest(
                item_id=item.id,
                delegation_id=delegation.id,
                on_behalf_of=delegation.name,
                kind=values("FloorRequest", "kind")[0],
                presence=values("FloorRequest", "presence")[0],
                position=float(i),
            )
        )
        flush(made_floors[-1])
    # The items' documents: a circulated file, a paper of the world (seen where the paper is), a
    # delegation's written statement waiting for publication, and a removed one.
    AgendaDocument = model("AgendaDocument")
    kinds = {kind.value: kind for kind in values("AgendaDocument", "kind")}
    for k, item in enumerate(items):
        delegation = pick(delegations, k)
        flush(AgendaDocument(item_id=item.id, kind=kinds["file"], title="F", circulated_at=T0))
        if papers:
            paper, _paragraph = pick(papers, k)
            flush(
                AgendaDocument(item_id=item.id, kind=kinds["paper"], title="P", paper_id=paper.id)
            )
        flush(
            AgendaDocument(
                item_id=item.id,
                kind=kinds["written_statement"],
                title="S",
                delegation_id=delegation.id,
                is_published=k % 2 == 0,
                removed_at=T0 if k % 3 == 2 else None,
            )
        )
    # Groups, and what is said on their behalf: pending (seen by its author and the group's
    # coordinators only) or confirmed.
    Group = model("Group")
    made_groups = [
        flush(
            Group(
                slug=f"g{n}-{i}",
                name=f"Group {n}-{i}",
                kind=values("Group", "kind")[-1],
                coordinator_id=delegations[c].id,
                room_id=None if r is None else rooms[r].id,
            )
        )
        for i, (c, r) in enumerate(world.groups)
    ]
    for is_floor, row, which, confirmed in world.spoken:
        rows = made_floors if is_floor else made_comments
        if not rows or not made_groups:
            continue
        obj = pick(rows, row)
        obj.on_behalf_group_id = pick(made_groups, which).id
        obj.group_confirmed_at = at(5) if confirmed else None
        if is_floor:
            asker = next((u for u in users if u.delegation_id == obj.delegation_id), None)
            obj.requested_by_id = asker.id if asker else None
        flush(obj)

    # Confidential threads (in confidential rooms only, as the services allow), their
    # need-to-know lists, posts and attachments.
    Thread, ThreadParticipant = model("Thread"), model("ThreadParticipant")
    Post, Attachment = model("Post"), model("Attachment")
    threads = []
    for r, need_to_know, s, creator, start in world.threads:
        if not confidential:
            break
        person = pick(users, creator)
        threads.append(
            flush(
                Thread(
                    room_id=pick(confidential, r).id,
                    title="T",
                    originating_delegation_id=person.delegation_id,
                    created_by_id=person.id,
                    created_at=at(start),
                    is_need_to_know=need_to_know,
                    status=pick(values("Thread", "status"), s),
                )
            )
        )
    listed = set()
    for t, u, sees_from in world.participants:
        if not threads:
            break
        thread, person = pick(threads, t), pick(users, u)
        if (thread.id, person.id) in listed:
            continue
        listed.add((thread.id, person.id))
        flush(
            ThreadParticipant(
                thread_id=thread.id,
                user_id=person.id,
                sees_from=None if sees_from is None else at(sees_from),
            )
        )
    for t, u, moment, attached in world.posts:
        if not threads:
            break
        thread, person = pick(threads, t), pick(users, u)
        post = flush(
            Post(
                thread_id=thread.id,
                author_id=person.id,
                delegation_id=person.delegation_id,
                body="p",
                created_at=at(moment),
            )
        )
        if attached:
            flush(
                Attachment(
                    post_id=post.id,
                    filename="a.pdf",
                    content_type="application/pdf",
                    size=1,
                    stored_name=f"s{n}-{post.id}",
                )
            )

    # Trend briefs (confidential rooms) and published briefs (the others).
    TrendBrief, PublishedBrief = model("TrendBrief"), model("PublishedBrief")
    for r, s, author in world.briefs:
        if not confidential:
            break
        flush(
            TrendBrief(
                room_id=pick(confidential, r).id,
                body="b",
                status=pick(values("TrendBrief", "status"), s),
                created_by_id=pick(users, author).id,
            )
        )
    for r in world.published:
        if others:
            flush(PublishedBrief(room_id=pick(others, r).id, body="b"))

    JoinRequest = model("JoinRequest")
    for r, u in world.join_requests:
        flush(JoinRequest(room_id=rooms[r].id, user_id=pick(users, u).id))
    topics = _discussions(world, rooms, users, flush, n)
    _build_delegation_drafts(world, users, papers, flush, rooms=rooms, topics=topics)
    _build_questionnaires(world, users, rooms, flush)
    _build_procedures(world, users, rooms, flush)
    _build_case_studies(world, users, rooms, flush)
    _build_assistance(world, delegations, users, rooms, flush)
    return users


def _discussions(world: World, rooms: list, users: list, flush, n: int) -> list:
    """A topic in every room (a confidential one's must stay unseen), with a reply, a hidden
    reply and an attachment on each: drawn from the world's comments, so it varies."""
    Topic, TopicPost = model("Topic"), model("TopicPost")
    TopicAttachment = model("TopicAttachment")
    topics = []
    for i, room in enumerate(rooms):
        author = pick(users, i)
        topic = flush(
            Topic(
                room_id=room.id,
                title="t",
                author_id=author.id,
                delegation_id=author.delegation_id,
                is_chatham_house=bool(i % 2),
            )
        )
        topics.append(topic)
        for j, (_p, who, state) in enumerate(world.comments[:3] or [(0, 0, 0)]):
            person = pick(users, who)
            post = flush(
                TopicPost(
                    topic_id=topic.id,
                    is_opening=j == 0,
                    author_id=person.id,
                    delegation_id=person.delegation_id,
                    body="p",
                    hidden_at=at(5) if state == 1 else None,
                )
            )
            flush(
                TopicAttachment(
                    post_id=post.id,
                    filename="f.pdf",
                    content_type="application/pdf",
                    size=1,
                    stored_name=f"d{n}-{post.id}",
                )
            )
    return topics


def _build_delegation_drafts(
    world: World, users: list, papers: list, flush, *, rooms: list, topics: list
) -> None:
    """A draft of the commenter's delegation beside each comment (issue #12), of every kind:
    a comment on the paper, a reply in a topic, a new discussion and a national contribution
    in a room. Each is seen by the colleagues who see its target, and by nobody else."""
    DelegationDraft = model("DelegationDraft")  # noqa: N806 - a class

    def draft(person, kind: str, target_id: int, room_id: int, key: str | None = None) -> None:
        flush(
            DelegationDraft(
                delegation_id=person.delegation_id,
                kind=kind,
                target_id=target_id,
                target_key=key,
                room_id=room_id,
                title="d",
                body="d",
                fields={},
                created_by_id=person.id,
                updated_by_id=person.id,
            )
        )

    for p, author, _state in world.comments:
        person = pick(users, author)
        if papers:
            paper, _paragraph = pick(papers, p)
            draft(person, "paper_comment", paper.id, paper.room_id, "k1")
        if topics:
            topic = pick(topics, p)
            draft(person, "discussion_reply", topic.id, topic.room_id)
        if rooms:
            room = pick(rooms, p + author)
            draft(person, "discussion_topic", room.id, room.id)
            draft(person, "national_contribution", room.id, room.id)


def _build_questionnaires(world: World, users: list, rooms: list, flush) -> None:
    """Per room, a questionnaire in drafting, one issued and shared with the room and one
    issued for the chair only, each with a question; each person's delegation answers each
    one, drafted or submitted (drawn from the world's comments), with its answer."""
    Questionnaire, Question = model("Questionnaire"), model("Question")  # noqa: N806
    Response, Answer = model("QuestionnaireResponse"), model("QuestionnaireAnswer")  # noqa: N806
    states = [state for _p, _a, state in world.comments] or [0, 1]
    for i, room in enumerate(rooms):
        author = pick(users, i)
        for j, (issued, shared) in enumerate(((False, True), (True, True), (True, False))):
            questionnaire = flush(
                Questionnaire(
                    room_id=room.id,
                    title="q",
                    introduction="",
                    closes_at=at(600),
                    is_shared_with_room=shared,
                    attribution="attributed",
                    issued_at=at(0) if issued else None,
                    created_by_id=author.id,
                )
            )
            question = flush(Question(questionnaire_id=questionnaire.id, text="?", position=1))
            done: set[int] = set()
            for k, person in enumerate(users):
                if person.delegation_id in done:
                    continue
                done.add(person.delegation_id)
                submitted = (states[(i + j + k) % len(states)] + k) % 2 == 0
                response = flush(
                    Response(
                        questionnaire_id=questionnaire.id,
                        delegation_id=person.delegation_id,
                        draft={str(question.id): "d"},
                        updated_by_id=person.id,
                        submitted_at=at(30) if submitted else None,
                        submitted_by_id=person.id if submitted else None,
                    )
                )
                if submitted:
                    flush(Answer(response_id=response.id, question_id=question.id, body="a"))


def _build_procedures(world: World, users: list, rooms: list, flush) -> None:
    """Per room, a written procedure (silence), with one response per person's delegation:
    no objection, objection or comment, drawn from the world's comments."""
    Procedure, Response = model("WrittenProcedure"), model("ProcedureResponse")  # noqa: N806
    states = [state for _p, _a, state in world.comments] or [0, 1, 2]
    answers = ("no_objection", "objection", "comment")
    for i, room in enumerate(rooms):
        author = pick(users, i)
        procedure = flush(
            Procedure(
                room_id=room.id,
                title="wp",
                text="t",
                note="",
                mode="silence",
                addressed_count=1,
                circulated_by_id=author.id,
                closes_at=at(600),
                extension_reason="",
                withdrawal_reason="",
            )
        )
        done: set[int] = set()
        for k, person in enumerate(users):
            if person.delegation_id in done:
                continue
            done.add(person.delegation_id)
            flush(
                Response(
                    procedure_id=procedure.id,
                    delegation_id=person.delegation_id,
                    answer=answers[(states[(i + k) % len(states)] + k) % 3],
                    reason="r",
                    responded_by_id=person.id,
                )
            )


def _build_case_studies(world: World, users: list, rooms: list, flush) -> None:
    """Case studies in each room, by the delegation of one of the world's people, in every
    state: waiting, returned, published, withdrawn after publication or before it."""
    CaseStudy = model("CaseStudy")  # noqa: N806 - a class
    statuses = values("CaseStudy", "status")
    texts = dict.fromkeys(
        ("context", "challenge", "measures", "agencies", "result", "lessons"), "c"
    )
    for i, room in enumerate(rooms):
        for j in range(3):
            person = pick(users, i + j + 1)
            status = statuses[(i + j) % len(statuses)]
            published = status.value == "published" or (status.value == "withdrawn" and j % 2)
            flush(
                CaseStudy(
                    room_id=room.id,
                    delegation_id=person.delegation_id,
                    submitted_by_id=person.id,
                    title="c",
                    is_attributed=bool(j % 2),
                    status=status,
                    published_at=at(0) if published else None,
                    **texts,
                )
            )


def _build_assistance(world: World, delegations: list, users: list, rooms: list, flush) -> None:
    """Requests and offers of assistance drawn from the world's memberships: each of every
    status and both visibilities, shared (or not) with another delegation, with an offer of a
    third (open or private, withdrawn or not), some matched (the match current or ended)."""
    Request, Offer = model("AssistanceRequest"), model("AssistanceOffer")  # noqa: N806
    Share, Match = model("RequestShare"), model("AssistanceMatch")  # noqa: N806
    MatchedOffer = model("MatchedOffer")  # noqa: N806
    statuses, visibilities = (
        values("AssistanceRequest", "status"),
        values("AssistanceRequest", "visibility"),
    )
    for i, (r, _kind, who, role, ended, started) in enumerate(world.memberships):
        author = pick(users, who)
        request = flush(
            Request(
                delegation_id=pick(delegations, who + i).id,
                title="r",
                description="d",
                kinds=["training"],
                visibility=pick(visibilities, i),
                status=pick(statuses, who + r + MOMENTS.index(started)),
                created_by_id=author.id,
            )
        )
        if role is not RoomRole.OBSERVER:
            flush(
                Share(
                    request_id=request.id,
                    delegation_id=pick(delegations, who + i + 1).id,
                    shared_by_id=author.id,
                )
            )
        offer = flush(
            Offer(
                delegation_id=pick(delegations, who + r + 2).id,
                title="o",
                description="d",
                kinds=["training"],
                visibility=pick(visibilities, i + int(ended)),
                withdrawn_at=at(0) if role is RoomRole.OBSERVER else None,
                created_by_id=author.id,
            )
        )
        if i % 3 != 1:
            match = flush(
                Match(
                    request_id=request.id,
                    room_id=rooms[r].id,
                    created_by_id=author.id,
                    ended_at=at(5) if ended else None,
                )
            )
            flush(MatchedOffer(match_id=match.id, offer_id=offer.id))


# ---- a world with some of everything -----------------------------------------------

#: One world with some of everything, and people who see some of it and not the rest.
FULL = World(
    delegations=[
        (DelegationStatus.SECRETARIAT, True),
        (DelegationStatus.STATE_PARTY, True),
        (DelegationStatus.CIVIL_SOCIETY, True),
        (DelegationStatus.SIGNATORY, True),
    ],
    users=[(0, True), (1, True), (2, True), (3, True), (1, True)],
    rooms=[
        (AccessLevel.CONFIDENTIAL, False),
        (AccessLevel.MEMBERS, False),
        (AccessLevel.OPEN, False),
        (AccessLevel.STATES, False),
    ],
    memberships=[
        (0, "user", 1, RoomRole.CHAIR, False, -120),
        (0, "user", 3, RoomRole.MEMBER, False, 30),
        (0, "user", 4, RoomRole.MEMBER, False, -120),
        (1, "delegation", 1, RoomRole.MEMBER, False, -120),
        (1, "user", 2, RoomRole.MEMBER, True, -120),
    ],
    papers=[(1, 0, False), (1, 1, True), (2, 1, False), (3, 1, False)],
    comments=[(0, 1, 0), (1, 1, 1), (2, 2, 2), (3, 1, 0)],
    meetings=[(1, 2), (2, 1)],
    floor_requests=[(0, 1), (2, 2)],
    threads=[(0, False, 0, 1, 0), (0, True, 1, 1, 0)],
    participants=[(1, 1, None), (1, 3, 30)],
    posts=[(0, 1, -30, True), (0, 4, 60, False), (1, 1, 0, True), (1, 3, 60, False)],
    briefs=[(0, 0, 1), (0, 1, 1), (0, 2, 1)],
    published=[0, 1],
    join_requests=[(1, 2), (3, 3)],
    # Submitted in the open room by delegation 2 with delegation 3 invited; returned with
    # delegation 1's invitation declined; accepted (open) in the States room.
    contributions=[(2, 2, 0, 0, 3, 0), (1, 1, 2, 0, 2, 2), (3, 2, 1, 1, 1, 1)],
    groups=[(1, None), (3, 1)],
    spoken=[(False, 0, 0, False), (False, 3, 1, False), (False, 2, 0, True), (True, 0, 0, False)],
)


# ---- the property -----------------------------------------------------------------------


def disagreements(session, people: list[User]) -> list[str]:
    """For each listed model and person, what visible() and can(VIEW) do not agree on."""
    out = []
    for M in policy.listed_models():
        rows = session.scalars(select(M)).all()
        for person in people:
            by_sql = set(session.scalars(select(M.id).where(policy.visible(M, person))))
            by_rule = {row.id for row in rows if policy.can(Need.VIEW, row, person)}
            if by_sql != by_rule:
                who = (
                    f"{person.name} ({person.delegation.status.value}"
                    f"{'' if person.is_active else ', inactive'}"
                    f"{'' if person.delegation.is_active else ', delegation inactive'})"
                )
                out.append(
                    f"{M.__name__} for {who}: only visible() {sorted(by_sql - by_rule)}, "
                    f"only can() {sorted(by_rule - by_sql)}"
                )
    return out


def fresh_request_caches(kept: set[str]) -> None:
    """Forget what the policy cached in `g` for people of an earlier example (ids are reused
    once an example's rows are rolled back)."""
    for key in [k for k in g if k not in kept]:
        g.pop(key)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
@example(world=FULL)  # always, besides the random worlds
def test_visible_agrees_with_can_for_every_listed_model(db, world):
    kept = set(g)
    nested = db.session.begin_nested()
    try:
        fresh_request_caches(kept)
        people = build(world, db.session)
        db.session.expire_all()
        problems = disagreements(db.session, people)
        assert not problems, "\n".join(problems)
    finally:
        nested.rollback()
        fresh_request_caches(kept)


# ---- the generator covers every listed model --------------------------------------------


def test_every_listed_model_gets_data(db):
    """A listed model the world builds no rows of would pass the property for nothing."""
    nested = db.session.begin_nested()
    try:
        people = build(FULL, db.session)
        db.session.expire_all()
        empty, trivial = [], []
        for M in policy.listed_models():
            count = db.session.scalar(select(func.count()).select_from(M))
            if not count:
                empty.append(M.__name__)
                continue
            # Someone sees some of it and someone misses some of it: both sides are exercised.
            seen = [
                len(db.session.scalars(select(M.id).where(policy.visible(M, p))).all())
                for p in people
            ]
            if not any(seen) or all(s == count for s in seen):
                trivial.append(f"{M.__name__} (rows {count}, seen {seen})")
        assert not empty, f"the property test's world builds no rows of: {', '.join(empty)}"
        assert not trivial, f"everyone sees all or nothing of: {', '.join(trivial)}"
        assert not disagreements(db.session, people)
    finally:
        nested.rollback()
