"""The tables of tests/data, one reader for every test, and the facts computed from them.

Hand-read tables (read off the document by a person): annex1-owners.tsv (owner cells as printed),
annex2-projects.tsv (project rows), spellings.tsv (who each spelling is), topic-cases.tsv (texts of the
plan, about a topic or not, and why).  Golden files (what a search over our own data gave, then reviewed):
topic-tags.tsv, place-mentions.tsv — their headers say so.

Every table: lines starting with ``#`` are comments; the first other line names the columns.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

DATA = Path(__file__).parent / "data"
OWNER_SEPARATORS = re.compile("[、，,]")
OPEN_MARK = "等"


def read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a tab-separated table of tests/data as dicts keyed by its column names."""
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader((l for l in fh if not l.startswith("#")), delimiter="\t"))


def header(name: str) -> list[str]:
    """The comment lines at the top of a table, without their ``# ``."""
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        out.append(line.lstrip("# "))
    return out


def numbers_by_key(name: str) -> dict[str, dict[str, list[int]]]:
    """A table whose first column is a key and whose other columns list numbers (space-separated, '-': none)."""
    out = {}
    for row in read_tsv(name):
        key, *kinds = row
        out[row[key]] = {k: [] if row[k] == "-" else [int(x) for x in row[k].split()] for k in kinds}
    return out


def owner_names(cell: str) -> list[str]:
    """The body spellings of an owner (or lead) cell as printed, in order; a trailing 等 is not a name."""
    return OWNER_SEPARATORS.split(cell.removesuffix(OPEN_MARK))


OWNER_CELLS = {int(r["number"]): r["owners_as_printed"] for r in read_tsv("annex1-owners.tsv")}
PROJECTS = read_tsv("annex2-projects.tsv")
SPELLINGS = {r["spelling"]: r for r in read_tsv("spellings.tsv")}


def full_names(cell: str) -> list[str]:
    """Full zh names of a cell's bodies, in printed order, each once (a cell may name a body twice)."""
    return list(dict.fromkeys(SPELLINGS[n]["full_name"] for n in owner_names(cell)))


def tags() -> dict[str, dict[str, list[int]]]:
    """Golden: topic → tasks, projects, targets it tags (topic-tags.tsv)."""
    return numbers_by_key("topic-tags.tsv")


def place_mentions() -> dict[str, dict[str, list[int]]]:
    """Golden: place key → tasks, projects naming it (place-mentions.tsv)."""
    return numbers_by_key("place-mentions.tsv")


def workload(owners) -> tuple[Counter, Counter]:
    """(tasks per body, tasks it owns alone) from annex 1's owner cells; ``owners(n)`` lists task n's bodies."""
    total, sole = Counter(), Counter()
    for number in OWNER_CELLS:
        bodies = owners(number)
        for b in bodies:
            total[b] += 1
            sole[b] += len(bodies) == 1
    return total, sole
