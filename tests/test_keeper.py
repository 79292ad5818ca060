"""The store keeper (greenplan.store.keeper): real keeper processes on real Unix sockets.

"Large" stores are made from the bundled plan by lowering the index threshold (GREENPLAN_INDEX_MIN_QUADS=1),
so a store gets its on-disk index and its keeper as a corpus does. What is checked: a keeper started by the
build answers every saved query with the rows the in-process path gives (its request counter proves it
answered, and the client never loaded the store); a rebuilt store is never answered from the old one; the
keeper exits when idle; a killed keeper costs nothing but a fallback; a socket directory that is a symbolic
link, open to others or another user's is never used; GREENPLAN_KEEPER=off and small stores start nothing.
Every keeper a test starts is stopped at the end (and the suite's keepers exit after a few idle seconds).
"""
from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from greenplan.api import run_saved, sparql
from greenplan.query.catalogue import catalogue
from greenplan.resources import bundled_plan
from greenplan.store import core as st
from greenplan.store import keeper

PLAN = "zhanjiang-green-economy"          # the bundled plan's identifier (its .meta.toml)
OTHER = "keeper-test-variant"


def gone(pid: int, within: float) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def keeper_processes(directory: Path) -> list[int]:
    """Pids of running keeper processes for ``directory`` (from /proc: what runs, not what the socket says)."""
    want = os.path.realpath(directory).encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"greenplan.store.keeper" in argv and want in argv:
            pids.append(int(entry.name))
    return pids


@pytest.fixture(scope="module")
def env():
    """The keeper on, sockets in a private runtime directory of this module, "large" from one quad on."""
    runtime = tempfile.mkdtemp(prefix="gpk-")      # short: AF_UNIX paths are limited to ≈ 107 bytes
    dirs: list[Path] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GREENPLAN_KEEPER", raising=False)
        mp.setenv("XDG_RUNTIME_DIR", runtime)
        mp.setenv("GREENPLAN_INDEX_MIN_QUADS", "1")
        mp.setenv("GREENPLAN_KEEPER_IDLE", "30")
        try:
            yield dirs
        finally:
            for d in dirs:
                keeper.stop(d)
                for pid in keeper_processes(d):
                    os.kill(pid, signal.SIGKILL)
            shutil.rmtree(runtime, ignore_errors=True)


def built(env, tmp: Path, source: Path | None = None) -> Path:
    st.build_store(st.locate(str(tmp), [str(source)] if source else None))
    env.append(tmp)
    return tmp


@pytest.fixture(scope="module")
def large(env, tmp_path_factory):
    directory = built(env, tmp_path_factory.mktemp("large"))
    state = keeper.wait_ready(directory, 60)
    assert state is not None, "build should have started a keeper"
    ppid = int(Path(f"/proc/{state['pid']}/stat").read_text().rsplit(")", 1)[1].split()[1])
    assert ppid != os.getpid(), "the keeper runs detached, not as a child the caller would have to reap"
    return directory


@pytest.fixture(scope="module")
def variant(tmp_path_factory) -> Path:
    """The bundled plan under another identifier (its own plan IRI and named graph)."""
    d = tmp_path_factory.mktemp("variant")
    src = bundled_plan()
    shutil.copy(src, d / src.name)
    meta = src.with_name(src.stem + ".meta.toml").read_text(encoding="utf-8")
    assert f'identifier = "{PLAN}"' in meta
    (d / (src.stem + ".meta.toml")).write_text(meta.replace(f'identifier = "{PLAN}"', f'identifier = "{OTHER}"'),
                                               encoding="utf-8")
    return d / src.name


def requests(directory: Path) -> int:
    return keeper.status(directory)["requests"]


def test_the_keeper_checks_the_files_the_store_writes():
    assert keeper.FILES == (st.MANIFEST, st.GRAPH_FILE)


# --- answers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", catalogue(), ids=lambda q: q.name)
def test_every_saved_query_answered_by_the_keeper_gives_the_in_process_rows(large, query):
    by_keeper, here = st.Store(large), st.Store(large, in_memory=True)
    assert by_keeper.keeps() and not here.keeps()
    before = requests(large)
    for params in ({}, {"plan": PLAN}):
        expected = run_saved(here, query.name, params)
        assert run_saved(by_keeper, query.name, params).rows == expected.rows
        assert run_saved(by_keeper, query.name, params).variables == expected.variables
    assert requests(large) >= before + 4        # it answered them, those about one plan too (it is ready)
    assert by_keeper._ox is None               # and this process never opened the whole store


