"""The query worker: SPARQL runs in a separate process that the server can end.

An Oxigraph query cannot be interrupted from another thread, so a query past its time limit
would keep a core busy.  The worker process loads the store once from the store directory
(its own in-memory copy; the directory is only read) and answers jobs over a pipe.  When a
job outlives the time limit, :class:`QueryWorker` kills the process (freeing the CPU at once)
and starts a fresh one for the next job.

A job is a dict: ``{"sparql": text}`` or ``{"saved": name, "params": {...}}``, optionally with
``default_graphs`` / ``named_graphs`` (SPARQL protocol dataset IRIs).  The answer is a
:class:`~greenplan.results.Result` (SELECT/ASK) or a list of triples (CONSTRUCT/DESCRIBE),
at most ``max_results`` rows or triples.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path


class QueryTimeout(RuntimeError):
    pass


class ResultLimit(RuntimeError):
    pass


class QueryError(ValueError):
    """The query or its parameters are wrong (syntax, unknown saved query, bad parameter value)."""


def answer_job(store, job: dict, max_results: int):
    import pyoxigraph as ox

    from greenplan.catalogue import saved_query
    from greenplan.results import Result

    q = None
    if "saved" in job:
        q = saved_query(job["saved"])
        text, bindings = q.text, q.bindings(job.get("params") or {}, store)   # as greenplan.api.run_saved
    else:
        text, bindings = job["sparql"], {}
    kwargs = {}
    if job.get("default_graphs"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    if job.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    if kwargs:   # a protocol dataset (default-graph-uri / named-graph-uri): plain queries only
        answer = store.ox.query(text, **kwargs)
    else:        # the same call as greenplan.api.run_saved, so saved queries give the same rows
        answer = store.query(text, bindings)
    limit = (f"the answer has more than {max_results} results, the server's limit (--max-results); "
             "add LIMIT to the query or narrow it")
    if isinstance(answer, ox.QueryBoolean):
        return Result([], [], bool(answer))
    if isinstance(answer, ox.QueryTriples):
        triples = []
        for t in answer:
            if len(triples) == max_results:
                raise ResultLimit(limit)
            triples.append(t)
        return triples
    variables = [v.value for v in answer.variables]
    rows = []
    for s in answer:
        if len(rows) == max_results:
            raise ResultLimit(limit)
        rows.append([s[v] for v in variables])
    result = Result(variables, rows)
    return q.finish(result) if q is not None else result   # list columns ordered and joined, as run_saved does


def _exit_with_parent(parent: int) -> None:
    """End the worker when the server is gone (even killed mid-query: Oxigraph releases the GIL)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def serve_jobs(directory: str, conn, max_results: int) -> None:
    """Worker process main loop: load the store, then answer jobs until the pipe closes."""
    from greenplan.catalogue import ParameterError
    from greenplan.store import Store

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    store = Store(Path(directory))
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", answer_job(store, job, max_results)))
        except ResultLimit as e:
            conn.send(("limit", str(e)))
        except (SyntaxError, ParameterError, ValueError) as e:
            conn.send(("error", str(e)))
        except Exception as e:  # the engine's own errors (e.g. evaluation errors) go back to the client
            conn.send(("error", f"{type(e).__name__}: {e}"))


class QueryWorker:
    """One worker process, used by one request at a time; killed and restarted on timeout."""

    def __init__(self, directory: Path, timeout: float, max_results: int, startup_timeout: float = 120.0):
        self.directory = Path(directory)
        self.timeout = timeout
        self.max_results = max_results
        self.startup_timeout = startup_timeout
        self._ctx = multiprocessing.get_context("spawn")   # no fork of a threaded server
        self._lock = threading.Lock()
        self._process = None
        self._conn = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        with self._lock:
            self._ensure()

    def _ensure(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        self._stop()
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=serve_jobs, args=(str(self.directory), child, self.max_results),
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

    def run(self, job: dict):
        """The answer to a job; raises QueryTimeout, ResultLimit or QueryError."""
        with self._lock:
            self._ensure()
            try:
                self._conn.send(job)
                ready = self._conn.poll(self.timeout)
            except (OSError, EOFError):
                ready = False
                self._stop()
                raise RuntimeError("the query worker ended unexpectedly; the next query starts a new one") from None
            if not ready:
                self._stop()   # kill: the engine stops using the CPU now
                raise QueryTimeout(f"the query ran longer than the server's time limit of {self.timeout:g} s "
                                   "(--timeout) and was stopped; simplify it or add LIMIT")
            try:
                status, value = self._conn.recv()
            except EOFError:
                self._stop()
                raise RuntimeError("the query worker ended unexpectedly; the next query starts a new one") from None
        if status == "ok":
            return value
        if status == "limit":
            raise ResultLimit(value)
        raise QueryError(value)

    def close(self) -> None:
        with self._lock:
            self._stop()
