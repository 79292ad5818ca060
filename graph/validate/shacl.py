"""A small SHACL engine on Oxigraph: the fast path of ``greenplan validate``.

It evaluates standard SHACL shapes graphs (SHACL Core plus SHACL-SPARQL constraints and the SHACL-AF
``sh:SPARQLTarget``) against a pyoxigraph store whose default graph is read as the union of its named
graphs — the same data pySHACL sees through an rdflib ``Dataset(default_union=True)``. Paths, targets and
SPARQL constraints are SPARQL run by Oxigraph; the core constraint components are checked in Python on
the value nodes those queries return.

What it does not implement is refused, not ignored: a shapes graph that uses another constraint
component (``sh:closed``, ``sh:uniqueLang``, SHACL-JS …) raises :class:`Unsupported`, and
``greenplan validate --engine pyshacl`` runs the full reference engine instead. A test runs both engines
on every shape's fixtures and on the bundled plan and compares the results one by one.

The data store is only read. Results are :class:`Result` records, independent of any RDF library.
"""
from __future__ import annotations

from greenplan.errors import GreenplanError

import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from greenplan.vocab import PREFIXES

SH = "http://www.w3.org/ns/shacl#"
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
XSD = PREFIXES["xsd"]
VALUES_CHUNK = 400   # focus nodes per VALUES block of a pre-bound SPARQL constraint

# Constraint parameters this engine evaluates (the others of SHACL Core are refused).
SUPPORTED = {
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
    "maxInclusive", "minLength", "maxLength", "pattern", "flags", "languageIn", "equals", "disjoint",
    "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "property", "qualifiedValueShape",
    "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "in", "hasValue", "sparql",
}
CHECKED = {SH + p for p in SUPPORTED - {"property", "sparql", "flags", "qualifiedMinCount", "qualifiedMaxCount",
                                         "qualifiedValueShapesDisjoint"}}
UNSUPPORTED = {"closed", "ignoredProperties", "uniqueLang", "js"}
# Lexical forms of the XSD datatypes a plan uses (a literal of another datatype is taken as well-formed).
LEXICAL = {
    "integer": r"[+-]?\d+", "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)", "boolean": r"true|false|1|0",
    "gYear": r"-?\d{4,}(Z|[+-]\d\d:\d\d)?", "date": r"-?\d{4,}-\d\d-\d\d(Z|[+-]\d\d:\d\d)?",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|NaN)", "anyURI": r"[^\s]*",
}
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger",
                              "positiveInteger", "gYear")}


class Unsupported(GreenplanError, ValueError):
    """The shapes graph uses SHACL this engine does not implement."""


class Result:
    """One validation result (sh:ValidationResult) as plain values."""
    __slots__ = ("focus", "path", "value", "severity", "shape", "component", "messages")

    def __init__(self, focus, path, value, severity, shape, component, messages):
        self.focus = focus            # ox term
        self.path = path              # ox term (IRI) or a path expression as text (complex paths), or None
        self.value = value            # ox term or None
        self.severity = severity      # IRI string, e.g. http://www.w3.org/ns/shacl#Violation
        self.shape = shape            # ox term: the shape that holds the constraint
        self.component = component    # local name of the constraint component, e.g. MinCountConstraintComponent
        self.messages = messages      # tuple of (language, text), sorted

    def key(self) -> tuple:
        return (str(self.focus), str(self.path), str(self.value), self.severity, str(self.shape), self.messages)

    def __repr__(self) -> str:
        return f"Result({self.key()!r})"


# --- the shapes graph ---------------------------------------------------------

