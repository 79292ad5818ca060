"""The structure reader: a document model (any format) → one plan's records.

It finds, in reading order: the title (and, for a notice that issues a plan
— 国务院关于印发…的通知 — the notice and the plan's own title), the status
line and preamble, chapters ``一、``, sections ``（一）`` (numbering may restart
in each chapter), numbered items ``1.``/``（1）``, principles and goals by their
section titles, tasks closed by responsibility notes, task tables (columns by
header) and the closing lines.  A document in which no plan is found raises
:class:`PlanFormatError`; everything else that cannot be read is kept as
printed and reported.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace

from greenplan.loaders.annexes import PROJECT_HEADER, check_sequence, project_record
from greenplan.loaders.body import (
    ANNEX_HEADING,
    ANNEX_LIST,
    DOC_NUMBER_TAIL,
    GOAL_YEAR,
    NUMERAL,
    STATUS,
    chinese_number,
    chinese_numeral,
    parse_targets,
)
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.layoutwords import layout
from greenplan.loaders.model import Block, Cell, Document, row_span
from greenplan.loaders.notes import closed_tasks, labelled_note, standing_rules, unread_notes, without_notes
from greenplan.loaders.numbers import printed_count
from greenplan.loaders.owners import split_owners
from greenplan.loaders.parties import NoteState, column_role, parse_cells, parse_note
from greenplan.loaders.parties import words as parties_words
from greenplan.loaders.records import (
    Chapter,
    Goal,
    LoadReport,
    Note,
    Notice,
    Plan,
    PlanMetadata,
    Principle,
    Project,
    Section,
    Sentence,
    Span,
    StandingRule,
    Target,
    Task,
    UnreadNote,
)
from greenplan.loaders.runon import report_cuts, resegment

CHAPTER = re.compile(rf"^({NUMERAL})、\s*(.+)$")
SECTION = re.compile(rf"^（({NUMERAL})）\s*(.*)$")
ITEM_LABEL = re.compile(r"(?:(\d{1,3})\.|（(\d{1,3})）)$")   # the item number at the end of a task's label
CHAPTER_LABEL = re.compile(rf"({NUMERAL})、")
ITEM = re.compile(r"^(?:(\d{1,2})[.．、]|[（(](\d{1,2})[）)])\s*(.*)$", re.S)
DOC_NUMBER = re.compile(rf"^[\u4e00-\u9fff]{{1,12}}{DOC_NUMBER_TAIL}$")
DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
NOTICE = re.compile(r"关于印发(.+)的通知$")
TITLE_END = "。：:"
HEADING_MAX = 60          # a chapter heading is a short line (long 一、… paragraphs are running text)
SIGNATURE_MAX = 20        # the issuing body's name above the closing date
QUOTES = "《》“”\"「」"
DEADLINE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日|底)?")
DEADLINE_YEAR = re.compile(r"(\d{4})年")
DEADLINE_PHRASE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:年?底|末)?前")   # 2019年底前, 2019年6月底前 in a task's text
MONTH_END = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def squeeze(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def iso_date(text: str | None) -> str | None:
    """2018年11月12日 → 2018-11-12; None when not a date of the calendar (2018年13月45日)."""
    m = DATE.match(text.strip()) if text else None
    try:
        return datetime.date(int(m[1]), int(m[2]), int(m[3])).isoformat() if m else None
    except ValueError:
        return None


def deadline(raw: str | None) -> tuple[int | None, str | None]:
    """(year, ISO date) a printed deadline means: 2019年底前 → 2019; 2019年6月底前 → 2019-06-30; 持续推进 → none."""
    if not raw:
        return None, None
    m = DEADLINE_DATE.search(raw)
    if m:
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            last = 29 if month == 2 and year % 4 == 0 and (year % 100 or year % 400 == 0) else MONTH_END[month]
            day = int(m[3]) if m[3] else last
            if 1 <= day <= last:
                return year, f"{year:04d}-{month:02d}-{day:02d}"
        return year, None
    m = DEADLINE_YEAR.search(raw)
    return (int(m[1]), None) if m else (None, None)


@dataclass
class _Section:
    index: int
    numeral: str
    number: int | None
    chapter: int
    title: str
    label: str
    span: Span
    pieces: list[tuple[Span, str]] = field(default_factory=list)


class _Reader:
    def __init__(self, doc: Document, report: LoadReport):
        self.doc = doc
        self.file = doc.file
        self.report = report
        self.paras = doc.blocks
        self.state = NoteState()
        self.tasks: list[Task] = []
        self.rules: list[StandingRule] = []
        self.unparsed: list[tuple[Span, str]] = []
        self.unread: list[UnreadNote] = []
        self.measures: dict[tuple[str, str], int] = {}
        self.notes: list[Note] = []
        self.projects: list[Project] = []
        self.pending: tuple[str, Span, str] | None = None   # a paragraph no note has closed yet

    # ------------------------------------------------------------------ front matter
    def _text(self, i: int) -> str:
        b = self.paras[i]
        return b.text if b.kind == "paragraph" else ""

    def first_chapter(self) -> int | None:
        for i, b in enumerate(self.paras):
            if b.kind == "paragraph" and (m := CHAPTER.match(b.text)) and m[1] == "一" and _heading_length(b.text):
                return i
        return None

    def body_end(self, start: int) -> int:
        closing = set(layout()["marks"]["closing"])
        for i in range(start, len(self.paras)):
            b = self.paras[i]
            if b.kind != "paragraph":
                continue
            t = squeeze(b.text)
            if ANNEX_LIST.match(t) or ANNEX_HEADING.match(t) or t in closing:
                return self._before_signature(start, i)
            if DATE.match(t):
                return self._before_signature(start, i)
        return len(self.paras)

    def _before_signature(self, start: int, i: int) -> int:
        """Step back over the issuer's name and the date that close a document."""
        while i > start:
            t = squeeze(self._text(i - 1))
            if DATE.match(t) or (t and len(t) <= SIGNATURE_MAX and not re.search(r"[。，；：、]", t)
                                 and not CHAPTER.match(t) and not SECTION.match(t)):
                i -= 1
            else:
                break
        return i

    # ------------------------------------------------------------------ body
    def read_body(self, start: int, stop: int):
        chapters: list[Chapter] = []
        sections: list[_Section] = []
        current: _Section | None = None
        last_number = 0
        for i in range(start, stop):
            b = self.paras[i]
            if b.kind == "table":
                self.read_table(b, chapters[-1].title if chapters else "")
                continue
            text = b.text
            m = CHAPTER.match(text)
            if m and _heading_length(text) and chinese_number(m[1]) == len(chapters) + 1:
                chapters.append(Chapter(len(chapters) + 1, m[1], m[2].strip(), b.span))
                current = None
                self.pending = None
                continue
            if m and _heading_length(text) and chinese_number(m[1]) is None:
                self.report.add("warning", b.span, f"heading-like line {text[:30]!r}: {m[1]} is not a Chinese counting "
                                                    f"number; kept as running text")
            m = SECTION.match(text)
            if m and chapters:
                number = chinese_number(m[1])
                if number is None:
                    self.report.add("warning", b.span, f"section numeral （{m[1]}） is not a Chinese counting number "
                                                        f"(（一） … （九十九））; kept as printed, without a number")
                elif number != 1 and number != last_number + 1:
                    self.report.add("warning", b.span, f"section （{m[1]}） where （{chinese_numeral(last_number + 1)}）"
                                                        f" or a restart at （一） was expected; kept as printed")
                last_number = number if number is not None else last_number
                title, rest = _title(m[2])
                current = _Section(len(sections) + 1, m[1], number, len(chapters), title, f"（{m[1]}）", b.span)
                if rest:
                    current.pieces.append((b.span, rest))
                sections.append(current)
                self.tasks_from(rest, b.span, chapters[-1], current, current.label, title_only=title)
                continue
            if current is None:
                self.unparsed.append((b.span, text))
                self.report.add("info", b.span, f"text outside any section kept as chapter text: {text[:30]!r}")
                self.tasks_from(text, b.span, chapters[-1] if chapters else None, None, _own_label(text))
                continue
            current.pieces.append((b.span, text))
            label = current.label
            if (item := ITEM.match(text)):
                label += (f"{item[1]}." if item[1] else f"（{item[2]}）")
            self.tasks_from(text, b.span, chapters[-1], current, label)
        return chapters, sections

    def tasks_from(self, text: str, span: Span, chapter: Chapter | None, section: _Section | None, label: str,
                   title_only: str | None = None) -> None:
        """Tasks closed by the notes of one paragraph; a note on a line of its own closes the paragraph above."""
        pending, self.pending = self.pending, None
        if not text and title_only is None:
            return
        for s, e, why in unread_notes(text):
            self.unread_note(text[s:e], span, why)
        closed, rest = closed_tasks(text)
        for k, c in enumerate(closed):
            body = ITEM.sub(lambda m: m[3], c.text, count=1) if k == 0 else c.text
            if k == 0 and CHAPTER_LABEL.fullmatch(label or "") and body.startswith(label):
                body = body[len(label):]     # 十二、对…（X负责）: the printed number is the label, not the text
            if k == 0 and not body and title_only is None and pending is not None:
                body, first, label = pending[0], pending[1], pending[2]   # 牵头单位：… under its item
                self.note_task(body, c.note, _join_spans([first, span]), chapter, section, label)
                continue
            if k == 0 and title_only is not None and not body:
                body = title_only   # （三）标题。（X负责）: the note closes the title alone
            self.note_task(body, c.note, span, chapter, section, label)
        if not closed:
            waiting = ITEM.sub(lambda m: m[3], text, count=1) if text else title_only
            self.pending = (waiting, span, label) if waiting else None
        elif rest:
            self.report.add("info", span, f"text after the last responsibility note of the paragraph is not a task: "
                                          f"{rest[:30]!r}")

    def note_task(self, text: str, note: str, span: Span, chapter: Chapter | None, section: _Section | None,
                  label: str) -> None:
        parse = parse_note(note, self.state)
        for p in parse.problems:
            self.unread_note(note, span, p)
        self._rules(parse.standing_rules, span)
        if not text:
            self.report.add("warning", span, f"responsibility note {note!r} closes no text")
        chapter_title = chapter.title if chapter else ""
        measure = section.title if section else chapter_title
        raw_deadline = (_deadline_in(note) or ((m := DEADLINE_PHRASE.search(note)) and m[0])
                        or ((m := DEADLINE_PHRASE.search(text)) and m[0]) or None)
        year, date = deadline(raw_deadline)
        self.tasks.append(Task(
            number=len(self.tasks) + 1, chapter=chapter_title, measure=measure,
            measure_index=self.measures.setdefault((chapter_title, measure), len(self.measures) + 1),
            text=text, owners=[], owners_raw=note, open_list=parse.open_list, span=span, label=label or None,
            note=note, parties=parse.parties, deadline_raw=raw_deadline, deadline_year=year,
            deadline_date=date, section=section.index if section else None))

    def unread_note(self, text: str, span: Span, why: str, kind: str = "note") -> None:
        """Note-like text not understood: kept as printed on the plan, reported with its location."""
        self.unread.append(UnreadNote(text, span, why, kind))
        what = {"note": "responsibility note", "cell": "responsibility cell"}.get(kind, "table with responsibility columns")
        self.report.add("warning", span, f"{what} {text[:60]!r} not understood ({why}); kept as printed")

    def _rules(self, rules: list[str], span: Span) -> None:
        for r in rules:
            if all(x.text != r for x in self.rules):
                self.rules.append(StandingRule(r, span))

    # ------------------------------------------------------------------ tables
    def read_table(self, table: Block, chapter: str, annex: int = 0) -> bool:
        """Tasks (or projects) of a table, columns found by header; False when it is neither."""
        cols = layout()["columns"]
        for h, row in enumerate(table.rows[:3]):
            headers = [squeeze(c.text) for c in row]
            if all(name in headers for name in PROJECT_HEADER):
                self.read_projects(table, h, headers, annex)
                return True
            kinds = _column_kinds(headers, cols)
            if "text" in kinds.values() and any(k == "party" for k in kinds.values()):
                break
        else:
            self._responsibility_without_tasks(table, "no column of task text (重点任务, 工作任务 …) beside it")
            return False
        printed_number = any(k == "number" for k in kinds.values())
        first_task = len(self.tasks)
        measure = ""
        chap = chapter
        for row in table.rows[h + 1:]:
            texts = [squeeze(c.text) for c in row]
            if texts == headers:
                continue   # the header repeated on a new page
            if _heading_row(row):
                if self.table_note(row, annex):
                    continue
                measure = row[0].text.strip()
                continue
            values: dict[str, str] = {}
            parties_cells: list[tuple[str, str]] = []
            party_at: list[int] = []            # the column of each responsibility cell
            columns: dict[str, str] = {}
            number_cell: Cell | None = None
            for j, cell in enumerate(row):
                kind = kinds.get(j)
                text = cell.text.strip()
                header = headers[j] if j < len(headers) else f"column {j + 1}"   # a row wider than its header
                if kind == "party":
                    parties_cells.append((header, text))
                    party_at.append(j)
                elif kind == "number":
                    number_cell = cell
                elif kind:
                    values.setdefault(kind, text)
                else:
                    columns[header] = text
            if not any(values.values()) and not any(t for _, t in parties_cells):
                continue
            chap = values.get("chapter") or chap
            if "measure" in kinds.values():     # a measure column: an empty (merged-away) cell carries the one above
                measure = values.get("measure") or measure
            meas = measure or chap
            label = None
            if number_cell is not None:
                label = number_cell.number or number_cell.text.strip() or None
            span = row_span(row[0].span, row[-1].span, _row_path(row))
            parse = parse_cells(parties_cells, self.state)
            for k, p in parse.cell_problems:     # located at the cell: its table, row and column
                hd, cell_text = parties_cells[k]
                self.unread_note(f"{hd}：{cell_text}", row[party_at[k]].span, f"column {party_at[k] + 1}, {hd}: {p}",
                                 kind="cell")
            self._rules(parse.standing_rules, span)
            raw_deadline = values.get("deadline")
            year, date = deadline(raw_deadline)
            owners_raw = "；".join(t for _, t in parties_cells) if len(parties_cells) == 1 else \
                "；".join(f"{hd}：{t}" for hd, t in parties_cells)
            owners, open_list = split_owners(parties_cells[0][1]) if len(parties_cells) == 1 else ([], parse.open_list)
            if not values.get("text"):
                self.report.add("warning", span, f"task {label or ''} has an empty task text")
            if not any(t for _, t in parties_cells):
                self.report.add("warning", span, f"task {label or ''} has no responsible body "
                                                 f"({'/'.join(hd for hd, _ in parties_cells)} is empty); kept without owners")
            self.tasks.append(Task(
                number=(printed_count(label or "") or len(self.tasks) + 1) if printed_number
                else len(self.tasks) + 1,
                chapter=chap, measure=meas,
                measure_index=self.measures.setdefault((chap, meas), len(self.measures) + 1),
                text=values.get("text", ""), owners=owners, owners_raw=owners_raw,
                open_list=open_list or parse.open_list, span=span, label=label, note=None, parties=parse.parties,
                deadline_raw=raw_deadline or None, deadline_year=year, deadline_date=date, columns=columns))
        if printed_number:
            check_sequence([(t.number, t.span) for t in self.tasks[first_task:]], "task", self.report)
        if len(self.tasks) == first_task:
            self._responsibility_without_tasks(table, "rows with a task text or a responsible body under its header")
        self.below_rows(table, annex)
        return True

    def _responsibility_without_tasks(self, table: Block, expected: str) -> None:
        """A table whose header names responsibility (牵头部门, 责任单位 …) but that gave no task: said out loud."""
        for row in table.rows[:3]:
            headers = [squeeze(c.text) for c in row]
            if any(column_role(h) for h in headers if h):
                self.unread_note(" | ".join(headers), row[0].span, f"the header names responsibility; expected "
                                 f"{expected}", kind="table")
                return

    def below_rows(self, table: Block, annex: int) -> None:
        for text, span in table.notes:
            self.notes.append(Note(len(self.notes) + 1, annex, text, span))
            for rule in standing_rules(self.notes[-1:]):
                self._rules([rule.text], span)

    def table_note(self, row: list[Cell], annex: int) -> bool:
        """A row across the table that ends a sentence is a note below the rows (kept; a standing rule noted)."""
        text = row[0].text.strip()
        if not text.endswith("。"):
            return False
        span = row[0].span
        self.notes.append(Note(len(self.notes) + 1, annex, text, span))
        for rule in standing_rules(self.notes[-1:]):
            self._rules([rule.text], span)
        return True

    def read_projects(self, table: Block, h: int, headers: list[str], annex: int) -> None:
        at = [headers.index(name) for name in PROJECT_HEADER]
        for row in table.rows[h + 1:]:
            if not row or [squeeze(c.text) for c in row] == headers:
                continue
            if len(row) <= max(at):     # fewer cells than the header's columns: which cell is which is not known
                text = "".join(c.text for c in row).strip()
                self.report.add("warning", row[0].span, f"project table row of {len(row)} cells where the header has "
                                                        f"{len(headers)}; kept as a note, not read as a project: {text[:30]!r}")
                self.notes.append(Note(len(self.notes) + 1, annex, text, row[0].span))
                continue
            if _heading_row(row):
                if not self.table_note(row, annex):
                    self.report.add("warning", row[0].span, f"row across the project table kept as a note: "
                                                            f"{row[0].text[:30]!r}")
                    self.notes.append(Note(len(self.notes) + 1, annex, row[0].text.strip(), row[0].span))
                continue
            cells = [(row[j].text.strip(), row[j].span) for j in at]
            self.projects.append(project_record(self.file, cells, self.report, row[at[0]].number))
        check_sequence([(p.number, p.span) for p in self.projects], "project", self.report)
        self.below_rows(table, annex)


