"""The ``greenplan`` command: a thin layer over :mod:`greenplan.api`.

Each command parses options, calls the library and formats the answer.
Commands import what they need when they run, so ``greenplan query`` loads
neither rdflib nor pyshacl nor networkx.

Exit codes: 0 success, 1 the command ran and found problems (e.g. validation
violations), 2 usage errors and files that cannot be loaded.
"""
from __future__ import annotations

import argparse
import sys

from greenplan.errors import GreenplanError
from greenplan.messages import log, usage_error


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter, given the terminal's width (argparse would import shutil to ask: with bz2 and
    lzma ≈ 2 ms of every command, since each option added builds a formatter)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:          # as argparse: the terminal's columns (80 when unknown) less 2
            from greenplan.messages import terminal_width

            width = terminal_width(80) - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _store_options(p: argparse.ArgumentParser, endpoint: bool = False) -> None:
    _source_options(p)
    p.add_argument("--store", metavar="DIR", help="store directory (default: GREENPLAN_STORE, else a per-user cache)")
    p.add_argument("--base", metavar="IRI", help="base IRI for minted IRIs (default: GREENPLAN_BASE or https://w3id.org/greenplan/)")
    p.add_argument("--follow-redirects", action="store_true",
                   help="fetching an http(s):// source: follow redirects to another host or port (default: only "
                        "the same host and port; never another scheme)")
    if endpoint:
        p.add_argument("--endpoint", metavar="URL", help="query a remote SPARQL endpoint instead of the local store")
        p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                       help="with --endpoint: give up a request after this many seconds without an answer (default 60)")


def _source_options(p: argparse.ArgumentParser) -> None:
    """What a store is built from: --source, --attachment, --ocr (every command that builds one on first use)."""
    p.add_argument("--source", action="append", metavar="PATH",
                   help="plan file (.txt, .html/.htm, .docx, .pdf, .xlsx/.xls/.ods, .doc/.wps/.rtf/.odt), folder of plan files, "
                        "list file (*.list: one path or URL a line) or http(s):// URL (a page's attachments are read "
                        "with it; repeatable; default: the bundled Zhanjiang plan)")
    p.add_argument("--attachment", action="append", metavar="FILE",
                   help="a file read as the next annex of the one --source (附件1, 附件2 … in the order given; "
                        ".docx, .pdf, .xlsx, .doc …; repeatable)")
    p.add_argument("--ocr", action="store_true",
                   help="read a scanned PDF (no text layer) by OCR with ocrmypdf -l chi_sim instead of refusing it; "
                        "its records are marked and flagged by `validate`")


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table",
                   help="table (default; lines up Chinese text), csv, tsv, or json (W3C SPARQL 1.1 Query Results JSON)")
    p.add_argument("--bom", action="store_true", help="start CSV output with a UTF-8 BOM so that Excel reads Chinese text")
    p.add_argument("--max-width", type=int, default=None, metavar="N",
                   help="table: cut cells longer than N columns (default: narrow the widest columns until the table "
                        "fits the terminal, 100 columns when not a terminal)")


