"""``greenplan serve``: a read-only SPARQL 1.1 endpoint, linked-data pages and a web UI.

Standard library only (``http.server``).  Routes:

=============================  ==================================================================
``/sparql``                    SPARQL 1.1 Protocol: GET ``?query=``, POST form, POST
                               ``application/sparql-query``; SELECT/ASK as JSON, XML, CSV, TSV and
                               CONSTRUCT/DESCRIBE as Turtle, JSON-LD, N-Triples by ``Accept`` (or
                               ``?format=``).  No query: the service description (``sd:Service``).
                               Updates are refused (403), ``SERVICE`` too (400).  Queries run in a
                               worker process with a time limit (503 when exceeded; the worker is
                               killed and restarted) and a result-size limit (400 when exceeded).
``/plan/…`` ``/org/…``         Linked data: ``{base}X`` is served at ``http://HOST:PORT/X``
``/topic/…`` ``/place/…``      (HTML, or Turtle / JSON-LD / N-Triples by ``Accept``).  Answers keep
                               the base IRI unchanged.  ``/resource?iri=IRI`` shows any other IRI.
``/``                          home: the plans' summaries
``/queries``, ``/queries/N``   the saved queries as forms; ``/queries/N.csv`` ``.json`` ``.tsv``
``/editor``                    SPARQL editor (vendored CodeMirror 5)
``/network``                   the collaboration network view (from :mod:`greenplan.network`)
``/download/graph.EXT``        full dumps: ttl, jsonld, nt, trig, nq (``greenplan export``)
``/.well-known/void``          DCAT + VoID description (from :mod:`greenplan.metadata`)
``/static/…``                  vendored JS/CSS
=============================  ==================================================================

The server loads the store into memory once (pages); the worker process loads its own copy from
the same directory.  Nothing is written, so ``greenplan query`` keeps working meanwhile.
"""
from __future__ import annotations

import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from greenplan.web import protocol
from greenplan.web.layout import ENTITY_ROOTS, error_page, esc, page
from greenplan.web.protocol import Refused
from greenplan.web.worker import QueryError, QueryTimeout, QueryWorker, ResultLimit

STATIC = Path(__file__).parent / "static"
DUMPS = {"ttl": "turtle", "jsonld": "jsonld", "nt": "nt", "trig": "trig", "nq": "nquads"}
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".md": "text/markdown", "": "text/plain",
                ".html": "text/html", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json"}
MAX_BODY = 1 << 20
ENTITY_TYPES = [protocol.HTML, protocol.TURTLE, protocol.JSONLD, protocol.NTRIPLES]


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class GreenplanServer(ThreadingHTTPServer):
    """The HTTP server, its store (pages) and its query worker (user queries)."""

    daemon_threads = True

    def __init__(self, address, store, timeout: float, max_results: int, log=None):
        self.store = store
        self.base = store.base
        self.timeout = timeout
        self.max_results = max_results
        self.log = log
        self.worker = QueryWorker(store.directory, timeout, max_results)
        self._dumps: dict[str, bytes] = {}
        self._dump_lock = threading.Lock()
        super().__init__(address, Handler)
        self.worker.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def dump(self, fmt: str) -> bytes:
        with self._dump_lock:
            if fmt not in self._dumps:
                from greenplan.export import serialize

                self._dumps[fmt] = serialize(self.store.quads(), fmt, self.base)
            return self._dumps[fmt]

    def server_close(self) -> None:
        super().server_close()
        self.worker.close()


def _open_store(store):
    if hasattr(store, "directory") and hasattr(store, "query"):
        return store
    from greenplan.store import Store

    return Store(Path(store))


def make_server(store, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0,
                max_results: int = 10000, log=None) -> GreenplanServer:
    """A ready server (worker started, socket bound) for a Store or a store directory.

    Call ``serve_forever()`` (e.g. in a thread), then ``shutdown()`` and ``server_close()``.
    ``log`` receives one line per request (None: quiet).
    """
    if timeout <= 0:
        raise ValueError(f"--timeout must be positive, got {timeout}")
    if max_results <= 0:
        raise ValueError(f"--max-results must be positive, got {max_results}")
    return GreenplanServer((host, port), _open_store(store), timeout, max_results, log)


