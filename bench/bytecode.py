"""Bytecode as an installed greenplan has it, before a bench times whole processes.

`pip install .` writes each module's compiled bytecode (`__pycache__/*.pyc`); an editable install writes it on
first import — unless `PYTHONDONTWRITEBYTECODE` is set (as in some sandboxes and CI images), when every process
compiles greenplan's ≈ 25 modules of the query path from source again (≈ 20–25 ms here), which the bare
pyoxigraph script never pays (pyoxigraph is compiled code; the standard library ships its bytecode). The benches
compile the package once before timing, with the interpreter that will run it, and say so.
"""
from __future__ import annotations

import os
import subprocess

COMPILE = """
import compileall, sys
from pathlib import Path
import greenplan, greenplan.loaders
ok = all(compileall.compile_dir(Path(p.__file__).parent, quiet=1) for p in (greenplan, greenplan.loaders))
sys.exit(0 if ok else 1)
"""


def compile_package(python: str) -> str:
    """Compile greenplan's modules (the tree that ``python`` imports) to bytecode; a line saying what was done."""
    subprocess.run([python, "-c", COMPILE], check=True)
    env = "set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "not set"
    return f"greenplan's bytecode compiled before timing (PYTHONDONTWRITEBYTECODE {env})"
