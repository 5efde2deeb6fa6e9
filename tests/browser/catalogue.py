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
    assert text != message or not message[:1].isalpha(), f"no {language} for {message!r}"
    return text % values if values else text