class Handler(BaseHTTPRequestHandler):
    server: GreenplanServer
    protocol_version = "HTTP/1.1"
    server_version = "greenplan"

    # --- plumbing -------------------------------------------------------------------

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's name)
        if self.server.log:
            self.server.log(f"{self.address_string()} {format % args}")

    def _send(self, status: int, body: bytes | str, ctype: str, headers: dict | None = None) -> None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        if ctype.startswith(("text/", "application/sparql-results", "application/ld+json", "application/n-triples",
                             "application/json", "application/javascript")) and "charset" not in ctype:
            ctype += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, html: bool, headers: dict | None = None) -> None:
        if html:
            self._send(status, error_page(status, message), protocol.HTML, headers)
        else:
            self._send(status, f"Error {status}: {message}\n", "text/plain", headers)

    def _wants_html(self) -> bool:
        return protocol.negotiate(self.headers.get("Accept"), [protocol.HTML, "text/plain"]) == protocol.HTML

    def do_GET(self):
        self._dispatch(None)

    def do_HEAD(self):
        self._dispatch(None)

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or (not length and "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()):
            self.close_connection = True
            return self._error(411, "send the request body with a Content-Length header", False)
        if length > MAX_BODY:
            self.close_connection = True
            return self._error(413, f"request body larger than {MAX_BODY} bytes", False)
        self._dispatch(self.rfile.read(length) if length else b"")

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
        self._error(405, f"{self.command} is not allowed: this server is read-only (SPARQL queries only)", False,
                    {"Allow": "GET, HEAD, POST"})

    def _dispatch(self, body: bytes | None) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        params = parse_qs(url.query, keep_blank_values=True)
        html = path != "/sparql" and not path.startswith(("/download/", "/static/")) and self._wants_html()
        try:
            if path == "/sparql":
                return self._sparql(params, body)
            if body is not None:
                raise HttpError(405, f"POST is only accepted at /sparql, not at {path}", {"Allow": "GET, HEAD"})
            self._get(path, params)
        except HttpError as e:
            self._error(e.status, str(e), html, e.headers)
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
            from greenplan.catalogue import catalogue

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
            return self._send(200, _downloads_page(), protocol.HTML)
        if path == "/.well-known/void":
            return self._void(one("format"))
        if path == "/network":
            return self._network()
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
        fmt = (params.get("format") or [None])[0]
        if query is None:
            return self._service_description(fmt)
        try:
            protocol.check_query(query)
        except Refused as e:
            raise HttpError(e.status, str(e)) from None
        job = {"sparql": query, "default_graphs": params.get("default-graph-uri", []),
               "named_graphs": params.get("named-graph-uri", [])}
        answer = self._run(job)
        self._answer(answer, fmt)

    def _run(self, job: dict):
        try:
            if "saved" in job:
                # Saved queries are the project's own, fixed and fast (bench/README.md): answered in this
                # process (≈ 1 ms). Arbitrary SPARQL goes to the worker, which the time limit can end.
                return _answer_saved(self.server.store, job, self.server.max_results)
            return self.server.worker.run(job)
        except QueryTimeout as e:
            raise HttpError(503, str(e)) from None
        except ResultLimit as e:
            raise HttpError(400, str(e)) from None
        except QueryError as e:
            raise HttpError(400, str(e)) from None
        except RuntimeError as e:
            raise HttpError(500, str(e)) from None

    def _answer(self, answer, fmt: str | None, filename: str | None = None) -> None:
        accept = self.headers.get("Accept")
        headers = {"Vary": "Accept"}
        if isinstance(answer, list):
            name = protocol.choose(accept, fmt, protocol.GRAPH_TYPES)
            if name is None:
                raise HttpError(406, "CONSTRUCT/DESCRIBE answers are available as text/turtle, application/ld+json "
                                     "or application/n-triples")
            return self._send(200, protocol.triples_body(answer, name, self.server.base), protocol.MEDIA[name], headers)
        name = protocol.choose(accept, fmt, protocol.RESULT_TYPES)
        if name is None:
            raise HttpError(406, "SELECT/ASK answers are available as application/sparql-results+json, "
                                 "application/sparql-results+xml, text/csv or text/tab-separated-values")
        if filename:
            headers["Content-Disposition"] = f'attachment; filename="{filename}.{name}"'
        self._send(200, protocol.results_body(answer, name), protocol.MEDIA[name], headers)

    def _service_description(self, fmt: str | None) -> None:
        name = protocol.choose(self.headers.get("Accept"), fmt, protocol.GRAPH_TYPES) or "turtle"
        graphs = sorted(g.value for g in self.server.store.ox.named_graphs())
        triples = protocol.service_description(self._site() + "sparql", graphs)
        self._send(200, protocol.triples_body(triples, name), protocol.MEDIA[name], {"Vary": "Accept"})

    def _site(self) -> str:
        host = self.headers.get("Host")
        return f"http://{host}/" if host else self.server.url

    # --- UI ---------------------------------------------------------------------------

    def _saved(self, rest: str, params: dict) -> None:
        from greenplan.catalogue import ParameterError, saved_query
        from greenplan.web import pages

        name, dot, ext = rest.partition(".")
        try:
            q = saved_query(name)
        except ParameterError as e:
            raise HttpError(404, str(e)) from None
        values = {k: v[0] for k, v in params.items() if k not in ("run", "format")}
        job = {"saved": name, "params": {k: v for k, v in values.items() if v != ""}}
        if dot:
            if ext not in ("csv", "json", "tsv", "xml"):
                raise HttpError(404, f"/queries/{name}.{ext}: downloads are .csv, .json, .tsv or .xml")
            return self._answer(self._run(job), ext, filename=name)
        result_html = None
        if "run" in params:
            result_html = pages.results_table(self.server.store, self._run(job), self.server.base)
        self._send(200, pages.query_page(self.server.store, q, values, result_html), protocol.HTML)

    def _editor(self, query: str | None) -> None:
        from greenplan.web import pages

        result_html = None
        if query:
            try:
                protocol.check_query(query)
                answer = self._run({"sparql": query})
            except Refused as e:
                raise HttpError(e.status, str(e)) from None
            if isinstance(answer, list):
                ttl = protocol.triples_body(answer, "turtle", self.server.base).decode("utf-8")
                result_html = f'<pre class="turtle">{esc(ttl)}</pre><p class="count">({len(answer)} triples)</p>'
            else:
                result_html = pages.results_table(self.server.store, answer, self.server.base)
        self._send(200, pages.editor_page(query, result_html), protocol.HTML)

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
            media = protocol.MEDIA.get(name) if name in ("html", "turtle", "jsonld", "nt") else None
        else:
            media = protocol.negotiate(accept, ENTITY_TYPES)
        if media is None:
            raise HttpError(406, "entities are available as text/html, text/turtle, application/ld+json or "
                                 "application/n-triples")
        headers = {"Vary": "Accept"}
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
        from greenplan.export import MEDIA_TYPES

        self._send(200, self.server.dump(fmt), MEDIA_TYPES[fmt],
                   {"Content-Disposition": f'attachment; filename="greenplan.{ext}"'})

    def _void(self, fmt: str | None) -> None:
        from greenplan.metadata import describe as metadata

        triples = _as_triples(metadata(self.server.store, self._site()))
        name = protocol.choose(self.headers.get("Accept"), fmt, protocol.GRAPH_TYPES) or "turtle"
        self._send(200, protocol.triples_body(triples, name), protocol.MEDIA[name], {"Vary": "Accept"})

    def _network(self) -> None:
        from greenplan.network import html_page

        page_html = html_page(self.server.store, script_src="/static/network/vis-network.min.js")
        self._send(200, page_html, protocol.HTML)

    def _static(self, rel: str) -> None:
        target = (STATIC / rel).resolve()
        if STATIC.resolve() not in target.parents or not target.is_file():
            raise HttpError(404, f"no static file {rel!r}")
        self._send(200, target.read_bytes(), STATIC_TYPES.get(target.suffix, "application/octet-stream"),
                   {"Cache-Control": "max-age=3600"})


def _downloads_page() -> str:
    items = "".join(f'<li><a href="/download/graph.{ext}">graph.{ext}</a> ({esc(fmt)})</li>' for ext, fmt in DUMPS.items())
    return page("Downloads", "<h1>下载 Downloads</h1><p>The whole graph, with its base IRI unchanged "
                "(the same bytes as <code>greenplan export</code>). Turtle, JSON-LD and N-Triples hold the union "
                f"of the named graphs; TriG and N-Quads keep them.</p><ul>{items}</ul>")


def _answer_saved(store, job: dict, max_results: int):
    """A saved query answered in-process, with the worker's result limit and error mapping."""
    from greenplan.catalogue import ParameterError
    from greenplan.web.worker import answer_job

    try:
        return answer_job(store, job, max_results)
    except (SyntaxError, ParameterError) as e:
        raise QueryError(str(e)) from None


def _as_triples(description) -> list:
    """greenplan.metadata's answer (Oxigraph triples/quads, or an rdflib Graph) as Oxigraph triples."""
    import pyoxigraph as ox

    if hasattr(description, "serialize") and not isinstance(description, (list, tuple)):
        data = description.serialize(format="nt")
        data = data.encode() if isinstance(data, str) else data
        return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return [ox.Triple(t.subject, t.predicate, t.object) for t in description]


LABELS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
          "http://purl.org/dc/terms/title", "https://w3id.org/greenplan/ontology#title",
          "https://w3id.org/greenplan/ontology#name")


