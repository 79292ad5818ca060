"""``greenplan push --store URL``: load the graphs into a triplestore over the SPARQL 1.1 Graph Store Protocol.

Every named graph of the local store (each plan's graph and the ontology,
bureaus, topics and places graphs) is sent with ``PUT URL?graph=<iri>`` and an
N-Triples body.  PUT replaces the graph, so pushing twice leaves one copy.
Nothing is sent to the default graph: saved queries read ``GRAPH ?g``.

Graph Store URLs: Oxigraph ``http://HOST:7878/store``, Apache Jena Fuseki
``http://HOST:3030/DATASET/data``, GraphDB ``http://HOST:7200/repositories/REPO/rdf-graphs/service``,
Virtuoso ``http://HOST:8890/sparql-graph-crud`` (``…-auth`` with credentials).

Credentials: ``--user NAME`` with the password from ``GREENPLAN_PASSWORD`` or a
prompt that does not echo (never an option: command lines are visible to other
users).  The answer to the server's challenge is HTTP basic or digest, as the
server asks (Virtuoso's ``/sparql-graph-crud-auth`` asks for digest).

Failures: every request has a time limit (``--timeout``, seconds).  When a PUT
fails, the message names the graphs already replaced and the command that
sends the rest (``--from GRAPH``: graphs go in sorted order, so a push can be
resumed where it stopped).
"""
from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pyoxigraph as ox

from greenplan.progress import Steps
from greenplan.quads import to_bytes
from greenplan.store.core import StoreError

MEDIA_TYPE = "application/n-triples"
TIMEOUT = 30.0          # seconds without progress before a request is given up
PASSWORD_VARIABLE = "GREENPLAN_PASSWORD"


@dataclass
class Pushed:
    graph: str
    triples: int


class PushError(StoreError):
    """A PUT failed; ``done`` are the graphs replaced before it, ``left`` those not sent."""

    def __init__(self, message: str, done: list[Pushed], left: list[str]):
        super().__init__(message)
        self.done, self.left = done, left


