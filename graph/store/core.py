"""The store: one small interface over where the graph lives.

* ``build_store(sources, directory)`` (``greenplan build``) loads the sources,
  builds the dataset and writes ``graph.nq`` (sorted N-Quads) and
  ``manifest.json`` into the store directory, atomically: a failed write
  leaves the previous store intact.
* ``open_store(...)`` gives a :class:`Store`. Every generation also holds an on-disk
  index of ``graph.nq`` and the answers of the parameter lookups
  (:mod:`greenplan.store.answers`); a command that runs one query opens the index
  read-only (:meth:`Store.cold`), others load ``graph.nq`` into memory (≈ 20 ms
  for a plan).  Read commands never build, except that the default per-user
  cache is filled on first use.
* A large store (≥ ``INDEX_MIN_QUADS`` quads: a corpus) is kept open by a keeper
  process (:mod:`greenplan.store.keeper`) that ``build`` starts and that
  :meth:`Store.run` asks first; see :class:`Store`.

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

import os
from collections import namedtuple
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import Quad as OxQuad  # inside Store, `ox` names its property
from pyoxigraph import Store as OxStore

from greenplan import __version__
from greenplan.errors import GreenplanError
from greenplan.iris import default_base
from greenplan.resources import bundled_plan
from greenplan.store.files import (
    GRAPH_FILE,
    INDEX_DIR,
    MANIFEST,
    generation_dir,
    read_graph,
    read_graph_part,
    read_manifest,
)
from greenplan.store.fingerprint import code_digest, new_hash

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


def cache_key(sources: list[Path], base: str, attachments: tuple[Path, ...] = (), ocr: bool = False) -> str:
    """Content hash of everything a store is built from: sources, their metadata and attachments (given or
    fetched with a page), the package's code and data files, version and base IRI (≈ 1 ms for the bundled
    plan once the code digest is remembered)."""
    from greenplan.loaders.paths import attachment_files, metadata_path  # not for a store named alone (json)

    h = new_hash()
    h.update(f"greenplan {__version__}\nbase {base}\ncode {code_digest(cache_root() / 'code')}\n".encode())
    for src in sources:
        h.update(b"source\n" + src.read_bytes())
        meta = metadata_path(src)
        h.update(b"meta\n" + (meta.read_bytes() if meta.exists() else b"(none)"))
        for annex in attachment_files(src):
            h.update(b"fetched attachment\n" + (annex.read_bytes() if annex.is_file() else b"(missing)"))
    for annex in attachments:
        h.update(b"attachment\n" + annex.read_bytes())
    if ocr:
        h.update(b"ocr\n")
    return h.hexdigest()


# Where a store lives: its directory; explicit = named by --store / GREENPLAN_STORE (never built implicitly);
# the source paths and base IRI it is built from. (A named tuple: dataclasses cost ≈ 5 ms of every cold query.)
# attachments: files read as the annexes of the one source (--attachment); ocr: scanned PDFs read by OCR (--ocr);
# origins: the sources as given (a URL, or the resolved path), recorded in the manifest.
Location = namedtuple("Location", "directory explicit sources base attachments ocr origins",
                      defaults=((), False, None))


LIST_SUFFIX = ".list"     # a list file: one source (path or URL) a line


def expand_sources(sources: list[str]) -> list[str]:
    """``--source`` values as plan sources: a folder gives its plan files (.txt, .html, .docx …, sorted by name;
    the ``.meta.toml`` beside each still applies), a list file (``*.list``) its lines (paths relative to the
    list's folder, or URLs; blank lines and ``#`` comments skipped), anything else stands for itself."""
    from greenplan.loaders.paths import is_url

    out: list[str] = []
    for s in sources:
        path = Path(s)
        if is_url(s):
            out.append(s)
        elif path.is_dir():
            from greenplan.loaders.document import FORMATS

            files = sorted((f for f in path.iterdir() if f.suffix.lower() in FORMATS and f.is_file()),
                           key=lambda f: f.name)
            if not files:
                raise StoreError(f"{s}: no plan file in this folder (files ending in {', '.join(sorted(FORMATS))})")
            out.extend(str(f) for f in files)
        elif path.suffix.lower() == LIST_SUFFIX and path.is_file():
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as e:
                raise StoreError(f"{s}: cannot read the list of sources ({e}); expected UTF-8 text, one path or "
                                 f"URL a line") from None
            for line in lines:
                line = line.strip()
                if line and not line.startswith("#"):
                    out.extend(expand_sources([line if is_url(line) else str(path.parent / line)])
                               if not line.lower().endswith(LIST_SUFFIX) else [str(path.parent / line)])
        else:
            out.append(s)
    return out


def locate(store: str | None = None, sources: list[str] | None = None, base: str | None = None,
           attachments: list[str] | None = None, ocr: bool = False) -> Location:
    base = base or default_base()
    if sources:      # the loaders' path rules (and json) are not imported for a store named alone
        from greenplan.loaders.paths import is_url

        sources = expand_sources(sources)
    explicit = store or os.environ.get("GREENPLAN_STORE")
    kept = sources_dir(explicit)
    srcs = [_kept(s, kept) if is_url(s) else _resolved(s) for s in (sources or [])] or [bundled_plan()]
    annexes = tuple(_resolved(a) for a in attachments or ())
    if annexes and len(sources or []) != 1:
        raise StoreError(f"--attachment needs exactly one --source (the page or file the attachments belong to); "
                         f"{len(sources or [])} given")
    for s in srcs + list(annexes):
        if not s.is_file():
            raise StoreError(f"{s}: no such source file; pass --source with the path of a plan "
                             f"(.txt, .html, .docx, .pdf, .xlsx …) or an http(s):// URL, --attachment with a file")
    origins = [s if is_url(s) else str(p) for s, p in zip(sources, srcs)] if sources else None
    if explicit:
        return Location(Path(explicit), True, srcs, base, annexes, bool(ocr), origins)
    return Location(cache_root() / "stores" / cache_key(srcs, base, annexes, bool(ocr))[:24], False, srcs, base,
                    annexes, bool(ocr), origins)


def sources_dir(explicit: str | Path | None) -> Path:
    """Where fetched pages and files converted by LibreOffice are kept, once: the ``sources/`` folder of a store
    named by --store / GREENPLAN_STORE, else the cache's."""
    return Path(explicit) / "sources" if explicit else cache_root() / "sources"


def kept_sources(loc: Location) -> Path:
    """:func:`sources_dir` of a located store."""
    return sources_dir(loc.directory if loc.explicit else None)


def _resolved(source: str) -> Path:
    """The absolute path of a source file; a symbolic-link loop is a usage error, not a traceback."""
    try:
        return Path(source).resolve()
    except (RuntimeError, OSError) as e:    # Python 3.11 raises RuntimeError("Symlink loop …"), 3.13 OSError
        raise StoreError(f"{source}: cannot resolve the source path ({e}); pass --source with the path of a "
                         f"plan file, not a looping symbolic link") from None


def _kept(url: str, directory: Path) -> Path:
    from greenplan.loaders.fetch import kept_copy  # only when a source is a URL (keeps the query path light)

    return kept_copy(url, directory)


def build_store(loc: Location, log=None):
    """Load every source, build the dataset and write it as the store's new generation
    (:mod:`greenplan.store.generation`: one writer at a time, written aside, one rename to switch; a failed or
    interrupted build leaves the previous store as it was). Returns the Dataset (with its load report).
    ``log`` is told when another process is writing the same store (this one then waits for it)."""
    from greenplan.build.dataset import build
    from greenplan.loaders import LoadReport, load
    from greenplan.progress import Steps
    from greenplan.store.generation import writing

    with writing(loc.directory, log) as gen:
        report = LoadReport()
        plans = []
        with Steps("building the store", total=len(loc.sources) + 2) as steps:   # a bar after 1 s (corpus builds)
            for src in loc.sources:
                plan, rep = load(src, attachments=list(loc.attachments) or None, ocr=loc.ocr,
                                 kept=kept_sources(loc))
                plans.append(plan)
                report.issues.extend(rep.issues)
                steps.advance(f"read {src.name}")
            steps.advance(f"graph of {len(plans)} plan{'s' if len(plans) != 1 else ''}")
            dataset = build(plans, report, loc.base)
            steps.advance(f"writing {GRAPH_FILE}")
            if not loc.explicit and gen.current is not None:
                return dataset      # a cache store of the same key, built meanwhile by another process: kept
            added = now()
            entries = [plan_entry(p, src, origin, added, loc.base, loc.attachments, loc.ocr)
                       for p, src, origin in zip(plans, loc.sources, loc.origins or loc.sources)]
            write_generation(gen, loc.base, entries, chunks(dataset.quads))
    if Store(loc.directory).keeps():
        from greenplan.store.keeper import restart

        restart(loc.directory)      # in the background: the store is loaded while the user reads the output
    return dataset


def now() -> str:
    """The time a plan is added, in UTC to the second (``SOURCE_DATE_EPOCH`` fixes it, for reproducible runs)."""
    import time

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    t = int(epoch) if epoch.isdigit() else int(time.time())
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def plan_entry(plan, source: Path, origin, added: str, base: str, attachments=(), ocr: bool = False) -> dict:
    """A plan's line in the manifest: where it came from, when it was added, its graph and what it was read from."""
    from greenplan.iris import Minter
    from greenplan.loaders.paths import metadata_path

    meta = metadata_path(source)
    return {"identifier": plan.identifier, "source": str(origin), "file": str(source), "sha256": plan.source_sha256,
            "meta": file_digest(meta) if meta.exists() else None, "added": added,
            "graph": f"<{Minter(base).plan_graph(plan.identifier)}>",
            "attachments": [str(a) for a in attachments], "ocr": bool(ocr),
            "inputs": inputs_digest(source, attachments, ocr)}


def inputs_digest(source: Path, attachments=(), ocr: bool = False) -> str:
    """A digest of what a plan is read from besides its source and metadata: the attachments fetched with a page
    or given with --attachment, and whether scanned pages are read by OCR (``greenplan add`` compares it)."""
    from greenplan.loaders.paths import attachment_files

    h = new_hash()
    for annex in list(attachment_files(source)) + [Path(a) for a in attachments]:
        h.update(str(annex).encode("utf-8", "surrogateescape") + b"\n")
        h.update(annex.read_bytes() if annex.is_file() else b"(missing)")
    h.update(b"ocr\n" if ocr else b"no ocr\n")
    return h.hexdigest()


def file_digest(path: Path) -> str:
    h = new_hash()
    h.update(path.read_bytes())
    return h.hexdigest()


def chunks(quads):
    from greenplan.store.generation import chunks as of

    return of(quads)


def write_generation(gen, base: str, plans: list[dict], parts, index=None) -> dict:
    """Write graph.nq (and the index of a large store) into ``gen`` and switch to it; returns the manifest.
    ``index(folder, quads)``, when given, writes the index into the folder from the previous one (``greenplan
    add``) and returns True, or False to have it bulk-loaded from graph.nq."""
    from greenplan.store.answers import lookup_texts, write_answers
    from greenplan.store.generation import table_digest, write_graph

    table = write_graph(gen.path(GRAPH_FILE), parts)
    quads = sum(g["quads"] for g in table)
    code = code_digest(cache_root() / "code")
    key = new_hash()
    key.update(f"greenplan {__version__}\nbase {base}\ncode {code}\n".encode())
    for p in plans:
        key.update(f"source {p['sha256']} meta {p['meta']}\n".encode())
    manifest = {"greenplan": __version__, "base": base, "key": key.hexdigest(), "code": code, "plans": plans,
                "quads": quads, "digest": table_digest(table)}
    # every store gets its on-disk index: a cold query opens it read-only instead of parsing graph.nq (issue 27,
    # bench/yardstick.py); a large one (≥ INDEX_MIN_QUADS) also gets a keeper
    if index is None or not index(gen.folder, quads):
        _write_index(gen, manifest, table)
    manifest["index"] = INDEX_DIR
    # the parameter lookups' results, kept beside the index (greenplan.store.answers): a cold query with a
    # parameter given by name does not run its lookup first
    manifest["answers"] = write_answers(gen.folder, gen.path(INDEX_DIR), lookup_texts())
    manifest["keeper"] = quads >= index_min_quads()
    manifest["graphs"] = table
    return gen.commit(manifest)


def _write_index(gen, manifest: dict, table: list[dict]) -> None:
    """Bulk-load the generation's graph.nq into an on-disk Oxigraph store beside it."""
    disk = ox.Store(str(gen.path(INDEX_DIR)))
    disk.bulk_load(path=str(gen.path(GRAPH_FILE)), format=ox.RdfFormat.N_QUADS, lenient=True)
    disk.optimize()
    del disk


class Store:
    """A built store directory, opened for queries.

    A small store (the usual single plan) is loaded from graph.nq into memory on first use (≈ 20 ms), or, for
    a command that runs one query (:meth:`cold`), read from its on-disk index opened read-only (nothing parsed
    at start). A large store (≥ :data:`INDEX_MIN_QUADS` quads, a corpus) costs ≈ 23 ms per plan to load, so
    :meth:`run` first asks the store's keeper (:mod:`greenplan.store.keeper`), a local process that holds it
    in memory: ≈ the query's own time plus a socket round trip. When no keeper is running (or only one for an
    older build), one is started in the background. A caller that will ask about one plan calls
    :meth:`prefer_plan` first: until the keeper is ready, such a query is answered here from that plan's part
    of graph.nq (or, for a plan not named by its identifier, from the on-disk index). Any other query waits
    for the keeper to load the store, which is quicker than loading it here as well (bench/README.md). When
    the keeper cannot answer (disabled by ``GREENPLAN_KEEPER=off``, busy, failed, not up in time), the query
    is answered in this process: from the plan's part or the index for one plan, else graph.nq is loaded into
    memory (a corpus-wide query on Oxigraph's on-disk store can be orders of magnitude slower). A query whose
    text is a parameter lookup the generation keeps is answered from that file. :meth:`query`, :meth:`quads`
    and :attr:`ox` always see the whole store, in-process. Several processes may read one store at once."""

    def __init__(self, directory: Path, in_memory: bool = False):
        """``in_memory``: never use the index (a process that must not open files once it has started, like
        the endpoint's query worker)."""
        self.directory = Path(directory)
        self._in_memory = in_memory
        self._read_manifest()
        self._use_index = False
        self._ox: ox.Store | None = None
        self._loading: tuple | None = None       # (thread, outcome) while :meth:`preload` reads the store
        self._plan: tuple | None = None          # (plan IRI term, (thread, outcome) reading its part): prefer_plan

    def _read_manifest(self) -> None:
        """Read the manifest: the generation this Store reads, whole (:mod:`greenplan.store.generation`)."""
        try:
            self.manifest = read_manifest(self.directory)
            self.files = generation_dir(self.directory, self.manifest)
        except (OSError, ValueError) as e:
            raise StoreError(f"{self.directory}: not a greenplan store ({e}); run `greenplan build --store {self.directory}`") from None
        # large: built with ≥ INDEX_MIN_QUADS quads (a keeper; stores written before every store had an index:
        # any index)
        self.large = not self._in_memory and bool(self.manifest.get("keeper", self.manifest.get("index") == INDEX_DIR))
        self._has_index = not self._in_memory and self.manifest.get("index") == INDEX_DIR and \
            (self.files / INDEX_DIR).is_dir()

    def preload(self) -> None:
        """Start reading the store in a background thread, so that the caller's remaining start-up (parsing
        the saved query, importing the output code) overlaps it: Oxigraph's loader releases the GIL.
        :attr:`ox` waits for it and raises what the load raised. A large store is not read ahead: its
        keeper (or, for one plan, its index) answers, and reading a corpus here would only compete with it."""
        if self._ox is not None or self._loading is not None or self.large:
            return
        self._loading = _in_background("greenplan-store-load", self._open)

    def keeps(self) -> bool:
        """Whether queries go to a keeper first: a large store, unless ``GREENPLAN_KEEPER=off``."""
        if not self.large:
            return False
        from greenplan.store.keeper import enabled

        return enabled()

    def cold(self) -> None:
        """A command that runs one query and exits: a small store is read from its on-disk index, opened
        read-only in the background (nothing parsed at start). Every saved query is answered at least as fast
        there, counting the parse it saves (bench/yardstick.py, docs/speed.md); ``GREENPLAN_COLD=memory`` loads
        graph.nq into memory instead, for that measurement. A large store is unchanged (its keeper, see
        :meth:`run`)."""
        if not self.large and os.environ.get("GREENPLAN_COLD") != "memory":
            self.prefer_index()

    def prefer_plan(self, identifier: str) -> None:
        """Queries bound to one plan follow (a saved query's ``plan`` parameter). On a large store whose keeper
        is not ready, such a query is answered in this process from the part of ``graph.nq`` that plan's answers
        come from: its own named graph and every graph that is no plan's (ontology, authority lists, places,
        thesaurus), read by the byte ranges the manifest records and loaded into memory in the background
        (≈ 30 ms whatever the corpus size, where the on-disk index of a corpus answers some saved queries 5–20×
        slower than one plan in memory: docs/speed.md). A ready keeper answers first. Only a query whose
        ``plan`` binding is this plan is answered there (:meth:`run`); :attr:`ox` and every other query see the
        whole store. ``identifier`` not one of the store's plans (an IRI, a label): the on-disk index instead.
        A small store: its index (:meth:`prefer_index`)."""
        plans = {p.get("identifier"): p.get("graph") for p in self.manifest.get("plans", ())}
        table = self.manifest.get("graphs")
        if self._ox is not None:        # the whole store is read already: it answers
            return
        if not self.large or identifier not in plans or not table or self._plan is not None:
            self.prefer_index()
            return
        from greenplan.iris import Minter

        others = {g for g in plans.values() if g != plans[identifier]}
        ranges = [(g["offset"], g["length"]) for g in table if g["graph"] not in others]
        path = self.files / GRAPH_FILE

        def load():
            try:
                return read_graph_part(path, ranges)
            except (SyntaxError, ValueError) as e:
                raise self._damaged(path, e) from None

        self._plan = (ox.NamedNode(Minter(self.base).plan(identifier)), _in_background("greenplan-plan-load", load))

    def _plan_store(self) -> ox.Store | None:
        """The part of the store :meth:`prefer_plan` loads (waiting for it), or None when it could not be read."""
        assert self._plan is not None
        try:
            return _outcome(self._plan[1])
        except OSError:     # a generation replaced meanwhile: the whole store answers
            return None

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
                pending, self._loading = self._loading, None
                self._ox = _outcome(pending)
        return self._ox

    def _open(self, again: bool = True) -> OxStore:
        if self._use_index:
            try:
                return ox.Store.read_only(str(self.files / INDEX_DIR))
            except OSError:
                pass   # an index another version wrote, or damaged: graph.nq is the store of record
        path = self.files / GRAPH_FILE
        try:
            return read_graph(path)
        except (SyntaxError, ValueError) as e:     # a damaged or hand-edited file, not the user's query
            raise self._damaged(path, e) from None
        except OSError:
            # two generations were written since this Store read the manifest (only the previous one is kept):
            # read the current one
            generation = self.manifest.get("generation")
            if not again or not generation:
                raise
            self._read_manifest()
            if self.manifest.get("generation") == generation:
                raise
            return self._open(again=False)

    def _damaged(self, path: Path, e: Exception) -> StoreError:
        return StoreError(f"{path}: damaged store file ({e}); rebuild it with `greenplan build --store {self.directory}`")

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
        answer = self._kept_answer(text)
        if answer is not None:
            try:
                return from_solutions(answer)
            except (SyntaxError, ValueError):  # a damaged file: the store answers
                answer = None
        one_plan = self._plan is not None and (bindings or {}).get("_plan") == self._plan[0]
        if self._ox is None and self.keeps():
            from greenplan.store.keeper import ask

            # a ready keeper answers at once (6–24 ms for one plan of 100, bench/README.md); one about one plan
            # never waits for it: the plan's part is loading meanwhile
            answer = ask(self.directory, text, wait=not (self._use_index or one_plan), manifest=self.manifest)
        if answer is None:
            part = self._plan_store() if one_plan and self._ox is None else None
            answer = (part if part is not None else self.ox).query(text)
        if isinstance(answer, (list, ox.QueryTriples)):
            return list(answer)
        return from_solutions(answer)

    def _kept_answer(self, text: str):
        """The generation's kept answer of this exact query text (:mod:`greenplan.store.answers`): pyoxigraph's
        QuerySolutions or QueryBoolean, read lazily from its file; None when there is none."""
        if not self.manifest.get("answers") or self._in_memory:    # (the sealed query worker opens no file)
            return None
        from greenplan.store.answers import digest, read_answer

        key = digest(text)
        return read_answer(self.files, key) if key in self.manifest["answers"] else None

    def kept_rows(self, text: str) -> list[tuple] | None:
        """The rows (tuples of terms, None where unbound) of a SELECT whose answer the generation keeps, or None:
        the parameter lookups (:func:`greenplan.query.catalogue.resolve`) read them without a store."""
        answer = self._kept_answer(text)
        if not isinstance(answer, ox.QuerySolutions):
            return None
        try:
            return [tuple(s) for s in answer]
        except (SyntaxError, ValueError):      # a damaged file: the store answers
            return None

    def quads(self) -> list[OxQuad]:
        return list(self.ox.quads_for_pattern(None, None, None, None))


def _in_background(name: str, work):
    """Run ``work()`` in a daemon thread (Oxigraph's loaders release the GIL, so the caller's own start-up
    overlaps it); :func:`_outcome` waits for it."""
    import threading

    outcome: list = []

    def run():
        try:
            outcome.append(work())
        except BaseException as e:      # handed to the caller of _outcome, in its thread
            outcome.append(e)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread, outcome


def _outcome(pending):
    """What the work :func:`_in_background` started returned, once done; raises what it raised."""
    thread, outcome = pending
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def open_store(store: str | None = None, sources: list[str] | None = None, base: str | None = None,
               log=None, attachments: list[str] | None = None, ocr: bool = False) -> Store:
    """Open the store for these options; the default cache is built on first use."""
    explicit = store or os.environ.get("GREENPLAN_STORE")
    if explicit and not sources and not attachments and (Path(explicit) / MANIFEST).exists():
        return Store(Path(explicit))     # a built store named alone: nothing to locate (no sources to read)
    loc = locate(store, sources, base, attachments, ocr)
    if not (loc.directory / MANIFEST).exists():
        if loc.explicit:
            raise StoreError(f"no greenplan store at {loc.directory}; run `greenplan build --store {loc.directory}` first")
        if log:
            log(f"building the store for {', '.join(s.name for s in loc.sources)} in {loc.directory} (first use) …")
        build_store(loc, log)
    return Store(loc.directory)
