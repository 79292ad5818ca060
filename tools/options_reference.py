"""Write each command's option table into its page ``docs/commands/<command>.md`` from the parser itself.

    python tools/options_reference.py           # rewrite the tables
    python tools/options_reference.py --check   # exit 1 when a page's table is not what the parser says

The table sits between ``<!-- options: begin -->`` and ``<!-- options: end -->`` at the end of the page
(appended when missing); ``tests/test_docs_options.py`` checks that it is current, so the reference cannot
drift from ``--help``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- options: begin -->", "<!-- options: end -->"


def subparsers() -> dict[str, argparse.ArgumentParser]:
    from greenplan.cli.main import parser

    for action in parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise SystemExit("the greenplan parser has no commands")


def table(sub: argparse.ArgumentParser) -> str:
    rows = ["| option | what it does |", "|---|---|"]
    for a in sub._actions:
        if not a.option_strings or "--help" in a.option_strings:
            continue
        names = ", ".join(f"`{s}`" for s in a.option_strings)
        if a.metavar or (a.nargs != 0 and not isinstance(a, (argparse._StoreTrueAction, argparse._StoreFalseAction))):
            if a.choices:
                names += " {" + ",".join(str(c) for c in a.choices) + "}"
            elif a.metavar:
                names += f" {a.metavar}"
        text = (a.help or "").replace("|", "\\|").replace("\n", " ")
        if "%(default)" in text:
            text = text.replace("%(default)s", str(a.default))
        rows.append(f"| {names} | {text} |")
    rows.append("| `--debug` | show the traceback of an internal error (a bug) instead of one line (any command) |")
    return "\n".join(rows)


def section(command: str, sub: argparse.ArgumentParser) -> str:
    return (f"{BEGIN}\n## Options\n\nGenerated from the parser by `python tools/options_reference.py`; "
            f"`greenplan {command} --help` says the same.\n\n{table(sub)}\n{END}\n")


def page_text(command: str, sub: argparse.ArgumentParser, text: str) -> str:
    block = section(command, sub)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1].lstrip("\n")
    return text.rstrip("\n") + "\n\n" + block


def main(argv: list[str]) -> int:
    stale = []
    for command, sub in sorted(subparsers().items()):
        page = ROOT / "docs" / "commands" / f"{command}.md"
        text = page.read_text(encoding="utf-8") if page.is_file() else f"# `greenplan {command}`\n"
        new = page_text(command, sub, text)
        if new != text:
            stale.append(str(page.relative_to(ROOT)))
            if "--check" not in argv:
                page.write_text(new, encoding="utf-8")
    if "--check" in argv and stale:
        print("stale option tables: " + ", ".join(stale) + "; run python tools/options_reference.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
