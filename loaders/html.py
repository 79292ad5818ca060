"""Read a saved web page (a gov.cn policy page or its content block) into the document model.

Parser: lxml's HTML parser (libxml2).  It recovers from the broken markup
such pages carry (Word's ``<o:p>``, unclosed cells), gives every element its
source line and an XPath (``getpath``) — the location the records keep — and
is the parser the field uses.  html5lib would build the same tree more
slowly; the standard library's ``html.parser`` builds no tree and no XPath.
The bytes are decoded here (:mod:`greenplan.loaders.charset`), never guessed
by the parser.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import lxml.etree
import lxml.html

from greenplan.loaders import limits
from greenplan.loaders.charset import decode_page
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.model import Block, Cell, Document
from greenplan.loaders.records import Span

# where gov.cn puts the text; any page without it is read from its <body>
CONTENT = ('//*[@id="UCAP-CONTENT"]', '//*[contains(concat(" ", normalize-space(@class), " "), " pages_content ")]',
           "//body")
PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "blockquote"}
CONTAINERS = {"div", "center", "section", "article", "main", "body", "ul", "ol", "dl", "font", "span", "form"}
SPACE = re.compile(r"[ \t\r\n\f]+")
TRIM = " \t\r\n\f\u3000\xa0"
COLSPAN_MAX, ROWSPAN_MAX = 1000, 65534            # the clamps of the HTML table model
# a metadata label cell of gov.cn's table: 索 引 号： / 标　　题：
LABEL = re.compile(r"^([\u4e00-\u9fff][\u4e00-\u9fff\s\u3000]{0,8})[：:]$")


def clean(text: str) -> str:
    return SPACE.sub(" ", text.replace("\xa0", " ")).strip(TRIM)


def read_html(path: Path, display_name: str | None = None, data: bytes | None = None,
              content_type: str | None = None) -> Document:
    file = display_name or path.name
    raw = path.read_bytes() if data is None else data
    text, _ = decode_page(file, raw, content_type)
    try:
        root = lxml.html.fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError) as e:
        raise PlanFormatError(file, 1, "an HTML page", f"{type(e).__name__}: {e}",
                              "save the page from the browser as HTML") from None
    tree = root.getroottree()
    reader = _Reader(file, tree)
    content = next((found[0] for q in CONTENT if (found := root.xpath(q))), root)
    fields = _fields(reader, root, content)
    reader.walk(content)
    return Document(file, "html", hashlib.sha256(raw).hexdigest(), text.count("\n") + 1, reader.blocks, fields)


def _fields(reader: "_Reader", root, content) -> dict[str, tuple[str, Span]]:
    """Label/value pairs of metadata tables outside the content block (gov.cn: 索引号, 标题, 发文字号 …)."""
    out: dict[str, tuple[str, Span]] = {}
    for td in root.iter("td", "th"):
        if content in td.iterancestors() or td is content or content in td.iterdescendants():
            continue
        m = LABEL.match(clean("".join(td.itertext())))
        if not m:
            continue
        value = td.getnext()
        while value is not None and not isinstance(value.tag, str):
            value = value.getnext()
        if value is None or value.tag not in ("td", "th"):
            continue
        label = re.sub(r"[\s\u3000]", "", m[1])
        out.setdefault(label, (clean("".join(value.itertext())), reader.span(value)))
    return out


class _Reader:
    def __init__(self, file: str, tree):
        self.file = file
        self.tree = tree
        self.blocks: list[Block] = []
        self._paths: dict = {}      # element → its XPath, computed once per parent (see path())
        self._spans: dict = {}

    def span(self, el) -> Span:
        span = self._spans.get(el)
        if span is None:
            first = el.sourceline or 1
            last = max((d.sourceline or first for d in el.iter() if isinstance(d.tag, str)), default=first)
            span = self._spans[el] = Span(self.file, first, last, self.path(el))
        return span

    def path(self, el) -> str:
        """``tree.getpath(el)`` in linear time: libxml2 counts an element's same-named siblings on every
        call, so a row of n cells cost n² steps; here the children of a parent are named in one pass."""
        chain = []
        node = el
        while node is not None and node not in self._paths:
            chain.append(node)
            node = node.getparent()
        for node in reversed(chain):
            parent = node.getparent()
            if parent is None:
                self._paths[node] = self.tree.getpath(node)
                continue
            base = self._paths[parent]
            children = [c for c in parent if isinstance(c.tag, str)]
            counts: dict[str, int] = {}
            for c in children:
                counts[c.tag] = counts.get(c.tag, 0) + 1
            seen: dict[str, int] = {}
            for c in children:
                seen[c.tag] = seen.get(c.tag, 0) + 1
                self._paths[c] = f"{base}/{c.tag}[{seen[c.tag]}]" if counts[c.tag] > 1 else f"{base}/{c.tag}"
        return self._paths[el]

    def _check_blocks(self, el) -> None:
        """Stop at the block past ``MAX_BLOCKS``: the work done before it is bounded by the limit."""
        if len(self.blocks) > limits.MAX_BLOCKS:
            raise PlanFormatError(self.file, el.sourceline or 1, f"a plan of at most {limits.MAX_BLOCKS:,} paragraphs "
                                  "and tables", f"more than {limits.MAX_BLOCKS:,}",
                                  "a plan has a few thousand paragraphs at most; split the page")

    def walk(self, el) -> None:
        self._check_blocks(el)
        if el.text and clean(el.text):   # text of a container before its first block
            self.blocks.append(Block("paragraph", self.span(el), clean(el.text)))
        for child in el:
            if not isinstance(child.tag, str):
                continue
            self._check_blocks(child)
            tag = child.tag.lower()
            if tag == "table":
                self.table(child)
            elif tag in PARAGRAPHS or (tag in CONTAINERS and not _has_blocks(child)):
                self.paragraphs(child)
            elif tag in CONTAINERS:
                self.walk(child)
            if child.tail and clean(child.tail):
                self.blocks.append(Block("paragraph", self.span(el), clean(child.tail)))

    def paragraphs(self, el) -> None:
        """One block per line of the element (a <br> starts a new one); empty lines are left out."""
        for line in _lines(el):
            if line:
                self.blocks.append(Block("paragraph", self.span(el), line))

    def table(self, el) -> None:
        self._count_cells(el)
        rows: list[list[Cell]] = []
        pending: dict[int, tuple[int, Cell]] = {}   # column → (rows still covered, the spanning cell)
        for tr in el.iter("tr"):
            if _owner_table(tr) is not el:
                continue
            row: list[Cell] = []
            col = 0
            cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
            for td in cells:
                while col in pending:
                    row.append(self._continued(pending, col))
                    col += 1
                paras = [p for p in _cell_lines(td) if p]
                cell = Cell(paras, self.span(td))
                span = _int(td.get("colspan"), COLSPAN_MAX)
                down = _int(td.get("rowspan"), ROWSPAN_MAX)
                for k in range(span):
                    row.append(cell if k == 0 else Cell(paras, cell.span, merged=True))
                    if down > 1:
                        pending[col] = (down - 1, cell)
                    col += 1
            while col in pending:
                row.append(self._continued(pending, col))
                col += 1
            if row:
                rows.append(row)
        self.blocks.append(Block("table", self.span(el), rows=rows))

    def _count_cells(self, el) -> None:
        """Refuse a table that would make more cells (spans included) than the document may hold, before
        any is made: a cell spanning c columns and r rows makes c × min(r, rows left) cells."""
        trs = [tr for tr in el.iter("tr") if _owner_table(tr) is el]
        made = sum(len(row) for b in self.blocks for row in b.rows)
        for left, tr in zip(range(len(trs), 0, -1), trs, strict=True):
            for td in tr:
                if isinstance(td.tag, str) and td.tag in ("td", "th"):
                    made += _int(td.get("colspan"), COLSPAN_MAX) * min(_int(td.get("rowspan"), ROWSPAN_MAX), left)
            if made > limits.MAX_CELLS:
                raise PlanFormatError(self.file, tr.sourceline or 1,
                                      f"tables of at most {limits.MAX_CELLS:,} cells in all, spans counted "
                                      f"(row {self.path(tr)})", f"{made:,} cells so far",
                                      "a plan's tables are small; check colspan/rowspan, or split the page")

    @staticmethod
    def _continued(pending: dict[int, tuple[int, Cell]], col: int) -> Cell:
        left, cell = pending[col]
        if left <= 1:
            del pending[col]
        else:
            pending[col] = (left - 1, cell)
        return Cell(cell.paragraphs, cell.span, merged=True)


def _int(value: str | None, most: int) -> int:
    """A colspan/rowspan: 1 when missing or not a number, at most ``most`` (the HTML standard's clamps)."""
    try:
        return min(max(1, int(value)), most) if value and len(value) < 10 else 1
    except ValueError:
        return 1


def _owner_table(tr):
    return next(a for a in tr.iterancestors() if a.tag == "table")


def _has_blocks(el) -> bool:
    return any(isinstance(d.tag, str) and (d.tag in PARAGRAPHS or d.tag == "table" or d.tag in ("div", "center"))
               for d in el.iterdescendants())


def _lines(el) -> list[str]:
    parts: list[str] = [""]
    for piece in _pieces(el):
        if piece is None:
            parts.append("")
        else:
            parts[-1] += piece
    return [clean(p) for p in parts]


def _pieces(el):
    """Text of an element in order; None where a <br> breaks the line."""
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str):
            if child.tag == "br":
                yield None
            else:
                yield from _pieces(child)
        if child.tail:
            yield child.tail


def _cell_lines(td) -> list[str]:
    paras = [p for p in td if isinstance(p.tag, str) and p.tag in PARAGRAPHS]
    if not paras:
        return _lines(td)
    out: list[str] = []
    for p in paras:
        out.extend(_lines(p))
    return out
