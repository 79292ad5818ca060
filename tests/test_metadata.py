"""`greenplan metadata`: the DCAT + VoID description validates against the official DCAT-AP 3.0.1
shapes (tests/data/dcat-ap-3.0.1, copied unchanged from ../shared/conformance) and says what the
document says: title, jurisdiction 湛江市, the years 2020–2035, the issuing bureau."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from greenplan.cli.main import main
from greenplan.export.metadata import describe, serialize
from tests.conftest import DATA
from tests.handread import tags

SHAPES = DATA / "dcat-ap-3.0.1"
SITE = "http://127.0.0.1:8000/"
BASE = "https://w3id.org/greenplan/"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
SH = "http://www.w3.org/ns/shacl#"
# What the recommended shapes still miss, because the data does not hold it: the document prints no
# date (issued/modified), names no contact point, and places.ttl gives Zhanjiang no coordinates.
RECOMMENDED_GAPS = {
    (BASE + "place/440800", DCAT + "bbox"), (BASE + "place/440800", DCAT + "centroid"),
    (BASE + "dataset", DCAT + "contactPoint"), (BASE + "dataset/sparql-service", DCAT + "contactPoint"),
    (BASE + "catalog", DCT + "issued"), (BASE + "catalog", DCT + "modified"),
}


@pytest.fixture(scope="module")
def triples(store):
    return describe(store, SITE)


def objects(triples, s: str, p: str) -> list:
    return sorted((t.object for t in triples if t.subject == ox.NamedNode(s) and t.predicate == ox.NamedNode(p)),
                  key=str)


def validate(triples, *shape_files):
    """pySHACL on the description alone: (conforms, [(severity, focus, path)], text)."""
    import rdflib
    from pyshacl import validate as shacl

    found = sorted(SHAPES.glob("*.ttl"))
    assert {p.name for p in found} == {"shapes.ttl", "range.ttl", "shapes_recommended.ttl"}, found
    data = rdflib.Graph().parse(data=serialize(triples, "turtle").decode("utf-8"), format="turtle")
    shapes = rdflib.Graph()
    for name in shape_files:
        shapes.parse(SHAPES / name, format="turtle")
    conforms, report, text = shacl(data, shacl_graph=shapes, inference="none")
    sh = rdflib.Namespace(SH)
    results = sorted((str(report.value(r, sh.resultSeverity)), str(report.value(r, sh.focusNode)),
                      str(report.value(r, sh.resultPath)))
                     for r in report.subjects(rdflib.RDF.type, sh.ValidationResult))
    return conforms, results, text


def test_description_has_no_dcat_ap_violation(triples):
    conforms, results, text = validate(triples, "shapes.ttl", "range.ttl")
    assert conforms, text
    assert results == []


def test_recommended_shapes_leave_only_what_the_data_lacks(triples):
    _, results, text = validate(triples, "shapes_recommended.ttl")
    assert {sev for sev, _, _ in results} <= {SH + "Warning"}, text
    assert {(focus, path) for _, focus, path in results} == RECOMMENDED_GAPS, text


def test_range_shapes_catch_an_untyped_value(triples):
    # The check can fail: drop the type of the publisher and range.ttl reports it.
    publisher = objects(triples, BASE + "dataset", DCT + "publisher")[0]
    broken = [t for t in triples if not (t.subject == publisher and t.predicate.value.endswith("#type"))]
    conforms, results, _ = validate(broken, "shapes.ttl", "range.ttl")
    assert not conforms and any(path == DCT + "publisher" for _, _, path in results)


def test_dataset_says_what_the_document_says(triples):
    ds = BASE + "dataset"
    titles = {t.language: t.value for t in objects(triples, ds, DCT + "title")}
    # The document's title, printed over lines 1 and 3 of the text.
    assert titles["zh"].startswith("湛江市关于加快建立健全绿色低碳循环发展经济体系的实施方案")
    assert "Zhanjiang" in titles["en"]
    assert {d.language for d in objects(triples, ds, DCT + "description")} == {"zh", "en"}
    # 湛江市 is the plan's jurisdiction (division code 440800).
    spatial = objects(triples, ds, DCT + "spatial")
    assert spatial == [ox.NamedNode(BASE + "place/440800")]
    assert ox.Literal("湛江市", language="zh") in objects(triples, spatial[0].value, "http://www.w3.org/2004/02/skos/core#prefLabel")
    # Annex 2's earliest construction period starts in 2020; the long-range goal is 到2035年.
    period = objects(triples, ds, DCT + "temporal")[0].value
    gyear = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
    assert objects(triples, period, DCAT + "startDate") == [ox.Literal("2020", datatype=gyear)]
    assert objects(triples, period, DCAT + "endDate") == [ox.Literal("2035", datatype=gyear)]
    # The publisher is the body that drafted the plan: 市发展改革局 (section 二十八).
    publisher = objects(triples, ds, DCT + "publisher")[0].value
    assert ox.Literal("湛江市发展和改革局", language="zh") in objects(triples, publisher, "http://xmlns.com/foaf/0.1/name")
    assert ox.Literal("湛江市", language="zh") in objects(triples, ds, DCAT + "keyword")


def test_themes_come_from_the_topic_thesaurus(triples, store):
    scheme = BASE + "topic/scheme"
    in_scheme = {r[0] for r in store.run(
        "SELECT ?c WHERE { GRAPH ?g { ?c <http://www.w3.org/2004/02/skos/core#inScheme> <%s> } }" % scheme).rows}
    themes = objects(triples, BASE + "dataset", DCAT + "theme")
    assert in_scheme, "the topic thesaurus (ontology/topics.ttl) is missing from the build"
    assert set(themes) <= in_scheme
    # the concepts some task or project is about (tests/data/topic-tags.tsv)
    about = {ox.NamedNode(BASE + "topic/" + c) for c, kinds in tags().items() if kinds["tasks"] or kinds["projects"]}
    assert set(themes) == about
    assert objects(triples, BASE + "catalog", DCAT + "themeTaxonomy") == [ox.NamedNode(scheme)]


def test_one_distribution_per_export_format_and_the_endpoint(triples):
    dists = objects(triples, BASE + "dataset", DCAT + "distribution")
    urls = {objects(triples, d.value, DCAT + "downloadURL")[0].value: objects(triples, d.value, DCAT + "mediaType")[0].value
            for d in dists}
    iana = "http://www.iana.org/assignments/media-types/"
    assert urls == {SITE + "download/graph.ttl": iana + "text/turtle",
                    SITE + "download/graph.jsonld": iana + "application/ld+json",
                    SITE + "download/graph.nt": iana + "application/n-triples",
                    SITE + "download/graph.trig": iana + "application/trig",
                    SITE + "download/graph.nq": iana + "application/n-quads"}
    service = objects(triples, BASE + "catalog", DCAT + "service")[0].value
    assert objects(triples, service, DCAT + "endpointURL") == [ox.NamedNode(SITE + "sparql")]
    assert objects(triples, BASE + "dataset", VOID + "sparqlEndpoint") == [ox.NamedNode(SITE + "sparql")]


def test_void_statistics_count_the_store(triples, store):
    quads = store.quads()
    ds = BASE + "dataset"

    def number(p):
        return int(objects(triples, ds, VOID + p)[0].value)

    assert number("triples") == len(quads)
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(BASE)}
    assert number("entities") == len(subjects)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert number("classes") == len({q.object for q in quads if q.predicate == rdf_type})
    vocabularies = {v.value for v in objects(triples, ds, VOID + "vocabulary")}
    assert {"https://w3id.org/greenplan/ontology#", "http://www.w3.org/ns/org#", "http://purl.org/dc/terms/"} <= vocabularies
    assert objects(triples, ds, VOID + "uriSpace") == [ox.Literal(BASE)]
    examples = {e.value for e in objects(triples, ds, VOID + "exampleResource")}
    assert BASE + "plan/zhanjiang-green-economy/task/1" in examples


def test_description_is_deterministic_and_the_site_defaults_to_the_base(store, triples):
    assert serialize(describe(store, SITE)) == serialize(triples)
    default = describe(store)
    assert objects(default, BASE + "dataset", VOID + "sparqlEndpoint") == [ox.NamedNode(BASE + "sparql")]


def test_cli_prints_turtle_and_jsonld(store, capsysbinary):
    assert main(["metadata", "--store", str(store.directory), "--site", SITE]) == 0
    turtle = capsysbinary.readouterr().out
    assert set(ox.parse(turtle, format=ox.RdfFormat.TURTLE)) == {ox.Quad(t.subject, t.predicate, t.object)
                                                                  for t in describe(store, SITE)}
    assert main(["metadata", "--store", str(store.directory), "--site", SITE, "--format", "jsonld"]) == 0
    doc = json.loads(capsysbinary.readouterr().out)
    assert any(node.get("@id") == BASE + "dataset" for node in doc)
