"""Paragraphs cut again as crawlers store text (loaders/runon.py): every cut is reported, each piece keeps the place
of the paragraph its reader delivered, and a run of whitespace cuts only plain text (layout.toml [runon]
space_formats), never a paragraph a Word file printed with a wide space.  The Word files are written here with
python-docx; the crawler copy is made from a shared gov.cn page; expected values are read by hand."""
from __future__ import annotations

from pathlib import Path

from greenplan.loaders import load

DATA = Path(__file__).parent / "data"
HEAD = ["某市关于推进节能降碳的实施方案", "一、重点任务", "（一）推进节能。"]


def _word(path: Path, paragraphs: list[str]) -> Path:
    import docx

    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    d.save(path)
    return path


def _cut_lines(report) -> list:
    return [i for i in report.issues if "cut into" in i.message]


def test_a_wide_space_inside_a_word_paragraph_is_kept_as_printed(tmp_path):
    item = "1.实施节能改造\u3000推进重点企业节能降碳。（市发展改革委负责）"
    plan, report = load(_word(tmp_path / "plan.docx", HEAD + [item, "2.建设绿色园区。（市财政局负责）"]))
    # read by hand: item 1 is one paragraph in Word, its task the whole item text, space included
    assert [(t.text, [p.spelling for p in t.parties]) for t in plan.tasks] == [
        ("实施节能改造\u3000推进重点企业节能降碳。", ["市发展改革委"]), ("建设绿色园区。", ["市财政局"])]
    assert _cut_lines(report) == []
    # the same lines as plain text as a crawler stores it: the space is a lost line break, and the cut is said
    text = tmp_path / "plan.txt"
    text.write_text("\n".join(HEAD + [item, "2.建设绿色园区。（市财政局负责）"]) + "\n", encoding="utf-8")
    plan, report = load(text)
    assert plan.tasks[0].text == "推进重点企业节能降碳。"
    cuts = _cut_lines(report)
    assert len(cuts) == 1 and cuts[0].severity == "info" and str(cuts[0]).startswith(
        "plan.txt:4: info: 1 paragraph(s) of this text file cut into 2 where a new paragraph evidently begins "
        "(at runs of whitespace and before")


def test_a_word_paragraph_cut_before_the_next_item_is_a_warning_and_both_pieces_point_at_it(tmp_path):
    run_together = "1.实施节能改造。（市发展改革委负责）2.建设绿色园区。（市财政局负责）"
    plan, report = load(_word(tmp_path / "plan.docx", HEAD + [run_together]))
    # read by hand: two items, each closed by its note, printed in one Word paragraph (the 4th)
    assert [(t.label, t.text) for t in plan.tasks] == [("（一）1.", "实施节能改造。"), ("（一）2.", "建设绿色园区。")]
    assert plan.tasks[0].span == plan.tasks[1].span
    assert plan.tasks[0].span.place() == "paragraph 4"
    cuts = _cut_lines(report)
    assert len(cuts) == 1 and cuts[0].severity == "warning"
    assert str(cuts[0]).startswith("plan.docx: paragraph 4: warning: 1 paragraph(s) of this docx file cut into 2 "
                                   "where a new paragraph evidently begins (before the chapter")


def test_a_crawler_copy_of_a_page_reports_its_cuts_and_every_task_points_at_the_body_line(tmp_path):
    from tests.test_grammar import _crawler_copy, _page_paragraphs

    page = DATA / "gov-cn" / "gbf-2018-121-sports-competitions.html"
    paragraphs = _page_paragraphs(page)
    copy = tmp_path / f"{page.stem}.txt"
    copy.write_text(_crawler_copy(paragraphs, "\u3000\u3000"), encoding="utf-8")
    plan, report = load(copy)
    # the copy has two lines: the title glued to its number (cut in two), then the body, one piece per paragraph
    # of the page after the number (the page's paragraphs need no cut of their own: none is reported on the page)
    number_at = next(i for i, t in enumerate(paragraphs) if t.endswith("号") and "〔" in t)
    cuts = _cut_lines(report)
    assert [str(c) for c in cuts] == [
        f"{copy.name}:1: info: 2 paragraph(s) of this text file cut into {2 + len(paragraphs) - number_at - 1} where "
        f"a new paragraph evidently begins (at runs of whitespace and before the chapter, section or item number "
        f"that comes next); each piece keeps its paragraph's place, the text is as printed; the first here"]
    assert _cut_lines(load(page)[1]) == []
    assert len(plan.tasks) > 10 and {(t.span.first, t.span.last) for t in plan.tasks} == {(2, 2)}