def test_construct_ask_and_errors_through_the_keeper(large):
    by_keeper, here = st.Store(large), st.Store(large, in_memory=True)
    construct = ("PREFIX gp: <https://w3id.org/greenplan/ontology#> "
                 "CONSTRUCT { ?t a gp:Task ; ?p ?o } WHERE { GRAPH ?g { ?t a gp:Task ; ?p ?o } }")
    before = requests(large)
    triples = sparql(by_keeper, construct)
    assert sorted(map(str, triples)) == sorted(map(str, sparql(here, construct))) and len(triples) > 1000
    ask = "PREFIX gp: <https://w3id.org/greenplan/ontology#> ASK { GRAPH ?g { ?t a gp:Task } }"
    assert sparql(by_keeper, ask).boolean is sparql(here, ask).boolean is True
    assert requests(large) == before + 2 and by_keeper._ox is None
    # a query the engine rejects: the keeper says it failed, the client runs it here and gives its own error
    with pytest.raises(SyntaxError):
        sparql(st.Store(large), "SELECT ?x WHERE { ?x ")


# --- lifetime -----------------------------------------------------------------------------------------

def test_a_rebuilt_store_is_never_answered_from_the_old_one(env, tmp_path, variant):
    directory = built(env, tmp_path / "rebuilt")
    old = keeper.wait_ready(directory, 60)
    assert old is not None
    assert run_saved(st.Store(directory), "plans").dicts()[0]["identifier"] == PLAN
    # Hold the old keeper still while the store is rebuilt and a query is sent (so that its once-a-second
    # check of the files cannot see the change first), then let it answer.
    os.kill(old["pid"], signal.SIGSTOP)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("GREENPLAN_KEEPER", "off")    # a build that does not stop the old keeper itself
            st.build_store(st.locate(str(directory), [str(variant)]))
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(keeper.request, directory, b"Q", "ASK {}")
            time.sleep(0.5)                        # connected and sent while the keeper is stopped
            os.kill(old["pid"], signal.SIGCONT)
            code, _ = pending.result(timeout=30)
    finally:
        os.kill(old["pid"], signal.SIGCONT)
    assert code == keeper.REFUSED
    assert gone(old["pid"], 10), "a keeper whose store changed must exit"
    again = st.Store(directory)
    assert [r["identifier"] for r in run_saved(again, "plans").dicts()] == [OTHER]
    new = keeper.wait_ready(directory, 60)     # the refused query started a keeper for the new store
    assert new is not None and new["pid"] != old["pid"]
    fresh = st.Store(directory)
    assert [r["identifier"] for r in run_saved(fresh, "plans").dicts()] == [OTHER]
    assert fresh._ox is None and keeper.status(directory)["requests"] >= 1


def test_a_build_replaces_the_running_keeper(env, tmp_path, variant):
    directory = built(env, tmp_path / "replaced")
    old = keeper.wait_ready(directory, 60)
    built(env, directory, variant)
    assert gone(old["pid"], 10)
    new = keeper.wait_ready(directory, 60)
    assert new is not None and new["pid"] != old["pid"] and keeper_processes(directory) == [new["pid"]]
    assert [r["identifier"] for r in run_saved(st.Store(directory), "plans").dicts()] == [OTHER]


def test_the_keeper_exits_when_idle_and_removes_its_socket(env, tmp_path, monkeypatch):
    monkeypatch.setenv("GREENPLAN_KEEPER_IDLE", "2")
    directory = built(env, tmp_path / "idle")
    state = keeper.wait_ready(directory, 60)
    assert state is not None and state["idle_exit_seconds"] == 2
    assert gone(state["pid"], 15), "the keeper should exit about 2 s after its last request"
    assert not os.path.exists(keeper.socket_path(directory))
    assert keeper.status(directory) is None


def test_a_killed_keeper_costs_a_fallback_and_a_new_one_starts(env, tmp_path):
    directory = built(env, tmp_path / "killed")
    state = keeper.wait_ready(directory, 60)
    expected = run_saved(st.Store(directory, in_memory=True), "tasks").rows
    linked = run_saved(st.Store(directory, in_memory=True), "counterparts", {"plan": PLAN}).rows
    os.kill(state["pid"], signal.SIGKILL)
    assert gone(state["pid"], 10)
    assert os.path.exists(keeper.socket_path(directory))      # the dead keeper's socket is left behind
    one_plan = st.Store(directory)        # a query about one plan that reads across plans (#+ across-plans)
    assert run_saved(one_plan, "counterparts", {"plan": PLAN}).rows == linked
    assert one_plan._ox is not None                          # is answered here, on the index, at once …
    new = keeper.wait_ready(directory, 60)                   # … and a new keeper was started
    assert new is not None and new["pid"] != state["pid"]
    os.kill(new["pid"], signal.SIGKILL)
    assert gone(new["pid"], 10)
    corpus = st.Store(directory)
    assert run_saved(corpus, "tasks").rows == expected       # a corpus-wide one starts a keeper and waits for it
    assert corpus._ox is None
    third = keeper.status(directory)
    assert third["pid"] not in (state["pid"], new["pid"]) and third["requests"] >= 1


