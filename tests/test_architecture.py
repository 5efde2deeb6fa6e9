"""The shape of the code: no import cycle between domains, no import kept alive by a trick.

Read from the source with `ast`, so imports inside functions count as much as those at the
top of a module: a cycle hidden in a function body is still a cycle a newcomer has to untangle.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.architecture

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "consult"
DOMAINS = (
    "accounts",
    "rooms",
    "papers",
    "meetings",
    "threads",
    "briefs",
    "notifications",
    "admin",
)


@dataclass(frozen=True)
class Import:
    """One import statement: which module has it, on which line, what it names."""

    module: str
    line: int
    target: str
    text: str


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def node_of(module: str) -> str:
    """A domain package is one node (`consult.rooms`); a core module is its own node."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in DOMAINS:
        return ".".join(parts[:2])
    return module


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    """Every import in the module, wherever it stands, with the consult module it reaches.

    `from consult.rooms import services` reaches `consult.rooms.services`; `from
    consult.rooms.models import Room` reaches `consult.rooms.models`.
    """
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, path, node)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        text = lines[node.lineno - 1].strip()
        for target in targets:
            if target == "consult" or target.startswith("consult."):
                found.append(Import(module, node.lineno, target, text))
    return found


def import_graph() -> dict[tuple[str, str], list[Import]]:
    """Edges between nodes (domain packages and core modules), each with the imports behind it."""
    known = set(modules())
    edges: dict[tuple[str, str], list[Import]] = {}
    for module, path in modules().items():
        for imp in imports_of(module, path, known):
            a, b = node_of(module), node_of(imp.target)
            if a != b:
                edges.setdefault((a, b), []).append(imp)
    return edges


def cycles_between_domains(edges: dict[tuple[str, str], list[Import]]) -> list[list[str]]:
    """Groups of nodes that all reach each other (Tarjan) and hold two domains or more.

    A path through a core module counts: papers -> audit -> accounts -> papers ties papers
    and accounts as surely as a direct import. A core module tied to one domain only (audit
    and accounts, each naming the other) is left alone: it is not a cycle between domains.
    """
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(n: str) -> None:
        index[n] = low[n] = len(index)
        stack.append(n)
        for m in sorted(graph[n]):
            if m not in index:
                visit(m)
                low[n] = min(low[n], low[m])
            elif m in stack:
                low[n] = min(low[n], index[m])
        if low[n] == index[n]:
            group = []
            while True:
                m = stack.pop()
                group.append(m)
                if m == n:
                    break
            if sum(1 for m in group if is_domain(m)) > 1:
                groups.append(sorted(group))

    for n in sorted(graph):
        if n not in index:
            visit(n)
    return groups


def is_domain(node: str) -> bool:
    parts = node.split(".")
    return len(parts) == 2 and parts[1] in DOMAINS


def _path(a: str, b: str, group: set[str], edges: dict[tuple[str, str], list[Import]]) -> list[str]:
    """The shortest path of nodes from a to b inside the group (breadth first)."""
    before = {a: a}
    todo = [a]
    while todo and b not in before:
        nxt = []
        for n in todo:
            for m in sorted(group):
                if (n, m) in edges and m not in before:
                    before[m] = n
                    nxt.append(m)
        todo = nxt
    path = [b]
    while path[-1] != a:
        path.append(before[path[-1]])
    return path[::-1]


def describe(group: list[str], edges: dict[tuple[str, str], list[Import]]) -> str:
    """The shortest cycle through two domains of the group, with the import lines behind each
    step, then how many imports tie the rest of the group."""
    members = set(group)
    domains = [n for n in group if is_domain(n)]
    cycle = min(
        (
            _path(a, b, members, edges) + _path(b, a, members, edges)[1:]
            for a in domains
            for b in domains
            if a < b
        ),
        key=len,
    )
    out = [" -> ".join(cycle)]
    for a, b in zip(cycle, cycle[1:], strict=False):
        seen = set()
        for imp in edges[(a, b)]:
            if (imp.module, imp.line) not in seen:
                seen.add((imp.module, imp.line))
                out.append(f"  {a} -> {b}: {imp.module}:{imp.line}: {imp.text}")
    steps = set(zip(cycle, cycle[1:], strict=False))
    rest = sorted(
        f"{a} -> {b}" for a in group for b in group if (a, b) in edges and (a, b) not in steps
    )
    out.append(f"  the whole group: {', '.join(group)}; other edges inside it: {'; '.join(rest)}")
    return "\n".join(out)


