"""Pictures (PNG, SVG with matplotlib) and the network page of the site (an SVG laid out here) of the network.

The Chinese labels need a CJK font: "WenQuanYi Micro Hei" (Debian ``fonts-wqy-microhei``).  Without
it :func:`picture` stops with a message saying what to install, and it refuses to write a picture in
which matplotlib reports a missing glyph (a box instead of a character).

The page (``/network`` of ``greenplan serve``, ``greenplan network --format html``) is drawn here, before it is
shown: positions from networkx (:func:`_layout`), labels placed so that none overlaps another label or a node
(a label is left out, its name still in the node's tooltip, when no place around its node is free).  The
page's script (``static/network/app.js``) only filters what is drawn: the minimum of shared tasks and a topic.
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path

FONT = "WenQuanYi Micro Hei"
FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)
APP = Path(__file__).parent.parent / "static" / "network" / "app.js"     # the page's own script
SITE_CSS = APP.parent.parent / "site.css"
WIDTH_PX = 1600
# tab10 followed by tab20's lighter shades: community n gets PALETTE[(n - 1) % len(PALETTE)]
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94")


def colour(community: int) -> str:
    return PALETTE[(int(community) - 1) % len(PALETTE)] if community else "#999999"


def place_prefixes(G) -> tuple[str, ...]:
    """What a body's name starts with when it belongs to a jurisdiction of the plan: the jurisdiction's name
    (湛江市) and the party committee's form of it (中共湛江), from the graph's ``jurisdiction`` (、-joined)."""
    out = []
    for place in filter(None, G.graph.get("jurisdiction", "").split("、")):
        stem = place[:-1] if len(place) > 2 and place[-1] in "省市区县" else place
        out += [place, "中共" + stem]
    return tuple(out)


def short_label(label: str, prefixes: tuple[str, ...] = (), limit: int = 14) -> str:
    """A body's name without its jurisdiction's prefix (湛江市发展和改革局 → 发展和改革局, with ``prefixes``
    from :func:`place_prefixes`), cut to ``limit`` characters."""
    for prefix in prefixes:
        if label.startswith(prefix) and len(label) > len(prefix) + 1:
            label = label[len(prefix):]
            break
    return label if len(label) <= limit else label[:limit - 1] + "…"


def font_available() -> bool:
    try:
        _font()
        return True
    except RuntimeError:
        return False


def _font() -> str:
    from matplotlib import font_manager as fm

    try:
        return fm.findfont(fm.FontProperties(family=FONT), fallback_to_default=False)
    except ValueError:
        for path in FONT_FILES:        # installed after matplotlib built its font cache
            if Path(path).is_file():
                fm.fontManager.addfont(path)
                return fm.findfont(fm.FontProperties(family=FONT), fallback_to_default=False)
    from greenplan.network.graph import NetworkError

    raise NetworkError(f"the Chinese font {FONT!r} is not installed, so the labels would be drawn as boxes; "
                       "install it (Debian/Ubuntu: `apt-get install fonts-wqy-microhei`) and run again, "
                       "or write --format graphml, gexf, json or html instead")


def picture(G, fmt: str = "png") -> bytes:
    """PNG or SVG of the network, 1600 px wide: node size by tasks, edge width by weight, colour by
    community, short Chinese labels, a legend and the plan's title."""
    import matplotlib
    import networkx as nx
    from matplotlib import patheffects
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from greenplan.network.graph import NetworkError

    if fmt not in ("png", "svg"):
        raise NetworkError(f"picture format {fmt!r}: choose png or svg")
    _font()
    rc: dict = {"font.family": [FONT], "font.sans-serif": [FONT], "svg.fonttype": "path", "svg.hashsalt": "greenplan",
          "axes.unicode_minus": False}
    with matplotlib.rc_context(rc), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = Figure(figsize=(WIDTH_PX / 100, 11), dpi=100)
        ax = fig.add_axes((0.01, 0.01, 0.72, 0.9))
        ax.set_axis_off()
        nodes = list(G.nodes)
        prefixes = place_prefixes(G)
        if nodes:
            pos = _layout(G)
            weights = [d.get("weight", 1) for _, _, d in G.edges(data=True)]
            top = max(weights, default=1)
            nx.draw_networkx_edges(G, pos, ax=ax, width=[0.4 + 7.0 * w / top for w in weights],
                                   edge_color="#8a8a8a", alpha=0.45)
            tasks = [G.nodes[n].get("tasks", 0) for n in nodes]
            most = max(tasks + [1])
            sizes = [160 + 2400 * t / most for t in tasks]
            colours = [colour(G.nodes[n].get("community", 0)) for n in nodes]
            shapes = {n: ("s" if G.nodes[n].get("kind") in ("Project", "Topic") else "o") for n in nodes}
            for shape in sorted(set(shapes.values())):
                idx = [i for i, n in enumerate(nodes) if shapes[n] == shape]
                nx.draw_networkx_nodes(G, pos, ax=ax, nodelist=[nodes[i] for i in idx], node_shape=shape,
                                       node_size=[sizes[i] for i in idx], node_color=[colours[i] for i in idx],
                                       edgecolors="white", linewidths=1.0, alpha=0.92)
            labels = {n: short_label(G.nodes[n].get("label", str(n)), prefixes) for n in nodes}
            texts = nx.draw_networkx_labels(G, pos, labels=labels, ax=ax, font_size=11, font_family=FONT)
            halo = [patheffects.withStroke(linewidth=3, foreground="white")]
            for n, text in texts.items():   # the label just below its node, on a white halo
                text.set_path_effects(halo)
                text.set_va("top")
                text.set_position((pos[n][0], pos[n][1] - 0.012 - 0.03 * (sizes[nodes.index(n)] / 2600) ** 0.5))
        fig.suptitle(_title(G), fontsize=17, x=0.02, y=0.985, ha="left", va="top")
        handles: list = []
        comm: dict = {}
        unit = "bodies" if G.graph.get("view", "bureaus") == "bureaus" else "nodes"
        for n in nodes:
            comm.setdefault(G.nodes[n].get("community", 0), []).append(n)
        for c in sorted(comm):
            members = sorted(comm[c], key=lambda n: (-G.nodes[n].get("tasks", 0), G.nodes[n].get("label", "")))
            lead = short_label(G.nodes[members[0]].get("label", ""), prefixes, 12)
            handles.append(Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor=colour(c),
                                  markeredgecolor="white", label=f"{c}: {lead}等 {len(members)} 个 ({len(members)} {unit})"))
        if handles:
            fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.74, 0.88), frameon=False, fontsize=12,
                       title="社区 Community (Louvain)", alignment="left", title_fontsize=13)
        fig.text(0.745, 0.06, "点大小 = 任务数  node size = tasks\n线宽 = 共同任务数  edge width = shared tasks\n"
                 "颜色 = 社区  colour = community", fontsize=11, va="bottom")
        buf = io.BytesIO()
        metadata = {"Software": None} if fmt == "png" else {"Date": None}
        fig.savefig(buf, format=fmt, dpi=100, metadata=metadata, facecolor="white")
    missing = sorted({str(w.message) for w in caught if "missing from font" in str(w.message)})
    if missing:
        raise NetworkError(f"matplotlib could not draw some characters with {FONT!r}: {'; '.join(missing)}")
    return buf.getvalue()


