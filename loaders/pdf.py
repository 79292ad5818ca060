"""Read a PDF's text layer into the document model.

Library: pdfplumber (on pdfminer.six; both MIT).  Measured on the shared gov.cn pages printed by headless
Chromium: pypdfium2 extracts the text of a 5-page page in 0.06 s, pdfplumber in 0.7 s, pdfminer.six's
``extract_text`` in 0.5 s; the three give the same characters in the same order (pypdfium2 adds a space at some
line ends).  pdfplumber is chosen because it gives every character's box *and* finds tables from their ruling
lines with each cell's box, which the reader needs for paragraphs, tables and locations; with pdfminer.six or
pypdfium2 the table finder would have to be written here.  PyMuPDF (AGPL) is not used.

How pages become blocks:

* tables (found from ruling lines) are read cell by cell; a cell that a merged cell covers repeats its text
  and is ``merged`` (the cell above when the merged cell reaches down, else the cell on the left);
* the text outside tables is taken line by line; a line in the top or bottom margin whose text (digits aside)
  repeats on another page — a running header or footer — or that is a page number (``- 3 -``, ``第3页``,
  ``3/12``) is left out;
* lines are joined into paragraphs, across pages too: a new paragraph starts where a line is indented
  or where the line above ended short of the right margin;
* a table that starts a page continues the table that ended the page before when it has as many columns: its
  repeated header row is dropped, and a first row with an empty first cell and at most half its cells filled is
  the rest of the row broken by the page (its text joins that row's cells).

Locations: ``first``/``last`` count the text lines of the document (1-based; a table row is one line), and
``fragment`` is an RFC 8118 PDF fragment: ``page=3&viewrect=left,top,width,height`` in points.  Streams are
unpacked within ``limits.MAX_PDF_STREAM_BYTES`` (:mod:`greenplan.loaders.pdfstreams`): past it the PDF is refused.
A page that prints something but holds no text (a scanned page in a PDF with text) is named in a warning.  A PDF
without a text layer (a scan) is refused with how to OCR it; with ``ocr`` it is recognised by ocrmypdf
(:mod:`greenplan.loaders.ocr`), the spaces OCR puts between Chinese words removed, and the document marked
``ocr`` (tables of a scan have no ruling lines to find: their text is read as lines).
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from greenplan.loaders import limits
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.model import Block, Cell, Document, pdf_fragment
from greenplan.loaders.pdfstreams import StreamLimit, within
from greenplan.loaders.records import LoadReport, Span

MAX_PAGES = 2000
MARGIN = 0.08                 # share of the page height at the top and bottom where running heads are printed
PAGE_NUMBER = re.compile(r"^(?:[-—–－_\s]*\d{1,4}[-—–－_\s]*|第\s*\d{1,4}\s*页(?:\s*[，,]?\s*共\s*\d{1,4}\s*页)?|"
                         r"\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$", re.IGNORECASE)
HINT = "save the plan as PDF with its text (not as pictures), or pass the .docx or web page it was made from"
OCR_HINT = ("it is a scan: OCR it first (ocrmypdf -l chi_sim IN.pdf OUT.pdf, with tesseract-ocr-chi-sim) "
            "and pass OUT.pdf, or pass --ocr")


@dataclass
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class _Table:
    page: int
    top: float
    bottom: float
    bbox: tuple[float, float, float, float]
    rows: list[list[tuple[list[str], tuple | None]]]   # cells: (lines, bbox or None when a merged cell covers it)


def read_pdf(path: Path, display_name: str | None = None, ocr: bool = False,
             report: LoadReport | None = None) -> Document:
    """The document model of a PDF's text layer; a scan is refused, or — ``ocr`` — read by OCR first
    (:mod:`greenplan.loaders.ocr`; the document is then marked ``ocr``).  Pages of a PDF with text that have none
    themselves but print something (a scanned page, text drawn as pictures) go to ``report`` as a warning naming
    them: nothing on them is read."""
    file = display_name or path.name
    report = report if report is not None else LoadReport()
    data = path.read_bytes()
    items, heights, pages, chars, blind = _items(path, file)
    recognised = False
    if chars == 0:
        if not ocr:
            raise PlanFormatError(file, 1, "a PDF with a text layer", f"no text on its {pages} page(s)", OCR_HINT)
        import tempfile

        from greenplan.loaders.ocr import recognise

        with tempfile.TemporaryDirectory(prefix="greenplan-ocr-") as tmp:
            items, heights, pages, chars, blind = _items(recognise(path, file, Path(tmp)), file, spaced=True)
        if chars == 0:
            raise PlanFormatError(file, 1, "text that OCR recognises in the scan", f"none on its {pages} page(s)",
                                  "check the scan's quality (300 dpi or more) and its language (chi_sim)")
        recognised = True
    if blind:
        if recognised:
            how = "OCR recognised no text there: check the scan's quality (300 dpi or more) on those pages"
        elif ocr:
            how = ("--ocr reads a PDF only when no page has text: OCR these pages yourself (ocrmypdf -l chi_sim "
                   "--skip-text IN.pdf OUT.pdf) and pass OUT.pdf")
        else:
            how = "pass --ocr to read them by OCR (or OCR them with ocrmypdf -l chi_sim --skip-text IN.pdf OUT.pdf)"
        one = len(blind) == 1
        report.add("warning", Span(file, 1, 1, fragment=f"page={blind[0]}"),
                   f"{'page' if one else 'pages'} {_pages(blind)} (of {pages}) {'prints' if one else 'print'} "
                   f"something but {'holds' if one else 'hold'} no text (scanned, or text drawn as pictures): "
                   f"nothing on {'it' if one else 'them'} is read; {how}")
    items.sort(key=lambda it: (it[0], it[1]))
    items = _without_running_heads(items, heights)
    blocks = _blocks(file, items)
    if not blocks:
        raise PlanFormatError(file, 1, "a PDF with text besides page headers and numbers", "no other text", HINT)
    last = max(b.span.last for b in blocks)
    return Document(file, "pdf", hashlib.sha256(data).hexdigest(), last, blocks, ocr=recognised)


# OCR's text layer puts a space between recognised words and often gives ASCII brackets and commas for the
# full-width marks Chinese is printed with: in a line with Chinese, the marks are made full-width and the spaces
# between Chinese characters and marks removed
CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")
FULL_WIDTH_MARKS = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "?": "？", "!": "！"})


def recognised_text(text: str) -> str:
    """A line of an OCR text layer as Chinese is printed (see above); a line without Chinese is kept."""
    if not CJK.search(text):
        return text
    return CJK_SPACE.sub("", text.translate(FULL_WIDTH_MARKS))


def _pages(numbers: list[int]) -> str:
    """1, 3–5, 9: runs of consecutive page numbers."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def _items(path: Path, file: str, spaced: bool = False):
    """(items in reading order: (page, top, line or table), page heights, page count, character count, pages that
    print something but hold no character).  The streams are unpacked within ``limits.MAX_PDF_STREAM_BYTES``."""
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    items: list[tuple[int, float, object]] = []
    heights: dict[int, float] = {}
    blind: list[int] = []
    pages = chars = n = 0
    most = limits.MAX_PDF_STREAM_BYTES
    budget = None
    try:
        with within(most) as budget, pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
            if pages > MAX_PAGES:
                raise PlanFormatError(file, 1, f"a PDF of at most {MAX_PAGES:,} pages", f"{pages:,} pages", HINT)
            for n, page in enumerate(pdf.pages, 1):
                heights[n] = float(page.height)
                chars += len(page.chars)
                if not page.chars and any(page.objects.get(k) for k in ("image", "curve", "rect", "line")):
                    blind.append(n)
                tables = [t for t in page.find_tables(_closing_lines(page)) if t.rows]
                boxes = [t.bbox for t in tables]
                for t in tables:
                    items.append((n, float(t.bbox[1]), _table(n, t)))

                def outside(obj, boxes=boxes) -> bool:
                    if obj.get("object_type") != "char":
                        return True
                    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)
                # an OCR layer is read in its stream order (its glyph boxes overlap, so sorting them by position
                # can swap characters)
                for ln in page.filter(outside).extract_text_lines(strip=True, return_chars=False,
                                                                  use_text_flow=spaced):
                    text = ln["text"].strip(" \t\u3000\xa0")
                    text = recognised_text(text) if spaced else text
                    if text:
                        items.append((n, float(ln["top"]), _Line(n, text, float(ln["x0"]), float(ln["x1"]),
                                                                float(ln["top"]), float(ln["bottom"]))))
            if budget.exceeded:     # past the budget inside pdfminer, which went on without that stream
                raise StreamLimit
    except PlanFormatError:
        raise
    except Exception as e:   # pdfminer raises many types (PDFSyntaxError, PSEOF, KeyError, …) on a damaged file
        if isinstance(e, StreamLimit) or (budget is not None and budget.exceeded):
            raise PlanFormatError(file, 1, f"a PDF whose streams unpack to at most {limits.size(most)}",
                                  f"more, by page {n}" if n else "more before its first page",
                                  "the file is damaged or made to exhaust memory; print the plan to PDF again, or "
                                  "pass the .docx or web page it was made from") from None
        found = f"{type(e).__name__}: {e}".replace("\n", " ")
        raise PlanFormatError(file, 1, "a PDF document", found, HINT) from None
    return items, heights, pages, chars, blind


