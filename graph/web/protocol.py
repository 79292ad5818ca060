"""SPARQL 1.1 Protocol details, kept free of HTTP plumbing so that tests can call them directly.

* :func:`negotiate` picks a media type from an ``Accept`` header (q-values, ``type/*``, ``*/*``).
* :func:`check_query` refuses what a read-only public endpoint must not run: SPARQL Update,
  federated ``SERVICE`` clauses (a friendly message; the worker cannot reach the network anyway)
  and queries nested or chained beyond what the engine parses safely.  It reads the query with a
  small tokenizer that skips strings, IRIs and comments, so ``"SERVICE"`` in a literal or
  ``ex:service`` is not mistaken for the keyword.
* :func:`triples_body` serialises CONSTRUCT/DESCRIBE answers in the negotiated format (SELECT/ASK
  answers: :func:`greenplan.query.results.serialize`, pyoxigraph's writers).
* :func:`service_description` is the ``sd:Service`` shown when ``/sparql`` gets no query.
"""
from __future__ import annotations

import re

import pyoxigraph as ox

from greenplan.iris import Minter
from greenplan.quads import to_bytes, triple_key
from greenplan.query.sparqltext import UPDATE_WORDS, keywords
from greenplan.vocab import PREFIXES

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
HTML = "text/html"

# Offers in order of preference (the first is the default for */* or no Accept);
# aliases map common generic types onto the SPARQL formats.
RESULT_TYPES = [(JSON, "json"), (XML, "xml"), (CSV, "csv"), (TSV, "tsv"),
                ("application/json", "json"), ("application/xml", "xml"), ("text/xml", "xml"),
                ("text/plain", "tsv")]
GRAPH_TYPES = [(TURTLE, "turtle"), (RDFXML, "rdfxml"), (JSONLD, "jsonld"), (NTRIPLES, "nt"),
               ("application/x-turtle", "turtle"), ("application/turtle", "turtle"), ("text/n3", "turtle"),
               ("text/rdf+n3", "turtle"), ("application/x-json+ld", "jsonld"), ("application/json", "jsonld"),
               ("application/xml", "rdfxml"), ("text/xml", "rdfxml"), ("text/plain", "nt")]
# ?format= overrides Accept (download links in the web UI use it; SPARQLWrapper sends it).  The same
# word names a results format or a graph format depending on the query form: `xml` is SPARQL
# Results XML for SELECT/ASK and RDF/XML for CONSTRUCT/DESCRIBE, `json` JSON or JSON-LD.
# N3 answers are Turtle (every Turtle document is N3).
RESULT_FORMAT_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"}
GRAPH_FORMAT_NAMES = {"ttl": "turtle", "turtle": "turtle", "n3": "turtle", "xml": "rdfxml", "rdf": "rdfxml",
                      "rdfxml": "rdfxml", "rdf+xml": "rdfxml", "rdf/xml": "rdfxml", "json": "jsonld",
                      "jsonld": "jsonld", "json-ld": "jsonld", "nt": "nt", "ntriples": "nt", "n-triples": "nt"}
FORMAT_NAMES = {**RESULT_FORMAT_NAMES, **GRAPH_FORMAT_NAMES, "html": "html"}   # entity pages: html or a graph format
MEDIA = {"json": JSON, "xml": XML, "csv": CSV, "tsv": TSV, "turtle": TURTLE, "jsonld": JSONLD, "nt": NTRIPLES,
         "rdfxml": RDFXML, "html": HTML}
RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "nt": ox.RdfFormat.N_TRIPLES,
               "rdfxml": ox.RdfFormat.RDF_XML}


class Refused(ValueError):
    """A query the endpoint will not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _ranges(accept: str | None) -> list[tuple[str, float]]:
    out = []
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        mt = fields[0].lower()
        if not mt:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        out.append((mt, q))
    return out


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers most (ties: earlier offer), or None when none is acceptable.

    No ``Accept`` header (or an empty one) means the first offer.
    """
    ranges = _ranges(accept)
    if not ranges:
        return offers[0] if offers else None
    best, best_q = None, 0.0
    for offer in offers:
        kind = offer.split("/")[0]
        q, specificity = None, -1
        for mt, mq in ranges:
            if mt == offer:
                s = 2
            elif mt == f"{kind}/*":
                s = 1
            elif mt == "*/*":
                s = 0
            else:
                continue
            if s > specificity:
                q, specificity = mq, s
        if q is not None and q > best_q:
            best, best_q = offer, q
    return best


def choose(accept: str | None, fmt: str | None, table: list[tuple[str, str]]) -> str | None:
    """Format name for a request: ``?format=`` wins over ``Accept``; None when nothing fits."""
    names = {name for _, name in table}
    if fmt:
        fmt = fmt.strip().lower()
        if fmt in MEDIA.values() or "/" in fmt:          # a media type given as format=
            return dict(table).get(fmt.split(";")[0].strip())
        words = GRAPH_FORMAT_NAMES if table is GRAPH_TYPES else RESULT_FORMAT_NAMES
        name = words.get(fmt)
        return name if name in names else None
    media = negotiate(accept, [m for m, _ in table])
    return dict(table).get(media) if media else None


