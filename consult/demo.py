"""The demo dataset: delegations across every status and regional group, office holders,
the working groups, a regional group, a small group and a confidential forum.

People are invented; the e-mail addresses use the reserved example.org domain.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from consult.accounts import services as accounts
from consult.accounts.models import Delegation, DelegationStatus, RegionalGroup, User
from consult.extensions import db
from consult.groups.models import Group
from consult.mail import OutboxMessage
from consult.papers.models import Position
from consult.rooms.models import (
    AccessLevel,
    JoinRequest,
    Membership,
    Room,
    RoomActivity,
    RoomKind,
    RoomRole,
    RoomVisit,
)
from consult.timeutil import utcnow

S = DelegationStatus
G = RegionalGroup
DOMAIN = "demo.example.org"

DELEGATIONS: list[tuple[str, str, DelegationStatus, RegionalGroup | None]] = [
    ("Argentina", "ARG", S.STATE_PARTY, G.GRULAC),
    ("Australia", "AUS", S.STATE_PARTY, G.WEOG),
    ("Austria", "AUT", S.STATE_PARTY, G.WEOG),
    ("Brazil", "BRA", S.STATE_PARTY, G.GRULAC),
    ("Costa Rica", "CRI", S.STATE_PARTY, G.GRULAC),
    ("Côte d'Ivoire", "CIV", S.STATE_PARTY, G.AFRICAN),
    ("Finland", "FIN", S.STATE_PARTY, G.WEOG),
    ("France", "FRA", S.STATE_PARTY, G.WEOG),
    ("Germany", "DEU", S.STATE_PARTY, G.WEOG),
    ("Ghana", "GHA", S.STATE_PARTY, G.AFRICAN),
    ("Japan", "JPN", S.STATE_PARTY, G.ASIA_PACIFIC),
    ("Kazakhstan", "KAZ", S.STATE_PARTY, G.ASIA_PACIFIC),
    ("Latvia", "LVA", S.STATE_PARTY, G.EASTERN_EUROPEAN),
    ("Mexico", "MEX", S.STATE_PARTY, G.GRULAC),
    ("New Zealand", "NZL", S.STATE_PARTY, G.WEOG),
    ("Nigeria", "NGA", S.STATE_PARTY, G.AFRICAN),
    ("Philippines", "PHL", S.STATE_PARTY, G.ASIA_PACIFIC),
    ("Poland", "POL", S.STATE_PARTY, G.EASTERN_EUROPEAN),
    ("Republic of Korea", "KOR", S.STATE_PARTY, G.ASIA_PACIFIC),
    ("Romania", "ROU", S.STATE_PARTY, G.EASTERN_EUROPEAN),
    ("Senegal", "SEN", S.STATE_PARTY, G.AFRICAN),
    ("Sierra Leone", "SLE", S.STATE_PARTY, G.AFRICAN),
    ("South Africa", "ZAF", S.STATE_PARTY, G.AFRICAN),
    ("Switzerland", "CHE", S.STATE_PARTY, G.WEOG),
    ("Angola", "AGO", S.SIGNATORY, G.AFRICAN),
    ("Bangladesh", "BGD", S.SIGNATORY, G.ASIA_PACIFIC),
    ("Colombia", "COL", S.SIGNATORY, G.GRULAC),
    ("Thailand", "THA", S.SIGNATORY, G.ASIA_PACIFIC),
    ("Zimbabwe", "ZWE", S.SIGNATORY, G.AFRICAN),
    ("Egypt", "EGY", S.OBSERVER_STATE, G.AFRICAN),
    ("India", "IND", S.OBSERVER_STATE, G.ASIA_PACIFIC),
    ("Indonesia", "IDN", S.OBSERVER_STATE, G.ASIA_PACIFIC),
    ("United Nations Institute for Disarmament Research", "UNIDIR", S.INTERNATIONAL_ORG, None),
    ("World Customs Organization", "WCO", S.INTERNATIONAL_ORG, None),
    ("Economic Community of West African States", "ECOWAS", S.REGIONAL_ORG, None),
    ("European Union", "EU", S.REGIONAL_ORG, None),
    ("Control Arms Coalition", "Control Arms", S.CIVIL_SOCIETY, None),
    ("Small Arms Survey", "SAS", S.CIVIL_SOCIETY, None),
    ("Defence Industry Association (demo)", "DIA", S.INDUSTRY, None),
    ("ATT Secretariat", "ATTS", S.SECRETARIAT, None),
]

#: Where each delegation works from: its capital's zone (a State's), its seat's (an
#: organisation's). People invited into a delegation start with its zone.
DELEGATION_ZONES: dict[str, str] = {
    "ARG": "America/Argentina/Buenos_Aires",
    "AUS": "Australia/Sydney",
    "AUT": "Europe/Vienna",
    "BRA": "America/Sao_Paulo",
    "CRI": "America/Costa_Rica",
    "CIV": "Africa/Abidjan",
    "FIN": "Europe/Helsinki",
    "FRA": "Europe/Paris",
    "DEU": "Europe/Berlin",
    "GHA": "Africa/Accra",
    "JPN": "Asia/Tokyo",
    "KAZ": "Asia/Almaty",
    "LVA": "Europe/Riga",
    "MEX": "America/Mexico_City",
    "NZL": "Pacific/Auckland",
    "NGA": "Africa/Lagos",
    "PHL": "Asia/Manila",
    "POL": "Europe/Warsaw",
    "KOR": "Asia/Seoul",
    "ROU": "Europe/Bucharest",
    "SEN": "Africa/Dakar",
    "SLE": "Africa/Freetown",
    "ZAF": "Africa/Johannesburg",
    "CHE": "Europe/Zurich",
    "AGO": "Africa/Luanda",
    "BGD": "Asia/Dhaka",
    "COL": "America/Bogota",
    "THA": "Asia/Bangkok",
    "ZWE": "Africa/Harare",
    "EGY": "Africa/Cairo",
    "IND": "Asia/Kolkata",
    "IDN": "Asia/Jakarta",
    "UNIDIR": "Europe/Zurich",
    "WCO": "Europe/Brussels",
    "ECOWAS": "Africa/Lagos",
    "EU": "Europe/Brussels",
    "Control Arms": "America/New_York",
    "SAS": "Europe/Zurich",
    "DIA": "Europe/London",
    "ATTS": "Europe/Zurich",
}

#: (e-mail local part, name, delegation short name, title, agency, flags)
PEOPLE: list[tuple[str, str, str, str, str, dict]] = [
    (
        "secretariat",
        "Amina Rahimova",
        "ATTS",
        "Programme Officer",
        "ATT Secretariat",
        {"is_focal_point": True, "time_zone": "Europe/Zurich"},
    ),
    (
        "president",
        "Elena Marchetti",
        "CHE",
        "CSP12 President",
        "Federal Department of Foreign Affairs",
        {"time_zone": "Europe/Zurich"},
    ),
    (
        "chair.wgeti",
        "Ricardo Salinas",
        "MEX",
        "WGETI Chair",
        "Secretaría de Relaciones Exteriores",
        {"time_zone": "America/Mexico_City"},
    ),
    (
        "facilitator",
        "Aino Virtanen",
        "FIN",
        "Facilitator, Articles 6 and 7",
        "Ministry for Foreign Affairs",
        {"time_zone": "Europe/Helsinki"},
    ),
    (
        "chair.wgtr",
        "Haruki Sato",
        "JPN",
        "WGTR Co-chair",
        "Ministry of Foreign Affairs",
        {"time_zone": "Asia/Tokyo"},
    ),
    (
        "chair.wgtu",
        "Kwame Mensah",
        "GHA",
        "WGTU Chair",
        "National Commission on Small Arms",
        {"time_zone": "Africa/Accra"},
    ),
    (
        "chair.dief",
        "Mere Tane",
        "NZL",
        "DIEF Chair",
        "Ministry of Foreign Affairs and Trade",
        {"time_zone": "Pacific/Auckland"},
    ),
    (
        "coordinator.african",
        "Awa Ndiaye",
        "SEN",
        "African Group Coordinator",
        "Ministère des Affaires étrangères",
        {"time_zone": "Africa/Dakar"},
    ),
    (
        "delegate.germany",
        "Jonas Becker",
        "DEU",
        "Desk Officer, Arms Export Control",
        "Federal Foreign Office",
        {"time_zone": "Europe/Berlin"},
    ),
    (
        "focal.germany",
        "Sabine Krüger",
        "DEU",
        "Head of Division",
        "Federal Office for Economic Affairs and Export Control (BAFA)",
        {"is_focal_point": True, "time_zone": "Europe/Berlin"},
    ),
    (
        "npc.nigeria",
        "Chinedu Okafor",
        "NGA",
        "National Point of Contact",
        "Nigeria Customs Service",
        {"is_npc": True, "time_zone": "Africa/Lagos"},
    ),
    (
        "delegate.philippines",
        "Maria Santos",
        "PHL",
        "Second Secretary",
        "Department of Foreign Affairs",
        {"time_zone": "Asia/Manila"},
    ),
    (
        "delegate.thailand",
        "Somchai Wongsakul",
        "THA",
        "First Secretary",
        "Ministry of Foreign Affairs",
        {"time_zone": "Asia/Bangkok"},
    ),
    (
        "delegate.india",
        "Priya Raman",
        "IND",
        "Counsellor",
        "Ministry of External Affairs",
        {"time_zone": "Asia/Kolkata"},
    ),
    (
        "delegate.unidir",
        "Lucas Moreau",
        "UNIDIR",
        "Researcher",
        "Conventional Arms Programme",
        {"time_zone": "Europe/Zurich"},
    ),
    (
        "delegate.ecowas",
        "Fatou Camara",
        "ECOWAS",
        "Programme Officer",
        "Small Arms Division",
        {"time_zone": "Africa/Lagos"},
    ),
    (
        "delegate.controlarms",
        "Sofia Lindqvist",
        "Control Arms",
        "Policy Adviser",
        "Control Arms Secretariat",
        {"time_zone": "America/New_York"},
    ),
    (
        "delegate.industry",
        "Peter Hallam",
        "DIA",
        "Export Compliance Manager",
        "Industry",
        {"time_zone": "Europe/London"},
    ),
    (
        "delegate.angola",
        "João Baptista",
        "AGO",
        "Adviser",
        "Ministry of National Defence",
        {"time_zone": "Africa/Luanda"},
    ),
    (
        "delegate.southafrica",
        "Thandi Nkosi",
        "ZAF",
        "Deputy Director",
        "National Conventional Arms Control Committee",
        {"time_zone": "Africa/Johannesburg"},
    ),
]


def _email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def seed(password: str) -> dict[str, int]:
    """Add the demo dataset to the session (the caller commits)."""
    now = utcnow()
    delegations = {}
    for name, short, status, group in DELEGATIONS:
        delegation = Delegation(
            name=name,
            short_name=short,
            status=status,
            regional_group=group,
            time_zone=DELEGATION_ZONES.get(short, "UTC"),
        )
        db.session.add(delegation)
        delegations[short] = delegation
    db.session.flush()

    hashed = accounts.hash_password(password)
    people: dict[str, User] = {}
    for local, name, short, title, agency, flags in PEOPLE:
        user = User(
            delegation=delegations[short],
            name=name,
            email=_email(local),
            title=title,
            agency=agency,
            password_hash=hashed,
            session_nonce=accounts.new_session_nonce(),
            **flags,
        )
        db.session.add(user)
        people[local] = user
    db.session.flush()

    def room(slug, title, kind, access, description, parent=None, tz="Europe/Zurich"):
        r = Room(
            slug=slug,
            title=title,
            kind=kind,
            access=access,
            description=description,
            parent_id=parent.id if parent else None,
            time_zone=tz,
            created_at=now - timedelta(days=60),
        )
        db.session.add(r)
        db.session.flush()
        return r

    def person(r, local, role, days_ago=50):
        db.session.add(
            Membership(
                room_id=r.id,
                user_id=people[local].id,
                role=role,
                started_at=now - timedelta(days=days_ago),
            )
        )

    def whole(r, short, role=RoomRole.MEMBER, days_ago=50):
        db.session.add(
            Membership(
                room_id=r.id,
                delegation_id=delegations[short].id,
                role=role,
                started_at=now - timedelta(days=days_ago),
            )
        )

    plenary = room(
        "csp12",
        "CSP12 Preparatory Process",
        RoomKind.PLENARY,
        AccessLevel.OPEN,
        "Informal preparatory consultations for the **Twelfth Conference of States "
        "Parties** (CSP12). Every accredited participant reads and takes part.",
    )
    person(plenary, "president", RoomRole.CHAIR)

    wgeti = room(
        "wgeti",
        "Working Group on Effective Treaty Implementation (WGETI)",
        RoomKind.WORKING_GROUP,
        AccessLevel.TRANSPARENT,
        "WGETI takes forward the priority topics set by the Conference. Observers "
        "read the papers; members take part.\n\n- Sub-working group on Articles 6 "
        "and 7\n- Sub-working group on Article 11 (diversion)",
    )
    person(wgeti, "chair.wgeti", RoomRole.CHAIR)
    for short in ("DEU", "FRA", "NGA", "PHL", "ZAF", "CHE", "ARG", "JPN", "THA"):
        whole(wgeti, short)
    whole(wgeti, "UNIDIR", RoomRole.OBSERVER)

    art67 = room(
        "wgeti-art-6-7",
        "WGETI sub-working group on Articles 6 and 7",
        RoomKind.SUB_WORKING_GROUP,
        AccessLevel.TRANSPARENT,
        "Voluntary guide to implementing Articles 6 and 7 (prohibitions; export and "
        "export assessment): chapter on the *overriding risk* test.",
        parent=wgeti,
    )
    person(art67, "facilitator", RoomRole.FACILITATOR)
    person(art67, "chair.wgeti", RoomRole.CHAIR)
    for short in ("DEU", "MEX", "GHA", "AUS", "KOR"):
        whole(art67, short)

    wgtr = room(
        "wgtr",
        "Working Group on Transparency and Reporting (WGTR)",
        RoomKind.WORKING_GROUP,
        AccessLevel.TRANSPARENT,
        "Initial and annual reports: templates, timeliness and the reporting IT platform.",
        tz="Europe/Zurich",
    )
    person(wgtr, "chair.wgtr", RoomRole.CHAIR)
    for short in ("DEU", "NZL", "POL", "SLE"):
        whole(wgtr, short)

    wgtu = room(
        "wgtu",
        "Working Group on Treaty Universalization (WGTU)",
        RoomKind.WORKING_GROUP,
        AccessLevel.OPEN,
        "Outreach to States not yet party, and the universalization toolkit.",
    )
    person(wgtu, "chair.wgtu", RoomRole.CHAIR)

    states = room(
        "csp12-states",
        "CSP12 draft decisions: consultations among States",
        RoomKind.SMALL_GROUP,
        AccessLevel.STATES,
        "Consultations among States Parties and signatory States on the draft decisions of CSP12.",
    )
    person(states, "president", RoomRole.CHAIR)

    mc = room(
        "management-committee",
        "Management Committee",
        RoomKind.SMALL_GROUP,
        AccessLevel.MEMBERS,
        "The President and one State Party per regional group: "
        "budget, finances and the Secretariat's work plan.",
    )
    person(mc, "president", RoomRole.CHAIR)
    for short in ("NGA", "PHL", "POL", "ARG", "AUS"):
        whole(mc, short)
    person(mc, "secretariat", RoomRole.OBSERVER)

    african = room(
        "african-group",
        "African Group",
        RoomKind.REGIONAL_GROUP,
        AccessLevel.MEMBERS,
        "Private room of the African Group for coordinating group statements.",
        tz="Africa/Dakar",
    )
    african.regional_group = RegionalGroup.AFRICAN
    person(african, "coordinator.african", RoomRole.CHAIR)
    for short in ("CIV", "GHA", "NGA", "SLE", "ZAF", "AGO", "ZWE", "EGY"):
        whole(african, short)

    small = room(
        "post-shipment",
        "Small group on post-shipment on-site verification",
        RoomKind.SMALL_GROUP,
        AccessLevel.MEMBERS,
        "Informal small group preparing a background paper on post-shipment verification practice.",
    )
    person(small, "delegate.germany", RoomRole.CHAIR)
    for local in ("facilitator", "npc.nigeria", "delegate.philippines"):
        person(small, local, RoomRole.MEMBER)
    whole(small, "SAS", RoomRole.OBSERVER)

    dief = room(
        "dief",
        "Diversion Information Exchange Forum (DIEF)",
        RoomKind.CONFIDENTIAL_FORUM,
        AccessLevel.CONFIDENTIAL,
        "Confidential exchanges among States Parties and signatory States on concrete "
        "cases of suspected or detected diversion.",
    )
    person(dief, "chair.dief", RoomRole.CHAIR)
    for local in (
        "npc.nigeria",
        "focal.germany",
        "delegate.philippines",
        "delegate.thailand",
        "delegate.southafrica",
    ):
        person(dief, local, RoomRole.MEMBER)

    rooms = [plenary, wgeti, art67, wgtr, wgtu, states, mc, african, small, dief]

    # A little history: what changed recently, and a pending join request.
    # Worded as the services word them (rooms.services), in the language the demo is made in.
    def joined(who: str, role: RoomRole) -> str:
        return _("%(who)s joined as %(role)s", who=who, role=role.label)

    activity = [
        (wgeti, "room.member_added", joined("Japan", RoomRole.MEMBER), 3, "chair.wgeti"),
        (wgeti, "room.member_added", joined("Thailand", RoomRole.MEMBER), 1, "chair.wgeti"),
        (
            art67,
            "room.member_added",
            joined("Republic of Korea", RoomRole.MEMBER),
            2,
            "facilitator",
        ),
        (african, "room.member_added", joined("Egypt", RoomRole.MEMBER), 4, "coordinator.african"),
        (
            small,
            "room.member_added",
            joined("Small Arms Survey", RoomRole.OBSERVER),
            2,
            "delegate.germany",
        ),
        (dief, "room.activity", _("New activity in a confidential room"), 1, "chair.dief"),
    ]
    for r, kind, summary, days_ago, actor in activity:
        db.session.add(
            RoomActivity(
                room_id=r.id,
                kind=kind,
                summary=summary,
                actor_id=people[actor].id,
                created_at=now - timedelta(days=days_ago),
            )
        )
    for local in ("delegate.germany", "npc.nigeria", "delegate.philippines"):
        db.session.add(
            RoomVisit(
                user_id=people[local].id, room_id=wgeti.id, last_seen_at=now - timedelta(days=2)
            )
        )
    db.session.add(
        JoinRequest(
            room_id=wgeti.id,
            user_id=people["delegate.india"].id,
            message="India would like to follow the discussion on Article 11 closely.",
            created_at=now - timedelta(hours=20),
        )
    )
    db.session.flush()
    papers = _seed_papers(art67, wgeti, people, now)
    _seed_meetings(wgeti, african, people, delegations, now)
    _demo_statements(african, wgeti, people)
    _seed_threads(dief, people)
    _demo_discussions(wgeti, african, people)
    papers += _demo_contributions(wgeti, people)
    _demo_drafts(wgeti, people, delegations)
    _demo_groups(people, delegations, african)
    _demo_taxonomy(wgeti)
    papers += _demo_library(wgeti, states, dief, people)
    _demo_questionnaires(wgeti, people)
    _demo_case_studies(wgeti, people)
    _demo_assistance(people)
    _demo_meetings_screen(wgeti, people, now)
    papers += _demo_revision_workflow(art67, people)
    _demo_versions(people)
    _demo_agenda_documents(wgeti, people, now)
    _demo_programme_week(wgeti, people, now)
    _demo_written_procedures(plenary, people, now)
    # The demo's own activity sends no e-mail to its accounts (its notifications stay in-app).
    db.session.execute(delete(OutboxMessage))
    return {
        "delegations": len(delegations),
        "people": len(people),
        "rooms": len(rooms),
        "papers": papers,
    }


def _demo_drafts(wgeti: Room, people: dict[str, User], delegations: dict[str, Delegation]) -> None:
    """Issue #12: a comment Nigeria's two people are preparing on a WGETI paper (a delegation
    draft, seen only by Nigeria's people), and a small group the WGETI Chair opened under WGETI."""
    from consult.delegation_drafts import services as delegation_drafts
    from consult.papers import services as papers
    from consult.papers.models import Paper, PaperStatus
    from consult.small_groups import services as small_groups

    paper = db.session.scalars(
        select(Paper).where(Paper.room_id == wgeti.id, Paper.status == PaperStatus.OPEN)
    ).first()
    npc = people["npc.nigeria"]
    colleague = User(  # a second person of Nigeria, to prepare the draft with
        delegation=npc.delegation,
        name="Aisha Bello",
        email=_email("delegate.nigeria"),
        title="First Secretary",
        agency="Ministry of Foreign Affairs",
        password_hash=npc.password_hash,
        session_nonce=accounts.new_session_nonce(),
        time_zone="Africa/Lagos",
    )
    db.session.add(colleague)
    db.session.flush()
    if paper is not None:
        paragraph = next(
            p for p in papers.paragraphs_of(papers.current_revision(paper)) if not p.is_heading
        )
        nigeria = people["npc.nigeria"]
        delegation_drafts.save_new(
            "paper_comment",
            paper,
            paragraph.key,
            nigeria,
            "Nigeria suggests that the work plan name **diversion at transit points** as a "
            "priority, drawing on the Customs Service's experience.",
            {
                "on_behalf_of": nigeria.delegation.name,
                "position": "",
                "quote": "",
                "proposed_text": "",
                "parent_id": "",
            },
        )
    small_groups.create_small_group(
        wgeti,
        people["chair.wgeti"],
        title="Friends of the Chair on the work plan",
        description="A small group to prepare the Chair's draft work plan before the session.",
        delegation_ids=[delegations[short].id for short in ("NGA", "ZAF", "DEU")],
        user_ids=[],
    )


