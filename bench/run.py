"""greenplan benchmarks: prints markdown tables (issue 7).  Not a test: nothing here passes or fails.

    python bench/run.py            # full run: cold CLI, build/validate, server, corpus of 1/10/100/300 plans
    python bench/run.py --quick    # a short run (fewer repetitions, corpus of 1 and 10 plans)
    python bench/run.py --sizes 1,10 --runs 5 --out results.md

Every timing is wall-clock (time.perf_counter) on this machine; medians unless said otherwise.  Whole
processes are started from ``sys.executable`` (not a pyenv shim, which alone adds ≈ 100–250 ms).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from greenplan.store.files import graph_path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PY = sys.executable
ENTRY = Path(PY).parent / "greenplan"            # the console script pip installed beside this interpreter
CLI = [str(ENTRY)] if ENTRY.is_file() else [PY, "-m", "greenplan.cli.main"]


def ms(seconds: float) -> str:
    v = seconds * 1000
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 1 else f"{v:.2f}"


def table(head: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def emit(text: str, sink: list[str]) -> None:
    print(text, flush=True)
    sink.append(text)


# --- machine --------------------------------------------------------------------------------

def machine() -> list[list[str]]:
    import pyoxigraph

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        rdflib_version = subprocess.run([PY, "-c", "import rdflib; print(rdflib.__version__)"], capture_output=True,
                                        text=True).stdout.strip() or "not installed"
    except OSError:
        rdflib_version = "?"
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return [["nproc", str(len(os.sched_getaffinity(0)))], ["CPU", cpu], ["load average (1/5/15 min) at start", load],
            ["OS", platform.platform()], ["python", platform.python_version()],
            ["pyoxigraph", pyoxigraph.__version__], ["rdflib", rdflib_version]]


# --- cold CLI -------------------------------------------------------------------------------

def timed_runs(cmd: list[str], runs: int, env=None, timeout: float | None = None) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env,
                       timeout=timeout)
        out.append(time.perf_counter() - t)
    return out


def cold_cli(runs: int, compare: str | None = None, source: bool = False) -> str:
    """Every command ``runs`` times, the commands taking turns (alternating whole processes); with ``compare``
    (another tree's interpreter) the same greenplan commands of that tree beside these."""
    from bytecode import compile_package

    pythons = [PY] + ([compare] if compare else [])
    notes = ["not compiled first (--source)"] if source else [compile_package(py) for py in pythons][:1]
    subprocess.run(CLI + ["query", "tasks"], stdout=subprocess.DEVNULL, check=True)   # fill the default cache once
    queries = [["query", "tasks"], ["query", "topic-bureaus", "--param", "topic=hydrogen"], ["query", "bureau-pairs"]]
    cases = [("`python -c pass`", [PY, "-c", "pass"]), ("`python -c \"import pyoxigraph\"`", [PY, "-c", "import pyoxigraph"])]
    for q in queries:
        cases.append((f"`greenplan {' '.join(q)}`", CLI + q))
        if compare:
            other = Path(compare).parent / "greenplan"
            subprocess.run([str(other), *queries[0]], stdout=subprocess.DEVNULL, check=True)   # its cache, once
            cases.append((f"`greenplan {' '.join(q)}` ({compare})", [str(other), *q]))
    shim = shutil.which("greenplan")
    if shim and Path(shim).resolve() != ENTRY.resolve():
        cases.append((f"same through PATH ({shim})", [shim, "query", "topic-bureaus", "--param", "topic=hydrogen"]))
    times: dict[str, list[float]] = {label: [] for label, _ in cases}
    for _ in range(runs):
        for label, cmd in cases:
            times[label] += timed_runs(cmd, 1)
    rows = [[label, ms(statistics.median(xs)), ms(min(xs)), ms(max(xs))] for label, xs in times.items()]
    return (table(["command (whole process, default per-user store)", "median ms", "min ms", "max ms"], rows)
            + f"\n\n(commands taking turns; {notes[0]})")


# --- build and validate ---------------------------------------------------------------------

BUILD_ONE = """
import sys, time, json, resource
t = time.perf_counter()
from greenplan.store.core import build_store, locate
loc = locate(sys.argv[1], sys.argv[2:] or None)
ds = build_store(loc)
print(json.dumps({"seconds": time.perf_counter() - t, "quads": len(ds.quads),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

VALIDATE_ONE = """
import sys, time, json
t = time.perf_counter()
from greenplan.store.core import Store
from greenplan.validate.check import validate
conforms, results, text = validate(Store(sys.argv[1]), sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t, "conforms": conforms}))
"""


def child_json(code: str, args: list[str], timeout: float = 3600) -> dict:
    proc = subprocess.Popen([PY, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


def build_validate(runs: int, work: Path) -> str:
    rows = []
    builds, fast, reference = [], [], []
    for k in range(runs):
        d = work / f"bv{k}"
        builds.append(child_json(BUILD_ONE, [str(d)]))
        fast.append(child_json(VALIDATE_ONE, [str(d), "oxigraph"]))
        reference.append(child_json(VALIDATE_ONE, [str(d), "pyshacl"]))
    cmd = CLI + ["query", "tasks", "--store", str(work / "bv0")]
    query = statistics.median(timed_runs(cmd, runs))
    rows.append(["build the bundled plan from its text (load, build, write graph.nq), incl. imports",
                 ms(statistics.median(b["seconds"] for b in builds)), builds[0]["quads"], ""])
    for label, runs_ in (("validate the bundled plan, greenplan's engine on Oxigraph (default)", fast),
                         ("validate the bundled plan, `--engine pyshacl`", reference)):
        med = statistics.median(v["seconds"] for v in runs_)
        rows.append([label + ", incl. imports", ms(med), "conforms" if runs_[0]["conforms"] else "violations",
                     f"{med / query:.1f}×"])
    rows.append(["`greenplan query tasks --store DIR` (whole process, the peer)", ms(query), "", "1.0×"])
    return table(["step (fresh process each run)", "median ms", "quads / result", "÷ cold query"], rows)


# --- server ---------------------------------------------------------------------------------

def http_load(url: str, clients: int, requests: int) -> tuple[list[float], float]:
    """``clients`` threads each GET ``url`` ``requests`` times: (latencies, wall seconds)."""
    lat: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def client():
        mine = []
        for _ in range(requests):
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=60) as r:
                    r.read()
            except Exception as e:   # noqa: BLE001 (reported below)
                errors.append(f"{type(e).__name__}: {e}")
            mine.append(time.perf_counter() - t)
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{url}: {len(errors)} failed requests, e.g. {errors[0]}")
    return lat, time.perf_counter() - t0


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def server(quick: bool, work: Path) -> str:
    from greenplan.query.catalogue import catalogue
    from greenplan.store.core import Store, build_store, locate
    from greenplan.web.server import make_server

    loc = locate(str(work / "serve"), None)
    build_store(loc)
    srv = make_server(Store(loc.directory), port=0)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    rows = []
    try:
        n = 50 if quick else 200
        url = srv.url + "queries/topic-bureaus.json?topic=hydrogen"
        http_load(url, 1, 5)    # warm-up
        for clients in (1, 4, 16):
            lat, wall = http_load(url, clients, max(5, n // clients))
            rows.append(["topic-bureaus topic=hydrogen", clients, len(lat), ms(pct(lat, 50)), ms(pct(lat, 99)),
                         f"{len(lat) / wall:.0f}"])
        per = 10 if quick else 30
        for q in catalogue():
            params = {p.name: p.default for p in q.parameters if p.default}     # what the server fills in
            url = srv.url + f"queries/{q.name}.json"
            try:
                http_load(url, 1, 1)
                lat, wall = http_load(url, 1, per)
            except RuntimeError as e:
                rows.append([q.name, 1, 0, "error", str(e)[:80], ""])
                continue
            label = q.name + (" " + " ".join(f"{k}={v}" for k, v in params.items()) if params else "")
            rows.append([label, 1, len(lat), ms(pct(lat, 50)), ms(pct(lat, 99)), f"{len(lat) / wall:.0f}"])
    finally:
        srv.shutdown()
        srv.server_close()
    return table(["saved query over HTTP (GET /queries/NAME.json, bundled plan)", "clients", "requests", "p50 ms",
                  "p99 ms", "requests/s"], rows)


# --- corpus ---------------------------------------------------------------------------------

QUERY_CHILD = """
import sys, json, time, statistics
import pyoxigraph as ox
from greenplan.api import run_saved
from greenplan.store.core import Store
mode, directory = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if mode == "memory":       # greenplan's store: in memory, loaded from graph.nq
    store = Store(directory)
