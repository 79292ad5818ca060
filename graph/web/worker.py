"""The query worker: SPARQL runs in a separate process that the server can end, and that cannot
reach the network or the file system.

An Oxigraph query cannot be interrupted from another thread, so a query past its time limit
would keep a core busy.  The worker process loads the store once from the store directory
(its own in-memory copy; the directory is only read) and answers jobs over a pipe.  When a
job outlives its deadline, :class:`QueryWorker` kills the process (freeing the CPU at once)
and starts a fresh one for the next job.

**No outbound request, by construction.**  Oxigraph evaluates ``SERVICE`` by fetching the URL over
HTTP, and pyoxigraph 0.5 has no option to turn that off (``Store.query`` takes no service handler).
So once the store is loaded and every module it needs is imported, the worker lowers its own
open-file limit (``RLIMIT_NOFILE``, soft and hard) to 0: the kernel then refuses every new file
descriptor, so the process can create no socket (no connection, no DNS lookup) and open no file,
while the pipe it already holds keeps working.  A lowered hard limit cannot be raised again by
an unprivileged process, and nothing a SPARQL text can express calls ``setrlimit``.  The worker
checks on start that ``socket()`` fails and refuses to serve otherwise.  The text check of
:func:`greenplan.web.protocol.check_query` is only a friendly early message.

**Deep queries.**  Oxigraph's parser and evaluator recurse; on the default 8 MiB stack about
10,000 nested brackets, or a chain of 10,000 ``+`` or ``UNION``, overflow it and end the process.
Jobs therefore run on a thread with a 256 MiB stack (address space, committed only as used),
which holds 100,000 nested brackets and chains of 20,000, and the server refuses queries beyond
:data:`~greenplan.web.protocol.MAX_OPENERS` brackets or :data:`~greenplan.web.protocol.MAX_CHAIN`
chained operators before they reach the engine.

**Memory.**  Once sealed, a worker also lowers its address-space limit (``RLIMIT_AS``) to what it
holds then, plus its job thread's stack, plus ``max_memory`` (``serve --max-memory``, default 1 GiB):
a query that needs more (26 chained ``BIND(CONCAT(?a, ?a) AS ?b)`` double a string to gigabytes)
makes an allocation fail, the engine aborts, and the client gets one line (400) naming the limit.
A lowered hard limit cannot be raised again.

**Fair share.**  :class:`WorkerPool` runs ``serve --workers`` processes (default 2).  A client (the
peer address, or behind a trusted proxy its forwarded address) whose queries used more than
:data:`HEAVY_SECONDS` of worker time recently (usage decays by half every :data:`HALF_LIFE`
seconds) is *heavy*: heavy clients share all workers but one, so the last free worker always
answers a light client at once; among waiting requests the client with the least recent usage goes
first.  Four clients looping a slow query thus cannot make a fifth client's ``ASK {}`` wait.

A job is a dict: ``{"sparql": text}`` or ``{"saved": name, "params": {...}}``, optionally with
``default_graphs`` / ``named_graphs`` (SPARQL protocol dataset IRIs).  With ``"accept"`` /
``"format"`` keys the worker also serialises the answer and returns ``(media type, bytes)``;
without them, a :class:`~greenplan.query.results.Result` (SELECT/ASK) or a list of triples
(CONSTRUCT/DESCRIBE).  Answers hold at most ``max_results`` rows or triples and at most
``max_bytes`` bytes, counted while the engine streams them and checked again on the serialised
body.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path
from typing import Any

STACK_BYTES = 256 << 20


class QueryTimeout(RuntimeError):
    pass


class OverShare(QueryTimeout):
    """A heavy client's request waited past its deadline for a worker (HTTP 429)."""


class ResultLimit(RuntimeError):
    pass


class QueryError(ValueError):
    """The query or its parameters are wrong (syntax, unknown saved query, bad parameter value)."""


class NotAcceptable(ValueError):
    """No format the client accepts fits the answer (HTTP 406)."""


def _limit_message(what: str, limit: int, option: str) -> str:
    return (f"the answer has more than {limit} {what}, the server's limit ({option}); "
            "add LIMIT to the query or narrow it")


