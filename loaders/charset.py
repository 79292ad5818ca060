"""Decode the bytes of a web page: BOM, then the declared charset, then UTF-8; never a silent mis-decoding."""
from __future__ import annotations

import codecs
import re

from greenplan.loaders.errors import PlanFormatError

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# GB2312 and GBK pages routinely use characters only their superset has; GB18030 decodes them all alike.
SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
             "iso-8859-1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8"}
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def declared_charset(data: bytes, header: str | None = None) -> str | None:
    """The charset a Content-Type header or the page's <meta> declares, if any."""
    if header and (m := re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", header, re.I)):
        return m[1].lower()
    meta = META_CHARSET.search(data[:4096])
    return meta[1].decode("ascii").lower() if meta else None


def decode_page(file: str, data: bytes, header: str | None = None) -> tuple[str, str]:
    """(text, charset used). Raises PlanFormatError naming the line of the first byte that does not decode."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return _decode(file, data[len(bom):], name, "its byte-order mark"), name
    declared = declared_charset(data, header)
    if declared:
        name = SUPERSETS.get(declared, declared)
        try:
            codecs.lookup(name)
        except LookupError:
            raise PlanFormatError(file, 1, "a page in a known character set", f"charset={declared}",
                                  "save the page as UTF-8 or GB18030") from None
        if codecs.lookup(name).name != "utf-8" and not data.isascii() and _is_utf8(data):
            # GB18030 would read these bytes too, as nonsense: a page saved as UTF-8 under its old declaration
            raise PlanFormatError(file, 1, f"text in its declared charset {declared}", "bytes that are UTF-8",
                                  "the page was saved as UTF-8 but still declares the old charset: correct its "
                                  "<meta charset=…> to utf-8")
        return _decode(file, data, name, f"its declared charset {declared}"), name
    return _decode(file, data, "utf-8", "UTF-8 (no charset declared)"), "utf-8"


def _decode(file: str, data: bytes, name: str, basis: str) -> str:
    try:
        return data.decode(name)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise PlanFormatError(file, line, f"text in {basis}", f"byte 0x{data[e.start]:02x} that does not decode",
                              "declare the page's real charset (<meta charset=…>) or convert it to UTF-8") from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
