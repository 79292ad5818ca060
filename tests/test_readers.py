"""Format readers and the structure reader on real published documents (tests/data/gov-cn, copied from the
gov.cn crawl in the shared corpus) and on short texts written here.

Expected values were read by hand from the pages (metadata table, headings, notes, the 126 annex table);
tests/data/gov-cn/notes.tsv is a golden file (see its header).
"""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from greenplan.loaders.document import load
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.structure import deadline, number_slug

GOV = Path(__file__).parent / "data" / "gov-cn"
DOCS = {
    "gbf-2018-121-sports-competitions": dict(
        identifier="gbf-2018-121", number="国办发〔2018〕121号", issuer="国务院办公厅", written="2018-12-11",
        published="2018-12-21", index="000014349/2018-00217", subject="卫生、体育\\体育",
        title="国务院办公厅关于加快发展体育竞赛表演产业的指导意见",
        chapters=["总体要求", "丰富赛事活动，完善赛事体系", "壮大市场主体，优化市场环境", "优化产业布局，加强平台建设",
                  "强化协调配合，加强资金保障"],
        sections=[[1, 2, 3], [4, 5, 6, 7, 8], [9, 10, 11, 12, 13], [14, 15, 16, 17], [18, 19]]),
    "gbf-2018-126-innovation-reform-measures": dict(
        identifier="gbf-2018-126", number="国办发〔2018〕126号", issuer="国务院办公厅", written="2018-12-23",
        published="2019-01-08", index="000014349/2018-00228", subject="科技、教育\\科技",
        title="国务院办公厅关于推广第二批支持创新相关改革举措的通知",
        chapters=["推广的改革举措（共23项）", "高度重视推广工作", "认真抓好组织实施"],
        sections=[[1, 2, 3, 4, 5], [], []]),
    "gbf-2018-128-zero-waste-cities": dict(
        identifier="gbf-2018-128", number="国办发〔2018〕128号", issuer="国务院办公厅", written="2018-12-29",
        published="2019-01-21", index="000014349/2018-00230", subject="城乡建设、环境保护\\节能与资源综合利用",
        title="国务院办公厅关于印发“无废城市”建设试点工作方案的通知",
        chapters=["总体要求", "主要任务", "实施步骤", "保障措施"],
        sections=[[1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4], [1, 2, 3, 4]]),
    "gbf-2018-129-consumption-poverty-alleviation": dict(
        identifier="gbf-2018-129", number="国办发〔2018〕129号", issuer="国务院办公厅", written="2018-12-30",
        published="2019-01-14", index="000014349/2018-00229", subject="民政、扶贫、救灾\\扶贫",
        title="国务院办公厅关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见",
        chapters=["总体要求", "动员社会各界扩大贫困地区产品和服务消费", "大力拓宽贫困地区农产品流通和销售渠道",
                  "全面提升贫困地区农产品供给水平和质量", "大力促进贫困地区休闲农业和乡村旅游提质升级", "保障措施"],
        sections=[[], [1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12, 13], [14, 15, 16, 17]]),
    "gf-2018-42-agricultural-mechanisation": dict(
        identifier="gf-2018-42", number="国发〔2018〕42号", issuer="国务院", written="2018-12-21",
        published="2018-12-29", index="000014349/2018-00223", subject="农业、林业、水利\\农业、畜牧业、渔业",
        title="国务院关于加快推进农业机械化和农机装备产业转型升级的指导意见",
        chapters=["总体要求", "加快推动农机装备产业高质量发展", "着力推进主要农作物生产全程机械化",
                  "大力推广先进适用农机装备与机械化技术", "积极发展农机社会化服务", "持续改善农机作业基础条件",
                  "切实加强农机人才培养", "强化组织领导"],
        sections=[[1, 2], [3, 4, 5, 6], [7, 8], [9, 10, 11], [12, 13], [14, 15], [16, 17], [18, 19, 20]]),
}


