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
  :mod:`greenplan.network_draw` (:func:`html_page` is re-exported for the server's ``/network`` route).

networkx is imported inside functions: importing this module stays light.
"""
from __future__ import annotations

import io
import json
import sys

SEED = 42           # Louvain and layouts
ROUND = 6           # metrics are rounded so that output repeats byte for byte

PREFIXES = """PREFIX gp: <https://w3id.org/greenplan/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# English label and kind (org:classification) of every body that owns a task (of the plan).
BODIES_QUERY = PREFIXES + """
SELECT DISTINCT ?body ?en ?kind WHERE {
  GRAPH ?g { ?task a gp:Task ; gp:responsibleBody ?body ; gp:plan ?planIri . ?planIri dcterms:identifier ?plan . }
  FILTER(COALESCE(?_plan, ?plan) = ?plan)
  OPTIONAL { GRAPH ?g2 { ?body skos:prefLabel ?en FILTER(lang(?en) = "en") } }
  OPTIONAL { GRAPH ?g3 { ?body org:classification ?kind } }
} ORDER BY ?body ?en ?kind
"""

# Task numbers and bodies (for the page's hover text).
TASK_BODIES_QUERY = PREFIXES + """
SELECT DISTINCT ?body ?number WHERE {
  GRAPH ?g { ?task a gp:Task ; gp:number ?number ; gp:responsibleBody ?body ; gp:plan ?planIri .
             ?planIri dcterms:identifier ?plan . }
  FILTER(COALESCE(?_plan, ?plan) = ?plan)
} ORDER BY ?body ?number
"""

# Which topic (or a broader one) each task is about (for the page's topic filter).
TASK_TOPICS_QUERY = PREFIXES + """
SELECT DISTINCT ?number ?topic ?zh ?en WHERE {
  GRAPH ?g { ?task a gp:Task ; gp:number ?number ; gp:about ?concept ; gp:plan ?planIri .
             ?planIri dcterms:identifier ?plan . }
  FILTER(COALESCE(?_plan, ?plan) = ?plan)
  GRAPH ?g2 { ?concept skos:broader* ?topic }
  GRAPH ?g3 { ?topic skos:prefLabel ?zh FILTER(lang(?zh) = "zh") }
  OPTIONAL { GRAPH ?g4 { ?topic skos:prefLabel ?en FILTER(lang(?en) = "en") } }
} ORDER BY ?number ?topic
"""

PLAN_TITLE_QUERY = PREFIXES + """
SELECT ?plan ?title WHERE {
  GRAPH ?g { ?planIri a gp:Plan ; dcterms:identifier ?plan ; dcterms:title ?title FILTER(lang(?title) = "zh") }
  FILTER(COALESCE(?_plan, ?plan) = ?plan)
} ORDER BY ?plan ?title
"""

# Body–project: the lead bureau of each key project.
PROJECTS_QUERY = PREFIXES + """
SELECT ?body ?zh ?project ?number ?name WHERE {
  GRAPH ?g { ?project a gp:Project ; gp:number ?number ; gp:name ?name ; gp:leadBureau ?body ; gp:plan ?planIri .
             ?planIri dcterms:identifier ?plan . }
  FILTER(COALESCE(?_plan, ?plan) = ?plan)
  GRAPH ?g2 { ?body skos:prefLabel ?zh FILTER(lang(?zh) = "zh") }
} ORDER BY ?body ?project
"""

# Body–topic: how many tasks of a body are about a topic (as tagged, without broader topics).
TOPICS_QUERY = PREFIXES + """
SELECT ?body ?zh ?topic ?topicZh ?topicEn (COUNT(DISTINCT ?task) AS ?tasks) WHERE {
  GRAPH ?g { ?task a gp:Task ; gp:about ?topic ; gp:responsibleBody ?body ; gp:plan ?planIri .
             ?planIri dcterms:identifier ?plan . }
  FILTER(COALESCE(?_plan, ?plan) = ?plan)
  GRAPH ?g2 { ?body skos:prefLabel ?zh FILTER(lang(?zh) = "zh") }
  GRAPH ?g3 { ?topic skos:prefLabel ?topicZh FILTER(lang(?topicZh) = "zh") }
  OPTIONAL { GRAPH ?g4 { ?topic skos:prefLabel ?topicEn FILTER(lang(?topicEn) = "en") } }
} GROUP BY ?body ?zh ?topic ?topicZh ?topicEn ORDER BY ?body ?topic
"""

# Tasks about each topic (as tagged).
TOPIC_COUNTS_QUERY = PREFIXES + """
SELECT ?topic (COUNT(DISTINCT ?task) AS ?tasks) WHERE {
  GRAPH ?g { ?task a gp:Task ; gp:about ?topic ; gp:plan ?planIri . ?planIri dcterms:identifier ?plan . }
  FILTER(COALESCE(?_plan, ?plan) = ?plan)
} GROUP BY ?topic ORDER BY ?topic
"""

METRIC_COLUMNS = ("degree", "weighted_degree", "betweenness", "eigenvector", "community")


class NetworkError(RuntimeError):
    """Something the network command cannot do; the message says what to change."""


def _local(iri: str | None) -> str:
    return (iri or "").rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _plan_binding(plan: str | None) -> dict:
    import pyoxigraph as ox

    return {"_plan": ox.Literal(plan)} if plan else {}


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
    out = {}
    for r in store.run(BODIES_QUERY, _plan_binding(plan)).dicts():
        info = out.setdefault(r["body"], {"en": r["en"], "kind": _local(r["kind"]) if r["kind"] else None})
        info["en"] = info["en"] or r["en"]
        info["kind"] = info["kind"] or (_local(r["kind"]) if r["kind"] else None)
    return out


def build_network(store, topic=None, chapter=None, min_weight=1, plan=None, collectives=False):
    """Run the saved queries on ``store`` and build the network (with metrics as node attributes).

    Collective parties (各省级人民政府, 有关部门 …) are nodes only with ``collectives``.  Without filters every body that owns a task is a node (isolated ones included); with ``topic``,
    ``chapter`` or ``min_weight`` > 1 only bodies that keep at least one edge remain.  Node task
    counts (``tasks``, ``sole``) are always over the whole plan."""
    from greenplan.api import run_saved

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
    G.graph.update(title=plan_title(store, plan), view="bureaus", topic=topic or "", chapter=str(chapter or ""),
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

    from greenplan.api import run_saved

    if view not in ("projects", "topics"):
        raise NetworkError(f"view {view!r}: choose bureaus, projects or topics")
    bodies = _bodies(store, plan)
    workload = {r["bureau"]: r for r in run_saved(store, "bureau-workload", {"plan": plan} if plan else {}).dicts()}
    G = nx.Graph()

    def add_body(iri, zh):
        if iri not in G:
            info = bodies.get(iri, {})
            G.add_node(iri, bipartite=0, label=zh, name=zh, label_en=info.get("en") or "",
                       kind=info.get("kind") or "", tasks=int(workload.get(iri, {}).get("total") or 0))

    if view == "projects":
        rows = sorted(store.run(PROJECTS_QUERY, _plan_binding(plan)).dicts(), key=lambda r: (r["body"], r["project"]))
        for r in rows:
            add_body(r["body"], r["zh"])
            label = f"项目{r['number']} {r['name']}"
            G.add_node(r["project"], bipartite=1, label=label, name=label, label_en=f"project {r['number']}",
                       kind="Project", tasks=0)
            G.add_edge(r["body"], r["project"], weight=1)
    else:
        rows = sorted(store.run(TOPICS_QUERY, _plan_binding(plan)).dicts(), key=lambda r: (r["body"], r["topic"]))
        for r in rows:
            add_body(r["body"], r["zh"])
            if r["topic"] not in G:
                G.add_node(r["topic"], bipartite=1, label=r["topicZh"], name=r["topicZh"],
                           label_en=r["topicEn"] or "", kind="Topic", tasks=0)
            G.add_edge(r["body"], r["topic"], weight=int(r["tasks"]))
        counts = {r["topic"]: int(r["tasks"]) for r in store.run(TOPIC_COUNTS_QUERY, _plan_binding(plan)).dicts()}
        for t in [n for n, d in G.nodes(data=True) if d["kind"] == "Topic"]:
            G.nodes[t]["tasks"] = counts.get(t, 0)
    G.graph.update(title=plan_title(store, plan), view=view, plan=plan or "")
    annotate(G)
    return G


def plan_title(store, plan=None) -> str:
    titles = [r["title"] for r in store.run(PLAN_TITLE_QUERY, _plan_binding(plan)).dicts()]
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
    """Metrics rows as a :class:`greenplan.results.Result` (for results.render)."""
    import pyoxigraph as ox

    from greenplan.results import Result

    xsd = "http://www.w3.org/2001/XMLSchema#"
    integer, decimal = ox.NamedNode(xsd + "integer"), ox.NamedNode(xsd + "decimal")
    variables = (["body"] if with_iri else []) + ["label", "tasks", "sole", "degree", "weightedDegree",
                                                   "betweenness", "eigenvector", "community"]
    out = []
    for r in rows:
        cells = [ox.NamedNode(r["id"])] if with_iri else []
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


def html_page(store, plan=None, script_src: str | None = None) -> str:
    """The interactive page (see :func:`greenplan.network_draw.html_page`)."""
    from greenplan.network_draw import html_page as _page

    return _page(store, plan=plan, script_src=script_src)


# --- command --------------------------------------------------------------

FILE_FORMATS = ("graphml", "gexf", "json", "png", "svg", "html")


def main(args) -> int:
    from greenplan.cli import _open, _write

    fmt = args.format
    if args.metrics:
        fmt = fmt or "table"
        if fmt not in ("table", "csv", "json"):
            print(f"greenplan: error: --metrics prints table, csv or json, not {fmt}; "
                  f"drop --metrics to write a {fmt} file", file=sys.stderr)
            return 2
    elif fmt is None or fmt in ("table", "csv"):
        print("greenplan: error: say what to produce: --metrics [--format table|csv|json], or "
              "--format graphml|gexf|json|png|svg|html [--out FILE]", file=sys.stderr)
        return 2
    if fmt in ("png", "html") and not args.out and sys.stdout.isatty():
        print(f"greenplan: error: --format {fmt} needs --out FILE (or redirect standard output to a file)",
              file=sys.stderr)
        return 2
    if args.view != "bureaus" and (args.topic or args.chapter or args.min_weight != 1 or args.collectives):
        print(f"greenplan: error: --topic, --chapter, --min-weight and --collectives apply to the bureaus view, "
              f"not --view {args.view}",
              file=sys.stderr)
        return 2
    store = _open(args)
    try:
        if fmt == "html":
            if args.view != "bureaus":
                raise NetworkError("--format html shows the bureaus view; use graphml/gexf/json/png/svg for --view "
                                   f"{args.view}")
            _write(html_page(store, plan=args.plan), args.out)
            if args.out:
                print(f"wrote {args.out}", file=sys.stderr)
            return 0
        if args.view == "bureaus":
            G = build_network(store, args.topic, args.chapter, args.min_weight, args.plan, args.collectives)
        else:
            G = bipartite_network(store, args.view, args.plan)
        if args.metrics:
            from greenplan.results import render

            _write(render(metrics_result(metrics(G), with_iri=fmt != "table"), fmt), args.out)
        elif fmt in ("png", "svg"):
            from greenplan.network_draw import picture

            _write(picture(G, fmt), args.out)
        else:
            _write({"graphml": to_graphml, "gexf": to_gexf, "json": to_json}[fmt](G), args.out)
    except NetworkError as e:
        print(f"greenplan: error: {e}", file=sys.stderr)
        return 2
    if args.out:
        print(f"wrote {args.out}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges", file=sys.stderr)
    return 0
