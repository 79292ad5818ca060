"""Validation against the SHACL shapes of ``shapes/`` (``greenplan validate``).

``validate(store)`` returns ``(conforms, report_graph, report_text)`` like pySHACL, except that
``conforms`` is False only for violations: warnings (e.g. a project without 建设单位, a body sentence
no task carries) and info (suspected misprints) are findings a reader should see, not failures.

The data graph is every quad of the store (plan graphs and ontology graphs) as an rdflib Dataset whose
default graph is the union, so the vocabulary shape can tell a plan's graph from the ontology's.
The shapes graph is every ``shapes/*.ttl`` file; the misprint shape's placeholder group is replaced by
the patterns of the reviewed data file ``shapes/misprints.tsv``.

The text report groups results by severity, then by node in document order, and names each node the
way a reader finds it in the document (``项目 11 广东湛江临港大型产业集聚区建设项目``, ``任务 59 …``,
``第（五）节 第3句``) with its source lines — never a bare IRI. Labels and lines come from the store by
SPARQL.

rdflib and pyshacl are imported inside functions: the query path never loads them.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

GPS = "https://w3id.org/greenplan/shapes#"
SH = "http://www.w3.org/ns/shacl#"
SEVERITIES = ("Violation", "Warning", "Info")
HEADINGS = {"Violation": "违规 / Violations", "Warning": "警告 / Warnings", "Info": "提示 / Info"}
MISPRINT_PLACEHOLDER = '{ BIND ("" AS ?value) BIND ("" AS ?reading) BIND ("" AS ?note) FILTER (false) }'
MISPRINTS_FILE = "misprints.tsv"
# A result on one of these paths also shows the cell as printed (the loader keeps it when it cannot read it).
AS_PRINTED = {
    "investment": "investmentAsPrinted",
    "startYear": "yearsAsPrinted",
    "endYear": "yearsAsPrinted",
    "responsibleBody": "ownersAsPrinted",
    "ownership": "ownersAsPrinted",
    "leadBureau": "leadAsPrinted",
}


@dataclass
class Finding:
    """One validation result, with the node named for a reader."""
    severity: str           # Violation | Warning | Info
    node: str               # focus node IRI
    name: str               # how a reader finds the node in the document
    line: str               # "line 12" / "lines 12-14" / ""
    message: str            # zh / en
    shape: str              # local name of the source shape
    path: str | None        # local name of the result path, if any
    value: str | None       # the value node, as text
    sort_key: tuple


# --- shapes -----------------------------------------------------------------

def shape_files() -> list[Path]:
    from greenplan.resources import folder

    return sorted(folder("shapes").glob("*.ttl"))


def misprint_rows() -> list[tuple[str, str, str]]:
    """(misprint, reading, note) rows of ``shapes/misprints.tsv`` (comments and header skipped)."""
    from greenplan.resources import folder

    path = folder("shapes") / MISPRINTS_FILE
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("misprint\t"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or not all(c.strip() for c in cells):
            raise ValueError(f"{path}:{n}: expected three tab-separated cells (misprint, reading, note), "
                             f"found {line!r}")
        rows.append(tuple(c.strip() for c in cells))
    return rows


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def shapes_graph():
    """Every shapes/*.ttl file in one rdflib Graph, the misprint patterns filled in."""
    import rdflib

    g = rdflib.Graph()
    for path in shape_files():
        g.parse(path, format="turtle")
    groups = " UNION ".join(
        f"{{ BIND ({_sparql_string(m)} AS ?value) BIND ({_sparql_string(r)} AS ?reading) "
        f"BIND ({_sparql_string(n)} AS ?note) }}" for m, r, n in misprint_rows())
    select = rdflib.URIRef(SH + "select")
    for s, o in list(g.subject_objects(select)):
        if MISPRINT_PLACEHOLDER in str(o) and groups:
            g.set((s, select, rdflib.Literal(str(o).replace(MISPRINT_PLACEHOLDER, groups))))
    return g


def reporting_shapes(graph=None) -> list[str]:
    """IRIs of the shapes that report results (those with an sh:message), sorted."""
    import rdflib

    graph = graph if graph is not None else shapes_graph()
    return sorted({str(s) for s in graph.subjects(rdflib.URIRef(SH + "message"), None)
                   if isinstance(s, rdflib.URIRef)})


# --- data -------------------------------------------------------------------

def dataset_from_nquads(data: bytes | str):
    """An rdflib Dataset (default graph = union of the named graphs) from N-Quads text."""
    import rdflib

    import warnings

    ds = rdflib.Dataset(default_union=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ds.parse(data=data, format="nquads")
    return ds


def store_dataset(store):
    """Every quad of the store (plan graphs and ontology graphs) as an rdflib Dataset."""
    import pyoxigraph as ox

    return dataset_from_nquads(ox.serialize(store.quads(), format=ox.RdfFormat.N_QUADS))


def run_shapes(dataset):
    """pySHACL on a dataset with the shapes of shapes/: (no violations?, report graph)."""
    import warnings

    from pyshacl import validate as shacl

    with warnings.catch_warnings():  # rdflib 7 warns about its own ConjunctiveGraph/Dataset internals
        warnings.simplefilter("ignore", DeprecationWarning)
        _conforms, report, _text = shacl(dataset, shacl_graph=shapes_graph(), advanced=True,
                                        allow_warnings=True, allow_infos=True, inference="none")
    if not hasattr(report, "serialize"):  # pySHACL returns a ValidationFailure for a broken shape
        raise RuntimeError(f"the shapes in shapes/ cannot be run: {report}")
    _tag_messages(report)
    return not _has_violation(report), report


def _tag_messages(report) -> None:
    """pySHACL drops the language tag of SPARQL-based messages when it fills in {?var}; put it back.

    Every zh message of shapes/ starts with a Chinese character, every en message with a Latin letter.
    """
    import rdflib

    msg = rdflib.URIRef(SH + "resultMessage")
    for s, o in list(report.subject_objects(msg)):
        if isinstance(o, rdflib.Literal) and not o.language:
            lang = "en" if str(o)[:1].isascii() else "zh"
            report.remove((s, msg, o))
            report.add((s, msg, rdflib.Literal(str(o), lang=lang)))


def _has_violation(report) -> bool:
    import rdflib

    return (None, rdflib.URIRef(SH + "resultSeverity"), rdflib.URIRef(SH + "Violation")) in report


# --- naming nodes for readers ------------------------------------------------

DIGITS = "零一二三四五六七八九"


def zh_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 30 → 三十, 99 → 九十九 (section and chapter numbers as printed)."""
    if n < 10:
        return DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")
    return str(n)


NAMES_QUERY = """
PREFIX gp: <https://w3id.org/greenplan/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?node ?kind ?number ?label ?secpos ?first ?last WHERE {
  GRAPH ?g {
    { ?node a gp:Task ; gp:number ?number ; gp:text ?label . BIND("task" AS ?kind) }
    UNION { ?node a gp:Project ; gp:number ?number ; gp:name ?label . BIND("project" AS ?kind) }
    UNION { ?node a gp:Sentence ; gp:position ?number ; gp:section/gp:position ?secpos .
            BIND("" AS ?label) BIND("sentence" AS ?kind) }
    UNION { ?node a gp:Section ; gp:position ?number ; gp:title ?label . BIND("section" AS ?kind) }
    UNION { ?node a gp:Chapter ; gp:position ?number ; gp:title ?label . BIND("chapter" AS ?kind) }
    UNION { ?node a gp:Measure ; gp:position ?number ; gp:title ?label . BIND("measure" AS ?kind) }
    UNION { ?node a gp:Target ; gp:position ?number ; gp:indicator ?label . BIND("target" AS ?kind) }
    UNION { ?node a gp:Goal ; gp:position ?number ; gp:targetYear ?y . FILTER NOT EXISTS { ?node a gp:Target }
            BIND(STR(?y) AS ?label) BIND("goal" AS ?kind) }
    UNION { ?node a gp:Principle ; gp:position ?number ; gp:principleName ?label . BIND("principle" AS ?kind) }
    UNION { ?node a gp:Note ; gp:position ?number ; gp:text ?label . BIND("note" AS ?kind) }
    UNION { ?node a gp:Plan ; dcterms:title ?label . FILTER(LANG(?label) = "zh") BIND("plan" AS ?kind) }
    OPTIONAL { ?node prov:wasDerivedFrom ?span . ?span gp:firstLine ?first ; gp:lastLine ?last }
  }
}
"""
ORG_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?node ?label WHERE { GRAPH ?g { ?node skos:prefLabel ?label . FILTER(LANG(?label) = "zh") } }
"""
AS_PRINTED_QUERY = """
PREFIX gp: <https://w3id.org/greenplan/ontology#>
SELECT ?node ?p ?value WHERE { GRAPH ?g { ?node ?p ?value .
  FILTER(?p IN (gp:investmentAsPrinted, gp:yearsAsPrinted, gp:ownersAsPrinted, gp:leadAsPrinted)) } }
"""
KIND_ORDER = ("plan", "chapter", "section", "sentence", "principle", "goal", "target", "measure", "task",
              "project", "note", "org", "other")


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


# How a reader names each kind of node (numeral: the Chinese numeral of a section or chapter number).
NODE_NAMES = {
    "task": "任务 {n} {short}", "project": "项目 {n} {label}", "sentence": "第（{numeral}）节 第{n}句",
    "section": "第（{numeral}）节 {label}", "chapter": "第{numeral}章 {label}", "measure": "主要任务 {n} {label}",
    "target": "指标 {n} {label}", "goal": "目标 {n}（{label}年）", "principle": "基本原则 {n} {label}",
    "note": "附注 {n} {short}", "plan": "规划 {label}", "org": "单位 {label}",
}
NUMERAL_KINDS = {"sentence", "section", "chapter"}


class Namer:
    """Names nodes the way a reader finds them in the document, from the store's labels and lines."""

    def __init__(self, store):
        self.nodes: dict[str, dict] = {}
        for row in store.run(NAMES_QUERY).dicts():
            self.nodes.setdefault(row["node"], row)
        for row in store.run(ORG_QUERY).dicts():
            self.nodes.setdefault(row["node"], {"kind": "org", "label": row["label"], "number": None})
        self.printed: dict[tuple[str, str], str] = {}
        for row in store.run(AS_PRINTED_QUERY).dicts():
            self.printed[(row["node"], row["p"].rsplit("#", 1)[-1])] = row["value"]

    def name(self, iri: str) -> str:
        r = self.nodes.get(iri)
        if r is None:
            return _fallback(iri)
        kind, n, label = r["kind"], r.get("number"), r.get("label") or ""
        numeral = zh_numeral(int(r["secpos"] if kind == "sentence" else n)) if kind in NUMERAL_KINDS else ""
        return NODE_NAMES.get(kind, NODE_NAMES["org"]).format(n=n, label=label, short=_short(label), numeral=numeral)

    def line(self, iri: str) -> str:
        r = self.nodes.get(iri) or {}
        first, last = r.get("first"), r.get("last")
        if first is None:
            return ""
        return f"line {first}" if first == last else f"lines {first}-{last}"

    def sort_key(self, iri: str) -> tuple:
        r = self.nodes.get(iri) or {}
        kind = r.get("kind", "other")
        first = r.get("first")
        return (0 if first is not None else 1, first or 0, KIND_ORDER.index(kind), r.get("number") or 0, iri)

    def as_printed(self, iri: str, path: str | None) -> str | None:
        prop = AS_PRINTED.get(path or "")
        return None if prop is None else self.printed.get((iri, prop))


def _fallback(iri: str) -> str:
    """A node the store cannot label: its last path segments, never the whole IRI."""
    tail = iri.rstrip("/").rsplit("#", 1)[-1]
    parts = tail.split("/")
    return "/".join(parts[-2:]) if len(parts) > 1 else tail


def _local(term) -> str | None:
    if term is None:
        return None
    s = str(term)
    return s.rsplit("#", 1)[-1] if "#" in s else s.rsplit("/", 1)[-1]


def findings(report, namer: Namer | None) -> list[Finding]:
    """The results of a SHACL report graph as findings, sorted by severity then document order."""
    import rdflib

    def one(s, p):
        return report.value(s, rdflib.URIRef(SH + p))

    out = []
    for r in report.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")):
        focus = str(one(r, "focusNode"))
        severity = _local(one(r, "resultSeverity"))
        path_term = one(r, "resultPath")
        path = _local(path_term) if isinstance(path_term, rdflib.URIRef) else None
        msgs = {m.language: str(m) for m in report.objects(r, rdflib.URIRef(SH + "resultMessage"))}
        message = " / ".join(msgs[k] for k in ("zh", "en") if k in msgs) or " / ".join(sorted(msgs.values()))
        printed = namer.as_printed(focus, path) if namer else None
        if printed is not None:
            message += f" (原文 / as printed: 「{printed}」)"
        value = one(r, "value")
        name = namer.name(focus) if namer else _fallback(focus)
        line = namer.line(focus) if namer else ""
        key = (SEVERITIES.index(severity) if severity in SEVERITIES else 9,
               namer.sort_key(focus) if namer else (focus,), message)
        out.append(Finding(severity, focus, name, line, message, _local(one(r, "sourceShape")) or "",
                           path, None if value is None else str(value), key))
    return sorted(out, key=lambda f: f.sort_key)


def text_report(found: list[Finding]) -> str:
    counts = {s: sum(1 for f in found if f.severity == s) for s in SEVERITIES}
    lines = [f"{counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} info"]
    for sev in SEVERITIES:
        group = [f for f in found if f.severity == sev]
        if not group:
            continue
        lines.append("")
        lines.append(f"{HEADINGS[sev]} ({len(group)})")
        for f in group:
            lines.append(f"  {f.name} — {f.message}" + (f"; {f.line}" if f.line else ""))
    return "\n".join(lines) + "\n"


# --- library ------------------------------------------------------------------

def validate(store):
    """Validate the store's graphs against shapes/: ``(conforms, report_graph, report_text)``.

    ``conforms`` is False only when there is a violation.
    """
    conforms, report = run_shapes(store_dataset(store))
    return conforms, report, text_report(findings(report, Namer(store)))


# --- command line -------------------------------------------------------------

def _table(found: list[Finding]) -> str:
    import pyoxigraph as ox

    from greenplan.results import Result, render

    rows = [[ox.Literal(x) for x in (f.severity, f.name, f.line, f.message, f.shape)] for f in found]
    return render(Result(["severity", "node", "line", "message", "shape"], rows), "table", max_width=80)


def _json(found: list[Finding]) -> str:
    keys = ("severity", "name", "line", "message", "shape", "path", "value", "node")
    return json.dumps([{k: getattr(f, k) for k in keys} for f in found], ensure_ascii=False, indent=2) + "\n"


def turtle(report) -> str:
    """The SHACL validation report as Turtle, byte-stable across runs (blank nodes labelled canonically)."""
    import rdflib
    from rdflib.compare import to_canonical_graph

    out = rdflib.Graph(bind_namespaces="none")
    for prefix in ("sh", "gp", "gps", "xsd"):
        out.bind(prefix, {"sh": SH, "gp": "https://w3id.org/greenplan/ontology#", "gps": GPS,
                          "xsd": "http://www.w3.org/2001/XMLSchema#"}[prefix])
    for t in to_canonical_graph(report):
        out.add(t)
    return out.serialize(format="turtle")


def main(args) -> int:
    from greenplan.cli import _open

    store = _open(args)
    conforms, report, text = validate(store)
    fmt = getattr(args, "format", "text")
    if fmt == "turtle":
        out = turtle(report)
    elif fmt == "text":
        out = text
    else:
        found = findings(report, Namer(store))
        out = _table(found) if fmt == "table" else _json(found)
    sys.stdout.write(out)
    return 0 if conforms else 1
