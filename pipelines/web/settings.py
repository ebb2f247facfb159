"""Server settings: limits, token, CORS (one frozen object per app)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nlp.text_input import MAX_NOTE_BYTES

DEFAULT_MAX_BATCH = 100
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

    @property
    def max_body_bytes(self) -> int:
        return 3 * self.max_bytes + JSON_OVERHEAD

    def body_limit(self, path: str) -> int:
        """Largest request body accepted on `path`."""
        return self.max_batch_body_bytes if path.rstrip("/").endswith("/batch") else self.max_body_bytes
