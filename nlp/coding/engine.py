"""`code_note`: facts in, claim lines + flags + checklist out. A pure function of the facts."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from nlp.coding.checklist import build_checklist
from nlp.coding.context import CodingContext
from nlp.coding.defaults import load_profile, rule_tables
from nlp.coding.flags import not_facet_flag, run_checks
from nlp.coding.icd10 import pointers, resolve
from nlp.coding.lines import build_sessions, guidance_of, merge_levels, session_lines
from nlp.coding.models import PayerProfile
from nlp.coding.review import build_review
from nlp.coding.tables import RuleTables
from nlp.schema import ClaimLine, NoteResult


def code_note(
    result: NoteResult, profile: PayerProfile | str | Path = "medicare", tables: RuleTables | None = None
) -> NoteResult:
    """A copy of `result` with `claim_lines`, `flags`, `checklist` and `payer` filled from its facts.

    Notes outside the facet family (RFA, epidural, SI, other, no procedure) get no lines, one
    NOT_FACET_PROCEDURE flag naming their family, and no checklist. Rows that failed analysis
    (`result.error`) are returned with empty coding output.
    """
    prof = profile if isinstance(profile, PayerProfile) else load_profile(profile)
    tabs = tables or rule_tables()
    empty = {"claim_lines": [], "flags": [], "checklist": [], "payer": prof.id}
    if result.error is not None:
        return result.model_copy(update=empty)
    family = tabs.families[result.procedure.family]
    if not family.in_scope:
        flag = not_facet_flag(family, result.procedure.evidence, tabs, prof)
        review = build_review(result.model_copy(update={"claim_lines": []}), tabs, prof)
        return result.model_copy(update={**empty, "flags": [flag], "review": review})

    sessions = build_sessions(result.levels, prof)
    diagnoses = resolve(result.diagnoses, result.levels, tabs)
    guidance = guidance_of(result.imaging.modality)
    lines: list[ClaimLine] = []
    if guidance is not None:
        for session in sessions:
            lines += session_lines(
                session,
                guidance,
                result.intent.value,
                prof,
                tabs,
                icd10=partial(pointers, dxs=diagnoses),
                shared_evidence=result.imaging.evidence,
                kx_evidence=result.intent.evidence,
            )
    ctx = CodingContext(result, prof, tabs, merge_levels(result.levels), sessions, lines, diagnoses)
    review = build_review(result.model_copy(update={"claim_lines": lines}), tabs, prof)
    return result.model_copy(
        update={"claim_lines": lines, "flags": run_checks(ctx), "checklist": build_checklist(ctx), "payer": prof.id,
                "review": review}
    )
