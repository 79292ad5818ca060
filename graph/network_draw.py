"""Pictures (PNG, SVG with matplotlib) and the interactive HTML page (vis-network) of the network.

The Chinese labels need a CJK font: "WenQuanYi Micro Hei" (Debian ``fonts-wqy-microhei``).  Without
it :func:`picture` stops with a message saying what to install, and it refuses to write a picture in
which matplotlib reports a missing glyph (a box instead of a character).

The page embeds the vendored vis-network build (``static/network/vis-network.min.js``, from npm, MIT or
Apache-2.0) so it works offline, from a ``file://`` URL or from ``greenplan serve``.
"""
from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

FONT = "WenQuanYi Micro Hei"
FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)
VIS = Path(__file__).parent / "static" / "network" / "vis-network.min.js"
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
    from greenplan.network import NetworkError

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

    from greenplan.network import NetworkError

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

    from greenplan.network import SEED

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
    from greenplan.network import build_network, rows
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
    topic filter.  The vis-network script is inlined unless ``script_src`` names where it is served
    (e.g. ``/static/network/vis-network.min.js``)."""
    from html import escape

    data = page_data(store, plan)
    if script_src:
        script = f'<script src="{escape(script_src)}"></script>'
    else:
        js = VIS.read_text(encoding="utf-8")
        js = "\n".join(line for line in js.splitlines() if not line.startswith("//# sourceMappingURL="))
        script = f"<script>\n{js}\n</script>"
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    top = max([e["weight"] for e in data["edges"]] + [1])
    title = escape(data["title"] or "greenplan")
    return (PAGE.replace("{{TITLE}}", title).replace("{{MAX}}", str(top))
            .replace("{{DATA}}", payload).replace("{{SCRIPT}}", script).replace("{{APP}}", APP))


PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>协作网络 Collaboration network · {{TITLE}}</title>
<style>
body { margin: 0; font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #222; }
header { padding: .6em 1em; border-bottom: 1px solid #ddd; }
header h1 { font-size: 1.15em; margin: 0 0 .4em 0; }
.controls { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: center; font-size: .95em; }
#network { width: 100%; height: calc(100vh - 7.5em); min-height: 480px; }
#legend { position: absolute; right: 1em; top: 7em; background: rgba(255,255,255,.9); font-size: .85em; padding: .4em .6em; }
#legend span.dot { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .4em; }
div.vis-tooltip { font-family: inherit; }
.tip { max-width: 28em; white-space: normal; font-size: 13px; line-height: 1.4; }
</style>
</head>
<body>
<header>
<h1>部门协作网络 Bureau collaboration network — {{TITLE}}</h1>
<div class="controls">
<label>最少共同任务 Min. shared tasks: <input id="min-weight" type="range" min="1" max="{{MAX}}" value="1" step="1">
<output id="min-weight-value">1</output></label>
<label>主题 Topic: <select id="topic"><option value="">全部 all</option></select></label>
<span id="stats"></span>
</div>
</header>
<div id="network"></div>
<div id="legend"></div>
<script type="application/json" id="network-data">{{DATA}}</script>
{{SCRIPT}}
<script>
{{APP}}
</script>
</body>
</html>
"""

