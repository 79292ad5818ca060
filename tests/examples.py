"""The command examples of README.md and docs/, run and compared with the output they show.

An *example* is a fenced code block whose first line starts with ``$ ``. Each ``$ `` line is a command
(it continues on the next lines while a quote is open or the line ends with ``\\``); the lines up to the
next command are the output it shows. Commands run in bash, standard error merged into standard output,
in one scratch directory per page (so a page's ``greenplan build --store S`` serves its later commands)
that holds links to the checkout's ``data/``, ``tests/`` and ``docs/``. Every page shares one per-user
cache (``XDG_CACHE_HOME``), built once, and no ``COLUMNS``: tables are 100 columns wide, as when standard
output is not a terminal.

What is shown may hold ``…``: a line that is only ``…`` stands for any number of lines (cut lines), a
``…`` inside a line for any text (a cut line end, a store key, a port). Volatile parts of the program's
output are masked before the comparison (``VOLATILE``): store keys, temporary paths, timings.

An example preceded by ``<!-- example: with-server -->`` runs while ``greenplan serve --port 0`` serves the
default store; ``http://127.0.0.1:8000`` in its commands and output stands for that server's address.
An example that cannot run offline and fast (it needs another server, or a file the reader makes first) is
preceded by ``<!-- example: skip REASON -->``; the reason is required.

    python -m tests.examples            # run every example, print the differences
    python -m tests.examples --update   # rewrite the shown outputs from the program (review the diff!)

``--update`` keeps what still matches (the ``…`` lines and masks of a shown output) and rewrites the rest:
a shown output that was cut (a ``…`` line) keeps as many lines before and after the cut as it had.
"""
from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["README.md"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md"))
LINKED = ("data", "tests", "docs")          # what a command may read, relative to the checkout
CUT = "…"
SKIP = re.compile(r"<!--\s*example:\s*skip\b\s*(.*?)\s*-->")
WITH_SERVER = re.compile(r"<!--\s*example:\s*with-server\s*-->")
SERVER_SHOWN = "http://127.0.0.1:8000"     # the address examples show; replaced by the test server's
FENCE = re.compile(r"^(\s*)(```+|~~~+)(.*)$")
TIMEOUT = 120
# (pattern, replacement) applied to the program's output before it is compared or written back
VOLATILE = [
    (re.compile(r"stores/[0-9a-f]{16,}"), "stores/" + CUT),
    (re.compile(r"(?:127\.0\.0\.1|localhost):\d+"), "127.0.0.1:" + CUT),
    (re.compile(r"\b\d+(?:\.\d+)? ?(?:ms|s)\b(?= |$|\)|,)"), CUT),
]


@dataclass
class Command:
    text: str           # as shown, without "$ ", continuation lines included
    shown: list[str]    # output lines as shown
    first: int          # index of the command's first line in the page
    end: int            # index after its last shown output line


@dataclass
class Example:
    page: str
    line: int           # 1-based line of the opening fence
    commands: list[Command]
    skip: str | None    # the reason, when marked
    server: bool = False  # run while a `greenplan serve` of the default store listens


def _complete(text: str) -> bool:
    if text.endswith("\\"):
        return False
    try:
        shlex.split(text, comments=True)
    except ValueError:      # a quote is still open
        return False
    return True


def examples(page: str, lines: list[str] | None = None) -> list[Example]:
    if lines is None:
        lines = (ROOT / page).read_text(encoding="utf-8").split("\n")
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start = m.group(2), i
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence[0] * len(fence)):
            j += 1
        body = list(range(start + 1, j))
        if body and lines[body[0]].startswith("$ "):
            k = start - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            marker = SKIP.search(lines[k]) if k >= 0 else None
            server = bool(WITH_SERVER.search(lines[k])) if k >= 0 else False
            out.append(Example(page, start + 1, _commands(lines, body), marker.group(1) if marker else None, server))
        i = j + 1
    return out


def _commands(lines: list[str], body: list[int]) -> list[Command]:
    cmds: list[Command] = []
    n = 0
    while n < len(body):
        first = body[n]
        text = lines[first][2:]
        n += 1
        while not _complete(text) and n < len(body):
            text += "\n" + lines[body[n]]
            n += 1
        shown_start = n
        while n < len(body) and not lines[body[n]].startswith("$ "):
            n += 1
        last = n
        while last > shown_start and not lines[body[last - 1]].strip():     # blank lines before the next command
            last -= 1
        shown = [lines[k] for k in body[shown_start:last]]
        end = body[last - 1] + 1 if last > shown_start else body[shown_start - 1] + 1
        cmds.append(Command(text, shown, first, end))
    return cmds


def programs(page: str) -> set[str]:
    """The programs a page's runnable examples start (``greenplan``, ``curl`` …)."""
    return {shlex.split(c.text, comments=True)[0] for e in examples(page) if e.skip is None for c in e.commands}


def mask(text: str, scratch: str) -> list[str]:
    text = text.replace(scratch + "/", "").replace(scratch, ".")
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return [line.rstrip() for line in text.rstrip("\n").split("\n")] if text.strip() else []


def _line_pattern(shown: str) -> re.Pattern:
    """A shown line as a pattern: ``…`` is any text, and volatile parts written out (a port) are masked too."""
    for pattern, replacement in VOLATILE:
        shown = pattern.sub(replacement, shown)
    return re.compile(".*?".join(re.escape(part) for part in shown.rstrip().split(CUT)), re.S)


