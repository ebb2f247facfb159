"""Server settings: limits, token, CORS (one frozen object per app)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nlp.text_input import MAX_NOTE_BYTES

DEFAULT_MAX_BATCH = 100
# Host header values accepted by default: the loopback names. A page on another site that rebinds its own DNS
# name to 127.0.0.1 sends its own name as Host and is refused (DNS rebinding).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
BODY_TIMEOUT_S = 30.0  # a body that has not fully arrived by then gets 408
# The analysing thread holds the GIL; the event loop (health checks, other requests) gets it back after at most
# this many seconds instead of CPython's default 5 ms, so it answers while a long note is analysed.
SWITCH_INTERVAL_S = 0.0005
JSON_OVERHEAD = 64 * 1024  # note_id, payer, keys: generous


@dataclass(frozen=True)
class Settings:
    """`max_bytes` is the note limit (UTF-8 bytes of its text); body limits derive from it.

    A JSON string can escape each character to up to 6 bytes (\\uXXXX for a 2-byte UTF-8
    character), so a single-note body may be up to 3x the note limit plus overhead; a batch
    body has its own, flat limit.
    """

    token: str | None = None
    max_bytes: int = MAX_NOTE_BYTES
    max_batch: int = DEFAULT_MAX_BATCH
    max_batch_body_bytes: int = 10 * 1024 * 1024
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    body_timeout_s: float = BODY_TIMEOUT_S

    @property
    def max_body_bytes(self) -> int:
        return 3 * self.max_bytes + JSON_OVERHEAD

    def body_limit(self, path: str) -> int:
        """Largest request body accepted on `path`."""
        return self.max_batch_body_bytes if path.rstrip("/").endswith("/batch") else self.max_body_bytes
