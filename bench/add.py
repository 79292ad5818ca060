"""Adding one plan to a large store against building that plan alone (issue 28), whole processes.

    python bench/add.py                 # a 100-plan store, 5 alternating runs of each
    python bench/add.py --plans 30 --runs 3

Writes N+1 plan variants (bench/corpus.py), builds a store of the first N (timed once), then alternates
`greenplan build --store FRESH --source EXTRA` (the plan alone, in a new store each run) and
`greenplan add --store CORPUS --source EXTRA` (the plan added to the N-plan store; it is removed again after
each run, untimed). The keeper is on as for a user (add restarts it in the background); GREENPLAN_KEEPER=off
in the environment measures without it. Prints medians and the ratio.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus  # noqa: E402

GREENPLAN = [sys.executable, "-m", "greenplan.cli.main"]


def timed(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(GREENPLAN + args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plans", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    opts = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gp-bench-add-"))
    try:
        sources = write_corpus(work / "src", opts.plans + 1)
        extra, rest = sources[-1], sources[:-1]
        corpus = work / "corpus"
        build_args = ["build", "--store", str(corpus)] + [a for s in rest for a in ("--source", str(s))]
        built = timed(build_args)
        identifier = extra.stem
        alone, added = [], []
        for i in range(opts.runs):
            alone.append(timed(["build", "--store", str(work / f"alone{i}"), "--source", str(extra)]))
            added.append(timed(["add", "--store", str(corpus), "--source", str(extra)]))
            subprocess.run(GREENPLAN + ["remove", "--store", str(corpus), "--plan", identifier], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        a, b = statistics.median(alone), statistics.median(added)
        print(f"| plans in the store | build of the {opts.plans}-plan store | build one plan alone (median) | "
              f"add that plan to the store (median) | ratio |")
        print("|---|---|---|---|---|")
        print(f"| {opts.plans} | {built:.1f} s | {a * 1000:.0f} ms | {b * 1000:.0f} ms | {b / a:.2f}× |")
        print(f"runs: alone {', '.join(f'{x * 1000:.0f}' for x in alone)} ms; "
              f"add {', '.join(f'{x * 1000:.0f}' for x in added)} ms")
    finally:
        subprocess.run(GREENPLAN + ["keeper", "--stop", "--store", str(work / "corpus")], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
