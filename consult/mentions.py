"""@mentions: naming a person in a comment, a discussion post or a reply.

A mention is written "@[Name]" (the suggestions under the text box insert it). It resolves only
to active people who may see the place it is written in (`can(VIEW, place, person)`), is shown
as a mention in the stored HTML (`consult.markdown.mark_mentions`, rendered once when written)
and tells each person once: an edit that names them again tells nobody twice.

Places register themselves from their domain's `register(app)` (`add_place("paper", Paper)`),
so this module imports no domain. The suggestions (`GET /mentions?place=paper:12&q=an`, JSON) are
for those who may take part there, and offer at most ten people who may see it, nobody else.
What a mention reveals under the Chatham House Rule is in docs/decisions.md.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from flask import Blueprint, abort, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from consult.accounts.models import Delegation, User
from consult.extensions import db
from consult.handlers import handler
from consult.ids import parse_id
from consult.markdown import MENTION
from consult.notifications.models import Notification
from consult.notifications.services import TextFor, notify
from consult.policy import Need, can, gate_closed

bp = Blueprint("mentions", __name__)

#: The places one may mention people in: "paper" -> Paper, "topic" -> Topic.
_places: dict[str, type] = {}
#: Suggestions offered at once, at most.
LIMIT = 10
#: People looked at (by name) to find those ten who may see the place.
SCAN = 400


def add_place(name: str, model: type) -> None:
    """Register a model whose texts may mention people (a domain's register(app) calls it)."""
    _places[name] = model


def place_name(obj: Any) -> str | None:
    for name, model in _places.items():
        if isinstance(obj, model):
            return name
    return None


def place_spec(obj: Any) -> str:
    """What the text box's suggestions ask for: "paper:12"."""
    return f"{place_name(obj)}:{obj.id}"


def load_place(spec: str) -> Any | None:
    """The place named "paper:12", or None for a name or number nobody registered."""
    name, _, ident = (spec or "").partition(":")
    model = _places.get(name)
    ident = parse_id(ident)
    if model is None or ident is None:
        return None
    return db.session.get(model, ident)


def names_in(text: str | None) -> set[str]:
    """The names written as "@[Name]" in the text, case-folded."""
    if not text:
        return set()
    return {m.group(1).strip().casefold() for m in MENTION.finditer(text) if m.group(1).strip()}


def resolve(text: str | None, place: Any) -> list[User]:
    """The active people named in the text who may see the place (nobody else, whatever the
    text says)."""
    names = names_in(text)
    if not names:
        return []
    # Not flushed first: the text being written must be rendered after `prepare` has run.
    with db.session.no_autoflush:
        people = db.session.scalars(
            select(User)
            .where(func.lower(User.name).in_(sorted(names)), User.is_active.is_(True))
            .order_by(User.id)
        ).all()
        # SQL's lower() is ASCII-only on SQLite: compare again with Python's casefold.
        return [
            p for p in people if p.name.strip().casefold() in names and can(Need.VIEW, place, p)
        ]


def prepare(obj: Any, text: str | None, place: Any) -> list[User]:
    """Before the text is stored: resolve its mentions and tell the renderer which names to
    show as mentions (`consult.markdown.mentions_of` reads `obj.mentioned`). Returns the
    people mentioned."""
    people = resolve(text, place)
    obj.mentioned = {p.name.strip().casefold() for p in people}
    return people


_SHOWN = re.compile(r'<span class="mention">@([^<]*)</span>')


def shown_in(html: str | None) -> set[str]:
    """The names shown as mentions in stored HTML (not those inside code or a link)."""
    return {unescape(m.group(1)).strip().casefold() for m in _SHOWN.finditer(str(html or ""))}


def tell(
    people: list[User],
    author: User,
    text: str | TextFor,
    link: str,
    *,
    subject: Any,
    html: str | None,
) -> list[int]:
    """Notify the people mentioned at `link` (shown as mentions in its stored `html`) who were
    not told of it before (an edit names them again: nobody hears twice), never the author."""
    shown = shown_in(html)
    ids = [p.id for p in people if p.id != author.id and p.name.strip().casefold() in shown]
    if not ids:
        return []
    told_before = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == "mention",
                Notification.link == link,
                Notification.user_id.in_(ids),
            )
        )
    )
    fresh = [i for i in ids if i not in told_before]
    if not fresh:
        return []
    return notify(fresh, "mention", text, link, subject=subject)


def suggest(place: Any, query: str, viewer: User, limit: int = LIMIT) -> list[User]:
    """Up to `limit` active people whose name starts with (or has a word starting with) the
    query and who may see the place; never the viewer, never anyone else."""
    query = (query or "").strip()[:60]
    if not query:
        return []
    like = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").lower()
    name = func.lower(User.name)
    rows = db.session.scalars(
        select(User)
        .join(Delegation, Delegation.id == User.delegation_id)
        .where(
            User.is_active.is_(True),
            Delegation.is_active.is_(True),
            User.id != viewer.id,
            (name.like(f"{like}%", escape="\\") | name.like(f"% {like}%", escape="\\")),
        )
        .order_by(User.name, User.id)
        .limit(SCAN)
    )
    found = []
    for person in rows:
        if can(Need.VIEW, place, person):
            found.append(person)
            if len(found) == limit:
                break
    return found


def _label(person: User) -> str:
    """How a suggestion reads: the name, and the delegation (the person is being named in
    the text anyway; the delegation tells two people of one name apart)."""
    return f"{person.name} ({person.delegation.short_name or person.delegation.name})"


@bp.route("/mentions")
@handler()
def suggestions():
    """The people one may mention in a place, for those who may write there (JSON). A place
    one may not see: 404; one may only read, or behind a closed confidential gate: 403."""
    place = load_place(request.args.get("place", ""))
    viewer = current_user._get_current_object()
    if place is None or not can(Need.VIEW, place, viewer):
        abort(404)
    if not can(Need.TAKE_PART, place, viewer) or gate_closed(place) is not None:
        abort(403)
    people = suggest(place, request.args.get("q", ""), viewer)
    response = jsonify(people=[{"name": p.name, "label": _label(p)} for p in people])
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app) -> None:
    """The suggestions' endpoint (places are added by their domains) and `mention_url(place)`
    for the text boxes' data-mentions attribute."""
    app.register_blueprint(bp)
    app.jinja_env.globals["mention_url"] = lambda place: url_for(
        "mentions.suggestions", place=place_spec(place)
    )
