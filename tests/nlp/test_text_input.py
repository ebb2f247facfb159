"""Bad input gets a clear error with a stable reason code."""

from __future__ import annotations

import pytest

from nlp.errors import InputError
from nlp.text_input import decode_note, validate_text


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Pain 7/10 caf\u00e9".encode("latin-1"), "encoding"),
        (b"x" * 300, "too_large"),
    ],
)
def test_bad_bytes(data, code):
    with pytest.raises(InputError) as exc:
        decode_note(data, max_bytes=200)
    assert exc.value.code == code
    assert str(exc.value)  # a message a person can read


def test_good_bytes_keep_text_exactly():
    text = "PROCEDURE: L4-5 MBB \u2013 right.\r\nPain 7/10."
    assert decode_note(("\ufeff" + text).encode("utf-8")) == text  # BOM dropped, nothing else


def test_validate_text_rejects_non_str():
    with pytest.raises(InputError) as exc:
        validate_text(b"bytes")  # type: ignore[arg-type]
    assert exc.value.code == "binary"


def test_encoding_error_names_the_offset():
    with pytest.raises(InputError, match="offset 4"):
        decode_note(b"abcd\xff")
