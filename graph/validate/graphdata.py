"""The data graph as the SHACL engine reads it: a pyoxigraph store (``StoreData``) or triples (``GraphData``).

Both answer the same questions — SPARQL, the value nodes of a path, the instances of a class, the triples of a
node — so that :mod:`greenplan.validate.shacl` does not care where the data lives.

``StoreData`` is a greenplan store (plan graphs and ontology graphs): its default graph is read as the union of
its named graphs, paths are SPARQL property paths run once per path over the whole store. ``GraphData`` is a
user's data graph given as triples: paths and classes are walked in Python over the triples **as written**, so
that ``"5"^^xsd:int`` stays an ``xsd:int`` (Oxigraph's store rewrites literals of the integer family and
decimals to canonical values — oxigraph issues #526, #1413). A copy goes into a private in-memory store for
SHACL-SPARQL, the data in its default graph and the shapes graph in a named graph (``$shapesGraph``); blank
nodes are written into that copy as ``urn:x-greenplan:bnode:…`` IRIs so that a blank focus node can be pre-bound
by substitution like any other node.
"""
from __future__ import annotations

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
SKOLEM = "urn:x-greenplan:bnode:"
SHAPES_GRAPH = ox.NamedNode("urn:x-greenplan:shapes-graph")


class StoreData:
    """A greenplan store: the union of its named graphs."""
    shapes_graph = None          # $shapesGraph is not available on a store

    def __init__(self, store: ox.Store, path_text):
        self.store = store
        self.path_text = path_text      # SHACL path node → SPARQL property path text
        self._paths: dict[str, dict] = {}
        self._classes: dict[str, set] = {}
        self._props: dict = {}

    def select(self, sparql: str, substitutions=None):
        return self.store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)

    def term(self, node):
        """A node as SPARQL text for pre-binding (None: bind it by substitution instead)."""
        return None if isinstance(node, ox.BlankNode) else str(node)

    def back(self, node):
        return node

    def values(self, path, focus) -> list:
        table = self._paths.get(path)
        if table is None:
            table = {}
            for row in self.select(f"SELECT DISTINCT ?this ?v WHERE {{ ?this {self.path_text(path)} ?v }}"):
                table.setdefault(row["this"], []).append(row["v"])
            for vs in table.values():
                vs.sort(key=str)
            self._paths[path] = table
        return table.get(focus, [])

    def instances(self, cls: str) -> set:
        if cls not in self._classes:
            self._classes[cls] = {r["x"] for r in self.select(
                f"SELECT DISTINCT ?x WHERE {{ ?x <{RDF_TYPE}>/<{SUBCLASS}>* <{cls}> }}")}
        return self._classes[cls]

    def subjects_of(self, p: str) -> list:
        return [r["x"] for r in self.select(f"SELECT DISTINCT ?x WHERE {{ ?x <{p}> ?o }}")]

    def objects_of(self, p: str) -> list:
        return [r["x"] for r in self.select(f"SELECT DISTINCT ?x WHERE {{ ?s <{p}> ?x }}")]

    def outgoing(self, node) -> list:
        """(predicate IRI, object) of every triple of the node."""
        return sorted(((r["p"].value, r["o"]) for r in self.select(
            "SELECT DISTINCT ?p ?o WHERE { ?s ?p ?o }", substitutions={ox.Variable("s"): node})), key=str)


class GraphData:
    """A data graph given as triples (lexical forms as written), plus the shapes graph for $shapesGraph."""
    shapes_graph = SHAPES_GRAPH

    def __init__(self, triples, shapes_triples=()):
        self.spo: dict = {}
        self.ops: dict = {}
        for t in triples:
            s, p, o = t.subject, t.predicate.value, t.object
            objs = self.spo.setdefault(s, {}).setdefault(p, {})
            if o not in objs:
                objs[o] = None
                self.ops.setdefault(o, {}).setdefault(p, {})[s] = None
        self.store = ox.Store()
        self.store.bulk_extend(ox.Quad(self._sk(s), ox.NamedNode(p), self._sk(o))
                               for s, po in self.spo.items() for p, os in po.items() for o in os)
        self.store.bulk_extend(ox.Quad(self._sk(t.subject), t.predicate, self._sk(t.object), SHAPES_GRAPH)
                               for t in shapes_triples)
        self._classes: dict[str, set] = {}

    @staticmethod
    def _sk(node):
        return ox.NamedNode(SKOLEM + node.value) if isinstance(node, ox.BlankNode) else node

    def back(self, node):
        """A node of a SPARQL answer as a node of the data graph (skolem IRIs → blank nodes)."""
        if isinstance(node, ox.NamedNode) and node.value.startswith(SKOLEM):
            return ox.BlankNode(node.value[len(SKOLEM):])
        return node

    def term(self, node) -> str:
        return str(self._sk(node))

    def select(self, sparql: str, substitutions=None):
        return self.store.query(sparql, substitutions=substitutions)

    # --- paths, walked over the triples -------------------------------------------------------------
    def values(self, path, focus) -> list:
        return sorted(self._walk(path, {focus: None}), key=str)

    def _walk(self, path, nodes: dict) -> dict:
        kind = path[0]
        out: dict = {}
        if kind == "iri":
            for n in nodes:
                out.update(self.spo.get(n, {}).get(path[1], {}))
        elif kind == "inverse":
            inner = path[1]
            if inner[0] == "iri":
                for n in nodes:
                    out.update(self.ops.get(n, {}).get(inner[1], {}))
            else:
                out = self._inverse(inner, nodes)
        elif kind == "seq":
            out = nodes
            for step in path[1]:
                out = self._walk(step, out)
        elif kind == "alt":
            for step in path[1]:
                out.update(self._walk(step, nodes))
        elif kind in ("zeroOrMore", "oneOrMore"):
            out = dict(nodes) if kind == "zeroOrMore" else {}
            frontier = self._walk(path[1], nodes)
            while frontier:
                new = {n: None for n in frontier if n not in out}
                out.update(new)
                frontier = self._walk(path[1], new) if new else {}
        elif kind == "zeroOrOne":
            out = dict(nodes)
            out.update(self._walk(path[1], nodes))
        return out

    def _inverse(self, path, nodes: dict) -> dict:
        """The nodes from which ``path`` reaches one of ``nodes``."""
        kind = path[0]
        if kind == "iri":
            out: dict = {}
            for n in nodes:
                out.update(self.ops.get(n, {}).get(path[1], {}))
            return out
        if kind == "inverse":
            return self._walk(path[1], nodes)
        if kind == "seq":
            return self._walk(("seq", tuple(("inverse", s) for s in reversed(path[1]))), nodes)
        if kind == "alt":
            return self._walk(("alt", tuple(("inverse", s) for s in path[1])), nodes)
        return self._walk((kind, ("inverse", path[1])), nodes)

    def instances(self, cls: str) -> set:
        if cls not in self._classes:
            classes = self._walk(("zeroOrMore", ("inverse", ("iri", SUBCLASS))), {ox.NamedNode(cls): None})
            self._classes[cls] = set(self._walk(("inverse", ("iri", RDF_TYPE)), classes))
        return self._classes[cls]

    def subjects_of(self, p: str) -> list:
        return sorted((s for s, po in self.spo.items() if p in po), key=str)

    def objects_of(self, p: str) -> list:
        return sorted({o: None for po in self.spo.values() for o in po.get(p, {})}, key=str)

    def outgoing(self, node) -> list:
        return sorted(((p, o) for p, os in self.spo.get(node, {}).items() for o in os), key=str)
