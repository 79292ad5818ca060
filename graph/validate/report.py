"""SHACL validation of any data graph against any shapes graph, and the W3C validation report.

``validate_graphs(shapes, data)`` runs greenplan's engine (:mod:`greenplan.validate.shacl`) on lists of
pyoxigraph triples; ``validate_files`` reads them from files (Turtle, N-Triples, N-Quads, TriG, RDF/XML,
JSON-LD). ``report_triples`` / ``serialize`` give the report as the SHACL spec defines it
(``sh:ValidationReport``; ``sh:conforms`` false when there is any result, whatever its severity).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from greenplan.errors import GreenplanError
from greenplan.validate.shacl import SH, Result, Shapes

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = {  # file suffix → pyoxigraph format
    ".ttl": ox.RdfFormat.TURTLE, ".turtle": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG, ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML, ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD, ".n3": ox.RdfFormat.N3,
}
OUTPUT = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "ntriples": ox.RdfFormat.N_TRIPLES}


class InputError(GreenplanError, ValueError):
    """A data or shapes file that cannot be read."""


@dataclass
class Report:
    results: list            # Result records, sorted
    shapes: Shapes           # the shapes graph (complex result paths are copied from it)

    @property
    def conforms(self) -> bool:
        """The spec's sh:conforms: no result at all, whatever its severity."""
        return not self.results

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity == SH + "Violation")


def read_rdf(path: str | Path, tag: str = "b") -> list:
    """The triples of an RDF file (quads: the union of its graphs), lexical forms as written; blank nodes
    relabelled ``{tag}1``, ``{tag}2`` … in the order they are met, so that the report is the same every run."""
    path = Path(path)
    labels: dict = {}

    def label(node):
        if not isinstance(node, ox.BlankNode):
            return node
        if node not in labels:
            labels[node] = ox.BlankNode(f"{tag}{len(labels) + 1}")
        return labels[node]

    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF format (expected one of {', '.join(sorted(FORMATS))})")
    try:
        quads = ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        return [ox.Triple(label(q.subject), q.predicate, label(q.object)) for q in quads]
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    except SyntaxError as e:
        raise InputError(f"{path}: not valid {fmt.name}: {e}") from None


def validate_graphs(shapes: list, data: list) -> Report:
    """Validate data triples against shapes triples (lists of ``pyoxigraph.Triple``)."""
    from greenplan.validate.graphdata import GraphData
    from greenplan.validate.shacl import Engine

    index = Shapes(shapes)
    return Report(Engine(index, GraphData(data, shapes)).run(), index)


def validate_files(shapes: list, data: list, engine: str = "oxigraph") -> Report:
    """Validate the data files against the shapes files (see :data:`FORMATS`); ``engine="pyshacl"`` runs the
    reference engine on the same triples."""
    if not shapes or not data:
        raise InputError("validate needs at least one --shapes FILE and one --data FILE")
    tags = {p: f"f{i}b" for i, p in enumerate(dict.fromkeys(str(Path(x).resolve()) for x in [*shapes, *data]), 1)}
    shape_triples = [t for p in shapes for t in read_rdf(p, tags[str(Path(p).resolve())])]
    data_triples = [t for p in data for t in read_rdf(p, tags[str(Path(p).resolve())])]
    if engine == "pyshacl":
        return _pyshacl(shape_triples, data_triples)
    return validate_graphs(shape_triples, data_triples)


def _pyshacl(shapes: list, data: list) -> Report:
    """pySHACL on the same triples (blank nodes keep their labels, so result paths are found in the index)."""
    import logging
    import warnings

    import rdflib
    from pyshacl import validate as shacl

    logging.getLogger("rdflib.term").setLevel(logging.ERROR)   # ill-formed literals are for the shapes to find

    def rd(term):
        if isinstance(term, ox.NamedNode):
            return rdflib.URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return rdflib.BNode(term.value)
        return rdflib.Literal(term.value, lang=term.language) if term.language else \
            rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))

    graphs = []
    for triples in (shapes, data):
        g = rdflib.Graph()
        for t in triples:
            g.add((rd(t.subject), rd(t.predicate), rd(t.object)))
        graphs.append(g)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _conforms, report, _text = shacl(graphs[1], shacl_graph=graphs[0], advanced=True, allow_warnings=True,
                                         allow_infos=True, inference="none")
    if not hasattr(report, "serialize"):
        raise InputError(f"pySHACL cannot run these shapes: {report}")
    return Report(pyshacl_results(report), Shapes(shapes))