def answer_job(store, job: dict, max_results: int, max_bytes: int | None = None):
    """The answer to a job: objects, or ``(media type, body)`` when the job names a format."""
    import pyoxigraph as ox

    from greenplan.query.catalogue import saved_query
    from greenplan.query.results import Result
    from greenplan.query.sparqltext import query_form

    q = None
    bindings: dict
    if "saved" in job:
        q = job.get("query") or saved_query(job["saved"])   # the server passes its parsed catalogue entry
    if "bound_text" in job:      # a saved query with its parameters already substituted (the server caches it)
        text, bindings = job["bound_text"], {}
    elif q is not None:
        text, bindings = q.text, q.bindings(job.get("params") or {}, store)   # as greenplan.api.run_saved
    else:
        text, bindings = job["sparql"], {}
    kwargs: dict[str, list[ox.NamedNode]] = {}
    if job.get("default_graphs"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    if job.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    if kwargs:   # a protocol dataset (default-graph-uri / named-graph-uri): plain queries only
        answer = store.ox.query(text, **kwargs)
    elif "sparql" in job and query_form(text) == "DESCRIBE":
        # The default graph is empty by design (every statement is in its plan's graph); DESCRIBE
        # has no pattern to name a graph with, so it describes from the union of the graphs.
        answer = store.ox.query(text, use_default_graph_as_union=True)
    else:        # the same call as greenplan.api.run_saved, so saved queries give the same rows
        answer = store.query(text, bindings)
    size, byte_limit = 0, max_bytes or float("inf")
    result: Result | list[ox.Triple]
    if isinstance(answer, ox.QueryBoolean):
        result = Result([], [], bool(answer))
    elif isinstance(answer, ox.QueryTriples):
        triples: list[ox.Triple] = []
        for t in answer:
            if len(triples) == max_results:
                raise ResultLimit(_limit_message("triples", max_results, "--max-results"))
            size += len(str(t))
            if size > byte_limit:
                raise ResultLimit(_limit_message("bytes", max_bytes or 0, "--max-result-bytes"))
            triples.append(t)
        result = triples
    else:
        variables = [v.value for v in answer.variables]
        rows: list[list] = []
        for s in answer:
            if len(rows) == max_results:
                raise ResultLimit(_limit_message("results", max_results, "--max-results"))
            row = [s[v] for v in variables]
            size += sum(len(t.value) + 8 for t in row if t is not None)
            if size > byte_limit:
                raise ResultLimit(_limit_message("bytes", max_bytes or 0, "--max-result-bytes"))
            rows.append(row)
        result = Result(variables, rows)
        if q is not None:
            result = q.finish(result)   # list columns ordered and joined, as run_saved does
    if "accept" not in job and "format" not in job:
        return result
    return render(result, job.get("accept"), job.get("format"), job.get("base"), max_bytes)


def render(result, accept: str | None, fmt: str | None, base: str | None, max_bytes: int | None):
    """``(media type, body)`` of an answer in the format the client asked for."""
    from greenplan.query.results import serialize
    from greenplan.web import protocol

    if isinstance(result, list):
        name = protocol.choose(accept, fmt, protocol.GRAPH_TYPES)
        if name is None:
            raise NotAcceptable("CONSTRUCT/DESCRIBE answers are available as text/turtle, application/rdf+xml, "
                                "application/ld+json or application/n-triples (format= turtle, n3, rdf, xml, "
                                "json-ld, nt)")
        body = protocol.triples_body(result, name, base)
    else:
        name = protocol.choose(accept, fmt, protocol.RESULT_TYPES)
        if name is None:
            raise NotAcceptable("SELECT/ASK answers are available as application/sparql-results+json, "
                                "application/sparql-results+xml, text/csv or text/tab-separated-values "
                                "(format= json, xml, csv, tsv)")
        body = serialize(result, name)
    if max_bytes is not None and len(body) > max_bytes:
        raise ResultLimit(_limit_message("bytes", max_bytes, "--max-result-bytes"))
    return name, body


def _exit_with_parent(parent: int) -> None:
    """End the worker when the server is gone (even killed mid-query: Oxigraph releases the GIL)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def seal() -> None:
    """Forbid every new file descriptor in this process: no socket, no file, from now on."""
    import resource
    import socket

    resource.setrlimit(resource.RLIMIT_NOFILE, (0, 0))
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except OSError:
        return
    raise RuntimeError("the query worker could not give up network access (RLIMIT_NOFILE had no effect)")


def _warm_up(store) -> None:
    """Import and run once everything a job uses, while files can still be opened."""
    from greenplan.query.results import RESULTS_FORMATS, Result, serialize
    from greenplan.web import protocol

    answer_job(store, {"sparql": "ASK {}"}, 1)
    for fmt in RESULTS_FORMATS:
        serialize(Result(["x"], [[None]]), fmt)
    import pyoxigraph as ox

    t = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o"))
    for fmt in protocol.RDF_FORMATS:
        protocol.triples_body([t], fmt, store.base)


def address_space() -> int:
    """This process's virtual memory size in bytes (``VmSize``), read before :func:`seal`."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def bound_memory(max_memory: int) -> None:
    """Cap this process's address space at what it holds now, the job thread's stack and ``max_memory``."""
    import resource

    limit = address_space() + STACK_BYTES + (64 << 20) + max_memory   # 64 MiB: the job thread's own arenas
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def serve_jobs(directory: str, conn, max_results: int, max_bytes: int | None = None,
               max_memory: int | None = None) -> None:
    """Worker process main: load the store, give up file and network access, answer jobs on a big stack."""
    from greenplan.store.core import Store

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    store = Store(Path(directory), in_memory=True)   # an on-disk index opens files lazily: not after seal()
    _warm_up(store)
    threading.stack_size(STACK_BYTES)
    if max_memory:
        bound_memory(max_memory)
    seal()
    loop = threading.Thread(target=_job_loop, args=(store, conn, max_results, max_bytes), name="jobs")
    loop.start()
    loop.join()


def _job_loop(store, conn, max_results: int, max_bytes: int | None) -> None:
    from greenplan.query.catalogue import ParameterError

    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", answer_job(store, job, max_results, max_bytes)))
        except ResultLimit as e:
            conn.send(("limit", str(e)))
        except NotAcceptable as e:
            conn.send(("406", str(e)))
        except (SyntaxError, ParameterError, ValueError) as e:
            conn.send(("error", str(e)))
        except MemoryError:
            conn.send(("memory", ""))
        except OSError as e:   # e.g. SERVICE: no socket can be opened here
            conn.send(("error", f"the query needs a resource this endpoint does not give access to ({e})"))
        except Exception as e:  # the engine's own errors (e.g. evaluation errors) go back to the client
            conn.send(("error", f"{type(e).__name__}: {e}"))


class QueryWorker:
    """One worker process, used by one request at a time; killed and restarted on timeout."""

    def __init__(self, directory: Path, timeout: float, max_results: int, startup_timeout: float = 120.0,
                 max_bytes: int | None = None, max_memory: int | None = None):
        self.directory = Path(directory)
        self.timeout = timeout
        self.max_results = max_results
        self.max_bytes = max_bytes
        self.max_memory = max_memory
        self.startup_timeout = startup_timeout
        self._ctx = multiprocessing.get_context("spawn")   # no fork of a threaded server
        self._lock = threading.Lock()
        self._process: Any = None       # the worker process and our end of its pipe, while one runs
        self._conn: Any = None
        self._closed = False      # once closed, never started again (a restart may be under way aside)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def start(self) -> None:
        with self._lock:
            self._ensure()

    def _ensure(self) -> None:
        if self._closed:
            raise RuntimeError("the query worker has been closed (the server is stopping)")
        if self._process is not None and self._process.is_alive():
            return
        self._stop()
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=serve_jobs, args=(str(self.directory), child, self.max_results,
                                                          self.max_bytes, self.max_memory),
                                 name="greenplan-query-worker", daemon=True)
        proc.start()
        child.close()
        self._process, self._conn = proc, parent
        if not parent.poll(self.startup_timeout):
            self._stop()
            raise RuntimeError(f"the query worker did not start within {self.startup_timeout:.0f} s "
                               f"(store {self.directory})")
        try:
            parent.recv()
        except EOFError:
            self._stop()
            raise RuntimeError(f"the query worker could not load the store {self.directory}; "
                               f"run `greenplan build --store {self.directory}`") from None

    def _stop(self) -> None:
        proc, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(10)

    def _late(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran longer than the server's time limit of {self.timeout:g} s "
                            "(--timeout, counted from the request's arrival) and was stopped; simplify it "
                            "or add LIMIT")

    def run(self, job: dict, deadline: float | None = None):
        """The answer to a job; raises QueryTimeout, ResultLimit, NotAcceptable or QueryError.

        ``deadline`` (a ``time.monotonic()`` value) bounds the whole wait, the time queued behind
        other requests included; without it the job gets ``timeout`` seconds from now.
        """
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise QueryTimeout(f"the server was busy with other queries until this request's time limit of "
                               f"{self.timeout:g} s (--timeout, counted from its arrival); try again")
        try:
            self._ensure()
            try:
                self._conn.send(job)
                ready = self._conn.poll(max(0.0, deadline - time.monotonic()))
            except (OSError, EOFError):
                self._stop()
                raise RuntimeError("the query worker ended unexpectedly; the next query starts a new one") from None
            if not ready:
                self._stop()   # kill: the engine stops using the CPU now
                raise self._late()
            try:
                status, value = self._conn.recv()
            except EOFError:
                self._stop()
                raise QueryError(self._stopped()) from None
        finally:
            self._lock.release()
        if status == "ok":
            return value
        if status == "memory":
            self.close()     # a MemoryError may leave the engine's state half-built: start afresh
            raise QueryError(self._stopped())
        if status == "limit":
            raise ResultLimit(value)
        if status == "406":
            raise NotAcceptable(value)
        raise QueryError(value)

    def _stopped(self) -> str:
        limit = f"{self.max_memory / (1 << 20):g} MiB (--max-memory)" if self.max_memory else "its memory"
        return (f"the query engine stopped on this query: it needed more memory than the limit of {limit} or was "
                "too deeply nested for this endpoint; it was not answered")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            self._stop()


