"""Where the installed data files are: ontology, queries, shapes, bundled plan."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

BUNDLED_PLAN = "zhanjiang-green-plan-draft.txt"


def folder(name: str) -> Path:
    """The installed folder ``ontology``, ``queries``, ``shapes`` or ``data``."""
    return Path(str(files(f"greenplan.{name}")))


def bundled_plan() -> Path:
    return folder("data") / BUNDLED_PLAN


def ontology_files() -> list[Path]:
    """Every Turtle file of ``ontology/``; each becomes its own named graph."""
    return sorted(folder("ontology").glob("*.ttl"))


def graph_name(path: Path) -> str:
    """Named-graph name of an ontology file: ``greenplan.ttl`` → ``ontology``, else the file's stem."""
    return "ontology" if path.stem == "greenplan" else path.stem
