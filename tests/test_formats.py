"""The readers of spreadsheets, PDF and old word-processor files (issue 25), on files made at test time.

Expected values are read by hand from the tables written below (or from the shared pages), never from what the
code printed.
"""
from __future__ import annotations

import datetime
import re
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
    assert [str(t.span) for t in plan.tasks] == [f"分工方案.xlsx: {c}" for c in
                                                 ("分工!A3:E3", "分工!A4:E4", "分工!A5:E5", "续表!A2:E2")]


def test_spreadsheet_that_is_not_one(tmp_path):
    bad = tmp_path / "table.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(PlanFormatError, match=r"^table\.xlsx:1: expected a spreadsheet"):
        load(bad)
    empty = tmp_path / "empty.xls"
    empty.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    with pytest.raises(PlanFormatError, match=r"^empty\.xls:1: expected a spreadsheet"):
        load(empty)


# ------------------------------------------------------------------ PDF

GOV_CN = sorted((Path(__file__).parent / "data" / "gov-cn").glob("*.html"))


def print_to_pdf(page: Path, out: Path) -> Path:
    """The page printed by headless Chromium, with its running header (date, title) and footer (URL, n/N) on."""
    import subprocess

    from tests.conftest import chromium_path, require_system

    chromium = chromium_path()
    require_system("chromium", chromium is not None, "apt-get install chromium")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={out.parent / 'profile'}",
                    f"--print-to-pdf={out}", page.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    return out


def _tasks(plan):
    return [(t.text, [(p.spelling, p.role) for p in t.parties], t.deadline_raw, t.chapter, t.measure)
            for t in plan.tasks]


@pytest.mark.parametrize("page", GOV_CN, ids=[p.stem for p in GOV_CN])
def test_printed_gov_cn_page_gives_the_pages_tasks(page, tmp_path):
    pdf = print_to_pdf(page, tmp_path / (page.stem + ".pdf"))
    from_page, _ = load(page)
    from_pdf, _ = load(pdf)
    assert from_pdf.source_format == "pdf"
    assert len(from_page.tasks) > 10                 # every shared page carries tasks (gov-cn-notes.tsv)
    assert _tasks(from_pdf) == _tasks(from_page)
    # located by page and rectangle (RFC 8118), never on the running header or footer
    for t in from_pdf.tasks:
        assert re.fullmatch(r"page=\d+&viewrect=\d+,\d+,\d+,\d+", t.span.fragment), t.span
    # a task's place is the page where its paragraph starts: pypdfium2 (not greenplan's reader) finds the task's
    # first words on that page or, for a paragraph broken across pages, on the next
    import pypdfium2

    printed = pypdfium2.PdfDocument(str(pdf))
    pages = [re.sub(r"\s", "", printed[i].get_textpage().get_text_range()) for i in range(len(printed))]
    for t in from_pdf.tasks:
        m = re.fullmatch(r"page (\d+)", t.span.place())
        assert m, t.span.place()
        n, words = int(m[1]), re.sub(r"\s", "", t.text)[:6]
        assert words in "".join(pages[n - 1:n + 1]), (t.number, n)
    texts = " ".join(t.text for t in from_pdf.tasks)
    assert "file://" not in texts and not re.search(r"\d+/\d+/\d+, \d+:\d+", texts)


def test_image_only_pdf_is_refused_naming_ocr(tmp_path):
    from PIL import Image, ImageDraw

    scan = tmp_path / "scan.pdf"
    image = Image.new("RGB", (620, 880), "white")
    ImageDraw.Draw(image).rectangle((60, 60, 560, 120), fill="black")   # something printed, but only pixels
    image.save(scan)
    with pytest.raises(PlanFormatError) as e:
        load(scan)
    assert str(e.value).startswith("scan.pdf:1: expected a PDF with a text layer, found 'no text on its 1 page(s)'")
    assert "ocrmypdf -l chi_sim" in str(e.value)
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "greenplan.cli", "build", "--source", str(scan), "--store",
                          str(tmp_path / "store")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "ocrmypdf -l chi_sim" in lines[0] and "Traceback" not in run.stderr


# ------------------------------------------------------------------ old word-processor files (LibreOffice)

GUANGZHOU = Path(__file__).parent / "data" / "guangzhou-633-talent-opinions.txt"


def libreoffice(source: Path, to: str, out_dir: Path) -> Path:
    """``source`` saved as ``to`` by LibreOffice headless (a private profile); text is read as UTF-8."""
    import subprocess

    from greenplan.loaders.office import soffice
    from tests.conftest import require_system

    exe = soffice()
    require_system("LibreOffice", exe is not None, "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui")
    infilter = ["--infilter=Text (encoded):UTF8,LF,,,"] if source.suffix == ".txt" else []
    subprocess.run([exe, f"-env:UserInstallation={(out_dir / 'lo-profile').as_uri()}", "--headless", *infilter,
                    "--convert-to", to, "--outdir", str(out_dir), str(source)], check=True, capture_output=True,
                   timeout=180)
    made = out_dir / (source.stem + "." + to.split(":")[0])
    assert made.is_file()
    return made


