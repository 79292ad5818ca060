// The network page's filters (greenplan serve's /network, greenplan network --format html). The drawing is
// already in the page (an SVG laid out by greenplan.network.draw); this script only hides what the reader
// filters out: pairs sharing fewer tasks than the slider says, or no task about the chosen topic, and the
// bodies left without a pair. Reads its data from <script type="application/json" id="network-data">.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("network-data").textContent);
  const slider = document.getElementById("min-weight");
  const shown = document.getElementById("min-weight-value");
  const select = document.getElementById("topic");
  const stats = document.getElementById("stats");
  const lines = Array.prototype.slice.call(document.querySelectorAll("#network line.edge"));
  const nodes = {};
  document.querySelectorAll("#network a.node").forEach(function (a) { nodes[a.getAttribute("data-id")] = a; });
  function sharedTasks(e, topic) {
    if (!topic) return e.tasks;
    return e.tasks.filter(function (t) { return (data.taskTopics[String(t)] || []).indexOf(topic) >= 0; });
  }
  function update() {
    const min = Number(slider.value), topic = select.value;
    shown.textContent = String(min);
    const touched = {};
    let pairs = 0;
    lines.forEach(function (line) {
      const e = data.edges[Number(line.getAttribute("data-index"))];
      const n = topic ? sharedTasks(e, topic).length : e.weight;
      const keep = n >= min && n > 0;
      line.classList.toggle("hidden", !keep);
      if (keep) { touched[e.from] = touched[e.to] = true; pairs += 1; }
    });
    const filtered = min > 1 || topic !== "";
    let bodies = 0;
    Object.keys(nodes).forEach(function (id) {
      const hide = filtered && !touched[id];
      nodes[id].classList.toggle("hidden", hide);
      if (!hide) bodies += 1;
    });
    stats.textContent = bodies + " 个部门 bodies, " + pairs + " 对 pairs";
  }
  slider.addEventListener("input", update);
  select.addEventListener("change", update);
  update();
  function visible(el) { return !el.classList.contains("hidden"); }
  window.greenplanNetwork = {
    data: data,
    nodeCount: function () { return Object.keys(nodes).filter(function (id) { return visible(nodes[id]); }).length; },
    drawnNodeCount: function () {
      return Array.prototype.filter.call(document.querySelectorAll("#network a.node circle"), function (c) {
        const box = c.getBoundingClientRect(); return box.width > 0 && box.height > 0; }).length; },
    edgeCount: function () { return lines.filter(visible).length; },
    tooltip: function (id) { return nodes[id].querySelector("title").textContent; },
    setMinWeight: function (n) { slider.value = String(n); slider.dispatchEvent(new Event("input")); },
    setTopic: function (t) { select.value = t; select.dispatchEvent(new Event("change")); }
  };
})();
