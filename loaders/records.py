"""Typed records produced by the loaders.

Every record carries a :class:`Span` naming the source file and the first and
last line (1-based, inclusive) the fact was read from.  Records hold text as
printed; values that could not be interpreted stay on the record as raw text
(``*_raw`` fields) and are reported in the :class:`LoadReport`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from greenplan.loaders.location import place


@dataclass(frozen=True)
class Span:
    """Where a record was printed.

    ``first``/``last`` are source line numbers for text and HTML (1-based,
    inclusive) and 1-based body-block ordinals for Word files.  ``xpath``,
    when set, names the element: in the saved page for HTML, in
    ``word/document.xml`` for Word (the graph emits it as a Web Annotation
    XPathSelector; line ranges become RFC 5147 fragment selectors).
    ``fragment``, when set, is where the record is in a PDF (``page=3&viewrect=…``, RFC 8118) or a
    spreadsheet (``Sheet!A3:E3``); ``first``/``last`` then count lines (PDF) or rows (spreadsheet).
    """
    file: str
    first: int
    last: int
    xpath: str | None = None
    fragment: str | None = None

    def __str__(self) -> str:
        """``file:12`` / ``file:12-14`` for text (as compilers and editors write it), else ``file: place`` (see
        :func:`place`: ``paragraph 14``, ``table 1 row 21``, ``page 3``, ``分工!A3:E3``); :meth:`full` has it all."""
        return self.at(self.file)

    def at(self, file: str) -> str:
        """:meth:`__str__` with the file named ``file`` (e.g. the URL it was read from)."""
        if self.xpath or self.fragment:
            return f"{file}: {self.place()}"
        return f"{file}:{self.first}" + (f"-{self.last}" if self.last != self.first else "")

    def place(self) -> str:
        return place(self.xpath, self.fragment, self.first, self.last)

    def full(self) -> str:
        """``file:lines (xpath or fragment)``: every coordinate the span has (for --verbose)."""
        lines = str(self.first) if self.first == self.last else f"{self.first}-{self.last}"
        if self.xpath or self.fragment:
            return f"{self.file}:{lines} ({self.xpath or self.fragment})"
        return f"{self.file}:{lines}"


@dataclass
class Sentence:
    index: int          # 1-based position within its section
    text: str           # as printed, ending with 。 where the text has one
    span: Span


@dataclass
class Chapter:
    index: int          # 1..8 (一…八)
    numeral: str        # 一
    title: str
    span: Span


@dataclass
class Section:
    index: int          # document order 1..N, unique in the plan (the printed number where numbering runs on)
    numeral: str        # as printed: 一 of （一）
    chapter: int        # index of the chapter it belongs to
    title: str          # without the closing 。
    text: str           # the paragraph(s) after the title, joined without separators
    sentences: list[Sentence]
    span: Span
    number: int | None = None   # value of the printed numeral (restarts in each chapter in many documents)


@dataclass
class Principle:
    index: int
    name: str           # e.g. 系统推进，突出重点
    text: str           # the rest of the paragraph
    span: Span


@dataclass
class Target:
    index: int
    year: int
    indicator: str
    statement: str      # the clause as printed
    value: Decimal | None = None
    unit: str | None = None
    direction: str | None = None   # decrease | at-least | maintain | None (qualitative)
    qualitative: str | None = None  # the qualitative statement when no number is given
    span: Span | None = None


@dataclass
class Goal:
    index: int
    year: int
    text: str
    span: Span


@dataclass
class OwnerName:
    """One name in a responsible-body cell, exactly as printed."""
    spelling: str
    municipal: bool     # a 市 on the first name of the cell carries over to this one
    position: int       # 1-based order in the cell


@dataclass
class Party:
    """One party of a task, as the note or table row printed it."""
    position: int       # 1-based across the whole note or row, in printed order
    spelling: str       # as printed, without 等 or connecting words
    role: str           # lead | supporting | participating | guiding | responsible
    collective: bool    # 有关部门, 各省级人民政府, 各区、县级市 …: one party, never split
    municipal: bool = False  # hint: a 市 on the first name of the note/cell carries over to this one


@dataclass
class NoteParse:
    """What the responsibility parser reads from a note or a row's responsibility cells."""
    parties: list[Party]
    open_list: bool = False                                  # a trailing 等
    standing_rules: list[str] = field(default_factory=list)  # 以下均需…落实，不再列出, as printed
    problems: list[str] = field(default_factory=list)        # parts that could not be read
    cell_problems: list[tuple[int, str]] = field(default_factory=list)   # table cells: (cell index, problem)


