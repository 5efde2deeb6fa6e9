"""The interface language: which one a request is answered in, and the switch on every page.

The order of precedence: the language on the signed-in person's profile; else the one chosen
with the switch in this browser (a cookie of its own, so it outlives sign-in and sign-out,
which clear the session); else the browser's own preference; else English. A code that is not
offered falls back to English without an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from babel import Locale
from flask import Response, current_app, has_request_context, request
from flask_babel import LazyString
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


def native_name(code: str) -> str:
    """The language's name in itself ("Français"), as a language switch shows it."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def language_name(code: str, in_language: str | None = None) -> str:
    """The language's name in the reader's language ("French" for an English reader)."""
    from flask_babel import get_locale

    reader = in_language or str(get_locale() or DEFAULT)
    name = Locale.parse(code).get_display_name(reader) or code
    return name[:1].upper() + name[1:]


def later(build: Callable[[], str]) -> LazyString:
    """A value of a lazy message built when the message is read (a label, a date), so that
    a notification is worded in each recipient's language, not in the actor's."""
    return LazyString(build)


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
    return request.accept_languages.best_match(offered()) or DEFAULT


def for_person(person) -> str:
    """The language to write to `person` in when no request is theirs (mail, digests)."""
    return offered_or_default(getattr(person, "language", None)) or DEFAULT


@contextmanager
def writing_to(person) -> Iterator[None]:
    """Word what is built inside in `person`'s chosen language (a mail sent from someone
    else's request); one who chose none yet reads the language of the request that writes."""
    from flask_babel import force_locale

    code = offered_or_default(getattr(person, "language", None))
    if code is None:
        yield
        return
    with force_locale(code):
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