class Shapes:
    """A shapes graph indexed by subject, read from Turtle files."""

    def __init__(self, triples):
        self.index: dict = {}
        for t in triples:
            self.index.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    @classmethod
    def from_turtle(cls, texts: list[str]) -> "Shapes":
        triples = []
        for text in texts:
            triples.extend(ox.parse(text, format=ox.RdfFormat.TURTLE))
        return cls(triples)

    def objects(self, s, p: str) -> list:
        return self.index.get(s, {}).get(p, [])

    def one(self, s, p: str):
        found = self.objects(s, p)
        return found[0] if found else None

    def sh(self, s, name: str) -> list:
        return self.objects(s, SH + name)

    def items(self, head) -> list:
        """The members of an RDF list."""
        out = []
        while head is not None and head.value != RDF + "nil":
            out.append(self.one(head, RDF + "first"))
            head = self.one(head, RDF + "rest")
        return out

    def entry_shapes(self) -> list:
        """Shapes with targets, in a stable order."""
        targets = {SH + t for t in ("targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf", "target")}
        return sorted((s for s, props in self.index.items() if targets & props.keys()), key=str)

    def check_supported(self) -> None:
        for s, props in self.index.items():
            used = {p[len(SH):] for p in props if p.startswith(SH)} & UNSUPPORTED
            if used:
                raise Unsupported(f"shape {s}: sh:{sorted(used)[0]} is not implemented by the fast engine; "
                                  f"run `greenplan validate --engine pyshacl`")

    def prefixes(self, node) -> str:
        """PREFIX declarations of a SPARQL-based constraint or target (sh:prefixes → sh:declare)."""
        lines = []
        for holder in self.sh(node, "prefixes"):
            for decl in self.sh(holder, "declare"):
                lines.append(f"PREFIX {self.one(decl, SH + 'prefix').value}: <{self.one(decl, SH + 'namespace').value}>")
        return "\n".join(sorted(set(lines))) + "\n"

    def path_text(self, path) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(path, ox.NamedNode):
            return f"<{path.value}>"
        if self.one(path, RDF + "first") is not None:
            return "(" + "/".join(self.path_text(p) for p in self.items(path)) + ")"
        for name, fmt in (("inversePath", "^{}"), ("zeroOrMorePath", "{}*"), ("oneOrMorePath", "{}+"),
                          ("zeroOrOnePath", "{}?")):
            inner = self.one(path, SH + name)
            if inner is not None:
                return "(" + fmt.format(self.path_text(inner)) + ")"
        alt = self.one(path, SH + "alternativePath")
        if alt is not None:
            return "(" + "|".join(self.path_text(p) for p in self.items(alt)) + ")"
        raise Unsupported(f"unknown SHACL path {path}")


# --- evaluation -----------------------------------------------------------------