def pyshacl_results(graph) -> list:
    """The results of a pySHACL validation report (an rdflib graph) as :class:`Result` records, sorted: terms as
    pyoxigraph terms, a component of the SHACL namespace by its local name (as the engine gives it), another by
    its IRI; a message keeps its language tag, or "" where it has none (pySHACL drops it when it fills in
    {?var} — :func:`greenplan.validate.check.report_results` puts back those of shapes/)."""
    import rdflib

    from greenplan.quads import from_rdflib as term

    def one(node, p):
        return graph.value(node, rdflib.URIRef(SH + p))

    out = []
    for node in graph.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")):
        component = str(one(node, "sourceConstraintComponent"))
        messages = tuple(sorted((m.language or "", str(m))
                                for m in graph.objects(node, rdflib.URIRef(SH + "resultMessage"))))
        out.append(Result(term(one(node, "focusNode")), term(one(node, "resultPath")), term(one(node, "value")),
                          str(one(node, "resultSeverity")), term(one(node, "sourceShape")),
                          component[len(SH):] if component.startswith(SH) else component, messages))
    return sorted(out, key=Result.key)


SEVERITY_WORDS = (("Violation", "violations"), ("Warning", "warnings"), ("Info", "info"))


def text(report: Report) -> str:
    """The report for a reader: a summary line saying both sh:conforms and the counts, then one line a result."""
    counts = {w: sum(1 for r in report.results if r.severity == SH + s) for s, w in SEVERITY_WORDS}
    lines = [f"conforms: {'true' if report.conforms else 'false'} ("
             + ", ".join(f"{n} {w}" for w, n in counts.items()) + ")"]
    for r in sorted(report.results, key=Result.key):
        severity = r.severity[len(SH):] if r.severity.startswith(SH) else r.severity
        component = r.component[len(SH):] if r.component.startswith(SH) else r.component
        path = "" if r.path is None else " path " + (str(r.path) if isinstance(r.path, ox.NamedNode)
                                                        else report.shapes.path_text(r.path))
        value = "" if r.value is None else f" value {r.value}"
        message = " / ".join(t for _, t in r.messages)
        lines.append(f"{severity}: {r.focus}{path}{value} — {component} (shape {r.shape})"
                     + (f": {message}" if message else ""))
    return "\n".join(lines) + "\n"


def rendered(report: Report, fmt: str) -> str:
    """The report of :func:`validate_files` as ``text``, or the W3C SHACL report as ``turtle`` or ``jsonld``."""
    if fmt in OUTPUT:
        return serialize(report, fmt)
    if fmt == "text":
        return text(report)
    raise InputError(f"--format {fmt} is for the plan's report; with --shapes/--data use text, turtle or jsonld")


def report_triples(report: Report) -> list:
    """The report as triples, byte-stable: blank nodes labelled by position, result paths copied from the
    shapes graph."""
    sh = lambda n: ox.NamedNode(SH + n)  # noqa: E731
    root = ox.BlankNode("report")
    triples = [ox.Triple(root, RDF_TYPE, sh("ValidationReport")),
               ox.Triple(root, sh("conforms"), ox.Literal("true" if report.conforms else "false",
                                                          datatype=ox.NamedNode(XSD + "boolean")))]
    labels: dict = {}

    def copy(node):
        if not isinstance(node, ox.BlankNode):
            return node
        if node not in labels:
            labels[node] = ox.BlankNode(f"p{len(labels) + 1}")
            for p, objs in sorted(report.shapes.index.get(node, {}).items()):
                for o in objs:
                    triples.append(ox.Triple(labels[node], ox.NamedNode(p), copy(o)))
        return labels[node]

    for n, r in enumerate(sorted(report.results, key=Result.key), 1):
        node = ox.BlankNode(f"r{n}")
        triples += [ox.Triple(root, sh("result"), node), ox.Triple(node, RDF_TYPE, sh("ValidationResult")),
                    ox.Triple(node, sh("focusNode"), r.focus), ox.Triple(node, sh("resultSeverity"), ox.NamedNode(r.severity)),
                    ox.Triple(node, sh("sourceShape"), r.shape),
                    ox.Triple(node, sh("sourceConstraintComponent"), _component(r.component))]
        if r.path is not None:
            triples.append(ox.Triple(node, sh("resultPath"), copy(r.path)))
        if r.value is not None:
            triples.append(ox.Triple(node, sh("value"), r.value))
        if getattr(r, "constraint", None) is not None:
            triples.append(ox.Triple(node, sh("sourceConstraint"), r.constraint))
        triples += [ox.Triple(node, sh("resultMessage"), ox.Literal(text, language=lang or None))
                    for lang, text in r.messages]
    return triples


def _component(name: str) -> ox.NamedNode:
    return ox.NamedNode(name if "://" in name or name.startswith("urn:") else SH + name)


def serialize(report: Report, fmt: str = "turtle", prefixes: dict | None = None) -> str:
    """The report as Turtle, JSON-LD or N-Triples text."""
    prefixes = {"sh": SH, "xsd": XSD, **(prefixes or {})}
    from greenplan.quads import to_bytes

    return to_bytes(report_triples(report), OUTPUT[fmt], prefixes).decode("utf-8")
