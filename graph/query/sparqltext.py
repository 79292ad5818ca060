"""SPARQL query text: binding parameters as terms, and reading the query form, outside strings and comments.

Both stores bind saved-query parameters with :func:`substitute`: each bound
variable's occurrences are replaced by the term in N-Triples syntax.  (Oxigraph
0.5's own ``substitutions`` accept only variables of the SELECT projection, and
a remote endpoint takes only text.)  This is safe, and not the text-pasting it
looks like:

* what is inserted is ``str()`` of an ``ox.NamedNode``/``ox.Literal`` that
  :meth:`greenplan.query.catalogue.Parameter.term` has already built and checked:
  an IRI that cannot contain ``<``, ``>``, ``"``, spaces or braces, or a
  literal whose quotes, backslashes and line breaks are escaped.  A value can
  therefore never end the term and start SPARQL syntax of its own;
* the replacement walks the query with a small tokenizer that skips strings,
  IRIs and comments, so only real variable tokens ``?name``/``$name`` with
  exactly that name change (``?_plan`` never touches ``?_planB``);
* saved queries test optional parameters with ``COALESCE(?_x, …)`` (never
  ``BOUND(?_x)``, which would become ``BOUND("x")``, a syntax error), and
  parameter variables are neither projected nor assigned (``AS ?_x``); a
  query that does so is refused with a clear message.
"""
from __future__ import annotations

import re

import pyoxigraph as ox

from greenplan.errors import GreenplanError

# The lexical rules of SPARQL 1.1 that decide what is code and what is not: comments, the four
# string forms, IRIREF (with \u escapes), variables, prefixed names (whose local part may hold
# escaped quotes and '#', e.g. ex:a\'b), and bare words.  A bare word is a keyword.
_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$](?P<name>[\w\u00B7]+))
  | (?P<pname>(?:[^\W\d_][\w\-.]*)?:(?:[\w\-.:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>[^\W\d][\w\-]*)
  | (?P<other>\S)
''', re.VERBOSE)
_CODE = ("var", "name", "word", "other")
QUERY_FORMS = ("select", "ask", "construct", "describe")
UPDATE_WORDS = {"insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with"}   # what starts an update


class ParameterError(GreenplanError, ValueError):
    """Unknown parameter, missing required one, or a value of the wrong type."""


def variables(text: str) -> list[str]:
    """The names of the variables (``?x``/``$x`` → ``x``) in the order they occur, outside strings, IRIs and
    comments."""
    return [m.group("name") for m in _TOKEN.finditer(text) if m.group("var") is not None]


_OPERAND_END = re.compile(r"[\w)\]\"']\s*$")


def keywords(text: str, less_than_after_operand: bool = False) -> list[str]:
    """Bare words of a query in lower case, skipping comments, strings, IRIs, variables and prefixed names.

    SPARQL's ``<`` is either the start of an IRI or the less-than operator, and only the grammar
    position tells which: ``FILTER(?a<2)SERVICE#>`` is a comparison, a FILTER and a SERVICE keyword
    for the engine, but one IRI for a tokenizer that reads ``<`` as an IRI wherever it can.  With
    ``less_than_after_operand``, a ``<`` inside parentheses (where expressions are) right after an
    operand (a variable, number, string, ``)`` or ``]``) is read as the operator instead.  A caller
    that must not miss a keyword reads the text both ways.
    """
    if not less_than_after_operand:
        return [m.group("word").lower() for m in _TOKEN.finditer(text) if m.group("word")]
    words, pos, parens = [], 0, [0]
    while pos < len(text):
        for m in _TOKEN.finditer(text, pos):
            kind = m.lastgroup
            if kind == "iri" and parens[-1] > 0 and _OPERAND_END.search(text, max(0, m.start() - 200), m.start()):
                pos = m.start() + 1         # the operator '<': go on reading right after it
                break
            if kind == "word":
                words.append(m.group("word").lower())
            elif kind == "other":
                c = m.group()
                if c == "{":
                    parens.append(0)
                elif c == "}" and len(parens) > 1:
                    parens.pop()
                elif c == "(":
                    parens[-1] += 1
                elif c == ")" and parens[-1] > 0:
                    parens[-1] -= 1
        else:
            break
    return words


_ASSIGNED = re.compile(r"\bAS\s*$", re.IGNORECASE)


def substitute(text: str, bindings: dict | None) -> str:
    """``text`` with each bound variable replaced by its term in N-Triples syntax (see the module doc)."""
    if not bindings:
        return text
    terms = {}
    for name, term in bindings.items():
        if isinstance(term, ox.BlankNode) or not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise ParameterError(f"parameter ?{name}: only IRIs and literals can be sent to a remote endpoint, got {term!r}")
        terms[name] = str(term)
    out, pos = [], 0
    for m in _TOKEN.finditer(text):
        if m.group("var") is None or m.group("name") not in terms:
            continue
        name = m.group("name")
        if _ASSIGNED.search(text, 0, m.start()) or _projected(text, m.start()):
            raise ParameterError(f"?{name} is bound as a parameter but the query projects or assigns it; "
                             "parameter variables may only be used inside the WHERE clause")
        out.append(text[pos:m.start()])
        out.append(terms[name])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def with_values(text: str, variable: str, terms) -> str:
    """``text`` with ``VALUES ?variable { terms }`` put at the start of its first WHERE clause (``WHERE {``
    outside strings, IRIs and comments): a query restricted to a list of terms, which no single binding
    expresses.  The terms are written in N-Triples syntax, as :func:`substitute` writes them."""
    m = re.search(r"\bWHERE\s*\{", _blank_out(text), re.IGNORECASE)
    if m is None:
        raise ValueError("the query has no WHERE clause to restrict")
    values = " ".join(str(t) for t in terms)
    return f"{text[:m.end()]} VALUES ?{variable} {{ {values} }}{text[m.end():]}"


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword outside strings, IRIs and comments.

    Anything else (an update, a syntax error) is sent as SELECT and the endpoint says what is wrong."""
    form = next((w for w in keywords(text) if w in QUERY_FORMS), "select")
    return form.upper()


def _projected(text: str, at: int) -> bool:
    """True when position ``at`` lies between a SELECT keyword and its WHERE/{ (the projection)."""
    head = _blank_out(text[:at])
    selects = list(re.finditer(r"(?<![?$:\w])SELECT\b", head, re.IGNORECASE))
    if not selects:
        return False
    between = head[selects[-1].end():]
    return "{" not in between and not re.search(r"\bWHERE\b", between, re.IGNORECASE)


def _blank_out(text: str) -> str:
    """Text with strings, IRIs and comments replaced by spaces (same length)."""
    return _TOKEN.sub(lambda m: m.group(0) if m.lastgroup in _CODE else " " * len(m.group(0)), text)


def without_comments(text: str) -> str:
    """``text`` with its comments removed (``#`` to the line end, outside strings and IRIs); line breaks stay,
    so line numbers in an engine's error message still point into the original text."""
    return _TOKEN.sub(lambda m: "" if m.lastgroup == "comment" else m.group(0), text)