def golden_notes() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with open(GOV / "notes.tsv", encoding="utf-8") as fh:
        for row in csv.reader((l for l in fh if not l.startswith("#")), delimiter="\t"):
            out.setdefault(row[0], []).append(row[1])
    return out


@pytest.fixture(scope="module")
def plans():
    return {name: load(GOV / f"{name}.html") for name in DOCS}


@pytest.mark.parametrize("name", sorted(DOCS))
def test_gov_cn_metadata_from_the_page_table(plans, name):
    plan, _ = plans[name]
    want = DOCS[name]
    m = plan.metadata
    assert (m.identifier, m.number, m.issuer, m.date_written, m.date_published, m.index_number, m.subject) == (
        want["identifier"], want["number"], want["issuer"], want["written"], want["published"], want["index"],
        want["subject"])
    assert plan.title == want["title"]
    assert plan.source_format == "html"


@pytest.mark.parametrize("name", sorted(DOCS))
def test_gov_cn_chapters_and_sections_within_their_chapter(plans, name):
    plan, _ = plans[name]
    want = DOCS[name]
    assert [c.title for c in plan.chapters] == want["chapters"]
    by_chapter = [[s.number for s in plan.sections if s.chapter == c.index] for c in plan.chapters]
    assert by_chapter == want["sections"]
    assert [s.index for s in plan.sections] == list(range(1, len(plan.sections) + 1))


@pytest.mark.parametrize("name", sorted(DOCS))
def test_every_note_closes_one_task_in_printed_order(plans, name):
    plan, _ = plans[name]
    notes = golden_notes().get(name, [])
    assert [t.note for t in plan.tasks if t.note] == notes
    if notes:
        assert [t.number for t in plan.tasks] == list(range(1, len(notes) + 1))
        assert all(t.text and t.owners_raw == t.note for t in plan.tasks)


def test_task_text_runs_from_the_previous_note_to_its_note(plans):
    plan, _ = plans["gbf-2018-121-sports-competitions"]
    ten = [t for t in plan.tasks if t.label == "（十）"]
    # （十）鼓励创新创业。大力推进…准入环境。（市场监管总局负责）加强体育产业…（体育总局、教育部负责）重视和鼓励…（…负责）
    assert [t.text[:8] for t in ten] == ["大力推进商事制度", "加强体育产业创新", "重视和鼓励新型转"]
    assert ten[0].text == "大力推进商事制度改革，营造良好的体育竞赛表演产业准入环境。"
    assert ten[1].text.endswith("鼓励退役运动员投身体育竞赛表演产业。")
    assert [t.note for t in ten] == ["（市场监管总局负责）", "（体育总局、教育部负责）",
                                     "（体育总局、网信办、科技部、工业和信息化部负责）"]
    assert {t.measure for t in ten} == {"鼓励创新创业"}
    assert {t.chapter for t in ten} == {"壮大市场主体，优化市场环境"}


def test_a_notice_that_issues_a_plan_is_one_plan_with_its_notice(plans):
    plan, _ = plans["gbf-2018-128-zero-waste-cities"]
    assert plan.notice is not None
    assert plan.notice.title == "国务院办公厅关于印发“无废城市”建设试点工作方案的通知"
    assert plan.notice.plan_title == "“无废城市”建设试点工作方案"
    assert plan.notice.number == "国办发〔2018〕128号"
    assert plan.notice.text.startswith("各省、自治区、直辖市人民政府，国务院各部委、各直属机构：《“无废城市”建设试点工作方案》")
    assert plan.preamble.startswith("“无废城市”是以创新、协调、绿色、开放、共享的新发展理念为引领")
    # the standing rule printed in the note of 二（一）'s second paragraph is recorded once, on the plan
    assert [r.text for r in plan.standing_rules] == ["以下均需试点城市政府落实，不再列出"]
    # a paragraph whose only note closes it: from the start of the paragraph (after the section title)
    first = plan.tasks[0]
    assert first.label == "（一）" and first.measure == "强化顶层设计引领，发挥政府宏观指导作用"
    assert first.text.startswith("建立“无废城市”建设指标体系，发挥导向引领作用。")
    for name in ("gbf-2018-121-sports-competitions", "gf-2018-42-agricultural-mechanisation"):
        assert plans[name][0].notice is None


