"""A build is one atomic switch of a store generation (issue 24, "Files and stores").

The reproducers: `kill -9` of `greenplan build` at an unlucky moment left graph.nq and manifest.json
disagreeing (12 plans listed, 11 in the graph) and `.index.*.building` folders piling up; two concurrent builds
of one store left the same mismatch. Here builds alternate between two source sets of different plans (so that a
manifest of one set beside the graph of the other is seen), with the on-disk index on, and every state a
reader can meet is checked: the manifest's generation, its graph.nq (chunk by chunk, against the digests the
manifest records), the named graphs of its index and the plans a query finds all agree."""
from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from greenplan.store import generation as gen_mod
from greenplan.store.core import Store, build_store, locate
from greenplan.store.files import GRAPH_FILE, INDEX_DIR, LOCK_FILE, MANIFEST, read_manifest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
ONE = [DATA / "twelve-chapters.txt"]                                   # plan twelve-chapters
TWO = [DATA / "twelve-chapters.txt", DATA / "guangzhou-sample.txt"]    # … and guangzhou-sample
PLANS_QUERY = "SELECT ?p WHERE { GRAPH ?g { ?p a <https://w3id.org/greenplan/ontology#Plan> } }"


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("GREENPLAN_INDEX_MIN_QUADS", "1")     # every store gets its on-disk index: more to get wrong
    monkeypatch.setenv("GREENPLAN_KEEPER", "off")
    return dict(os.environ)


def build_cmd(store: Path, sources: list[Path]) -> list[str]:
    cmd = [sys.executable, "-m", "greenplan.cli.main", "build", "--store", str(store)]
    for s in sources:
        cmd += ["--source", str(s)]
    return cmd


def check_consistent(store: Path) -> list[str]:
    """What a reader sees, checked from three sides; returns the plan identifiers (empty: no store yet)."""
    if not (store / MANIFEST).exists():
        return []
    manifest = read_manifest(store)
    folder = store / manifest["generation"]
    table = manifest["graphs"]
    assert gen_mod.verify(folder / GRAPH_FILE, table) is None
    assert gen_mod.table_digest(table) == manifest["digest"]
    plan_graphs = {g["graph"] for g in table if "/graph/plan/" in g["graph"]}
    assert plan_graphs == {p["graph"] for p in manifest["plans"]}
    assert sum(g["quads"] for g in table) == manifest["quads"]
    index = ox.Store.read_only(str(folder / INDEX_DIR))
    assert {str(g) for g in index.named_graphs()} == {g["graph"] for g in table}
    assert len(index) == manifest["quads"]
    del index
    found = {str(r["p"].value).rsplit("/", 1)[1] for r in Store(store).ox.query(PLANS_QUERY)}
    listed = {p["identifier"] for p in manifest["plans"]}
    assert found == listed
    return sorted(listed)


def leftovers(store: Path) -> list[str]:
    return sorted(p.name for p in store.iterdir()
                  if p.name.endswith((".building", ".tmp", ".old")) or p.name.startswith(".index."))


def test_twenty_kills_and_eight_concurrent_pairs_never_leave_a_mismatch(env, tmp_path):
    store = tmp_path / "store"
    rng = random.Random(24)
    seen: set[tuple[str, ...]] = set()
    for i in range(20):
        proc = subprocess.Popen(build_cmd(store, TWO if i % 2 else ONE), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        seen.add(tuple(check_consistent(store)))
    for i in range(8):
        a = subprocess.Popen(build_cmd(store, ONE), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
        b = subprocess.Popen(build_cmd(store, TWO), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
        errors = [a.communicate(60)[1], b.communicate(60)[1]]
        assert a.returncode == 0 and b.returncode == 0, errors
        seen.add(tuple(check_consistent(store)))
    # both source sets were seen whole (the kills did not all land before or after the switch)
    assert ("guangzhou-sample", "twelve-chapters") in seen and ("twelve-chapters",) in seen
    done = subprocess.run(build_cmd(store, ONE), env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert check_consistent(store) == ["twelve-chapters"]
    assert leftovers(store) == []                   # building folders of killed builds were removed
    generations = sorted(p.name for p in store.iterdir() if p.name.startswith("gen-"))
    manifest = read_manifest(store)
    assert generations[-2:] == [manifest["previous"], manifest["generation"]]
    assert len(generations) <= 3                    # … and at most the one before, removed by the next writer


def test_a_second_writer_waits_for_the_lock_and_says_so(env, tmp_path):
    store = tmp_path / "store"
    build_store(locate(str(store), [str(ONE[0])]))
    fd = os.open(store / LOCK_FILE, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)                  # another writer holds the store
    proc = subprocess.Popen(build_cmd(store, TWO), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    import threading

    timer = threading.Timer(60, proc.kill)          # never hang the suite if the line does not come
    timer.daemon = True
    timer.start()
    try:
        line = proc.stderr.readline()
        assert "another greenplan build, add or remove is writing this store; waiting" in line
        assert proc.poll() is None and check_consistent(store) == ["twelve-chapters"]
    finally:
        os.close(fd)                                 # released: the waiting build goes on
    out, err = proc.communicate(timeout=60)
    timer.cancel()
    assert proc.returncode == 0, err
    assert check_consistent(store) == ["guangzhou-sample", "twelve-chapters"]


def test_a_reader_keeps_reading_the_generation_it_opened(env, tmp_path):
    store = tmp_path / "store"
    build_store(locate(str(store), [str(ONE[0])]))
    early = Store(store)                          # read the manifest, not yet the graph
    build_store(locate(str(store), [str(s) for s in TWO]))
    assert len(list(early.ox.query(PLANS_QUERY))) == 1         # the previous generation, still there, whole
    later = Store(store)
    build_store(locate(str(store), [str(ONE[0])]))
    build_store(locate(str(store), [str(s) for s in TWO]))     # its generation is gone now: it reads the current one
    assert len(list(later.ox.query(PLANS_QUERY))) == 2


def test_an_interrupted_build_leaves_the_previous_store(env, tmp_path, monkeypatch):
    store = tmp_path / "store"
    build_store(locate(str(store), [str(ONE[0])]))
    before = (store / MANIFEST).read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe not a plan")
    from greenplan.errors import GreenplanError

    with pytest.raises(GreenplanError):      # a file that is no plan: the user's error, one line
        build_store(locate(str(store), [str(ONE[0]), str(bad)]))
    assert (store / MANIFEST).read_bytes() == before and leftovers(store) == []
    assert check_consistent(store) == ["twelve-chapters"]


def test_a_store_written_before_generations_is_read_and_replaced(env, tmp_path):
    """The layout of earlier versions (graph.nq beside manifest.json) is read, then replaced by a build."""
    store = tmp_path / "old"
    build_store(locate(str(store), [str(ONE[0])]))
    manifest = read_manifest(store)
    folder = store / manifest["generation"]
    shutil.move(str(folder / GRAPH_FILE), store / GRAPH_FILE)
    shutil.rmtree(folder)
    for k in ("generation", "previous", "graphs", "digest", "index"):
        manifest.pop(k)
    (store / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert len(list(Store(store).ox.query(PLANS_QUERY))) == 1
    build_store(locate(str(store), [str(s) for s in TWO]))
    assert (store / GRAPH_FILE).exists()            # kept while it is the previous generation
    build_store(locate(str(store), [str(s) for s in TWO]))
    build_store(locate(str(store), [str(s) for s in TWO]))
    assert not (store / GRAPH_FILE).exists() and check_consistent(store) == ["guangzhou-sample", "twelve-chapters"]
