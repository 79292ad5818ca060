"""greenplan validate --shapes FILE… --data FILE…: a user's own data against their own shapes.

The shapes and data below are written here; each expected result is worked out by hand from the SHACL spec
(the reason is given beside it), not taken from the program's output.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SH = "http://www.w3.org/ns/shacl#"
EX = "http://example.org/"
DATA_DIR = Path(__file__).parent / "data" / "validate"     # also the example of docs/commands/validate.md
SHAPES = (DATA_DIR / "people-shapes.ttl").read_text(encoding="utf-8")
DATA = (DATA_DIR / "people.ttl").read_text(encoding="utf-8")
# By hand:
# - alice conforms: "5"^^xsd:int is an xsd:int as written (Oxigraph's store would make it xsd:integer);
#   12:00+02:00 is 10:00Z, after 09:00Z.
# - bob: "c" is not a lexical form of xsd:int (Datatype); two names @en (UniqueLang, a Warning); ex:nick is
#   neither declared nor ignored by the closed shape (Closed, path ex:nick, value "b").
# - carl: "07"^^xsd:int is well-formed; 10:00+02:00 is 08:00Z, before 09:00Z (MinInclusive) — compared as
#   text "2020-01-01T10:00:00+02:00" >= "2020-01-01T09:00:00Z" would pass.
EXPECTED = {
    (EX + "bob", EX + "age", '"c"^^<http://www.w3.org/2001/XMLSchema#int>', "Violation", "DatatypeConstraintComponent"),
    (EX + "bob", EX + "name", None, "Warning", "UniqueLangConstraintComponent"),
    (EX + "bob", EX + "nick", '"b"', "Violation", "ClosedConstraintComponent"),
    (EX + "carl", EX + "seen", '"2020-01-01T10:00:00+02:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>', "Violation",
     "MinInclusiveConstraintComponent"),
}


@pytest.fixture
def files(tmp_path):
    (tmp_path / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(DATA, encoding="utf-8")
    return tmp_path / "shapes.ttl", tmp_path / "data.ttl"


def _keys(report):
    return {(r.focus.value, r.path.value if r.path is not None else None, None if r.value is None else str(r.value),
             r.severity[len(SH):], r.component.rsplit("#", 1)[-1]) for r in report.results}


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_api_gives_the_results_worked_out_by_hand(files, engine):
    import greenplan.api as gp

    report = gp.validate_files([files[0]], [files[1]], engine)
    assert _keys(report) == EXPECTED
    assert report.conforms is False and report.violations == 3


def test_conforms_is_false_for_a_warning_alone(tmp_path):
    import greenplan.api as gp

    (tmp_path / "s.ttl").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "d.ttl").write_text('@prefix ex: <http://example.org/> .\n'
                                    'ex:dan a ex:Person ; ex:name "Dan"@en , "Daniel"@en .\n', encoding="utf-8")
    report = gp.validate_files([tmp_path / "s.ttl"], [tmp_path / "d.ttl"])
    assert [r.severity for r in report.results] == [SH + "Warning"]     # two names @en, nothing else
    assert report.conforms is False and report.violations == 0


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "greenplan.cli.main", "validate", *map(str, args)],
                          capture_output=True, text=True)


def test_cli_turtle_report_is_the_w3c_report_and_byte_stable(files):
    import rdflib

    runs = [_cli("--shapes", files[0], "--data", files[1], "--format", "turtle") for _ in range(2)]
    assert runs[0].returncode == 1 and runs[0].stdout == runs[1].stdout     # violations: exit 1
    g = rdflib.Graph().parse(data=runs[0].stdout, format="turtle")
    report = next(g.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationReport")))
    assert g.value(report, rdflib.URIRef(SH + "conforms")).toPython() is False
    assert len(list(g.objects(report, rdflib.URIRef(SH + "result")))) == 4
    ld = _cli("--shapes", files[0], "--data", files[1], "--format", "jsonld")
    assert len(rdflib.Graph().parse(data=ld.stdout, format="json-ld")) == len(g)
    assert isinstance(json.loads(ld.stdout), list)


def test_cli_text_says_conformance_and_counts_and_exit_0_without_violations(files, tmp_path):
    text = _cli("--shapes", files[0], "--data", files[1])
    assert text.stdout.splitlines()[0] == "conforms: false (3 violations, 1 warnings, 0 info)"
    (tmp_path / "ok.nt").write_text(f'<{EX}eve> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Person> .\n'
                                    f'<{EX}eve> <{EX}name> "Eve"@en .\n', encoding="utf-8")
    ok = _cli("--shapes", files[0], "--data", tmp_path / "ok.nt")
    assert (ok.returncode, ok.stdout) == (0, "conforms: true (0 violations, 0 warnings, 0 info)\n")


def test_cli_refuses_what_the_engine_does_not_implement_in_one_line(files, tmp_path):
    (tmp_path / "js.ttl").write_text('@prefix sh: <http://www.w3.org/ns/shacl#> .\n'
                                     '<urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:js [ sh:jsFunctionName "f" ] .\n',
                                     encoding="utf-8")
    run = _cli("--shapes", tmp_path / "js.ttl", "--data", files[1])
    assert run.returncode == 2 and run.stdout == ""
    assert len(run.stderr.splitlines()) == 1
    assert "SHACL-JS" in run.stderr and "--engine pyshacl" in run.stderr


@pytest.mark.parametrize("args, says", [
    (["--shapes", "{s}"], "at least one --shapes FILE and one --data FILE"),
    (["--shapes", "{s}", "--data", "{d}/missing.ttl"], "missing.ttl: cannot read"),
    (["--shapes", "{d}/bad.ttl", "--data", "{d}/data.ttl"], "bad.ttl: not valid Turtle"),
    (["--shapes", "{d}/x.csv", "--data", "{d}/data.ttl"], "x.csv: unknown RDF format"),
])
def test_cli_bad_input_is_one_line_exit_2(files, args, says):
    d = files[0].parent
    (d / "bad.ttl").write_text("garbage .\n", encoding="utf-8")
    (d / "x.csv").write_text("a,b\n", encoding="utf-8")
    run = _cli(*[a.format(s=files[0], d=d) for a in args])
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1 and says in run.stderr, run.stderr


def test_recursive_shapes_are_refused_not_looped(tmp_path):
    import greenplan.api as gp
    from greenplan.validate.shacl import Unsupported

    (tmp_path / "s.ttl").write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:A a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:knows ; sh:node ex:A ] .
""", encoding="utf-8")
    (tmp_path / "d.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:knows ex:a .\n", encoding="utf-8")
    with pytest.raises(Unsupported, match="recursive shapes.*--engine pyshacl"):
        gp.validate_files([tmp_path / "s.ttl"], [tmp_path / "d.ttl"])


