"""``greenplan serve``: a read-only SPARQL 1.1 endpoint, linked-data pages and a web UI.

Standard library only (``http.server``, one thread per connection, hardened: see "Limits" below).
Routes:

=============================  ==================================================================
``/sparql``                    SPARQL 1.1 Protocol: GET ``?query=``, POST form, POST
                               ``application/sparql-query``; SELECT/ASK as JSON, XML, CSV, TSV and
                               CONSTRUCT/DESCRIBE as Turtle, RDF/XML, JSON-LD, N-Triples by
                               ``Accept`` (or ``?format=``, the words clients send: json, xml, csv,
                               tsv, n3, turtle, rdf, json-ld).  DESCRIBE reads every graph.  No query:
                               an HTML page for browsers, the service description (``sd:Service``)
                               for RDF clients.  Updates are refused (403), ``SERVICE`` too (400).
``/plan/…`` ``/org/…``         Linked data: ``{base}X`` is served at ``http://HOST:PORT/X``
``/topic/…`` ``/place/…``      (HTML, or Turtle / JSON-LD / N-Triples by ``Accept``).  Answers keep
                               the base IRI unchanged.  ``/resource?iri=IRI`` shows any other IRI.
                               An alias kept as ``owl:sameAs`` answers 301 to its canonical IRI.
``/``                          home: the plans' summaries
``/queries``, ``/queries/N``   the saved queries as forms; ``/queries/N.csv`` ``.json`` ``.tsv``
``/editor``                    SPARQL editor (vendored CodeMirror 5)
``/network``                   the collaboration network page (:mod:`greenplan.network.draw`; ``?plan=ID&min=N``)
``/sources/ID``                the kept copy of plan ID's source (:mod:`greenplan.web.sources`; sandboxed);
                               ``?at=XPATH`` frames it with that element shown
``/download/graph.EXT``        full dumps: ttl, jsonld, nt, trig, nq (``greenplan export``)
``/.well-known/void``          DCAT + VoID description (from :mod:`greenplan.export.metadata`)
``/static/…``                  vendored JS/CSS
=============================  ==================================================================

The server loads the store into memory once (pages); the worker process loads its own copy from
the same directory.  Nothing is written, so ``greenplan query`` keeps working meanwhile.

Limits (options of ``greenplan serve``; :class:`greenplan.web.limits.Limits`):

* user SPARQL runs in the worker process (:mod:`greenplan.web.worker`), which can open no socket
  and no file; a query has ``--timeout`` seconds counted from the request's arrival, time queued
  behind other queries included (503; the worker is killed and restarted), and at most
  ``--max-results`` rows and ``--max-result-bytes`` bytes, counted as they stream (400);
  queries nested or chained too deeply for the engine are refused before it sees them (400);
* each socket read and write has ``--read-timeout``; a request must arrive whole within
  ``--request-timeout`` (else the connection is closed); bodies over ``--max-body`` get 413;
* at most ``--max-connections`` connections (503) and ``--max-per-client`` per client address
  (429); behind a ``--trusted-proxy``, the client is the last untrusted ``X-Forwarded-For`` hop;
* the published address (service description, VoID) is ``--public-url``, never the ``Host`` header;
  saved queries are looked up by catalogue name only; static files only from ``graph/static``;
* malformed request targets and headers get 400; ambiguous framing (two or non-digit
  ``Content-Length``, a missing, repeated or malformed ``Host``, a header line that is not
  ``Name: value``) gets 400 and the connection closed (:func:`framing_error`, on the raw lines);
  ``TCP_NODELAY`` is set and each answer goes out in one ``send`` (no Nagle / delayed-ACK stall on
  kept-alive connections);
* ``--workers`` query workers (default 2) share time fairly between clients and each caps the memory
  a query may take (``--max-memory``, 400 past it): :class:`greenplan.web.worker.WorkerPool`;
* saved-query answers and ``/sparql`` GET answers are cached per store generation with an ``ETag``
  (304 on ``If-None-Match``) and ``Cache-Control`` (``--cache-bytes``, ``--cache-max-age``):
  :mod:`greenplan.web.cache`.
"""
from __future__ import annotations

