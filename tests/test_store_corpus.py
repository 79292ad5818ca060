"""A corpus that grows (issue 28): add, replace and remove plans; folders and list files as sources; a grown
store equals a fresh build of the same final sources, byte for byte.

Plans used (read by hand): tests/data/twelve-chapters.txt (identifier twelve-chapters from its .meta.toml; task
1 of chapter 一 reads "1.落实第1项任务。按要求推进相关工作。（市生态环境局负责）", i.e. owned by 市生态环境局, which
means 广州市生态环境局 in this Guangzhou plan), tests/data/guangzhou-sample.txt (guangzhou-sample) and the gov.cn
page gbf-2018-121 (identifier from its number 国办发〔2018〕121号)."""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from greenplan import api
from greenplan.store.core import Store, build_store, locate
from greenplan.store.files import INDEX_DIR, MANIFEST, graph_path, read_manifest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TWELVE, SAMPLE = DATA / "twelve-chapters.txt", DATA / "guangzhou-sample.txt"
PAGE = DATA / "gov-cn" / "gbf-2018-121-sports-competitions.html"
TASK_1 = "1.落实第1项任务。按要求推进相关工作。（市生态环境局负责）"
TASK_1_EDITED = "1.落实第1项任务。按要求推进相关工作。（市发展改革委负责）"


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("GREENPLAN_KEEPER", "off")


def copy_plan(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, folder / src.name)
    meta = src.with_name(src.stem + ".meta.toml")
    if meta.exists():
        shutil.copy(meta, folder / meta.name)
    return folder / src.name


def identifiers(store: Path) -> list[str]:
    return sorted(p["identifier"] for p in api.plans(str(store)))


def task_owners(store: Path, plan: str) -> list[str]:
    """The owners of the one task of chapter 一 (第1方面工作)."""
    rows = api.run_saved(Store(store), "tasks", {"plan": plan}).dicts()
    return [str(r["bureaus"]) for r in rows if str(r["chapter"]) == "第1方面工作"]


def sorted_nquads(store: Path) -> bytes:
    lines = graph_path(store).read_bytes().splitlines(keepends=True)
    return b"".join(sorted(lines))


def test_add_replace_remove(tmp_path):
    store = tmp_path / "S"
    build_store(locate(str(store), [str(TWELVE)]))
    change = api.add(str(store), [str(SAMPLE)])
    assert [p.identifier for p in change.added] == ["guangzhou-sample"]
    assert identifiers(store) == ["guangzhou-sample", "twelve-chapters"]
    assert task_owners(store, "twelve-chapters") == ["广州市生态环境局"]

    edited = copy_plan(TWELVE, tmp_path / "edited")           # a corrected version of the first plan
    text = edited.read_text(encoding="utf-8")
    assert text.count(TASK_1) == 1
    edited.write_text(text.replace(TASK_1, TASK_1_EDITED), encoding="utf-8")
    change = api.add(str(store), [str(edited)])
    assert [p.identifier for p in change.replaced] == ["twelve-chapters"] and not change.added
    assert identifiers(store) == ["guangzhou-sample", "twelve-chapters"]
    # the edited copy's owner, nothing of the old: 市发展改革委 in a Guangzhou plan is 广州市发展和改革委员会
    # (ontology/local-bodies.tsv: development-reform-commission, {place}发展和改革委员会, spelled X发展改革委)
    assert task_owners(store, "twelve-chapters") == ["广州市发展和改革委员会"]
    source = {p["identifier"]: p["source"] for p in api.plans(str(store))}
    assert source["twelve-chapters"] == str(edited)

    again = api.add(str(store), [str(edited)])                 # unchanged: nothing read, nothing written
    assert again.unchanged == ["twelve-chapters"] and not again.added and not again.replaced

    change = api.remove(str(store), ["guangzhou-sample"])
    assert change.removed == ["guangzhou-sample"] and identifiers(store) == ["twelve-chapters"]


def test_each_generation_keeps_its_own_lookup_answers(tmp_path):
    """`add` and `remove` write a generation whose kept lookup answers (greenplan.store.answers) name its plans:
    a plan parameter resolves to a plan just added and no longer to one removed."""
    from greenplan.query.catalogue import ParameterError, saved_query
    from greenplan.store.core import Store

    store = tmp_path / "S"
    build_store(locate(str(store), [str(TWELVE)]))
    q = saved_query("tasks")
    with pytest.raises(ParameterError, match="unknown plan"):
        q.bindings({"plan": "guangzhou-sample"}, Store(store))
    api.add(str(store), [str(SAMPLE)])
    assert Store(store).manifest["answers"]
    assert q.bindings({"plan": "guangzhou-sample"}, Store(store))
    api.remove(str(store), ["guangzhou-sample"])
    with pytest.raises(ParameterError, match="unknown plan"):
        q.bindings({"plan": "guangzhou-sample"}, Store(store))


