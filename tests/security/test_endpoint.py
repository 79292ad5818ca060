"""Security probes of ``greenplan serve`` (issue 15), each one a reproducer that must now hold.

The server runs in process on 127.0.0.1 with limits set small in each test, so that a limit is
just exceeded; the bounds on waiting are generous (they catch "waits forever", they are not speed
measurements: bench/ measures speed)."""
from __future__ import annotations

import socket
import threading
import time
import urllib.parse

import pytest

from greenplan.web.limits import Gate, Limits
from greenplan.web.protocol import Refused, check_query
from greenplan.web.worker import QueryError, QueryWorker
from tests.security.helpers import Listener, get, raw, serving, sparql_url, status_of

BASE = "https://w3id.org/greenplan/"


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def ssrf_query(port: int) -> str:
    """The reproducer of issue 15: the text check read the `<` of `?a<2` as the start of an IRI."""
    return ("SELECT ?s WHERE { BIND(1 AS ?a) FILTER(?a<2)SERVICE#>\n"
            f"<http://127.0.0.1:{port}/internal> {{ ?s ?p ?o }} }}")


# --- SSRF: no outbound request, by construction ----------------------------------------------

def test_the_text_check_sees_service_after_a_less_than(listener):
    with pytest.raises(Refused) as e:
        check_query(ssrf_query(listener.port))
    assert e.value.status == 400 and "SERVICE" in str(e.value)


def test_ssrf_by_get_post_and_editor_contacts_nobody(store, listener):
    q = ssrf_query(listener.port)
    with serving(store, timeout=20) as server:
        answers = [get(sparql_url(server, q)),
                   get(server.url + "sparql", data=urllib.parse.urlencode({"query": q}).encode(),
                       ctype="application/x-www-form-urlencoded"),
                   get(server.url + "sparql", data=q.encode(), ctype="application/sparql-query"),
                   get(server.url + "editor?" + urllib.parse.urlencode({"query": q}))]
    assert [a[0] for a in answers] == [400, 400, 400, 400]
    assert listener.contacts == 0


def test_the_worker_itself_cannot_reach_the_network(store, listener):
    """Past any text check: the worker process that runs SPARQL cannot open a socket."""
    worker = QueryWorker(store.directory, timeout=20, max_results=100)
    try:
        worker.start()
        for q in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}"):
            try:
                answer = worker.run({"sparql": q})
            except QueryError:
                continue
            # SILENT: the failed call is one empty solution (SPARQL 1.1 Federated Query 4), no data
            assert all(t is None for row in answer.rows for t in row)
        time.sleep(0.5)
        assert listener.contacts == 0
        assert worker.run({"sparql": "ASK { GRAPH ?g { ?s ?p ?o } }"}).boolean is True   # still answers
    finally:
        worker.close()


# --- file system: catalogue names only --------------------------------------------------------

def test_saved_queries_are_catalogue_names_only(store, tmp_path):
    evil = tmp_path / "x"
    evil.mkdir()
    (evil / "evil.rq").write_text("#+ title: evil\nSELECT * WHERE { GRAPH ?g { ?s ?p ?o } }\n")
    with serving(store) as server:
        for target in (f"queries/{evil}/evil.json", f"queries/{evil}/evil", f"queries/..%2F..%2F{evil}/evil.csv",
                       "queries/%2e%2e/serve.json", "static/../api.py", "static/%2e%2e/api.py",
                       "static/..%2Fapi.py", "download/..%2F..%2Fgraph.nq"):
            status, _, body = get(server.url + target)
            assert status == 404, (target, status)
            assert b"evil" not in body.replace(str(evil).encode(), b"") or status == 404
        assert get(server.url + "queries/tasks.json")[0] == 200      # the catalogue still answers


# --- slow clients -------------------------------------------------------------------------------

def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes the connection (recv gives b'' or an error) within `seconds`."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionError:
        return True
    except TimeoutError:
        return False


def test_slowloris_headers_are_cut_off(store):
    with serving(store, read_timeout=1.0, request_timeout=2.0) as server:
        s = socket.create_connection(server.server_address[:2])
        try:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            stop = time.monotonic() + 8
            closed = False
            while time.monotonic() < stop:       # one header byte every 0.5 s: each read is "in time"
                try:
                    s.sendall(b"X")
                except OSError:
                    closed = True
                    break
                if _closed_within(s, 0.5):
                    closed = True
                    break
            assert closed, "a client trickling header bytes kept its connection beyond --request-timeout"
        finally:
            s.close()


