"""Write the bundled plan as a Word file in its published layout (for the .docx reader tests).

Built from the TAB-celled text independently of the loaders: body lines become paragraphs; annexes 1 and 2
become Word tables (one header row), the chapter and measure cells of annex 1 merged vertically (w:vMerge)
over the rows they cover, row numbers made by Word numbering (w:numPr, no digits in the cell text), a cell
that wraps in the text as several paragraphs, and the note printed under a row as a row across the table.
"""
from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

ANNEX = re.compile(r"^附\s*件\s*(\d)$")


def _annex_rows(lines: list[str], width: int):
    """(caption lines, header cells, rows) of one annex; a row is (cells, note or None); a cell is paragraphs."""
    caption: list[str] = []
    cells: list[list[str]] = []
    rows: list[tuple[list[list[str]], str | None]] = []
    header: list[list[str]] | None = None
    for line in lines:
        if not line.strip() and not line.startswith("\t"):
            continue
        if line.startswith("\t"):
            cells.append([line[1:].strip()] if line[1:].strip() else [])
            if len(cells) == width:
                joined = ["".join(c) for c in cells]
                if header is None:
                    header = cells
                elif joined == ["".join(c) for c in header]:
                    pass   # the header repeated on a new page
                else:
                    rows.append((cells, None))
                cells = []
            continue
        text = line.strip()
        if cells:
            cells[-1].append(text)                       # wrapped rest of the current cell
        elif header is None:
            caption.append(text)
        elif rows and text.endswith("。"):
            rows[-1] = (rows[-1][0], text)               # a note below the row
        elif rows:
            rows[-1][0][-1].append(text)                 # wrapped rest of the row's last cell
        else:
            header[-1].append(text)                      # wrapped rest of the header's last name
    return caption, header, rows


def _num(document, start_abstract: int) -> str:
    """A new list (w:num) on its own abstract numbering, so that it counts from 1."""
    numbering = document.part.numbering_part.element
    abstract_ids = [a.get(qn("w:abstractNumId")) for a in numbering.findall(qn("w:abstractNum"))]
    num_ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    num = OxmlElement("w:num")
    new_id = str(max(num_ids + [0]) + 1)
    num.set(qn("w:numId"), new_id)
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), abstract_ids[start_abstract])
    num.append(ref)
    numbering.append(num)
    return new_id


def _number(paragraph, num_id: str) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    nid = OxmlElement("w:numId")
    nid.set(qn("w:val"), num_id)
    numpr.append(ilvl)
    numpr.append(nid)
    ppr.append(numpr)


def _fill(cell, paragraphs: list[str]) -> None:
    cell.paragraphs[0].text = paragraphs[0] if paragraphs else ""
    for p in paragraphs[1:]:
        cell.add_paragraph(p)


def _table(document, header, rows, number_col: int, merge_cols: tuple[int, ...], num_id: str):
    width = len(header)
    table = document.add_table(rows=1, cols=width)
    for j, names in enumerate(header):
        _fill(table.rows[0].cells[j], names)
    runs: dict[int, list[int]] = {j: [] for j in merge_cols}   # table row indexes of the current merge run

    def close(j):
        run = runs[j]
        if len(run) > 1:
            top = table.cell(run[0], j)
            top.merge(table.cell(run[-1], j))
            # merge() joins the (empty) paragraphs of the cells below into the top cell: keep the top's text only
            for extra in top.paragraphs[len([p for p in top.paragraphs if p.text]) or 1:]:
                if not extra.text:
                    extra._p.getparent().remove(extra._p)
        runs[j] = []

    for cells, note in rows:
        r = table.add_row()
        index = len(table.rows) - 1
        for j, paragraphs in enumerate(cells):
            if j == number_col:
                assert paragraphs and paragraphs[0].isdigit()
                _number(r.cells[j].paragraphs[0], num_id)   # the number comes from Word's numbering
                continue
            if j in merge_cols:
                if paragraphs:
                    close(j)
                runs[j].append(index)
            _fill(r.cells[j], paragraphs)
        if note:
            for j in merge_cols:
                close(j)
            n = table.add_row()
            merged = n.cells[0].merge(n.cells[width - 1])
            merged.paragraphs[0].text = note
    for j in merge_cols:
        close(j)
    return table


def write_docx(text: str, path: Path) -> Path:
    lines = text.replace("\r\n", "\n").split("\n")
    annexes = [i for i, l in enumerate(lines) if ANNEX.match(l.strip())]
    document = Document()
    for line in lines[:annexes[0]]:
        if line.strip():
            document.add_paragraph(line.strip())
    widths = {1: 5, 2: 7}
    for k, start in enumerate(annexes):
        stop = annexes[k + 1] if k + 1 < len(annexes) else len(lines)
        number = int(ANNEX.match(lines[start].strip())[1])
        document.add_paragraph(lines[start].strip())
        caption, header, rows = _annex_rows(lines[start + 1:stop], widths[number])
        for c in caption:
            document.add_paragraph(c)
        if number == 1:
            _table(document, header, rows, 2, (0, 1), _num(document, 0))
        else:
            _table(document, header, rows, 0, (), _num(document, 1))
    document.save(str(path))
    return path
