"""Confidential thread operations. Nothing here ever puts a title, name or content into a
notification, an e-mail, a room activity line, a socket event, an audit summary or a log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from consult import audit, dates, uploads
from consult.accounts import handover
from consult.accounts.models import User
from consult.errors import ServiceError
from consult.extensions import db
from consult.links import path_for
from consult.notifications.services import notify
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, Membership, Room
from consult.rooms.services import note_activity
from consult.threads.models import (
    Attachment,
    Marking,
    Post,
    ReadRecord,
    Thread,
    ThreadParticipant,
    ThreadStatus,
)
from consult.threads.policy import exportable, participant, personal_membership
from consult.timeutil import utcnow
from consult.transaction import emit_after_commit

MAX_POST_LENGTH = 50_000
ALLOWED_TYPES = uploads.ALLOWED_TYPES
ACTIVITY = _l("New activity in a confidential room")  # lazy: worded for each reader


class ThreadError(ServiceError):
    """An action that cannot be taken; the message is shown to the person (no content in it)."""


# ---- reading ---------------------------------------------------------------------------------


def visible_threads(room: Room, user: User) -> list[Thread]:
    """The room's threads this person may see (need-to-know threads only if listed)."""
    return list(
        db.session.scalars(
            select(Thread)
            .where(Thread.room_id == room.id, visible(Thread, user))
            .order_by(Thread.created_at.desc(), Thread.id.desc())
        )
    )


def posts_for(thread: Thread, user: User) -> list[Post]:
    """The thread's posts this person sees (from when they see the thread), oldest first."""
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.thread_id == thread.id, visible(Post, user))
            .order_by(Post.created_at, Post.id)
        )
    )


def attachments_of(posts: list[Post]) -> dict[int, list[Attachment]]:
    result: dict[int, list[Attachment]] = {}
    if posts:
        for a in db.session.scalars(
            select(Attachment)
            .where(Attachment.post_id.in_([p.id for p in posts]))
            .order_by(Attachment.id)
        ):
            result.setdefault(a.post_id, []).append(a)
    return result


def readers(thread: Thread) -> list[tuple[User, datetime]]:
    """Who opened the thread, with their latest opening."""
    latest: dict[int, tuple[User, datetime]] = {}
    for record in db.session.scalars(
        select(ReadRecord).where(
            ReadRecord.thread_id == thread.id, ReadRecord.attachment_id.is_(None)
        )
    ):
        if record.user_id not in latest or latest[record.user_id][1] < record.read_at:
            latest[record.user_id] = (record.user, record.read_at)
    return sorted(latest.values(), key=lambda pair: pair[1], reverse=True)


def participants(thread: Thread) -> list[ThreadParticipant]:
    return list(
        db.session.scalars(
            select(ThreadParticipant)
            .where(ThreadParticipant.thread_id == thread.id)
            .order_by(ThreadParticipant.added_at)
        )
    )


