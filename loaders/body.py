"""The body of the plan: title, status, preamble, chapters, sections, sentences,
principles (section （二）), goals and targets (section （三）)."""
from __future__ import annotations

import re
from decimal import Decimal

from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.records import Chapter, Goal, LoadReport, Principle, Section, Sentence, Span, Target

NUMERALS = "一二三四五六七八九十"
CHAPTER = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
SECTION = re.compile(r"^（([一二三四五六七八九十]+)）(.+?)。(.*)$")
STATUS = re.compile(r"^（(.+稿)）$")
SENTENCE_END = "。"
GOAL_YEAR = re.compile(r"^到(\d{4})年，")
# clauses of a target sentence: <indicator><verb><number>%<以上>?
QUANTITATIVE = re.compile(r"^(?P<indicator>.+?)(?P<verb>下降|降低|达到|保持|提高到|提高|控制在)(?P<value>\d+(?:\.\d+)?)(?P<unit>%|％)(?P<bound>以上|以下|左右)?$")
QUALITATIVE = re.compile(r"^(?P<indicator>.+?)(?P<statement>完成.+|实现.+|稳中有降.*)$")
PRINCIPLES_SECTION = 2
GOALS_SECTION = 3


def chinese_number(numeral: str) -> int:
    """一 → 1, 十 → 10, 十五 → 15, 二十 → 20, 三十 → 30."""
    if numeral == "十":
        return 10
    if "十" in numeral:
        tens, _, units = numeral.partition("十")
        return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (NUMERALS.index(units) + 1 if units else 0)
    return NUMERALS.index(numeral) + 1


def split_sentences(file: str, pieces: list[tuple[int, str]]) -> list[Sentence]:
    """Split paragraph text (line number, text) at 。, keeping the 。 and the lines each sentence spans."""
    out: list[Sentence] = []
    buf = ""
    first = None
    for line, text in pieces:
        for ch in text:
            if first is None:
                first = line
            buf += ch
            if ch == SENTENCE_END:
                out.append(Sentence(len(out) + 1, buf, Span(file, first, line)))
                buf, first = "", None
    if buf.strip():
        out.append(Sentence(len(out) + 1, buf, Span(file, first, pieces[-1][0])))
    return out


def _direction(verb: str, bound: str | None) -> str:
    if verb in ("下降", "降低"):
        return "decrease"
    if verb == "保持":
        return "maintain"
    if bound == "以下":
        return "at-most"
    return "at-least" if bound == "以上" else "reach"


def parse_targets(file: str, year: int, sentence: Sentence, start: int, report: LoadReport) -> list[Target]:
    out: list[Target] = []
    clauses = [c for c in sentence.text.rstrip(SENTENCE_END).split("，") if c]
    for k, clause in enumerate(clauses):
        m = QUANTITATIVE.match(clause)
        if m:
            out.append(Target(start + k, year, m["indicator"], clause, Decimal(m["value"]), "%",
                              _direction(m["verb"], m["bound"]), None, sentence.span))
            continue
        q = QUALITATIVE.match(clause)
        if q:
            out.append(Target(start + k, year, q["indicator"], clause, None, None, None, q["statement"], sentence.span))
        else:
            out.append(Target(start + k, year, clause, clause, None, None, None, clause, sentence.span))
            report.add("warning", sentence.span, f"target clause {clause!r} has no recognisable value; kept as a qualitative target")
    return out


def read_body(file: str, lines: list[str], start: int, stop: int, report: LoadReport):
    """Parse body lines ``lines[start:stop]`` (0-based). Returns chapters, sections, principles, targets, goals."""
    chapters: list[Chapter] = []
    sections: list[Section] = []
    current: dict | None = None
    unparsed: list[tuple[Span, str]] = []

    def close():
        if current is None:
            return
        pieces = current["pieces"]
        text = "".join(t for _, t in pieces)
        last = pieces[-1][0] if pieces else current["first"]
        sections.append(Section(current["index"], current["numeral"], current["chapter"], current["title"], text,
                                split_sentences(file, pieces) if pieces else [], Span(file, current["first"], last),
                                current["index"]))

    for i in range(start, stop):
        line = lines[i].strip()
        n = i + 1
        if not line:
            continue
        m = CHAPTER.match(line)
        if m:
            close()
            current = None
            chapters.append(Chapter(chinese_number(m[1]), m[1], m[2], Span(file, n, n)))
            continue
        m = SECTION.match(line)
        if m:
            close()
            if not chapters:
                raise PlanFormatError(file, n, "a chapter heading like 一、总体要求 before the first section", line)
            rest = m[3]
            current = {"index": chinese_number(m[1]), "numeral": m[1], "chapter": chapters[-1].index,
                       "title": m[2], "first": n, "pieces": [(n, rest)] if rest else []}
            continue
        if current is None:
            unparsed.append((Span(file, n, n), line))
            report.add("warning", Span(file, n, n), f"body text outside any section kept uninterpreted: {line[:40]!r}")
            continue
        current["pieces"].append((n, line))
    close()

    if not chapters:
        raise PlanFormatError(file, start + 1, "chapter headings like 一、总体要求", lines[start].strip() if start < len(lines) else "")
    for k, s in enumerate(sections, 1):
        if s.index != k:
            report.add("warning", s.span, f"section （{s.numeral}） where section number {k} was expected")

    principles, targets, goals = _principles_and_goals(file, lines, sections, report)
    return chapters, sections, principles, targets, goals, unparsed


def _paragraphs(lines: list[str], section: Section) -> list[tuple[int, str]]:
    """(line number, paragraph) of the lines after a title-only section heading."""
    out = []
    for n in range(section.span.first + 1, section.span.last + 1):
        text = lines[n - 1].strip()
        if text:
            out.append((n, text))
    return out


def _principles_and_goals(file, lines, sections, report):
    principles: list[Principle] = []
    targets: list[Target] = []
    goals: list[Goal] = []
    by_index = {s.index: s for s in sections}
    ps = by_index.get(PRINCIPLES_SECTION)
    if ps is not None:
        for n, para in _paragraphs(lines, ps):
            name, sep, rest = para.partition(SENTENCE_END)
            if not sep:
                report.add("warning", Span(file, n, n), f"principle without a name sentence kept as text: {para[:30]!r}")
            principles.append(Principle(len(principles) + 1, name, rest, Span(file, n, n)))
    gs = by_index.get(GOALS_SECTION)
    if gs is not None:
        for n, para in _paragraphs(lines, gs):
            m = GOAL_YEAR.match(para)
            if not m:
                report.add("warning", Span(file, n, n), "goal paragraph without a year (到2025年，…) kept as text")
                continue
            year = int(m[1])
            qualitative: list[str] = []
            for sent in split_sentences(file, [(n, para)]):
                if re.search(r"\d+(?:\.\d+)?[%％]", sent.text):
                    targets.extend(parse_targets(file, year, sent, len(targets) + 1, report))
                else:
                    qualitative.append(sent.text)
            if qualitative:
                goals.append(Goal(len(goals) + 1, year, "".join(qualitative), Span(file, n, n)))
    return principles, targets, goals
