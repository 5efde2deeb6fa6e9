"""No untranslated string slips in: the messages are extracted from the code and templates as
`make messages` does, and every catalogue must translate each of them (no empty or fuzzy entry,
the same placeholders) and keep none that the code no longer has."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from consult.config import ROOT, Config

pytestmark = pytest.mark.i18n

TRANSLATIONS = Path(ROOT) / "consult" / "translations"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "_l": None,
    "lazy_gettext": None,
    "lazy_pgettext": ((1, "c"), 2),
}
METHODS = [("consult/**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdr]|%[sd]|\{[a-z_0-9]*\}")
TRANSLATED = [code for code in Config.LANGUAGES if code != "en"]


@cache
def extracted() -> Catalog:
    """The strings of the code and templates, as `make messages` extracts them (babel.cfg)."""
    catalog = Catalog()
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        catalog.add(message, locations=[(filename, lineno)], context=context)
    return catalog


@cache
def catalogue(code: str) -> Catalog:
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=code)


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def test_the_babel_config_extracts_what_this_test_extracts():
    config = (Path(ROOT) / "babel.cfg").read_text()
    for pattern, method in METHODS:
        assert f"[{method}: {pattern}]" in config
    makefile = (Path(ROOT) / "Makefile").read_text()
    keywords = "-k _l -k lazy_gettext -k ngettext:1,2 -k lazy_pgettext:1c,2"
    assert f"BABEL_KEYWORDS := {keywords}" in makefile
    assert len(extracted()) > 2000  # the whole interface, not an empty walk


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated(code):
    translated = catalogue(code)
    missing, empty, fuzzy = [], [], []
    for message in extracted():
        if not message.id:
            continue
        entry = translated.get(message.id, context=message.context)
        if entry is None:
            missing.append(_key(message))
        elif entry.fuzzy:
            fuzzy.append(_key(message))
        elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            empty.append(_key(message))
    problems = [f"missing from the catalogue: {m!r}" for m in missing]
    problems += [f"not translated: {m!r}" for m in empty]
    problems += [f"fuzzy (check the translation, then drop the flag): {m!r}" for m in fuzzy]
    assert not problems, (
        f"{len(problems)} problems in the {code} catalogue (run `make messages`, then "
        "translate):\n" + "\n".join(problems[:40])
    )


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_catalogue_keeps_a_stale_message(code):
    current = {(_key(m), m.context) for m in extracted() if m.id}
    stale = [_key(m) for m in catalogue(code) if m.id and (_key(m), m.context) not in current]
    stale += [f"(obsolete) {_key(m)}" for m in catalogue(code).obsolete.values()]
    assert not stale, f"the {code} catalogue keeps messages the code no longer has:\n" + "\n".join(
        repr(s) for s in stale[:40]
    )


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders(code):
    wrong = []
    for entry in catalogue(code):
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            got = set(PLACEHOLDER.findall(text))
            # The one-form of a plural may leave the number out ("un commentaire").
            if got != wanted and not (len(ids) > 1 and got <= wanted):
                wrong.append(f"{ids[0]!r}: {sorted(wanted)} -> {text!r}")
    assert not wrong, "\n".join(wrong[:40])


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_is_the_current_one(code):
    """The install step compiles each .po; a .mo older than its .po is a stale build."""
    mo = TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), f"{mo} is missing: `make install` compiles the catalogues"
    with mo.open("rb") as f:
        compiled = read_mo(f)
    source = {(m.id, m.context): m.string for m in catalogue(code) if m.id and not m.fuzzy}
    differing = [k for k, v in source.items() if compiled.get(*k) is None and v]
    assert not differing, f"{mo} is older than its .po: run `make install`"


def test_a_malformed_catalogue_fails_the_build_not_a_page(tmp_path):
    """The install step's own commands (the Makefile's rule: the syntax check, then Babel's
    compile) refuse a catalogue that breaks the syntax or whose translation lost a
    placeholder, so the build stops there."""
    import subprocess
    import sys

    makefile = (Path(ROOT) / "Makefile").read_text()
    assert "$(BIN)/python tools/check_catalogue.py $<" in makefile
    assert "$(BIN)/pybabel compile --statistics -i $< -o $@" in makefile
    pybabel = Path(sys.executable).with_name("pybabel")
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    broken = {
        "placeholder": header
        + '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Bonjour %(nom)s"\n',
        "unterminated": header + 'msgid "Hello"\nmsgstr "Bonjour\n',
        "bare word": header + 'msgid "Hello"\nmsgstr Bonjour\n',
    }
    for name, text in broken.items():
        po = tmp_path / "broken.po"
        po.write_text(text)
        steps = [
            [sys.executable, str(Path(ROOT) / "tools" / "check_catalogue.py"), str(po)],
            [str(pybabel), "compile", "--statistics", "-i", str(po), "-o", str(tmp_path / "x.mo")],
        ]
        codes = [subprocess.run(s, capture_output=True, check=False).returncode for s in steps]
        assert any(codes), f"{name}: the build went through"
    good = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
    check = [sys.executable, str(Path(ROOT) / "tools" / "check_catalogue.py"), str(good)]
    assert subprocess.run(check, check=False).returncode == 0
