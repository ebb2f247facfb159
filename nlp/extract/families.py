"""Procedure families: which target-rule label names which family, and which families facetcoder codes."""

from __future__ import annotations

from nlp.schema import ProcedureFamily

FACET_FAMILIES: frozenset[ProcedureFamily] = frozenset({"facet_joint_injection", "medial_branch_block"})
FAMILY_OF_LABEL: dict[str, ProcedureFamily] = {
    "PROC_MBB": "medial_branch_block",
    "PROC_FACET_IA": "facet_joint_injection",
    "PROC_RFA": "radiofrequency_ablation",
    "PROC_ESI": "epidural_injection",
    "PROC_SI": "sacroiliac_joint",
    "PROC_OTHER": "other_procedure",
}


def family_of(label: str) -> ProcedureFamily | None:
    """The family a mention label names (a `_WEAK` label names the same family, less surely)."""
    return FAMILY_OF_LABEL.get(label.removesuffix("_WEAK"))
