"""A hard time limit for analysing one note (or one chunk), in any thread.

The pipeline is linear in the note length, but a worker must never be stuck on one input whatever
it holds. `deadline(seconds)` raises `AnalysisTimeout` in the analysing code at its next Python
instruction once the time is up, and the caller turns the note into an `analysis_timeout` error row
(batch, Spark) or a 422 (serve).

In the main thread of a POSIX process a real-time interval timer (SIGALRM) fires it. Signals reach
only the main thread, so in any other thread (the web server's worker threads) a timer thread asks
CPython to raise the exception asynchronously in the analysing thread
(`PyThreadState_SetAsyncExc`, the interpreter's own mechanism for this). Either way a long call
into compiled code (the tokenizer) finishes before the exception is seen; the text normalisation
keeps those calls short.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class AnalysisTimeout(Exception):
    """The note took longer than its time limit."""


def _signal_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def armed() -> bool:
    """True where a deadline can be enforced: the main thread (a signal) or any thread of CPython."""
    return _signal_usable() or hasattr(ctypes, "pythonapi")


def _expire(signum: int, frame: FrameType | None) -> None:
    raise AnalysisTimeout


@contextmanager
def _signal_deadline(seconds: float) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> int:
    return int(ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                                         ctypes.py_object(exc) if exc else None))


class _ThreadDeadline:
    """Raise AnalysisTimeout in one thread after `seconds`, never after the guarded block has ended."""

    def __init__(self, seconds: float) -> None:
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.inside = True
        self.fired = False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True

    def _fire(self) -> None:
        with self.lock:
            if self.inside:
                self.fired = _set_async_exc(self.thread_id, AnalysisTimeout) == 1

    def close(self) -> None:
        self.timer.cancel()
        with self.lock:
            self.inside = False
            if self.fired:  # raised or still pending: a pending one must not land after the block
                _set_async_exc(self.thread_id, None)


@contextmanager
def _thread_deadline(seconds: float) -> Iterator[None]:
    guard = _ThreadDeadline(seconds)
    guard.timer.start()
    try:
        yield
    finally:
        guard.close()


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise AnalysisTimeout in the body after `seconds` (None or 0: no limit)."""
    if not seconds or not armed():
        yield
    elif _signal_usable():
        with _signal_deadline(seconds):
            yield
    else:
        with _thread_deadline(seconds):
            yield
