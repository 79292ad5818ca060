"""The bureau collaboration network: built from SPARQL answers, analysed with networkx, written as files.

* :func:`build_network` runs the saved queries ``bureau-pairs`` (edges: bodies listed together on
  annex tasks, ``weight`` = number of shared tasks) and ``bureau-workload`` (each body's task counts),
  plus one small query for the bodies' English labels and kinds, and hands the rows to :func:`network`.
  Everything comes from the store (embedded or ``--endpoint``), never from loader records.
* :func:`metrics` gives per-node rows: tasks, sole tasks, degree, weighted degree, betweenness,
  eigenvector centrality and a Louvain community (fixed seed, so the same graph gives the same rows).
* :func:`bipartite_network` gives the body–project (``gp:leadBureau``) and body–topic (tasks'
  ``gp:about``) views.
* Writers: :func:`to_graphml`, :func:`to_gexf`, :func:`to_json`; pictures and the HTML page live in
  :mod:`greenplan.network.draw`; the command (``greenplan network``) is :func:`greenplan.cli.main.cmd_network`.

networkx is imported inside functions: importing this module stays light.
"""
from __future__ import annotations

import io
import json

from greenplan.errors import GreenplanError
from greenplan.vocab import local_name

SEED = 42           # Louvain and layouts
ROUND = 6           # metrics are rounded so that output repeats byte for byte

METRIC_COLUMNS = ("degree", "weighted_degree", "betweenness", "eigenvector", "community")


class NetworkError(GreenplanError, RuntimeError):
    """Something the network command cannot do; the message says what to change."""


def rows(store, name: str, plan: str | None = None) -> list[dict]:
    """The rows (dicts) of the network query ``queries/network/<name>.rq`` for one plan (identifier or
    IRI) or, without ``plan``, for every plan of the store."""
    from greenplan.query.saved import run_saved
    from greenplan.resources import folder

    return run_saved(store, name, {"plan": plan} if plan else {}, folder("queries") / "network").dicts()


# --- building -------------------------------------------------------------

def network(rows, workload_rows, bodies=None):
    """The co-ownership graph from ``bureau-pairs`` rows and ``bureau-workload`` rows (dicts).

    Nodes are body IRIs with ``label``/``name`` (zh), ``label_en``, ``kind``, ``tasks``, ``sole``,
    ``shared``; edges carry ``weight`` (shared tasks) and ``tasks`` (their numbers, 、-joined).
    ``bodies`` maps a body IRI to ``{"en": …, "kind": …}``.  Rows are sorted first, so the same
    answer in any order gives the same graph (node and edge order included)."""
    import networkx as nx

    bodies = bodies or {}
    G = nx.Graph()

    def add(iri, label, total=0, sole=0, shared=0):
        info = bodies.get(iri, {})
        G.add_node(iri, label=label, name=label, label_en=info.get("en") or "", kind=info.get("kind") or "",
                   tasks=int(total), sole=int(sole), shared=int(shared))

    for r in sorted(workload_rows, key=lambda r: str(r["bureau"])):
        add(r["bureau"], r["label"], r["total"], r["sole"], r["shared"])
    for r in sorted(rows, key=lambda r: (str(r["bureauA"]), str(r["bureauB"]))):
        for iri, label in ((r["bureauA"], r["labelA"]), (r["bureauB"], r["labelB"])):
            if iri not in G:
                add(iri, label)
        G.add_edge(r["bureauA"], r["bureauB"], weight=int(r["sharedTasks"]), tasks=str(r["tasks"] or ""))
    return G


def _bodies(store, plan=None) -> dict:
    out: dict[str, dict] = {}
    for r in rows(store, "bodies", plan):
        info = out.setdefault(r["body"], {"en": r["en"], "kind": local_name(r["kind"]) if r["kind"] else None})
        info["en"] = info["en"] or r["en"]
        info["kind"] = info["kind"] or (local_name(r["kind"]) if r["kind"] else None)
    return out


