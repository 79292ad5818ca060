"""Issue 27: the server answers saved queries and /sparql GET from a cache of its store generation,
with ETag / If-None-Match → 304 and Cache-Control.  The tests check answers and headers, never time.

Expected rows are read from the bundled plan by hand: annex task 51 lists 15 bodies, the most of any
task, so tasks-min-owners with minOwners=15 has exactly that one row."""
from __future__ import annotations

import urllib.request

import pytest

from greenplan.web.cache import AnswerCache, generation, matches
from tests.security.helpers import get, serving, sparql_url

SAVED = "queries/tasks-min-owners.csv?minOwners=15"
ASK_PLAN = "ASK { GRAPH ?g { ?p a <https://w3id.org/greenplan/ontology#Plan> } }"


@pytest.fixture(scope="module")
def server(store):
    with serving(store) as s:
        yield s


def _get(url: str, **headers):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_a_saved_answer_is_the_same_twice_with_an_etag_and_cache_control(server):
    hits = server.answers.hits
    s1, h1, b1 = _get(server.url + SAVED)
    s2, h2, b2 = _get(server.url + SAVED)
    assert s1 == s2 == 200
    rows = b1.decode().splitlines()
    assert len(rows) == 2 and rows[1].startswith("51,15,"), rows
    assert b1 == b2 and h1["ETag"] == h2["ETag"] and h1["ETag"].startswith('"')
    assert "max-age=60" in h1["Cache-Control"] and "public" in h1["Cache-Control"]
    assert server.answers.hits >= hits + 1          # the second came from the cache


def test_if_none_match_gives_304_without_a_body(server):
    _, h, _ = _get(server.url + SAVED)
    status, h304, body = _get(server.url + SAVED, **{"If-None-Match": h["ETag"]})
    assert status == 304 and body == b"" and h304["ETag"] == h["ETag"]
    status, _, body = _get(server.url + SAVED, **{"If-None-Match": '"other", W/' + h["ETag"]})
    assert status == 304
    status, _, body = _get(server.url + SAVED, **{"If-None-Match": '"something-else"'})
    assert status == 200 and body


def test_other_parameters_are_another_answer(server):
    _, h15, b15 = _get(server.url + SAVED)
    _, h3, b3 = _get(server.url + "queries/tasks-min-owners.csv?minOwners=3")
    assert h15["ETag"] != h3["ETag"] and len(b3.decode().splitlines()) > len(b15.decode().splitlines())
    assert matches(h15["ETag"], h15["ETag"]) and not matches(h3["ETag"], h15["ETag"])


def test_sparql_get_is_cacheable_by_accept_and_post_is_not(server):
    url = sparql_url(server, ASK_PLAN)
    s, hj, bj = _get(url, Accept="application/sparql-results+json")
    assert s == 200 and b'"boolean":true' in bj.replace(b" ", b"") and hj["ETag"] and "Accept" in hj["Vary"]
    s, hx, bx = _get(url, Accept="application/sparql-results+xml")
    assert s == 200 and b"<boolean>true</boolean>" in bx and hx["ETag"] != hj["ETag"]
    s, _, _ = _get(url, Accept="application/sparql-results+json", **{"If-None-Match": hj["ETag"]})
    assert s == 304
    s, hp, bp = get(server.url + "sparql", data=ASK_PLAN.encode(), ctype="application/sparql-query",
                    accept="application/sparql-results+json")
    assert s == 200 and bp == bj and hp["ETag"] is None


def test_errors_are_not_cached(server):
    s, h, _ = _get(server.url + "queries/tasks-min-owners.csv?minOwners=x")
    assert s == 400 and h["ETag"] is None


def test_the_cached_answer_is_the_uncached_one(store, server):
    with serving(store, cache_bytes=0) as plain:
        for path in (SAVED, "queries/tasks-min-owners.json?minOwners=10", "queries/tasks-min-owners?minOwners=12&run=1"):
            a, b = _get(server.url + path), _get(plain.url + path)
            assert a[0] == b[0] == 200 and a[2] == b[2] and a[1]["ETag"] == b[1]["ETag"], path
        assert plain.answers.hits == 0


def test_the_generation_follows_the_manifest():
    class S:
        def __init__(self, manifest):
            self.manifest = manifest

    one = {"key": "k", "plans": [{"identifier": "p", "sha256": "a"}]}
    other = {"key": "k", "plans": [{"identifier": "p", "sha256": "b"}]}
    assert generation(S(one)) == generation(S(dict(one))) != generation(S(other))
    assert generation(S({**one, "generation": "g7"})) == "g7"
    assert AnswerCache("g1", 1 << 20).etag(b"x") != AnswerCache("g2", 1 << 20).etag(b"x")


def test_the_cache_is_bounded():
    cache = AnswerCache("g", 800)
    for i in range(50):
        cache.put(str(i), "text/csv", b"x" * 100)
    assert cache.get("49") is not None and cache.get("0") is None
    assert cache.put("big", "text/csv", b"x" * 500)[1] == b"x" * 500 and cache.get("big") is None
