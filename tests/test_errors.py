"""One error type (issue 26): every error a user can cause derives from GreenplanError and ends as one line
with exit 2; anything else is a bug, said to be one (exit 1), with --debug for the traceback."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from greenplan.cli.main import main
from greenplan.errors import GreenplanError

ROOT = Path(__file__).resolve().parent.parent
GOV = ROOT / "tests" / "data" / "gov-cn"


def error_classes() -> dict[str, str]:
    """Every exception class the package defines: name → file (read with ast, so none is missed by an import)."""
    found = {}
    for folder in (ROOT / "graph", ROOT / "loaders"):
        for path in sorted(folder.rglob("*.py")):
            if "static" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and any(
                        isinstance(b, (ast.Name, ast.Attribute)) and ast.unparse(b).endswith(("Error", "Exception"))
                        for b in node.bases):
                    found[node.name] = str(path.relative_to(ROOT))
    return found


# Errors of the server's own protocol (answered as HTTP statuses, never reach the CLI), the keeper's private
# signal that it cannot answer (the caller falls back) and the PDF reader's private signal that a stream unpacks
# past its budget (loaders/pdf.py turns it into a PlanFormatError naming the page): not user errors of the
# command line.
NOT_USER_ERRORS = {"HttpError", "Unavailable", "StreamLimit"}


def test_the_walk_finds_the_error_classes():
    assert {"PlanFormatError", "StoreError", "ParameterError", "OutputError"} <= set(error_classes())


@pytest.mark.parametrize("name", sorted(set(error_classes()) - NOT_USER_ERRORS - {"GreenplanError"}))
def test_every_user_error_derives_from_the_base(name):
    import importlib

    path = error_classes()[name]
    parts = Path(path).with_suffix("").parts
    module = "greenplan." + ".".join(parts[1:]) if parts[0] == "graph" else "greenplan." + ".".join(parts)
    cls = getattr(importlib.import_module(module), name)
    if issubclass(cls, (KeyboardInterrupt, SystemExit)):
        pytest.fail(f"{name} derives from a control-flow exception")
    web = module.startswith("greenplan.web.")
    assert issubclass(cls, GreenplanError) or web, f"{name} ({path}) is not a GreenplanError"


def test_two_sources_with_one_identifier_are_one_line_and_exit_2(tmp_path, capsys):
    a = tmp_path / "a" / "plan.html"
    b = tmp_path / "b" / "plan.html"
    for copy in (a, b):
        copy.parent.mkdir()
        shutil.copy(GOV / "gbf-2018-121-sports-competitions.html", copy)
    code = main(["build", "--store", str(tmp_path / "store"), "--source", str(a), "--source", str(b)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("greenplan: error: two sources share the plan identifier")
    assert "Traceback" not in "\n".join(err)


def test_a_bug_is_said_to_be_one_and_debug_shows_the_traceback(tmp_path):
    # A command whose library call fails with an exception no user can cause: a TypeError planted in a copy
    # of the API run in a fresh interpreter (the package itself is not changed).
    code = ("import sys, greenplan.api as api\n"
            "def broken(*a, **k):\n    raise TypeError('planted')\n"
            "api.run_saved = broken\n"
            "from greenplan.cli.main import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    plain = subprocess.run([sys.executable, "-c", code, "query", "plans"], capture_output=True, text=True)
    assert plain.returncode == 1
    assert "internal error (a bug" in plain.stderr and "TypeError: planted" in plain.stderr
    assert "Traceback" not in plain.stderr
    debug = subprocess.run([sys.executable, "-c", code, "query", "plans", "--debug"], capture_output=True, text=True)
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "TypeError: planted" in debug.stderr