import re
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from greenplan.web import protocol
from greenplan.web.cache import matches as match_etag
from greenplan.web.cache import request_key
from greenplan.web.layout import ENTITY_ROOTS, error_page
from greenplan.web.limits import Gate, Limits, Reaper
from greenplan.web.protocol import Refused
from greenplan.web.worker import (
    NotAcceptable,
    OverShare,
    QueryError,
    QueryTimeout,
    QueryWorker,
    ResultLimit,
    WorkerPool,
)

STATIC = Path(__file__).parent.parent / "static"
DUMPS = {"ttl": "turtle", "jsonld": "jsonld", "nt": "nt", "trig": "trig", "nq": "nquads"}
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".md": "text/markdown", "": "text/plain",
                ".html": "text/html", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json"}
ENTITY_TYPES = [protocol.HTML, protocol.TURTLE, protocol.JSONLD, protocol.NTRIPLES, protocol.RDFXML]
ENDPOINT_TYPES = [protocol.TURTLE, protocol.RDFXML, protocol.JSONLD, protocol.NTRIPLES, protocol.HTML]


MAX_HEADER_BYTES = 64 << 10      # all header lines of one request together


class _HeaderCap:
    """The request's reader while its headers are parsed: at most ``limit`` bytes of header lines.

    The standard library bounds each line (64 KiB) and their number (100), which still lets one
    request hold 6.4 MB; past the cap, ``LineTooLong`` makes ``parse_request`` answer 431.  The raw
    lines are kept (``lines``) so that :func:`framing_error` can judge them as they were sent: the
    standard library's parser folds, merges and forgives what a strict reader must refuse."""

    def __init__(self, reader, limit: int):
        self._reader, self._left = reader, limit
        self.lines: list[bytes] = []

    def readline(self, size: int = -1) -> bytes:
        import http.client

        line = self._reader.readline(size)
        self._left -= len(line)
        if self._left < 0:
            raise http.client.LineTooLong("header block")
        self.lines.append(line)
        return line


# RFC 9110/9112: field-name is a token; a field line has no whitespace before the colon and no
# obsolete line folding; Content-Length is 1*DIGIT; Host is uri-host [ ":" port ].
_FIELD_LINE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n]*\r?\n")
_DIGITS = re.compile(r"[0-9]{1,18}")
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]*)(:[0-9]{0,5})?")


