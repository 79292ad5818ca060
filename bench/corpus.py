"""A deterministic corpus of plan variants made from the bundled plan (for benchmarks and tests).

Variant ``k`` is the bundled document with the responsible-body cells of annex 1 rewritten: every body
named in a cell is replaced by its image under a permutation of the bodies (seeded by ``k``; variant 0
is the document's text unchanged), spelled with a spelling that ``tests/data/spellings.tsv`` lists for that
body, so the loader reads it as it reads the document.  The table layout (one tab-indented line per
cell) is unchanged, so the annex still parses into 112 tasks.  Each variant gets its own metadata file
with a distinct identifier (``corpus-NNN``): its own plan IRI and named graph.  Answers therefore differ
by plan: e.g. the bodies owning hydrogen tasks in ``corpus-001`` are the images of those in the document.

    python bench/corpus.py DIR N        # writes DIR/corpus-000.txt … and their .meta.toml files

``owners.json`` beside them records, for each variant, the permutation (slug → slug) it applied.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPELLINGS = ROOT / "tests" / "data" / "spellings.tsv"
SEED = 20240607
IDENT = "corpus-{:03d}"


def spellings(path: Path = SPELLINGS) -> dict[str, list[str]]:
    """slug → the spellings the document prints for it (file order)."""
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("spelling\t"):
            continue
        spelling, slug, _full = line.split("\t")
        out.setdefault(slug, []).append(spelling)
    return out


def _spell(slug: str, first: bool, table: dict[str, list[str]]) -> str:
    """A listed spelling: with the 市 prefix for a cell's first name (as the document prints), bare after it."""
    names = table[slug]
    prefixed = [s for s in names if s.startswith("市") and not s.startswith("市场")]
    bare = [s for s in names if s not in prefixed]
    pool = (prefixed or bare) if first else (bare or prefixed)
    return pool[0]


def permutation(k: int, slugs: list[str]) -> dict[str, str]:
    """The body permutation of variant k (identity for k = 0)."""
    if k == 0:
        return {s: s for s in slugs}
    image = list(slugs)
    random.Random(SEED + k).shuffle(image)
    return dict(zip(slugs, image))


def variant_text(text: str, tasks, mapping: dict[str, str], table: dict[str, list[str]]) -> str:
    """The document with each task's owner cell rewritten under ``mapping``."""
    by_spelling = {s: slug for slug, names in table.items() for s in names}
    lines = text.split("\n")
    for task in tasks:
        slugs = [by_spelling.get(o.spelling) for o in task.owners]
        if None in slugs:  # a name the spellings list does not know: keep the cell as printed
            continue
        cell = "、".join(_spell(mapping[s], i == 0, table) for i, s in enumerate(slugs))
        if task.open_list:
            cell += "等"
        for i in range(task.span.last - 1, task.span.first - 2, -1):   # the owner cell is the row's last cell
            if lines[i].strip() == task.owners_raw:
                indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
                lines[i] = indent + cell
                break
        else:
            raise ValueError(f"task {task.number}: owner cell {task.owners_raw!r} not found in lines "
                             f"{task.span.first}-{task.span.last}")
    return "\n".join(lines)


def write_corpus(directory: Path, n: int) -> list[Path]:
    """Write variants 0 … n-1 (text + .meta.toml) into ``directory``; returns the text files, in order."""
    from greenplan.loaders import load
    from greenplan.resources import bundled_plan

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    source = bundled_plan()
    text = source.read_text(encoding="utf-8")
    meta = source.with_name(source.stem + ".meta.toml").read_text(encoding="utf-8")
    plan, _report = load(source)
    table = spellings()
    slugs = sorted(table)
    out, applied = [], {}
    for k in range(n):
        ident = IDENT.format(k)
        mapping = permutation(k, slugs)
        path = directory / f"{ident}.txt"
        path.write_text(text if k == 0 else variant_text(text, plan.tasks, mapping, table), encoding="utf-8")
        lines = [f'identifier = "{ident}"' if l.startswith("identifier =") else l for l in meta.splitlines()]
        lines = [f'title = "{ident}：湛江市方案变体 {k}"' if l.startswith("title =") else l for l in lines]
        (directory / f"{ident}.meta.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        applied[ident] = {a: b for a, b in mapping.items() if a != b}
        out.append(path)
    (directory / "owners.json").write_text(json.dumps(applied, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                           encoding="utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        sys.exit("usage: python bench/corpus.py DIR N")
    files = write_corpus(Path(sys.argv[1]), int(sys.argv[2]))
    print(f"wrote {len(files)} plan variants into {sys.argv[1]}")
