"""Pre-binding of SPARQL variables as SHACL defines it (SHACL 5.2.1 and 6.2), on query text.

Pyoxigraph's ``substitutions`` and a ``VALUES`` block both bind a variable for the outer group only: inner
groups, ``UNION`` branches and subqueries do not see it. SHACL asks that every occurrence be replaced by the
value, so this module writes the value into the query text: ``$this`` in a pattern or expression becomes the
node, ``bound($this)`` becomes ``true``, and ``$this`` in a projection becomes ``(<node> AS ?this)`` so that
the answer still names it.

``check`` refuses what the spec forbids in such queries: ``MINUS``, ``SERVICE``, ``VALUES``, ``AS ?v`` for a
pre-bound variable, and a nested ``SELECT`` that does not project every pre-bound variable (``SELECT *``
included).
"""
from __future__ import annotations

import re

from greenplan.errors import GreenplanError

# strings, IRIs and comments are copied as they are; variables and words are looked at
TOKEN = re.compile(r'''("""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"'''
                   r'''|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|#[^\n]*|[?$][A-Za-z_0-9]+|[A-Za-z_][A-Za-z_0-9]*'''
                   r'''|\s+|.)''', re.S)


class SparqlError(GreenplanError, ValueError):
    """A SPARQL query of a shape that SHACL does not allow (or that cannot be parsed)."""


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def _words(toks):
    """(index, upper-case word or variable) of the tokens that are neither space, strings, IRIs nor comments."""
    return [(i, t.upper() if t[0] not in "?$" else t) for i, t in enumerate(toks)
            if t.strip() and t[0] not in "\"'<#" or t in ("<",)]


def check(text: str, prebound: set[str], where: str) -> None:
    """Raise :class:`SparqlError` for SPARQL that SHACL forbids with pre-binding (``where`` names the shape)."""
    toks = tokens(text)
    words = _words(toks)
    kinds = [w for _, w in words]
    for i, w in enumerate(kinds):
        if w in ("MINUS", "SERVICE", "VALUES"):
            prev = kinds[i - 1] if i else ""
            if prev not in (":",) and not (i + 1 < len(kinds) and kinds[i + 1] == ":"):
                raise SparqlError(f"{where}: SHACL does not allow {w} in a SPARQL constraint")
        if w == "AS" and i + 1 < len(kinds) and kinds[i + 1][:1] in "?$" and kinds[i + 1][1:] in prebound:
            raise SparqlError(f"{where}: SHACL does not allow re-binding the pre-bound variable "
                              f"{kinds[i + 1]} (AS {kinds[i + 1]})")
    selects = [i for i, w in enumerate(kinds) if w == "SELECT"]
    for i in selects[1:]:
        projected = set()
        for w in kinds[i + 1:]:
            if w in ("WHERE", "{", "FROM"):
                break
            if w == "*":
                raise SparqlError(f"{where}: a nested SELECT * does not project the pre-bound variables "
                                  f"(SHACL 5.2.1); name them")
            if w[:1] in "?$":
                projected.add(w[1:])
        missing = sorted(prebound - projected - {"shapesGraph", "currentShape"})
        if missing:
            raise SparqlError(f"{where}: a nested SELECT must project every pre-bound variable "
                              f"(missing: {', '.join('$' + m for m in missing)}; SHACL 5.2.1)")


_CACHE: dict = {}


def bind(text: str, values: dict[str, str]) -> str:
    """The query with each variable named in ``values`` replaced by its SPARQL term text."""
    key = (text, tuple(sorted(values)))
    template = _CACHE.get(key)
    if template is None:
        if len(_CACHE) > 256:
            _CACHE.clear()
        marks = {name: f"\x00{k}\x00" for k, name in enumerate(sorted(values))}
        template = _CACHE[key] = (_bind(text, marks).split("\x00"), sorted(values))
    parts, names = template
    return "".join(values[names[int(p)]] if i % 2 else p for i, p in enumerate(parts))


def _bind(text: str, values: dict[str, str]) -> str:
    toks = tokens(text)
    out = list(toks)
    words = _words(toks)
    depth_in_projection = None      # paren depth while inside a SELECT projection, else None
    nested = False                  # inside the projection of a subquery
    condition = False               # inside GROUP BY / ORDER BY, where a term must be an expression: (term)
    for n, (i, w) in enumerate(words):
        if w == "BY" and n and words[n - 1][1] in ("GROUP", "ORDER"):
            condition = True
        elif w in ("HAVING", "LIMIT", "OFFSET", "}", "VALUES"):
            condition = False
        if w == "SELECT":
            nested = depth_in_projection is not None or any(ww == "SELECT" for _, ww in words[:n])
            depth_in_projection = 0
            continue
        if depth_in_projection is not None:
            if w in ("WHERE", "{", "FROM"):
                depth_in_projection = None
            elif w == "(":
                depth_in_projection += 1
            elif w == ")":
                depth_in_projection -= 1
        if w[:1] in "?$" and w[1:] in values:
            name, term = w[1:], values[w[1:]]
            if depth_in_projection == 0:
                # the outer query names the node; a subquery drops it (a stand-in if nothing else is projected)
                if not nested:
                    out[i] = f"({term} AS ?{name})"
                else:
                    rest = [ww for _, ww in words[n + 1:]]
                    stop = next((k for k, ww in enumerate(rest) if ww in ("WHERE", "{", "FROM")), len(rest))
                    before = [ww for _, ww in words[:n]][::-1]
                    start = next(k for k, ww in enumerate(before) if ww == "SELECT")
                    others = [ww for ww in rest[:stop] + before[:start] if ww not in ("DISTINCT", "REDUCED")
                              and not (ww[:1] in "?$" and ww[1:] in values)]
                    out[i] = "" if others else f"(true AS ?prebound_{name})"
            elif n >= 2 and words[n - 1][1] == "(" and words[n - 2][1] == "BOUND":
                out[words[n - 2][0]] = ""
                out[words[n - 1][0]] = ""
                out[i] = "(true)"
                close = next((k for k, ww in words[n + 1:] if ww.strip()), None)
                if close is not None and toks[close] == ")":
                    out[close] = ""
            else:
                out[i] = f"({term})" if condition else term
    return "".join(out)