GUIDE_REV0 = """# Chapter 3: The overriding risk test

## Introduction

Article 7(3) of the Treaty requires the exporting State Party to deny an export authorization
if, after considering available mitigating measures, it determines that there is an overriding
risk of any of the negative consequences in Article 7(1).

This chapter collects national practice on how the term "overriding risk" is understood and
applied, without prejudice to each State Party's interpretation.

## Elements of national practice

Several States Parties interpret "overriding" as meaning that the risk is more likely than not
to materialise.

Other States Parties consider the risk overriding when it outweighs the positive consequences
of the export, such as contributing to peace and security.

States Parties also take into account:
- the end user's record of compliance with previous assurances;
- the capacity of the importing State to prevent diversion;
- reports by United Nations bodies and regional organisations.

## Mitigating measures

Mitigating measures may include confidence-building measures or jointly developed programmes
by the exporting and importing States."""

DECISION_REV0 = """# Draft decision on the WGETI work plan

The Conference decides to renew the mandate of the Working Group on Effective Treaty
Implementation until the Thirteenth Conference of States Parties.

The Conference requests the Chair of WGETI to present a report on the work of each
sub-working group.

The Conference encourages States Parties to share their national practice in writing through
the information exchange platform."""


def _demo_discussions(wgeti: Room, african: Room, people: dict[str, User]) -> None:
    """A few discussions: a pinned one with nested replies in WGETI, and a Chatham House one
    in the African Group's room."""
    from consult.discussions import services as discussions

    chair = people["chair.wgeti"]
    topic = discussions.start_topic(
        wgeti,
        chair,
        "National control lists: how often do you update yours?",
        "Several delegations asked how others keep their **national control list** in step "
        "with the Wassenaar lists. Please share your practice: who decides, how often, and "
        "how industry is told.",
    )
    discussions.set_pinned(topic, chair, True)
    first = discussions.post_reply(
        topic,
        people["delegate.philippines"],
        "We review ours every year after the Wassenaar plenary; an inter-agency committee "
        "proposes the changes and the Department of Trade publishes them.",
    )
    discussions.post_reply(
        topic,
        people["delegate.germany"],
        "Germany follows the EU Common Military List, updated by the Council each spring.",
        parent=first,
    )
    discussions.start_topic(
        wgeti,
        people["delegate.thailand"],
        "Delivery verification certificates in practice",
        "Has anyone used delivery verification certificates for transfers by sea? We would "
        "welcome examples of the forms used.",
    )
    coordinator = people["coordinator.african"]
    group = discussions.start_topic(
        african,
        coordinator,
        "Group statement on Article 11: first ideas",
        "Colleagues, before I draft the group statement on diversion, what should it stress? "
        "This discussion is under the Chatham House Rule.",
        is_chatham_house=True,
    )
    opening = discussions.posts_of(group)[0]
    discussions.post_reply(
        group,
        people["delegate.angola"],
        "Post-delivery cooperation between exporting and importing States.",
        quote_of=opening,
    )
    discussions.post_reply(
        group,
        people["delegate.southafrica"],
        "Stockpile management, and support for national points of contact.",
    )