def _title(rest: str) -> tuple[str, str]:
    """A section's title (up to its first 。 or ：) and the text after it."""
    for i, ch in enumerate(rest):
        if ch in TITLE_END:
            return rest[:i], rest[i + 1:].strip()
    return rest.strip(), ""


def _deadline_in(note: str) -> str | None:
    labels = "|".join(parties_words().deadline_labels)
    m = re.search(rf"(?:{labels})[：:][ \t\u3000]*([^，；;。）)\n]+)", note)
    return m[1].strip() if m else None


def _column_kinds(headers: list[str], cols: dict) -> dict[int, str]:
    kinds: dict[int, str] = {}
    for j, h in enumerate(headers):
        if not h:
            continue
        if h in cols["number"]:
            kinds[j] = "number"
        elif h in cols["chapter"]:
            kinds[j] = "chapter"
        elif h in cols["deadline"]:
            kinds[j] = "deadline"
        elif column_role(h):
            kinds[j] = "party"
        elif h in cols["text"]:
            kinds[j] = "text"
    texts = [j for j, k in kinds.items() if k == "text"]
    if len(texts) > 1:   # 主要任务 next to 任务内容: the first is the measure, the best-ranked the text
        best = min(texts, key=lambda j: cols["text"].index(headers[j]))
        for j in texts:
            if j != best and headers[j] in cols["measure"]:
                kinds[j] = "measure"
            elif j != best:
                del kinds[j]
    return kinds


