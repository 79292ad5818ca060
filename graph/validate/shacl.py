"""greenplan's SHACL engine: SHACL Core and SHACL-SPARQL on Oxigraph (the default of ``greenplan validate``).

It evaluates a shapes graph (:class:`Shapes`) against a data graph: a greenplan store (its default graph read
as the union of its named graphs, the data pySHACL sees through an rdflib ``Dataset(default_union=True)``) or a
user's triples (:mod:`greenplan.validate.graphdata`). It implements SHACL Core (every constraint component,
``sh:closed`` and ``sh:uniqueLang`` included, implicit class targets, nested shapes), SHACL-SPARQL (SPARQL-based
constraints and constraint components, pre-binding of ``$this``, ``$value``, ``$PATH``, ``$currentShape``,
``$shapesGraph`` and parameters as the spec defines it, see :mod:`greenplan.validate.prebind`), and the
SHACL-AF ``sh:SPARQLTarget``. It passes the W3C SHACL test suite's core and SPARQL tests but those listed in
docs/commands/validate.md.

What it does not implement is refused before anything is validated, by name (:class:`Unsupported`: SHACL-JS,
SHACL-AF rules, node expressions and custom target types, ``sh:entailment``; ``$shapesGraph`` on a store;
``sh:datatype`` naming an XSD datatype without a lexical space in :mod:`greenplan.validate.xsd`):
``greenplan validate --engine pyshacl`` runs the reference engine instead. A test runs both engines on every
shape of shapes/ and on the bundled plan and compares the results one by one.

The data is only read. Results are :class:`Result` records, independent of any RDF library.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from greenplan.errors import GreenplanError
from greenplan.validate import prebind, xsd
from greenplan.vocab import PREFIXES

SH = "http://www.w3.org/ns/shacl#"
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
XSD = PREFIXES["xsd"]
OWL = "http://www.w3.org/2002/07/owl#"
VALUES_CHUNK = 400   # focus nodes per VALUES block of a pre-bound SPARQL constraint (see Engine._rows)

# Parameters of SHACL Core's constraint components, checked by Engine.check_node.
CORE = {
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
    "maxInclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang", "equals", "disjoint",
    "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "qualifiedValueShape", "in", "hasValue",
    "closed",
}
CHECKED = {SH + p for p in CORE}
# What the engine refuses (predicate or class in the shapes graph → the feature's name).
UNSUPPORTED = {
    SH + "js": "SHACL-JS (sh:js)", SH + "jsFunctionName": "SHACL-JS (sh:jsFunctionName)",
    SH + "jsLibrary": "SHACL-JS (sh:jsLibrary)", SH + "JSConstraint": "SHACL-JS (sh:JSConstraint)",
    SH + "rule": "SHACL-AF rules (sh:rule)", SH + "condition": "SHACL-AF rules (sh:condition)",
    SH + "expression": "SHACL-AF node expressions (sh:expression)",
    SH + "targetValidator": "SHACL-AF custom target types (sh:targetValidator)",
    SH + "entailment": "entailment regimes (sh:entailment)",
    **{SH + n: f"SHACL-AF node expressions (sh:{n})" for n in ("values", "intersection", "union", "filterShape",
                                                            "nodes", "this")},
    **{SH + n: f"SHACL-AF rules (sh:{n})" for n in ("SPARQLRule", "TripleRule", "subject", "predicate", "object")},
    **{SH + n: f"SHACL-AF functions (sh:{n})" for n in ("SPARQLFunction", "Function", "returnType")},
}
# Every other term of the SHACL namespace the engine knows: constraints it checks (CORE), targets, paths, the
# SPARQL-based constraints and components, terms that do not validate (names, groups, order …), and the report's
# vocabulary (test files keep their expected report beside the shapes). A term of the namespace in none of these
# is refused by name: a misspelt or newer constraint never passes unchecked.
KNOWN = CHECKED | {SH + n for n in (
    "Shape", "NodeShape", "PropertyShape", "targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf",
    "target", "SPARQLTarget", "SPARQLTargetType", "Target", "TargetType", "path", "inversePath", "alternativePath",
    "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath", "property", "flags", "qualifiedMinCount",
    "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "ignoredProperties", "sparql", "select", "ask",
    "construct", "update", "prefixes", "declare", "prefix", "namespace", "PrefixDeclaration", "SPARQLConstraint",
    "SPARQLExecutable", "SPARQLAskExecutable", "SPARQLSelectExecutable", "ConstraintComponent", "Parameter",
    "Parameterizable", "parameter", "optional", "validator", "nodeValidator", "propertyValidator", "Validator",
    "SPARQLAskValidator", "SPARQLSelectValidator", "labelTemplate", "message", "severity", "deactivated",
    "Severity", "Info", "Warning", "Violation", "NodeKind", "IRI", "BlankNode", "Literal", "BlankNodeOrIRI",
    "BlankNodeOrLiteral", "IRIOrLiteral", "name", "description", "order", "group", "defaultValue",
    "PropertyGroup", "shapesGraph", "suggestedShapesGraph", "shapesGraphWellFormed", "ValidationReport",
    "ValidationResult", "AbstractResult", "conforms", "result", "focusNode", "resultPath", "value", "sourceShape",
    "sourceConstraint", "sourceConstraintComponent", "resultSeverity", "resultMessage", "detail")} | {
    # Terms of SHACL drafts before the Recommendation, which gives them no meaning: no processor checks them
    # (pySHACL neither), so there is nothing to refuse. The official DCAT-AP 3.0.1 shapes carry sh:shape; a W3C
    # test's data carries sh:nodeShape. docs/commands/validate.md lists them.
    SH + "shape", SH + "nodeShape"}


class Unsupported(GreenplanError, ValueError):
    """The shapes graph uses SHACL this engine does not implement."""


def _refuse(feature: str, where) -> Unsupported:
    return Unsupported(f"shape {where}: {feature} is not implemented by greenplan's SHACL engine; "
                       f"run `greenplan validate --engine pyshacl`")


class Result:
    """One validation result (sh:ValidationResult) as plain values."""
    __slots__ = ("focus", "path", "value", "severity", "shape", "component", "messages", "constraint")

    def __init__(self, focus, path, value, severity, shape, component, messages, constraint=None):
        self.focus = focus            # ox term
        self.path = path              # ox term: an IRI, or the blank node of a complex path in the shapes graph
        self.value = value            # ox term or None
        self.severity = severity      # IRI string, e.g. http://www.w3.org/ns/shacl#Violation
        self.shape = shape            # ox term: the shape that holds the constraint
        self.component = component    # local name of a SHACL component (MinCountConstraintComponent) or an IRI
        self.messages = messages      # tuple of (language, text), sorted
        self.constraint = constraint  # sh:sourceConstraint (SPARQL-based constraints), or None

    def key(self) -> tuple:
        return (str(self.focus), str(self.path), str(self.value), self.severity, str(self.shape), self.messages,
                self.component)

    def __repr__(self) -> str:
        return f"Result({self.key()!r})"


# --- the shapes graph ---------------------------------------------------------

class Shapes:
    """A shapes graph indexed by subject."""

    def __init__(self, triples):
        self.triples = list(triples)
        self.index: dict = {}
        self.reverse: dict = {}
        for t in self.triples:
            self.index.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
            self.reverse.setdefault(t.object, {}).setdefault(t.predicate.value, []).append(t.subject)

    @classmethod
    def from_turtle(cls, texts: list[str]) -> "Shapes":
        triples: list = []
        for text in texts:
            triples.extend(ox.parse(text, format=ox.RdfFormat.TURTLE))
        return cls(triples)

    def objects(self, s, p: str) -> list:
        return self.index.get(s, {}).get(p, [])

    def subjects(self, p: str, o) -> list:
        return self.reverse.get(o, {}).get(p, [])

    def one(self, s, p: str):
        found = self.objects(s, p)
        return found[0] if found else None

    def sh(self, s, name: str) -> list:
        return self.objects(s, SH + name)

    def true(self, s, name: str) -> bool:
        return any(o.value == "true" for o in self.sh(s, name))

    def items(self, head) -> list:
        """The members of an RDF list."""
        out = []
        while head is not None and head.value != RDF + "nil":
            out.append(self.one(head, RDF + "first"))
            head = self.one(head, RDF + "rest")
        return out

    def entry_shapes(self) -> list:
        """Shapes with targets (implicit class targets included), in a stable order."""
        targets = {SH + t for t in ("targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf", "target")}
        return sorted((s for s, props in self.index.items()
                       if targets & props.keys() or self.implicit_class(s)), key=str)

    def implicit_class(self, s) -> bool:
        """A shape that is also an rdfs:Class targets its instances (SHACL 2.1.3.2)."""
        types = {t.value for t in self.objects(s, RDF + "type")}
        return bool(types & {RDFS + "Class", OWL + "Class"}) and bool(types & {SH + "NodeShape", SH + "PropertyShape"})

    def components(self) -> list:
        """SPARQL-based constraint components: (component, [(parameter path IRI, optional)], node)."""
        out = []
        classes, todo = set(), [ox.NamedNode(SH + "ConstraintComponent")]
        while todo:     # sh:ConstraintComponent and its subclasses in the shapes graph
            c = todo.pop()
            if c not in classes:
                classes.add(c)
                todo.extend(self.subjects(RDFS + "subClassOf", c))
        found = {c for cls in classes for c in self.subjects(RDF + "type", cls)}
        for c in sorted(found, key=str):
            params = []
            for p in self.sh(c, "parameter"):
                path = self.one(p, SH + "path")
                if not isinstance(path, ox.NamedNode):
                    raise GreenplanError(f"constraint component {c}: a parameter needs an IRI as sh:path")
                params.append((path.value, self.true(p, "optional")))
            out.append((c, params))
        return out

    def check_supported(self, data) -> None:
        for s, props in sorted(self.index.items(), key=lambda kv: str(kv[0])):
            for p, objs in props.items():
                if p in UNSUPPORTED:
                    raise _refuse(UNSUPPORTED[p], s)
                if p.startswith(SH) and p not in KNOWN:
                    raise _refuse(f"sh:{p[len(SH):]} (no term of SHACL Core or SHACL-SPARQL it knows)", s)
                if p == RDF + "type":
                    for o in objs:
                        if o.value in UNSUPPORTED:
                            raise _refuse(UNSUPPORTED[o.value], s)
                        if o.value.startswith(SH) and o.value not in KNOWN:
                            raise _refuse(f"sh:{o.value[len(SH):]} (no class of SHACL Core or SHACL-SPARQL it "
                                          f"knows)", s)
            for d in props.get(SH + "datatype", ()):
                if isinstance(d, ox.NamedNode) and d.value.startswith(XSD) and not xsd.usable(d.value[len(XSD):]):
                    raise _refuse(f"sh:datatype xsd:{d.value[len(XSD):]} (not an XSD datatype RDF 1.1 lists as "
                                  f"usable: no lexical space to check its literals against)", s)
            for t in props.get(SH + "target", ()):
                if self.one(t, SH + "select") is None:
                    raise _refuse("SHACL-AF custom targets other than sh:SPARQLTarget (sh:select)", s)
        if data.shapes_graph is None:
            for t in self.triples:
                if t.predicate.value in (SH + "select", SH + "ask") and re.search(r"[?$]shapesGraph\b", t.object.value):
                    raise _refuse("$shapesGraph on a store (the shapes graph is not in it)", t.subject)

    def prefixes(self, node) -> str:
        """PREFIX declarations of a SPARQL query (sh:prefixes → sh:declare, following owl:imports)."""
        lines = set()
        seen = set()
        todo = list(self.sh(node, "prefixes"))
        while todo:
            holder = todo.pop()
            if holder in seen:
                continue
            seen.add(holder)
            todo.extend(self.objects(holder, OWL + "imports"))
            for decl in self.sh(holder, "declare"):
                prefix, ns = self.one(decl, SH + "prefix"), self.one(decl, SH + "namespace")
                if prefix is None or ns is None:
                    raise GreenplanError(f"prefix declaration of {holder}: needs sh:prefix and sh:namespace")
                lines.add(f"PREFIX {prefix.value}: <{ns.value}>")
        return "\n".join(sorted(lines)) + "\n"

    def path(self, node) -> tuple:
        """A SHACL path as a tuple: ("iri", IRI), ("inverse", p), ("seq", [p…]), ("alt", [p…]), ("zeroOrMore", p)…"""
        if isinstance(node, ox.NamedNode):
            return ("iri", node.value)
        if self.one(node, RDF + "first") is not None:
            return ("seq", tuple(self.path(p) for p in self.items(node)))
        for name in ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
            inner = self.one(node, SH + name)
            if inner is not None:
                return (name[:-4] if name != "inversePath" else "inverse", self.path(inner))
        alt = self.one(node, SH + "alternativePath")
        if alt is not None:
            return ("alt", tuple(self.path(p) for p in self.items(alt)))
        raise GreenplanError(f"unknown SHACL path {node}")

    def path_text(self, node) -> str:
        return sparql_path(self.path(node))


def sparql_path(path: tuple) -> str:
    """A path tuple (:meth:`Shapes.path`) as a SPARQL property path."""
    kind = path[0]
    if kind == "iri":
        return f"<{path[1]}>"
    if kind == "seq":
        return "(" + "/".join(sparql_path(p) for p in path[1]) + ")"
    if kind == "alt":
        return "(" + "|".join(sparql_path(p) for p in path[1]) + ")"
    fmt = {"inverse": "^{}", "zeroOrMore": "{}*", "oneOrMore": "{}+", "zeroOrOne": "{}?"}[kind]
    return "(" + fmt.format(sparql_path(path[1])) + ")"


# --- evaluation -----------------------------------------------------------------

class Engine:
    """Validate ``data`` (a pyoxigraph Store, or a :class:`greenplan.validate.graphdata.GraphData`)."""

    def __init__(self, shapes: Shapes, data):
        from greenplan.validate.graphdata import StoreData

        if isinstance(data, ox.Store):
            data = StoreData(data, sparql_path)
        shapes.check_supported(data)
        self.shapes = shapes
        self.data = data
        self._paths: dict = {}
        self._components = shapes.components()
        self._conforms: dict = {}
        self._present: dict = {}

    def run(self) -> list[Result]:
        out: list[Result] = []
        for shape in self.shapes.entry_shapes():
            focus = self.targets(shape)
            if focus:
                out.extend(self.validate(shape, focus))
        return sorted(out, key=Result.key)

    # targets
    def targets(self, shape) -> list:
        s, d = self.shapes, self.data
        found: dict = {}
        classes = [c.value for c in s.sh(shape, "targetClass")]
        if s.implicit_class(shape) and isinstance(shape, ox.NamedNode):
            classes.append(shape.value)
        for c in classes:
            found.update(dict.fromkeys(sorted(d.instances(c), key=str)))
        for n in s.sh(shape, "targetNode"):
            found[n] = None
        for p in s.sh(shape, "targetObjectsOf"):
            found.update(dict.fromkeys(d.objects_of(p.value)))
        for p in s.sh(shape, "targetSubjectsOf"):
            found.update(dict.fromkeys(d.subjects_of(p.value)))
        for t in s.sh(shape, "target"):
            if s.true(t, "deactivated"):
                continue
            text = s.prefixes(t) + s.one(t, SH + "select").value
            text = self._bind_shape(text, shape)
            for row in _rows(d.select(self._parse_check(text, t))):
                if "this" in row:
                    found[d.back(row["this"])] = None
        return list(found)

    def path_of(self, node):
        if node not in self._paths:
            self._paths[node] = self.shapes.path(node)
        return self._paths[node]

    def conforms(self, shape, node) -> bool:
        key = (shape, node)
        found = self._conforms.get(key)
        if found is None:
            self._conforms[key] = "checking"
            found = self._conforms[key] = not self.validate(shape, [node], stop=True)
        elif found == "checking":   # the spec leaves the validation of recursive shapes undefined
            raise _refuse("recursive shapes (a shape that reaches itself through sh:node, sh:not, sh:and, "
                          "sh:or, sh:xone or sh:qualifiedValueShape on the same node)", shape)
        return found

    def validate(self, shape, focus_nodes: list, stop: bool = False) -> list[Result]:
        """Results of ``shape`` on the focus nodes (``stop``: return at the first, for conformance checks)."""
        s = self.shapes
        if s.true(shape, "deactivated"):
            return []
        path = s.one(shape, SH + "path")
        severity = (s.one(shape, SH + "severity") or ox.NamedNode(SH + "Violation")).value
        messages = tuple(sorted((m.language or "", m.value) for m in s.sh(shape, "message")))
        out: list[Result] = []

        def report(focus, value, component, msgs=None, result_path=None):
            out.append(Result(focus, result_path if result_path is not None else path,
                              value, severity, shape, component + "ConstraintComponent", msgs or messages))

        props = s.sh(shape, "property")
        value_nodes: dict = {}      # value node → how many focus nodes have it (nested shapes run on value nodes)
        for focus in focus_nodes:
            values = self.data.values(self.path_of(path), focus) if path is not None else [focus]
            self.check_node(shape, focus, values, path is not None, report)
            if stop and out:
                return out
            if props:
                for v in values:
                    value_nodes[v] = value_nodes.get(v, 0) + 1
        for prop in props:
            # run once on each value node; a value node of several focus nodes is validated (and reported) once
            # for each of them, as the spec's recursion does (W3C core/property/property-001)
            for r in self.validate(prop, list(value_nodes), stop):
                out.extend([r] * value_nodes.get(r.focus, 1))
                if stop:
                    return out
        for constraint in s.sh(shape, "sparql"):
            out.extend(self.sparql(shape, constraint, focus_nodes, path, severity, messages))
            if stop and out:
                return out
        for component, params in self._components:
            out.extend(self.component(shape, component, params, focus_nodes, path, severity, messages))
            if stop and out:
                return out
        return out

    def check_node(self, shape, focus, values: list, is_property: bool, report) -> None:
        s = self.shapes
        present = self._present.get(shape)
        if present is None:     # the shape's core parameters by local name, read once
            props = s.index.get(shape, {})
            present = self._present[shape] = {p[len(SH):]: props[p] for p in props.keys() & CHECKED}
            if present:
                present.update({p: props.get(SH + p, ()) for p in ("flags", "ignoredProperties", "property",
                                                                    "qualifiedMinCount", "qualifiedMaxCount")})
        if not present:
            return
        param = present.get

        for n in param("minCount", ()):
            if len(values) < int(n.value):
                report(focus, None, "MinCount")
        for n in param("maxCount", ()):
            if len(values) > int(n.value):
                report(focus, None, "MaxCount")
        for c in param("class", ()):
            inst = self.data.instances(c.value)
            for v in values:
                if isinstance(v, ox.Literal) or v not in inst:
                    report(focus, v, "Class")
        for d in param("datatype", ()):
            for v in values:
                if not (isinstance(v, ox.Literal) and _datatype(v) == d.value and _well_formed(v)):
                    report(focus, v, "Datatype")
        for k in param("nodeKind", ()):
            for v in values:
                if not _node_kind(v, k.value):
                    report(focus, v, "NodeKind")
        for name, test in (("minExclusive", lambda c: c > 0), ("minInclusive", lambda c: c >= 0),
                           ("maxExclusive", lambda c: c < 0), ("maxInclusive", lambda c: c <= 0)):
            for bound in param(name, ()):
                for v in values:
                    c = compare(v, bound)
                    if c is None or not test(c):
                        report(focus, v, name[0].upper() + name[1:])
        for name, within in (("minLength", lambda n, m: n >= m), ("maxLength", lambda n, m: n <= m)):
            for m in param(name, ()):
                for v in values:
                    if isinstance(v, ox.BlankNode) or not within(len(v.value), int(m.value)):
                        report(focus, v, name[0].upper() + name[1:])
        for p in param("pattern", ()):
            rx = _regex(p.value, param("flags", ()), shape)
            for v in values:
                if isinstance(v, ox.BlankNode) or not rx.search(v.value):
                    report(focus, v, "Pattern")
        for lst in param("languageIn", ()):
            langs = [x.value.lower() for x in s.items(lst)]
            for v in values:
                if not (isinstance(v, ox.Literal) and v.language and _lang_matches(v.language, langs)):
                    report(focus, v, "LanguageIn")
        for u in param("uniqueLang", ()):
            if u.value == "true":
                seen: dict = {}
                for v in values:
                    if isinstance(v, ox.Literal) and v.language:
                        seen[v.language.lower()] = seen.get(v.language.lower(), 0) + 1
                for _lang in sorted(k for k, n in seen.items() if n > 1):      # one result per repeated tag
                    report(focus, None, "UniqueLang")
        for lst in param("in", ()):
            allowed = set(s.items(lst))
            for v in values:
                if v not in allowed:
                    report(focus, v, "In")
        for h in param("hasValue", ()):
            if h not in values:
                report(focus, None, "HasValue")
        for name, order in (("equals", None), ("disjoint", None), ("lessThan", lambda c: c < 0),
                           ("lessThanOrEquals", lambda c: c <= 0)):
            for p in param(name, ()):
                others = self.data.values(("iri", p.value), focus)
                if name == "equals":
                    for v in sorted(set(values) ^ set(others), key=str):
                        report(focus, v, "Equals")
                elif name == "disjoint":
                    for v in sorted(set(values) & set(others), key=str):
                        report(focus, v, "Disjoint")
                else:
                    for v in values:
                        for o in others:
                            c = compare(v, o)
                            if c is None or order is None or not order(c):
                                report(focus, v, name[0].upper() + name[1:])
        for inner in param("node", ()):
            for v in values:
                if not self.conforms(inner, v):
                    report(focus, v, "Node")
        for inner in param("not", ()):
            for v in values:
                if self.conforms(inner, v):
                    report(focus, v, "Not")
        for name in ("and", "or", "xone"):
            for lst in param(name, ()):
                members = s.items(lst)
                for v in values:
                    n = sum(1 for m in members if self.conforms(m, v))
                    ok = n == len(members) if name == "and" else n >= 1 if name == "or" else n == 1
                    if not ok:
                        report(focus, v, name.capitalize())
        for q in param("qualifiedValueShape", ()):
            siblings = self._siblings(shape, q) if s.true(shape, "qualifiedValueShapesDisjoint") else []
            n = sum(1 for v in values if self.conforms(q, v) and not any(self.conforms(o, v) for o in siblings))
            for m in param("qualifiedMinCount", ()):
                if n < int(m.value):
                    report(focus, None, "QualifiedMinCount")
            for m in param("qualifiedMaxCount", ()):
                if n > int(m.value):
                    report(focus, None, "QualifiedMaxCount")
        for c in param("closed", ()):
            if c.value != "true":
                continue
            allowed = {i.value for lst in param("ignoredProperties", ()) for i in s.items(lst)}
            allowed |= {p.value for prop in param("property", ()) for p in s.sh(prop, "path") if isinstance(p, ox.NamedNode)}
            for v in values:
                for p, o in self.data.outgoing(v):
                    if p not in allowed:
                        report(focus, o, "Closed", result_path=ox.NamedNode(p))

    def _siblings(self, shape, q) -> list:
        """The other qualified value shapes of the property shapes beside ``shape`` (sh:qualifiedValueShapesDisjoint)."""
        s = self.shapes
        out: list = []
        for parent in s.subjects(SH + "property", shape):
            for prop in s.sh(parent, "property"):
                if prop != shape:
                    out.extend(x for x in s.sh(prop, "qualifiedValueShape") if x != q)
        return out

    # --- SHACL-SPARQL -------------------------------------------------------------------------------
    def _bind_shape(self, text: str, shape) -> str:
        """$currentShape and $shapesGraph written into the query (the others are bound per focus node)."""
        d = self.data
        if d.term(shape) is None:       # a blank-node shape of a store has no SPARQL spelling
            if re.search(r"\$currentShape\b", text):
                raise _refuse("$currentShape of a blank-node shape on a store (give the shape an IRI)", shape)
            values: dict[str, str] = {}
        else:
            values = {"currentShape": d.term(shape)}
        if d.shapes_graph is not None:
            values["shapesGraph"] = str(d.shapes_graph)
        return prebind.bind(text, values)

    def _parse_check(self, text: str, where) -> str:
        try:
            ox.Store().query(text)
        except SyntaxError as e:
            raise GreenplanError(f"shape {where}: its SPARQL cannot be parsed: {e}") from None
        return text

    def _rows(self, holder, text: str, focus_nodes: list, extra: dict, prebound: set, where, blank=None):
        """(focus node, row) of a SELECT with $this and ``extra`` (name → term text) pre-bound.

        Every occurrence is replaced (SHACL's pre-binding, :func:`prebind.bind`). A query whose WHERE clause is
        one flat group — no inner group, UNION, OPTIONAL, GRAPH or subquery — gives the same answers with the
        focus nodes in one VALUES block, which is much faster on a store of many plans: it is run that way,
        VALUES_CHUNK nodes a query. ``blank``: parameters bound to blank nodes of a store (by substitution).
        """
        subs = dict(blank or {})
        d = self.data
        prebind.check(text, prebound, where)
        text = self._bind_shape(self.shapes.prefixes(holder) + text, where)
        text = prebind.bind(text, extra)
        named = [f for f in focus_nodes if d.term(f) is not None]
        if _flat(text) and named:
            m = re.search(r"\bWHERE\s*\{", text, re.I)
            assert m is not None        # _flat() found the WHERE clause
            for i in range(0, len(named), VALUES_CHUNK):
                chunk = named[i:i + VALUES_CHUNK]
                block = "VALUES ?this { " + " ".join(d.term(f) for f in chunk) + " }\n"
                query = text[:m.end()] + block + text[m.end():]
                query = re.sub(r"\$this\b", "?this", query)
                for row in _rows(self._select(query, where, subs or None)):
                    yield d.back(row["this"]), {k: d.back(v) for k, v in row.items()}
            rest = [f for f in focus_nodes if d.term(f) is None]
        else:
            for f in named:
                for row in _rows(self._select(prebind.bind(text, {"this": d.term(f)}), where, subs or None)):
                    yield f, {k: d.back(v) for k, v in row.items()}
            rest = [f for f in focus_nodes if d.term(f) is None]
        for f in rest:   # blank nodes of a store: pyoxigraph's substitution (outer group only)
            for row in _rows(self._select(re.sub(r"[$?]this\b", "?this", text), where,
                                          substitutions={**subs, ox.Variable("this"): f})):
                row["this"] = f
                yield f, row

    def _select(self, query: str, where, substitutions=None):
        try:
            return self.data.select(query, substitutions=substitutions)
        except SyntaxError as e:
            raise GreenplanError(f"shape {where}: its SPARQL cannot be parsed: {e}") from None

    def sparql(self, shape, constraint, focus_nodes, path, severity, shape_messages) -> list[Result]:
        s = self.shapes
        if s.true(constraint, "deactivated"):
            return []
        select = s.one(constraint, SH + "select")
        if select is None:
            raise _refuse("SPARQL-based constraints without sh:select", shape)
        text = select.value
        extra = {}
        if path is not None:
            extra["PATH"] = s.path_text(path)
            text = re.sub(r"\$PATH\b", s.path_text(path), text)
        templates = [(m.language or "", m.value) for m in s.sh(constraint, "message")] or list(shape_messages)
        out = []
        for focus, row in self._rows(constraint, text, focus_nodes, {}, {"this", "shapesGraph", "currentShape"}, shape):
            if row.get("failure", ox.Literal("false")).value == "true":
                raise GreenplanError(f"shape {shape}: its SPARQL constraint reports a failure (?failure)")
            value = row["value"] if "value" in row else (focus if path is None else None)
            rpath = row["path"] if "path" in row else path
            msgs = tuple(sorted((lang, _fill(t, row, focus)) for lang, t in templates))
            out.append(Result(focus, rpath, value, severity, shape, "SPARQLConstraintComponent", msgs, constraint))
        return out

    def component(self, shape, component, params, focus_nodes, path, severity, shape_messages) -> list[Result]:
        """A SPARQL-based constraint component on a shape that has its mandatory parameters."""
        s = self.shapes
        bound = {}
        for p, optional in params:
            value = s.one(shape, p)
            if value is None and not optional:
                return []
            bound[_param_name(p)] = value
        if not any(v is not None for v in bound.values()):
            return []
        validator = s.one(component, SH + ("propertyValidator" if path is not None else "nodeValidator"))
        if validator is None or (s.one(validator, SH + "select") is None and s.one(validator, SH + "ask") is None):
            validator = s.one(component, SH + "validator")
        if validator is None or (s.one(validator, SH + "select") is None and s.one(validator, SH + "ask") is None):
            raise _refuse(f"constraint component {component} without a SPARQL validator for this kind of shape", shape)
        # parameter values written into the query where they have a SPARQL spelling; a blank node of a store has
        # none (its label would read as a variable) and is bound by substitution instead
        extra = {k: self.data.term(v) for k, v in bound.items() if v is not None and self.data.term(v) is not None}
        blank = {ox.Variable(k): v for k, v in bound.items() if v is not None and self.data.term(v) is None}
        unbound = [k for k, v in bound.items() if v is None]
        templates = [(m.language or "", m.value) for m in s.sh(validator, "message")] or \
            [(m.language or "", m.value) for m in s.sh(component, "message")]
        templates = list(shape_messages) or templates
        prebound = {"this", "shapesGraph", "currentShape"} | set(bound)
        out = []

        def result(focus, value, row):
            msgs = tuple(sorted((lang, _fill(t, {**row, **{k: v for k, v in bound.items() if v is not None}}, focus))
                                for lang, t in templates))
            out.append(Result(focus, path, value, severity, shape, component.value, msgs))

        ask = s.one(validator, SH + "ask")
        if ask is not None:
            text = ask.value
            prebind.check(text, prebound | {"value"}, shape)
            text = self._bind_shape(s.prefixes(validator) + text, shape)
            text = _unbind(prebind.bind(text, extra), unbound)
            if path is not None:
                text = re.sub(r"\$PATH\b", s.path_text(path), text)
            d = self.data
            for focus in focus_nodes:
                values = d.values(self.path_of(path), focus) if path is not None else [focus]
                for v in values:
                    nodes = {"this": focus, "value": v}
                    q = prebind.bind(text, {k: d.term(n) for k, n in nodes.items() if d.term(n) is not None})
                    subs = {var: n for var, n in {**blank, **{ox.Variable(k): n for k, n in nodes.items()
                                                             if d.term(n) is None}}.items()
                            if re.search(rf"[$?]{var.value}\b", q)}
                    if not self._select(q, shape, subs or None):
                        result(focus, v, {"value": v})
            return out
        text = s.one(validator, SH + "select").value
        if path is not None:
            text = re.sub(r"\$PATH\b", s.path_text(path), text)
        text = _unbind(text, unbound)
        for focus, row in self._rows(validator, text, focus_nodes, extra, prebound, shape, blank):
            value = row["value"] if "value" in row else (focus if path is None else None)
            result(focus, value, row)
        return out


# --- helpers ------------------------------------------------------------------

AGGREGATES = {"GROUP", "HAVING", "LIMIT", "OFFSET", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}


def _flat(text: str) -> bool:
    """True when a VALUES block at the start of the WHERE clause binds $this wherever pre-binding would.

    That is when the clause is one group whose only inner braces are those of (NOT) EXISTS — evaluated per
    solution — and of OPTIONAL groups holding triple patterns and filters only (an OPTIONAL's filter is its
    left join's condition and sees ?this); no BIND inside an OPTIONAL (it would not), no UNION, GRAPH, inner
    group or subquery.
    """
    toks = [t.upper() for t in prebind.tokens(text) if t.strip() and t[0] not in "\"'#"]
    if toks.count("SELECT") != 1 or "{" not in toks:
        return False
    if AGGREGATES & set(toks):      # groups and slices would mix the focus nodes of one VALUES block
        return False
    start = toks.index("{")
    projection = toks[toks.index("SELECT") + 1:start]
    if not ({"?THIS", "$THIS", "*"} & set(projection)):   # the answer must say which focus node it is about
        return False
    stack: list[str] = []          # kinds of the open inner braces: EXISTS or OPTIONAL
    for i, t in enumerate(toks[start + 1:], start + 1):
        if t == "{":
            kind = toks[i - 1]
            if kind not in ("EXISTS", "OPTIONAL") or (kind == "OPTIONAL" and stack):
                return False
            stack.append(kind)
        elif t == "}":
            if stack:
                stack.pop()
        elif t in ("UNION", "GRAPH", "MINUS", "SERVICE", "VALUES", "SELECT"):
            return False
        elif t == "BIND" and "OPTIONAL" in stack:
            return False
    return True


def _unbind(text: str, names: list[str]) -> str:
    """Optional parameters without a value stay unbound: $name → ?name (the same variable)."""
    for n in names:
        text = re.sub(r"\$" + re.escape(n) + r"\b", "?" + n, text)
    return text


def _param_name(iri: str) -> str:
    return re.split(r"[#/:]", iri)[-1]


def _rows(solutions):
    """The solutions of a SELECT as dicts of their bound variables (an ASK answers with a bool)."""
    if isinstance(solutions, bool):
        return solutions
    names = [v.value for v in solutions.variables]
    out = []
    for solution in solutions:
        out.append({n: solution[n] for n in names if solution[n] is not None})
    return out


def _fill(template: str, row: dict, focus) -> str:
    def sub(m):
        name = m.group(1)[1:]
        term = focus if name == "this" else row.get(name)
        return "" if term is None else term.value
    return re.sub(r"\{([?$]\w+)\}", sub, template)


def _regex(pattern: str, flags, shape) -> re.Pattern:
    f = 0
    for flag in (flags[0].value if flags else ""):
        f |= {"i": re.I, "s": re.S, "m": re.M, "x": re.X}.get(flag, 0)
    try:
        return re.compile(pattern, f)
    except re.error as e:   # XPath regular expressions Python's re cannot run (e.g. \p{IsBasicLatin})
        raise _refuse(f"the sh:pattern {pattern!r} ({e})", shape) from None


def _datatype(v: ox.Literal) -> str:
    if v.language:
        return RDF + "langString"
    return v.datatype.value


INTEGERS = set(xsd.RANGES) | {"integer"}
NUMERIC = INTEGERS | {"decimal", "double", "float"}


def _well_formed(v: ox.Literal) -> bool:
    """A literal of an XSD datatype is in its lexical space (:mod:`greenplan.validate.xsd`); another datatype's
    literal has no lexical space the engine knows, and SHACL then asks only for the datatype IRI. An XSD name
    without a lexical space there never gets this far: the shape naming it is refused (check_supported)."""
    dt = _datatype(v)
    if not dt.startswith(XSD):
        return True
    return xsd.well_formed(v.value, dt[len(XSD):])


def _node_kind(v, kind: str) -> bool:
    k = kind[len(SH):]
    is_iri, is_blank, is_lit = isinstance(v, ox.NamedNode), isinstance(v, ox.BlankNode), isinstance(v, ox.Literal)
    return {"IRI": is_iri, "BlankNode": is_blank, "Literal": is_lit, "BlankNodeOrIRI": is_iri or is_blank,
            "BlankNodeOrLiteral": is_blank or is_lit, "IRIOrLiteral": is_iri or is_lit}[k]


def _number(v):
    if not isinstance(v, ox.Literal) or v.language or v.datatype.value[len(XSD):] not in NUMERIC \
            or not v.datatype.value.startswith(XSD) or not _well_formed(v):
        return None
    try:
        return Decimal(v.value.replace("INF", "Infinity"))
    except InvalidOperation:
        return None


def _moment(v):
    """An xsd:date / xsd:dateTime as (datetime, has time zone), or None."""
    m = re.fullmatch(r"(-?\d{4,})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d):(\d\d)(\.\d+)?)?(Z|[+-]\d\d:\d\d)?", v.value)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        extra = timedelta(0)
        if h == "24":
            h, extra = "00", timedelta(days=1)
        dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                      int(round(float(frac) * 1e6)) if frac else 0) + extra
    except ValueError:
        return None
    if tz:
        off = timedelta(0) if tz == "Z" else (1 if tz[0] == "+" else -1) * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
        dt = dt.replace(tzinfo=timezone(off))
    return dt, bool(tz)


def compare(a, b):
    """SPARQL's ordering of two literals: -1, 0, 1, or None when they cannot be compared."""
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        if x.is_nan() or y.is_nan():    # XSD: NaN is incomparable, equal to nothing, itself included
            return None
        return (x > y) - (x < y)
    if not (isinstance(a, ox.Literal) and isinstance(b, ox.Literal)):
        return None
    ta, tb = _datatype(a), _datatype(b)
    if ta != tb:
        return None
    if ta in (XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp"):
        ma, mb = _moment(a), _moment(b)
        if ma is None or mb is None:
            return None
        if ma[1] != mb[1]:   # one with a time zone, one without: indeterminate unless 14 hours apart
            pa = ma[0].replace(tzinfo=None) if not ma[1] else ma[0].astimezone(UTC).replace(tzinfo=None)
            pb = mb[0].replace(tzinfo=None) if not mb[1] else mb[0].astimezone(UTC).replace(tzinfo=None)
            if abs(pa - pb) <= timedelta(hours=14):
                return None
            return (pa > pb) - (pa < pb)
        return (ma[0] > mb[0]) - (ma[0] < mb[0])
    if ta in (XSD + "string", XSD + "time", XSD + "boolean") or ta == RDF + "langString" and a.language == b.language:
        return (a.value > b.value) - (a.value < b.value)
    return None


def _lang_matches(tag: str, ranges: list[str]) -> bool:
    tag = tag.lower()
    return any(r == "*" or tag == r or tag.startswith(r + "-") for r in ranges)
