"""Turn raw bytes or text into a note string, or fail with a clear InputError.

Reasons are stable codes (used as batch error reasons): empty, binary, encoding, too_large.
"""

from __future__ import annotations

import re

from nlp.errors import InputError

MAX_NOTE_BYTES = 200_000  # a facet procedure note is 1-5 KB; 200 KB is far past any real note


def decode_note(data: bytes, *, max_bytes: int = MAX_NOTE_BYTES) -> str:
    """Decode bytes as UTF-8 (BOM allowed) and validate the text."""
    if len(data) > max_bytes:
        raise InputError("too_large", f"note is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    if b"\x00" in data[:8192]:
        raise InputError("binary", "note looks binary (contains NUL bytes); expected plain UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "encoding", f"note is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc
    return validate_text(text, max_bytes=max_bytes)


_SURROGATE = re.compile("[\ud800-\udfff]")


def validate_text(text: str, *, max_bytes: int = MAX_NOTE_BYTES) -> str:
    """Return the text unchanged if it can be analysed, else raise InputError."""
    if not isinstance(text, str):
        raise InputError("binary", f"expected note text as str, received {type(text).__name__}")
    if not text.strip():
        raise InputError("empty", "note is empty or whitespace only")
    if "\x00" in text:
        raise InputError("binary", "note contains NUL characters; expected plain text")
    lone = _SURROGATE.search(text)
    if lone is not None:  # spaCy cannot hash it; JSON output could not carry it
        raise InputError("encoding", f"note has an unpaired UTF-16 surrogate at character {lone.start()}; "
                                     "expected Unicode text (re-export the note as UTF-8)")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise InputError("too_large", f"note is {size:,} bytes; the limit is {max_bytes:,} bytes")
    return text