def _heading_row(row: list[Cell]) -> bool:
    """A row that groups the rows below it: one text across the row (一、知识产权保护方面（共5项）)."""
    texts = {c.text.strip() for c in row if c.text.strip()}
    return len(texts) == 1 and len(row) > 1 and all(c.merged for c in row[1:]) and not row[0].merged


def _row_path(row: list[Cell]) -> str | None:
    path = row[0].span.xpath
    if not path:
        return None
    return path.rsplit("/", 1)[0]


def _find_notice(doc_paras: list[Block], title: str, front: range) -> int | None:
    """Index of the issued plan's title paragraph in a notice that issues a plan (关于印发X的通知), or None."""
    m = NOTICE.search(squeeze(title))
    if not m:
        return None
    wanted = squeeze(m[1]).strip(QUOTES)
    for i in front:
        b = doc_paras[i]
        for k in range(1, 4):
            if i + k > front.stop:
                break
            joined = squeeze("".join(doc_paras[j].text for j in range(i, i + k) if doc_paras[j].kind == "paragraph"))
            if joined.strip(QUOTES) == wanted and b.kind == "paragraph":
                return i
    return None


def read_structure(doc: Document, meta: PlanMetadata, report: LoadReport, meta_given: set[str]) -> Plan:
    """Records of the one plan in ``doc``; ``meta_given`` names the metadata keys a .meta.toml set (they win)."""
    blocks, cuts = resegment(doc.blocks, doc.formats, doc.format)    # text as crawlers store it reads as the page
    report_cuts(cuts, doc.formats, doc.format, report)
    doc = replace(doc, blocks=_label_lines(blocks))
    r = _Reader(doc, report)
    paras = r.paras
    start = r.first_chapter()
    if start is None:   # no chapters: a plan only if its paragraphs carry responsibility notes or it has a task table
        start = len(paras)
    stop = r.body_end(start) if start < len(paras) else next(  # no chapters: tables and annexes are read as annexes
        (i for i, b in enumerate(paras) if b.kind == "table" or ANNEX_HEADING.match(squeeze(b.text))), len(paras))

    # front matter: title lines, document number, status, addressee, notice, preamble
    front = [i for i in range(start) if paras[i].kind == "paragraph" and paras[i].text]
    title_idx: list[int] = []
    number = status = None
    status_span = None
    rest_at = len(front)
    for k, i in enumerate(front):
        t = paras[i].text
        if DOC_NUMBER.match(squeeze(t)):
            number = squeeze(t)
            rest_at = k + 1
            break
        if status_match := STATUS.match(squeeze(t)):
            status, status_span = status_match[1], paras[i].span
            rest_at = k + 1
            break
        if t.endswith(("：", ":")) and title_idx:
            rest_at = k
            break
        title_idx.append(i)
    if rest_at == len(front) and len(title_idx) > 1:   # no marker: the first line is the title, the rest preamble
        title_idx, rest_at = title_idx[:1], 1
    printed_title = "".join(paras[i].text for i in title_idx)
    title_span = _join_spans([paras[i].span for i in title_idx]) if title_idx else (
        paras[0].span if paras else Span(doc.file, 1, 1))
    after = front[rest_at:]
    if after and status is None and (status_match := STATUS.match(squeeze(paras[after[0]].text))):
        status, status_span = status_match[1], paras[after[0]].span
        after = after[1:]
    fields = {k: v for k, (v, _) in doc.fields.items()}
    notice = None
    plan_at = _find_notice(paras, fields.get("标题") or printed_title, range(after[0], start) if after else range(0))
    if plan_at is not None:
        notice_idx = [i for i in after if i < plan_at]
        notice = Notice(fields.get("标题") or printed_title, "".join(paras[i].text for i in notice_idx),
                        _join_spans([title_span] + [paras[i].span for i in notice_idx]), number,
                        plan_title=paras[plan_at].text)
        plan_title_idx = [plan_at]
        after = [i for i in after if i > plan_at]
        if after and (status_match := STATUS.match(squeeze(paras[after[0]].text))):
            status, status_span = status_match[1], paras[after[0]].span
            after = after[1:]
        title_span = paras[plan_title_idx[0]].span
    preamble = "".join(paras[i].text for i in after)
    preamble_span = _join_spans([paras[i].span for i in after]) if after else title_span
    for i in after:
        r.tasks_from(paras[i].text, paras[i].span, None, None, _own_label(paras[i].text))

    chapters, secs = r.read_body(start, stop) if start < len(paras) else ([], [])
    tail: list[Block] = paras[stop:]
    signature = None
    annex = 0
    for b in tail:
        if b.kind == "paragraph" and (m := ANNEX_HEADING.match(squeeze(b.text))):
            annex = int(m[1]) if m[1] else annex + 1
        if b.kind == "table":
            if not r.read_table(b, "", annex):
                r.unparsed.append((b.span, "a table that is not a task table"))
                report.add("info", b.span, "table without task and responsibility columns kept uninterpreted")
        elif DATE.match(squeeze(b.text)) and fields.get("成文日期") is None:
            fields.setdefault("成文日期", squeeze(b.text))
    for before, b in zip(tail, tail[1:]):   # the issuer's name right above the date that closes the text
        t = squeeze(before.text) if before.kind == "paragraph" else ""
        if DATE.match(squeeze(b.text)) and t and len(t) <= SIGNATURE_MAX and not re.search(r"[。，；：、（）.．]", t):
            signature = t
            break
    if not chapters and not r.tasks and not r.projects:
        raise PlanFormatError(doc.file, paras[0].span.first if paras else 1,
                              "a plan: chapter headings like 一、总体要求, responsibility notes such as （X负责） or a "
                              "task table with a responsibility column", printed_title or "no text",
                              "check that the file is a policy plan or the page that publishes it")

    sections = [Section(s.index, s.numeral, s.chapter, s.title, "".join(t for _, t in s.pieces),
                        _sentences(s.pieces), _join_spans([s.span] + [sp for sp, _ in s.pieces]), s.number)
                for s in secs]
    principles, targets, goals = _principles_and_goals(sections, secs, report)
    tasks = _numbered(r.tasks)

    # metadata: the .meta.toml wins, then the page's metadata table, then the text
    def take(key: str, value):
        if key not in meta_given and value:
            setattr(meta, key, value)
    take("title", fields.get("标题"))
    take("number", fields.get("发文字号") or number)
    take("issuer", fields.get("发文机关") or signature)
    for key, label in (("date_written", "成文日期"), ("date_published", "发布日期")):
        printed = fields.get(label)
        take(key, iso_date(printed))
        if printed and key not in meta_given and iso_date(printed) is None:
            report.add("warning", None, f"{label} {printed[:40]!r} is not a date of the calendar; left out of the graph")
    take("index_number", fields.get("索引号"))
    take("subject", fields.get("主题分类"))
    if "identifier" not in meta_given and meta.number:
        meta.identifier = number_slug(meta.number) or meta.identifier
    if meta.status and status and meta.status != status:
        report.add("warning", status_span, f"status in the text ({status}) differs from the metadata file "
                                           f"({meta.status}); the text wins")
    title = meta.title if "title" in meta_given else (fields.get("标题") or printed_title)
    if not title:
        raise PlanFormatError(doc.file, 1, "the plan's title on its first line", "no text")
    return Plan(
        metadata=meta, source_file=doc.file, source_sha256=doc.sha256, line_count=doc.line_count,
        title=title, title_span=title_span, status=status or None, status_span=status_span,
        preamble=preamble, preamble_span=preamble_span, chapters=chapters, sections=sections,
        principles=principles, targets=targets, goals=goals, tasks=tasks, projects=r.projects, notes=r.notes,
        unparsed=r.unparsed, unread_notes=r.unread, notice=notice, standing_rules=r.rules, source_format=doc.format)


