"""Validators shared by the pydantic models of every packaged data file (lexicons, cue lists, rule tables)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator


def check_regex(value: str) -> str:
    """A pattern field must compile; the message names the pattern and the regex error."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"expected a valid regular expression, got {value!r} (invalid regex: {exc})") from exc
    return value


# A field (or list item) holding a regular expression: must compile; `list[Regex]` for cue lists.
Regex = Annotated[str, AfterValidator(check_regex)]