def test_slow_post_body_is_cut_off(store):
    with serving(store, read_timeout=1.0, request_timeout=2.0) as server:
        s = socket.create_connection(server.server_address[:2])
        try:
            s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                      b"Content-Length: 1000\r\n\r\nSELECT")
            assert _closed_within(s, 10), "a POST that sends 6 of its 1000 bytes held the connection"
        finally:
            s.close()


def test_body_over_the_limit_is_413(store):
    with serving(store, max_body=1000) as server:
        q = "ASK {}" + " " * 1000
        assert get(server.url + "sparql", data=q.encode(), ctype="application/sparql-query")[0] == 413
        assert get(server.url + "sparql", data=b"ASK {}", ctype="application/sparql-query")[0] == 200


def test_idle_kept_alive_connection_is_closed(store):
    with serving(store, read_timeout=1.0, request_timeout=2.0) as server:
        s = socket.create_connection(server.server_address[:2])
        try:
            assert _closed_within(s, 10)
        finally:
            s.close()


# --- connection bounds ------------------------------------------------------------------------

def test_connections_per_client_and_in_all_are_bounded(store):
    with serving(store, max_connections=3, max_per_client=2) as server:
        held = [socket.create_connection(server.server_address[:2]) for _ in range(2)]
        try:
            time.sleep(0.2)
            third = raw(server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status_of(third) == 429 and b"--max-per-client" in third
        finally:
            for s in held:
                s.close()
        time.sleep(0.3)
        assert status_of(raw(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n")) == 200


def test_total_bound():
    gate = Gate(total=2, per_client=5)
    assert gate.enter("a") is None and gate.enter("b") is None
    assert "--max-connections" in gate.enter("c")
    gate.leave("a")
    assert gate.enter("c") is None


def test_x_forwarded_for_only_from_a_trusted_proxy():
    limits = Limits(trusted_proxies=["10.0.0.1"])
    assert limits.client("192.0.2.7", "203.0.113.5") == "192.0.2.7"           # untrusted peer: header ignored
    assert limits.client("10.0.0.1", "203.0.113.5") == "203.0.113.5"          # the proxy says who
    assert limits.client("10.0.0.1", "1.2.3.4, 203.0.113.5") == "203.0.113.5" # the client's own claim skipped
    assert limits.client("10.0.0.1", None) == "10.0.0.1"


def test_behind_a_trusted_proxy_requests_count_per_forwarded_client(store):
    with serving(store, trusted_proxies=["127.0.0.1"], max_per_client=1, timeout=3) as server:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j } }"
        results = {}

        def ask(key, client, query):
            req = (f"GET /sparql?{urllib.parse.urlencode({'query': query})} HTTP/1.1\r\nHost: x\r\n"
                   f"X-Forwarded-For: {client}\r\n\r\n").encode()
            results[key] = status_of(raw(server, req))

        first = threading.Thread(target=ask, args=("first", "203.0.113.5", slow))
        first.start()
        time.sleep(0.5)
        ask("same", "203.0.113.5", "ASK {}")
        first.join()
        assert results["same"] == 429
        assert results["first"] == 503          # the runaway met its deadline
        time.sleep(0.3)                         # its slot is released just after its answer is written
        ask("later", "203.0.113.5", "ASK {}")
        assert results["later"] == 200


# --- time and size limits -----------------------------------------------------------------------

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j . ?k ?l ?m } }"