def test_the_command_line_as_a_user_runs_it(env, tmp_path):
    """Whole processes: build starts the keeper without holding the build's output pipes open; queries are
    answered by it; `greenplan keeper` reports and stops it."""
    directory = tmp_path / "cli"
    env.append(directory)
    cli = [sys.executable, "-m", "greenplan.cli.main"]
    done = subprocess.run(cli + ["build", "--store", str(directory)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert keeper.wait_ready(directory, 60) is not None
    out = subprocess.run(cli + ["query", "plans", "--store", str(directory), "--format", "csv"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and PLAN in out.stdout
    report = subprocess.run(cli + ["keeper", "--store", str(directory)], capture_output=True, text=True, timeout=60)
    assert report.returncode == 0 and " ready: " in report.stdout and "queries answered" in report.stdout
    assert keeper.status(directory)["requests"] >= 1
    pid = keeper.status(directory)["pid"]
    stopped = subprocess.run(cli + ["keeper", "--stop", "--store", str(directory)], capture_output=True, text=True,
                             timeout=60)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout and gone(pid, 10)
    started = subprocess.run(cli + ["keeper", "--start", "--store", str(directory), "--format", "json"],
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0 and '"state": "ready"' in started.stdout


# --- what starts nothing ------------------------------------------------------------------------------

def test_keeper_off_and_small_stores_start_nothing(env, tmp_path, monkeypatch):
    monkeypatch.setenv("GREENPLAN_KEEPER", "off")
    off = built(env, tmp_path / "off")
    assert st.Store(off).manifest.get("index") == st.INDEX_DIR and not st.Store(off).keeps()
    assert len(run_saved(st.Store(off), "tasks").rows) == 112
    monkeypatch.delenv("GREENPLAN_KEEPER")
    monkeypatch.delenv("GREENPLAN_INDEX_MIN_QUADS")
    small = built(env, tmp_path / "small")
    assert st.Store(small).manifest["keeper"] is False and not st.Store(small).keeps()
    assert len(run_saved(st.Store(small), "tasks").rows) == 112
    time.sleep(0.5)
    for d in (off, small):
        assert keeper_processes(d) == [] and keeper.status(d) is None
        assert not os.path.exists(keeper.socket_path(d))


# --- whose socket -------------------------------------------------------------------------------------

@pytest.mark.parametrize("unsafe", ["symlink", "open to others", "another user's"])
def test_an_unsafe_socket_directory_is_never_used(env, tmp_path, monkeypatch, unsafe):
    runtime = Path(tempfile.mkdtemp(prefix="gpk-"))
    root = os.getuid() == 0
    try:
        real = runtime / "elsewhere"
        real.mkdir(mode=0o700)
        if unsafe == "symlink":
            (runtime / "greenplan").symlink_to(real)
        else:
            (runtime / "greenplan").mkdir(mode=0o700)
            if unsafe == "open to others":
                os.chmod(runtime / "greenplan", 0o777)
            elif os.getuid() == 0:
                os.chown(runtime / "greenplan", 65534, 65534)
            else:                                   # not root: it is this user's directory, another user asks
                monkeypatch.setattr(os, "getuid", lambda: os.stat(runtime / "greenplan").st_uid + 1)
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        directory = built(env, tmp_path / "unsafe")
        assert keeper.private_dir() is None and keeper.socket_path(directory, create=True) is None
        assert len(run_saved(st.Store(directory), "tasks").rows) == 112     # answered here
        assert keeper.start(directory) is False
        if root or unsafe != "another user's":    # (the keeper process runs as the real user)
            served = subprocess.run([sys.executable, "-m", "greenplan.store.keeper", str(directory)], capture_output=True,
                                    text=True, timeout=60, env=dict(os.environ))
            assert served.returncode == 2 and "no private directory" in served.stderr
        assert list(real.iterdir()) == [] and keeper_processes(directory) == []
        if unsafe != "symlink":
            assert [p.name for p in (runtime / "greenplan").iterdir()] == []
            assert stat.S_IMODE(os.lstat(runtime / "greenplan").st_mode) in (0o700, 0o777)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def test_a_single_plan_query_does_not_import_the_keeper(tmp_path, monkeypatch):
    """The keeper's client is imported only for a large store: the cold single-plan path stays as it was."""
    probe = ("import sys\nfrom greenplan.cli.main import main\nassert main(sys.argv[1:]) == 0\n"
             "print(sorted(m for m in sys.modules if m in ('greenplan.store.keeper', 'fcntl', 'subprocess')))")
    monkeypatch.delenv("GREENPLAN_INDEX_MIN_QUADS", raising=False)
    monkeypatch.delenv("GREENPLAN_KEEPER", raising=False)
    st.build_store(st.locate(str(tmp_path / "small")))
    monkeypatch.setenv("GREENPLAN_INDEX_MIN_QUADS", "1")
    monkeypatch.setenv("GREENPLAN_KEEPER", "off")           # large, but the keeper neither started nor asked
    st.build_store(st.locate(str(tmp_path / "large")))
    for name, expected in (("small", "[]"), ("large", "['greenplan.store.keeper']")):
        if name == "small":
            monkeypatch.delenv("GREENPLAN_KEEPER")
        out = subprocess.run([sys.executable, "-c", probe, "query", "tasks", "--store", str(tmp_path / name)],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip().splitlines()[-1] == expected
        monkeypatch.setenv("GREENPLAN_KEEPER", "off")


def test_a_large_store_is_not_read_ahead_beside_its_keeper(large):
    from greenplan.api import ready

    if keeper.status(large) is None:     # gone idle (GREENPLAN_KEEPER_IDLE=30) while a slow machine ran the tests before
        assert keeper.start(large) and keeper.wait_ready(large, 60) is not None
    store = st.Store(large)
    ready(store, {})                 # what `greenplan query` does before it reads the saved query
    assert store._loading is None and store._ox is None, "a corpus must not be loaded in-process beside its keeper"
    before = requests(large)
    assert run_saved(store, "plans").rows
    assert requests(large) == before + 1 and store._ox is None


# --- issue 24: the keeper compares the content digest it loaded -------------------------------------------

CHANGED = "ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), \"湛汀\")) } }"   # 汀: never in the bundled plan


def _rewrite_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite a file in place (same inode, same size) and give it back its modification time."""
    st_ = os.stat(path)
    data = path.read_bytes()
    assert len(old) == len(new) and old in data
    with open(path, "r+b") as fh:
        fh.write(data.replace(old, new))
    os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (st_.st_ino, st_.st_size, st_.st_mtime_ns)


def test_a_store_rewritten_in_place_with_the_same_size_and_time_is_not_answered_from_memory(env, tmp_path):
    """Reproducer: graph.nq rewritten in place with the same size and modification time was answered from the
    keeper's stale copy. Here graph.nq (湛江 → 湛汀, same bytes long) and the digests its manifest records are
    rewritten in place; the query must see the new content."""
    import json

    from greenplan.store.files import graph_path, read_manifest
    from greenplan.store.generation import table_digest, verify

    directory = built(env, tmp_path / "inplace")
    state = keeper.wait_ready(directory, 60)
    assert state is not None
    assert sparql(st.Store(directory), CHANGED).boolean is False
    graph, manifest = graph_path(directory), read_manifest(directory)
    _rewrite_in_place(graph, "湛江".encode(), "湛汀".encode())
    assert verify(graph, manifest["graphs"]) is not None              # the digests see what stat cannot
    # the manifest made to agree (same length: hex digests), as another tool rewriting the store would
    fixed = json.loads(json.dumps(manifest))
    offset = 0
    for g in fixed["graphs"]:
        with open(graph, "rb") as fh:
            fh.seek(offset)
            from greenplan.store.fingerprint import new_hash

            h = new_hash()
            h.update(fh.read(g["length"]))
        g["digest"] = h.hexdigest()
        offset += g["length"]
    fixed["digest"] = table_digest(fixed["graphs"])
    text = (directory / "manifest.json").read_text(encoding="utf-8")
    for a, b in zip(manifest["graphs"], fixed["graphs"]):
        text = text.replace(a["digest"], b["digest"])
    text = text.replace(manifest["digest"], fixed["digest"])
    _rewrite_in_place(directory / "manifest.json", (directory / "manifest.json").read_bytes(), text.encode("utf-8"))
    assert verify(graph, read_manifest(directory)["graphs"]) is None
    assert sparql(st.Store(directory), CHANGED).boolean is True      # not the keeper's copy of the old bytes
    assert gone(state["pid"], 10), "a keeper whose store changed must exit"


def test_a_keeper_never_serves_a_graph_that_differs_from_its_manifest(env, tmp_path):
    from greenplan.store.files import graph_path

    directory = built(env, tmp_path / "tampered")
    state = keeper.wait_ready(directory, 60)
    assert state is not None
    keeper.stop(directory)
    assert gone(state["pid"], 10)
    _rewrite_in_place(graph_path(directory), "湛江".encode(), "湛汀".encode())   # the manifest left as it was
    assert keeper.start(directory)
    assert keeper.wait_ready(directory, 20, absent=5) is None                  # it loads, compares, and exits
    log = Path(keeper.socket_path(directory)[:-5] + ".log").read_text(encoding="utf-8")
    assert "graph.nq does not match its manifest" in log