def test_principles_and_goals_found_by_title_not_number(plans):
    sports, _ = plans["gbf-2018-121-sports-competitions"]
    assert [p.name for p in sports.principles] == ["坚持问题导向", "坚持市场驱动", "坚持融合发展", "坚持因地制宜"]
    assert [g.year for g in sports.goals] == [2025]
    waste, _ = plans["gbf-2018-128-zero-waste-cities"]   # 基本原则 is section （三） here
    assert [p.name for p in waste.principles] == ["坚持问题导向，注重创新驱动", "坚持因地制宜，注重分类施策",
                                                   "坚持系统集成，注重协同联动", "坚持理念先行，倡导全民参与"]
    agri, _ = plans["gf-2018-42-agricultural-mechanisation"]   # 发展目标 is section （二）, two paragraphs
    assert [g.year for g in agri.goals] == [2020, 2025]
    assert any(t.value is not None and t.year == 2020 for t in agri.targets)


def test_annex_table_rows_grouped_under_heading_rows(plans):
    plan, _ = plans["gbf-2018-126-innovation-reform-measures"]
    # 序号 / 改革举措 / 主要内容 / 指导部门 / 推广范围; rows 15–20 (军民深度融合方面) are not in the published page
    assert [t.number for t in plan.tasks] == list(range(1, 15)) + [21, 22, 23]
    assert [t.measure for t in plan.tasks].count("一、知识产权保护方面（共5项）") == 5
    assert [t.measure for t in plan.tasks].count("二、科技成果转化激励方面（共4项）") == 4
    assert [t.measure for t in plan.tasks].count("三、科技金融创新方面（共5项）") == 5
    assert [t.measure for t in plan.tasks].count("五、管理体制创新方面（共3项）") == 3
    first = plan.tasks[0]
    assert first.text == "知识产权民事、刑事、行政案件“三合一”审判"
    assert first.columns["推广范围"] == "全国"
    assert first.columns["主要内容"].startswith("整合分散的审判资源")
    assert first.owners_raw == "最高人民法院、最高人民检察院、国家知识产权局"
    six = next(t for t in plan.tasks if t.number == 6)
    assert six.owners_raw == "科技部、国家发展改革委、财政部、国家知识产权局、教育部、国务院国资委、中科院、司法部"
    assert six.columns["推广范围"] == "8个改革试验区域"
    assert [p.spelling for p in six.parties][:3] == ["科技部", "国家发展改革委", "财政部"]
    assert {p.role for t in plan.tasks for p in t.parties} == {"guiding"}
    assert next(t for t in plan.tasks if t.number == 23).owners_raw == "国家发展改革委、国务院国资委、审计署"


def test_locations_name_the_element_in_the_page(plans):
    plan, _ = plans["gbf-2018-126-innovation-reform-measures"]
    row = plan.tasks[0].span
    assert row.xpath.endswith("/tr[3]")     # header row, heading row, then row 1
    sports, _ = plans["gbf-2018-121-sports-competitions"]
    assert sports.tasks[0].span.xpath.endswith("/p[16]")
    assert sports.chapters[1].span.xpath.endswith("/p[15]")


# ---------------------------------------------------------------------------------------------- plain text

PLAIN = """某市关于推进绿色发展的实施方案
为推进绿色发展，制定本方案。
一、总体要求
（一）基本原则。
坚持系统推进。统筹推进各项工作。
二、重点任务
（一）推进产业转型。
1.实施节能改造。推进重点企业节能改造。（牵头单位：市发展改革委，配合单位：市委组织部、市人力资源和社会保障局，各区、县级市）
2.建设绿色园区。完成园区改造，2019年底前完成。（市工业和信息化局会同有关部门负责）
（二）完善政策体系。
（1）制定支持政策。（市财政局、市税务局，各区、县级市按职责分工负责）
三、保障措施
（一）加强组织领导。各单位要加强领导。（各有关部门和单位负责）
"""


