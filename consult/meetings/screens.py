"""The room's projector: screen links (a revocable token per screen, stored hashed) and what
the screen shows (the speakers' list, the agenda, or a paragraph of the current paper: the
chair chooses).

The screen is a deliberately public view that authorises by its token: the page, its
fragment and the live channel's screen socket all ask `link_for(token)` again, so a revoked
link goes dark at once (a push to the screens that use it, and their next watch is refused).
It is rendered once per change for every screen of the meeting (`screen:<id>`), never per
screen, and under the Chatham House Rule it names nobody.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from consult import audit, live
from consult.accounts.models import User
from consult.errors import refuse_longer_than
from consult.extensions import db
from consult.meetings.models import AgendaDocument, AgendaItem, Meeting, ScreenLink, ScreenMode
from consult.rooms.models import AccessLevel
from consult.timeutil import utcnow
from consult.transaction import after_commit, emit_after_commit

#: Agenda lines a screen shows at most; a longer agenda condenses around the current item.
AGENDA_LINES = 9
#: Waiting speakers a screen lists at most ("and 4 more").
QUEUE_LINES = 8
LABEL_MAX = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def channel(meeting_id: int) -> str:
    """Every screen of the meeting listens here (not a watched prefix: no person's rights)."""
    return f"screen:{meeting_id}"


def link_channel(link_id: int) -> str:
    return f"screenlink:{link_id}"


# ---- links -------------------------------------------------------------------------------------


def new_link(meeting: Meeting, actor: User, label: str = "") -> str:
    """Make a screen link for the meeting; returns the token, shown once (only its hash is
    kept)."""
    from consult.meetings.services import MeetingError

    if meeting.room.access is AccessLevel.CONFIDENTIAL:
        raise MeetingError(
            _("A confidential room's meetings are not shown on screens by link."), field="label"
        )
    label = (label or "").strip()
    refuse_longer_than(label, LABEL_MAX, "label", MeetingError)
    token = secrets.token_urlsafe(32)
    link = ScreenLink(
        meeting_id=meeting.id, token_hash=_digest(token), label=label, created_by_id=actor.id
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        "meeting.screen_link_made",
        f"{meeting.title}: screen link made{f' ({label})' if label else ''}",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
        link_id=link.id,
    )
    return token


def links_of(meeting: Meeting) -> list[ScreenLink]:
    return list(
        db.session.scalars(
            select(ScreenLink)
            .where(ScreenLink.meeting_id == meeting.id)
            .order_by(ScreenLink.revoked_at.is_not(None), ScreenLink.created_at.desc())
        )
    )


def revoke(link: ScreenLink, actor: User) -> None:
    """The link stops working: its screens go dark now (told, then disconnected, on every
    worker), and any later request or watch with it is refused."""
    from consult.meetings.services import MeetingError

    if link.revoked_at is not None:
        raise MeetingError(_("That screen link was already revoked."))
    link.revoked_at = utcnow()
    link.revoked_by_id = actor.id
    meeting = db.session.get(Meeting, link.meeting_id)
    audit.record(
        "meeting.screen_link_revoked",
        f"{meeting.title}: screen link revoked{f' ({link.label})' if link.label else ''}",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
        link_id=link.id,
    )
    room = link_channel(link.id)
    emit_after_commit("screen-dark", {"meeting": meeting.id}, to=room)
    after_commit(lambda: live.drop(room))


def link_for(token: str | None) -> ScreenLink | None:
    """The live (not revoked) link of this token, or None."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    return db.session.scalars(
        select(ScreenLink).where(
            ScreenLink.token_hash == _digest(token), ScreenLink.revoked_at.is_(None)
        )
    ).first()


def meeting_for(token: str | None) -> Meeting | None:
    link = link_for(token)
    return db.session.get(Meeting, link.meeting_id) if link is not None else None


def has_live_link(meeting_id: int) -> bool:
    return (
        db.session.scalar(
            select(ScreenLink.id).where(
                ScreenLink.meeting_id == meeting_id, ScreenLink.revoked_at.is_(None)
            )
        )
        is not None
    )


# ---- what the screen shows ---------------------------------------------------------------------


def set_mode(
    meeting: Meeting,
    actor: User,
    mode: ScreenMode,
    *,
    paper=None,
    paragraph_key: str | None = None,
) -> None:
    """The chair chooses the screen; for a paragraph, a paper attached to the current item
    and one of its paragraphs (checked here: the screen shows nothing else)."""
    from consult.meetings import services

    if mode is ScreenMode.PARAGRAPH:
        choices = paragraph_choices(meeting, actor)
        if not choices:
            raise services.MeetingError(
                _("The current item has no paper to show a paragraph of."), field="paragraph"
            )
        if paper is None or (paper.id, paragraph_key) not in {
            (p.id, key) for p, paragraphs in choices for key, _label in paragraphs
        }:
            raise services.MeetingError(
                _("Choose a paragraph of a paper of the current item."), field="paragraph"
            )
        meeting.screen_paper_id, meeting.screen_paragraph_key = paper.id, paragraph_key
    meeting.screen_mode = mode
    services.changed(meeting)
    audit.record(
        "meeting.screen_mode",
        f"{meeting.title}: the screen shows {mode.value}",
        actor=actor,
        room_id=meeting.room_id,
        meeting_id=meeting.id,
    )


def paragraph_choices(meeting: Meeting, user: User) -> list[tuple[object, list[tuple[str, str]]]]:
    """The current item's papers this person sees (in their current revision) and their
    numbered paragraphs: what the chair may put on the screen."""
    from consult.meetings import services
    from consult.papers import services as papers
    from consult.papers.models import Paper
    from consult.policy import visible

    item = services.current_item(meeting)
    if item is None:
        return []
    found = db.session.scalars(
        select(Paper)
        .join(AgendaDocument, AgendaDocument.paper_id == Paper.id)
        .where(
            AgendaDocument.item_id == item.id,
            AgendaDocument.removed_at.is_(None),
            visible(AgendaDocument, user),
            visible(Paper, user),
        )
        .order_by(Paper.title)
    ).all()
    out = []
    for paper in found:
        paragraphs = papers.paragraphs_of(papers.current_revision(paper))
        numbered = [(p.key, str(p.number)) for p in paragraphs if p.number is not None]
        if numbered:
            out.append((paper, numbered))
    return out


@dataclass
class Projected:
    """The paragraph on the screen: the paper's title, its number and its (stored) HTML."""

    title: str
    number: int
    html: object


def projected(meeting: Meeting) -> Projected | None:
    from consult.papers import services as papers
    from consult.papers.models import Paper

    if meeting.screen_paper_id is None or not meeting.screen_paragraph_key:
        return None
    paper = db.session.get(Paper, meeting.screen_paper_id)
    if paper is None:
        return None
    for paragraph in papers.paragraphs_of(papers.current_revision(paper)):
        if paragraph.key == meeting.screen_paragraph_key and paragraph.number is not None:
            return Projected(paper.title, paragraph.number, paragraph.text_html)
    return None


def agenda_window(items: list, current: AgendaItem | None) -> tuple[int, list, int]:
    """At most AGENDA_LINES items around the current one: (hidden before, shown, hidden after)."""
    if len(items) <= AGENDA_LINES:
        return 0, items, 0
    at = next((n for n, v in enumerate(items) if v.item is current), 0)
    start = max(0, min(at - 2, len(items) - AGENDA_LINES))
    shown = items[start : start + AGENDA_LINES]
    return start, shown, len(items) - start - len(shown)


def screen_context(meeting: Meeting) -> dict:
    from consult.meetings import services

    state = services.live_state(meeting)
    before, shown, after = agenda_window(state.items, state.current)
    return {
        "meeting": meeting,
        "state": state,
        "named": not meeting.is_chatham_house,
        "agenda": {"before": before, "shown": shown, "after": after},
        "queue_lines": QUEUE_LINES,
        "paragraph": projected(meeting) if meeting.screen_mode is ScreenMode.PARAGRAPH else None,
    }


def payload(meeting_id: int) -> dict:
    """The screen fragment, rendered once for every screen of the meeting."""
    meeting = db.session.get(Meeting, meeting_id)
    return {
        "meeting": meeting.id,
        "version": meeting.version,
        "html": render_template("meetings/_screen_panel.html", **screen_context(meeting)),
    }


def broadcast(meeting: Meeting) -> None:
    """After the commit, the screens get the fresh fragment (one render for all of them)."""
    meeting_id = meeting.id
    emit_after_commit("screen-panel", lambda: payload(meeting_id), to=channel(meeting_id))
