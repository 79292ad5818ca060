"""A PDF's streams unpacked within a budget: a small PDF whose streams unpack to gigabytes (a "PDF bomb": a
FlateDecode stream of zeros, filters chained) is stopped while it unpacks, never trusted.

pdfminer.six (under pdfplumber) unpacks a stream whole with ``zlib.decompress`` (LZW and RunLength by its own
functions) when a page, a font or the cross-reference needs it.  :func:`within` installs, once, bounded
replacements of those three in ``pdfminer.pdftypes`` and gives the reading in its ``with`` block a budget of
unpacked bytes: every byte a stream unpacks to is counted as it comes (zlib in pieces of at most what is left),
and past the budget :class:`StreamLimit` is raised and the budget marked ``exceeded`` (sticky, so that a reader
that swallows the exception inside pdfminer is still refused by the caller).  Outside a ``with`` block the
replacements behave as the originals.
"""
from __future__ import annotations

import contextlib
import contextvars
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

PIECE = 1 << 20          # bytes unpacked at a time


class StreamLimit(Exception):
    """The streams of the PDF being read unpack past the budget."""


@dataclass
class Budget:
    left: int
    exceeded: bool = False


_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("greenplan_pdf_budget", default=None)


def _spend(n: int) -> None:
    b = _budget.get()
    if b is None:
        return
    b.left -= n
    if b.left < 0 or b.exceeded:
        b.exceeded = True
        raise StreamLimit


class _Decompressor:
    """``zlib.decompressobj`` that counts what it unpacks and never unpacks much past the budget."""

    def __init__(self, *args, **kwargs):
        self._d = zlib.decompressobj(*args, **kwargs)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        b = _budget.get()
        if b is None:
            return self._d.decompress(data, max_length)
        out = []
        got = 0
        while True:
            room = min(PIECE, max(b.left, 0) + 1)
            if max_length:
                room = min(room, max_length - got)
            piece = self._d.decompress(data, room)
            got += len(piece)
            out.append(piece)
            _spend(len(piece))
            data = self._d.unconsumed_tail
            if not data or not piece or (max_length and got >= max_length):
                break
        return b"".join(out)

    def flush(self, *args) -> bytes:
        out = self._d.flush(*args)
        _spend(len(out))
        return out

    def __getattr__(self, name: str):
        return getattr(self._d, name)


def _decompress(data: bytes, wbits: int = zlib.MAX_WBITS, bufsize: int = zlib.DEF_BUF_SIZE) -> bytes:
    """``zlib.decompress`` within the budget (the same errors for a damaged or truncated stream)."""
    if _budget.get() is None:
        return zlib.decompress(data, wbits, bufsize)
    d = _Decompressor(wbits)
    out = d.decompress(data)
    out += d.flush()
    if not d.eof:
        raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
    return out


class _Zlib:
    """What pdfminer.pdftypes uses of ``zlib``, bounded; anything else is zlib's."""
    error = zlib.error
    decompress = staticmethod(_decompress)
    decompressobj = _Decompressor

    def __getattr__(self, name: str):
        return getattr(zlib, name)


_installed = False


def _install() -> None:
    global _installed
    if _installed:
        return
    from pdfminer import pdftypes
    from pdfminer.lzw import LZWDecoder
    from pdfminer.runlength import rldecode

    def lzwdecode(data: bytes) -> bytes:
        out = []
        for piece in LZWDecoder(io.BytesIO(data)).run():
            _spend(len(piece))
            out.append(piece)
        return b"".join(out)

    def runlength(data: bytes) -> bytes:     # at most 128 times its input, itself within the file's size limit
        out = rldecode(data)
        _spend(len(out))
        return out

    pdftypes.zlib = _Zlib()  # type: ignore[assignment]  # a module-like stand-in: bounded decompression
    pdftypes.lzwdecode = lzwdecode
    pdftypes.rldecode = runlength
    _installed = True


@contextlib.contextmanager
def within(limit: int) -> Iterator[Budget]:
    """Read PDFs in the ``with`` block with at most ``limit`` unpacked bytes of streams in all."""
    _install()
    budget = Budget(limit)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)