def _demo_groups(
    people: dict[str, User], delegations: dict[str, Delegation], african: Room
) -> None:
    """Nigeria coordinates the African Group (whose room it gets), which confirms what Nigeria
    said for it; the European Union is a group the Secretariat defined; Ghana's comment for the
    African Group waits for the group's confirmation."""
    from consult.groups import services as groups
    from consult.meetings import services as meetings
    from consult.meetings.models import FloorRequest
    from consult.papers import services as papers
    from consult.papers.models import Comment, Paper

    secretariat = people["secretariat"]
    african_group = db.session.scalar(select(Group).where(Group.slug == "african-group"))
    groups.update_group(
        african_group, secretariat, coordinator=delegations["NGA"], room=african, members=None
    )
    nigeria = people["npc.nigeria"]
    for model in (Comment, FloorRequest):
        author = Comment.author_id if model is Comment else FloorRequest.requested_by_id
        for row in db.session.scalars(
            select(model).where(author == nigeria.id, model.on_behalf_group_id.is_not(None))
        ):
            if model is Comment:
                papers.confirm_comment(row, nigeria)
            else:
                meetings.confirm_floor(row, nigeria)
    eu_states = ("AUT", "FIN", "FRA", "DEU", "LVA", "POL", "ROU")
    groups.create_group(
        secretariat,
        name="European Union",
        slug="european-union",
        members=[delegations[s] for s in ("EU", *eu_states)],
        coordinator=delegations["EU"],
        room=None,
    )
    guide = db.session.scalar(select(Paper).where(Paper.symbol.like("%VG.Art7")))
    current = papers.paragraphs_of(papers.current_revision(guide))
    paragraph = next(p for p in current if p.number == 4)
    papers.post_comment(
        guide,
        people["chair.wgtu"],
        paragraph=paragraph,
        on_behalf_of=f"{groups.GROUP_PREFIX}{african_group.id}",
        body="The African Group would add the importing State's own assessment of the risk.",
    )
    db.session.flush()


