"""A remote SPARQL endpoint behind the same small interface as :class:`greenplan.store.Store`.

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
Every request has a time limit (``timeout`` seconds, default 60); every
failure becomes one :class:`StoreError` line naming the URL, what happened and
what to do.

Parameters of saved queries are written into the text as terms by
:func:`greenplan.sparqltext.substitute` (see there why this is safe).

This module is on the query path: it imports SPARQLWrapper inside functions and
neither rdflib (beyond what SPARQLWrapper loads) nor pyshacl nor networkx.
"""
from __future__ import annotations

import http.client
import re
import socket
import urllib.error

import pyoxigraph as ox

from greenplan.iris import default_base
from greenplan.sparqltext import query_form, substitute
from greenplan.store import StoreError

TIMEOUT = 60.0          # seconds for one request to the endpoint
FORM = "application/x-www-form-urlencoded; charset=UTF-8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"


class EndpointStore:
    """A SPARQL 1.1 Protocol query endpoint, used like :class:`greenplan.store.Store`."""

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
        """SELECT/ASK → :class:`~greenplan.results.Result`; CONSTRUCT/DESCRIBE → list of triples."""
        import warnings

        from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper

        from greenplan.results import from_json_dict

        text = substitute(sparql, bindings)
        sw = SPARQLWrapper(self.url)
        sw.setMethod(POST)
        sw.setRequestMethod(URLENCODED)
        sw.setOnlyConneg(True)                      # the protocol's Accept header, no vendor parameters
        sw.setTimeout(max(1, round(self.timeout)))
        sw.addCustomHttpHeader("Content-Type", FORM)  # the form body is UTF-8, percent-encoded
        with warnings.catch_warnings():  # SPARQLWrapper warns on text it cannot classify; the endpoint says why
            warnings.simplefilter("ignore")
            sw.setQuery(text)
        sw.queryType = query_form(text)   # SPARQLWrapper's own guess reads words inside comments ("construction")
        graph_query = sw.queryType in ("CONSTRUCT", "DESCRIBE")
        sw.setReturnFormat(TURTLE if graph_query else JSON)
        if graph_query:
            sw.addCustomHttpHeader("Accept", GRAPH_ACCEPT)
        answer, media_type = self._ask(sw)
        if not graph_query:
            if not isinstance(answer, dict):
                raise StoreError(f"{self.url}: the answer is {media_type or 'of no content type'}, not SPARQL JSON "
                                 "results; is this the endpoint's query URL (for Oxigraph …/query)?")
            try:
                return from_json_dict(answer)
            except (KeyError, TypeError, ValueError) as e:
                raise StoreError(f"{self.url}: the answer is not valid SPARQL JSON results ({e!r}); "
                                 "is this the endpoint's query URL (for Oxigraph …/query)?") from None
        if not isinstance(answer, bytes):
            raise StoreError(f"{self.url}: the CONSTRUCT answer is {media_type}; the endpoint ignored "
                             f"Accept: {GRAPH_ACCEPT}")
        fmt = ox.RdfFormat.from_media_type(media_type) if media_type else None
        try:
            return [q.triple for q in ox.parse(answer, format=fmt or ox.RdfFormat.TURTLE)]
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"{self.url}: cannot read the CONSTRUCT answer ({media_type or 'no content type'}): "
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

    def _ask(self, sw):
        """Send the request; the converted answer (SPARQLWrapper's ``convert``) and its media type."""
        import warnings

        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        try:
            answer = sw.query()
            media_type = (answer.info().get("content-type") or "").split(";")[0].strip()
            with warnings.catch_warnings():    # a media type it did not expect: we say so ourselves
                warnings.simplefilter("ignore")
                return answer.convert(), media_type
        except SPARQLWrapperException as e:
            raise StoreError(explain(self.url, e)) from None
        except urllib.error.HTTPError as e:
            raise StoreError(f"{self.url}: HTTP {e.code} {e.reason}; check that this is a SPARQL query endpoint "
                             "and that it is reachable without credentials") from None
        except (TimeoutError, socket.timeout):
            raise StoreError(f"{self.url}: no answer within {self.timeout:g} s; the endpoint is busy or the query "
                             "is too costly for it") from None
        except (http.client.HTTPException, ValueError) as e:   # a cut-off body, bad JSON, a broken HTTP answer
            raise StoreError(f"{self.url}: the answer broke off or is not what the protocol says "
                             f"({type(e).__name__}: {' '.join(str(e).split())[:200]}); try again or check the "
                             "endpoint") from None
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"cannot reach the SPARQL endpoint {self.url} ({reason}); start the server or fix "
                             "--endpoint (for Oxigraph: http://HOST:PORT/query)") from None


_HINTS = {   # SPARQLWrapper's exception classes: (HTTP status, what it means here, what to do)
    "QueryBadFormed": ("400", "the endpoint rejected the query", "check the query text"),
    "EndPointNotFound": ("404", "no SPARQL query endpoint at this URL",
                         "give the endpoint's query URL (for Oxigraph http://HOST:PORT/query)"),
    "Unauthorized": ("401", "the endpoint needs credentials", "use an endpoint that allows anonymous queries"),
    "URITooLong": ("414", "the request was too long for the endpoint", "shorten the query"),
    "EndPointInternalError": ("500", "the endpoint failed on the query", "see the endpoint's log"),
}


def explain(url: str, error: Exception) -> str:
    """One line for a SPARQLWrapper exception: the status its class stands for, and the exception's own text
    (SPARQLWrapper puts the endpoint's answer there), with line breaks folded."""
    status, what, todo = _HINTS.get(type(error).__name__, ("error", "the endpoint refused the query",
                                                            "check the URL and the query"))
    said = " ".join(str(error).split())
    if len(said) > 400:
        said = said[:399] + "…"
    return f"{url}: HTTP {status}: {what} ({said}); {todo}"
