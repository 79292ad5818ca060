"""A task table's responsibility cells pass the same party grammar as notes (loaders/parties.py): a cell text that
is neither a body's name nor a collective by shape (同上, 待定 — as real tables print them) is never made a body; it
is kept as printed as an unread record located at its cell (table, row, column), reported, and flagged by the
shape gps:UnreadNote-understood.  The tables are written here (openpyxl, python-docx); expected values are read by
hand from the rows below."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from greenplan.loaders import load
from greenplan.loaders.parties import NoteState, parse_cells

TITLE = "某省推进绿色建筑重点任务分工方案"
ROWS = [["序号", "重点任务", "牵头单位", "配合单位", "完成时限"],
        [1, "推进绿色建筑发展", "省住房城乡建设厅", "省财政厅", "2025年底前"],
        [2, "推广装配式建筑", "省住房城乡建设厅", "同上", "2024年12月"],
        [3, "淘汰落后产能", "待定", "省发展改革委", "2024年6月"]]
# read by hand: task 2's 配合单位 and task 3's 牵头单位 name no body
PARTIES = [(1, [("省住房城乡建设厅", "lead"), ("省财政厅", "supporting")]),
           (2, [("省住房城乡建设厅", "lead")]),
           (3, [("省发展改革委", "supporting")])]


def _xlsx(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分工"
    ws.append([TITLE])
    for row in ROWS:
        ws.append(row)
    wb.save(path)
    return path


def _docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph(TITLE)
    table = d.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = str(value)
    d.save(path)
    return path


def _parties(plan):
    return [(t.number, [(p.spelling, p.role) for p in t.parties]) for t in plan.tasks]


def test_cells_that_name_no_body_are_unread_records_at_their_cells_in_a_spreadsheet(tmp_path):
    plan, report = load(_xlsx(tmp_path / "分工.xlsx"))
    assert _parties(plan) == PARTIES
    got = [(u.text, u.span.fragment, u.kind, u.why.split(":")[0]) for u in plan.unread_notes]
    assert got == [("配合单位：同上", "分工!D4", "cell", "column 4, 配合单位"),
                   ("牵头单位：待定", "分工!C5", "cell", "column 3, 牵头单位")]
    lines = [str(i) for i in report.warnings() if "responsibility cell" in i.message]
    assert lines[0].startswith("分工.xlsx: 分工!D4: warning: responsibility cell '配合单位：同上' not understood (column 4, "
                               "配合单位: '同上' is neither a body's name")
    assert len(lines) == 2


def test_cells_that_name_no_body_are_unread_records_at_their_cells_in_a_word_table(tmp_path):
    plan, _ = load(_docx(tmp_path / "分工.docx"))
    assert _parties(plan) == PARTIES
    assert [(u.text, u.span.place(), u.why.split(":")[0]) for u in plan.unread_notes] == [
        ("配合单位：同上", "table 1 row 3", "column 4, 配合单位"), ("牵头单位：待定", "table 1 row 4", "column 3, 牵头单位")]


def test_cells_that_name_no_body_are_unread_records_at_their_cells_in_a_web_page(tmp_path):
    rows = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in ROWS)
    page = tmp_path / "分工.html"
    page.write_text(f"<html><body><p>{TITLE}</p><table>{rows}</table></body></html>", encoding="utf-8")
    plan, _ = load(page)
    assert _parties(plan) == PARTIES
    assert [(u.text, u.span.place(), u.why.split(":")[0]) for u in plan.unread_notes] == [
        ("配合单位：同上", "table 1 row 3", "column 4, 配合单位"), ("牵头单位：待定", "table 1 row 4", "column 3, 牵头单位")]


def test_the_graph_flags_them_and_makes_no_body_of_them(tmp_path):
    import os

    source = _xlsx(tmp_path / "分工.xlsx")
    run = subprocess.run([sys.executable, "-m", "greenplan.cli", "validate", "--source", str(source), "--verbose"],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    lines = run.stdout.splitlines()
    for text in ("配合单位：同上", "牵头单位：待定"):     # flagged by gps:UnreadNote-understood, kept as printed
        assert sum(f"responsibility note not understood: {text} (expected: column" in line for line in lines) == 1
    bodies = [line.split(" — ")[0].strip() for line in lines if "the body is not in an authority list" in line]
    assert bodies == ["单位 省住房城乡建设厅", "单位 省财政厅", "单位 省发展改革委"], run.stdout   # no 同上, no 待定


def test_parse_cells_names_the_cell_of_each_problem():
    r = parse_cells([("牵头单位", "市发展改革委"), ("配合单位", "同上"), ("参与单位", "市财政局、待定")], NoteState())
    assert [(p.spelling, p.role) for p in r.parties] == [("市发展改革委", "lead"), ("市财政局", "participating")]
    assert [(k, p.split(" ")[0]) for k, p in r.cell_problems] == [(1, "'同上'"), (2, "'待定'")]
    # a department's name printed without its end word (市发展和改革, Zhanjiang's annex 1 task 60) reads as a body
    # by the grammar's cut_ends shape; 市发展和 does not
    r = parse_cells([("主要责任单位", "市发展和改革、市发展和")], NoteState())
    assert [p.spelling for p in r.parties] == ["市发展和改革"] and [k for k, _ in r.cell_problems] == [0]
