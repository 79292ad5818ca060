"""`greenplan query` tables fit the terminal: 100 columns when standard output is not a terminal, the
terminal's width (COLUMNS) otherwise; `--max-width N` cuts every cell at N columns instead."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from greenplan.query.results import Result, fit_widths, to_table, width

GREENPLAN = str(Path(sys.executable).parent / "greenplan")


def run(*args: str, columns: str | None = None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns:
        env["COLUMNS"] = columns
    p = subprocess.run([GREENPLAN, "query", *args], capture_output=True, text=True, env=env, check=True, timeout=120)
    return p.stdout.splitlines()


def test_the_first_command_fits_100_columns_and_follows_the_terminal():
    lines = run("tasks")
    assert len(lines) == 112 + 3
    assert max(map(width, lines)) <= 100
    assert max(map(width, lines)) >= 95           # the room is used, not thrown away
    assert lines[0].split() == ["number", "chapter", "measure", "text", "bureaus", "plan"]   # headers stay whole
    wide = run("tasks", columns="160")
    assert 100 < max(map(width, wide)) <= 160
    assert wide[2].split()[0] == "1" and "…" in lines[2]


def test_max_width_cuts_cells_whatever_the_terminal():
    lines = run("tasks", "--max-width", "16", columns="80")
    cells = [c for line in lines[2:-1] for c in line.split("  ") if c.strip()]
    assert cells and max(width(c.strip()) for c in cells) <= 16
    assert max(map(width, lines)) > 80


def test_fit_widths_narrows_the_widest_first_and_keeps_floors():
    assert fit_widths([10, 50, 30], 70, [8, 8, 8]) == [10, 28, 28]      # 66 columns + 2 gaps of 2
    assert fit_widths([10, 20], 100, [8, 8]) == [10, 20]               # fits already: unchanged
    assert fit_widths([40, 40], 10, [12, 9]) == [12, 9]                # floors win over the room


def test_a_table_cut_to_fit_marks_its_cut_cells():
    r = Result(["a", "b"], [[ox.Literal("x" * 30), ox.Literal("湛江市发展和改革局湛江市工业和信息化局")]])
    out = to_table(r, max_width=None, total_width=40).splitlines()
    assert max(map(width, out)) <= 40
    assert out[2].endswith("…") and out[2].count("…") == 2


def test_width_counts_wide_and_full_width_characters_as_two():
    # Counted by hand from Unicode's East Asian Width: 湛 江 市 are Wide (W), Ａ is Fullwidth (F), ｱ is
    # Halfwidth (H), … and é are Ambiguous/Neutral (one column, as a terminal without CJK settings shows them).
    assert width("湛江市ab") == 8
    assert width("Ａｱ…é") == 5
    assert width("plain ascii") == 11
    assert width("") == 0
    assert width("湛江市") == width("湛") * 3 == 6      # a character met before counts the same again


def test_terminal_width_follows_columns_else_the_default():
    # Standard output is a pipe here, so without COLUMNS the default answers (what shutil.get_terminal_size
    # says for a pipe); a positive COLUMNS wins; a bad one is ignored.
    code = "from greenplan.messages import terminal_width as w; print(w(), w(80))"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    for columns, expected in ((None, "100 80"), ("123", "123 123"), ("0", "100 80"), ("wide", "100 80")):
        e = dict(env, **({"COLUMNS": columns} if columns else {}))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e, check=True,
                             stdin=subprocess.DEVNULL)
        assert out.stdout.split() == expected.split(), columns
