"""Read a Word file (.docx) into the document model (python-docx for the package, the body read as WordprocessingML).

* Paragraphs and tables are taken in body order; a table cell keeps its paragraphs (a wrapped cell has several).
* Vertically merged cells (``w:vMerge``): the continuing cells repeat the text of the cell that starts the merge
  and are marked ``merged``; horizontally spanned cells (``w:gridSpan``) likewise.
* Automatic numbering (``w:numPr`` on the paragraph or its style) is counted per list and level, as Word
  shows it, and kept on the cell or paragraph (``Cell.number``; a paragraph gets its number in front of its text
  when its text has none), since row numbers made this way are not in the text.
* Locations: ``first``/``last`` are 1-based body-block ordinals, ``xpath`` the element in ``word/document.xml``.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from pathlib import Path

from greenplan.loaders import limits
from greenplan.loaders.body import chinese_numeral
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.model import Block, Cell, Document
from greenplan.loaders.packages import check_parts
from greenplan.loaders.records import Span

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LEVELS, START, GRID_SPAN = 8, 32767, 63     # Word's bounds: list levels 0–8, w:start, columns of a table
CHINESE_FORMATS = {"chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional",
                   "taiwaneseCounting", "taiwaneseCountingThousand", "japaneseCounting"}


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(el, path: str) -> str | None:
    found = el.find(path, {"w": W}) if el is not None else None
    return None if found is None else found.get(q("val"))


class _Numbering:
    """Counts automatic numbers the way Word shows them: one counter per list (numId) and level, printed with
    the level's text (``%1.``, ``（%1）``, ``%1、``) and format (decimal, Chinese counting)."""

    def __init__(self, document):
        self.levels: dict[tuple[str, int], tuple[int, str, str]] = {}   # (numId, ilvl) → start, format, text
        self.style_num: dict[str, tuple[str, int]] = {}
        self.counters: dict[tuple[str, int], int] = {}
        part = getattr(document.part, "numbering_part", None) if _has_numbering(document) else None
        if part is not None:
            root = part.element
            by_abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
            for a in root.findall(q("abstractNum")):
                by_abstract[a.get(q("abstractNumId"))] = {
                    _int(lvl.get(q("ilvl")), 0, LEVELS): (_int(_val(lvl, "w:start"), 1, START), _val(lvl, "w:numFmt") or "decimal",
                                              _val(lvl, "w:lvlText") or f"%{_int(lvl.get(q('ilvl')), 0, LEVELS) + 1}.")
                    for lvl in a.findall(q("lvl"))}
            for n in root.findall(q("num")):
                num_id = n.get(q("numId"))
                for level, spec in by_abstract.get(_val(n, "w:abstractNumId") or "", {}).items():
                    self.levels[(num_id, level)] = spec
        for style in document.styles.element.findall(q("style")):
            num_id = _val(style, "w:pPr/w:numPr/w:numId")
            if num_id:
                self.style_num[style.get(q("styleId"))] = (num_id, _int(_val(style, "w:pPr/w:numPr/w:ilvl"), 0, LEVELS))

    def number(self, p) -> tuple[int, str] | None:
        """(count, label as Word prints it) of a numbered paragraph, or None."""
        num_id = _val(p, "w:pPr/w:numPr/w:numId")
        level = _val(p, "w:pPr/w:numPr/w:ilvl")
        if num_id is None:
            style = _val(p, "w:pPr/w:pStyle")
            if style not in self.style_num:
                return None
            num_id, lvl = self.style_num[style]
            level = str(lvl)
        if num_id == "0":   # numbering switched off
            return None
        lvl = _int(level, 0, LEVELS)
        key = (num_id, lvl)
        start, _, text = self.levels.get(key, (1, "decimal", f"%{lvl + 1}."))
        self.counters[key] = self.counters.get(key, start - 1) + 1
        for deeper in [k for k in self.counters if k[0] == num_id and k[1] > lvl]:
            del self.counters[deeper]

        def shown(m) -> str:
            k = (num_id, int(m[1]) - 1)
            fmt = self.levels.get(k, (1, "decimal", ""))[1]
            return _formatted(self.counters.get(k, self.levels.get(k, (1,))[0]), fmt)
        return self.counters[key], re.sub(r"%([1-9])", shown, text)


