"""A hard time limit for analysing one note (or one chunk) in a batch or Spark worker.

The pipeline is linear in the note length, but a worker must never be stuck on one input whatever
it holds. `deadline(seconds)` arms a real-time interval timer; when it fires, `AnalysisTimeout` is
raised in the analysing code at its next Python instruction, and the caller turns the note into an
`analysis_timeout` error row. Signals reach only the main thread, so elsewhere (the web server's
worker threads) the limit is not armed and `armed()` says so.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class AnalysisTimeout(Exception):
    """The note took longer than its time limit."""


def armed() -> bool:
    """True where a deadline can be enforced (the main thread of a POSIX process)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _expire(signum: int, frame: FrameType | None) -> None:
    raise AnalysisTimeout


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise AnalysisTimeout in the body after `seconds` (None or 0: no limit; not armed off the main thread)."""
    if not seconds or not armed():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
