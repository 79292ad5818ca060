"""``greenplan metadata``: the DCAT (DCAT-AP 3.0.1) and VoID description of the published dataset.

:func:`describe` asks the store (embedded or an :class:`~greenplan.store.remote.EndpointStore`)
a few SPARQL queries and builds, as sorted triples without blank nodes:

* a ``dcat:Catalog`` (``{base}catalog``) holding one ``dcat:Dataset``
  (``{base}dataset``): titles and descriptions in zh and en taken from the plans,
  publisher = the plans' issuer body (a ``foaf:Agent`` named by its labels),
  ``dct:spatial`` = the plans' jurisdiction (湛江市), ``dct:temporal`` = the years
  the plans talk about (project periods and target years), themes = the topic
  thesaurus concepts the tasks and projects are about, keywords, licence, and
  ``dct:issued``/``dct:modified`` only when the data carries such dates (never
  the clock, so the output is byte-identical across runs);
* one ``dcat:Distribution`` per export format (``{site}download/graph.{ext}``)
  and a ``dcat:DataService`` for the SPARQL endpoint ``{site}sparql``;
* VoID on the same dataset node: ``void:triples``, ``void:entities``,
  ``void:classes``, ``void:properties``, ``void:vocabulary``, ``void:uriSpace``,
  ``void:exampleResource``, ``void:sparqlEndpoint``, ``void:dataDump``.

``site`` is where the dataset is served (default: the base IRI); IRIs of the
described things stay in the base IRI's namespace.  Nodes used as values are
typed with the classes DCAT-AP's range shapes expect (``dct:Location``,
``dct:MediaType``, ``skos:Concept`` …) so that the description validates by itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from greenplan.iris import Minter
from greenplan.quads import Graph
from greenplan.resources import query_text
from greenplan.vocab import PREFIXES

DCAT = PREFIXES["dcat"]
DCT = PREFIXES["dcterms"]
VOID = PREFIXES["void"]
SKOS = PREFIXES["skos"]
XSD = PREFIXES["xsd"]
FOAF = "http://xmlns.com/foaf/0.1/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"
DCATAP = "http://data.europa.eu/r5r/"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"

# Licence of the published graph.  The plan text is a government document; the graph and its
# description are published under CC BY 4.0 (change here if the publisher decides otherwise).
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
LICENCE_LABEL = "Creative Commons Attribution 4.0 International"

# export format → (file extension, IANA media type, EU file-type authority code)
DISTRIBUTIONS = {
    "turtle": ("ttl", "text/turtle", "RDF_TURTLE"),
    "jsonld": ("jsonld", "application/ld+json", "JSON_LD"),
    "nt": ("nt", "application/n-triples", "RDF_N_TRIPLES"),
    "trig": ("trig", "application/trig", "RDF_TRIG"),
    "nquads": ("nq", "application/n-quads", "RDF_N_QUADS"),
}
FORMAT_NAMES = {"turtle": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "trig": "TriG", "nquads": "N-Quads"}
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
KEYWORDS = [("政策规划", "policy plan"), ("知识图谱", "knowledge graph")]

def _iri(v: str) -> ox.NamedNode:
    return ox.NamedNode(v)


def _lit(v: str, lang: str | None = None, dt: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(v, language=lang)
    return ox.Literal(v, datatype=ox.NamedNode(dt)) if dt else ox.Literal(v)


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1]


def _labels(store, prefix: str) -> dict[str, list[ox.Literal]]:
    out: dict[str, list[ox.Literal]] = {}
    for s, label in _run(store, query_text("metadata/labels"), {"_prefix": ox.Literal(prefix)}).rows:
        out.setdefault(s.value, []).append(label)
    return out


def _lang(labels: list[ox.Literal], lang: str) -> list[ox.Literal]:
    return [l for l in labels if l.language == lang]


def _run(store, query: str, bindings: dict | None = None):
    """Run with the terms written into the text (as for a remote endpoint), so that the same text goes to
    an embedded and a remote store; pyoxigraph 0.5 only substitutes variables of the SELECT projection."""
    from greenplan.store.remote import substitute

    return store.run(substitute(query, bindings))


def _scalar(store, query: str, bindings: dict | None = None):
    result = _run(store, query, bindings)
    return result.rows[0][0] if result.rows else None


def _dates(values: list[ox.Literal]) -> list[ox.Literal]:
    ok = {XSD + "date", XSD + "dateTime", XSD + "gYear", XSD + "gYearMonth"}
    return [v for v in values if isinstance(v, ox.Literal) and v.datatype and v.datatype.value in ok]


@dataclass
class _Description:
    """What the steps of :func:`describe` share: the graph being written, the store's facts about its plans,
    and the nodes of the catalogue, the dataset and the SPARQL service."""
    store: Any
    site: str
    g: Graph = field(default_factory=Graph)

    def __post_init__(self):
        self.base = self.store.base
        self.iris = Minter(self.base)
        self.catalog, self.dataset = _iri(self.iris.catalog()), _iri(self.iris.dataset())
        self.service = _iri(self.iris.dataset("sparql-service"))
        self.scheme = self.iris.topic_scheme()
        self.plans = self.store.run(query_text("metadata/plans")).rows
        self.plan_iris = sorted({row[0].value for row in self.plans})
        self.issuers = sorted({row[2].value for row in self.plans if row[2] is not None})
        self.places = sorted({row[3].value for row in self.plans if row[3] is not None})
        self.text: dict[str, dict[str, list[ox.Literal]]] = {}
        for plan, p, o in self.store.run(query_text("metadata/plan-text")).rows:
            self.text.setdefault(p.value, {}).setdefault(plan.value, []).append(o)
        self.labels = _labels(self.store, self.base)

    def values(self, prop: str) -> list[ox.Literal]:
        """Every value of a plan property (dcterms:issued …) over all plans."""
        return [v for vs in self.text.get(prop, {}).values() for v in vs]


def describe(store, site: str | None = None) -> list[ox.Triple]:
    """The DCAT + VoID description of the dataset in ``store``, as sorted triples."""
    site = site or store.base
    d = _Description(store, site if site.endswith("/") else site + "/")
    _catalogue_and_dataset(d)
    _publisher(d)
    _coverage(d)
    _themes(d)
    licence = _licence(d)
    _distributions(d, licence)
    endpoint = _service(d)
    _statistics(d, endpoint)
    return d.g.triples()


def _catalogue_and_dataset(d: _Description) -> None:
    g, catalog, dataset = d.g, d.catalog, d.dataset
    g.a(catalog, DCAT + "Catalog")
    g.a(dataset, DCAT + "Dataset", VOID + "Dataset")
    g.add(catalog, DCAT + "dataset", dataset)
    g.add(catalog, DCAT + "service", d.service)
    titles = d.text.get(DCT + "title", {})
    descriptions = d.text.get(DCT + "description", {})
    for lang, fmt_title, fmt_desc in (
            ("zh", "{}（知识图谱）", "由 greenplan 从规划文本生成的知识图谱。{}"),
            ("en", "{} (knowledge graph)", "A knowledge graph generated by greenplan from the plan text. {}")):
        plan_titles = [t.value for p in d.plan_iris for t in _lang(titles.get(p, []), lang)]
        plan_descs = [x.value for p in d.plan_iris for x in _lang(descriptions.get(p, []), lang)]
        joiner = "；" if lang == "zh" else "; "
        if plan_titles:
            g.add(dataset, DCT + "title", _lit(fmt_title.format(joiner.join(plan_titles)), lang))
        g.add(dataset, DCT + "description",
              _lit(fmt_desc.format(" ".join(plan_descs)).strip(), lang))
    g.add(catalog, DCT + "title", _lit("greenplan 政策规划知识图谱目录", "zh"))
    g.add(catalog, DCT + "title", _lit("greenplan catalogue of policy-plan knowledge graphs", "en"))
    g.add(catalog, DCT + "description", _lit("greenplan 发布的政策规划知识图谱及其 SPARQL 查询服务。", "zh"))
    g.add(catalog, DCT + "description",
          _lit("Knowledge graphs of policy plans published by greenplan, and their SPARQL query service.", "en"))
    homepage = _iri(d.site)
    g.add(catalog, FOAF + "homepage", homepage)
    g.add(dataset, DCAT + "landingPage", homepage)
    g.a(homepage, FOAF + "Document")
    for plan in d.plan_iris:  # the plans themselves are described inside the data
        g.add(dataset, DCT + "relation", _iri(plan))


def _publisher(d: _Description) -> None:
    """The plans' issuer when they share one, else greenplan itself."""
    g, one = d.g, len(d.issuers) == 1
    publisher = _iri(d.issuers[0]) if one else _iri(d.base)
    names = d.labels.get(publisher.value, []) if one else [_lit("greenplan", "en")]
    g.a(publisher, FOAF + "Agent")
    g.add_each(publisher, FOAF + "name", [n for n in names if n.language in ("zh", "en")] or names)
    kind = _iri(ADMS_PUBLISHER_TYPE + ("LocalAuthority" if one else "NonProfitOrganisation"))
    g.add(publisher, DCT + "type", kind)
    g.a(kind, SKOS + "Concept")
    g.add(kind, SKOS + "prefLabel", _lit("Local Authority" if one else "Non-Profit Organisation", "en"))
    for node in (d.catalog, d.dataset, d.service):
        g.add(node, DCT + "publisher", publisher)


