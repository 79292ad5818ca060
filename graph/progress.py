"""A progress bar for work that takes more than a second (corpus builds, pushes).

The bar (rich, on standard error) appears only once the work has run for ``delay`` seconds and only when
standard error is a terminal, so quick runs, pipes and tests print nothing.  rich is imported only when a
bar is shown: this module is cheap to import.

    with Steps("building", total=len(sources)) as steps:
        for src in sources:
            ...
            steps.advance(src.name)
"""
from __future__ import annotations

import sys
import time
from typing import Any


class Steps:
    def __init__(self, label: str, total: int, delay: float = 1.0, stream=None):
        self.label = label
        self.total = total
        self.delay = delay
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._bar: Any = None     # rich.progress.Progress once shown (rich is imported only then)
        self._task: Any = None

    def _show(self, description: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("{task.description}"), console=Console(file=self.stream), transient=True)
        self._task = bar.add_task(description, total=self.total, completed=self.done)
        bar.start()
        self._bar = bar

    def advance(self, description: str = "", steps: int = 1) -> None:
        """Count ``steps`` more done; ``description`` is shown beside the bar."""
        self.done += steps
        if self._bar is None and time.monotonic() - self.started > self.delay and _is_terminal(self.stream):
            self._show(description)
        elif self._bar is not None:
            self._bar.update(self._task, completed=self.done, description=description)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> "Steps":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
