"""Paragraphs of text as crawlers store it: the body run together, the document number glued to the title.

A copy that lost its line breaks reads the same as the page: each paragraph block is cut again where a new
paragraph evidently begins —

- at a run of whitespace inside it (the indentation a page prints before each paragraph: ``　　``) — only in the
  formats of ``layout.toml`` ``[runon] space_formats`` (plain text, as crawlers store it): in a page, a Word file
  or a PDF the reader found the paragraphs, and a run of spaces inside one is how it was printed (a spaced-out
  title, a signature line);
- before a chapter ``二、``, a section ``（三）`` or an item ``4.``/``4．``/``4、`` that stands after a sentence end,
  a lead-in colon or a note's closing bracket (``…负责）5.…``, ``具体措施：1．…``) and carries the number that comes
  next in the document (the chapter after the last one; the section after the last one or （一）; the item after
  the last one or 1.) — a number that does not come next is running text (``…为2.5万人``, ``第（三）项``);
- before the number that comes next right after a label note's last name (``…牵头单位：市发展改革委2.建设…``);
- before a section ``（一）`` or an item ``1.`` glued to a chapter heading (``四、主要任务（一）统筹…``, ``一、总体目标1.目标。``);
- in the first paragraphs, after the title where a document number follows one of the words a title ends with
  (``…若干意见国发〔2019〕3号``, words in ``layout.toml`` ``[runon]``).

Pieces keep their block's location (the paragraph as delivered), and every cut is reported: one line per file
with the number of paragraphs cut (:func:`report_cuts`; info for plain text, a warning for the other formats,
whose readers deliver paragraphs as printed).  A document with its paragraphs is left as it is (its paragraphs start
where these marks are, so there is nothing to cut).  Not recovered: a chapter heading followed directly by
plain text with no mark between them (``一、指导思想以习近平…``) — the heading cannot be told from the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from greenplan.loaders.body import ANNEX_LIST, DOC_NUMBER_TAIL, NUMERAL, chinese_number
from greenplan.loaders.layoutwords import layout
from greenplan.loaders.model import Block
from greenplan.loaders.parties import words
from greenplan.loaders.records import LoadReport, Span

MARK = re.compile(rf"({NUMERAL})、|（({NUMERAL})）|(?<![\d.．])(\d{{1,3}})[.．、]")
SPACES = re.compile(r"[\u3000]+|[ \t\xa0]{2,}")
DOC_NUMBER = rf"[\u4e00-\u9fff]{{1,6}}{DOC_NUMBER_TAIL}"
NOTE_END = "）)"
FRONT = 6   # the title, number, addressee: within the first paragraphs


def _layout() -> dict:
    return layout()["runon"]


class _Numbers:
    """What number comes next: the last chapter, section and item seen in the document so far."""

    def __init__(self):
        self.chapter = self.section = self.item = 0

    def accepts(self, m: re.Match, glued_to_heading: bool) -> bool:
        if m[1]:
            return chinese_number(m[1]) == self.chapter + 1
        if m[2]:
            n = chinese_number(m[2])
            return n is not None and (n == self.section + 1 or n == 1) and (self.chapter > 0 or glued_to_heading)
        n = int(m[3])
        return n == self.item + 1 or n == 1

    def see(self, m: re.Match) -> None:
        if m[1] and (n := chinese_number(m[1])) == self.chapter + 1:
            self.chapter = n     # sections may run on across chapters or restart at （一）: both are accepted
        elif m[2] and (n := chinese_number(m[2])) is not None:
            self.section = n
        elif m[3]:
            self.item = int(m[3])


def _cuts(text: str, numbers: _Numbers) -> list[int]:
    """Where new paragraphs begin inside ``text`` (offsets > 0), reading the marks in order."""
    breaks = _layout()["break_after"]
    cuts: list[int] = []
    if ANNEX_LIST.match(text):
        return cuts
    start = 0
    for m in MARK.finditer(text):
        at = m.start()
        if at == start:
            if numbers.accepts(m, False) or at == 0:
                numbers.see(m)
            continue
        if m[3] and text[m.end():m.end() + 1].isdigit() and not (
                text[at - 1] in NOTE_END and int(m[3]) == numbers.item + 1):
            continue   # 2.5万: a decimal, unless right after a note and next in line (…）11.121人才梯队项目)
        piece = text[start:at]
        heading = bool(re.match(rf"{NUMERAL}、", piece)) and not re.search("[。；;！？!?]", piece)
        if text[at - 1] in breaks or (not m[1] and heading) or _labelled(piece):
            if numbers.accepts(m, heading):
                numbers.see(m)
                cuts.append(at)
                start = at
    return cuts


def _labelled(piece: str) -> bool:
    """Whether a piece holds a label note (…。牵头单位：市发展改革委): the next number may follow its last name
    directly (…市发展改革委2.建设绿色园区), with no sentence end between."""
    w = words()
    return any(h + c in piece for h in list(w.headers) + list(w.deadline_labels) for c in "：:")


def _title_number(text: str) -> list[str]:
    """``…若干意见国发〔2019〕3号…`` → [title, number, rest]; [text] when no number is glued to a title's end."""
    ends = "|".join(re.escape(w) for w in sorted(_layout()["title_ends"], key=len, reverse=True))
    m = re.match(rf"^(.*(?:{ends}))({DOC_NUMBER})(.*)$", text)
    if not m:
        return [text]
    return [p for p in (m[1], m[2], m[3]) if p]