def _coverage(d: _Description) -> None:
    """Where (the plans' jurisdictions) and when (the years they speak about, the dates they carry)."""
    g = d.g
    for place in d.places:
        g.a(place, DCT + "Location")
        g.add_each(place, SKOS + "prefLabel", d.labels.get(place, []))
        g.add(d.dataset, DCT + "spatial", _iri(place))
        g.add(d.catalog, DCT + "spatial", _iri(place))
    start, end = d.store.run(query_text("metadata/years")).rows[0] if d.plans else (None, None)
    if start is not None and end is not None:
        period = _iri(d.iris.dataset("temporal"))
        g.a(period, DCT + "PeriodOfTime")
        g.add(period, DCAT + "startDate", _lit(start.value, dt=XSD + "gYear"))
        g.add(period, DCAT + "endDate", _lit(end.value, dt=XSD + "gYear"))
        g.add(d.dataset, DCT + "temporal", period)
    # issued / modified: only dates the data itself carries (deterministic output)
    issued = sorted(_dates(d.values(DCT + "issued") + d.values(DCT + "date")), key=str)
    modified = sorted(_dates(d.values(DCT + "modified")), key=str)
    if issued:
        for node in (d.catalog, d.dataset):
            g.add(node, DCT + "issued", issued[0])
    if modified or issued:
        for node in (d.catalog, d.dataset):
            g.add(node, DCT + "modified", (modified or issued)[-1])


