"""A remote SPARQL endpoint behind the same small interface as :class:`greenplan.store.core.Store`.

``EndpointStore(url)`` answers ``run``/``query``/``quads``/``base`` like the
embedded store, so ``greenplan query|sparql|network --endpoint URL`` print the
same output as without ``--endpoint``.  It talks the SPARQL 1.1 Protocol
through SPARQLWrapper: a POST with the query in a URL-encoded form body
(``Content-Type: application/x-www-form-urlencoded; charset=UTF-8``), the one
request form that Virtuoso, Fuseki, GraphDB and Oxigraph all accept (a POST of
``application/sparql-query`` hung on Virtuoso 7.2), content negotiation by
``Accept`` only (no vendor ``format=``/``output=`` parameters), W3C JSON results
for SELECT/ASK and N-Triples (Turtle accepted) for CONSTRUCT/DESCRIBE —
Virtuoso's Turtle writer prints ``"200"^^xsd:decimal`` as ``200``, an integer.
SPARQLWrapper tells the query form from the text (the text it gets has no
comments: its guess reads words in some comments), sends, and raises its
exception classes for the endpoint's error statuses; pyoxigraph reads the
answer into Oxigraph terms (``parse_query_results``, ``parse``).
Every request has a time limit (``timeout`` seconds, default 60); every
failure becomes one :class:`StoreError` line naming the URL, what happened and
what to do.

Parameters of saved queries are written into the text as terms by
:func:`greenplan.query.sparqltext.substitute` (see there why this is safe).

This module is on the query path: it imports SPARQLWrapper inside functions and
neither rdflib (beyond what SPARQLWrapper loads) nor pyshacl nor networkx.
"""
from __future__ import annotations

import http.client
import re
import urllib.error

import pyoxigraph as ox

from greenplan.iris import default_base
from greenplan.query.sparqltext import QUERY_FORMS, UPDATE_WORDS, keywords, substitute, without_comments
from greenplan.store.core import StoreError

TIMEOUT = 60.0          # seconds for one request to the endpoint
FORM = "application/x-www-form-urlencoded; charset=UTF-8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"