@pytest.mark.parametrize("suffix", ["doc", "rtf", "odt"])
def test_guangzhou_text_as_old_word_file_gives_its_44_tasks(suffix, tmp_path):
    made = libreoffice(GUANGZHOU, suffix, tmp_path)
    from_text, _ = load(GUANGZHOU)
    converted, _ = load(made)
    # the corpus README: items 2–45 end with （牵头单位：…，配合单位：…） notes — 44 tasks
    assert len(from_text.tasks) == 44
    assert [(t.text, [(p.spelling, p.role) for p in t.parties]) for t in converted.tasks] == \
        [(t.text, [(p.spelling, p.role) for p in t.parties]) for t in from_text.tasks]
    assert converted.title == "关于推进人才集聚工程的实施意见"
    assert converted.source_file == made.name and converted.source_sha256 == __import__("hashlib").sha256(
        made.read_bytes()).hexdigest()


def test_old_word_file_without_libreoffice_is_one_clear_error(tmp_path, monkeypatch):
    doc = tmp_path / "plan.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    monkeypatch.setenv("GREENPLAN_SOFFICE", str(tmp_path / "no-such-soffice"))
    with pytest.raises(PlanFormatError, match=r"^plan\.doc:1: expected LibreOffice to read a Word 97–2003 file.*"
                                              r"Install LibreOffice"):
        load(doc)


def test_damaged_old_word_file_is_one_clear_error(tmp_path):
    from greenplan.loaders.office import soffice
    from tests.conftest import require_system

    require_system("LibreOffice", soffice() is not None, "apt-get install libreoffice-writer-nogui")
    doc = tmp_path / "plan.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x07" * 3000)
    with pytest.raises(PlanFormatError, match=r"^plan\.doc:1: expected "):
        load(doc)


def test_converted_file_is_kept_beside_the_store_and_not_converted_again(tmp_path, monkeypatch):
    """Two builds of one store from a .doc: the second reads the kept .docx and starts no LibreOffice (a wrapper
    counts the starts), with a byte-identical graph.nq; an edited .doc (item 45 removed) converts again."""
    import hashlib
    import json
    import subprocess

    from greenplan.loaders.office import soffice
    from greenplan.store.core import build_store, locate
    from greenplan.store.files import graph_path

    text = GUANGZHOU.read_text(encoding="utf-8")
    edited = tmp_path / "edited" / GUANGZHOU.name
    edited.parent.mkdir()
    edited.write_text(text[:text.rstrip("\n").rindex("\n")] + "\n", encoding="utf-8")    # item 45 removed
    doc = libreoffice(GUANGZHOU, "doc", tmp_path / "made")
    doc_edited = libreoffice(edited, "doc", tmp_path / "made-edited")
    real = soffice()
    version = re.match(r"LibreOffice (\S+)", subprocess.run([real, "--version"], capture_output=True, text=True,
                                                            timeout=180).stdout)[1]
    starts = tmp_path / "starts"
    wrapper = tmp_path / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho start >> "{starts}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("GREENPLAN_SOFFICE", str(wrapper))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764892800")
    plan = tmp_path / "plan.doc"
    store = tmp_path / "store"

    def started() -> int:
        return len(starts.read_text().splitlines()) if starts.exists() else 0

    def build() -> tuple[bytes, int]:
        build_store(locate(str(store), [str(plan)]))
        return graph_path(store).read_bytes(), started()

    plan.write_bytes(doc.read_bytes())
    digest = hashlib.sha256(plan.read_bytes()).hexdigest()
    first, n_first = build()
    second, n_second = build()
    assert (n_first, n_second) == (1, 1)
    assert second == first
    assert digest.encode() in first and b"plan.doc" in first        # the document keeps the original's name and digest
    kept = store / "sources" / f"{digest}.docx"
    record = json.loads((store / "sources" / f"{digest}.source.json").read_text(encoding="utf-8"))
    assert record == {"original": "plan.doc", "original_sha256": digest, "converter": "LibreOffice",
                      "converter_version": version, "sha256": hashlib.sha256(kept.read_bytes()).hexdigest()}
    assert len(load(plan, kept=store / "sources")[0].tasks) == 44 and started() == 1
    plan.write_bytes(doc_edited.read_bytes())
    third, n_third = build()
    assert n_third == 2 and third != first
    assert len(load(plan, kept=store / "sources")[0].tasks) == 43 and started() == 2
    assert (store / "sources" / f"{hashlib.sha256(plan.read_bytes()).hexdigest()}.docx").is_file() and kept.is_file()


@pytest.mark.parametrize("suffix", ["ods", "xls"])
def test_spreadsheet_saved_by_libreoffice_reads_the_same(suffix, tmp_path):
    xlsx = _provincial_table(tmp_path / "分工方案.xlsx")
    other = libreoffice(xlsx, suffix, tmp_path / "out")
    original, _ = load(xlsx)
    saved, _ = load(other)
    assert _tasks(saved) == _tasks(original) and len(saved.tasks) == 4


