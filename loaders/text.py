"""Read plain text (UTF-8, one paragraph a line, no tables) into the document model."""
from __future__ import annotations

import hashlib
from pathlib import Path

from greenplan.loaders import limits
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.model import Block, Document
from greenplan.loaders.records import Span


def decode_text(file: str, data: bytes) -> list[str]:
    """Lines of UTF-8 text (BOM, CRLF and CR accepted); other encodings are a clear error, never a guess;
    more than ``MAX_BLOCKS`` non-empty lines are refused."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise PlanFormatError(file, line, "UTF-8 text", f"byte 0x{data[e.start]:02x}",
                              "convert the file to UTF-8 (e.g. iconv -f GB18030 -t UTF-8)") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    check_blocks(file, lines)      # before any reader makes a paragraph of them (text and TAB-celled layouts)
    return lines


def read_text(path: Path, display_name: str | None = None) -> Document:
    file = display_name or path.name
    data = path.read_bytes()
    lines = decode_text(file, data)
    blocks = [Block("paragraph", Span(file, n, n), line.strip(" \t\u3000\xa0"))
              for n, line in enumerate(lines, 1) if line.strip(" \t\u3000\xa0")]
    return Document(file, "text", hashlib.sha256(data).hexdigest(), len(lines), blocks)


def check_blocks(file: str, lines: list[str]) -> None:
    """Refuse, before any paragraph is made, a text of more than ``MAX_BLOCKS`` non-empty lines."""
    count = 0
    for n, line in enumerate(lines, 1):
        if line.strip(" \t\u3000\xa0"):
            count += 1
            if count > limits.MAX_BLOCKS:
                raise PlanFormatError(file, n, f"a plan of at most {limits.MAX_BLOCKS:,} paragraphs",
                                      f"more than {limits.MAX_BLOCKS:,} non-empty lines",
                                      "a plan has a few thousand paragraphs at most; split the file")


def is_tabbed_layout(lines: list[str]) -> bool:
    """Today's export layout: annex tables one TAB-opened cell a line."""
    return any(line.startswith("\t") for line in lines)