def matches(shown: list[str], actual: list[str]) -> bool:
    """``shown`` (with ``…`` lines and ``…`` inside lines) stands for ``actual``."""
    patterns = [None if s.strip() == CUT else _line_pattern(s) for s in shown]
    memo: dict[tuple[int, int], bool] = {}

    def go(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[i, j]
        if i == len(patterns):
            r = j == len(actual)
        elif patterns[i] is None:
            r = go(i + 1, j) or (j < len(actual) and go(i, j + 1))
        else:
            r = j < len(actual) and bool(patterns[i].fullmatch(actual[j])) and go(i + 1, j + 1)
        memo[i, j] = r
        return r

    return go(0, 0)


def updated(shown: list[str], actual: list[str]) -> list[str]:
    """What to show for ``actual``: ``shown`` if it still matches; else the actual lines, cut where
    ``shown`` was cut, each kept as shown where it still matches its line."""
    if matches(shown, actual) and any(s.strip() != CUT for s in shown):
        return shown
    cuts = [k for k, s in enumerate(shown) if s.strip() == CUT]
    if cuts and len(cuts) < len(shown) and len(actual) > len(shown) - 1:
        head, tail = shown[:cuts[0]], shown[cuts[-1] + 1:]
        new = actual[:len(head)] + [CUT] + (actual[len(actual) - len(tail):] if tail else [])
        old = head + [CUT] + tail
    else:
        new, old = list(actual), shown + [None] * max(0, len(actual) - len(shown))
    return [o if (o is not None and o != CUT and n != CUT and _line_pattern(o).fullmatch(n)) else n
            for o, n in zip(old, new)]


class Session:
    """One cache for all pages, one scratch directory per page."""

    def __init__(self, base: Path):
        self.base = base
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("COLUMNS", "LINES", "GREENPLAN_STORE", "GREENPLAN_BASE")}
        self.env["XDG_CACHE_HOME"] = str(base / "cache")
        self.env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + self.env.get("PATH", "")
        self.env["LC_ALL"] = "C.UTF-8"
        self.dirs: dict[str, Path] = {}
        self.server: subprocess.Popen | None = None
        self.address: str | None = None
        # the default store is built before any example, so no example prints "building the store …"
        subprocess.run([str(Path(sys.executable).parent / "greenplan"), "build"], env=self.env,
                       capture_output=True, check=True, timeout=TIMEOUT)

    def scratch(self, page: str) -> Path:
        if page not in self.dirs:
            d = self.base / ("page-" + re.sub(r"\W", "-", page))
            d.mkdir()
            for name in LINKED:
                (d / name).symlink_to(ROOT / name)
            self.dirs[page] = d
        return self.dirs[page]

    def serve(self) -> str:
        """The address of a `greenplan serve --port 0` of the default store, started on first use."""
        if self.address is None:
            self.server = subprocess.Popen([str(Path(sys.executable).parent / "greenplan"), "serve", "--port", "0"],
                                           env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                           stderr=subprocess.DEVNULL, text=True)
            first = self.server.stdout.readline()
            m = re.search(r"http://127\.0\.0\.1:\d+", first)
            if not m:
                self.close()
                raise RuntimeError(f"greenplan serve did not say where it listens: {first!r}")
            self.address = m.group(0)
        return self.address

    def close(self) -> None:
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
            self.server.stdout.close()
            self.server = None

    def run(self, page: str, cmd: Command, server: bool = False) -> list[str]:
        d = self.scratch(page)
        text = cmd.text.replace(SERVER_SHOWN, self.serve()) if server else cmd.text
        p = subprocess.run(["bash", "-c", text], cwd=d, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=TIMEOUT)
        text = p.stdout.decode("utf-8", "replace").replace(self.env["XDG_CACHE_HOME"], "~/.cache")
        if server:
            text = text.replace(self.serve(), SERVER_SHOWN)
        return mask(text, str(d))


def check_page(session: Session, page: str, update: bool = False) -> list[str]:
    """Differences between shown and actual outputs of one page (and, with ``update``, the page rewritten)."""
    path = ROOT / page
    lines = path.read_text(encoding="utf-8").split("\n")
    problems, edits = [], []
    for ex in examples(page, lines):
        if ex.skip is not None:
            if not ex.skip:
                problems.append(f"{page}:{ex.line}: `<!-- example: skip -->` needs a reason")
            continue
        for cmd in ex.commands:
            actual = session.run(page, cmd, ex.server)
            if cmd.shown and all(s.strip() == CUT for s in cmd.shown):
                problems.append(f"{page}:{cmd.first + 1}: $ {cmd.text}\n  shows nothing but `…`: show some output")
                edits.append((cmd, updated(cmd.shown, actual)))
            elif not matches(cmd.shown, actual):
                problems.append(f"{page}:{cmd.first + 1}: $ {cmd.text}\n  shown:\n"
                                + "\n".join("    " + s for s in cmd.shown)
                                + "\n  actual:\n" + "\n".join("    " + a for a in actual))
                edits.append((cmd, updated(cmd.shown, actual)))
    if update and edits:
        for cmd, new in sorted(edits, key=lambda e: -e[0].first):
            start = cmd.end - len(cmd.shown)
            lines[start:cmd.end] = new
        path.write_text("\n".join(lines), encoding="utf-8")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.examples", description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help="rewrite the shown outputs from the program")
    ap.add_argument("pages", nargs="*", help="pages to check (default: README.md and docs/**/*.md)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="greenplan-examples-") as tmp:
        session = Session(Path(tmp))
        problems = []
        try:
            for page in args.pages or PAGES:
                problems += check_page(session, page, args.update)
        finally:
            session.close()
    for p in problems:
        print(p, end="\n\n")
    verb = "rewrote" if args.update else "differ"
    print(f"{len(problems)} example output(s) {verb}" if problems else "every example's output matches")
    return 1 if problems and not args.update else 0


if __name__ == "__main__":
    sys.exit(main())
