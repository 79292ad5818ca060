"""The site on a store of three kinds of document (issue 22), in headless Chromium (Debian's `chromium`):
the bundled Zhanjiang implementation plan (text export), a State Council notice read from a URL (the gov.cn
page of tests/data/gov-cn/gbf-2018-128, served on 127.0.0.1 for the build and then stopped: the store keeps
its copy) and the Guangzhou sample text.

Expected values are read off the documents by hand:
* gbf-2018-128's metadata table prints 发文机关：国务院办公厅, 成文日期：2018年12月29日, 发文字号：国办发〔2018〕128号,
  发布日期：2019年01月21日; the notice issues a work plan with no project table, no targets table, no investment;
* its task （一）1 closes with （生态环境部牵头，国家发展改革委、工业和信息化部、住房城乡建设部、农业农村部、国家统计局参与）;
* the bundled plan keeps the old body IRIs as owl:sameAs aliases (ontology/bodies/440800.ttl): org/transport is
  湛江市交通运输局, org/440800/transport.
"""
from __future__ import annotations

import functools
import http.server
import io
import json
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from greenplan.web.server import make_server

DATA = Path(__file__).parent / "data"
PAGE = DATA / "gov-cn" / "gbf-2018-128-zero-waste-cities.html"
PLAN = "/plan/gbf-2018-128"
NOTICE_SHORT = "“无废城市”建设试点工作方案"


@pytest.fixture(scope="module")
def built(tmp_path_factory, source):
    """The store of the three documents and the URL the notice was read from."""
    from greenplan.store.core import Store, build_store, locate

    site = tmp_path_factory.mktemp("govcn-site")
    shutil.copy(PAGE, site / "content_5359620.htm")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    pages = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{pages.server_address[1]}/content_5359620.htm"
    guangzhou = tmp_path_factory.mktemp("guangzhou")
    for name in ("guangzhou-sample.txt", "guangzhou-sample.meta.toml"):
        shutil.copy(DATA / name, guangzhou / name)
    directory = tmp_path_factory.mktemp("kinds") / "store"
    try:
        build_store(locate(str(directory), [str(source), url, str(guangzhou / "guangzhou-sample.txt")]))
    finally:
        pages.shutdown()
        pages.server_close()
    return Store(directory), url


@pytest.fixture(scope="module")
def site(built):
    server = make_server(built[0], "127.0.0.1", 0, timeout=30)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url.rstrip("/")
    server.shutdown()
    server.server_close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def raw_get(url: str, accept: str) -> tuple[int, dict, bytes]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept": accept}), timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


# --- the plan page of a State Council notice ------------------------------------------------------

def test_notice_page_leads_with_its_number_issuer_and_dates_and_no_empty_block(site, browser):
    page = browser.new_page()
    page.goto(site + PLAN)
    facts = page.locator("dl.facts")
    assert facts.locator("dd.number").inner_text() == "国办发〔2018〕128号"
    assert facts.locator("dd.issuer").inner_text().startswith("国务院办公厅")
    assert facts.locator("dd.date-document").inner_text() == "2018-12-29"
    assert facts.locator("dd.date-publication").inner_text() == "2019-01-21"
    # the facts come before any section of the page
    assert page.evaluate("document.querySelector('dl.facts').compareDocumentPosition("
                         "document.querySelector('main h2')) & Node.DOCUMENT_POSITION_FOLLOWING") != 0
    main = page.inner_text("main")
    assert page.locator("#projects").count() == 0 and page.locator("#targets").count() == 0
    assert "0 重点项目" not in main and "总投资" not in main and "Projects (0)" not in main
    assert page.locator("#tasks").count() == 1
    page.close()


def test_notice_source_names_its_url_and_the_kept_copy_answers(site, built, browser):
    _, url = built
    page = browser.new_page()
    page.goto(site + PLAN)
    assert page.locator("dd.sources a.original").get_attribute("href") == url
    kept = page.locator("dd.sources a.kept")
    answer = page.request.get(site + kept.get_attribute("href"))
    assert answer.status == 200                       # the page server is gone: the store's copy answers
    assert answer.body() == PAGE.read_bytes()
    assert "sandbox" in answer.headers["content-security-policy"]   # its scripts never run on our origin
    page.close()


