"""The store: one small interface over where the graph lives.

* ``build_store(sources, directory)`` (``greenplan build``) loads the sources,
  builds the dataset and writes ``graph.nq`` (sorted N-Quads) and
  ``manifest.json`` into the store directory, atomically: a failed write
  leaves the previous store intact.
* ``open_store(...)`` gives a :class:`Store`: an in-memory Oxigraph store
  loaded from ``graph.nq`` (≈ 20 ms for a plan).  Read commands never build,
  except that the default per-user cache is filled on first use.
* A large store (≥ ``INDEX_MIN_QUADS`` quads: a corpus) also gets an on-disk
  index and is kept open by a keeper process (:mod:`greenplan.store.keeper`) that
  ``build`` starts and that :meth:`Store.run` asks first; see :class:`Store`.

Where stores live: ``--store DIR`` or ``GREENPLAN_STORE`` name one directory
exactly.  Without them, stores are cached under ``$XDG_CACHE_HOME/greenplan``
(default ``~/.cache/greenplan``), one directory per cache key: a hash of the
sources and their metadata files, the package's code and data files
(:mod:`greenplan.store.fingerprint`: ``graph/`` and ``loaders/`` ``.py`` files,
ontology, shapes, queries, data), the greenplan version and the base IRI.  A
changed key gives a new directory beside the old one.  A cache directory is
built aside and renamed into place, never written while another process may
be reading it.

This module imports neither rdflib nor pyshacl nor networkx: it is on the
path of every query.
"""
from __future__ import annotations

from greenplan.errors import GreenplanError

import json
import os
from collections import namedtuple
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import Quad as OxQuad, Store as OxStore   # inside Store, `ox` names its property

from greenplan import __version__
from greenplan.store.fingerprint import code_digest, new_hash
from greenplan.iris import default_base
from greenplan.loaders.paths import is_url, metadata_path
from greenplan.resources import bundled_plan
from greenplan.store.files import GRAPH_FILE, MANIFEST, read_graph

INDEX_DIR = "index"         # Oxigraph's on-disk store of graph.nq, opened read-only (large stores only)
# From this many quads on (≈ 7 plans) a store gets an on-disk index and a keeper (greenplan.store.keeper): opening the
# index costs ≈ 20 ms whatever its size, where loading graph.nq costs ≈ 23 ms per plan; a smaller store is
# loaded into memory by each query, where its queries run fastest (bench/README.md). GREENPLAN_INDEX_MIN_QUADS
# overrides it at build time (tests build small "large" stores with it).
INDEX_MIN_QUADS = 100_000


def index_min_quads() -> int:
    try:
        return int(os.environ.get("GREENPLAN_INDEX_MIN_QUADS") or INDEX_MIN_QUADS)
    except ValueError:
        return INDEX_MIN_QUADS


class StoreError(GreenplanError, RuntimeError):
    """A store that is missing or unreadable; the message says what to run."""


def cache_root() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "greenplan"


def cache_key(sources: list[Path], base: str) -> str:
    """Content hash of everything a store is built from: sources, their metadata, the package's code and
    data files, version and base IRI (≈ 1 ms for the bundled plan once the code digest is remembered)."""
    h = new_hash()
    h.update(f"greenplan {__version__}\nbase {base}\ncode {code_digest(cache_root() / 'code')}\n".encode())
    for src in sources:
        h.update(b"source\n" + src.read_bytes())
        meta = metadata_path(src)
        h.update(b"meta\n" + (meta.read_bytes() if meta.exists() else b"(none)"))
    return h.hexdigest()


# Where a store lives: its directory; explicit = named by --store / GREENPLAN_STORE (never built implicitly);
# the source paths and base IRI it is built from. (A named tuple: dataclasses cost ≈ 5 ms of every cold query.)
Location = namedtuple("Location", "directory explicit sources base")


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
    """Replace ``path`` atomically (see :mod:`greenplan.output`: mode kept, temporary file always removed)."""
    from greenplan.output import replace_file

    replace_file(path, writer)


