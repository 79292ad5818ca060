"""Zip packages (.docx, .xlsx, .ods) unpacked within the document limit before a library opens them.

The sizes a zip declares are not trusted: :func:`check_parts` unpacks every part from its compressed stream, in
pieces, never more than the limit in all (``limits.MAX_DOCUMENT_BYTES``) nor one byte past the size the part
declares.  Parts past the limit, and a part that unpacks to another size than it declares (a zip bomb whose
headers lie, or a damaged file), are one :class:`PlanFormatError` naming the part.
"""
from __future__ import annotations

import struct
import zipfile
import zlib

from greenplan.loaders import limits
from greenplan.loaders.errors import PlanFormatError

PIECE = 1 << 16
# A part's local file header (APPNOTE.TXT 4.3.7): signature, then 26 bytes of fields; the name's and the extra
# field's lengths are its last two
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
LOCAL_SIGNATURE = b"PK\x03\x04"


def check_parts(file: str, parts: list[zipfile.ZipInfo], data: bytes, what: str, advice: str) -> None:
    """Unpack every part of the package ``data`` (its ``parts`` as zipfile lists them); ``what`` names the kind of
    file in the error (a Word file), ``advice`` what to do about one too large."""
    most = limits.MAX_DOCUMENT_BYTES
    total = sum(i.file_size for i in parts)
    if total > most:
        raise PlanFormatError(file, 1, f"{what} of at most {limits.size(most)} unpacked",
                              f"parts of {limits.size(total)}", advice)
    unpacked = 0
    for part in parts:
        real = unpacked_size(file, data, part, most - unpacked)
        if real > most - unpacked:
            raise PlanFormatError(file, 1, f"{what} of at most {limits.size(most)} unpacked",
                                  f"{part.filename[:80]} unpacking past the limit", advice)
        unpacked += real


def unpacked_size(file: str, data: bytes, part: zipfile.ZipInfo, budget: int) -> int:
    """The bytes one part really unpacks to, read from its compressed stream (never more than ``budget`` or
    one byte past its declared size); a part that unpacks to another size than it declares is a located error."""
    damaged = "the file is damaged or made to exhaust memory; save it again from the program that made it"
    name = part.filename[:80]
    start = part.header_offset
    header = data[start:start + LOCAL_HEADER.size]
    if len(header) < LOCAL_HEADER.size or not header.startswith(LOCAL_SIGNATURE):
        raise PlanFormatError(file, 1, "a zip package whose parts start where its directory says",
                              f"no part header for {name}", damaged)
    name_length, extra_length = LOCAL_HEADER.unpack(header)[-2:]
    begin = start + LOCAL_HEADER.size + name_length + extra_length
    packed = data[begin:begin + part.compress_size]
    if part.flag_bits & 0x1:
        raise PlanFormatError(file, 1, "a package without a password", f"encrypted part {name}",
                              "save the file again without a password")
    if part.compress_type == zipfile.ZIP_STORED:
        real = len(packed)
    elif part.compress_type == zipfile.ZIP_DEFLATED:
        unpack = zlib.decompressobj(-15)
        real = 0
        rest = packed
        ceiling = min(part.file_size + 1, budget + 1)   # enough to tell "more than declared" or "past the limit"
        try:
            while real < ceiling:
                out = unpack.decompress(rest, min(PIECE, ceiling - real))
                real += len(out)
                rest = unpack.unconsumed_tail
                if not out:     # the end of the stream, or input zlib makes no progress on
                    break
            if real < ceiling:
                real += len(unpack.flush())
        except zlib.error as e:
            raise PlanFormatError(file, 1, "zip parts that unpack", f"{name}: {e}", damaged) from None
    else:
        raise PlanFormatError(file, 1, "zip parts stored or deflated (as office programs write them)",
                              f"{name} compressed by method {part.compress_type}",
                              "save it again from the program that made it")
    if real > budget:
        return real
    if real != part.file_size:
        raise PlanFormatError(file, 1, f"zip part {name} to unpack to the {part.file_size:,} bytes it declares",
                              "more" if real > part.file_size else f"{real:,} bytes", damaged)
    return real