@pytest.mark.parametrize("indexed", [False, True])
def test_add_add_remove_add_equals_a_fresh_build(tmp_path, monkeypatch, indexed):
    if indexed:
        monkeypatch.setenv("GREENPLAN_INDEX_MIN_QUADS", "1")
    grown, fresh = tmp_path / "grown", tmp_path / "fresh"
    build_store(locate(str(grown), [str(TWELVE)]))
    api.add(str(grown), [str(SAMPLE)])
    api.add(str(grown), [str(PAGE)])
    api.remove(str(grown), ["twelve-chapters"])
    api.add(str(grown), [str(TWELVE)])
    build_store(locate(str(fresh), [str(SAMPLE), str(PAGE), str(TWELVE)]))
    assert sorted_nquads(grown) == sorted_nquads(fresh)
    assert graph_path(grown).read_bytes() == graph_path(fresh).read_bytes()     # the file itself, too
    assert read_manifest(grown)["digest"] == read_manifest(fresh)["digest"]
    if indexed:        # the derived index holds exactly the quads of graph.nq
        expected = ox.Store()
        expected.load(path=str(graph_path(fresh)), format=ox.RdfFormat.N_QUADS)
        index = ox.Store.read_only(str(graph_path(grown).parent / INDEX_DIR))
        assert set(map(str, index)) == set(map(str, expected))
        assert {str(g) for g in index.named_graphs()} == {str(g) for g in expected.named_graphs()}


def test_a_folder_of_three_documents_gives_three_plans(tmp_path):
    folder = tmp_path / "plans"
    for src in (TWELVE, SAMPLE, PAGE):
        copy_plan(src, folder)
    (folder / "notes.md").write_text("not a plan\n", encoding="utf-8")     # not a plan file: left out
    store = tmp_path / "S"
    build_store(locate(str(store), [str(folder)]))
    assert identifiers(store) == ["gbf-2018-121", "guangzhou-sample", "twelve-chapters"]   # .meta.toml applied
    listed = [Path(p["source"]).name for p in read_manifest(store)["plans"]]
    assert listed == sorted(listed)                                            # read in name order


def test_a_list_file_of_two_paths_and_one_url_gives_three_plans(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "content_5350734.htm").write_bytes(PAGE.read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/content_5350734.htm"
    plans = tmp_path / "corpus"
    first = copy_plan(TWELVE, plans)
    copy_plan(SAMPLE, plans / "more")
    listing = plans / "sources.list"
    listing.write_text(f"# our corpus\ntwelve-chapters.txt\n\nmore/guangzhou-sample.txt\n{url}\n", encoding="utf-8")
    store = tmp_path / "S"
    try:
        build_store(locate(str(store), [str(first)]))      # already in the store: found unchanged, not read
        proc = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "add", "--store", str(store),
                               "--source", str(listing)], capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    assert "added gbf-2018-121, guangzhou-sample" in proc.stdout or "added guangzhou-sample, gbf-2018-121" in proc.stdout
    assert "unchanged twelve-chapters" in proc.stdout
    assert identifiers(store) == ["gbf-2018-121", "guangzhou-sample", "twelve-chapters"]
    assert {p["identifier"]: p["source"] for p in api.plans(str(store))}["gbf-2018-121"] == url


def test_a_failed_add_leaves_the_previous_corpus(tmp_path):
    store = tmp_path / "S"
    build_store(locate(str(store), [str(TWELVE), str(SAMPLE)]))
    before = (store / MANIFEST).read_bytes(), graph_path(store).read_bytes()
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    proc = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "add", "--store", str(store),
                           "--source", str(PAGE), "--source", str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert ((store / MANIFEST).read_bytes(), graph_path(store).read_bytes()) == before
    assert not [p for p in store.iterdir() if p.name.endswith(".building")]
    gone = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "remove", "--store", str(store),
                           "--plan", "no-such-plan"], capture_output=True, text=True, timeout=60)
    assert gone.returncode == 2 and "no plan no-such-plan in this store" in gone.stderr
    assert (store / MANIFEST).read_bytes() == before[0]


def test_plans_lists_where_each_came_from_and_when(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764892800")      # 2025-12-05T00:00:00Z
    store = tmp_path / "S"
    build_store(locate(str(store), [str(TWELVE)]))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764979200")      # a day later
    api.add(str(store), [str(SAMPLE)])
    proc = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "plans", "--store", str(store), "--format",
                           "json"], capture_output=True, text=True, timeout=60)
    rows = json.loads(proc.stdout)
    assert [(r["identifier"], r["added"], r["source"]) for r in rows] == [
        ("twelve-chapters", "2025-12-05T00:00:00Z", str(TWELVE)),
        ("guangzhou-sample", "2025-12-06T00:00:00Z", str(SAMPLE))]
    assert all(isinstance(r["quads"], int) and r["quads"] > 0 for r in rows)
    assert b"2025-12-06" not in graph_path(store).read_bytes()            # the time is not in the graph


