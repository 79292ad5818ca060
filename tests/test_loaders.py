"""The loaders read every fact of the plan, as printed, with its source lines.

Expected values come from reading the document: tests/data/annex1-owners.tsv
(owner cells as printed), tests/data/spellings.tsv (who each spelling is),
tests/data/annex2-projects.tsv (project rows), and the literals below.
"""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from greenplan.loaders import PlanFormatError, load
from tests import layouts
from tests.handread import OWNER_CELLS, PROJECTS, owner_names

CHAPTERS = ["总体要求", "健全绿色低碳循环发展的生产体系", "健全绿色低碳循环发展的流通体系",
            "健全绿色低碳循环发展的消费体系", "加快基础设施绿色升级", "构建市场导向的绿色技术创新体系",
            "完善法规政策体系", "认真抓好组织落实"]


def test_title_status_chapters_sections(plan):
    p, _ = plan
    assert p.title == "湛江市关于加快建立健全绿色低碳循环发展经济体系的实施方案"
    assert p.status == "征求意见稿"
    assert [c.title for c in p.chapters] == CHAPTERS
    assert [s.index for s in p.sections] == list(range(1, 31))
    titles = {s.index: s.title for s in p.sections}
    assert titles[1] == "指导思想" and titles[3] == "主要目标" and titles[4] == "推进工业绿色升级"
    assert titles[30] == "加大宣传力度"
    # sections (四)…(九) are in chapter 二, (二十八)…(三十) in chapter 八
    assert {s.chapter for s in p.sections if 4 <= s.index <= 9} == {2}
    assert {s.chapter for s in p.sections if s.index >= 28} == {8}
    assert p.sections[3].span.first == 30  # （四） is printed on line 30


def test_sentences_split_at_full_stop(plan):
    p, _ = plan
    for s in p.sections:
        assert "".join(x.text for x in s.sentences) == s.text
        assert len([x for x in s.sentences if x.text.endswith("。")]) == s.text.count("。")
    s4 = p.sections[3]
    assert s4.sentences[0].text == "坚持制造业当家，突出抓好湛江钢铁、中科炼化、巴斯夫、廉江核电等重大产业项目建设，打造绿色钢铁、绿色石化、绿色能源三大支柱产业集群。"
    assert s4.sentences[-1].text == "严把新上项目关，坚决遏制高耗能高排放低水平项目盲目发展。"


def test_principles_and_goals(plan):
    p, _ = plan
    assert [x.name for x in p.principles] == ["系统推进，突出重点", "生态优先，绿色发展", "深化改革，创新引领", "市场导向，多方参与"]
    assert [x.span.first for x in p.principles] == [16, 18, 19, 21]
    goals = {g.year: g.text for g in p.goals}
    assert goals[2035].startswith("到2035年，绿色发展内生动力显著增强")
    assert goals[2025].endswith("法规政策体系更加健全。")


def test_targets(plan):
    p, _ = plan
    got = [(t.year, t.indicator, t.value, t.unit, t.direction, t.qualitative) for t in p.targets]
    assert got == [
        (2025, "单位地区生产总值能耗强度", Decimal("14"), "%", "decrease", None),
        (2025, "单位地区生产总值二氧化碳排放", None, None, None, "完成省下达目标任务"),
        (2025, "非石化能源装机比重", Decimal("49.8"), "%", "at-least", None),   # printed 非石化, kept
        (2025, "中心城区污水处理率", Decimal("98"), "%", "at-least", None),
        (2025, "生活垃圾无害化处理率", Decimal("100"), "%", "maintain", None),
    ]
    assert all(t.span.first == 25 for t in p.targets)


def check_tasks(p):
    assert [t.number for t in p.tasks] == list(range(1, 113))
    for t in p.tasks:
        assert t.owners_raw == OWNER_CELLS[t.number], t.number
        assert [o.spelling for o in t.owners] == owner_names(OWNER_CELLS[t.number])
    assert len(p.measures()) == 27
    assert [t.number for t in p.tasks if t.open_list] == [71]
    assert [o.spelling for o in p.tasks[0].owners] == ["市发展改革局", "工业和信息化局"]  # not the note below it
    assert len(p.notes) == 1 and p.notes[0].text.startswith("以下各项工作均需各县（市、区）人民政府（管委会）落实")
    by_measure = {}
    for t in p.tasks:
        by_measure.setdefault(t.measure, []).append(t.number)
    assert by_measure["推进工业绿色升级"] == [1, 2, 3, 4, 5, 6, 7]
    assert by_measure["加快农业绿色发展"] == list(range(8, 16))   # repeated at the top of a page: one measure
    assert by_measure["加大宣传力度"] == [112]