def test_a_task_location_names_the_url_and_leads_to_its_place_in_the_kept_copy(site, built, browser):
    """Task 30 (落实好现有资源综合利用增值税等税收优惠政策，促进固体废物综合利用。) is far down the page: its location opens the kept
    copy scrolled to the paragraph that prints it, marked."""
    _, url = built
    page = browser.new_page()
    page.goto(site + PLAN + "/task/30")
    assert page.locator("span.file").first.inner_text() == url              # not the kept file's name
    xpath = page.locator("code.xpath").first.inner_text()
    assert xpath.startswith("/html/body/")
    where = page.locator("a.source-line").first
    target = urllib.parse.urlsplit(where.get_attribute("href"))
    assert target.path == "/sources/gbf-2018-128" and urllib.parse.parse_qs(target.query)["at"] == [xpath]
    where.click()
    page.wait_for_function("window.greenplanSource && window.greenplanSource.found !== null")
    assert page.evaluate("greenplanSource.found") is True
    assert "落实好现有资源综合利用增值税" in page.evaluate("greenplanSource.text")
    assert page.evaluate("document.getElementById('kept').contentWindow.scrollY") > 0
    assert page.locator("a.original").get_attribute("href") == url
    page.close()


# --- tasks: roles and deadlines; tasks of several plans name their plan ---------------------------

def test_task_page_shows_the_role_beside_each_party(site, browser):
    page = browser.new_page()
    page.goto(site + PLAN + "/task/1")
    items = page.locator("ol.owners li")
    rows = [(li.locator("span.role").all_inner_texts(), li.locator("a span[lang=zh]").inner_text())
            for li in items.all()]
    assert rows[0] == (["牵头"], "生态环境部")
    assert [r for r, _ in rows[1:]] == [["参与"]] * 5
    assert page.locator("dd.deadline").inner_text().startswith("2019年6月底前")   # printed in the task
    assert page.locator("dd.plan").inner_text() == NOTICE_SHORT
    page.close()


def test_ministry_page_names_the_plan_of_each_task(site, browser):
    page = browser.new_page()
    page.goto(site + "/org/CN/ecology-environment")
    rows = page.locator("table.tasks tbody tr").all()
    assert rows
    plans = [r.locator("td").nth(0).inner_text() for r in rows]
    assert set(plans) == {NOTICE_SHORT}
    first = rows[0].locator("td")
    assert (first.nth(1).inner_text(), first.nth(3).inner_text()) == ("1", "牵头")
    page.close()


def test_a_body_with_tasks_of_two_plans_names_each_plan(site, built):
    """湛江市财政局 holds tasks of the bundled plan; the Guangzhou sample's 市财政局 is Guangzhou's: a topic page
    lists tasks of all three documents, each row with its plan."""
    status, _, body = raw_get(site + "/topic/solid-waste", "text/html")
    assert status == 200
    html = body.decode("utf-8")
    shown = set(re.findall(r'<tr><td><a href="(/plan/[^"/]+)"', html))
    assert {"/plan/gbf-2018-128", "/plan/zhanjiang-green-economy"} <= shown


# --- alias IRIs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_alias_iri_redirects_to_the_canonical_body(site, accept):
    status, headers, _ = raw_get(site + "/org/transport", accept)
    assert status in (301, 308)
    assert headers["Location"] == "/org/440800/transport"
    status, headers, _ = raw_get(site + "/resource?" + urllib.parse.urlencode(
        {"iri": "https://w3id.org/greenplan/org/transport"}), accept)
    assert (status, headers["Location"]) in ((301, "/org/440800/transport"), (308, "/org/440800/transport"))
    status, _, body = raw_get(site + "/org/440800/transport", accept)
    assert status == 200 and "交通运输局".encode() in body


# --- the network page ----------------------------------------------------------------------------

LABEL_BOXES = """() => [...document.querySelectorAll('#network a.node')].map(a => ({
    id: a.getAttribute('data-id'), hidden: a.classList.contains('hidden'),
    labels: [...a.querySelectorAll('text')].map(t => { const b = t.getBoundingClientRect();
        return [b.left, b.top, b.right, b.bottom]; }),
    disc: (b => [b.left, b.top, b.right, b.bottom])(a.querySelector('circle').getBoundingClientRect()) }))"""


def meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_network_page_is_drawn_at_first_paint_in_a_plain_screenshot(site, browser):
    from PIL import Image

    from greenplan.network.draw import PALETTE

    page = browser.new_page()
    page.goto(site + "/network")
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")   # no wait, no virtual time
    wanted = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in PALETTE[:4]}
    coloured = sum(n for n, rgb in shot.getcolors(shot.width * shot.height) if rgb in wanted)
    assert coloured > 5000, coloured                      # node discs in the community colours
    assert page.locator("header nav a[href='/queries']").count() == 1     # the site's navigation
    page.close()