def test_plain_text_with_numbered_items_and_labelled_notes(tmp_path):
    src = tmp_path / "green-plan.txt"
    src.write_text(PLAIN, encoding="utf-8")
    plan, report = load(src)
    assert plan.title == "某市关于推进绿色发展的实施方案"
    assert plan.metadata.identifier == "green-plan"
    assert [c.title for c in plan.chapters] == ["总体要求", "重点任务", "保障措施"]
    assert [(s.chapter, s.number) for s in plan.sections] == [(1, 1), (2, 1), (2, 2), (3, 1)]
    assert [p.name for p in plan.principles] == ["坚持系统推进"]
    assert [t.label for t in plan.tasks] == ["（一）1.", "（一）2.", "（二）（1）", "（一）"]
    assert [t.text for t in plan.tasks] == ["实施节能改造。推进重点企业节能改造。", "建设绿色园区。完成园区改造，2019年底前完成。",
                                            "制定支持政策。", "各单位要加强领导。"]
    first = plan.tasks[0]
    assert first.note == "（牵头单位：市发展改革委，配合单位：市委组织部、市人力资源和社会保障局，各区、县级市）"
    assert [(p.position, p.spelling, p.role) for p in first.parties] == [
        (1, "市发展改革委", "lead"), (2, "市委组织部", "supporting"), (3, "市人力资源和社会保障局", "supporting"),
        (4, "各区、县级市", "supporting")]
    assert first.parties[3].collective and not first.parties[0].collective
    assert first.span.first == first.span.last == 8      # line of the item
    assert [t.measure for t in plan.tasks] == ["推进产业转型", "推进产业转型", "完善政策体系", "加强组织领导"]
    assert not [i for i in report.issues if i.severity == "error"]
    assert (plan.tasks[1].deadline_raw, plan.tasks[1].deadline_year) == ("2019年底前", 2019)   # printed in the text
    assert plan.tasks[0].deadline_raw is None
    third = plan.tasks[2]
    assert [(p.spelling, p.role, p.collective) for p in third.parties] == [
        ("市财政局", "responsible", False), ("市税务局", "responsible", False), ("各区、县级市", "responsible", True)]


def test_deadlines_as_printed_with_year_or_date():
    assert deadline("2019年底前") == (2019, None)
    assert deadline("2019年6月底前") == (2019, "2019-06-30")
    assert deadline("2020年2月底") == (2020, "2020-02-29")
    assert deadline("2019年9月15日前") == (2019, "2019-09-15")
    assert deadline("持续推进") == (None, None)
    assert deadline(None) == (None, None)


def test_identifier_from_document_number():
    assert number_slug("国发〔2018〕42号") == "gf-2018-42"
    assert number_slug("国办发〔2018〕128号") == "gbf-2018-128"
    assert number_slug("湛府函〔2023〕7号") == "zfh-2023-7"
    assert number_slug("第7号") is None


TABLE_PAGE = """<html><head><meta charset="{charset}"></head><body>
<p>某市绿色发展重点任务分工方案</p>
<p>一、重点任务</p>
<table>
<tr><th>序号</th><th>工作任务</th><th>牵头单位</th><th>配合单位</th><th>完成时限</th></tr>
<tr><td>1</td><td>推进节能改造</td><td>市发展改革局</td><td>市工业和信息化局、市财政局</td><td>2019年底前</td></tr>
<tr><td>2</td><td><p>建设绿色园区，</p><p>完善园区设施</p></td><td>市工业和信息化局</td><td>各区、县级市</td><td>持续推进</td></tr>
</table>
</body></html>
"""


