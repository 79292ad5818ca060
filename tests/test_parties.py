"""The responsibility parser (greenplan.loaders.parties): notes and cells to parties with positions and roles.

Expected values are read by hand: the short forms below are written here with their reading; every note of
the five gov.cn documents (tests/data/gov-cn/*.html, copies of ../shared/corpus/gov-cn) and every 指导部门 cell
of 126's annex table is in tests/data/gov-cn-notes.tsv (hand-read, one row per party); Zhanjiang's annex 1
owner cells are in tests/data/annex1-owners.tsv (as printed).
"""
from __future__ import annotations

import csv
import io
import random
import re
from collections import OrderedDict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from greenplan.loaders.parties import NoteState, column_role, is_note, parse_cells, parse_note
from tests.handread import read_tsv

DATA = Path(__file__).parent / "data"
GOV_CN = DATA / "gov-cn"


def table(parse) -> list[tuple[int, str, str, bool]]:
    return [(p.position, p.spelling, p.role, p.collective) for p in parse.parties]


# ------------------------------------------------------------------------------------------ the forms

def test_plain_note():
    r = parse_note("（体育总局、北京冬奥组委负责）", NoteState())
    assert table(r) == [(1, "体育总局", "responsible", False), (2, "北京冬奥组委", "responsible", False)]
    assert not r.open_list and not r.problems and not r.standing_rules


def test_first_listed_is_lead_from_that_note_on():
    state = NoteState()
    first = parse_note("（工业和信息化部、发展改革委、科技部、农业农村部等负责。列第一位者为牵头单位，下同）", state)
    assert table(first) == [(1, "工业和信息化部", "lead", False), (2, "发展改革委", "responsible", False),
                            (3, "科技部", "responsible", False), (4, "农业农村部", "responsible", False)]
    assert first.open_list
    alone = parse_note("（教育部负责）", state)                      # alone, still the lead
    assert table(alone) == [(1, "教育部", "lead", False)]
    # before the rule, the same note is plain 负责
    assert table(parse_note("（教育部负责）", NoteState())) == [(1, "教育部", "responsible", False)]


def test_open_list_and_provincial_governments():
    r = parse_note("（扶贫办、发展改革委、人力资源社会保障部、商务部等和各省级人民政府负责）", NoteState())
    assert table(r) == [(1, "扶贫办", "responsible", False), (2, "发展改革委", "responsible", False),
                        (3, "人力资源社会保障部", "responsible", False), (4, "商务部", "responsible", False),
                        (5, "各省级人民政府", "responsible", True)]
    assert r.open_list


def test_lead_and_participating():
    r = parse_note("（生态环境部牵头，国家发展改革委、工业和信息化部、国家统计局参与）", NoteState())
    assert table(r) == [(1, "生态环境部", "lead", False), (2, "国家发展改革委", "participating", False),
                        (3, "工业和信息化部", "participating", False), (4, "国家统计局", "participating", False)]


def test_guiding_with_standing_rule_recorded_once():
    state = NoteState()
    r = parse_note("（生态环境部指导，试点城市政府负责落实。以下均需试点城市政府落实，不再列出）", state)
    assert table(r) == [(1, "生态环境部", "guiding", False), (2, "试点城市政府", "responsible", True)]
    assert r.standing_rules == ["以下均需试点城市政府落实，不再列出"]
    later = parse_note("（农业农村部指导）", state)
    assert table(later) == [(1, "农业农村部", "guiding", False)] and later.standing_rules == []
    assert state.standing_rules == ["以下均需试点城市政府落实，不再列出"]


def test_together_with_relevant_departments():
    r = parse_note("（市生态环境局会同有关部门负责）", NoteState())
    assert table(r) == [(1, "市生态环境局", "responsible", False), (2, "有关部门", "responsible", True)]


def test_relevant_departments_and_units_is_one_party():
    r = parse_note("（国家发展改革委、财政部等有关部门和单位负责）", NoteState())
    assert table(r) == [(1, "国家发展改革委", "responsible", False), (2, "财政部", "responsible", False),
                        (3, "有关部门和单位", "responsible", True)]


def test_by_division_of_duties():
    r = parse_note("（教育部、财政部，各省级人民政府按职责分工负责）", NoteState())
    assert table(r) == [(1, "教育部", "responsible", False), (2, "财政部", "responsible", False),
                        (3, "各省级人民政府", "responsible", True)]