@dataclass
class Cut:
    """A paragraph its reader delivered as one that was cut into ``pieces`` (each keeps the paragraph's span)."""
    span: Span
    pieces: int
    spaces: bool        # cut at a run of whitespace (not only before a number that comes next)


def resegment(blocks: list[Block], formats: dict[str, str], default: str) -> tuple[list[Block], list[Cut]]:
    """The blocks with every paragraph cut where a new paragraph evidently begins (see the module's text), and
    the paragraphs that were cut.  ``formats``: the format of each file the blocks come from (a page joined with
    its attachments), ``default`` for any other; a run of whitespace cuts only in the formats of ``layout.toml``
    ``[runon] space_formats`` (text as crawlers store it), where it stands for a lost line break."""
    numbers = _Numbers()
    spaced = set(_layout()["space_formats"])
    out: list[Block] = []
    cuts: list[Cut] = []
    for k, b in enumerate(blocks):
        if b.kind != "paragraph":
            out.append(b)
            continue
        by_spaces = formats.get(b.span.file, default) in spaced
        pieces = [p for p in SPACES.split(b.text) if p] if by_spaces else [b.text]
        if k < FRONT:
            pieces = [q for p in pieces for q in _title_number(p)]
        made = 0
        for piece in pieces:
            at = 0
            for cut in _cuts(piece, numbers) + [len(piece)]:
                if piece[at:cut].strip():
                    out.append(replace(b, text=piece[at:cut].strip()))
                    made += 1
                at = cut
        if made > 1:
            cuts.append(Cut(b.span, made, len([p for p in SPACES.split(b.text) if p.strip()]) > 1 and by_spaces))
    return out, cuts


def report_cuts(cuts: list[Cut], formats: dict[str, str], default: str, report: LoadReport) -> None:
    """One line per file whose paragraphs were cut: how many, into how many pieces, at the first such paragraph.
    Text as crawlers store it (a format of ``space_formats``) is expected to need it (info); a paragraph of any
    other format that a reader delivered as one and that was cut is said as a warning."""
    by_file: dict[str, list[Cut]] = {}
    for c in cuts:
        by_file.setdefault(c.span.file, []).append(c)
    spaced = set(_layout()["space_formats"])
    for file, found in by_file.items():
        kind = formats.get(file, default)
        where = "at runs of whitespace and " if any(c.spaces for c in found) else ""
        report.add("info" if kind in spaced else "warning", found[0].span,
                   f"{len(found)} paragraph(s) of this {kind} file cut into {sum(c.pieces for c in found)} where a "
                   f"new paragraph evidently begins ({where}before the chapter, section or item number that comes "
                   f"next); each piece keeps its paragraph's place, the text is as printed; the first here")