def test_task_table_with_lead_support_and_deadline_columns(tmp_path):
    src = tmp_path / "tasks.html"
    src.write_bytes(TABLE_PAGE.format(charset="gb2312").encode("gb18030"))
    plan, _ = load(src)
    assert [t.number for t in plan.tasks] == [1, 2]
    one, two = plan.tasks
    assert one.text == "推进节能改造" and two.text == "建设绿色园区，完善园区设施"
    assert [(p.position, p.spelling, p.role) for p in one.parties] == [
        (1, "市发展改革局", "lead"), (2, "市工业和信息化局", "supporting"), (3, "市财政局", "supporting")]
    assert (one.deadline_raw, one.deadline_year, one.deadline_date) == ("2019年底前", 2019, None)
    assert (two.deadline_raw, two.deadline_year) == ("持续推进", None)
    assert [p.spelling for p in two.parties] == ["市工业和信息化局", "各区、县级市"]


def test_charset_never_guessed(tmp_path):
    declared_wrong = tmp_path / "wrong.html"
    declared_wrong.write_bytes(TABLE_PAGE.format(charset="utf-8").encode("gb18030"))
    with pytest.raises(PlanFormatError, match=r"wrong\.html:\d+: expected text in its declared charset utf-8"):
        load(declared_wrong)
    undeclared = tmp_path / "undeclared.html"
    undeclared.write_bytes(TABLE_PAGE.replace('<meta charset="{charset}">', "").encode("gb18030"))
    with pytest.raises(PlanFormatError, match="UTF-8"):
        load(undeclared)
    resaved = tmp_path / "resaved.html"    # saved as UTF-8, still declaring GB2312: GB18030 would read nonsense
    resaved.write_bytes(TABLE_PAGE.format(charset="gb2312").encode("utf-8"))
    with pytest.raises(PlanFormatError, match="bytes that are UTF-8"):
        load(resaved)
    bom = tmp_path / "bom.html"
    bom.write_bytes(b"\xef\xbb\xbf" + TABLE_PAGE.format(charset="gb2312").encode("utf-8"))
    assert len(load(bom)[0].tasks) == 2     # a byte-order mark outranks a wrong declaration


def test_a_page_without_a_plan_is_one_clear_error(tmp_path):
    page = tmp_path / "news.html"
    page.write_text("<html><body><p>国务院常务会议召开</p><p>会议听取了汇报。</p></body></html>", encoding="utf-8")
    with pytest.raises(PlanFormatError, match="expected a plan: chapter headings"):
        load(page)
    done = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "build", "--store", str(tmp_path / "S"),
                           "--source", str(page)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "news.html" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_meta_file_values_win_over_the_page(tmp_path):
    src = tmp_path / "sports.html"
    src.write_bytes((GOV / "gbf-2018-121-sports-competitions.html").read_bytes())
    (tmp_path / "sports.meta.toml").write_text('identifier = "sports"\ntitle = "体育竞赛表演产业"\n', encoding="utf-8")
    plan, _ = load(src)
    assert (plan.identifier, plan.title) == ("sports", "体育竞赛表演产业")
    assert plan.metadata.number == "国办发〔2018〕121号"      # keys the file does not set still come from the page


# ---------------------------------------------------------------------------------------------- Word

def _without_locations(value):
    import dataclasses

    skip = {"span", "title_span", "status_span", "preamble_span", "source_file", "source_sha256", "line_count",
            "source_format", "source_path"}

    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k not in skip}
        if isinstance(o, list):
            return [strip(x) for x in o]
        return o
    return strip(dataclasses.asdict(value))


