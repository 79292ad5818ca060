"""Re-laid-out copies of the plan for loader tests: re-paginated, re-wrapped, CRLF.

Each function takes the document text and returns a variant a faithful loader
must read into exactly the same facts.  They work on the table layout only
(TAB-opened cells, wrapped rests after a blank line, page headers).
"""
from __future__ import annotations

import re

TASK_HEADER = ["重点工作", "主要任务", "序号", "任务内容", "主要责任单位"]


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def rewrap(text: str, every: int = 3, at: int = 5) -> str:
    """Wrap every ``every``-th long annex cell after ``at`` characters: head / blank line / rest."""
    lines = text.split("\n")
    start = next(i for i, l in enumerate(lines) if re.match(r"^附\s*件\s*1$", l.strip()))
    out = lines[:start]
    k = 0
    for line in lines[start:]:
        cell = line[1:] if line.startswith("\t") else None
        if cell and len(cell) > at + 2 and not cell.isdigit() and cell not in TASK_HEADER:
            k += 1
            if k % every == 0:
                out += ["\t" + cell[:at], "", cell[at:]]
                continue
        out.append(line)
    return "\n".join(out)


def repaginate(text: str, rows_per_page: int = 5) -> str:
    """Drop annex 1's page headers and insert one every ``rows_per_page`` task rows,
    repeating the current chapter and measure names on the first row of each page,
    as the printed document does."""
    lines = text.split("\n")
    a1 = next(i for i, l in enumerate(lines) if re.match(r"^附\s*件\s*1$", l.strip()))
    a2 = next(i for i, l in enumerate(lines) if re.match(r"^附\s*件\s*2$", l.strip()))
    head, table, tail = lines[:a1 + 1], lines[a1 + 1:a2], lines[a2:]
    # split the table into: caption lines, then rows of 5 cell lines (+ the note), dropping headers
    body: list[str] = []
    i = 0
    while i < len(table):
        if table[i] == "\t" + TASK_HEADER[0]:
            i += len(TASK_HEADER)
            continue
        body.append(table[i])
        i += 1
    caption = []
    while body and not body[0].startswith("\t"):
        caption.append(body.pop(0))
    rows: list[list[str]] = []
    extra: list[list[str]] = []
    cells = 0
    for line in body:
        if line.startswith("\t"):
            if cells % 5 == 0:
                rows.append([])
                extra.append([])
            rows[-1].append(line)
            cells += 1
        elif line.strip():
            extra[-1].append(line)  # a note below a row
    chapter = measure = ""
    out = head + caption
    for n, (row, notes) in enumerate(zip(rows, extra)):
        if row[0].strip():
            chapter = row[0][1:]
        if row[1].strip():
            measure = row[1][1:]
        if n % rows_per_page == 0:
            out += [""] + ["\t" + h for h in TASK_HEADER] + [""]
            row = ["\t" + chapter, "\t" + measure] + row[2:]
        out += row
        for note in notes:
            out += ["", note, ""]
        out.append("")
    return "\n".join(out + tail)
