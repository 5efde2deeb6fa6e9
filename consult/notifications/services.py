"""Telling people in the app that something they follow changed.

A notification is built for its recipient, from what that person may see when it is made: none
for a subject they may not see, and the text from a builder that is given the recipient (so a
Chatham House paper names no delegation to someone who may not see attributions). Listing it
later goes through the policy again (policy.visible_subject), so a paper taken back to drafting
falls silent in the list too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from consult import i18n
from consult.accounts.models import User
from consult.extensions import db
from consult.links import path_for
from consult.notifications import mailing
from consult.notifications.models import Notification
from consult.policy import Need, can, is_gated, subject_of, visible_subject
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit
from consult.waiting import Waiting

#: Every kind of notification and who gets it. notify() refuses any other kind, and the
#: authorisation tests fail for a kind without its row (tests/test_notification_policy.py).
KINDS: dict[str, str] = {
    "paper.revision": "followers of a paper: a new revision was issued",
    "paper.reply": "the author of a comment: someone replied to it",
    "paper.opened": "the people of a paper's room who may see it: it left drafting and is open "
    "for comments",
    "paper.comment": "the chairs and facilitators (and the paper's facilitator) who follow a "
    "paper: a new comment on it, naming who made it only to those who may see authors",
    "thread.activity": "the named members who see a confidential thread: it changed",
    "brief.pending": "the named members of a confidential room: a trend brief awaits objections",
    "brief.objection": "the room's chairs and facilitators: an objection was made or withdrawn",
    "discussion.reply": "the author of a discussion post: someone replied to it or quoted it",
    "paper.contribution_submitted": "the room's chairs and facilitators: a national contribution "
    "was submitted or resubmitted",
    "paper.contribution_decided": "the submitting delegation: its contribution was accepted or "
    "returned (with the reason)",
    "paper.cosponsor_invited": "the people of a delegation invited to co-sponsor a contribution",
    "group.confirmed": "who spoke on behalf of a group: its coordinator confirmed it",
    "group.declined": "who spoke on behalf of a group: its coordinator declined it",
    "case_study.submitted": "the room's chairs and facilitators (the Secretariat when it has "
    "none): a case study awaits review; the delegation is named only when attributed",
    "case_study.decided": "the submitting delegation: its case study was published or returned",
    "statement.agreement_asked": "people of a group's member delegations who see its statement: "
    "agree by the deadline",
    "questionnaire.issued": "people of the room's delegations and its members: the chair issued a "
    "questionnaire to answer",
    "assistance.matched": "the people of the requesting and offering delegations: the "
    "Secretariat matched a request for assistance and opened their room",
    "assistance.status_changed": "the people of the other matched party: the request they work "
    "on moved to in progress, completed, or back",
    "procedure.circulated": "people of the States Parties addressed and the room's members who "
    "see the room: a draft decision is circulated under written procedure, with its deadline",
    "procedure.extended": "the same people: the deadline of a written procedure was extended "
    "(once)",
    "procedure.outcome": "the same people: the outcome of a written procedure was recorded at "
    "its deadline (adopted, or silence broken by whom), or it was withdrawn",
    "meeting.floor_closed": "the delegation whose request for the floor the chair closed when "
    "the meeting moved to another item",
    "deadline.reminder": "who still has to act: 72 and 24 hours before a deadline (a paper's "
    "comments, a questionnaire, a group statement's agreement, a written procedure)",
    "meeting.scheduled": "the people of a meeting's room who may see it: a meeting was "
    'scheduled ("a confidential meeting" in a confidential room)',
    "meeting.moved": "the same people: a meeting's time or place changed",
    "meeting.cancelled": "the same people: a meeting was cancelled",
    "agenda.adopted": "the same people: a meeting's agenda was adopted",
    "room.added": 'the person, or the people of the delegation, added to a room ("a '
    'confidential room" when it is one)',
    "room.role": "the person, or the people of the delegation, given another role in a room",
    "room.join_request": "the room's named chairs and facilitators: a request to join awaits "
    "their decision",
    "mention": "a person named with @[Name] in a comment, discussion post or reply, who may "
    "see where it was written; once per text, not on every edit; the writer is named only to "
    "those who may see authors",
}

#: Kinds whose text is already written for a confidential room (no title, no name); any other
#: kind about something in a confidential room is stored as one content-free line, because the
#: notifications page is not behind the two-factor gate.
CONFIDENTIAL_AWARE = frozenset(
    {
        "thread.activity",
        "brief.pending",
        "brief.objection",
        "meeting.scheduled",
        "meeting.moved",
        "meeting.cancelled",
        "agenda.adopted",
        "room.added",
        "room.role",
        "room.join_request",
    }
)


def in_confidential_room(subject: Any) -> bool:
    """Whether the subject is behind the gate or lives in a confidential room (its protection
    chain reaches one)."""
    from consult.policy import parent_of

    obj = subject
    while obj is not None:
        if is_gated(obj):
            return True
        parent = parent_of(obj)
        if parent is None:  # the top of the chain: the room (told by its own property)
            return bool(getattr(obj, "is_confidential", False))
        obj = parent
    return False


#: The notification's text for one recipient (the policy has already let them see the subject).
TextFor = Callable[[User], str]


def notify(
    user_ids: Iterable[int], kind: str, text: str | TextFor, link: str, *, subject: Any
) -> list[int]:
    """Add one notification per person who may see `subject`, in words built for them.

    `subject` is what the notification speaks of (a paper, a thread ...); a person who may not
    see it gets nothing. Returns the ids of those notified; their open pages are signalled
    after the commit.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: add it to KINDS with its rule")
    subject_type, subject_id = subject_of(subject)
    ids = set(user_ids)
    if not ids:
        return []
    recipients = db.session.scalars(
        select(User).where(User.id.in_(ids)).options(joinedload(User.delegation))
    )
    confidential = in_confidential_room(subject)
    delivered: list[User] = []
    lines: dict[int, str] = {}
    for user in recipients:
        if not can(Need.VIEW, subject, user):
            continue
        with i18n.writing_to(user):  # in their words: a lazy text, or built
            line = str(text(user) if callable(text) else text)
            if confidential and kind not in CONFIDENTIAL_AWARE:
                line = _("New activity in a confidential room")
        db.session.add(
            Notification(
                user_id=user.id,
                kind=kind,
                text=line[:300],
                link=link,
                subject_type=subject_type,
                subject_id=subject_id,
            )
        )
        emit_after_commit("notifications-changed", {}, to=f"user:{user.id}")
        delivered.append(user)
        lines[user.id] = line
    if delivered:  # by e-mail too, for those who want this kind at once
        mailing.mail_now(delivered, kind, lines, link, subject, confidential)
    return sorted(u.id for u in delivered)


