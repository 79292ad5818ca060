"""Mutated PDFs and spreadsheets never give a traceback (issue 25): each of 1,000 damaged files of each kind is read
as a plan or refused with one located line (PlanFormatError). Seeded, so every run reads the same files."""
from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

from greenplan.loaders import PlanFormatError, load
from tests.test_formats import _provincial_table

CASES = 1000
TINY_PAGE = """<html><head><meta charset="utf-8"><style>td{border:1px solid #000}table{border-collapse:collapse}</style>
</head><body><p>某市重点任务分工方案</p><p>一、总体要求</p><p>（一）加强领导。推进绿色发展。（市发展改革局负责）</p>
<table><tr><td>序号</td><td>重点任务</td><td>牵头单位</td></tr><tr><td>1</td><td>推进绿色建筑</td><td>市住房城乡建设局</td></tr>
</table></body></html>"""


def _flipped(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 24)):
        choice = rng.random()
        k = rng.randrange(len(b))
        if choice < 0.6:
            b[k] = rng.randrange(256)
        elif choice < 0.8:
            b[k:k] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        else:
            del b[k:k + rng.randint(1, 64)]
    if rng.random() < 0.15:
        b = b[:rng.randrange(1, len(b))]
    return bytes(b)


def _rezipped(data: bytes, rng: random.Random) -> bytes:
    """The package with one XML part mutated and zipped again (so that the damage reaches the XML readers)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    victim = rng.choice([n for n in names if n.endswith(".xml")])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            part = src.read(n)
            if n == victim:
                text = bytearray(part)
                for _ in range(rng.randint(1, 8)):
                    k = rng.randrange(len(text))
                    text[k:k + rng.randint(0, 4)] = rng.choice([b"<", b">", b'"', b"9999999", b"-1", b"A1:XFD1048576",
                                                                 b"r=\"ZZZ9\"", b"", b"\xff", b"t=\"s\"", b"&"])
                part = bytes(text)
            z.writestr(n, part)
    return out.getvalue()


def _check(path: Path, data: bytes) -> bool:
    path.write_bytes(data)
    try:
        load(path)
        return True
    except PlanFormatError as e:
        line = str(e)
        assert "\n" not in line and line.startswith(path.name + ":"), line
        return False


def test_mutated_spreadsheets_give_no_traceback(tmp_path):
    original = _provincial_table(tmp_path / "table.xlsx").read_bytes()
    rng = random.Random(25)
    target = tmp_path / "mutant.xlsx"
    read = sum(_check(target, _rezipped(original, rng) if k % 2 else _flipped(original, rng)) for k in range(CASES))
    assert 0 < read < CASES      # some mutants still read as a plan, some are refused: both paths were taken


def test_mutated_pdfs_give_no_traceback(tmp_path):
    from tests.test_formats import print_to_pdf

    page = tmp_path / "tiny.html"
    page.write_text(TINY_PAGE, encoding="utf-8")
    original = print_to_pdf(page, tmp_path / "tiny.pdf").read_bytes()
    assert len(load(tmp_path / "tiny.pdf")[0].tasks) == 2     # the unmutated file: the note's task and the row's
    rng = random.Random(25)
    target = tmp_path / "mutant.pdf"
    read = sum(_check(target, _flipped(original, rng)) for _ in range(CASES))
    assert 0 < read < CASES