def test_no_import_cycle_between_domains():
    edges = import_graph()
    groups = cycles_between_domains(edges)
    assert not groups, "import cycles between domains:\n" + "\n".join(
        describe(g, edges) for g in groups
    )


def _graph_of(root: Path, files: dict[str, str]) -> dict[tuple[str, str], list[Import]]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    paths = {name_in(root, p): p for p in root.rglob("*.py")}
    edges: dict[tuple[str, str], list[Import]] = {}
    for m, p in paths.items():
        for imp in imports_of(m, p, set(paths)):
            if node_of(m) != node_of(imp.target):
                edges.setdefault((node_of(m), node_of(imp.target)), []).append(imp)
    return edges


def name_in(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


PACKAGES = {
    "consult/__init__.py": "",
    "consult/rooms/__init__.py": "",
    "consult/accounts/__init__.py": "",
    "consult/papers/__init__.py": "",
}


def test_the_walker_sees_in_function_and_relative_imports(tmp_path):
    """The walker itself: an import inside a function and a relative import both count."""
    edges = _graph_of(
        tmp_path,
        PACKAGES
        | {
            "consult/rooms/models.py": "from . import services\n",
            "consult/rooms/services.py": "def f():\n    from consult.accounts.models import U\n",
            "consult/accounts/models.py": "from ..rooms.models import Room\n",
        },
    )
    assert set(edges) == {
        ("consult.rooms", "consult.accounts"),
        ("consult.accounts", "consult.rooms"),
    }
    assert edges[("consult.rooms", "consult.accounts")][0].line == 2
    assert cycles_between_domains(edges) == [["consult.accounts", "consult.rooms"]]


def test_the_walker_follows_cycles_through_core_modules(tmp_path):
    """papers -> audit -> accounts -> papers is a cycle between domains; audit <-> accounts
    alone is not."""
    files = PACKAGES | {
        "consult/audit.py": "from consult.accounts.models import User\n",
        "consult/accounts/models.py": "import consult.audit\n",
        "consult/papers/models.py": "from consult import audit\n",
    }
    assert cycles_between_domains(_graph_of(tmp_path / "a", files)) == []
    files["consult/accounts/services.py"] = "from consult.papers.models import Paper\n"
    assert cycles_between_domains(_graph_of(tmp_path / "b", files)) == [
        ["consult.accounts", "consult.audit", "consult.papers"]
    ]


# ---- imports kept alive by a trick ------------------------------------------------------


def test_no_noqa_f401_in_the_application():
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in modules().values()
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if "noqa: F401" in line or "noqa:F401" in line
    ]
    assert not found, "imports kept alive with noqa: F401:\n" + "\n".join(found)


def _imported_names(tree: ast.Module) -> dict[str, int]:
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                names.setdefault(name, node.lineno)
    return names


def _all_names(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    return None


def _used_names(tree: ast.Module) -> set[str]:
    """Names the module reads anywhere (its `__all__` list aside; strings do not count)."""
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def kept_alive_by_all(path: Path) -> list[str]:
    """Names in `__all__` the module imports and never uses itself."""
    tree = ast.parse(path.read_text())
    exported = _all_names(tree)
    if not exported:
        return []
    imported = _imported_names(tree)
    used = _used_names(tree)
    return [name for name in exported if name in imported and name not in used]


def test_no_all_that_only_keeps_an_import_alive():
    found = [
        f"{path.relative_to(ROOT)}: __all__ lists {', '.join(names)}, imported and never used"
        for path in modules().values()
        if (names := kept_alive_by_all(path))
    ]
    assert not found, "__all__ kept only to keep imports alive:\n" + "\n".join(found)


def test_the_all_check_sees_an_unused_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from x import used, kept\nfrom y import z as alias\n\n"
        "def f():\n    return used()\n\n__all__ = ['f', 'kept', 'used', 'alias']\n"
    )
    assert kept_alive_by_all(module) == ["kept", "alias"]
