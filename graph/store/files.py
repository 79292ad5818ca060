"""The files of a built store directory, and how its file of record is read: one definition for the store
(:mod:`greenplan.store.core`), the writer of its generations (:mod:`greenplan.store.generation`) and the process
that keeps a large one open (:mod:`greenplan.store.keeper`).

A store directory holds ``manifest.json`` and one folder per *generation* (``gen-000007-3fa85c1e/``: ``graph.nq``, the
on-disk ``index/`` of a large store). The manifest names the current generation; a build writes a new
generation aside and then replaces the manifest (one rename), so a reader that reads the manifest once reads
one generation, whole. A store written before generations (``graph.nq`` beside ``manifest.json``) is read
as its own generation.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

GRAPH_FILE = "graph.nq"          # the store's file of record: sorted N-Quads
MANIFEST = "manifest.json"       # what it was built from, its base IRI, its generation and digest, whether it has an index
INDEX_DIR = "index"              # Oxigraph's on-disk store of graph.nq, opened read-only (large stores only)
LOCK_FILE = ".lock"              # held (flock) by the one process writing a new generation


def read_manifest(directory) -> dict:
    """The store's manifest; raises OSError or ValueError."""
    with open(Path(directory) / MANIFEST, encoding="utf-8") as fh:
        manifest = json.load(fh)
    if not isinstance(manifest, dict):
        raise ValueError("the manifest is not a JSON object")
    return manifest


def generation_dir(directory, manifest: dict) -> Path:
    """The folder of the generation ``manifest`` names (the store directory itself for a store written before
    generations)."""
    gen = manifest.get("generation")
    if gen and (not isinstance(gen, str) or "/" in gen or gen.startswith(".")):
        raise ValueError(f"the manifest names an invalid generation {gen!r}")
    return Path(directory) / gen if gen else Path(directory)


def graph_path(directory) -> Path:
    """The current generation's graph.nq (raises OSError or ValueError when there is no store)."""
    return generation_dir(directory, read_manifest(directory)) / GRAPH_FILE


def read_graph(path) -> ox.Store:
    """``graph.nq`` loaded into an in-memory Oxigraph store. The file is written by ``build_store`` through
    Oxigraph's own serializer, so the lenient parser (no IRI/language-tag re-validation) reads it safely:
    ≈ 17 ms instead of ≈ 28 ms for a plan. A damaged file raises SyntaxError or ValueError."""
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
    return store


def read_graph_part(path, ranges) -> ox.Store:
    """The byte ranges ``(offset, length)`` of ``graph.nq`` (whole named graphs: the manifest's table) loaded into
    an in-memory Oxigraph store, as :func:`read_graph` loads the whole file."""
    with open(path, "rb") as fh:
        pieces = []
        for offset, length in ranges:
            fh.seek(offset)
            pieces.append(fh.read(length))
    store = ox.Store()
    store.load(b"".join(pieces), format=ox.RdfFormat.N_QUADS, lenient=True)
    return store