def test_labelled_note_with_districts_as_one_party():
    r = parse_note("（牵头单位：市发展改革委，配合单位：市委组织部、市人力资源和社会保障局，各区、县级市）", NoteState())
    assert table(r) == [(1, "市发展改革委", "lead", False), (2, "市委组织部", "supporting", False),
                        (3, "市人力资源和社会保障局", "supporting", False), (4, "各区、县级市", "supporting", True)]


def test_two_leads_and_ascii_parentheses():
    assert table(parse_note("（农业农村部、工业和信息化部牵头负责）", NoteState())) == [
        (1, "农业农村部", "lead", False), (2, "工业和信息化部", "lead", False)]
    assert table(parse_note("(生态环境部、交通运输部指导)", NoteState())) == [
        (1, "生态环境部", "guiding", False), (2, "交通运输部", "guiding", False)]


def test_names_with_and_inside_are_not_split():
    r = parse_note("（中央和国家机关工委、文化和旅游部、粮食和储备局负责）", NoteState())
    assert [p.spelling for p in r.parties] == ["中央和国家机关工委", "文化和旅游部", "粮食和储备局"]


def test_table_row_cells_with_headers():
    state = NoteState()
    r = parse_cells([("牵头单位", "市发展改革委"), ("配合单位", "市财政局、各有关区、县级市"),
                     ("参与单位", "各项目牵头单位")], state)
    assert table(r) == [(1, "市发展改革委", "lead", False), (2, "市财政局", "supporting", False),
                        (3, "各有关区、县级市", "supporting", True), (4, "各项目牵头单位", "participating", True)]
    r = parse_cells([("指导部门", "科技部、国务院国资委")], state)
    assert table(r) == [(1, "科技部", "guiding", False), (2, "国务院国资委", "guiding", False)]
    r = parse_cells([("责任单位", "市水务局牵头，市生态环境局配合")], state)   # role words inside a cell win
    assert table(r) == [(1, "市水务局", "lead", False), (2, "市生态环境局", "supporting", False)]
    assert column_role("主 要 责任单位".replace(" ", "")) == "responsible"
    assert column_role("主要内容") is None and column_role("推广范围") is None


def test_role_in_brackets_after_a_name_and_more_role_words():
    r = parse_cells([("责任单位", "市发展改革局（牵头）、市财政局、各区、县级市（配合）")], NoteState())
    assert table(r) == [(1, "市发展改革局", "lead", False), (2, "市财政局", "responsible", False),
                        (3, "各区、县级市", "supporting", True)]
    r = parse_note("（市发展改革局牵头落实，市财政局配合落实）", NoteState())
    assert table(r) == [(1, "市发展改革局", "lead", False), (2, "市财政局", "supporting", False)]
    r = parse_note("（市商务局等部门具体负责）", NoteState())
    assert table(r) == [(1, "市商务局", "responsible", False)] and r.open_list


def test_deadline_clauses_in_a_note_are_no_parties():
    for text in ("（市发展改革局负责，2019年底前完成）", "（2019年底前，市发展改革局负责）", "（市发展改革局负责，持续推进）"):
        r = parse_note(text, NoteState())
        assert table(r) == [(1, "市发展改革局", "responsible", False)] and not r.problems, text
    # a year inside a body's name, with its role word, is still a body
    assert table(parse_note("（2010年上海世博会事务协调局负责）", NoteState())) == [
        (1, "2010年上海世博会事务协调局", "responsible", False)]
    assert not is_note("（2019年底前完成）")


def test_collective_phrase_with_more_of_its_name_is_one_party():
    r = parse_note("（市财政局、市税务局，各区、县级市城市管理部门按职责分工负责）", NoteState())
    assert table(r) == [(1, "市财政局", "responsible", False), (2, "市税务局", "responsible", False),
                        (3, "各区、县级市城市管理部门", "responsible", True)]
    r = parse_note("（国务院有关部门、各省级人民政府负责）", NoteState())
    assert table(r) == [(1, "国务院有关部门", "responsible", True), (2, "各省级人民政府", "responsible", True)]


def test_note_with_a_name_that_does_not_read_is_still_a_note():
    text = "（市财政局、由各区自主负责）"
    assert is_note(text)
    r = parse_note(text, NoteState())
    assert table(r) == [(1, "市财政局", "responsible", False)] and "由各区自主" in r.problems[0]