def _themes(d: _Description) -> None:
    """The topic thesaurus concepts the plans' tasks and projects are about, and the keywords."""
    g, scheme = d.g, d.scheme
    topics: dict[str, list[ox.Literal]] = {}
    used: set[str] = set()
    for topic, label, uses in _run(d.store, query_text("metadata/topics"), {"_scheme": _iri(scheme)}).rows:
        topics.setdefault(topic.value, []).append(label)
        if int(uses.value):
            used.add(topic.value)
    top = _run(d.store, query_text("metadata/top-topics"), {"_scheme": _iri(scheme)}).rows
    themes = sorted(used) or [row[0].value for row in top]
    if topics:
        g.a(scheme, SKOS + "ConceptScheme")
        title = d.labels.get(scheme) or [_lit("greenplan 主题词表", "zh"), _lit("greenplan topic thesaurus", "en")]
        g.add_each(scheme, DCT + "title", title)
        g.add(d.catalog, DCAT + "themeTaxonomy", _iri(scheme))
    keywords = [_lit(zh, "zh") for zh, _ in KEYWORDS] + [_lit(en, "en") for _, en in KEYWORDS]
    for place in d.places:
        keywords += _lang(d.labels.get(place, []), "zh")
    for topic in themes:
        g.a(topic, SKOS + "Concept")
        g.add_each(topic, SKOS + "prefLabel", topics[topic])
        g.add(topic, SKOS + "inScheme", _iri(scheme))
        for node in (d.dataset, d.service):
            g.add(node, DCAT + "theme", _iri(topic))
        keywords += [l for l in topics[topic] if l.language in ("zh", "en")]
    for kw in keywords:
        g.add(d.dataset, DCAT + "keyword", kw)
        g.add(d.service, DCAT + "keyword", kw)


def _licence(d: _Description) -> ox.NamedNode:
    """Languages and licence; the licence node."""
    g = d.g
    for code in ("ZHO", "ENG"):
        lang = _iri(EU + "language/" + code)
        g.a(lang, DCT + "LinguisticSystem")
        g.add(d.catalog, DCT + "language", lang)
        g.add(d.dataset, DCT + "language", lang)
    licence = _iri(LICENCE)
    g.a(licence, DCT + "LicenseDocument")
    g.add(licence, PREFIXES["rdfs"] + "label", _lit(LICENCE_LABEL, "en"))
    licence_type = _iri(ADMS_LICENCE_TYPE + "Attribution")
    g.add(licence, DCT + "type", licence_type)
    g.a(licence_type, SKOS + "Concept")
    g.add(licence_type, SKOS + "prefLabel", _lit("Attribution", "en"))
    for node in (d.catalog, d.service):
        g.add(node, DCT + "license", licence)
    return licence


