"""Patterns of a plan's body shared by the readers: chapter headings, the status line, Chinese numerals,
and the targets of a goal sentence (到2025年，…下降18%)."""
from __future__ import annotations

import re
from decimal import Decimal

from greenplan.loaders.numbers import chinese_count
from greenplan.loaders.records import LoadReport, Sentence, Target

NUMERALS = "一二三四五六七八九十"
NUMERAL = f"[{NUMERALS}]+"                                        # a chapter's or section's printed numeral
DOC_NUMBER_TAIL = r"[〔\[［(（]\d{4}[〕\]］)）]\d+号"             # 〔2019〕3号 of a document number, any brackets
ANNEX_LIST = re.compile(r"^附\s*件\s*\d*\s*[：:]")                 # 附件：1.重点任务分工表 2.… lists the annexes
ANNEX_HEADING = re.compile(r"^附\s*件\s*([0-9]{0,3})\s*$")         # 附件1 on a line of its own heads an annex
CHAPTER = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
STATUS = re.compile(r"^（(.+稿)）$")
SENTENCE_END = "。"
GOAL_YEAR = re.compile(r"^到(\d{4})年，")
# clauses of a target sentence: <indicator><verb><number>%<以上>?
QUANTITATIVE = re.compile(r"^(?P<indicator>.+?)(?P<verb>下降|降低|达到|保持|提高到|提高|控制在)(?P<value>\d+(?:\.\d+)?)(?P<unit>%|％)(?P<bound>以上|以下|左右)?$")
QUALITATIVE = re.compile(r"^(?P<indicator>.+?)(?P<statement>完成.+|实现.+|稳中有降.*)$")


def chinese_number(numeral: str) -> int | None:
    """一 → 1, 十 → 10, 十五 → 15, 二十 → 20, 三十 → 30; None when out of counting order (三五, 十十十)."""
    return chinese_count(numeral)


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 99 → 九十九 (the inverse of :func:`chinese_number`)."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + (NUMERALS[units - 1] if units else "")


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
