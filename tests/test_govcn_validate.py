"""greenplan validate on each shared gov.cn page (tests/data/gov-cn, tests/data/gov-cn-2) and on the
Guangzhou-style text: no violation, and every remaining warning listed here with the place in the document
that causes it (read off the pages by hand). A published State Council document has a number (文号) and
dates, so no status line is asked of it; chapters are asked only of a kind that has them (opinions, a
work plan), not of a notice of numbered items (国办发〔2018〕117号)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from greenplan.validate import check as v

DATA = Path(__file__).parent / "data"

# document → (shape, first word of the node's name, its place, how the text at that place begins) of every finding,
# with why the document gives rise to it. Places read by hand: "paragraph N" is the Nth <p> of the page's content
# block (empty ones counted), "table T row R" the Rth <tr> of the Tth table of its block (the header row counted).
EXPECTED = {
    "gov-cn/gbf-2018-121-sports-competitions": [
        # the closing paragraph (各地区、各有关部门要…；体育总局要会同有关方面…) follows section （十九） and closes
        # with no responsibility note, so no task carries its two sentences
        ("Sentence-carried", "第（十九）节", "paragraph 35", "各地区、各有关部门要充分认识"),
        ("Sentence-carried", "第（十九）节", "paragraph 35", "各地区、各有关部门要充分认识"),
    ],
    "gov-cn/gbf-2018-126-innovation-reform-measures": [
        # rows 15–20 (四、军民深度融合方面（共6项）, row 19 of the annex table) are not in the published page
        # (本文有删减): the table goes from task 14 (row 18) to 五、… (row 20) and task 21 (row 21) — one finding
        ("Task-numberSequence", "任务", "table 1 row 21", "21"),
        # chapters 二、高度重视推广工作 and 三、认真抓好组织实施 are single paragraphs without numbered sections
        ("Chapter-section", "第二章", "paragraph 13", "二、高度重视推广工作"),
        ("Chapter-section", "第三章", "paragraph 15", "三、认真抓好组织实施"),
    ],
    "gov-cn/gbf-2018-128-zero-waste-cities": [],      # a notice issuing a 工作方案 with chapters; a note per task
    "gov-cn/gbf-2018-129-consumption-poverty-alleviation": [
        ("Chapter-section", "第一章", "paragraph 7", "一、总体要求"),   # one paragraph without numbered sections
    ],
    "gov-cn/gf-2018-42-agricultural-mechanisation": [],
    # a notice of 30 numbered items (一、 … 三十、), no chapters, a note per item: nothing to report
    "gov-cn-2/gbf-2018-117-incentives-for-localities": [],
    "gov-cn-2/gf-2018-39-employment": [
        # after section （十五）'s last note （各有关部门和单位，各省级人民政府按职责分工负责） the page prints one more
        # paragraph (从工业企业结构调整专项奖补资金中…；各地要对现有补贴项目进行梳理…；各地贯彻落实本意见的有关情况…)
        # with no note: its three sentences are the section's 5th–7th, and no task carries them
        ("Sentence-carried", "第（十五）节", "paragraph 27", "从工业企业结构调整专项奖补资金中"),
        ("Sentence-carried", "第（十五）节", "paragraph 27", "从工业企业结构调整专项奖补资金中"),
        ("Sentence-carried", "第（十五）节", "paragraph 27", "从工业企业结构调整专项奖补资金中"),
    ],
    "gov-cn-2/gf-2019-3-comprehensive-bonded-zones": [
        # 一、指导思想, 三、发展目标 and 五、有关要求 are paragraphs without numbered sections (（一）…)
        ("Chapter-section", "第一章", "paragraph 7", "一、指导思想"),
        ("Chapter-section", "第三章", "paragraph 14", "三、发展目标"),
        ("Chapter-section", "第五章", "paragraph 43", "五、有关要求"),
    ],
}
# guangzhou-sample.txt (written for the tests, jurisdiction 440100, for which ontology/bodies/ has no list):
# its first lines print a title and a preamble — no status line, no 文号, no date;
# its 11 local spellings (市教育局 市财政局 市委宣传部 团市委 市人民检察院 市公安局 市司法局 市税务局 市发展改革委
# 市国资委 市市场监管局, lines 8–13) are kinds of the national pattern of local bodies (ontology/local-bodies.tsv):
# Guangzhou's bodies with English names, none unlisted; 越秀区 (line 8) is 广州市越秀区人民政府 and 海关 (line 13)
# the local office of 海关总署, both known without an English name
GUANGZHOU = [("Plan-status", "规划")] + [("Body-enLabel", "单位")] * 2
# body → (the spelling the text prints, the line that first prints it)
GUANGZHOU_UNLISTED: dict[str, tuple[str, int]] = {}
GUANGZHOU_NO_ENGLISH = {"广州市越秀区人民政府": ("越秀区", 8), "海关": ("海关", 13)}


def _validate(tmp_path, source: Path):
    from greenplan.store.core import Store, build_store, locate

    loc = locate(str(tmp_path / "s"), [str(source)])
    build_store(loc)
    store = Store(loc.directory)
    conforms, report, text = v.validate(store)
    return conforms, text, v.findings(report, v.Namer(store))


@pytest.mark.parametrize("document", sorted(EXPECTED))
def test_page_validates_with_only_the_warnings_its_gaps_cause(tmp_path, document):
    conforms, text, found = _validate(tmp_path, DATA / f"{document}.html")
    assert conforms and text.startswith("0 violations"), text
    record = json.loads((DATA / f"{document}.source.json").read_text(encoding="utf-8"))
    url = record.get("url") or record["crawl_url"]    # the address the page was saved from
    got = sorted((f.shape, f.name.split(" ")[0], f.line) for f in found)
    assert got == sorted((shape, name, f"{place} of {url}") for shape, name, place, _ in EXPECTED[document]), text
    assert "line" not in text and "line" not in "".join(f.line for f in found)    # never a line of the saved page
    for _, _, place, start in EXPECTED[document]:
        assert _printed_at(DATA / f"{document}.html", place).startswith(start), place
    assert {f.severity for f in found} <= {"Warning"}
    assert not [f for f in found if "附件" in f.message or "annex" in f.message]    # no annex the page lacks


def _printed_at(page: Path, place: str) -> str:
    """The text at "paragraph N" (the Nth <p> of the content block) or "table T row R" (its first cell) of a page,
    found by lxml independently of greenplan's reader."""
    import lxml.html

    root = lxml.html.fromstring(page.read_bytes(), parser=lxml.html.HTMLParser(encoding="utf-8"))
    block = (root.xpath('//*[@id="UCAP-CONTENT"]') or root.xpath('//*[contains(@class, "pages_content")]'))[0]
    words = place.split()
    if words[0] == "paragraph":
        return block.xpath(f"./p[{int(words[1])}]")[0].text_content().strip()
    row = block.xpath(f"(.//table)[{int(words[1])}]//tr")[int(words[3]) - 1]
    return row.xpath("./td")[0].text_content().strip()