else:                      # an on-disk Oxigraph store (RocksDB) opened read-only, same Store interface
    store = Store(directory)
    store._ox = ox.Store.read_only(str(store.directory / "oxigraph"))
print(json.dumps({"open": time.perf_counter() - t}), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    xs, rows = [], None
    for _ in range(job["reps"]):
        a = time.perf_counter()
        rows = len(run_saved(store, job["name"], job["params"]).rows)
        xs.append(time.perf_counter() - a)
    print(json.dumps({"key": job["key"], "first": xs[0], "seconds": statistics.median(xs[1:] or xs), "rows": rows}),
          flush=True)
"""

DISK_CHILD = """
import sys, json, time
import pyoxigraph as ox
t = time.perf_counter()
s = ox.Store(sys.argv[1] + "/oxigraph")
from greenplan.store.files import graph_path
s.bulk_load(path=str(graph_path(sys.argv[1])), format=ox.RdfFormat.N_QUADS, lenient=True)
s.flush(); s.optimize()
del s
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

RDFLIB_CHILD = """
import sys, json, time
import rdflib
t = time.perf_counter()
ds = rdflib.Dataset()
ds.parse(sys.argv[1], format="nquads")
print(json.dumps({"open": time.perf_counter() - t}), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    a = time.perf_counter()
    rows = len(list(ds.query(job["text"])))
    print(json.dumps({"key": job["key"], "seconds": time.perf_counter() - a, "rows": rows}), flush=True)
"""


def capped(code: str, args: list[str], jobs: list[dict], cap: float) -> tuple[float | None, dict]:
    """Feed ``jobs`` (one JSON line each) to a child that first prints {"open": s}, then one line per job.

    A job that takes over ``cap`` seconds is cut off (the child is killed; a new one takes the rest), and
    recorded as ``{"seconds": None}``.  Returns (open seconds of the first child, key → result)."""
    results: dict = {}
    opened = None
    pending = list(jobs)
    while pending:
        proc = subprocess.Popen([PY, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        lines: queue.Queue = queue.Queue()

        def pump(out=proc.stdout, q=lines):
            for line in out:
                q.put(line)
            q.put("")
        threading.Thread(target=pump, daemon=True).start()
        try:
            head = lines.get(timeout=1800)
            first = json.loads(head)
        except (queue.Empty, ValueError):
            proc.kill()
            raise RuntimeError(f"benchmark child did not start: {code.splitlines()[1]} {args}") from None
        opened = first["open"] if opened is None else opened
        proc.stdin.write("".join(json.dumps(j) + "\n" for j in pending))
        proc.stdin.flush()
        proc.stdin.close()
        while pending:
            try:
                got = json.loads(lines.get(timeout=cap))
            except (queue.Empty, ValueError):
                results[pending.pop(0)["key"]] = {"seconds": None, "first": None, "rows": None}
                proc.kill()
                break
            results[got["key"]] = got
            pending = [j for j in pending if j["key"] != got["key"]]
        proc.wait()
    return opened, results


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def corpus(sizes: list[int], quick: bool, work: Path, rdflib_max: int, cap: float, gcap: float,
           sink: list[str]) -> None:
    from corpus import write_corpus

    from greenplan.query.catalogue import catalogue
    from greenplan.query.sparqltext import substitute
    from greenplan.store.core import Store

    params = {q.name: {} for q in catalogue()}       # every parameter a query needs has a default
    load_rows, query_tables = [], []
    for n in sizes:
        src = work / f"corpus{n}"
        files = write_corpus(src, n)
        store_dir = work / f"store{n}"
        proc = subprocess.Popen([PY, "-c", BUILD_ONE, str(store_dir), *map(str, files)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate()
        if proc.returncode:
            raise RuntimeError(err[-2000:])
        built = json.loads(out.strip().splitlines()[-1])
        nq_size = dir_size(store_dir)
        disk = child_json(DISK_CHILD, [str(store_dir)])
        disk_size = dir_size(store_dir / "oxigraph")
        plan = f"corpus-{(n - 1) // 2:03d}"
        reps = 2 if n >= 100 else 3 if quick else 5
        measured = {}
        jobs = [{"key": f"{q.name}|{w}", "name": q.name, "params": dict(params[q.name], **({"plan": plan} if w else {})),
                 "reps": reps} for q in catalogue() for w in (False, True)]
        for mode in ("memory", "disk"):
            opened, got = capped(QUERY_CHILD, [mode, str(store_dir)], jobs, gcap)
            measured[mode] = {"open": opened, **{tuple(k.split("|")): v for k, v in got.items()}}
        load_rows.append([n, built["quads"], f"{built['seconds']:.1f}", f"{built['maxrss_mb']:.0f}",
                          f"{nq_size / 2**20:.1f}", ms(measured["memory"]["open"]), f"{disk['seconds']:.1f}",
                          f"{disk_size / 2**20:.1f}", ms(measured["disk"]["open"])])
        rd_parse, rd = None, {}
        if n <= rdflib_max:
            store = Store(store_dir)
            jobs = []
            for q in catalogue():
                for with_plan in (False, True):
                    p = dict(params[q.name], plan=plan) if with_plan else dict(params[q.name])
                    jobs.append({"key": f"{q.name}|{with_plan}", "text": substitute(q.text, q.bindings(p, store))})
            rd_parse, rd = capped(RDFLIB_CHILD, [str(graph_path(store_dir))], jobs, cap)
        rows = []
        for q in catalogue():
            for with_plan in (False, True):
                m = measured["memory"][(q.name, str(with_plan))]
                d = measured["disk"][(q.name, str(with_plan))]
                mem = ms(m["seconds"]) if m["seconds"] is not None else f"> {gcap:.0f} s"
                row = [q.name, plan if with_plan else "all", m["rows"] if m["rows"] is not None else "—", mem,
                       ms(m["first"]) if m["first"] is not None else "—",
                       ms(d["seconds"]) if d["seconds"] is not None else f"> {gcap:.0f} s",
                       f"{d['seconds'] / m['seconds']:.1f}×" if m["seconds"] and d["seconds"] else "—"]
                if n <= rdflib_max:
                    r = rd.get(f"{q.name}|{with_plan}", {"seconds": None})
                    if r["seconds"] is None:
                        row += [f"> {cap:.0f} s", f"> {cap / m['seconds']:.0f}×" if m["seconds"] else "—"]
                    else:
                        same = "" if m["rows"] is None or r["rows"] == m["rows"] else f" (rows {r['rows']}!)"
                        row += [ms(r["seconds"]) + same, f"{r['seconds'] / m['seconds']:.0f}×" if m["seconds"]
                                else f"< {r['seconds'] / gcap:.2f}×"]     # greenplan was cut off at its cap
                rows.append(row)
        head = ["query", "plan", "rows", "memory ms", "memory 1st ms", "on-disk ms", "disk/mem"]
        if n <= rdflib_max:
            head += ["rdflib ms", "rdflib/greenplan"]
        title = (f"\n#### {n} plan{'s' if n > 1 else ''} ({built['quads']} quads)\n\n"
                 f"build {built['seconds']:.1f} s, peak RSS {built['maxrss_mb']:.0f} MB, graph.nq "
                 f"{nq_size / 2**20:.1f} MB, opened in memory in {ms(measured['memory']['open'])} ms; on-disk store: "
                 f"bulk load {disk['seconds']:.1f} s, {disk_size / 2**20:.1f} MB, opened read-only in "
                 f"{ms(measured['disk']['open'])} ms" + (f"; rdflib parses graph.nq in {rd_parse:.1f} s" if rd_parse else "")
                 + f". Cut off: over {gcap:.0f} s for {reps} runs (greenplan), over {cap:.0f} s (rdflib).")
        emit(title + "\n\n" + table(head, rows), sink)
        query_tables.append(n)
        if n >= 100:   # keep the work folder small
            shutil.rmtree(src, ignore_errors=True)
    emit("\n### Corpus: build and stores\n\n" + table(
        ["plans", "quads", "build s (load+build+write, one process)", "peak RSS MB", "graph.nq MB",
         "open in memory ms", "on-disk bulk load s", "on-disk MB", "open on-disk ms"], load_rows), sink)


def keeper_state(store_dir: Path) -> dict | None:
    from greenplan.store.keeper import status

    return status(store_dir)


def cold_corpus(sizes: list[int], runs: int, work: Path, sink: list[str], cap: float = 60.0,
                reuse: Path | None = None, plan_only: bool = False) -> None:
    """What a user waits for: `greenplan build --store DIR --source …` once, then whole `greenplan query`
    processes against DIR, nothing started beforehand but what build starts. Every saved query with its
    defaults, per plan (`--param plan=…`) and across the corpus, on a large store twice: answered by the keeper
    `build` started (timed once it is ready; how long after build that took is reported) and with
    `GREENPLAN_KEEPER=off` (the on-disk index per plan, else graph.nq loaded per process); each beside the
    1-plan store's time. A corpus-wide query without the keeper is cut off after ``cap`` seconds.
    ``reuse``: a folder holding `coldstoreN` stores of an earlier run (not rebuilt: their keeper is started by
    `greenplan keeper --start`, as the first query would). ``plan_only``: only the queries bound to one plan."""
    from corpus import write_corpus

    from greenplan.query.catalogue import catalogue
    from greenplan.store.files import read_manifest

    names = [q.name for q in catalogue()]
    times: dict[tuple[str, bool, int, str], float | None] = {}
    builds = []
    modes_of = {}
    off_env = {**os.environ, "GREENPLAN_KEEPER": "off"}
    on_env = {k: v for k, v in os.environ.items() if k != "GREENPLAN_KEEPER"}
    for n in sizes:
        store_dir = (reuse or work) / f"coldstore{n}"
        subprocess.run(CLI + ["keeper", "--stop", "--store", str(store_dir)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        if reuse is None or not (store_dir / "manifest.json").exists():
            src = work / f"cold{n}"
            files = write_corpus(src, n)
            store_dir = work / f"coldstore{n}"
            t = time.perf_counter()
            subprocess.run(CLI + ["build", "--store", str(store_dir)] + [a for f in files for a in ("--source", str(f))],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=on_env)
            done = time.perf_counter()
            built = f"{done - t:.1f}"
            shutil.rmtree(src, ignore_errors=True)
        else:
            built = "(reused)"
            done = time.perf_counter()
            if read_manifest(store_dir).get("keeper"):
                subprocess.run(CLI + ["keeper", "--start", "--store", str(store_dir)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=on_env)
        large = bool(read_manifest(store_dir).get("keeper"))     # a store with a keeper (≥ INDEX_MIN_QUADS quads)
        ready = ""
        if large:
            from greenplan.store.keeper import wait_ready

            state = wait_ready(store_dir, 600)
            ready = (f"{time.perf_counter() - done:.1f} (keeper loaded in {state['load_seconds']:.1f})"
                     if state else "not ready after 600 s")
        modes_of[n] = ["keeper", "off"] if large else ["memory"]
        builds.append([n, built, ready or "— (small store: no keeper)",
                       "graph.nq + on-disk index" if large else "graph.nq", f"{dir_size(store_dir) / 2**20:.0f}"])
        plan = f"corpus-{(n - 1) // 2:03d}"
        reps = runs if n == 1 else max(3, runs // 2)
        before = (keeper_state(store_dir) or {}).get("requests", 0) if large else 0
        for mode in modes_of[n]:
            env = off_env if mode == "off" else on_env
            for name in names:
                for with_plan in (True,) if plan_only else (True, False):
                    cmd = CLI + ["query", name, "--store", str(store_dir), "--format", "csv"] + \
                        (["--param", f"plan={plan}"] if with_plan else [])
                    one = not with_plan and mode != "keeper"
                    try:
                        xs = timed_runs(cmd, 1 if one else reps, env=env, timeout=cap if one else None)
                        times[(name, with_plan, n, mode)] = statistics.median(xs)
                    except subprocess.TimeoutExpired:
                        times[(name, with_plan, n, mode)] = None
            if mode == "keeper":
                state = keeper_state(store_dir) or {}
                builds[-1].append(f"{state.get('requests', 0) - before} (pid {state.get('pid', '—')})")
        if large:
            subprocess.run(CLI + ["keeper", "--stop", "--store", str(store_dir)], stdout=subprocess.DEVNULL)
        else:
            builds[-1].append("—")
    first = sizes[0]
    head = ["query", "plan", f"{first} plan{'s' if first > 1 else ''} ms"]
    for n in sizes[1:]:
        head += [f"{n} plans, {mode} ms (÷ {first})" for mode in modes_of[n]]
    rows = []
    for name in names:
        for with_plan in (True,) if plan_only else (True, False):
            base = times[(name, with_plan, first, modes_of[first][0])]
            row = [name, "one plan" if with_plan else "all plans", ms(base) if base else "—"]
            for n in sizes[1:]:
                for mode in modes_of[n]:
                    x = times[(name, with_plan, n, mode)]
                    row.append(f"> {cap:.0f} s" if x is None else ms(x) + (f" ({x / base:.1f}×)" if base else ""))
            rows.append(row)
    emit("\n### Cold `greenplan query --store DIR` on corpora (whole processes; per plan: median of "
         f"{runs} runs on 1 plan, {max(3, runs // 2)} on larger corpora; all plans: with the keeper the same, "
         f"without it one run, cut off at {cap:.0f} s; `off` = `GREENPLAN_KEEPER=off`)\n\n" + table(head, rows), sink)
    emit("\n" + table(["plans", "`greenplan build` s", "keeper ready s after build", "store", "store MB",
                       "queries the keeper answered"], builds), sink)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions; corpus of 1 and 10 plans")
    ap.add_argument("--sizes", help="corpus sizes, comma-separated (default 1,10,100,300; quick 1,10)")
    ap.add_argument("--runs", type=int, help="whole-process runs per command (default 15; quick 5)")
    ap.add_argument("--rdflib-max", type=int, default=10, help="run rdflib's side on corpora up to N plans (default 10)")
    ap.add_argument("--cap", type=float, help="rdflib time cap per query in seconds (default 120; quick 20)")
    ap.add_argument("--greenplan-cap", type=float,
                    help="greenplan time cap per corpus query (all repetitions) in seconds (default 60; quick 15)")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: cli,build,server,corpus,cold")
    ap.add_argument("--cold-sizes", help="corpus sizes of the cold-CLI section (default 1,100,300; quick 1,10)")
    ap.add_argument("--cold-plan-only", action="store_true",
                    help="cold-CLI section: only the queries bound to one plan (`--param plan=…`), not corpus-wide")
    ap.add_argument("--cold-cap", type=float, default=60.0, help="cut off a corpus-wide cold query after N s (default 60)")
    ap.add_argument("--cold-stores", help="reuse the coldstoreN stores of an earlier run found in this folder")
    ap.add_argument("--out", help="also write the tables to this markdown file")
    ap.add_argument("--compare", metavar="PYTHON",
                    help="cold CLI: also time the greenplan beside this interpreter (another tree's venv), in turns")
    ap.add_argument("--source", action="store_true",
                    help="cold CLI: do not compile greenplan's bytecode first (bench/bytecode.py; bytecode already there "
                         "is used)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("1,10" if args.quick else "1,10,100,300")).split(",")]
    runs = args.runs or (5 if args.quick else 15)
    cap = args.cap or (20.0 if args.quick else 120.0)
    gcap = args.greenplan_cap or (15.0 if args.quick else 60.0)
    skip = set(filter(None, args.skip.split(",")))
    sink: list[str] = []
    cmd = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    emit(f"## greenplan benchmarks\n\n`{cmd.strip()}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n", sink)
    emit(table(["machine", ""], machine()), sink)
    with tempfile.TemporaryDirectory(prefix="greenplan-bench-") as tmp:
        work = Path(tmp)
        if "cli" not in skip:
            emit(f"\n### Cold CLI ({runs} runs each)\n\n" + cold_cli(runs, args.compare, args.source), sink)
        if "build" not in skip:
            emit(f"\n### Build and validate the bundled plan ({min(runs, 5)} runs)\n\n"
                 + build_validate(min(runs, 5), work), sink)
        if "server" not in skip:
            emit("\n### Server on 127.0.0.1\n\n" + server(args.quick, work), sink)
        if "cold" not in skip:
            cold_sizes = [int(x) for x in (args.cold_sizes or ("1,10" if args.quick else "1,100,300")).split(",")]
            cold_corpus(cold_sizes, runs, work, sink, args.cold_cap,
                        Path(args.cold_stores) if args.cold_stores else None, args.cold_plan_only)
        if "corpus" not in skip:
            emit(f"\n### Corpus: saved queries (in-process; memory = greenplan's default in-memory store, on-disk = "
                 f"Oxigraph RocksDB opened read-only; rdflib on up to {args.rdflib_max} plans, "
                 f"cap {cap:.0f} s per query)", sink)
            corpus(sizes, args.quick, work, args.rdflib_max, cap, gcap, sink)
    if args.out:
        Path(args.out).write_text("\n".join(sink) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