def _layout(G) -> dict:
    """Positions that repeat exactly: Kamada–Kawai (unweighted: weights are strengths, not lengths) per
    connected component, components side by side; a seeded spring layout refines it."""
    import networkx as nx

    from greenplan.network.graph import SEED

    start = nx.kamada_kawai_layout(G, weight=None)
    return nx.spring_layout(G, pos=start, seed=SEED, weight=None, iterations=30, k=1.6 / max(1, len(G)) ** 0.5)


def _title(G) -> str:
    view = G.graph.get("view", "bureaus")
    name = {"bureaus": "部门协作网络 Bureau collaboration network",
            "projects": "牵头部门–重点项目 Lead bureaus and key projects",
            "topics": "责任单位–主题 Bodies and topics"}.get(view, view)
    filters = [f"{k} {G.graph[k]}" for k in ("topic", "chapter") if G.graph.get(k)]
    if G.graph.get("min_weight", 1) > 1:
        filters.append(f"≥ {G.graph['min_weight']} shared tasks")
    counts = f"{G.number_of_nodes()} 个节点 nodes, {G.number_of_edges()} 条边 edges"
    plan = G.graph.get("title") or ""
    return f"{plan}\n{name} ({counts}{'; ' + ', '.join(filters) if filters else ''})"


# --- the network page -------------------------------------------------------