class EndpointStore:
    """A SPARQL 1.1 Protocol query endpoint, used like :class:`greenplan.store.core.Store`."""

    def __init__(self, url: str, base: str | None = None, timeout: float = TIMEOUT):
        if not re.match(r"^https?://[^/\s]", url or ""):
            raise StoreError(f"--endpoint {url!r}: give the http(s) URL of a SPARQL query endpoint, "
                             "e.g. http://127.0.0.1:7878/query")
        if not timeout > 0:
            raise StoreError(f"--timeout {timeout:g}: give a number of seconds greater than 0")
        self.url = url
        self.timeout = timeout
        self._base = base

    @property
    def base(self) -> str:
        return self._base or default_base()

    def __repr__(self) -> str:
        return f"EndpointStore({self.url!r})"

    def run(self, sparql: str, bindings: dict | None = None):
        """SELECT/ASK → :class:`~greenplan.query.results.Result`; CONSTRUCT/DESCRIBE → list of triples."""
        from SPARQLWrapper import CONSTRUCT, DESCRIBE, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper

        text = substitute(sparql, bindings)
        if not UPDATE_WORDS.union(QUERY_FORMS).intersection(keywords(text)):
            raise StoreError(f"{self.url}: the text has no SELECT, ASK, CONSTRUCT or DESCRIBE outside comments and "
                             "strings, so it is not a SPARQL query; check the query text")
        sw = SPARQLWrapper(self.url)
        sw.setMethod(POST)
        sw.setRequestMethod(URLENCODED)
        sw.setOnlyConneg(True)                      # the protocol's Accept header, no vendor parameters
        sw.setTimeout(max(1, round(self.timeout)))
        sw.addCustomHttpHeader("Content-Type", FORM)  # the form body is UTF-8, percent-encoded
        # SPARQLWrapper reads the query form from the text; it skips some comments only, and a comment saying
        # "construction" would make a SELECT a CONSTRUCT.  Without comments the text means the same.
        sw.setQuery(without_comments(text))
        if not sw.isSparqlQueryRequest():
            raise StoreError(f"{self.url}: greenplan sends queries only (SELECT, ASK, CONSTRUCT, DESCRIBE), "
                             f"this text is a SPARQL Update ({sw.queryType}); run updates with the store's own tools")
        graph_query = sw.queryType in (CONSTRUCT, DESCRIBE)
        sw.setReturnFormat(TURTLE if graph_query else JSON)
        if graph_query:
            sw.addCustomHttpHeader("Accept", GRAPH_ACCEPT)
        body, media_type = self._ask(sw)
        return self._triples(body, media_type) if graph_query else self._result(body, media_type)

    def _result(self, body: bytes, media_type: str):
        """A SELECT/ASK answer (JSON as asked; XML or TSV read as well), read by pyoxigraph."""
        from greenplan.query.results import from_solutions

        fmt = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
        if fmt is None or fmt == ox.QueryResultsFormat.CSV:   # CSV loses what a term is: not read back
            raise StoreError(f"{self.url}: the answer is {media_type or 'of no content type'}, not SPARQL JSON "
                             "results; is this the endpoint's query URL (for Oxigraph …/query)?")
        try:
            return from_solutions(ox.parse_query_results(body, fmt))
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"{self.url}: the answer is not valid SPARQL results ({media_type}): "
                             f"{' '.join(str(e).split())[:300]}; is this the endpoint's query URL "
                             "(for Oxigraph …/query)?") from None

    def _triples(self, body: bytes, media_type: str) -> list[ox.Triple]:
        """A CONSTRUCT/DESCRIBE answer (N-Triples or Turtle as asked), read by pyoxigraph."""
        fmt = ox.RdfFormat.from_media_type(media_type) if media_type else None
        if fmt not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE):
            raise StoreError(f"{self.url}: the CONSTRUCT answer is {media_type or 'of no content type'}; the "
                             f"endpoint ignored Accept: {GRAPH_ACCEPT}")
        try:
            return [q.triple for q in ox.parse(body, format=fmt)]
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"{self.url}: cannot read the CONSTRUCT answer ({media_type}): "
                             f"{' '.join(str(e).split())}") from None

    def query(self, sparql: str, bindings: dict | None = None):
        """As :meth:`run`: a remote answer has no Oxigraph solution iterator to hand out."""
        return self.run(sparql, bindings)

    def quads(self) -> list[ox.Quad]:
        """Every triple of the named graphs under ``{base}graph/`` (greenplan's graphs). The default graph is
        left out (it may be the union), and so are a store's own graphs (Virtuoso keeps system graphs)."""
        from greenplan.iris import graph_namespace

        prefix = ox.Literal(graph_namespace(self.base))
        result = self.run(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {prefix})) }}")
        return [ox.Quad(s, p, o, g) for s, p, o, g in result.rows]

    def _ask(self, sw) -> tuple[bytes, str]:
        """Send the request; the answer's body and media type.

        The body is read by pyoxigraph (:meth:`_result`, :meth:`_triples`) rather than by SPARQLWrapper's
        ``convert()``, which gives a dict of strings for JSON (and a DOM for XML) where greenplan needs
        Oxigraph terms: reading those by hand is what pyoxigraph's parsers are for."""
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        try:
            answer = sw.query()
            media_type = (answer.info().get("content-type") or "").split(";")[0].strip()
            return answer.response.read(), media_type
        except SPARQLWrapperException as e:
            raise StoreError(explain(self.url, e)) from None
        except urllib.error.HTTPError as e:
            raise StoreError(f"{self.url}: HTTP {e.code} {e.reason}; check that this is a SPARQL query endpoint "
                             "and that it is reachable without credentials") from None
        except TimeoutError:
            raise StoreError(f"{self.url}: no answer within {self.timeout:g} s; the endpoint is busy or the query "
                             "is too costly for it") from None
        except http.client.HTTPException as e:   # a cut-off body, a broken HTTP answer
            raise StoreError(f"{self.url}: the answer broke off or is not what the protocol says "
                             f"({type(e).__name__}: {' '.join(str(e).split())[:200]}); try again or check the "
                             "endpoint") from None
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"cannot reach the SPARQL endpoint {self.url} ({reason}); start the server or fix "
                             "--endpoint (for Oxigraph: http://HOST:PORT/query)") from None


def explain(url: str, error: Exception) -> str:
    """One line for a SPARQLWrapper exception: the status its class stands for, what it means here, the
    exception's own text (SPARQLWrapper puts the endpoint's answer there), with line breaks folded."""
    from SPARQLWrapper.SPARQLExceptions import (
        EndPointInternalError,
        EndPointNotFound,
        QueryBadFormed,
        Unauthorized,
        URITooLong,
    )

    hints: dict[type, tuple[str, str, str]] = {   # (HTTP status, what it means here, what to do)
        QueryBadFormed: ("400", "the endpoint rejected the query", "check the query text"),
        EndPointNotFound: ("404", "no SPARQL query endpoint at this URL",
                           "give the endpoint's query URL (for Oxigraph http://HOST:PORT/query)"),
        Unauthorized: ("401", "the endpoint needs credentials", "use an endpoint that allows anonymous queries"),
        URITooLong: ("414", "the request was too long for the endpoint", "shorten the query"),
        EndPointInternalError: ("500", "the endpoint failed on the query", "see the endpoint's log"),
    }
    status, what, todo = hints.get(type(error), ("error", "the endpoint refused the query",
                                                 "check the URL and the query"))
    said = " ".join(str(error).split())
    if len(said) > 400:
        said = said[:399] + "…"
    return f"{url}: HTTP {status}: {what} ({said}); {todo}"