def _demo_statements(african: Room, wgeti: Room, people: dict[str, User]) -> None:
    """The African Group's room is the African Group's own (its coordinator chairs it), and a
    statement on the WGETI draft decision is being drafted there by two members. Senegal,
    which coordinates, takes part in WGETI so that it can deliver the group's statements."""
    from sqlalchemy import select

    from consult.groups.models import Group
    from consult.papers import services as papers
    from consult.statements import services as statements

    group = db.session.scalars(
        select(Group).where(Group.regional_group == RegionalGroup.AFRICAN)
    ).one()
    group.room_id = african.id
    coordinator = people["coordinator.african"]
    db.session.add(
        Membership(room_id=wgeti.id, delegation_id=coordinator.delegation_id, role=RoomRole.MEMBER)
    )
    db.session.flush()
    statement = statements.open_statement(
        african,
        coordinator,
        title="African Group statement on the WGETI work plan",
        source="The African Group welcomes the draft decision on the work plan.\n\n"
        "The Group asks that the sub-working group on Article 11 meet before each "
        "Conference.",
    )
    papers.revise(
        statement.paper,
        people["npc.nigeria"],
        "The African Group welcomes the draft decision on the work plan and thanks the "
        "Chair.\n\nThe Group asks that the sub-working group on Article 11 meet before each "
        "Conference.",
        note="Thanks to the Chair",
    )


def _seed_threads(dief: Room, people: dict[str, User]) -> None:
    """Two DIEF threads: a need-to-know case among three States, and one for all members.
    Demo members are asked to turn on two-factor sign-in before they can read them."""
    from consult.threads import services as threads
    from consult.threads.models import Marking

    case = threads.create_thread(
        dief,
        people["npc.nigeria"],
        title="Suspected diversion of small arms via a broker",
        marking=Marking.AMBER,
        case_reference="DIEF-2026-014",
        body="Our customs service seized a consignment declared as sporting rifles. The end-use "
        "certificate names a distributor that does not exist. We would welcome information "
        "from States that licensed exports to the same broker.",
        audience=[people["focal.germany"], people["delegate.philippines"]],
    )
    threads.add_post(
        case,
        people["focal.germany"],
        "BAFA licensed two shipments to this broker in 2024. We are checking the "
        "re-export assurances and will report back within two weeks.",
    )
    threads.create_thread(
        dief,
        people["chair.dief"],
        title="Trends in forged end-use certificates",
        marking=Marking.GREEN,
        body="Members are invited to share, without naming cases, the patterns they see in "
        "forged end-use documentation. The chair will draw lessons for a trend brief.",
    )
    db.session.flush()


def _demo_contributions(wgeti: Room, people: dict[str, User]) -> int:
    """National contributions in WGETI: Nigeria's working paper, co-sponsored by South Africa,
    accepted by the chair and open for comments; the Philippines' presentation of national
    experience awaiting the chair, Thailand invited to co-sponsor it."""
    from consult.papers import contributions
    from consult.papers.models import PaperKind

    chair = people["chair.wgeti"]
    nigeria = contributions.submit_contribution(
        wgeti,
        people["npc.nigeria"],
        title="Nigeria's national control system: licensing and end-use verification",
        source="# Context\n\nNigeria established its National Control List in 2023 and "
        "designated a single licensing authority for conventional arms transfers.\n\n"
        "# Practice\n\nEvery export application is assessed against Articles 6 and 7 "
        "within 30 working days, with the customs service consulted on the route.\n\n"
        "Post-shipment verification is carried out with the importing State on a sample "
        "of deliveries each year.\n\n# Lessons\n\nInteragency coordination was the "
        "hardest part; a standing committee now meets monthly.",
        articles=[5, 7, 11],
        cosponsor_ids=[people["delegate.southafrica"].delegation_id],
    )
    contributions.answer_invitation(nigeria, people["delegate.southafrica"], True)
    contributions.accept(nigeria, chair, symbol=contributions.suggested_symbol(nigeria))
    contributions.submit_contribution(
        wgeti,
        people["delegate.philippines"],
        title="Presentation of national experience: brokering controls in the Philippines",
        kind=PaperKind.NATIONAL_EXPERIENCE,
        source="The Philippines registers brokers since 2022.\n\nEach brokering activity "
        "needs a permit, checked against the Treaty's prohibitions.",
        articles=[10],
        cosponsor_ids=[people["delegate.thailand"].delegation_id],
    )
    db.session.flush()
    return 2


def _seed_meetings(
    wgeti: Room, african: Room, people: dict[str, User], delegations: dict[str, Delegation], now
) -> None:
    """A hybrid WGETI session under way (item 2 current, a speakers' list) and a regional
    coordination call next week."""
    from consult.meetings import services as meetings
    from consult.meetings.interpretation import ChannelEntry
    from consult.meetings.models import FloorKind, ItemState, MeetingKind, MeetingMode, Presence

    chair = people["chair.wgeti"]
    session = meetings.create_meeting(
        wgeti,
        chair,
        title="WGETI intersessional session (hybrid)",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=now - timedelta(minutes=40),
        ends_at=now + timedelta(hours=2, minutes=20),
        time_zone="Europe/Zurich",
        venue="CICG, Room 2, Geneva",
        video_link="https://video.example.org/wgeti-session",
        # In the room on the receivers, and a stream each for those who follow remotely.
        channels=[
            ChannelEntry("en", "1", "https://interpretation.example.org/wgeti-session/en"),
            ChannelEntry("fr", "2", "https://interpretation.example.org/wgeti-session/fr"),
            ChannelEntry("es", "3", "https://interpretation.example.org/wgeti-session/es"),
        ],
    )
    agenda = [
        (1, "", "Opening and adoption of the agenda", 10, ""),
        (2, "", "Article 11 (diversion)", 60, "Facilitator, Articles 6 and 7"),
        (2, "a", "Post-shipment cooperation", 30, ""),
        (3, "", "Voluntary guide to implementing Article 7", 45, "Facilitator"),
        (4, "", "Any other business", 15, ""),
    ]
    items = [
        meetings.add_item(
            session,
            chair,
            number=n,
            letter=letter,
            title=title,
            planned_minutes=minutes,
            presenters=presenters,
            annotation="Delegations are invited to share national practice."
            if n == 2 and not letter
            else "",
        )
        for n, letter, title, minutes, presenters in agenda
    ]
    meetings.adopt_agenda(session, chair)
    meetings.set_item_state(items[0], chair, ItemState.CURRENT)
    meetings.next_item(session, chair)  # item 1 done, item 2 current
    for local, presence in (
        ("delegate.germany", Presence.IN_ROOM),
        ("npc.nigeria", Presence.REMOTE),
        ("delegate.thailand", Presence.REMOTE),
    ):
        user = people[local]
        african_group = db.session.scalar(select(Group.id).where(Group.slug == "african-group"))
        on_behalf = f"group-{african_group}" if local == "npc.nigeria" else user.delegation.name
        meetings.request_floor(
            items[1], user, kind=FloorKind.STATEMENT, presence=presence, on_behalf_of=on_behalf
        )
    meetings.inscribe(items[1], chair, delegations["MEX"])
    meetings.give_floor(items[1], chair)
    meetings.request_floor(
        items[1],
        people["delegate.unidir"],
        kind=FloorKind.STATEMENT,
        presence=Presence.REMOTE,
        on_behalf_of=people["delegate.unidir"].delegation.name,
    )

    coordination = meetings.create_meeting(
        african,
        people["coordinator.african"],
        title="African Group coordination call",
        kind=MeetingKind.REGIONAL_MEETING,
        mode=MeetingMode.VIRTUAL,
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=1, minutes=30),
        time_zone="Africa/Dakar",
        video_link="https://video.example.org/african-group",
        # A virtual call: the interpretation is a stream per language, no receivers.
        channels=[
            ChannelEntry("en", link="https://interpretation.example.org/african-group/en"),
            ChannelEntry("fr", link="https://interpretation.example.org/african-group/fr"),
        ],
    )
    meetings.add_item(
        coordination,
        people["coordinator.african"],
        number=1,
        letter="",
        title="Group statement on Article 11",
        planned_minutes=45,
    )
    db.session.flush()


