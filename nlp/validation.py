"""Validators shared by the pydantic models of every packaged data file (lexicons, cue lists, rule tables)."""

from __future__ import annotations

import re


def check_regex(value: str) -> str:
    """A pattern field must compile; the message names the pattern and the regex error."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"expected a valid regular expression, got {value!r} (invalid regex: {exc})") from exc
    return value


def check_patterns(values: list[str]) -> list[str]:
    """Every entry of a pattern list must compile."""
    return [check_regex(v) for v in values]