def _closing_lines(page) -> dict:
    """Table settings that close a row the page breaks: horizontal lines where the page's vertical rules start
    and end (a broken row has no border at the page's edge, and pdfplumber finds only closed cells)."""
    vertical = [e for e in page.edges if e.get("orientation") == "v"]
    if not vertical:
        return {}
    return {"explicit_horizontal_lines": sorted({round(min(e["top"] for e in vertical), 2),
                                                 round(max(e["bottom"] for e in vertical), 2)})}


def _table(n: int, t) -> _Table:
    """Cells as (lines, box); a position a merged cell covers is ([], "left") or ([], "up")."""
    column_x: dict[int, float] = {}
    for row in t.rows:
        for j, box in enumerate(row.cells):
            if box is not None:
                column_x.setdefault(j, float(box[0]))
    texts = t.extract()     # each cell's characters, by their centres (as pdfplumber assigns them)
    rows = []
    for i, row in enumerate(t.rows):
        cells: list = []
        for j, box in enumerate(row.cells):
            if box is None:
                left = next((c[1] for c in reversed(cells) if isinstance(c[1], tuple)), None)
                across = left is not None and j in column_x and float(left[2]) > column_x[j] + 1
                cells.append(([], "left" if across or j not in column_x else "up"))
                continue
            text = (texts[i][j] if i < len(texts) and j < len(texts[i]) else None) or ""
            cells.append(([ln.strip(" \t\u3000\xa0") for ln in text.split("\n") if ln.strip(" \t\u3000\xa0")],
                          tuple(box)))
        rows.append(cells)
    return _Table(n, float(t.bbox[1]), float(t.bbox[3]), tuple(t.bbox), rows)


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _without_running_heads(items, heights: dict[int, float]):
    """Lines in the top or bottom margin that repeat on another page (digits aside), or are page numbers."""
    def zone(it) -> str | None:
        n, _, x = it
        if not isinstance(x, _Line):
            return None
        h = heights[n]
        return "top" if x.bottom <= h * MARGIN else "bottom" if x.top >= h * (1 - MARGIN) else None
    pages_of: dict[tuple[str, str], set[int]] = {}
    for it in items:
        z = zone(it)
        if z:
            pages_of.setdefault((z, _key(it[2].text)), set()).add(it[0])
    out = []
    for it in items:
        z = zone(it)
        if z and (len(pages_of[(z, _key(it[2].text))]) > 1 or PAGE_NUMBER.match(it[2].text.strip())):
            continue
        out.append(it)
    return out


