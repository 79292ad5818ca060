"""The grammar of responsibility notes (loaders/parties.py with loaders/grammar.toml), form by form.

Every expected party below is written by hand from reading the short text beside it; the texts are written
for these tests in the forms State Council and local documents print (issue 21). The shared real documents
(tests/data/gov-cn, gov-cn-2, guangzhou-633) are checked note by note against tables read by hand
(tests/sharednotes.py).
"""
from __future__ import annotations

import re

import pytest

from greenplan.loaders.parties import NoteState, is_collective, is_note, parse_cells, parse_note
from tests.sharednotes import DATA, FILES, score


def parties(text: str, state: NoteState | None = None):
    r = parse_note(text, state or NoteState())
    return [(p.spelling, p.role, p.collective) for p in r.parties], r.open_list, r.problems


R, L, S, P, G = "responsible", "lead", "supporting", "participating", "guiding"


# ------------------------------------------------------------------------------ collectives by their shape

@pytest.mark.parametrize("phrase", [
    "有关部门", "相关部门", "有关单位", "相关地区", "有关部门和单位", "各有关部门和单位", "国务院有关部门",
    "国务院相关部门和单位", "国务院各有关部门", "省直有关部门", "市有关单位", "其他有关部门", "各地区", "各部门",
    "各地", "各园区", "各级人民政府", "各级党委和政府", "各省级人民政府", "各有关省级人民政府", "各省（区、市）人民政府",
    "各市、县（区）人民政府", "各市、县(区)人民政府", "各市、县人民政府", "各县（市、区）人民政府", "各区、县级市",
    "各区、县级市政府", "各区、县级市人民政府", "各有关区、县级市", "各区、县（市）", "各区县（市）人民政府",
    "各区、县级市城市管理部门", "各项目牵头单位", "试点城市政府", "各试点城市政府", "市人才工作领导小组成员单位",
    "领导小组各成员单位"])
def test_collective_by_shape(phrase):
    assert is_collective(phrase)


@pytest.mark.parametrize("name", ["体育总局", "市发展改革委", "工业和信息化部", "各市场主体", "城市有关部门负责人",
                                  "有关", "各"])
def test_not_a_collective(name):
    assert not is_collective(name)


def test_every_listed_collective_phrase_has_a_collective_shape():
    """ontology/collective-parties.tsv names collectives for the graph (labels); the reader finds them by shape."""
    import csv
    from importlib.resources import files

    text = files("greenplan.ontology").joinpath("collective-parties.tsv").read_text(encoding="utf-8")
    rows = list(csv.DictReader([l for l in text.splitlines() if l and not l.startswith("#")], delimiter="\t"))
    assert len(rows) > 20
    assert [r["phrase"] for r in rows if not is_collective(r["phrase"])] == []


# ------------------------------------------------------------------------------ parties and connectives

def test_body_with_an_open_collective():
    # X等<collective>: X, then the collective; the list is open
    assert parties("（国家发展改革委等相关单位负责）") == (
        [("国家发展改革委", R, False), ("相关单位", R, True)], True, [])
    assert parties("（人力资源社会保障部、财政部等有关部门和单位负责）") == (
        [("人力资源社会保障部", R, False), ("财政部", R, False), ("有关部门和单位", R, True)], True, [])


def test_connective_before_a_collective_is_no_part_of_a_name():
    assert parties("（交通运输部及相关地区负责）") == ([("交通运输部", R, False), ("相关地区", R, True)], False, [])
    assert parties("（市发展改革委和相关部门负责）") == ([("市发展改革委", R, False), ("相关部门", R, True)], False, [])
    assert parties("（财政部、税务总局以及人民银行负责）") == (
        [("财政部", R, False), ("税务总局", R, False), ("人民银行", R, False)], False, [])


def test_and_inside_a_collective_or_a_name_is_kept():
    assert parties("（国务院相关部门和单位负责）") == ([("国务院相关部门和单位", R, True)], False, [])
    assert parties("（工业和信息化部、文化和旅游部负责）") == (
        [("工业和信息化部", R, False), ("文化和旅游部", R, False)], False, [])


