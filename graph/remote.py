"""A remote SPARQL endpoint behind the same small interface as :class:`greenplan.store.Store`.

``EndpointStore(url)`` answers ``run``/``query``/``quads``/``base`` like the
embedded store, so ``greenplan query|sparql|network --endpoint URL`` print the
same output as without ``--endpoint``.  It talks the SPARQL 1.1 Protocol
through SPARQLWrapper (POST, URL-encoded form), asks for W3C JSON results for
SELECT/ASK and for Turtle for CONSTRUCT/DESCRIBE.

Parameters of saved queries are written into the text as terms by
:func:`greenplan.sparqltext.substitute` (see there why this is safe).

This module is on the query path: it imports SPARQLWrapper inside functions and
neither rdflib (beyond what SPARQLWrapper loads) nor pyshacl nor networkx.
"""
from __future__ import annotations

import re

import pyoxigraph as ox

from greenplan.iris import default_base
from greenplan.sparqltext import query_form, substitute
from greenplan.store import StoreError

class EndpointStore:
    """A SPARQL 1.1 Protocol query endpoint, used like :class:`greenplan.store.Store`."""

    def __init__(self, url: str, base: str | None = None, timeout: float = 60.0):
        if not re.match(r"^https?://", url or ""):
            raise StoreError(f"--endpoint {url!r}: give the http(s) URL of a SPARQL query endpoint, "
                             "e.g. http://127.0.0.1:7878/query")
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

        from greenplan.results import from_json

        text = substitute(sparql, bindings)
        sw = SPARQLWrapper(self.url)
        sw.setMethod(POST)
        sw.setRequestMethod(URLENCODED)
        sw.setTimeout(int(self.timeout))
        with warnings.catch_warnings():  # SPARQLWrapper warns on text it cannot classify; the endpoint says why
            warnings.simplefilter("ignore")
            sw.setQuery(text)
        sw.queryType = query_form(text)   # SPARQLWrapper's own guess reads words inside comments ("construction")
        graph_query = sw.queryType in ("CONSTRUCT", "DESCRIBE")
        sw.setReturnFormat(TURTLE if graph_query else JSON)
        body, media_type = self._fetch(sw)
        if not graph_query:
            try:
                return from_json(body.decode("utf-8"))
            except (ValueError, KeyError) as e:
                raise StoreError(f"{self.url}: the answer is not SPARQL JSON results ({e}); "
                                 "is this the endpoint's query URL (for Oxigraph …/query)?") from None
        fmt = ox.RdfFormat.from_media_type(media_type) if media_type else None
        try:
            return [q.triple for q in ox.parse(body, format=fmt or ox.RdfFormat.TURTLE)]
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"{self.url}: cannot read the CONSTRUCT answer ({media_type or 'no content type'}): {e}") from None

    def query(self, sparql: str, bindings: dict | None = None):
        """As :meth:`run`: a remote answer has no Oxigraph solution iterator to hand out."""
        return self.run(sparql, bindings)

    def quads(self) -> list[ox.Quad]:
        """Every triple of every named graph (the default graph is left out: it may be their union)."""
        result = self.run("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [ox.Quad(s, p, o, g) for s, p, o, g in result.rows]

    def _fetch(self, sw) -> tuple[bytes, str]:
        import socket
        import urllib.error

        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        try:
            answer = sw.query()
            body = answer.response.read()
            media_type = (answer.response.headers.get("Content-Type") or "").split(";")[0].strip()
            return body, media_type
        except SPARQLWrapperException as e:
            raise StoreError(_explain(self.url, e)) from None
        except urllib.error.HTTPError as e:
            raise StoreError(f"{self.url}: HTTP {e.code} {e.reason}; check that this is a SPARQL query endpoint "
                             "and that it is reachable without credentials") from None
        except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"cannot reach the SPARQL endpoint {self.url} ({reason}); start the server or fix "
                             "--endpoint (for Oxigraph: http://HOST:PORT/query)") from None


_HINTS = {
    "QueryBadFormed": ("HTTP 400", "the endpoint rejected the query", "check the query text"),
    "EndPointNotFound": ("HTTP 404", "no SPARQL query endpoint at this URL",
                         "give the endpoint's query URL (for Oxigraph http://HOST:PORT/query)"),
    "Unauthorized": ("HTTP 401", "the endpoint needs credentials", "use an endpoint that allows anonymous queries"),
    "URITooLong": ("HTTP 414", "the request was too long for the endpoint", "shorten the query"),
    "EndPointInternalError": ("HTTP 500", "the endpoint failed on the query", "see the endpoint's log"),
}


def _explain(url: str, error: Exception) -> str:
    """A one-line message for a SPARQLWrapper exception, with the endpoint's own words."""
    import ast

    text = str(error)
    status, what, todo = _HINTS.get(type(error).__name__, ("HTTP error", "the endpoint refused the query",
                                                            "check the URL and the query"))
    said = ""
    if "Response:\n" in text:
        raw = text.split("Response:\n", 1)[1].strip()
        try:
            said = ast.literal_eval(raw).decode("utf-8", "replace")
        except (ValueError, SyntaxError, AttributeError):
            said = raw
        said = " ".join(said.split())[:500]
    return f"{url}: {status}: {what}{': ' + said if said else ''}; {todo}"
