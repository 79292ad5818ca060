"""Every store gets an on-disk Oxigraph index beside graph.nq, opened read-only: by a cold query of a small store
(issue 27: nothing parsed at start) and by a per-plan query of a large one; other readers load graph.nq into
memory, and a large store also gets a keeper.

Every path gives the same answers: every saved query is compared on the bundled plan built both ways (the
threshold lowered for the test), in memory, on the index, and on the cold path.
"""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from greenplan.api import run_saved
from greenplan.query.catalogue import catalogue
from greenplan.store import core as st


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    small = tmp_path_factory.mktemp("memory")
    st.build_store(st.locate(str(small)))
    indexed = tmp_path_factory.mktemp("indexed")
    saved = st.INDEX_MIN_QUADS
    st.INDEX_MIN_QUADS = 1
    try:
        st.build_store(st.locate(str(indexed)))
    finally:
        st.INDEX_MIN_QUADS = saved
    return st.Store(small), st.Store(indexed)


def test_every_store_has_an_index_and_a_large_one_opens_it_read_only(both):
    memory, indexed = both
    assert memory.manifest["index"] == st.INDEX_DIR and (memory.files / st.INDEX_DIR).is_dir()
    assert memory.manifest["keeper"] is False and not memory.large        # a small store: no keeper
    assert indexed.manifest["keeper"] is True and indexed.large
    assert json.loads((indexed.directory / st.MANIFEST).read_text())["index"] == st.INDEX_DIR
    assert (indexed.files / st.INDEX_DIR).is_dir()
    quad = ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("x"))
    memory.ox.add(quad)                    # in memory: writable, private to this process
    memory.ox.remove(quad)
    by_default = st.Store(indexed.directory)
    by_default.ox.add(quad)                # a corpus-wide reader loads graph.nq into memory by default
    one_plan = st.Store(indexed.directory)
    one_plan.prefer_index()
    with pytest.raises((OSError, RuntimeError), match="read-write|read.only"):
        one_plan.ox.add(quad)              # on disk: read-only, shared by every process reading the store
    cold = st.Store(memory.directory)
    cold.cold()                            # what `greenplan query tasks` does on a small store
    with pytest.raises((OSError, RuntimeError), match="read-write|read.only"):
        cold.ox.add(quad)
    warm = st.Store(memory.directory)      # validate, export, the server's worker: in memory
    warm.ox.add(quad)


def test_a_query_bound_to_one_plan_reads_its_part_or_the_index_and_others_load_the_store(both):
    _, indexed = both
    one_plan, by_iri, corpus = (st.Store(indexed.directory) for _ in range(3))
    a = run_saved(one_plan, "tasks", {"plan": "zhanjiang-green-economy"})
    iri = indexed.base + "plan/zhanjiang-green-economy"
    c = run_saved(by_iri, "tasks", {"plan": iri})       # not an identifier of the manifest: the on-disk index
    b = run_saved(corpus, "tasks")
    assert a.rows == b.rows == c.rows and len(a.rows) == 112
    assert one_plan._plan is not None and one_plan._ox is None      # the plan's part of graph.nq
    assert by_iri._plan is None and by_iri._use_index
    assert corpus._plan is None and not corpus._use_index


def test_both_layouts_hold_the_same_quads(both):
    memory, indexed = both
    assert sorted(map(str, memory.quads())) == sorted(map(str, indexed.quads()))
    assert len(memory.quads()) == memory.manifest["quads"]


@pytest.mark.parametrize("query", catalogue(), ids=lambda q: q.name)
def test_every_saved_query_gives_the_same_rows_from_the_index(both, query):
    memory, indexed = both
    on_disk = st.Store(indexed.directory)
    on_disk.prefer_index()
    assert run_saved(on_disk, query.name).rows == run_saved(memory, query.name).rows
    assert on_disk._use_index