def room_members(room: Room) -> list[User]:
    """Named members of the room (the only ones who can be on a thread's list)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.room_id == room.id,
                Membership.ended_at.is_(None),
                User.is_active.is_(True),
            )
            .order_by(User.name)
        )
    )


# ---- writing ---------------------------------------------------------------------------------


def _changed(thread: Thread, room: Room, actor: User) -> None:
    """Content-free signals only: a version bump to viewers, one line to the other members."""
    thread.version += 1
    emit_after_commit(
        "thread-changed", {"thread": thread.id, "version": thread.version}, to=f"thread:{thread.id}"
    )
    note_activity(room, "thread.activity", str(ACTIVITY), actor, subject=thread)
    # notify() keeps only those who may see the thread (need-to-know: those on its list).
    audience = [u.id for u in room_members(room) if u.id != actor.id]
    notify(
        audience,
        "thread.activity",
        ACTIVITY,
        path_for("rooms.room", slug=room.slug),
        subject=thread,
    )


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ThreadError(_("Write the post before sending it."))
    if len(body) > MAX_POST_LENGTH:
        raise ThreadError(_("A post can have at most %(n)d characters.", n=MAX_POST_LENGTH))
    return body


def create_thread(
    room: Room,
    author: User,
    *,
    title: str,
    marking: Marking,
    body: str,
    case_reference: str = "",
    audience: list[User] | None = None,
) -> Thread:
    """Open a thread; with an audience it is need-to-know (the author is always on the list)."""
    if personal_membership(author, room) is None:
        raise ThreadError(_("Only named members of this room can open a thread."))
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise ThreadError(_("Give the thread a title (at most 300 characters)."))
    body = _clean_body(body)
    thread = Thread(
        room_id=room.id,
        title=title,
        marking=marking,
        case_reference=(case_reference or "").strip() or None,
        originating_delegation_id=author.delegation_id,
        created_by_id=author.id,
        is_need_to_know=audience is not None,
    )
    db.session.add(thread)
    db.session.flush()
    if audience is not None:
        members = {u.id for u in room_members(room)}
        for person in {author, *audience}:
            if person.id not in members:
                raise ThreadError(_("Only named members of the room can be on the list."))
            db.session.add(ThreadParticipant(thread_id=thread.id, user_id=person.id))
    db.session.add(
        Post(
            thread_id=thread.id, author_id=author.id, delegation_id=author.delegation_id, body=body
        )
    )
    db.session.flush()
    audit.record(
        "thread.created",
        "A confidential thread was opened",
        actor=author,
        room_id=room.id,
        thread_id=thread.id,
        marking=marking.value,
        need_to_know=thread.is_need_to_know,
    )
    _changed(thread, room, author)
    return thread


def add_post(
    thread: Thread, author: User, body: str, files: list[tuple[str, bytes]] | None = None
) -> Post:
    if thread.status is not ThreadStatus.OPEN:
        raise ThreadError(_("This thread is closed."))
    body = _clean_body(body)
    checked = [_check_file(name, data) for name, data in files or []]
    post = Post(
        thread_id=thread.id, author_id=author.id, delegation_id=author.delegation_id, body=body
    )
    db.session.add(post)
    db.session.flush()
    for name, data, content_type in checked:
        _store(post, name, data, content_type)
    _changed(thread, db.session.get(Room, thread.room_id), author)
    return post


def _check_file(name: str, data: bytes) -> tuple[str, bytes, str]:
    return uploads.check_file(name, data, ThreadError)


def attachment_dir() -> Path:
    return uploads.folder()


def _store(post: Post, name: str, data: bytes, content_type: str) -> Attachment:
    attachment = Attachment(
        post_id=post.id,
        filename=name,
        content_type=content_type,
        size=len(data),
        stored_name=uploads.store(data),
    )
    db.session.add(attachment)
    return attachment


def read_attachment(attachment: Attachment) -> bytes:
    return uploads.read(attachment.stored_name)


def record_read(thread: Thread, user: User, attachment: Attachment | None = None) -> None:
    db.session.add(
        ReadRecord(
            thread_id=thread.id,
            user_id=user.id,
            attachment_id=attachment.id if attachment else None,
        )
    )


def set_marking(thread: Thread, user: User, marking: Marking) -> None:
    """Anyone on the thread may raise the marking; only the originating delegation lowers it."""
    if marking == thread.marking:
        return
    if marking.level < thread.marking.level and not can(Need.LOWER_MARKING, thread, user):
        raise ThreadError(_("Only the originating delegation can lower the marking."))
    if marking is Marking.RED:
        thread.is_export_allowed = False
    old = thread.marking
    thread.marking = marking
    audit.record(
        "thread.marking",
        f"Marking changed from {old.value} to {marking.value}",
        actor=user,
        room_id=thread.room_id,
        thread_id=thread.id,
    )
    _changed(thread, db.session.get(Room, thread.room_id), user)


def widen(thread: Thread, user: User, people: list[User]) -> None:
    """The originating delegation adds members of the room to a need-to-know list."""
    room = db.session.get(Room, thread.room_id)
    members = {u.id for u in room_members(room)}
    now = utcnow()
    for person in people:
        if person.id not in members:
            raise ThreadError(_("Only named members of the room can be on the list."))
        if participant(thread, person) is None:
            # They see the thread from now on, unless the earlier history is granted.
            db.session.add(ThreadParticipant(thread_id=thread.id, user_id=person.id, sees_from=now))
    audit.record(
        "thread.audience_widened",
        f"{len(people)} member(s) added to a thread's list",
        actor=user,
        room_id=thread.room_id,
        thread_id=thread.id,
        added=[p.id for p in people],
    )
    _changed(thread, room, user)


def grant_history(thread: Thread, user: User, person: User) -> None:
    row = participant(thread, person)
    if row is None:
        if thread.is_need_to_know:
            raise ThreadError(_("Add them to the thread's list first."))
        row = ThreadParticipant(thread_id=thread.id, user_id=person.id)
        db.session.add(row)
    row.sees_from = None
    audit.record(
        "thread.history_granted",
        "Earlier history of a thread granted to a member",
        actor=user,
        subject=person,
        room_id=thread.room_id,
        thread_id=thread.id,
    )


def allow_exports(thread: Thread, user: User, allowed: bool) -> None:
    if allowed and not exportable(thread):
        raise ThreadError(_("A TLP:RED thread can never be exported."))
    thread.is_export_allowed = allowed
    audit.record(
        "thread.exports",
        f"Exports {'allowed' if allowed else 'disallowed'}",
        actor=user,
        room_id=thread.room_id,
        thread_id=thread.id,
    )


def export_text(thread: Thread, user: User) -> str:
    """The thread as text, with its marking at top and bottom and a watermark; audited."""
    if not can(Need.EXPORT, thread, user):
        raise ThreadError(_("The originating delegation has not allowed exports of this thread."))
    # The text is in English (its words are not translated), its times in UTC, named.
    stamp = dates.zoned(utcnow(), zone="UTC", language="en")
    watermark = f"Exported by {user.name} ({user.delegation.name}) on {stamp}"
    lines = [thread.marking.value, watermark, "", f"# {thread.title}"]
    if thread.case_reference:
        lines.append(f"Case reference: {thread.case_reference}")
    for post in posts_for(thread, user):
        lines += [
            "",
            f"## {post.delegation.name}, {post.author.name}, "
            f"{dates.zoned(post.created_at, zone='UTC', language='en')}",
            "",
            post.body,
        ]
    lines += ["", watermark, thread.marking.value, ""]
    audit.record(
        "thread.exported",
        "A confidential thread was exported",
        actor=user,
        room_id=thread.room_id,
        thread_id=thread.id,
        marking=thread.marking.value,
    )
    return "\n".join(lines)


def set_status(thread: Thread, user: User, status: ThreadStatus) -> None:
    thread.status = status
    audit.record(
        "thread.status",
        f"Thread {status.value}",
        actor=user,
        room_id=thread.room_id,
        thread_id=thread.id,
    )
    _changed(thread, db.session.get(Room, thread.room_id), user)


def set_retention(thread: Thread, chair: User, days: int | None) -> None:
    if days is not None and not 1 <= days <= 3650:
        raise ThreadError(_("Give a number of days between 1 and 3650."))
    thread.retention_days = days
    audit.record(
        "thread.retention",
        f"Retention set to {days or 'none'} day(s)",
        actor=chair,
        room_id=thread.room_id,
        thread_id=thread.id,
    )


def purge_post(post: Post, chair: User, reason: str) -> None:
    """Remove a post and its files for good (on its author's request); the audit keeps no text."""
    thread = db.session.get(Thread, post.thread_id)
    for attachment in db.session.scalars(select(Attachment).where(Attachment.post_id == post.id)):
        (attachment_dir() / attachment.stored_name).unlink(missing_ok=True)
        db.session.delete(attachment)
    db.session.delete(post)
    audit.record(
        "thread.post_purged",
        "A post was purged at its author's request",
        actor=chair,
        room_id=thread.room_id,
        thread_id=thread.id,
        reason_given=bool(reason),
    )
    _changed(thread, db.session.get(Room, thread.room_id), chair)


def purge_expired(now: datetime | None = None) -> int:
    """Remove posts older than their thread's retention period (rows and files)."""
    now = now or utcnow()
    purged = 0
    rooms = {
        r.id: r for r in db.session.scalars(select(Room).where(Room.retention_days.is_not(None)))
    }
    for thread in db.session.scalars(select(Thread)):
        # A thread's own period, else its room's; a thread may keep less than its room, not more.
        room_days = rooms[thread.room_id].retention_days if thread.room_id in rooms else None
        periods = [d for d in (thread.retention_days, room_days) if d]
        if not periods:
            continue
        cutoff = now - timedelta(days=min(periods))
        old = db.session.scalars(
            select(Post).where(Post.thread_id == thread.id, Post.created_at < cutoff)
        ).all()
        for post in old:
            for attachment in db.session.scalars(
                select(Attachment).where(Attachment.post_id == post.id)
            ):
                (attachment_dir() / attachment.stored_name).unlink(missing_ok=True)
                db.session.delete(attachment)
            db.session.delete(post)
        if old:
            purged += len(old)
            audit.record(
                "thread.retention_purge",
                f"{len(old)} post(s) past the retention period were purged",
                room_id=thread.room_id,
                thread_id=thread.id,
                posts=len(old),
            )
    return purged


# ---- handover ----------------------------------------------------------------------------------


def _listed_threads(person: User) -> list[Thread]:
    """Need-to-know threads this person is on the list of."""
    return list(
        db.session.scalars(
            select(Thread)
            .join(ThreadParticipant, ThreadParticipant.thread_id == Thread.id)
            .where(ThreadParticipant.user_id == person.id, Thread.is_need_to_know.is_(True))
            .order_by(Thread.id)
        )
    )


def _held_lists(departing: User, viewer: User) -> list[str]:
    if viewer.delegation_id != departing.delegation_id:
        return []  # the Secretariat is not told that need-to-know threads exist; they move
    count = len(_listed_threads(departing))
    if not count:
        return []
    # A count only: the focal point may not be a member of the confidential room.
    return [
        ngettext(
            "On the need-to-know list of %(num)d confidential thread",
            "On the need-to-know lists of %(num)d confidential threads",
            count,
        )
    ]


def _move_lists(run: handover.Handover) -> int:
    """Put the successor on every need-to-know list the departing person was on.

    The successor sees those threads from the handover on, like anyone added later, unless the
    originating delegation grants the earlier history (in the same step, or later).
    """
    departing, successor = run.departing, run.successor
    now = utcnow()
    moved = 0
    for thread in _listed_threads(departing):
        room = db.session.get(Room, thread.room_id)
        if personal_membership(successor, room) is None:
            continue  # the departing person had left the room already: nothing to continue
        if participant(thread, successor) is None:
            db.session.add(
                ThreadParticipant(thread_id=thread.id, user_id=successor.id, sees_from=now)
            )
        moved += 1
    db.session.flush()
    if run.grant_history:
        granted, withheld = grant_predecessor_history(departing, successor, run.actor)
        run.notes.append(history_sentence(successor, granted, withheld))
    return moved


#: This domain's part of a handover (added from consult.threads.register).
NEED_TO_KNOW_LISTS = handover.Step(
    name="need_to_know_lists",
    label=_l("Need-to-know lists"),
    held=_held_lists,
    move=_move_lists,
    order=20,
)


@dataclass
class HistoryPlan:
    """Which threads a predecessor could read, split by who may grant their history."""

    #: (thread, from when the predecessor saw it; None: from its start)
    grantable: list[tuple[Thread, datetime | None]]
    #: Threads started by other delegations: only they may grant their history.
    withheld: list[Thread]


def history_plan(predecessor: User, successor: User) -> HistoryPlan:
    """The confidential threads the predecessor could read in rooms the successor is in now.

    Only the originating delegation grants a thread's earlier history, so the threads the
    predecessor's own delegation started are grantable and the rest are withheld. Counts of
    these are all a page shows: whoever asks may not be a member of the room.
    """
    memberships = db.session.scalars(
        select(Membership)
        .join(Room, Room.id == Membership.room_id)
        .where(
            Membership.user_id == predecessor.id,
            Room.access == AccessLevel.CONFIDENTIAL,
        )
        .order_by(Membership.started_at)
    ).all()
    joined: dict[int, datetime] = {}
    for m in memberships:
        joined.setdefault(m.room_id, m.started_at)  # since the first time they were in
    rooms = [
        db.session.get(Room, room_id)
        for room_id in joined
        if personal_membership(successor, db.session.get(Room, room_id)) is not None
    ]
    grantable: list[tuple[Thread, datetime | None]] = []
    withheld: list[Thread] = []
    if not rooms:
        return HistoryPlan(grantable, withheld)
    rows = {
        row.thread_id: row
        for row in db.session.scalars(
            select(ThreadParticipant).where(ThreadParticipant.user_id == predecessor.id)
        )
    }
    for thread in db.session.scalars(
        select(Thread).where(Thread.room_id.in_([r.id for r in rooms])).order_by(Thread.id)
    ):
        row = rows.get(thread.id)
        if thread.is_need_to_know and row is None:
            continue  # never on its list: they could not read it
        if row is not None:
            since = row.sees_from
        else:
            started = joined[thread.room_id]
            since = started if started > thread.created_at else None
        if thread.originating_delegation_id == predecessor.delegation_id:
            grantable.append((thread, since))
        else:
            withheld.append(thread)
    return HistoryPlan(grantable, withheld)


def grant_predecessor_history(predecessor: User, successor: User, actor: User) -> tuple[int, int]:
    """The originating delegation grants its successor the history the predecessor could read.

    One audited step over every thread the predecessor's delegation started; a successor who
    already sees more keeps it. Returns (threads granted, threads withheld because another
    delegation started them).
    """
    plan = history_plan(predecessor, successor)
    granted: list[int] = []
    for thread, since in plan.grantable:
        row = participant(thread, successor)
        if row is None:
            row = ThreadParticipant(thread_id=thread.id, user_id=successor.id, sees_from=since)
            db.session.add(row)
        elif row.sees_from is not None and (since is None or since < row.sees_from):
            row.sees_from = since
        else:
            continue
        granted.append(thread.id)
    audit.record(
        "thread.history_granted_on_handover",
        f"{actor.name} granted {successor.name} the confidential history of "
        f"{predecessor.name}: {len(granted)} thread(s), {len(plan.withheld)} withheld",
        actor=actor,
        subject=successor,
        delegation_id=predecessor.delegation_id,
        predecessor_id=predecessor.id,
        thread_ids=granted,
        withheld_thread_ids=[t.id for t in plan.withheld],
    )
    for thread_id in granted:
        thread = db.session.get(Thread, thread_id)
        thread.version += 1
        emit_after_commit(
            "thread-changed",
            {"thread": thread.id, "version": thread.version},
            to=f"thread:{thread.id}",
        )
    return len(granted), len(plan.withheld)


def history_sentence(successor: User, granted: int, withheld: int) -> str:
    """What a history grant did, in words for the person who asked (counts only)."""
    text = ngettext(
        "%(name)s now sees the earlier history of %(num)d thread your delegation started.",
        "%(name)s now sees the earlier history of %(num)d threads your delegation started.",
        granted,
        name=successor.name,
    )
    if withheld:
        text += " " + ngettext(
            "%(num)d thread started by another delegation still shows from the handover on; "
            "only that delegation can grant its history, from the thread's page.",
            "%(num)d threads started by other delegations still show from the handover on; "
            "only those delegations can grant their history, from each thread's page.",
            withheld,
        )
    return text
