"""Issue 24, HTTP server: a memory bound per query in the worker, and a fair share between clients.

Memory is measured from the worker process itself (``VmRSS`` in ``/proc/PID/status``, sampled while
the query runs).  Clients are told apart by their source address: each binds its socket to its own
loopback address (127.0.0.2, 127.0.0.3, …) and connects to the server on 127.0.0.1."""
from __future__ import annotations

import http.client
import threading
import time
import urllib.parse

from tests.security.helpers import get, serving, sparql_url

MAX_MEMORY = 256 << 20
# The reproducer: 27 chained doublings of an 8-character string, 1 GiB at the end (2 GiB in all).
DOUBLINGS = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(27))
BOMB = f'SELECT (STRLEN(?a27) AS ?n) WHERE {{ BIND("xxxxxxxx" AS ?a0) {DOUBLINGS} }}'


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class _Peak:
    """The largest VmRSS of a process while it is watched; kills it past ``ceiling`` (the unbounded
    code would otherwise take the machine's memory before it is measured)."""

    def __init__(self, pid: int, ceiling: int):
        import os
        import signal

        self.pid, self.peak, self.exceeded = pid, 0, False
        self._stop = threading.Event()

        def watch():
            while not self._stop.wait(0.01):
                try:
                    rss = _rss(pid)
                except OSError:
                    return
                self.peak = max(self.peak, rss)
                if rss > ceiling:
                    self.exceeded = True
                    os.kill(pid, signal.SIGKILL)
                    return

        self._thread = threading.Thread(target=watch, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


DEFAULT_MEMORY = 1 << 30       # serve --max-memory's default (docs/commands/serve.md)


def test_a_string_doubling_query_is_stopped_at_the_memory_limit(store):
    with serving(store, timeout=30) as server:          # the default limits
        worker = getattr(server.worker, "workers", [server.worker])[0]
        base = _rss(worker.pid)
        peak = _Peak(worker.pid, base + 3 * DEFAULT_MEMORY)
        status, _, body = get(sparql_url(server, BOMB), accept="text/plain")
        peak.stop()
        assert not peak.exceeded, f"the worker grew past {3 * DEFAULT_MEMORY >> 20} MiB over its start"
        assert peak.peak - base < 1.5 * DEFAULT_MEMORY, (base, peak.peak)
        assert status == 400, body[:300]
        text = body.decode()
        assert len(text.strip().splitlines()) == 1 and "--max-memory" in text
        # the pool answers the next query (a fresh worker replaces the stopped one)
        status, _, body = get(sparql_url(server, "ASK {}"), accept="application/sparql-results+json")
        assert status == 200 and b"true" in body


def test_a_doubling_within_the_limit_is_answered(store):
    # 10 doublings: 8 × 2^10 = 8192 characters, far under the limit.
    small = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(10))
    q = f'SELECT (STRLEN(?a10) AS ?n) WHERE {{ BIND("xxxxxxxx" AS ?a0) {small} }}'
    with serving(store, max_memory=MAX_MEMORY) as server:
        status, _, body = get(sparql_url(server, q), accept="text/csv")
        assert status == 200 and body.decode().splitlines()[1] == "8192"


# --- fair share ----------------------------------------------------------------------------------

SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?a { ?s1 ?p1 ?o1 } GRAPH ?b { ?s2 ?p2 ?o2 } "
        "GRAPH ?c { ?s3 ?p3 ?o3 } }")      # a cartesian product: runs until the time limit
TIMEOUT = 2.0


def _ask_from(server, address: str, query: str) -> tuple[int, float]:
    """(status, seconds) of one GET /sparql sent from the loopback ``address``."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=60, source_address=(address, 0))
    started = time.monotonic()
    try:
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                     headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


def test_four_clients_looping_a_slow_query_cannot_starve_a_fifth(store):
    with serving(store, timeout=TIMEOUT) as server:
        stop = threading.Event()
        slow_times: list[float] = []

        statuses: set[int] = set()

        def loop(address: str) -> None:
            while not stop.is_set():
                status, seconds = _ask_from(server, address, SLOW)
                slow_times.append(seconds)
                statuses.add(status)

        loopers = [threading.Thread(target=loop, args=(f"127.0.0.{i}",), daemon=True) for i in range(2, 6)]
        for t in loopers:
            t.start()
        try:
            # Three rounds: every looper has run a slow query by then (a client's first query cannot be
            # known to be slow; once it has used its share, it waits behind the others).
            while len(slow_times) < 12:
                time.sleep(0.1)
            # three different texts: each goes to a worker (none is answered from the cache)
            answers = [_ask_from(server, "127.0.0.9", f"ASK {{}} # {i}") for i in range(3)]
        finally:
            stop.set()
            for t in loopers:
                t.join(60)
        # the loopers hear 503 (their query ran into --timeout) or 429 (they waited past it, over their share)
        assert statuses <= {503, 429}, statuses
        slowest = sorted(slow_times)[len(slow_times) // 2]
        for status, seconds in answers:
            # answered, and well before one slow query's time (before: queued behind them, 503 or 3-9 s)
            assert status == 200 and seconds < slowest / 2, (answers, slow_times)
