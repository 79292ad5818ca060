"""The PDF reader checks more than page counts: streams that unpack past a limit are refused with one line (exit 2),
and pages that print something but hold no text (a scanned annex in a PDF with text) are named by page number.
The PDFs are made here: by LibreOffice from a Word file written with python-docx, and, for the bombs, written
byte by byte (a page, a font and one content stream).  Expected values are read by hand from what is written."""
from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from greenplan.loaders import PlanFormatError, limits, load

PLAN = ["某市关于推进节能降碳的实施方案", "一、重点任务", "（一）推进节能。",
        "1.实施节能改造。（市发展改革委负责）", "2.建设绿色园区。（市工业和信息化局负责）"]


def _pdf(path: Path, content: bytes, filters: int = 1) -> Path:
    """A one-page PDF whose content stream (``content``, Helvetica as /F1) is FlateDecoded ``filters`` times."""
    data = content
    for _ in range(filters):
        data = zlib.compress(data, 9)
    names = " ".join(["/FlateDecode"] * filters)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d /Filter [%s] >>\nstream\n" % (len(data), names.encode()) + data + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


TEXT = b"BT /F1 12 Tf 72 760 Td (Plan) Tj ET\n"


def test_a_content_stream_within_the_limit_is_read_and_one_past_it_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PDF_STREAM_BYTES", 1 << 20)
    small = _pdf(tmp_path / "small.pdf", TEXT + b" " * (512 << 10))
    with pytest.raises(PlanFormatError, match=r"^small\.pdf:1: expected a plan: .*found 'Plan'"):   # read: no plan
        load(small)
    bomb = _pdf(tmp_path / "bomb.pdf", TEXT + b" " * (4 << 20))    # 4 MiB of spaces, about 4 KiB in the file
    assert bomb.stat().st_size < 10_000
    with pytest.raises(PlanFormatError) as e:
        load(bomb)
    assert str(e.value).startswith("bomb.pdf:1: expected a PDF whose streams unpack to at most 1,048,576 bytes "
                                   "(1.0 MiB), found 'more, by page 1'")


def test_a_chained_flate_bomb_is_refused_at_the_default_limit_in_one_line(tmp_path):
    # 160 MiB of spaces, compressed twice: a few hundred bytes in the file, past the 128 MiB default
    bomb = _pdf(tmp_path / "bomb.pdf", TEXT + b" " * (160 << 20), filters=2)
    assert bomb.stat().st_size < 10_000
    run = subprocess.run([sys.executable, "-m", "greenplan.cli", "build", "--source", str(bomb), "--store",
                          str(tmp_path / "store")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines() == [
        "greenplan: error: bomb.pdf:1: expected a PDF whose streams unpack to at most 134,217,728 bytes (128.0 MiB), found "
        "'more, by page 1'. The file is damaged or made to exhaust memory; print the plan to PDF again, or pass the "
        ".docx or web page it was made from."], run.stderr


def _word_with_a_scanned_page(path: Path) -> Path:
    """The plan's text on page 1, a picture of printed matter alone on page 2 (an annex pasted as a scan)."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm
    from PIL import Image, ImageDraw

    picture = path.with_suffix(".png")
    image = Image.new("RGB", (620, 880), "white")
    ImageDraw.Draw(image).rectangle((60, 60, 560, 120), fill="black")
    image.save(picture)
    d = docx.Document()
    for text in PLAN:
        d.add_paragraph(text)
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    d.add_picture(str(picture), width=Cm(12))
    d.save(path)
    return path


def test_a_page_with_no_text_is_named_by_its_number(tmp_path):
    from tests.test_formats import libreoffice

    pdf = libreoffice(_word_with_a_scanned_page(tmp_path / "plan.docx"), "pdf", tmp_path / "out")
    plan, report = load(pdf)
    # read by hand: the two tasks of page 1
    assert [(t.text, [p.spelling for p in t.parties]) for t in plan.tasks] == [
        ("实施节能改造。", ["市发展改革委"]), ("建设绿色园区。", ["市工业和信息化局"])]
    blind = [i for i in report.warnings() if "no text" in i.message]
    assert [str(i).split(" (scanned")[0] for i in blind] == [
        "plan.pdf: page 2: warning: page 2 (of 2) prints something but holds no text"]
    assert "pass --ocr" in blind[0].message
    run = subprocess.run([sys.executable, "-m", "greenplan.cli", "build", "--source", str(pdf), "--store",
                          str(tmp_path / "store")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "plan.pdf: page 2: warning: page 2 (of 2) prints something" in run.stderr, run.stderr
    # with --ocr, which reads only a PDF without any text, the page is still named, with how to OCR it
    _, report = load(pdf, ocr=True)
    blind = [i for i in report.warnings() if "no text" in i.message]
    assert len(blind) == 1 and blind[0].span.place() == "page 2" and "--skip-text" in blind[0].message
    # the plan without the picture: every page has text, nothing said
    text_only = tmp_path / "text.docx"
    import docx

    d = docx.Document()
    for text in PLAN:
        d.add_paragraph(text)
    d.save(text_only)
    _, report = load(libreoffice(text_only, "pdf", tmp_path / "out2"))
    assert not [i for i in report.warnings() if "no text" in i.message]
