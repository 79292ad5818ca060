"""Topics and places of tasks, projects and targets, read off their text with the thesaurus terms.

The knowledge is in data files: ``ontology/topics.ttl`` (SKOS concepts, each
with the Chinese terms that signal it as ``skos:hiddenLabel``) and
``ontology/places.ttl`` (divisions and zones, each with the names that signal
it as ``skos:hiddenLabel``).  This module only matches:

* a task (its text) or a project (its name and content) is ``gp:about`` a
  concept when the text contains one of the concept's terms; a target (its
  indicator) ``gp:measuresTopic`` it.  The evidence is a ``gp:TopicMatch``
  node (``{record}/topic/{slug}``) with every matched term;
* a task or project ``gp:mentionsPlace`` a place when the text contains one of
  its names, with a ``gp:PlaceMention`` node (``{record}/place/{key}``).

Matching is substring search where the longest overlapping term wins (so a
short term inside a longer listed one does not misfire); results are sorted,
so they are deterministic.  Nothing is guessed: a text that names no place gets
no place.  A reviewed misprint (``shapes/misprints.tsv``, e.g. 非石化能源 for
非化石能源) is matched as its reading, so the thesaurus lists only real terms;
the text stays as printed and the misprint shape reports it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from greenplan.iris import Minter
from greenplan.vocab import GP, PREFIXES, RDF_TYPE

HIDDEN = PREFIXES["skos"] + "hiddenLabel"
CONCEPT = PREFIXES["skos"] + "Concept"
PLACE = GP + "Place"


@dataclass(frozen=True)
class Vocabulary:
    """IRI → sorted signal terms, for the subjects of one class."""
    terms: dict[str, tuple[str, ...]]

    @classmethod
    def of_class(cls, quads, class_iri: str) -> "Vocabulary":
        members = {q.subject.value for q in quads if q.predicate.value == RDF_TYPE and q.object.value == class_iri}
        terms: dict[str, set[str]] = {}
        for q in quads:
            if q.predicate.value == HIDDEN and q.subject.value in members and isinstance(q.object, ox.Literal):
                terms.setdefault(q.subject.value, set()).add(q.object.value)
        return cls({iri: tuple(sorted(ts)) for iri, ts in sorted(terms.items())})

    def matches(self, text: str, readings: dict[str, str] | None = None) -> list[tuple[str, list[str]]]:
        """(IRI, matched terms) for every entry with a term inside ``text``, in IRI order.

        An occurrence that lies inside a longer term's occurrence does not count (longest match wins):
        化石能源 inside 非化石能源, 新能源 inside 新能源汽车 (when those longer terms are listed).
        ``readings`` maps a misprint as printed to what it means; the text is matched as meant.
        """
        for printed, meant in (readings or {}).items():
            text = text.replace(printed, meant)
        spans = []
        for iri, terms in self.terms.items():
            for t in terms:
                at = text.find(t)
                while at >= 0:
                    spans.append((at, at + len(t), t, iri))
                    at = text.find(t, at + 1)
        found: dict[str, set[str]] = {}
        for start, end, term, iri in spans:
            if any(s <= start and end <= e and e - s > end - start for s, e, _, _ in spans):
                continue
            found.setdefault(iri, set()).add(term)
        return [(iri, sorted(found[iri])) for iri in sorted(found)]


def tag_plan(plan, builder, quads) -> list[ox.Quad]:
    """Quads linking the plan's tasks, projects and targets to topics and places (in the plan's graph)."""
    from greenplan.quads import Graph, zh
    from greenplan.resources import misprint_rows

    readings = {printed: meant for printed, meant, _ in misprint_rows()}
    topics = Vocabulary.of_class(quads, CONCEPT)
    places = Vocabulary.of_class(quads, PLACE)
    g = Graph(builder.g.g.value)

    def link(record: str, text: str, about: str, with_places: bool) -> None:
        for concept, terms in topics.matches(text, readings):
            match = Minter.topic_match(record, concept)
            g.add(record, about, concept)
            g.add(record, "gp:topicMatch", match)
            g.a(match, "gp:TopicMatch")
            g.add(match, "gp:topic", concept)
            for t in terms:
                g.add(match, "gp:matchedTerm", zh(t))
        if not with_places:
            return
        for place, names in places.matches(text):
            mention = Minter.place_mention(record, place)
            g.add(record, "gp:mentionsPlace", place)
            g.add(record, "gp:placeMention", mention)
            g.a(mention, "gp:PlaceMention")
            g.add(mention, "gp:place", place)
            for n in names:
                g.add(mention, "gp:matchedTerm", zh(n))

    for t in plan.tasks:
        link(builder.iri("task", t.number), t.text, "gp:about", True)
    for p in plan.projects:
        link(builder.iri("project", p.number), f"{p.name}\n{p.content or ''}", "gp:about", True)
    for t in plan.targets:
        link(builder.iri("target", t.index), t.indicator or "", "gp:measuresTopic", False)
    return g.quads
