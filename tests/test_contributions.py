"""National contributions: a delegation submits, the chair accepts or returns, co-sponsors
confirm; who sees a contribution before it is accepted (SQL and can() alike); bad input."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import func, select

from consult import waiting
from consult.accounts.models import DelegationStatus
from consult.notifications.models import Notification
from consult.papers import contributions, services
from consult.papers.models import (
    ContributionStatus,
    Paper,
    PaperCosponsor,
    PaperKind,
    PaperStatus,
    Revision,
)
from consult.papers.services import PaperError
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, RoomKind, RoomRole
from consult.taxonomy.models import ArticleTag

pytestmark = pytest.mark.exchange

TEXT = "# Our national control system\n\nNigeria licenses every transfer.\n\nCustoms verify."


@pytest.fixture
def setting(db, make_user, make_room, make_delegation, add_member):
    """WGETI (transparent) with a chair, Nigeria and Ghana taking part, and outsiders."""
    room = make_room(AccessLevel.TRANSPARENT, kind=RoomKind.WORKING_GROUP, slug="wgeti")
    chair = make_user(name="Chair")
    add_member(room, chair, RoomRole.CHAIR)
    nigeria = make_delegation(DelegationStatus.STATE_PARTY, name="Nigeria")
    ghana = make_delegation(DelegationStatus.STATE_PARTY, name="Ghana")
    mexico = make_delegation(DelegationStatus.SIGNATORY, name="Mexico")
    nigeria.short_name, ghana.short_name, mexico.short_name = "NGA", "GHA", "MEX"
    ngo = make_delegation(DelegationStatus.CIVIL_SOCIETY, name="Control Arms")
    for d in (nigeria, ghana, mexico, ngo):
        add_member(room, d, RoomRole.MEMBER)
    people = {
        "chair": chair,
        "nigeria": make_user(delegation=nigeria, name="Amina"),
        "nigeria2": make_user(delegation=nigeria, name="Tunde"),
        "ghana": make_user(delegation=ghana, name="Kofi"),
        "mexico": make_user(delegation=mexico, name="Lucia"),
        "ngo": make_user(delegation=ngo, name="Anna"),
        "outsider": make_user(status=DelegationStatus.STATE_PARTY, name="Other"),
        "secretariat": make_user(status=DelegationStatus.SECRETARIAT, name="Sec"),
    }
    return room, people


def submit(room, people, **kw):
    kw.setdefault("title", "National control system of Nigeria")
    kw.setdefault("source", TEXT)
    return contributions.submit_contribution(room, people["nigeria"], **kw)


def seen_by(db, user, paper) -> tuple[bool, bool]:
    by_sql = db.session.scalar(select(Paper.id).where(Paper.id == paper.id, visible(Paper, user)))
    return by_sql is not None, can(Need.VIEW, paper, user)


# ---- services ---------------------------------------------------------------------------------


def test_submission_creates_rev0_attributed_and_pending(db, setting):
    room, people = setting
    paper = submit(
        room, people, articles=["11", "7", "7"], cosponsor_ids=[people["ghana"].delegation_id]
    )
    assert paper.contribution_status is ContributionStatus.SUBMITTED
    assert paper.status is PaperStatus.DRAFTING
    assert paper.submitted_by_delegation_id == people["nigeria"].delegation_id
    assert paper.issued_by == "Nigeria"
    assert [r.number for r in services.revisions(paper)] == [0]
    assert sorted(
        db.session.scalars(select(ArticleTag.article).where(ArticleTag.subject_type == "paper"))
    ) == [7, 11]
    # The chair is told; Ghana's people are invited (they see the paper).
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (people["chair"].id, "paper.contribution_submitted") in kinds
    assert (people["ghana"].id, "paper.cosponsor_invited") in kinds


def test_accept_lists_it_with_the_room_papers_attributed(db, setting):
    room, people = setting
    paper = submit(room, people, cosponsor_ids=[people["ghana"].delegation_id])
    contributions.answer_invitation(paper, people["ghana"], True)
    assert services.papers_in_room(room, people["mexico"]) == []
    symbol = contributions.suggested_symbol(paper)
    assert symbol.startswith("ATT/CSP12.WGETI/") and "/NGA/1" in symbol
    contributions.accept(paper, people["chair"], symbol=symbol, is_chatham_house=True)
    assert paper.status is PaperStatus.OPEN
    assert paper.contribution_status is ContributionStatus.ACCEPTED
    listed = services.papers_in_room(room, people["mexico"])
    assert listed == [paper]
    assert contributions.attribution(listed[0]) == "Submitted by Nigeria, co-sponsored by Ghana"
    # Chatham House covers the comments, not the paper: a delegate may not see who commented.
    assert not can(Need.SEE_AUTHORS, paper, people["mexico"])
    assert services.comments_closed_reason(paper) is None
    notified = db.session.scalars(
        select(Notification.text).where(
            Notification.user_id == people["nigeria2"].id,
            Notification.kind == "paper.contribution_decided",
        )
    ).all()
    assert notified and symbol in notified[0]
    # The next number under the same prefix is free.
    second = submit(room, people, title="Another")
    assert contributions.suggested_symbol(second).endswith("/NGA/2")


def test_return_then_revise_and_resubmit(db, setting):
    room, people = setting
    paper = submit(room, people)
    contributions.return_contribution(paper, people["chair"], "Please cite Article 11.")
    assert paper.contribution_status is ContributionStatus.RETURNED
    lines = waiting.for_person(people["nigeria2"])
    assert [w.kind for w in lines] == ["Returned: revise and resubmit"]
    contributions.resubmit(
        paper,
        people["nigeria2"],
        title=paper.title,
        source=TEXT + "\n\nArticle 11 measures apply.",
        articles=[11],
    )
    assert paper.contribution_status is ContributionStatus.SUBMITTED
    assert paper.returned_reason is None
    assert [r.number for r in services.revisions(paper)] == [0, 1]
    assert [w.kind for w in waiting.for_person(people["chair"])] == ["Contribution to accept"]


def test_contribution_to_accept_waits_for_the_rooms_chairs_only(db, setting, add_member, make_user):
    room, people = setting
    facilitator = make_user()
    add_member(room, facilitator, RoomRole.FACILITATOR)
    submit(room, people)
    assert [w.kind for w in waiting.for_person(facilitator)] == ["Contribution to accept"]
    # The Secretariat may accept it, but its dashboard does not list every room's submissions;
    # the submitter and a member are not asked anything.
    for who in ("secretariat", "nigeria", "mexico"):
        assert waiting.for_person(people[who]) == [], who


def test_withdraw_and_submit_again(db, setting):
    room, people = setting
    paper = submit(room, people)
    contributions.withdraw(paper, people["nigeria"])
    assert paper.contribution_status is ContributionStatus.WITHDRAWN
    assert waiting.for_person(people["chair"]) == []
    contributions.resubmit(paper, people["nigeria"], title=paper.title, source=TEXT)
    assert paper.contribution_status is ContributionStatus.SUBMITTED


def test_cosponsor_waiting_line_and_decline(db, setting):
    room, people = setting
    paper = submit(room, people, cosponsor_ids=[people["ghana"].delegation_id])
    assert [w.kind for w in waiting.for_person(people["ghana"])] == ["Co-sponsorship to confirm"]
    assert can(Need.DECIDE, paper, people["ghana"])
    contributions.answer_invitation(paper, people["ghana"], False)
    assert waiting.for_person(people["ghana"]) == []
    # A declining delegation no longer sees the pending paper, in SQL and can().
    assert seen_by(db, people["ghana"], paper) == (False, False)
    with pytest.raises(PaperError):
        contributions.answer_invitation(paper, people["ghana"], True)


def test_the_chairs_tools_refuse_a_pending_contribution(db, setting):
    room, people = setting
    paper = submit(room, people)
    with pytest.raises(PaperError):
        services.set_status(paper, people["chair"], PaperStatus.OPEN, None)
    with pytest.raises(PaperError):
        services.revise(paper, people["chair"], TEXT + "\n\nMore.")


# ---- policy: who sees a submitted paper -------------------------------------------------------


@pytest.mark.parametrize("status", ["submitted", "returned", "withdrawn"])
def test_pending_contribution_is_seen_only_by_its_circle(db, setting, status):
    room, people = setting
    paper = submit(room, people, cosponsor_ids=[people["ghana"].delegation_id])
    if status == "returned":
        contributions.return_contribution(paper, people["chair"], "No.")
    elif status == "withdrawn":
        contributions.withdraw(paper, people["nigeria"])
    expected = {
        "chair": True,
        "nigeria": True,
        "nigeria2": True,
        "ghana": True,  # invited co-sponsor
        "mexico": False,
        "ngo": False,
        "outsider": False,
        "secretariat": True,
    }
    for who, sees in expected.items():
        assert seen_by(db, people[who], paper) == (sees, sees), who


def test_accepted_contribution_is_seen_by_the_room(db, setting):
    room, people = setting
    paper = submit(room, people)
    contributions.accept(paper, people["chair"], symbol=contributions.suggested_symbol(paper))
    for who in ("mexico", "ngo", "outsider", "ghana"):
        assert seen_by(db, people[who], paper) == (True, True), who


def test_accepted_in_drafting_stays_with_managers_and_the_delegation(db, setting):
    room, people = setting
    paper = submit(room, people)
    contributions.accept(
        paper,
        people["chair"],
        symbol=contributions.suggested_symbol(paper),
        status=PaperStatus.DRAFTING,
    )
    assert seen_by(db, people["mexico"], paper) == (False, False)
    assert seen_by(db, people["nigeria2"], paper) == (True, True)


def test_author_need_is_the_submitting_delegations_while_pending(db, setting):
    room, people = setting
    paper = submit(room, people)
    assert can(Need.AUTHOR, paper, people["nigeria2"])
    assert not can(Need.AUTHOR, paper, people["chair"])
    assert not can(Need.AUTHOR, paper, people["ghana"])
    contributions.accept(paper, people["chair"], symbol=contributions.suggested_symbol(paper))
    assert not can(Need.AUTHOR, paper, people["nigeria"])


# ---- bad input: a message next to the field, nothing stored -----------------------------------


def _nothing_stored(db):
    assert db.session.scalar(select(func.count(Paper.id))) == 0
    assert db.session.scalar(select(func.count(Revision.id))) == 0


BAD = [
    ({"title": ""}, "title", "Give the contribution a title."),
    ({"title": "x" * 301}, "title", "This is 301 characters long; at most 300 are accepted."),
    ({"source": ""}, "source", "Paste the text or upload a .docx document."),
    ({"articles": ["29"]}, "articles", "articles 1 to 28"),
    ({"articles": ["0"]}, "articles", "articles 1 to 28"),
    ({"articles": ["x"]}, "articles", "articles 1 to 28"),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD)
def test_bad_submission_is_refused_next_to_its_field(
    client, auth, db, setting, data, field, message
):
    room, people = setting
    auth.login(people["nigeria"])
    form = {"title": "T", "kind": "national_paper", "original_language": "en", "source": TEXT}
    form.update(data)
    response = client.post(f"/rooms/{room.slug}/contributions/new", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html.split(f'id="{field}-error"')[1][:400]
    _nothing_stored(db)


@pytest.mark.parametrize("who", ["submitter", "ngo"])
def test_cosponsor_must_be_another_state(client, auth, db, setting, who):
    room, people = setting
    auth.login(people["nigeria"])
    target = people["nigeria"] if who == "submitter" else people["ngo"]
    response = client.post(
        f"/rooms/{room.slug}/contributions/new",
        data={
            "title": "T",
            "kind": "national_paper",
            "original_language": "en",
            "source": TEXT,
            "cosponsors": [str(target.delegation_id)],
        },
    )
    assert response.status_code == 422
    assert 'id="cosponsors-error"' in response.get_data(as_text=True)
    _nothing_stored(db)


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("payload", "name"),
    [(b"not a zip", "x.docx"), (b"plain", "x.txt"), (b"0" * (4 * 1024 * 1024 + 1), "big.docx")],
)
def test_bad_document_is_refused_next_to_the_upload(client, auth, db, setting, payload, name):
    room, people = setting
    auth.login(people["nigeria"])
    response = client.post(
        f"/rooms/{room.slug}/contributions/new",
        data={
            "title": "T",
            "kind": "national_paper",
            "original_language": "en",
            "document": (io.BytesIO(payload), name),
        },
    )
    assert response.status_code == 422
    assert 'id="document-error"' in response.get_data(as_text=True)
    _nothing_stored(db)


def test_docx_upload_becomes_rev0(client, auth, db, setting):
    room, people = setting
    auth.login(people["nigeria"])
    response = client.post(
        f"/rooms/{room.slug}/contributions/new",
        data={
            "title": "From Word",
            "kind": "national_experience",
            "original_language": "en",
            "document": (
                io.BytesIO(_docx("Our licensing authority decides in 30 days.")),
                "n.docx",
            ),
        },
    )
    assert response.status_code in (302, 303)
    paper = db.session.scalars(select(Paper)).one()
    assert paper.kind is PaperKind.NATIONAL_EXPERIENCE
    assert "30 days" in services.current_revision(paper).source
    assert services.current_revision(paper).origin == "n.docx"


@pytest.mark.parametrize("who", ["ngo", "outsider"])
def test_submission_by_an_observer_or_outsider_is_refused(db, setting, who):
    room, people = setting
    with pytest.raises(PaperError) as refused:
        contributions.submit_contribution(room, people[who], title="T", source=TEXT)
    assert refused.value.field == "title"
    _nothing_stored(db)


def test_ngo_form_shows_why_and_stores_nothing(client, auth, db, setting):
    room, people = setting
    auth.login(people["ngo"])
    response = client.post(
        f"/rooms/{room.slug}/contributions/new",
        data={"title": "T", "kind": "national_paper", "original_language": "en", "source": TEXT},
    )
    assert response.status_code == 422
    assert "Only a State Party or signatory State" in response.get_data(as_text=True)
    _nothing_stored(db)


def test_return_without_reason_is_refused(client, auth, db, setting):
    room, people = setting
    paper = submit(room, people)
    auth.login(people["chair"])
    response = client.post(f"/papers/{paper.id}/return", data={"reason": "  "})
    assert response.status_code == 422
    assert 'id="reason-error"' in response.get_data(as_text=True)
    db.session.refresh(paper)
    assert paper.contribution_status is ContributionStatus.SUBMITTED


@pytest.mark.parametrize(
    "symbol",
    [
        "ATT/CSP12.WGETI/2026/CHAIR/1",  # not the delegation
        "ATT/CSP12/2026/NGA",  # no number
        "CSP12/2026/NGA/1",
        "ATT/CSP12." + "W" * 120 + "/2026/NGA/1",  # too long, said so
        "taken",
    ],
)
def test_bad_or_taken_symbol_is_refused(client, auth, db, setting, symbol):
    room, people = setting
    first = submit(room, people, title="First")
    contributions.accept(first, people["chair"], symbol="ATT/CSP12.WGETI/2026/NGA/1")
    paper = submit(room, people)
    if symbol == "taken":
        symbol = "ATT/CSP12.WGETI/2026/NGA/1"
    auth.login(people["chair"])
    response = client.post(f"/papers/{paper.id}/accept", data={"symbol": symbol, "status": "open"})
    assert response.status_code == 422
    assert 'id="symbol-error"' in response.get_data(as_text=True)
    db.session.refresh(paper)
    assert paper.contribution_status is ContributionStatus.SUBMITTED and paper.symbol is None


# ---- through the pages ------------------------------------------------------------------------


def test_full_flow_through_the_pages(client, auth, db, setting):
    room, people = setting
    auth.login(people["nigeria"])
    response = client.post(
        f"/rooms/{room.slug}/contributions/new",
        data={
            "title": "Nigeria's experience",
            "kind": "national_paper",
            "original_language": "en",
            "source": TEXT,
            "articles": ["5", "11"],
            "cosponsors": [str(people["ghana"].delegation_id)],
        },
    )
    assert response.status_code in (302, 303)
    paper = db.session.scalars(select(Paper)).one()
    auth.logout()
    auth.login(people["ghana"])
    assert client.post(
        f"/papers/{paper.id}/cosponsorship", data={"answer": "confirm"}
    ).status_code in (302, 303)
    auth.logout()
    auth.login(people["chair"])
    page = client.get(f"/papers/{paper.id}/accept").get_data(as_text=True)
    assert "ATT/CSP12.WGETI/" in page
    response = client.post(
        f"/papers/{paper.id}/accept",
        data={"symbol": contributions.suggested_symbol(paper), "status": "open"},
    )
    assert response.status_code in (302, 303)
    auth.logout()
    auth.login(people["mexico"])
    room_page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "Nigeria&#39;s experience" in room_page or "Nigeria's experience" in room_page
    assert "Submitted by Nigeria, co-sponsored by Ghana" in room_page
    paper_page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "Art. 5" in paper_page and "Art. 11" in paper_page
    cosponsors = db.session.scalars(select(PaperCosponsor)).one()
    assert cosponsors.confirmed_at is not None


def test_room_list_of_contributions_has_constant_queries(
    db, setting, count_queries, make_delegation, add_member, make_user
):
    room, people = setting

    def measure() -> int:
        db.session.flush()  # what the submissions wrote is not the list's
        db.session.expire_all()
        with count_queries() as statements:
            listed = contributions.contributions_in_room(room, people["chair"])
            for paper in listed:
                contributions.attribution(paper)
                [c.delegation.name for c in paper.cosponsors]
        return len(statements), len(listed)

    submit(room, people, cosponsor_ids=[people["ghana"].delegation_id])
    small, n_small = measure()
    for i in range(6):
        delegation = make_delegation(DelegationStatus.STATE_PARTY, name=f"State {i}")
        add_member(room, delegation, RoomRole.MEMBER)
        user = make_user(delegation=delegation)
        contributions.submit_contribution(
            room,
            user,
            title=f"Paper {i}",
            source=TEXT,
            cosponsor_ids=[people["ghana"].delegation_id, people["mexico"].delegation_id],
        )
    large, n_large = measure()
    assert (n_small, n_large) == (1, 7)
    # The person and the room (expired) reloaded, then the papers, their delegations, the
    # invitations and the invited delegations: the same at 1 and at 7 contributions.
    assert small == large == 6


# ---- the rules as a table (every access level, every kind of person, every state) -------------

MEMBERS = {
    "submitter": RoomRole.MEMBER,
    "chair": RoomRole.CHAIR,
    "facilitator": RoomRole.FACILITATOR,
    "observer_member": RoomRole.OBSERVER,
    "member": RoomRole.MEMBER,
}
OTHERS = ["colleague", "invited", "confirmed", "declined", "outsider", "ngo", "secretariat"]
STATES_ = ["submitted", "returned", "withdrawn", "accepted", "accepted_drafting"]


def _sees_room(who: str, access: AccessLevel) -> bool:
    if who in MEMBERS or who == "secretariat":
        return True
    if access in (AccessLevel.OPEN, AccessLevel.TRANSPARENT):
        return True
    return access is AccessLevel.STATES and who != "ngo"


def _takes_part(who: str, access: AccessLevel) -> bool:
    if who in MEMBERS:
        return MEMBERS[who] is not RoomRole.OBSERVER
    if who == "secretariat":
        return access is not AccessLevel.CONFIDENTIAL
    if access is AccessLevel.OPEN:
        return True
    return access is AccessLevel.STATES and who != "ngo"


def _expected(who: str, access: AccessLevel, state: str) -> dict[Need, bool]:
    sees_room = _sees_room(who, access)
    managers = {"chair", "facilitator", "secretariat"}
    own = who in ("submitter", "colleague")
    if state == "accepted":
        view = sees_room
    elif state == "accepted_drafting":
        view = sees_room and (who in managers or own)
    else:
        view = sees_room and (who in managers or own or who in ("invited", "confirmed"))
    pending = state in ("submitted", "returned", "withdrawn")
    return {
        Need.VIEW: view,
        Need.MANAGE: view and who in managers,
        Need.AUTHOR: view and pending and own and _takes_part(who, access),
        Need.DECIDE: view and who == "invited" and state != "withdrawn",
    }


@pytest.mark.parametrize("access", list(AccessLevel))
def test_every_rule_answers_as_the_spec_says(
    db, make_user, make_room, make_delegation, add_member, access
):
    room = make_room(access)
    people = {}
    for who, role in MEMBERS.items():
        people[who] = make_user(status=DelegationStatus.STATE_PARTY)
        add_member(room, people[who], role)
    people["colleague"] = make_user(delegation=people["submitter"].delegation)
    for who in ("invited", "confirmed", "declined", "outsider"):
        people[who] = make_user(status=DelegationStatus.STATE_PARTY)
    people["ngo"] = make_user(status=DelegationStatus.CIVIL_SOCIETY)
    people["secretariat"] = make_user(status=DelegationStatus.SECRETARIAT)
    papers = {}
    for state in STATES_:
        paper = contributions.submit_contribution(
            room,
            people["submitter"],
            title=state,
            source=TEXT,
            cosponsor_ids=[people[w].delegation_id for w in ("invited", "confirmed", "declined")],
        )
        db.session.flush()
        rows = {
            c.delegation_id: c
            for c in db.session.scalars(
                select(PaperCosponsor).where(PaperCosponsor.paper_id == paper.id)
            )
        }
        rows[people["confirmed"].delegation_id].confirmed_at = services.utcnow()
        rows[people["declined"].delegation_id].declined_at = services.utcnow()
        chair = people["chair"]
        if state == "returned":
            contributions.return_contribution(paper, chair, "Shorter, please.")
        elif state == "withdrawn":
            contributions.withdraw(paper, people["submitter"])
        elif state.startswith("accepted"):
            contributions.accept(
                paper,
                chair,
                symbol=contributions.suggested_symbol(paper),
                status=PaperStatus.DRAFTING if state == "accepted_drafting" else PaperStatus.OPEN,
            )
        papers[state] = paper
    db.session.flush()
    wrong = []
    for who, person in people.items():
        in_sql = set(db.session.scalars(select(Paper.id).where(visible(Paper, person))))
        for state, paper in papers.items():
            for need, allowed in _expected(who, access, state).items():
                if can(need, paper, person) != allowed:
                    wrong.append(f"{who} {state} {need.value}: expected {allowed}")
            if (paper.id in in_sql) != can(Need.VIEW, paper, person):
                wrong.append(f"{who} {state}: visible() and can(VIEW) disagree")
    assert not wrong, "\n".join(wrong)


def test_demo_has_an_accepted_and_a_waiting_contribution(app, db):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    rows = db.session.execute(
        select(Paper.contribution_status, Paper.symbol, Paper.status).where(
            Paper.contribution_status.is_not(None)
        )
    ).all()
    accepted = [r for r in rows if r.contribution_status is ContributionStatus.ACCEPTED]
    assert len(accepted) == 1 and accepted[0].symbol.startswith("ATT/CSP12.WGETI/")
    assert "/NGA/" in accepted[0].symbol and accepted[0].status is PaperStatus.OPEN
    assert [r.contribution_status for r in rows if r not in accepted] == [
        ContributionStatus.SUBMITTED
    ]


def test_return_and_resubmit_through_the_pages(client, auth, db, setting):
    room, people = setting
    paper = submit(room, people, cosponsor_ids=[people["ghana"].delegation_id])
    auth.login(people["chair"])
    response = client.post(f"/papers/{paper.id}/return", data={"reason": "Cite Article 11."})
    assert response.status_code in (302, 303)
    auth.logout()
    auth.login(people["nigeria2"])
    page = client.get(f"/papers/{paper.id}/resubmit").get_data(as_text=True)
    assert "Cite Article 11." in page and "Nigeria licenses every transfer." in page
    response = client.post(
        f"/papers/{paper.id}/resubmit",
        data={
            "title": paper.title,
            "source": TEXT + "\n\nArticle 11 applies.",
            "articles": ["11"],
            "cosponsors": [str(people["ghana"].delegation_id)],
            "note": "Article 11 cited",
        },
    )
    assert response.status_code in (302, 303)
    db.session.refresh(paper)
    assert paper.contribution_status is ContributionStatus.SUBMITTED
    revisions = services.revisions(paper)
    assert [r.number for r in revisions] == [0, 1] and revisions[1].note == "Article 11 cited"
    # Ghana's invitation stays (one row), still open.
    assert db.session.scalar(select(func.count(PaperCosponsor.id))) == 1
    # Withdrawn, and the paper page says so.
    assert client.post(f"/papers/{paper.id}/withdraw-contribution").status_code in (302, 303)
    assert "Withdrawn by the delegation" in client.get(f"/papers/{paper.id}").get_data(as_text=True)


def test_a_submission_sent_after_the_session_ended_is_kept_and_offered_back(
    client, auth, db, setting
):
    from tests.test_drafts import hidden, textarea

    room, people = setting
    auth.login(people["nigeria"])
    url = f"/rooms/{room.slug}/contributions/new"
    page = client.get(url).get_data(as_text=True)
    data = {
        "title": "Kept title",
        "kind": "national_experience",
        "original_language": "fr",
        "source": TEXT,
        "kept_for": hidden(page, "kept_for"),
        "csrf_token": hidden(page, "csrf_token"),
    }
    auth.logout()  # signed out in another tab
    response = client.post(url, data=data, csrf=False)
    assert response.headers["Location"].startswith("/sign-in")
    _nothing_stored(db)
    auth.login(people["nigeria"])
    page = client.get(url).get_data(as_text=True)
    assert "Your text was kept" in page
    assert textarea(page, "source") == TEXT
    assert 'value="Kept title"' in page
    assert '<option selected value="national_experience">' in page
