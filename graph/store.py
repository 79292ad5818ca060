"""The store: one small interface over where the graph lives.

* ``build_store(sources, directory)`` (``greenplan build``) loads the sources,
  builds the dataset and writes ``graph.nq`` (sorted N-Quads) and
  ``manifest.json`` into the store directory, atomically: a failed write
  leaves the previous store intact.
* ``open_store(...)`` gives a :class:`Store`: an in-memory Oxigraph store
  loaded from ``graph.nq`` (≈ 10 ms for a plan).  Read commands never build,
  except that the default per-user cache is filled on first use.

Where stores live: ``--store DIR`` or ``GREENPLAN_STORE`` name one directory
exactly.  Without them, stores are cached under ``$XDG_CACHE_HOME/greenplan``
(default ``~/.cache/greenplan``), one directory per cache key: a hash of the
sources and their metadata files, the ontology/ files, the greenplan version
and the base IRI.

This module imports neither rdflib nor pyshacl nor networkx: it is on the
path of every query.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from greenplan import __version__
from greenplan.iris import default_base
from greenplan.loaders.paths import is_url, metadata_path
from greenplan.resources import bundled_plan, ontology_files

GRAPH_FILE = "graph.nq"
MANIFEST = "manifest.json"


class StoreError(RuntimeError):
    """A store that is missing or unreadable; the message says what to run."""


def cache_root() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "greenplan"


def cache_key(sources: list[Path], base: str) -> str:
    """Content hash of everything a store is built from (≈ 0.5 ms for the bundled plan)."""
    h = hashlib.sha256()
    h.update(f"greenplan {__version__}\nbase {base}\n".encode())
    for src in sources:
        h.update(b"source\n" + src.read_bytes())
        meta = metadata_path(src)
        h.update(b"meta\n" + (meta.read_bytes() if meta.exists() else b"(none)"))
    for f in ontology_files():
        h.update(f"ontology {f.name}\n".encode() + f.read_bytes())
    return h.hexdigest()


@dataclass
class Location:
    directory: Path
    explicit: bool          # named by --store / GREENPLAN_STORE (never built implicitly)
    sources: list[Path]
    base: str


def locate(store: str | None = None, sources: list[str] | None = None, base: str | None = None) -> Location:
    base = base or default_base()
    explicit = store or os.environ.get("GREENPLAN_STORE")
    kept = Path(explicit) / "sources" if explicit else cache_root() / "sources"   # fetched pages, kept once
    srcs = [_kept(s, kept) if is_url(s) else _resolved(s) for s in (sources or [])] or [bundled_plan()]
    for s in srcs:
        if not s.is_file():
            raise StoreError(f"{s}: no such source file; pass --source with the path of a plan "
                             f"(.txt, .html, .docx) or an http(s):// URL")
    if explicit:
        return Location(Path(explicit), True, srcs, base)
    return Location(cache_root() / "stores" / cache_key(srcs, base)[:24], False, srcs, base)


def _resolved(source: str) -> Path:
    """The absolute path of a source file; a symbolic-link loop is a usage error, not a traceback."""
    try:
        return Path(source).resolve()
    except (RuntimeError, OSError) as e:    # Python 3.11 raises RuntimeError("Symlink loop …"), 3.13 OSError
        raise StoreError(f"{source}: cannot resolve the source path ({e}); pass --source with the path of a "
                         f"plan file, not a looping symbolic link") from None


def _kept(url: str, directory: Path) -> Path:
    from greenplan.loaders.fetch import kept_copy   # only when a source is a URL (keeps the query path light)

    return kept_copy(url, directory)


def _write_atomically(path: Path, writer) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_store(loc: Location):
    """Load every source, build the dataset and write the store. Returns the Dataset (with its load report)."""
    from greenplan.build import build
    from greenplan.loaders import LoadReport, load
    from greenplan.progress import Steps

    report = LoadReport()
    plans = []
    with Steps("building the store", total=len(loc.sources) + 2) as steps:   # a bar after 1 s (corpus builds)
        for src in loc.sources:
            plan, rep = load(src)
            plans.append(plan)
            report.issues.extend(rep.issues)
            steps.advance(f"read {src.name}")
        steps.advance(f"graph of {len(plans)} plan{'s' if len(plans) != 1 else ''}")
        dataset = build(plans, report, loc.base)
        steps.advance(f"writing {GRAPH_FILE}")
        _write_store(loc, plans, dataset)
    return dataset


def _write_store(loc: Location, plans, dataset) -> None:
    manifest = {
        "greenplan": __version__,
        "base": loc.base,
        "key": cache_key(loc.sources, loc.base),
        "plans": [{"identifier": p.identifier, "source": str(src), "sha256": p.source_sha256}
                  for p, src in zip(plans, loc.sources)],
        "quads": len(dataset.quads),
    }
    _write_atomically(loc.directory / GRAPH_FILE, lambda fh: ox.serialize(dataset.quads, fh, ox.RdfFormat.N_QUADS))
    _write_atomically(loc.directory / MANIFEST,
                      lambda fh: fh.write(json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"))


class Store:
    """An in-memory Oxigraph store loaded from a built store directory."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        path = self.directory / GRAPH_FILE
        try:
            self.manifest = json.loads((self.directory / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise StoreError(f"{self.directory}: not a greenplan store ({e}); run `greenplan build --store {self.directory}`") from None
        self.ox = ox.Store()
        # graph.nq is written by build_store through Oxigraph's own serializer, so the lenient parser
        # (no IRI/language-tag re-validation) reads it safely: ≈ 17 ms instead of ≈ 28 ms for a plan.
        self.ox.load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)

    @property
    def base(self) -> str:
        return self.manifest["base"]

    def query(self, sparql: str, bindings: dict | None = None):
        """Run SPARQL with parameters bound as RDF terms (:func:`greenplan.sparqltext.substitute`)."""
        from greenplan.sparqltext import substitute

        return self.ox.query(substitute(sparql, bindings))

    def run(self, sparql: str, bindings: dict | None = None):
        """SELECT/ASK → :class:`~greenplan.results.Result`; CONSTRUCT/DESCRIBE → list of triples."""
        from greenplan.results import from_solutions

        answer = self.query(sparql, bindings)
        if isinstance(answer, ox.QueryTriples):
            return list(answer)
        return from_solutions(answer)

    def quads(self) -> list[ox.Quad]:
        return list(self.ox.quads_for_pattern(None, None, None, None))


def open_store(store: str | None = None, sources: list[str] | None = None, base: str | None = None,
               log=None) -> Store:
    """Open the store for these options; the default cache is built on first use."""
    loc = locate(store, sources, base)
    if not (loc.directory / MANIFEST).exists():
        if loc.explicit:
            raise StoreError(f"no greenplan store at {loc.directory}; run `greenplan build --store {loc.directory}` first")
        if log:
            log(f"building the store for {', '.join(s.name for s in loc.sources)} in {loc.directory} (first use) …")
        build_store(loc)
    return Store(loc.directory)
