"""Read plain text (UTF-8, one paragraph a line, no tables) into the document model."""
from __future__ import annotations

import hashlib
from pathlib import Path

from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.model import Block, Document
from greenplan.loaders.records import Span


def decode_text(file: str, data: bytes) -> list[str]:
    """Lines of UTF-8 text (BOM, CRLF and CR accepted); other encodings are a clear error, never a guess."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise PlanFormatError(file, line, "UTF-8 text", f"byte 0x{data[e.start]:02x}",
                              "convert the file to UTF-8 (e.g. iconv -f GB18030 -t UTF-8)") from None
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_text(path: Path, display_name: str | None = None) -> Document:
    file = display_name or path.name
    data = path.read_bytes()
    lines = decode_text(file, data)
    blocks = [Block("paragraph", Span(file, n, n), line.strip(" \t\u3000\xa0"))
              for n, line in enumerate(lines, 1) if line.strip(" \t\u3000\xa0")]
    return Document(file, "text", hashlib.sha256(data).hexdigest(), len(lines), blocks)


def is_tabbed_layout(lines: list[str]) -> bool:
    """Today's export layout: annex tables one TAB-opened cell a line."""
    return any(line.startswith("\t") for line in lines)
