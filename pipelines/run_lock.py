"""One batch run per output: an exclusive lock beside the output file.

Two runs writing the same output would interleave their rows (5,488 rows for 3,000 inputs, both
exiting 0). `OutputLock` takes a non-blocking `flock` on `.<output>.lock` for the whole run and
records who holds it (pid, host, start time: no note text, no identifier), so a second run is
refused with a message naming the holder. The kernel drops the lock when its process dies, even
by kill -9, so a crashed run never blocks the next one; the file itself stays (deleting it would
let a waiting run lock a file nobody else can see).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from nlp.errors import FacetcoderError


class OutputLocked(FacetcoderError):
    """Another run holds the output's lock."""


def lock_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.lock")


class OutputLock:
    """`with OutputLock(output): ...` or raise OutputLocked before any work."""

    def __init__(self, output: Path) -> None:
        self.path = lock_path(output)
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise OutputLocked(
                f"another batch run is writing {self.path.name[1:-5]!r} ({holder}); wait for it to finish or stop it, "
                f"or write to another output") from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}).encode())
        os.fsync(fd)
        self._fd = fd
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _holder(fd: int) -> str:
    """Who holds the lock, from the file's record (a description, or 'holder unknown')."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info['pid']} on {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"