def _listed(user: User):
    return (
        Notification.user_id == user.id,
        visible_subject(Notification.subject_type, Notification.subject_id, user),
    )


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(*_listed(user), Notification.read_at.is_(None))
    )


def recent(user: User, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(*_listed(user))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def open_for(user: User, notification_id: int) -> Notification | None:
    """The person's own notification, while they may still see what it speaks of, marked
    read (the recipient opening it); None for anyone else's or one no longer listed."""
    notification = db.session.scalars(
        select(Notification).where(Notification.id == notification_id, *_listed(user))
    ).first()
    if notification is None:
        return None
    if notification.read_at is None:
        notification.read_at = utcnow()
        emit_after_commit("notifications-changed", {}, to=f"user:{user.id}")
    return notification


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(*_listed(user), Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


#: How many unread replies the dashboard lists under "waiting for you" (the rest are on the
#: notifications page).
WAITING_REPLIES = 10


def waiting_replies(user: User) -> list[Waiting]:
    """Unread replies to this person, still visible to them, for "waiting for you"."""
    rows = db.session.scalars(
        select(Notification)
        .where(
            *_listed(user),
            Notification.read_at.is_(None),
            Notification.kind.like("%.reply"),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(WAITING_REPLIES)
    )
    return [
        Waiting(
            kind=_("Reply to you"),
            title=n.text,
            url=path_for("notifications.open", notification_id=n.id),
            since=n.created_at,
        )
        for n in rows
    ]