def build_network(store, topic=None, chapter=None, min_weight=1, plan=None, collectives=False):
    """Run the saved queries on ``store`` and build the network (with metrics as node attributes).

    Collective parties (各省级人民政府, 有关部门 …) are nodes only with ``collectives``.  Without filters every body that owns a task is a node (isolated ones included); with ``topic``,
    ``chapter`` or ``min_weight`` > 1 only bodies that keep at least one edge remain.  Node task
    counts (``tasks``, ``sole``) are always over the whole plan."""
    from greenplan.query.saved import run_saved

    if min_weight < 1:
        raise NetworkError(f"--min-weight {min_weight}: give a whole number of shared tasks, 1 or more")
    params = {"minShared": str(min_weight), "collectives": "true" if collectives else "false"}
    for key, value in (("topic", topic), ("chapter", chapter), ("plan", plan)):
        if value:
            params[key] = str(value)
    pairs = run_saved(store, "bureau-pairs", params).dicts()
    workload_params = {"collectives": params["collectives"], **({"plan": plan} if plan else {})}
    workload = run_saved(store, "bureau-workload", workload_params).dicts()
    filtered = bool(topic or chapter or min_weight > 1)
    if filtered:
        ends = {r["bureauA"] for r in pairs} | {r["bureauB"] for r in pairs}
        workload = [r for r in workload if r["bureau"] in ends]
    G = network(pairs, workload, _bodies(store, plan))
    G.graph.update(title=plan_title(store, plan), jurisdiction=plan_places(store, plan), view="bureaus",
                   topic=topic or "", chapter=str(chapter or ""),
                   min_weight=int(min_weight), plan=plan or "")
    annotate(G)
    return G


def bipartite_network(store, view: str, plan=None):
    """The body–project (``view="projects"``) or body–topic (``view="topics"``) network.

    Every node has ``bipartite`` (0 body, 1 project/topic), ``label``/``name``, ``label_en``, ``kind``
    (the body's classification, ``Project`` or ``Topic``) and ``tasks`` (a body's task count; for a
    topic the number of tasks about it; 0 for a project). Edges have ``weight``: 1 for a lead bureau,
    the number of the body's tasks about the topic."""
    import networkx as nx

    from greenplan.query.saved import run_saved

    if view not in ("projects", "topics"):
        raise NetworkError(f"view {view!r}: choose bureaus, projects or topics")
    bodies = _bodies(store, plan)
    workload = {r["bureau"]: r for r in run_saved(store, "bureau-workload", {"plan": plan} if plan else {}).dicts()}
    G = nx.Graph()

    def add_body(iri, zh):
        if iri not in G:
            info = bodies.get(iri, {})
            G.add_node(iri, bipartite=0, label=zh, name=zh, label_en=info.get("en") or "",
                       kind=info.get("kind") or "", tasks=int(str(workload.get(iri, {}).get("total") or 0)))

    if view == "projects":
        for r in sorted(rows(store, "project-leads", plan), key=lambda r: (r["body"], r["project"])):
            add_body(r["body"], r["zh"])
            label = f"项目{r['number']} {r['name']}"
            G.add_node(r["project"], bipartite=1, label=label, name=label, label_en=f"project {r['number']}",
                       kind="Project", tasks=0)
            G.add_edge(r["body"], r["project"], weight=1)
    else:
        for r in sorted(rows(store, "body-topics", plan), key=lambda r: (r["body"], r["topic"])):
            add_body(r["body"], r["zh"])
            if r["topic"] not in G:
                G.add_node(r["topic"], bipartite=1, label=r["topicZh"], name=r["topicZh"],
                           label_en=r["topicEn"] or "", kind="Topic", tasks=0)
            G.add_edge(r["body"], r["topic"], weight=int(r["tasks"]))
        counts = {r["topic"]: int(r["tasks"]) for r in rows(store, "topic-counts", plan)}
        for t in [n for n, d in G.nodes(data=True) if d["kind"] == "Topic"]:
            G.nodes[t]["tasks"] = counts.get(t, 0)
    G.graph.update(title=plan_title(store, plan), jurisdiction=plan_places(store, plan), view=view, plan=plan or "")
    annotate(G)
    return G


def plan_places(store, plan=None) -> str:
    """The zh names of the plans' jurisdictions, 、-joined (the pictures shorten body labels by them)."""
    return "、".join(r["label"] for r in rows(store, "plan-places", plan))


def plan_title(store, plan=None) -> str:
    titles = [r["title"] for r in rows(store, "plan-titles", plan)]
    if not titles and plan:
        raise NetworkError(f"--plan {plan}: no plan with this identifier in the store; "
                           "`greenplan query tasks` lists the plans' tasks with their plan identifiers")
    return "；".join(dict.fromkeys(titles))


# --- analysis -------------------------------------------------------------

def annotate(G) -> None:
    """Add the metrics as node attributes (``degree``, ``weighted_degree``, ``betweenness``,
    ``eigenvector``, ``community``)."""
    for row in metrics(G):
        node = G.nodes[row["id"]]
        for key in METRIC_COLUMNS:
            node[key] = row[key]


def communities(G) -> dict:
    """Node → community number (Louvain, weighted, fixed seed), numbered 1… by size, then first label."""
    import networkx as nx

    if G.number_of_nodes() == 0:
        return {}
    groups = nx.community.louvain_communities(G, weight="weight", seed=SEED)
    groups = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), min(G.nodes[n]["label"] for n in g), g))
    return {n: i for i, g in enumerate(groups, 1) for n in g}


