"""The same answers on every triplestore: each saved query of the catalogue, `greenplan network` and
`greenplan sparql` print byte-identical output locally and through `--endpoint` on real servers started on
127.0.0.1 — `oxigraph serve` (PyPI `oxigraph`) and OpenLink Virtuoso (Debian `virtuoso-opensource`).

The catalogue is read when the tests are collected, so a query added to queries/ is compared too, with its
defaults and with every value that its parameters with a lookup (queries/parameters/NAME.rq: topic, bureau,
place, chapter, side, plan, …) take on the bundled plan — an even spread of 80 where a lookup lists more (the
national places and bodies) — and on Oxigraph's server, whose engine is the local one, the first, middle and
last value. Each server
runs twice: with the bundled plan and with a store of two plans (bench/corpus.py). One instance of each is
started per session and stopped at its end.
"""
from __future__ import annotations

import contextlib

import pytest

from greenplan.api import run_saved
from greenplan.cli.main import main
from greenplan.export.push import push
from greenplan.query.catalogue import catalogue, choices, lookup_path
from greenplan.query.results import render
from greenplan.store.remote import EndpointStore
from tests.servers import oxigraph_server
from tests.test_speed_paths import corpus_store
from tests.virtuoso import virtuoso_server

SERVERS = ("oxigraph", "virtuoso")
# the bundled plan; two plans in one store; documents of other kinds (roles, collectives, deadlines)
DATASETS = ("plan", "plans", "documents")
DATA = __import__("pathlib").Path(__file__).parent / "data"
DOCUMENTS = (DATA / "guangzhou-sample.txt", DATA / "gov-cn" / "gbf-2018-128-zero-waste-cities.html",
             DATA / "gov-cn-2" / "gbf-2018-117-incentives-for-localities.html",
             DATA / "gov-cn-2" / "gf-2018-39-employment.html")
# Zhanjiang's plan and its corpus variants print no deadline: task-deadlines answers nothing there (checked),
# and is compared on the documents store, where it has rows
NO_ROWS_ON_ZHANJIANG = {"task-deadlines"}


@pytest.fixture(scope="session")
def plans_store(tmp_path_factory):
    """The bundled plan (corpus-000) and variant 1 of bench/corpus.py built into one store."""
    return corpus_store(tmp_path_factory.mktemp("two-plans"), 2)[1]


@pytest.fixture(scope="session")
def documents_store(tmp_path_factory):
    """The Guangzhou-style text and three State Council pages (notes with roles, collectives, a deadline)."""
    from greenplan.store.core import Store, build_store, locate

    loc = locate(str(tmp_path_factory.mktemp("documents") / "store"), [str(d) for d in DOCUMENTS])
    build_store(loc)
    return Store(loc.directory)


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory, store, plans_store, documents_store):
    """endpoint(server, dataset) → (query URL, local store): the server is started and filled on first use."""
    started: dict = {}
    with contextlib.ExitStack() as stack:
        def get(server: str, dataset: str):
            key = (server, dataset)
            if key not in started:
                local = {"plan": store, "plans": plans_store, "documents": documents_store}[dataset]
                where = tmp_path_factory.mktemp(f"{server}-{dataset}")
                if server == "oxigraph":
                    srv = stack.enter_context(oxigraph_server(where / "db"))
                else:
                    srv = stack.enter_context(virtuoso_server(where))
                push(local, srv.store)
                started[key] = (srv.query, local, srv)
            return started[key][:2]
        get.server = lambda server, dataset: (get(server, dataset), started[(server, dataset)][2])[1]
        yield get


