"""Notifications by e-mail: each person chooses, per kind, immediately, a daily or weekly
digest, or never; each message carries a one-click unsubscribe for its kind.

A notification's e-mail is built when the notification is (for the person, through the policy,
as its in-app line); a digest is built when it is sent, from the notifications the person may
still see then (`visible_subject` in the query). Confidential rooms send one content-free line
and a link, never a title or an excerpt. Mail leaves through the outbox (`consult.mail`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from consult import dates, i18n, mail
from consult.accounts.models import User
from consult.extensions import db
from consult.links import absolute, path_for
from consult.notifications.models import DigestMark, MailPreference, Notification
from consult.policy import visible_subject
from consult.timeutil import utcnow

IMMEDIATELY, DAILY, WEEKLY, NEVER = "immediately", "daily", "weekly", "never"
CADENCES = (IMMEDIATELY, DAILY, WEEKLY, NEVER)
CADENCE_LABELS = {
    IMMEDIATELY: _l("Immediately"),
    DAILY: _l("Daily digest"),
    WEEKLY: _l("Weekly digest"),
    NEVER: _l("Never"),
}
#: Unsubscribe links work this long (a digest read months later may still stop its kind).
UNSUBSCRIBE_MAX_AGE = 180 * 24 * 3600
#: Digests go out at this local hour of the recipient (weekly: on Mondays).
DIGEST_HOUR = 7

#: What each kind is called on the settings page, by section (every kind has one: a test
#: fails for a kind of notifications.KINDS without its label here).
SECTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "replies": (
        _l("Replies and mentions"),
        {
            "paper.reply": _l("Someone replied to my comment on a paper"),
            "discussion.reply": _l("Someone replied to or quoted my post in a discussion"),
            "mention": _l("Someone mentioned me (@) in a comment or a post"),
        },
    ),
    "deadlines": (
        _l("Deadlines"),
        {
            "deadline.reminder": _l(
                "A deadline is 72 or 24 hours away (papers, questionnaires, statements, "
                "written procedures)"
            ),
            "statement.agreement_asked": _l("A group asks my delegation to agree to a statement"),
            "questionnaire.issued": _l("A questionnaire asks my delegation to answer"),
        },
    ),
    "papers": (
        _l("Papers"),
        {
            "paper.opened": _l("A paper in my rooms is open for comments"),
            "paper.revision": _l("A paper I follow has a new revision"),
            "paper.comment": _l("A new comment on a paper I chair or facilitate"),
            "paper.contribution_submitted": _l("A national contribution awaits my decision"),
            "paper.contribution_decided": _l("My delegation's contribution was decided"),
            "paper.cosponsor_invited": _l("My delegation is invited to co-sponsor"),
        },
    ),
    "procedures": (
        _l("Written procedures"),
        {
            "procedure.circulated": _l("A draft decision is circulated under written procedure"),
            "procedure.extended": _l("The deadline of a written procedure was extended"),
            "procedure.outcome": _l("The outcome of a written procedure"),
        },
    ),
    "meetings": (
        _l("Meetings"),
        {
            "meeting.scheduled": _l("A meeting is scheduled in one of my rooms"),
            "meeting.moved": _l("A meeting's time or place changed"),
            "meeting.cancelled": _l("A meeting was cancelled"),
            "agenda.adopted": _l("A meeting's agenda was adopted"),
            "meeting.floor_closed": _l("The chair closed my delegation's request for the floor"),
        },
    ),
    "rooms": (
        _l("Rooms"),
        {
            "room.added": _l("I or my delegation was added to a room"),
            "room.role": _l("I or my delegation was given another role in a room"),
            "room.join_request": _l("A request to join a room I chair awaits my decision"),
        },
    ),
    "groups": (
        _l("Groups and statements"),
        {
            "group.confirmed": _l("The coordinator confirmed what I said for the group"),
            "group.declined": _l("The coordinator declined what I said for the group"),
        },
    ),
    "library": (
        _l("Library and assistance"),
        {
            "case_study.submitted": _l("A case study awaits my review"),
            "case_study.decided": _l("My delegation's case study was published or returned"),
            "assistance.matched": _l("A request for assistance was matched"),
            "assistance.status_changed": _l("A matched request for assistance moved on"),
        },
    ),
    "confidential": (
        _l("Confidential rooms (the e-mail never says more than that something changed)"),
        {
            "thread.activity": _l("A confidential thread I see changed"),
            "brief.pending": _l("A trend brief awaits objections"),
            "brief.objection": _l("An objection to a trend brief"),
        },
    ),
}
#: Immediately for replies, mentions and deadlines; a daily digest for the rest.
IMMEDIATE_BY_DEFAULT = frozenset(
    {"paper.reply", "discussion.reply", "mention", "deadline.reminder", "procedure.circulated"}
)


def label_of(kind: str) -> str:
    for _section, (_title, kinds) in SECTIONS.items():
        if kind in kinds:
            return str(kinds[kind])
    return kind


def default_cadence(kind: str) -> str:
    return IMMEDIATELY if kind in IMMEDIATE_BY_DEFAULT else DAILY


def preferences(user: User) -> dict[str, str]:
    """Every kind's cadence for this person (their choice, or the default)."""
    from consult.notifications.services import KINDS

    chosen = dict(
        db.session.execute(
            select(MailPreference.kind, MailPreference.cadence).where(
                MailPreference.user_id == user.id
            )
        ).all()
    )
    return {kind: chosen.get(kind, default_cadence(kind)) for kind in KINDS}


