"""A pytest plugin for `make mutants` only: the fast rule tests run first.

mutmut stops a mutant's run at the first failing test (`-x`) and hands pytest its tests in no
particular order; starting with tests/test_policy_rules.py (a second per access level) kills
most mutants before any slower test of the authorisation table runs.
"""

from __future__ import annotations


def pytest_collection_modifyitems(items: list) -> None:
    items.sort(key=lambda item: 0 if "test_policy_rules" in item.nodeid else 1)
