"""Template helpers of the papers domain, and its section on the room page."""

from __future__ import annotations

from datetime import datetime

from flask import g, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from consult import dates
from consult.papers import contributions, services, versions
from consult.papers.redline import redline_html, rendered_redline
from consult.policy import Need, can
from consult.timeutil import utcnow


def in_zone(value: datetime | None, zone: str, style: str = "moment") -> str:
    """A time shown in a given zone (the room's, the meeting's), whatever the viewer's own
    zone, without naming it (`zoned` names it)."""
    return dates.moment(value, style, zone=zone)


def time_left(value: datetime | None) -> str:
    """How far away a deadline is ("in 3 days"), or "closed"; papers.js keeps it current with
    the same words (Intl.RelativeTimeFormat)."""
    if value is None:
        return ""
    if value <= utcnow():
        return _("closed")
    return dates.relative(value)


def redline(old: str, new: str) -> Markup:
    return redline_html(old, new)


def text_changed(before: str, after: str) -> bool:
    """Whether a paragraph's text differs from an earlier one (spacing aside)."""
    return " ".join(before.split()) != " ".join(after.split())


def may_edit(comment) -> bool:
    """Whether the current person may still edit the comment (the author's rule, the window)."""
    return services.may_edit(comment, current_user)


def _link_language() -> str | None:
    """The language a paper page is read in, when its links must carry it (a paper with
    language versions: `routes._reading` sets it)."""
    return g.get("paper_link_language")


def paragraph_url(paper_id: int, key: str) -> str:
    """url_for once per paper and request, not twice per paragraph (a long paper has 300);
    in the language the page is read in."""
    cache = g.setdefault("_paragraph_urls", {})
    lang = _link_language()
    if (paper_id, lang) not in cache:
        cache[(paper_id, lang)] = url_for(
            "papers.paragraph", paper_id=paper_id, key="KEYKEY", lang=lang
        )
    return cache[(paper_id, lang)].replace("KEYKEY", key)


def paper_url(paper_id: int) -> str:
    cache = g.setdefault("_paper_urls", {})
    lang = _link_language()
    if (paper_id, lang) not in cache:
        cache[(paper_id, lang)] = url_for("papers.paper", paper_id=paper_id, lang=lang)
    return cache[(paper_id, lang)]


def language_name(code: str) -> str:
    """The language's name in the interface's language ("French"), for a comment's marker."""
    return versions.language_name(code)


def autonym(code: str) -> str:
    """The language's name in itself ("Français"), for the language switch."""
    return versions.autonym(code)


def plural_pattern(singular: str, plural: str, n: int = 2) -> str:
    """The translation of a plural message for n, with its %(num)d left for papers.js to fill."""
    return get_translations().ngettext(singular, plural, n)


def register(app) -> None:
    app.jinja_env.filters["in_zone"] = in_zone
    app.jinja_env.filters["time_left"] = time_left
    app.jinja_env.globals.update(
        redline=redline,
        rendered_redline=rendered_redline,
        text_changed=text_changed,
        may_edit=may_edit,
        paragraph_url=paragraph_url,
        paper_url=paper_url,
        language_name=language_name,
        language_label=versions.language_label,
        autonym=autonym,
        plural_pattern=plural_pattern,
        attribution=contributions.attribution,
    )


def room_papers(room, user):
    return "papers/_room_papers.html", {
        "papers": services.papers_in_room(room, user),
        "contributions": contributions.contributions_in_room(room, user),
        "manages": can(Need.MANAGE, room, user),
        # States Parties and signatories who take part submit national contributions.
        "may_submit": user.delegation.status.takes_part_as_state
        and can(Need.TAKE_PART, room, user),
        "room": room,
    }
