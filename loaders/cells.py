"""The table layout of the plan's annexes: lines to cells.

The annex tables were exported to text one cell per line:

* a line that starts with a TAB opens a cell (an empty cell is a lone TAB);
* a cell may wrap: the rest of its text follows on an untabbed line after a
  blank line (``2023-`` / blank / ``2025``);
* an untabbed line after a blank line may also be free text below a row (a
  note); the table reader decides, since only it knows which column the
  previous cell was in.

:func:`tokens` turns a range of lines into :class:`Token` objects — opened
cells and loose (untabbed) lines — without deciding anything else.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Token:
    kind: str        # "cell" (opened by a TAB) or "loose" (untabbed line)
    text: str
    first: int       # 1-based line numbers
    last: int


@dataclass
class Cell:
    text: str
    first: int
    last: int

    def extend(self, token: Token) -> None:
        # Chinese text wraps without a space; join as printed.
        self.text += token.text
        self.last = token.last


def tokens(lines: list[str], start: int, stop: int) -> list[Token]:
    """Tokens of ``lines[start:stop]`` (0-based slice; line numbers reported 1-based)."""
    out: list[Token] = []
    for i in range(start, stop):
        raw = lines[i]
        if raw.strip() == "" and not raw.startswith("\t"):
            continue
        if raw.startswith("\t"):
            out.append(Token("cell", raw[1:].strip(), i + 1, i + 1))
        else:
            out.append(Token("loose", raw.strip(), i + 1, i + 1))
    return out


def header_length(toks: list[Token], at: int, header: tuple[str, ...]) -> int:
    """Number of tokens the page header starting at ``toks[at]`` spans, or 0.

    A header is the sequence of column names; a column name may itself wrap
    (``投资额`` / blank / ``（亿元）``), so loose tokens are absorbed while
    matching.
    """
    if at >= len(toks) or toks[at].kind != "cell" or toks[at].text != header[0]:
        return 0
    j = at
    for name in header:
        if j >= len(toks) or toks[j].kind != "cell":
            return 0
        text = toks[j].text
        j += 1
        while j < len(toks) and toks[j].kind == "loose" and len(text) < len(name):
            text += toks[j].text
            j += 1
        if text != name:
            return 0
    return j - at
