"""Docs that cover the interface (issue 26): every option of every command is named in a docs page."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from greenplan.cli.main import COMMANDS, parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md")))


def options() -> list[tuple[str, str]]:
    found = []
    top = parser()
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for a in sub._actions:
                    found += [(name, s) for s in a.option_strings if s.startswith("--") and s != "--help"]
        else:
            found += [("", s) for s in action.option_strings if s.startswith("--") and s != "--help"]
    return sorted(set(found))


def test_every_command_is_seen():
    assert {c[0] for c in COMMANDS} <= {command for command, _ in options()} | {"queries"}
    assert len(options()) > 40


@pytest.mark.parametrize("command,option", options())
def test_every_option_is_in_a_docs_page(command, option):
    page = ROOT / "docs" / "commands" / f"{command}.md"
    where = page.read_text(encoding="utf-8") if page.is_file() else DOCS
    assert option in where, f"greenplan {command} {option} is in no docs page ({page.name if page.is_file() else 'docs/'})"


def test_the_option_tables_are_what_the_parser_says():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, str(ROOT / "tools" / "options_reference.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
