"""Where responsibility notes stand in a paragraph, and the tasks they close.

A note is a parenthesis (full-width or ASCII) that the responsibility parser
reads as parties (``greenplan.loaders.parties.is_note``) and that stands
where a note stands: after a sentence end (``。；！？``), at the end of the
paragraph, or before a sentence end.  The text a note closes runs from the
start of the paragraph, or from the end of the previous note in it, up to the
note.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from greenplan.loaders.parties import CLOSING, OPENING, NoteState, column_role, is_note, note_like, parse_note
from greenplan.loaders.records import Note, StandingRule

OPEN, CLOSE = OPENING, CLOSING     # 〔责任单位：…〕: some provinces bracket notes with 〔〕
SENTENCE_END = "。；;！？!?"
LEAD_IN = "。；;，,：:、 \u3000"   # left over between a note and the next task's first word
LABEL = re.compile(r"([\u4e00-\u9fff]{2,8})[：:]")   # 牵头单位： of an unbracketed labelled note


@dataclass
class Closed:
    text: str       # the task text the note closes, as printed (without the note)
    note: str       # the note as printed, parentheses included
    start: int      # offsets of the note in the paragraph
    end: int


def parentheses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost parenthesis in ``text``; unbalanced ones are left out."""
    out: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
            if depth == 0:
                out.append((start, i + 1))
    return out


def _placed(text: str, start: int, end: int) -> bool:
    before = text[:start].rstrip(" \u3000")
    after = text[end:].lstrip(" \u3000")
    return not before or before[-1] in SENTENCE_END or not after or after[0] in SENTENCE_END


def find_notes(text: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e in parentheses(text) if _placed(text, s, e) and is_note(text[s:e])]


def unread_notes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, why) of each parenthesis that stands where a note stands and is shaped like one (a role word
    closes a clause, or a label 牵头单位：) but was not read as a note: its parties are not bodies or collectives
    by shape, or a clause has no role word."""
    out = []
    for s, e in parentheses(text):
        if _placed(text, s, e) and not is_note(text[s:e]) and (why := note_like(text[s:e])):
            out.append((s, e, why))
    return out


def labelled_note(text: str) -> int | None:
    """Where an unbracketed labelled note (牵头单位：…，配合单位：…) that runs to the end of the paragraph starts:
    at the start of the paragraph or after a sentence end; None if there is none."""
    for m in LABEL.finditer(text):
        start = m.start(1)
        if (start == 0 or text[start - 1] in SENTENCE_END) and column_role(m[1]) and is_note(text[start:]):
            return start
    return None


def closed_tasks(text: str) -> tuple[list[Closed], str]:
    """The tasks the notes of a paragraph close, and the text after the last note (may be empty)."""
    out: list[Closed] = []
    at = 0
    for s, e in find_notes(text):
        out.append(Closed(text[at:s].lstrip(LEAD_IN).strip(), text[s:e], s, e))
        at = e
    start = labelled_note(text[at:])
    if start is not None:
        note = text[at + start:].strip()
        out.append(Closed(text[at:at + start].lstrip(LEAD_IN).strip(), note, at + start, len(text)))
        at = len(text)
    return out, text[at:].lstrip(LEAD_IN).strip()


def without_notes(text: str) -> str:
    """The paragraph with its responsibility notes left out."""
    out, at = [], 0
    for c in closed_tasks(text)[0]:
        out.append(text[at:c.start])
        at = c.end
    out.append(text[at:])
    return "".join(out)


def standing_rules(notes: list[Note]) -> list[StandingRule]:
    """The standing rules (以下均需…落实，不再列出) printed as notes below table rows, once each."""
    out: list[StandingRule] = []
    for n in notes:
        for rule in parse_note(n.text, NoteState()).standing_rules:
            if all(r.text != rule for r in out):
                out.append(StandingRule(rule, n.span))
    return out
