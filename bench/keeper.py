"""The store keeper's two questions (issue 14), on a built corpus store. Not a test: it prints markdown tables.

    python bench/keeper.py first STORE        # the first query when no keeper runs, beside GREENPLAN_KEEPER=off
    python bench/keeper.py answers STORE NAME[:PLAN] …   # where a large answer's time goes

``first``: for a corpus-wide and a per-plan query, with the keeper stopped: the first whole `greenplan query`
process (it starts a keeper; a corpus-wide query waits for it, a per-plan one answers from the on-disk index),
how long after that query's start the keeper was ready, the next query (answered by it), and the same query
with ``GREENPLAN_KEEPER=off``. ``answers``: in one process, the store loaded into memory; per saved query the
query with its rows built, the keeper's serialisation (SPARQL TSV, what it sends), the client's parse back
into rows, and the answer's size.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
ENTRY = Path(PY).parent / "greenplan"
CLI = [str(ENTRY)] if ENTRY.is_file() else [PY, "-m", "greenplan.cli.main"]


def timed(cmd: list[str], env=None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=env)
    return time.perf_counter() - t


def first(store: str, plan: str, runs: int = 2) -> None:
    from greenplan.store.keeper import status, stop, wait_ready

    off = {**os.environ, "GREENPLAN_KEEPER": "off"}
    print("| query | no keeper running: first query s | keeper ready s after it started | next query s | "
          "`GREENPLAN_KEEPER=off` s |\n|---|---|---|---|---|")
    for _ in range(runs):
        for name, extra in (("topics", []), ("topics", ["--param", f"plan={plan}"]), ("tasks", [])):
            cmd = CLI + ["query", name, "--store", store, "--format", "csv"] + extra
            stop(store)
            assert status(store) is None
            t = time.perf_counter()
            a = timed(cmd)
            ready = wait_ready(store, 300)
            r = time.perf_counter() - t
            b = timed(cmd)
            stop(store)
            c = timed(cmd, env=off)
            print(f"| {name} {' '.join(extra) or '(all plans)'} | {a:.2f} | "
                  f"{f'{r:.1f}' if ready else 'not ready'} | {b:.2f} | {c:.2f} |", flush=True)


def answers(store: str, names: list[str]) -> None:
    import pyoxigraph as ox

    from greenplan.query.catalogue import saved_query
    from greenplan.query.results import from_solutions
    from greenplan.query.sparqltext import substitute
    from greenplan.store.core import Store

    s = Store(store, in_memory=True)
    t = time.perf_counter()
    mem = s.ox
    print(f"store loaded in {time.perf_counter() - t:.1f} s\n")
    print("| query | query + rows ms | query + TSV ms | TSV MB | parse TSV + rows ms | rows |\n"
          "|---|---|---|---|---|---|")
    for arg in names:
        name, _, plan = arg.partition(":")
        q = saved_query(name)
        text = substitute(q.text, q.bindings({"plan": plan} if plan else {}, s))
        t = time.perf_counter()
        rows = from_solutions(mem.query(text))
        a = time.perf_counter() - t
        t = time.perf_counter()
        body = mem.query(text).serialize(format=ox.QueryResultsFormat.TSV)
        b = time.perf_counter() - t
        t = time.perf_counter()
        back = from_solutions(ox.parse_query_results(body, ox.QueryResultsFormat.TSV))
        c = time.perf_counter() - t
        assert back.rows == rows.rows
        print(f"| {arg} | {a * 1000:.0f} | {b * 1000:.0f} | {len(body) / 2**20:.1f} | {c * 1000:.0f} | "
              f"{len(rows.rows)} |", flush=True)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "first":
        plan = argv[2] if len(argv) > 2 else "corpus-149"
        first(argv[1], plan)
    elif len(argv) >= 3 and argv[0] == "answers":
        answers(argv[1], argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
