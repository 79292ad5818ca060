// greenplan SPARQL editor: CodeMirror 5 (vendored under /static/codemirror) with SPARQL
// highlighting, prefix completion (Ctrl-Space) and a prefix list that adds PREFIX lines.
(function () {
  "use strict";
  var area = document.getElementById("query");
  if (!area || typeof CodeMirror === "undefined") { return; }
  var prefixes = {};
  document.querySelectorAll("button.prefix").forEach(function (b) {
    prefixes[b.getAttribute("data-prefix")] = b.getAttribute("data-iri");
  });
  function declared(cm, name) {
    return new RegExp("PREFIX\\s+" + name + ":", "i").test(cm.getValue());
  }
  function addPrefix(cm, name) {
    if (declared(cm, name)) { return; }
    cm.replaceRange("PREFIX " + name + ": <" + prefixes[name] + ">\n", {line: 0, ch: 0});
  }
  function hint(cm) {
    var cur = cm.getCursor(), line = cm.getLine(cur.line);
    var start = cur.ch;
    while (start > 0 && /[\w-]/.test(line.charAt(start - 1))) { start--; }
    var word = line.slice(start, cur.ch).toLowerCase();
    var list = Object.keys(prefixes).filter(function (p) { return p.indexOf(word) === 0; }).map(function (p) {
      return {text: p + ":", displayText: p + ":  <" + prefixes[p] + ">",
              hint: function (cm2, data, completion) {
                cm2.replaceRange(completion.text, data.from, data.to);
                addPrefix(cm2, p);
              }};
    });
    return {list: list, from: CodeMirror.Pos(cur.line, start), to: CodeMirror.Pos(cur.line, cur.ch)};
  }
  var form = document.getElementById("sparql-form");
  var cm = CodeMirror.fromTextArea(area, {
    mode: "application/sparql-query", lineNumbers: true, matchBrackets: true, indentUnit: 2,
    extraKeys: {
      "Ctrl-Space": function (c) { c.showHint({hint: hint, completeSingle: false}); },
      "Ctrl-Enter": function (c) { c.save(); form.submit(); }
    }
  });
  window.greenplanEditor = cm;
  document.querySelectorAll("button.prefix").forEach(function (b) {
    b.addEventListener("click", function () { addPrefix(cm, b.getAttribute("data-prefix")); cm.focus(); });
  });
})();
