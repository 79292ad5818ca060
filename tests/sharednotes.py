"""Every responsibility note of the shared real documents, read by hand, and how many greenplan reads right.

The hand-read tables: tests/data/gov-cn-notes.tsv (the five pages of tests/data/gov-cn/, one row per party; 126's
annex rows are table cells, matched by their 序号) and tests/data/shared-notes.tsv (gov-cn-2 and the Guangzhou
"633" text, one row per note).  ``score(load)`` loads each document with ``load`` and counts the notes whose
parties (position, spelling, role, collective) and open mark are those read by hand.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from tests.handread import read_tsv

DATA = Path(__file__).parent / "data"
FILES = {p.stem: p for d in ("gov-cn", "gov-cn-2", "guangzhou-633") for p in sorted((DATA / d).iterdir())
         if p.suffix in (".html", ".txt")}

Parties = list[tuple[int, str, str, bool]]


def expected() -> OrderedDict[str, list[tuple[str, Parties, bool]]]:
    """{document stem: [(note or 附件 n, parties, open)]} in document order."""
    out: OrderedDict = OrderedDict()
    seen: OrderedDict = OrderedDict()
    for r in read_tsv("gov-cn-notes.tsv"):
        key = (r["document"], r["where"], r["note"])
        if key not in seen:
            seen[key] = ([], r["open"] == "true")
        seen[key][0].append((int(r["position"]), r["spelling"], r["role"], r["collective"] == "true"))
    for (doc, where, note), (parties, open_) in seen.items():
        out.setdefault(doc, []).append((where if where.startswith("附件") else note, parties, open_))
    for r in read_tsv("shared-notes.tsv"):
        parties = []
        for k, item in enumerate(r["parties"].split(" | "), 1):
            spelling, role = item.rsplit("/", 1)
            parties.append((k, spelling, role.rstrip("*"), role.endswith("*")))
        out.setdefault(r["document"], []).append((r["note"], parties, r["open"] == "true"))
    return out


def read(plan) -> list[tuple[str, Parties, bool]]:
    """What greenplan read: (note as printed, or 附件 n for a table row), parties, open — in document order."""
    out = []
    for t in plan.tasks:
        key = t.note if t.note is not None else f"附件 {t.label or t.number}"
        out.append((key, [(p.position, p.spelling, p.role, p.collective) for p in t.parties], t.open_list))
    return out


def score_document(stem: str, got: list) -> tuple[int, int, list[str]]:
    """(right, total, what was wrong) for one document: each hand-read note in order against the next read one."""
    want = expected()[stem]
    right, wrong, at = 0, [], 0
    for key, parties, open_ in want:
        k = next((j for j in range(at, len(got)) if got[j][0] == key), None)
        if k is None:
            wrong.append(f"{stem}: not read as a note: {key}")
            continue
        at = k + 1
        if (got[k][1], got[k][2]) == (parties, open_):
            right += 1
        else:
            wrong.append(f"{stem}: {key}: read {got[k][1]} open={got[k][2]}, expected {parties} open={open_}")
    return right, len(want), wrong


def score(load) -> tuple[int, int, list[str]]:
    right = total = 0
    wrong: list[str] = []
    for stem in expected():
        plan, _ = load(FILES[stem])
        r, t, w = score_document(stem, read(plan))
        right, total, wrong = right + r, total + t, wrong + w
    return right, total, wrong


if __name__ == "__main__":      # python -m tests.sharednotes: the count, and every note read wrong
    from greenplan.loaders import load
    r, t, w = score(load)
    print("\n".join(w))
    print(f"{r} of {t} notes right")