def test_provincial_scope_and_bracketed_division_lists():
    assert parties("（省发展改革委牵头，省直有关部门、各市、县（区）人民政府配合）") == (
        [("省发展改革委", L, False), ("省直有关部门", S, True), ("各市、县（区）人民政府", S, True)], False, [])
    assert parties("（各市、县(区)人民政府负责）") == ([("各市、县(区)人民政府", R, True)], False, [])


def test_two_collectives_printed_together_are_two_parties():
    assert parties("（各地区各部门负责）") == ([("各地区", R, True), ("各部门", R, True)], False, [])
    assert parties("（国务院各部门、各地区负责）") == ([("国务院各部门", R, True), ("各地区", R, True)], False, [])


def test_groups_parks_and_levels():
    assert parties("（市商务局、各园区负责）") == ([("市商务局", R, False), ("各园区", R, True)], False, [])
    assert parties("（市人才工作领导小组成员单位按职责分工负责）") == (
        [("市人才工作领导小组成员单位", R, True)], False, [])
    assert parties("（各级人民政府负责）") == ([("各级人民政府", R, True)], False, [])
    assert parties("（各区、县级市政府负责）") == ([("各区、县级市政府", R, True)], False, [])


def test_together_with_and_three_roles():
    assert parties("（市科技局会同市财政局负责）") == ([("市科技局", R, False), ("市财政局", R, False)], False, [])
    assert parties("（省教育厅牵头，省财政厅参与，各地区指导）") == (
        [("省教育厅", L, False), ("省财政厅", P, False), ("各地区", G, True)], False, [])


# ------------------------------------------------------------------------------ the first-named body leads

@pytest.mark.parametrize("rule", ["列第一位者为牵头单位", "排在第一位的部门为牵头部门", "列首位的为牵头单位",
                                  "排第一位的为牵头单位", "列在第一位的单位为牵头单位",
                                  "排名第一的为牵头部门"])
def test_first_named_leads_in_its_variant_wordings(rule):
    state = NoteState()
    # the rule in the same sentence as the parties (国发〔2019〕3号) or in a sentence of its own (国发〔2018〕39号)
    for text in (f"（税务总局、财政部负责，{rule}，下同）", f"（税务总局、财政部负责。{rule}，下同）"):
        state = NoteState()
        assert parties(text, state) == ([("税务总局", L, False), ("财政部", R, False)], False, []), text
        assert parties("（海关总署负责）", state) == ([("海关总署", L, False)], False, [])


# ------------------------------------------------------------------------------ what is not understood

def test_a_party_of_no_known_shape_is_a_problem_never_a_body():
    spellings, _, problems = parties("（企业自主负责）")
    assert spellings == [] and "企业自主" in problems[0]
    spellings, _, problems = parties("（城市有关部门负责）")     # text glued to a collective
    assert spellings == [] and "城市有关部门" in problems[0]
    spellings, _, problems = parties("（市财政局、市税务局）")     # no role word
    assert spellings == [] and "expected a role word" in problems[0]


def test_cells_keep_every_name_their_column_declares():
    # a cell's names pass the grammar of notes (tests/test_cell_parties.py); a department's name printed without its
    # end word (市发展和改革, Zhanjiang's annex 1 task 60) reads as a body by the grammar's [body] cut_ends shape
    r = parse_cells([("责任单位", "市发展和改革、农业农村局")], NoteState())
    assert [p.spelling for p in r.parties] == ["市发展和改革", "农业农村局"] and not r.problems


# ------------------------------------------------------------------------------ the shared real documents

def test_every_note_of_the_shared_documents_is_read_right():
    from greenplan.loaders import load

    right, total, wrong = score(load)
    assert total == 222 and wrong == [] and right == total


# ------------------------------------------------------------------------------ said out loud: build reports it

PLANTED = """某市关于推进绿色发展的实施方案
一、重点任务
（一）推进产业转型。
1.实施节能改造。推进重点企业节能改造。（市发展改革委负责）
2.建设绿色园区。完成园区改造。（企业自主负责）
3.制定支持政策。（市财政局、市税务局）
"""

