"""The interface's words in a language, from its compiled catalogue: browser tests that click
through French or Spanish pages follow the translation, whatever words the translators chose."""

from __future__ import annotations

from functools import cache

from babel.support import Translations

from consult.config import ROOT


@cache
def _catalogue(language: str) -> Translations:
    return Translations.load(str(ROOT / "consult" / "translations"), [language])


def words(language: str, message: str, **values) -> str:
    text = _catalogue(language).gettext(message)
    if language != "en":  # English is the source: its words are the messages themselves
        assert text != message or not message[:1].isalpha(), f"no {language} for {message!r}"
    return text % values if values else text


def sign_in_in(page, language: str, who: str) -> None:
    """Sign in through the form as it reads in `language` (the page already shows it), as
    `conftest.sign_in` does in English: with the second factor for someone the confidential
    tests enrolled earlier in this browser session."""
    from tests.browser.conftest import DEMO_PASSWORD, ENROLLED, demo_email, second_factor_code

    page.get_by_label(words(language, "E-mail")).fill(demo_email(who))
    page.get_by_label(words(language, "Password"), exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=words(language, "Sign in")).click()
    page.wait_for_url(lambda url: "/sign-in" not in url or "/sign-in/two-factor" in url)
    if "/sign-in/two-factor" in page.url and demo_email(who) in ENROLLED:
        label = words(language, "Code from your authenticator app, or a recovery code")
        page.get_by_label(label).fill(second_factor_code(who))
        page.get_by_role("button", name=words(language, "Continue")).click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
