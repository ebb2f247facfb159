"""Assemble one NoteResult (facts only; coding fills claim lines and flags) from a NoteView."""

from __future__ import annotations

from nlp.extract.agents import extract_agents, extract_sedation
from nlp.extract.care import extract_conservative_care
from nlp.extract.diagnoses import extract_diagnoses, extract_written_codes
from nlp.extract.document import document_doubts, not_performed_document
from nlp.extract.duration import extract_pain_duration
from nlp.extract.families import FACET_FAMILIES
from nlp.extract.imaging import imaging_doubts, imaging_of
from nlp.extract.intent import extract_intent, intent_doubts
from nlp.extract.levels import extract_levels_and_doubts
from nlp.extract.pain import extract_pain_scores, pain_doubts
from nlp.extract.procedure import procedure_doubts, procedure_of
from nlp.extract.radiculopathy import extract_radiculopathy
from nlp.extract.view import NoteView
from nlp.schema import Intent, Level, NoteResult, Review


def extract_facts(view: NoteView, note_id: str) -> NoteResult:
    document = not_performed_document(view)  # an order, request, query, consent or cancelled case
    procedure = procedure_of(view, document)
    agents = extract_agents(view)
    is_facet = procedure.family in FACET_FAMILIES
    pain_scores, relief = extract_pain_scores(view)
    imaging = imaging_of(view, document)
    if procedure.family == "no_procedure":
        intent = Intent(reason="no procedure performed in this note")
    else:
        intent = extract_intent(view, agents, procedure.family)
    # Doubts the extractors saw while reading (two statements that disagree); coding words them. Only the
    # ones that can change a facet claim line count: a neighbouring procedure gets no line to doubt.
    doubts = document_doubts(view, document) + procedure_doubts(view, procedure, document)
    levels: list[Level] = []
    if is_facet:
        levels, level_doubts = extract_levels_and_doubts(view)
        doubts += level_doubts + imaging_doubts(view, imaging) + intent_doubts(view, intent, agents) + pain_doubts(view)
    return NoteResult(
        note_id=note_id,
        procedure=procedure,
        imaging=imaging,
        levels=levels,
        intent=intent,
        pain_scores=pain_scores,
        percent_relief=relief,
        conservative_care=extract_conservative_care(view),
        pain_duration=extract_pain_duration(view),
        radiculopathy=extract_radiculopathy(view),
        diagnoses=extract_diagnoses(view),
        agents=agents,
        sedation=extract_sedation(view),
        cpt_codes_written=extract_written_codes(view),
        review=Review(reasons=doubts),
    )