def test_cli_shapes_with_store_is_a_usage_error(files, tmp_path):
    run = _cli("--shapes", files[0], "--data", files[1], "--store", tmp_path / "s")
    assert run.returncode == 2 and "use one or the other" in run.stderr and len(run.stderr.splitlines()) == 1


def test_a_pattern_python_cannot_run_is_refused_by_name(tmp_path, files):
    import greenplan.api as gp
    from greenplan.validate.shacl import Unsupported

    (tmp_path / "s.ttl").write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:name ; sh:pattern "^\\\\p{IsBasicLatin}+$" ] .
""", encoding="utf-8")
    with pytest.raises(Unsupported, match="sh:pattern.*--engine pyshacl"):
        gp.validate_files([tmp_path / "s.ttl"], [files[1]])


@pytest.mark.parametrize("select, expected", [
    # by hand: ex:a has ex:p 1 and 2, ex:b has ex:p 3 — each focus node's own values, whatever the query's form
    ("SELECT ?value WHERE { $this ex:p ?value }", {("a", "1"), ("a", "2"), ("b", "3")}),
    ("SELECT $this ?value WHERE { $this ex:p ?value }", {("a", "1"), ("a", "2"), ("b", "3")}),
    # one row per focus node with a count: a VALUES block of both would count them together
    ("SELECT $this (COUNT(?v) AS ?value) WHERE { $this ex:p ?v } GROUP BY $this", {("a", "2"), ("b", "1")}),
    ("SELECT (COUNT(?v) AS ?value) WHERE { $this ex:p ?v }", {("a", "2"), ("b", "1")}),
])
@pytest.mark.parametrize("where", ["files", "store"])
def test_sparql_constraint_rows_belong_to_their_focus_node(tmp_path, select, expected, where):
    import pyoxigraph as ox

    from greenplan.validate.report import read_rdf
    from greenplan.validate.shacl import Engine, Shapes

    (tmp_path / "s.ttl").write_text(f'''@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/" ] .
ex:S a sh:NodeShape ; sh:targetNode ex:a , ex:b ; sh:sparql [ sh:prefixes ex: ; sh:select """{select}""" ] .
''', encoding="utf-8")
    (tmp_path / "d.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:p 1 , 2 .\nex:b ex:p 3 .\n",
                                    encoding="utf-8")
    if where == "files":
        import greenplan.api as gp

        results = gp.validate_files([tmp_path / "s.ttl"], [tmp_path / "d.ttl"]).results
    else:
        store = ox.Store()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:g"))
                          for t in read_rdf(tmp_path / "d.ttl"))
        results = Engine(Shapes(read_rdf(tmp_path / "s.ttl")), store).run()
    assert {(r.focus.value.rsplit("/", 1)[-1], r.value.value) for r in results} == expected


def test_an_ask_validator_on_a_blank_focus_node_of_a_store_binds_that_node(tmp_path):
    """On a store, a blank focus node has no SPARQL spelling: written into the query as `_:b…` it would read as a
    variable, and the ASK would find another node's triple. By hand: _:x has no ex:p, ex:a has one — one result,
    for the blank node."""
    import pyoxigraph as ox

    from greenplan.validate.report import read_rdf
    from greenplan.validate.shacl import Engine, Shapes

    (tmp_path / "s.ttl").write_text('''@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/" ] .
ex:HasP a sh:ConstraintComponent ; sh:parameter [ sh:path ex:hasP ] ;
  sh:nodeValidator [ a sh:SPARQLAskValidator ; sh:prefixes ex: ; sh:ask "ASK { $this ex:p ?any }" ] .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; ex:hasP true .
''', encoding="utf-8")
    store = ox.Store()
    x = ox.BlankNode()
    g = ox.NamedNode("urn:g")
    store.extend([ox.Quad(x, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode("http://example.org/C"), g),
                  ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
                          ox.Literal("1"), g)])
    results = Engine(Shapes(read_rdf(tmp_path / "s.ttl")), store).run()
    assert [type(r.focus).__name__ for r in results] == ["BlankNode"]


@pytest.mark.parametrize("term", ["values", "fooBar"])
def test_a_term_of_the_shacl_namespace_the_engine_does_not_know_is_refused_by_name(tmp_path, term):
    """sh:values (SHACL-AF) and a misspelt constraint: refused before validating, never passed unchecked."""
    import greenplan.api as gp
    from greenplan.validate.shacl import Unsupported

    (tmp_path / "s.ttl").write_text(f'''@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:{term} ex:q ] .
''', encoding="utf-8")
    (tmp_path / "d.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:p 1 .\n", encoding="utf-8")
    with pytest.raises(Unsupported, match=f"sh:{term}"):
        gp.validate_files([tmp_path / "s.ttl"], [tmp_path / "d.ttl"])