def test_bundled_plan_as_word_pdf_gives_its_tasks_and_projects(tmp_path):
    """The bundled plan laid out in Word (tests/docx_layout.py: merged chapter and measure cells, numbered rows)
    with ruled tables, printed to PDF by LibreOffice as such plans are published: the annex tables run over
    many pages, rows and merged cells broken by page ends."""
    import docx
    from docx.oxml.ns import qn

    from greenplan.resources import bundled_plan
    from tests.docx_layout import write_docx

    bundled, _ = load(bundled_plan())
    word = write_docx(bundled_plan().read_text(encoding="utf-8"), tmp_path / "zhanjiang.docx")
    document = docx.Document(str(word))
    for table in document.tables:
        table.style = "Table Grid"                       # ruled, as published
    numbering = document.part.numbering_part.element
    for indent in list(numbering.iter(qn("w:ind"))):     # numbers inside their cell (the template's list indent
        indent.getparent().remove(indent)                # would push "1." into the next cell)
    document.save(str(word))
    printed, _ = load(libreoffice(word, "pdf", tmp_path / "out"))
    assert len(printed.tasks) == 112 and len(printed.projects) == 24
    # (row labels are printed "1." in the PDF where Word's numbering counts 1: labels are not compared)
    assert [(t.number, t.text, t.chapter, t.measure, t.owners_raw, [(p.spelling, p.role) for p in t.parties])
            for t in printed.tasks] == \
        [(t.number, t.text, t.chapter, t.measure, t.owners_raw, [(p.spelling, p.role) for p in t.parties])
         for t in bundled.tasks]
    assert [(p.number, p.name, p.content, p.years_raw, p.investment, p.builder, p.lead_raw) for p in printed.projects] \
        == [(p.number, p.name, p.content, p.years_raw, p.investment, p.builder, p.lead_raw) for p in bundled.projects]
    pages = {int(re.match(r"page=(\d+)", t.span.fragment)[1]) for t in printed.tasks}
    assert len(pages) > 3


# ------------------------------------------------------------------ scans (--ocr)

SCANNED_PAGE = """<html><head><meta charset="utf-8"><style>p{font-size:20pt;margin:0 0 12pt 0}</style></head><body>
<p>某市绿色发展工作方案</p><p>一、总体要求</p><p>（一）加强领导。推进绿色发展。（市发展改革局负责）</p>
<p>（二）完善考核。（市生态环境局负责）</p></body></html>"""


def _scan(tmp_path: Path) -> Path:
    """A page printed by Chromium, then rasterised at 300 dpi into an image-only PDF (a scan: no text layer)."""
    import pypdfium2

    page = tmp_path / "page.html"
    page.write_text(SCANNED_PAGE, encoding="utf-8")
    printed = pypdfium2.PdfDocument(str(print_to_pdf(page, tmp_path / "printed.pdf")))
    images = [printed[i].render(scale=300 / 72).to_pil().convert("L") for i in range(len(printed))]
    scan = tmp_path / "scan.pdf"
    images[0].save(scan, save_all=True, append_images=images[1:], resolution=300)
    return scan


def test_scan_read_with_ocr_is_marked_and_flagged(tmp_path):
    import subprocess
    import sys

    from greenplan.loaders.ocr import ocrmypdf
    from tests.conftest import require_system

    require_system("ocrmypdf with Chinese", ocrmypdf() is not None, "apt-get install ocrmypdf tesseract-ocr-chi-sim")
    scan = _scan(tmp_path)
    with pytest.raises(PlanFormatError, match="or pass --ocr"):
        load(scan)
    plan, _ = load(scan, ocr=True)
    assert plan.source_ocr
    # read by hand from the page above; OCR may misread marks, so only what it must get is asserted
    first = plan.tasks[0]
    assert first.text == "推进绿色发展。" and [(p.spelling, p.role) for p in first.parties] == [("市发展改革局", "responsible")]
    store = tmp_path / "store"
    cli = [sys.executable, "-m", "greenplan.cli"]
    built = subprocess.run(cli + ["build", "--source", str(scan), "--ocr", "--store", str(store)], capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    checked = subprocess.run(cli + ["validate", "--store", str(store), "--verbose"], capture_output=True, text=True,
                             timeout=300)
    flagged = [line for line in checked.stdout.splitlines() if "read by OCR from a scan" in line]
    assert len(flagged) == len(plan.tasks) and "推进绿色发展。" in flagged[0]


def test_ocr_without_ocrmypdf_is_one_clear_error(tmp_path, monkeypatch):
    from PIL import Image

    scan = tmp_path / "scan.pdf"
    Image.new("L", (600, 800), 255).save(scan)
    monkeypatch.setenv("GREENPLAN_OCRMYPDF", str(tmp_path / "no-such-ocrmypdf"))
    with pytest.raises(PlanFormatError, match=r"^scan\.pdf:1: expected ocrmypdf to read a scanned PDF \(--ocr\).*"
                                              r"apt-get install ocrmypdf tesseract-ocr-chi-sim"):
        load(scan, ocr=True)
