"""The graph: saved queries `tasks` and `projects` give the annexes' facts; IRIs,
named graphs, export determinism, the authority list and the ontology files."""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pyoxigraph as ox
import pytest

from greenplan.api import export, run_saved
from greenplan.cli.main import main
from greenplan.resources import folder
from greenplan.store.core import Store, build_store, locate
from tests.handread import OWNER_CELLS, PROJECTS, SPELLINGS, full_names, owner_names

BASE = "https://w3id.org/greenplan/"


def expected_bureaus(number: int) -> str:
    return "、".join(SPELLINGS[n]["full_name"] for n in owner_names(OWNER_CELLS[number]))


def test_tasks_query_gives_every_task_with_its_owners_in_order(store):
    rows = run_saved(store, "tasks").dicts()
    assert [r["number"] for r in rows] == list(range(1, 113))
    for r in rows:
        assert r["bureaus"] == expected_bureaus(r["number"]), r["number"]
    assert rows[0]["chapter"] == "健全绿色低碳循环发展的生产体系" and rows[0]["measure"] == "推进工业绿色升级"
    assert rows[111]["chapter"] == "认真抓好组织落实" and rows[111]["measure"] == "加大宣传力度"
    assert rows[58]["text"].startswith("依托湛江市能源和石化产业优势")
    assert len({r["measure"] for r in rows}) == 27


def test_every_spelling_resolves_to_its_body(store):
    found = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT DISTINCT ?spelling ?body WHERE { GRAPH ?g { ?o gp:spellingAsPrinted ?spelling ; gp:body ?body } }""")
    got = {r["spelling"]: r["body"] for r in found.dicts()}
    task_spellings = {n for cell in OWNER_CELLS.values() for n in owner_names(cell)}
    assert set(got) == task_spellings
    for spelling, body in got.items():
        assert body == BASE + "org/440800/" + SPELLINGS[spelling]["slug"], spelling


def test_projects_query_gives_annex_2(store):
    rows = run_saved(store, "projects").dicts()
    assert len(rows) == 24
    for row, r in zip(PROJECTS, rows):
        assert r["number"] == int(row["number"]) and r["name"] == row["name"]
        assert (r["startYear"], r["endYear"]) == (int(row["start"]), int(row["end"]))
        assert Decimal(r["investment"]) == Decimal(row["investment"])
        assert (r["builder"] or "") == row["builder"]          # unbound where blank (11, 17)
        assert r["leadBureau"] == "、".join(full_names(row["lead"])), row["number"]
    assert [r["number"] for r in rows if r["builder"] is None] == [11, 17]
    assert rows[9]["leadBureau"] == "湛江市文化广电旅游体育局"   # 市文广旅体局
    assert rows[18]["leadBureau"] == "湛江市科学技术局"          # 市科技局


def test_the_data_uses_the_standard_title_and_jurisdiction_predicates(store):
    """Issue 16: dcterms:title and eli:jurisdiction / dcterms:spatial in the data; gp:title and gp:jurisdiction gone."""
    gp = "https://w3id.org/greenplan/ontology#"
    for old in ("title", "jurisdiction"):
        assert not list(store.ox.quads_for_pattern(None, ox.NamedNode(gp + old), None, None)), old
    rows = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        SELECT ?kind (COUNT(?x) AS ?n) (SUM(IF(BOUND(?title), 1, 0)) AS ?titled) WHERE { GRAPH ?g {
            VALUES ?kind { gp:Chapter gp:Section gp:Measure } ?x a ?kind OPTIONAL { ?x dcterms:title ?title } } }
        GROUP BY ?kind""").dicts()
    assert rows and all(r["n"] == r["titled"] > 0 for r in rows), rows
    # 湛江市 (440800) is the bundled plan's jurisdiction; its annex assigns tasks to 湛江市's bodies only (市X局)
    places = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX eli: <http://data.europa.eu/eli/ontology#>
        SELECT ?place WHERE { GRAPH ?g { ?plan a gp:Plan ; eli:jurisdiction ?place } }""").rows
    assert [r[0].value for r in places] == [BASE + "place/440800"]
    areas = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT DISTINCT ?place WHERE { GRAPH ?g { ?t gp:responsibleBody ?b } GRAPH ?h { ?b dcterms:spatial ?place } }""").rows
    assert {r[0].value for r in areas} == {BASE + "place/440800"}


