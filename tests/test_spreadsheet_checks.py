"""What the spreadsheet reader does not read is said, never dropped in silence: hidden sheets, merged ranges it
cannot apply, and zip packages whose parts lie about their sizes (on workbooks written here by openpyxl, one
saved again by LibreOffice).  Expected values are read by hand from the rows written below."""
from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from greenplan.loaders import PlanFormatError, limits, load

HEADER = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]


def _workbook(path: Path, hidden: str = "hidden") -> Path:
    """A visible task table of two rows and a hidden sheet holding a third task row (a draft)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分工"
    ws.append(["某省推进绿色建筑重点任务分工方案"])
    ws.append(HEADER)
    ws.append([1, "推进绿色建筑发展", "省住房城乡建设厅", "省财政厅", "2025年底前"])
    ws.append([2, "推广装配式建筑", "省交通运输厅", "省工业和信息化厅", "2024年12月"])
    draft = wb.create_sheet("草稿")
    draft.append(HEADER)
    draft.append([3, "淘汰落后产能", "省工业和信息化厅", "省发展改革委", "2024年6月"])
    draft.sheet_state = hidden
    wb.save(path)
    return path


def _rewrite(path: Path, part: str, change) -> Path:
    """The package with one part's bytes changed (every other part copied as it is)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == part else data)
    path.write_bytes(out.getvalue())
    return path


def _tasks(plan):
    return [(t.number, t.text, [(p.spelling, p.role) for p in t.parties]) for t in plan.tasks]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_named_in_a_warning_not_read(state, tmp_path):
    plan, report = load(_workbook(tmp_path / "分工方案.xlsx", state))
    # read by hand: the visible sheet's two tasks; the hidden sheet's row is not a published task
    assert _tasks(plan) == [(1, "推进绿色建筑发展", [("省住房城乡建设厅", "lead"), ("省财政厅", "supporting")]),
                            (2, "推广装配式建筑", [("省交通运输厅", "lead"), ("省工业和信息化厅", "supporting")])]
    hidden = [i for i in report.warnings() if "草稿" in i.message]
    assert len(hidden) == 1
    assert hidden[0].span.fragment == "草稿!A1:E2"          # its used cells: the header and one row
    assert str(hidden[0]).startswith("分工方案.xlsx: 草稿!A1:E2: warning: sheet '草稿' is ")
    assert ("very hidden" in hidden[0].message) == (state == "veryHidden")
    assert "not read" in hidden[0].message


def test_a_hidden_sheet_of_a_workbook_saved_by_libreoffice_is_named_too(tmp_path):
    from tests.test_formats import libreoffice

    ods = libreoffice(_workbook(tmp_path / "分工方案.xlsx"), "ods", tmp_path / "out")
    plan, report = load(ods)
    assert [t.number for t in plan.tasks] == [1, 2]
    assert [i.span.fragment for i in report.warnings() if "hidden" in i.message] == ["草稿!A1:E2"]


def test_merged_ranges_that_cannot_be_applied_are_reported_with_their_cells(tmp_path):
    # C3:C4 is merged over a cell that holds its own text (C4 省交通运输厅, not shown by the sheet), and B4:C4
    # overlaps it: written into the sheet's XML as a damaged or hand-made workbook holds them
    path = _rewrite(_workbook(tmp_path / "分工方案.xlsx"), "xl/worksheets/sheet1.xml", lambda x: x.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="2"><mergeCell ref="C3:C4"/><mergeCell ref="B4:C4"/>'
                         b"</mergeCells>"))
    plan, report = load(path)
    # read by hand: as the sheet shows it, task 2's lead is the merged range's text; B4 keeps its own text
    assert _tasks(plan)[1] == (2, "推广装配式建筑", [("省住房城乡建设厅", "lead"), ("省工业和信息化厅", "supporting")])
    lines = [str(i) for i in report.warnings()]
    assert ("分工方案.xlsx: 分工!C4: warning: cell 分工!C4 under merged range 分工!C3:C4 holds '省交通运输厅', which "
            "the sheet does not show (a merged range shows its first cell): read as the range's text '省住房城乡建设厅'"
            ) in lines
    assert any(line.startswith("分工方案.xlsx: 分工!B4:C4: warning: merged range 分工!B4:C4 overlaps merged range "
                               "分工!C3:C4") for line in lines), lines