def _seed_papers(art67: Room, wgeti: Room, people: dict[str, User], now) -> int:
    """A voluntary guide chapter with comments and a Rev.1, and an open draft decision."""
    from consult.papers import services as papers
    from consult.papers.models import PaperKind

    guide = papers.create_paper(
        art67,
        people["facilitator"],
        title="Voluntary guide: Article 7 (overriding risk)",
        kind=PaperKind.VOLUNTARY_GUIDE,
        issued_by="Facilitator, Articles 6 and 7",
        symbol="ATT/CSP12.WGETI/2026/FAC/812/VG.Art7",
        source=GUIDE_REV0,
        closes_at=now + timedelta(days=21),
    )
    papers.open_for_comments(guide, people["facilitator"])
    paragraphs = papers.paragraphs_of(papers.current_revision(guide))
    numbered = {p.number: p for p in paragraphs if p.number}
    first = papers.post_comment(
        guide,
        people["delegate.germany"],
        paragraph=numbered[3],
        on_behalf_of="Germany",
        body="Germany applies a case-by-case assessment; we suggest not presenting the "
        "'more likely than not' reading as the majority view.",
        quote="more likely than not",
        position=None,
        proposed_text='Some States Parties interpret "overriding" as meaning that the risk is '
        "more likely than not to materialise.",
    )
    papers.post_comment(
        guide,
        people["facilitator"],
        paragraph=numbered[3],
        parent=first,
        on_behalf_of="Finland",
        body="Thank you; the facilitator will reflect this in Rev.1.",
    )
    papers.post_comment(
        guide,
        people["npc.nigeria"],
        paragraph=numbered[5],
        on_behalf_of=(  # the African Group
            f"group-{db.session.scalar(select(Group.id).where(Group.slug == 'african-group'))}"
        ),
        body="The African Group supports listing the capacity to prevent diversion.",
        position=Position.SUPPORTS,
    )
    papers.post_comment(
        guide,
        people["delegate.philippines"],
        paragraph=numbered[6],
        on_behalf_of="Philippines",
        body="Could the guide give examples of jointly developed programmes?",
    )
    rev1 = GUIDE_REV0.replace(
        "Several States Parties interpret", "Some States Parties interpret"
    ).replace(
        "## Mitigating measures\n\n",
        "## Mitigating measures\n\nMitigating measures are considered before the overriding "
        "risk is determined.\n\n",
    )
    papers.revise(guide, people["facilitator"], rev1, note="Comments from the first round")
    papers.follow(guide, people["delegate.germany"], True)

    decision = papers.create_paper(
        wgeti,
        people["chair.wgeti"],
        title="Draft decision on the WGETI work plan",
        kind=PaperKind.DRAFT_DECISION,
        issued_by="WGETI Chair",
        symbol="ATT/CSP12.WGETI/2026/CHAIR/815/DrDec",
        source=DECISION_REV0,
        closes_at=now + timedelta(days=10),
    )
    papers.open_for_comments(decision, people["chair.wgeti"])
    first_para = next(
        p for p in papers.paragraphs_of(papers.current_revision(decision)) if p.number == 1
    )
    papers.post_comment(
        decision,
        people["delegate.thailand"],
        paragraph=first_para,
        on_behalf_of="Thailand",
        body="Thailand supports the renewal.",
        position=Position.SUPPORTS,
    )
    db.session.flush()
    return 2


def _demo_taxonomy(wgeti: Room) -> None:
    """Tag a few of the demo's papers, discussions and agenda items with the seeded stages,
    sub-topics and transfer activities, so the library has something on its shelves (the
    WGETI's Nigerian paper is on post-shipment verification, under post-delivery measures)."""
    from consult.discussions.models import Topic
    from consult.meetings.models import AgendaItem, Meeting
    from consult.papers.models import Paper
    from consult.taxonomy import services as taxonomy
    from consult.taxonomy.models import Vocabulary

    def tag(subject, stages: tuple[str, ...], activities: tuple[str, ...] = ()) -> None:
        taxonomy.set_tags(subject, [taxonomy.by_slug(s) for s in stages])
        taxonomy.set_tags(
            subject, [taxonomy.by_slug(s) for s in activities], vocabulary=Vocabulary.ACTIVITY
        )

    def paper(title: str) -> Paper:
        return db.session.scalars(select(Paper).where(Paper.title == title)).one()

    def topic(title: str) -> Topic:
        return db.session.scalars(select(Topic).where(Topic.title == title)).one()

    def item(title: str) -> AgendaItem:
        return db.session.scalars(
            select(AgendaItem)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(Meeting.room_id == wgeti.id, AgendaItem.title == title)
        ).one()

    tag(
        paper("Nigeria's national control system: licensing and end-use verification"),
        ("national-control-system", "post-shipment-verification", "end-use-documentation"),
        ("export",),
    )
    tag(
        paper("Draft decision on the WGETI work plan"),
        ("post-delivery-measures", "information-management"),
    )
    tag(
        paper("Voluntary guide: Article 7 (overriding risk)"),
        ("authorisation-of-transfers", "risk-assessment", "mitigation-measures"),
        ("export",),
    )
    tag(
        paper("Presentation of national experience: brokering controls in the Philippines"),
        ("regulation-of-role-players", "brokering-regulation"),
        ("brokering",),
    )
    tag(
        topic("National control lists: how often do you update yours?"),
        ("national-control-list",),
    )
    tag(
        topic("Delivery verification certificates in practice"),
        ("delivery-verification-certificates",),
        ("transhipment",),
    )
    tag(topic("Group statement on Article 11: first ideas"), ("diversion-response",))
    tag(item("Article 11 (diversion)"), ("post-delivery-measures", "diversion-information"))
    tag(item("Post-shipment cooperation"), ("post-shipment-verification",))
    tag(item("Voluntary guide to implementing Article 7"), ("risk-assessment",))
    db.session.flush()


def _demo_library(wgeti: Room, states: Room, dief: Room, people: dict[str, User]) -> int:
    """What the library's "Post-delivery measures" shelves show besides the tagged WGETI
    papers: a chair's background paper (Rev.1, Article 11, export and import) and a chair's
    summary in WGETI, last year's background paper on stockpiles, a draft decision in the
    States-only consultations (observer States never see it), a WGETI discussion and a
    trend brief the DIEF Chair published to WGETI."""
    from sqlalchemy import update

    from consult.briefs import services as briefs
    from consult.discussions import services as discussions
    from consult.papers import services as papers
    from consult.papers.models import Paper, PaperKind, Revision
    from consult.taxonomy import services as taxonomy
    from consult.taxonomy.models import Vocabulary

    def tag(subject, *slugs: str, articles: tuple[int, ...] = (11,)) -> None:
        terms = [taxonomy.by_slug(slug) for slug in slugs]
        for vocabulary in Vocabulary:
            chosen = [t for t in terms if t.vocabulary is vocabulary]
            taxonomy.set_tags(subject, chosen, vocabulary=vocabulary)
        taxonomy.set_articles(subject, articles)

    chair = people["chair.wgeti"]
    dvc = papers.create_paper(
        wgeti,
        chair,
        title="Background paper: delivery verification and post-shipment cooperation",
        kind=PaperKind.BACKGROUND_PAPER,
        issued_by="WGETI Chair",
        symbol="ATT/CSP12.WGETI/2026/CHAIR/820/BP.PDM",
        source="# Delivery verification certificates\n\nA delivery verification certificate "
        "confirms that the items arrived with the authorised end user.\n\n# Post-shipment "
        "cooperation\n\nExporting and importing States may agree on-site checks after "
        "delivery.",
    )
    papers.open_for_comments(dvc, chair)
    papers.revise(
        dvc,
        chair,
        "# Delivery verification certificates\n\nA delivery verification certificate "
        "confirms that the items arrived with the authorised end user, signed by the "
        "importing State's customs.\n\n# Post-shipment cooperation\n\nExporting and "
        "importing States may agree on-site checks after delivery.",
        note="Customs signature added",
    )
    tag(dvc, "post-delivery-measures", "delivery-verification-certificates", "export", "import")
    summary = papers.create_paper(
        wgeti,
        chair,
        title="Chair's summary: exchange on post-shipment on-site verification",
        kind=PaperKind.CHAIR_SUMMARY,
        issued_by="WGETI Chair",
        source="Delegations described on-site checks as rare but valuable; most rely on "
        "delivery verification certificates.",
    )
    papers.open_for_comments(summary, chair)
    tag(summary, "post-shipment-verification")
    stockpiles = papers.create_paper(
        wgeti,
        chair,
        title="Background paper: stockpile management after delivery",
        kind=PaperKind.BACKGROUND_PAPER,
        issued_by="WGETI Chair",
        source="Physical security and stockpile management reduce the risk of diversion "
        "after delivery.",
    )
    papers.open_for_comments(stockpiles, chair)
    tag(stockpiles, "stockpile-management", articles=(11, 16))
    # Issued last year (demo history: revisions are immutable, so set in SQL).
    last_year = datetime(utcnow().year - 1, 6, 15, 9, 0, tzinfo=UTC)
    db.session.execute(
        update(Revision).where(Revision.paper_id == stockpiles.id).values(created_at=last_year)
    )
    db.session.execute(update(Paper).where(Paper.id == stockpiles.id).values(created_at=last_year))
    decision = papers.create_paper(
        states,
        people["president"],
        title="Draft decision on post-delivery cooperation among States Parties",
        kind=PaperKind.DRAFT_DECISION,
        issued_by="CSP12 President",
        source="The Conference encourages States Parties to cooperate on post-delivery "
        "measures, including delivery verification.",
    )
    papers.open_for_comments(decision, people["president"])
    tag(decision, "post-delivery-measures", "re-export-assurances")
    topic = discussions.start_topic(
        wgeti,
        people["delegate.germany"],
        "Re-export assurances: how do you follow them up?",
        "Germany asks for re-export assurances in every end-use certificate. How do others "
        "follow them up after delivery?",
    )
    tag(topic, "re-export-assurances")
    brief = briefs.draft(
        dief,
        people["chair.dief"],
        "## Trends after delivery\n\nMembers report that diverted items most often leave "
        "poorly secured stockpiles within two years of delivery. Delivery verification and "
        "stockpile security are the lessons most often drawn.",
    )
    briefs.submit(brief, people["chair.dief"], 1, set())
    brief.objections_close_at = utcnow() - timedelta(minutes=1)
    published = briefs.publish(brief, people["chair.dief"], wgeti, set())
    tag(published, "diversion-response", "stockpile-management")
    db.session.flush()
    return 4


