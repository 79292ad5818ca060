"""Numbers as the documents print them: Arabic or full-width digits, an optional decimal point, 亿元/万元.

Only this grammar is read; anything else (``1e5``, ``1_000``, ``-3``, other scripts' digits) is not a number
of the document and stays text for the caller to keep as printed and report.  Counts are bounded in length,
so that a thousand-digit "row number" is text, not an integer conversion error.
"""
from __future__ import annotations

import re
from decimal import Decimal

FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
COUNT = re.compile(r"([0-9０-９]{1,9})[.．、]?")     # a row number as typed: 12, 12., 12、
AMOUNT = re.compile(r"([0-9０-９]{1,15}(?:[.．][0-9０-９]{1,12})?)\s*(亿元|万元)?")
TEN_THOUSAND_PER_HUNDRED_MILLION = Decimal(10000)
CHINESE_DIGITS = "一二三四五六七八九"


def printed_count(text: str) -> int | None:
    """A row or item number: 1 to 9 Arabic or full-width digits (a mark after them: ``1.``, ``1、``), else None."""
    m = COUNT.fullmatch(text.strip())
    return int(m[1].translate(FULL_WIDTH)) if m else None


def amount_yi(text: str) -> Decimal | None:
    """An amount of 亿元 as printed (``12``, ``0.5``, ``１２．５``, ``3亿元``, ``500万元`` → 0.05), else None."""
    m = AMOUNT.fullmatch(text.strip())
    if not m:
        return None
    value = Decimal(m[1].translate(FULL_WIDTH))
    return value / TEN_THOUSAND_PER_HUNDRED_MILLION if m[2] == "万元" else value


def chinese_count(numeral: str) -> int | None:
    """一 → 1, 十 → 10, 十五 → 15, 二十 → 20, 九十九 → 99; None for what is not a counting numeral (三五, 十十十)."""
    m = re.fullmatch(rf"([{CHINESE_DIGITS}]?)(十?)([{CHINESE_DIGITS}]?)", numeral)
    if not m or not numeral:
        return None
    tens, ten, units = m.groups()
    if not ten:
        return None if tens and units else CHINESE_DIGITS.index(tens or units) + 1
    return (CHINESE_DIGITS.index(tens) + 1 if tens else 1) * 10 + (CHINESE_DIGITS.index(units) + 1 if units else 0)
