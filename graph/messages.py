"""Messages for the person at the terminal: one line each, on standard error.

Commands report usage errors with :func:`usage_error` (``greenplan: error: …``, exit code 2) and
progress with :func:`log`; library functions that take a ``log`` callable get :func:`log` from them.
"""
from __future__ import annotations

import os
import sys


def log(message: str) -> None:
    """One line on standard error."""
    print(message, file=sys.stderr)


def usage_error(message: str) -> int:
    """Report a usage error (or input that cannot be used) in one line; the exit code to return, 2."""
    log(f"greenplan: error: {message}")
    return 2


def terminal_width(default: int = 100) -> int:
    """The terminal's width in columns: ``COLUMNS`` when it is a positive number, else the width of the terminal
    standard output is, else ``default`` — the columns of ``shutil.get_terminal_size((default, …))``, without
    importing shutil (with bz2 and lzma ≈ 2 ms of every cold command; argparse's help formatter asks too)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    if stdout is None:
        return default
    try:
        return os.get_terminal_size(stdout.fileno()).columns or default
    except (AttributeError, ValueError, OSError):
        return default