def check_projects(p):
    assert len(p.projects) == 24
    for row, pr in zip(PROJECTS, p.projects):
        assert pr.number == int(row["number"])
        assert pr.name == row["name"]
        assert (pr.start_year, pr.end_year) == (int(row["start"]), int(row["end"]))
        assert pr.investment == Decimal(row["investment"]) and pr.investment_raw == row["investment"]
        assert (pr.builder or "") == row["builder"]
        assert pr.lead_raw == row["lead"]


def test_tasks_as_printed(plan):
    check_tasks(plan[0])


def test_projects_as_printed(plan):
    check_projects(plan[0])


def test_spans_point_at_the_lines(plan, source):
    p, _ = plan
    lines = source.read_text(encoding="utf-8").split("\n")
    t59 = p.tasks[58]
    assert lines[t59.span.first - 1 + 2] == "\t59"  # chapter, measure, number
    assert lines[t59.span.last - 1] == "\t" + OWNER_CELLS[59]
    pr = p.projects[10]
    assert lines[pr.span.first - 1] == "\t11" and "广东湛江临港大型产业集聚区建设项目" in lines[pr.span.first]


def _variant(tmp_path: Path, source: Path, text: str, name: str = "variant.txt", newline: str = "") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    shutil.copy(source.with_name(source.stem + ".meta.toml"), tmp_path / (Path(name).stem + ".meta.toml"))
    return path


@pytest.mark.parametrize("variant", ["crlf", "rewrap", "repaginate", "all"])
def test_layout_variants_give_the_same_facts(tmp_path, source, variant):
    text = source.read_text(encoding="utf-8")
    if variant in ("repaginate", "all"):
        text = layouts.repaginate(text, rows_per_page=4)
    if variant in ("rewrap", "all"):
        text = layouts.rewrap(text, every=2)
    if variant in ("crlf", "all"):
        text = layouts.crlf(text)
    assert text != source.read_text(encoding="utf-8")
    p, _ = load(_variant(tmp_path, source, text))
    check_tasks(p)
    check_projects(p)
    assert len(p.sections) == 30 and len(p.targets) == 5


def test_note_below_task_1_survives_rewrapping_of_its_owner_cell(tmp_path, source):
    text = source.read_text(encoding="utf-8").replace("\t市发展改革局、工业和信息化局\n", "\t市发展改革局、工\n\n业和信息化局\n", 1)
    p, _ = load(_variant(tmp_path, source, text))
    assert [o.spelling for o in p.tasks[0].owners] == ["市发展改革局", "工业和信息化局"]
    assert len(p.notes) == 1


def test_uninterpretable_values_are_kept_and_reported(tmp_path, source):
    text = source.read_text(encoding="utf-8")
    text = text.replace("\t44.6\n", "\t待定\n", 1)                       # project 1 investment
    text = text.replace("\t2020-\n\n2024\n", "\t2027-\n\n2023\n", 1)     # project 7 years
    text = text.replace("\t市生态环境局\n", "\t\n", 1)                    # task 4 owners
    p, report = load(_variant(tmp_path, source, text))
    assert p.projects[0].investment is None and p.projects[0].investment_raw == "待定"
    assert (p.projects[6].start_year, p.projects[6].end_year, p.projects[6].years_raw) == (2027, 2023, "2027-2023")
    assert p.tasks[3].owners == [] and p.tasks[3].owners_raw == ""
    messages = [str(i) for i in report.issues]
    assert any("待定" in m and "variant.txt:865" in m for m in messages)
    assert any("2027-2023" in m and "ends before it starts" in m for m in messages)
    assert any("task 4 has no responsible body" in m for m in messages)
    assert len(p.tasks) == 112 and len(p.projects) == 24


@pytest.mark.parametrize("edit, line, expected", [
    (lambda t: t.replace("附 件1", "附录"), None, "annex heading 附件1"),
    (lambda t: t.replace("\t57\n", "\t五十七\n", 1), 478, "task number"),
    (lambda t: t.replace("（征求意见稿）", ""), 1, "status line"),
])
def test_unreadable_files_name_file_line_and_expectation(tmp_path, source, edit, line, expected):
    path = _variant(tmp_path, source, edit(source.read_text(encoding="utf-8")), "broken.txt")
    with pytest.raises(PlanFormatError) as err:
        load(path)
    msg = str(err.value)
    assert msg.startswith("broken.txt:") and expected in msg
    if line is not None:
        assert err.value.line == line


def test_not_utf8_is_a_clear_error(tmp_path, source):
    path = tmp_path / "gbk.txt"
    path.write_bytes(source.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(PlanFormatError, match="UTF-8"):
        load(path)


def test_missing_metadata_gives_defaults_and_a_warning(tmp_path, source):
    path = tmp_path / "Some Plan.txt"
    shutil.copy(source, path)
    p, report = load(path)
    assert p.identifier == "some-plan"
    assert any("no metadata file" in str(i) for i in report.issues)
