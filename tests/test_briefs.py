"""Trend briefs: the chair's unattributed summary, checked, objected to, published unsigned."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.notifications.models import Notification
from consult.rooms.models import AccessLevel, RoomKind, RoomRole
from consult.threads import briefs
from consult.threads import services as threads
from consult.threads.briefs import (
    BriefFlagConfirmation,
    BriefObjection,
    BriefStatus,
    FlagKind,
    PublishedBrief,
    TrendBrief,
)
from consult.threads.models import Marking
from consult.timeutil import utcnow
from tests.test_threads import enter, forum  # noqa: F401 - the fixture is used by name

TRENDS = "Diversion through transit hubs remains the main trend in 2026; end-user certificates."
SECRET = "BRIEF-CANARY-3e8f"
REASON = "REASON-CANARY-77aa"


def case_thread(room, people):
    return threads.create_thread(
        room,
        people["origin"],
        title="Seizure at the port",
        marking=Marking.AMBER,
        body="Rifles AK-47-X9912 and SN 4458821 found; consignment lot 88412097 was rerouted.",
        case_reference="DIEF-2026-017",
        audience=None,
    )


def draft(room, people, body=f"{TRENDS} {SECRET}"):
    return briefs.draft(room, people["chair"], body)


def keys(brief, user):
    return [f.key for f in briefs.check(brief, user)]


def end_period(brief, db):
    brief.objections_close_at = utcnow() - timedelta(minutes=1)
    db.session.flush()


@pytest.fixture
def wgeti(make_room):
    return make_room(AccessLevel.OPEN, kind=RoomKind.WORKING_GROUP, slug="wgeti", title="WGETI")


# ---- drafting and who sees drafts -------------------------------------------------------------


def test_the_chair_drafts_and_only_the_chair_sees_the_draft(client, auth, forum, db, make_user):  # noqa: F811
    room, people = forum
    enter(client, auth, people["chair"])
    empty = client.post(f"/rooms/{room.slug}/briefs/new", data={"body": "  "})
    assert empty.status_code == 422
    assert db.session.scalar(select(func.count(TrendBrief.id))) == 0
    response = client.post(f"/rooms/{room.slug}/briefs/new", data={"body": f"{TRENDS} {SECRET}"})
    assert response.status_code == 303
    brief = db.session.scalars(select(TrendBrief)).one()
    assert brief.status is BriefStatus.DRAFT and brief.created_by_id == people["chair"].id
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and SECRET in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    room_page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert f"/briefs/{brief.id}" in room_page and "Draft a trend brief" in room_page

    enter(client, auth, people["partner"])  # a member: not the chair's draft, not drafting
    assert client.get(f"/briefs/{brief.id}").status_code == 404
    assert client.get(f"/rooms/{room.slug}/briefs/new").status_code == 403
    assert client.post(f"/briefs/{brief.id}/edit", data={"body": "x"}).status_code == 404
    assert f"/briefs/{brief.id}" not in client.get(f"/rooms/{room.slug}").get_data(as_text=True)

    outsider = make_user(totp_enabled_at=utcnow(), totp_secret="H" * 32)
    secretariat = make_user(
        status=DelegationStatus.SECRETARIAT, totp_enabled_at=utcnow(), totp_secret="J" * 32
    )
    for person in (outsider, secretariat):
        enter(client, auth, person)
        assert client.get(f"/briefs/{brief.id}").status_code == 404
        assert client.get(f"/rooms/{room.slug}/briefs/new").status_code == 404
        assert SECRET not in client.get(f"/rooms/{room.slug}").get_data(as_text=True)


def test_the_chair_edits_a_draft(client, auth, forum, db):  # noqa: F811
    room, people = forum
    brief = draft(room, people)
    enter(client, auth, people["chair"])
    assert client.post(f"/briefs/{brief.id}/edit", data={"body": ""}).status_code == 422
    db.session.refresh(brief)
    assert SECRET in brief.body
    response = client.post(f"/briefs/{brief.id}/edit", data={"body": "Shorter lessons."})
    assert response.status_code == 303
    db.session.refresh(brief)
    assert brief.body == "Shorter lessons."


def test_draft_and_objection_reasons_are_encrypted_at_rest(forum, db):  # noqa: F811
    room, people = forum
    brief = draft(room, people)
    briefs.submit(brief, people["chair"], 7, set())
    briefs.object_to(brief, people["partner"], f"Too close to our case: {REASON}")
    db.session.flush()
    body = db.session.execute(text("SELECT body FROM trend_brief")).scalar_one()
    reason = db.session.execute(text("SELECT reason FROM brief_objection")).scalar_one()
    assert SECRET.encode() not in bytes(body) and REASON.encode() not in bytes(reason)
    assert SECRET in brief.body  # and readable with the key


# ---- the checker ------------------------------------------------------------------------------


def test_the_checker_flags_each_kind_copied_from_the_threads(forum, db):  # noqa: F811
    room, people = forum
    case_thread(room, people)
    delegation = people["partner"].delegation
    body = (
        f"{TRENDS}\n"
        f"The {delegation.name} delegation and Origin Delegate reported case DIEF-2026-017:\n"
        "rifles AK-47-X9912, also SN 4458821, in lot 88412097.\n"
        "AK-47 rifles, 2026 and 12345 are ordinary."
    )
    brief = draft(room, people, body)
    flags = briefs.check(brief, people["chair"])
    found = {(f.kind, f.text) for f in flags}
    assert found == {
        (FlagKind.DELEGATION, delegation.name),
        (FlagKind.PERSON, "Origin Delegate"),
        (FlagKind.CASE_REFERENCE, "DIEF-2026-017"),
        (FlagKind.SERIAL, "AK-47-X9912"),
        (FlagKind.SERIAL, "SN 4458821"),
        (FlagKind.NUMBER, "88412097"),
    }
    lines = {f.text: f.where for f in flags}
    assert lines["AK-47-X9912"] == (3,) and lines["Origin Delegate"] == (2,)
    # A number seen in a thread is flagged on its own too; an unseen one is not.
    alone = briefs.check_text("Seized: 4458821 and 4458822.", room, people["chair"])
    assert [(f.kind, f.text) for f in alone] == [(FlagKind.NUMBER, "4458821")]
    assert briefs.check_text(TRENDS + " Transit states, brokers.", room, people["chair"]) == []


def test_flags_are_shown_to_the_chair_next_to_the_text(client, auth, forum, db):  # noqa: F811
    room, people = forum
    case_thread(room, people)
    brief = draft(room, people, "Rifles AK-47-X9912 were seen again.")
    enter(client, auth, people["chair"])
    page = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    checker = page.split('id="flags"', 1)[1]
    assert "AK-47-X9912" in checker and "Serial-number-like" in checker
    assert "keep this" in page.lower() or "it is not identifying" in page


# ---- confirmations: nothing goes out with an unconfirmed flag ---------------------------------


def test_unconfirmed_flags_refuse_submitting_and_publishing(client, auth, forum, db, wgeti):  # noqa: F811
    room, people = forum
    thread = case_thread(room, people)
    brief = draft(room, people, f"{TRENDS} Rifles like AK-47-X9912 keep turning up.")
    db.session.flush()
    enter(client, auth, people["chair"])
    refused = client.post(f"/briefs/{brief.id}/submit", data={"days": "7"})
    assert refused.status_code == 422
    assert "The checker flagged 1 string that may" in refused.get_data(as_text=True)
    db.session.refresh(brief)
    assert brief.status is BriefStatus.DRAFT
    assert db.session.scalar(select(func.count(BriefFlagConfirmation.id))) == 0
    told = select(func.count(Notification.id)).where(Notification.kind == "brief.pending")
    assert db.session.scalar(told) == 0

    flag_keys = keys(brief, people["chair"])
    assert len(flag_keys) == 1
    response = client.post(f"/briefs/{brief.id}/submit", data={"days": "7", "confirm": flag_keys})
    assert response.status_code == 303
    db.session.refresh(brief)
    assert brief.status is BriefStatus.PENDING
    assert db.session.scalar(select(func.count(BriefFlagConfirmation.id))) == 1
    end_period(brief, db)

    # A later post makes another string of the brief distinctive: it must be confirmed too.
    threads.add_post(thread, people["origin"], "Also AK-47-X9912 and hull HX-55512 on the ship.")
    brief.body = f"{TRENDS} Rifles like AK-47-X9912 and hulls like HX-55512 keep turning up."
    db.session.flush()
    refused = client.post(f"/briefs/{brief.id}/publish", data={"target": wgeti.id})
    assert refused.status_code == 422
    assert "The checker flagged 1 string that may" in refused.get_data(as_text=True)
    assert "HX-55512" in refused.get_data(as_text=True).split('id="flags"', 1)[1]
    db.session.refresh(brief)
    assert brief.status is BriefStatus.PENDING
    assert db.session.scalar(select(func.count(PublishedBrief.id))) == 0
    assert "HX-55512" not in client.get("/rooms/wgeti").get_data(as_text=True)

    # The flag confirmed at submission stays confirmed; only the new one needs a tick.
    new = [f.key for f in briefs.check(brief, people["chair"]) if f.text == "HX-55512"]
    response = client.post(f"/briefs/{brief.id}/publish", data={"target": wgeti.id, "confirm": new})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(PublishedBrief.id))) == 1


# ---- objections --------------------------------------------------------------------------------


def test_objection_period_objections_and_content_free_notifications(client, auth, forum, db, wgeti):  # noqa: F811
    room, people = forum
    brief = draft(room, people)
    db.session.flush()
    enter(client, auth, people["chair"])
    assert client.post(f"/briefs/{brief.id}/submit", data={"days": "0"}).status_code == 422
    assert client.post(f"/briefs/{brief.id}/submit", data={"days": "7"}).status_code == 303
    db.session.refresh(brief)
    assert brief.objections_close_at - brief.submitted_at == timedelta(days=7)
    frozen = client.post(f"/briefs/{brief.id}/edit", data={"body": "Changed under review."})
    assert frozen.status_code == 422 and "Only a draft can be edited" in frozen.get_data(
        as_text=True
    )
    db.session.refresh(brief)
    assert SECRET in brief.body
    pending = db.session.scalars(select(Notification)).all()
    assert {n.user_id for n in pending} == {people[k].id for k in ("origin", "partner", "outside")}
    assert all(n.text == "A trend brief is pending in a confidential room" for n in pending)
    assert all(n.link == f"/rooms/{room.slug}" for n in pending)
    assert all(SECRET not in n.text + n.link for n in pending)

    # Members read the pending brief and may object; the chair may not.
    assert client.post(f"/briefs/{brief.id}/objections", data={"reason": "x"}).status_code == 403
    enter(client, auth, people["partner"])
    page = client.get(f"/briefs/{brief.id}")
    assert page.status_code == 200 and SECRET in page.get_data(as_text=True)
    assert client.post(f"/briefs/{brief.id}/objections", data={"reason": ""}).status_code == 422
    response = client.post(f"/briefs/{brief.id}/objections", data={"reason": f"No: {REASON}"})
    assert response.status_code == 303
    again = client.post(f"/briefs/{brief.id}/objections", data={"reason": "Again"})
    assert again.status_code == 422 and "already objected" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(BriefObjection.id))) == 1
    to_chair = db.session.scalars(
        select(Notification).where(Notification.user_id == people["chair"].id)
    ).all()
    assert [n.text for n in to_chair] == ["A member delegation objected to a trend brief"]
    everything = " ".join(n.text + n.link for n in db.session.scalars(select(Notification)))
    assert REASON not in everything and SECRET not in everything

    # Publishing: not before the period ends, and not while an objection stands.
    enter(client, auth, people["chair"])
    assert REASON in client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    early = client.post(f"/briefs/{brief.id}/publish", data={"target": wgeti.id})
    assert early.status_code == 422 and "has not ended" in early.get_data(as_text=True)
    end_period(brief, db)
    objected = client.post(f"/briefs/{brief.id}/publish", data={"target": wgeti.id})
    assert objected.status_code == 422 and "objects to this brief" in objected.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(PublishedBrief.id))) == 0
    enter(client, auth, people["origin"])
    late = client.post(f"/briefs/{brief.id}/objections", data={"reason": "Late"})
    assert late.status_code == 422

    # The chair withdraws, redrafts and resubmits: the old objection no longer counts.
    enter(client, auth, people["chair"])
    assert client.post(f"/briefs/{brief.id}/withdraw").status_code == 303
    assert client.post(f"/briefs/{brief.id}/edit", data={"body": TRENDS}).status_code == 303
    assert client.post(f"/briefs/{brief.id}/submit", data={"days": "3"}).status_code == 303
    db.session.refresh(brief)
    assert brief.round == 2
    end_period(brief, db)
    response = client.post(f"/briefs/{brief.id}/publish", data={"target": wgeti.id})
    assert response.status_code == 303
    db.session.refresh(brief)
    assert brief.status is BriefStatus.PUBLISHED


def test_a_delegation_withdraws_its_objection(client, auth, forum, db, wgeti):  # noqa: F811
    room, people = forum
    brief = draft(room, people)
    briefs.submit(brief, people["chair"], 2, set())
    briefs.object_to(brief, people["partner"], "Wait.")
    db.session.flush()
    enter(client, auth, people["origin"])  # another delegation: nothing to withdraw
    assert client.post(f"/briefs/{brief.id}/objections/withdraw").status_code == 422
    enter(client, auth, people["partner"])
    assert client.post(f"/briefs/{brief.id}/objections/withdraw").status_code == 303
    assert db.session.scalar(select(func.count(BriefObjection.id))) == 0
    end_period(brief, db)
    enter(client, auth, people["chair"])
    response = client.post(f"/briefs/{brief.id}/publish", data={"target": wgeti.id})
    assert response.status_code == 303


# ---- publication --------------------------------------------------------------------------------


def test_the_published_brief_is_unsigned_and_points_nowhere_back(
    client,
    auth,
    forum,  # noqa: F811
    db,
    wgeti,
    make_user,
    make_room,
    add_member,
):
    room, people = forum
    chair = people["chair"]
    chair.title = "DIEF Chair"
    brief = draft(room, people, f"## Lessons\n\n{TRENDS} {SECRET}")
    briefs.submit(brief, chair, 1, set())
    end_period(brief, db)
    enter(client, auth, chair)
    other_confidential = make_room(AccessLevel.CONFIDENTIAL, kind=RoomKind.CONFIDENTIAL_FORUM)
    add_member(other_confidential, chair, RoomRole.MEMBER)  # seen by the chair, yet refused
    bad = client.post(f"/briefs/{brief.id}/publish", data={"target": other_confidential.id})
    assert bad.status_code == 422 and "non-confidential room" in bad.get_data(as_text=True)
    assert client.post(f"/briefs/{brief.id}/publish", data={"target": ""}).status_code == 422
    assert db.session.scalar(select(func.count(PublishedBrief.id))) == 0
    response = client.post(f"/briefs/{brief.id}/publish", data={"target": wgeti.id})
    assert response.status_code == 303 and response.headers["Location"] == "/rooms/wgeti"

    published = db.session.scalars(select(PublishedBrief)).one()
    assert published.room_id == wgeti.id and SECRET in published.body
    # The row itself has nowhere to point back to.
    assert {c.name for c in PublishedBrief.__table__.columns} == {
        "id",
        "room_id",
        "body",
        "body_html",
        "published_at",
    }

    reader = make_user(name="WGETI Reader")
    enter(client, auth, reader)
    html = client.get("/rooms/wgeti").get_data(as_text=True)
    assert "Trend brief of the chair of a confidential forum" in html and SECRET in html
    assert "<h2>Lessons</h2>" in html
    section = html.split('id="published-briefs-title"', 1)[1].split("</section>", 1)[0]
    for hint in (chair.name, chair.title, chair.delegation.name, room.title):
        assert hint not in html
    assert chair.delegation.short_name not in section
    assert room.slug not in html and "/briefs/" not in html and "/threads/" not in html
    attributes = re.findall(r'="([^"]*)"', section)  # ids travel in links and data attributes
    assert attributes and not [a for a in attributes if re.search(rf"\b{room.id}\b", a)]
    assert "href" not in section.split('class="prose"', 1)[0]
    # The confidential side remembers where it went; the chair sees it.
    enter(client, auth, chair)
    assert "WGETI" in client.get(f"/briefs/{brief.id}").get_data(as_text=True)


def test_audit_records_carry_no_content(forum, db, wgeti):  # noqa: F811
    room, people = forum
    brief = draft(room, people)
    briefs.submit(brief, people["chair"], 1, set())
    briefs.object_to(brief, people["partner"], REASON)
    briefs.withdraw_objection(brief, people["partner"])
    end_period(brief, db)
    briefs.publish(brief, people["chair"], wgeti, set())
    db.session.flush()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.kind.like("brief.%"))).all()
    assert {e.kind for e in events} >= {
        "brief.drafted",
        "brief.submitted",
        "brief.objection",
        "brief.objection_withdrawn",
        "brief.published",
    }
    written = " ".join(e.summary + str(e.details) for e in events)
    assert SECRET not in written and REASON not in written