def test_guangzhou_text_validates_with_the_findings_it_causes(tmp_path):
    conforms, text, found = _validate(tmp_path, DATA / "guangzhou-sample.txt")
    assert conforms, text
    assert sorted((f.shape, f.name.split(" ")[0]) for f in found) == sorted(GUANGZHOU)
    lines = (DATA / "guangzhou-sample.txt").read_text(encoding="utf-8").splitlines()
    for shape, expected in (("Body-listed", GUANGZHOU_UNLISTED), ("Body-enLabel", GUANGZHOU_NO_ENGLISH)):
        got = {f.name.split(" ", 1)[1]: f.line for f in found if f.shape == shape}
        assert got == {body: f"line {n}" for body, (_, n) in expected.items()}   # found where first named
        for spelling, n in expected.values():
            assert spelling in lines[n - 1]
    # the default report: one line per shape, with its count
    shape_lines = [line for line in text.splitlines() if " × " in line]
    assert [(line.split(" × ")[0].strip(), line.rsplit("[", 1)[1].rstrip("]")) for line in shape_lines] == [
        ("2", "Body-enLabel")]


def test_the_notice_of_numbered_items_exits_0(tmp_path):
    src = DATA / "gov-cn-2" / "gbf-2018-117-incentives-for-localities.html"
    cmd = [sys.executable, "-m", "greenplan.cli.main", "validate", "--source", str(src), "--store", str(tmp_path / "s")]
    subprocess.run([sys.executable, "-m", "greenplan.cli.main", "build", "--source", str(src), "--store",
                    str(tmp_path / "s")], check=True, capture_output=True)
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == "0 violations, 0 warnings, 0 info\n"


