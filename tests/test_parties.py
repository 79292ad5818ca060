"""The responsibility parser (greenplan.loaders.parties): notes and cells to parties with positions and roles.

Expected values are read by hand: the short forms below are written here with their reading; every note of
the five gov.cn documents (tests/data/gov-cn/*.html, copies of ../shared/corpus/gov-cn) and every 指导部门 cell
of 126's annex table is in tests/data/gov-cn-notes.tsv (hand-read, one row per party); Zhanjiang's annex 1
owner cells are in tests/data/annex1-owners.tsv (as printed).
"""
from __future__ import annotations

import random
import re
from collections import OrderedDict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from greenplan.loaders.parties import NoteState, column_role, is_note, parse_cells, parse_note
from tests.test_loaders import read_tsv

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


def test_unreadable_notes_are_problems_not_tracebacks():
    r = parse_note("（负责）", NoteState())
    assert r.parties == [] and r.problems
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
