"""Issue 24, Readers: every input of the second pass is read in time and memory linear in its size, or
refused before the work by a documented limit (loaders/limits.py), in one located line.

Inputs are generated at test time.  Each runs in a child process; its peak memory (``ru_maxrss``) and
CPU time are measured there and printed back.  Bounds are generous (they catch gigabytes and
quadratic growth, they do not measure speed: bench/ does)."""
from __future__ import annotations

import io
import json
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

# The child: load one file, report (error line or None, peak RSS in MiB, CPU seconds) as JSON.
CHILD = r"""
import json, resource, sys, time
from greenplan.loaders import load
from greenplan.loaders.errors import PlanFormatError
started = time.process_time()
error = None
try:
    load(sys.argv[1])
except PlanFormatError as e:
    error = str(e)
except Exception as e:
    error = "UNEXPECTED " + type(e).__name__ + ": " + str(e)[:300]
print(json.dumps({"error": error, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "cpu": time.process_time() - started}))
"""

# The child for a reader alone (the document model, before the structure reader).
READ_HTML = r"""
import json, resource, sys, time
from pathlib import Path
from greenplan.loaders.html import read_html
started = time.process_time()
doc = read_html(Path(sys.argv[1]))
print(json.dumps({"cells": sum(len(r) for b in doc.blocks for r in b.rows), "cpu": time.process_time() - started,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE_MIB = 400        # the interpreter, lxml, python-docx and pyoxigraph imported: ≈ 100 MiB


def child(script: str, path: Path) -> dict:
    run = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-800:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def one_located_line(error: str | None, name: str) -> int:
    assert error and not error.startswith("UNEXPECTED"), error
    m = re.fullmatch(rf"[^\n]*{re.escape(name)}[^\n:]*:(\d+): expected [^\n]+", error)
    assert m, error
    return int(m[1])


HEAD = "<html><head><meta charset='utf-8'></head><body><p>湛江市关于测试的实施方案</p>"


def test_a_colspan_bomb_is_refused_before_the_cells_are_made(tmp_path):
    # The reproducer: 20,000 rows of <td colspan=1000> (640 KB) asked for 20 million cells.
    path = tmp_path / "colspan.html"
    path.write_text(HEAD + "<table>" + "<tr><td colspan=1000>x</td></tr>" * 20_000 + "</table></body></html>",
                    encoding="utf-8")
    out = child(CHILD, path)
    one_located_line(out["error"], "colspan.html")
    assert "100,000 cells" in out["error"]
    assert out["rss_mib"] < BASELINE_MIB, out


def test_one_row_of_cells_is_read_in_linear_time(tmp_path):
    # The reproducer: one row of 100,000 cells (1 MB) took 54 s, time quadratic in the row's length.
    # CPU time of the reader for 25,000 and 100,000 cells: linear is ×4, quadratic ×16.
    times = {}
    for n in (25_000, 100_000):
        path = tmp_path / f"row{n}.html"
        path.write_text(HEAD + "<table><tr>" + "<td>x</td>" * n + "</tr></table></body></html>", encoding="utf-8")
        out = child(READ_HTML, path)
        assert out["cells"] == n
        times[n] = out["cpu"]
        assert out["rss_mib"] < BASELINE_MIB, out
    assert times[100_000] < 8 * times[25_000], times


def test_html_paths_are_what_libxml2_says():
    import lxml.html

    from greenplan.loaders.html import _Reader

    page = ("<html><body><div><p>a</p><!-- c --><p>b</p><table><tr><td>1</td><td>2</td></tr></table>"
            "<span>x</span></div><div><p>c</p></div><table><tr><th>h</th><td><p>d</p><p>e</p></td></tr></table>"
            "</body></html>")
    root = lxml.html.fromstring(page)
    tree = root.getroottree()
    reader = _Reader("x.html", tree)
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    assert len(elements) > 15
    assert [reader.path(el) for el in reversed(elements)][::-1] == [tree.getpath(el) for el in elements]


def test_100000_numbered_items_are_refused_before_the_work(tmp_path):
    # The reproducer: 100,000 numbered items (5.4 MB, under the 8 MiB file limit) took 75 s and 4.4 GB.
    path = tmp_path / "items.txt"
    path.write_text("湛江市关于测试的实施方案\n\n一、总体要求\n\n" + "".join(
        f"{i}．推进第{i}项工作。（市发展改革局负责）\n" for i in range(1, 100_001)), encoding="utf-8")
    assert path.stat().st_size < 8 << 20          # under the file size limit, as in the issue
    out = child(CHILD, path)
    line = one_located_line(out["error"], "items.txt")
    # line 10,003 holds the 10,001st non-empty line: the title (line 1), the chapter (line 3), items from line 5
    assert line == 10_003 and "10,000 paragraphs" in out["error"]
    assert out["rss_mib"] < BASELINE_MIB and out["cpu"] < 30, out


def test_100000_html_paragraphs_are_refused_at_the_limit(tmp_path):
    path = tmp_path / "paragraphs.html"
    path.write_text(HEAD + "".join(f"<p>{i}．推进第{i}项工作。（市发展改革局负责）</p>\n" for i in range(1, 100_001))
                    + "</body></html>", encoding="utf-8")
    out = child(CHILD, path)
    one_located_line(out["error"], "paragraphs.html")
    assert "10,000 paragraphs" in out["error"] and out["rss_mib"] < BASELINE_MIB, out


# --- .docx -----------------------------------------------------------------------------------------

def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("一、总体要求")
    d.add_paragraph("（一）指导思想。推进绿色发展。（市发展改革局负责）")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, name: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            content = src.read(info.filename)
            z.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


def test_a_styles_relationship_to_an_external_target_is_one_located_line(tmp_path):
    path = tmp_path / "external.docx"
    path.write_bytes(_rewrite(_docx(), "word/_rels/document.xml.rels", lambda c: re.sub(
        rb'(Type="[^"]*/styles"[^/]*?)/>', rb'\1 TargetMode="External"/>', c)))
    out = child(CHILD, path)
    one_located_line(out["error"], "external.docx")
    assert "document.xml.rels" in out["error"] and "External" in out["error"]


def test_a_content_types_override_without_partname_is_one_located_line(tmp_path):
    path = tmp_path / "types.docx"
    path.write_bytes(_rewrite(_docx(), "[Content_Types].xml", lambda c: c.replace(b"PartName", b"Partname")))
    out = child(CHILD, path)
    line = one_located_line(out["error"], "types.docx")
    assert "[Content_Types].xml" in out["error"] and "PartName" in out["error"] and line >= 1


def _lying_bomb(path: Path, inflated: int, claimed: int) -> None:
    """A .docx whose word/document.xml inflates to ``inflated`` bytes while its zip headers claim ``claimed``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zipfile.ZipFile(io.BytesIO(_docx())).infolist():
            if info.filename != "word/document.xml":
                z.writestr(info.filename, zipfile.ZipFile(io.BytesIO(_docx())).read(info.filename))
        with z.open("word/document.xml", "w") as member:
            member.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                         b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            block = b"x" * (1 << 20)
            for _ in range(inflated >> 20):
                member.write(block)
    data = bytearray(path.read_bytes())
    # the size fields: local header +22, central directory entry +24 (uncompressed size, 4 bytes each)
    name = b"word/document.xml"
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(sig, at)) != -1:
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, claimed)
            at += 4
    path.write_bytes(bytes(data))


def test_a_docx_lying_about_its_size_is_refused_within_the_budget(tmp_path):
    # The reproducer: word/document.xml inflates to 1 GB while the headers claim 152 KB.
    path = tmp_path / "bomb.docx"
    _lying_bomb(path, 1 << 30, 152 * 1024)
    assert path.stat().st_size < 8 << 20
    out = child(CHILD, path)
    one_located_line(out["error"], "bomb.docx")
    assert out["rss_mib"] < BASELINE_MIB, out
