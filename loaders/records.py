"""Typed records produced by the loaders.

Every record carries a :class:`Span` naming the source file and the first and
last line (1-based, inclusive) the fact was read from.  Records hold text as
printed; values that could not be interpreted stay on the record as raw text
(``*_raw`` fields) and are reported in the :class:`LoadReport`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Span:
    file: str
    first: int
    last: int

    def __str__(self) -> str:
        if self.first == self.last:
            return f"{self.file}:{self.first}"
        return f"{self.file}:{self.first}-{self.last}"


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
    index: int          # 1..30 (（一）…（三十）)
    numeral: str
    chapter: int        # index of the chapter it belongs to
    title: str          # without the closing 。
    text: str           # the paragraph(s) after the title, joined without separators
    sentences: list[Sentence]
    span: Span


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
class Task:
    number: int
    chapter: str        # title as printed in the 重点工作 column
    measure: str        # title as printed in the 主要任务 column
    measure_index: int  # 1-based order of the measure in annex 1
    text: str
    owners: list[OwnerName]
    owners_raw: str
    open_list: bool     # the cell ends with 等: the list of bodies is not closed
    span: Span


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
    language: str = "zh"
    description: str | None = None
    description_en: str | None = None
    source_path: str | None = None  # the metadata file, when there is one


@dataclass
class LoadIssue:
    severity: str       # error | warning | info
    span: Span | None
    message: str

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.severity}: {self.message}"


@dataclass
class LoadReport:
    issues: list[LoadIssue] = field(default_factory=list)

    def add(self, severity: str, span: Span | None, message: str) -> None:
        self.issues.append(LoadIssue(severity, span, message))

    def warnings(self) -> list[LoadIssue]:
        return [i for i in self.issues if i.severity != "info"]

    def __str__(self) -> str:
        return "\n".join(str(i) for i in self.issues)


@dataclass
class Plan:
    metadata: PlanMetadata
    source_file: str
    source_sha256: str
    line_count: int
    title: str
    title_span: Span
    status: str
    status_span: Span
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

    @property
    def identifier(self) -> str:
        return self.metadata.identifier

    def measures(self) -> list[tuple[int, str, str]]:
        """(index, chapter title, measure title) in annex order."""
        seen: dict[int, tuple[int, str, str]] = {}
        for t in self.tasks:
            seen.setdefault(t.measure_index, (t.measure_index, t.chapter, t.measure))
        return [seen[k] for k in sorted(seen)]