PLANTED_TABLE = """<html><head><meta charset="utf-8"></head><body>
<p>某市关于推进绿色发展的实施方案</p><p>一、重点任务</p>
<p>（一）推进产业转型。实施节能改造。（市发展改革委负责）</p>
<table><tr><td>序号</td><td>牵头部门</td><td>配合部门</td></tr>
<tr><td>1</td><td></td><td></td></tr></table>
</body></html>
"""


def test_a_planted_note_not_understood_is_kept_and_reported_with_its_location(tmp_path):
    from greenplan.loaders import load

    src = tmp_path / "planted.txt"
    src.write_text(PLANTED, encoding="utf-8")
    plan, report = load(src)
    # read by hand: item 1 is a task of 市发展改革委; items 2 and 3 carry notes that are not understood
    assert [(t.label, [p.spelling for p in t.parties]) for t in plan.tasks] == [("（一）1.", ["市发展改革委"])]
    assert [(u.text, u.span.first, u.kind) for u in plan.unread_notes] == [
        ("（企业自主负责）", 5, "note"), ("（市财政局、市税务局）", 6, "note")]
    assert "企业自主" in plan.unread_notes[0].why and "role word" in plan.unread_notes[1].why
    warnings = [str(i) for i in report.warnings()]
    assert any(w.startswith("planted.txt:5") and "（企业自主负责）" in w and "not understood" in w for w in warnings)
    assert any(w.startswith("planted.txt:6") and "（市财政局、市税务局）" in w for w in warnings)


def test_a_responsibility_table_that_gives_no_task_is_reported(tmp_path):
    from greenplan.loaders import load

    src = tmp_path / "planted.html"
    src.write_text(PLANTED_TABLE, encoding="utf-8")
    plan, report = load(src)
    tables = [u for u in plan.unread_notes if u.kind == "table"]
    assert len(tables) == 1 and tables[0].text == "序号 | 牵头部门 | 配合部门"
    assert any("table with responsibility columns" in str(i) and "序号 | 牵头部门" in str(i) for i in report.warnings())


