"""The library API: what the CLI calls and what a notebook user imports.

>>> import greenplan.api as gp
>>> store = gp.open_store()                       # the bundled plan, cached per user
>>> gp.run_saved(store, "tasks").dicts()[0]["bureaus"]
'湛江市发展和改革局、湛江市工业和信息化局'

Everything here imports lazily so that the query path stays light.
"""
from __future__ import annotations

from pathlib import Path

from greenplan.catalogue import SavedQuery, catalogue, saved_query
from greenplan.results import Result
from greenplan.store import Location, Store, StoreError, build_store, locate, open_store

__all__ = ["load", "build", "build_store", "locate", "open_store", "Store", "StoreError", "Location",
           "catalogue", "saved_query", "SavedQuery", "run_saved", "sparql", "export", "Result"]


def load(path: str | Path):
    """Parse a plan document: ``(Plan, LoadReport)``."""
    from greenplan.loaders import load as _load

    return _load(path)


def build(plans, report=None, base: str | None = None):
    """Records → :class:`~greenplan.build.Dataset` (sorted quads + report)."""
    from greenplan.build import build as _build

    return _build(plans, report, base)


def run_saved(store, name: str, params: dict[str, str] | None = None) -> Result:
    """Run the saved query ``queries/<name>.rq`` with parameters bound as RDF terms; list columns are
    ordered and joined as the query's ``#+ lists:`` header says (:meth:`SavedQuery.finish`)."""
    q = saved_query(name)
    return q.finish(store.run(q.text, q.bindings(params, store)))


def sparql(store, text: str):
    """Run a SPARQL query: a Result for SELECT/ASK, a list of triples for CONSTRUCT/DESCRIBE."""
    return store.run(text)


def export(store, fmt: str = "turtle") -> bytes:
    from greenplan.export import serialize

    return serialize(store.quads(), fmt, store.base)