def _demo_questionnaires(wgeti: Room, people: dict[str, User]) -> None:
    """Issue #13: the WGETI Chair's questionnaire on practical implementation, three questions
    tagged with stages, half answered: five delegations submitted (Nigeria then amended its
    answer), Germany's desk officer has drafted an answer its focal point has not submitted."""
    from consult.questionnaires import services as questionnaires
    from consult.taxonomy import services as taxonomy

    chair = people["chair.wgeti"]
    questionnaire = questionnaires.create(
        wgeti,
        chair,
        title="Practical implementation of national control systems",
        introduction="The Chair invites delegations to share their practice ahead of the "
        "intersessional session. Answers are shared with the room and compiled by "
        "delegation.",
        closes_at=utcnow() + timedelta(days=10),
        is_shared_with_room=True,
        attribution="attributed",
    )
    asked = [
        (
            "Which authority decides on export authorisations, and how are other agencies "
            "consulted?",
            ["competent-authority", "inter-agency-coordination"],
        ),
        (
            "How do you assess the risk of diversion before authorising an export?",
            ["risk-assessment", "diversion-information"],
        ),
        (
            "What post-delivery measures (on-site checks, re-export assurances) do you use?",
            ["post-shipment-verification", "re-export-assurances"],
        ),
    ]
    questions = []
    for text, slugs in asked:
        question = questionnaires.add_question(questionnaire, chair, text)
        taxonomy.set_tags(question, [t for t in map(taxonomy.by_slug, slugs) if t is not None])
        questions.append(question)
    questionnaires.issue(questionnaire, chair)
    one, two, three = (q.id for q in questions)
    answers = {
        "npc.nigeria": {
            one: "The National Committee on Small Arms decides; customs and the police are "
            "consulted on every application.",
            two: "End-user certificates are verified with the importing State's embassy.",
        },
        "delegate.philippines": {
            one: "The Department of Foreign Affairs chairs an inter-agency board.",
            three: "Re-export assurances are required for every transfer of small arms.",
        },
        "delegate.southafrica": {
            one: "The National Conventional Arms Control Committee (NCACC) decides.",
            two: "The NCACC scrutiny committee reviews each application against a risk "
            "matrix, including diversion risk.",
            three: "Post-shipment verification visits are carried out on a sample basis.",
        },
        "delegate.thailand": {
            two: "Applications are checked against information shared by regional partners.",
        },
        "president": {
            one: "SECO licenses exports after consulting the Federal Department of Foreign "
            "Affairs.",
            three: "Switzerland conducts post-shipment verifications since 2013.",
        },
    }
    for local, texts in answers.items():
        questionnaires.submit(questionnaire, people[local], seen=None, answers=texts)
    db.session.flush()
    nigeria = questionnaires.response_of(questionnaire, people["npc.nigeria"].delegation_id)
    questionnaires.amend(
        questionnaire,
        people["npc.nigeria"],
        seen=nigeria.version,
        answers={
            **answers["npc.nigeria"],
            three: "Nigeria is piloting post-shipment checks with two partner States.",
        },
    )
    questionnaires.save_draft(
        questionnaire,
        people["delegate.germany"],
        seen=None,
        answers={
            one: "BAFA decides on licence applications; the Federal Foreign Office is consulted "
            "on every application for war weapons.",
            two: "Draft: describe the end-use check and the risk criteria.",
        },
    )


def _demo_case_studies(wgeti: Room, people: dict[str, User]) -> None:
    """Five case studies published in WGETI across the stages of implementation (two under
    post-delivery measures; South Africa's unattributed, so nobody but South Africa and the
    Secretariat knows it is theirs), and Germany's awaiting the WGETI Chair's review."""
    from consult.case_studies import services as case_studies
    from consult.taxonomy import services as taxonomy

    def ids(*slugs: str) -> list[str]:
        return [str(taxonomy.by_slug(slug).id) for slug in slugs]

    chair = people["chair.wgeti"]
    now = utcnow()
    stories = [
        (
            "npc.nigeria",
            True,
            "Delivery verification certificates for imports of small arms",
            (
                "Nigeria imports small arms and light weapons for its police and armed "
                "forces through two ports and one airport.",
                "Exporting States asked for proof that deliveries reached the end user; "
                "our customs release papers did not say so.",
                "A **delivery verification certificate** issued by the Nigeria Customs "
                "Service within 10 working days of arrival, countersigned by the end user, "
                "on a form agreed with the main exporters.",
                "- Nigeria Customs Service\n- Ministry of Defence\n- National Centre for "
                "the Control of Small Arms and Light Weapons",
                "In 2025, 94 % of deliveries were certified within the 10 days.",
                "Agree the certificate's form with the exporter before the licence is "
                "granted; a shared checklist saved more time than any software.",
            ),
            ids("post-delivery-measures", "delivery-verification-certificates"),
            ids("import"),
            ["8", "11"],
            40,
        ),
        (
            "delegate.southafrica",
            False,
            "Stockpile management after a depot audit",
            (
                "A national audit of military depots found records kept on paper in "
                "several places.",
                "Losses could not be told apart from recording errors.",
                "One electronic register for every depot, monthly spot checks and a "
                "two-person rule for the armouries' keys.",
                "- Armed forces' logistics command\n- Police\n- Auditor-General",
                "Discrepancies fell by two thirds in eighteen months.",
                "Start with the largest depots, and train the storekeepers before the "
                "software arrives.",
            ),
            ids("post-delivery-measures", "stockpile-management"),
            [],
            ["11", "16"],
            25,
        ),
        (
            "delegate.germany",
            True,
            "Export risk assessment with an interagency review",
            (
                "Licence applications for exports of conventional arms to some 100 "
                "destinations each year.",
                "Applying the Article 7 criteria the same way across licensing officers.",
                "A written assessment template per criterion, and an interagency review "
                "for sensitive destinations.",
                "- Federal Foreign Office\n- Federal Office for Economic Affairs and "
                "Export Control (BAFA)\n- Federal Ministry of Defence",
                "Decisions are documented criterion by criterion and can be reviewed.",
                "A template helps consistency; it does not replace judgement.",
            ),
            ids("authorisation-of-transfers", "risk-assessment"),
            ids("export"),
            ["7"],
            60,
        ),
        (
            "delegate.philippines",
            True,
            "Registering arms brokers",
            (
                "Brokers arranged transfers between third countries from Manila.",
                "No law required them to register or to ask for a permit.",
                "A register of brokers since 2022 and a permit for each brokering activity, "
                "checked against the Treaty's prohibitions.",
                "- Department of Foreign Affairs\n- Philippine National Police\n- "
                "Department of Trade and Industry",
                "42 brokers registered; two permits refused in 2025.",
                "Outreach to the trade associations brought most brokers in voluntarily.",
            ),
            ids("regulation-of-role-players", "brokering-regulation"),
            ids("brokering"),
            ["10"],
            15,
        ),
        (
            "delegate.thailand",
            True,
            "Building a national control list",
            (
                "Thailand signed the Treaty and is preparing for ratification.",
                "Controls relied on several lists kept by different ministries.",
                "One national control list covering the eight categories of Article 2(1), "
                "published on the licensing authority's website.",
                "- Ministry of Foreign Affairs\n- Ministry of Defence\n- Customs Department",
                "Applicants now check one list; customs officers were trained on it.",
                "Publish the list early: industry's comments improved it.",
            ),
            ids("national-control-system", "national-control-list"),
            [],
            ["2", "5"],
            8,
        ),
    ]
    for local, attributed, title, texts, stages, activities, articles, days_ago in stories:
        person = people[local]
        draft = case_studies.Draft(
            title=title,
            sections=dict(
                zip(
                    ("context", "challenge", "measures", "agencies", "result", "lessons"),
                    texts,
                    strict=True,
                )
            ),
            is_attributed=attributed,
            contact_user_id=person.id if attributed else None,
            stages=stages,
            activities=activities,
            articles=articles,
        )
        case_study = case_studies.submit(wgeti, person, draft)
        case_studies.publish(case_study, chair)
        case_study.submitted_at = now - timedelta(days=days_ago + 3)
        case_study.published_at = case_study.decided_at = now - timedelta(days=days_ago)
    waiting = case_studies.Draft(
        title="Re-export assurances in export licences",
        sections={
            "context": "German licences for small arms carry a re-export clause.",
            "challenge": "Checking that the clause is kept once the arms have arrived.",
            "measures": "Post-shipment on-site verification with the importing State's consent.",
            "agencies": "- BAFA\n- Federal Foreign Office\n- Embassies",
            "result": "Twelve verifications since 2023, none found a re-export.",
            "lessons": "Agree the visit in the end-use certificate, not after delivery.",
        },
        contact_text="Export control division, BAFA",
        stages=ids("post-delivery-measures", "re-export-assurances"),
        articles=["11"],
    )
    case_studies.submit(wgeti, people["focal.germany"], waiting)