def _int(value: str | None, default: int, most: int) -> int:
    """An integer attribute of the package (ilvl, start, gridSpan), bounded; ``default`` when it is not one."""
    try:
        return min(int(value), most) if value is not None and len(value) < 10 else default
    except ValueError:
        return default


def _formatted(n: int, fmt: str) -> str:
    if fmt in CHINESE_FORMATS and 0 < n < 100:
        return chinese_numeral(n)
    return str(n)


def _has_numbering(document) -> bool:
    try:
        document.part.numbering_part  # noqa: B018 (the property raises when the package has no numbering part)
    except (KeyError, NotImplementedError):
        return False
    return True


def _text(p) -> str:
    out = []
    for el in p.iter(q("t"), q("tab"), q("br"), q("cr")):
        if el.tag == q("t"):
            out.append(el.text or "")
        elif el.tag == q("tab"):
            out.append("\t")
    return "".join(out).strip(" \t\u3000\xa0")


CONTENT_TYPES = "[Content_Types].xml"
RELS = "word/_rels/document.xml.rels"
RELATED = {"styles", "numbering"}     # parts this reader reads through a relationship of word/document.xml


def _check_package(file: str, data: bytes) -> None:
    """Refuse a package whose parts unpack to more than the document size limit (a zip bomb) before python-docx
    reads it: every part is unpacked and counted (:func:`greenplan.loaders.packages.check_parts`; the sizes the
    zip headers claim are not trusted, a part that unpacks to another size than it claims is refused)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        check_parts(file, z.infolist(), data, "a Word file", "split the document or remove embedded media")
        if CONTENT_TYPES in z.namelist():
            _check_content_types(file, z.read(CONTENT_TYPES))


def _check_content_types(file: str, xml: bytes) -> None:
    """``[Content_Types].xml`` as OPC defines it: every Default has Extension and ContentType, every Override
    PartName and ContentType (python-docx fails on a missing one without saying where)."""
    from lxml import etree

    where = f"{file}!{CONTENT_TYPES}"
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as e:
        raise PlanFormatError(where, e.lineno or 1, "well-formed XML", str(e.msg)[:60],
                              "save the document as .docx from Word or LibreOffice") from None
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    for el in root:
        name = el.tag.replace(ns, "") if isinstance(el.tag, str) else None
        needed = {"Default": ("Extension", "ContentType"), "Override": ("PartName", "ContentType")}.get(name or "")
        if needed is None:
            continue
        for attribute in needed:
            if el.get(attribute) is None:
                found = ", ".join(sorted(el.attrib)) or "no attributes"
                raise PlanFormatError(where, el.sourceline or 1, f"a <{name}> with the attribute {attribute}",
                                      found, "save the document as .docx from Word or LibreOffice")


def _check_relationships(file: str, document) -> None:
    """The styles and numbering a body uses must be parts of the package, not external targets."""
    for rel in document.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if rel.is_external and kind in RELATED:
            raise PlanFormatError(f"{file}!{RELS}", 1, f"the {kind} relationship to a part of the package",
                                  f'{rel.rId} TargetMode="External"',
                                  "save the document as .docx from Word or LibreOffice")


def read_docx(path: Path, display_name: str | None = None) -> Document:
    import docx  # python-docx
    from docx.opc.exceptions import OpcError
    from lxml import etree

    file = display_name or path.name
    data = path.read_bytes()
    try:
        _check_package(file, data)
        document = docx.Document(str(path))
    except PlanFormatError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zlib.error, OpcError,
            etree.XMLSyntaxError, NotImplementedError, RuntimeError, AttributeError, TypeError) as e:   # a zip version Python
            # cannot read, encryption; python-docx's errors on a malformed package
        found = f"{type(e).__name__}: {e}".replace("\n", " ")
        raise PlanFormatError(file, 1, "a Word .docx file (a zip package with word/document.xml)", found,
                              "save the document as .docx from Word or LibreOffice") from None
    _check_relationships(file, document)
    try:
        return _read_body(file, data, document)
    except PlanFormatError:
        raise
    except (KeyError, ValueError, AttributeError, TypeError, NotImplementedError, etree.XMLSyntaxError) as e:
        found = f"{type(e).__name__}: {e}".replace("\n", " ")
        raise PlanFormatError(file, 1, "a Word package whose styles, numbering and body python-docx can read",
                              found, "save the document as .docx from Word or LibreOffice") from None


def _read_body(file: str, data: bytes, document) -> Document:
    from lxml import etree

    body = getattr(document.element, "body", None)
    if document.element.tag != q("document") or body is None:
        raise PlanFormatError(file, 1, "word/document.xml with a w:document element holding a w:body",
                              f"a {etree.QName(document.element).localname} element" if body is None
                              else "another root element", "save the document as .docx from Word or LibreOffice")
    numbering = _Numbering(document)
    blocks: list[Block] = []
    cells = 0
    for el, tag, path_ in _body(body, "/w:document/w:body"):
        n = len(blocks) + 1
        if n > limits.MAX_BLOCKS:
            raise PlanFormatError(file, n, f"a plan of at most {limits.MAX_BLOCKS:,} paragraphs and tables",
                                  f"more than {limits.MAX_BLOCKS:,}", "split the document")
        if tag == "tbl":     # cells counted with their spans before any is made
            cells += sum(max(1, _int(_val(tc, "w:tcPr/w:gridSpan"), 1, GRID_SPAN)) for tc in el.iter(q("tc")))
            if cells > limits.MAX_CELLS:
                raise PlanFormatError(file, n, f"tables of at most {limits.MAX_CELLS:,} cells in all, spans counted "
                                      f"(table {path_})", f"{cells:,} cells so far", "split the document")
        span = Span(file, n, n, path_)
        if tag == "p":
            text = _text(el)
            number = numbering.number(el)
            if number and text and not text.startswith(number[1].strip()):
                text = number[1].strip() + text
            if text:   # an empty paragraph takes no block number (its XPath index still counts it)
                blocks.append(Block("paragraph", span, text))
        else:
            blocks.append(Block("table", span, rows=_rows(el, path_, file, n, numbering)))
    return Document(file, "docx", hashlib.sha256(data).hexdigest(), len(blocks), blocks)


def _body(parent, path: str):
    """(element, tag, XPath) of the paragraphs and tables in body order, inside content controls too."""
    counts: dict[str, int] = {}
    for el in parent:
        tag = el.tag.rsplit("}", 1)[-1]
        if tag not in ("p", "tbl", "sdt"):
            continue
        counts[tag] = counts.get(tag, 0) + 1
        here = f"{path}/w:{tag}[{counts[tag]}]"
        if tag == "sdt":
            content = el.find(q("sdtContent"))
            if content is not None:
                yield from _body(content, here + "/w:sdtContent")
        else:
            yield el, tag, here


def _rows(tbl, path: str, file: str, n: int, numbering: _Numbering) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    above: dict[int, Cell] = {}   # grid column → the cell that starts a vertical merge there
    for r, tr in enumerate(tbl.findall(q("tr")), 1):
        row: list[Cell] = []
        col = 0
        for c, tc in enumerate(tr.findall(q("tc")), 1):
            span = Span(file, n, n, f"{path}/w:tr[{r}]/w:tc[{c}]")
            paragraphs = []
            number = None
            for p in tc.findall(q("p")):
                num = numbering.number(p)
                number = number or (str(num[0]) if num else None)
                t = _text(p)
                if t:
                    paragraphs.append(t)
            width = max(1, _int(_val(tc, "w:tcPr/w:gridSpan"), 1, GRID_SPAN))
            vmerge = tc.find(f"{q('tcPr')}/{q('vMerge')}")
            continues = vmerge is not None and vmerge.get(q("val"), "continue") == "continue"
            if continues and col in above:
                top = above[col]
                cell = Cell(top.paragraphs, span, merged=True, number=number)
            else:
                cell = Cell(paragraphs, span, number=number)
                if vmerge is not None:
                    above[col] = cell
                else:
                    above.pop(col, None)
            for k in range(width):
                row.append(cell if k == 0 else Cell(cell.paragraphs, span, merged=True))
            col += width
        rows.append(row)
    return rows
