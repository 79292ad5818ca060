"""The bare-script yardstick (issue 27): a cold `greenplan query` beside the script a researcher would write.

    python bench/yardstick.py                  # every saved query, 7 alternating runs each
    python bench/yardstick.py --runs 5 --queries tasks,topic-bureaus

For each saved query (its default parameters) on the bundled plan, three whole processes run in turn, `--runs`
times, and the medians are printed:

* **greenplan**: `greenplan query NAME --store S --format csv` (the store built first, as a user would: the
  on-disk index, opened read-only), and the same with `GREENPLAN_COLD=memory` (graph.nq loaded into memory,
  the path before the on-disk cold path);
* **script**: `import pyoxigraph`, `Store().bulk_load(graph.nq)`, the same query text (greenplan's, with the
  parameters substituted as greenplan substitutes them), its rows written as CSV — the yardstick;
* **on disk**: the same script on an on-disk Oxigraph store of the same graph.nq (RocksDB, bulk-loaded once
  before timing), opened with `Store.read_only`: what a cold query costs when nothing is parsed at start.

Ratios are to the script of the same round. Nothing passes or fails; the figures go into docs/speed.md.
greenplan's modules are compiled to bytecode first, as an installed package has them (bench/bytecode.py);
`--source` skips that: with greenplan's `__pycache__` folders removed and PYTHONDONTWRITEBYTECODE set, every
greenplan process then compiles its modules again (how the first figures of this yardstick were taken).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = """import sys, pyoxigraph as ox
s = ox.Store()
s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
r = s.query(open(sys.argv[2], encoding="utf-8").read())
r.serialize(sys.stdout.buffer, ox.QueryResultsFormat.CSV)
"""
DISK = """import sys, pyoxigraph as ox
s = ox.Store.read_only(sys.argv[1])
r = s.query(open(sys.argv[2], encoding="utf-8").read())
r.serialize(sys.stdout.buffer, ox.QueryResultsFormat.CSV)
"""


def timed(cmd: list[str]) -> float:
    """A whole process's wall time; a leading ``NAME=VALUE`` item is set in its environment (no `env` process)."""
    env = None
    if "=" in cmd[0]:
        name, _, value = cmd[0].partition("=")
        env, cmd = {**os.environ, name: value}, cmd[1:]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--queries", default="", help="comma-separated saved query names (default: all)")
    ap.add_argument("--source", action="store_true",
                    help="do not compile greenplan's bytecode first (bench/bytecode.py; bytecode already there is used)")
    opts = ap.parse_args()

    import pyoxigraph as ox
    from bytecode import compile_package

    from greenplan.query.catalogue import catalogue
    from greenplan.query.sparqltext import substitute
    from greenplan.store.core import Store
    from greenplan.store.files import graph_path

    note = "greenplan's bytecode not compiled first (--source)" if opts.source else compile_package(sys.executable)
    work = Path(tempfile.mkdtemp(prefix="gp-yardstick-"))
    try:
        store = work / "S"
        subprocess.run([sys.executable, "-m", "greenplan.cli.main", "build", "--store", str(store)], check=True,
                       capture_output=True)
        graph = graph_path(store)
        disk = ox.Store(str(work / "disk"))
        disk.bulk_load(path=str(graph), format=ox.RdfFormat.N_QUADS)
        disk.optimize()
        del disk
        s = Store(store)
        wanted = [n for n in opts.queries.split(",") if n]
        exe = str(Path(sys.executable).parent / "greenplan")
        rows = []
        load = os.getloadavg()
        for q in catalogue():
            if wanted and q.name not in wanted:
                continue
            text = work / f"{q.name}.rq"
            text.write_text(substitute(q.text, q.bindings({}, s)), encoding="utf-8")
            cmds = {"greenplan": [exe, "query", q.name, "--store", str(store), "--format", "csv"],
                    "greenplan-memory": ["GREENPLAN_COLD=memory", exe, "query", q.name, "--store", str(store),
                                         "--format", "csv"],
                    "script": [sys.executable, "-c", SCRIPT, str(graph), str(text)],
                    "disk": [sys.executable, "-c", DISK, str(work / "disk"), str(text)]}
            times: dict[str, list[float]] = {k: [] for k in cmds}
            for _ in range(opts.runs):
                for k, c in cmds.items():
                    times[k].append(timed(c))
            m = {k: statistics.median(v) for k, v in times.items()}
            rows.append((q.name, m["greenplan"], m["greenplan-memory"], m["script"], m["disk"]))
        print("| saved query | greenplan query (on disk) | greenplan, in memory | bare script (memory) | script on disk | "
              "greenplan ÷ script | in memory ÷ script | script on disk ÷ script |")
        print("|---|---|---|---|---|---|---|---|")
        for name, g, gm, sc, d in rows:
            print(f"| {name} | {g * 1000:.0f} ms | {gm * 1000:.0f} ms | {sc * 1000:.0f} ms | {d * 1000:.0f} ms | "
                  f"{g / sc:.2f}× | {gm / sc:.2f}× | {d / sc:.2f}× |")
        g_all = statistics.median(r[1] / r[3] for r in rows)
        print(f"median over the queries: greenplan ÷ script {g_all:.2f}× (best {min(r[1] / r[3] for r in rows):.2f}×, "
              f"worst {max(r[1] / r[3] for r in rows):.2f}×), in memory ÷ script "
              f"{statistics.median(r[2] / r[3] for r in rows):.2f}×")
        print(f"(medians of {opts.runs} alternating whole-process runs; bundled plan, "
              f"{sum(1 for _ in open(graph, 'rb'))} quads; {note}; load average at the start "
              f"{' / '.join(f'{x:.2f}' for x in load)})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