def _cadences(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    ids = list(user_ids)
    chosen = dict(
        db.session.execute(
            select(MailPreference.user_id, MailPreference.cadence).where(
                MailPreference.user_id.in_(ids), MailPreference.kind == kind
            )
        ).all()
    )
    return {i: chosen.get(i, default_cadence(kind)) for i in ids}


def set_preference(user: User, kind: str, cadence: str) -> None:
    from consult.notifications.services import KINDS

    if kind not in KINDS or cadence not in CADENCES:
        raise ValueError(kind, cadence)
    row = db.session.scalars(
        select(MailPreference).where(MailPreference.user_id == user.id, MailPreference.kind == kind)
    ).first()
    if row is None:
        db.session.add(MailPreference(user_id=user.id, kind=kind, cadence=cadence))
    else:
        row.cadence = cadence
    db.session.flush()


# ---- unsubscribe ------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="consult-mail-unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps({"u": user_id, "k": kind})


def read_unsubscribe(token: str) -> tuple[User, str] | str:
    """The person and kind a token stops, or why it cannot ("expired", "invalid")."""
    from consult.notifications.services import KINDS

    try:
        data = _serializer().loads(token, max_age=UNSUBSCRIBE_MAX_AGE)
    except SignatureExpired:
        return "expired"
    except BadSignature:
        return "invalid"
    if not isinstance(data, dict) or data.get("k") not in (*KINDS, DAILY, WEEKLY):
        return "invalid"
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None:
        return "invalid"
    return user, data["k"]


def _unsubscribe_headers(user_id: int, kind: str) -> tuple[str, dict[str, str]]:
    link = absolute(path_for("notifications.unsubscribe", token=unsubscribe_token(user_id, kind)))
    return link, {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _footer(unsubscribe: str, what: str) -> str:
    settings = absolute(path_for("notifications.settings"))
    return "\n\n-- \n" + _(
        "%(no_reply)s\nStop these e-mails (%(what)s): %(unsubscribe)s\nAll your e-mail "
        "settings: %(settings)s",
        no_reply=str(mail.NO_REPLY),
        what=what,
        unsubscribe=unsubscribe,
        settings=settings,
    )


# ---- immediately ------------------------------------------------------------------------


def mail_now(
    users: list[User], kind: str, lines: dict[int, str], link: str, subject, confidential: bool
) -> int:
    """Queue the e-mail of a notification for those who want this kind immediately."""
    from consult.policy import subject_of

    wanted = _cadences([u.id for u in users], kind)
    about = subject_of(subject)
    count = 0
    for user in users:
        if wanted.get(user.id) != IMMEDIATELY:
            continue
        with i18n.writing_to(user):
            unsubscribe, headers = _unsubscribe_headers(user.id, kind)
            if confidential:
                title = _("New activity in a confidential room")
                text = _("Something changed in a confidential room you are a member of.")
            else:
                title = lines[user.id]
                text = lines[user.id]
            body = f"{text}\n\n{absolute(link)}" + _footer(unsubscribe, label_of(kind))
            mail.queue(
                user.email,
                f"[consult] {title}"[:300],
                body,
                user_id=user.id,
                kind=kind,
                about=about,
                headers=headers,
            )
        count += 1
    return count


# ---- digests ----------------------------------------------------------------------------


def _local_start(now: datetime, zone: str, cadence: str) -> datetime:
    """The latest digest moment at or before `now` in the person's zone (07:00, Mondays)."""
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), time(DIGEST_HOUR), tz)
    if moment > local:
        moment -= timedelta(days=1)
    if cadence == WEEKLY:
        moment -= timedelta(days=moment.weekday())
    return moment.astimezone(ZoneInfo("UTC"))