def _lie(data: bytes, part: str, size: int) -> bytes:
    """The package with ``part``'s declared unpacked size set to ``size`` in its local header and in the central
    directory (the zip format: local file header field at 22, central directory entry field at 24)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        struct.pack_into("<L", out, z.getinfo(part).header_offset + 22, size)
    end = data.rfind(b"PK\x05\x06")
    at = struct.unpack_from("<L", data, end + 16)[0]
    while data[at:at + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<3H", data, at + 28)
        if data[at + 46:at + 46 + n].decode() == part:
            struct.pack_into("<L", out, at + 24, size)
        at += 46 + n + m + k
    return bytes(out)


def test_a_zip_part_that_unpacks_past_what_it_declares_is_refused(tmp_path):
    # 20 MiB of zeros in a part that declares 1,000 bytes: the declared sizes are under the 8 MiB limit
    path = _workbook(tmp_path / "bomb.xlsx")
    _rewrite(path, "xl/worksheets/sheet2.xml", lambda x: x + b" " * (20 << 20))
    path.write_bytes(_lie(path.read_bytes(), "xl/worksheets/sheet2.xml", 1000))
    with zipfile.ZipFile(path) as z:
        assert sum(i.file_size for i in z.infolist()) < limits.MAX_DOCUMENT_BYTES   # the headers lie
    with pytest.raises(PlanFormatError) as e:
        load(path)
    assert str(e.value).startswith("bomb.xlsx:1: expected zip part xl/worksheets/sheet2.xml to unpack to the 1,000 "
                                   "bytes it declares, found 'more'")
    run = subprocess.run([sys.executable, "-m", "greenplan.cli", "build", "--source", str(path), "--store",
                          str(tmp_path / "store")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "bomb.xlsx:1: expected zip part xl/worksheets/sheet2.xml to unpack to the 1,000 bytes" in run.stderr


def test_a_zip_whose_real_parts_pass_the_limit_is_refused_as_it_unpacks(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "big.xlsx")
    _rewrite(path, "xl/worksheets/sheet2.xml", lambda x: x + b" " * (3 << 20))
    monkeypatch.setattr(limits, "MAX_DOCUMENT_BYTES", 4 << 20)
    # honest headers under the limit: read
    assert [t.number for t in load(path)[0].tasks] == [1, 2]
    monkeypatch.setattr(limits, "MAX_DOCUMENT_BYTES", 2 << 20)
    with pytest.raises(PlanFormatError, match=r"^big\.xlsx:1: expected a spreadsheet of at most 2,097,152 bytes"):
        load(path)
    # a part that declares fewer bytes than it holds and so passes the declared total: stopped while unpacking
    path.write_bytes(_lie(path.read_bytes(), "xl/worksheets/sheet2.xml", 1000))
    with pytest.raises(PlanFormatError, match=r"^big\.xlsx:1: expected zip part xl/worksheets/sheet2\.xml to unpack to the 1,000 bytes it "
                       r"declares, found 'more'"):
        load(path)


def test_a_zip_part_that_unpacks_to_less_than_it_declares_is_refused(tmp_path):
    path = _workbook(tmp_path / "short.xlsx")
    with zipfile.ZipFile(path) as z:
        size = z.getinfo("xl/worksheets/sheet1.xml").file_size
    path.write_bytes(_lie(path.read_bytes(), "xl/worksheets/sheet1.xml", size + 5000))
    with pytest.raises(PlanFormatError, match=rf"^short\.xlsx:1: expected zip part xl/worksheets/sheet1\.xml to unpack to the "
                       rf"{size + 5000:,} bytes it declares, found '{size:,} bytes'"):
        load(path)


def test_the_table_cells_of_a_workbook_count_against_the_documents_cell_limit(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "分工方案.xlsx")
    # read by hand: the visible table is the header and two rows of five cells (15); the hidden sheet is not read
    monkeypatch.setattr(limits, "MAX_CELLS", 15)
    assert [t.number for t in load(path)[0].tasks] == [1, 2]
    monkeypatch.setattr(limits, "MAX_CELLS", 14)
    with pytest.raises(PlanFormatError, match=r"^分工方案\.xlsx:1: expected tables of at most 14 cells in all, found "
                                              r"'15 cells in the rows that hold text'"):
        load(path)


def test_a_part_whose_stream_ends_before_its_compressed_size_is_refused_not_looped_on(tmp_path):
    """Found by tests/security/test_fuzz_loaders.py (docx case 559): a deflate stream that ends before the part's
    compressed size (the next part's header follows inside it) while the part declares more bytes than the stream
    holds once made zlib give nothing forever.  Run as a child process, so that a loop fails by its time limit."""
    import random

    path = _workbook(tmp_path / "stuck.xlsx")
    rng = random.Random(5)
    part = "xl/worksheets/sheet2.xml"
    _rewrite(path, part, lambda x: x + " ".join(str(rng.random()) for _ in range(20000)).encode())
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        size = z.getinfo(part).file_size
    at = struct.unpack_from("<L", data, data.rfind(b"PK\x05\x06") + 16)[0]
    while data[at:at + 4] == b"PK\x01\x02":      # central directory: compressed size at 20, unpacked size at 24
        n, m, k = struct.unpack_from("<3H", data, at + 28)
        if data[at + 46:at + 46 + n].decode() == part:
            struct.pack_into("<L", data, at + 20, struct.unpack_from("<L", data, at + 20)[0] + 600)
            struct.pack_into("<L", data, at + 24, size + 20000)
        at += 46 + n + m + k
    path.write_bytes(bytes(data))
    run = subprocess.run([sys.executable, "-m", "greenplan.cli", "build", "--source", str(path), "--store",
                          str(tmp_path / "store")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines() == [
        f"greenplan: error: stuck.xlsx:1: expected zip part {part} to unpack to the {size + 20000:,} bytes it "
        f"declares, found '{size:,} bytes'. The file is damaged or made to exhaust memory; save it again from the "
        f"program that made it."]


def test_a_chart_sheet_is_named_in_a_warning(tmp_path):
    import openpyxl

    path = _workbook(tmp_path / "分工方案.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.create_chartsheet("图表")
    wb.save(path)
    plan, report = load(path)
    assert [t.number for t in plan.tasks] == [1, 2]
    assert [str(i) for i in report.warnings() if "图表" in i.message] == [
        "分工方案.xlsx: 图表!A1: warning: sheet '图表' is a chart sheet, not a table; not read"]
