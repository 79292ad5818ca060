"""What a clean install holds: every module imports in a fresh interpreter of this environment, every
import the package makes is a declared dependency (or the standard library), and nothing declared is unused."""
from __future__ import annotations

import ast
import importlib.metadata as md
import re
import subprocess
import sys
from pathlib import Path

import greenplan
from greenplan.resources import folder

PACKAGE_DIRS = {"greenplan": Path(greenplan.__file__).parent, "greenplan.loaders": folder("loaders")}
# Declared dependencies the package's code reaches only through another library; each names where.
INDIRECT = {"scipy": ("network/draw.py", "kamada_kawai_layout")}   # networkx's Kamada–Kawai layout needs scipy
TESTS = Path(__file__).parent


def modules() -> list[str]:
    out = []
    for package, directory in PACKAGE_DIRS.items():
        for f in sorted(directory.rglob("*.py")):
            parts = f.relative_to(directory).with_suffix("").parts
            if parts[-1] == "__main__":       # `python -m` entry points run the command when imported
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out.append(".".join((package,) + parts))
    return out


def imported_top_names(files) -> set[str]:
    """Top-level names of every absolute import in these files, function-level imports included."""
    names = set()
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"__future__"}


def requirements(extra: str | None = None) -> set[str]:
    """Distribution names greenplan's installed metadata requires (the base set, or one extra's)."""
    out = set()
    for r in md.requires("greenplan") or []:
        name = re.match(r"[A-Za-z0-9_.\-]+", r).group(0).lower()
        marker = r.partition(";")[2]
        if (extra is None and not marker) or (extra is not None and f'extra == "{extra}"' in marker):
            out.add(name)
    return out


def distribution(module: str) -> str | None:
    found = md.packages_distributions().get(module)
    return found[0].lower() if found else None


def package_files() -> list[Path]:
    return [f for d in PACKAGE_DIRS.values() for f in sorted(d.rglob("*.py"))]


def test_every_module_imports_in_a_fresh_interpreter():
    names = modules()
    assert "greenplan.cli.main" in names and "greenplan.loaders.records" in names and "greenplan.web.worker" in names
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\nprint('ok', len(sys.argv) - 1)"
    done = subprocess.run([sys.executable, "-I", "-c", code, *names], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", str(len(names))]


# Imports of optional extras: each is declared in its extra and imported only inside a function that says
# how to install it when missing (the file must hold the marker).
OPTIONAL = {"pandas": ("pandas", "query/results.py", 'pip install "greenplan[pandas]"')}


def test_every_import_of_the_package_is_declared_and_every_dependency_used():
    declared = requirements()
    used = {}
    for name in imported_top_names(package_files()) - {"greenplan"}:
        used[name] = distribution(name)
        if name in OPTIONAL:
            extra, file, marker = OPTIONAL[name]
            assert used[name] in requirements(extra), f"{name} is not declared in the extra [{extra}]"
            assert marker in (PACKAGE_DIRS["greenplan"] / file).read_text(encoding="utf-8"), (name, file)
            continue
        assert used[name] in declared, f"the package imports {name} (distribution {used[name]}), not declared"
    for dist, (file, marker) in INDIRECT.items():
        assert marker in (PACKAGE_DIRS["greenplan"] / file).read_text(encoding="utf-8"), (dist, file)
        assert dist in declared
    unused = declared - set(used.values()) - set(INDIRECT)
    assert not unused, f"declared but never imported: {sorted(unused)}"


def test_every_import_of_the_tests_is_declared():
    declared = requirements() | requirements("test")
    for name in imported_top_names(sorted(TESTS.rglob("*.py"))) - {"greenplan", "tests"}:
        assert distribution(name) in declared, f"the tests import {name}, declared neither in dependencies nor in [test]"
    assert "oxigraph" in requirements("test")   # provides the `oxigraph` server command, imported by no test


def test_indirect_dependency_is_importable_here():
    for dist in INDIRECT:
        done = subprocess.run([sys.executable, "-I", "-c", f"import {dist}"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_ci_runs_the_readme_first_screen_verbatim():
    root = TESTS.parent
    readme, ci = (root / "README.md").read_text(encoding="utf-8"), (root / ".ci" / "run").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ['pip install -e . && greenplan query tasks', 'pip install -e ".[test]" && python -m pytest']
    for c in commands:
        assert f"readme_step '{c}'" in ci, c
    assert "-m venv" in ci and "--system-site-packages" not in ci


def test_the_tests_installed_layout_is_pyprojects():
    import tomllib

    from tests.conftest import INSTALLED_LAYOUT, ROOT

    package_dir = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-dir"]
    assert {folder: package.replace(".", "/") for package, folder in package_dir.items()} == INSTALLED_LAYOUT
