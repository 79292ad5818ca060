"""Answers the server has already computed, kept per store generation (issue 27).

The store a server reads is read-only and its answers are deterministic, so an answer is a function
of the store's generation and the request's parameters.  :class:`AnswerCache` keeps the bodies of
200 answers (saved queries, ``/sparql`` GET) in a bounded LRU keyed by both; each has a strong
``ETag`` (a digest of the generation and the body), so a client or proxy that sends
``If-None-Match`` gets ``304 Not Modified`` and no body.

The generation is the store's own ``generation`` id when its manifest has one, else a digest of the
manifest (it names every source's SHA-256, the code's digest and the base IRI, so another build of
other content has another manifest)."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict


def generation(store) -> str:
    """The id of the store generation the server answers from."""
    manifest = getattr(store, "manifest", None) or {}
    if manifest.get("generation"):
        return str(manifest["generation"])
    return hashlib.sha256(json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:24]


def request_key(*parts) -> str:
    """A fixed-size key for a request's parameters (the values come from clients: never kept whole)."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 13.1.2: ``*`` or any listed entity tag, compared weakly (``W/`` ignored)."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


class AnswerCache:
    """LRU of ``key → (media type, body, etag)`` for one store generation, at most ``max_bytes`` of bodies."""

    def __init__(self, generation: str, max_bytes: int):
        self.generation = generation
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[str, bytes, str]] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    def etag(self, body: bytes) -> str:
        return '"' + hashlib.sha256(self.generation.encode() + b"\0" + body).hexdigest()[:32] + '"'

    def get(self, key: str):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, media: str, body: bytes) -> tuple[str, bytes, str]:
        entry = (media, body, self.etag(body))
        if len(body) > self.max_bytes // 8:      # one answer never takes more than an eighth of the cache
            return entry
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._entries[key] = entry
            self._bytes += len(body)
            while self._bytes > self.max_bytes and self._entries:
                _, (_, dropped, _) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)
        return entry
