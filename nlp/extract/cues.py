"""Shared cue-list helpers for the pain, care and duration extractors.

Cue words live in `lexicons/cues.yaml` (sections `pain`, `care`, `duration`, `procedure`, `document`, `layout`); each extractor
validates its section with a strict pydantic model and compiles its regexes once at import.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from nlp.errors import RuleTableError
from nlp.resources import read_yaml

CUES_FILE = "lexicons/cues.yaml"
CUE_SECTIONS = frozenset({"pain", "care", "duration", "procedure", "document", "layout"})

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def load_cues(section: str, model: type[M]) -> M:
    """One validated section of `lexicons/cues.yaml` (unknown sections or keys are an error)."""
    data = read_yaml(CUES_FILE)
    if not isinstance(data, dict) or set(data) - CUE_SECTIONS or section not in data:
        raise RuleTableError(
            f"{CUES_FILE}: expected top-level sections {sorted(CUE_SECTIONS)}, found {sorted(data or {})}"
        )
    return model.model_validate(data[section])


def alternation(patterns: Iterable[str]) -> str:
    """Non-capturing alternation of regex fragments, longest first."""
    return "(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + ")"
