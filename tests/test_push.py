"""`greenplan push` and `--endpoint` against small HTTP servers on 127.0.0.1 that misbehave on purpose:
one that asks for HTTP basic credentials, one that fails the third PUT, one that never answers, one that
cuts its answer short. (Digest against a real server: tests/test_triplestores.py, Virtuoso's
/sparql-graph-crud-auth.) Every failure must be one line on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import base64
import contextlib
import http.server
import os
import pty
import select
import socket
import subprocess
import sys
import threading

import pytest

from greenplan.cli.main import main
from tests.servers import in_thread


def named_graphs(store) -> list[str]:
    """The store's named graphs in the order push sends them (sorted)."""
    return sorted({q.graph_name.value for q in store.quads()})


def triples_in(store, graph: str) -> int:
    return sum(1 for q in store.quads() if q.graph_name.value == graph)


class Recorder(http.server.ThreadingHTTPServer):
    """A Graph Store stand-in that records each PUT (graph, Authorization header, body size)."""

    daemon_threads = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.puts: list[tuple[str, str | None, int]] = []
        self.fail_from: int | None = None       # answer 500 from this PUT on (1-based)
        self.basic: str | None = None           # "user:password" to require by HTTP basic

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/store"


class GraphStore(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _graph(self) -> str:
        from urllib.parse import parse_qs, urlsplit

        return parse_qs(urlsplit(self.path).query).get("graph", [""])[0]

    def _challenge(self) -> bool:
        if self.server.basic is None:
            return False
        wanted = "Basic " + base64.b64encode(self.server.basic.encode()).decode()
        if self.headers.get("Authorization") == wanted:
            return False
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="greenplan-test"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def do_HEAD(self):
        if not self._challenge():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self._challenge():
            return
        self.server.puts.append((self._graph(), self.headers.get("Authorization"), len(body)))
        failing = self.server.fail_from is not None and len(self.server.puts) >= self.server.fail_from
        message = b"disk full" if failing else b""
        self.send_response(500 if failing else 201)
        self.send_header("Content-Length", str(len(message)))
        self.end_headers()
        self.wfile.write(message)




def push_cli(capsys, store, url, *extra) -> tuple[int, str, str]:
    code = main(["push", "--store", url, "--local-store", str(store.directory), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_basic_credentials_are_sent_when_the_server_asks(store, capsys, monkeypatch):
    monkeypatch.setenv("GREENPLAN_PASSWORD", "pä55:word")
    with in_thread(Recorder(GraphStore)) as srv:
        srv.basic = "alice:pä55:word"
        code, out, err = push_cli(capsys, store, srv.url, "--user", "alice")
        assert code == 0, err
        assert [g for g, _, _ in srv.puts] == named_graphs(store)
        expected = "Basic " + base64.b64encode("alice:pä55:word".encode()).decode()
        assert {auth for _, auth, _ in srv.puts} == {expected}
        assert "pä55" not in out + err                     # the password is never printed


def test_without_user_the_challenge_is_a_clear_error(store, capsys):
    with in_thread(Recorder(GraphStore)) as srv:
        srv.basic = "alice:secret"
        code, _, err = push_cli(capsys, store, srv.url)
        assert code == 2 and "Traceback" not in err
        assert "HTTP 401" in err and "--user NAME" in err and "GREENPLAN_PASSWORD" in err
        assert srv.puts == []


def test_there_is_no_password_option(store, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["push", "--store", "http://127.0.0.1:9/store", "--user", "alice", "--password", "x"])
    assert stop.value.code == 2
    assert "unrecognized arguments: --password" in capsys.readouterr().err


def test_without_a_terminal_or_variable_the_password_is_asked_for_clearly(store, capsys, monkeypatch):
    monkeypatch.delenv("GREENPLAN_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", open(os.devnull))      # not a terminal: no prompt possible
    code, _, err = push_cli(capsys, store, "http://127.0.0.1:9/store", "--user", "alice")
    assert code == 2 and "set GREENPLAN_PASSWORD" in err


def test_the_prompt_does_not_echo_the_password(store):
    """A real terminal (a pty) in a new session: getpass asks on it with echo off."""
    with in_thread(Recorder(GraphStore)) as srv:
        srv.basic = "bob:typed-secret"
        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k != "GREENPLAN_PASSWORD"}
        proc = subprocess.Popen([sys.executable, "-m", "greenplan.cli.main", "push", "--store", srv.url, "--user", "bob",
                                 "--local-store", str(store.directory)], stdin=slave, stdout=slave, stderr=slave,
                                env=env, start_new_session=True)
        os.close(slave)
        seen = b""
        try:
            while b"password for bob" not in seen:
                ready, _, _ = select.select([master], [], [], 60)
                assert ready, f"no prompt; the terminal shows {seen!r}"
                seen += os.read(master, 4096)
            os.write(master, b"typed-secret\n")
            while True:
                ready, _, _ = select.select([master], [], [], 60)
                if not ready:
                    break
                try:
                    chunk = os.read(master, 4096)
                except OSError:             # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            assert proc.wait(timeout=60) == 0, seen.decode(errors="replace")
        finally:
            os.close(master)
            if proc.poll() is None:
                proc.kill()
        assert b"typed-secret" not in seen                 # not echoed
        assert f"pushed {len(named_graphs(store))} graphs".encode() in seen
        assert [g for g, _, _ in srv.puts] == named_graphs(store)


def test_a_failed_put_names_what_was_replaced_and_the_push_resumes(store, capsys):
    GRAPHS = named_graphs(store)
    assert len(GRAPHS) >= 4
    with in_thread(Recorder(GraphStore)) as srv:
        srv.fail_from = 3
        code, out, err = push_cli(capsys, store, srv.url)
        assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert "HTTP 500" in err and "disk full" in err
        assert f"Replaced before the failure: {GRAPHS[0]}, {GRAPHS[1]};" in err
        assert f"not sent: {', '.join(GRAPHS[2:])}." in err
        assert f"--from {GRAPHS[2]}" in err
        assert out.splitlines() == [f"{g}  {triples_in(store, g):>7} triples (replaced)" for g in GRAPHS[:2]]
        srv.fail_from, srv.puts = None, []
        code, out, err = push_cli(capsys, store, srv.url, "--from", GRAPHS[2])
        assert code == 0, err
        assert [g for g, _, _ in srv.puts] == GRAPHS[2:]
        assert out.splitlines()[-1].startswith(f"pushed {len(GRAPHS) - 2} graphs")


def test_resume_from_an_unknown_graph_lists_the_graphs(store, capsys):
    code, _, err = push_cli(capsys, store, "http://127.0.0.1:9/store", "--from", "https://example.org/nothing")
    assert code == 2 and "no such graph" in err and named_graphs(store)[0] in err


@contextlib.contextmanager
def silent_server():
    """Accepts connections and reads, never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for c in held:
            c.close()
        listener.close()


@contextlib.contextmanager
def truncating_server():
    """Answers 200/201 with Content-Length 1000 and closes after 20 bytes."""

    class Cut(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _cut(self, status):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(status)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"head": {"vars": ["n')
            self.wfile.flush()
            self.close_connection = True

        def do_HEAD(self):
            self.send_response(404)
            self.end_headers()

        def do_PUT(self):
            self._cut(201)

        def do_POST(self):
            self._cut(200)

    with in_thread(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Cut)) as srv:
        yield f"http://127.0.0.1:{srv.server_address[1]}"


def test_push_to_a_silent_server_stops_after_the_timeout(store, capsys):
    with silent_server() as url:
        code, _, err = push_cli(capsys, store, url + "/store", "--timeout", "1")
    assert code == 2 and "Traceback" not in err
    assert "no answer within 1 s (--timeout)" in err and "Replaced before the failure: none" in err


def test_push_with_a_cut_off_answer_is_a_clean_error(store, capsys):
    with truncating_server() as url:
        code, _, err = push_cli(capsys, store, url + "/store")
    assert code == 2 and "Traceback" not in err
    assert "the answer broke off (IncompleteRead)" in err and "may or may not have been replaced" in err


def test_query_to_a_silent_endpoint_stops_after_the_timeout(capsys):
    with silent_server() as url:
        assert main(["query", "tasks", "--endpoint", url + "/sparql", "--timeout", "1"]) == 2
    err = capsys.readouterr().err
    assert "no answer within 1 s" in err and "Traceback" not in err


def test_query_with_a_cut_off_answer_is_a_clean_error(capsys):
    with truncating_server() as url:
        assert main(["sparql", "SELECT ?n WHERE {}", "--endpoint", url + "/sparql"]) == 2
    err = capsys.readouterr().err
    assert "broke off" in err and "IncompleteRead" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
