"""Trend briefs: the chair's unattributed summary, checked, objected to, published unsigned."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.briefs import services as briefs
from consult.briefs.checker import FlagKind
from consult.briefs.models import (
    BriefFlagConfirmation,
    BriefObjection,
    BriefStatus,
    PublishedBrief,
    TrendBrief,
)
from consult.notifications.models import Notification
from consult.rooms.models import AccessLevel, RoomKind, RoomRole
from consult.threads import services as threads
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


# ---- the checker on realistic briefs (issue #10) ----------------------------------------------

SEIZURE = (
    "On 12 March 2026 customs officers at the port of Mombasa opened container MSCU4839201, "
    "declared as agricultural machinery. It held 240 assault rifles and 36,000 rounds of "
    "7.62x39mm ammunition.\n\n"
    "The end-user certificate named the Ministry of Defence of Uganda, but the Federal Office "
    "for Economic Affairs and Export Control (BAFA) had issued export licence EL-2025/0042 for "
    "another consignee. The broker, Kestrel Logistics Ltd, routed the shipment through Jebel "
    "Ali. Our file no. 2026/117 has the details."
)
FOLLOW_UP = (
    "Thank you. We checked on 2026-03-18: licence DE-123456 was never used. The same broker "
    "appeared in our case 14/2026 in March 2026, when Karin Albrecht stopped a transfer."
)
#: What a brief may say: trends and general lessons, never cases.
ORDINARY = (
    "## Trends in the first half of 2026\n\n"
    "Members reported that brokers increasingly route small arms and light weapons through free "
    "zones, with end-user certificates that name real ministries. In Q3 the pattern spread "
    "across the region, often with 7.62x39mm ammunition declared as machinery.\n\n"
    "Checking the issuing authority directly, and sharing post-shipment findings through the "
    "Diversion Information Exchange Forum, remain the best safeguards for States Parties in 2026."
)


@pytest.fixture
def dief(forum, db):  # noqa: F811
    """The forum with realistic names, a thread on a seizure and a follow-up post."""
    room, people = forum
    origin, partner = people["origin"], people["partner"]
    origin.name, origin.agency = "Chinedu Okafor", "Nigeria Customs Service"
    origin.delegation.name, origin.delegation.short_name = "Nigeria", "NGA"
    partner.name, partner.title = "Anna Schmidt", "Licensing officer, Zollkriminalamt (ZKA)"
    partner.delegation.name, partner.delegation.short_name = "Germany", "DEU"
    db.session.flush()
    thread = threads.create_thread(
        room,
        origin,
        title="Rifles declared as machinery",
        marking=Marking.AMBER,
        body=SEIZURE,
        case_reference="DIEF-2026-021",
        audience=None,
    )
    threads.add_post(thread, partner, FOLLOW_UP)
    db.session.flush()
    return room, people


def flagged(text, room, user):
    return {(f.kind, f.text): f for f in briefs.check_text(text, room, user)}


@pytest.mark.hardening
def test_a_realistic_brief_has_each_kind_of_identifying_detail_flagged(dief):
    room, people = dief
    brief = (
        f"{ORDINARY}\n\n"
        "## A case in point\n\n"
        "Rifles seized at Mombasa on 12 March 2026 were covered by licence EL-2025/0042, which "
        "BAFA had issued. The Federal Office for Economic Affairs and Export Control later found "
        "that DE-123456 was never used, as in case 14/2026.\n\n"
        "Kestrel Logistics Ltd moved the cargo through Jebel Ali in March 2026, with a "
        "stop-over in Uganda; a second permit, TR-88120, was checked on 18/03/2026.\n\n"
        "Mr Okafor (NGA) and Ms Schmidt of the Zollkriminalamt, with the ZKA, and the Nigeria "
        "Customs Service followed it up; see DIEF-2026-014 and file no. 2026/117."
    )
    flags = flagged(brief, room, people["chair"])
    thread = "In the thread “Rifles declared as machinery”"
    expected = {
        (FlagKind.PLACE, "Mombasa"): thread,
        (FlagKind.PLACE, "Jebel Ali"): thread,
        (FlagKind.PLACE, "Uganda"): thread,
        (FlagKind.DATE, "12 March 2026"): thread,
        (FlagKind.DATE, "March 2026"): thread,
        (FlagKind.DATE, "18/03/2026"): thread,
        (FlagKind.SERIAL, "EL-2025/0042"): thread,
        (FlagKind.SERIAL, "DE-123456"): thread,
        (FlagKind.ORGANISATION, "BAFA"): thread,
        (FlagKind.ORGANISATION, "Federal Office for Economic Affairs and Export Control"): thread,
        (FlagKind.ORGANISATION, "Kestrel Logistics Ltd"): thread,
        (FlagKind.CASE_REFERENCE, "14/2026"): "By its form",
        (FlagKind.CASE_REFERENCE, "DIEF-2026-014"): "By its form",
        (FlagKind.CASE_REFERENCE, "2026/117"): "By its form",
        (FlagKind.DOCUMENT, "TR-88120"): "By its form",
        (FlagKind.PERSON, "Okafor"): "In the profile of Chinedu Okafor",
        (FlagKind.PERSON, "Schmidt"): "In the profile of Anna Schmidt",
        (FlagKind.DELEGATION, "NGA"): "A delegation in this room: Nigeria",
        (FlagKind.ORGANISATION, "Zollkriminalamt"): "In the profile of Anna Schmidt",
        (FlagKind.ORGANISATION, "ZKA"): "In the profile of Anna Schmidt",
        (FlagKind.ORGANISATION, "Nigeria Customs Service"): "In the profile of Chinedu Okafor",
    }
    missing = [k for k in expected if k not in flags]
    assert not missing, f"not flagged: {missing}; flagged: {sorted(flags)}"
    for key, source in expected.items():
        assert flags[key].source.startswith(source), (key, flags[key].source)
    # Every flag points at its line; the ordinary paragraphs (lines 1-5) have none.
    assert all(min(f.where) > 6 for f in flags.values()), sorted(
        (f.text, f.where) for f in flags.values() if min(f.where) <= 6
    )
    assert flags[(FlagKind.PLACE, "Mombasa")].where == (9,)
    assert set(flags) == set(expected), sorted(set(flags) - set(expected))


@pytest.mark.hardening
def test_ordinary_trend_language_is_not_flagged(dief):
    room, people = dief
    assert briefs.check_text(ORDINARY, room, people["chair"]) == []
    more = (
        "In 2026 transit hubs mattered more than in 2024; Q1 and Q3 saw most reports. "
        "Ammunition of 5.56x45mm and 12.7x108mm, MANPADS and SALW remain of concern to the "
        "ATT community, the EU and INTERPOL. Customs, licensing offices and border police in "
        "the region, in Western Africa and in Latin America, share more since the 2000s. "
        "Article 11 and Annex II apply; see ATT/CSP11/2025/WP.1 and ISO 9001 practice."
    )
    assert briefs.check_text(more, room, people["chair"]) == []


@pytest.mark.hardening
def test_identifiers_of_threads_the_chair_cannot_see_are_flagged_by_their_form(
    forum,  # noqa: F811
    db,
):
    """The outside review: DIEF-2026-014 and BAFA came from a need-to-know thread that the
    chair is not on. The checker never reads it, yet flags both by their form, and nothing
    it says gives that thread away."""
    room, people = forum
    hidden = threads.create_thread(
        room,
        people["origin"],
        title="Suspected diversion via a broker",
        marking=Marking.AMBER,
        body="Our customs service seized sporting rifles; the broker is under investigation.",
        case_reference="DIEF-2026-014",
        audience=[people["partner"]],
    )
    threads.add_post(hidden, people["partner"], "BAFA licensed two shipments to this broker.")
    db.session.flush()
    assert hidden not in threads.visible_threads(room, people["chair"])
    text = (
        "Brokers re-export through third States. In one case (DIEF-2026-014), BAFA found that "
        "two licensed shipments had gone to a broker."
    )
    flags = flagged(text, room, people["chair"])
    assert set(flags) == {
        (FlagKind.CASE_REFERENCE, "DIEF-2026-014"),
        (FlagKind.ORGANISATION, "BAFA"),
    }
    for flag in flags.values():
        assert flag.source.startswith("By its form")
        assert "broker" not in flag.source.lower() and "Suspected" not in flag.source


@pytest.mark.hardening
def test_publishing_stays_blocked_until_each_new_finding_is_kept_or_edited_out(
    client,
    auth,
    dief,
    db,
    wgeti,
):
    room, people = dief
    chair = people["chair"]
    brief = draft(room, people, f"{ORDINARY}\n\nMost cases went through Jebel Ali and BAFA.")
    db.session.flush()
    enter(client, auth, chair)
    page = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    checker = page.split('id="flags"', 1)[1].split("</section>", 1)[0]
    assert "Jebel Ali" in checker and "Place named in a thread" in checker
    assert "BAFA" in checker and "Name or acronym of an organisation or agency" in checker
    assert checker.count("In the thread “Rifles declared as machinery”") == 2
    refused = client.post(f"/briefs/{brief.id}/submit", data={"days": "3"})
    assert refused.status_code == 422
    assert "The checker flagged 2 strings" in refused.get_data(as_text=True)
    db.session.refresh(brief)
    assert brief.status is BriefStatus.DRAFT

    # The chair edits one out and keeps the other (BAFA is named in public reports, say).
    edited = f"{ORDINARY}\n\nMost cases went through one hub, as BAFA said."
    assert client.post(f"/briefs/{brief.id}/edit", data={"body": edited}).status_code == 303
    keep = [f.key for f in briefs.check(brief, chair) if f.text == "BAFA"]
    assert len(keep) == 1 and len(briefs.check(brief, chair)) == 1
    response = client.post(f"/briefs/{brief.id}/submit", data={"days": "3", "confirm": keep})
    assert response.status_code == 303
    end_period(brief, db)
    assert client.post(f"/briefs/{brief.id}/publish", data={"target": wgeti.id}).status_code == 303


@pytest.mark.hardening
def test_the_checker_stays_fast_on_a_long_brief_and_long_threads(dief, db):
    """Cost linear in the sizes: a brief at its limit against some hundred long posts."""
    import time

    room, people = dief
    thread = threads.visible_threads(room, people["chair"])[0]
    for n in range(300):
        threads.add_post(thread, people["origin"], f"{SEIZURE} Lot {n:06d}, Officer Name{n}.")
    db.session.flush()
    body = (ORDINARY + "\n\n") * (briefs.MAX_BRIEF_LENGTH // (len(ORDINARY) + 2))
    body = body.replace("machinery", "machinery at Mombasa", 1)
    started = time.perf_counter()
    flags = briefs.check_text(body, room, people["chair"])
    elapsed = time.perf_counter() - started
    assert [(f.kind, f.text) for f in flags] == [(FlagKind.PLACE, "Mombasa")]
    assert elapsed < 10, f"the checker took {elapsed:.1f} s"
