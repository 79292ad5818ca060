"""Real SPARQL servers for tests: an ``oxigraph serve`` process on 127.0.0.1.

``with oxigraph_server(tmp_path) as server:`` starts ``oxigraph serve --location DIR
--bind 127.0.0.1:PORT`` on a free port, WITHOUT ``--union-default-graph`` (so the
default graph is not the union of the named graphs: saved queries must say
``GRAPH ?g``), waits until it answers a query and stops it afterwards.
``server.query`` / ``server.store`` are its SPARQL query and Graph Store
Protocol URLs.  Other test modules import this helper.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from tests.conftest import require_system

STARTUP_SECONDS = 30   # a generous bound on start-up, not a timed assertion


@dataclass
class Server:
    url: str          # http://127.0.0.1:PORT
    directory: Path
    process: subprocess.Popen
    # where the server answers SPARQL queries, updates and the Graph Store Protocol (Oxigraph's paths)
    QUERY_PATH: ClassVar[str] = "/query"
    UPDATE_PATH: ClassVar[str] = "/update"
    STORE_PATH: ClassVar[str] = "/store"

    @property
    def query(self) -> str:
        return self.url + self.QUERY_PATH

    @property
    def update(self) -> str:
        return self.url + self.UPDATE_PATH

    @property
    def store(self) -> str:
        return self.url + self.STORE_PATH


@contextlib.contextmanager
def in_thread(server):
    """Serve an in-process ``socketserver`` server on a thread for the ``with`` block, then shut it down."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def oxigraph_executable() -> str | None:
    """`oxigraph` on PATH, or beside this Python (a virtual environment used without activating it)."""
    return shutil.which("oxigraph") or shutil.which("oxigraph", path=os.path.dirname(sys.executable))


def stop(proc: subprocess.Popen, seconds: float) -> None:
    """SIGTERM, then SIGKILL if the process is still there after ``seconds``."""
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    req = urllib.request.Request(url + "/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def oxigraph_server(directory: Path):
    """Start ``oxigraph serve`` with its data in ``directory``; yield a :class:`Server`."""
    exe = oxigraph_executable()
    require_system("the oxigraph server", exe is not None, "pip install oxigraph (it provides the `oxigraph` command)")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = open(directory.parent / f"{directory.name}-oxigraph.log", "wb")
    proc = subprocess.Popen([exe, "serve", "--location", str(directory), "--bind", f"127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", directory, proc)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(server.url):
            if proc.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {proc.returncode}; see {log.name}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"oxigraph serve did not answer on {server.url} within {STARTUP_SECONDS} s")
            time.sleep(0.05)
        yield server
    finally:
        stop(proc, 10)
        log.close()
