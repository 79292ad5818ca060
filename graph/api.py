"""The library API: what the CLI calls and what a notebook user imports.

>>> import greenplan.api as gp
>>> store = gp.open_store()                       # the bundled plan, cached per user
>>> gp.run_saved(store, "tasks").dicts()[0]["bureaus"]
'湛江市发展和改革局、湛江市工业和信息化局'

Everything here imports lazily so that the query path stays light.
"""
from __future__ import annotations

from pathlib import Path

from greenplan.query.saved import ready, run_saved
from greenplan.store.core import Location, Store, StoreError, build_store, locate, open_store

__all__ = ["load", "build", "build_store", "add", "remove", "plans", "locate", "open_store", "open_for", "Store", "StoreError", "Location",
           "catalogue", "saved_query", "SavedQuery", "run_saved", "ready", "sparql", "export", "metadata", "push",
           "network", "validate", "validate_files", "Result"]

TYPE_CHECKING = False   # typing.TYPE_CHECKING without importing typing (≈ 2 ms of every cold query)
if TYPE_CHECKING:   # the names __getattr__ imports when first used, for type checkers and linters
    from greenplan.query.catalogue import SavedQuery, catalogue, saved_query
    from greenplan.query.results import Result

# Names imported when first used (PEP 562), so that opening a store can start before they load.
_LAZY = {"catalogue": "greenplan.query.catalogue", "saved_query": "greenplan.query.catalogue",
         "SavedQuery": "greenplan.query.catalogue", "Result": "greenplan.query.results"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load(path: str | Path):
    """Parse a plan document: ``(Plan, LoadReport)``."""
    from greenplan import loaders

    return loaders.load(path)


def build(plans, report=None, base: str | None = None):
    """Records → :class:`~greenplan.build.dataset.Dataset` (sorted quads + report)."""
    from greenplan.build.dataset import build as build_dataset

    return build_dataset(plans, report, base)


def add(store: str, sources: list[str], log=None):
    """Add plan sources (files, folders, list files, URLs) to the store directory ``store``, replacing plans of
    the same identifier; only changed plans are read and built (:mod:`greenplan.store.corpus`). Returns a
    :class:`~greenplan.store.corpus.Change`."""
    from greenplan.store.corpus import add as add_sources

    return add_sources(locate(store, sources), log)


def remove(store: str, identifiers: list[str], log=None):
    """Remove the plans of these identifiers from the store directory ``store``."""
    from greenplan.store.corpus import remove as remove_plans

    return remove_plans(Path(store), identifiers, log)


def plans(store: str) -> list[dict]:
    """The plans of a store directory: identifier, source, when added, quads."""
    from greenplan.store.corpus import listing

    return listing(Path(store))


def open_for(store: str | None = None, sources: list[str] | None = None, base: str | None = None, *,
             endpoint: str | None = None, timeout: float = 60.0, log=None, attachments: list[str] | None = None,
             ocr: bool = False):
    """The store these parameters name: a remote SPARQL endpoint (``endpoint``; ``timeout`` seconds per
    request), else the local store of ``store`` / ``sources`` / ``base`` / ``attachments`` (files read as the
    annexes of the one source) / ``ocr`` (scanned PDFs read by OCR); see
    :func:`~greenplan.store.core.open_store`; ``log`` gets the build messages of a first use)."""
    if endpoint:
        from greenplan.store.remote import EndpointStore

        return EndpointStore(endpoint, base=base, timeout=timeout)
    return open_store(store, sources, base, log=log, attachments=attachments, ocr=ocr)


def sparql(store, text: str):
    """Run a SPARQL query: a Result for SELECT/ASK, a list of triples for CONSTRUCT/DESCRIBE."""
    return store.run(text)


def export(store, fmt: str = "turtle") -> bytes:
    from greenplan.export.rdf import serialize

    return serialize(store.quads(), fmt, store.base)


def validate(store, engine: str = "oxigraph", verbose: bool = False):
    """Check the plans of ``store`` against the shapes of ``shapes/``: ``(conforms, results, text)`` — conforms is
    False only on violations (the exit code's rule), results are the engine's, text the grouped report."""
    from greenplan.validate.check import validate as check

    return check(store, engine, verbose)


def validate_files(shapes, data, engine: str = "oxigraph"):
    """Validate your own data files against your own shapes files (Turtle, N-Triples, JSON-LD … by suffix):
    a :class:`greenplan.validate.report.Report` — ``.conforms`` (the spec's: no result of any severity),
    ``.violations``, ``.results``; ``greenplan.validate.report.serialize(report, "turtle"|"jsonld")`` gives the
    W3C validation report. Shapes using SHACL the engine does not implement raise
    :class:`greenplan.validate.shacl.Unsupported` naming it (``engine="pyshacl"`` runs pySHACL instead)."""
    from greenplan.validate.report import validate_files as run

    return run(list(shapes), list(data), engine)


def metadata(store, site: str | None = None, fmt: str = "turtle") -> bytes:
    """The DCAT (DCAT-AP 3.0.1) and VoID description of the dataset in ``store``, serialised as ``fmt``."""
    from greenplan.export.metadata import describe, serialize

    return serialize(describe(store, site), fmt)


def push(store, url: str, log=None, **options):
    """Load every graph of ``store`` into the triplestore at ``url`` (SPARQL 1.1 Graph Store Protocol);
    the list of graphs pushed with their triple counts (see :func:`greenplan.export.push.push`)."""
    from greenplan.export.push import push as push_graphs

    return push_graphs(store, url, log, **options)


def network(store, topic: str | None = None, chapter: str | None = None, min_weight: int = 1,
            plan: str | None = None, collectives: bool = False):
    """The bureau collaboration network as a :class:`networkx.Graph`: bodies (node attributes ``label``,
    ``tasks``, ``community`` …) joined by the tasks they share (edge attribute ``weight``)."""
    from greenplan.network.graph import build_network

    return build_network(store, topic=topic, chapter=chapter, min_weight=min_weight, plan=plan,
                         collectives=collectives)
