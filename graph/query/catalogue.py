"""Saved queries: ``queries/*.rq`` files documented by their own comment header.

The header follows grlc's decorators, so the folder can also be served by grlc::

    #+ summary: Tasks of annex 1 in number order
    #+ description: One row per task …
    #+ tags:
    #+   - tasks
    #+ defaults:
    #+   - topic: hydrogen
    #+ enumerate:
    #+   - topic

Parameters are the query's variables named ``?_name`` (optional) or
``?__name`` (required), with grlc's type suffixes: ``?_year_integer``,
``?_minShared_integer``, ``?_amount_decimal``, ``?_topic_iri``; anything else
is a string literal.  Values are bound as RDF terms by the store (SEP-0007
substitution), never pasted into the query text.

Parameters with a lookup file ``queries/parameters/<name>.rq`` (topic, bureau,
chapter, place) accept a value in any spelling the lookup lists (an IRI, a
slug, a zh or en label); the lookup runs on the same store and gives the term
that is bound.  An unknown value is an error that lists the valid ones.  The
web UI lists the same values for enumerated parameters (``#+ enumerate``).

List columns ("numbers joined by 、", "owners in annex order") are declared
under ``#+ lists:`` with the key their items are ordered by (``position``:
items ``"N VALUE"`` ordered by the integer N; ``number``: integer items;
``text``: items by code point).  The query builds them with
``GROUP_CONCAT(…; separator="\n")``, whose order SPARQL leaves open;
:meth:`SavedQuery.finish` orders and joins them, so every SPARQL engine gives
the same answer (see docs/data/saved-queries.md, "Portable saved queries").

There is no registry in Python: the catalogue is whatever ``.rq`` files the
folder holds.
"""
from __future__ import annotations

import re
import weakref
from pathlib import Path

import pyoxigraph as ox

from greenplan.query.sparqltext import ParameterError, variables
from greenplan.resources import folder
from greenplan.vocab import XSD_DECIMAL, XSD_INTEGER

TYPE_CHECKING = False     # typing.TYPE_CHECKING without importing typing (≈ 2 ms of every cold query)
if TYPE_CHECKING:
    from typing import Any

# A parameter variable's name (after ?): _name or __name (required), with an optional grlc type suffix.
PARAM = re.compile(r"(__?)([A-Za-z][A-Za-z0-9]*?)(?:_(iri|integer|decimal|string))?")
TYPES = ("iri", "integer", "decimal", "string")
# The longest value a parameter takes, by type (docs/security.md "Limits"): an integer fits xsd:long
# (19 digits and a sign), a decimal 40 characters, an IRI or a string 2,000 characters.
MAX_CHARS = {"integer": 20, "decimal": 40, "iri": 2000, "string": 2000}
LIST_KEYS = ("position", "number", "text")   # how the items of a ``#+ lists:`` column are ordered
__all__ = ["ParameterError", "Parameter", "SavedQuery", "catalogue", "saved_query", "choices", "resolve"]


class _Record:
    """Plain value classes (dataclasses cost ≈ 5 ms of every cold query): fields in ``__slots__``, equal when
    their fields are equal."""
    __slots__ = ()

    def __eq__(self, other):
        fields: tuple[str, ...] = self.__slots__
        return type(other) is type(self) and all(getattr(self, f) == getattr(other, f) for f in fields)

    def __repr__(self):
        fields: tuple[str, ...] = self.__slots__
        return f"{type(self).__name__}(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in fields) + ")"


class Parameter(_Record):
    """A parameter of a saved query: ``variable`` without the leading ?, ``type`` iri | integer | decimal | string."""
    __slots__ = ("name", "variable", "type", "required", "default", "enumerate")

    def __init__(self, name: str, variable: str, type: str, required: bool, default: str | None = None,
                 enumerate: bool = False):
        self.name, self.variable, self.type, self.required = name, variable, type, required
        self.default, self.enumerate = default, enumerate

    def check(self, value: str) -> str:
        """``value`` when its size fits its type (:data:`MAX_CHARS`), else :class:`ParameterError`.

        Checked before any other use: a 5,000-digit integer would otherwise reach ``int()``
        (Python refuses more than 4,300 digits with a ValueError) or a lookup."""
        limit = MAX_CHARS.get(self.type, MAX_CHARS["string"])
        if len(value) > limit:
            what = "digits and sign" if self.type == "integer" else "characters"
            raise ParameterError(f"parameter {self.name}: a value of {len(value)} characters is too long; "
                                 f"{self.type} values have at most {limit} {what}")
        return value

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        self.check(value)
        if self.type == "iri":
            v = value[1:-1] if value.startswith("<") and value.endswith(">") else value
            try:
                return ox.NamedNode(v)
            except ValueError:
                raise ParameterError(f"parameter {self.name}: {value!r} is not an IRI") from None
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", value.strip()):
                raise ParameterError(f"parameter {self.name}: {value!r} is not an integer")
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD_INTEGER))
        if self.type == "decimal":
            if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value.strip()):
                raise ParameterError(f"parameter {self.name}: {value!r} is not a decimal number")
            return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD_DECIMAL))
        return ox.Literal(value)


