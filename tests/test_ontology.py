"""The ontology (issue 16): every gp: subject is labelled and defined in zh and en, it is OWL 2 DL that a
reasoner finds consistent, and the records generic linked-data tools show (tasks, projects, targets) carry an
rdfs:label.

Expected labels come from the document: project names as read by hand (tests/data/annex2-projects.tsv).
"""
from __future__ import annotations

import pytest

from tests.handread import PROJECTS

UNLABELLED = """PREFIX gp: <https://w3id.org/greenplan/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT (COUNT(?t) AS ?n) WHERE { GRAPH ?g { ?t a gp:%s FILTER NOT EXISTS { ?t rdfs:label ?l } } }"""


@pytest.mark.parametrize("cls", ["Task", "Project", "Target"])
def test_every_task_project_and_target_has_a_label(store, cls):
    assert int(store.run(UNLABELLED % cls).rows[0][0].value) == 0
    present = store.run("PREFIX gp: <https://w3id.org/greenplan/ontology#> "
                        f"SELECT (COUNT(?t) AS ?n) WHERE {{ GRAPH ?g {{ ?t a gp:{cls} }} }}").rows[0][0]
    assert int(present.value) > 0          # the count above is over records that exist


def test_a_project_is_labelled_with_its_name_as_printed(store):
    rows = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?n ?l WHERE { GRAPH ?g { ?p a gp:Project ; gp:number ?n ; rdfs:label ?l FILTER(lang(?l) = "zh") } }""").rows
    labels = {int(n.value): label.value for n, label in rows}
    assert labels == {int(r["number"]): r["name"] for r in PROJECTS}


def test_a_task_is_labelled_with_its_number(store):
    rows = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?l WHERE { GRAPH ?g { ?t a gp:Task ; gp:number 7 ; rdfs:label ?l } }""").rows
    assert sorted(str(r[0]) for r in rows) == ['"Task 7"@en', '"任务 7"@zh']
