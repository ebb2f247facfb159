"""Progress for long runs: a rich bar (rate, ETA) on a terminal, plain periodic lines on stderr otherwise.

Only counts are shown; never note text or ids.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Progress:
    """`advance(n)` after each chunk; `close()` at the end. `done` counts rows skipped on resume too."""

    def __init__(self, total: int | None, done: int = 0, label: str = "notes", stream: TextIO | None = None,
                 every: float = 10.0, tty: bool | None = None) -> None:
        self.total, self.done, self.label, self.every = total, done, label, every
        self.stream = stream or sys.stderr
        self.start_done = done
        self.started = self.last_line = time.monotonic()
        self.tty = self.stream.isatty() if tty is None else tty
        self._bar = None
        if self.tty:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TaskProgressColumn,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)

            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=False,
            )
            self._task = self._bar.add_task(label, total=total, completed=done, rate="")
            self._bar.start()

    @property
    def rate(self) -> float:
        """Rows per second in this run (rows skipped on resume excluded)."""
        elapsed = time.monotonic() - self.started
        return (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0

    def advance(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, rate=f"{self.rate:,.1f} {self.label}/s")
            return
        now = time.monotonic()
        if now - self.last_line >= self.every:
            self.last_line = now
            self._line()

    def _line(self) -> None:
        rate = self.rate
        if self.total:
            pct = 100 * self.done / self.total
            eta = _clock((self.total - self.done) / rate) if rate > 0 else "?"
            text = f"progress: {self.done:,}/{self.total:,} {self.label} ({pct:.1f}%), {rate:,.1f} {self.label}/s, ETA {eta}"
        else:
            text = f"progress: {self.done:,} {self.label}, {rate:,.1f} {self.label}/s"
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self.done > self.start_done:
            self._line()
