"""greenplan validate: the SHACL shapes of shapes/, their fixtures, and the findings on the bundled draft.

Expected findings on the draft come from the document's raw text (simple string operations below, not
greenplan's loader) and from reading it: the lists written out by hand are checked against the text too.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from greenplan.validate import check as v

FIXTURES = Path(__file__).parent / "shapes"
PAIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
SH = "http://www.w3.org/ns/shacl#"


# --- each shape: a fixture that passes and one that fails ------------------------------------------

def _fixture(path: Path, kind: str) -> Path:
    found = sorted(path.glob(f"{kind}.*"))
    assert len(found) == 1, f"{path}: expected exactly one {kind}.ttl or {kind}.trig, found {found}"
    return found[0]


def test_fixture_glob_finds_one_pair_per_shape():
    shapes = {iri.split("#", 1)[1] for iri in v.reporting_shapes()}
    # the shapes with a message in shapes/*.ttl, read with another parser: the glob below must not silently shrink
    import pyoxigraph as ox

    written = {t.subject.value.split("#", 1)[1] for f in v.shape_files()
               for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)
               if t.predicate.value == SH + "message" and isinstance(t.subject, ox.NamedNode)}
    assert shapes == written and len(written) == 35
    assert {p.name for p in PAIRS} == shapes
    for p in PAIRS:
        _fixture(p, "pass"), _fixture(p, "fail")


def test_every_shape_has_an_iri_and_messages_in_zh_and_en():
    import rdflib

    g = v.shapes_graph()
    message = rdflib.URIRef(SH + "message")
    assert not [s for s in g.subjects(message, None) if not isinstance(s, rdflib.URIRef)]
    for shape in v.reporting_shapes():
        msgs = {m.language: str(m) for m in g.objects(rdflib.URIRef(shape), message)}
        assert set(msgs) == {"zh", "en"}, shape
        # greenplan.validate.check restores the tags pySHACL drops by this rule
        assert not msgs["zh"][:1].isascii() and msgs["en"][:1].isascii(), shape
        severity = g.value(rdflib.URIRef(shape), rdflib.URIRef(SH + "severity"))
        assert severity in {rdflib.URIRef(SH + s) for s in ("Violation", "Warning", "Info")}, shape


def _fixture_store(path: Path):
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TRIG)  # TriG reads Turtle files too (default graph)
    return store


def _fixture_dataset(path: Path):
    import rdflib

    ds = rdflib.Dataset(default_union=True)
    ds.parse(path, format="trig")
    return ds


def _results(path: Path):
    """(source shape IRI, focus node, value) of every result of the default engine on the fixture file."""
    from greenplan.validate.shacl import Engine

    return [(r.shape.value, r.focus.value, None if r.value is None else r.value.value)
            for r in Engine(v.shapes(), _fixture_store(path)).run()]


def _comparable(found):
    """Results as comparable tuples; blank nodes (complex paths, blank focus nodes) by their kind only."""
    import pyoxigraph as ox

    def term(t):
        return "" if t is None else "_:blank" if isinstance(t, ox.BlankNode) else str(t)
    return sorted((term(r.focus), term(r.path), term(r.value), r.severity, term(r.shape), r.component, r.messages)
                  for r in found)


FIXTURE_FILES = sorted(f for p in PAIRS for f in p.glob("*.t*"))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[f"{f.parent.name}/{f.name}" for f in FIXTURE_FILES])
def test_fast_engine_gives_pyshacls_results_on_every_fixture(path):
    from greenplan.validate.shacl import Engine

    fast = _comparable(Engine(v.shapes(), _fixture_store(path)).run())
    reference = _comparable(v.report_results(v.run_shapes(_fixture_dataset(path))[1]))
    assert fast == reference
    if path.stem == "fail":
        assert any(r[4] == f"<{v.GPS}{path.parent.name}>" for r in fast)   # the shape's own failure is there


def test_fast_engine_gives_pyshacls_results_on_the_bundled_plan(store):
    fast = v.results(store, "oxigraph")
    assert len(fast) == 16                      # 12 warnings and 4 info, listed in test_draft_findings_are_exactly_these
    assert _comparable(fast) == _comparable(v.results(store, "pyshacl"))


def test_fast_engine_refuses_what_it_does_not_implement():
    import pyoxigraph as ox

    from greenplan.validate.shacl import Engine, Shapes, Unsupported

    head = "@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; "
    for body, feature in (("sh:js [ sh:jsFunctionName \"f\" ] .", "SHACL-JS"),
                          ("sh:rule [ a sh:TripleRule ] .", "SHACL-AF rules"),
                          ("sh:target [ a <urn:MyTarget> ] .", "custom targets"),
                          ("sh:sparql [ sh:select \"SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }\" ] .",
                           "[$]shapesGraph on a store")):
        shapes = Shapes(ox.parse(head + body, format=ox.RdfFormat.TURTLE))
        with pytest.raises(Unsupported, match=feature + ".*--engine pyshacl"):
            Engine(shapes, ox.Store())


@pytest.mark.parametrize("pair", PAIRS, ids=[p.name for p in PAIRS])
def test_shape_passes_and_fails_its_fixtures(pair):
    shape = v.GPS + pair.name
    assert not [r for r in _results(_fixture(pair, "pass")) if r[0] == shape]
    assert [r for r in _results(_fixture(pair, "fail")) if r[0] == shape]


def test_vocabulary_names_each_undeclared_term():
    values = {r[2] for r in _results(FIXTURES / "Vocabulary" / "fail.trig") if r[0] == v.GPS + "Vocabulary"}
    assert values == {"https://w3id.org/greenplan/ontology#Tsak", "https://w3id.org/greenplan/ontology#numbr"}


def test_investment_must_be_one_positive_amount_in_hundred_million_yuan():
    """Each project of the fail fixture breaks the rule once: no amount, 0, a unit other than 亿元, a bare number."""
    focus = {r[1].rsplit("/", 1)[1] for r in _results(FIXTURES / "Project-investment" / "fail.ttl")
             if r[0] == v.GPS + "Project-investment"}
    assert focus == {"pr", "zero", "yuan", "bare"}


def test_task_numbers_report_each_run_of_missing_numbers_once_on_the_task_after_it():
    # fail.ttl: plan p numbers its tasks 1, 3, 4, 9 (2 and 5–8 missing); plan q has only task 4 (1–3 missing)
    found = {(r[1].rsplit("/", 1)[1], r[2]) for r in _results(FIXTURES / "Task-numberSequence" / "fail.ttl")
             if r[0] == v.GPS + "Task-numberSequence"}
    assert found == {("t3", "2"), ("t9", "5–8"), ("q4", "1–3")}


def test_misprint_patterns_are_a_reviewed_data_file_put_into_the_shape():
    from greenplan.resources import misprint_rows

    rows = misprint_rows()
    assert ("顿级", "吨级") in [r[:2] for r in rows] and ("米W", "MW") in [r[:2] for r in rows]
    assert all(m != r for m, r, _ in rows)
    selects = " ".join(str(o) for o in v.shapes_graph().objects(None, __import__("rdflib").URIRef(SH + "select")))
    assert v.MISPRINT_PLACEHOLDER not in selects
    for m, r, _ in rows:
        assert f'"{m}"' in selects and f'"{r}"' in selects


@pytest.mark.parametrize("n, zh", [(1, "一"), (4, "四"), (10, "十"), (15, "十五"), (20, "二十"), (22, "二十二"), (30, "三十")])
def test_zh_numeral(n, zh):
    assert v.zh_numeral(n) == zh


# --- the bundled draft, read independently of greenplan's loader ---------------------------------------

def _raw(source: Path) -> list[str]:
    return source.read_text(encoding="utf-8").split("\n")


def _annex_bounds(lines):
    a1 = next(i for i, line in enumerate(lines) if line.strip() == "重点任务分工表")
    a2 = next(i for i, line in enumerate(lines) if line.strip() == "重点项目建设表")
    return a1, a2


def _sections(lines):
    """{numeral: (title, paragraph)} of the body: a section line is （numeral）title。paragraph."""
    a1, _ = _annex_bounds(lines)
    out = {}
    for line in lines[:a1]:
        m = re.match(r"^（([一二三四五六七八九十]+)）([^。]*)。(.*)$", line)
        if m:
            out[m.group(1)] = (m.group(2), m.group(3))
    return out


def _tasks(lines):
    """{number: (section numeral, text)} of annex 1: a number cell, then the text cell (wrapped lines follow
    untabbed); the measure cell names the section by its title."""
    a1, a2 = _annex_bounds(lines)
    titles = {title: k for k, (title, _) in _sections(lines).items()}
    out, section = {}, None
    for i in range(a1, a2):
        line = lines[i]
        if line.startswith("\t") and line[1:] in titles:
            section = titles[line[1:]]
        m = re.match(r"^\t(\d+)$", line)
        if m:
            parts, j = [lines[i + 1][1:]], i + 2
            while not lines[j].startswith("\t"):
                if lines[j].strip():
                    parts.append(lines[j])
                j += 1
            out[int(m.group(1))] = (section, "".join(parts))
    return out


def _blank_builders(lines):
    """Project numbers whose 建设单位 cell is empty: the cell after the investment, which follows the years."""
    _, a2 = _annex_bounds(lines)
    blank, k = [], 0
    for i in range(a2, len(lines) - 2):
        if re.match(r"^\t?(\d{4}-)?\d{4}$", lines[i]) and re.match(r"^\t[\d.]+$", lines[i + 1]):
            k += 1
            if lines[i + 2] == "\t":
                blank.append(k)
    assert k == 24, "annex 2 lists 24 projects"
    return blank


@pytest.fixture(scope="module")
def draft(store):
    conforms, report, text = v.validate(store)
    return conforms, report, text, v.findings(report, v.Namer(store))


def _by_shape(found, shape):
    return [f for f in found if f.shape == shape]


def test_draft_has_no_violation(draft):
    conforms, _, text, found = draft
    assert conforms
    assert not [f for f in found if f.severity == "Violation"]
    assert text.startswith("0 violations")


def test_draft_projects_without_construction_unit(draft, source):
    # By hand from annex 2: 项目 11 广东湛江临港大型产业集聚区建设项目 and 项目 17 湛江市万里碧道建设工程
    # leave 建设单位 blank; the raw text says the same.
    assert _blank_builders(_raw(source)) == [11, 17]
    found = _by_shape(draft[3], "Project-constructionUnit")
    assert [(f.severity, f.name) for f in found] == [
        ("Warning", "项目 11 广东湛江临港大型产业集聚区建设项目"), ("Warning", "项目 17 湛江市万里碧道建设工程")]
    assert all(re.fullmatch(r"lines \d+-\d+", f.line) for f in found)


def test_draft_tasks_that_do_not_match_their_section(draft, source):
    lines = _raw(source)
    sections, tasks = _sections(lines), _tasks(lines)
    assert len(tasks) == 112
    expected = sorted(n for n, (k, text) in tasks.items() if text not in sections[k][1])
    assert expected == [79, 80, 83, 96]        # by hand: 79, 80 (（十八）), 83 (（十九）), 96 (（二十二）)
    found = _by_shape(draft[3], "Task-matchesSection")
    assert [f.name.split()[:2] for f in found] == [["任务", str(n)] for n in expected]
    for f, n in zip(found, expected):
        k, text = tasks[n]
        assert f.severity == "Warning"
        assert text in f.message and sections[k][1] in f.message    # both texts in the message


def test_draft_sentences_no_task_carries(draft, source):
    lines = _raw(source)
    sections, tasks = _sections(lines), _tasks(lines)
    expected = []
    for k, (_, paragraph) in sections.items():
        if k in ("一", "二", "三"):        # not annex measures
            continue
        sentences = [s + "。" for s in paragraph.split("。") if s]
        for i, s in enumerate(sentences, 1):
            if not any(s in text for kk, text in tasks.values() if kk == k):
                expected.append((k, i, s))
    assert [(k, i) for k, i, _ in expected] == [("八", 2), ("十八", 3), ("十八", 4), ("十八", 5), ("十九", 1), ("二十二", 3)]
    found = _by_shape(draft[3], "Sentence-carried")
    assert [f.name for f in found] == [f"第（{k}）节 第{i}句" for k, i, _ in expected]
    for f, (k, _, s) in zip(found, expected):
        assert s in f.message and f.severity == "Warning"
        line = int(f.line.removeprefix("line "))
        assert lines[line - 1].startswith(f"（{k}）")


def test_draft_misprints(draft, source):
    lines = _raw(source)
    found = _by_shape(draft[3], "Misprint")
    assert {f.severity for f in found} == {"Info"}
    assert sorted((f.name.split()[0], f.value) for f in found) == [
        ("指标", "非石化能源"), ("第（三）节", "非石化能源"), ("项目", "米W"), ("项目", "顿级")]
    for f in found:
        first, _, last = f.line.split()[-1].partition("-")
        span = lines[int(first) - 1:int(last or first)]
        assert any(f.value in line for line in span), (f.name, f.line)    # the finding names its line


def test_draft_findings_are_exactly_these(draft):
    shapes = sorted({f.shape for f in draft[3]})
    assert shapes == ["Misprint", "Project-constructionUnit", "Sentence-carried", "Task-matchesSection"]


def test_report_names_nodes_for_readers(draft):
    conforms, _results, text, found = draft
    verbose = v.text_report(found, verbose=True)
    assert "https://" not in text + verbose and "http://" not in text + verbose
    assert "项目 11 广东湛江临港大型产业集聚区建设项目 — 缺少建设单位 / no construction unit" in verbose
    for report in (text, verbose):
        heads = [line for line in report.splitlines() if line and not line.startswith("  ")]
        assert heads[1:] == ["警告 / Warnings (12)", "提示 / Info (4)"]        # grouped by severity
    assert len([line for line in verbose.splitlines() if line.startswith("  ")]) == 16   # one line each
    assert conforms is True   # warnings and info allowed


def test_report_gives_one_line_per_shape(draft):
    # By hand (the tests above): 6 body sentences no task carries, the first （八） 第2句; 4 tasks that differ
    # from their section; 2 projects without 建设单位; 4 suspected misprints, the first in （三） 第2句.
    text = draft[2]
    lines = [line for line in text.splitlines() if line.startswith("  ") and "(--verbose" not in line]
    assert [(line.split(" × ")[0].strip(), line.rsplit("[", 1)[1].rstrip("]")) for line in lines] == [
        ("6", "Sentence-carried"), ("4", "Task-matchesSection"), ("2", "Project-constructionUnit"), ("4", "Misprint")]
    assert "— first: 第（八）节 第2句; line " in lines[0] and "— first: 任务 79 " in lines[1]
    assert "— first: 项目 11 广东湛江临港大型产业集聚区建设项目; lines " in lines[2]
    assert "「…」" in lines[0]       # the shape's message with its variables left out


# --- the command --------------------------------------------------------------------------------------

def _copy(source: Path, tmp_path: Path) -> Path:
    d = tmp_path / "src"
    d.mkdir()
    shutil.copy(source, d / source.name)
    meta = source.with_name(source.stem + ".meta.toml")
    shutil.copy(meta, d / meta.name)
    return d / source.name


def test_cli_on_the_draft_exits_0_and_prints_json(source, tmp_path, capsys):
    from greenplan.cli.main import main

    src = _copy(source, tmp_path)
    assert main(["build", "--source", str(src), "--store", str(tmp_path / "store")]) == 0
    capsys.readouterr()
    assert main(["validate", "--source", str(src), "--store", str(tmp_path / "store"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["severity"] for r in rows} == {"Warning", "Info"}
    assert {"项目 11 广东湛江临港大型产业集聚区建设项目", "项目 17 湛江市万里碧道建设工程"} <= {r["name"] for r in rows}


def test_cli_missing_store_is_a_usage_error(tmp_path, capsys):
    from greenplan.cli.main import main

    assert main(["validate", "--store", str(tmp_path / "none")]) == 2
    assert "greenplan build --store" in capsys.readouterr().err


def test_done_when_defects_are_reported_on_their_nodes(source, tmp_path):
    """A copy with an empty owner cell (task 2), an investment 待定 (project 1) and years 2027-2023 (project 5):
    the load succeeds, validate exits 1 and names each defect on its task or project."""
    lines = _raw(source)
    a1, a2 = _annex_bounds(lines)
    task2 = next(i for i in range(a1, a2) if lines[i] == "\t2")
    assert lines[task2 + 2] == "\t市工业和信息化局"          # text cell on one line, then the owner cell
    lines[task2 + 2] = "\t"
    invest1 = next(i for i in range(a2, len(lines)) if lines[i] == "\t44.6")     # project 1 (宝钢湛江钢铁…)
    lines[invest1] = "\t待定"
    years5 = next(i for i in range(a2, len(lines)) if lines[i] == "\t2023-2027")  # project 5 (广东廉江核电项目（一期）)
    assert lines[years5 - 2] == "\t广东廉江核电项目（一期）"
    lines[years5] = "\t2027-2023"
    src = _copy(source, tmp_path)
    src.write_text("\n".join(lines), encoding="utf-8")
    store = tmp_path / "store"
    cmd = [sys.executable, "-m", "greenplan.cli.main"]
    build = subprocess.run(cmd + ["build", "--source", str(src), "--store", str(store)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert "task 2 has no responsible body" in build.stderr
    run = subprocess.run(cmd + ["validate", "--source", str(src), "--store", str(store), "--format", "json"],
                         capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    violations = {(r["shape"], r["name"].split(" ")[0] + " " + r["name"].split(" ")[1])
                  for r in json.loads(run.stdout) if r["severity"] == "Violation"}
    assert violations == {("Task-responsibleBody", "任务 2"), ("Project-investment", "项目 1"),
                          ("Project-years", "项目 5")}
    text = subprocess.run(cmd + ["validate", "--source", str(src), "--store", str(store)],
                          capture_output=True, text=True)
    assert text.returncode == 1
    assert "项目 1 宝钢湛江钢铁零碳高等级薄钢板工厂项目 — 投资额必须是大于 0 的数（亿元）" in text.stdout   # one each
    assert "「待定」" in text.stdout and "「2027-2023」" in text.stdout
    assert text.stdout.startswith("3 violations")


def test_turtle_is_byte_stable():
    import rdflib

    from greenplan.validate.shacl import Engine

    fixture = FIXTURES / "Measure-task" / "fail.ttl"     # a complex path ([ sh:inversePath gp:measure ])
    outputs = [v.turtle(Engine(v.shapes(), _fixture_store(fixture)).run()) for _ in range(2)]
    assert outputs[0] == outputs[1]
    g = rdflib.Graph().parse(data=outputs[0], format="turtle")
    paths = list(g.objects(None, rdflib.URIRef(SH + "resultPath")))
    assert [p for p in paths if g.value(p, rdflib.URIRef(SH + "inversePath")) == rdflib.URIRef("https://w3id.org/greenplan/ontology#measure")]


def test_turtle_format_is_the_shacl_report(draft):
    import rdflib

    g = rdflib.Graph().parse(data=v.turtle(draft[1]), format="turtle")
    assert (None, rdflib.RDF.type, rdflib.URIRef(SH + "ValidationReport")) in g
    langs = {m.language for m in g.objects(None, rdflib.URIRef(SH + "resultMessage"))}
    assert langs == {"zh", "en"}


def test_w3c_report_of_the_draft_says_it_does_not_conform_though_it_has_no_violation(draft):
    """SHACL 3.6.1: sh:conforms is false when there is any result; the draft has warnings and info only (its
    findings above), so the command exits 0 while the report says false — in Turtle and in JSON-LD."""
    import rdflib

    conforms, results, _text, _found = draft
    assert conforms is True and results and all(r.severity != SH + "Violation" for r in results)
    for fmt, syntax in (("turtle", "turtle"), ("jsonld", "json-ld")):
        g = rdflib.Graph().parse(data=v.turtle(results, fmt=fmt), format=syntax)
        assert set(g.objects(None, rdflib.URIRef(SH + "conforms"))) == {rdflib.Literal(False)}
        assert len(set(g.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")))) == len(results)


GP_IRI = "https://w3id.org/greenplan/"
# node → its name, read by hand: the place from ontology/places.ttl (<place/zhanjiang-port>, skos:prefLabel "湛江港"@zh:
# a gp:Zone, no body, so no 单位), the unit and the class from ontology/greenplan.ttl (rdfs:label "亿元"@zh,
# "行政区划"@zh only: no skos:prefLabel), the bureau from its authority list, task 79 from lines 616-617 of the bundled
# plan (its graph label 任务 79, then the first 24 characters of its text).
LABELLED = {
    GP_IRI + "place/zhanjiang-port": "湛江港",
    GP_IRI + "ontology#HundredMillionYuan": "亿元",
    GP_IRI + "ontology#AdministrativeDivision": "行政区划",
    GP_IRI + "org/440800/development-reform": "单位 湛江市发展和改革局",
    GP_IRI + "plan/zhanjiang-green-economy/task/79": "任务 79 推动城镇、园区、社区、企业等开展低碳创建行动，以…",
}


def test_findings_name_nodes_by_the_graphs_labels(store):
    namer = v.Namer(store, LABELLED)
    assert {n: namer.name(n) for n in LABELLED} == LABELLED
