"""Group statements: drafting together, agreement by a deadline, finality, delivery, access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import transaction, waiting
from consult.accounts.models import DelegationStatus, RegionalGroup
from consult.extensions import db as _db
from consult.groups.models import Group
from consult.meetings import services as meetings
from consult.meetings.models import AgendaDocument, MeetingKind, MeetingMode
from consult.notifications.models import Notification
from consult.papers import services as papers
from consult.papers.models import Comment, PaperKind, PaperStatus
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, RoomKind, RoomRole
from consult.statements import services
from consult.statements.models import GroupStatement, Stance, StatementPosition, StatementStatus
from consult.timeutil import utcnow

pytestmark = pytest.mark.exchange

CANARY = "CANARY-7f3a drafting text of the group"


@dataclass
class G:
    room: object
    group: object
    coordinator: object
    nigeria: object
    southafrica: object
    outsider: object
    wgeti: object
    target: object


@pytest.fixture
def g(db, make_delegation, make_user, make_room, add_member) -> G:
    african = lambda: make_delegation(group=RegionalGroup.AFRICAN)  # noqa: E731
    coordinator, nigeria, southafrica = (make_user(delegation=african()) for _ in range(3))
    outsider = make_user(status=DelegationStatus.STATE_PARTY)
    room = make_room(AccessLevel.MEMBERS, RoomKind.REGIONAL_GROUP)
    room.regional_group = RegionalGroup.AFRICAN
    add_member(room, coordinator, RoomRole.CHAIR)
    add_member(room, nigeria.delegation, RoomRole.MEMBER)
    add_member(room, southafrica.delegation, RoomRole.MEMBER)
    group = db.session.scalars(
        select(Group).where(Group.regional_group == RegionalGroup.AFRICAN)
    ).one()
    group.room_id = room.id
    wgeti = make_room(AccessLevel.OPEN, RoomKind.WORKING_GROUP)
    chair = make_user(status=DelegationStatus.STATE_PARTY)
    add_member(wgeti, chair, RoomRole.CHAIR)
    target = papers.create_paper(
        wgeti,
        chair,
        title="Draft guide on end-use",
        kind=PaperKind.WORKING_PAPER,
        issued_by="WGETI Chair",
        source="First paragraph.\n\nSecond paragraph.",
    )
    papers.open_for_comments(target, chair)
    db.session.flush()
    return G(room, group, coordinator, nigeria, southafrica, outsider, wgeti, target)


def _open(g: G, text: str = CANARY) -> GroupStatement:
    return services.open_statement(
        g.room, g.coordinator, title="Statement on item 4", source=f"{text}\n\nSecond point."
    )


def _consulting(g: G, hours: int = 24) -> GroupStatement:
    statement = _open(g)
    services.ask_agreement(statement, g.coordinator, utcnow() + timedelta(hours=hours))
    return statement


def _positions(statement) -> int:
    return _db.session.query(StatementPosition).filter_by(statement_id=statement.id).count()


# ---- drafting together ---------------------------------------------------------------------


def test_a_statement_is_a_group_statement_paper_of_the_group(g):
    statement = _open(g)
    assert statement.paper.kind is PaperKind.GROUP_STATEMENT
    assert statement.paper.room_id == g.room.id
    assert statement.group_id == g.group.id
    assert statement.status is StatementStatus.DRAFTING
    assert services.speaks_for(statement) == "the African Group"


def test_members_revise_a_statement_but_not_other_papers(g):
    statement = _open(g)
    assert can(Need.REVISE, statement.paper, g.nigeria)
    papers.revise(statement.paper, g.nigeria, f"{CANARY}\n\nSecond point, amended.")
    assert len(papers.revisions(statement.paper)) == 2
    working = papers.create_paper(
        g.room,
        g.coordinator,
        title="Background",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Coordinator",
        source="One.",
    )
    papers.open_for_comments(working, g.coordinator)
    assert not can(Need.REVISE, working, g.nigeria)
    assert can(Need.REVISE, working, g.coordinator)
    assert not can(Need.VIEW, statement.paper, g.outsider)
    # Once the group is asked to agree, the text is fixed for the members.
    services.ask_agreement(statement, g.coordinator, utcnow() + timedelta(hours=2))
    assert not can(Need.REVISE, statement.paper, g.nigeria)


def test_a_small_group_room_without_a_group_speaks_as_its_members(g, make_room, add_member):
    room = make_room(AccessLevel.MEMBERS, RoomKind.SMALL_GROUP, title="Friends of the Chair")
    add_member(room, g.coordinator, RoomRole.CHAIR)
    add_member(room, g.nigeria.delegation, RoomRole.MEMBER)
    statement = services.open_statement(room, g.coordinator, title="S", source="Text.")
    assert statement.group_id is None
    ids = {d.id for d in services.member_delegations(statement)}
    assert ids == {g.coordinator.delegation_id, g.nigeria.delegation_id}


def test_statements_are_drafted_only_in_group_rooms(g):
    with pytest.raises(services.StatementError, match="regional-group or small-group") as refused:
        services.open_statement(g.wgeti, g.coordinator, title="S", source="Text.")
    assert refused.value.field == "title"
    assert _db.session.query(GroupStatement).count() == 0


# ---- asking agreement ------------------------------------------------------------------------


def test_asking_agreement_notifies_the_members_only(g):
    statement = _open(g)
    notified = services.ask_agreement(statement, g.coordinator, utcnow() + timedelta(hours=3))
    assert set(notified) == {g.nigeria.id, g.southafrica.id}
    assert statement.status is StatementStatus.CONSULTING
    assert statement.paper.status is PaperStatus.CLOSED
    texts = _db.session.scalars(select(Notification.text)).all()
    assert not any(CANARY in t for t in texts)


def test_a_deadline_in_the_past_is_refused(g):
    statement = _open(g)
    with pytest.raises(services.StatementError) as refused:
        services.ask_agreement(statement, g.coordinator, utcnow() - timedelta(minutes=1))
    assert refused.value.field == "deadline"
    assert statement.status is StatementStatus.DRAFTING
    assert _db.session.query(Notification).count() == 0


# ---- positions -------------------------------------------------------------------------------


def test_positions_change_before_the_deadline_and_history_is_kept(g):
    statement = _consulting(g)
    services.take_position(statement, g.nigeria, Stance.AGREE)
    services.take_position(statement, g.nigeria, Stance.OBJECT, "Paragraph 2 goes too far.")
    assert [p.delegation_id for p in services.standing_objections(statement)] == [
        g.nigeria.delegation_id
    ]
    services.take_position(statement, g.nigeria, Stance.WITHDRAWN)
    assert services.standing_objections(statement) == []
    assert [h.position for h in services.history(statement)] == [
        Stance.AGREE,
        Stance.OBJECT,
        Stance.WITHDRAWN,
    ]


@pytest.mark.parametrize(
    ("first", "then", "reason", "field", "message"),
    [
        (Stance.AGREE, Stance.AGREE, None, "position", "already agreed"),
        (None, Stance.OBJECT, "  ", "reason", "Say why"),
        (None, Stance.WITHDRAWN, None, "position", "no objection to withdraw"),
        (Stance.OBJECT, Stance.OBJECT, "Again.", "position", "already objects"),
    ],
)
def test_bad_positions_are_refused_and_nothing_is_stored(g, first, then, reason, field, message):
    statement = _consulting(g)
    if first is not None:
        services.take_position(statement, g.nigeria, first, "A reason.")
    before = _positions(statement)
    with pytest.raises(services.StatementError) as refused:
        services.take_position(statement, g.nigeria, then, reason)
    assert refused.value.field == field
    assert message in refused.value.message
    assert _positions(statement) == before


def test_no_position_after_the_deadline_nor_from_outside_the_group(g, clock):
    statement = _consulting(g, hours=1)
    with pytest.raises(services.StatementError, match="not a member"):
        services.take_position(statement, g.outsider, Stance.AGREE)
    services.take_position(statement, g.nigeria, Stance.OBJECT, "No.")
    clock.move(hours=2)
    with pytest.raises(services.StatementError, match="deadline for agreement has passed"):
        services.take_position(statement, g.southafrica, Stance.AGREE)
    assert _positions(statement) == 1


# ---- finality --------------------------------------------------------------------------------


def test_silence_until_the_deadline_makes_the_statement_final(g, clock):
    statement = _consulting(g, hours=1)
    services.take_position(statement, g.nigeria, Stance.AGREE)
    clock.move(minutes=59)
    assert services.effective_status(statement) is StatementStatus.CONSULTING
    clock.move(minutes=2)
    assert services.effective_status(statement) is StatementStatus.FINAL
    assert statement.status is StatementStatus.CONSULTING  # nothing written yet
    assert services.refresh(statement) is True
    assert statement.status is StatementStatus.FINAL
    assert statement.finalised_at == statement.deadline
    assert statement.paper.status is PaperStatus.ADOPTED


def test_a_standing_objection_keeps_it_from_being_final(g, clock):
    statement = _consulting(g, hours=1)
    services.take_position(statement, g.nigeria, Stance.OBJECT, "No.")
    clock.move(hours=2)
    assert services.effective_status(statement) is StatementStatus.CONSULTING
    assert services.refresh(statement) is False


def test_consensus_is_refused_while_an_objection_stands(g):
    statement = _consulting(g)
    services.take_position(statement, g.southafrica, Stance.OBJECT, "Too long.")
    with pytest.raises(services.StatementError, match="objects"):
        services.record_consensus(statement, g.coordinator)
    services.take_position(statement, g.southafrica, Stance.WITHDRAWN)
    services.record_consensus(statement, g.coordinator)
    assert statement.status is StatementStatus.FINAL
    assert statement.consensus_recorded_by_id == g.coordinator.id


def test_back_to_drafting_starts_a_new_round(g):
    statement = _consulting(g)
    services.take_position(statement, g.nigeria, Stance.OBJECT, "Paragraph 2.")
    services.reopen_drafting(statement, g.coordinator)
    assert statement.status is StatementStatus.DRAFTING
    assert can(Need.REVISE, statement.paper, g.nigeria)
    assert services.standing_objections(statement) == []
    assert len(services.history(statement)) == 1  # kept, but no longer counts
    with pytest.raises(services.StatementError, match="not being asked"):
        services.take_position(statement, g.nigeria, Stance.AGREE)
    with pytest.raises(services.StatementError, match="back to drafting"):
        services.reopen_drafting(statement, g.coordinator)


def test_consensus_on_its_page_asks_for_confirmation(g, client, auth):
    statement = _consulting(g)
    auth.login(g.coordinator)
    response = client.post(f"/statements/{statement.id}/consensus", data={})
    assert response.status_code == 422
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    _db.session.refresh(statement)
    assert statement.status is StatementStatus.CONSULTING
    response = client.post(f"/statements/{statement.id}/consensus", data={"confirm": "y"})
    assert response.status_code == 303
    _db.session.refresh(statement)
    assert statement.status is StatementStatus.FINAL


# ---- delivery --------------------------------------------------------------------------------


def _final(g) -> GroupStatement:
    statement = _consulting(g)
    services.record_consensus(statement, g.coordinator)
    return statement


def test_only_a_final_statement_is_delivered(g):
    statement = _consulting(g)
    with pytest.raises(services.StatementError, match="Only a final statement"):
        services.deliver_as_comment(statement, g.coordinator, g.target, 1)
    assert _db.session.query(Comment).filter_by(paper_id=g.target.id).count() == 0


def test_delivered_as_a_confirmed_comment_on_behalf_of_the_group(g):
    statement = _final(g)
    comment = services.deliver_as_comment(statement, g.coordinator, g.target, 2)
    assert comment.on_behalf_of == "the African Group"
    assert comment.on_behalf_group_id == g.group.id
    assert comment.group_confirmed_at is not None
    assert CANARY in comment.body and f"/statements/{statement.id}" in comment.body
    assert comment.paragraph_key == papers.paragraphs_of(papers.current_revision(g.target))[1].key
    assert statement.status is StatementStatus.DELIVERED
    with pytest.raises(services.StatementError, match="already been delivered"):
        services.deliver_as_comment(statement, g.coordinator, g.target, 1)


def test_not_to_a_paper_closed_for_comments(g):
    statement = _final(g)
    papers.set_status(g.target, g.target.created_by_id and g.coordinator, PaperStatus.CLOSED, None)
    with pytest.raises(services.StatementError, match="not open for comments") as refused:
        services.deliver_as_comment(statement, g.coordinator, g.target, 1)
    assert refused.value.field == "paper"
    assert statement.status is StatementStatus.FINAL


def test_not_to_a_paper_the_groups_audience_may_not_see(g, make_room, add_member):
    statement = _final(g)
    closed_room = make_room(AccessLevel.MEMBERS)
    add_member(closed_room, g.coordinator, RoomRole.CHAIR)
    hidden = papers.create_paper(
        closed_room,
        g.coordinator,
        title="Members only",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="One.",
    )
    papers.open_for_comments(hidden, g.coordinator)
    with pytest.raises(services.StatementError, match="Not every member"):
        services.deliver_as_comment(statement, g.coordinator, hidden, 1)
    assert _db.session.query(Comment).filter_by(paper_id=hidden.id).count() == 0


def test_delivered_to_an_agenda_item(g):
    statement = _final(g)
    meeting = meetings.create_meeting(
        g.wgeti,
        g.target.created_by_id and _db.session.get(type(g.coordinator), g.target.created_by_id),
        title="WGETI session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=3),
        time_zone="Europe/Zurich",
    )
    chair = _db.session.get(type(g.coordinator), g.target.created_by_id)
    item = meetings.add_item(meeting, chair, number=4, letter="", title="End use")
    services.deliver_to_item(statement, g.coordinator, item)
    rows = _db.session.execute(select(AgendaDocument.item_id, AgendaDocument.paper_id)).all()
    assert (item.id, statement.paper_id) in [tuple(r) for r in rows]
    assert statement.agenda_item_id == item.id


# ---- waiting for you ---------------------------------------------------------------------------


def test_waiting_lines(g, app):
    statement = _consulting(g)
    kinds = lambda user: [(w.kind, w.title) for w in waiting.for_person(user)]  # noqa: E731
    assert ("Statement to agree", statement.paper.title) in kinds(g.nigeria)
    assert kinds(g.outsider) == []
    due = [w for w in waiting.for_person(g.nigeria) if w.kind == "Statement to agree"][0].due
    assert due == statement.deadline
    services.take_position(statement, g.nigeria, Stance.AGREE)
    assert ("Statement to agree", statement.paper.title) not in kinds(g.nigeria)
    services.record_consensus(statement, g.coordinator)
    assert ("Statement ready to deliver", statement.paper.title) in kinds(g.coordinator)
    assert ("Statement ready to deliver", statement.paper.title) not in kinds(g.nigeria)


# ---- pages -----------------------------------------------------------------------------------


def test_pages_show_bad_input_next_to_the_field(g, client, auth):
    statement = _consulting(g)
    auth.login(g.nigeria)
    url = f"/statements/{statement.id}/position"
    response = client.post(url, data={"position": "object", "reason": ""})
    assert response.status_code == 422
    assert "Say why your delegation objects." in response.get_data(as_text=True)
    assert _positions(statement) == 0
    response = client.post(url, data={"position": "agree"})
    assert response.status_code == 303
    response = client.post(url, data={"position": "agree"})
    assert response.status_code == 422
    assert "already agreed" in response.get_data(as_text=True)
    assert _positions(statement) == 1


def test_the_page_writes_down_finality_and_exports_word(g, client, auth, clock):
    statement = _consulting(g, hours=1)
    auth.login(g.coordinator)
    assert client.get(f"/statements/{statement.id}.docx").status_code == 303  # not final
    clock.move(hours=2)
    page = client.get(f"/statements/{statement.id}").get_data(as_text=True)
    assert "Deliver the statement" in page
    _db.session.refresh(statement)
    assert statement.status is StatementStatus.FINAL
    response = client.get(f"/statements/{statement.id}.docx")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"


@pytest.mark.leak
def test_the_draft_text_never_reaches_a_non_member(g, client, auth, make_user):
    statement = _consulting(g)
    services.take_position(statement, g.nigeria, Stance.OBJECT, "CANARY-reason")
    assert not can(Need.VIEW, statement, g.outsider)
    assert (
        _db.session.scalars(select(GroupStatement).where(visible(GroupStatement, g.outsider))).all()
        == []
    )
    auth.login(g.outsider)
    for url in [
        "/",
        f"/rooms/{g.wgeti.slug}",
        f"/papers/{g.target.id}",
        "/notifications",
        f"/statements/{statement.id}",
        f"/statements/{statement.id}.docx",
        f"/papers/{statement.paper_id}",
        f"/papers/{statement.paper_id}/rev/0.docx",
    ]:
        response = client.get(url)
        body = response.get_data(as_text=True) if response.mimetype.startswith("text") else ""
        assert "CANARY" not in body, url
        assert b"CANARY" not in response.data, url
    assert client.get(f"/statements/{statement.id}").status_code == 404
    assert client.get(f"/rooms/{g.room.slug}").status_code == 404


# ---- the REVISE rule, as a table ---------------------------------------------------------------

REVISE_ROWS = [
    # role in the room, paper kind, paper status, may revise
    ("member", PaperKind.GROUP_STATEMENT, PaperStatus.OPEN, True),
    ("member", PaperKind.GROUP_STATEMENT, PaperStatus.CLOSED, False),
    ("member", PaperKind.GROUP_STATEMENT, PaperStatus.ADOPTED, False),
    ("member", PaperKind.WORKING_PAPER, PaperStatus.OPEN, False),
    ("observer", PaperKind.GROUP_STATEMENT, PaperStatus.OPEN, False),
    ("facilitator", PaperKind.WORKING_PAPER, PaperStatus.OPEN, True),
    ("chair", PaperKind.GROUP_STATEMENT, PaperStatus.CLOSED, True),
    ("outsider", PaperKind.GROUP_STATEMENT, PaperStatus.OPEN, False),
    ("secretariat", PaperKind.WORKING_PAPER, PaperStatus.OPEN, True),
]


@pytest.mark.parametrize(("role", "kind", "status", "allowed"), REVISE_ROWS)
def test_who_may_revise(db, make_user, make_room, add_member, role, kind, status, allowed):
    room = make_room(AccessLevel.MEMBERS)
    chair = make_user()
    add_member(room, chair, RoomRole.CHAIR)
    people = {
        "chair": chair,
        "outsider": make_user(),
        "secretariat": make_user(status=DelegationStatus.SECRETARIAT),
    }
    for name, room_role in (
        ("member", RoomRole.MEMBER),
        ("observer", RoomRole.OBSERVER),
        ("facilitator", RoomRole.FACILITATOR),
    ):
        people[name] = make_user()
        add_member(room, people[name].delegation, room_role)
    paper = papers.create_paper(room, chair, title="T", kind=kind, issued_by="Chair", source="One.")
    papers.open_for_comments(paper, chair)
    paper.status = status
    db.session.flush()
    assert can(Need.REVISE, paper, people[role]) is allowed
    # VIEW is what it was: the SQL filter and can() still agree.
    listed = paper in db.session.scalars(
        select(type(paper)).where(visible(type(paper), people[role]))
    )
    assert listed is can(Need.VIEW, paper, people[role])


# ---- on the meeting page, and never by the side door --------------------------------------------


def test_a_statement_delivered_to_an_item_shows_under_it_for_those_who_see_it(g, client, auth):
    statement = _final(g)
    chair = _db.session.get(type(g.coordinator), g.target.created_by_id)
    meeting = meetings.create_meeting(
        g.wgeti,
        chair,
        title="WGETI session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=3),
        time_zone="Europe/Zurich",
    )
    item = meetings.add_item(meeting, chair, number=4, letter="", title="End use")
    services.deliver_to_item(statement, g.coordinator, item)
    _db.session.commit()
    auth.login(g.nigeria)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert statement.paper.title in page
    client.post("/sign-out")
    auth.login(g.outsider)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "End use" in page and statement.paper.title not in page


@pytest.mark.leak
def test_no_socket_signal_of_a_statement_reaches_a_non_member(g, client, auth, socket_client):
    statement = _consulting(g)
    ids = statement.id, g.nigeria.id, statement.paper_id
    _db.session.commit()
    auth.login(g.outsider)
    sc = socket_client()
    answer = sc.emit("watch_paper", {"paper": ids[2]}, namespace="/live", callback=True)
    assert answer.get("ok") is False
    sc.get_received("/live")
    statement = _db.session.get(GroupStatement, ids[0])
    nigeria = _db.session.get(type(g.nigeria), ids[1])
    services.take_position(statement, nigeria, Stance.OBJECT, "CANARY-reason")
    transaction.commit()  # the request's one commit sends the live events
    received = sc.get_received("/live")
    assert "CANARY" not in repr(received)
    assert not [r for r in received if r["name"] == "paper-changed"]
