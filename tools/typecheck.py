"""Run mypy on the ``greenplan`` package as Python imports it (``python tools/typecheck.py [mypy options]``).

The import package is assembled from top-level folders (``graph/`` is ``greenplan``, ``loaders/`` is
``greenplan.loaders``; ``pyproject.toml``'s ``package-dir``), a mapping mypy cannot read. This lays the
package out as its import names — a temporary tree of symbolic links to the real files — runs mypy on it with
the settings of ``[tool.mypy]`` in ``pyproject.toml``, and prints mypy's findings with the real paths.
Exit code: mypy's (0 clean, 1 findings, 2 usage).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"greenplan": ROOT / "graph", "greenplan/loaders": ROOT / "loaders"}


def lay_out(into: Path) -> dict[str, str]:
    """Symbolic links named as the package imports them; returns laid-out path → real path (relative)."""
    back = {}
    for name, folder in FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            if "static" in path.parts:
                continue
            target = into / name / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, target)
            back[str(target.relative_to(into))] = str(path.relative_to(ROOT))
    return back


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="greenplan-typecheck-") as tmp:
        back = lay_out(Path(tmp))
        proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                               "-p", "greenplan", *argv], cwd=tmp, capture_output=True, text=True,
                              env={**os.environ, "MYPYPATH": tmp})
        pattern = re.compile("|".join(re.escape(k) for k in sorted(back, key=len, reverse=True)))
        sys.stdout.write(pattern.sub(lambda m: back[m.group(0)], proc.stdout))
        sys.stderr.write(proc.stderr)
        return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