def test_a_damaged_index_falls_back_to_graph_nq(both, tmp_path):
    import shutil

    _, indexed = both
    copy = tmp_path / "copy"
    shutil.copytree(indexed.directory, copy)
    shutil.rmtree(st.Store(copy).files / st.INDEX_DIR)
    (st.Store(copy).files / st.INDEX_DIR).write_text("not a store")
    reopened = st.Store(copy)
    reopened.prefer_index()
    assert len(reopened.quads()) == indexed.manifest["quads"]


def test_the_endpoint_serves_an_indexed_store(both):
    """Saved queries answer from the index in the server process; arbitrary SPARQL goes to the worker,
    which loads graph.nq into memory before it gives up opening files."""
    import json as _json

    from tests.security.helpers import get, serving, sparql_url

    _, indexed = both
    with serving(indexed) as server:
        status, _, body = get(server.url + "queries/tasks.json")
        assert status == 200 and len(_json.loads(body)["results"]["bindings"]) == 112
        count = "PREFIX gp: <https://w3id.org/greenplan/ontology#> SELECT (COUNT(?t) AS ?n) WHERE { GRAPH ?g { ?t a gp:Task } }"
        status, _, body = get(sparql_url(server, count), accept="application/sparql-results+json")
        assert status == 200 and _json.loads(body)["results"]["bindings"][0]["n"]["value"] == "112"


@pytest.mark.parametrize("query", catalogue(), ids=lambda q: q.name)
def test_every_saved_query_gives_the_same_rows_on_the_cold_path(both, query):
    memory, _ = both
    cold = st.Store(memory.directory)
    cold.cold()
    assert run_saved(cold, query.name).rows == run_saved(st.Store(memory.directory), query.name).rows
    assert cold._use_index


# --- kept answers of the parameter lookups (greenplan.store.answers) -------------------------------------------

def _lookup_files():
    from greenplan.resources import folder

    return sorted((folder("queries") / "parameters").glob("*.rq"))


@pytest.mark.parametrize("lookup", _lookup_files(), ids=lambda p: p.stem)
def test_every_lookup_answer_kept_with_the_generation_is_what_the_store_answers(both, lookup):
    memory, indexed = both
    text = lookup.read_text(encoding="utf-8")
    for store in (memory, indexed):
        kept = st.Store(store.directory).kept_rows(text)
        assert kept is not None, f"{lookup.name}: no kept answer in {store.directory}"
        assert [tuple(r) for r in st.Store(store.directory).ox.query(text)] == kept


def test_a_kept_answer_is_only_for_its_exact_text_and_a_damaged_one_is_not_read(both, tmp_path):
    import shutil

    from greenplan.store.answers import ANSWERS_DIR, SUFFIX, digest

    memory, _ = both
    text = (_lookup_files()[0]).read_text(encoding="utf-8")
    assert st.Store(memory.directory).kept_rows(text + "\n") is None        # an edited lookup runs on the store
    copy = tmp_path / "copy"
    shutil.copytree(memory.directory, copy)
    damaged = st.Store(copy)
    (damaged.files / ANSWERS_DIR / (digest(text) + SUFFIX)).write_text('{"head": {"vars": ["x"]}, "results": [')
    assert damaged.kept_rows(text) is None
    assert damaged.run(text).rows == memory.run(text).rows                  # the store answers instead


@pytest.mark.parametrize("query", ["bureau-partners", "topic-bureaus", "place-tasks"])
def test_a_cold_query_with_a_named_parameter_reads_the_kept_lookup_not_the_store(both, query):
    """The lookup's kept answer resolves the parameter: with graph.nq and the index removed, the lookup still
    answers (the query itself then fails on the missing store, after its parameters were resolved)."""
    import shutil

    from greenplan.query.catalogue import saved_query

    memory, _ = both
    q = saved_query(query)
    expected = q.bindings({}, st.Store(memory.directory))
    copy = memory.directory.parent / f"nostore-{query}"
    shutil.copytree(memory.directory, copy)
    shutil.rmtree(st.Store(copy).files / st.INDEX_DIR)
    (st.Store(copy).files / "graph.nq").unlink()
    assert q.bindings({}, st.Store(copy)) == expected and expected
