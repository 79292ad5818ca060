"""The readers of spreadsheets, PDF and old word-processor files (issue 25), on files made at test time.

Expected values are read by hand from the tables written below (or from the shared pages), never from what the
code printed.
"""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from greenplan.loaders import PlanFormatError, load


def _provincial_table(path: Path) -> Path:
    """A provincial-style task-division table: a title row merged across, the header, a lead unit merged over two
    rows, a date cell, and a second sheet with two more rows under a repeated header."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分工"
    ws.append(["某省推进绿色低碳发展重点任务分工方案"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", "重点任务", "牵头单位", "配合单位", "完成时限"])
    ws.append([1, "推进绿色建筑发展", "省住房城乡建设厅", "省发展改革委、省财政厅", "2025年底前"])
    ws.append([2, "推广装配式建筑", None, "省工业和信息化厅", "2024年12月"])
    ws.merge_cells("C3:C4")          # 省住房城乡建设厅 leads tasks 1 and 2
    ws.append([3, "加快淘汰落后产能", "省工业和信息化厅", "省发展改革委", datetime.date(2024, 6, 30)])
    ws2 = wb.create_sheet("续表")
    ws2.append(["序号", "重点任务", "牵头单位", "配合单位", "完成时限"])
    ws2.append([4, "完善生态保护补偿机制", "省财政厅", "省生态环境厅、省自然资源厅", "持续推进"])
    wb.save(path)
    return path


def test_spreadsheet_task_table_is_a_plan(tmp_path):
    plan, _ = load(_provincial_table(tmp_path / "分工方案.xlsx"))
    assert plan.title == "某省推进绿色低碳发展重点任务分工方案"
    assert plan.source_format == "spreadsheet"
    got = [(t.number, t.text, [(p.spelling, p.role) for p in t.parties], t.deadline_raw, t.deadline_year,
            t.deadline_date) for t in plan.tasks]
    # read by hand from the rows written above
    assert got == [
        (1, "推进绿色建筑发展", [("省住房城乡建设厅", "lead"), ("省发展改革委", "supporting"), ("省财政厅", "supporting")],
         "2025年底前", 2025, None),
        (2, "推广装配式建筑", [("省住房城乡建设厅", "lead"), ("省工业和信息化厅", "supporting")], "2024年12月", 2024,
         "2024-12-31"),
        (3, "加快淘汰落后产能", [("省工业和信息化厅", "lead"), ("省发展改革委", "supporting")], "2024年6月30日", 2024,
         "2024-06-30"),
        (4, "完善生态保护补偿机制", [("省财政厅", "lead"), ("省生态环境厅", "supporting"), ("省自然资源厅", "supporting")],
         "持续推进", None, None),
    ]
    # each task is located by sheet and cells
    assert [t.span.fragment for t in plan.tasks] == ["分工!A3:E3", "分工!A4:E4", "分工!A5:E5", "续表!A2:E2"]


def test_spreadsheet_that_is_not_one(tmp_path):
    bad = tmp_path / "table.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(PlanFormatError, match=r"^table\.xlsx:1: expected a spreadsheet"):
        load(bad)
    empty = tmp_path / "empty.xls"
    empty.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    with pytest.raises(PlanFormatError, match=r"^empty\.xls:1: expected a spreadsheet"):
        load(empty)
