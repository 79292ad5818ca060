"""Export the store as Turtle, N-Triples, JSON-LD, TriG or N-Quads, byte-identical across runs.

Triples are sorted before serialising and no blank nodes are minted, so the
same input gives the same bytes.  Turtle, N-Triples and JSON-LD carry the
union of all graphs (plan data, ontology, authority list, thesaurus, places);
TriG and N-Quads keep each named graph.
"""
from __future__ import annotations

import pyoxigraph as ox

from greenplan.iris import Minter
from greenplan.quads import quad_key, to_bytes, triple_key
from greenplan.vocab import PREFIXES

FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "jsonld": (ox.RdfFormat.JSON_LD, False),
    "trig": (ox.RdfFormat.TRIG, True),
    "nquads": (ox.RdfFormat.N_QUADS, True),
}
MEDIA_TYPES = {name: fmt.media_type for name, (fmt, _) in FORMATS.items()}


def serialize(quads, fmt: str, base: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rdf_format, keeps_graphs = FORMATS[fmt]
    if keeps_graphs:
        items = sorted(quads, key=quad_key)
    else:
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
        items = sorted(triples, key=triple_key)
    prefixes = dict(PREFIXES)
    prefixes.update(Minter(base).namespaces())
    return to_bytes(items, rdf_format, prefixes)