def test_bundled_plan_gives_the_same_records_from_its_text_and_from_word(tmp_path, source):
    import zipfile

    from tests.docx_layout import write_docx

    docx_path = write_docx(source.read_text(encoding="utf-8"), tmp_path / "zhanjiang.docx")
    (tmp_path / "zhanjiang.meta.toml").write_bytes(source.with_name(source.stem + ".meta.toml").read_bytes())
    xml = zipfile.ZipFile(docx_path).read("word/document.xml").decode("utf-8")
    # the published layout: merged measure cells, Word numbering for row numbers, wrapped cells as paragraphs
    assert xml.count("<w:vMerge/>") + xml.count('<w:vMerge w:val="continue"/>') > 50
    assert xml.count("<w:numPr>") == 112 + 24
    import docx

    tables = docx.Document(str(docx_path)).tables
    assert not [c.text for c in tables[0].column_cells(2)[1:] if any(ch.isdigit() for ch in c.text)]   # 序号: no digits
    assert [c.text for c in tables[1].column_cells(0)[1:]] == [""] * 24       # 序号 of annex 2: no digits
    assert "<w:t>2023-</w:t></w:r></w:p><w:p><w:r><w:t>2025</w:t>" in xml.replace("\n", "")
    text_plan, _ = load(source)
    word_plan, report = load(docx_path)
    assert word_plan.source_format == "docx"
    assert len(word_plan.tasks) == 112 and len(word_plan.projects) == 24
    assert _without_locations(word_plan) == _without_locations(text_plan)
    assert word_plan.tasks[0].span.xpath == "/w:document/w:body/w:tbl[1]/w:tr[2]"
    assert [r.text for r in word_plan.standing_rules] == [r.text for r in text_plan.standing_rules]
    assert not [i for i in report.issues if i.severity == "error"]


# ---------------------------------------------------------------------------------------------- URLs

def test_url_source_fetched_once_kept_with_its_url_and_rebuilt_byte_identical(tmp_path):
    import functools
    import http.server
    import json
    import threading

    site = tmp_path / "site"
    site.mkdir()
    (site / "content_5350734.htm").write_bytes((GOV / "gbf-2018-121-sports-competitions.html").read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/content_5350734.htm"
    store = tmp_path / "S"
    cli = [sys.executable, "-m", "greenplan.cli.main"]
    try:
        first = subprocess.run(cli + ["build", "--store", str(store), "--source", url], capture_output=True, text=True)
    finally:
        server.shutdown()
        server.server_close()
    assert first.returncode == 0, first.stderr
    kept = sorted((store / "sources").iterdir())
    assert [p.suffix for p in kept] == [".html", ".json"]
    record = json.loads(kept[1].read_text(encoding="utf-8"))
    assert record["url"] == url and record["fetched_at"].endswith("Z")
    assert kept[0].read_bytes() == (GOV / "gbf-2018-121-sports-competitions.html").read_bytes()
    graph = (store / "graph.nq").read_bytes()
    assert f"<{url}>".encode() in graph
    assert record["fetched_at"].encode() in graph
    # the server is gone: a rebuild reads the kept copy and writes the same bytes
    (store / "graph.nq").unlink()
    again = subprocess.run(cli + ["build", "--store", str(store), "--source", url], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert (store / "graph.nq").read_bytes() == graph
    plan, _ = load(kept[0])
    assert (plan.source_url, plan.metadata.identifier) == (url, "gbf-2018-121")


def test_unreachable_url_is_one_clear_error(tmp_path):
    from tests.servers import free_port

    url = f"http://127.0.0.1:{free_port()}/nothing.htm"
    done = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "build", "--store", str(tmp_path / "S"),
                           "--source", url], capture_output=True, text=True)
    assert done.returncode == 2
    assert url in done.stderr and "Traceback" not in done.stderr


LABELLED = """某区绿色低碳行动方案
一、重点任务
（一）推进节能降碳。
1.实施重点企业节能改造，2024年6月底前完成。
牵头单位：区发展改革局；配合单位：区工业和信息化局、各街道
2.推广绿色建筑。新建建筑全面执行绿色建筑标准。责任单位：区住房城乡建设局
（二）完善保障机制。
加强资金保障。
（区财政局负责）
"""


