"""Topics and places of tasks, projects and targets (thesaurus-driven).

Placeholder until the topic thesaurus (``ontology/topics.ttl``) and places
(``ontology/places.ttl``) land: returns no quads.
"""
from __future__ import annotations


def tag_plan(plan, builder, quads) -> list:
    return []