class SavedQuery(_Record):
    """A saved query: its ``.rq`` text and what its header says (``lists``: column → key kind of ``#+ lists:``)."""
    __slots__ = ("name", "path", "text", "summary", "description", "tags", "parameters", "lists", "across_plans")

    def __init__(self, name: str, path: Path, text: str, summary: str = "", description: str = "",
                 tags: list[str] | None = None, parameters: list[Parameter] | None = None,
                 lists: dict[str, str] | None = None, across_plans: bool = False):
        self.name, self.path, self.text, self.summary, self.description = name, path, text, summary, description
        self.tags, self.parameters, self.lists = tags or [], parameters or [], lists or {}
        # ``#+ across-plans: true``: bound to one plan, the answer still reads other plans' graphs (counterparts:
        # the bodies of other plans linked to the ones this plan names), so one plan's part of a corpus
        # (Store.prefer_plan) cannot answer it
        self.across_plans = across_plans

    def finish(self, result):
        """The rows as the user sees them: list columns sorted by their declared key and joined by 、,
        decimals in canonical form (the same answer from every SPARQL engine)."""
        from greenplan.query.results import canonical_rows, join_lists

        return join_lists(canonical_rows(result), self.lists)

    @property
    def title(self) -> str:
        return self.summary or self.name

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        valid = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(f"query {self.name} has no parameter {name!r}; its parameters: {valid}")

    def bindings(self, values: dict[str, str] | None = None, store=None) -> dict[str, ox.NamedNode | ox.Literal]:
        """Variable name → RDF term for the given parameter values (defaults filled in).

        With a ``store``, values of parameters that have a lookup file are resolved on it."""
        values = dict(values or {})
        for name in values:
            self.parameter(name)
        out = {}
        for p in self.parameters:
            value = values.get(p.name, p.default)
            if value is None or value == "":
                if p.required:
                    raise ParameterError(f"query {self.name} needs parameter {p.name}: pass --param {p.name}=VALUE")
                continue
            # a query in a subfolder of the catalogue (queries/network/) uses the catalogue's lookups
            lookup = lookup_path(p.name, self.path.parent) or lookup_path(p.name, self.path.parent.parent)
            p.check(str(value))
            if store is not None and lookup is not None:
                out[p.variable] = resolve(store, self.name, p.name, str(value), lookup)
            else:
                out[p.variable] = p.term(str(value))
        return out


def lookup_path(name: str, directory: Path | None = None) -> Path | None:
    """``queries/parameters/<name>.rq`` when the parameter has a lookup, else None."""
    path = (directory or folder("queries")) / "parameters" / f"{name}.rq"
    return path if path.is_file() else None


_LOOKUPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store → {lookup file: rows}


def _lookup_rows(store, lookup: Path) -> list:
    """The rows of a lookup query on this store, run once per store object (a loaded store does not change)."""
    try:
        memo = _LOOKUPS.setdefault(store, {})
    except TypeError:   # a store that cannot be weakly referenced: no memo
        memo = {}
    if lookup not in memo:
        text = lookup.read_text(encoding="utf-8")
        kept = getattr(store, "kept_rows", None)     # a local store's generation keeps its lookups' answers
        rows = kept(text) if kept is not None else None
        memo[lookup] = rows if rows is not None else store.run(text).rows
    return memo[lookup]


def choices(store, name: str, directory: Path | None = None) -> list[tuple[Any, str]]:
    """(term, label) of every valid value of a parameter with a lookup, in the lookup's order."""
    path = lookup_path(name, directory)
    if path is None:
        return []
    seen, out = set(), []
    for value, _key, label in _lookup_rows(store, path):
        if value not in seen:
            seen.add(value)
            out.append((value, label.value if label is not None else str(value)))
    return out


