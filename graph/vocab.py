"""Namespaces used across greenplan (prefixes shared by exports and saved queries)."""
from __future__ import annotations

GP = "https://w3id.org/greenplan/ontology#"
PREFIXES: dict[str, str] = {
    "gp": GP,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "cv": "http://data.europa.eu/m8g/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "oa": "http://www.w3.org/ns/oa#",
    "qudt": "http://qudt.org/schema/qudt/",
}
RDF_TYPE = PREFIXES["rdf"] + "type"
XSD_INTEGER = PREFIXES["xsd"] + "integer"
XSD_DECIMAL = PREFIXES["xsd"] + "decimal"
XSD_BOOLEAN = PREFIXES["xsd"] + "boolean"
XSD_STRING = PREFIXES["xsd"] + "string"
XSD_DATETIME = PREFIXES["xsd"] + "dateTime"


def local_name(iri) -> str:
    """The last step of an IRI (after the last ``/`` or ``#``): ``…/topic/hydrogen`` → ``hydrogen``."""
    return str(iri or "").strip("<>").rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
