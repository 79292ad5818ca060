"""The kept copies of a store's sources, served at ``/sources/<plan identifier>``.

``greenplan build`` records each plan's source file and its SHA-256 in the store's ``manifest.json``
(a page read from a URL is kept under ``STORE/sources/``).  The server answers with that file as it
is, only while its bytes still have the recorded hash: a source edited since the build is not the copy
the graph was read from.  Nothing here reads the document's content.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

# how a kept copy is sent: HTML sandboxed (its scripts never run on the server's origin)
MEDIA = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class Kept(NamedTuple):
    path: Path
    media: str


def recorded(store) -> dict[str, dict]:
    """Plan identifier → its manifest entry (``file``, ``source``, ``sha256``); empty for a store without a manifest
    (a remote endpoint)."""
    manifest = getattr(store, "manifest", None) or {}
    return {p["identifier"]: p for p in manifest.get("plans", []) if p.get("identifier")}


def kept_copy(store, identifier: str) -> Kept | None:
    """The source file ``identifier`` was built from, if it is still there with the recorded bytes."""
    entry = recorded(store).get(identifier)
    if entry is None:
        return None
    path = Path(entry.get("file") or entry.get("source", ""))   # "file": the kept copy (a URL's "source" is its URL)
    media = MEDIA.get(path.suffix.lower())
    if media is None or not path.is_file():
        return None
    if hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
        return None
    return Kept(path, media)


def has_copy(store, identifier: str) -> bool:
    """Whether the store's manifest names a source for ``identifier`` (checked again when it is served)."""
    return identifier in recorded(store)
