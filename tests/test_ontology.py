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


# --- every gp: term is labelled and defined in zh and en ------------------------------------------

GP = "https://w3id.org/greenplan/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
VOCABULARY = ("greenplan.ttl", "parties.ttl")       # where the gp: terms (classes, properties, concepts) live


def vocabulary_triples():
    import pyoxigraph as ox

    from greenplan.iris import DEFAULT_BASE
    from greenplan.resources import folder

    out = []
    for name in VOCABULARY:
        out += list(ox.parse(path=str(folder("ontology") / name), format=ox.RdfFormat.TURTLE, base_iri=DEFAULT_BASE))
    return out


def gaps(triples) -> list[str]:
    """gp: subjects without an rdfs:label or skos:definition in zh and in en."""
    import pyoxigraph as ox

    have: dict[str, set] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(GP):
            found = have.setdefault(t.subject.value, set())
            if t.predicate.value in (RDFS_LABEL, DEFINITION) and isinstance(t.object, ox.Literal):
                found.add((t.predicate.value, t.object.language))
    wanted = {(p, lang) for p in (RDFS_LABEL, DEFINITION) for lang in ("zh", "en")}
    return sorted(f"{s[len(GP):]}: {sorted(p.rsplit('#', 1)[-1] + '@' + lang for p, lang in wanted - found)}"
                  for s, found in have.items() if wanted - found)


def test_every_gp_term_has_a_label_and_a_definition_in_zh_and_en():
    triples = vocabulary_triples()
    assert len({t.subject for t in triples if str(t.subject).startswith("<" + GP)}) > 100
    assert gaps(triples) == []


def test_a_term_with_only_a_pref_label_is_a_gap():
    import pyoxigraph as ox

    s = ox.NamedNode(GP + "Example")
    triples = [ox.Triple(s, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("例", language="zh")),
               ox.Triple(s, ox.NamedNode(DEFINITION), ox.Literal("An example.", language="en"))]
    assert gaps(triples) == ["Example: ['definition@zh', 'label@en', 'label@zh']"]


def test_no_range_is_outside_the_owl2_datatype_map():
    ranges = {t.object.value for t in vocabulary_triples()
              if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#range"}
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString" not in ranges
    outside = {r for r in ranges if r.startswith("http://www.w3.org/2001/XMLSchema#")
               and r.rsplit("#", 1)[1] in ("gYear", "gYearMonth", "date", "time", "duration")}
    assert outside == set()


# --- a DL reasoner finds the ontology consistent -----------------------------------------------------

def reasoner_verdict(triples, tmp_path) -> tuple[bool, list]:
    """Load the triples with owlready2 and run HermiT: (consistent, unsatisfiable classes)."""
    import shutil

    import pyoxigraph as ox

    from tests.conftest import require_system

    require_system("Java (for the HermiT reasoner)", shutil.which("java") is not None,
                   "install Debian's default-jre-headless")
    import owlready2
    path = tmp_path / "ontology.nt"
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    try:
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False, []
    return True, sorted(str(c) for c in world.inconsistent_classes())


def test_the_reasoner_finds_the_ontology_consistent(tmp_path):
    assert reasoner_verdict(vocabulary_triples(), tmp_path) == (True, [])


def test_the_reasoner_finds_a_contradiction(tmp_path):
    import pyoxigraph as ox

    nothing = ox.Triple(ox.NamedNode(GP + "impossible"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                        ox.NamedNode("http://www.w3.org/2002/07/owl#Nothing"))
    assert reasoner_verdict(vocabulary_triples() + [nothing], tmp_path)[0] is False


def test_the_plan_language_is_a_language_iri(store):
    # data/zhanjiang-green-plan-draft.meta.toml says language = "zh"
    rows = store.run("""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?l WHERE { GRAPH ?g { ?p a <https://w3id.org/greenplan/ontology#Plan> ; dcterms:language ?l } }""").rows
    assert [str(r[0]) for r in rows] == ["<http://id.loc.gov/vocabulary/iso639-1/zh>"]


def test_the_issuer_basis_reaches_the_graph(store):
    # data/zhanjiang-green-plan-draft.meta.toml: issuer_basis = "inferred from section （二十八）: 市发展改革局要会同…"
    rows = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?b WHERE { GRAPH ?g { ?p a gp:Plan ; gp:issuerBasis ?b } }""").rows
    assert [r[0].value for r in rows] == ["inferred from section （二十八）: 市发展改革局要会同有关部门强化统筹协调和督促指导"]