def test_counterparts_of_one_plan_are_the_links_of_the_bodies_it_names(tmp_path):
    """A Zhanjiang and a Guangzhou plan in one store: `counterparts --param plan=…` gives the links of one city's
    bodies only (every body of the Zhanjiang plan is a Zhanjiang body, of the Guangzhou plan a Guangzhou one, each
    linked to a national body: 中共湛江市委宣传部 and 中国人民银行湛江市中心支行 name their city inside), and without a
    plan the links of both."""
    from greenplan.resources import bundled_plan

    store = tmp_path / "S"
    build_store(locate(str(store), [str(bundled_plan()), str(TWELVE)]))
    s = Store(store)
    every = {(r["label"], r["counterpartLabel"]) for r in api.run_saved(s, "counterparts").dicts()}
    zhanjiang = {(r["label"], r["counterpartLabel"])
                 for r in api.run_saved(s, "counterparts", {"plan": "zhanjiang-green-economy"}).dicts()}
    twelve = {(r["label"], r["counterpartLabel"])
              for r in api.run_saved(s, "counterparts", {"plan": "twelve-chapters"}).dicts()}
    assert zhanjiang and twelve and zhanjiang | twelve == every
    assert all("湛江" in label and "广州" not in label for label, _ in zhanjiang)
    assert all("广州" in label and "湛江" not in label for label, _ in twelve)


# --- one plan of a large store, answered from its part of graph.nq (Store.prefer_plan) -----------------------

@pytest.fixture(scope="module")
def four_plans(tmp_path_factory):
    """Zhanjiang's plan, two Guangzhou plans (bodies minted from the same spellings in both: no 440100 list) and
    a State Council page, in a store built as a large one (a keeper's store: the threshold lowered)."""
    from greenplan.resources import bundled_plan

    store = tmp_path_factory.mktemp("four") / "S"
    saved = os.environ.get("GREENPLAN_INDEX_MIN_QUADS")
    os.environ["GREENPLAN_INDEX_MIN_QUADS"] = "1"
    try:
        build_store(locate(str(store), [str(bundled_plan()), str(TWELVE), str(SAMPLE), str(PAGE)]))
    finally:
        if saved is None:
            del os.environ["GREENPLAN_INDEX_MIN_QUADS"]
        else:
            os.environ["GREENPLAN_INDEX_MIN_QUADS"] = saved
    return store


def _every_query_and_plan():
    from greenplan.query.catalogue import catalogue

    plans = ["zhanjiang-green-economy", "twelve-chapters", "guangzhou-sample", "gbf-2018-121"]
    return [(q.name, p) for q in catalogue() for p in plans]


@pytest.mark.parametrize("query, plan", _every_query_and_plan())
def test_a_query_about_one_plan_gives_on_its_part_what_the_whole_store_gives(four_plans, query, plan):
    whole = Store(four_plans)
    assert whole.large and whole.ox is not None          # loaded whole first: the reference
    expected = api.run_saved(whole, query, {"plan": plan})
    part = Store(four_plans)
    got = api.run_saved(part, query, {"plan": plan})
    if api.saved_query(query).across_plans:              # `#+ across-plans: true`: the whole store's index
        assert part._plan is None and part._use_index
    else:                                                # answered from the plan's part, never the whole store
        assert part._plan is not None and part._ox is None
    assert got == expected


def test_the_part_of_one_plan_holds_its_graph_and_no_other_plans(four_plans):
    s = Store(four_plans)
    s.prefer_plan("twelve-chapters")
    part = s._plan_store()
    graphs = {g.value for g in part.named_graphs()}
    plan_graphs = {g for g in graphs if "/graph/plan/" in g}
    assert plan_graphs == {s.base + "graph/plan/twelve-chapters"}
    assert {s.base + "graph/ontology", s.base + "graph/topics"} <= graphs
    assert len(part) < s.manifest["quads"]
    other = Store(four_plans)          # a plan given by another spelling than its identifier: the whole store
    other.prefer_plan("Twelve chapters?")
    assert other._plan is None


def test_a_query_not_bound_to_the_plan_never_reads_the_part(four_plans):
    s = Store(four_plans)
    s.prefer_plan("twelve-chapters")
    rows = api.run_saved(s, "plans").dicts()           # no plan binding: every plan of the store
    assert len(rows) == 4 and s._ox is not None


def test_a_damaged_part_of_one_plan_is_a_store_error(four_plans, tmp_path):
    """The plan's part of graph.nq is parsed like the whole file: damaged bytes there are the one-line store error
    that says to rebuild, never a traceback or a partial answer."""
    from greenplan.store.core import StoreError

    copy = tmp_path / "copy"
    shutil.copytree(four_plans, copy)
    s = Store(copy)
    entry = next(g for g in s.manifest["graphs"] if g["graph"].endswith("/plan/twelve-chapters>"))
    path = graph_path(copy)
    data = bytearray(path.read_bytes())
    data[entry["offset"]:entry["offset"] + 10] = b"<urn:a> <b"      # a quad cut short, at the plan's first line
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged store file"):
        api.run_saved(Store(copy), "tasks", {"plan": "twelve-chapters"})
    cli = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "query", "tasks", "--store", str(copy),
                          "--param", "plan=twelve-chapters"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "GREENPLAN_KEEPER": "off"})
    assert cli.returncode == 2 and cli.stderr.count("\n") == 1 and "damaged store file" in cli.stderr
    assert "Traceback" not in cli.stderr
