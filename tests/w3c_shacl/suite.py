"""The W3C SHACL test suite (core and SPARQL): reading its manifests and comparing reports.

The suite's files are not in this repository: they are W3C data (the W3C Software and Document License, see
README.md beside this file) kept in ``tests/data/w3c-shacl`` (``manifest.ttl``, ``core/`` and ``sparql/`` of
``data-shapes-test-suite/tests``); ``GREENPLAN_W3C_SHACL`` names
another folder.

A test is an ``sht:Validate`` entry of a manifest: ``mf:action`` names a data graph and a shapes graph (in this
suite always the test file itself), ``mf:result`` the expected report, or ``sht:Failure`` when a validator must
refuse the shapes. Reports are compared as the suite asks (its README): ``sh:conforms``, and the results as a
set of (focus node, result path, value, source shape, source constraint component, severity); messages and
other properties are not compared. Blank nodes of focus nodes, values and shapes are those of the test file
(one parse for data, shapes and expected report); a result path is compared by its structure.

``python -m tests.w3c_shacl.suite`` prints the pass count and each failure (``--engine pyshacl``: pySHACL's, on
the same triples, for comparison).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[2]
SH = "http://www.w3.org/ns/shacl#"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
KEYS = ("focusNode", "resultPath", "value", "sourceShape", "sourceConstraintComponent", "resultSeverity")


def suite_dir() -> Path:
    """The suite's folder: $GREENPLAN_W3C_SHACL (e.g. a checkout of w3c/data-shapes' data-shapes-test-suite/tests),
    else the copy kept in tests/data/w3c-shacl (see tests/w3c_shacl/README.md)."""
    env = os.environ.get("GREENPLAN_W3C_SHACL")
    return Path(env) if env else ROOT / "tests" / "data" / "w3c-shacl"


class Index:
    def __init__(self, triples):
        self.triples = list(triples)
        self.spo: dict = {}
        for t in self.triples:
            self.spo.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def objects(self, s, p):
        return self.spo.get(s, {}).get(p, [])

    def one(self, s, p):
        o = self.objects(s, p)
        return o[0] if o else None

    def items(self, head):
        out = []
        while head is not None and head.value != RDF + "nil":
            out.append(self.one(head, RDF + "first"))
            head = self.one(head, RDF + "rest")
        return out


@dataclass
class Case:
    name: str          # e.g. core/node/datatype-001
    file: Path
    label: str
    entry: object      # the manifest entry node
    index: Index       # every triple of the test file

    @property
    def failure_expected(self) -> bool:
        r = self.index.one(self.entry, MF + "result")
        return r is not None and r.value == SHT + "Failure"


def _parse(path: Path) -> list:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()))


def cases(root: Path | None = None) -> list[Case]:
    """Every sht:Validate entry reachable from core/manifest.ttl and sparql/manifest.ttl, in manifest order."""
    root = root or suite_dir()
    out: list[Case] = []

    def visit(path: Path):
        idx = Index(_parse(path))
        me = ox.NamedNode(path.resolve().as_uri())
        for inc in idx.objects(me, MF + "include"):
            visit(Path(inc.value[len("file://"):]))
        for lst in idx.objects(me, MF + "entries"):
            for e in idx.items(lst):
                if ox.NamedNode(SHT + "Validate") in idx.objects(e, RDF + "type"):
                    rel = path.resolve().relative_to(root.resolve()).with_suffix("")
                    name = str(rel.parent / e.value.rsplit("/", 1)[-1])
                    label = (idx.one(e, RDFS + "label") or ox.Literal("")).value
                    out.append(Case(name, path, label, e, idx))

    for part in ("core", "sparql"):
        visit(root / part / "manifest.ttl")
    return out


def graphs(case: Case) -> tuple[list, list]:
    """(data triples, shapes triples) named by the entry's mf:action (each a file of the suite)."""
    idx = case.index
    action = idx.one(case.entry, MF + "action")

    def load(node):
        path = Path(node.value[len("file://"):])
        return idx.triples if path == case.file.resolve() else _parse(path)

    return load(idx.one(action, SHT + "dataGraph")), load(idx.one(action, SHT + "shapesGraph"))


def path_key(index: Index, node):
    """A SHACL path as a nested tuple: blank-node paths compared by structure."""
    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return node.value
    if index.one(node, RDF + "first") is not None:
        return ("seq",) + tuple(path_key(index, p) for p in index.items(node))
    for name in ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
        inner = index.one(node, SH + name)
        if inner is not None:
            return (name, path_key(index, inner))
    alt = index.one(node, SH + "alternativePath")
    if alt is not None:
        return ("alternativePath",) + tuple(path_key(index, p) for p in index.items(alt))
    return ("?", str(node))


def report_key(index: Index, report) -> tuple[bool, list]:
    """(sh:conforms, sorted result tuples) of a validation report held in ``index``."""
    conforms = index.one(report, SH + "conforms")
    rows = []
    for r in index.objects(report, SH + "result"):
        row = []
        for k in KEYS:
            o = index.one(r, SH + k)
            row.append(path_key(index, o) if k == "resultPath" else (None if o is None else str(o)))
        rows.append(tuple(row))
    return (conforms is not None and conforms.value == "true"), sorted(rows, key=repr)


def expected(case: Case) -> tuple[bool, list]:
    return report_key(case.index, case.index.one(case.entry, MF + "result"))


def actual(case: Case, engine: str = "oxigraph") -> tuple[bool, list]:
    """The engine's report on the case, as the triples of the W3C report it writes."""
    from greenplan.validate.report import _pyshacl, report_triples, validate_graphs

    data, shapes = graphs(case)
    report = _pyshacl(shapes, data) if engine == "pyshacl" else validate_graphs(shapes, data)
    triples = report_triples(report)
    idx = Index(triples)
    node = next(t.subject for t in triples if t.predicate.value == RDF + "type" and t.object.value == SH + "ValidationReport")
    return report_key(idx, node)


def run(case: Case, engine: str = "oxigraph") -> tuple[bool, str]:
    """(passed, why not)."""
    from greenplan.errors import GreenplanError

    refusals = (GreenplanError,) if engine == "oxigraph" else (Exception,)
    if case.failure_expected:
        try:
            actual(case, engine)
        except refusals as e:
            return True, str(e)
        return False, "expected a refusal (sht:Failure), the engine validated"
    try:
        got = actual(case, engine)
    except refusals as e:
        return False, f"refused: {e}"
    want = expected(case)
    if got == want:
        return True, ""
    lines = [f"conforms: expected {want[0]}, got {got[0]}"]
    lines += [f"  missing {r}" for r in want[1] if r not in got[1]]
    lines += [f"  extra   {r}" for r in got[1] if r not in want[1]]
    return False, "\n".join(lines)


def main() -> int:
    """``python -m tests.w3c_shacl.suite [--engine pyshacl]``."""
    engine = sys.argv[2] if sys.argv[1:2] == ["--engine"] else "oxigraph"
    all_cases = cases()
    passed = 0
    for c in all_cases:
        ok, why = run(c, engine)
        passed += ok
        if not ok:
            print(f"FAIL {c.name}: {c.label}\n  " + why.replace("\n", "\n  "))
    print(f"{passed}/{len(all_cases)} passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
