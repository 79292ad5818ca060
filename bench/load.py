"""Load figures of `greenplan serve` beside `oxigraph serve-read-only` on the same data (issues 14 and 15).

    python bench/load.py                  # ≈ 1–2 min; prints markdown tables
    python bench/load.py --requests 500   # more requests per row

Not a test: nothing passes or fails.  Both servers run as whole processes on 127.0.0.1 with their
defaults (`greenplan serve --store DIR --port 0`; `oxigraph load` of the same `graph.nq`, then
`oxigraph serve-read-only`, when the `oxigraph` command is installed — `pip install oxigraph`).

* **Kept-alive**: one client, one connection (`http.client`), sequential requests: p50/p99 of
  `ASK {}`, of the topic-bureaus query text (topic=hydrogen substituted) by `GET /sparql` (Oxigraph:
  `GET /query`) and of `/queries/topic-bureaus.json?topic=hydrogen`, with the ratio to Oxigraph.
* **Concurrent clients**: 1, 8 and 32 threads, a new connection per request (as browsers behind
  no proxy do): errors, p50, p99, requests per second.  With 32 clients, more than the default
  `--max-per-client 8` connections come from 127.0.0.1 at once, so the server is started with
  `--max-per-client 64` here; the errors column counts any answer other than 200.
"""
from __future__ import annotations

import argparse
import http.client
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from greenplan.store.files import graph_path

PY = sys.executable


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def ms(x: float) -> str:
    return f"{x * 1000:.2f} ms"


def kept_alive(port: int, path: str, n: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for i in range(n + 5):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError(f"{path}: HTTP {r.status}")
        if i >= 5:          # warm-up excluded
            times.append(time.perf_counter() - t0)
    conn.close()
    return times


def concurrent(port: int, path: str, clients: int, per_client: int) -> tuple[list[float], int, float]:
    times, errors, lock = [], [0], threading.Lock()

    def client():
        for _ in range(per_client):
            t0 = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", path, headers={"Accept": "application/sparql-results+json",
                                                   "Connection": "close"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
                conn.close()
            except OSError:
                ok = False
            with lock:
                times.append(time.perf_counter() - t0)
                errors[0] += not ok

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    return times, errors[0], len(times) / (time.perf_counter() - t0)


def start_greenplan(store: Path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([PY, "-m", "greenplan.cli.main", "serve", "--store", str(store), "--port", "0",
                             "--max-per-client", "64", "--max-connections", "128"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", proc.stdout.readline()).group(1))
    return proc, port


def start_oxigraph(store: Path, work: Path) -> tuple[subprocess.Popen, int] | None:
    exe = shutil.which("oxigraph") or (str(Path(PY).parent / "oxigraph") if (Path(PY).parent / "oxigraph").exists() else None)
    if not exe:
        return None
    location = work / "oxigraph"
    subprocess.run([exe, "load", "--location", str(location), "--file", str(graph_path(store))], check=True,
                   capture_output=True)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([exe, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            kept_alive(port, "/query?query=ASK%7B%7D", 1)
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    return None


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300, help="requests per kept-alive row (default 300)")
    ap.add_argument("--per-client", type=int, default=40, help="requests per client in the concurrency rows")
    args = ap.parse_args(argv)

    from greenplan.query.catalogue import saved_query
    from greenplan.query.sparqltext import substitute
    from greenplan.store.core import Store, build_store, locate

    with tempfile.TemporaryDirectory(prefix="greenplan-load-") as tmp:
        work = Path(tmp)
        loc = locate(str(work / "store"), None, None)
        build_store(loc)
        store = Store(loc.directory)
        q = saved_query("topic-bureaus")
        text = substitute(q.text, q.bindings({"topic": "hydrogen"}, store))
        enc = urllib.parse.quote(text)
        gp, gp_port = start_greenplan(loc.directory)
        ox = start_oxigraph(loc.directory, work)
        try:
            rows = []
            for label, gpath, opath in (("ASK {}", "/sparql?query=ASK%7B%7D", "/query?query=ASK%7B%7D"),
                                        ("topic-bureaus by /sparql", f"/sparql?query={enc}", f"/query?query={enc}"),
                                        ("/queries/topic-bureaus.json?topic=hydrogen",
                                         "/queries/topic-bureaus.json?topic=hydrogen", f"/query?query={enc}")):
                g = kept_alive(gp_port, gpath, args.requests)
                o = kept_alive(ox[1], opath, args.requests) if ox else None
                ratio = f"{pct(g, 50) / pct(o, 50):.2f}×" if o else "—"
                rows.append(f"| {label} | {ms(pct(g, 50))} | {ms(pct(g, 99))} | "
                            f"{ms(pct(o, 50)) if o else '—'} | {ms(pct(o, 99)) if o else '—'} | {ratio} |")
            print("## Kept-alive connection, one client\n")
            print("| request | greenplan p50 | greenplan p99 | oxigraph p50 | oxigraph p99 | p50 ratio |")
            print("|---|---|---|---|---|---|")
            print("\n".join(rows))
            print("\n## Concurrent clients, new connection per request\n")
            print("| server | request | clients | requests | errors | p50 | p99 | req/s |")
            print("|---|---|---|---|---|---|---|---|")
            targets = [("greenplan", gp_port, "/queries/topic-bureaus.json?topic=hydrogen"),
                       ("greenplan", gp_port, f"/sparql?query={enc}")]
            if ox:
                targets.append(("oxigraph", ox[1], f"/query?query={enc}"))
            for name, port, path in targets:
                for clients in (1, 8, 32):
                    times, errors, rps = concurrent(port, path, clients, args.per_client)
                    short = path.split("?")[0]
                    print(f"| {name} | {short} | {clients} | {len(times)} | {errors} | {ms(pct(times, 50))} | "
                          f"{ms(pct(times, 99))} | {rps:.0f} |")
            if not ox:
                print("\n(`oxigraph` command not found: `pip install oxigraph` for the peer columns)")
        finally:
            stop(gp)
            if ox:
                stop(ox[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