def _params(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(usage_error(f"--param expects KEY=VALUE, got {pair!r}"))
        out[key.strip()] = value
    return out


def _open(args):
    from greenplan.api import open_for

    return open_for(store=getattr(args, "store", None), sources=getattr(args, "source", None),
                    base=getattr(args, "base", None), endpoint=getattr(args, "endpoint", None),
                    timeout=getattr(args, "timeout", 60.0), log=log, attachments=getattr(args, "attachment", None),
                    ocr=getattr(args, "ocr", False))


def _print_result(result, args) -> None:
    from greenplan.output import write_output
    from greenplan.query.results import render

    if isinstance(result, list):  # CONSTRUCT / DESCRIBE triples
        import pyoxigraph as ox

        from greenplan.quads import to_bytes, triple_key
        from greenplan.vocab import PREFIXES

        triples = sorted(result, key=triple_key)  # stable across engines
        write_output(None, to_bytes(triples, ox.RdfFormat.TURTLE, PREFIXES))
        return
    from greenplan.messages import terminal_width

    total = terminal_width() if args.max_width is None and args.format == "table" else None
    write_output(getattr(args, "out", None),
                 render(result, args.format, bom=args.bom, max_width=args.max_width, total_width=total))


# --- commands -------------------------------------------------------------

def _log_report(plans, report, verbose: bool) -> None:
    """The load report of the plans read: one line per cause (an unresolved spelling: its count and first place);
    ``verbose``: each. A plan or annex read from a URL is named by it."""
    urls = {}
    for p in plans:
        urls.update({a.file: a.url for a in p.attachments if a.url})
        if p.source_url:
            urls[p.source_file] = p.source_url
    for line in report.lines(urls, verbose):
        log(line)


def cmd_build(args) -> int:
    from greenplan.store.core import build_store, locate

    loc = locate(args.store, args.source, args.base, args.attachment, args.ocr)
    dataset = build_store(loc, log)
    _log_report(dataset.plans, dataset.report, args.verbose)
    plans = ", ".join(f"{p.identifier} ({len(p.tasks)} tasks, {len(p.projects)} projects)" for p in dataset.plans)
    print(f"built {loc.directory}: {len(dataset.quads)} quads; plans: {plans}")
    return 0


def _explicit_store(args) -> str:
    import os

    store = args.store or os.environ.get("GREENPLAN_STORE")
    if not store:
        raise SystemExit(usage_error(f"{args.command} changes a store you name: give --store DIR "
                                     f"(or set GREENPLAN_STORE)"))
    return store


def _change_summary(change) -> str:
    parts = []
    for what, items in (("added", [p.identifier for p in change.added]),
                        ("replaced", [p.identifier for p in change.replaced]),
                        ("unchanged", change.unchanged), ("removed", change.removed)):
        if items:
            parts.append(f"{what} {', '.join(items)}")
    return "; ".join(parts) or "nothing to do"


def _count(manifest: dict) -> str:
    n = len(manifest.get("plans", []))
    return f"{n} plan{'s' if n != 1 else ''}, {manifest.get('quads')} quads"


def cmd_add(args) -> int:
    from greenplan.api import add

    store = _explicit_store(args)
    change = add(store, args.source, log)
    if change.report is not None:
        _log_report(change.added + change.replaced, change.report, args.verbose)
    if change.rebuilt:
        log(f"{store}: built by another version of greenplan (or another base IRI): every plan was read again")
    print(f"{store}: {_change_summary(change)}; {_count(change.manifest)}")
    return 0


def cmd_remove(args) -> int:
    from greenplan.api import remove

    store = _explicit_store(args)
    change = remove(store, args.plan, log)
    print(f"{store}: {_change_summary(change)}; {_count(change.manifest)}")
    return 0


def cmd_plans(args) -> int:
    from greenplan.api import plans
    from greenplan.output import write_output

    store = _explicit_store(args)
    rows = plans(store)
    if args.format == "json":
        import json

        write_output(None, json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    if args.format == "tsv":
        lines = ["identifier\tsource\tadded\tquads"] + [
            f"{r['identifier']}\t{r['source']}\t{r['added']}\t{r['quads']}" for r in rows]
        write_output(None, "\n".join(lines) + "\n")
        return 0
    from greenplan.query.results import width

    header = ("identifier", "added", "quads", "source")
    table = [header] + [(r["identifier"], r["added"], str(r["quads"]), r["source"]) for r in rows]
    widths = [max(width(row[i]) for row in table) for i in range(3)]
    out = []
    for row in table:
        out.append("  ".join(c + " " * (w - width(c)) for c, w in zip(row[:3], widths)) + "  " + row[3])
    out.append(f"({len(rows)} plan{'s' if len(rows) != 1 else ''})")
    write_output(None, "\n".join(out) + "\n")
    return 0


def cmd_export(args) -> int:
    from greenplan.api import export
    from greenplan.output import write_output

    write_output(args.out, export(_open(args), args.format))
    return 0


def cmd_query(args) -> int:
    from greenplan.api import ready, run_saved, saved_query

    params = _params(args.param)
    store = _open(args)
    if hasattr(store, "cold"):
        store.cold()            # a small store: its on-disk index, opened read-only (nothing parsed)
    ready(store, params, saved_query(args.name))   # the store loads while the rest is prepared
    _print_result(run_saved(store, args.name, params), args)
    return 0


def cmd_queries(args) -> int:
    from greenplan.query.catalogue import catalogue

    rows = []
    for q in catalogue():
        params = ", ".join(
            f"{p.name}{'' if p.required else '?'}" + (f"={p.default}" if p.default else "") for p in q.parameters)
        rows.append((q.name, q.title, params or "—"))
    if args.format == "json":
        import json

        print(json.dumps([{"name": n, "title": t, "parameters": p} for n, t, p in rows], ensure_ascii=False, indent=2))
        return 0
    from greenplan.query.results import width

    w = max(width(n) for n, _, _ in rows)
    for n, t, p in rows:
        print(f"{n}{' ' * (w - width(n))}  {t}  [{p}]")
    return 0


def cmd_sparql(args) -> int:
    from pathlib import Path

    from greenplan.api import sparql

    if args.file:
        text = Path(args.file).read_text(encoding="utf-8")
    elif args.query:
        text = args.query
    else:
        return usage_error("give a query or --file F")
    store = _open(args)
    if hasattr(store, "cold"):
        store.cold()
    _print_result(sparql(store, text), args)
    return 0


def cmd_network(args) -> int:
    from greenplan.network.graph import (
        NetworkError,
        bipartite_network,
        build_network,
        metrics,
        metrics_result,
        to_gexf,
        to_graphml,
        to_json,
    )
    from greenplan.output import write_output

    fmt = args.format
    if args.metrics:
        fmt = fmt or "table"
        if fmt not in ("table", "csv", "json"):
            return usage_error(f"--metrics prints table, csv or json, not {fmt}; drop --metrics to write a {fmt} file")
    elif fmt is None or fmt in ("table", "csv"):
        return usage_error("say what to produce: --metrics [--format table|csv|json], or "
                           "--format graphml|gexf|json|png|svg|html [--out FILE]")
    if fmt in ("png", "html") and not args.out and sys.stdout.isatty():
        return usage_error(f"--format {fmt} needs --out FILE (or redirect standard output to a file)")
    if args.view != "bureaus" and (args.topic or args.chapter or args.min_weight != 1 or args.collectives):
        return usage_error(f"--topic, --chapter, --min-weight and --collectives apply to the bureaus view, "
                           f"not --view {args.view}")
    store = _open(args)
    try:
        if fmt == "html":
            from greenplan.network import draw

            if args.view != "bureaus":
                raise NetworkError("--format html shows the bureaus view; use graphml/gexf/json/png/svg for --view "
                                   f"{args.view}")
            if args.topic or args.chapter or args.collectives:
                raise NetworkError("--format html draws every task of the plan (the page has its own topic menu); "
                                   "drop --topic, --chapter and --collectives, or write graphml/gexf/json/png/svg")
            write_output(args.out, draw.html_page(store, plan=args.plan, min_weight=args.min_weight))
            if args.out:
                print(f"wrote {args.out}", file=sys.stderr)
            return 0
        if args.view == "bureaus":
            G = build_network(store, args.topic, args.chapter, args.min_weight, args.plan, args.collectives)
        else:
            G = bipartite_network(store, args.view, args.plan)
        if args.metrics:
            from greenplan.query.results import render

            write_output(args.out, render(metrics_result(metrics(G), with_iri=fmt != "table"), fmt))
        elif fmt in ("png", "svg"):
            from greenplan.network.draw import picture

            write_output(args.out, picture(G, fmt))
        else:
            write_output(args.out, {"graphml": to_graphml, "gexf": to_gexf, "json": to_json}[fmt](G))
    except NetworkError as e:
        return usage_error(str(e))
    if args.out:
        print(f"wrote {args.out}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges", file=sys.stderr)
    return 0


def _delegate(module: str):
    def run(args) -> int:
        import importlib

        return importlib.import_module(f"greenplan.{module}").main(args)
    return run


def _build_options(p):
    _store_options(p)
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print every warning (default: one line per cause, with its count and first place)")


def _add_options(p):
    p.add_argument("--store", metavar="DIR", help="the store directory to change (default: GREENPLAN_STORE)")
    p.add_argument("--source", action="append", required=True, metavar="PATH",
                   help="plan file (.txt, .html/.htm, .docx), folder of plan files, list file (*.list: one path or "
                        "URL a line) or http(s):// URL (repeatable)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print every warning of the plans read (default: one line per cause, with its count and "
                        "first place)")


def _remove_options(p):
    p.add_argument("--store", metavar="DIR", help="the store directory to change (default: GREENPLAN_STORE)")
    p.add_argument("--plan", action="append", required=True, metavar="ID", help="plan identifier (repeatable)")


def _plans_options(p):
    p.add_argument("--store", metavar="DIR", help="the store directory (default: GREENPLAN_STORE)")
    p.add_argument("--format", choices=("table", "tsv", "json"), default="table")


def _export_options(p):
    _store_options(p)
    p.add_argument("--format", choices=("turtle", "jsonld", "nt", "trig", "nquads"), default="turtle")
    p.add_argument("--out", metavar="FILE", help="write to FILE (atomically) instead of standard output")


def _query_options(p):
    p.add_argument("name", help="saved query name, e.g. tasks")
    p.add_argument("--param", "-p", action="append", metavar="KEY=VALUE", help="parameter value (repeatable)")
    _store_options(p, endpoint=True)
    _output_options(p)
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")


def _queries_options(p):
    p.add_argument("--format", choices=("table", "json"), default="table")


def _sparql_options(p):
    p.add_argument("query", nargs="?", help="the query text")
    p.add_argument("--file", "-f", metavar="F", help="read the query from F")
    _store_options(p, endpoint=True)
    _output_options(p)


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command-line parser; with ``command`` (a known command name), only that command's options are
    set up (building all of them is ≈ 5 ms of every cold query)."""
    from greenplan import __version__

    ap = argparse.ArgumentParser(prog="greenplan", description="A knowledge graph of Chinese government policy plans.",
                                 formatter_class=_HelpFormatter)
    ap.add_argument("--version", action="version", version=f"greenplan {__version__}")
    ap.add_argument("--debug", action="store_true",
                    help="show the traceback of an internal error (a bug) instead of one line; any position")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, func, helptext, options in COMMANDS:
        if command is None or name == command:
            p = sub.add_parser(name, help=helptext, formatter_class=_HelpFormatter)
            options(p)
            p.set_defaults(func=func if callable(func) else _delegate(str(func)))
    return ap


def _validate_options(p):
    _store_options(p)
    p.add_argument("--format", choices=("text", "table", "turtle", "jsonld", "json"), default="text",
                   help="text (default: by severity, one line per shape with its count and first node), table, "
                        "turtle or jsonld (the W3C SHACL validation report), json")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="text: every finding, one line each, in document order")
    p.add_argument("--engine", choices=("oxigraph", "pyshacl"), default="oxigraph",
                   help="oxigraph (default: greenplan's SHACL engine, fast; refuses by name what it does not "
                        "implement) or pyshacl (the reference engine; the same results, slower)")
    p.add_argument("--shapes", nargs="+", metavar="FILE", action="extend",
                   help="validate --data against these shapes files instead of the plan against shapes/ "
                        "(Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD: by suffix)")
    p.add_argument("--data", nargs="+", metavar="FILE", action="extend", help="the data files for --shapes")


def _network_options(p):
    _store_options(p, endpoint=True)
    p.add_argument("--view", choices=("bureaus", "projects", "topics"), default="bureaus",
                   help="bureaus (default: body–body co-ownership), or the bipartite body–project / body–topic network")
    p.add_argument("--metrics", action="store_true", help="print per-body metrics (table, csv or json)")
    p.add_argument("--format", choices=("table", "csv", "json", "graphml", "gexf", "png", "svg", "html"), default=None,
                   help="table/csv/json with --metrics; graphml, gexf, json (node-link), png, svg, html files with --out")
    p.add_argument("--out", metavar="FILE", help="write the file here (atomically)")
    p.add_argument("--topic", metavar="TOPIC", help="only tasks about this topic (en/zh label or IRI)")
    p.add_argument("--chapter", metavar="N", help="only tasks of this chapter (number or title)")
    p.add_argument("--min-weight", type=int, default=1, metavar="N", help="only edges with at least N shared tasks")
    p.add_argument("--plan", metavar="ID", help="only this plan (identifier) when the store holds several")
    p.add_argument("--collectives", action="store_true",
                   help="count collective parties (各省级人民政府, 有关部门 …) as nodes beside the bodies (default: left out)")


def _serve_options(p):
    _store_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="time limit of one query (default 10)")
    p.add_argument("--max-results", type=int, default=10000, metavar="N", help="result-size limit (rows or triples; default 10000)")
    p.add_argument("--max-result-bytes", type=int, default=16 << 20, metavar="N",
                   help="result-size limit in bytes, counted as the answer streams (default 16 MiB)")
    p.add_argument("--max-body", type=int, default=1 << 20, metavar="N", help="request body limit in bytes (default 1 MiB)")
    p.add_argument("--read-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="each socket read/write, and an idle kept-alive connection (default 10)")
    p.add_argument("--request-timeout", type=float, default=20.0, metavar="SECONDS",
                   help="a request (line, headers, body) must arrive whole within this time (default 20)")
    p.add_argument("--max-connections", type=int, default=64, metavar="N", help="open connections in all (default 64)")
    p.add_argument("--max-per-client", type=int, default=8, metavar="N",
                   help="open connections (behind a trusted proxy: requests in flight) per client address (default 8)")
    p.add_argument("--trusted-proxy", action="append", metavar="ADDRESS",
                   help="reverse proxy address or network (repeatable) whose X-Forwarded-For names the client")
    p.add_argument("--public-url", metavar="URL",
                   help="the address the server is published at (endpoint URL in the service description; "
                        "default: the listening address)")
    p.add_argument("--cache-bytes", type=int, default=32 << 20, metavar="N",
                   help="answers of saved queries and /sparql GET kept per store generation (default 32 MiB; 0: none)")
    p.add_argument("--cache-max-age", type=int, default=60, metavar="SECONDS",
                   help="Cache-Control max-age of cacheable answers (default 60; ETag revalidation after)")
    p.add_argument("--max-memory", type=int, default=1 << 30, metavar="N",
                   help="memory one query may take in a query worker, bytes (default 1 GiB)")
    p.add_argument("--workers", type=int, default=2, metavar="N",
                   help="query worker processes; one client holds at most half of them (default 2)")


def _metadata_options(p):
    _store_options(p)
    p.add_argument("--format", choices=("turtle", "jsonld"), default="turtle")
    p.add_argument("--site", metavar="URL", help="where the dataset is served (download and endpoint URLs; default: the base IRI)")


def _push_options(p):
    p.add_argument("--store", required=True, metavar="URL",
                   help="SPARQL 1.1 Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store")
    _source_options(p)
    p.add_argument("--local-store", metavar="DIR", help="push this built store directory instead of the default cache")
    p.add_argument("--base", metavar="IRI", help="base IRI for minted IRIs")
    p.add_argument("--user", metavar="NAME", help="user name for HTTP basic/digest authentication; the password "
                   "comes from GREENPLAN_PASSWORD or a prompt (never from the command line)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="give up a request after this many seconds without an answer (default 30)")
    p.add_argument("--from", dest="start", metavar="GRAPH",
                   help="resume: send this graph and those after it (graphs go in sorted order)")


def _keeper_options(p):
    _store_options(p)
    p.add_argument("--start", action="store_true", help="start it (large stores only) and wait until it answers")
    p.add_argument("--stop", action="store_true", help="stop it")
    p.add_argument("--wait", type=float, default=120.0, metavar="SECONDS", help="with --start: wait at most this long")
    p.add_argument("--format", choices=("text", "json"), default="text")


# Every command: name, the function it runs (or the module whose main(args) it runs), help, its options.
COMMANDS = [
    ("build", cmd_build, "load plan sources and write the store", _build_options),
    ("add", cmd_add, "add plans to a store, or replace those of the same identifier", _add_options),
    ("remove", cmd_remove, "remove plans from a store", _remove_options),
    ("plans", cmd_plans, "list a store's plans: where each came from and when it was added", _plans_options),
    ("export", cmd_export, "export the graph (turtle, jsonld, nt, trig, nquads), byte-identical across runs",
     _export_options),
    ("query", cmd_query, "run a saved query (see `greenplan queries`)", _query_options),
    ("queries", cmd_queries, "list the saved queries with their parameters", _queries_options),
    ("network", cmd_network, "the bureau collaboration network: metrics and files", _network_options),
    ("sparql", cmd_sparql, "run a SPARQL query given inline or in a file", _sparql_options),
    ("validate", "cli.validate", "check the plan against the SHACL shapes in shapes/ (or any data against any shapes: --shapes, --data)", _validate_options),
    ("serve", "cli.serve", "serve a SPARQL endpoint, linked-data pages and the web UI", _serve_options),
    ("metadata", "cli.metadata", "print the DCAT/VoID description of the published dataset", _metadata_options),
    ("push", "cli.push", "push the graphs to a SPARQL 1.1 Graph Store Protocol endpoint", _push_options),
    ("keeper", "cli.keeper", "status, start or stop the process keeping a large store open", _keeper_options),
]


def _command(argv: list[str]) -> str | None:
    """The command name argv starts with, when it is a known one (else None: the full parser explains)."""
    names = {c[0] for c in COMMANDS}
    return argv[0] if argv and argv[0] in names else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    args = parser(_command(argv)).parse_args(argv)
    from greenplan.output import exit_on_signals

    exit_on_signals()    # SIGTERM/SIGHUP run the clean-up of temporary files, as Ctrl-C does
    if getattr(args, "follow_redirects", False):
        from greenplan.loaders import limits

        limits.FOLLOW_REDIRECTS = True     # read by greenplan.loaders.fetch when a source is fetched
    try:
        return args.func(args)
    except BrokenPipeError:
        return 0
    except SyntaxError as e:  # pyoxigraph's SPARQL syntax errors
        return usage_error(f"SPARQL syntax error: {e}")
    except GreenplanError as e:   # the user's to fix: one line, exit 2
        return usage_error(str(e))
    except OSError as e:          # a file or socket the system refused: one line, no traceback
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        return usage_error(f"{where}{e.strerror or e}")
    except Exception as e:        # anything else is a bug in greenplan, and is said to be one
        if debug:
            raise
        log(f"greenplan: internal error (a bug, please report it): {type(e).__name__}: {e}; "
            f"run again with --debug for the traceback")
        return 1


if __name__ == "__main__":
    sys.exit(main())
