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
SPARQL: a node the graph labels (skos:prefLabel, rdfs:label) is named by that label (:data:`NODE_NAMES`).

Two engines give the same results: the default runs the shapes on Oxigraph (:mod:`greenplan.validate.shacl`,
no rdflib), ``--engine pyshacl`` runs pySHACL on an rdflib copy of the data. rdflib and pyshacl are
imported inside functions: neither the query path nor the default validation loads them.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greenplan.resources import misprint_rows, query_text
from greenplan.validate.shacl import SH
from greenplan.vocab import GP, PREFIXES, local_name

GPS = "https://w3id.org/greenplan/shapes#"
SEVERITIES = ("Violation", "Warning", "Info")
HEADINGS = {"Violation": "违规 / Violations", "Warning": "警告 / Warnings", "Info": "提示 / Info"}
MISPRINT_PLACEHOLDER = '{ BIND ("" AS ?value) BIND ("" AS ?reading) BIND ("" AS ?note) FILTER (false) }'
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
    line: str               # where: "line 12", "paragraph 14", "table 1 row 21", "page 3", "分工!A3:E3" … or ""
    message: str            # zh / en
    shape: str              # local name of the source shape
    path: str | None        # local name of the result path, if any
    value: str | None       # the value node, as text
    sort_key: tuple
    exact: str = ""         # every coordinate: lines, the full XPath or fragment, the URL (--verbose)


# --- shapes -----------------------------------------------------------------

def shape_files() -> list[Path]:
    from greenplan.resources import folder

    return sorted(folder("shapes").glob("*.ttl"))


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _misprint_groups() -> str:
    return " UNION ".join(
        f"{{ BIND ({_sparql_string(m)} AS ?value) BIND ({_sparql_string(r)} AS ?reading) "
        f"BIND ({_sparql_string(n)} AS ?note) }}" for m, r, n in misprint_rows())


def shapes_graph():
    """Every shapes/*.ttl file in one rdflib Graph, the misprint patterns filled in (for pySHACL)."""
    import rdflib

    g = rdflib.Graph()
    for path in shape_files():
        g.parse(path, format="turtle")
    groups = _misprint_groups()
    select = rdflib.URIRef(SH + "select")
    for s, o in list(g.subject_objects(select)):
        if MISPRINT_PLACEHOLDER in str(o) and groups:
            g.set((s, select, rdflib.Literal(str(o).replace(MISPRINT_PLACEHOLDER, groups))))
    return g


@functools.lru_cache(maxsize=1)
def shapes():
    """Every shapes/*.ttl file as :class:`greenplan.validate.shacl.Shapes`, the misprint patterns filled in.

    Read once per process, so that the blank nodes of complex paths in results are those of the index.
    """
    import pyoxigraph as ox

    from greenplan.validate.shacl import Shapes

    groups = _misprint_groups()
    triples = []
    for path in shape_files():
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == SH + "select" and MISPRINT_PLACEHOLDER in t.object.value and groups:
                t = ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value.replace(MISPRINT_PLACEHOLDER, groups)))
            triples.append(t)
    return Shapes(triples)


def reporting_shapes(graph=None) -> list[str]:
    """IRIs of the shapes that report results (those with an sh:message), sorted."""
    import pyoxigraph as ox

    graph = graph if graph is not None else shapes()
    return sorted({s.value for s, props in graph.index.items()
                   if SH + "message" in props and isinstance(s, ox.NamedNode)})


# --- data -------------------------------------------------------------------

