"""Review routing: does a person need to read this note before its lines are sent?

A flag is a documentation gap or denial risk in what the note says; a review reason is a doubt about
what the note says: two statements that disagree, a reading a model contradicts. Extractors raise
the doubts they see while reading (`doubt(...)`, kept on `NoteResult.review.reasons`); the checks
here add the ones visible only after the models ran. Wording, rule ids and the raising stage of
every id live in `review_reasons.csv`; the table is checked against `REVIEW_CHECKS` and
`nlp.extract.doubts.EXTRACT_REASONS` on load.
"""

from __future__ import annotations

from collections.abc import Callable

from nlp.coding.models import PayerProfile
from nlp.coding.modifiers import LATERALITY, kx_applies
from nlp.coding.tables import RuleTables
from nlp.errors import RuleTableError
from nlp.extract.doubts import doubt
from nlp.schema import NoteResult, Review, ReviewReason

__all__ = ["REVIEW_CHECKS", "build_review", "doubt"]

# A model that reads another value than the rules with at least this calibrated probability routes to review.
MODEL_DISAGREE_P = 0.5
TEMPLATE_FIELDS = frozenset({"detail"})

Check = Callable[[NoteResult, RuleTables, PayerProfile], list[ReviewReason]]


def check_model_disagrees(result: NoteResult, tables: RuleTables, profile: PayerProfile) -> list[ReviewReason]:
    """The models never change a fact; when one confidently reads another value, a person decides."""
    out = []
    facts = [("family", result.procedure, result.procedure.family)]
    if result.procedure.family != "no_procedure":
        facts.append(("intent", result.intent, result.intent.value))
    for task, fact, rule_value in facts:
        reading = fact.model
        if reading is None or reading.value == rule_value or reading.p < MODEL_DISAGREE_P:
            continue
        detail = f"{task} model: {reading.value} (p={reading.p:.2f}); rules: {rule_value}"
        out.append(doubt("MODEL_DISAGREES", fact.evidence, detail))
    return out


def check_levels_not_read(result: NoteResult, tables: RuleTables, profile: PayerProfile) -> list[ReviewReason]:
    """A guided facet procedure whose treated levels could not be read: no line is a reading gap until a
    person confirms the note names none (the LEVELS_MISSING flag says what to document)."""
    in_scope = tables.families[result.procedure.family].in_scope
    if not in_scope or result.imaging.modality == "none" or result.levels:
        return []
    return [doubt("LEVELS_NOT_READ", result.procedure.evidence, f"{result.procedure.family.replace('_', ' ')} under "
                  f"{result.imaging.modality}, no treated joint read")]


def check_imaging_not_read(result: NoteResult, tables: RuleTables, profile: PayerProfile) -> list[ReviewReason]:
    """A facet procedure with treated joints but no guidance read at all: no 6449x line (R-IMG-2) is a reading
    gap until a person confirms the note names none. Guidance stated as not used (landmark technique, "no fluoro")
    has evidence and is a documented fact, not a doubt: the IMAGING_MISSING flag covers it."""
    in_scope = tables.families[result.procedure.family].in_scope
    if not in_scope or not result.levels or result.imaging.modality != "none" or result.imaging.evidence:
        return []
    joints = ", ".join(lv.joint for lv in result.levels)
    return [doubt("IMAGING_NOT_READ", [ev for lv in result.levels for ev in lv.evidence],
                  f"{result.procedure.family.replace('_', ' ')} at {joints}")]


def check_line_without_side(result: NoteResult, tables: RuleTables, profile: PayerProfile) -> list[ReviewReason]:
    """A claim line without 50, RT or LT: the side was not read, and a bilateral or one-sided line cannot be told."""
    joints = sorted({j for line in result.claim_lines if not LATERALITY & set(line.modifiers) for j in line.levels})
    if not joints:
        return []
    evidence = [ev for lv in result.levels if lv.joint in joints for ev in lv.evidence]
    return [doubt("SIDE_NOT_READ", evidence, ", ".join(joints))]


def check_intent_not_read(result: NoteResult, tables: RuleTables, profile: PayerProfile) -> list[ReviewReason]:
    """Lines for a payer whose modifiers depend on the intent (KX on a diagnostic block), but neither intent
    words nor the injectate told the intent: the lines carry no KX, which is wrong if the block was
    diagnostic. (A note that claims both intents already raised INTENT_CONFLICT.)"""
    if not result.claim_lines or result.intent.value != "unknown" or not kx_applies("diagnostic", profile):
        return []
    if any(r.id == "INTENT_CONFLICT" for r in result.review.reasons):
        return []
    return [doubt("INTENT_NOT_READ", result.procedure.evidence, result.intent.reason or "no intent words, no injectate")]


REVIEW_CHECKS: dict[str, Check] = {
    "MODEL_DISAGREES": check_model_disagrees,
    "LEVELS_NOT_READ": check_levels_not_read,
    "IMAGING_NOT_READ": check_imaging_not_read,
    "SIDE_NOT_READ": check_line_without_side,
    "INTENT_NOT_READ": check_intent_not_read,
}


def build_review(result: NoteResult, tables: RuleTables, profile: PayerProfile) -> Review:
    """Every reason (the extractors' and the checks'), worded from review_reasons.csv; `needs_review` when any."""
    reasons = tables.review_reasons
    for reason in result.review.reasons:
        if reason.id not in reasons:
            raise RuleTableError(f"review reason {reason.id!r} is not in review_reasons.csv; expected one of {sorted(reasons)}")
    # Coding reasons are recomputed, so coding a coded result again (another payer) gives the same review.
    raised = [r for r in result.review.reasons if reasons[r.id].raised_by == "extract"]
    raised += [r for check in REVIEW_CHECKS.values() for r in check(result, tables, profile)]
    out: list[ReviewReason] = []
    for reason in raised:
        row = reasons[reason.id]
        message = row.message.format(detail=reason.detail or "see evidence")
        out.append(reason.model_copy(update={"message": message, "rule_ids": list(row.rule_ids)}))
    return Review(status="needs_review" if out else "auto", reasons=out)
