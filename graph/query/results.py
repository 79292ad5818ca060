"""Query results: one in-memory shape for embedded and remote answers, and the
output formats of the CLI (table, csv, tsv, json) and of the endpoint (json, xml, csv, tsv).

The SPARQL 1.1 results formats are written and read by pyoxigraph (:func:`serialize`,
:func:`parse`).  A :class:`Result` holds rows after greenplan's own steps (canonical numbers, joined
list columns), which pyoxigraph cannot be handed directly (it builds no ``QuerySolutions`` from
rows); it reaches pyoxigraph's writers through SPARQL TSV, whose cells are the terms' own N-Triples
text (``str(term)``), so no term is escaped by hand here.  The terminal table and the byte-order mark
of CSV for Excel are greenplan's.

This module is on the cold query path: it imports only pyoxigraph at load time."""
from __future__ import annotations

import pyoxigraph as ox

from greenplan.errors import GreenplanError
from greenplan.vocab import XSD_BOOLEAN, XSD_DECIMAL

FORMATS = ("table", "csv", "tsv", "json")           # what ``greenplan query --format`` prints
RESULTS_FORMATS = ("json", "xml", "csv", "tsv")     # SPARQL 1.1 results formats, by pyoxigraph


class Result:
    """Variables and rows of terms (None where unbound); for ASK, ``boolean`` and no rows."""

    __slots__ = ("variables", "rows", "boolean")

    def __init__(self, variables: list[str], rows: list[list[ox.NamedNode | ox.Literal | ox.BlankNode | None]],
                 boolean: bool | None = None):
        self.variables = variables
        self.rows = rows
        self.boolean = boolean

    def __eq__(self, other) -> bool:
        return isinstance(other, Result) and (self.variables, self.rows, self.boolean) == (
            other.variables, other.rows, other.boolean)

    def __repr__(self) -> str:
        if self.boolean is not None:
            return f"Result(boolean={self.boolean})"
        return f"Result({self.variables!r}, {len(self.rows)} rows)"

    def dicts(self) -> list[dict[str, object]]:
        """Rows as dicts of Python values (int/Decimal-as-str/str); unbound variables are None."""
        return [{v: python_value(t) for v, t in zip(self.variables, row)} for row in self.rows]

    def column(self, name: str) -> list[object]:
        i = self.variables.index(name)
        return [python_value(r[i]) for r in self.rows]

    def dataframe(self):
        """The rows as a pandas DataFrame (columns in the query's order, Python values as in :meth:`dicts`).
        pandas is an optional extra: ``pip install "greenplan[pandas]"``."""
        try:
            import pandas
        except ImportError:
            from greenplan.errors import GreenplanError

            raise GreenplanError('Result.dataframe() needs pandas: pip install "greenplan[pandas]"') from None
        return pandas.DataFrame(self.dicts(), columns=self.variables)