def framing_error(lines: list[bytes], version: str) -> str | None:
    """Why a request's header block is ambiguous or malformed (answered 400 and closed), or None.

    Refused: a line that is not ``name: value`` (whitespace before the colon, obsolete folding,
    no colon); more than one ``Content-Length`` or one that is not plain digits (``+5``, ``0_5``,
    `` 5,5``: Python's ``int()`` accepts the first two, so they must be refused before it sees
    them); a missing (HTTP/1.1), repeated or malformed ``Host``."""
    lengths, hosts = [], []
    for number, line in enumerate(lines, 1):
        if line in (b"\r\n", b"\n", b""):
            break
        if not _FIELD_LINE.fullmatch(line):
            return f"malformed header line {number}: expected `Name: value` (no space before the colon, no folding)"
        name, _, value = line.partition(b":")
        name = name.lower()
        if name == b"content-length":
            lengths.append(value.strip(b" \t\r\n").decode("latin-1"))
        elif name == b"host":
            hosts.append(value.strip(b" \t\r\n").decode("latin-1"))
    if len(lengths) > 1:
        return f"{len(lengths)} Content-Length headers: send exactly one"
    if lengths and not _DIGITS.fullmatch(lengths[0]):
        return f"Content-Length {lengths[0][:40]!r} is not a number of bytes (digits only, at most 18)"
    if len(hosts) > 1:
        return f"{len(hosts)} Host headers: send exactly one"
    if not hosts and version == "HTTP/1.1":
        return "an HTTP/1.1 request needs a Host header"
    if hosts and not _HOST.fullmatch(hosts[0]):
        return "malformed Host header: expected host or host:port (letters, digits, -._~ and an optional :port)"
    return None


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class GreenplanServer(ThreadingHTTPServer):
    """The HTTP server, its store (pages), its query worker (user queries) and its limits."""

    daemon_threads = True
    request_queue_size = 128     # listen backlog (the standard library's default is 5)

    def __init__(self, address, store, limits: Limits, log=None):
        self.store = store
        self.base = store.base
        self.limits = limits
        self.timeout = limits.timeout
        self.max_results = limits.max_results
        self.log = log
        self.gate = Gate(limits.max_connections, limits.max_per_client)
        self.reaper = Reaper()
        self.worker = WorkerPool(limits.workers, lambda: QueryWorker(
            store.directory, limits.timeout, limits.max_results, max_bytes=limits.max_result_bytes,
            max_memory=limits.max_memory))
        self._dumps: dict[str, bytes] = {}
        self._dump_lock = threading.Lock()
        from greenplan.query.catalogue import catalogue

        self.saved = {q.name: q for q in catalogue()}      # the catalogue, read once: names only, never paths
        self._bound: dict[tuple, str] = {}                 # (name, parameters) → query text with terms bound
        from greenplan.web.cache import AnswerCache, generation

        self.answers = AnswerCache(generation(store), limits.cache_bytes)   # per store generation (issue 27)
        super().__init__(address, Handler)
        self.worker.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[0], self.server_address[1]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{port}/"

    @property
    def site(self) -> str:
        """The address the server publishes (endpoint URL, VoID): --public-url, never the Host header."""
        return self.limits.public_url or self.url

    def bound_text(self, name: str, params: dict) -> str:
        """A saved query's text with its parameters bound, as greenplan.api.run_saved binds them (cached)."""
        key = (name, tuple(sorted(params.items())))
        text = self._bound.get(key)
        if text is None:
            from greenplan.query.sparqltext import substitute

            q = self.saved[name]
            text = substitute(q.text, q.bindings(params, self.store))
            if len(self._bound) >= 4096:      # parameter values come from clients: keep the cache bounded
                self._bound.clear()
            self._bound[key] = text
        return text

    def dump(self, fmt: str) -> bytes:
        with self._dump_lock:
            if fmt not in self._dumps:
                from greenplan.export.rdf import serialize

                self._dumps[fmt] = serialize(self.store.quads(), fmt, self.base)
            return self._dumps[fmt]

    # --- connection bounds: in all and per client (peer address) ---------------------

    def _connection_client(self, client_address) -> str | None:
        peer = client_address[0]
        return None if self.limits.trusted(peer) else peer   # behind a proxy: counted per request instead

    def process_request(self, request, client_address):
        refused = self.gate.enter(self._connection_client(client_address))
        if refused:
            _refuse_connection(request, 503 if "max-connections" in refused else 429, refused)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.gate.leave(self._connection_client(client_address))
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.reaper.unwatch(request)
            self.gate.leave(self._connection_client(client_address))

    def server_close(self) -> None:
        super().server_close()
        self.reaper.close()
        self.worker.close()


def _refuse_connection(sock, status: int, message: str) -> None:
    """A short answer written straight to a connection that is not admitted (no thread is started)."""
    body = f"Error {status}: {message}; try again later\n".encode()
    head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n").encode()
    try:
        sock.settimeout(0.5)
        sock.sendall(head + body)
    except OSError:
        pass


def _open_store(store):
    if hasattr(store, "directory") and hasattr(store, "query"):
        return store
    from greenplan.store.core import Store

    return Store(Path(store))


def make_server(store, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0,
                max_results: int = 10000, log=None, limits: Limits | None = None, **options) -> GreenplanServer:
    """A ready server (worker started, socket bound) for a Store or a store directory.

    Call ``serve_forever()`` (e.g. in a thread), then ``shutdown()`` and ``server_close()``.
    ``log`` receives one line per request (None: quiet).  ``limits`` (or keyword ``options``, the
    arguments of :class:`~greenplan.web.limits.Limits`) set the limits.
    """
    if limits is None:
        limits = Limits(timeout=timeout, max_results=max_results, **options)
    return GreenplanServer((host, port), _open_store(store), limits, log)