def resolve(store, query: str, name: str, value: str, lookup: Path):
    """The term a parameter value names, by the lookup query; unknown or ambiguous values are errors."""
    wanted = value.strip().strip("<>").casefold()
    rows = _lookup_rows(store, lookup)
    found = {}
    for term, key, label in rows:
        if key is not None and key.value.casefold() == wanted:
            found[term] = label.value if label is not None else str(term)
    if len(found) == 1:
        return next(iter(found))
    if found:
        raise ParameterError(f"query {query}: {name} {value!r} is ambiguous; it names "
                             + "; ".join(sorted(found.values())) + ". Give the IRI instead")
    labels = sorted({label.value for _, _, label in rows if label is not None})
    raise ParameterError(f"query {query}: unknown {name} {value!r}; valid values ({len(labels)}): "
                         + "; ".join(labels))


def _header(text: str) -> dict[str, Any]:
    """Parse the ``#+`` decorator lines (a small YAML subset: scalars, lists of scalars or of key: value)."""
    meta: dict[str, Any] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break
            continue
        body = line[2:].rstrip()
        item = body.strip()
        if item.startswith("- ") and key is not None:
            value = item[2:].strip()
            lst = meta.setdefault(key, [])
            if isinstance(lst, list):
                if re.match(r"^[A-Za-z_][\w-]*\s*:", value):
                    k, _, v = value.partition(":")
                    lst.append((k.strip(), v.strip().strip('"').strip("'")))
                else:
                    lst.append(value.strip('"').strip("'"))
            continue
        k, sep, v = item.partition(":")
        if not sep:
            continue
        key = k.strip()
        v = v.strip()
        if v:
            prev = meta.get(key)
            meta[key] = f"{prev} {v}" if isinstance(prev, str) else v.strip('"').strip("'")
        else:
            meta[key] = []
    return meta


def parse(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    meta = _header(text)
    defaults = {k: v for k, v in meta.get("defaults", []) if isinstance(meta.get("defaults"), list)} if isinstance(meta.get("defaults"), list) else {}
    enumerated = {e if isinstance(e, str) else e[0] for e in meta.get("enumerate", []) or []}
    params: dict[str, Parameter] = {}
    for variable in variables(text):       # the SPARQL tokenizer: never a ?_x inside a comment or a string
        m = PARAM.fullmatch(variable)
        if m is None or m.group(2) in params:
            continue
        name, typ = m.group(2), m.group(3) or "string"
        params[name] = Parameter(name, variable, typ, m.group(1) == "__", defaults.get(name), name in enumerated)
    for name in defaults:
        if name not in params:
            raise ParameterError(f"{path}: #+ defaults names {name!r}, but the query has no ?_{name} variable")
    tags = meta.get("tags", [])
    lists = {}
    for item in meta.get("lists", []) if isinstance(meta.get("lists"), list) else []:
        column, kind = item if isinstance(item, tuple) else (item, "")
        kind = kind.split("#")[0].strip()
        if kind not in LIST_KEYS:
            raise ParameterError(f"{path}: #+ lists: {column}: {kind!r} is not a list key; "
                                 f"use one of {', '.join(LIST_KEYS)}")
        lists[column] = kind
    return SavedQuery(path.stem, path, text, str(meta.get("summary", "")), str(meta.get("description", "")),
                      [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
                      sorted(params.values(), key=lambda p: p.name), lists,
                      str(meta.get("across-plans", "false")).strip().lower() == "true")


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def catalogue(directory: Path | None = None) -> list[SavedQuery]:
    """Every saved query of the folder, sorted by name."""
    return [parse(p) for p in sorted((directory or folder("queries")).glob("*.rq"))]


def saved_query(name: str, directory: Path | None = None) -> SavedQuery:
    """The saved query of that name: a catalogue name only, never a path (``../x``, ``/tmp/x`` are unknown names)."""
    folder_path = directory or folder("queries")
    path = folder_path / f"{name}.rq"
    if not _NAME.fullmatch(name) or not path.is_file():
        names = ", ".join(q.name for q in catalogue(directory))
        raise ParameterError(f"no saved query named {name!r}; saved queries: {names} (see `greenplan queries`)")
    return parse(path)