def _demo_assistance(people: dict[str, User]) -> None:
    """Needs and assistance: a private request of the Philippines (shared with nobody yet), an
    open one of Nigeria, an open offer of Germany, and a call of the Voluntary Trust Fund with
    its deadline a few weeks ahead."""
    from consult.assistance import services as assistance
    from consult.taxonomy import services as taxonomy
    from consult.taxonomy.forms import ChosenTags

    def tags(*slugs: str) -> ChosenTags:
        return ChosenTags([taxonomy.by_slug(s) for s in slugs], [], [])

    assistance.file_request(
        people["delegate.philippines"],
        title="Drafting our national control list",
        description=(
            "The Philippines is revising its national control list under the Strategic Trade "
            "Management Act. We would welcome **legal drafting** support and a review "
            "of the draft list against the Treaty's Article 2 categories."
        ),
        kinds=["legal_drafting", "control_list"],
        visibility="private",
        tags=tags("national-control-list", "scope-article-2"),
    )
    assistance.file_request(
        people["npc.nigeria"],
        title="Training customs officers on stockpile security",
        description=(
            "Nigeria Customs Service asks for a training of trainers on the physical security "
            "and stockpile management of seized small arms and light weapons, for about 30 "
            "officers at the main ports."
        ),
        kinds=["training", "stockpile_management"],
        visibility="open",
        tags=tags("stockpile-management", "customs-and-border-controls"),
    )
    assistance.post_offer(
        people["delegate.germany"],
        title="Licensing and control list expertise (BAFA)",
        description=(
            "Germany's Federal Office for Economic Affairs and Export Control offers expert "
            "visits and remote workshops on setting up a licensing system and a national "
            "control list, in English or French."
        ),
        kinds=["licensing_system", "control_list", "training"],
        visibility="open",
        tags=tags("national-control-list", "licensing-procedures"),
    )
    today = utcnow().date()
    assistance.record_call(
        people["secretariat"],
        title="Voluntary Trust Fund: call for project proposals, 2027 cycle",
        opens_on=today - timedelta(days=7),
        deadline_on=today + timedelta(days=24),
        link="https://www.thearmstradetreaty.org/voluntary-trust-fund.html",
        notes="Proposals for projects of up to USD 100,000, in English, French or Spanish.",
    )
    db.session.flush()


def _demo_meetings_screen(wgeti: Room, people: dict[str, User], now) -> None:
    """Issue #17: who is in the room at the WGETI session (the chair at the podium, Thailand in
    the room, recorded at the desk; the Philippines remote), and a workshop next week held
    under the Chatham House Rule."""
    from consult.meetings import presence
    from consult.meetings import services as meetings
    from consult.meetings.models import Meeting, MeetingKind, MeetingMode, Presence

    session = db.session.scalars(
        select(Meeting).where(Meeting.room_id == wgeti.id).order_by(Meeting.id)
    ).first()
    chair = people["chair.wgeti"]
    presence.mark(session, chair, Presence.IN_ROOM, by=chair)
    presence.mark(session, people["delegate.thailand"], Presence.IN_ROOM, by=chair)
    presence.mark(
        session, people["delegate.philippines"], Presence.REMOTE, by=people["delegate.philippines"]
    )
    workshop = meetings.create_meeting(
        wgeti,
        chair,
        title="Workshop on diversion risk assessment",
        kind=MeetingKind.INFORMAL_CONSULTATION,
        mode=MeetingMode.HYBRID,
        starts_at=now + timedelta(days=8),
        ends_at=now + timedelta(days=8, hours=2),
        time_zone="Europe/Zurich",
        venue="CICG, Room 3, Geneva",
        is_chatham_house=True,
    )
    meetings.add_item(
        workshop,
        chair,
        number=1,
        letter="",
        title="Practitioners' experience of end-use controls",
        planned_minutes=90,
    )
    db.session.flush()


def _demo_agenda_documents(wgeti: Room, people: dict[str, User], now) -> None:
    """The first WGETI session's items get documents: a paper circulated a week before (late
    under the room's four weeks), the chair's file, and Thailand's published statement."""
    from consult.meetings import documents
    from consult.meetings.models import AgendaItem, Meeting
    from consult.papers.models import Paper, PaperStatus

    wgeti.circulation_days = 28
    session = db.session.scalars(
        select(Meeting).where(Meeting.room_id == wgeti.id).order_by(Meeting.id)
    ).first()
    items = db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == session.id)
        .order_by(AgendaItem.number, AgendaItem.letter)
    ).all()
    paper = db.session.scalars(
        select(Paper)
        .where(Paper.room_id == wgeti.id, Paper.status != PaperStatus.DRAFTING)
        .order_by(Paper.id)
    ).first()
    if session is None or not items:
        return
    chair = people["chair.wgeti"]
    item = next((i for i in items if i.state.value == "current"), items[0])
    week_before = min(now, session.starts_at - timedelta(days=7))
    if paper is not None and documents.audience_problem(session, paper) is None:
        documents.attach_paper(item, chair, paper, week_before)
    pdf = b"%PDF-1.4\n% consult demo\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    documents.attach_file(
        item,
        chair,
        title="Programme of work",
        filename="programme-of-work.pdf",
        data=pdf,
        circulated_at=min(now, session.starts_at - timedelta(days=30)),
    )
    statement = documents.submit_statement(
        item, people["delegate.thailand"], title="", filename="statement.pdf", data=pdf
    )
    documents.publish(statement, chair)


def _demo_programme_week(wgeti: Room, people: dict[str, User], now) -> None:
    """Issue #16: a Working Group week in three weeks' time, Monday to Wednesday in Geneva,
    with its programme of work (WGETI, WGTU, WGTR and a closing Plenary) and its items."""
    from datetime import time
    from zoneinfo import ZoneInfo

    from consult.meetings import programme
    from consult.meetings import services as meetings
    from consult.meetings.interpretation import ChannelEntry
    from consult.meetings.models import MeetingKind, MeetingMode

    zone = ZoneInfo("Europe/Zurich")
    local = (now + timedelta(days=21)).astimezone(zone)
    monday = (local - timedelta(days=local.weekday())).date()

    def at(day: int, hour: int) -> datetime:
        moment = datetime.combine(monday + timedelta(days=day), time(hour), tzinfo=zone)
        return moment.astimezone(ZoneInfo("UTC"))

    chair = people["chair.wgeti"]
    week = meetings.create_meeting(
        wgeti,
        chair,
        title="Working Group week",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=at(0, 9),
        ends_at=at(2, 18),
        time_zone="Europe/Zurich",
        venue="CICG, Geneva",
        # The Treaty's working languages all week; the six for the closing Plenary.
        channels=[
            ChannelEntry("en", "1"),
            ChannelEntry("fr", "2"),
            ChannelEntry("es", "3"),
            ChannelEntry("ar", "4", note="Plenary session only"),
            ChannelEntry("zh", "5", note="Plenary session only"),
            ChannelEntry("ru", "6", note="Plenary session only"),
        ],
    )
    plan = [
        (0, 10, 13, "WGETI", "Room 2", "Diversion: the voluntary guide"),
        (0, 15, 18, "WGTU", "Room 2", "Universalization: outreach in the Pacific"),
        (1, 10, 13, "WGTR", "Room 3", "Transparency and reporting: the annual report template"),
        (2, 10, 12, "WGETI", "Room 2", "Post-shipment cooperation"),
        (2, 15, 18, "Plenary", "Room 1", "Reports of the working groups"),
    ]
    for number, (day, start, end, body, room, title) in enumerate(plan, 1):
        session = programme.add_session(
            week, chair, body=body, starts_at=at(day, start), ends_at=at(day, end), venue=room
        )
        item = meetings.add_item(week, chair, number=number, letter="", title=title)
        programme.place_item(item, chair, session)
    db.session.flush()