def number_slug(number: str) -> str | None:
    """国发〔2018〕42号 → gf-2018-42 (initials of the issuer's abbreviation, year, serial number)."""
    from pypinyin import Style, lazy_pinyin

    m = re.match(r"^([\u4e00-\u9fff]+)[〔\[［(（](\d{4})[〕\]］)）](\d+)号$", squeeze(number))
    if not m:
        return None
    initials = "".join(lazy_pinyin(m[1], style=Style.FIRST_LETTER)).lower()
    initials = re.sub(r"[^a-z]", "", initials)
    return f"{initials}-{m[2]}-{int(m[3])}" if initials else None


def _join_spans(spans: list[Span]) -> Span:
    first = spans[0]
    same = all(s.xpath == first.xpath for s in spans)
    return Span(first.file, min(s.first for s in spans), max(s.last for s in spans),
                first.xpath if same else _common_path([s.xpath for s in spans]))


def _common_path(paths: list[str | None]) -> str | None:
    if any(p is None for p in paths):
        return None
    parts = [p.split("/") for p in paths if p is not None]
    common: list[str] = []
    for level in zip(*parts):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common) or None


def _without_item_number(sentence: str) -> str:
    """A sentence without the number of the item it opens (1.推进学校节能改造。 → 推进学校节能改造。): the number
    is the item's place, as a section's （一） is, and the task read from the item does not carry it."""
    m = ITEM.match(sentence.lstrip())
    return m[3] if m and m[3] and not m[3][0].isdigit() else sentence


