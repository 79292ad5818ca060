"""Real SPARQL clients against a real ``greenplan serve`` process (issue 13, "endpoint for real clients").

SPARQLWrapper (SELECT JSON/XML/CSV/TSV, ASK JSON/XML, CONSTRUCT and DESCRIBE Turtle/RDF-XML/JSON-LD/N3)
and rdflib's SPARQLStore (GET and POST × SELECT/ASK/CONSTRUCT/DESCRIBE), each answer checked for the
data: the 112 tasks of annex 1 and the owners of task 59 (annex 1 as read by hand, tests/data), and the
statements of <https://w3id.org/greenplan/org/transport> read from the store itself.  Then cases written
from the SPARQL 1.1 Protocol recommendation that apply to a read-only endpoint."""
from __future__ import annotations

import csv
import io
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.test_graph import expected_bureaus

GP = "https://w3id.org/greenplan/ontology#"
TRANSPORT = "https://w3id.org/greenplan/org/transport"
TASK59 = "https://w3id.org/greenplan/plan/zhanjiang-green-economy/task/59"
COUNT = f"PREFIX gp: <{GP}> SELECT (COUNT(?t) AS ?n) WHERE {{ GRAPH ?g {{ ?t a gp:Task }} }}"
ASK59 = f"ASK {{ GRAPH ?g {{ <{TASK59}> a <{GP}Task> }} }}"
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
CONSTRUCT59 = (f"CONSTRUCT {{ <{TASK59}> <{GP}responsibleBody> ?b . ?b <{SKOS_LABEL}> ?l }} WHERE {{ "
               f"GRAPH ?g {{ <{TASK59}> <{GP}responsibleBody> ?b }} "
               f'GRAPH ?g2 {{ ?b <{SKOS_LABEL}> ?l FILTER(lang(?l) = "zh") }} }}')
DESCRIBE = f"DESCRIBE <{TRANSPORT}>"


@pytest.fixture(scope="module")
def endpoint(store):
    proc = subprocess.Popen([sys.executable, "-m", "greenplan.cli.main", "serve", "--store", str(store.directory),
                             "--port", "0", "--timeout", "30"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline()).group(0)
        yield url + "sparql"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        proc.stdout.close()


@pytest.fixture(scope="module")
def transport_statements(store):
    """What DESCRIBE must return: every statement with the body as subject, in any graph."""
    return {(q.predicate.value, q.object.value) for q in store.ox.quads_for_pattern(ox.NamedNode(TRANSPORT), None, None)}


def wrapper(endpoint, query, fmt, method="GET"):
    w = SPARQLWrapper(endpoint)
    w.setQuery(query)
    w.setReturnFormat(fmt)
    w.setMethod(method)
    return w.query()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json_xml_csv_tsv(endpoint, method):
    assert wrapper(endpoint, COUNT, JSON, method).convert()["results"]["bindings"][0]["n"]["value"] == "112"
    doc = wrapper(endpoint, COUNT, XML, method).convert()          # a minidom document
    assert doc.getElementsByTagName("literal")[0].firstChild.data == "112"
    rows = list(csv.reader(io.StringIO(wrapper(endpoint, COUNT, CSV, method).convert().decode("utf-8"))))
    assert rows == [["n"], ["112"]]
    tsv = wrapper(endpoint, COUNT, TSV, method).convert().decode("utf-8").splitlines()
    assert tsv[0] == "?n" and tsv[1].startswith("112")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_ask_json_xml(endpoint, method):
    assert wrapper(endpoint, ASK59, JSON, method).convert()["boolean"] is True
    doc = wrapper(endpoint, ASK59, XML, method).convert()
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert wrapper(endpoint, ASK59.replace("task/59", "task/999"), JSON, method).convert()["boolean"] is False


def owner_labels(g: rdflib.Graph) -> set[str]:
    """The zh labels of task 59's responsible bodies in a constructed graph."""
    return {str(g.value(b, rdflib.URIRef(SKOS_LABEL)))
            for b in g.objects(rdflib.URIRef(TASK59), rdflib.URIRef(GP + "responsibleBody"))}


def _graph(result, fmt) -> rdflib.Graph:
    data = result.convert()
    if isinstance(data, rdflib.Graph):
        return data
    g = rdflib.Graph()
    g.parse(data=data, format={TURTLE: "turtle", N3: "n3", JSONLD: "json-ld", RDFXML: "xml", XML: "xml"}[fmt])
    return g


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD, N3, XML])
def test_sparqlwrapper_construct_and_describe(endpoint, fmt, transport_statements):
    assert owner_labels(_graph(wrapper(endpoint, CONSTRUCT59, fmt), fmt)) == set(expected_bureaus(59).split("、"))
    d = _graph(wrapper(endpoint, DESCRIBE, fmt), fmt)
    got = {(str(p), str(o)) for p, o in d.predicate_objects(rdflib.URIRef(TRANSPORT))}
    assert got == transport_statements and got


@pytest.mark.parametrize("method", ["GET", "POST_FORM"])
def test_rdflib_sparqlstore(endpoint, method, transport_statements):
    store = SPARQLStore(endpoint, method=method, returnFormat="xml")
    g = rdflib.ConjunctiveGraph(store=store)
    assert int(next(iter(g.query(COUNT)))[0]) == 112
    assert g.query(ASK59).askAnswer is True
    assert owner_labels(g.query(CONSTRUCT59).graph) == set(expected_bureaus(59).split("、"))
    described = g.query(DESCRIBE).graph
    assert {(str(p), str(o)) for p, o in described.predicate_objects(rdflib.URIRef(TRANSPORT))} == transport_statements