def python_value(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger", "#positiveInteger")):
            return int(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


_DECIMAL = r"([+-]?)0*(\d*?)(?:\.(\d*?)0*)?"
_BOOLEAN = {"1": "true", "0": "false"}


def canonical(term):
    """An xsd:decimal or xsd:boolean in canonical form (``1715.0`` → ``1715``, ``+0.50`` → ``0.5``, boolean
    ``1`` → ``true``); other terms unchanged.

    Engines print these differently (Jena ``1715.0``, Oxigraph and Virtuoso ``1715``; Virtuoso booleans
    ``0``/``1``) and Virtuoso keeps no lexical form of a stored number, so one form is printed everywhere.
    A literal that is not a valid decimal is left as it is."""
    if not (isinstance(term, ox.Literal) and term.datatype is not None):
        return term
    if term.datatype.value == XSD_BOOLEAN:
        return ox.Literal(_BOOLEAN[term.value], datatype=term.datatype) if term.value in _BOOLEAN else term
    if term.datatype.value != XSD_DECIMAL:
        return term
    import re

    m = re.fullmatch(_DECIMAL, term.value)
    if not m or not (m.group(2) or m.group(3) is not None):
        return term
    sign, whole, frac = m.group(1), m.group(2) or "0", m.group(3) or ""
    text = whole + ("." + frac if frac else "")
    if sign == "-" and text.strip("0.") != "":
        text = "-" + text
    return term if text == term.value else ox.Literal(text, datatype=term.datatype)


def canonical_rows(result: Result) -> Result:
    """The result with every xsd:decimal in canonical form (:func:`canonical`)."""
    if result.boolean is not None:
        return result
    return Result(result.variables, [[canonical(t) for t in row] for row in result.rows])


def from_solutions(answer: ox.QuerySolutions | ox.QueryBoolean) -> Result:
    """pyoxigraph's answer to a SELECT or ASK as a :class:`Result`, numbers and booleans in canonical form."""
    if isinstance(answer, ox.QueryBoolean):
        return Result([], [], bool(answer))
    variables = [v.value for v in answer.variables]
    rows = [[canonical(s[v]) for v in variables] for s in answer]
    return Result(variables, rows)


class ListError(GreenplanError, ValueError):
    """A list column whose items do not have the declared key (the query breaks its own ``#+ lists:``)."""


LIST_SEPARATOR = "\n"     # between the items of a list column in the SPARQL answer
JOINED_BY = "、"            # between them in what greenplan prints


def _list_key(kind: str, item: str, column: str):
    import re

    if kind == "text":
        return item, item
    head, _, rest = item.partition(" ")
    if not re.fullmatch(r"[+-]?\d+", head) or (kind == "number" and rest):
        what = "an integer" if kind == "number" else "an integer position, a space and a value"
        raise ListError(f"list column {column!r}: item {item!r} is not {what}")
    return int(head), (head if kind == "number" else rest)


def join_lists(result: Result, lists: dict[str, str]) -> Result:
    """Order and join the list columns of a saved query's answer.

    Each column named in ``lists`` holds items separated by a line break (``GROUP_CONCAT(…;
    separator="\\n")``, in whatever order the engine chose); they are ordered by their key (``position``:
    ``"N VALUE"`` by N, printed without N; ``number``: by value; ``text``: by code point), repeats are
    dropped and the rest joined by ``、``.  An empty list stays the empty string; unbound stays unbound."""
    if result.boolean is not None or not lists:
        return result
    index = {v: i for i, v in enumerate(result.variables)}
    missing = [c for c in lists if c not in index]
    if missing:
        raise ListError(f"#+ lists names {', '.join(missing)}, but the answer has no such column")
    rows = []
    for row in result.rows:
        row = list(row)
        for column, kind in lists.items():
            i = index[column]
            term = row[i]
            if term is None or term.value == "":
                continue
            keyed = sorted((_list_key(kind, item, column) for item in term.value.split(LIST_SEPARATOR)),
                           key=lambda kv: kv[0])
            seen, values = set(), []
            for _, value in keyed:
                if value not in seen:
                    seen.add(value)
                    values.append(value)
            row[i] = ox.Literal(JOINED_BY.join(values))
        rows.append(row)
    return Result(result.variables, rows)


def _results_format(fmt: str) -> ox.QueryResultsFormat:
    if fmt not in RESULTS_FORMATS:
        raise ValueError(f"unknown results format {fmt!r}; choose one of {', '.join(RESULTS_FORMATS)}")
    return getattr(ox.QueryResultsFormat, fmt.upper())


def solutions(result: Result) -> ox.QuerySolutions | ox.QueryBoolean:
    """The result as pyoxigraph's query answer, read back from SPARQL TSV (see the module doc)."""
    if result.boolean is not None:
        text = '{"head":{},"boolean":%s}' % ("true" if result.boolean else "false")
        return ox.parse_query_results(text, ox.QueryResultsFormat.JSON)
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
    return ox.parse_query_results("\n".join(lines) + "\n", ox.QueryResultsFormat.TSV)


def serialize(result: Result, fmt: str) -> bytes:
    """The result in a SPARQL 1.1 results format (``json``, ``xml``, ``csv``, ``tsv``), written by pyoxigraph."""
    data = solutions(result).serialize(format=_results_format(fmt))
    assert data is not None    # no output file given: pyoxigraph returns the bytes
    return data


def parse(data: bytes | str, fmt: str = "json") -> Result:
    """A SPARQL 1.1 results document (``json``, ``xml``, ``tsv``) as a :class:`Result`, read by pyoxigraph,
    numbers and booleans in canonical form.  Raises SyntaxError when the document is not valid."""
    return from_solutions(ox.parse_query_results(data, _results_format(fmt)))


class _CharWidths(dict):
    """The columns each character takes in a terminal (2 for East Asian wide and full-width ones), looked up
    in unicodedata once per character: a table of the bundled plan's tasks measures ≈ 75,000 characters."""

    def __missing__(self, c: str) -> int:
        import unicodedata

        w = self[c] = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        return w


_COLUMNS = _CharWidths()


def width(text: str) -> int:
    """Terminal columns of ``text``, counting CJK (East Asian wide and full-width) characters as two."""
    return len(text) if text.isascii() else sum(map(_COLUMNS.__getitem__, text))


def _cell(t, limit: int) -> str:
    s = "" if t is None else t.value.replace("\n", " ")
    if width(s) <= limit:
        return s
    out, w = "", 0
    for c in s:
        cw = _COLUMNS[c]
        if w + cw > limit - 1:
            break
        out += c
        w += cw
    return out + "…"


def fit_widths(widths: list[int], total: int, floors: list[int]) -> list[int]:
    """Column widths that fit ``total`` terminal columns (two spaces between columns): the widest column is
    narrowed one column at a time, none below its floor; when the floors do not fit, the floors."""
    widths = list(widths)
    room = total - 2 * (len(widths) - 1)
    while sum(widths) > room:
        i = max(range(len(widths)), key=lambda j: (widths[j] > floors[j], widths[j]))
        if widths[i] <= floors[i]:
            break
        widths[i] -= 1
    return widths


def to_table(result: Result, max_width: int | None = 60, total_width: int | None = None) -> str:
    """Columns lined up in a terminal, counting CJK characters as two columns wide.

    ``max_width`` cuts each cell to that many columns; ``total_width`` (when given, and no ``max_width``)
    narrows the widest columns until the whole table fits that many columns."""
    if result.boolean is not None:
        return "true\n" if result.boolean else "false\n"
    if max_width is None and total_width is not None:
        full = [[_cell(t, 10**9) for t in row] for row in result.rows]
        natural = [max([width(v)] + [width(r[i]) for r in full]) for i, v in enumerate(result.variables)]
        floors = [min(n, max(8, width(v))) for n, v in zip(natural, result.variables)]   # headers stay whole
        limits = fit_widths(natural, total_width, floors)
        cells = [[_cell(t, lim) for t, lim in zip(row, limits)] for row in result.rows]
    else:
        limit = 60 if max_width is None else max_width
        cells = [[_cell(t, limit) for t in row] for row in result.rows]
    header = list(result.variables)
    widths = [max([width(v)] + [width(r[i]) for r in cells]) for i, v in enumerate(header)]

    def line(values):
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def render(result: Result, fmt: str, bom: bool = False, max_width: int | None = 60,
           total_width: int | None = None) -> str:
    """The result as ``greenplan query`` prints it; ``bom`` starts CSV with a byte-order mark (for Excel)."""
    if fmt == "table":
        return to_table(result, max_width, total_width)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    text = serialize(result, fmt).decode("utf-8")
    if not text.endswith("\n"):            # JSON, and an ASK answer in CSV or TSV, end without a line break
        text += "\r\n" if fmt == "csv" else "\n"
    return "\ufeff" + text if fmt == "csv" and bom else text
