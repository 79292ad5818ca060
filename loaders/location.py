"""Where a span of a source is, in the terms of that source (``line 12``, ``paragraph 14``, ``table 1 row 21``,
``page 3``, ``分工!A3:E3``): one reading for the build's warnings (:class:`greenplan.loaders.records.Span`) and
the validation findings (``greenplan.validate.check``), in a module of its own that imports only ``re`` —
validation reads it without the document model's classes."""
from __future__ import annotations

import re

_STEP = re.compile(r"^(?:[\w-]+:)?([\w-]+)(?:\[(\d+)\])?$")
PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "blockquote"}


def place(xpath: str | None, fragment: str | None, first: int | None, last: int | None) -> str:
    """Where a span is, in the terms of its source, short and stable.

    A PDF fragment (``page=3&viewrect=…``) → ``page 3``; a spreadsheet fragment (``分工!A3:E3``) as it is; an
    element of a page or Word file → its position among its like in the element that holds it: ``table 1 row 21``
    (the innermost table: its rank among the tables beside it, the row's rank in it, a header row counted),
    ``paragraph 14`` (``<p>``/``<w:p>``: its rank among the paragraphs beside it), else ``element`` and the last two
    steps of the path (``div[2]/section``) — never a line of the saved file, where a page may hold its whole text on
    one line;
    text → ``line 12`` / ``lines 12-14``."""
    if fragment:
        if fragment.startswith("page="):
            return "page " + fragment[5:].split("&", 1)[0]
        return fragment
    if xpath:
        named: list[tuple[str, int]] = []     # (tag, rank among its like) of each step
        for step in xpath.strip("/").split("/"):
            m = _STEP.match(step)
            if m is None:                     # a step this reading does not know: the short path
                named = []
                break
            named.append((m[1].lower(), int(m[2] or 1)))
        if named:
            if named[-1][0] in PARAGRAPH_TAGS:       # a paragraph, even inside a layout table
                return f"paragraph {named[-1][1]}"
            tables = [i for i, (tag, _) in enumerate(named) if tag in ("table", "tbl")]
            if tables:
                i = tables[-1]
                words = [f"table {named[i][1]}"]
                rows = [n for tag, n in named[i + 1:] if tag == "tr"]
                if rows:
                    words.append(f"row {rows[0]}")
                return " ".join(words)
        return "element " + "/".join(xpath.rstrip("/").split("/")[-2:])
    return f"line {first}" if first == last else f"lines {first}-{last}"