def _distributions(d: _Description, licence: ox.NamedNode) -> None:
    g = d.g
    stable = _iri(EU + "planned-availability/STABLE")
    g.a(stable, SKOS + "Concept")
    g.add(stable, SKOS + "prefLabel", _lit("Stable", "en"))
    for fmt, (ext, media, code) in DISTRIBUTIONS.items():
        dist = _iri(d.iris.dataset("distribution", fmt))
        url = _iri(f"{d.site}download/graph.{ext}")
        media_type, file_type = _iri(IANA + media), _iri(EU + "file-type/" + code)
        g.a(dist, DCAT + "Distribution")
        g.add(d.dataset, DCAT + "distribution", dist)
        g.add(dist, DCAT + "downloadURL", url)
        g.add(dist, DCAT + "accessURL", url)
        g.add(dist, DCAT + "mediaType", media_type)
        g.a(media_type, DCT + "MediaType")
        g.add(dist, DCT + "format", file_type)
        g.a(file_type, DCT + "MediaTypeOrExtent")
        g.add(dist, DCT + "license", licence)
        g.add(dist, DCATAP + "availability", stable)
        g.add(dist, DCT + "title", _lit(f"整个知识图谱（{FORMAT_NAMES[fmt]}）", "zh"))
        g.add(dist, DCT + "title", _lit(f"The whole graph ({FORMAT_NAMES[fmt]})", "en"))
        keeps = fmt in ("trig", "nquads")
        g.add(dist, DCT + "description", _lit(
            "全部三元组，每个命名图分开保存。" if keeps else "全部三元组（各命名图合并）。", "zh"))
        g.add(dist, DCT + "description", _lit(
            "Every triple, each named graph kept apart." if keeps else "Every triple (the named graphs merged).", "en"))
        g.add(d.dataset, VOID + "dataDump", url)


def _service(d: _Description) -> ox.NamedNode:
    """The SPARQL endpoint as a data service; its URL."""
    g, service = d.g, d.service
    endpoint = _iri(d.site + "sparql")
    g.a(service, DCAT + "DataService")
    g.add(service, DCT + "title", _lit("SPARQL 查询服务", "zh"))
    g.add(service, DCT + "title", _lit("SPARQL endpoint", "en"))
    g.add(service, DCT + "description", _lit("只读的 SPARQL 1.1 查询端点；不带查询参数时返回服务描述。", "zh"))
    g.add(service, DCT + "description",
          _lit("A read-only SPARQL 1.1 Protocol endpoint; without a query it returns its service description.", "en"))
    g.add(service, DCAT + "endpointURL", endpoint)
    g.add(service, DCAT + "endpointDescription", endpoint)
    g.add(service, DCAT + "servesDataset", d.dataset)
    protocol = _iri(SPARQL_PROTOCOL)
    g.a(protocol, DCT + "Standard")
    g.add(service, DCT + "conformsTo", protocol)
    return endpoint


def _statistics(d: _Description, endpoint: ox.NamedNode) -> None:
    """VoID statistics, computed by SPARQL so that a remote store answers the same."""
    g, store, dataset = d.g, d.store, d.dataset
    classes = [row[0].value for row in store.run(query_text("metadata/classes")).rows
               if isinstance(row[0], ox.NamedNode)]
    properties = [row[0].value for row in store.run(query_text("metadata/properties")).rows]
    integer = XSD + "integer"
    g.add(dataset, VOID + "triples", _lit(str(_scalar(store, query_text("metadata/triples")).value), dt=integer))
    g.add(dataset, VOID + "entities",
          _lit(str(_scalar(store, query_text("metadata/entities"), {"_prefix": ox.Literal(d.base)}).value), dt=integer))
    g.add(dataset, VOID + "classes", _lit(str(len(classes)), dt=integer))
    g.add(dataset, VOID + "properties", _lit(str(len(properties)), dt=integer))
    for ns in sorted({_namespace(i) for i in classes + properties}):
        g.add(dataset, VOID + "vocabulary", _iri(ns))
    g.add(dataset, VOID + "uriSpace", _lit(d.base))
    g.add(dataset, VOID + "sparqlEndpoint", endpoint)
    examples = d.plan_iris + d.issuers
    task = _scalar(store, query_text("metadata/first-task"))
    if task is not None:
        examples.append(task.value)
    for ex in sorted(set(examples)):
        g.add(dataset, VOID + "exampleResource", _iri(ex))


PREFIXES_OUT = {k: PREFIXES[k] for k in ("rdf", "rdfs", "xsd", "skos", "dcterms", "dcat", "void")}
PREFIXES_OUT.update({"foaf": FOAF, "dcatap": DCATAP})


def serialize(triples, fmt: str = "turtle") -> bytes:
    formats = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}
    if fmt not in formats:
        raise ValueError(f"unknown metadata format {fmt!r}; choose turtle or jsonld")
    from greenplan.quads import to_bytes

    return to_bytes(triples, formats[fmt], PREFIXES_OUT)
