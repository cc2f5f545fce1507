"""A progress bar on stderr that appears only once an import has run for more than a second."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported only once a bar is shown
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


class Progress:
    DELAY = 1.0

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.bar: RichProgress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> Progress:
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.start < self.DELAY or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        if self.task is not None:  # set with the bar
            self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
