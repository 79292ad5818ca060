"""``greenplan push --store URL``: load the graphs into a triplestore over the SPARQL 1.1 Graph Store Protocol.

Every named graph of the local store (each plan's graph and the ontology,
bureaus, topics and places graphs) is sent with ``PUT URL?graph=<iri>`` and an
N-Triples body.  PUT replaces the graph, so pushing twice leaves one copy.
Nothing is sent to the default graph: saved queries read ``GRAPH ?g``.

Graph Store URLs: Oxigraph ``http://HOST:7878/store``, Apache Jena Fuseki
``http://HOST:3030/DATASET/data``, GraphDB ``http://HOST:7200/repositories/REPO/rdf-graphs/service``,
Virtuoso ``http://HOST:8890/sparql-graph-crud`` (``…-auth`` with credentials).
"""
from __future__ import annotations

import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pyoxigraph as ox

from greenplan.store import StoreError

MEDIA_TYPE = "application/n-triples"
TIMEOUT = 300.0


@dataclass
class Pushed:
    graph: str
    triples: int


def graph_url(url: str, graph: str) -> str:
    """The Graph Store Protocol URL of one named graph (indirect identification: ``?graph=``)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}{urllib.parse.urlencode({'graph': graph})}"


def graphs(quads) -> dict[str, list[ox.Triple]]:
    """Named graph IRI → its triples, sorted (the default graph is skipped; a built store has none)."""
    out: dict[str, list[ox.Triple]] = {}
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode):
            out.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    return {g: sorted(ts, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
            for g, ts in sorted(out.items())}


def put_graph(url: str, graph: str, triples: list[ox.Triple]) -> None:
    """Replace one named graph at the Graph Store endpoint ``url``."""
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
    target = graph_url(url, graph)
    req = urllib.request.Request(target, data=body, method="PUT",
                                 headers={"Content-Type": MEDIA_TYPE, "Content-Length": str(len(body))})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            r.read()
    except urllib.error.HTTPError as e:
        detail = " ".join(e.read().decode("utf-8", "replace").split())[:300]
        hint = {401: "the endpoint needs credentials", 403: "the endpoint refuses writes",
                404: "no Graph Store endpoint at this URL",
                405: "this URL does not accept PUT; give the Graph Store URL, not the query URL"}.get(e.code, "")
        raise StoreError(f"push to {target}: HTTP {e.code} {e.reason}{': ' + detail if detail else ''}"
                         f"{'; ' + hint if hint else ''} (see `greenplan push --help` for the URL each "
                         "triplestore uses)") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise StoreError(f"cannot reach the Graph Store endpoint {url} ({reason}); start the server or fix --store "
                         "(for Oxigraph: http://HOST:PORT/store)") from None


def push(store, url: str, log=None) -> list[Pushed]:
    """Send every named graph of ``store`` to the Graph Store endpoint ``url``, each replacing its graph."""
    if not url.startswith(("http://", "https://")):
        raise StoreError(f"--store {url!r}: give the http(s) URL of a SPARQL Graph Store endpoint, "
                         "e.g. http://127.0.0.1:7878/store")
    todo = graphs(store.quads())
    done: list[Pushed] = []
    started = time.monotonic()
    progress = None
    try:
        for graph, triples in todo.items():
            if progress is None and time.monotonic() - started > 1.0 and sys.stderr.isatty():
                progress = _progress(len(todo), len(done))
            put_graph(url, graph, triples)
            done.append(Pushed(graph, len(triples)))
            if progress is not None:
                progress[0].update(progress[1], advance=1, description=graph)
            if log:
                log(f"pushed {graph} ({len(triples)} triples)")
    finally:
        if progress is not None:
            progress[0].stop()
    return done


def _progress(total: int, completed: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("pushing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                   transient=True)
    task = bar.add_task("", total=total, completed=completed)
    bar.start()
    return bar, task


def main(args) -> int:
    from greenplan.store import open_store

    def log(msg: str) -> None:
        print(msg, file=sys.stderr)

    store = open_store(args.local_store, args.source, args.base, log=log)
    pushed = push(store, args.store)
    width = max((len(p.graph) for p in pushed), default=5)
    for p in pushed:
        print(f"{p.graph}{' ' * (width - len(p.graph))}  {p.triples:>7} triples")
    print(f"pushed {len(pushed)} graph{'s' if len(pushed) != 1 else ''}, "
          f"{sum(p.triples for p in pushed)} triples to {args.store}")
    return 0