def dataset_from_nquads(data: bytes | str):
    """An rdflib Dataset (default graph = union of the named graphs) from N-Quads text."""
    import warnings

    import rdflib

    ds = rdflib.Dataset(default_union=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ds.parse(data=data, format="nquads")
    return ds


def store_dataset(store):
    """Every quad of the store (plan graphs and ontology graphs) as an rdflib Dataset."""
    import pyoxigraph as ox

    from greenplan.quads import to_bytes

    return dataset_from_nquads(to_bytes(store.quads(), ox.RdfFormat.N_QUADS))


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
    return not _has_violation(report), report


def _has_violation(report) -> bool:
    import rdflib

    return (None, rdflib.URIRef(SH + "resultSeverity"), rdflib.URIRef(SH + "Violation")) in report


def report_results(report) -> list:
    """The results of a pySHACL report graph (:func:`greenplan.validate.report.pyshacl_results`), the language
    tags pySHACL drops from SPARQL-based messages put back: every zh message of shapes/ starts with a Chinese
    character, every en message with a Latin letter."""
    from greenplan.validate.report import pyshacl_results

    out = pyshacl_results(report)
    for r in out:
        r.messages = tuple(sorted((lang or ("en" if text[:1].isascii() else "zh"), text) for lang, text in r.messages))
    return sorted(out, key=lambda x: x.key())


def results(store, engine: str = "oxigraph") -> list:
    """Every validation result on the store's graphs, by the fast engine or by pySHACL."""
    if engine == "pyshacl":
        return report_results(run_shapes(store_dataset(store))[1])
    from greenplan.validate.shacl import Engine

    return Engine(shapes(), store.ox).run()   # refuses by name what it does not implement (Unsupported)


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


KIND_ORDER = ("plan", "chapter", "section", "sentence", "principle", "goal", "target", "measure", "task",
              "project", "note", "org", "labelled", "other")


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


# How a reader names each kind of node. {label}: the node's label in the graph (skos:prefLabel, rdfs:label: a task's
# 任务 12, a project's name, a body's name) where it has one, else UNLABELLED's for the kind (default {text});
# {text}: the node's own words (a task's text, a title, a name, an indicator, a goal's year), {short} their first 24
# characters; {numeral}: the Chinese numeral of a section or chapter number. "org": a labelled organisation (an
# org:Organization, or a party of a task or project), "labelled": any other node the graph labels (a place, a concept …).
NODE_NAMES = {
    "task": "{label} {short}", "project": "项目 {n} {label}", "sentence": "第（{numeral}）节 第{n}句",
    "section": "第（{numeral}）节 {label}", "chapter": "第{numeral}章 {label}", "measure": "主要任务 {n} {label}",
    "target": "指标 {n} {label}", "goal": "目标 {n}（{text}年）", "principle": "基本原则 {n} {label}",
    "note": "附注 {n} {short}", "plan": "规划 {label}", "org": "单位 {label}", "labelled": "{label}",
}
UNLABELLED = {"task": "任务 {n}"}
NUMERAL_KINDS = {"sentence", "section", "chapter"}
# Which of a node's labels names it: Chinese before English before untagged before any other language, then
# skos:prefLabel before rdfs:label, then the first in code-point order.
LABEL_LANGUAGES = ("zh", "en", "")
LABEL_PROPERTIES = (PREFIXES["skos"] + "prefLabel", PREFIXES["rdfs"] + "label")


def _label_key(row: dict) -> tuple:
    lang = (row.get("lang") or "").lower()
    return (LABEL_LANGUAGES.index(lang) if lang in LABEL_LANGUAGES else len(LABEL_LANGUAGES),
            LABEL_PROPERTIES.index(row["p"]), row["label"])


class Namer:
    """Names nodes the way a reader finds them in the document, from the store's labels and lines."""

    def __init__(self, store, nodes=None):
        """``nodes``: the IRIs to be named (default: every node of the store)."""
        import pyoxigraph as ox

        from greenplan.query.sparqltext import with_values

        iris = None if nodes is None else [ox.NamedNode(n) for n in sorted(set(nodes)) if "://" in n]

        def run(query: str):
            return store.run(query if iris is None else with_values(query, "node", iris)).dicts()

        labels: dict[str, dict] = {}                    # node → its label row (see _label_key)
        for row in run(query_text("validate/labels")):
            if row["node"] not in labels or _label_key(row) < _label_key(labels[row["node"]]):
                labels[row["node"]] = row
        self.nodes: dict[str, dict] = {}
        for row in run(query_text("validate/names")):
            self.nodes.setdefault(row["node"], row)
        for node, row in labels.items():
            if node in self.nodes:
                self.nodes[node]["graph_label"] = row["label"]
            else:
                self.nodes[node] = {"kind": "org" if row.get("org") == "true" else "labelled", "label": row["label"],
                                    "graph_label": row["label"], "number": None}
        named: dict[str, tuple[tuple, dict]] = {}       # a body is found where it is first named
        for row in run(query_text("validate/org-lines")):
            key = (row.get("first") is None, row.get("first") or 0, "/source/annex/" in (row.get("doc") or ""),
                   row.get("project") == "true", row.get("number") or 0, row.get("xpath") or row.get("fragment") or "")
            if row["node"] not in named or key < named[row["node"]][0]:
                named[row["node"]] = (key, row)
        for node, (_, row) in named.items():     # a party of a task or project is a body, typed or not
            org = self.nodes.get(node)
            if org is not None and org["kind"] in ("org", "labelled"):
                org["kind"] = "org"
                org.update({k: row.get(k) for k in ("first", "xpath", "fragment", "url", "doc", "file")})
                org["last"] = org["first"]
        self.printed: dict[tuple[str, str], str] = {}
        for row in run(query_text("validate/as-printed")):
            self.printed[(row["node"], local_name(row["p"]))] = row["value"]

    def name(self, iri: str) -> str:
        """The node by its kind's NODE_NAMES, with the graph's label where it has one; a node neither labelled nor
        of a kind the document numbers: its IRI's last segments."""
        r = self.nodes.get(iri)
        if r is None:
            return _fallback(iri)
        n: Any = r.get("number")
        kind, text = r["kind"], r.get("label") or ""
        numeral = zh_numeral(int(r["secpos"] if kind == "sentence" else n)) if kind in NUMERAL_KINDS else ""
        label = r.get("graph_label") or UNLABELLED.get(kind, "{text}").format(n=n, text=text)
        return NODE_NAMES[kind].format(n=n, label=label, text=text, short=_short(text), numeral=numeral)

    def line(self, iri: str) -> str:
        """Where the node is printed, in the terms of its source (:func:`greenplan.loaders.location.place`):
        ``line 12`` in a text, ``paragraph 14`` or ``table 1 row 21`` in a page or Word file, ``page 3`` in a
        PDF, ``分工!A3:E3`` in a spreadsheet; ``of <URL>`` when the source was read from a URL, ``of <file>`` when
        it is an attachment read as an annex (the plan's own file is the one validated)."""
        from greenplan.loaders.location import place

        r = self.nodes.get(iri) or {}
        first, last = r.get("first"), r.get("last")
        if first is None and not r.get("xpath") and not r.get("fragment"):
            return ""
        where = place(r.get("xpath"), r.get("fragment"), first, last)
        if r.get("url"):
            return f"{where} of {r['url']}"
        if r.get("file") and "/source/annex/" in (r.get("doc") or ""):    # an attachment (graph/iris.py source())
            return f"{where} of {r['file']}"
        return where

    def full(self, iri: str) -> str:
        """Every coordinate of where the node is printed (its lines, the full XPath or fragment), for --verbose."""
        r = self.nodes.get(iri) or {}
        first, last = r.get("first"), r.get("last")
        lines = "" if first is None else (f"line {first}" if first == last else f"lines {first}-{last}")
        exact = r.get("xpath") or r.get("fragment")
        return ", ".join(x for x in (lines, exact) if x)

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
    return None if term is None else local_name(term)


def findings(found: list, namer: Namer | None) -> list[Finding]:
    """Validation results as findings, sorted by severity then document order."""
    import pyoxigraph as ox

    out = []
    for r in found:
        focus = r.focus.value
        severity = _local(r.severity) or ""
        path = local_name(r.path.value) if isinstance(r.path, ox.NamedNode) else None
        msgs = dict(r.messages)
        message = " / ".join(msgs[k] for k in ("zh", "en") if k in msgs) or " / ".join(sorted(msgs.values()))
        printed = namer.as_printed(focus, path) if namer else None
        if printed is not None:
            message += f" (原文 / as printed: 「{printed}」)"
        name = namer.name(focus) if namer else _fallback(focus)
        line = namer.line(focus) if namer else ""
        key = (SEVERITIES.index(severity) if severity in SEVERITIES else 9,
               namer.sort_key(focus) if namer else (focus,), message)
        out.append(Finding(severity, focus, name, line, message, _local(r.shape.value) or "",
                           path, None if r.value is None else r.value.value, key,
                           namer.full(focus) if namer else ""))
    return sorted(out, key=lambda f: f.sort_key)


def _one(f: Finding, verbose: bool = False) -> str:
    exact = f" ({f.exact})" if verbose and f.exact else ""
    return f"  {f.name} — {f.message}" + (f"; {f.line}" if f.line else "") + exact


def shape_message(shape: str) -> str:
    """A shape's message with its {?variables} left out (…): what every finding of the shape says."""
    import re

    import pyoxigraph as ox

    props = shapes().index.get(ox.NamedNode(GPS + shape), {})
    msgs = {m.language: m.value for m in props.get(SH + "message", []) if isinstance(m, ox.Literal)}
    text = " / ".join(msgs[k] for k in ("zh", "en") if k in msgs) or shape
    return re.sub(r"\{[?$]\w+\}", "…", text)


def text_report(found: list[Finding], verbose: bool = False) -> str:
    """The findings for a reader: by severity, then one line per shape (its count, what it says, where it
    first occurs), a shape with one finding as that finding; ``verbose``: every finding in document order."""
    counts = {s: sum(1 for f in found if f.severity == s) for s in SEVERITIES}
    lines = [f"{counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} info"]
    for sev in SEVERITIES:
        group = [f for f in found if f.severity == sev]
        if not group:
            continue
        lines.append("")
        lines.append(f"{HEADINGS[sev]} ({len(group)})")
        if verbose:
            lines += [_one(f, True) for f in group]
            continue
        by_shape: dict[str, list[Finding]] = {}
        for f in group:                      # in document order: the first finding of a shape comes first
            by_shape.setdefault(f.shape, []).append(f)
        for shape, fs in by_shape.items():
            if len(fs) == 1:
                lines.append(_one(fs[0]))
                continue
            first = fs[0]
            lines.append(f"  {len(fs)} × {shape_message(shape)} — first: {first.name}"
                         + (f"; {first.line}" if first.line else "") + f" [{shape}]")
        if not verbose and any(len(v) > 1 for v in by_shape.values()):
            lines.append("  (--verbose lists every one)")
    return "\n".join(lines) + "\n"


# --- library ------------------------------------------------------------------

def validate(store, engine: str = "oxigraph", verbose: bool = False):
    """Validate the store's graphs against shapes/: ``(conforms, results, report_text)``.

    ``conforms`` is False only when there is a violation. ``engine``: ``oxigraph`` (the fast engine of
    :mod:`greenplan.validate.shacl`) or ``pyshacl`` (the reference engine; same results, slower).
    ``verbose``: the text lists every finding (else one line per shape, see :func:`text_report`).
    """
    found = results(store, engine)
    conforms = not any(r.severity == SH + "Violation" for r in found)
    return conforms, found, text_report(findings(found, Namer(store, (r.focus.value for r in found))), verbose)


# --- command line -------------------------------------------------------------

def _table(found: list[Finding]) -> str:
    import pyoxigraph as ox

    from greenplan.query.results import Result, render

    rows: list[list[ox.NamedNode | ox.Literal | ox.BlankNode | None]] = [
        [ox.Literal(x) for x in (f.severity, f.name, f.line, f.message, f.shape)] for f in found]
    return render(Result(["severity", "node", "place", "message", "shape"], rows), "table", max_width=80)


def _json(found: list[Finding]) -> str:
    keys = ("severity", "name", "line", "exact", "message", "shape", "path", "value", "node")
    return json.dumps([{k: getattr(f, k) for k in keys} for f in found], ensure_ascii=False, indent=2) + "\n"


def turtle(found: list, shapes_index=None, fmt: str = "turtle") -> str:
    """The results as a SHACL validation report (Turtle, or ``fmt="jsonld"``), byte-stable across runs.

    Results come in their sorted order with blank nodes labelled by position; a complex result path
    (e.g. ``[ sh:inversePath gp:measure ]``) is copied from the shapes graph. ``sh:conforms`` is the spec's:
    false when there is any result, whatever its severity (the exit code of ``greenplan validate`` is 1
    only for violations).
    """
    from greenplan.validate.report import Report, serialize

    report = Report(list(found), shapes_index if shapes_index is not None else shapes())
    return serialize(report, fmt, {"gp": GP, "gps": GPS})


def rendered(store, found: list, fmt: str, text: str) -> str:
    """The report of :func:`validate` in ``fmt``: ``text`` (as validate wrote it), ``table``, ``json``, or the W3C
    SHACL report as ``turtle`` or ``jsonld``."""
    if fmt in ("turtle", "jsonld"):
        return turtle(found, fmt=fmt)
    if fmt == "text":
        return text
    named = findings(found, Namer(store, (r.focus.value for r in found)))
    return _table(named) if fmt == "table" else _json(named)