def test_guangzhou_build_prints_one_line_per_unresolved_spelling(tmp_path):
    # tests/data/bodies/guangzhou-unlisted.txt by hand: 市会展办 (lines 5, 6) and 市留交办 (lines 5, 7) are named
    # twice, 市口岸办 and 海关 once (no kind of ontology/local-bodies.tsv; 市教育局 is one, so no warning)
    cmd = [sys.executable, "-m", "greenplan.cli.main", "build", "--source",
           str(DATA / "bodies" / "guangzhou-unlisted.txt"), "--store", str(tmp_path / "s")]
    grouped = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr.splitlines()
    every = subprocess.run(cmd + ["--verbose"], capture_output=True, text=True, check=True).stderr.splitlines()
    spellings = [line.split("body '", 1)[1].split("'", 1)[0] for line in grouped if "body '" in line]
    assert sorted(spellings) == sorted(["市会展办", "市留交办", "市口岸办", "海关"])
    assert [line for line in grouped if "occurrences" in line] == [
        line for line in grouped if "'市会展办'" in line or "'市留交办'" in line]
    assert all("(2 occurrences; the first: task （一）1.)" in line for line in grouped if "occurrences" in line)
    assert len([line for line in every if "body '" in line]) == 6
    # no hint names a file that does not exist; the list to create is named with how
    assert all("create ontology/bodies/440100.ttl as docs/data/authority-lists.md says" in line
               for line in grouped if "body '" in line)


def test_build_warnings_of_126_name_the_url_and_the_place(tmp_path):
    # read by hand from the page: the body's two closing paragraphs (各地区、各部门要以… p 14, 各省（区、市）人民政府要把…
    # p 16) sit under chapters with no numbered sections; the annex table (table 1 of its block) prints the measure
    # headings 一、… (row 2), 二、… (row 8), 三、… (row 13), 四、… (row 19, no rows under it), 五、… (row 20), whose first
    # tasks 1, 6, 10, 21 are rows 3, 9, 14, 21; after task 14 (row 18) comes task 21: 15–20 are left out (本文有删减)
    page = DATA / "gov-cn" / "gbf-2018-126-innovation-reform-measures.html"
    url = json.loads(page.with_suffix(".source.json").read_text(encoding="utf-8"))["crawl_url"]
    run = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "build", "--source", str(page), "--store",
                          str(tmp_path / "s")], capture_output=True, text=True, check=True)
    got = [line.split(": ")[1] for line in run.stderr.splitlines()]
    assert all(line.startswith(url + ": ") for line in run.stderr.splitlines())
    assert got == ["paragraph 14", "paragraph 16", "table 1 row 21"] + [
        f"table 1 row {r}" for r in (3, 3, 9, 9, 14, 14, 21, 21)]
    assert "task numbers 15–20 are missing: 21 follows 14" in run.stderr.splitlines()[2]
    for place, start in (("paragraph 14", "各地区、各部门要以"), ("paragraph 16", "各省（区、市）人民政府要把"),
                         ("table 1 row 3", "1"), ("table 1 row 9", "6"), ("table 1 row 14", "10"),
                         ("table 1 row 21", "21")):
        assert _printed_at(page, place).startswith(start), place
    verbose = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "build", "--source", str(page), "--store",
                              str(tmp_path / "s"), "--verbose"], capture_output=True, text=True, check=True)
    assert "/td/div/table/tbody/tr[21])" in verbose.stderr          # --verbose keeps the full XPath


def test_a_body_is_placed_at_the_row_that_first_names_it(tmp_path):
    # read by hand from 126's annex (指导部门 column): 最高人民检察院 first in row 3 (task 1), 科技部 in row 9 (task 6),
    # 中国人民银行 in row 15 (task 11), 工业和信息化部 in row 17 (task 13), 人力资源社会保障部 in row 21 (task 21)
    from greenplan.store.core import Store, build_store, locate

    page = DATA / "gov-cn" / "gbf-2018-126-innovation-reform-measures.html"
    url = json.loads(page.with_suffix(".source.json").read_text(encoding="utf-8"))["crawl_url"]
    loc = locate(str(tmp_path / "s"), [str(page)])
    build_store(loc)
    namer = v.Namer(Store(loc.directory))
    got = {r["label"]: namer.line(iri) for iri, r in namer.nodes.items() if r["kind"] == "org"}
    expected = {"最高人民检察院": (3, 1), "科学技术部": (9, 6), "中国人民银行": (15, 11), "工业和信息化部": (17, 13),
                "人力资源和社会保障部": (21, 21)}      # body → (row, task number)
    assert {body: got.get(body) for body in expected} == {
        body: f"table 1 row {row} of {url}" for body, (row, _) in expected.items()}
    for row, number in expected.values():
        assert _printed_at(page, f"table 1 row {row}") == str(number)