def test_the_deadline_counts_from_arrival(store):
    """Two runaways at once: the second gets its 503 at its own deadline, not after the first's."""
    with serving(store, timeout=3) as server:
        done = {}

        def run(key):
            t0 = time.monotonic()
            status = get(sparql_url(server, RUNAWAY))[0]
            done[key] = (status, time.monotonic() - t0)

        threads = [threading.Thread(target=run, args=(k,)) for k in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [done[k][0] for k in "ab"] == [503, 503]
        assert max(d for _, d in done.values()) < 3 * 1.7, done     # queued time included: not 2 × 3 s


def test_result_size_in_bytes(store):
    with serving(store, max_result_bytes=2000) as server:
        q = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 200"
        status, _, body = get(sparql_url(server, q))
        assert status == 400 and b"--max-result-bytes" in body
        status, _, body = get(sparql_url(server, "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"))
        assert status == 200


def test_one_huge_row_is_stopped_by_the_byte_limit(store):
    # each doubling of a string: 2^20 characters from a 1-character literal in a LIMIT 1 query
    expr = '"x"'
    for _ in range(20):
        expr = f"CONCAT({expr}, {expr})" if len(expr) < 200 else expr
    q = ('SELECT ?v WHERE { BIND("xxxxxxxxxxxxxxxx" AS ?a) BIND(CONCAT(?a,?a,?a,?a,?a,?a,?a,?a) AS ?b) '
         'BIND(CONCAT(?b,?b,?b,?b,?b,?b,?b,?b) AS ?c) BIND(CONCAT(?c,?c,?c,?c,?c,?c,?c,?c) AS ?v) }')
    with serving(store, max_result_bytes=3000) as server:
        status, _, body = get(sparql_url(server, q))
        assert status == 400 and b"bytes" in body


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { BIND(" + "(" * 400_000 + "1" + ")" * 400_000 + " AS ?x) }",
    "SELECT * WHERE { " + "{" * 400_000 + "}" * 400_000 + " }",
    "SELECT * WHERE " + "{ SELECT * WHERE " * 5000 + "{}" + "}" * 5000,
    "SELECT * WHERE { BIND(" + "+".join(["1"] * 100_000) + " AS ?x) }",
    "SELECT * WHERE { " + "a " * 400_000 + "}",
], ids=["400k-parens", "400k-braces", "5k-subqueries", "100k-plus", "400k-words"])
def test_deep_queries_are_400_and_the_worker_lives(store, query):
    with serving(store, timeout=30, max_body=4 << 20) as server:
        pid = server.worker.pid
        status, _, body = get(server.url + "sparql", data=query.encode(), ctype="application/sparql-query")
        assert status == 400, body[:300]
        assert server.worker.pid == pid
        assert get(sparql_url(server, "ASK { GRAPH ?g { ?s ?p ?o } }"))[0] == 200


# --- malformed requests: 4xx, never 500 ---------------------------------------------------------

@pytest.fixture(scope="module")
def published(store):
    with serving(store, public_url="https://data.example.org/greenplan/") as server:
        yield server


@pytest.mark.parametrize("line", [b"GET * HTTP/1.1", b"GET x HTTP/1.1", b"GET ?x=1 HTTP/1.1",
                                  b"GET /%00 HTTP/1.1", b"GET /plan/%00x HTTP/1.1", b"GET /static/%00 HTTP/1.1",
                                  b"GET /queries/%00.json HTTP/1.1", b"GET /a\x00b HTTP/1.1",
                                  b"GET //etc/passwd HTTP/1.1", b"GET /%ff%fe HTTP/1.1",
                                  b"GET /resource?iri=%00 HTTP/1.1", b"GET /plan/a%20b HTTP/1.1",
                                  b"BREW / HTTP/1.1", b"GET /\r\n"])
def test_malformed_targets_are_4xx(published, line):
    answer = raw(published, line + b"\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/"), answer[:100]
    assert 400 <= status_of(answer) < 500, answer[:200]


@pytest.mark.parametrize("host", [b"a b", b"a>b", b'a"b', b"a#b", b"<script>", b"", b"x" * 5000])
@pytest.mark.parametrize("target", [b"/sparql", b"/sparql?format=turtle", b"/.well-known/void", b"/"])
def test_host_header_is_never_published(published, host, target):
    answer = raw(published, b"GET " + target + b" HTTP/1.1\r\nHost: " + host + b"\r\nAccept: text/turtle\r\n\r\n")
    assert status_of(answer) < 500, answer[:300]
    body = answer.partition(b"\r\n\r\n")[2]
    if host:
        assert host not in body
    if target.startswith(b"/sparql") and status_of(answer) != 400:     # an invalid Host is 400 (issue 24)
        assert b"https://data.example.org/greenplan/sparql" in body


@pytest.mark.parametrize("request_bytes", [
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Length: 6\r\n\r\nASK {}",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: -5\r\n\r\n",
])
def test_ambiguous_bodies_are_refused_and_the_connection_closed(published, request_bytes):
    answer = raw(published, request_bytes + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5, until_close=True)
    assert status_of(answer) in (400, 411)     # a signed length is malformed (400), chunked is not taken (411)
    assert answer.count(b"HTTP/1.") == 1       # nothing smuggled behind it was answered


def test_a_body_on_get_is_not_read_as_the_next_request(published):
    smuggled = b"GET /queries/tasks.json HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = raw(published, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nContent-Length: "
                 + str(len(smuggled)).encode() + b"\r\n\r\n" + smuggled, timeout=5, until_close=True)
    assert status_of(answer) == 200 and answer.count(b"HTTP/1.") == 1


def test_the_header_block_is_bounded(published):
    headers = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"x" * 1000) for i in range(90))    # 90 KB, 90 lines
    answer = raw(published, b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert status_of(answer) == 431
    fewer = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"x" * 1000) for i in range(20))        # 20 KB: allowed
    assert status_of(raw(published, b"GET / HTTP/1.1\r\nHost: x\r\n" + fewer + b"\r\n")) == 200