@dataclass
class StandingRule:
    text: str           # as printed
    span: Span


@dataclass
class Notice:
    """The notice that issues a plan (国务院关于印发…的通知)."""
    title: str
    text: str
    span: Span
    number: str | None = None   # 发文字号 as printed
    plan_title: str | None = None   # the issued plan's own title as printed


@dataclass
class Task:
    number: int         # unique in the plan: the printed number where items are numbered, else document order
    chapter: str        # title as printed in the 重点工作 column (or of the chapter the task is in)
    measure: str        # title as printed in the 主要任务 column (or of the section / heading row)
    measure_index: int  # 1-based order of the measure in the plan
    text: str
    owners: list[OwnerName]
    owners_raw: str
    open_list: bool     # the cell ends with 等: the list of bodies is not closed
    span: Span
    label: str | None = None            # the number as printed (3, （四）, （四）2.)
    note: str | None = None             # the responsibility note as printed, parentheses included
    parties: list[Party] = field(default_factory=list)
    deadline_raw: str | None = None     # 完成时限 / 2019年底前 / 持续推进, as printed
    deadline_year: int | None = None
    deadline_date: str | None = None    # ISO yyyy-mm-dd when a day is meant
    section: int | None = None          # Section.index the task is printed in
    columns: dict[str, str] = field(default_factory=dict)   # other cells of its table row, by header as printed


@dataclass
class Project:
    number: int
    name: str
    content: str
    years_raw: str
    start_year: int | None
    end_year: int | None
    investment_raw: str
    investment: Decimal | None
    builder: str | None
    lead_raw: str
    leads: list[OwnerName]
    span: Span


@dataclass
class Note:
    index: int
    annex: int
    text: str
    span: Span


@dataclass
class PlanMetadata:
    identifier: str
    title: str | None = None
    title_en: str | None = None
    jurisdiction_code: str | None = None
    jurisdiction_name: str | None = None
    issuer: str | None = None       # spelling of the issuing body, resolved through the authority list
    issuer_basis: str | None = None
    status: str | None = None
    kind: str | None = None         # the kind of document (a concept of ontology/document-kinds.ttl, e.g. opinions)
    language: str = "zh"
    description: str | None = None
    description_en: str | None = None
    source_path: str | None = None  # the metadata file, when there is one
    number: str | None = None          # 发文字号 as printed (国发〔2018〕39号)
    date_written: str | None = None    # 成文日期, ISO yyyy-mm-dd
    date_published: str | None = None  # 发布日期, ISO yyyy-mm-dd
    index_number: str | None = None    # 索引号
    subject: str | None = None         # 主题分类


@dataclass
class UnreadNote:
    """Note-like text that was not understood: kept as printed, reported, and for the graph to flag.

    kind: ``note`` — a parenthesis or label line with a role word (负责, 牵头单位：…) whose parties are neither
    bodies' names nor collectives by shape, or a clause with no role word; ``table`` — a table whose header
    names responsibility (牵头部门, 责任单位 …) but that yields no task; ``cell`` — a responsibility cell of a table
    row (牵头单位, 配合单位 …) whose text is neither a body's name nor a collective by shape (never made a body)."""
    text: str           # as printed (a note with its parentheses; a table's header row joined by " | "; a cell as
                        # 表头：text)
    span: Span          # a cell: the cell's own span (its sheet and cell, its table and row)
    why: str            # what was expected (a cell: its column, 1-based, and header first)
    kind: str = "note"  # note | table | cell


@dataclass
class LoadIssue:
    severity: str       # error | warning | info
    span: Span | None
    message: str
    cause: str | None = None    # what the issues of one cause share (e.g. an unresolved spelling's warning)
    context: str | None = None  # where in the plan, in words (task （一）1.), when the message is context: cause

    def __str__(self) -> str:
        return self.text()

    def text(self, urls: dict[str, str] | None = None, verbose: bool = False) -> str:
        """``file: place: severity: message`` (the file as its URL when ``urls`` has it); ``verbose``: the
        span's every coordinate (its full XPath or fragment) instead of its short place."""
        return f"{self.where(urls, verbose)}{self.severity}: {self.message}"

    def where(self, urls: dict[str, str] | None = None, verbose: bool = False) -> str:
        """``file: place: `` (or ``file:lines (xpath): `` when ``verbose``), empty without a span."""
        if not self.span:
            return ""
        file = (urls or {}).get(self.span.file, self.span.file)
        return (file + self.span.full()[len(self.span.file):] if verbose else self.span.at(file)) + ": "


