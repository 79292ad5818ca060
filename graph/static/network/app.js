// The interactive collaboration network page (greenplan network --format html, /network of greenplan serve):
// zoom, drag, hover (a body's tasks and partners), a weight slider and a topic filter. Reads its data from
// the page's <script type="application/json" id="network-data">; every text is set with textContent.
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
