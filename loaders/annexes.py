"""The annex tables of the text export: rows of cells (annex 1 重点任务分工表, annex 2 重点项目建设表), and the
key-project record made from a row (any format)."""
from __future__ import annotations

import re

from greenplan.loaders.cells import Cell, Token, header_length
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.model import row_span
from greenplan.loaders.numbers import amount_yi, printed_count
from greenplan.loaders.owners import split_owners
from greenplan.loaders.records import LoadReport, Note, Project, Span

TASK_HEADER = ("重点工作", "主要任务", "序号", "任务内容", "主要责任单位")
PROJECT_HEADER = ("序号", "项目名称", "项目内容", "建设年限（年）", "投资额（亿元）", "建设单位", "牵头单位")
YEARS = re.compile(r"^(\d{4})\s*[-－–—~～至]\s*(\d{4})$")
SINGLE_YEAR = re.compile(r"^(\d{4})$")
NOTE_END = "。"   # a loose line below a row's last cell that ends a sentence is a note, not a wrapped name


def table_rows(file: str, toks: list[Token], header: tuple[str, ...], width: int,
          report: LoadReport, notes: list[Note], annex: int, what: str) -> list[list[Cell]]:
    """Group tokens into rows of ``width`` cells, skipping page headers and collecting notes."""
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    i = 0
    seen_header = False
    while i < len(toks):
        tok = toks[i]
        if not row:
            h = header_length(toks, i, header)
            if h:
                seen_header = True
                i += h
                continue
        if tok.kind == "cell":
            if not seen_header:
                raise PlanFormatError(file, tok.first, f"the {what} table header ({'、'.join(header)})", tok.text)
            row.append(Cell(tok.text, tok.first, tok.last))
            if len(row) == width:
                rows.append(row)
                row = []
                # loose lines right after a complete row: wrapped last cell or a note
                while i + 1 < len(toks) and toks[i + 1].kind == "loose":
                    nxt = toks[i + 1]
                    if nxt.text.endswith(NOTE_END):
                        notes.append(Note(len(notes) + 1, annex, nxt.text, Span(file, nxt.first, nxt.last)))
                    else:
                        rows[-1][-1].extend(nxt)
                    i += 1
        else:  # loose line
            if row:
                row[-1].extend(tok)
            elif not seen_header:
                pass  # the table's caption (e.g. 重点任务分工表) before the first header
            else:
                notes.append(Note(len(notes) + 1, annex, tok.text, Span(file, tok.first, tok.last)))
                report.add("warning", Span(file, tok.first, tok.last),
                           f"text between rows of annex {annex} kept as a note: {tok.text!r}")
        i += 1
    if row:
        first = row[0].first
        raise PlanFormatError(file, row[-1].last, f"{width} cells for the {what} row that starts on line {first}",
                              f"{len(row)} cells before the end of the table")
    if not seen_header:
        line = toks[0].first if toks else 0
        raise PlanFormatError(file, line, f"the {what} table header ({'、'.join(header)})",
                              toks[0].text if toks else "an empty annex")
    return rows


def row_number(file: str, cell: Cell, what: str) -> int:
    return _number_text(file, cell.text, Span(file, cell.first, cell.last), what)


def check_sequence(numbers: list[tuple[int, Span]], what: str, report: LoadReport) -> None:
    for k, (n, span) in enumerate(numbers):
        expected = numbers[k - 1][0] + 1 if k else 1
        if n > expected:       # a run of numbers left out (a published page may omit rows): one warning names it
            missing = f"number {expected} is" if n == expected + 1 else f"numbers {expected}–{n - 1} are"
            after = f"{n} follows {expected - 1}" if k else f"the first is {n}"
            report.add("warning", span, f"{what} {missing} missing: {after} (numbers should run 1, 2, 3 …)")
        elif n != expected:
            report.add("warning", span, f"{what} number {n} where {expected} was expected (numbers should run 1, 2, 3 …)")


def _years(raw: str) -> tuple[int | None, int | None]:
    m = YEARS.match(raw) or SINGLE_YEAR.match(raw)
    if not m:
        return None, None
    start = int(m.group(1))
    end = int(m.group(2)) if m.lastindex == 2 else start
    return start, end


def project_record(file: str, cells: list[tuple[str, Span]], report: LoadReport, number: str | None = None) -> Project:
    """One row of the key-project table (cells in PROJECT_HEADER order; ``number`` when Word numbering made it)."""
    c = cells
    span = row_span(c[0][1], c[6][1], _common(c[0][1].xpath))
    num = _number_text(file, number or c[0][0], c[0][1], "project")
    years_raw = c[3][0]
    start, end = _years(years_raw)
    if start is None:
        report.add("warning", c[3][1],
                   f"project {num}: construction period {years_raw!r} is not a year range like 2023-2025; kept as printed")
    elif end is not None and end < start:
        report.add("warning", c[3][1],
                   f"project {num}: construction period {years_raw!r} ends before it starts; kept as printed")
    investment_raw = c[4][0]
    investment = amount_yi(investment_raw)   # the document's grammar only: digits, a decimal point, 亿元/万元
    if investment is None:
        report.add("warning", c[4][1], f"project {num}: investment {investment_raw!r} is not a number of 亿元; kept as printed")
    builder = c[5][0] or None
    if builder is None:
        report.add("info", c[5][1], f"project {num}: the construction unit (建设单位) is blank in the source")
    leads, _ = split_owners(c[6][0])
    if not leads:
        report.add("warning", c[6][1], f"project {num}: the lead bureau (牵头单位) is blank")
    return Project(num, c[1][0], c[2][0], years_raw, start, end, investment_raw, investment, builder, c[6][0], leads, span)


def _common(xpath: str | None) -> str | None:
    """The row of a table cell's XPath (…/w:tr[3]/w:tc[1] → …/w:tr[3])."""
    return xpath.rsplit("/", 1)[0] if xpath else None


def _number_text(file: str, text: str, span: Span, what: str) -> int:
    number = printed_count(text)
    if number is None:
        raise PlanFormatError(file, span.first, f"a {what} number (序号, 1 to 9 digits)", text)
    return number
