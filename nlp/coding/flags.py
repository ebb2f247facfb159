"""Denial-risk flags: one small check per flag id; wording, severity and rule ids come from flags.csv.

A check returns `Hit`s (the flag id, the values for its message template, the evidence).
`CHECKS` is the registry the loader validates flags.csv against: every row needs a check and
every check a row. NOT_FACET_PROCEDURE is raised by the engine itself, for notes outside the
facet family, and replaces every other flag (a consult note gets no documentation-gap noise).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nlp.coding.context import CodingContext
from nlp.coding.evidence import merge_evidence, unique
from nlp.coding.gaps import conservative_care_gap, pain_duration_gap, pain_score_gap
from nlp.coding.icd10 import billable_children, billable_codes, fit_groups, region_mismatch, support_of
from nlp.coding.models import FamilyRow, FlagRow, PayerProfile
from nlp.coding.tables import RuleTables
from nlp.schema import Evidence, Flag

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
TEMPLATE_FIELDS = frozenset(
    {"payer", "detail", "family_label", "codes", "code", "levels", "count", "cap", "region",
     "min_months", "percent", "threshold", "families", "suggestion"}
)


@dataclass(frozen=True)
class Hit:
    id: str
    params: Mapping[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)


def _level_evidence(ctx: CodingContext) -> list[Evidence]:
    return merge_evidence(*(lv.evidence for lv in ctx.levels))


def check_imaging_missing(ctx: CodingContext) -> list[Hit]:
    if ctx.result.imaging.modality != "none":
        return []
    return [Hit("IMAGING_MISSING", evidence=merge_evidence(ctx.result.imaging.evidence, ctx.result.procedure.evidence))]


def check_imaging_ultrasound(ctx: CodingContext) -> list[Hit]:
    if ctx.result.imaging.modality != "ultrasound":
        return []
    detail = "" if ctx.profile.covers("ultrasound") else f" {ctx.profile.name} does not cover ultrasound-guided facet injections."
    return [Hit("IMAGING_ULTRASOUND", {"detail": detail}, list(ctx.result.imaging.evidence))]


def check_imaging_unbundled(ctx: CodingContext) -> list[Hit]:
    written = [wc for wc in ctx.result.cpt_codes_written if wc.code.strip().upper() in ctx.tables.bundled]
    if not written:
        return []
    codes = "/".join(unique(wc.code.strip().upper() for wc in written))
    return [Hit("IMAGING_UNBUNDLED", {"codes": codes}, merge_evidence(*(wc.evidence for wc in written)))]


def check_levels_missing(ctx: CodingContext) -> list[Hit]:
    return [] if ctx.levels else [Hit("LEVELS_MISSING", evidence=list(ctx.result.procedure.evidence))]


def check_laterality_missing(ctx: CodingContext) -> list[Hit]:
    missing = [lv for lv in ctx.levels if lv.side == "unspecified"]
    if not missing:
        return []
    return [Hit("LATERALITY_MISSING", {"levels": ", ".join(lv.joint for lv in missing)}, merge_evidence(*(lv.evidence for lv in missing)))]


def check_levels_over_limit(ctx: CodingContext) -> list[Hit]:
    cap = ctx.profile.max_levels_per_region
    return [
        Hit(
            "LEVELS_OVER_LIMIT",
            {"count": len(s.levels), "region": s.label, "cap": cap},
            merge_evidence(*(lv.evidence for lv in s.levels)),
        )
        for s in ctx.sessions
        if len(s.levels) > cap
    ]


def check_non_covered_level(ctx: CodingContext) -> list[Hit]:
    if ctx.profile.covers("third_plus_level"):
        return []
    third = {row.code for row in ctx.tables.cpt.values() if row.rank == 3}
    lines = [ln for ln in ctx.lines if ln.cpt in third]
    return [Hit("NON_COVERED_LEVEL", {"code": code}, merge_evidence(*(ln.evidence for ln in lines if ln.cpt == code)))
            for code in unique(ln.cpt for ln in lines)]


def check_multiple_regions(ctx: CodingContext) -> list[Hit]:
    if len(ctx.sessions) < 2 or ctx.profile.covers("multiple_regions"):
        return []
    return [Hit("MULTIPLE_REGIONS", {"region": " and ".join(s.label for s in ctx.sessions)}, _level_evidence(ctx))]


def check_region_verify_t12_l1(ctx: CodingContext) -> list[Hit]:
    if ctx.profile.lone_t12_l1 != "verify":
        return []
    hits = []
    for s in ctx.sessions:
        if s.joints == ["T12-L1"] and not s.junction:
            has_l1 = any("L1-L2" in other.joints for other in ctx.sessions)
            detail = " The T12-L1 + L1-L2 junction exception (64490 + 64494) is Medicare-only, so L1-L2 starts its own lumbar line." if has_l1 else ""
            ev = merge_evidence(*(lv.evidence for lv in s.levels if lv.joint == "T12-L1"))
            hits.append(Hit("REGION_VERIFY_T12_L1", {"detail": detail}, ev))
    return hits


def check_intent_missing(ctx: CodingContext) -> list[Hit]:
    return [Hit("INTENT_MISSING", evidence=list(ctx.result.intent.evidence))] if ctx.result.intent.value == "unknown" else []


def check_therapeutic_mbb(ctx: CodingContext) -> list[Hit]:
    r = ctx.result
    if r.procedure.family != "medial_branch_block" or r.intent.value != "therapeutic" or ctx.profile.covers("therapeutic_mbb"):
        return []
    return [Hit("THERAPEUTIC_MBB", evidence=merge_evidence(r.intent.evidence, r.procedure.evidence))]


def check_pain_score_missing(ctx: CodingContext) -> list[Hit]:
    gap = pain_score_gap(ctx.result)
    return [Hit("PAIN_SCORE_MISSING", {"detail": gap}, merge_evidence(*(s.evidence for s in ctx.result.pain_scores)))] if gap else []


def check_pain_duration_missing(ctx: CodingContext) -> list[Hit]:
    gap = pain_duration_gap(ctx.result, ctx.profile)
    if not gap:
        return []
    return [Hit("PAIN_DURATION_MISSING", {"detail": gap, "min_months": f"{ctx.profile.min_pain_months:g}"}, list(ctx.result.pain_duration.evidence))]


def check_conservative_care_missing(ctx: CodingContext) -> list[Hit]:
    gap = conservative_care_gap(ctx.result, ctx.profile)
    care = ctx.result.conservative_care
    return [Hit("CONSERVATIVE_CARE_MISSING", {"detail": gap}, merge_evidence(care.evidence, *(i.evidence for i in care.items)))] if gap else []


def check_diagnosis_missing(ctx: CodingContext) -> list[Hit]:
    """No diagnosis anywhere; an invalid or unmapped one still documents a diagnosis (ICD10_* flags)."""
    return [] if ctx.diagnoses else [Hit("DIAGNOSIS_MISSING", evidence=list(ctx.result.procedure.evidence))]


def check_icd10_unmapped(ctx: CodingContext) -> list[Hit]:
    """Diagnosis phrases the phrase table cannot turn into a code, when no billable code exists at all."""
    if billable_codes(ctx.diagnoses):
        return []
    unmapped = [dx for dx in ctx.diagnoses if dx.code is None]
    return [Hit("ICD10_UNMAPPED", evidence=merge_evidence(*(dx.evidence for dx in unmapped)))] if unmapped else []


def _region_first(codes: list[str], ctx: CodingContext) -> list[str]:
    """Replacement codes that fit the region treated first (M47.81 on L4-L5 -> M47.816 first)."""
    fits = set().union(*(fit_groups(s) for s in ctx.sessions)) if ctx.sessions else set()
    return sorted(codes, key=lambda c: support_of(c, ctx.tables)[1] not in fits)


def check_icd10_invalid(ctx: CodingContext) -> list[Hit]:
    hits = []
    for dx in ctx.diagnoses:
        if dx.origin != "written" or not dx.code or dx.billable:
            continue
        children = _region_first(billable_children(dx.code), ctx) if dx.valid else []
        detail = "is a category header, not a billable code" if dx.valid else "is not a valid ICD-10-CM code"
        suggestion = f" (one of {', '.join(children)})" if children else ""
        hits.append(Hit("ICD10_INVALID", {"code": dx.code, "detail": detail, "suggestion": suggestion}, list(dx.evidence)))
    return hits


def check_diagnosis_not_supported(ctx: CodingContext) -> list[Hit]:
    codes = billable_codes(ctx.diagnoses)
    if not codes or any(dx.category == "covered" for dx in codes):
        return []
    return [Hit("DIAGNOSIS_NOT_SUPPORTED", {"codes": ", ".join(dx.code for dx in codes if dx.code)}, merge_evidence(*(dx.evidence for dx in codes)))]


def check_diagnosis_region_mismatch(ctx: CodingContext) -> list[Hit]:
    regional = [dx for dx in billable_codes(ctx.diagnoses) if dx.region_group != "none"]
    return [
        Hit("DIAGNOSIS_REGION_MISMATCH", {"codes": ", ".join(dx.code for dx in regional if dx.code), "region": s.label},
            merge_evidence(*(dx.evidence for dx in regional)))
        for s in ctx.sessions
        if region_mismatch(s, ctx.diagnoses)
    ]


def check_radiculopathy(ctx: CodingContext) -> list[Hit]:
    radicular = [dx for dx in ctx.diagnoses if dx.category == "radicular"]
    affirmed = ctx.result.radiculopathy.status == "affirmed"
    if not (affirmed or radicular) or any(dx.concept == "facet_cyst" for dx in ctx.diagnoses):
        return []  # the facet synovial cyst exception of R-MCR-IND-3
    codes = unique(dx.code for dx in radicular if dx.code and dx.billable)
    detail = f" (diagnosis {', '.join(codes)})" if codes else ""
    ev = merge_evidence(ctx.result.radiculopathy.evidence if affirmed else [], *(dx.evidence for dx in radicular))
    return [Hit("RADICULOPATHY", {"detail": detail}, ev)]


def check_sedation(ctx: CodingContext) -> list[Hit]:
    sed = ctx.result.sedation
    kinds = [k for k in sed.kinds if k != "local_only"]
    if not sed.given or (sed.kinds and not kinds) or ctx.profile.covers("sedation"):
        return []
    detail = ", ".join(k.replace("_", " ") for k in kinds) or "type not documented"
    return [Hit("SEDATION", {"detail": detail}, list(sed.evidence))]


def check_steroid_in_diagnostic(ctx: CodingContext) -> list[Hit]:
    steroids = [a for a in ctx.result.agents if a.kind == "steroid"]
    if ctx.result.intent.value != "diagnostic" or not steroids:
        return []
    return [Hit("STEROID_IN_DIAGNOSTIC", {"detail": ", ".join(unique(a.name for a in steroids))},
                merge_evidence(ctx.result.intent.evidence, *(a.evidence for a in steroids)))]


def check_same_day_procedure(ctx: CodingContext) -> list[Hit]:
    others = [ctx.tables.families[f] for f in unique(ctx.result.procedure.other_families)
              if f != "no_procedure" and not ctx.tables.families[f].in_scope]
    if not others:
        return []
    return [Hit("SAME_DAY_PROCEDURE", {"families": ", ".join(f.label for f in others), "codes": "; ".join(f.codes for f in others)},
                list(ctx.result.procedure.evidence))]


def check_level_from_nerves(ctx: CodingContext) -> list[Hit]:
    derived = [lv for lv in ctx.levels if lv.from_nerves]
    if not derived:
        return []
    return [Hit("LEVEL_FROM_NERVES", {"levels": ", ".join(lv.joint for lv in derived)}, merge_evidence(*(lv.evidence for lv in derived)))]


def check_relief_below_threshold(ctx: CodingContext) -> list[Hit]:
    reliefs = ctx.result.percent_relief
    threshold = ctx.profile.positive_block_percent
    if ctx.result.intent.value != "diagnostic" or not reliefs:
        return []
    best = max(r.percent for r in reliefs)
    if best >= threshold:
        return []
    return [Hit("RELIEF_BELOW_THRESHOLD", {"percent": f"{best:g}", "threshold": f"{threshold:g}"}, merge_evidence(*(r.evidence for r in reliefs)))]


CHECKS: dict[str, Callable[[CodingContext], list[Hit]]] = {
    "IMAGING_MISSING": check_imaging_missing,
    "IMAGING_ULTRASOUND": check_imaging_ultrasound,
    "IMAGING_UNBUNDLED": check_imaging_unbundled,
    "LEVELS_MISSING": check_levels_missing,
    "LATERALITY_MISSING": check_laterality_missing,
    "LEVELS_OVER_LIMIT": check_levels_over_limit,
    "NON_COVERED_LEVEL": check_non_covered_level,
    "MULTIPLE_REGIONS": check_multiple_regions,
    "REGION_VERIFY_T12_L1": check_region_verify_t12_l1,
    "INTENT_MISSING": check_intent_missing,
    "THERAPEUTIC_MBB": check_therapeutic_mbb,
    "PAIN_SCORE_MISSING": check_pain_score_missing,
    "PAIN_DURATION_MISSING": check_pain_duration_missing,
    "CONSERVATIVE_CARE_MISSING": check_conservative_care_missing,
    "DIAGNOSIS_MISSING": check_diagnosis_missing,
    "ICD10_INVALID": check_icd10_invalid,
    "ICD10_UNMAPPED": check_icd10_unmapped,
    "DIAGNOSIS_NOT_SUPPORTED": check_diagnosis_not_supported,
    "DIAGNOSIS_REGION_MISMATCH": check_diagnosis_region_mismatch,
    "RADICULOPATHY": check_radiculopathy,
    "SEDATION": check_sedation,
    "STEROID_IN_DIAGNOSTIC": check_steroid_in_diagnostic,
    "SAME_DAY_PROCEDURE": check_same_day_procedure,
    "LEVEL_FROM_NERVES": check_level_from_nerves,
    "RELIEF_BELOW_THRESHOLD": check_relief_below_threshold,
}
ENGINE_FLAGS = frozenset({"NOT_FACET_PROCEDURE"})  # raised by the engine, not by a check


def template_fields(text: str) -> set[str]:
    """Placeholder names used in a message/fix template."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