def digest_items(user: User, cadence: str, since: datetime, until: datetime) -> list[Notification]:
    """The notifications of kinds at this cadence, made in (since, until], that the person
    may still see now (the visible filter is in the query)."""
    kinds = [k for k, c in preferences(user).items() if c == cadence]
    if not kinds:
        return []
    return list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.kind.in_(kinds),
                Notification.created_at > since,
                Notification.created_at <= until,
                visible_subject(Notification.subject_type, Notification.subject_id, user),
            )
            .order_by(Notification.created_at)
        )
    )


def _is_confidential(notification: Notification) -> bool:
    from consult.policy import is_gated, listed_models

    if notification.subject_type is None:
        return False
    for model in listed_models():
        if getattr(model, "__tablename__", None) == notification.subject_type:
            obj = db.session.get(model, notification.subject_id)
            return obj is not None and is_gated(obj)
    return False


def send_digest(user: User, cadence: str, now: datetime | None = None) -> bool:
    """Queue this person's digest if one is due (none yet since the last 07:00 of their day,
    or Monday's); it holds what came since the last one, up to now. True when one was queued."""
    now = now or utcnow()
    moment = _local_start(now, user.time_zone or "UTC", cadence)
    mark = db.session.scalars(
        select(DigestMark).where(DigestMark.user_id == user.id, DigestMark.cadence == cadence)
    ).first()
    if mark is not None and mark.sent_through >= moment:
        return False  # this period's digest went out
    period = timedelta(days=7 if cadence == WEEKLY else 1)
    since = mark.sent_through if mark else now - period
    items = digest_items(user, cadence, since, now)
    if mark is None:
        mark = DigestMark(user_id=user.id, cadence=cadence, sent_through=now)
        db.session.add(mark)
    mark.sent_through = now
    if not items:
        db.session.flush()
        return False
    with i18n.writing_to(user):
        unsubscribe, headers = _unsubscribe_headers(user.id, cadence)
        title = (
            ngettext(
                "Your daily consult digest: %(num)d update",
                "Your daily consult digest: %(num)d updates",
                len(items),
            )
            if cadence == DAILY
            else ngettext(
                "Your weekly consult digest: %(num)d update",
                "Your weekly consult digest: %(num)d updates",
                len(items),
            )
        )
        lines = []
        language, zone = i18n.for_person(user), user.time_zone or "UTC"
        for item in items:
            # When it happened, in the recipient's zone and words: "4 Dec 2026, 14:30".
            when = dates.moment(item.created_at, zone=zone, language=language)
            confidential = _is_confidential(item)
            what = _("New activity in a confidential room") if confidential else item.text
            lines.append(f"- {when} · {what}\n  {absolute(item.link)}")
        body = "\n".join(lines) + _footer(unsubscribe, str(CADENCE_LABELS[cadence]).lower())
    mail.queue(
        user.email,
        f"[consult] {title}",
        body,
        user_id=user.id,
        kind=f"digest.{cadence}",
        headers=headers,
    )
    db.session.flush()
    return True


def send_digests(now: datetime | None = None) -> int:
    """The job: every active person's daily and weekly digest that is due. How many queued."""
    now = now or utcnow()
    count = 0
    people = db.session.scalars(select(User).where(User.is_active.is_(True)))
    for user in list(people):
        for cadence in (DAILY, WEEKLY):
            count += send_digest(user, cadence, now)
    return count