# --- SPARQL 1.1 Protocol (W3C Recommendation 2013), cases for a read-only endpoint --------------

def http(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_protocol_query_via_get_post_form_and_post_direct_agree(endpoint):
    # 2.1.1 GET, 2.1.2 POST URL-encoded, 2.1.3 POST directly
    answers = [http(endpoint + "?" + urllib.parse.urlencode({"query": COUNT})),
               http(endpoint, urllib.parse.urlencode({"query": COUNT}).encode(),
                    {"Content-Type": "application/x-www-form-urlencoded"}),
               http(endpoint, COUNT.encode(), {"Content-Type": "application/sparql-query"})]
    assert {json.loads(b)["results"]["bindings"][0]["n"]["value"] for _, _, b in answers} == {"112"}


def test_protocol_dataset_parameters(endpoint, store):
    graph = next(store.ox.quads_for_pattern(ox.NamedNode(TASK59), None, None)).graph_name.value   # the plan's graph
    q = f"SELECT (COUNT(?t) AS ?n) WHERE {{ ?t a <{GP}Task> }}"
    _, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": q, "default-graph-uri": graph}))
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "112"
    _, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": q}))       # default graph: empty
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.parametrize("case", ["two-queries", "bad-syntax", "update-get", "update-post", "wrong-media",
                                  "query-and-body"])
def test_protocol_bad_requests(endpoint, case):
    if case == "two-queries":
        status = http(endpoint + "?" + urllib.parse.urlencode([("query", ASK59), ("query", ASK59)]))[0]
    elif case == "bad-syntax":
        status = http(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p }"}))[0]
    elif case == "update-get":
        status = http(endpoint + "?" + urllib.parse.urlencode({"update": "CLEAR ALL"}))[0]
    elif case == "update-post":
        status = http(endpoint, b"CLEAR ALL", {"Content-Type": "application/sparql-update"})[0]
    elif case == "wrong-media":
        status = http(endpoint, ASK59.encode(), {"Content-Type": "text/plain"})[0]
    else:
        status = http(endpoint + "?" + urllib.parse.urlencode({"query": ASK59}), ASK59.encode(),
                      {"Content-Type": "application/sparql-query"})[0]
    assert 400 <= status < 500


def test_protocol_content_negotiation_and_vary(endpoint):
    url = endpoint + "?" + urllib.parse.urlencode({"query": COUNT})
    for accept, media in (("application/sparql-results+xml", "application/sparql-results+xml"),
                          ("text/csv", "text/csv"), ("application/sparql-results+json", "application/sparql-results+json")):
        status, headers, _ = http(url, headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(media) and "Accept" in headers["Vary"]
    status, headers, _ = http(url, headers={"Accept": "image/png"})
    assert status == 406 and "Accept" in headers["Vary"]
    curl = endpoint + "?" + urllib.parse.urlencode({"query": CONSTRUCT59})
    status, headers, body = http(curl, headers={"Accept": "application/rdf+xml"})
    assert status == 200 and headers["Content-Type"].startswith("application/rdf+xml") and b"rdf:RDF" in body


@pytest.mark.parametrize("fmt, media", [("json", "application/sparql-results+json"),
                                        ("xml", "application/sparql-results+xml"), ("csv", "text/csv"),
                                        ("tsv", "text/tab-separated-values")])
def test_format_words_for_results(endpoint, fmt, media):
    status, headers, _ = http(endpoint + "?" + urllib.parse.urlencode({"query": COUNT, "format": fmt}))
    assert status == 200 and headers["Content-Type"].startswith(media)


@pytest.mark.parametrize("fmt, media", [("n3", "text/turtle"), ("turtle", "text/turtle"), ("rdf", "application/rdf+xml"),
                                        ("xml", "application/rdf+xml"), ("json-ld", "application/ld+json"),
                                        ("json", "application/ld+json")])
def test_format_words_for_graphs(endpoint, fmt, media, transport_statements):
    status, headers, body = http(endpoint + "?" + urllib.parse.urlencode({"query": DESCRIBE, "format": fmt}))
    assert status == 200 and headers["Content-Type"].startswith(media)
    g = rdflib.Graph().parse(data=body, format={"text/turtle": "turtle", "application/rdf+xml": "xml",
                                                "application/ld+json": "json-ld"}[media])
    assert {(str(p), str(o)) for p, o in g.predicate_objects(rdflib.URIRef(TRANSPORT))} == transport_statements


def test_endpoint_without_query_html_for_browsers_description_for_rdf_clients(endpoint):
    status, headers, body = http(endpoint, headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"<html" in body
    assert "Accept" in headers["Vary"]
    for accept, fmt in (("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")):
        status, headers, body = http(endpoint, headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(accept)
        g = rdflib.Graph().parse(data=body, format=fmt)
        sd = "http://www.w3.org/ns/sparql-service-description#"
        assert (rdflib.URIRef(endpoint), rdflib.RDF.type, rdflib.URIRef(sd + "Service")) in g
