"""Rendered fragments kept by what they show: the one cache mechanism of consult.

Why: the same fragment (a meeting's live panel, a paper's text block, a room's section) is
rendered identically for many readers; rendering it once per version, language and class of
reader is the lever for pages and for the live fan-out.

Correctness rests on the key, never on invalidation messages: a key holds the database version
of what the fragment shows (a meeting's `version`, a revision's id and its comments' latest
change ...), the class of reader it was rendered for (what that reader may see, and whether the
Chatham House Rule hides names from them) and the language, which is added here. The write that
changes what a fragment holds changes its key, so the old entry is never read again and ages
out; another worker reads the same version from the same database, so no worker serves an old
copy and nothing needs to travel between workers. Entries are bounded per cache (least recently
used goes first) and belong to one app (so two test apps on two databases never share one).

Every cache is declared once, by the module that owns it (`declare`); a second owner is an
error. `CONSULT_FRAGMENT_CACHE = False` turns every cache off (each call renders), which is how
the tests compare a cached fragment with a fresh one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

_APP_KEY = "consult.fragments"


@dataclass(frozen=True)
class Declared:
    name: str
    owner: str  # the module that builds the fragments and chooses their key
    max_entries: int
    why: str


#: name -> declaration, for the whole process (the declarations are code, not data).
DECLARED: dict[str, Declared] = {}


def declare(name: str, owner: str, max_entries: int, why: str) -> Declared:
    """Declare the cache `name`, owned by the module `owner` (pass `__name__`)."""
    known = DECLARED.get(name)
    if known is not None and known.owner != owner:
        raise ValueError(f"cache {name!r} already belongs to {known.owner}, not {owner}")
    DECLARED[name] = declared = Declared(name, owner, max_entries, why)
    return declared


@dataclass
class Store:
    """One cache's entries in one app: bounded, least recently used first out."""

    max_entries: int
    entries: OrderedDict = field(default_factory=OrderedDict)
    hits: int = 0
    misses: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Hashable) -> object | None:
        with self.lock:
            value = self.entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: object) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)


def store(declared: Declared) -> Store:
    """This app's entries of a declared cache."""
    stores = current_app.extensions.setdefault(_APP_KEY, {})
    found = stores.get(declared.name)
    if found is None:
        found = stores[declared.name] = Store(max_entries=declared.max_entries)
    return found


def enabled() -> bool:
    return bool(current_app.config.get("FRAGMENT_CACHE", True))


def fragment(declared: Declared, key: tuple, build: Callable[[], Markup]) -> Markup:
    """The fragment for `key` in the current language: kept, or built now and kept.

    `build` returns rendered template output (Markup): only what was already safe is kept.
    """
    if not enabled():
        return build()
    full = (*key, str(get_locale() or "en"))
    entries = store(declared)
    kept = entries.get(full)
    if kept is None:
        kept = build()
        if not isinstance(kept, Markup):
            raise TypeError("a cached fragment must be rendered template output (Markup)")
        entries.put(full, kept)
    return kept


def value(declared: Declared, key: tuple, build: Callable[[], object]) -> object:
    """Like `fragment` for a computed value that is not HTML and not language-bound."""
    if not enabled():
        return build()
    entries = store(declared)
    found = entries.get(key)
    if found is None:
        found = build()
        entries.put(key, found)
    return found


def stats() -> dict[str, tuple[int, int, int]]:
    """name -> (entries, hits, misses) in this app: for benchmarks and tests."""
    return {
        name: (len(s.entries), s.hits, s.misses)
        for name, s in current_app.extensions.get(_APP_KEY, {}).items()
    }