class Engine:
    def __init__(self, shapes: Shapes, data: ox.Store):
        shapes.check_supported()
        self.shapes = shapes
        self.data = data
        self._paths: dict[str, dict] = {}
        self._classes: dict[str, set] = {}

    def select(self, sparql: str, substitutions=None):
        return self.data.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)

    def run(self) -> list[Result]:
        out: list[Result] = []
        for shape in self.shapes.entry_shapes():
            focus = self.targets(shape)
            if focus:
                out.extend(self.validate(shape, focus))
        return sorted(out, key=Result.key)

    # targets
    def targets(self, shape) -> list:
        s = self.shapes
        found: dict = {}
        for c in s.sh(shape, "targetClass"):
            found.update(dict.fromkeys(sorted(self.instances(c.value), key=str)))
        for n in s.sh(shape, "targetNode"):
            found[n] = None
        for p in s.sh(shape, "targetObjectsOf"):
            for row in self.select(f"SELECT DISTINCT ?x WHERE {{ ?s <{p.value}> ?x }}"):
                found[row["x"]] = None
        for p in s.sh(shape, "targetSubjectsOf"):
            for row in self.select(f"SELECT DISTINCT ?x WHERE {{ ?x <{p.value}> ?o }}"):
                found[row["x"]] = None
        for t in s.sh(shape, "target"):
            select = s.one(t, SH + "select")
            if select is None:
                raise Unsupported(f"shape {shape}: only SPARQL-based custom targets (sh:select) are implemented")
            for row in self.select(s.prefixes(t) + select.value):
                found[row["this"]] = None
        return list(found)

    def instances(self, cls: str) -> set:
        if cls not in self._classes:
            self._classes[cls] = {r["x"] for r in self.select(
                f"SELECT DISTINCT ?x WHERE {{ ?x <{RDF}type>/<{RDFS}subClassOf>* <{cls}> }}")}
        return self._classes[cls]

    def values(self, path_text: str, focus) -> list:
        if path_text not in self._paths:
            table: dict = {}
            for row in self.select(f"SELECT DISTINCT ?this ?v WHERE {{ ?this {path_text} ?v }}"):
                table.setdefault(row["this"], []).append(row["v"])
            for vs in table.values():
                vs.sort(key=str)
            self._paths[path_text] = table
        return self._paths[path_text].get(focus, [])

    def conforms(self, shape, node) -> bool:
        return not self.validate(shape, [node], stop=True)

    def validate(self, shape, focus_nodes: list, stop: bool = False) -> list[Result]:
        """Results of ``shape`` on the focus nodes (``stop``: return at the first, for conformance checks)."""
        s = self.shapes
        if any(d.value == "true" for d in s.sh(shape, "deactivated")):
            return []
        path = s.one(shape, SH + "path")
        path_text = s.path_text(path) if path is not None else None
        severity = (s.one(shape, SH + "severity") or ox.NamedNode(SH + "Violation")).value
        messages = tuple(sorted((m.language or "", m.value) for m in s.sh(shape, "message")))
        out: list[Result] = []

        def report(focus, value, component, msgs=None, result_path=None):
            out.append(Result(focus, result_path if result_path is not None else (path if path_text else None),
                              value, severity, shape, component + "ConstraintComponent", msgs or messages))

        for focus in focus_nodes:
            values = self.values(path_text, focus) if path_text else [focus]
            self.check_node(shape, focus, values, bool(path_text), report)
            if stop and out:
                return out
        for prop in s.sh(shape, "property"):
            for r in self.validate(prop, focus_nodes, stop):
                out.append(r)
                if stop:
                    return out
        for constraint in s.sh(shape, "sparql"):
            out.extend(self.sparql(shape, constraint, focus_nodes, path, severity, messages))
            if stop and out:
                return out
        return out

    def check_node(self, shape, focus, values: list, is_property: bool, report) -> None:
        s = self.shapes
        props = s.index.get(shape, {})
        if not (props.keys() & CHECKED):
            return

        def param(name):
            return props.get(SH + name, ())

        for n in param("minCount"):
            if len(values) < int(n.value):
                report(focus, None, "MinCount")
        for n in param("maxCount"):
            if len(values) > int(n.value):
                report(focus, None, "MaxCount")
        for c in param("class"):
            inst = self.instances(c.value)
            for v in values:
                if isinstance(v, ox.Literal) or v not in inst:
                    report(focus, v, "Class")
        for d in param("datatype"):
            for v in values:
                if not (isinstance(v, ox.Literal) and _datatype(v) == d.value and _well_formed(v)):
                    report(focus, v, "Datatype")
        for k in param("nodeKind"):
            for v in values:
                if not _node_kind(v, k.value):
                    report(focus, v, "NodeKind")
        for name, test in (("minExclusive", lambda a, b: a > b), ("minInclusive", lambda a, b: a >= b),
                           ("maxExclusive", lambda a, b: a < b), ("maxInclusive", lambda a, b: a <= b)):
            for bound in param(name):
                for v in values:
                    a, b = _number(v), _number(bound)
                    if a is None or b is None or not test(a, b):
                        report(focus, v, name[0].upper() + name[1:])
        for name, test in (("minLength", lambda n, m: n >= m), ("maxLength", lambda n, m: n <= m)):
            for m in param(name):
                for v in values:
                    if isinstance(v, ox.BlankNode) or not test(len(v.value), int(m.value)):
                        report(focus, v, name[0].upper() + name[1:])
        for p in param("pattern"):
            flags = param("flags")
            rx = re.compile(p.value, re.I if flags and "i" in flags[0].value else 0)
            for v in values:
                if isinstance(v, ox.BlankNode) or not rx.search(v.value):
                    report(focus, v, "Pattern")
        for lst in param("languageIn"):
            langs = [x.value.lower() for x in s.items(lst)]
            for v in values:
                if not (isinstance(v, ox.Literal) and v.language and _lang_matches(v.language, langs)):
                    report(focus, v, "LanguageIn")
        for lst in param("in"):
            allowed = set(s.items(lst))
            for v in values:
                if v not in allowed:
                    report(focus, v, "In")
        for h in param("hasValue"):
            if h not in values:
                report(focus, None, "HasValue")
        for name, test in (("equals", None), ("disjoint", None), ("lessThan", lambda a, b: a < b),
                           ("lessThanOrEquals", lambda a, b: a <= b)):
            for p in param(name):
                others = self.values(f"<{p.value}>", focus)
                if name == "equals":
                    for v in sorted(set(values) ^ set(others), key=str):
                        report(focus, v, "Equals")
                elif name == "disjoint":
                    for v in sorted(set(values) & set(others), key=str):
                        report(focus, v, "Disjoint")
                else:
                    for v in values:
                        for o in others:
                            a, b = _comparable(v, o)
                            if a is None or not test(a, b):
                                report(focus, v, name[0].upper() + name[1:])
        for inner in param("node"):
            for v in values:
                if not self.conforms(inner, v):
                    report(focus, v, "Node")
        for inner in param("not"):
            for v in values:
                if self.conforms(inner, v):
                    report(focus, v, "Not")
        for name in ("and", "or", "xone"):
            for lst in param(name):
                members = s.items(lst)
                for v in values:
                    n = sum(1 for m in members if self.conforms(m, v))
                    ok = n == len(members) if name == "and" else n >= 1 if name == "or" else n == 1
                    if not ok:
                        report(focus, v, name.capitalize())
        for q in param("qualifiedValueShape"):
            n = sum(1 for v in values if self.conforms(q, v))
            for m in param("qualifiedMinCount"):
                if n < int(m.value):
                    report(focus, None, "QualifiedMinCount")
            for m in param("qualifiedMaxCount"):
                if n > int(m.value):
                    report(focus, None, "QualifiedMaxCount")

    def sparql(self, shape, constraint, focus_nodes, path, severity, shape_messages) -> list[Result]:
        s = self.shapes
        if any(d.value == "true" for d in s.sh(constraint, "deactivated")):
            return []
        select = s.one(constraint, SH + "select")
        if select is None:
            raise Unsupported(f"shape {shape}: SPARQL constraints need sh:select")
        text = select.value
        if path is not None:
            text = text.replace("$PATH", s.path_text(path))
        templates = [(m.language or "", m.value) for m in s.sh(constraint, "message")] or list(shape_messages)
        out = []
        for focus, row in self._prebound(s.prefixes(constraint), text, focus_nodes):
            value = row["value"] if "value" in row else (focus if path is None else None)
            rpath = row["path"] if "path" in row else path
            msgs = tuple(sorted((lang, _fill(t, row, focus)) for lang, t in templates))
            out.append(Result(focus, rpath, value, severity, shape, "SPARQLConstraintComponent", msgs))
        return out

    def _prebound(self, prefixes: str, text: str, focus_nodes: list):
        """Rows of the constraint's SELECT with $this pre-bound to each focus node.

        IRIs and literals are bound by a VALUES block at the start of the WHERE clause (one query per
        chunk); blank nodes by substitution, one query each.
        """
        named = [f for f in focus_nodes if not isinstance(f, ox.BlankNode)]
        where = re.search(r"\bWHERE\s*\{", text, re.I) or re.search(r"\{", text)
        for i in range(0, len(named), VALUES_CHUNK):
            chunk = named[i:i + VALUES_CHUNK]
            values = "VALUES ?this { " + " ".join(str(f) for f in chunk) + " }\n"
            query = prefixes + text[:where.end()] + values + text[where.end():]
            query = query.replace("$this", "?this")
            for row in _rows(self.select(query)):
                yield row["this"], row
        for f in focus_nodes:
            if isinstance(f, ox.BlankNode):
                for row in _rows(self.select(prefixes + text.replace("$this", "?this"),
                                             substitutions={ox.Variable("this"): f})):
                    row["this"] = f
                    yield f, row


