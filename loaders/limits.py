"""Size limits of what a loader reads (module constants, so that tests can set them small).

A plan is a few hundred kilobytes; a single cell or paragraph a few thousand characters.  Far larger input is
refused with a clear error before it reaches the graph (a literal of 16 MiB breaks the store's query buffer).
"""
from __future__ import annotations

# a source file, a metadata file, the unpacked parts of a .docx; well below the store's 16 MiB buffer, which a
# section's text (its paragraphs joined) must stay under
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
MAX_CELL_CHARS = 200_000                 # one paragraph or one table cell, in characters

# What a document may hold, counted before the work (time and memory of reading and building grow with
# these counts, about linearly: docs/security.md "Readers").  Cells are counted with their spans (a
# <td colspan=1000> is 1,000 cells), so that a small file cannot ask for millions of cells.
MAX_CELLS = 100_000                      # table cells of one document, spans included
MAX_BLOCKS = 10_000                      # paragraphs and tables of one document
MAX_SHEET_CELLS = 1_000_000              # rows × columns of a workbook's sheets read, empty cells included
MAX_PDF_STREAM_BYTES = 128 * 1024 * 1024  # a PDF's streams unpacked (pages, fonts, cross-references), in all

# fetching a source given as an http(s):// URL (loaders/fetch.py)
MAX_FETCH_BYTES = 50 * 1024 * 1024       # the body of one response
FETCH_DEADLINE = 60.0                    # seconds for the whole fetch: connect, headers, body, redirects
FETCH_READ_TIMEOUT = 30.0                # seconds without a byte before the fetch is given up
MAX_RESPONSE_HEADERS = 100               # header lines of one response
MAX_RESPONSE_HEADER_BYTES = 64 * 1024    # status line and header lines together
MAX_REDIRECTS = 5
FOLLOW_REDIRECTS = False                 # to another host or port (--follow-redirects); never another scheme


def size(n: int) -> str:
    """A byte count for messages: 8,388,608 bytes (8.0 MiB)."""
    return f"{n:,} bytes ({n / 1048576:.1f} MiB)"