#: The guide's current text (Rev.2) in French, paragraph for paragraph.
GUIDE_REV2_FR = """# Chapitre 3 : Le critère du risque prépondérant

## Introduction

L'article 7(3) du Traité exige de l'État partie exportateur qu'il refuse l'autorisation
d'exportation si, après avoir examiné les mesures d'atténuation disponibles, il estime qu'il
existe un risque prépondérant de réalisation de l'une des conséquences négatives prévues à
l'article 7(1).

Ce chapitre rassemble les pratiques nationales que les États parties ont partagées sur la
manière dont la notion de « risque prépondérant » est comprise et appliquée, sans préjudice
de l'interprétation de chaque État partie.

## Éléments de pratique nationale

Certains États parties interprètent le terme « prépondérant » comme signifiant que le risque
a plus de chances de se réaliser que de ne pas se réaliser.

D'autres États parties considèrent que le risque est prépondérant lorsqu'il l'emporte sur les
conséquences positives de l'exportation, telles que la contribution à la paix et à la sécurité.

Les États parties tiennent également compte :
- des antécédents de l'utilisateur final en matière de respect des assurances données
  précédemment ;
- de la capacité de l'État importateur à prévenir le détournement ;
- des rapports des organes des Nations Unies et des organisations régionales.

## Mesures d'atténuation

Les mesures d'atténuation sont examinées avant que le risque prépondérant ne soit déterminé.

Les mesures d'atténuation peuvent comprendre des mesures de confiance ou des programmes
élaborés conjointement par les États exportateur et importateur."""

#: Rev.1 in Spanish: a version that the guide's Rev.2 has since overtaken (marked as such).
GUIDE_REV1_ES = """# Capítulo 3: El criterio del riesgo preponderante

## Introducción

El artículo 7(3) del Tratado exige que el Estado Parte exportador deniegue la autorización de
exportación si, tras considerar las medidas de mitigación disponibles, determina que existe un
riesgo preponderante de que se produzca alguna de las consecuencias negativas previstas en el
artículo 7(1).

Este capítulo recoge la práctica nacional sobre cómo se entiende y aplica la expresión «riesgo
preponderante», sin perjuicio de la interpretación de cada Estado Parte.

## Elementos de la práctica nacional

Algunos Estados Partes interpretan «preponderante» en el sentido de que es más probable que el
riesgo se materialice que lo contrario.

Otros Estados Partes consideran que el riesgo es preponderante cuando supera las consecuencias
positivas de la exportación, como la contribución a la paz y la seguridad.

Los Estados Partes también tienen en cuenta:
- el historial del usuario final en el cumplimiento de garantías anteriores;
- la capacidad del Estado importador para prevenir el desvío;
- los informes de los órganos de las Naciones Unidas y de las organizaciones regionales.

## Medidas de mitigación

Las medidas de mitigación se consideran antes de determinar el riesgo preponderante.

Las medidas de mitigación pueden incluir medidas de fomento de la confianza o programas
elaborados conjuntamente por los Estados exportador e importador."""


def _demo_versions(people: dict[str, User]) -> None:
    """The Article 7 guide in French (its current Rev.2) and in Spanish (Rev.1, which Rev.2
    has overtaken: readers see it marked so)."""
    from consult.papers import services as papers
    from consult.papers import versions
    from consult.papers.models import Paper

    guide = db.session.scalar(select(Paper).where(Paper.symbol.like("%VG.Art7")))
    by_number = {r.number: r for r in papers.revisions(guide)}
    facilitator = people["facilitator"]
    versions.add_version(
        guide, facilitator, revision=by_number[1], language="es", source=GUIDE_REV1_ES
    )
    versions.add_version(
        guide, facilitator, revision=by_number[2], language="fr", source=GUIDE_REV2_FR
    )
    db.session.flush()


def _demo_revision_workflow(art67: Room, people: dict[str, User]) -> int:
    """The guide's Rev.2, made through the draft revision (Ghana's proposal taken into it),
    Germany's proposal on Rev.2 waiting to be taken, and a chapter still in drafting that a
    delegate facilitates (seen only by the room's chairs and facilitators and by her)."""
    from consult.papers import services as papers
    from consult.papers import workflow
    from consult.papers.models import Paper, PaperKind

    facilitator = people["facilitator"]
    guide = db.session.scalar(select(Paper).where(Paper.symbol.like("%VG.Art7")))
    numbered = {p.number: p for p in papers.paragraphs_of(papers.current_revision(guide))}
    proposal = papers.post_comment(
        guide,
        people["chair.wgtu"],
        paragraph=numbered[2],
        on_behalf_of="Ghana",
        body="The chapter should say that it reflects the practice States Parties shared.",
        proposed_text="This chapter collects the national practice that States Parties shared "
        'on how the term "overriding risk" is understood and applied, without prejudice to '
        "each State Party's interpretation.",
    )
    workflow.take_proposal(proposal, facilitator)
    draft = workflow.draft_of(guide)
    workflow.issue_draft(guide, facilitator, version=draft.version, note="Ghana's proposal")
    numbered = {p.number: p for p in papers.paragraphs_of(papers.current_revision(guide))}
    papers.post_comment(
        guide,
        people["focal.germany"],
        paragraph=numbered[7],
        on_behalf_of="Germany",
        body="Examples help; we propose naming end-use monitoring.",
        proposed_text="Mitigating measures may include confidence-building measures, end-use "
        "monitoring or jointly developed programmes by the exporting and importing States.",
    )
    papers.create_paper(
        art67,
        facilitator,
        title="Voluntary guide: Article 6 (prohibitions)",
        kind=PaperKind.VOLUNTARY_GUIDE,
        issued_by="Facilitator, Articles 6 and 7",
        source="# Chapter 2: Prohibitions\n\nArticle 6 prohibits transfers that would violate "
        "measures adopted by the Security Council.\n\nThis chapter is being drafted.",
        facilitator=people["delegate.germany"],
    )
    db.session.flush()
    return 1


def _demo_written_procedures(plenary: Room, people: dict[str, User], now) -> None:
    """Issue #16: two decisions by written procedure in the CSP12 plenary. The provisional
    agenda of CSP12 was adopted by silence last week (its letter can be downloaded); the dates
    and venue of CSP13 are circulated now, under the silence procedure, until five days from
    now: Germany and Nigeria do not object, Angola (a signatory) comments."""
    from consult.procedures import services as procedures
    from consult.procedures.models import ProcedureMode

    president = people["president"]
    agenda = procedures.circulate(
        plenary,
        president,
        title="Provisional agenda of the Twelfth Conference of States Parties",
        text="The Conference adopts the provisional agenda of CSP12 as circulated by the "
        "President on 3 November 2026.",
        paper_id=None,
        note="Adopted in writing so that the preparatory meeting can start from it.",
        mode=ProcedureMode.SILENCE,
        quorum=None,
        closes_at=now + timedelta(days=1),
    )
    procedures.respond(agenda, people["focal.germany"], "no_objection", "")
    agenda.circulated_at = now - timedelta(days=12)
    agenda.closes_at = now - timedelta(days=7)
    db.session.flush()
    procedures.close_due(now)
    agenda.decided_at = agenda.closes_at
    venue = procedures.circulate(
        plenary,
        president,
        title="Dates and venue of the Thirteenth Conference of States Parties",
        text="The Conference decides that CSP13 will be held in Geneva from 24 to 28 August "
        "2027.\n\nIt requests the Secretariat to make the necessary arrangements.",
        paper_id=None,
        note="The President proposes this decision under the silence procedure, as the "
        "Management Committee recommended.",
        mode=ProcedureMode.SILENCE,
        quorum=None,
        closes_at=now + timedelta(days=5),
    )
    procedures.respond(venue, people["focal.germany"], "no_objection", "")
    procedures.respond(venue, people["npc.nigeria"], "no_objection", "Nigeria supports Geneva.")
    procedures.respond(
        venue,
        people["delegate.angola"],
        "comment",
        "Angola, as a signatory State, welcomes the early decision.",
    )