def _sentences(pieces: list[tuple[Span, str]]) -> list[Sentence]:
    """Sentences of the running text, a sentence running on into the next paragraph until its 。;
    responsibility notes are not sentences (they are kept on their tasks)."""
    out: list[Sentence] = []
    buf = ""
    first: Span | None = None
    for span, printed in pieces:
        for ch in without_notes(printed):
            if first is None:
                first = span
            buf += ch
            if ch == "。":
                out.append(Sentence(len(out) + 1, _without_item_number(buf), _join_spans([first, span])))
                buf, first = "", None
    if buf.strip() and first is not None:
        out.append(Sentence(len(out) + 1, buf, _join_spans([first, pieces[-1][0]])))
    return out


def _principles_and_goals(sections: list[Section], secs: list[_Section], report: LoadReport):
    words = layout()["titles"]
    principles: list[Principle] = []
    targets: list[Target] = []
    goals: list[Goal] = []
    for s, raw in zip(sections, secs):
        if any(w in s.title for w in words["principles"]):
            for span, para in raw.pieces:
                name, sep, rest = para.partition("。")
                if not sep:
                    report.add("warning", span, f"principle without a name sentence kept as text: {para[:30]!r}")
                principles.append(Principle(len(principles) + 1, name, rest, span))
        elif any(w in s.title for w in words["goals"]):
            for span, para in raw.pieces:
                m = GOAL_YEAR.match(para) or re.match(r"^到(\d{4})年", para)
                if not m:
                    report.add("info", span, f"goal paragraph without a year (到2025年，…) kept in its section: "
                                             f"{para[:30]!r}")
                    continue
                year = int(m[1])
                qualitative: list[str] = []
                for sent in _sentences([(span, para)]):
                    if re.search(r"\d+(?:\.\d+)?[%％]", sent.text):
                        targets.extend(parse_targets(span.file, year, sent, len(targets) + 1, report))
                    else:
                        qualitative.append(sent.text)
                if qualitative:
                    goals.append(Goal(len(goals) + 1, year, "".join(qualitative), span))
    return principles, targets, goals