def test_build_prints_the_note_not_understood(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "planted.txt"
    src.write_text(PLANTED, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "greenplan.cli", "build", "--store", str(tmp_path / "store"), "--source", str(src)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "planted.txt:5" in out.stderr and "（企业自主负责）" in out.stderr and "not understood" in out.stderr


# ------------------------------------------------------------------------------ text as crawlers store it

def _crawler_copy(paragraphs: list[str], joiner: str) -> str:
    """The page as a crawler stores it: the title lines and the document number glued into one line, the rest of
    the text on one line (``joiner`` between what were paragraphs: the page's indentation ``　　`` or nothing)."""
    k = next(i for i, t in enumerate(paragraphs) if re.fullmatch(r"\S{1,6}〔\d{4}〕\d+号", t))
    return "".join(paragraphs[: k + 1]) + "\n" + joiner.join(paragraphs[k + 1:]) + "\n"


def _page_paragraphs(path) -> list[str]:
    from tests.test_parties import _Text  # the tests' own reading of a gov.cn page (stdlib only)

    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    parser._flush()
    return parser.paragraphs   # table rows are not paragraphs: the copy has no tables (126's annex is left out)


def _note_tasks(plan, full: bool):
    return [((t.number, t.label, t.text, t.chapter, t.measure) if full else ()) +
            (t.note, [(p.position, p.spelling, p.role, p.collective) for p in t.parties], t.open_list)
            for t in plan.tasks if t.note]


PAGES = sorted(FILES[s] for s in FILES if FILES[s].suffix == ".html")


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_crawler_copy_reads_as_the_page(page, tmp_path):
    from greenplan.loaders import load

    plan, _ = load(page)
    for joiner, full in (("\u3000\u3000", True), ("", False)):
        copy = tmp_path / f"{page.stem}.txt"
        copy.write_text(_crawler_copy(_page_paragraphs(page), joiner), encoding="utf-8")
        crawled, _ = load(copy)
        # the number glued to the title is the number; the title is the page's printed title
        assert crawled.metadata.number == plan.metadata.number and crawled.metadata.number.endswith("号")
        assert not crawled.title.endswith("号")
        # with the indentation kept everything of a task is the same; run together with nothing between them a
        # chapter heading cannot be told from plain text after it (documented), so notes and parties are compared
        assert _note_tasks(crawled, full) == _note_tasks(plan, full), joiner


def test_guangzhou_crawler_copy_and_items_run_together(tmp_path):
    from greenplan.loaders import load

    text = (DATA / "guangzhou-633" / "guangzhou-633-talent-opinions.txt").read_text(encoding="utf-8")
    lines = [l for l in text.splitlines() if l.strip()]
    meta = (DATA / "guangzhou-633" / "guangzhou-633-talent-opinions.meta.toml").read_text(encoding="utf-8")
    page, _ = load(DATA / "guangzhou-633" / "guangzhou-633-talent-opinions.txt")
    copy = tmp_path / "guangzhou-633-talent-opinions.txt"
    copy.write_text(lines[0] + "\n" + "".join(lines[1:]) + "\n", encoding="utf-8")
    (tmp_path / "guangzhou-633-talent-opinions.meta.toml").write_text(meta, encoding="utf-8")
    crawled, _ = load(copy)
    assert _note_tasks(crawled, True) == _note_tasks(page, True) and len(page.tasks) == 44


def test_measures_run_together_after_a_colon():
    """``具体措施：1．…2．…`` on one line reads as the items on their own lines (text written for this test)."""
    from greenplan.loaders.document import load_document
    from greenplan.loaders.model import Block, Document
    from greenplan.loaders.records import Span

    def plan_of(lines):
        doc = Document("t.txt", "text", "0", len(lines), [Block("paragraph", Span("t.txt", 1, 1), l) for l in lines])
        return load_document(doc, DATA / "no-such-file.txt")[0]

    lines = ["某市关于推进节能的实施方案某府〔2020〕7号", "一、重点任务", "（一）推进节能。具体措施：",
             "1．实施节能改造。（市发展改革委负责）", "2．建设绿色园区。（市工业和信息化局、市财政局负责）"]
    apart = plan_of(lines)
    together = plan_of([lines[0], "".join(lines[1:])])
    # read by hand: two tasks, 1 of 市发展改革委, 2 of 市工业和信息化局 and 市财政局; the number 某府〔2020〕7号
    assert [(t.text, [p.spelling for p in t.parties]) for t in together.tasks] == [
        ("实施节能改造。", ["市发展改革委"]), ("建设绿色园区。", ["市工业和信息化局", "市财政局"])]
    assert _note_tasks(together, True) == _note_tasks(apart, True)
    assert together.metadata.number == apart.metadata.number == "某府〔2020〕7号"
    assert together.title == apart.title == "某市关于推进节能的实施方案"


# ------------------------------------------------------------------------------ printed numbering

def _plan(lines: list[str]):
    from greenplan.loaders.document import load_document
    from greenplan.loaders.model import Block, Document
    from greenplan.loaders.records import Span

    doc = Document("t.txt", "text", "0", len(lines),
                   [Block("paragraph", Span("t.txt", n, n), l) for n, l in enumerate(lines, 1)])
    return load_document(doc, DATA / "no-such-file.txt")[0]


def test_a_task_is_numbered_by_its_printed_item_across_sections_and_chapters():
    plan = _plan(["某市关于推进节能的实施方案", "一、重点任务", "（一）推进节能。",
                  "36.实施节能改造。（市发展改革委负责）", "37.建设绿色园区。（市财政局负责）",
                  "（三）完善政策。", "38.制定支持政策。（市商务局负责）", "二、保障措施",
                  "39.加强组织领导。（市委组织部负责）"])
    # read by hand: items 36–39, the last right under chapter 二 with no section
    assert [(t.number, t.label, t.text) for t in plan.tasks] == [
        (36, "（一）36.", "实施节能改造。"), (37, "（一）37.", "建设绿色园区。"), (38, "（三）38.", "制定支持政策。"),
        (39, "39.", "加强组织领导。")]


def test_numbers_that_repeat_give_document_order_and_keep_the_printed_label():
    plan = _plan(["某市关于推进节能的实施方案", "一、重点任务", "（一）推进节能。", "1.实施节能改造。（市发展改革委负责）",
                  "2.建设绿色园区。（市财政局负责）", "（二）完善政策。", "1.制定支持政策。（市商务局负责）"])
    assert [(t.number, t.label) for t in plan.tasks] == [(1, "（一）1."), (2, "（一）2."), (3, "（二）1.")]


def test_a_notices_numbered_paragraphs_are_its_tasks_numbers():
    plan = _plan(["某市人民政府办公室关于加大激励支持力度的通知", "各区人民政府，市政府各部门：", "现就有关事项通知如下：",
                  "一、对成效明显的区优先支持。（市发展改革委负责）", "二、对成效明显的区给予奖励。（市财政局负责）"])
    assert [(t.number, t.label, t.text) for t in plan.tasks] == [
        (1, "一、", "对成效明显的区优先支持。"), (2, "二、", "对成效明显的区给予奖励。")]


def test_guangzhou_tasks_carry_their_printed_item_numbers():
    from greenplan.loaders import load

    plan, _ = load(FILES["guangzhou-633-talent-opinions"])
    # read by hand: item 1 (目标) has no note; items 2–45 each close with one, 40–45 right under chapters 四 and 五
    assert [t.number for t in plan.tasks] == list(range(2, 46))
    assert [t.label for t in plan.tasks][-7:] == ["（三）39.", "40.", "41.", "42.", "43.", "44.", "45."]
    notice, _ = load(FILES["gbf-2018-117-incentives-for-localities"])
    assert [t.number for t in notice.tasks] == list(range(1, 31)) and notice.tasks[11].label == "十二、"


# ------------------------------------------------------------------------------ label lines under an item

HEAD = ["某市关于推进节能的实施方案", "一、重点任务", "（一）推进节能。"]


def _read(plan):
    return [(t.label, t.text, [(p.spelling, p.role) for p in t.parties], t.deadline_raw) for t in plan.tasks]


def test_label_lines_each_on_its_own_line_are_the_items_note():
    plan = _plan(HEAD + ["1.实施节能改造。推进重点企业节能改造。", "牵头单位：市发展改革委", "配合单位：市财政局、市税务局",
                         "完成时限：2020年底前", "2.建设绿色园区。", "责任单位：市工业和信息化局", "完成时限：持续推进"])
    # read by hand: item 1 — lead 市发展改革委, supporting 市财政局 and 市税务局, by the end of 2020; item 2 — 市工业和信息化局
    assert _read(plan) == [
        ("（一）1.", "实施节能改造。推进重点企业节能改造。", [("市发展改革委", L), ("市财政局", S), ("市税务局", S)], "2020年底前"),
        ("（一）2.", "建设绿色园区。", [("市工业和信息化局", R)], "持续推进")]
    first = plan.tasks[0]
    assert (first.span.first, first.span.last) == (4, 7)      # the item's line and its three label lines
    assert first.note == "牵头单位：市发展改革委\n配合单位：市财政局、市税务局\n完成时限：2020年底前"
    assert plan.unread_notes == []


def test_label_lines_run_together_in_the_items_paragraph():
    for item in ("1.实施节能改造。牵头单位：市发展改革委；配合单位：市财政局。完成时限：2020年底前。",
                 "1.实施节能改造。牵头单位：市发展改革委　配合单位：市财政局　完成时限：2020年底前",
                 "1.实施节能改造。牵头单位：市发展改革委，参与单位：市财政局，完成时限：2020年底前"):
        plan = _plan(HEAD + [item])
        role = P if "参与单位" in item else S
        assert _read(plan) == [("（一）1.", "实施节能改造。", [("市发展改革委", L), ("市财政局", role)], "2020年底前")], item
        assert plan.unread_notes == []


def test_a_note_in_mid_paragraph_closes_the_text_before_it():
    plan = _plan(HEAD + ["1.实施节能改造。（市发展改革委负责）推进园区循环化改造。（市财政局、市商务局负责）"])
    assert _read(plan) == [("（一）1.", "实施节能改造。", [("市发展改革委", R)], None),
                           ("（一）1.", "推进园区循环化改造。", [("市财政局", R), ("市商务局", R)], None)]


def test_a_deadline_label_inside_a_bracketed_note_is_no_party():
    assert parties("（市发展改革委负责，完成时限：2020年底前）") == ([("市发展改革委", R, False)], False, [])


def test_no_body_spelling_holds_a_connective_or_a_collective_word():
    """On every shared document: a party that is not a collective never holds 等, 相关, 有关 or 及 (issue 21: X等相关单位
    and X及相关地区 were once read as one body)."""
    from greenplan.loaders import load

    bodies = {p.spelling for f in FILES.values() for t in load(f)[0].tasks for p in t.parties if not p.collective}
    assert len(bodies) > 80
    assert sorted(b for b in bodies if any(w in b for w in ("等", "相关", "有关", "及", "以及"))) == []


def test_the_shared_documents_have_no_note_left_not_understood():
    from greenplan.loaders import load

    for stem, path in FILES.items():
        plan, report = load(path)
        assert plan.unread_notes == [], stem
        assert not [i for i in report.warnings() if "not understood" in i.message], stem


def test_run_together_text_of_any_shape_never_raises():
    import random

    from greenplan.loaders.errors import PlanFormatError

    rng = random.Random(21)
    alphabet = list("一二三、（）()1234567890.．。；：:，负责牵头单位配合市财政局各区县级有关部门等和及国发〔2019〕号\u3000 ")
    for _ in range(300):
        lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(rng.randint(1, 4))]
        try:
            _plan(lines)
        except PlanFormatError:
            pass


def test_national_enterprises_and_national_scope():
    assert parties("（工业和信息化部、中国电信、中国移动、中国联通、国家电网负责）") == (
        [("工业和信息化部", R, False), ("中国电信", R, False), ("中国移动", R, False), ("中国联通", R, False),
         ("国家电网", R, False)], False, [])
    assert parties("（国家有关部门负责）") == ([("国家有关部门", R, True)], False, [])


# ------------------------------------------------------------------------------ forms seen in provincial and city plans
# Written for these tests after forms printed by a province's 2022 plan (〔责任单位：…按职责分工负责。…不再做分工，下同。〕)
# and a city's 2022 work points ((X、Y牵头,市级各有关部门及各县市区政府按职责分工负责)); names changed, read by hand.

def test_square_bracketed_labelled_note_with_a_role_word_and_a_standing_rule():
    state = NoteState()
    r = parse_note("〔责任单位：省发展改革委、省商务厅按职责分工负责。具体任务均涉及相关市（州）人民政府，不再做分工，下同。〕",
                   state)
    assert [(p.spelling, p.role, p.collective) for p in r.parties] == [("省发展改革委", R, False), ("省商务厅", R, False)]
    assert r.standing_rules == ["具体任务均涉及相关市（州）人民政府，不再做分工，下同"] and not r.problems
    assert is_note("〔责任单位：省市场监管局〕") and not is_note("〔2019〕")


def test_city_level_scope_and_county_list_collectives():
    assert parties("(市政府办公室、市审改办牵头,市级各有关部门及各县市区政府按职责分工负责)") == (
        [("市政府办公室", L, False), ("市审改办", L, False), ("市级各有关部门", R, True), ("各县市区政府", R, True)],
        False, [])


def test_a_square_bracketed_note_closes_its_task():
    plan = _plan(HEAD + ["1.加强市场体系建设。推进高标准市场体系建设。〔责任单位：省发展改革委、省市场监管局〕",
                         "2.优化市场准入环境。〔责任单位：省市场监管局〕"])
    assert _read(plan) == [("（一）1.", "加强市场体系建设。推进高标准市场体系建设。", [("省发展改革委", R), ("省市场监管局", R)], None),
                           ("（一）2.", "优化市场准入环境。", [("省市场监管局", R)], None)]


def test_label_notes_run_together_with_the_next_item():
    lines = ["1.实施节能改造。", "牵头单位：市发展改革委", "配合单位：市财政局", "2.建设绿色园区。", "责任单位：市工业和信息化局",
             "完成时限：2020年底前", "二、保障措施", "3.加强组织领导。", "牵头单位：市委组织部"]
    apart = _plan(HEAD + lines)
    together = _plan(HEAD + ["".join(lines)])
    # read by hand: 1 — 市发展改革委 lead, 市财政局 supporting; 2 — 市工业和信息化局; 3 (under 二) — 市委组织部 lead
    expected = [("（一）1.", "实施节能改造。", [("市发展改革委", L), ("市财政局", S)], None),
                ("（一）2.", "建设绿色园区。", [("市工业和信息化局", R)], "2020年底前"),
                ("3.", "加强组织领导。", [("市委组织部", L)], None)]
    assert _read(apart) == expected
    assert _read(together) == expected
    assert [t.chapter for t in together.tasks] == ["重点任务", "重点任务", "保障措施"]


def test_validate_flags_the_planted_notes_with_their_lines(tmp_path):
    """The graph keeps each note not understood (gp:UnreadNote, as printed, with its span) and the shape
    gps:UnreadNote-understood reports it; never a body made of it."""
    import subprocess
    import sys

    src = tmp_path / "planted.txt"
    src.write_text(PLANTED, encoding="utf-8")
    store = tmp_path / "store"
    built = subprocess.run([sys.executable, "-m", "greenplan.cli", "build", "--store", str(store), "--source", str(src)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    out = subprocess.run([sys.executable, "-m", "greenplan.cli", "validate", "--store", str(store), "--format", "turtle"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode in (0, 1), out.stderr
    import pyoxigraph as ox

    report = ox.Store()
    report.load(out.stdout.encode("utf-8"), ox.RdfFormat.TURTLE)
    rows = {(str(r["value"].value)) for r in report.query(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT ?value WHERE { ?r sh:sourceShape ?s ; sh:value ?value . "
        "FILTER(STRENDS(STR(?s), 'UnreadNote-understood')) }")}
    assert rows == {"（企业自主负责）", "（市财政局、市税务局）"}
    graph = ox.Store()
    from greenplan.store.files import graph_path

    graph.bulk_load(path=str(graph_path(store)), format=ox.RdfFormat.N_QUADS)
    lines = sorted(int(r["first"].value) for r in graph.query(
        "PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT ?first WHERE { GRAPH ?g { ?u a gp:UnreadNote ; prov:wasDerivedFrom ?s . ?s gp:firstLine ?first } }"))
    assert lines == [5, 6]
    labels = [str(r["l"].value) for r in graph.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX org: <http://www.w3.org/ns/org#> "
        "SELECT ?l WHERE { GRAPH ?g { ?b a org:Organization ; skos:prefLabel ?l } }")]
    assert not any("企业自主" in label for label in labels)


def test_a_collective_found_by_its_shape_is_a_collective_in_the_graph(tmp_path):
    """各市、县(区)人民政府 with ASCII brackets is in no list; the reader finds it by its shape, and the graph makes it
    a collective party of the plan's jurisdiction — not a body called 广州市各市、县(区)人民政府."""
    import subprocess
    import sys

    import pyoxigraph as ox

    src = tmp_path / "shape.txt"
    src.write_text("广州市关于推进绿色发展的实施方案\n一、重点任务\n（一）推进产业转型。\n"
                   "1.实施节能改造。推进重点企业节能改造。（市发展改革委牵头，各市、县(区)人民政府负责）\n",
                   encoding="utf-8")
    (tmp_path / "shape.meta.toml").write_text('identifier = "shape"\njurisdiction_code = "440100"\njurisdiction_name = "广州市"\n', encoding="utf-8")
    store = tmp_path / "store"
    built = subprocess.run([sys.executable, "-m", "greenplan.cli", "build", "--store", str(store), "--source", str(src)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    graph = ox.Store()
    from greenplan.store.files import graph_path

    graph.bulk_load(path=str(graph_path(store)), format=ox.RdfFormat.N_QUADS)
    q = ("PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
         "SELECT ?kind ?l WHERE { GRAPH ?g { ?t a gp:Task ; (gp:responsibleBody|gp:collectiveParty) ?b . "
         "?b a ?kind ; skos:prefLabel ?l . FILTER(LANG(?l) = 'zh') } }")
    found = {(str(r["kind"].value).rsplit("#", 1)[-1].rsplit("/", 1)[-1], str(r["l"].value)) for r in graph.query(q)}
    assert ("CollectiveParty", "各市、县(区)人民政府") in found
    assert not any(kind == "Organization" and "各市" in label for kind, label in found)