# The drawing's coordinate space (the SVG's viewBox; the browser scales it as a whole, labels with it)
VIEW_W, VIEW_H, MARGIN = 1200, 760, 8
LABEL_PX = 13                        # label font size in viewBox units
LABEL_H = round(LABEL_PX * 1.5)      # a label's box: the font's ascent and descent with room to spare


def label_width(text: str) -> float:
    """A label's width in viewBox units: wide (CJK, full-width) characters one em, others 0.62 em, plus padding
    (generous, so that the box holds the text as a browser draws it)."""
    import unicodedata

    return sum(LABEL_PX if unicodedata.east_asian_width(c) in "WF" else LABEL_PX * 0.62 for c in text) + 6


def _boxes_meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def drawing(G) -> dict:
    """Node positions and radii in the viewBox, and at most one label box per node that meets no other label
    and no other node (greedy, the nodes with most tasks first; the same graph gives the same drawing)."""
    import math

    nodes = list(G.nodes)
    if not nodes:
        return {}
    most = max([G.nodes[n].get("tasks", 0) for n in nodes] + [1])
    radius = {n: 5 + 15 * math.sqrt(G.nodes[n].get("tasks", 0) / most) for n in nodes}
    at = {}
    for (x0, y0, x1, y1), raw in _cells(G):     # each connected part of the network in a cell of its own
        pad = 20 + 3 * LABEL_PX        # room for a label beside a node at the cell's edge
        xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
        span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        for n, (x, y) in raw.items():
            at[n] = (round(x0 + pad + ((x - min(xs)) / span_x if len(raw) > 1 else 0.5) * (x1 - x0 - 2 * pad), 1),
                     round(y0 + pad + ((max(ys) - y) / span_y if len(raw) > 1 else 0.5) * (y1 - y0 - 2 * pad), 1))
    discs = {n: (at[n][0] - radius[n], at[n][1] - radius[n], at[n][0] + radius[n], at[n][1] + radius[n])
             for n in nodes}
    prefixes = place_prefixes(G)
    placed: dict = {}
    for n in sorted(nodes, key=lambda n: (-G.nodes[n].get("tasks", 0), G.nodes[n].get("label", ""), n)):
        text = short_label(G.nodes[n].get("label", str(n)), prefixes)
        w, h = label_width(text), LABEL_H
        (x, y), r = at[n], radius[n]
        for box in ((x - w / 2, y + r + 1, x + w / 2, y + r + 1 + h),       # below, above, right, left
                    (x - w / 2, y - r - 1 - h, x + w / 2, y - r - 1),
                    (x + r + 2, y - h / 2, x + r + 2 + w, y + h / 2),
                    (x - r - 2 - w, y - h / 2, x - r - 2, y + h / 2)):
            inside = box[0] >= MARGIN and box[1] >= MARGIN and box[2] <= VIEW_W - MARGIN and box[3] <= VIEW_H - MARGIN
            if inside and not any(_boxes_meet(box, b) for b, _ in placed.values()) and \
                    not any(_boxes_meet(box, d) for m, d in discs.items() if m != n):
                placed[n] = (tuple(round(v, 1) for v in box), text)
                break
    return {"at": at, "radius": radius, "labels": placed}


