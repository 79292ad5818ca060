"""The document model every format reader produces and the structure reader reads.

A :class:`Document` is a list of blocks in reading order: paragraphs (one
piece of running text each) and tables (rows of cells, a cell being one or
more paragraphs).  Every block and cell carries the :class:`Span` it was read
from, so records made from it point back to the source.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from greenplan.loaders.records import Span


@dataclass
class Cell:
    paragraphs: list[str]       # the cell's paragraphs as printed (a wrapped cell has several)
    span: Span
    merged: bool = False        # continues the cell above (rowspan / w:vMerge): text repeated from it
    number: str | None = None   # a row number made by automatic numbering (Word w:numPr), not in the text

    @property
    def text(self) -> str:
        return "".join(self.paragraphs)


@dataclass
class Block:
    kind: str                   # "paragraph" | "table"
    span: Span
    text: str = ""              # paragraph text as printed (whitespace at the ends removed)
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[tuple[str, Span]] = field(default_factory=list)   # for tables: text printed below rows, not a row


@dataclass
class Document:
    file: str                   # name shown in spans
    format: str                 # text | html | docx | pdf | spreadsheet
    sha256: str
    line_count: int             # source lines (text, html) or body blocks (docx)
    blocks: list[Block]
    fields: dict[str, tuple[str, Span]] = field(default_factory=dict)  # metadata rows (gov.cn: 标题, 发文字号 …)
    ocr: bool = False           # the text was recognised by OCR from a scan (lower confidence)
    formats: dict[str, str] = field(default_factory=dict)  # a page joined with its attachments: each file's format


def row_span(first: Span, last: Span, xpath: str | None) -> Span:
    """The span of a table row from its first and last cells: the file of the cells (an attachment's, in a plan
    joined from a page and its attachments), their lines, and a fragment covering both cells."""
    return Span(first.file, first.first, last.last, xpath, join_fragments(first.fragment, last.fragment))


def join_fragments(a: str | None, b: str | None) -> str | None:
    """One fragment over two: ``S!A3`` + ``S!E3`` → ``S!A3:E3``; PDF ``page=N&viewrect=l,t,w,h`` rectangles on one
    page → the rectangle around both, on two pages → the first."""
    if not a or not b or a == b:
        return a or b
    if "!" in a and "!" in b and a.split("!", 1)[0] == b.split("!", 1)[0]:
        return f"{a.split(':')[0]}:{b.rsplit('!', 1)[1].split(':')[-1]}"
    pa, pb = _pdf_fragment(a), _pdf_fragment(b)
    if pa and pb and pa[0] == pb[0]:
        x0, y0 = min(pa[1], pb[1]), min(pa[2], pb[2])
        x1, y1 = max(pa[1] + pa[3], pb[1] + pb[3]), max(pa[2] + pa[4], pb[2] + pb[4])
        return pdf_fragment(pa[0], x0, y0, x1, y1)
    return a


def pdf_fragment(page: int, x0: float, top: float, x1: float, bottom: float) -> str:
    """RFC 8118 (application/pdf fragment identifiers): a page and a rectangle in points from its top left."""
    return f"page={page}&viewrect={x0:.0f},{top:.0f},{x1 - x0:.0f},{bottom - top:.0f}"


def _pdf_fragment(f: str) -> tuple[int, float, float, float, float] | None:
    import re
    m = re.fullmatch(r"page=(\d+)&viewrect=(-?\d+),(-?\d+),(\d+),(\d+)", f)
    return (int(m[1]), float(m[2]), float(m[3]), float(m[4]), float(m[5])) if m else None
