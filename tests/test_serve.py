"""`greenplan serve` in process, over real HTTP on 127.0.0.1: the SPARQL protocol and its limits,
linked data, downloads and the web UI.  Expected facts come from the document (annex 1 and 2)."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from greenplan.api import run_saved
from greenplan.query.results import parse, serialize
from greenplan.web.protocol import Refused, check_query, negotiate
from greenplan.web.server import make_server
from tests.test_graph import expected_bureaus

GP = "https://w3id.org/greenplan/ontology#"
BASE = "https://w3id.org/greenplan/"
TASK59 = BASE + "plan/zhanjiang-green-economy/task/59"
PREFIX = f"PREFIX gp: <{GP}>\n"
COUNT_TASKS = PREFIX + "SELECT (COUNT(?t) AS ?n) WHERE { GRAPH ?g { ?t a gp:Task } }"
TASK_59_TEXT = "依托湛江市能源和石化产业优势"   # annex 1, task 59, as printed


class Running:
    def __init__(self, server):
        self.server = server
        self.url = server.url
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def site(store):
    running = Running(make_server(store, "127.0.0.1", 0, timeout=30, max_results=1000))
    yield running
    running.close()


def fetch(url: str, accept: str | None = None, data: bytes | None = None, ctype: str | None = None,
          method: str | None = None):
    """(status, content type, body bytes) — errors are answers too."""
    req = urllib.request.Request(url, data=data, method=method)
    if accept:
        req.add_header("Accept", accept)
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def sparql_get(site, query: str, accept: str | None = None, **extra):
    qs = urllib.parse.urlencode({"query": query, **extra})
    return fetch(f"{site.url}sparql?{qs}", accept)


# --- pure protocol functions -------------------------------------------------------------

@pytest.mark.parametrize("accept, offers, expected", [
    (None, ["a/json", "a/xml"], "a/json"),
    ("", ["a/json", "a/xml"], "a/json"),
    ("*/*", ["a/json", "a/xml"], "a/json"),
    ("a/xml", ["a/json", "a/xml"], "a/xml"),
    ("a/xml;q=0.5, a/json;q=0.9", ["a/xml", "a/json"], "a/json"),
    ("text/*", ["a/json", "text/csv"], "text/csv"),
    ("image/png", ["a/json", "text/csv"], None),
    ("text/csv;q=0, */*;q=0.1", ["text/csv", "a/json"], "a/json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ["text/html", "text/turtle"], "text/html"),
])
def test_negotiate(accept, offers, expected):
    assert negotiate(accept, offers) == expected


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/>" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/> { }",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:x ?service }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
])
def test_service_lookalikes_are_not_refused(query):
    check_query(query)


@pytest.mark.parametrize("query, status", [
    ("SELECT * WHERE { service <http://example.org/sparql> { ?s ?p ?o } }", 400),
    ("SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }", 400),
    ("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }", 403),
    ("# a comment\nDELETE WHERE { ?s ?p ?o }", 403),
    ("DROP ALL", 403),
    # what looks like a string to a careless reader but is not one in SPARQL must not hide SERVICE
    ("SELECT * WHERE { ?s <http://e/\\u0041'> ?o . SERVICE <http://e/sparql> { ?s ?p ?o } ?s <http://e/'> ?o }", 400),
    ("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\\' ?o . SERVICE <http://e/sparql> { ?s ?p ?o } ?s ex:b\\' ?o }", 400),
    ("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\\#b ?o . SERVICE <http://e/sparql> { ?s ?p ?o } }", 400),
])
def test_refused_queries(query, status):
    with pytest.raises(Refused) as e:
        check_query(query)
    assert e.value.status == status


# --- the SPARQL protocol -------------------------------------------------------------------

def test_get_post_form_and_post_query_agree(site):
    # annex 1 numbers its key tasks 1 to 112
    answers = [
        sparql_get(site, COUNT_TASKS, "application/sparql-results+json"),
        fetch(site.url + "sparql", "application/sparql-results+json",
              urllib.parse.urlencode({"query": COUNT_TASKS}).encode(), "application/x-www-form-urlencoded"),
        fetch(site.url + "sparql", "application/sparql-results+json", COUNT_TASKS.encode(),
              "application/sparql-query"),
    ]
    for status, ctype, body in answers:
        assert status == 200 and ctype.startswith("application/sparql-results+json")
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "112"


def test_select_formats_by_accept(site):
    q = PREFIX + ("SELECT ?n ?text WHERE { GRAPH ?g { ?t a gp:Task ; gp:number ?n ; gp:text ?text } "
                  "FILTER(?n = 59) }")
    status, ctype, body = sparql_get(site, q, "application/sparql-results+xml")
    assert status == 200 and ctype.startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    literal = ET.fromstring(body).find(".//r:binding[@name='text']/r:literal", ns)
    assert literal.text.startswith(TASK_59_TEXT) and literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"

    status, ctype, body = sparql_get(site, q, "text/csv")
    assert ctype.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["n", "text"] and rows[1][0] == "59" and rows[1][1].startswith(TASK_59_TEXT)

    status, ctype, body = sparql_get(site, q, "text/tab-separated-values")
    lines = body.decode("utf-8").splitlines()
    assert ctype.startswith("text/tab-separated-values") and lines[0] == "?n\t?text"
    assert lines[1].startswith(f'59\t"{TASK_59_TEXT}') and lines[1].endswith('"@zh')

    status, ctype, body = sparql_get(site, q, "image/png")
    assert status == 406 and b"text/csv" in body
    # ?format= wins over Accept (the UI's download links)
    status, ctype, body = sparql_get(site, q, "text/csv", format="json")
    assert ctype.startswith("application/sparql-results+json")


def test_ask_and_construct(site):
    status, _, body = sparql_get(site, PREFIX + f"ASK {{ GRAPH ?g {{ <{TASK59}> a gp:Task }} }}")
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    construct = PREFIX + f"CONSTRUCT {{ <{TASK59}> gp:responsibleBody ?b }} WHERE {{ GRAPH ?g {{ <{TASK59}> gp:responsibleBody ?b }} }}"
    bodies = {BASE + "org/440800/" + s for s in ("development-reform", "science-technology", "industry-it", "transport")}
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                        ("application/ld+json", ox.RdfFormat.JSON_LD)):
        status, ctype, body = sparql_get(site, construct, accept)
        assert status == 200 and ctype.startswith(accept)
        assert {t.object.value for t in ox.parse(body, format=fmt)} == bodies


def test_service_description_without_query(site):
    status, ctype, body = fetch(site.url + "sparql", "text/turtle")
    assert status == 200 and ctype.startswith("text/turtle")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (site.url + "sparql", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", sd + "Service") in {
        (t.subject.value, t.predicate.value, t.object.value) for t in triples}
    names = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert BASE + "graph/plan/zhanjiang-green-economy" in names


def test_updates_are_refused(site):
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    for status, _, body in (
        fetch(site.url + "sparql", data=insert.encode(), ctype="application/sparql-update"),
        fetch(site.url + "sparql", data=urllib.parse.urlencode({"update": insert}).encode(),
              ctype="application/x-www-form-urlencoded"),
        sparql_get(site, insert),
    ):
        assert status == 403 and b"read-only" in body
    status, _, body = fetch(site.url + "sparql", data=b"x", method="PUT")
    assert status == 405
    status, _, body = sparql_get(site, "ASK { <http://example.org/a> ?p ?o }")
    assert json.loads(body)["boolean"] is False


def test_service_is_refused(site):
    status, _, body = sparql_get(site, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert status == 400 and b"SERVICE" in body
    status, _, body = sparql_get(site, 'SELECT ("SERVICE" AS ?word) WHERE { }')
    assert status == 200


def test_syntax_error_is_a_400_with_the_reason(site):
    status, ctype, body = sparql_get(site, "SELECT ?x WHERE { ?x ")
    assert status == 400 and ctype.startswith("text/plain") and body.startswith(b"Error 400")


def test_result_size_limit(site):
    status, _, body = sparql_get(site, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 400 and b"more than 1000" in body and b"--max-results" in body
    status, _, body = sparql_get(site, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", "text/turtle")
    assert status == 400 and b"more than 1000" in body
    status, _, body = sparql_get(site, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1000")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 1000


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_timeout_kills_the_worker_and_the_next_query_works(store):
    running = Running(make_server(store, "127.0.0.1", 0, timeout=1.5, max_results=1000))
    try:
        worker = running.server.worker
        pid = worker.pid
        assert pid and _alive(pid)
        slow = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?a { ?s1 ?p1 ?o1 } GRAPH ?b { ?s2 ?p2 ?o2 } "
                "GRAPH ?c { ?s3 ?p3 ?o3 } }")
        status, _, body = sparql_get(running, slow)
        assert status == 503 and b"time limit of 1.5 s" in body
        assert not _alive(pid)          # the process that ran the query is gone: its CPU is free
        status, _, body = sparql_get(running, COUNT_TASKS)
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "112"
        assert worker.pid != pid and _alive(worker.pid)
    finally:
        running.close()
    assert not _alive(pid)


def test_dataset_parameters(site):
    q = PREFIX + "SELECT (COUNT(?t) AS ?n) WHERE { ?t a gp:Task }"
    status, _, body = sparql_get(site, q)        # the default graph is empty (no union)
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"
    status, _, body = sparql_get(site, q, **{"default-graph-uri": BASE + "graph/plan/zhanjiang-green-economy"})
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "112"


# --- saved queries in the UI ---------------------------------------------------------------

def test_saved_query_in_the_ui_gives_run_saved_rows(site, store):
    expected = run_saved(store, "tasks")
    status, ctype, body = fetch(site.url + "queries/tasks.json")
    assert status == 200
    assert parse(body).rows == expected.rows
    assert json.loads(body) == json.loads(serialize(expected, "json"))

    status, ctype, body = fetch(site.url + "queries/tasks?run=1")
    html = body.decode("utf-8")
    assert status == 200 and ctype.startswith("text/html")
    table = html.split('class="results"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td>", table)
    assert [re.sub("<[^>]+>", "", r) for r in rows] == [str(n) for n in range(1, 113)]
    assert f">{expected_bureaus(59)}</span></td>" in html
    assert 'href="/queries/tasks.csv"' in html
    assert "GROUP_CONCAT" in html                         # the query text is shown

    status, ctype, body = fetch(site.url + "queries/projects.csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert ctype.startswith("text/csv") and rows[0]["name"] == "宝钢湛江钢铁零碳高等级薄钢板工厂项目"  # annex 2, project 1

    status, _, body = fetch(site.url + "queries/tasks?nosuch=1&run=1")
    assert status == 400 and b"nosuch" in body
    assert fetch(site.url + "queries/nosuch")[0] == 404


def test_saved_query_parameters_in_the_ui(site, store):
    params = {"plan": "zhanjiang-green-economy"}
    expected = run_saved(store, "tasks", params)
    status, _, body = fetch(site.url + "queries/tasks.json?" + urllib.parse.urlencode(params))
    assert status == 200, body
    assert parse(body).rows == expected.rows and len(expected.rows) == 112
    html = fetch(site.url + "queries/tasks?plan=zhanjiang-green-economy&run=1")[2].decode("utf-8")
    assert 'href="/queries/tasks.csv?plan=zhanjiang-green-economy"' in html
    assert 'name="plan" value="zhanjiang-green-economy"' in html
    status, _, body = fetch(site.url + "queries/tasks.json?plan=no-such-plan")
    import html as html_module

    message = html_module.unescape(body.decode("utf-8"))
    assert status == 400 and "unknown plan 'no-such-plan'; valid values" in message
    assert "zhanjiang-green-economy" in message


def test_queries_index_lists_every_saved_query_as_a_form(site):
    from greenplan.query.catalogue import catalogue

    html = fetch(site.url + "queries")[2].decode("utf-8")
    for q in catalogue():
        assert f'action="/queries/{q.name}"' in html
        for p in q.parameters:
            assert f'name="{p.name}"' in html


# --- linked data -----------------------------------------------------------------------------

def test_task_59_by_content_negotiation(site, source):
    path = site.url + "plan/zhanjiang-green-economy/task/59"
    status, ctype, body = fetch(path, "text/html,application/xhtml+xml,*/*;q=0.8")
    html = body.decode("utf-8")
    assert status == 200 and ctype.startswith("text/html")
    assert TASK_59_TEXT in html
    owners = re.findall(r'<li>(?:<span class="role"[^>]*>[^<]*</span> )*<a href="(/org/[^"]+)"><span lang="zh">([^<]+)</span>', html)
    assert "、".join(name for _, name in owners) == expected_bureaus(59)
    # the source lines shown cover the line where the document prints the task
    lines = source.read_text(encoding="utf-8").splitlines()
    printed = next(i for i, line in enumerate(lines, 1) if line.strip().startswith(TASK_59_TEXT))
    first, last = map(int, re.search(r"lines (\d+)–(\d+)", html).groups())
    assert first <= printed <= last

    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD),
                        ("application/n-triples", ox.RdfFormat.N_TRIPLES)):
        status, ctype, body = fetch(path, accept)
        assert status == 200 and ctype.startswith(accept)
        triples = list(ox.parse(body, format=fmt))
        about = {(t.predicate.value, t.object.value) for t in triples if t.subject.value == TASK59}
        assert (GP + "number", "59") in about                 # IRIs keep the base, not the server's host
        owners_iris = {o for p, o in about if p == GP + "responsibleBody"}
        assert owners_iris == {BASE + href[1:] for href, _ in owners}
        labels = {t.object.value for t in triples if t.subject.value in owners_iris}
        assert set(expected_bureaus(59).split("、")) <= labels   # labels of the objects come along
    status, ctype, body = fetch(path + "?format=nt", "text/html")
    assert ctype.startswith("application/n-triples")


def test_owner_page_lists_the_task_and_partners(site):
    html = fetch(site.url + "org/440800/science-technology", "text/html")[2].decode("utf-8")
    assert 'href="/plan/zhanjiang-green-economy/task/59"' in html
    assert 'href="/org/440800/transport"' in html      # a partner on task 59
    assert "湛江市科学技术局" in html


def test_project_pages_show_years_and_investment_of_annex_2(site):
    from decimal import Decimal

    from tests.handread import PROJECTS

    shown = 0
    for p in PROJECTS:
        html = fetch(f"{site.url}plan/zhanjiang-green-economy/project/{p['number']}", "text/html")[2].decode("utf-8")
        years = re.search(r"<dt>建设年限 Years</dt><dd>(.*?)</dd>", html).group(1)
        money = re.search(r"<dt>总投资 Investment</dt><dd>(.*?)</dd>", html).group(1)
        if p["start"] and p["end"]:
            assert years == f"{p['start']}–{p['end']}", p["number"]
            shown += 1
        if p["investment"]:
            value, unit = money.split(" ")
            assert Decimal(value) == Decimal(p["investment"]) and unit == "亿元", p["number"]
            shown += 1
    assert shown == 2 * len(PROJECTS) == 48      # annex 2 prints both for each of its 24 projects


def test_unknown_entity_is_404(site):
    assert fetch(site.url + "plan/zhanjiang-green-economy/task/999", "text/turtle")[0] == 404
    assert fetch(site.url + "plan/zhanjiang-green-economy/task/999", "text/html")[0] == 404
    assert fetch(site.url + "nowhere")[0] == 404
    assert fetch(site.url + "static/../api.py")[0] == 404
    assert fetch(site.url + "static/%2e%2e/api.py")[0] == 404
    assert fetch(site.url + "resource?iri=" + urllib.parse.quote("not an iri"))[0] == 400
    assert fetch(site.url + "resource?iri=" + urllib.parse.quote(GP + "Task"), "text/html")[0] == 200
    assert fetch(site.url + "", data=b"x", ctype="text/plain")[0] == 405


def test_home_page_summary(site):
    status, _, body = fetch(site.url, "text/html")
    html = body.decode("utf-8")
    assert status == 200
    assert "湛江市关于加快建立健全绿色低碳循环发展经济体系的实施方案" in html    # the title, printed on lines 1 and 3
    assert "<b>112</b>" in html and "<b>24</b>" in html                    # annex 1 and annex 2
    assert "单位地区生产总值能耗强度下降14%" in html                       # the first target
    from decimal import Decimal

    from tests.handread import PROJECTS

    total = sum(Decimal(p["investment"]) for p in PROJECTS if p["investment"])   # annex 2, read by hand
    assert Decimal(re.search(r"total investment <b>([\d.]+)</b>", html).group(1)) == total
    for href in ("/queries", "/editor", "/network", "/.well-known/void", "/downloads"):
        assert f'href="{href}"' in html


def test_downloads_keep_the_base_iri(site, store):
    from greenplan.export.rdf import serialize

    for ext, fmt in (("nq", "nquads"), ("ttl", "turtle")):
        status, _, body = fetch(f"{site.url}download/graph.{ext}")
        assert status == 200 and body == serialize(store.quads(), fmt, store.base)
    assert fetch(site.url + "download/graph.xlsx")[0] == 404


def test_void_description(site):
    status, ctype, body = fetch(site.url + ".well-known/void", "text/turtle")
    assert status == 200
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    assert ox.NamedNode(site.url + "sparql") in {t.object for t in triples
                                                 if t.predicate.value == "http://rdfs.org/ns/void#sparqlEndpoint"}


def test_editor_page_runs_a_query(site):
    qs = urllib.parse.urlencode({"query": COUNT_TASKS})
    html = fetch(f"{site.url}editor?{qs}")[2].decode("utf-8")
    assert "/static/codemirror/codemirror.js" in html and "<td><span>112</span></td>" in html
    status, _, body = fetch(site.url + "editor?" + urllib.parse.urlencode(
        {"query": "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"}))
    assert status == 400 and "SERVICE" in body.decode("utf-8")


def test_cli_serve_prints_its_url_and_stops_on_sigterm(store):
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "greenplan.cli.main", "serve", "--store", str(store.directory),
                             "--port", "0", "--timeout", "20", "--max-results", "50"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        assert f"{BASE}X is served at {url}X" in line
        status, _, body = fetch(url + "sparql?" + urllib.parse.urlencode({"query": COUNT_TASKS}))
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "112"
        status, _, body = fetch(url + "sparql?" + urllib.parse.urlencode(
            {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"}))
        assert status == 400 and b"more than 50" in body       # --max-results reaches the worker
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        proc.stdout.close()
        proc.stderr.close()


def test_cli_serve_refuses_a_bad_timeout(store, capsys):
    from greenplan.cli.main import main

    assert main(["serve", "--store", str(store.directory), "--timeout", "0"]) == 2
    assert "--timeout" in capsys.readouterr().err


def test_enumerated_parameter_offers_the_values_of_its_lookup(store):
    from greenplan.query.catalogue import saved_query
    from greenplan.web.pages import parameter_values, query_page

    topic = saved_query("topic-bureaus").parameter("topic")
    choices = parameter_values(store, topic)
    concepts = store.run("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT (COUNT(DISTINCT ?c) AS ?n) "
                         "WHERE { GRAPH ?g { ?c skos:inScheme ?s . ?s skos:hasTopConcept ?t } "
                         f"FILTER(STRSTARTS(STR(?c), '{store.base}topic/')) }}").dicts()[0]["n"]
    assert len(choices) == len({v for v, _ in choices}) == concepts         # one option per concept
    assert ("https://w3id.org/greenplan/topic/hydrogen", "hydrogen (氢能, hydrogen)") in choices
    html = query_page(store, saved_query("topic-bureaus"), {}, None, store.base)
    assert 'list="values-topic-bureaus-topic"' in html
    assert '<option value="https://w3id.org/greenplan/topic/hydrogen">hydrogen (氢能, hydrogen)</option>' in html
    plan = saved_query("topic-bureaus").parameter("plan")
    assert parameter_values(store, plan) == []                                # not enumerated


def test_network_view_is_linked_and_answers(site):
    status, ctype, body = fetch(site.url + "network", "text/html")
    html = body.decode("utf-8")
    assert status == 200 and ctype.startswith("text/html")
    assert 'src="/static/network/app.js"' in html                  # served once from /static, not inlined
    assert "湛江市发展和改革局" in html                               # the network's nodes are in the page
    assert 'href="/org/440800/development-reform"' in html          # … each a link to its body's page
    assert 'href="/queries"' in html                                # the site's navigation
    status, ctype, script = fetch(site.url + "static/network/app.js", "*/*")
    assert status == 200 and b"greenplanNetwork" in script
    for bad, status in (("network?min=x", 400), ("network?plan=nothing-here", 404)):
        assert fetch(site.url + bad, "text/html")[0] == status
    status, _, home = fetch(site.url, "text/html")
    assert 'href="/network"' in home.decode("utf-8")