def metrics(G) -> list[dict]:
    """Per-node metrics rows, sorted by weighted degree (descending), then label.

    Betweenness is unweighted and normalised (weights are strengths, not distances); eigenvector
    centrality uses the weights; both are rounded to 6 decimals so that runs agree exactly."""
    import networkx as nx

    if G.number_of_nodes() == 0:
        return []
    between = nx.betweenness_centrality(G, normalized=True)
    try:
        eigen = nx.eigenvector_centrality(G, weight="weight", max_iter=5000, tol=1e-12) if G.number_of_edges() else {}
    except nx.PowerIterationFailedConvergence:
        eigen = nx.eigenvector_centrality_numpy(G, weight="weight")
    comm = communities(G)
    rows = []
    for n, d in G.nodes(data=True):
        rows.append({
            "id": n, "label": d.get("label", ""), "label_en": d.get("label_en", ""), "kind": d.get("kind", ""),
            "tasks": int(d.get("tasks", 0)), "sole": int(d.get("sole", 0)),
            "degree": G.degree(n), "weighted_degree": int(G.degree(n, weight="weight")),
            "betweenness": round(between.get(n, 0.0), ROUND) + 0.0,
            "eigenvector": round(abs(eigen.get(n, 0.0)), ROUND) + 0.0,
            "community": comm[n],
        })
    rows.sort(key=lambda r: (-r["weighted_degree"], -r["tasks"], r["label"], r["id"]))
    return rows


def metrics_result(rows, with_iri: bool = True):
    """Metrics rows as a :class:`greenplan.query.results.Result` (for results.render)."""
    import pyoxigraph as ox

    from greenplan.query.results import Result
    from greenplan.vocab import XSD_DECIMAL, XSD_INTEGER

    integer, decimal = ox.NamedNode(XSD_INTEGER), ox.NamedNode(XSD_DECIMAL)
    variables = (["body"] if with_iri else []) + ["label", "tasks", "sole", "degree", "weightedDegree",
                                                   "betweenness", "eigenvector", "community"]
    out = []
    for r in rows:
        cells: list[ox.NamedNode | ox.Literal | ox.BlankNode | None] = [ox.NamedNode(r["id"])] if with_iri else []
        cells.append(ox.Literal(r["label"], language="zh") if r["label"] else None)
        cells += [ox.Literal(str(r[k]), datatype=integer) for k in ("tasks", "sole", "degree", "weighted_degree")]
        cells += [ox.Literal(f"{r[k]:.{ROUND}f}", datatype=decimal) for k in ("betweenness", "eigenvector")]
        cells.append(ox.Literal(str(r["community"]), datatype=integer))
        out.append(cells)
    return Result(variables, out)


# --- files ----------------------------------------------------------------

def to_graphml(G) -> bytes:
    """GraphML with ``label`` (Gephi) and ``name`` (Cytoscape) on every node, ``weight`` on edges."""
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(_plain(G), buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def to_gexf(G) -> bytes:
    """GEXF 1.2 with every attribute declared, ``weight`` included (as the edge weight and as an attribute)."""
    import xml.etree.ElementTree as ET

    from networkx.readwrite.gexf import GEXFWriter

    H = _plain(G)
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(H)
    graph = writer.xml.find("graph")
    ns_edges = graph.find("edges")
    decl = None
    for attrs in graph.findall("attributes"):
        if attrs.get("class") == "edge":
            decl = attrs
    if decl is None:
        decl = ET.Element("attributes", {"mode": "static", "class": "edge"})
        graph.insert(list(graph).index(graph.find("nodes")), decl)
    ids = {a.get("id") for attrs in graph.findall("attributes") for a in attrs}
    wid = next(str(i) for i in range(len(ids) + 1) if str(i) not in ids)
    ET.SubElement(decl, "attribute", {"id": wid, "title": "weight", "type": "double"})
    for edge in (ns_edges if ns_edges is not None else []):
        vals = edge.find("attvalues")
        if vals is None:
            vals = ET.SubElement(edge, "attvalues")
        ET.SubElement(vals, "attvalue", {"for": wid, "value": str(float(edge.get("weight", 1)))})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def to_json(G) -> bytes:
    """Node-link JSON (``nodes``, ``links``) for web tools such as d3."""
    import networkx as nx

    data = nx.node_link_data(_plain(G), edges="links")
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _plain(G):
    """A copy whose attributes are all str/int/float (what GraphML and GEXF accept)."""
    H = G.__class__()
    H.graph.update({k: v for k, v in G.graph.items() if isinstance(v, (str, int, float))})
    for n, d in G.nodes(data=True):
        H.add_node(n, **{k: v for k, v in d.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)})
    for u, v, d in G.edges(data=True):
        H.add_edge(u, v, **{k: x for k, x in d.items() if isinstance(x, (str, int, float))})
    return H