@dataclass
class IssueGroup:
    """The issues of one cause: the first (document order of the report) and how many there are."""
    first: LoadIssue
    count: int

    def __str__(self) -> str:
        return self.text()

    def text(self, urls: dict[str, str] | None = None) -> str:
        i = self.first
        if self.count == 1 or i.cause is None:
            return i.text(urls)
        first = f"; the first: {i.context}" if i.context else ""
        return f"{i.where(urls)}{i.severity}: {i.cause} ({self.count} occurrences{first})"


@dataclass
class LoadReport:
    issues: list[LoadIssue] = field(default_factory=list)

    def lines(self, urls: dict[str, str] | None = None, verbose: bool = False) -> list[str]:
        """For a reader: one line per cause at its first place (:meth:`grouped`); ``verbose``: every issue with
        its span's every coordinate. ``urls``: a span's file → the URL it was read from (named instead)."""
        if verbose:
            return [i.text(urls, verbose=True) for i in self.issues]
        return [g.text(urls) for g in self.grouped()]

    def add(self, severity: str, span: Span | None, message: str, cause: str | None = None,
            context: str | None = None) -> None:
        """One issue; ``cause`` groups it with the others of the same cause (``context`` says where it is)."""
        self.issues.append(LoadIssue(severity, span, message, cause, context))

    def warnings(self) -> list[LoadIssue]:
        return [i for i in self.issues if i.severity != "info"]

    def grouped(self) -> list[IssueGroup]:
        """One group per cause (severity and cause), at the place of its first issue; an issue with no cause
        is its own group."""
        groups: dict = {}
        for n, i in enumerate(self.issues):
            key = (i.severity, i.cause) if i.cause is not None else n
            if key in groups:
                groups[key].count += 1
            else:
                groups[key] = IssueGroup(i, 1)
        return list(groups.values())

    def __str__(self) -> str:
        return "\n".join(str(i) for i in self.issues)


@dataclass
class Attachment:
    """A file read as one of the plan's annexes (an attachment of its page, or ``--attachment FILE``)."""
    number: int             # the annex number (附件1 → 1)
    file: str               # the name its spans carry: the URL it was fetched from, else the file's name
    sha256: str
    format: str             # text | html | docx | pdf | spreadsheet
    line_count: int         # lines (text, html, pdf), body blocks (docx) or rows (spreadsheet)
    url: str | None = None
    ocr: bool = False       # its text was recognised by OCR from a scan


@dataclass
class Plan:
    metadata: PlanMetadata
    source_file: str
    source_sha256: str
    line_count: int
    title: str
    title_span: Span
    status: str | None
    status_span: Span | None
    preamble: str
    preamble_span: Span
    chapters: list[Chapter] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    principles: list[Principle] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    unparsed: list[tuple[Span, str]] = field(default_factory=list)  # text kept but not interpreted
    unread_notes: list[UnreadNote] = field(default_factory=list)    # note-like text not understood
    notice: Notice | None = None
    standing_rules: list[StandingRule] = field(default_factory=list)
    source_url: str | None = None       # for a fetched source: the URL the graph names as the source
    fetched_at: str | None = None       # ISO time of the fetch
    source_format: str = "text"         # text | html | docx | pdf | spreadsheet
    attachments: list[Attachment] = field(default_factory=list)   # files read as annexes, in annex order
    source_ocr: bool = False            # the source's text was recognised by OCR from a scan

    @property
    def identifier(self) -> str:
        return self.metadata.identifier

    def measures(self) -> list[tuple[int, str, str]]:
        """(index, chapter title, measure title) in annex order."""
        seen: dict[int, tuple[int, str, str]] = {}
        for t in self.tasks:
            seen.setdefault(t.measure_index, (t.measure_index, t.chapter, t.measure))
        return [seen[k] for k in sorted(seen)]
