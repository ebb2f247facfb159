"""ICD-10-CM: validation of written codes, phrase -> code suggestions, coverage and region fit.

Validity comes from the installed `simple_icd_10_cm` package, through a compact index derived
from it once and cached (`icd10_index.py`: the package itself holds ~180 MB per process).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from nlp.coding.icd10_index import code_index
from nlp.coding.lines import JUNCTION_JOINTS, Session, merge_levels
from nlp.coding.tables import RuleTables
from nlp.schema import Diagnosis, Evidence, Level

_CODE_RE = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{0,4})$")
MAX_POINTERS = 4  # diagnosis pointers per claim line on the CMS-1500


def normalize_code(raw: str) -> str:
    """Upper-case, strip, and put the dot after the category: 'm47816' -> 'M47.816'."""
    text = raw.strip().upper().replace(" ", "")
    match = _CODE_RE.match(text)
    if not match:
        return text
    cat, rest = match.groups()
    return f"{cat}.{rest}" if rest else cat


def is_valid(code: str) -> bool:
    return code_index().is_valid(code)


def is_billable(code: str) -> bool:
    """A billable code is a valid leaf of the classification (not a category header)."""
    return code_index().is_billable(code)


def billable_children(code: str, limit: int = 9) -> list[str]:
    """Billable codes under a header (e.g. M54.5 -> M54.50, M54.51, M54.59)."""
    return code_index().billable_children(code, limit)


@dataclass(frozen=True)
class ResolvedDx:
    """One diagnosis of the note with its code (written or suggested) and what the tables say of it."""

    text: str
    code: str | None
    origin: str  # "written" or "suggested"
    valid: bool
    billable: bool
    concept: str | None
    category: str  # covered | radicular | pain_only | other
    region_group: str  # cervical_thoracic | lumbar_sacral | thoracolumbar | none
    rule_ids: tuple[str, ...]
    evidence: tuple[Evidence, ...] = field(default=())


def match_concept(text: str, tables: RuleTables) -> str | None:
    for phrase in tables.phrases:
        if phrase.regex.search(text):
            return phrase.row.concept
    return None


def phrase_region(text: str, tables: RuleTables) -> str | None:
    for term in tables.region_terms:
        if term.regex.search(text):
            return term.row.region
    return None


def region_of_levels(levels: Sequence[Level]) -> str:
    """ICD region axis implied by the levels treated when the phrase names none."""
    joints = [lv.joint for lv in merge_levels(levels)]
    if not joints:
        return "any"
    if joints == ["L5-S1"]:
        return "lumbosacral"
    if joints == ["C7-T1"]:
        return "cervicothoracic"
    if set(joints) <= JUNCTION_JOINTS and "T12-L1" in joints:
        return "thoracolumbar"
    return {"C": "cervical", "T": "thoracic", "L": "lumbar"}.get(joints[0][0], "any")


def suggest_code(text: str, levels: Sequence[Level], tables: RuleTables) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(concept, code, rule ids) suggested for a diagnosis phrase, or (None, None, ()) when unmapped."""
    concept = match_concept(text, tables)
    if concept is None:
        return None, None, ()
    region = phrase_region(text, tables) or region_of_levels(levels)
    row = tables.concept_codes.get((concept, region)) or tables.concept_codes.get((concept, "any"))
    if row is None:
        return concept, None, ()
    return concept, row.code, tuple(row.rule_ids)


def support_of(code: str, tables: RuleTables) -> tuple[str, str, tuple[str, ...]]:
    """(category, region group, rule ids) of a code by its longest matching prefix in the support table."""
    for end in range(len(code), 2, -1):
        row = tables.support.get(code[:end])
        if row is not None:
            return row.category, row.region_group, tuple(row.rule_ids)
    return "other", "none", ()


def resolve(diagnoses: Sequence[Diagnosis], levels: Sequence[Level], tables: RuleTables) -> list[ResolvedDx]:
    """Every diagnosis with its code: written codes are validated, phrases get a suggested code."""
    out: list[ResolvedDx] = []
    for dx in diagnoses:
        concept = match_concept(dx.text, tables) if dx.text else None
        if dx.source == "code_written" and dx.icd10:
            code, origin, rule_ids = normalize_code(dx.icd10), "written", ("R-ICD-2",)
        else:
            concept, code, rule_ids = suggest_code(dx.text, levels, tables)
            origin = "suggested"
            if code is None and dx.icd10:
                code, origin, rule_ids = normalize_code(dx.icd10), "written", ("R-ICD-2",)
        valid = bool(code) and is_valid(code)  # type: ignore[arg-type]
        billable = valid and is_billable(code)  # type: ignore[arg-type]
        category, group, support_ids = support_of(code, tables) if billable and code else ("other", "none", ())
        out.append(
            ResolvedDx(
                text=dx.text,
                code=code,
                origin=origin,
                valid=valid,
                billable=billable,
                concept=concept,
                category=category,
                region_group=group,
                rule_ids=tuple(dict.fromkeys((*rule_ids, *support_ids))),
                evidence=tuple(dx.evidence),
            )
        )
    return out


def fit_groups(session: Session) -> frozenset[str]:
    """Diagnosis region groups that fit a session's CPT region (R-ICD-3)."""
    groups = {session.code_groups[0], session.code_groups[1]}
    if session.junction or JUNCTION_JOINTS & set(session.joints):
        groups.add("thoracolumbar")
    return frozenset(groups)


def billable_codes(dxs: Sequence[ResolvedDx]) -> list[ResolvedDx]:
    """Billable diagnoses, one per code, in note order."""
    seen: dict[str, ResolvedDx] = {}
    for dx in dxs:
        if dx.billable and dx.code and dx.code not in seen:
            seen[dx.code] = dx
    return list(seen.values())


def pointers(session: Session, dxs: Sequence[ResolvedDx]) -> list[str]:
    """Diagnosis codes for a session's lines: region-fitting codes, covered first, at most four.

    Codes of the other CPT region are left off; if nothing fits, all billable codes are used
    (and DIAGNOSIS_REGION_MISMATCH fires).
    """
    fits = fit_groups(session)
    codes = billable_codes(dxs)
    chosen = [dx for dx in codes if dx.region_group in fits or dx.region_group == "none"] or codes
    chosen.sort(key=lambda dx: dx.category != "covered")
    return [dx.code for dx in chosen[:MAX_POINTERS] if dx.code]


def region_mismatch(session: Session, dxs: Sequence[ResolvedDx]) -> bool:
    """True when the note has region-specific codes and none fits the session's region."""
    regional = [dx for dx in billable_codes(dxs) if dx.region_group != "none"]
    fits = fit_groups(session)
    return bool(regional) and not any(dx.region_group in fits for dx in regional)