def graph_url(url: str, graph: str) -> str:
    """The Graph Store Protocol URL of one named graph (indirect identification: ``?graph=``)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}{urllib.parse.urlencode({'graph': graph})}"


def graphs(quads) -> dict[str, list[ox.Triple]]:
    """Named graph IRI → its triples, sorted (the default graph is skipped; a built store has none)."""
    out: dict[str, list[ox.Triple]] = {}
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode):
            out.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    return {g: sorted(ts, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
            for g, ts in sorted(out.items())}


class Credentials:
    """HTTP basic or digest credentials, answered to the challenge the server gives.

    urllib's handlers answer a challenge only after the 401 to the full request, and a server that answers
    401 before reading a large PUT body closes the connection under it (seen on Virtuoso: a broken pipe).
    So each PUT is preceded by a HEAD that fetches the challenge, and the PUT carries its answer."""

    def __init__(self, url: str, user: str, password: str):
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, user, password)
        self.digest = urllib.request.HTTPDigestAuthHandler(manager)
        self.user, self.password = user, password

    def authorization(self, target: str, timeout: float) -> str | None:
        """The ``Authorization`` value for a PUT to ``target``; None when the server asks for none."""
        import base64

        try:
            with urllib.request.urlopen(urllib.request.Request(target, method="HEAD"), timeout=timeout) as r:
                r.read()
            return None
        except urllib.error.HTTPError as e:
            if e.code != 401:
                return None            # the PUT itself will say what is wrong
            challenges = e.headers.get_all("WWW-Authenticate") or []
        schemes = []
        for challenge in challenges:
            scheme, _, rest = challenge.strip().partition(" ")
            schemes.append(scheme)
            if scheme.lower() == "digest":
                params = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
                answer = self.digest.get_authorization(urllib.request.Request(target, method="PUT"), params)
                if answer:
                    return "Digest " + answer
            elif scheme.lower() == "basic":
                token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
                return "Basic " + token
        raise StoreError(f"push to {target}: the server asks for {', '.join(schemes) or 'an unnamed scheme'} "
                         "authentication; greenplan answers basic and digest")


def put_graph(url: str, graph: str, triples: list[ox.Triple], timeout: float = TIMEOUT,
              credentials: Credentials | None = None) -> None:
    """Replace one named graph at the Graph Store endpoint ``url``."""
    body = to_bytes(triples, ox.RdfFormat.N_TRIPLES) if triples else b""
    target = graph_url(url, graph)
    headers = {"Content-Type": MEDIA_TYPE, "Content-Length": str(len(body))}
    try:
        answer = credentials.authorization(target, timeout) if credentials else None
        if answer:
            headers["Authorization"] = answer
        req = urllib.request.Request(target, data=body, method="PUT", headers=headers)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
    except urllib.error.HTTPError as e:
        try:
            detail = " ".join(e.read().decode("utf-8", "replace").split())[:300]
        except (OSError, http.client.HTTPException):
            detail = ""
        hint = {401: "the endpoint needs credentials (--user NAME, password from "
                     f"{PASSWORD_VARIABLE} or the prompt) or refused them",
                403: "the endpoint refuses writes", 404: "no Graph Store endpoint at this URL",
                405: "this URL does not accept PUT; give the Graph Store URL, not the query URL"}.get(e.code, "")
        raise StoreError(f"push to {target}: HTTP {e.code} {e.reason}{': ' + detail if detail else ''}"
                         f"{'; ' + hint if hint else ''} (see `greenplan push --help` for the URL each "
                         "triplestore uses)") from None
    except TimeoutError:
        raise StoreError(f"push to {target}: no answer within {timeout:g} s (--timeout)") from None
    except http.client.HTTPException as e:   # e.g. IncompleteRead: the answer broke off
        raise StoreError(f"push to {target}: the answer broke off ({type(e).__name__}); the graph may or may "
                         "not have been replaced") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise StoreError(f"cannot reach the Graph Store endpoint {url} ({reason}); start the server or fix --store "
                         "(for Oxigraph: http://HOST:PORT/store)") from None


def push(store, url: str, log=None, *, user: str | None = None, password: str | None = None,
         timeout: float = TIMEOUT, start: str | None = None) -> list[Pushed]:
    """Send every named graph of ``store`` to the Graph Store endpoint ``url``, each replacing its graph.

    ``start``: the first graph to send (the graphs before it in sorted order are skipped) — to resume.
    A failure raises :class:`PushError` naming what was replaced and what was not."""
    if not url.startswith(("http://", "https://")):
        raise StoreError(f"--store {url!r}: give the http(s) URL of a SPARQL Graph Store endpoint, "
                         "e.g. http://127.0.0.1:7878/store")
    todo = graphs(store.quads())
    if start is not None:
        if start not in todo:
            raise StoreError(f"--from {start!r}: no such graph in the store; its graphs: {', '.join(todo)}")
        todo = {g: ts for g, ts in todo.items() if g >= start}
    credentials = Credentials(url, user, password or "") if user is not None else None
    done: list[Pushed] = []
    with Steps("pushing", total=len(todo)) as steps:
        for graph, triples in todo.items():
            try:
                put_graph(url, graph, triples, timeout, credentials)
            except StoreError as e:
                left = [g for g in todo if g not in {p.graph for p in done}]
                replaced = ", ".join(p.graph for p in done) or "none"
                raise PushError(f"{e}. Replaced before the failure: {replaced}; not sent: {', '.join(left)}. "
                                f"To send the rest: greenplan push --store {url} --from {left[0]}", done, left) from None
            done.append(Pushed(graph, len(triples)))
            steps.advance(graph)
            if log:
                log(f"pushed {graph} ({len(triples)} triples)")
    return done
