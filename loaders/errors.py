"""The one error a loader raises: the file cannot be read as a plan at all."""
from __future__ import annotations

from greenplan.errors import GreenplanError


class PlanFormatError(GreenplanError, ValueError):
    """A file that cannot be read as a plan: names the file, the line and what was expected."""

    def __init__(self, file: str, line: int, expected: str, found: str, hint: str | None = None):
        self.file = file
        self.line = line
        self.expected = expected
        self.found = found
        self.hint = hint or "check that the file is a plan exported as text (UTF-8) with its annex tables"
        shown = found if len(found) <= 60 else found[:57] + "…"
        super().__init__(
            f"{file}:{line}: expected {expected}, found {shown!r}. {self.hint[0].upper()}{self.hint[1:]}."
        )
