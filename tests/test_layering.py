"""The package's seams (issue 16): the library never imports the CLI, no module imports another module's
private name (aliases included), and the modules of the package import each other without a cycle.

Every module is read with :mod:`ast`, so the rules hold for imports inside functions too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"greenplan": ROOT / "graph", "greenplan.loaders": ROOT / "loaders"}


def modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            if "static" in path.parts:
                continue
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


MODULES = modules()


def imports(path: Path) -> list[tuple[str, str | None, str | None, int]]:
    """(module imported, name taken from it or None, alias or None, line) for every import in the file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, None, a.asname, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out += [(node.module, a.name, a.asname, node.lineno) for a in node.names]
    return out


def ours(name: str) -> bool:
    return name == "greenplan" or name.startswith("greenplan.")


def test_the_walk_sees_the_package():
    assert {"greenplan.cli", "greenplan.api", "greenplan.network", "greenplan.loaders.structure",
            "greenplan.web.worker"} <= set(MODULES)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_private_name_of_another_module(name):
    bad = []
    for module, taken, alias, line in imports(MODULES[name]):
        if not ours(module):
            continue
        if taken is not None and taken.startswith("_") and taken != "__version__":
            bad.append(f"{MODULES[name].name}:{line}: from {module} import {taken}")
        if alias is not None and alias.startswith("_"):
            bad.append(f"{MODULES[name].name}:{line}: import … as {alias}")
    assert bad == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n != "greenplan.cli"))
def test_the_library_does_not_import_the_cli(name):
    bad = [f"{MODULES[name].name}:{line}" for module, taken, _, line in imports(MODULES[name])
           if module == "greenplan.cli" or (module == "greenplan" and taken == "cli")]
    assert bad == []


def graph() -> dict[str, set[str]]:
    edges = {}
    for name, path in MODULES.items():
        targets = set()
        for module, taken, _, _ in imports(path):
            if not ours(module):
                continue
            if taken is not None and f"{module}.{taken}" in MODULES:
                targets.add(f"{module}.{taken}")
            elif module in MODULES:
                targets.add(module)
        edges[name] = targets - {name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_modules_import_each_other_without_a_cycle():
    # A package's __init__ is imported by each of its modules; a package importing its own modules lazily is
    # the lazy-export pattern, not a cycle of the library's logic.
    edges = {n: {t for t in ts if not (n in PACKAGES and t.startswith(n + "."))} for n, ts in graph().items()}
    edges = {n: {t for t in ts if t not in PACKAGES or not n.startswith(t + ".")} for n, ts in edges.items()}
    assert cycles(edges) == []
