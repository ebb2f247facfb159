"""Procedure family performed in this note (R-NBR-*: neighbours are told apart here).

Each performed target mention votes for its family; mentions in the procedure/title position
weigh most. A note with no performed procedure mention and no performance cue (needle placed,
prepped and draped, injected...) is a consult or plan: `no_procedure`. A facet named only in a
diagnosis or as a landmark does not make a facet procedure: only procedure phrases vote.
"""

from __future__ import annotations

from collections import defaultdict

from nlp.extract.view import PROCEDURE_SECTIONS, Mention, NoteView
from nlp.schema import Procedure, ProcedureFamily

FAMILY_OF_LABEL: dict[str, ProcedureFamily] = {
    "PROC_MBB": "medial_branch_block",
    "PROC_FACET_IA": "facet_joint_injection",
    "PROC_RFA": "radiofrequency_ablation",
    "PROC_ESI": "epidural_injection",
    "PROC_SI": "sacroiliac_joint",
    "PROC_OTHER": "other_procedure",
}
RULE_IDS: dict[ProcedureFamily, list[str]] = {
    "medial_branch_block": ["R-DESC-7"],
    "facet_joint_injection": ["R-DESC-7"],
    "radiofrequency_ablation": ["R-NBR-RFA"],
    "epidural_injection": ["R-NBR-ESI"],
    "sacroiliac_joint": ["R-NBR-SIJ"],
    "other_procedure": ["R-NBR-NOIMG"],
    "no_procedure": [],
}
_STRONG, _WEAK = 1.0, 0.3
# RFA cues outrank block cues: an ablation note always names the medial branches it lesions.
_PRIORITY: dict[ProcedureFamily, float] = {"radiofrequency_ablation": 1.6, "sacroiliac_joint": 1.0}


def _weight(m: Mention, first_line_end: int) -> float:
    base = _WEAK if m.label.endswith("_WEAK") else _STRONG
    if m.section == "procedure" or (m.section is None and m.start < first_line_end):
        return base * 3
    if m.section in PROCEDURE_SECTIONS:
        return base * 1.5
    return base


def _family(label: str) -> ProcedureFamily | None:
    return FAMILY_OF_LABEL.get(label.removesuffix("_WEAK"))


def _headline(m: Mention, first_line_end: int) -> bool:
    """In the PROCEDURE section, or the untitled first line (a title such as "LUMBAR MBB L4-5")."""
    return m.section == "procedure" or (m.section is None and m.start < first_line_end)


def extract_procedure(view: NoteView) -> Procedure:
    first_line_end = view.text.find("\n", len(view.text) - len(view.text.lstrip()))
    first_line_end = len(view.text) if first_line_end < 0 else first_line_end
    performed = [m for m in view.by_label("PROC_", performed=True) if _family(m.label) is not None]
    strong_mentions = [m for m in performed if not m.label.endswith("_WEAK")]
    headline = [m for m in strong_mentions if _headline(m, first_line_end)]
    # What the procedure line names decides; the technique only when there is no procedure line.
    pool = [m for m in performed if _headline(m, first_line_end)] if headline else performed
    scores: dict[ProcedureFamily, float] = defaultdict(float)
    strong: dict[ProcedureFamily, bool] = defaultdict(bool)
    evidence: dict[ProcedureFamily, list[Mention]] = defaultdict(list)
    for m in pool:
        fam = _family(m.label)
        assert fam is not None
        scores[fam] += _weight(m, first_line_end) * _PRIORITY.get(fam, 1.0)
        strong[fam] |= not m.label.endswith("_WEAK")
        evidence[fam].append(m)
    performed_cues = view.by_label("PERFORMED_CUE", performed=True)
    candidates = {f: sc for f, sc in scores.items() if strong[f]}
    if not candidates or not (performed_cues or headline):
        planned = [m for m in view.by_label("PROC_") if not m.performed]
        reason = (
            "procedures are only mentioned as past, planned or negated"
            if planned
            else "no procedure is documented as performed"
        )
        return Procedure(family="no_procedure", reason=reason, evidence=[view.evidence(m.start, m.end) for m in planned[:3]])
    # An ablation note names the medial branches it lesions: RFA cues decide when present.
    rfa = [m for m in strong_mentions if _family(m.label) == "radiofrequency_ablation"]
    if "radiofrequency_ablation" in candidates or len(rfa) >= 2:
        family: ProcedureFamily = "radiofrequency_ablation"
        evidence["radiofrequency_ablation"] = evidence["radiofrequency_ablation"] or rfa
    else:
        family = max(candidates, key=lambda f: (candidates[f], -min(m.start for m in evidence[f])))
    others = sorted(
        (f for f in candidates if f != family and candidates[f] >= 1.5
         and {f, family} != {"medial_branch_block", "facet_joint_injection"}
         and not ({f, family} <= {"medial_branch_block", "facet_joint_injection", "radiofrequency_ablation"})),
        key=lambda f: -candidates[f],
    )
    ev = sorted(evidence[family], key=lambda m: m.start)[:4]
    return Procedure(
        family=family,
        other_families=others,
        reason=f"performed {family.replace('_', ' ')} documented ({len(evidence[family])} mention(s))",
        evidence=[view.evidence(m.start, m.end) for m in ev],
        rule_ids=RULE_IDS[family],
    )
