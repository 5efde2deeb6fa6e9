"""Refuse a malformed catalogue before it is compiled: `python tools/check_catalogue.py X.po`.

Babel's reader (and polib's) accept an unterminated string or a bare word and compile what
they guessed, so a broken .po would reach the pages; GNU msgfmt, which is strict, is not on a
bare machine. The PO syntax is small: every line is blank, a comment, a keyword with one
quoted string, or a quoted continuation. Placeholder errors are `pybabel compile`'s to find.
"""

from __future__ import annotations

import re
import sys

_STRING = r'"(?:[^"\\]|\\[\\"abfnrtv0-7xu])*"'
_LINE = re.compile(
    rf"^(?:(?:#~ )?(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\]) {_STRING}"
    rf"|(?:#~ )?{_STRING}|#.*|)\s*$"
)


def problems(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    return [f"{path}:{n}: {line!r}" for n, line in enumerate(lines, 1) if not _LINE.match(line)]


def main(paths: list[str]) -> int:
    found = [p for path in paths for p in problems(path)]
    for problem in found:
        print(f"malformed line: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
