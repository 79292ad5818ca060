"""Messages for the person at the terminal: one line each, on standard error.

Commands report usage errors with :func:`usage_error` (``greenplan: error: …``, exit code 2) and
progress with :func:`log`; library functions that take a ``log`` callable get :func:`log` from them.
"""
from __future__ import annotations

import sys


def log(message: str) -> None:
    """One line on standard error."""
    print(message, file=sys.stderr)


def usage_error(message: str) -> int:
    """Report a usage error (or input that cannot be used) in one line; the exit code to return, 2."""
    log(f"greenplan: error: {message}")
    return 2