def _is_label_line(text: str) -> bool:
    """A line that starts with a label of a note: 牵头单位：…, 配合单位：…, 责任单位：…, 完成时限：…"""
    w = parties_words()
    return any(text.startswith(h + c) for h in list(w.headers) + list(w.deadline_labels) for c in "：:")


def _label_lines(blocks: list[Block]) -> list[Block]:
    """Consecutive label lines under an item (牵头单位：… / 配合单位：… / 完成时限：…, each on its own line) are one
    note: one paragraph of the lines as printed, joined by line breaks, located at all of them.  So is a label
    line under an item whose paragraph itself ends with the first label (1.实施节能改造。牵头单位：X / 配合单位：Y)."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (b.kind == "paragraph" and prev is not None and prev.kind == "paragraph" and _is_label_line(b.text)
                and (_is_label_line(prev.text) or labelled_note(prev.text) is not None)):
            out[-1] = replace(prev, text=prev.text + "\n" + b.text, span=_join_spans([prev.span, b.span]))
        else:
            out.append(b)
    return out


def _heading_length(text: str) -> bool:
    """A chapter heading is a short line that no responsibility note closes (一、对…区优先支持。（X负责） is a
    numbered paragraph of a notice, not a heading)."""
    return len(text) <= HEADING_MAX and not closed_tasks(text)[0]


def _own_label(text: str) -> str:
    """The number a paragraph outside any section prints at its start: ``40.`` right under a chapter
    (四、创新人才工作体制机制), ``十二、`` of a notice whose numbered paragraphs each close with a note; else ""."""
    if (item := ITEM.match(text)):
        return f"{item[1]}." if item[1] else f"（{item[2]}）"
    if (m := CHAPTER.match(text)) and chinese_number(m[1]):
        return f"{m[1]}、"
    return ""


def _printed_number(label: str | None) -> int | None:
    """The number a task's label prints last: （三）38. → 38, （2） → 2, 十二、 → 12; None for （四） (a section)."""
    if not label:
        return None
    if (m := ITEM_LABEL.search(label)):
        return int(m[1] or m[2])
    if (m := CHAPTER_LABEL.fullmatch(label)):
        return chinese_number(m[1])
    return None


def _numbered(tasks: list[Task]) -> list[Task]:
    """Printed numbers where items are numbered: the number of a task's own item (``38.`` under （三） is 38, also
    when the numbering runs on across sections and chapters; ``十二、`` of a notice's numbered paragraphs is 12).
    When every task closed by a note has a printed number and no two share one, those are the numbers; when the
    numbers repeat (numbering restarts in each section) or a task has none, every task is numbered in document
    order and the printed number stays in its label.  A table's 序号 is its rows' number."""
    from_notes = [t for t in tasks if t.note is not None]
    printed = [_printed_number(t.label) for t in from_notes]
    if from_notes and all(n is not None for n in printed) and len(set(printed)) == len(printed):
        for t, n in zip(from_notes, printed):
            t.number = n if n is not None else t.number
    numbers = [t.number for t in tasks]
    if len(set(numbers)) != len(numbers):
        for k, t in enumerate(tasks, 1):
            t.number = k
    return tasks


__all__ = ["read_structure", "number_slug", "deadline"]