HEAVY_SECONDS = 1.0      # recent worker time that makes a client heavy
HALF_LIFE = 30.0         # seconds in which a client's recorded usage halves


class WorkerPool:
    """``size`` workers shared fairly between clients (see the module doc, "Fair share")."""

    def __init__(self, size: int, make_worker):
        self.workers = [make_worker() for _ in range(size)]
        self._free = list(self.workers)
        self._cond = threading.Condition()
        self._usage: dict[str, tuple[float, float]] = {}     # client → (seconds, when recorded)
        self._waiting: list[tuple[float, int, str]] = []      # (usage, ticket, client)
        self._running: dict[str, list[float]] = {}            # client → start times of its running queries
        self._ticket = 0

    @property
    def pid(self) -> int | None:
        return self.workers[0].pid

    def start(self) -> None:
        for w in self.workers:
            w.start()

    def close(self) -> None:
        for w in self.workers:
            w.close()

    def _recorded(self, client: str, now: float) -> float:
        seconds, when = self._usage.get(client, (0.0, now))
        return seconds * 0.5 ** ((now - when) / HALF_LIFE)

    def usage(self, client: str, now: float | None = None) -> float:
        """The client's recent worker time: recorded (decaying) plus what its running queries have used."""
        now = time.monotonic() if now is None else now
        return self._recorded(client, now) + sum(now - t for t in self._running.get(client, ()))

    def _record(self, client: str, seconds: float) -> None:
        now = time.monotonic()
        self._usage[client] = (self._recorded(client, now) + seconds, now)
        if len(self._usage) > 4096:     # forget the clients whose usage has decayed away
            self._usage = {c: v for c, v in self._usage.items() if self._recorded(c, now) > 0.01}

    def _may_take(self, client: str, ticket: int) -> bool:
        """Whether the request ``ticket`` of ``client`` takes a worker now."""
        if not self._free:
            return False
        reserve = len(self._free) == 1 and len(self.workers) > 1     # the last free worker: light clients only
        now = time.monotonic()

        def allowed(c: str) -> bool:
            return not (reserve and self.usage(c, now) > HEAVY_SECONDS)

        if not allowed(client):
            return False
        best = min((w for w in self._waiting if allowed(w[2])), key=lambda w: (self.usage(w[2], now), w[1]))
        return best[1] == ticket

    def run(self, job: dict, deadline: float | None = None, client: str = ""):
        """As :meth:`QueryWorker.run`, on a worker this client may take now or as soon as it is its turn."""
        worker = self.workers[0]
        if deadline is None:
            deadline = time.monotonic() + worker.timeout
        with self._cond:
            self._ticket += 1
            entry = (self.usage(client), self._ticket, client)
            self._waiting.append(entry)
            try:
                while not self._may_take(client, entry[1]):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        if self.usage(client) > HEAVY_SECONDS:
                            raise OverShare(f"your queries used {self.usage(client):.0f} s of the query workers' "
                                            "time recently, more than your share while others wait; this one "
                                            f"waited its turn for {worker.timeout:g} s (--timeout); try again later")
                        raise QueryTimeout(f"the server was busy with other queries until this request's time "
                                           f"limit of {worker.timeout:g} s (--timeout, counted from its arrival); "
                                           "try again")
                    self._cond.wait(min(left, 1.0))
            finally:
                self._waiting.remove(entry)
                self._cond.notify_all()
            worker = self._free.pop(0)
            started = time.monotonic()
            self._running.setdefault(client, []).append(started)
        try:
            return worker.run(job, deadline)
        finally:
            with self._cond:
                starts = self._running[client]
                starts.remove(started)
                if not starts:
                    del self._running[client]
                self._record(client, time.monotonic() - started)
            if worker.alive:
                self._release(worker)
            else:      # stopped (time or memory limit): started again aside, so that no request waits for it
                threading.Thread(target=self._restart, args=(worker,), daemon=True).start()

    def _restart(self, worker: QueryWorker) -> None:
        try:
            worker.start()
        except RuntimeError:
            pass        # the next job on it says why (QueryWorker.run starts it again)
        self._release(worker)

    def _release(self, worker: QueryWorker) -> None:
        with self._cond:
            self._free.append(worker)
            self._free.sort(key=self.workers.index)
            self._cond.notify_all()
