"""The query path stays light, and one store holds several plans (issue 7). No timings here: bench/ measures.

Expected answers for the multi-plan store come from the documents: the bundled plan's annex 1 as read by
hand (tests/data/annex1-owners.tsv, spellings.tsv) and, for a generated variant, the owner cells its text
prints on the same lines (read with plain string operations, not with greenplan's loader).
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from greenplan.api import run_saved
from greenplan.query.catalogue import ParameterError
from greenplan.resources import bundled_plan
from greenplan.store.core import Store, build_store, locate
from greenplan.store.files import graph_path
from tests.handread import OWNER_CELLS, SPELLINGS, owner_names
from tests.test_queries import annex1_task_texts, expected_topic_bureaus, hydrogen_tasks, joined, owners

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("rdflib", "pyshacl", "networkx", "matplotlib")
PROBE = """
import json, sys
from greenplan.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.split(".")[0] in %r
                                                  or m.startswith("greenplan.loaders"))}))
""" % (HEAVY,)


def probe(args: list[str], env: dict | None = None) -> dict:
    """Run greenplan.cli.main(args) in a fresh interpreter; its exit code and the modules it imported."""
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the query path imports what it needs, nothing more ----------------------------------------

def test_query_on_a_built_store_imports_no_heavy_library(store):
    seen = probe(["query", "topic-bureaus", "-p", "topic=hydrogen", "--store", str(store.directory)])
    assert seen["code"] == 0
    assert [m for m in seen["modules"] if m.split(".")[0] in HEAVY] == []
    assert seen["modules"] == [], \
        "a query on a store named by --store reads no source: it should load nothing of the loaders (not even " \
        "their file-path rule, which the per-user cache key needs)"


def test_validate_by_default_imports_neither_rdflib_nor_pyshacl(store):
    seen = probe(["validate", "--store", str(store.directory)])
    assert seen["code"] == 0
    assert [m for m in seen["modules"] if m.split(".")[0] in HEAVY] == []


def test_query_on_the_default_cache_imports_no_heavy_library(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("GREENPLAN_STORE", "GREENPLAN_BASE")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    first = subprocess.run([sys.executable, "-c", PROBE, "query", "topic-bureaus", "-p", "topic=hydrogen"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "first use" in first.stderr            # the cache is filled once …
    second = subprocess.run([sys.executable, "-c", PROBE, "query", "topic-bureaus", "-p", "topic=hydrogen"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "first use" not in second.stderr       # … and then only read
    seen = json.loads(second.stdout.strip().splitlines()[-1])
    assert [m for m in seen["modules"] if m.split(".")[0] in HEAVY] == []
    assert "greenplan.loaders.document" not in seen["modules"]
    assert first.stdout.splitlines()[:-1] == second.stdout.splitlines()[:-1]


# What the issue on speed names as costs of every cold query (issue 14): none of them on the query path; and
# what issue 27's start-up measurement found (typing ≈ 2.7 ms, shutil with bz2/lzma ≈ 2 ms — argparse's help
# formatter imports it unless told the width —, the signal module's enums ≈ 0.6 ms).
COLD_PATH_FORBIDDEN = ("dataclasses", "inspect", "importlib.resources", "tempfile", "hashlib", "typing", "shutil",
                       "signal", "bz2", "lzma")
ALL_MODULES = """
import json, sys
from greenplan.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_cold_query_path_imports_none_of_the_costly_standard_modules(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("GREENPLAN_STORE", "GREENPLAN_BASE")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    args = ["query", "topic-bureaus", "-p", "topic=hydrogen"]
    for _ in range(2):     # the first run fills the cache (and may import anything); the second is the cold query
        proc = subprocess.run([sys.executable, "-c", ALL_MODULES, *args], capture_output=True, text=True, env=env,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0
    assert [m for m in COLD_PATH_FORBIDDEN if m in seen["modules"]] == []


def test_query_on_a_named_store_imports_none_of_them(store):
    # table and CSV output: the table asks the terminal's width, CSV does not
    for fmt in ("table", "csv"):
        proc = subprocess.run([sys.executable, "-c", ALL_MODULES, "query", "tasks", "--store", str(store.directory),
                               "--format", fmt], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        seen = json.loads(proc.stdout.strip().splitlines()[-1])
        assert seen["code"] == 0
        assert [m for m in COLD_PATH_FORBIDDEN if m in seen["modules"]] == [], fmt


def test_a_damaged_store_file_is_a_store_error_not_a_sparql_error(store, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(store.directory, broken)
    with open(graph_path(broken), "a", encoding="utf-8") as fh:
        fh.write('<urn:a> <urn:b> "never closed\n')
    # GREENPLAN_COLD=memory: answered from graph.nq loaded into memory, not from the index
    proc = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "query", "topic-bureaus", "--param",
                           "topic=hydrogen", "--store", str(broken)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "GREENPLAN_COLD": "memory"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "SPARQL syntax" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "graph.nq: damaged store file" in proc.stderr
    assert f"greenplan build --store {broken}" in proc.stderr


def test_a_store_read_in_the_background_gives_what_a_foreground_read_gives(store):
    ahead, plain = Store(store.directory), Store(store.directory)
    ahead.preload()
    ahead.preload()                        # a second call changes nothing
    assert sorted(map(str, ahead.quads())) == sorted(map(str, plain.quads()))
    assert run_saved(ahead, "tasks").rows == run_saved(plain, "tasks").rows


def test_a_background_read_that_fails_raises_in_the_caller(store, tmp_path):
    from greenplan.store.core import StoreError

    broken = tmp_path / "broken"
    shutil.copytree(store.directory, broken)
    graph_path(broken).write_text("<urn:a> <urn:b> .\n", encoding="utf-8")   # a triple cut short
    s = Store(broken)
    s.preload()
    with pytest.raises(StoreError, match="damaged store file"):
        s.ox


def test_the_parser_of_one_command_reads_what_the_full_parser_reads():
    from greenplan.cli import main as cli

    argv = ["query", "tasks", "-p", "plan=x", "--format", "csv", "--bom", "--store", "S"]
    one, full = cli.parser(cli._command(argv)).parse_args(argv), cli.parser().parse_args(argv)
    assert vars(one) == vars(full)
    assert cli._command(["--help"]) is None and cli._command(["bogus"]) is None
    assert cli._command(argv) == "query"


def test_loaders_package_exports_its_names_on_first_use():
    code = ("import sys, greenplan.loaders.errors; print('greenplan.loaders.document' in sys.modules); "
            "from greenplan.loaders import load, Plan, LoadReport, PlanFormatError; "
            "print(load.__module__, Plan.__module__, LoadReport.__module__, PlanFormatError.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "greenplan.loaders.document", "greenplan.loaders.records", "greenplan.loaders.records",
                   "greenplan.loaders.errors"]
    import greenplan.loaders

    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        greenplan.loaders.nothing  # noqa: B018


def test_store_cache_key_reads_the_metadata_file_the_loader_reads(tmp_path):
    from greenplan.loaders import metadata
    from greenplan.store.core import cache_key

    assert metadata.metadata_path is __import__("greenplan.loaders.paths", fromlist=["x"]).metadata_path
    src = tmp_path / "p.txt"
    shutil.copy(bundled_plan(), src)
    before = cache_key([src], "http://example.org/")
    (tmp_path / "p.meta.toml").write_text('identifier = "p"\n', encoding="utf-8")
    assert cache_key([src], "http://example.org/") != before   # editing the metadata file rebuilds the cache


# --- several plans in one store ------------------------------------------------------------

def corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def owner_lines(text: str) -> dict[int, int]:
    """Task number → index of the line holding its owner cell in the bundled document (plain string search)."""
    lines = text.split("\n")
    start = text[:text.index("重点任务分工表", text.index("附件：") + 10)].count("\n")
    out, number = {}, None
    for i in range(start, len(lines)):
        cell = lines[i].strip()
        if lines[i].startswith("\t") and cell.isdigit() and len(cell) <= 3:
            number = int(cell)
        elif number is not None and number in OWNER_CELLS and cell == OWNER_CELLS[number] and number not in out:
            out[number] = i
    return out


def corpus_store(directory: Path, plans: int) -> tuple[list[Path], Store]:
    """The first ``plans`` plans of bench/corpus.py (the bundled plan first) written and built under ``directory``."""
    files = corpus_module().write_corpus(directory, plans)
    loc = locate(str(directory / "store"), [str(f) for f in files])
    build_store(loc)
    return files, Store(loc.directory)


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory):
    """The bundled plan (identifier corpus-000) and variant 1 of bench/corpus.py in one store."""
    return corpus_store(tmp_path_factory.mktemp("corpus"), 2)


def variant_cells(path: Path) -> dict[int, str]:
    """Owner cell of each task as the variant prints it, on the line the document prints its own."""
    doc = bundled_plan().read_text(encoding="utf-8")
    lines = path.read_text(encoding="utf-8").split("\n")
    where = owner_lines(doc)
    assert sorted(where) == list(range(1, 113))
    return {n: lines[i].strip() for n, i in where.items()}


def test_corpus_variants_are_deterministic_and_distinct(tmp_path):
    corpus = corpus_module()
    a = corpus.write_corpus(tmp_path / "a", 3)
    b = corpus.write_corpus(tmp_path / "b", 3)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert a[0].read_bytes() == bundled_plan().read_bytes()
    assert len({p.read_bytes() for p in a}) == 3
    idents = [p.with_name(p.stem + ".meta.toml").read_text(encoding="utf-8").split('identifier = "')[1].split('"')[0]
              for p in a]
    assert idents == ["corpus-000", "corpus-001", "corpus-002"]
    cells = variant_cells(a[1])
    assert sum(cells[n] != OWNER_CELLS[n] for n in cells) >= 50      # most rows name other bodies
    for cell in cells.values():
        assert all(name in SPELLINGS for name in owner_names(cell)), cell


def test_plans_have_their_own_named_graphs(two_plans):
    _, store = two_plans
    rows = store.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?g (COUNT(?t) AS ?n) WHERE { GRAPH ?g { ?t a gp:Task } } GROUP BY ?g ORDER BY ?g""").rows
    assert [(g.value, int(n.value)) for g, n in rows] == [
        ("https://w3id.org/greenplan/graph/plan/corpus-000", 112), ("https://w3id.org/greenplan/graph/plan/corpus-001", 112)]


def test_tasks_per_plan_and_across_plans(two_plans):
    _, store = two_plans
    every = run_saved(store, "tasks").dicts()
    assert len(every) == 2 * 112
    assert [(r["plan"], r["number"]) for r in every] == \
        [("corpus-000", n) for n in range(1, 113)] + [("corpus-001", n) for n in range(1, 113)]
    for ident in ("corpus-000", "corpus-001"):
        rows = run_saved(store, "tasks", {"plan": ident}).dicts()
        assert [r["number"] for r in rows] == list(range(1, 113)) and {r["plan"] for r in rows} == {ident}
    first = run_saved(store, "tasks", {"plan": "corpus-000"}).dicts()
    assert first[0]["bureaus"] == "、".join(owners(1))   # 市发展改革局、工业和信息化局 as full names


def test_topic_bureaus_per_plan_and_across_plans(two_plans):
    files, store = two_plans
    numbers = hydrogen_tasks(files[1])
    assert numbers == hydrogen_tasks(files[0]) == [59, 73, 85, 92]   # the variant keeps the task texts
    cells = variant_cells(files[1])

    def got(params):
        return [(r["label"], r["taskCount"], r["tasks"]) for r in run_saved(store, "topic-bureaus", params).dicts()]

    assert got({"topic": "hydrogen", "plan": "corpus-000"}) == expected_topic_bureaus(numbers)
    assert got({"topic": "hydrogen", "plan": "corpus-001"}) == expected_topic_bureaus(numbers, cells)
    assert expected_topic_bureaus(numbers) != expected_topic_bureaus(numbers, cells)   # answers differ by plan
    both = defaultdict(list)
    for table in (OWNER_CELLS, cells):
        for n in numbers:
            for body in owners(n, table):
                both[body].append(n)
    expected = sorted(((b, len(ns), joined(ns)) for b, ns in both.items()), key=lambda r: (-r[1], r[0]))
    assert got({"topic": "hydrogen"}) == expected


def test_unknown_plan_is_an_error_that_lists_the_plans(two_plans):
    _, store = two_plans
    with pytest.raises(ParameterError, match="unknown plan 'no-such-plan'.*corpus-000.*corpus-001"):
        run_saved(store, "tasks", {"plan": "no-such-plan"})
    with pytest.raises(ParameterError):
        run_saved(store, "tasks", {"plans": "corpus-000"})


def test_annex_reader_sees_all_tasks_in_a_variant(two_plans):
    files, _ = two_plans
    assert sorted(annex1_task_texts(files[1].read_text(encoding="utf-8"))) == list(range(1, 113))


# --- progress bar ----------------------------------------------------------------------------

class _Terminal:
    """A stream that says it is a terminal and keeps what is written."""

    def __init__(self, tty: bool):
        self.tty, self.parts = tty, []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_bar_shows_only_on_a_terminal_after_the_delay():
    from greenplan.progress import Steps

    quiet, slow, pipe = _Terminal(True), _Terminal(True), _Terminal(False)
    with Steps("building the store", 3, delay=3600, stream=quiet) as steps:   # quick work: no bar
        for k in range(3):
            steps.advance(f"plan {k}")
    with Steps("building the store", 3, delay=0, stream=pipe) as steps:      # not a terminal: no bar
        for k in range(3):
            steps.advance(f"plan {k}")
    assert quiet.parts == [] and pipe.parts == []
    with Steps("building the store", 3, delay=0, stream=slow) as steps:
        for k in range(3):
            steps.advance(f"plan {k}")
    shown = "".join(slow.parts)
    assert "building the store" in shown and "3/3" in shown
