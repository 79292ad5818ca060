"""Making quads: the collector of one named graph's quads, literals of the kinds the graph uses, and the
sort keys that make every output repeat byte for byte."""
from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from greenplan.vocab import PREFIXES, RDF_TYPE, XSD_BOOLEAN, XSD_DECIMAL, XSD_INTEGER, XSD_STRING


@cache
def prop(name: str) -> ox.NamedNode:  # cached: ≈ 7,400 calls per plan for a few dozen properties
    """The node of a CURIE (``gp:text``, prefixes of :data:`greenplan.vocab.PREFIXES`) or of a full IRI."""
    if "://" in name:
        return ox.NamedNode(name)
    prefix, _, local = name.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + local)


TYPE = ox.NamedNode(RDF_TYPE)


class Graph:
    """Collects the triples of one named graph (``name``; None: the default graph).

    Subjects and objects given as strings are IRIs; properties and classes are CURIEs or full IRIs; a None
    object adds nothing."""

    def __init__(self, name: str | None = None):
        self.g = ox.NamedNode(name) if name is not None else ox.DefaultGraph()
        self.quads: list[ox.Quad] = []

    def add(self, s, p: str, o) -> None:
        if o is None:
            return
        if isinstance(o, str):
            o = ox.NamedNode(o)
        self.quads.append(ox.Quad(ox.NamedNode(s) if isinstance(s, str) else s, prop(p), o, self.g))

    def add_each(self, s, p: str, objects) -> None:
        """``add`` each of ``objects`` to ``s`` with property ``p``."""
        for o in objects:
            self.add(s, p, o)

    def add_all(self, s, statements) -> None:
        """``add`` each (property, object) pair of ``statements`` to ``s``."""
        for p, o in statements:
            self.add(s, p, o)

    def a(self, s, *classes: str) -> None:
        for c in classes:
            self.quads.append(ox.Quad(ox.NamedNode(s) if isinstance(s, str) else s, TYPE, prop(c), self.g))

    def triples(self) -> list[ox.Triple]:
        """The distinct triples collected, sorted by :func:`triple_key`."""
        return sorted({ox.Triple(q.subject, q.predicate, q.object) for q in self.quads}, key=triple_key)


def zh(text: str | None) -> ox.Literal | None:
    return None if text is None else ox.Literal(text, language="zh")


def en(text: str | None) -> ox.Literal | None:
    return None if text is None else ox.Literal(text, language="en")


def integer(n: int | None) -> ox.Literal | None:
    return None if n is None else ox.Literal(str(n), datatype=ox.NamedNode(XSD_INTEGER))


def decimal(d) -> ox.Literal | None:
    # fixed-point text: str(Decimal) may give an exponent ("1E-7"), which is not an xsd:decimal
    return None if d is None else ox.Literal(format(d, "f"), datatype=ox.NamedNode(XSD_DECIMAL))


def string(s: str | None) -> ox.Literal | None:
    return None if s is None else ox.Literal(s, datatype=ox.NamedNode(XSD_STRING))


def boolean(b: bool) -> ox.Literal:
    return ox.Literal("true" if b else "false", datatype=ox.NamedNode(XSD_BOOLEAN))


def triple_key(t) -> tuple[str, str, str]:
    """Sort key of a triple (or of a quad's triple): subject, predicate, object as N-Triples text."""
    return str(t.subject), str(t.predicate), str(t.object)


def quad_key(q) -> tuple[str, str, str, str]:
    """Sort key of a quad: graph name first, then its triple."""
    return (str(q.graph_name), *triple_key(q))


def to_bytes(items, rdf_format: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples or quads written by pyoxigraph in ``rdf_format`` (with ``prefixes`` where the format has them)."""
    if prefixes and rdf_format not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        data = ox.serialize(items, format=rdf_format, prefixes=prefixes)
    else:
        data = ox.serialize(items, format=rdf_format)
    assert data is not None      # no output file was given: pyoxigraph returns the bytes
    return data


def value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> str:
    """The IRI, blank node id or lexical form of a term (greenplan's graphs hold no RDF-star triples)."""
    if isinstance(term, (ox.Triple, ox.DefaultGraph)):
        raise TypeError(f"a term with a value was expected, not {term!r}")
    return term.value


def from_rdflib(term) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    """An rdflib term (pySHACL's reports, rdflib graphs) as the pyoxigraph term greenplan uses; None stays None."""
    import rdflib

    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