class Handler(BaseHTTPRequestHandler):
    server: GreenplanServer
    rfile: Any          # the socket's reader, wrapped in a _HeaderCap while a request's head is read
    protocol_version = "HTTP/1.1"
    server_version = "greenplan"
    disable_nagle_algorithm = True     # TCP_NODELAY: no 40 ms Nagle/delayed-ACK stall on kept-alive connections

    # --- plumbing -------------------------------------------------------------------

    def setup(self):
        super().setup()
        self.connection.settimeout(self.server.limits.read_timeout)      # each socket read and write

    def handle_one_request(self):
        """One request: it must arrive whole within --request-timeout; its deadline counts from arrival."""
        limits = self.server.limits
        self.server.reaper.watch(self.connection, time.monotonic() + limits.request_timeout)
        self.arrival = None
        self.client_key = None
        try:
            self.raw_requestline = self.rfile.readline(65537)
            self.arrival = time.monotonic()
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            reader = self.rfile
            self.rfile = cap = _HeaderCap(reader, MAX_HEADER_BYTES)
            try:
                parsed = self.parse_request()     # reads the headers through the cap (431 when over)
            finally:
                self.rfile = reader
            if not parsed:
                return
            if self.request_version == "HTTP/0.9":     # a bare "GET /": answered as HTTP/1.0, with a status line
                self.request_version, self.close_connection = "HTTP/1.0", True
                self._error(400, "send an HTTP/1.0 or HTTP/1.1 request line: METHOD /path HTTP/1.1", False)
                return
            bad = framing_error(cap.lines, self.request_version)
            if bad:      # an ambiguous message: whatever follows it cannot be trusted as the next request
                self.close_connection = True
                self._error(400, bad, False)
                return
            mname = "do_" + self.command
            if not hasattr(self, mname):
                self._refuse_method()
                return
            peer = self.client_address[0]
            if limits.trusted(peer):     # behind the reverse proxy: per client by X-Forwarded-For, per request
                self.client_key = limits.client(peer, self.headers.get("X-Forwarded-For"))
                refused = self.server.gate.enter(self.client_key, count_total=False)
                if refused:
                    self.client_key = None
                    self.close_connection = True
                    self._error(429, refused, False, {"Retry-After": "1"})
                    return
            if self.command != "POST" and (self.headers.get("Content-Length", "0").strip() not in ("", "0")
                                           or self.headers.get("Transfer-Encoding") is not None):
                self.close_connection = True     # a body nobody reads must not be taken for the next request
            getattr(self, mname)()
            self.wfile.flush()
        except (TimeoutError, ConnectionError, OSError) as e:
            self.log_error("connection closed: %r", e)
            self.close_connection = True
        finally:
            self.server.reaper.unwatch(self.connection)
            if self.client_key is not None:
                self.server.gate.leave(self.client_key, count_total=False)

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's name)
        if self.server.log:
            self.server.log(f"{self.address_string()} {format % args}")

    def _send(self, status: int, body: bytes | str, ctype: str, headers: dict | None = None) -> None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        if ctype.startswith(("text/", "application/sparql-results", "application/ld+json", "application/n-triples",
                             "application/json", "application/javascript", "application/rdf+xml")) \
                and "charset" not in ctype:
            ctype += "; charset=utf-8"
        self.log_request(status)
        headers = headers or {}
        lines = [f"{self.protocol_version} {status} {self.responses.get(status, ('',))[0]}",
                 f"Server: {self.version_string()}", f"Date: {self.date_time_string()}",
                 f"Content-Type: {ctype}", f"Content-Length: {len(body)}", "Access-Control-Allow-Origin: *",
                 "X-Content-Type-Options: nosniff", *(f"{k}: {v}" for k, v in headers.items())]
        if "Vary" not in headers and "Cache-Control" not in headers:
            lines.append("Vary: Accept")        # pages and errors follow Accept (HTML or plain text)
        if self.close_connection:
            lines.append("Connection: close")
        # the status line, headers and body written at once (our own bytes, not http.server's private buffer):
        # with TCP_NODELAY, one segment train and no wait for an ACK
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict")
        self.wfile.write(head + body if self.command != "HEAD" else head)

    def _error(self, status: int, message: str, html: bool, headers: dict | None = None) -> None:
        if html:
            self._send(status, error_page(status, message), protocol.HTML, headers)
        else:
            self._send(status, f"Error {status}: {message}\n", "text/plain", headers)

    def _wants_html(self) -> bool:
        return protocol.negotiate(self.headers.get("Accept"), [protocol.HTML, "text/plain"]) == protocol.HTML

    def _deadline(self) -> float:
        return (self.arrival or time.monotonic()) + self.server.limits.timeout

    def do_GET(self):
        self._dispatch(None)

    def do_HEAD(self):
        self._dispatch(None)

    def do_POST(self):
        max_body = self.server.limits.max_body
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or self.headers.get("Transfer-Encoding") is not None:
            # no chunked bodies, and never both framings at once (a proxy might read the other one)
            self.close_connection = True
            return self._error(411, "send the request body with a Content-Length header (no Transfer-Encoding)",
                               False)
        if length > max_body:
            self.close_connection = True
            return self._error(413, f"request body larger than {max_body} bytes (--max-body)", False)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            self.close_connection = True
            return
        self._dispatch(body)

    def do_OPTIONS(self):   # CORS preflight for POST application/sparql-query from other origins
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self):
        self._refuse_method()

    do_DELETE = do_PATCH = do_PUT

    def _refuse_method(self):
        self.close_connection = True    # an unread body must not be read as the next request
        self._error(405, f"{self.command} is not allowed: this server is read-only (SPARQL queries only)", False,
                    {"Allow": "GET, HEAD, POST, OPTIONS"})

    def _target(self) -> tuple[str, str]:
        """(decoded path, query string) of the request target, or HttpError 400 for a malformed one."""
        target = self.path
        if target.startswith(("http://", "https://")):     # absolute form (RFC 9112 3.2.2): use its path
            target = urlsplit(target).path or "/"
        if not target.startswith("/") or target.startswith("//"):
            raise HttpError(400, f"malformed request target {target[:80]!r}: it must be a path starting with /")
        url = urlsplit(target)
        path = unquote(url.path, errors="strict") if "%" in url.path else url.path
        if any(ord(c) < 0x20 or c == "\x7f" for c in path) or "\\" in path:
            raise HttpError(400, "malformed request target: control characters or backslashes in the path")
        return path, url.query

    def _dispatch(self, body: bytes | None) -> None:
        # The request has arrived whole: from here the query deadline (--timeout) and the socket's
        # write timeout (--read-timeout, for the whole sendall) bound the rest, not --request-timeout.
        self.server.reaper.unwatch(self.connection)
        html = False
        try:
            path, query = self._target()
            params = parse_qs(query, keep_blank_values=True)
            html = path != "/sparql" and not path.startswith(("/download/", "/static/")) and self._wants_html()
            if path == "/sparql":
                return self._sparql(params, body)
            if body is not None:
                raise HttpError(405, f"POST is only accepted at /sparql, not at {path}", {"Allow": "GET, HEAD"})
            self._get(path, params)
        except HttpError as e:
            self._error(e.status, str(e), html, e.headers)
        except UnicodeDecodeError:
            self._error(400, "malformed request target: percent-escapes that are not UTF-8", html)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # a bug: answer 500 with the reason instead of dropping the connection
            self._error(500, f"{type(e).__name__}: {e}", html)

    def _get(self, path: str, params: dict) -> None:
        one = lambda k: (params.get(k) or [None])[0]   # noqa: E731
        from greenplan.web import pages

        if path == "/":
            return self._send(200, pages.home(self.server.store, self.server.base), protocol.HTML)
        if path == "/editor":
            return self._editor(one("query"))
        if path == "/queries":
            from greenplan.query.catalogue import catalogue

            return self._send(200, pages.queries_index(self.server.store, catalogue()), protocol.HTML)
        if path.startswith("/queries/"):
            return self._saved(path[len("/queries/"):], params)
        if path == "/resource":
            iri = one("iri")
            if not iri:
                raise HttpError(400, "give the IRI to show: /resource?iri=IRI")
            return self._entity(iri, one("format"))
        if path.split("/")[1] in ENTITY_ROOTS:
            return self._entity(self.server.base + path[1:], one("format"))
        if path.startswith("/download/"):
            return self._download(path[len("/download/"):])
        if path == "/downloads":
            return self._send(200, pages.downloads_page(DUMPS), protocol.HTML)
        if path == "/.well-known/void":
            return self._void(one("format"))
        if path == "/network":
            return self._network(one("plan"), one("min"))
        if path.startswith("/sources/"):
            return self._kept_source(path[len("/sources/"):], one("at"))
        if path.startswith("/static/"):
            return self._static(path[len("/static/"):])
        if path == "/favicon.ico":
            return self._static("favicon.svg")
        raise HttpError(404, f"no page at {path}; start from the home page /")

    # --- SPARQL protocol ------------------------------------------------------------

    def _sparql(self, params: dict, body: bytes | None) -> None:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        query = None
        if body is not None:
            if ctype == "application/sparql-update":
                raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
            if ctype == "application/sparql-query":
                query = body.decode("utf-8", errors="replace")
                if params.get("query"):
                    raise HttpError(400, "give the query either in the body or in `query`, not both")
            elif ctype in ("application/x-www-form-urlencoded", ""):
                for k, v in parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            else:
                raise HttpError(415, f"unsupported Content-Type {ctype!r}: POST application/sparql-query or "
                                     "application/x-www-form-urlencoded")
        if "update" in params:
            raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
        queries = params.get("query", [])
        if query is None:
            if len(queries) > 1:
                raise HttpError(400, "give exactly one `query` parameter")
            query = queries[0] if queries else None
        fmt = (params.get("format") or params.get("output") or [None])[0]
        if query is None:
            return self._service_description(fmt)
        self._check(query)
        job = {"sparql": query, "default_graphs": params.get("default-graph-uri", []),
               "named_graphs": params.get("named-graph-uri", []),
               "accept": self.headers.get("Accept"), "format": fmt, "base": self.server.base}
        if body is not None:      # POST: answered, never cached (RFC 9110 9.3.3)
            name, data = self._run(job)
            return self._send(200, data, protocol.MEDIA[name], {"Vary": "Accept"})
        key = request_key("sparql", query, job["default_graphs"], job["named_graphs"], job["accept"], fmt)
        self._cached(key, lambda: self._run(job), {"Vary": "Accept"})

    def _cached(self, key: str, compute, headers: dict) -> None:
        """A 200 answer from the cache of this store generation (computed on a miss), with its ETag and
        Cache-Control; ``304 Not Modified`` when the client's ``If-None-Match`` names it."""
        cache = self.server.answers
        entry = cache.get(key) if cache.max_bytes else None
        if entry is None:
            name, data = compute()
            entry = cache.put(key, protocol.MEDIA.get(name, name), data) if cache.max_bytes else \
                (protocol.MEDIA.get(name, name), data, cache.etag(data))
        media, data, etag = entry
        headers = {**headers, "ETag": etag,
                   "Cache-Control": f"public, max-age={self.server.limits.cache_max_age}"}
        if match_etag(self.headers.get("If-None-Match"), etag):
            self.send_response(304)
            for k, v in headers.items():
                self.send_header(k, v)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            return
        self._send(200, data, media, headers)

    def _check(self, query: str) -> None:
        limits = self.server.limits
        try:
            protocol.check_query(query, limits.max_openers, limits.max_chain)
        except Refused as e:
            raise HttpError(e.status, str(e)) from None

    def _run(self, job: dict):
        try:
            if "saved" in job:
                # Saved queries are the project's own, fixed and fast (bench/README.md): answered in this
                # process (≈ 1 ms). Arbitrary SPARQL goes to the worker, which the time limit can end.
                return _answer_saved(self.server, job)
            client = self.client_key or self.client_address[0]
            return self.server.worker.run(job, self._deadline(), client)
        except OverShare as e:
            raise HttpError(429, str(e), {"Retry-After": "10"}) from None
        except QueryTimeout as e:
            raise HttpError(503, str(e), {"Retry-After": "1"}) from None
        except NotAcceptable as e:
            raise HttpError(406, str(e), {"Vary": "Accept"}) from None
        except (ResultLimit, QueryError) as e:
            raise HttpError(400, str(e)) from None
        except RuntimeError as e:
            raise HttpError(503, str(e), {"Retry-After": "1"}) from None

    def _service_description(self, fmt: str | None) -> None:
        """/sparql without a query: an HTML page for a browser, the sd:Service for RDF clients."""
        if fmt:
            name = protocol.choose(None, fmt, protocol.GRAPH_TYPES) or ("html" if fmt == "html" else None)
        else:
            media = protocol.negotiate(self.headers.get("Accept"), ENDPOINT_TYPES)
            name = {v: k for k, v in protocol.MEDIA.items() if k != "xml"}.get(media) if media else None
        if name is None:
            raise HttpError(406, "the service description is available as text/html, text/turtle, "
                                 "application/rdf+xml, application/ld+json or application/n-triples",
                            {"Vary": "Accept"})
        endpoint = self.server.site + "sparql"
        if name == "html":
            from greenplan.web import pages

            return self._send(200, pages.endpoint_page(endpoint, self.server.limits), protocol.HTML,
                              {"Vary": "Accept"})
        graphs = sorted(g.value for g in self.server.store.ox.named_graphs())
        triples = protocol.service_description(endpoint, graphs)
        self._send(200, protocol.triples_body(triples, name), protocol.MEDIA[name], {"Vary": "Accept"})

    # --- UI ---------------------------------------------------------------------------

    def _saved(self, rest: str, params: dict) -> None:
        from greenplan.web import pages

        name, dot, ext = rest.partition(".")
        q = self.server.saved.get(name)
        if q is None:     # catalogue names only: never a path
            raise HttpError(404, f"no saved query named {name[:80]!r}; see /queries")
        values = {k: v[0] for k, v in params.items() if k not in ("run", "format")}
        job = {"saved": name, "query": q, "params": {k: v for k, v in values.items() if v != ""}}
        if dot:
            if ext not in ("csv", "json", "tsv", "xml"):
                raise HttpError(404, f"/queries/{name}.{ext}: downloads are .csv, .json, .tsv or .xml")
            job.update(accept=None, format=ext, base=self.server.base)
            return self._cached(request_key("saved", name, job["params"], ext), lambda: self._run(job),
                                {"Content-Disposition": f'attachment; filename="{name}.{ext}"'})
        if "run" not in params:
            return self._send(200, pages.query_page(self.server.store, q, values, None, self.server.base),
                              protocol.HTML)
        self._cached(request_key("page", name, values),
                     lambda: ("html", pages.query_page(self.server.store, q, values, self._run(job),
                                                        self.server.base).encode("utf-8")),
                     {"Vary": "Accept"})

    def _editor(self, query: str | None) -> None:
        from greenplan.web import pages

        answer = None
        if query:
            self._check(query)
            answer = self._run({"sparql": query})     # a SELECT/ASK result, or the triples of a graph query
        self._send(200, pages.editor_page(self.server.store, self.server.base, query, answer), protocol.HTML)

    def _entity(self, iri: str, fmt: str | None) -> None:
        import pyoxigraph as ox

        from greenplan.web import pages

        try:
            ox.NamedNode(iri)
        except ValueError:
            raise HttpError(400, f"not an IRI: {iri!r}") from None
        accept = self.headers.get("Accept")
        if fmt:
            name = protocol.FORMAT_NAMES.get(fmt.lower())
            media = protocol.MEDIA.get(name) if name in ("html", "turtle", "jsonld", "nt", "rdfxml") else None
        else:
            media = protocol.negotiate(accept, ENTITY_TYPES)
        if media is None:
            raise HttpError(406, "entities are available as text/html, text/turtle, application/ld+json or "
                                 "application/n-triples")
        headers = {"Vary": "Accept"}
        canonical = pages.canonical(self.server.store, iri)
        if canonical is not None:     # an alias kept as owl:sameAs: the reader goes to the body's own IRI
            from greenplan.web.layout import href

            target = href(canonical, self.server.base)
            target += ("&" if "?" in target else "?") + f"format={quote(fmt)}" if fmt else ""
            return self._send(301, f"<{iri}> is an alias of <{canonical}>: see {target}\n", "text/plain",
                              {"Location": target, "Vary": "Accept"})
        if media == protocol.HTML:
            html = pages.entity_page(self.server.store, iri, self.server.base)
            if html is None:
                raise HttpError(404, f"the graph has nothing about <{iri}>")
            return self._send(200, html, media, headers)
        triples = describe(self.server.store, iri)
        if not triples:
            raise HttpError(404, f"the graph has nothing about <{iri}>")
        name = {v: k for k, v in protocol.MEDIA.items()}[media]
        self._send(200, protocol.triples_body(triples, name, self.server.base), media, headers)

    def _download(self, name: str) -> None:
        stem, _, ext = name.partition(".")
        if stem != "graph" or ext not in DUMPS:
            raise HttpError(404, f"no download {name!r}; downloads: " + ", ".join(f"graph.{e}" for e in DUMPS))
        fmt = DUMPS[ext]
        from greenplan.export.rdf import MEDIA_TYPES

        self._send(200, self.server.dump(fmt), MEDIA_TYPES[fmt],
                   {"Content-Disposition": f'attachment; filename="greenplan.{ext}"'})

    def _void(self, fmt: str | None) -> None:
        from greenplan.export.metadata import describe as metadata

        triples = metadata(self.server.store, self.server.site)
        name = protocol.choose(self.headers.get("Accept"), fmt, protocol.GRAPH_TYPES) or "turtle"
        self._send(200, protocol.triples_body(triples, name), protocol.MEDIA[name], {"Vary": "Accept"})

    def _network(self, plan: str | None, min_weight: str | None) -> None:
        from greenplan.network.draw import html_page, plan_choices

        try:
            weight = int(min_weight) if min_weight else 1
        except ValueError:
            raise HttpError(400, f"min={(min_weight or '')[:20]!r}: give the minimum of shared tasks as a whole number") from None
        if plan and plan not in {p for p, _ in plan_choices(self.server.store)}:
            raise HttpError(404, f"no plan {plan[:80]!r} in this store; see /network for the plans")
        page_html = html_page(self.server.store, plan=plan or None, min_weight=weight,
                              base=self.server.base, script_src="/static/network/app.js")
        self._send(200, page_html, protocol.HTML)

    def _kept_source(self, identifier: str, at: str | None) -> None:
        from greenplan.web import pages
        from greenplan.web.sources import kept_copy

        kept = kept_copy(self.server.store, identifier)
        if kept is None:
            raise HttpError(404, f"no kept copy of a source named {identifier[:80]!r} in this store")
        if at:       # the copy with one element shown (a page of the site framing it)
            return self._send(200, pages.source_view(self.server.store, identifier, at, self.server.base),
                              protocol.HTML)
        # a kept web page is shown as it was, with its scripts, forms and plugins off (a sandbox)
        self._send(200, kept.path.read_bytes(), kept.media,
                   {"Content-Security-Policy": "sandbox allow-same-origin", "Cache-Control": "max-age=3600"})

    def _static(self, rel: str) -> None:
        target = (STATIC / rel).resolve()
        if STATIC.resolve() not in target.parents or not target.is_file():
            raise HttpError(404, f"no static file {rel!r}")
        self._send(200, target.read_bytes(), STATIC_TYPES.get(target.suffix, "application/octet-stream"),
                   {"Cache-Control": "max-age=3600"})


def _answer_saved(server: GreenplanServer, job: dict):
    """A saved query answered in-process, with the worker's result limits and error mapping."""
    from greenplan.query.catalogue import ParameterError
    from greenplan.web.worker import answer_job

    try:
        job = {**job, "bound_text": server.bound_text(job["saved"], job.get("params") or {})}
        return answer_job(server.store, job, server.limits.max_results, server.limits.max_result_bytes)
    except (SyntaxError, ParameterError) as e:
        raise QueryError(str(e)) from None


def describe(store, iri: str) -> list:
    """CBD-like description: statements with the entity as subject, plus the labels of their objects."""
    import pyoxigraph as ox

    from greenplan.quads import triple_key
    from greenplan.resources import query_text

    s = ox.NamedNode(iri)
    triples = {ox.Triple(s, q.predicate, q.object) for q in store.ox.quads_for_pattern(s, None, None, None)}
    if not triples:
        return []
    rows = store.query(query_text("serve/object-labels"), {"_entity": s})
    triples |= {ox.Triple(r["o"], r["lp"], r["l"]) for r in rows}
    return sorted(triples, key=triple_key)
