"""Review reason ids the extractors raise (their wording is in nlp/resources/coding/review_reasons.csv)."""

from __future__ import annotations

LEVELS_CONFLICT = "LEVELS_CONFLICT"
ADDENDUM_CHANGES_FACT = "ADDENDUM_CHANGES_FACT"
INTENT_CONFLICT = "INTENT_CONFLICT"

EXTRACT_REASONS = (LEVELS_CONFLICT, ADDENDUM_CHANGES_FACT, INTENT_CONFLICT)
