"""What the security probes share: an in-process ``greenplan serve`` with the limits a test sets,
raw HTTP over a socket (to send what urllib refuses to), and a listener that records contacts."""
from __future__ import annotations

import contextlib
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request

from greenplan.web.server import make_server
from tests.servers import in_thread


@contextlib.contextmanager
def serving(store, **limits):
    with in_thread(make_server(store, "127.0.0.1", 0, **limits)) as server:
        yield server


def get(url: str, accept: str | None = None, data: bytes | None = None, ctype: str | None = None,
        timeout: float = 60):
    """(status, headers, body); error answers are answers too."""
    req = urllib.request.Request(url, data=data)
    if accept:
        req.add_header("Accept", accept)
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def sparql_url(server, query: str, **extra) -> str:
    return server.url + "sparql?" + urllib.parse.urlencode({"query": query, **extra})


def raw(server, data: bytes, timeout: float = 30, until_close: bool = False) -> bytes:
    """Send bytes as they are; the server's first answer (``until_close``: all it sends until it
    closes the connection or stays silent for ``timeout`` seconds)."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if not until_close and b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
        return b"".join(chunks)


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it (it must stay untouched)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.contacts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.contacts += 1
            with contextlib.suppress(OSError):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Content-Length: 60\r\n\r\n"
                             b'{"head":{"vars":["s"]},"results":{"bindings":[]}}          ')
                conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