# --- reading the query text -------------------------------------------------------------

# What makes the engine's parse tree deep: brackets, and chains of operators or of the keywords that
# join graph patterns (a chain of 10,000 ``+`` or ``UNION`` is as deep as 10,000 brackets).  Counted
# in the raw text, strings and comments included, so that no tokenizing trick can hide them: an
# over-count only costs a legitimate query of extreme size its run.
_OPENERS = re.compile(r"[({\[]")
_CHAIN = re.compile(r"[-+*/|&=<>!^,;.]|union|optional|minus|select|filter|bind|values|graph|service",
                    re.IGNORECASE)
_CHUNKS = re.compile(r"\S+")
MAX_OPENERS = 1000
MAX_CHAIN = 20000
MAX_CHUNKS = 50000     # whitespace-separated pieces: bounds the time the checks below take (≈ 0.1 s)


def check_query(text: str, max_openers: int = MAX_OPENERS, max_chain: int = MAX_CHAIN) -> None:
    """Raise :class:`Refused` for an update, a ``SERVICE`` clause or a query too deep to parse safely.

    The SERVICE check is a friendly early message only: the worker that runs queries cannot open a
    socket at all (:mod:`greenplan.web.worker`).  Other errors are the engine's to report.
    """
    if not text.strip():
        raise Refused(400, "the query is empty; pass a SPARQL query in `query`")
    openers = len(_OPENERS.findall(text))
    if openers > max_openers:
        raise Refused(400, f"the query is nested too deeply for this endpoint: {openers} opening brackets, "
                           f"the limit is {max_openers}")
    chain = len(_CHAIN.findall(text))
    if chain > max_chain:
        raise Refused(400, f"the query is too long for this endpoint: {chain} operators and pattern "
                           f"keywords, the limit is {max_chain}")
    chunks = len(_CHUNKS.findall(text))
    if chunks > MAX_CHUNKS:
        raise Refused(400, f"the query is too long for this endpoint: {chunks} words and symbols separated by "
                           f"spaces, the limit is {MAX_CHUNKS}")
    words = keywords(text)
    first = next((w for w in words if w not in ("prefix", "base")), None)
    if first in UPDATE_WORDS:
        raise Refused(403, f"this endpoint is read-only: SPARQL Update ({first.upper()}) is refused; "
                           "send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if "service" in words or "service" in keywords(text, less_than_after_operand=True):
        raise Refused(400, "federated queries are refused: remove the SERVICE clause (this endpoint does not "
                           "fetch other endpoints); query their data at their own endpoints")


# --- answers ----------------------------------------------------------------------------

def triples_body(triples, fmt: str, base: str | None = None) -> bytes:
    """Sorted triples as Turtle, JSON-LD or N-Triples (with the export's prefixes, incl. ``body:`` for ``{base}org/``)."""
    triples = sorted(triples, key=triple_key)
    rdf_format = RDF_FORMATS[fmt]
    prefixes = dict(PREFIXES)
    if base:
        prefixes.update(Minter(base).namespaces())
    return to_bytes(triples, rdf_format, prefixes)


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"


def service_description(endpoint: str, graphs: list[str]) -> list[ox.Triple]:
    """An ``sd:Service`` for the endpoint: language, result formats, the named graphs it holds."""
    n = ox.NamedNode
    rdf_type = n(PREFIXES["rdf"] + "type")
    svc = n(endpoint)
    ds = n(endpoint + "#dataset")
    triples = [
        ox.Triple(svc, rdf_type, n(SD + "Service")),
        ox.Triple(svc, n(SD + "endpoint"), svc),
        ox.Triple(svc, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(svc, n(SD + "defaultDataset"), ds),
        ox.Triple(ds, rdf_type, n(SD + "Dataset")),
        ox.Triple(ds, n(SD + "defaultGraph"), n(endpoint + "#default-graph")),
        ox.Triple(n(endpoint + "#default-graph"), rdf_type, n(SD + "Graph")),
        ox.Triple(svc, n(PREFIXES["rdfs"] + "comment"),
                  ox.Literal("Read-only SPARQL 1.1 endpoint of greenplan. The default graph is empty: put "
                             "patterns in GRAPH ?g { … } (or pass default-graph-uri). SPARQL Update and "
                             "SERVICE are refused; queries have a time limit and a result-size limit.",
                             language="en")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "RDF_XML", "JSON-LD", "N-Triples"):
        triples.append(ox.Triple(svc, n(SD + "resultFormat"), n(FORMATS_NS + name)))
    for g in graphs:
        node = n(endpoint + "#graph-" + str(len(triples)))
        triples += [ox.Triple(ds, n(SD + "namedGraph"), node),
                    ox.Triple(node, rdf_type, n(SD + "NamedGraph")),
                    ox.Triple(node, n(SD + "name"), n(g))]
    return triples