def test_investment_is_an_amount_with_a_unit_of_hundred_million_yuan(store):
    """Project 3's cell reads 678.9 (亿元, the column header of annex 2): one qudt:QuantityValue at a stable IRI, the
    number exactly as printed, its unit 亿元 = 10^8 CNY defined as data in the ontology."""
    rows = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX qudt: <http://qudt.org/schema/qudt/>
        SELECT ?amount ?type ?value ?unit ?multiplier ?of WHERE {
            GRAPH ?g { <%splan/zhanjiang-green-economy/project/3> gp:investment ?amount .
                       ?amount a ?type ; qudt:numericValue ?value ; qudt:unit ?unit }
            GRAPH ?o { ?unit qudt:conversionMultiplier ?multiplier ; qudt:scalingOf ?of } }""" % BASE).rows
    assert len(rows) == 1
    amount, kind, value, unit, multiplier, of = rows[0]
    assert amount.value == BASE + "plan/zhanjiang-green-economy/project/3/investment"
    assert kind.value == "http://qudt.org/schema/qudt/QuantityValue"
    assert value.value == "678.9" and value.datatype.value.endswith("#decimal")
    assert unit.value == "https://w3id.org/greenplan/ontology#HundredMillionYuan"
    assert Decimal(multiplier.value) == Decimal(10) ** 8 and multiplier.datatype.value.endswith("#decimal")
    assert of.value == "http://qudt.org/vocab/currency/CNY"
    # every priced project has exactly one amount, all in 亿元; none is a bare number any more
    per_project = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX qudt: <http://qudt.org/schema/qudt/>
        SELECT ?p (COUNT(?a) AS ?n) (SUM(IF(isLiteral(?a), 1, 0)) AS ?bare) WHERE {
            GRAPH ?g { ?p a gp:Project ; gp:investment ?a .
                       OPTIONAL { ?a qudt:unit ?u FILTER(?u = gp:HundredMillionYuan) } FILTER(BOUND(?u) || isLiteral(?a)) } }
        GROUP BY ?p""").dicts()
    assert len(per_project) == len(PROJECTS) and {(r["n"], r["bare"]) for r in per_project} == {(1, 0)}


