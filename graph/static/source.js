// The kept copy of a web page (/sources/ID?at=XPATH): finds the element the graph names by its XPath in the
// framed copy (same origin, its own scripts off), marks it and scrolls to it. The XPath is the reader's
// (lxml); a browser adds <tbody> to tables that lack it, so that variant is tried too.
(function () {
  "use strict";
  const frame = document.getElementById("kept");
  const status = document.getElementById("found");
  const xpath = frame.getAttribute("data-xpath");
  const state = window.greenplanSource = { found: null };
  function variants(p) { return [p, p.replace(/(\/table(\[\d+\])?)\/(?!tbody)/g, "$1/tbody/")]; }
  function locate() {
    const doc = frame.contentDocument;
    let el = null;
    if (doc) {
      variants(xpath).some(function (p) {
        try {
          el = doc.evaluate(p, doc, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
        } catch (e) { el = null; }
        return el !== null;
      });
    }
    state.found = el !== null;
    state.text = el ? el.textContent : "";
    if (el) {
      el.style.outline = "3px solid #e8a200";
      el.style.background = "#fff5d6";
      el.scrollIntoView({ block: "center" });
    }
    status.textContent = el ? "（已标出 marked in the copy below）" : "（未找到 not found in the copy）";
  }
  frame.addEventListener("load", locate);
  if (frame.contentDocument && frame.contentDocument.readyState === "complete" &&
      frame.contentDocument.URL !== "about:blank") { locate(); }
})();
