"""Smoke tests of the web UI in headless Chromium (Debian's `chromium`, driven by Playwright's Python
package; no browser download).  Every request the pages make is recorded: none may fail, and none
may leave 127.0.0.1 (the UI vendors its JavaScript; no CDN)."""
from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest

from greenplan.web.server import make_server
from tests.test_graph import expected_bureaus


@pytest.fixture(scope="module")
def site(store):
    server = make_server(store, "127.0.0.1", 0, timeout=30, max_results=10000)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()


class Recorder:
    """Every request of a page, its failures and HTTP errors."""

    def __init__(self, page):
        self.urls: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.url}: {r.status}"))
        page.on("pageerror", lambda e: self.errors.append(f"script error: {e}"))

    def check(self):
        assert not self.failed, self.failed
        assert not self.errors, self.errors
        outside = [u for u in self.urls if urlsplit(u).hostname != "127.0.0.1"]
        assert not outside, outside


def test_from_home_to_task_59_and_its_owner(site, browser):
    page = browser.new_page()
    rec = Recorder(page)
    page.goto(site)
    assert "湛江市关于加快建立健全绿色低碳循环发展经济体系的实施方案" in page.inner_text("h2")
    page.click("text=重点任务 tasks")                       # the plan page, its task list
    page.click('a[href="/plan/zhanjiang-green-economy/task/59"] >> nth=0')
    page.wait_for_url("**/task/59")
    assert "依托湛江市能源和石化产业优势" in page.inner_text("main")
    owners = page.locator("ol.owners li a span[lang=zh]").all_inner_texts()
    assert "、".join(owners) == expected_bureaus(59)        # the order annex 1 prints
    page.click("ol.owners li >> nth=1 >> a")                 # the second owner: 科学技术局
    page.wait_for_url("**/org/440800/science-technology")
    assert "湛江市科学技术局" in page.inner_text("h1")
    assert page.locator('a[href="/plan/zhanjiang-green-economy/task/59"]').count() >= 1
    rec.check()
    page.close()


def test_sparql_editor_loads_its_vendored_editor(site, browser):
    page = browser.new_page()
    rec = Recorder(page)
    page.goto(site + "editor")
    page.wait_for_selector(".CodeMirror")                    # CodeMirror replaced the textarea
    assert page.evaluate("typeof CodeMirror.modes.sparql") == "function"
    assert page.locator(".CodeMirror .cm-keyword").count() > 0   # highlighted
    page.evaluate("window.greenplanEditor.setValue('SELECT ?n WHERE { GRAPH ?g { ?t gp:number ?n } } ORDER BY ?n LIMIT 2')")
    page.click('button.prefix[data-prefix="gp"]')            # prefix help adds the PREFIX line
    assert page.evaluate("window.greenplanEditor.getValue()").startswith(
        "PREFIX gp: <https://w3id.org/greenplan/ontology#>")
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() == 2
    loaded = [u for u in rec.urls if "/static/" in u]
    assert any(u.endswith("/static/codemirror/codemirror.js") for u in loaded)
    assert any(u.endswith("/static/codemirror/mode/sparql/sparql.js") for u in loaded)
    rec.check()
    page.close()
