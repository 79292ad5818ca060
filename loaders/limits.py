"""Size limits of what a loader reads (module constants, so that tests can set them small).

A plan is a few hundred kilobytes; a single cell or paragraph a few thousand characters.  Far larger input is
refused with a clear error before it reaches the graph (a literal of 16 MiB breaks the store's query buffer).
"""
from __future__ import annotations

MAX_DOCUMENT_BYTES = 32 * 1024 * 1024   # a source file, a metadata file, the uncompressed parts of a .docx
MAX_CELL_CHARS = 200_000                 # one paragraph or one table cell, in characters


def size(n: int) -> str:
    """A byte count for messages: 33,554,432 bytes (32.0 MiB)."""
    return f"{n:,} bytes ({n / 1048576:.1f} MiB)"