def describe(store, iri: str) -> list:
    """CBD-like description: statements with the entity as subject, plus the labels of their objects."""
    import pyoxigraph as ox

    s = ox.NamedNode(iri)
    values = " ".join(f"<{p}>" for p in LABELS)
    triples = {ox.Triple(s, q.predicate, q.object) for q in store.ox.quads_for_pattern(s, None, None, None)}
    if not triples:
        return []
    rows = store.query(f"SELECT DISTINCT ?o ?lp ?l WHERE {{ GRAPH ?g {{ {s} ?p ?o FILTER(isIRI(?o)) }} "
                       f"GRAPH ?g2 {{ ?o ?lp ?l }} VALUES ?lp {{ {values} }} }}")
    triples |= {ox.Triple(r["o"], r["lp"], r["l"]) for r in rows}
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _stop(signum, frame):
    raise KeyboardInterrupt


def main(args) -> int:
    from greenplan.cli import _log, _open, _usage

    if args.timeout <= 0 or args.max_results <= 0:
        return _usage("--timeout and --max-results must be positive numbers")
    store = _open(args)
    try:
        server = make_server(store, args.host, args.port, args.timeout, args.max_results, log=_log)
    except OSError as e:
        return _usage(f"cannot listen on {args.host}:{args.port} ({e.strerror or e}); pick another --port "
                      "(0 picks a free one)")
    url = server.url
    signal.signal(signal.SIGTERM, _stop)
    print(f"greenplan serve: {url}  (SPARQL endpoint {url}sparql; {store.base}X is served at {url}X)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
