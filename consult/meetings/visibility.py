"""Who is named on the floor: under the Chatham House Rule, the speakers are shown by their
status ("a State Party", "an observer organisation") to everyone but the chair and the
Secretariat (those who may manage the meeting), in the live view, on the screen and in the
record; otherwise by name.

A page or a broadcast is rendered for one visibility class, `named` or not, never per person:
the room's channel and the screen get the unnamed fragment, the chairs' channel the named one.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.accounts.models import DelegationStatus, User
from consult.meetings.models import FloorRequest, Meeting
from consult.policy import Need, can

#: As the record and the live view say it, in a sentence ("Point of order by a State Party").
STATUS_PHRASES = {
    DelegationStatus.STATE_PARTY: _l("a State Party"),
    DelegationStatus.SIGNATORY: _l("a signatory State"),
    DelegationStatus.OBSERVER_STATE: _l("an observer State"),
    DelegationStatus.INTERNATIONAL_ORG: _l("an observer organisation"),
    DelegationStatus.REGIONAL_ORG: _l("an observer organisation"),
    DelegationStatus.CIVIL_SOCIETY: _l("an observer organisation"),
    DelegationStatus.INDUSTRY: _l("an observer organisation"),
    DelegationStatus.SECRETARIAT: _l("the Secretariat"),
}

#: The same classes, for totals and counts ("States Parties: 12 min").
STATUS_CLASSES = {
    DelegationStatus.STATE_PARTY: _l("States Parties"),
    DelegationStatus.SIGNATORY: _l("Signatory States"),
    DelegationStatus.OBSERVER_STATE: _l("Observer States"),
    DelegationStatus.INTERNATIONAL_ORG: _l("Observer organisations"),
    DelegationStatus.REGIONAL_ORG: _l("Observer organisations"),
    DelegationStatus.CIVIL_SOCIETY: _l("Observer organisations"),
    DelegationStatus.INDUSTRY: _l("Observer organisations"),
    DelegationStatus.SECRETARIAT: _l("The Secretariat"),
}

RULE_NAME = _l("the Chatham House Rule")
RULE_TEXT = _l(
    "This meeting is held under the Chatham House Rule: participants are free to use the "
    "information received, but neither the identity nor the affiliation of any speaker or "
    "participant may be revealed. Speakers are shown by their status."
)


def names_shown(meeting: Meeting, user: User | None = None) -> bool:
    """Whether this person sees the floor by name: always, unless the meeting is held under
    the Chatham House Rule; then only those who may manage it (the chair, the Secretariat)."""
    if not meeting.is_chatham_house:
        return True
    return user is not None and can(Need.MANAGE, meeting, user)


def who(request_: FloorRequest, named: bool) -> str:
    """The speaker as a viewer of this class may read it."""
    if named:
        if request_.on_behalf_of != request_.delegation.name:
            return f"{request_.on_behalf_of} ({request_.delegation.name})"
        return request_.on_behalf_of
    phrase = str(STATUS_PHRASES[request_.delegation.status])
    if request_.on_behalf_group_id is not None:
        return _("%(who)s, on behalf of a group", who=phrase)
    return phrase


def status_phrase(delegation) -> str:
    """A delegation as the Chatham House Rule lets it be named: by its status."""
    return str(STATUS_PHRASES[delegation.status]) if delegation is not None else ""


def status_class(request_: FloorRequest) -> str:
    return str(STATUS_CLASSES[request_.delegation.status])


def tag(meeting: Meeting, delegation_id: int | None) -> str:
    """What a live page matches a delegation by ("my place in the list"): its id, or under the
    Chatham House Rule a keyed digest that names nobody (stable within the meeting, so a
    delegate's page still finds its own request)."""
    if delegation_id is None:
        return ""
    if not meeting.is_chatham_house:
        return str(delegation_id)
    key = current_app.config["SECRET_KEY"].encode()
    message = f"floor:{meeting.id}:{delegation_id}".encode()
    return "d" + hmac.new(key, message, hashlib.sha256).hexdigest()[:20]