def test_labelled_notes_without_brackets_on_their_own_line_or_closing_the_item(tmp_path):
    src = tmp_path / "district.txt"
    src.write_text(LABELLED, encoding="utf-8")
    plan, _ = load(src)
    assert [(t.label, t.text) for t in plan.tasks] == [
        ("（一）1.", "实施重点企业节能改造，2024年6月底前完成。"),
        ("（一）2.", "推广绿色建筑。新建建筑全面执行绿色建筑标准。"),
        ("（二）", "加强资金保障。")]
    first, second, third = plan.tasks
    assert first.note == "牵头单位：区发展改革局；配合单位：区工业和信息化局、各街道"
    assert (first.span.first, first.span.last) == (4, 5)          # the item and the note below it
    assert [(p.spelling, p.role) for p in first.parties][:2] == [("区发展改革局", "lead"), ("区工业和信息化局", "supporting")]
    assert (first.deadline_raw, first.deadline_date) == ("2024年6月底前", "2024-06-30")
    assert second.note == "责任单位：区住房城乡建设局"
    assert [(p.spelling, p.role) for p in second.parties] == [("区住房城乡建设局", "responsible")]
    assert third.note == "（区财政局负责）" and (third.span.first, third.span.last) == (8, 9)
    # notes are not sentences of the section
    sentences = [x.text for s in plan.sections for x in s.sentences]
    assert not [x for x in sentences if "单位" in x or "负责" in x]


def test_word_numbered_items_and_content_controls(tmp_path):
    import docx
    from docx.oxml import OxmlElement

    from tests.docx_layout import _num, _number

    document = docx.Document()
    for text in ("某市节能降碳工作方案", "一、重点任务", "（一）推进节能降碳。"):
        document.add_paragraph(text)
    items = _num(document, 0)
    for text in ("实施重点企业节能改造。（市发展改革局负责）", "推广绿色建筑。（市住房城乡建设局、市财政局负责）"):
        _number(document.add_paragraph(text), items)     # "1." and "2." come from Word's numbering
    control = document.add_paragraph("（二）完善保障机制。加强资金保障。（市财政局负责）")
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    control._p.addprevious(sdt)
    content.append(control._p)
    sdt.append(content)
    path = tmp_path / "plan.docx"
    document.save(str(path))
    plan, _ = load(path)
    assert [(t.label, t.text, t.note) for t in plan.tasks] == [
        ("（一）1.", "实施重点企业节能改造。", "（市发展改革局负责）"),
        ("（一）2.", "推广绿色建筑。", "（市住房城乡建设局、市财政局负责）"),
        ("（二）", "加强资金保障。", "（市财政局负责）")]
    assert plan.tasks[2].span.xpath == "/w:document/w:body/w:sdt[1]/w:sdtContent/w:p[1]"
    assert plan.tasks[0].span.xpath == "/w:document/w:body/w:p[4]"


