"""The package's seams (issue 16): the library never imports the CLI, no module imports another module's
private name (aliases included), and the modules of the package import each other without a cycle.

Every module is read with :mod:`ast`, so the rules hold for imports inside functions too.
"""
from __future__ import annotations

import ast
import re
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
    assert {"greenplan.cli.main", "greenplan.api", "greenplan.network.graph", "greenplan.loaders.structure",
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


def in_cli(name: str) -> bool:
    return name == "greenplan.cli" or name.startswith("greenplan.cli.")


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not in_cli(n)))
def test_the_library_does_not_import_the_cli(name):
    bad = [f"{MODULES[name].name}:{line}" for module, taken, _, line in imports(MODULES[name])
           if in_cli(module) or (module == "greenplan" and taken == "cli")]
    assert bad == []


def test_graph_top_level_keeps_at_most_15_modules():
    """Issue 26: the stages are rooms (subpackages); the top of graph/ holds only what every stage shares."""
    top = sorted(p.name for p in (ROOT / "graph").glob("*.py"))
    assert len(top) <= 15, top
    rooms = {p.name for p in (ROOT / "graph").iterdir() if (p / "__init__.py").is_file()}
    assert {"build", "store", "query", "validate", "network", "export", "web", "cli"} <= rooms


def test_architecture_names_every_module():
    """docs/architecture.md names every module of the package by its path (one sentence each)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [str(path.relative_to(ROOT)) for name, path in MODULES.items()
               if path.name != "__init__.py" and str(path.relative_to(ROOT)) not in text]
    assert missing == []


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


# --- IRIs are minted in one place ---------------------------------------------------------------

STEP = re.compile(r"(^|/)(org|topic|place|plan|graph|dataset|catalog|selector|source|task|project|target|"
                  r"chapter|section|sentence|principle|goal|measure|note|notice|owner)(/|$)")


def built_iris(path: Path) -> list[str]:
    """Expressions that glue a path step of the IRI scheme (``org/``, ``/topic/``, ``dataset`` …) to a
    computed value: an f-string or a ``+`` of a string constant and something else.  A namespace constant
    plus a local name (``DCAT + "dataset"``) names a vocabulary term, not a minted IRI."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.JoinedStr):
            parts = node.values
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            if isinstance(node.left, ast.Name) and node.left.id.isupper():
                continue
            parts = [node.left, node.right]
        else:
            continue
        texts = [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]
        if len(texts) < len(parts) and any(STEP.search(t) for t in texts):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def lines_found(finder, source: str, tmp_path) -> list[str]:
    """The line numbers a finder reports in a sample module."""
    sample = tmp_path / "sample.py"
    sample.write_text(source, encoding="utf-8")
    return [x.split(":")[1] for x in finder(sample)]


def test_the_iri_finder_finds_minted_iris(tmp_path):
    source = ('a = base + "org/x"\nb = f"{record}/topic/{slug}"\nc = f"{site}download/graph.{ext}"\n'
              'd = "org/" + "x"\ne = DCAT + "dataset"\n')
    assert lines_found(built_iris, source, tmp_path) == ["1", "2"]


# Paths built from the document's XPaths and the server's addresses, not IRIs.
NOT_IRIS = {"greenplan.loaders.docx"}


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n != "greenplan.iris" and n not in NOT_IRIS))
def test_iris_are_minted_only_in_iris_py(name):
    assert built_iris(MODULES[name]) == []


# --- every SPARQL text is a file -------------------------------------------------------------------

SPARQL = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b[^\n]*\b(WHERE|\{)|\bPREFIX \w*: <")


def sparql_texts(path: Path) -> list[str]:
    """String constants (f-string parts included) that hold a SPARQL query or its prefixes."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if SPARQL.search(node.value):
                found.append(f"{path.name}:{node.lineno}: {node.value[:60]!r}")
    return found


def test_the_sparql_finder_finds_queries(tmp_path):
    source = ('"""SELECT/ASK answers as a Result."""\nQ = """PREFIX gp: <x#>\\nSELECT ?s WHERE { ?s ?p ?o }"""\n'
              'r = f"SELECT DISTINCT ?x WHERE {{ ?s <{p}> ?x }}"\nmsg = "SELECT or ASK"\n')
    assert lines_found(built_sparql, source, tmp_path) == ["2", "3"]


def built_sparql(path: Path) -> list[str]:
    return sorted(sparql_texts(path), key=lambda x: int(x.split(":")[1]))


# The SHACL engine writes the queries that the shapes' own constraints imply (the texts come from shapes/);
# graph/remote.py's one-line dump query belongs to the remote-client rewrite (another branch).
GENERATED = {"greenplan.validate.shacl", "greenplan.validate.graphdata", "greenplan.store.remote"}
@pytest.mark.parametrize("name", sorted(n for n in MODULES if n not in GENERATED))
def test_every_sparql_text_is_a_file(name):
    assert built_sparql(MODULES[name]) == []


# --- package data ------------------------------------------------------------------------------------

def test_every_package_data_glob_matches_a_file():
    import tomllib

    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {package: ROOT / folder for package, folder in setup["package-dir"].items()}
    empty = [f"{package}: {pattern}" for package, patterns in setup["package-data"].items()
             for pattern in patterns if not [p for p in folders[package].glob(pattern) if p.is_file()]]
    assert empty == []
