"""The per-note deadline holds in the main thread (a signal) and in worker threads (the web server's)."""

from __future__ import annotations

import threading
import time

import pytest

from pipelines.deadline import AnalysisTimeout, armed, deadline


def _spin(seconds: float) -> int:
    """Pure-Python work for `seconds` (the exception lands between bytecodes)."""
    stop, n = time.monotonic() + seconds, 0
    while time.monotonic() < stop:
        n += 1
    return n


def _in_thread(fn):
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=30)
    assert not t.is_alive(), "the thread never finished"
    return box


def test_main_thread_work_over_the_limit_is_stopped():
    started = time.monotonic()
    with pytest.raises(AnalysisTimeout), deadline(0.2):
        _spin(10)
    assert time.monotonic() - started < 5


def test_worker_thread_work_over_the_limit_is_stopped():
    def slow() -> float:
        started = time.monotonic()
        try:
            with deadline(0.2):
                _spin(10)
        except AnalysisTimeout:
            return time.monotonic() - started
        raise AssertionError("the deadline did not fire in a worker thread")

    box = _in_thread(slow)
    assert "error" not in box, box
    assert box["value"] < 5


def test_worker_thread_work_within_the_limit_finishes_and_nothing_lands_later():
    def quick() -> str:
        with deadline(0.3):
            _spin(0.05)
        _spin(0.6)  # past the original limit: a stray pending exception would surface here
        return "done"

    assert _in_thread(quick) == {"value": "done"}


def test_no_limit_means_no_timer():
    with deadline(None):
        assert _spin(0.01) > 0
    with deadline(0):
        assert _spin(0.01) > 0


def test_the_limit_is_armed_in_worker_threads_too():
    assert armed()
    assert _in_thread(armed) == {"value": True}


def test_a_deadline_in_one_thread_does_not_stop_another():
    other_done = threading.Event()

    def other() -> None:
        _spin(0.6)
        other_done.set()

    t = threading.Thread(target=other)
    t.start()
    box = _in_thread(lambda: _raises_timeout(0.1))
    t.join(timeout=10)
    assert box == {"value": True}
    assert other_done.is_set()


def _raises_timeout(limit: float) -> bool:
    try:
        with deadline(limit):
            _spin(5)
    except AnalysisTimeout:
        return True
    return False