def _joined(a: str, b: str) -> str:
    """Two pieces of a wrapped line: Chinese joins without a space, Latin words with one."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def _blocks(file: str, items) -> list[Block]:
    lines = [x for _, _, x in items if isinstance(x, _Line)]
    left = Counter(round(x.x0) for x in lines).most_common(1)[0][0] if lines else 0
    ends = sorted(x.x1 for x in lines)
    right = ends[int(0.95 * (len(ends) - 1))] if ends else 0    # the text column's right edge (a few lines may overrun)
    widths = sorted((x.x1 - x.x0) / max(len(x.text), 1) for x in lines if len(x.text) > 4)
    em = widths[len(widths) // 2] if widths else 10.0

    blocks: list[Block] = []
    ordinal = 0
    para: list[_Line] | None = None
    para_first = 0
    previous_table: Block | None = None
    previous_table_page = 0
    page_started: dict[int, bool] = {}

    def close() -> None:
        nonlocal para
        if para:
            text = ""
            for ln in para:
                text = _joined(text, ln.text)
            span = Span(file, para_first, ordinal, fragment=_fragment(para[0].page, para))
            blocks.append(Block("paragraph", span, text))
        para = None

    for n, _, x in items:
        first_on_page = not page_started.get(n)
        page_started[n] = True
        if isinstance(x, _Table):
            close()
            rows: list = []
            for r_cells in x.rows:
                ordinal += 1
                rows.append(_cells(file, ordinal, n, r_cells, rows[-1] if rows else None))
            if first_on_page and previous_table is not None and previous_table_page == n - 1 and \
                    blocks and blocks[-1] is previous_table and rows and len(rows[0]) == len(previous_table.rows[0]):
                _continue(previous_table, rows)
                previous_table_page = n
                continue
            block = Block("table", Span(file, rows[0][0].span.first if rows else ordinal, ordinal,
                                        fragment=pdf_fragment(n, *x.bbox)), rows=rows)
            blocks.append(block)
            previous_table, previous_table_page = block, n
            continue
        ordinal += 1
        indented = x.x0 > left + 0.8 * em
        if para:
            ended_short = para[-1].x1 < right - 1.5 * em
            if indented or ended_short:
                close()
        if para is None:
            para, para_first = [x], ordinal
        else:
            para.append(x)
    close()
    return blocks


def _fragment(page: int, lines: list[_Line]) -> str:
    on_page = [ln for ln in lines if ln.page == page]
    return pdf_fragment(page, min(ln.x0 for ln in on_page), min(ln.top for ln in on_page),
                        max(ln.x1 for ln in on_page), max(ln.bottom for ln in on_page))


def _cells(file: str, ordinal: int, page: int, cells, above: list[Cell] | None) -> list[Cell]:
    row: list[Cell] = []
    for j, (paras, box) in enumerate(cells):
        if isinstance(box, tuple):
            row.append(Cell(paras, Span(file, ordinal, ordinal, fragment=pdf_fragment(page, *box))))
        elif box == "up" and above is not None and j < len(above):
            row.append(Cell(above[j].paragraphs, above[j].span, merged=True))    # a cell merged down over this one
        elif box == "up":       # merged down from above the table: a cell going on from the page before
            row.append(Cell([], Span(file, ordinal, ordinal), merged=True))
        elif row:
            row.append(Cell(row[-1].paragraphs, row[-1].span, merged=True))      # a cell merged across
        else:
            row.append(Cell([], Span(file, ordinal, ordinal), merged=True))
    return row


def _continue(table: Block, rows: list[list[Cell]]) -> None:
    """Rows of the table's continuation on the next page: a repeated header is dropped; a row the page broke is
    joined to the row it continues; a merged cell that goes on from the page before (or whose text the page
    broke) stays one cell — its copies on the new page carry its whole text."""
    header = [c.text for c in table.rows[0]]
    if rows and [c.text for c in rows[0]] == header:
        rows = rows[1:]
    if not rows or len(table.rows) < 2:
        table.rows.extend(rows)
        return
    first, last = rows[0], table.rows[-1]
    broken = _broken(table.rows[1:], first)
    for j, cell in enumerate(first):
        if j >= len(last):
            continue
        goes_on = cell.merged and not cell.text          # a region that began above this page's table
        if broken and cell.text and not cell.merged:
            last[j].paragraphs.extend(cell.paragraphs)  # in place: every copy of a merged cell sees the whole text
        if broken or goes_on:
            for row in rows:
                if j < len(row) and row[j].paragraphs is cell.paragraphs:
                    row[j] = Cell(last[j].paragraphs, last[j].span, merged=True)
    table.rows.extend(rows[1:] if broken else rows)
    table.span = Span(table.span.file, table.span.first, table.rows[-1][0].span.last, table.span.xpath,
                      table.span.fragment)


def _broken(body: list[list[Cell]], first: list[Cell]) -> bool:
    """Whether ``first`` (the first row on a new page) is the rest of a row the page broke: it leaves empty a
    column that every row above has text of its own in (the row number, the task), or — when no column is
    always filled — it starts with an empty cell and fills at most half of its cells."""
    rows = [r for r in body if len(r) == len(first) and not all(c.merged for c in r[1:])]   # not rows across
    always = [j for j in range(len(first)) if rows and all(r[j].text and not r[j].merged for r in rows)]
    if always:
        return any(not first[j].text or first[j].merged for j in always)
    filled = sum(1 for c in first if c.text and not c.merged)
    return not first[0].text and filled * 2 <= len(first)
