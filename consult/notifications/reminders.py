"""Deadline reminders, 72 and 24 hours before: to who still has to act.

Like the dashboard's "waiting for you", this module does not import the domains: each adds a
provider from its `register(app)` (`add`) that lists its deadlines within a horizon and who
still has to act on each. The job sends each reminder once per deadline (`ReminderSent`,
unique), through `notify()` and so through the policy and the person's e-mail settings; a
deadline moved later is reminded of again. Seen first within 24 hours, only one is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from consult import dates, i18n
from consult.extensions import db
from consult.notifications.models import ReminderSent
from consult.policy import subject_of
from consult.timeutil import utcnow

HOURS = (72, 24)
_KEY = "consult.reminders"


@dataclass(frozen=True)
class Deadline:
    """A deadline someone still has to meet: what ("the questionnaire X"), where it opens,
    who still has to act (user ids; notify() keeps those who may see it)."""

    subject: Any
    closes_at: datetime
    what: str
    link: str
    who: list[int]


Provider = Callable[[datetime, datetime], Iterable[Deadline]]


def people_of(delegation_ids: list[int], done: Any = None) -> list[int]:
    """The active people of these delegations, but not of those in `done` (a subquery of
    delegation ids that already acted): who a reminder goes to."""
    from sqlalchemy import select

    from consult.accounts.models import User

    where = [User.is_active.is_(True), User.delegation_id.in_(delegation_ids)]
    if done is not None:
        where.append(User.delegation_id.not_in(done))
    return list(db.session.scalars(select(User.id).where(*where)))


def add(app: Flask, provider: Provider) -> None:
    """Add `provider(now, until) -> [Deadline ...]` (deadlines in (now, until])."""
    app.extensions.setdefault(_KEY, []).append(provider)


def _claim(subject: Any, hours: int, deadline: datetime) -> bool:
    kind, ident = subject_of(subject)
    try:
        with db.session.begin_nested():
            db.session.add(
                ReminderSent(subject_type=kind, subject_id=ident, hours=hours, deadline=deadline)
            )
    except IntegrityError:
        return False
    return True


def _text_for(deadline: Deadline) -> Callable[[Any], str]:
    """The reminder in each recipient's own language and time zone, the zone named. No "in 3
    days" beside it: the text is kept, and read later it would be wrong."""

    def text(user: Any) -> str:
        when = dates.zoned(
            deadline.closes_at, zone=user.time_zone or "UTC", language=i18n.for_person(user)
        )
        return _("Deadline %(when)s: %(what)s.", when=when, what=deadline.what)

    return text


def send(now: datetime | None = None) -> int:
    """The job: every reminder now due, once. Returns how many reminders went out."""
    from consult.notifications.services import notify

    now = now or utcnow()
    sent = 0
    for provider in current_app.extensions.get(_KEY, []):
        for deadline in provider(now, now + timedelta(hours=max(HOURS))):
            left = deadline.closes_at - now
            due = [h for h in HOURS if left <= timedelta(hours=h)]
            if not due:
                continue
            claimed = [h for h in due if _claim(deadline.subject, h, deadline.closes_at)]
            if min(due) not in claimed or not deadline.who:
                continue  # the nearest one went out already (or nobody has to act)
            notify(
                deadline.who,
                "deadline.reminder",
                _text_for(deadline),
                deadline.link,
                subject=deadline.subject,
            )
            sent += 1
    return sent