def test_records_point_to_their_element_or_lines_with_web_annotation_selectors(plans, tmp_path):
    import pyoxigraph as ox

    from greenplan.build.dataset import build

    src = tmp_path / "district.txt"
    src.write_text(LABELLED, encoding="utf-8")
    text_plan, _ = load(src)
    page_plan, _ = plans["gbf-2018-126-innovation-reform-measures"]
    store = ox.Store()
    store.extend(build([page_plan, text_plan]).quads)
    query = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX gp: <https://w3id.org/greenplan/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?id ?kind ?value WHERE { GRAPH ?g {
            ?task a gp:Task ; gp:number 1 ; gp:plan/<http://purl.org/dc/terms/identifier> ?id ;
                  prov:wasDerivedFrom ?span .
            ?span a oa:SpecificResource ; oa:hasSource ?doc ; oa:hasSelector ?sel . ?sel a ?kind ; rdf:value ?value .
            ?doc a gp:SourceDocument } } ORDER BY ?id"""
    rows = [(r["id"].value, r["kind"].value.rsplit("#", 1)[1], r["value"].value) for r in store.query(query)]
    xpath = page_plan.tasks[0].span.xpath
    assert rows == [("district", "FragmentSelector", "line=3,5"), ("gbf-2018-126", "XPathSelector", xpath)]
    assert xpath.endswith("/table/tbody/tr[3]")


def test_word_headings_numbered_in_chinese_by_word(tmp_path):
    import docx
    from docx.oxml import parse_xml

    from tests.docx_layout import _number

    document = docx.Document()
    numbering = document.part.numbering_part.element
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    document.add_paragraph("某市节能降碳工作方案")
    for level, text in ((0, "总体要求"), (1, "指导思想。坚持节约优先。"), (0, "重点任务"),
                        (1, "推进节能降碳。实施节能改造。（市发展改革局负责）"), (1, "完善保障。加强资金保障。（市财政局负责）")):
        p = document.add_paragraph(text)
        _number(p, "90")
        p._p.pPr.numPr.ilvl.set(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val", str(level))
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    plan, _ = load(path)
    assert [(c.numeral, c.title) for c in plan.chapters] == [("一", "总体要求"), ("二", "重点任务")]
    assert [(s.chapter, s.numeral, s.title) for s in plan.sections] == [
        (1, "一", "指导思想"), (2, "一", "推进节能降碳"), (2, "二", "完善保障")]   # Word restarts level 2
    assert [(t.label, t.text) for t in plan.tasks] == [("（一）", "实施节能改造。"), ("（二）", "加强资金保障。")]


def test_items_numbered_through_the_plan_keep_their_printed_numbers(tmp_path):
    src = tmp_path / "list.txt"
    src.write_text("某市重点任务清单\n一、产业转型\n（一）工业。\n1.推进节能改造。（市工业和信息化局负责）\n"
                   "2.建设绿色园区。（市发展改革局负责）\n（二）能源。\n3.发展光伏。（市能源局负责）\n"
                   "二、保障措施\n（一）资金。\n4.加大投入。（市财政局负责）\n", encoding="utf-8")
    plan, _ = load(src)
    assert [(t.number, t.label) for t in plan.tasks] == [(1, "（一）1."), (2, "（一）2."), (3, "（二）3."), (4, "（一）4.")]
    restarting = tmp_path / "restarting.txt"
    restarting.write_text(src.read_text(encoding="utf-8").replace("3.发展光伏", "1.发展光伏"), encoding="utf-8")
    plan, _ = load(restarting)
    assert [(t.number, t.label) for t in plan.tasks] == [(1, "（一）1."), (2, "（一）2."), (3, "（二）1."), (4, "（一）4.")]


def test_a_notice_without_chapters_whose_paragraphs_carry_notes_is_a_plan(tmp_path):
    src = tmp_path / "notice.txt"
    src.write_text("某市人民政府办公室关于做好节能工作的通知\n各区人民政府，市有关单位：\n"
                   "一要加强节能监管。（市发展改革局负责）二要推广节能技术。（市科技局、市工业和信息化局负责）\n",
                   encoding="utf-8")
    plan, _ = load(src)
    assert plan.title == "某市人民政府办公室关于做好节能工作的通知" and plan.chapters == []
    assert [(t.text, [p.spelling for p in t.parties]) for t in plan.tasks] == [
        ("一要加强节能监管。", ["市发展改革局"]), ("二要推广节能技术。", ["市科技局", "市工业和信息化局"])]


def test_the_notice_is_recorded_in_the_graph_with_the_plan_it_issues(plans):
    import pyoxigraph as ox

    from greenplan.build.dataset import build

    store = ox.Store()
    store.extend(build([plans["gbf-2018-128-zero-waste-cities"][0]]).quads)
    rows = list(store.query("""PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        SELECT ?title ?number ?own WHERE { GRAPH ?g { ?plan gp:issuingNotice ?n ; dcterms:alternative ?own .
            ?n a gp:Notice ; dcterms:title ?title ; eli:number ?number } }"""))
    assert [(r["title"].value, r["number"].value, r["own"].value) for r in rows] == [
        ("国务院办公厅关于印发“无废城市”建设试点工作方案的通知", "国办发〔2018〕128号", "“无废城市”建设试点工作方案")]
