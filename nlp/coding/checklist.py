"""Documentation checklist (R-DOC-5, R-MCR-IND-*): each element present or missing, with evidence.

Labels and rule ids come from checklist.csv; `CHECKS` holds the test for each row id.
R-MCR-IND-4 (no non-facet cause on imaging/exam) has no extracted fact and is not listed.
"""

from __future__ import annotations

from collections.abc import Callable

from nlp.coding.context import CodingContext
from nlp.coding.evidence import merge_evidence
from nlp.coding.gaps import conservative_care_gap, pain_duration_gap, scale_of, timed_scores
from nlp.coding.icd10 import billable_codes
from nlp.schema import ChecklistItem, Evidence

Result = tuple[bool, list[Evidence]]


def _levels(ctx: CodingContext) -> Result:
    return bool(ctx.levels), merge_evidence(*(lv.evidence for lv in ctx.levels))


def _laterality(ctx: CodingContext) -> Result:
    ok = bool(ctx.levels) and all(lv.side != "unspecified" for lv in ctx.levels)
    return ok, merge_evidence(*(lv.side_evidence for lv in ctx.levels))


def _procedure_type(ctx: CodingContext) -> Result:
    proc = ctx.result.procedure
    return proc.family in ("facet_joint_injection", "medial_branch_block"), list(proc.evidence)


def _intent(ctx: CodingContext) -> Result:
    return ctx.result.intent.value != "unknown", list(ctx.result.intent.evidence)


def _imaging(ctx: CodingContext) -> Result:
    return ctx.result.imaging.modality in ("fluoroscopy", "ct"), list(ctx.result.imaging.evidence)


def _agents(ctx: CodingContext) -> Result:
    agents = [a for a in ctx.result.agents if a.kind in ("local_anesthetic", "steroid")]
    return bool(agents), merge_evidence(*(a.evidence for a in agents))


def _sedation(ctx: CodingContext) -> Result:
    sed = ctx.result.sedation
    return (not sed.given) or bool(sed.kinds), list(sed.evidence)


def _pre_pain(ctx: CodingContext) -> Result:
    pre, _ = timed_scores(ctx.result)
    return bool(pre), merge_evidence(*(s.evidence for s in pre))


def _post_pain(ctx: CodingContext) -> Result:
    pre, post = timed_scores(ctx.result)
    pre_scales = {scale_of(s) for s in pre}
    same = [s for s in post if not pre_scales or scale_of(s) in pre_scales]
    return bool(same), merge_evidence(*(s.evidence for s in post))


def _pain_duration(ctx: CodingContext) -> Result:
    return pain_duration_gap(ctx.result, ctx.profile) is None, list(ctx.result.pain_duration.evidence)


def _conservative_care(ctx: CodingContext) -> Result:
    care = ctx.result.conservative_care
    ok = conservative_care_gap(ctx.result, ctx.profile) is None
    return ok, merge_evidence(care.evidence, *(i.evidence for i in care.items))


def _no_radiculopathy(ctx: CodingContext) -> Result:
    rad = ctx.result.radiculopathy
    return rad.status == "negated", list(rad.evidence)


def _diagnosis(ctx: CodingContext) -> Result:
    covered = [dx for dx in billable_codes(ctx.diagnoses) if dx.category == "covered"]
    return bool(covered), merge_evidence(*(dx.evidence for dx in covered))


def _relief(ctx: CodingContext) -> Result:
    return bool(ctx.result.percent_relief), merge_evidence(*(r.evidence for r in ctx.result.percent_relief))


CHECKS: dict[str, Callable[[CodingContext], Result]] = {
    "levels": _levels,
    "laterality": _laterality,
    "procedure_type": _procedure_type,
    "intent": _intent,
    "imaging": _imaging,
    "agents": _agents,
    "sedation": _sedation,
    "pre_pain_score": _pre_pain,
    "post_pain_score": _post_pain,
    "pain_duration": _pain_duration,
    "conservative_care": _conservative_care,
    "no_radiculopathy": _no_radiculopathy,
    "diagnosis": _diagnosis,
    "relief": _relief,
}


def build_checklist(ctx: CodingContext) -> list[ChecklistItem]:
    items = []
    for row in ctx.tables.checklist:
        present, evidence = CHECKS[row.id](ctx)
        items.append(ChecklistItem(id=row.id, label=row.label, present=present, rule_ids=list(row.rule_ids), evidence=evidence))
    return items
