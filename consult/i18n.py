"""The interface language: which one a request is answered in, and the switch on every page.

The order of precedence: the language on the signed-in person's profile; else the one chosen
with the switch in this browser (a cookie of its own, so it outlives sign-in and sign-out,
which clear the session); else the browser's own preference; else English. A code that is not
offered falls back to English without an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from babel import Locale
from flask import Response, current_app, has_request_context, request
from flask_babel import LazyString, force_locale, gettext
from flask_login import current_user

DEFAULT = "en"
COOKIE = "consult_language"
COOKIE_DAYS = 365


def offered() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def offered_or_default(code: str | None) -> str | None:
    """`code` when it is offered, else None (the caller falls back)."""
    if code and code in offered():
        return code
    return None


@cache
def native_name(code: str) -> str:
    """The language's name in itself ("Français"), as a language switch shows it."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def language_name(code: str, in_language: str | None = None) -> str:
    """The language's name in the reader's language ("French" for an English reader)."""
    return _name_in(code, in_language or current())


@cache
def _name_in(code: str, reader: str) -> str:
    name = Locale.parse(code).get_display_name(reader) or code
    return name[:1].upper() + name[1:]


def later(build: Callable[[], str]) -> LazyString:
    """A value of a lazy message built when the message is read (a label, a date), so that
    a notification is worded in each recipient's language, not in the actor's."""
    return LazyString(build)


def to_message(text: Any) -> dict | None:
    """A lazy message (`_l("...", title=...)`) as data to store, so that a line written once
    is read in each reader's language (`from_message`). None for plain text: it is shown as
    written. Values that are lazy messages themselves (a role's label) are kept the same way;
    other values are stored as they read in English."""
    if not (isinstance(text, LazyString) and text._func is gettext and text._args):
        return None
    return {"id": text._args[0], "params": {k: _value(v) for k, v in text._kwargs.items()}}


def _value(value: Any) -> Any:
    if isinstance(value, (int, float)) or value is None:
        return value
    if (message := to_message(value)) is not None:
        return message
    if isinstance(value, LazyString):
        with force_locale(DEFAULT):
            return str(value)
    return str(value)


def from_message(message: dict) -> str:
    """A stored message in the current language."""
    params = {
        k: from_message(v) if isinstance(v, dict) else v
        for k, v in (message.get("params") or {}).items()
    }
    return gettext(message["id"], **params)


def choices() -> list[tuple[str, str]]:
    return [(code, native_name(code)) for code in offered()]


def chosen_here() -> str | None:
    """The language picked with the switch in this browser, if any."""
    return offered_or_default(request.cookies.get(COOKIE))


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if not has_request_context():  # services run from the CLI and from tests too
        return DEFAULT
    signed_in = current_user and current_user.is_authenticated
    if signed_in and (code := offered_or_default(current_user.language)):
        return code
    if code := chosen_here():
        return code
    return from_browser() or DEFAULT


def from_browser() -> str | None:
    """The first offered language of the browser's list, in its order: "fr-CH, en" is
    French (a regional variant asks for its language before the next one on the list)."""
    for asked, _quality in request.accept_languages:
        if code := offered_or_default(asked.split("-")[0].split("_")[0].lower()):
            return code
    return None


def for_person(person, fallback: str | None = None) -> str:
    """The language to write to `person` in when the words are theirs, not the request's
    (mail, notifications): their profile's; else `fallback`; else English."""
    chosen = offered_or_default(getattr(person, "language", None))
    return chosen or offered_or_default(fallback) or DEFAULT


def current() -> str:
    """This request's language (English outside a request)."""
    from flask_babel import get_locale

    return str(get_locale() or DEFAULT) if has_request_context() else DEFAULT


@contextmanager
def writing_to(person, fallback: str | None = None) -> Iterator[None]:
    """Word what is built inside in `person`'s language (`for_person`): mail, notifications,
    a feed read by their calendar, whoever's request builds them."""
    with force_locale(for_person(person, fallback)):
        yield


def remember(response: Response, code: str) -> Response:
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_DAYS * 86400,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
