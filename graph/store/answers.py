"""Answers a generation keeps: the results of the parameter lookups, computed once when it is written.

A saved query's parameter given by name (``--param bureau=市发展改革局``, ``topic=hydrogen``) is resolved by its
lookup query (``queries/parameters/<name>.rq``), which lists every spelling of every body, place or topic of
the store: ≈ 10–30 ms on a plan's on-disk index, ≈ 0.1 s on a 100-plan one, paid by every cold query before its
own (docs/speed.md). A generation never changes once written, so ``write_generation`` runs the lookups on
its index and keeps their results beside it, in ``answers/<digest>.srj`` (SPARQL 1.1 Query Results JSON, as
Oxigraph writes and reads it); :meth:`greenplan.store.core.Store.run` answers a query whose text is one of
them from that file. The key is the BLAKE2b-256 digest of the query text exactly as it would run: a lookup file edited
since the build (another greenplan version reading an old store) has another digest and runs on the store
as before — a kept answer can be missing, never stale.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from greenplan.store.fingerprint import new_hash

ANSWERS_DIR = "answers"
SUFFIX = ".srj"


def digest(text: str) -> str:
    """The key of a query text's kept answer (BLAKE2b-256, as the store's other digests: no hashlib to import)."""
    h = new_hash()
    h.update(text.encode("utf-8"))
    return h.hexdigest()


def lookup_texts() -> list[str]:
    """The texts of the parameter lookups (``queries/parameters/*.rq``), in file-name order."""
    from greenplan.resources import folder

    return [p.read_text(encoding="utf-8") for p in sorted((folder("queries") / "parameters").glob("*.rq"))]


def write_answers(folder: Path, index: Path, texts: list[str]) -> list[str]:
    """Run each text on the on-disk store ``index`` and write its results into ``folder/answers/``; returns the
    digests written (sorted), for the manifest. Only SELECT and ASK queries are kept."""
    store = ox.Store.read_only(str(index))
    out = folder / ANSWERS_DIR
    out.mkdir(exist_ok=True)
    kept = []
    for text in texts:
        result = store.query(text)
        if not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            continue
        key = digest(text)
        result.serialize(str(out / (key + SUFFIX)), ox.QueryResultsFormat.JSON)
        kept.append(key)
    return sorted(kept)


def read_answer(folder: Path, key: str):
    """The kept results of the query whose digest is ``key`` (QuerySolutions or QueryBoolean), or None when the
    file is missing or unreadable (the query then runs on the store)."""
    try:
        return ox.parse_query_results(path=str(folder / ANSWERS_DIR / (key + SUFFIX)),
                                      format=ox.QueryResultsFormat.JSON)
    except (OSError, SyntaxError, ValueError):
        return None
