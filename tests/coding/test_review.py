"""Review routing: reasons worded from review_reasons.csv, checked against the registry, shown as needs_review."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nlp import resources
from nlp.coding import code_note, rule_tables
from nlp.coding.defaults import CODING_DIR, TABLE_FILES, build_tables
from nlp.coding.review import REVIEW_CHECKS, doubt
from nlp.errors import RuleTableError
from nlp.extract.doubts import EXTRACT_REASONS
from nlp.schema import ModelReading, NoteResult, Review

Facts = Callable[..., NoteResult]


def _raw() -> dict[str, list[dict[str, str]]]:
    return {file: resources.read_csv(f"{CODING_DIR}/{file}") for file in TABLE_FILES}


def test_table_has_exactly_the_raised_ids_each_at_its_stage() -> None:
    reasons = rule_tables().review_reasons
    assert {r for r, row in reasons.items() if row.raised_by == "extract"} == set(EXTRACT_REASONS)
    assert {r for r, row in reasons.items() if row.raised_by == "coding"} == set(REVIEW_CHECKS)
    for row in reasons.values():
        assert row.rule_ids and set(row.rule_ids) <= rule_tables().known_rule_ids


@pytest.mark.parametrize("edit, expected", [
    (lambda rows: rows[1:], "missing"),
    (lambda rows: [{**rows[0], "raised_by": "coding"}, *rows[1:]], "raised by"),
    (lambda rows: [{**rows[0], "message": "see {levels}"}, *rows[1:]], "unknown placeholder"),
    (lambda rows: [{**rows[0], "raised_by": "somebody"}, *rows[1:]], "raised_by"),
], ids=["row_missing", "wrong_stage", "bad_placeholder", "bad_stage_value"])
def test_broken_review_table_is_refused_with_the_problem_named(edit, expected) -> None:
    raw = _raw()
    raw["review_reasons.csv"] = edit(raw["review_reasons.csv"])
    with pytest.raises(RuleTableError, match=expected):
        build_tables(raw)


def test_clean_note_is_auto(facts: Facts) -> None:
    result = code_note(facts())
    assert result.review.status == "auto" and result.review.reasons == []


def test_extractor_doubt_routes_to_review_with_table_wording(facts: Facts) -> None:
    base = facts()
    ev = base.levels[0].evidence
    base = base.model_copy(update={"review": Review(reasons=[doubt("LEVELS_CONFLICT", ev, "title: bilateral; technique: left")])})
    result = code_note(base)
    assert result.review.status == "needs_review"
    (reason,) = result.review.reasons
    assert reason.id == "LEVELS_CONFLICT" and "title: bilateral; technique: left" in reason.message
    assert reason.rule_ids == rule_tables().review_reasons["LEVELS_CONFLICT"].rule_ids
    assert reason.evidence == ev
    assert result.claim_lines  # review never removes the lines: a person decides


def test_coding_twice_gives_the_same_review(facts: Facts) -> None:
    base = facts()
    base.intent.model = ModelReading(value="therapeutic", p=0.9)
    once = code_note(base)
    twice = code_note(once, "commercial")
    assert [r.id for r in once.review.reasons] == [r.id for r in twice.review.reasons] == ["MODEL_DISAGREES"]


@pytest.mark.parametrize("reading, fires", [
    (ModelReading(value="therapeutic", p=0.9), True),
    (ModelReading(value="therapeutic", p=0.3), False),  # the model is not sure
    (ModelReading(value="diagnostic", p=0.99), False),  # the model agrees
    (None, False),  # no models installed
])
def test_model_disagreement_on_intent(facts: Facts, reading, fires) -> None:
    base = facts(intent="diagnostic")
    base.intent.model = reading
    result = code_note(base)
    assert result.intent.value == "diagnostic"  # the rules' value always stands
    assert [r.id for r in result.review.reasons] == (["MODEL_DISAGREES"] if fires else [])
    if fires:
        assert "intent model: therapeutic (p=0.90); rules: diagnostic" in result.review.reasons[0].message


def test_model_disagreement_on_family_also_routes_a_non_facet_note(facts: Facts) -> None:
    base = facts(family="no_procedure", levels=())
    base.procedure.model = ModelReading(value="medial_branch_block", p=0.8)
    base.intent.model = ModelReading(value="therapeutic", p=0.99)  # not read: no procedure, no intent
    result = code_note(base)
    assert result.claim_lines == [] and result.review.status == "needs_review"
    assert [r.id for r in result.review.reasons] == ["MODEL_DISAGREES"]
    assert "family model: medial_branch_block" in result.review.reasons[0].message


def test_unknown_reason_id_is_an_error(facts: Facts) -> None:
    base = facts().model_copy(update={"review": Review(reasons=[doubt("NO_SUCH_REASON")])})
    with pytest.raises(RuleTableError, match="NO_SUCH_REASON"):
        code_note(base)


def test_guided_facet_note_without_a_read_level_routes_to_review(facts: Facts) -> None:
    result = code_note(facts(levels=()))
    assert result.claim_lines == []
    assert [r.id for r in result.review.reasons] == ["LEVELS_NOT_READ"]
    assert code_note(facts(levels=(), modality="none")).review.status == "auto"  # no guidance: the flags say it


def test_facet_note_with_levels_and_no_guidance_read_routes_to_review(facts: Facts) -> None:
    result = code_note(facts(modality="none"))
    assert result.claim_lines == []
    (reason,) = result.review.reasons
    assert reason.id == "IMAGING_NOT_READ" and "L4-L5" in reason.message
    assert reason.evidence == [ev for lv in result.levels for ev in lv.evidence]


def test_guidance_stated_as_not_used_is_a_fact_not_a_doubt(facts: Facts) -> None:
    base = facts(modality="none")
    landmark = base.model_copy(update={"imaging": base.imaging.model_copy(
        update={"reason": "landmark/palpation guidance only", "evidence": base.levels[0].evidence})})
    assert code_note(landmark).review.status == "auto"
    assert code_note(facts(modality="none", family="no_procedure", levels=())).review.status == "auto"


def test_line_without_a_side_routes_to_review(facts: Facts) -> None:
    result = code_note(facts(levels=(("L4-L5", "unspecified"), ("L5-S1", "left"))))
    reasons = [r for r in result.review.reasons if r.id == "SIDE_NOT_READ"]
    assert len(reasons) == 1 and "L4-L5" in reasons[0].message and "L5-S1" not in reasons[0].message
    assert code_note(facts(levels=(("L4-L5", "right"),))).review.status == "auto"


@pytest.mark.parametrize(("payer", "intent", "fires"), [
    ("medicare", "unknown", True),  # KX depends on the intent: the lines may be missing it
    ("medicare", "diagnostic", False),
    ("medicare", "therapeutic", False),
    ("commercial", "unknown", False),  # no KX payer: the lines do not depend on the intent
])
def test_unknown_intent_routes_to_review_where_kx_depends_on_it(facts: Facts, payer, intent, fires) -> None:
    result = code_note(facts(intent=intent, agents=()), payer)
    assert result.claim_lines
    assert ("INTENT_NOT_READ" in [r.id for r in result.review.reasons]) is fires


def test_unknown_intent_from_a_conflict_is_not_reported_twice(facts: Facts) -> None:
    base = facts(intent="unknown", agents=())
    base = base.model_copy(update={"review": Review(reasons=[doubt("INTENT_CONFLICT", base.procedure.evidence)])})
    assert [r.id for r in code_note(base).review.reasons] == ["INTENT_CONFLICT"]
