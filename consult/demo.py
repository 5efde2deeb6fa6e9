"""The demo dataset: delegations across every status and regional group, office holders,
the working groups, a regional group, a small group and a confidential forum.

People are invented; the e-mail addresses use the reserved example.org domain.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.accounts import services as accounts
from consult.accounts.models import Delegation, DelegationStatus, RegionalGroup, User
from consult.extensions import db
from consult.groups.models import Group
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
        delegation = Delegation(name=name, short_name=short, status=status, regional_group=group)
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
    activity = [
        (wgeti, "room.member_added", "Japan joined as Member", 3, "chair.wgeti"),
        (wgeti, "room.member_added", "Thailand joined as Member", 1, "chair.wgeti"),
        (art67, "room.member_added", "Republic of Korea joined as Member", 2, "facilitator"),
        (african, "room.member_added", "Egypt joined as Member", 4, "coordinator.african"),
        (small, "room.member_added", "Small Arms Survey joined as Observer", 2, "delegate.germany"),
        (dief, "room.activity", "New activity in a confidential room", 1, "chair.dief"),
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
    _demo_meetings_screen(wgeti, people, now)
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
        interpretation="English, French, Spanish",
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
        interpretation="English, French",
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
