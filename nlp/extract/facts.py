"""Assemble one NoteResult (facts only; coding fills claim lines and flags) from a NoteView."""

from __future__ import annotations

from nlp.extract.agents import extract_agents, extract_sedation
from nlp.extract.care import extract_conservative_care
from nlp.extract.diagnoses import extract_diagnoses, extract_written_codes
from nlp.extract.duration import extract_pain_duration
from nlp.extract.imaging import extract_imaging
from nlp.extract.intent import extract_intent
from nlp.extract.levels import extract_levels
from nlp.extract.pain import extract_pain_scores
from nlp.extract.procedure import extract_procedure
from nlp.extract.radiculopathy import extract_radiculopathy
from nlp.extract.view import NoteView
from nlp.schema import Intent, NoteResult

FACET_FAMILIES = frozenset({"facet_joint_injection", "medial_branch_block"})


def extract_facts(view: NoteView, note_id: str) -> NoteResult:
    procedure = extract_procedure(view)
    agents = extract_agents(view)
    is_facet = procedure.family in FACET_FAMILIES
    pain_scores, relief = extract_pain_scores(view)
    return NoteResult(
        note_id=note_id,
        procedure=procedure,
        imaging=extract_imaging(view),
        levels=extract_levels(view) if is_facet else [],
        intent=extract_intent(view, agents, procedure.family) if procedure.family != "no_procedure" else Intent(
            reason="no procedure performed in this note"),
        pain_scores=pain_scores,
        percent_relief=relief,
        conservative_care=extract_conservative_care(view),
        pain_duration=extract_pain_duration(view),
        radiculopathy=extract_radiculopathy(view),
        diagnoses=extract_diagnoses(view),
        agents=agents,
        sedation=extract_sedation(view),
        cpt_codes_written=extract_written_codes(view),
    )