def test_network_nodes_link_to_body_pages_and_labels_do_not_overlap(site, browser):
    page = browser.new_page()      # the default size: 1280 × 720
    page.goto(site + "/network")
    nodes = page.evaluate(LABEL_BOXES)
    assert nodes and all(len(n["labels"]) <= 1 for n in nodes)
    labels = [(n["id"], n["labels"][0]) for n in nodes if n["labels"]]
    assert len(labels) >= len(nodes) // 2, (len(labels), len(nodes))
    overlaps = [(a, b) for i, (a, x) in enumerate(labels) for b, y in labels[i + 1:] if meet(x, y)]
    assert overlaps == []
    on_nodes = [(a, n["id"]) for a, x in labels for n in nodes if n["id"] != a and meet(x, n["disc"])]
    assert on_nodes == []
    hrefs = page.eval_on_selector_all("#network a.node", "els => els.map(e => e.getAttribute('href'))")
    assert all(h.startswith("/org/") for h in hrefs)
    assert "/org/CN/ecology-environment" in hrefs
    page.locator('#network a.node[href="/org/CN/ecology-environment"] circle').click()
    page.wait_for_url("**/org/CN/ecology-environment")
    assert "生态环境部" in page.inner_text("h1")
    page.close()


def test_network_page_lets_the_reader_pick_a_plan_and_a_minimum_weight(site, built, browser):
    from greenplan.network.graph import build_network

    store, _ = built
    page = browser.new_page()
    page.goto(site + "/network")
    page.locator("#plan").select_option("gbf-2018-128")
    page.locator("#network-controls button[type=submit]").click()
    page.wait_for_url("**/network?plan=gbf-2018-128*")
    G = build_network(store, plan="gbf-2018-128")
    assert page.locator("#network a.node").count() == G.number_of_nodes()
    drawn = page.locator("#network").text_content()
    assert "生态环境部" in drawn and "发展和改革局" not in drawn    # a ministry of the notice, not a Zhanjiang bureau
    page.locator("#min-weight").fill("5")
    heavy = [(u, v) for u, v, d in G.edges(data=True) if d["weight"] >= 5]
    assert page.evaluate("greenplanNetwork.edgeCount()") == len(heavy)
    assert page.evaluate("greenplanNetwork.nodeCount()") == len({x for e in heavy for x in e})
    page.locator("#network-controls button[type=submit]").click()       # the same filter, drawn by the server
    page.wait_for_url("**min=5*")
    assert page.locator("#network line.edge:not(.hidden)").count() == len(heavy)
    page.close()


def test_cli_network_html_is_the_same_drawing_as_the_served_page(site, built, tmp_path):
    store, _ = built
    out = tmp_path / "network.html"
    done = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "network", "--store", str(store.directory),
                           "--format", "html", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    served = raw_get(site + "/network", "text/html")[2].decode("utf-8")
    drawing = lambda html: (re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', html),   # noqa: E731
                            re.findall(r'<text class="label" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)<', html))
    written = out.read_text(encoding="utf-8")
    assert drawing(written) == drawing(served) and drawing(served)[0]
    assert json.loads(re.search(r'id="network-data">(.*?)</script>', written, re.S)[1]) == \
        json.loads(re.search(r'id="network-data">(.*?)</script>', served, re.S)[1])


def test_tasks_in_a_query_answer_name_their_plan(site):
    """Task 1 of each of the three documents: the editor's answer says which plan each is of."""
    query = ("PREFIX gp: <https://w3id.org/greenplan/ontology#> "
             "SELECT ?t WHERE { GRAPH ?g { ?t a gp:Task ; gp:number 1 } } ORDER BY ?t")
    status, _, body = raw_get(site + "/editor?" + urllib.parse.urlencode({"query": query}), "text/html")
    assert status == 200
    shown = re.findall(r'<a href="(/plan/[^"]+/task/1)"><span lang="zh">([^<]+)</span>', body.decode("utf-8"))
    assert shown == [("/plan/gbf-2018-128/task/1", "任务 1 · " + NOTICE_SHORT),
                     ("/plan/guangzhou-sample/task/1", "任务 1 · 广州市关于推进教育和绿色发展的工作方案"),
                     ("/plan/zhanjiang-green-economy/task/1", "任务 1 · 湛江市关于加快建立健全绿色低碳循环发展经济体系的实施方案")]


def test_cli_network_html_takes_the_minimum_weight_and_refuses_filters_it_cannot_draw(built, tmp_path):
    from greenplan.network.graph import build_network

    store, _ = built
    out = tmp_path / "heavy.html"
    cli = [sys.executable, "-m", "greenplan.cli.main", "network", "--store", str(store.directory), "--format", "html"]
    done = subprocess.run(cli + ["--min-weight", "5", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    heavy = [e for e in build_network(store).edges(data=True) if e[2]["weight"] >= 5]
    assert out.read_text(encoding="utf-8").count('<line class="edge"') == len(heavy) > 0
    done = subprocess.run(cli + ["--topic", "hydrogen", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "topic menu" in done.stderr and "Traceback" not in done.stderr
