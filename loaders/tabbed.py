"""Read today's TAB-celled text export into the document model.

The export has the title, a status line such as ``（征求意见稿）``, the body one paragraph a line, then
``附件1`` (key-task table) and ``附件2`` (key-project table) with one cell a line: a line opened by a TAB
starts a cell, a cell may wrap onto an untabbed line after a blank line, page headers repeat, and a line
ending a sentence below a row is a note (:mod:`greenplan.loaders.cells`, :func:`annexes.table_rows`).
The layout's own requirements (status line, both annexes, numbered rows) are checked here, with the
file and line of what is missing.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from greenplan.loaders.annexes import PROJECT_HEADER, TASK_HEADER, row_number, table_rows
from greenplan.loaders.body import CHAPTER, STATUS
from greenplan.loaders.cells import tokens
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.model import Block, Cell, Document
from greenplan.loaders.records import LoadReport, Note, Span
from greenplan.loaders.text import decode_text

ANNEX_HEADING = re.compile(r"^附\s*件\s*([0-9]{1,3})\s*$")
ANNEXES = {1: (TASK_HEADER, "task", 2), 2: (PROJECT_HEADER, "project", 0)}   # header, row kind, number column


def read_tabbed(path: Path, report: LoadReport, display_name: str | None = None) -> Document:
    file = display_name or path.name
    data = path.read_bytes()
    lines = decode_text(file, data)

    status_at = next((i for i, l in enumerate(lines[:40]) if STATUS.match(l.strip())), None)
    if status_at is None:
        first = next((l for l in lines if l.strip()), "")
        raise PlanFormatError(file, 1, "a title followed by a status line such as （征求意见稿） within the first 40 lines",
                              first)
    if not any(lines[i].strip() for i in range(status_at)):
        raise PlanFormatError(file, status_at + 1, "the plan's title before the status line", lines[status_at].strip())
    if not any(CHAPTER.match(l.strip()) for l in lines[status_at + 1:]):
        raise PlanFormatError(file, status_at + 2, "a first chapter heading like 一、总体要求",
                              lines[status_at + 1].strip() if status_at + 1 < len(lines) else "")
    headings = {int(m[1]): i for i, l in enumerate(lines) if (m := ANNEX_HEADING.match(l.strip()))}
    for k in (1, 2):
        if k not in headings:
            raise PlanFormatError(file, len(lines), f"an annex heading 附件{k} (or 附 件{k}) on a line of its own",
                                  "no such line", "the plan must include annex 1 (重点任务分工表) and annex 2 (重点项目建设表)")
    if headings[2] < headings[1]:
        raise PlanFormatError(file, headings[2] + 1, "annex 1 before annex 2", lines[headings[2]].strip())

    blocks = [Block("paragraph", Span(file, n, n), line.strip())
              for n, line in enumerate(lines[:headings[1]], 1) if line.strip()]
    for k in (1, 2):
        start = headings[k]
        stop = headings[2] if k == 1 else len(lines)
        header, what, number_col = ANNEXES[k]
        blocks.append(Block("paragraph", Span(file, start + 1, start + 1), lines[start].strip()))
        notes: list[Note] = []
        rows = table_rows(file, tokens(lines, start + 1, stop), header, len(header), report, notes, k, what)
        for row in rows:
            row_number(file, row[number_col], what)
        first_line = rows[0][0].first if rows else start + 1
        table = [[Cell([name], Span(file, start + 1, first_line)) for name in header]]
        table += [[Cell([c.text] if c.text else [], Span(file, c.first, c.last)) for c in row] for row in rows]
        span = Span(file, start + 1, rows[-1][-1].last if rows else start + 1)
        blocks.append(Block("table", span, rows=table, notes=[(n.text, n.span) for n in notes]))
    return Document(file, "text", hashlib.sha256(data).hexdigest(), len(lines), blocks)