# --- helpers ------------------------------------------------------------------

def _rows(solutions):
    """The solutions of a SELECT as dicts of their bound variables."""
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        yield {n: solution[n] for n in names if solution[n] is not None}


def _fill(template: str, row: dict, focus) -> str:
    def sub(m):
        name = m.group(1)[1:]
        term = focus if name == "this" else row.get(name)
        return "" if term is None else term.value
    return re.sub(r"\{([?$]\w+)\}", sub, template)


def _datatype(v: ox.Literal) -> str:
    if v.language:
        return RDF + "langString"
    return v.datatype.value


def _well_formed(v: ox.Literal) -> bool:
    dt = _datatype(v)
    if dt.startswith(XSD) and dt[len(XSD):] in LEXICAL:
        return re.fullmatch(LEXICAL[dt[len(XSD):]], v.value) is not None
    return True


def _node_kind(v, kind: str) -> bool:
    k = kind[len(SH):]
    is_iri, is_blank, is_lit = isinstance(v, ox.NamedNode), isinstance(v, ox.BlankNode), isinstance(v, ox.Literal)
    return {"IRI": is_iri, "BlankNode": is_blank, "Literal": is_lit, "BlankNodeOrIRI": is_iri or is_blank,
            "BlankNodeOrLiteral": is_blank or is_lit, "IRIOrLiteral": is_iri or is_lit}[k]


def _number(v):
    if not isinstance(v, ox.Literal) or v.datatype.value not in NUMERIC or not _well_formed(v):
        return None
    try:
        return Decimal(v.value)
    except InvalidOperation:
        return None


def _comparable(a, b):
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        return x, y
    if isinstance(a, ox.Literal) and isinstance(b, ox.Literal) and _datatype(a) == _datatype(b) \
            and not a.language and _datatype(a) in (XSD + "string", XSD + "date", XSD + "dateTime"):
        return a.value, b.value
    return None, None


def _lang_matches(tag: str, ranges: list[str]) -> bool:
    tag = tag.lower()
    return any(r == "*" or tag == r or tag.startswith(r + "-") for r in ranges)