def cli(capsys, args: list[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out if code == 0 else captured.err


MOST = 80     # values per parameter at most: the national lists hold hundreds of places and bodies


def spread(values: list, n: int) -> list:
    """``n`` values evenly spaced over ``values``, first and last included (all of them when there are fewer)."""
    if len(values) <= n:
        return values
    return [values[round(i * (len(values) - 1) / (n - 1))] for i in range(n)]


def parameter_cases(query, store, every: bool = True) -> list[dict[str, str]]:
    """The defaults, then the values of each parameter that has a lookup (queries/parameters/NAME.rq): every
    value, or an even spread of ``MOST`` when there are more — or, with ``every=False``, first, middle, last."""
    cases: list[dict[str, str]] = [{}]
    for p in query.parameters:
        if lookup_path(p.name) is not None:
            values = [{p.name: str(term.value)} for term, _label in choices(store, p.name)]
            cases += spread(values, MOST if every else 3)
    return cases


_LOCAL: dict = {}


def local_output(capsys, store, name: str, params: dict[str, str], fmt: str = "csv") -> str:
    key = (str(store.directory), name, tuple(sorted(params.items())), fmt)
    if key not in _LOCAL:
        code, out = cli(capsys, ["query", name, "--format", fmt, "--store", str(store.directory),
                                 *[f"--param={k}={v}" for k, v in params.items()]])
        assert code == 0, f"{name} {params}: {out}"
        _LOCAL[key] = out
    return _LOCAL[key]


# on the documents store, the queries whose defaults name nothing of Zhanjiang's (bureau=湛江市生态环境局 would not)
ON_DOCUMENTS = {"bureau-roles", "task-deadlines", "task-bodies", "bureau-workload", "bureau-pairs", "tasks", "plans"}
CASES = [pytest.param(q, server, dataset, id=f"{q.name}-{server}-{dataset}")
         for q in catalogue() for server in SERVERS for dataset in DATASETS
         if dataset != "documents" or q.name in ON_DOCUMENTS]


@pytest.mark.parametrize("query, server, dataset", CASES)
def test_saved_query_csv_is_byte_identical_through_the_endpoint(query, server, dataset, endpoint, capsys):
    """`greenplan query NAME --format csv` with the defaults; then each parameter value through the same
    library calls the command makes (run_saved, then the CSV writer), with one client for all values."""
    url, local = endpoint(server, dataset)
    here = local_output(capsys, local, query.name, {})
    code, there = cli(capsys, ["query", query.name, "--format", "csv", "--endpoint", url])
    assert code == 0, f"{query.name} on {server}: {there}"
    assert there == here, f"{query.name} on {server}: {first_difference(here, there)}"
    # Oxigraph's server runs the engine of the local store: a sample of the values is enough there
    cases = parameter_cases(query, local, every=server != "oxigraph")[1:] if dataset == "plan" else [
        {"plan": str(t.value)} for t, _ in choices(local, "plan") if any(p.name == "plan" for p in query.parameters)]
    remote = EndpointStore(url)
    differ, rows = [], here.count("\r\n") - 1
    for params in cases:
        here = render(run_saved(local, query.name, params), "csv")
        there = render(run_saved(remote, query.name, params), "csv")
        rows += here.count("\r\n") - 1
        if there != here:
            differ.append(f"{params}: {first_difference(here, there)}")
    assert not differ, f"{query.name} on {server} ({len(differ)} of {len(cases)} values differ):\n" + "\n".join(differ[:5])
    if dataset != "documents" and query.name in NO_ROWS_ON_ZHANJIANG:
        assert rows == 0, f"{query.name}: rows on Zhanjiang's plan; take it off NO_ROWS_ON_ZHANJIANG"
    else:
        assert rows > 0, f"{query.name}: no rows in any case, so the comparison shows nothing"


def first_difference(here: str, there: str) -> str:
    a, b = here.splitlines() + [""], there.splitlines() + [""]
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"line {i + 1}: local {a[i:i + 1]} ≠ remote {b[i:i + 1]}"


@pytest.mark.parametrize("server", SERVERS)
def test_export_through_the_endpoint_equals_the_local_one(server, endpoint):
    from greenplan.api import export

    url, local = endpoint(server, "plan")
    remote = EndpointStore(url)
    assert len(remote.quads()) == len(local.quads())        # greenplan's graphs only, not the store's own
    assert export(remote, "nquads") == export(local, "nquads")     # booleans and decimals in one form


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("fmt", ["json", "tsv", "table"])
def test_saved_query_defaults_in_every_format_through_the_endpoint(fmt, server, endpoint, capsys):
    url, local = endpoint(server, "plan")
    for query in catalogue():
        here = local_output(capsys, local, query.name, {}, fmt)
        code, there = cli(capsys, ["query", query.name, "--format", fmt, "--endpoint", url])
        assert (code, there) == (0, here), f"{query.name} --format {fmt} on {server}"


NETWORKS = [[], ["--topic", "hydrogen"], ["--topic", "energy", "--min-weight", "2"], ["--chapter", "2"],
            ["--view", "projects"], ["--view", "topics"]]


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("options", NETWORKS, ids=lambda o: " ".join(o) or "all")
def test_network_graphml_is_byte_identical_through_the_endpoint(options, server, endpoint, capsys):
    url, local = endpoint(server, "plan")
    code, here = cli(capsys, ["network", "--format", "graphml", "--store", str(local.directory), *options])
    assert code == 0, here
    assert here.count("<node ") >= 3 and "<edge " in here        # a network, not an empty file
    code, there = cli(capsys, ["network", "--format", "graphml", "--endpoint", url, *options])
    assert code == 0, there
    assert there == here


@pytest.mark.parametrize("server", SERVERS)
def test_network_metrics_of_two_plans_are_the_same_through_the_endpoint(server, endpoint, capsys):
    url, local = endpoint(server, "plans")
    for plan in ([], ["--plan", "corpus-001"]):
        code, here = cli(capsys, ["network", "--metrics", "--format", "csv", "--store", str(local.directory), *plan])
        assert code == 0, here
        code, there = cli(capsys, ["network", "--metrics", "--format", "csv", "--endpoint", url, *plan])
        assert (code, there) == (0, here)


SPARQL = {
    # the README's targets query: OPTIONAL values, lang-tagged literals, decimals
    "targets": """PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?indicator ?value ?unit ?statement WHERE { GRAPH ?g { ?t a gp:Target ; gp:indicator ?indicator ;
        gp:statementAsPrinted ?statement . OPTIONAL { ?t gp:targetValue ?value ; gp:unit ?unit } } } ORDER BY STR(?t)""",
    # (Virtuoso keeps system graphs of its own: count greenplan's)
    "count": """SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
        FILTER(STRSTARTS(STR(?g), "https://w3id.org/greenplan/graph/")) }""",
    "ask": "ASK { GRAPH ?g { ?s <https://w3id.org/greenplan/ontology#number> 112 } }",
    "construct": """PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX qudt: <http://qudt.org/schema/qudt/>
        CONSTRUCT { ?p gp:number ?n ; gp:investment ?a ; gp:leadBureau ?b . ?a qudt:numericValue ?i ; qudt:unit ?u .
                    ?b skos:prefLabel ?l }
        WHERE { GRAPH ?g { ?p a gp:Project ; gp:number ?n ; gp:investment ?a ; gp:leadBureau ?b .
                           ?a qudt:numericValue ?i ; qudt:unit ?u }
                GRAPH ?g2 { ?b skos:prefLabel ?l } }""",
}


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("name", sorted(SPARQL))
def test_sparql_prints_the_same_through_the_endpoint(name, server, endpoint, capsys):
    url, local = endpoint(server, "plan")
    for fmt in ("csv", "json"):
        code, here = cli(capsys, ["sparql", SPARQL[name], "--format", fmt, "--store", str(local.directory)])
        assert code == 0, here
        if name == "ask":                                      # annex 1 numbers a task 112
            assert here in ("true\r\n", '{"head":{},"boolean":true}\n'), here
        else:                                                  # rows (or triples) to compare
            assert len(here.splitlines()) > 1 or '"bindings":[{' in here, here
        code, there = cli(capsys, ["sparql", SPARQL[name], "--format", fmt, "--endpoint", url])
        assert (code, there) == (0, here), f"{name} --format {fmt} on {server}"


# --- push with credentials: Virtuoso's /sparql-graph-crud-auth answers with an HTTP digest challenge -----

GREENPLAN_GRAPHS = """SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
    FILTER(STRSTARTS(STR(?g), "https://w3id.org/greenplan/graph/")) }"""


def test_push_with_digest_credentials_to_virtuoso(endpoint, capsys, monkeypatch):
    from tests.virtuoso import PASSWORD, USER

    srv = endpoint.server("virtuoso", "plan")
    url, local = endpoint("virtuoso", "plan")
    remote = EndpointStore(url)
    topics = "https://w3id.org/greenplan/graph/topics"
    srv.isql(f"SPARQL CLEAR GRAPH <{topics}>;")                    # so the push must restore it
    in_topics = sum(1 for q in local.quads() if q.graph_name.value == topics)
    assert in_topics > 0
    assert remote.run(GREENPLAN_GRAPHS).column("n")[0] == len(local.quads()) - in_topics
    monkeypatch.setenv("GREENPLAN_PASSWORD", PASSWORD)
    code, out = cli(capsys, ["push", "--store", srv.store_auth, "--user", USER, "--local-store", str(local.directory)])
    assert code == 0, out
    graphs = len({q.graph_name for q in local.quads()})
    assert f"pushed {graphs} graphs, {len(local.quads())} triples" in out
    assert remote.run(GREENPLAN_GRAPHS).column("n")[0] == len(local.quads())


def test_push_to_virtuoso_with_a_wrong_password_or_none_changes_nothing(endpoint, capsys, monkeypatch):
    from tests.virtuoso import USER

    srv = endpoint.server("virtuoso", "plan")
    url, local = endpoint("virtuoso", "plan")
    monkeypatch.setenv("GREENPLAN_PASSWORD", "not-the-password")
    for extra in (["--user", USER], []):
        code, err = cli(capsys, ["push", "--store", srv.store_auth, "--local-store", str(local.directory), *extra])
        assert code == 2 and "Traceback" not in err
        assert "HTTP 401" in err and "Replaced before the failure: none" in err
    assert EndpointStore(url).run(GREENPLAN_GRAPHS).column("n")[0] == len(local.quads())


# --- Apache Jena ARQ (Fuseki's engine) on the exported TriG --------------------------------------------

@pytest.mark.parametrize("dataset", ["plan", "documents"])
def test_every_saved_query_gives_the_same_csv_on_jena_arq(dataset, request, tmp_path):
    """All saved queries with their defaults and a sample of values of their looked-up parameters (first, middle,
    last: ARQ's mistakes seen so far come from the query's shape, not its values), run by ARQ in one
    JVM on `greenplan export --format trig`; ARQ's JSON answers go through the same client steps as an
    endpoint's (canonical values, list columns ordered and joined) and must print the local CSV."""
    import subprocess

    from greenplan.api import export, saved_query
    from greenplan.query.results import parse
    from greenplan.query.sparqltext import substitute
    from tests import jena
    from tests.conftest import require_system

    require_system("Apache Jena ARQ (java, Debian libapache-jena-java)", jena.available(),
                   "apt-get install default-jre-headless libapache-jena-java")
    store = request.getfixturevalue("store" if dataset == "plan" else "documents_store")
    data = tmp_path / "graph.trig"
    data.write_bytes(export(store, "trig"))
    jobs = []
    for query in catalogue():
        if dataset == "documents" and query.name not in ON_DOCUMENTS:
            continue
        for params in parameter_cases(query, store, every=False):   # ARQ's optimizer errs by query shape
            q = saved_query(query.name)
            i = len(jobs)
            (tmp_path / f"{i}.rq").write_text(substitute(q.text, q.bindings(params, store)), encoding="utf-8")
            jobs.append((q, params, tmp_path / f"{i}.rq", tmp_path / f"{i}.json"))
    args = [str(a) for _, _, rq, out in jobs for a in (rq, out)]
    run = subprocess.run(["java", "-cp", jena.classpath(tmp_path), str(jena.RUNNER), str(data), *args],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    differ = []
    for q, params, _, out in jobs:
        answer = out.read_text(encoding="utf-8")
        assert not answer.startswith("ERROR"), f"{q.name} {params}: {answer}"
        here = render(run_saved(store, q.name, params), "csv")
        there = render(q.finish(parse(answer)), "csv")
        if there != here:
            differ.append(f"{q.name} {params}: {first_difference(here, there)}")
    assert len(jobs) > (len(catalogue()) if dataset == "plan" else len(ON_DOCUMENTS))
    assert not differ, f"{len(differ)} of {len(jobs)} answers differ on Jena ARQ:\n" + "\n".join(differ[:8])


# --- the rules of queries/PORTABILITY.md that a reader can check without a server ----------------------

@pytest.mark.parametrize("query", catalogue(), ids=lambda q: q.name)
def test_saved_query_follows_the_portability_rules(query):
    import re

    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    code = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', body)          # string contents out of the way
    separators = re.findall(r'separator\s*=\s*("(?:[^"\\]|\\.)*")', body)
    assert all(s == '"\\n"' for s in separators), f"{query.name}: GROUP_CONCAT separators {separators}; use \"\\n\""
    if "GROUP_CONCAT" in code.upper():
        assert query.lists, f"{query.name}: a GROUP_CONCAT list needs a `#+ lists:` header (its order is undefined)"
    assert not re.search(r"[\w>)]\*(?=\s*[?$<\w(])", code), f"{query.name}: a zero-length path (*)"
    assert not re.search(r"[\w>)]\?(?=\s*[?$<\w(])", code), f"{query.name}: a zero-length path (?)"
    assert not re.search(r"\blang\s*\([^)]*\)\s*=", code), f"{query.name}: lang(…) = …; use langMatches"
    for column in query.lists:
        assert re.search(rf"AS\s+\?{column}\b", code), f"{query.name}: #+ lists names {column}, which it never binds"