def test_note_is_a_fact_of_the_plan_not_of_task_1(store):
    r = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?text ?line WHERE { GRAPH ?g { ?plan gp:note ?n . ?n gp:text ?text ;
        <http://www.w3.org/ns/prov#wasDerivedFrom> ?s . ?s gp:firstLine ?line } }""").dicts()
    assert r == [{"text": "以下各项工作均需各县（市、区）人民政府（管委会）落实，不再一一列出。", "line": 108}]
    owners = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?b WHERE { GRAPH ?g { <%splan/zhanjiang-green-economy/task/1> gp:responsibleBody ?b } }""" % BASE)
    assert len(owners.rows) == 2


def test_open_owner_list_of_task_71(store):
    r = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?n WHERE { GRAPH ?g { ?t gp:openOwnerList true ; gp:number ?n } }""")
    assert r.column("n") == [71]


def test_each_record_traces_to_its_lines(store):
    r = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?first ?last WHERE { GRAPH ?g { ?t gp:number 59 ; a gp:Task ;
        <http://www.w3.org/ns/prov#wasDerivedFrom> ?s . ?s gp:firstLine ?first ; gp:lastLine ?last } }""").dicts()
    assert r == [{"first": 488, "last": 492}]


def test_named_graphs_and_no_union_default_graph(store):
    graphs = {q.graph_name.value for q in store.quads()}
    assert BASE + "graph/plan/zhanjiang-green-economy" in graphs
    assert {BASE + "graph/ontology", BASE + "graph/bodies/440800", BASE + "graph/bodies/CN", BASE + "graph/divisions"} <= graphs
    # the store's default graph is empty: queries must (and do) use GRAPH patterns
    assert not store.run("ASK { ?s ?p ?o }").boolean


def test_export_is_byte_identical_and_parses(tmp_path, source):
    outs = []
    for k in range(2):
        loc = locate(str(tmp_path / f"s{k}"), [str(source)])
        build_store(loc)
        outs.append({f: export(Store(loc.directory), f) for f in ("turtle", "trig", "nt", "jsonld")})
    assert outs[0] == outs[1]
    import rdflib

    g = rdflib.Graph().parse(data=outs[0]["turtle"].decode("utf-8"), format="turtle")
    nt = rdflib.Graph().parse(data=outs[0]["nt"].decode("utf-8"), format="nt")
    triples = {(q.subject, q.predicate, q.object) for q in Store(loc.directory).quads()}
    assert len(g) == len(nt) == len(triples)          # the union of the named graphs, each triple once
    assert (rdflib.URIRef(BASE + "plan/zhanjiang-green-economy/task/59"), rdflib.RDF.type,
            rdflib.URIRef("https://w3id.org/greenplan/ontology#Task")) in g


def test_base_iri_is_configurable_and_iris_are_stable(tmp_path, source):
    loc = locate(str(tmp_path / "b"), [str(source)], base="http://example.org/gp/")
    build_store(loc)
    s = Store(loc.directory)
    assert any(q.subject.value == "http://example.org/gp/plan/zhanjiang-green-economy/task/59" for q in s.quads())
    assert any(q.subject.value == "http://example.org/gp/org/440800/development-reform" for q in s.quads())
    assert not any(q.subject.value.startswith(BASE + "plan/") for q in s.quads())


@pytest.mark.parametrize("code", ["440800", "CN"])
def test_authority_list_is_complete_and_unambiguous(code):
    quads = list(ox.parse(path=str(folder("ontology") / "bodies" / f"{code}.ttl"), format=ox.RdfFormat.TURTLE,
                          base_iri=BASE))
    skos = "http://www.w3.org/2004/02/skos/core#"
    bodies = {q.subject.value for q in quads if q.predicate.value.endswith("#type") and q.object.value.endswith("#Organization")}
    if code == "440800":   # Zhanjiang's list: the bodies the plan names, no more
        assert bodies == {BASE + "org/440800/" + r["slug"] for r in SPELLINGS.values()}
    else:
        assert len(bodies) >= 100   # the national list: ministries, agencies, party organs (tests/test_authority.py)
    seen: dict[str, str] = {}
    for b in bodies:
        assert b.startswith(f"{BASE}org/{code}/"), b
        props = [(q.predicate.value, q.object) for q in quads if q.subject.value == b]
        zh = [o.value for p, o in props if p == skos + "prefLabel" and o.language == "zh"]
        en = [o.value for p, o in props if p == skos + "prefLabel" and o.language == "en"]
        kinds = [o for p, o in props if p.endswith("classification")]
        places = [o.value for p, o in props if p == "http://purl.org/dc/terms/spatial"]
        assert len(zh) == 1 and len(en) == 1 and kinds and places == [f"{BASE}place/{code}"], b
        for p, o in props:
            if p in (skos + "prefLabel", skos + "altLabel") and o.language == "zh":
                assert seen.setdefault(o.value, b) == b, f"{o.value} names two bodies"
    if code == "440800":
        for spelling, row in SPELLINGS.items():
            assert seen.get(spelling) == BASE + "org/440800/" + row["slug"]


def test_ontology_labels_and_definitions():
    quads = list(ox.parse(path=str(folder("ontology") / "greenplan.ttl"), format=ox.RdfFormat.TURTLE))
    gp = "https://w3id.org/greenplan/ontology#"
    terms = {q.subject.value for q in quads if q.subject.value.startswith(gp) and q.predicate.value.endswith("#type")
             and q.object.value.split("#")[-1] in ("Class", "ObjectProperty", "DatatypeProperty")}
    assert {gp + c for c in ("Plan", "Chapter", "Section", "Sentence", "Measure", "Task", "Principle", "Goal",
                             "Target", "Project", "Place")} <= terms
    for t in terms:
        labels = {q.object.language for q in quads if q.subject.value == t and q.predicate.value.endswith("#label")}
        defs = [q for q in quads if q.subject.value == t and q.predicate.value.endswith("#definition")]
        assert labels == {"zh", "en"} and defs, t
    assert any(q.predicate.value.endswith("#versionIRI") for q in quads)


def test_every_ontology_file_loads():
    root = folder("ontology")
    files = sorted(root.rglob("*.ttl"))
    assert [f.relative_to(root).as_posix() for f in files] == [
        "bodies/440800.ttl", "bodies/CN.ttl", "divisions.ttl", "document-kinds.ttl", "greenplan.ttl", "parties.ttl", "places.ttl", "topics.ttl"]
    for f in files:
        assert list(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE, base_iri=BASE)), f


def test_cli_query_formats(capsys, store):
    d = str(store.directory)
    assert main(["query", "tasks", "--store", d, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["head"]["vars"][:5] == ["number", "chapter", "measure", "text", "bureaus"]
    assert len(data["results"]["bindings"]) == 112
    assert data["results"]["bindings"][0]["number"] == {
        "type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert main(["query", "projects", "--store", d, "--format", "csv", "--bom"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeffnumber,name,startYear") and len(out.strip().splitlines()) == 25
    assert main(["query", "projects", "--store", d, "--max-width", "60"]) == 0   # cells whole, not fitted to 100 columns
    table = capsys.readouterr().out.splitlines()
    # CJK text is lined up: the builder column starts at the same display column on every row
    from greenplan.query.results import width

    cols = {width(line[: line.index("宝钢湛江钢铁有限公司")]) for line in table if "宝钢湛江钢铁有限公司" in line}
    starts = {width(line[: line.index("中科（广东）炼化有限公司", 10)]) for line in table if line.startswith("2 ")}
    assert cols == starts


def test_cli_errors_say_what_to_do(capsys, store):
    d = str(store.directory)
    assert main(["query", "no-such", "--store", d]) == 2
    assert "saved queries: " in capsys.readouterr().err
    assert main(["query", "tasks", "--store", d, "--param", "colour=red"]) == 2
    assert "its parameters: plan" in capsys.readouterr().err
    assert main(["query", "tasks", "--store", str(store.directory) + "-missing"]) == 2
    assert "greenplan build --store" in capsys.readouterr().err
    assert main(["sparql", "SELEC nonsense", "--store", d]) == 2


def test_sparql_command(capsys, store):
    assert main(["sparql", "PREFIX gp: <https://w3id.org/greenplan/ontology#> SELECT (COUNT(*) AS ?n) "
                 "WHERE { GRAPH ?g { ?t a gp:Task } }", "--store", str(store.directory), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "112"]


def test_no_generic_top_level_packages_installed(tmp_path):
    code = "import importlib.util as u; print(u.find_spec('graph'), u.find_spec('loaders'), u.find_spec('greenplan.loaders') is not None)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["None", "None", "True"]


def test_wheel_carries_the_code_and_data_files(tmp_path):
    from tests.conftest import INSTALLED_LAYOUT
    from tests.conftest import ROOT as root

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path), str(root)], check=True, capture_output=True)
    import zipfile

    names = set(zipfile.ZipFile(next(tmp_path.glob("greenplan-*.whl"))).namelist())
    for folder_name, package in INSTALLED_LAYOUT.items():
        files = [f for f in (root / folder_name).rglob("*") if f.is_file() and "__pycache__" not in f.parts
                 and (folder_name != "graph" or f.suffix == ".py" or "static" in f.parts)]
        assert files, folder_name
        for f in files:
            assert f"{package}/{f.relative_to(root / folder_name).as_posix()}" in names, f
    assert not any(n.startswith(("graph/", "loaders/")) for n in names)


def test_cli_on_a_repaginated_rewrapped_crlf_copy(tmp_path, source, capsys, monkeypatch):
    import shutil

    from tests import layouts

    text = layouts.crlf(layouts.rewrap(layouts.repaginate(source.read_text(encoding="utf-8"), 6), every=2))
    copy = tmp_path / "copy.txt"
    copy.write_bytes(text.encode("utf-8"))
    shutil.copy(source.with_name(source.stem + ".meta.toml"), tmp_path / "copy.meta.toml")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["query", "tasks", "--source", str(copy), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["results"]["bindings"]
    assert [int(r["number"]["value"]) for r in rows] == list(range(1, 113))
    assert [r["bureaus"]["value"] for r in rows] == [expected_bureaus(n) for n in range(1, 113)]
    assert main(["query", "projects", "--source", str(copy), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["results"]["bindings"]
    assert [(r["name"]["value"], r["investment"]["value"]) for r in rows] == [(p["name"], p["investment"]) for p in PROJECTS]
    # the store for this source was cached under its own key and is reused, not rebuilt
    stores = list((tmp_path / "cache" / "greenplan" / "stores").iterdir())
    assert len(stores) == 1
