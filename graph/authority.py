"""The bureau authority list (``ontology/bureaus.ttl``) as a spelling index.

Resolution of a printed name, in order:

1. the spelling is a ``skos:prefLabel``/``skos:altLabel`` (zh) of a body;
2. the name carries the cell's ``市`` prefix (``市发展改革局、工业和信息化局``)
   and ``市`` + spelling is a label of a body;
3. otherwise the name is unknown: a new body is minted from the spelling
   (never merged with a known body by guess) and a warning is reported.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from greenplan.loaders.owners import CITY_PREFIX
from greenplan.loaders.records import OwnerName
from greenplan.vocab import PREFIXES

PREF = PREFIXES["skos"] + "prefLabel"
ALT = PREFIXES["skos"] + "altLabel"
ORGANIZATION = PREFIXES["org"] + "Organization"
RDF_TYPE = PREFIXES["rdf"] + "type"


@dataclass
class Resolution:
    iri: str | None          # None: the authority does not know the name
    spelling: str


class Authority:
    def __init__(self, quads: list[ox.Quad]):
        orgs = {q.subject.value for q in quads if q.predicate.value == RDF_TYPE and q.object.value == ORGANIZATION}
        self.index: dict[str, str] = {}
        self.pref: dict[str, str] = {}
        for q in quads:
            if q.subject.value not in orgs or not isinstance(q.object, ox.Literal) or q.object.language != "zh":
                continue
            if q.predicate.value in (PREF, ALT):
                self.index.setdefault(q.object.value, q.subject.value)
            if q.predicate.value == PREF:
                self.pref[q.subject.value] = q.object.value

    def resolve(self, name: OwnerName) -> Resolution:
        iri = self.index.get(name.spelling)
        if iri is None and name.municipal and not name.spelling.startswith(CITY_PREFIX):
            iri = self.index.get(CITY_PREFIX + name.spelling)
        return Resolution(iri, name.spelling)

    def lookup(self, spelling: str) -> str | None:
        return self.index.get(spelling)