class _Params(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


def render(hit: Hit, row: FlagRow, profile: PayerProfile) -> Flag:
    params = _Params({"payer": profile.name, **hit.params})
    return Flag(
        id=row.id,
        severity=profile.severity_overrides.get(row.id, row.severity),
        message=row.message.format_map(params),
        fix=row.fix.format_map(params),
        rule_ids=list(row.rule_ids),
        evidence=hit.evidence,
    )


def run_checks(ctx: CodingContext) -> list[Flag]:
    """All flags for a coded facet note, errors first, then in flags.csv order."""
    order = {fid: i for i, fid in enumerate(ctx.tables.flags)}
    hits = [hit for fid in ctx.tables.flags if fid in CHECKS for hit in CHECKS[fid](ctx)]
    flags = [render(hit, ctx.tables.flags[hit.id], ctx.profile) for hit in hits]
    return sorted(flags, key=lambda f: (SEVERITY_RANK[f.severity], order[f.id]))


def not_facet_flag(family: FamilyRow, evidence: Iterable[Evidence], tables: RuleTables, profile: PayerProfile) -> Flag:
    hit = Hit("NOT_FACET_PROCEDURE", {"family_label": family.label, "codes": family.codes}, list(evidence))
    return render(hit, tables.flags["NOT_FACET_PROCEDURE"], profile)
