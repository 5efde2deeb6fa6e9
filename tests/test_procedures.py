"""Written procedure: a draft decision circulated to a room's States Parties with a deadline;
silence or explicit approval; one amendable response per delegation; the outcome at the
deadline, exact to the second in the room's time zone; extension once, withdrawal, the letter."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import docx
import pytest
from sqlalchemy import func, select

from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.notifications.models import Notification
from consult.papers import services as papers
from consult.papers.models import PaperKind
from consult.procedures import services
from consult.procedures.models import (
    Answer,
    Outcome,
    ProcedureChange,
    ProcedureMode,
    ProcedureResponse,
    WrittenProcedure,
)
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow

pytestmark = [pytest.mark.meetings, pytest.mark.procedure]

ZONE = "Europe/Zurich"


@pytest.fixture
def setting(db, make_delegation, make_user, make_room, add_member):
    """A members room in Geneva time: three States Parties (Germany, Mexico, Philippines), a
    signatory and an organisation taking part, an observer State that only observes, the
    President chairing and the Secretariat."""
    room = make_room(AccessLevel.MEMBERS, time_zone=ZONE, title="CSP12 plenary")
    presidency = make_delegation(name="Presidency")
    germany = make_delegation(name="Germany")
    mexico = make_delegation(name="Mexico")
    philippines = make_delegation(name="Philippines")
    signatory = make_delegation(DelegationStatus.SIGNATORY, name="Signatoria")
    org = make_delegation(DelegationStatus.INTERNATIONAL_ORG, name="UNODA")
    observer = make_delegation(DelegationStatus.OBSERVER_STATE, name="Observia")
    people = dict(
        president=make_user(delegation=presidency, name="President"),
        germany=make_user(delegation=germany, name="Sabine"),
        germany2=make_user(delegation=germany, name="Jonas"),
        mexico=make_user(delegation=mexico, name="Ana"),
        philippines=make_user(delegation=philippines, name="Jose"),
        signatory=make_user(delegation=signatory, name="Sig"),
        org=make_user(delegation=org, name="Org"),
        observer=make_user(delegation=observer, name="Obs"),
        secretariat=make_user(status=DelegationStatus.SECRETARIAT, name="Sec"),
        outsider=make_user(name="Outsider"),
    )
    add_member(room, people["president"], RoomRole.CHAIR)
    for d in (germany, mexico, philippines, signatory, org):
        add_member(room, d)
    add_member(room, observer, RoomRole.OBSERVER)
    return room, people


def _circulate(room, president, *, mode=ProcedureMode.SILENCE, quorum=None, days=3, **kw):
    kw.setdefault("text", "The Conference decides to hold CSP13 in Geneva.")
    return services.circulate(
        room,
        president,
        title=kw.pop("title", "Venue of CSP13"),
        paper_id=kw.pop("paper_id", None),
        note=kw.pop("note", ""),
        mode=mode,
        quorum=quorum,
        closes_at=kw.pop("closes_at", utcnow() + timedelta(days=days)),
        **kw,
    )


def _local(value, zone=ZONE) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M:%S")


def test_circulating_addresses_the_states_parties_taking_part(db, setting):
    room, people = setting
    procedure = _circulate(room, people["president"])
    addressed = [d.name for d in services.addressed_delegations(room)]
    # The President's delegation is a State Party member by its person; the observer State,
    # the signatory and the organisation are not addressed.
    assert addressed == ["Germany", "Mexico", "Philippines", "Presidency"]
    assert procedure.addressed_count == 4
    told = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "procedure.circulated")
        )
    )
    assert people["germany"].id in told and people["signatory"].id in told
    assert people["outsider"].id not in told and people["president"].id not in told
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.kind == "procedure.circulated")
    )


def test_the_chair_circulates_through_the_form_and_bad_input_changes_nothing(
    app, db, client, auth, setting
):
    room, people = setting
    auth.login(people["president"])
    url = f"/rooms/{room.slug}/procedures/new"
    page = client.get(url)
    assert page.status_code == 200 and "4 States Parties" in page.get_data(as_text=True)
    future = _local(utcnow() + timedelta(days=2))
    bad = [
        ({"title": "", "text": "x", "closes_at": future}, "Give the draft decision a title."),
        ({"title": "T", "text": "", "closes_at": future}, "Write the draft decision"),
        ({"title": "T", "text": "x", "closes_at": _local(utcnow() - timedelta(hours=1))}, "future"),
        ({"title": "T", "text": "x"}, "Set the deadline"),
        ({"title": "T", "text": "x" * 50_001, "closes_at": future}, "50,001 characters"),
        (
            {"title": "T", "text": "x", "closes_at": future, "mode": "approval", "quorum": "9"},
            "Between 1 and 4",
        ),
    ]
    for data, message in bad:
        response = client.post(url, data={"mode": "silence", **data})
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), message
    assert db.session.scalar(select(func.count(WrittenProcedure.id))) == 0
    response = client.post(
        url,
        data={"title": "Venue of CSP13", "text": "Geneva.", "closes_at": future, "mode": "silence"},
    )
    assert response.status_code == 303
    procedure = db.session.scalars(select(WrittenProcedure)).one()
    assert procedure.closes_at.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M:%S") == future
    assert client.get(f"/rooms/{room.slug}").get_data(as_text=True).count("Venue of CSP13") >= 1


def test_a_paper_of_another_room_or_in_drafting_cannot_be_circulated(
    db, setting, make_room, add_member
):
    room, people = setting
    other = make_room(AccessLevel.OPEN)
    add_member(other, people["president"], RoomRole.CHAIR)
    elsewhere = papers.create_paper(
        other,
        people["president"],
        title="Elsewhere",
        kind=PaperKind.DRAFT_DECISION,
        issued_by="President",
        source="Text.",
    )
    with pytest.raises(services.ProcedureError, match="Choose a paper of this room"):
        _circulate(room, people["president"], text="", paper_id=elsewhere.id)
    mine = papers.create_paper(
        room,
        people["president"],
        title="Here",
        kind=PaperKind.DRAFT_DECISION,
        issued_by="President",
        source="The Conference decides.",
    )
    with pytest.raises(services.ProcedureError, match="Choose a paper of this room"):
        _circulate(room, people["president"], text="", paper_id=mine.id)  # still drafting
    papers.open_for_comments(mine, people["president"])
    procedure = _circulate(room, people["president"], text="", paper_id=mine.id)
    assert procedure.revision_id is not None
    with pytest.raises(services.ProcedureError, match="not both"):
        _circulate(room, people["president"], text="And a text", paper_id=mine.id)


def test_adopted_by_silence_at_the_deadline(db, client, auth, setting, clock):
    room, people = setting
    procedure = _circulate(room, people["president"], days=1)
    services.respond(procedure, people["germany"], "no_objection", "")
    services.respond(procedure, people["signatory"], "comment", "We support it.")
    db.session.commit()
    auth.login(people["mexico"])
    page = client.get(f"/procedures/{procedure.id}").get_data(as_text=True)
    assert "Silence is not broken" in page and "Respond for Mexico" in page
    clock.move(days=1, seconds=1)
    page = client.get(f"/procedures/{procedure.id}").get_data(as_text=True)
    assert "is adopted by silence procedure" in page
    procedure = db.session.get(WrittenProcedure, procedure.id)
    assert procedure.outcome is Outcome.ADOPTED
    lines = db.session.scalars(
        select(Notification.text).where(
            Notification.kind == "procedure.outcome", Notification.user_id == people["germany"].id
        )
    ).all()
    assert lines == ["CSP12 plenary: “Venue of CSP13” is adopted by silence procedure."]
    # Recorded once: a second reader, and the sweep, add nothing.
    client.get(f"/procedures/{procedure.id}")
    assert services.close_due() == 0
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.kind == "procedure.decided")
        )
        == 1
    )


def test_an_objection_breaks_silence_and_names_who(db, client, auth, setting, clock):
    room, people = setting
    procedure = _circulate(room, people["president"], days=1)
    db.session.commit()
    auth.login(people["philippines"])
    url = f"/procedures/{procedure.id}/respond"
    empty = client.post(url, data={"answer": "objection", "reason": ""})
    assert empty.status_code == 422
    assert "Give the reason for the objection." in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProcedureResponse.id))) == 0
    ok = client.post(url, data={"answer": "objection", "reason": "Geneva is not agreed."})
    assert ok.status_code == 303
    page = client.get(f"/procedures/{procedure.id}").get_data(as_text=True)
    assert "Silence is broken: Philippines objected." in page
    clock.move(days=2)
    assert services.close_due() == 1
    db.session.commit()
    assert procedure.outcome is Outcome.NOT_ADOPTED
    page = client.get(f"/procedures/{procedure.id}").get_data(as_text=True)
    assert "silence on “Venue of CSP13” was broken by Philippines" in page


def test_one_response_per_delegation_amendable_with_every_step_kept(db, client, auth, setting):
    room, people = setting
    procedure = _circulate(room, people["president"])
    db.session.commit()
    auth.login(people["germany"])
    url = f"/procedures/{procedure.id}/respond"
    assert client.post(url, data={"answer": "objection", "reason": "Not yet."}).status_code == 303
    auth.logout()
    auth.login(people["germany2"])  # a colleague of the same delegation
    second = client.post(url, data={"answer": "no_objection", "reason": ""})
    assert second.status_code == 422
    assert "already responded; you can amend" in second.get_data(as_text=True)
    assert (
        client.post(url, data={"answer": "no_objection", "reason": "", "amend": "1"}).status_code
        == 303
    )
    response = db.session.scalars(select(ProcedureResponse)).one()
    assert (
        response.answer is Answer.NO_OBJECTION and response.responded_by_id == people["germany2"].id
    )
    steps = db.session.scalars(select(ProcedureChange).order_by(ProcedureChange.id)).all()
    assert [(s.action, s.answer, s.previous_answer) for s in steps] == [
        ("responded", Answer.OBJECTION, None),
        ("amended", Answer.NO_OBJECTION, Answer.OBJECTION),
    ]
    same = client.post(url, data={"answer": "no_objection", "reason": "", "amend": "1"})
    assert same.status_code == 422 and "already gave" in same.get_data(as_text=True)
    page = client.get(f"/procedures/{procedure.id}").get_data(as_text=True)
    assert "amended its response" in page


def test_signatories_and_observers_comment_and_do_not_object(db, client, auth, setting):
    room, people = setting
    procedure = _circulate(room, people["president"])
    db.session.commit()
    url = f"/procedures/{procedure.id}/respond"
    for who in ("signatory", "org"):
        auth.login(people[who])
        refused = client.post(url, data={"answer": "objection", "reason": "No."})
        assert refused.status_code == 422
        assert "Only States Parties can object" in refused.get_data(as_text=True)
        assert client.post(url, data={"answer": "comment", "reason": "A view."}).status_code == 303
        auth.logout()
    # Room observers read, they do not respond; the Secretariat circulates, it does not respond.
    for who in ("observer", "secretariat"):
        auth.login(people[who])
        assert client.get(f"/procedures/{procedure.id}").status_code == 200
        refused = client.post(url, data={"answer": "comment", "reason": "A view."})
        assert refused.status_code == 422
        assert "cannot respond" in refused.get_data(as_text=True)
        auth.logout()
    counted = services.tally(procedure)
    assert [r.delegation.name for r in counted.comments] == ["Signatoria", "UNODA"]
    assert not counted.silence_broken
    auth.login(people["outsider"])  # not a member of a members room: it does not exist
    assert client.get(f"/procedures/{procedure.id}").status_code == 404
    assert client.post(url, data={"answer": "comment", "reason": "x"}).status_code == 404


def test_the_deadline_is_exact_to_the_second(db, client, auth, setting, clock):
    room, people = setting
    closes = utcnow() + timedelta(hours=1)
    procedure = _circulate(room, people["president"], closes_at=closes)
    db.session.commit()
    url = f"/procedures/{procedure.id}/respond"
    auth.login(people["germany"])
    clock.now = closes - timedelta(seconds=1)
    assert client.post(url, data={"answer": "no_objection", "reason": ""}).status_code == 303
    auth.logout()
    auth.login(people["mexico"])
    clock.now = closes + timedelta(seconds=1)
    late = client.post(url, data={"answer": "objection", "reason": "Too late?"})
    assert late.status_code == 422
    text = late.get_data(as_text=True)
    shown = closes.astimezone(ZoneInfo(ZONE)).strftime("%H:%M:%S")
    # To the second, the room's zone named by its city.
    assert "responses are no longer taken" in text and shown in text and "(Zurich time)" in text
    assert [r.delegation.name for r in services.tally(procedure).responses] == ["Germany"]


def test_the_deadline_is_extended_once_with_notice(db, client, auth, setting):
    room, people = setting
    procedure = _circulate(room, people["president"], days=1)
    db.session.commit()
    auth.login(people["president"])
    url = f"/procedures/{procedure.id}/extend"
    assert client.get(url).status_code == 200
    earlier = _local(procedure.closes_at - timedelta(hours=1))
    refused = client.post(url, data={"closes_at": earlier, "reason": "More time."})
    assert refused.status_code == 422 and "later than the current" in refused.get_data(as_text=True)
    no_reason = client.post(url, data={"closes_at": _local(utcnow() + timedelta(days=3))})
    assert no_reason.status_code == 422 and "Say why" in no_reason.get_data(as_text=True)
    later = utcnow() + timedelta(days=3)
    ok = client.post(url, data={"closes_at": _local(later), "reason": "Capitals asked."})
    assert ok.status_code == 303
    procedure = db.session.get(WrittenProcedure, procedure.id)
    assert procedure.was_extended and procedure.extension_reason == "Capitals asked."
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.kind == "procedure.extended",
                Notification.user_id == people["mexico"].id,
            )
        )
        == 1
    )
    again = client.post(url, data={"closes_at": _local(later + timedelta(days=1)), "reason": "x"})
    assert again.status_code == 422 and "already extended once" in again.get_data(as_text=True)
    auth.logout()
    auth.login(people["germany"])
    assert client.get(url).status_code == 403


def test_withdrawing_asks_first_and_keeps_the_responses(db, client, auth, setting):
    room, people = setting
    procedure = _circulate(room, people["president"])
    services.respond(procedure, people["germany"], "no_objection", "")
    db.session.commit()
    auth.login(people["president"])
    url = f"/procedures/{procedure.id}/withdraw"
    confirm = client.get(url).get_data(as_text=True)
    assert "Withdraw “Venue of CSP13”?" in confirm and "1 responses received are kept" in confirm
    assert client.post(url, data={"reason": ""}).status_code == 422
    assert db.session.get(WrittenProcedure, procedure.id).outcome is None
    assert client.post(url, data={"reason": "Consensus elsewhere."}).status_code == 303
    procedure = db.session.get(WrittenProcedure, procedure.id)
    assert procedure.outcome is Outcome.WITHDRAWN
    assert len(services.tally(procedure).responses) == 1
    auth.logout()
    auth.login(people["mexico"])
    late = client.post(f"/procedures/{procedure.id}/respond", data={"answer": "no_objection"})
    assert late.status_code == 422 and "withdrawn" in late.get_data(as_text=True)


def test_explicit_approval_needs_the_quorum_and_no_objection(db, setting, clock):
    room, people = setting
    adopted = _circulate(room, people["president"], mode=ProcedureMode.APPROVAL, quorum=2)
    short = _circulate(room, people["president"], mode=ProcedureMode.APPROVAL, title="Budget")
    assert short.quorum == 3  # a majority of the four addressed
    for who in ("germany", "mexico"):
        services.respond(adopted, people[who], "no_objection", "")
        services.respond(short, people[who], "no_objection", "")
    clock.move(days=4)
    assert services.close_due() == 2
    assert adopted.outcome is Outcome.ADOPTED and short.outcome is Outcome.NOT_ADOPTED
    line = services.outcome_line(short, services.tally(short))
    assert "2 States Parties approved, 3 were needed" in line


def test_the_secretariats_letter_in_word_and_pdf(db, client, auth, setting, clock, to_pdf):
    room, people = setting
    procedure = _circulate(room, people["president"], days=1)
    services.respond(procedure, people["philippines"], "objection", "Geneva is not agreed.")
    services.respond(procedure, people["signatory"], "comment", "We note it.")
    db.session.commit()
    auth.login(people["germany"])
    assert client.get(f"/procedures/{procedure.id}/letter.docx").status_code == 403  # not yet
    auth.logout()
    auth.login(people["president"])
    draft = client.get(f"/procedures/{procedure.id}/letter.docx")
    assert draft.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(draft.data)).paragraphs)
    assert "draft letter" in text
    clock.move(days=1, seconds=5)
    auth.logout()
    auth.login(people["germany"])
    final = client.get(f"/procedures/{procedure.id}/letter.docx")
    assert final.status_code == 200
    document = docx.Document(io.BytesIO(final.data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "silence on “Venue of CSP13” was broken by Philippines" in text
    assert "(Zurich time)" in text and "4 States Parties" in text
    assert "Geneva is not agreed." in cells and "Signatoria" in cells
    assert "The Conference decides to hold CSP13 in Geneva." in text
    assert document.sections[0].page_width.cm == pytest.approx(21, abs=0.1)
    (pages,) = to_pdf([final.data])
    assert "Venue of CSP13" in pages[0] and "Outcome" in "".join(pages)


def test_the_sweep_command_records_what_is_due(app, db, setting, clock):
    room, people = setting
    procedure_id = _circulate(room, people["president"], days=1).id
    db.session.commit()
    clock.move(days=2)
    result = app.test_cli_runner().invoke(args=["close-procedures"])
    assert result.exit_code == 0, result.output
    assert "Recorded the outcome of 1 written procedure(s)." in result.output
    db.session.expire_all()
    assert db.session.get(WrittenProcedure, procedure_id).outcome is Outcome.ADOPTED


def test_an_open_page_hears_each_response(app, db, client, setting, socket_client):
    from tests.conftest import PASSWORD

    room, people = setting
    procedure = _circulate(room, people["president"])
    db.session.commit()
    procedure_id, version = procedure.id, procedure.version
    email = {k: u.email for k, u in people.items()}

    def sign_in(c, who):
        c.post("/sign-in", data={"email": email[who], "password": PASSWORD})

    sign_in(client, "mexico")
    sc = socket_client()
    answer = sc.emit(
        "watch_procedure", {"procedure": procedure_id}, namespace="/live", callback=True
    )
    assert answer["ok"] and answer["version"] == version
    sc.get_received("/live")
    other = app.test_client()
    sign_in(other, "germany")
    other.post(f"/procedures/{procedure_id}/respond", data={"answer": "no_objection"})
    events = [e for e in sc.get_received("/live") if e["name"] == "procedure-changed"]
    assert events and events[-1]["args"][0] == {"procedure": procedure_id, "version": version + 1}
    status = client.get(f"/procedures/{procedure_id}/status", headers={"HX-Request": "true"})
    assert "Germany" in status.get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, "outsider")
    sc2 = socket_client()
    refused = sc2.emit(
        "watch_procedure", {"procedure": procedure_id}, namespace="/live", callback=True
    )
    assert refused == {"ok": False}
