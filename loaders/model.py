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
    format: str                 # text | html | docx
    sha256: str
    line_count: int             # source lines (text, html) or body blocks (docx)
    blocks: list[Block]
    fields: dict[str, tuple[str, Span]] = field(default_factory=dict)  # metadata rows (gov.cn: 标题, 发文字号 …)
