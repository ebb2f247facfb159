"""Review reason ids the extractors raise (their wording is in nlp/resources/coding/review_reasons.csv)."""

from __future__ import annotations

from collections.abc import Iterable

from nlp.schema import Evidence, ReviewReason

LEVELS_CONFLICT = "LEVELS_CONFLICT"
ADDENDUM_CHANGES_FACT = "ADDENDUM_CHANGES_FACT"
INTENT_CONFLICT = "INTENT_CONFLICT"
NOT_PERFORMED_CONFLICT = "NOT_PERFORMED_CONFLICT"
IMAGING_CONFLICT = "IMAGING_CONFLICT"
PROCEDURE_UNCONFIRMED = "PROCEDURE_UNCONFIRMED"

EXTRACT_REASONS = (LEVELS_CONFLICT, ADDENDUM_CHANGES_FACT, INTENT_CONFLICT, NOT_PERFORMED_CONFLICT, IMAGING_CONFLICT,
                   PROCEDURE_UNCONFIRMED)


def doubt(reason_id: str, evidence: Iterable[Evidence] = (), detail: str = "") -> ReviewReason:
    """A review reason as an extractor or check raises it; `nlp.coding.review.build_review` words it from the table."""
    return ReviewReason(id=reason_id, detail=detail, evidence=list(evidence))
