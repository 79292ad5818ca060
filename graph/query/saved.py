"""Running a saved query on a store: parameters bound as RDF terms, list columns finished as the query's header
says. The one path every caller takes (the CLI through :mod:`greenplan.api`, the network, the pages), so a saved
query gives the same rows everywhere."""
from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False     # typing.TYPE_CHECKING without importing typing (≈ 2 ms of every cold query)

if TYPE_CHECKING:
    from greenplan.query.catalogue import SavedQuery
    from greenplan.query.results import Result


def ready(store, params: dict[str, str] | None = None, query: SavedQuery | None = None) -> None:
    """Start reading a local store the way a saved query with these parameters will (one plan of a large store:
    that plan's part of it, not the whole corpus, unless ``query`` reads across plans), in the background: the
    caller's remaining start-up overlaps it. Remote stores need nothing."""
    plan = (params or {}).get("plan")
    if plan and hasattr(store, "prefer_plan"):
        if query is not None and query.across_plans:
            store.prefer_index()
        else:
            store.prefer_plan(str(plan))
    if hasattr(store, "preload"):
        store.preload()


def run_saved(store, name: str, params: dict[str, str] | None = None, directory: Path | None = None) -> Result:
    """Run the saved query ``queries/<name>.rq`` (or ``<directory>/<name>.rq``) with parameters bound as RDF
    terms; list columns are ordered and joined as the query's ``#+ lists:`` header says
    (:meth:`SavedQuery.finish`)."""
    from greenplan.query.catalogue import saved_query

    q = saved_query(name, directory)
    ready(store, params, q)       # one plan of a large store: its keeper, else that plan's part (not a full load)
    return q.finish(store.run(q.text, q.bindings(params, store)))


