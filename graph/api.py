"""The library API: what the CLI calls and what a notebook user imports.

>>> import greenplan.api as gp
>>> store = gp.open_store()                       # the bundled plan, cached per user
>>> gp.run_saved(store, "tasks").dicts()[0]["bureaus"]
'湛江市发展和改革局、湛江市工业和信息化局'

Everything here imports lazily so that the query path stays light.
"""
from __future__ import annotations

from pathlib import Path

from greenplan.store.core import Location, Store, StoreError, build_store, locate, open_store

__all__ = ["load", "build", "build_store", "locate", "open_store", "open_for", "Store", "StoreError", "Location",
           "catalogue", "saved_query", "SavedQuery", "run_saved", "ready", "sparql", "export", "Result", "validate_files"]

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


def open_for(options, log=None):
    """The store that command options name: ``options.endpoint`` (a remote SPARQL endpoint, when the
    options have one; ``options.timeout`` seconds per request), else the local store of ``options.store`` /
    ``options.source`` / ``options.base`` (see :func:`~greenplan.store.core.open_store`; ``log`` gets the build
    messages of a first use).

    ``options`` is an :class:`argparse.Namespace` or any object with these attributes."""
    endpoint = getattr(options, "endpoint", None)
    if endpoint:
        from greenplan.store.remote import EndpointStore

        return EndpointStore(endpoint, base=getattr(options, "base", None), timeout=getattr(options, "timeout", 60.0))
    return open_store(getattr(options, "store", None), getattr(options, "source", None),
                      getattr(options, "base", None), log=log)


def ready(store, params: dict[str, str] | None = None) -> None:
    """Start reading a local store the way a saved query with these parameters will (one plan of a large store:
    its on-disk index, not the whole corpus in memory), in the background: the caller's remaining start-up
    overlaps it. Remote stores need nothing."""
    if (params or {}).get("plan") and hasattr(store, "prefer_index"):
        store.prefer_index()
    if hasattr(store, "preload"):
        store.preload()


def run_saved(store, name: str, params: dict[str, str] | None = None, directory: Path | None = None) -> "Result":
    """Run the saved query ``queries/<name>.rq`` (or ``<directory>/<name>.rq``) with parameters bound as RDF
    terms; list columns are ordered and joined as the query's ``#+ lists:`` header says
    (:meth:`SavedQuery.finish`)."""
    from greenplan.query.catalogue import saved_query

    q = saved_query(name, directory)
    ready(store, params)          # one plan of a large store: its keeper, else its on-disk index (not a full load)
    return q.finish(store.run(q.text, q.bindings(params, store)))


def sparql(store, text: str):
    """Run a SPARQL query: a Result for SELECT/ASK, a list of triples for CONSTRUCT/DESCRIBE."""
    return store.run(text)


def export(store, fmt: str = "turtle") -> bytes:
    from greenplan.export.rdf import serialize

    return serialize(store.quads(), fmt, store.base)


def validate_files(shapes, data, engine: str = "oxigraph"):
    """Validate your own data files against your own shapes files (Turtle, N-Triples, JSON-LD … by suffix):
    a :class:`greenplan.validate.report.Report` — ``.conforms`` (the spec's: no result of any severity),
    ``.violations``, ``.results``; ``greenplan.validate.report.serialize(report, "turtle"|"jsonld")`` gives the
    W3C validation report. Shapes using SHACL the engine does not implement raise
    :class:`greenplan.validate.shacl.Unsupported` naming it (``engine="pyshacl"`` runs pySHACL instead)."""
    from greenplan.validate.report import validate_files as run

    return run(list(shapes), list(data), engine)