def build_store(loc: Location):
    """Load every source, build the dataset and write the store. Returns the Dataset (with its load report).

    A directory named by --store is rewritten file by file, atomically; a cache directory is built aside
    and renamed into place (:func:`_publish`)."""
    from greenplan.build.dataset import build
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
        if loc.explicit:
            _write_store(loc, plans, dataset)
        else:
            _publish(loc, plans, dataset)
    if Store(loc.directory).keeps():
        from greenplan.store.keeper import restart

        restart(loc.directory)      # in the background: the store is loaded while the user reads the output
    return dataset


def _publish(loc: Location, plans, dataset) -> None:
    """Write a cache store into a fresh sibling directory, then rename it to its key's name.  If that name
    is taken (another process built the same key: same inputs, same bytes), the existing store is kept:
    a directory another process may be reading is never written to."""
    import shutil
    import tempfile

    loc.directory.parent.mkdir(parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(prefix=f".{loc.directory.name}.", suffix=".building", dir=loc.directory.parent))
    try:
        _write_store(loc._replace(directory=aside), plans, dataset)
        try:
            os.rename(aside, loc.directory)
        except OSError:
            if not (loc.directory / MANIFEST).exists():
                raise StoreError(f"{loc.directory}: exists but holds no store; remove it and run again") from None
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _write_store(loc: Location, plans, dataset) -> None:
    import shutil

    manifest = {
        "greenplan": __version__,
        "base": loc.base,
        "key": cache_key(loc.sources, loc.base),
        "plans": [{"identifier": p.identifier, "source": str(src), "sha256": p.source_sha256}
                  for p, src in zip(plans, loc.sources)],
        "quads": len(dataset.quads),
    }
    _write_atomically(loc.directory / GRAPH_FILE, lambda fh: ox.serialize(dataset.quads, fh, ox.RdfFormat.N_QUADS))
    if len(dataset.quads) >= index_min_quads():
        _write_index(loc.directory)
        manifest["index"] = INDEX_DIR
    else:
        shutil.rmtree(loc.directory / INDEX_DIR, ignore_errors=True)
    _write_atomically(loc.directory / MANIFEST,
                      lambda fh: fh.write(json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"))


def _write_index(directory: Path) -> None:
    """Bulk-load graph.nq into an on-disk Oxigraph store beside it, built aside and renamed into place."""
    import shutil
    import tempfile

    aside = Path(tempfile.mkdtemp(prefix=f".{INDEX_DIR}.", suffix=".building", dir=directory))
    old = directory / f".{INDEX_DIR}.old"
    try:
        disk = ox.Store(str(aside / INDEX_DIR))
        disk.bulk_load(path=str(directory / GRAPH_FILE), format=ox.RdfFormat.N_QUADS, lenient=True)
        disk.optimize()
        del disk
        shutil.rmtree(old, ignore_errors=True)
        if (directory / INDEX_DIR).exists():
            os.rename(directory / INDEX_DIR, old)
        os.rename(aside / INDEX_DIR, directory / INDEX_DIR)
    finally:
        shutil.rmtree(aside, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


class Store:
    """A built store directory, opened for queries.

    A small store (the usual single plan) is loaded from graph.nq into memory on first use (≈ 20 ms):
    every query runs fastest there. A large store (≥ :data:`INDEX_MIN_QUADS` quads, a corpus) costs
    ≈ 23 ms per plan to load, so :meth:`run` first asks the store's keeper (:mod:`greenplan.store.keeper`), a
    local process that holds it in memory: ≈ the query's own time plus a socket round trip. When no keeper
    is running (or only one for an older build), one is started in the background. A caller that will only
    ask about one plan calls :meth:`prefer_index` first: until the keeper is ready, it is answered here from
    the on-disk index, opened read-only (≈ 20 ms whatever the corpus size). Any other query waits for the
    keeper to load the store, which is quicker than loading it here as well (bench/README.md). When the
    keeper cannot answer (disabled by ``GREENPLAN_KEEPER=off``, busy, failed, not up in time), the query is
    answered in this process: on the index for one plan, else graph.nq is loaded into memory (a corpus-wide
    query on Oxigraph's on-disk store can be orders of magnitude slower). :meth:`query`,
    :meth:`quads` and :attr:`ox` are always in-process. Several processes may read one store at once."""

    def __init__(self, directory: Path, in_memory: bool = False):
        """``in_memory``: never use the index (a process that must not open files once it has started, like
        the endpoint's query worker)."""
        self.directory = Path(directory)
        try:
            self.manifest = json.loads((self.directory / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise StoreError(f"{self.directory}: not a greenplan store ({e}); run `greenplan build --store {self.directory}`") from None
        self.large = not in_memory and self.manifest.get("index") == INDEX_DIR   # built with ≥ INDEX_MIN_QUADS
        self._has_index = self.large and (self.directory / INDEX_DIR).is_dir()
        self._use_index = False
        self._ox: ox.Store | None = None
        self._loading: tuple | None = None       # (thread, outcome) while :meth:`preload` reads the store

    def preload(self) -> None:
        """Start reading the store in a background thread, so that the caller's remaining start-up (parsing
        the saved query, importing the output code) overlaps it: Oxigraph's loader releases the GIL.
        :attr:`ox` waits for it and raises what the load raised. A large store is not read ahead: its
        keeper (or, for one plan, its index) answers, and reading a corpus here would only compete with it."""
        if self._ox is not None or self._loading is not None or self.large:
            return
        import threading

        outcome: list = []

        def load():
            try:
                outcome.append(self._open())
            except BaseException as e:      # handed to the caller of .ox, in its thread
                outcome.append(e)

        thread = threading.Thread(target=load, name="greenplan-store-load", daemon=True)
        self._loading = (thread, outcome)
        thread.start()

    def keeps(self) -> bool:
        """Whether queries go to a keeper first: a large store, unless ``GREENPLAN_KEEPER=off``."""
        if not self.large:
            return False
        from greenplan.store.keeper import enabled

        return enabled()

    def prefer_index(self) -> None:
        """Read the on-disk index, if the store has one and nothing has been read yet (queries bound to one plan)."""
        if self._ox is None and self._loading is None and self._has_index:
            self._use_index = True

    @property
    def ox(self) -> ox.Store:
        if self._ox is None:
            if self._loading is None:
                self._ox = self._open()
            else:
                thread, outcome = self._loading
                thread.join()
                self._loading = None
                if isinstance(outcome[0], BaseException):
                    raise outcome[0]
                self._ox = outcome[0]
        return self._ox

    def _open(self) -> OxStore:
        if self._use_index:
            try:
                return ox.Store.read_only(str(self.directory / INDEX_DIR))
            except OSError:
                pass   # an index another version wrote, or damaged: graph.nq is the store of record
        path = self.directory / GRAPH_FILE
        try:
            return read_graph(path)
        except (SyntaxError, ValueError) as e:     # a damaged or hand-edited file, not the user's query
            raise StoreError(f"{path}: damaged store file ({e}); rebuild it with "
                             f"`greenplan build --store {self.directory}`") from None

    @property
    def base(self) -> str:
        return self.manifest["base"]

    def query(self, sparql: str, bindings: dict | None = None):
        """Run SPARQL with parameters bound as RDF terms (:func:`greenplan.query.sparqltext.substitute`)."""
        from greenplan.query.sparqltext import substitute

        return self.ox.query(substitute(sparql, bindings))

    def run(self, sparql: str, bindings: dict | None = None):
        """SELECT/ASK → :class:`~greenplan.query.results.Result`; CONSTRUCT/DESCRIBE → list of triples.

        A large store's keeper answers when it can (the same rows: its answer is Oxigraph's own
        serialisation, parsed back); otherwise, or once this process has opened the store, it runs here."""
        from greenplan.query.results import from_solutions
        from greenplan.query.sparqltext import substitute

        text = substitute(sparql, bindings)
        answer = None
        if self._ox is None and self.keeps():
            from greenplan.store.keeper import ask

            answer = ask(self.directory, text, wait=not self._use_index)
        if answer is None:
            answer = self.ox.query(text)
        if isinstance(answer, (list, ox.QueryTriples)):
            return list(answer)
        return from_solutions(answer)

    def quads(self) -> list[OxQuad]:
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