def test_unreadable_notes_are_problems_not_tracebacks():
    r = parse_note("（负责）", NoteState())
    assert r.parties == [] and r.problems == ["the role word '负责' has no body before it"]
    r = parse_cells([("推广范围", "全国")], NoteState())
    assert r.parties == [] and "推广范围" in r.problems[0]
    r = parse_note("（体育总局、民政部）", NoteState())                 # no role word at all
    assert r.problems and "体育总局" in r.problems[0]
    rng = random.Random(7)
    alphabet = "（）()、，；。：等和会同负责牵头指导参与配合各有关部门省级人民政府区县级市体育总局 \n"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        r = parse_note(text, NoteState())           # never raises
        assert all(p.spelling and p.position == k for k, p in enumerate(r.parties, 1))
        parse_cells([("责任单位", text)], NoteState())


@pytest.mark.parametrize("text", ["（此件公开发布）", "（PPP）", "（市、区）", "（一）", "（本文有删减）",
                                  "（由企业自主负责）", "（镇）", "（区、市）"])
def test_ordinary_parentheses_are_not_notes(text):
    assert not is_note(text)


# ------------------------------------------------------------------------------------ the gov.cn documents

class _Text(HTMLParser):
    """Paragraph texts and table rows of a gov.cn content block (test-side reading, stdlib only)."""

    def __init__(self):
        super().__init__()
        self.paragraphs: list[str] = []
        self.rows: list[list[str]] = []
        self._buf: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if dict(attrs).get("id") == "UCAP-CONTENT":
            self._inside = True
        if not self._inside:
            return
        if tag == "tr":
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "p" and self._cell is None:
            self._flush()

    def handle_endtag(self, tag):
        if not self._inside:
            return
        if tag == "td" and self._cell is not None:
            self._row.append(re.sub(r"\s+", "", "".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "p" and self._cell is None:
            self._flush()

    def handle_data(self, data):
        if self._inside:
            (self._cell if self._cell is not None else self._buf).append(data)

    def _flush(self):
        text = "".join(self._buf).strip()
        if text:
            self.paragraphs.append(text)
        self._buf = []


def page(stem: str) -> _Text:
    parser = _Text()
    parser.feed((GOV_CN / f"{stem}.html").read_text(encoding="utf-8"))
    parser._flush()
    return parser


def parenthesised(text: str) -> list[str]:
    """Every outermost parenthesised group (full-width or ASCII) of a paragraph, as printed."""
    out, depth, start = [], 0, 0
    for k, c in enumerate(text):
        if c in "（(":
            if depth == 0:
                start = k
            depth += 1
        elif c in "）)" and depth:
            depth -= 1
            if depth == 0:
                out.append(text[start:k + 1])
    return out


def hand_read() -> OrderedDict:
    """{document: {(where, note): {"open": bool, "parties": [(position, spelling, role, collective)]}}}."""
    out: OrderedDict = OrderedDict()
    for r in read_tsv("gov-cn-notes.tsv"):
        note = out.setdefault(r["document"], OrderedDict()).setdefault(
            (r["where"], r["note"]), {"open": r["open"] == "true", "parties": []})
        note["parties"].append((int(r["position"]), r["spelling"], r["role"], r["collective"] == "true"))
    return out


HAND = hand_read()
NOTE_DOCUMENTS = [d for d in HAND if "126" not in d]


def test_hand_read_table_covers_the_five_documents():
    assert sorted(HAND) == sorted(p.stem for p in GOV_CN.glob("*.html"))
    assert {d: len(v) for d, v in HAND.items()} == {
        "gbf-2018-121-sports-competitions": 21, "gbf-2018-126-innovation-reform-measures": 17,
        "gbf-2018-128-zero-waste-cities": 39, "gbf-2018-129-consumption-poverty-alleviation": 17,
        "gf-2018-42-agricultural-mechanisation": 18}


@pytest.mark.parametrize("document", NOTE_DOCUMENTS)
def test_every_note_of_the_document_is_found_and_nothing_else(document):
    found = [g for para in page(document).paragraphs for g in parenthesised(para) if is_note(g)]
    assert found == [note for _, note in HAND[document]]


@pytest.mark.parametrize("document", NOTE_DOCUMENTS)
def test_every_note_gives_the_hand_read_parties(document):
    state = NoteState()
    for (where, note), expected in HAND[document].items():
        r = parse_note(note, state)
        assert (table(r), r.open_list, r.problems) == (expected["parties"], expected["open"], []), where


def test_standing_rule_of_the_zero_waste_plan_is_recorded_once():
    state = NoteState()
    for _, note in HAND["gbf-2018-128-zero-waste-cities"]:
        parse_note(note, state)
    assert state.standing_rules == ["以下均需试点城市政府落实，不再列出"]
    assert not state.first_is_lead


def test_annex_rows_of_126_guiding_departments():
    rows = page("gbf-2018-126-innovation-reform-measures").rows
    header = next(r for r in rows if r and r[0] == "序号")
    column = header.index("指导部门")
    assert column_role(header[column]) == "guiding"
    assert [column_role(h) for h in header if h != "指导部门"] == [None] * (len(header) - 1)
    expected = HAND["gbf-2018-126-innovation-reform-measures"]
    got = OrderedDict()
    state = NoteState()
    for r in rows:
        if len(r) == len(header) and r[0].isdigit():
            got[(f"附件 {r[0]}", r[column])] = table(parse_cells([(header[column], r[column])], state))
    assert got == OrderedDict((k, v["parties"]) for k, v in expected.items())


# ----------------------------------------------------------------------------------- Zhanjiang's annex 1

def test_zhanjiang_owner_cells_through_the_parser():
    for r in read_tsv("annex1-owners.tsv"):
        cell = r["owners_as_printed"]
        parse = parse_cells([("主要责任单位", cell)], NoteState())
        names = re.split("[、，,]", cell.removesuffix("等"))
        assert [p.spelling for p in parse.parties] == names, r["number"]
        assert {p.role for p in parse.parties} == {"responsible"}
        assert [p.position for p in parse.parties] == list(range(1, len(names) + 1))
        assert parse.open_list == cell.endswith("等") and not parse.problems
        assert not any(p.collective for p in parse.parties)


# ------------------------------------------------------------- end to end: build, then the saved queries

# read off each page's metadata table and signature (发文字号, 发文机关, 成文日期)
PAGES = {
    "gbf-2018-121-sports-competitions": ("国办发〔2018〕121号", "国务院办公厅", "2018-12-11",
                                         "国务院办公厅关于加快发展体育竞赛表演产业的指导意见"),
    "gbf-2018-126-innovation-reform-measures": ("国办发〔2018〕126号", "国务院办公厅", "2018-12-23",
                                                "国务院办公厅关于推广第二批支持创新相关改革举措的通知"),
    "gbf-2018-128-zero-waste-cities": ("国办发〔2018〕128号", "国务院办公厅", "2018-12-29",
                                       "国务院办公厅关于印发“无废城市”建设试点工作方案的通知"),
    "gbf-2018-129-consumption-poverty-alleviation": ("国办发〔2018〕129号", "国务院办公厅", "2018-12-30",
                                                     "国务院办公厅关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见"),
    "gf-2018-42-agricultural-mechanisation": ("国发〔2018〕42号", "国务院", "2018-12-21",
                                              "国务院关于加快推进农业机械化和农机装备产业转型升级的指导意见"),
}


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory, source):
    """One store: the bundled Zhanjiang plan and the five gov.cn pages."""
    from greenplan.store.core import Store, build_store, locate

    sources = [str(source)] + [str(GOV_CN / f"{stem}.html") for stem in sorted(PAGES)]
    loc = locate(str(tmp_path_factory.mktemp("corpus")), sources)
    build_store(loc)
    return Store(loc.directory)


@pytest.fixture(scope="module")
def plans(corpus_store):
    from greenplan.api import run_saved

    return run_saved(corpus_store, "plans").dicts()


def test_plans_query_shows_title_number_issuer_and_date(plans):
    by_number = {r["number"]: r for r in plans}
    for stem, (number, issuer, issued, title) in PAGES.items():
        r = by_number[number]
        assert (r["title"], r["issuer"], str(r["issued"]), r["tasks"], r["projects"]) == (
            title, issuer, issued, len(HAND[stem]), 0), stem
    zhanjiang = [r for r in plans if r["number"] is None]
    assert len(zhanjiang) == 1 and (zhanjiang[0]["tasks"], zhanjiang[0]["projects"]) == (112, 24)
    assert len(plans) == 6 and [r["identifier"] for r in plans] == sorted(r["identifier"] for r in plans)


def _grouped(rows) -> list[list[tuple[int, str, str, bool]]]:
    tasks: OrderedDict = OrderedDict()
    for r in rows:
        tasks.setdefault(r["number"], []).append((r["position"], r["spelling"], r["role"], r["collective"] == "true"))
    assert list(tasks) == sorted(tasks)
    return list(tasks.values())


@pytest.mark.parametrize("document", sorted(PAGES))
def test_task_bodies_of_each_document_are_the_hand_read_parties(corpus_store, plans, document):
    from greenplan.api import run_saved

    identifier = next(r["identifier"] for r in plans if r["number"] == PAGES[document][0])
    rows = run_saved(corpus_store, "task-bodies", {"plan": identifier}).dicts()
    assert _grouped(rows) == [note["parties"] for note in HAND[document].values()]
    for r in rows:
        assert r["collective"] in ("true", "false")
        if r["collective"] == "false":
            assert r["body"] and r["label"], r
    assert {r["task"].rsplit("/task/", 1)[0] for r in rows} == {next(p["plan"] for p in plans
                                                                     if p["identifier"] == identifier)}


def test_task_bodies_of_zhanjiang_are_its_annex_owner_cells(corpus_store, plans):
    from greenplan.api import run_saved

    identifier = next(r["identifier"] for r in plans if r["number"] is None)
    rows = run_saved(corpus_store, "task-bodies", {"plan": identifier}).dicts()
    cells = {int(r["number"]): r["owners_as_printed"] for r in read_tsv("annex1-owners.tsv")}
    expected = [[(k, name, "responsible", False) for k, name in enumerate(re.split("[、，,]", cells[n].removesuffix("等")), 1)]
                for n in sorted(cells)]
    assert _grouped(rows) == expected
    assert all(r["body"] and r["label"] for r in rows)


def test_collective_parties_stay_out_of_pairs_and_workload_unless_asked(corpus_store, plans):
    from greenplan.api import run_saved

    identifier = next(r["identifier"] for r in plans if r["number"] == PAGES["gbf-2018-129-consumption-poverty-alleviation"][0])
    parties = run_saved(corpus_store, "task-bodies", {"plan": identifier}).dicts()
    collective = {r["body"] for r in parties if r["collective"] == "true"}
    assert len(collective) == 2                        # 各省级人民政府, 各有关省级人民政府 (hand-read: see the TSV)
    for name in ("bureau-workload", "bureau-pairs"):
        default = run_saved(corpus_store, name, {"plan": identifier}).dicts()
        asked = run_saved(corpus_store, name, {"plan": identifier, "collectives": "true"}).dicts()
        nodes = lambda rows: {r.get("bureau") for r in rows} | {r.get("bureauA") for r in rows} | {r.get("bureauB") for r in rows}
        assert not collective & nodes(default), name
        assert collective <= nodes(asked), name
    workload = {r["label"]: r for r in run_saved(corpus_store, "bureau-workload",
                                                   {"plan": identifier, "collectives": "true"}).dicts()}
    # 各省级人民政府 closes notes （一）（三）（十四）（十六）; 各有关省级人民政府 the other 13 (hand-read TSV)
    assert (workload["各省级人民政府"]["total"], workload["各有关省级人民政府"]["total"]) == (4, 13)


def test_cli_build_then_task_bodies_for_one_page(tmp_path):
    import subprocess
    import sys

    exe = [sys.executable, "-m", "greenplan.cli.main"]
    page_file = GOV_CN / "gbf-2018-128-zero-waste-cities.html"
    store = tmp_path / "s"
    built = subprocess.run(exe + ["build", "--store", str(store), "--source", str(page_file)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    out = subprocess.run(exe + ["query", "task-bodies", "--store", str(store), "--format", "csv"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["task", "number", "position", "spelling", "body", "label", "role", "collective"]
    expected = [p for note in HAND["gbf-2018-128-zero-waste-cities"].values() for p in note["parties"]]
    assert [(int(r["position"]), r["spelling"], r["role"], r["collective"] == "true") for r in rows] == expected


def test_note_deadline_and_standing_rule_in_the_graph(corpus_store, plans):
    """128's first note closes a paragraph that says 2019年6月底前 (read off the page); its standing rule is
    printed once, in its second note."""
    plan = next(r["plan"] for r in plans if r["number"] == PAGES["gbf-2018-128-zero-waste-cities"][0])
    prefixes = """PREFIX gp: <https://w3id.org/greenplan/ontology#>
        PREFIX eli: <http://data.europa.eu/eli/ontology#>"""
    rows = corpus_store.run(prefixes + f"""
        SELECT ?note ?deadline ?year ?date WHERE {{ GRAPH ?g {{
            ?t gp:plan <{plan}> ; gp:number 1 ; gp:noteAsPrinted ?note ; gp:deadlineAsPrinted ?deadline ;
               gp:deadlineYear ?year ; gp:deadlineDate ?date }} }}""").dicts()
    assert [(r["note"], r["deadline"], r["year"], str(r["date"])) for r in rows] == [
        (HAND_NOTES_128[0], "2019年6月底前", 2019, "2019-06-30")]
    # the year is an xsd:integer (compared by every engine), not an xsd:gYear
    types = corpus_store.run(prefixes + """
        SELECT DISTINCT (DATATYPE(?year) AS ?type) WHERE { GRAPH ?g { ?t gp:deadlineYear ?year } }""").dicts()
    assert [str(r["type"]) for r in types] == ["http://www.w3.org/2001/XMLSchema#integer"]
    rules = corpus_store.run(prefixes + f"""
        SELECT ?rule WHERE {{ GRAPH ?g {{ <{plan}> gp:standingRule ?rule }} }}""").dicts()
    assert [r["rule"] for r in rules] == ["以下均需试点城市政府落实，不再列出"]
    roles = corpus_store.run(prefixes + f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?pos ?role WHERE {{ GRAPH ?g {{ ?t gp:plan <{plan}> ; gp:number 2 ; gp:ownership ?o .
            ?o gp:listPosition ?pos ; prov:hadRole ?role }} }} ORDER BY ?pos""").dicts()
    gp = "https://w3id.org/greenplan/ontology#"
    assert [(r["pos"], r["role"]) for r in roles] == [(1, gp + "guiding"), (2, gp + "responsible")]


HAND_NOTES_128 = [note for _, note in HAND["gbf-2018-128-zero-waste-cities"]]


def test_network_draws_collective_parties_only_when_asked(corpus_store, plans):
    from greenplan.network.graph import build_network

    identifier = next(r["identifier"] for r in plans if r["number"] == PAGES["gbf-2018-129-consumption-poverty-alleviation"][0])
    hand = [p for note in HAND["gbf-2018-129-consumption-poverty-alleviation"].values() for p in note["parties"]]
    collective_names = {spelling for _, spelling, _, collective in hand if collective}
    assert collective_names == {"各省级人民政府", "各有关省级人民政府"}
    default = build_network(corpus_store, plan=identifier)
    asked = build_network(corpus_store, plan=identifier, collectives=True)
    labels = lambda G: {d["label"] for _, d in G.nodes(data=True)}
    assert not collective_names & labels(default)
    assert collective_names <= labels(asked)
    assert asked.number_of_nodes() == default.number_of_nodes() + 2


def test_every_saved_query_answers_per_plan_in_the_six_plan_store(corpus_store, plans, store):
    """Zhanjiang's answers with `plan` in the store of six plans are its answers alone; every query runs per page."""
    from greenplan.api import run_saved
    from greenplan.query.catalogue import catalogue

    zhanjiang = next(r["identifier"] for r in plans if r["number"] is None)
    for query in catalogue():
        alone = run_saved(store, query.name, {"plan": zhanjiang}).rows
        assert run_saved(corpus_store, query.name, {"plan": zhanjiang}).rows == alone, query.name
        for r in plans:
            rows = run_saved(corpus_store, query.name, {"plan": r["identifier"]}).dicts()
            if rows and "plan" in rows[0] and query.name != "plans":
                assert {x["plan"] for x in rows} == {r["identifier"]}, query.name


def test_zhanjiang_standing_rule_without_parentheses():
    # annex 1 of the bundled draft prints this line below task 1 (read off the document)
    line = "以下各项工作均需各县（市、区）人民政府（管委会）落实，不再一一列出。"
    state = NoteState()
    r = parse_note(line, state)
    assert r.parties == [] and r.problems == []
    assert r.standing_rules == ["以下各项工作均需各县（市、区）人民政府（管委会）落实，不再一一列出"]
    assert state.standing_rules == r.standing_rules


PLAIN_TEXT = "\n".join([
    "某市关于推进绿色低碳发展的实施方案",
    "一、重点任务",
    "（一）推进工业绿色升级。",
    "1.推进节能改造，2020年底前完成重点企业节能诊断。（牵头单位：市发展改革局，配合单位：市工业和信息化局、市财政局，各区、县级市）",
    "2.建设绿色园区，完善园区设施（市工业和信息化局会同有关部门负责）。",
    "（二）推进交通绿色转型。",
    "1.推广新能源汽车。（市交通运输局牵头，市公安局、市生态环境局等参与）",
]) + "\n"


def test_plain_text_with_numbered_items_and_labelled_notes_end_to_end(tmp_path):
    from greenplan.api import run_saved
    from greenplan.store.core import Store, build_store, locate

    src = tmp_path / "plan.txt"
    src.write_text(PLAIN_TEXT, encoding="utf-8")
    loc = locate(str(tmp_path / "s"), [str(src)])
    build_store(loc)
    store = Store(loc.directory)
    rows = run_saved(store, "task-bodies").dicts()
    assert _grouped(rows) == [
        [(1, "市发展改革局", "lead", False), (2, "市工业和信息化局", "supporting", False),
         (3, "市财政局", "supporting", False), (4, "各区、县级市", "supporting", True)],
        [(1, "市工业和信息化局", "responsible", False), (2, "有关部门", "responsible", True)],
        [(1, "市交通运输局", "lead", False), (2, "市公安局", "participating", False),
         (3, "市生态环境局", "participating", False)],
    ]
    # no jurisdiction is known for this text: its 市 bodies are minted, never matched against a listed city
    assert all("/org/440800/" not in r["body"] for r in rows)
    facts = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?n ?open ?deadline WHERE { GRAPH ?g { ?t a gp:Task ; gp:number ?n ; gp:openOwnerList ?open .
            OPTIONAL { ?t gp:deadlineAsPrinted ?deadline } } } ORDER BY ?n""").dicts()
    assert [(r["n"], r["open"], r["deadline"]) for r in facts] == [
        (1, False, "2020年底前"), (2, False, None), (3, True, None)]


def test_zhanjiang_standing_rule_is_on_the_plan_once(store):
    rows = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?rule WHERE { GRAPH ?g { ?p a gp:Plan ; gp:standingRule ?rule } }""").dicts()
    assert [r["rule"] for r in rows] == ["以下各项工作均需各县（市、区）人民政府（管委会）落实，不再一一列出"]


def test_cli_network_collectives_flag(corpus_store, plans, tmp_path, capsys):
    import json

    from greenplan.cli.main import main

    identifier = next(r["identifier"] for r in plans if r["number"] == PAGES["gf-2018-42-agricultural-mechanisation"][0])
    counts = {}
    for flag in ([], ["--collectives"]):
        out = tmp_path / f"n{len(flag)}.json"
        assert main(["network", "--store", str(corpus_store.directory), "--plan", identifier, "--format", "json",
                     "--out", str(out)] + flag) == 0
        graph = json.loads(out.read_text(encoding="utf-8"))
        counts[bool(flag)] = {n["label"] for n in graph["nodes"]}
    # 各省级人民政府 closes （十九） alone: a node only with --collectives (it shares no task, so no edge)
    assert "各省级人民政府" not in counts[False] and "各省级人民政府" in counts[True]
    assert main(["network", "--store", str(corpus_store.directory), "--view", "projects", "--collectives",
                 "--format", "json"]) == 2
    assert "--collectives" in capsys.readouterr().err


def test_table_row_cells_and_printed_numbers_in_the_graph(corpus_store, plans):
    """126's annex row 10 (read off the page): 主要内容 and 推广范围 cells kept by header; the printed number."""
    plan = next(r["plan"] for r in plans if r["number"] == PAGES["gbf-2018-126-innovation-reform-measures"][0])
    rows = corpus_store.run(f"""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?printed ?header ?text WHERE {{ GRAPH ?g {{
            ?t gp:plan <{plan}> ; gp:number 10 ; gp:numberAsPrinted ?printed ; gp:cell ?c .
            ?c gp:header ?header ; gp:text ?text ; gp:position ?k }} }} ORDER BY ?k""").dicts()
    assert [(r["printed"], r["header"]) for r in rows] == [("10", "主要内容"), ("10", "推广范围")]
    assert rows[0]["text"].startswith("根据科技型中小企业的特点，在区域性股权市场推出“科技创新板”")
    assert rows[1]["text"] == "8个改革试验区域"
