"""Where the installed data files are: ontology, queries, shapes, bundled plan."""
from __future__ import annotations

from pathlib import Path

BUNDLED_PLAN = "zhanjiang-green-plan-draft.txt"
MISPRINTS_FILE = "misprints.tsv"     # shapes/: misprints of the documents and their readings


def folder(name: str) -> Path:
    """The installed folder ``ontology``, ``queries``, ``shapes`` or ``data``.

    Each is a package of its own; its folder is where its ``__init__.py`` is (no importlib.resources on the
    cold query path: it costs ≈ 6 ms to import)."""
    module = __import__(f"greenplan.{name}", fromlist=["__file__"])
    assert module.__file__ is not None, f"greenplan.{name} is a namespace package: reinstall greenplan"
    return Path(module.__file__).parent


def query_text(name: str) -> str:
    """The text of ``queries/<name>.rq`` — a query the code runs itself (``network/…``, ``metadata/…``), by its
    path under ``queries/`` without ``.rq``."""
    return (folder("queries") / f"{name}.rq").read_text(encoding="utf-8")


def bundled_plan() -> Path:
    return folder("data") / BUNDLED_PLAN


def ontology_files() -> list[Path]:
    """Every Turtle file of ``ontology/`` and its sub-folders (``bodies/``); each becomes its own named graph."""
    return sorted(folder("ontology").rglob("*.ttl"))


def graph_name(path: Path) -> str:
    """Named-graph name of an ontology file: ``greenplan.ttl`` → ``ontology``, ``bodies/CN.ttl`` → ``bodies/CN``,
    else the file's stem."""
    if path.stem == "greenplan":
        return "ontology"
    return path.relative_to(folder("ontology")).with_suffix("").as_posix()


def data_table(name: str) -> list[dict[str, str]]:
    """Rows of a TAB-separated table of ``ontology/`` (``#`` comment lines, then a header line)."""
    lines = [ln.rstrip("\n") for ln in (folder("ontology") / name).read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    head = lines[0].split("\t")
    return [dict(zip(head, (ln.split("\t") + [""] * len(head))[: len(head)])) for ln in lines[1:]]


def misprint_rows() -> list[tuple[str, str, str]]:
    """(misprint, reading, note) rows of ``shapes/misprints.tsv`` (comments and header skipped)."""
    path = folder("shapes") / MISPRINTS_FILE
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("misprint\t"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or not all(c.strip() for c in cells):
            raise ValueError(f"{path}:{n}: expected three tab-separated cells (misprint, reading, note), "
                             f"found {line!r}")
        rows.append((cells[0].strip(), cells[1].strip(), cells[2].strip()))
    return rows
