"""Pictures (PNG, SVG with matplotlib) and the interactive HTML page (vis-network) of the network.

The Chinese labels need a CJK font: "WenQuanYi Micro Hei" (Debian ``fonts-wqy-microhei``).  Without
it :func:`picture` stops with a message saying what to install, and it refuses to write a picture in
which matplotlib reports a missing glyph (a box instead of a character).

The page embeds the vendored vis-network build (``static/network/vis-network.min.js``, from npm, MIT or
Apache-2.0) so it works offline, from a ``file://`` URL or from ``greenplan serve``.
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path

FONT = "WenQuanYi Micro Hei"
FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)
VIS = Path(__file__).parent.parent / "static" / "network" / "vis-network.min.js"
APP = VIS.parent / "app.js"          # the page's own script
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
    rc = {"font.family": [FONT], "font.sans-serif": [FONT], "svg.fonttype": "path", "svg.hashsalt": "greenplan",
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
        handles, comm = [], {}
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


# --- the interactive page -------------------------------------------------

def page_data(store, plan=None) -> dict:
    """What the page draws: nodes, edges (with task numbers), topics and each task's topics."""
    from greenplan.network.graph import build_network, rows
    from greenplan.vocab import local_name

    G = build_network(store, plan=plan)
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


def html_page(store, plan=None, script_src: str | None = None) -> str:
    """One self-contained page: zoom, drag, hover (a body's tasks and partners), a weight slider and a
    topic filter (``templates/network.html``, autoescaped like every page).  The vis-network script and the
    page's own script (``static/network/``) are inlined unless ``script_src`` names where vis-network is
    served (e.g. ``/static/network/vis-network.min.js``; the page's script then comes from beside it)."""
    from greenplan.web.layout import render, trusted_script

    data = page_data(store, plan)
    if script_src:
        scripts = [{"src": script_src, "text": None},
                   {"src": script_src.rsplit("/", 1)[0] + "/" + APP.name, "text": None}]
    else:
        js = VIS.read_text(encoding="utf-8")
        js = "\n".join(line for line in js.splitlines() if not line.startswith("//# sourceMappingURL="))
        scripts = [{"src": None, "text": trusted_script(js)},
                   {"src": None, "text": trusted_script(APP.read_text(encoding="utf-8"))}]
    top = max([e["weight"] for e in data["edges"]] + [1])
    return render("network.html", title=data["title"] or "greenplan", max_weight=top, data=data, scripts=scripts)