APP = r"""
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("network-data").textContent);
  const byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  const slider = document.getElementById("min-weight");
  const shown = document.getElementById("min-weight-value");
  const select = document.getElementById("topic");
  const stats = document.getElementById("stats");
  data.topics.forEach(function (t) {
    const o = document.createElement("option");
    o.value = t.id; o.textContent = t.zh + " " + t.en + " (" + t.tasks + ")";
    select.appendChild(o);
  });
  function el(tag, text) { const e = document.createElement(tag); e.textContent = text; return e; }
  function partners(id) {
    return data.edges.filter(function (e) { return e.from === id || e.to === id; })
      .map(function (e) { return { other: byId[e.from === id ? e.to : e.from], weight: e.weight }; })
      .sort(function (a, b) { return b.weight - a.weight || (a.other.full < b.other.full ? -1 : 1); });
  }
  function tooltip(n) {
    const box = document.createElement("div"); box.className = "tip";
    box.appendChild(el("b", n.full));
    if (n.en) { box.appendChild(document.createElement("br")); box.appendChild(el("i", n.en)); }
    box.appendChild(el("div", "任务 tasks (" + n.tasks + ", 独立 sole " + n.sole + "): " + n.taskNumbers.join("、")));
    box.appendChild(el("div", "伙伴 partners: " + partners(n.id).map(function (p) {
      return p.other.label + " " + p.weight; }).join("、")));
    box.appendChild(el("div", "社区 community " + n.community));
    return box;
  }
  const nodes = new vis.DataSet(data.nodes.map(function (n) {
    return { id: n.id, label: n.label, value: n.tasks, title: tooltip(n),
             color: { background: n.color, border: "#ffffff", highlight: { background: n.color, border: "#333333" },
                     hover: { background: n.color, border: "#333333" } } };
  }));
  const edges = new vis.DataSet();
  function sharedTasks(e, topic) {
    if (!topic) return e.tasks;
    return e.tasks.filter(function (t) { return (data.taskTopics[String(t)] || []).indexOf(topic) >= 0; });
  }
  function update() {
    const min = Number(slider.value), topic = select.value;
    shown.textContent = String(min);
    const keep = [], touched = {};
    data.edges.forEach(function (e, i) {
      const tasks = sharedTasks(e, topic);
      if (tasks.length >= min && tasks.length > 0) {
        keep.push({ id: "e" + i, from: e.from, to: e.to, value: tasks.length,
                    title: byId[e.from].full + " — " + byId[e.to].full + ": " + tasks.length + " (" + tasks.join("、") + ")" });
        touched[e.from] = touched[e.to] = true;
      }
    });
    edges.clear(); edges.add(keep);
    const filtered = min > 1 || topic !== "";
    nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: filtered && !touched[n.id] }; }));
    const visible = data.nodes.filter(function (n) { return !(filtered && !touched[n.id]); }).length;
    stats.textContent = visible + " 个部门 bodies, " + keep.length + " 对 pairs";
  }
  const container = document.getElementById("network");
  const network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    layout: { randomSeed: 42, improvedLayout: true },
    nodes: { shape: "dot", scaling: { min: 8, max: 42 }, font: { size: 14, face: "WenQuanYi Micro Hei, sans-serif" } },
    edges: { color: { color: "#9a9a9a", highlight: "#333333", hover: "#555555" }, scaling: { min: 1, max: 12 },
             smooth: false },
    physics: { solver: "forceAtlas2Based", stabilization: { iterations: 300 } },
    interaction: { hover: true, tooltipDelay: 80, dragNodes: true, zoomView: true, dragView: true }
  });
  network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); });
  slider.addEventListener("input", update);
  select.addEventListener("change", update);
  update();
  const legend = document.getElementById("legend");
  const groups = {};
  data.nodes.forEach(function (n) { (groups[n.community] = groups[n.community] || []).push(n); });
  Object.keys(groups).sort(function (a, b) { return a - b; }).forEach(function (c) {
    const row = document.createElement("div"), dot = document.createElement("span");
    dot.className = "dot"; dot.style.background = groups[c][0].color;
    row.appendChild(dot); row.appendChild(document.createTextNode("社区 " + c + " (" + groups[c].length + ")"));
    legend.appendChild(row);
  });
  window.greenplanNetwork = {
    network: network, nodes: nodes, edges: edges, data: data,
    nodeCount: function () { return nodes.get({ filter: function (n) { return !n.hidden; } }).length; },
    drawnNodeCount: function () {
      return network.body.nodeIndices.filter(function (id) { return !network.body.nodes[id].options.hidden; }).length; },
    edgeCount: function () { return network.body.edgeIndices.length; },
    setMinWeight: function (n) { slider.value = String(n); slider.dispatchEvent(new Event("input")); },
    setTopic: function (t) { select.value = t; select.dispatchEvent(new Event("change")); }
  };
})();
"""