def _cells(G) -> list:
    """The network's connected parts (bodies without a partner together as one part, in a row) with the cell
    of the viewBox each is drawn in: a grid, the largest part first; positions from :func:`_layout`."""
    import math

    import networkx as nx

    parts = sorted((sorted(c) for c in nx.connected_components(G) if len(c) > 1),
                   key=lambda c: (-len(c), c[0]))
    alone = sorted(n for n in G.nodes if G.degree(n) == 0)
    layouts = [_layout(_ordered(G, c)) for c in parts]
    if alone:
        per_row = max(1, math.ceil(math.sqrt(len(alone) * 2)))
        layouts.append({n: (i % per_row, -(i // per_row)) for i, n in enumerate(alone)})
    cols = max(1, math.ceil(math.sqrt(len(layouts))))
    rows = max(1, math.ceil(len(layouts) / cols))
    w, h = (VIEW_W - 2 * MARGIN) / cols, (VIEW_H - 2 * MARGIN) / rows
    return [((MARGIN + (i % cols) * w, MARGIN + (i // cols) * h, MARGIN + (i % cols + 1) * w, MARGIN + (i // cols + 1) * h),
             layout) for i, layout in enumerate(layouts)]


def _ordered(G, nodes: list):
    """The subgraph of ``nodes`` as a graph of its own, nodes and edges in sorted order (a subgraph view
    iterates over a set: its order, and so the layout, would change with the process's hash seed)."""
    import networkx as nx

    H = nx.Graph()
    H.add_nodes_from((n, G.nodes[n]) for n in nodes)
    keep = set(nodes)
    H.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in G.edges(nodes, data=True) if u in keep and v in keep))
    return H


def _web_iri(iri: str) -> str | None:
    """A body's IRI as the link of the written file (only http(s): never a javascript: link from the data)."""
    return iri if iri.startswith(("http://", "https://")) else None


def plan_choices(store) -> list[tuple[str, str]]:
    """(identifier, title) of each plan of the store, for the page's plan picker."""
    from greenplan.network.graph import rows

    return list(dict.fromkeys((r["plan"], r["title"]) for r in rows(store, "plan-titles")))


def page_data(store, plan=None) -> dict:
    """What the page's script filters: nodes, edges (with task numbers), topics and each task's topics."""
    from greenplan.network.graph import build_network

    return _data(store, build_network(store, plan=plan), plan)


def _data(store, G, plan) -> dict:
    from greenplan.network.graph import rows
    from greenplan.vocab import local_name

    prefixes = place_prefixes(G)
    body_tasks: dict[str, list[int]] = {}
    for r in rows(store, "task-numbers", plan):
        body_tasks.setdefault(r["body"], []).append(int(r["number"]))
    task_topics: dict[int, list[str]] = {}
    topics: dict[str, dict] = {}
    for r in rows(store, "task-topics", plan):
        slug = local_name(r["topic"])
        task_topics.setdefault(int(r["number"]), []).append(slug)
        t = topics.setdefault(slug, {"id": slug, "zh": r["zh"], "en": r["en"] or slug, "tasks": set()})
        t["tasks"].add(int(r["number"]))
    nodes = []
    for n, d in sorted(G.nodes(data=True)):
        nodes.append({"id": n, "label": short_label(d["label"], prefixes), "full": d["label"], "en": d.get("label_en", ""),
                      "kind": d.get("kind", ""), "tasks": d.get("tasks", 0), "sole": d.get("sole", 0),
                      "community": d.get("community", 0), "color": colour(d.get("community", 0)),
                      "taskNumbers": sorted(set(body_tasks.get(n, [])))})
    edges = []
    for u, v, d in sorted(G.edges(data=True), key=lambda e: (min(e[0], e[1]), max(e[0], e[1]))):
        numbers = sorted(int(x) for x in str(d.get("tasks", "")).split("、") if x.strip().isdigit())
        edges.append({"from": min(u, v), "to": max(u, v), "weight": d["weight"], "tasks": numbers})
    topic_list = [{"id": t["id"], "zh": t["zh"], "en": t["en"], "tasks": len(t["tasks"])}
                  for t in sorted(topics.values(), key=lambda t: t["en"].lower())]
    return {"title": G.graph.get("title", ""), "nodes": nodes, "edges": edges, "topics": topic_list,
            "taskTopics": {str(k): sorted(set(v)) for k, v in sorted(task_topics.items())}}


def tooltip(node: dict, partners: list[tuple[str, int]]) -> str:
    """A node's hover text (plain text): its full name, English name, tasks and partners."""
    lines = [node["full"] + (f" — {node['en']}" if node["en"] else ""),
             f"任务 tasks {node['tasks']} (独立 sole {node['sole']}): " + "、".join(map(str, node["taskNumbers"])),
             "伙伴 partners: " + "、".join(f"{name} {w}" for name, w in partners),
             f"社区 community {node['community']}"]
    return "\n".join(lines)


def html_page(store, plan=None, min_weight: int = 1, base: str | None = None, script_src: str | None = None) -> str:
    """The network page of the site (``templates/network.html``, the site's layout): an SVG drawn here, each
    node a link to its body's page, with a minimum-weight slider and a topic filter; served with a plan
    picker.  Links go to the server's pages when ``base`` is given (``greenplan serve``), else to the
    bodies' IRIs (the file of ``greenplan network --format html``).  The page's script is served from
    ``script_src`` or, without it, inlined (the file works offline)."""
    from greenplan.network.graph import NetworkError, build_network
    from greenplan.web.layout import href, render, trusted_script, trusted_style

    if min_weight < 1:
        raise NetworkError(f"minimum weight {min_weight}: give a whole number of shared tasks, 1 or more")
    G = build_network(store, plan=plan)
    data = _data(store, G, plan)
    drawn = drawing(G)
    by_id = {n["id"]: n for n in data["nodes"]}
    partners: dict[str, list[tuple[str, int]]] = {n: [] for n in by_id}
    for e in data["edges"]:
        partners[e["from"]].append((by_id[e["to"]]["label"], e["weight"]))
        partners[e["to"]].append((by_id[e["from"]]["label"], e["weight"]))
    touched = {x for e in data["edges"] if e["weight"] >= min_weight for x in (e["from"], e["to"])}
    top = max([e["weight"] for e in data["edges"]] + [1])
    edges = [{"index": i, "weight": e["weight"], "hidden": e["weight"] < min_weight,
              "x1": drawn["at"][e["from"]][0], "y1": drawn["at"][e["from"]][1],
              "x2": drawn["at"][e["to"]][0], "y2": drawn["at"][e["to"]][1],
              "width": round(0.8 + 7 * e["weight"] / top, 2)} for i, e in enumerate(data["edges"])]
    nodes = []
    for n in data["nodes"]:
        label = drawn["labels"].get(n["id"])
        nodes.append({"id": n["id"], "href": href(n["id"], base) if base else _web_iri(n["id"]), "colour": n["color"],
                      "x": drawn["at"][n["id"]][0], "y": drawn["at"][n["id"]][1], "r": round(drawn["radius"][n["id"]], 1),
                      "hidden": min_weight > 1 and n["id"] not in touched,
                      "title": tooltip(n, sorted(partners[n["id"]], key=lambda p: (-p[1], p[0]))),
                      "label": None if label is None else {"text": label[1], "x": label[0][0] + 3,
                                                           "y": round((label[0][1] + label[0][3]) / 2, 1)}})
    if script_src:
        scripts, style = [{"src": script_src, "text": None}], None
    else:      # one file that works offline: the site's style and the page's script inlined
        scripts = [{"src": None, "text": trusted_script(APP.read_text(encoding="utf-8"))}]
        style = trusted_style(SITE_CSS.read_text(encoding="utf-8"))
    return render("network.html", title=data["title"] or "greenplan", max_weight=top, min_weight=min(min_weight, top),
                  data=data, scripts=scripts, nodes=nodes, edges=edges, width=VIEW_W, height=VIEW_H,
                  label_px=LABEL_PX, served=bool(base), inline_style=style, plan=plan or "",
                  plans=plan_choices(store) if base else [])
