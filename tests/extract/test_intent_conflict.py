""""Diagnostic and therapeutic" for today's block: intent unknown (no KX), INTENT_CONFLICT with both words;
a signed addendum that states another (or a missing) intent: ADDENDUM_CHANGES_FACT."""

from __future__ import annotations

import pytest

from nlp.extract.agents import extract_agents
from nlp.extract.doubts import ADDENDUM_CHANGES_FACT, INTENT_CONFLICT
from nlp.extract.intent import extract_intent, extract_intent_and_doubts, intent_doubts

STEROID = "TECHNIQUE: Under fluoroscopy 1 mL of bupivacaine with 40 mg triamcinolone was injected per joint."
LIDO = "TECHNIQUE: Under fluoroscopy 0.5 mL of lidocaine 2% was injected per joint."


def read(view_of, text: str):
    view = view_of(text)
    agents = extract_agents(view)
    intent = extract_intent(view, agents, "facet_joint_injection")
    return view, intent, intent_doubts(view, intent, agents)


@pytest.mark.parametrize(
    "line",
    [
        "PROCEDURE: Left L4-L5 facet joint injection, performed as a diagnostic and therapeutic block.",
        "Intent: Diagnostic and therapeutic",
        "Intent: [x] Diagnostic and therapeutic  [ ] Diagnostic only  [ ] Therapeutic only",
        "Intent: [Diagnostic & therapeutic v]",
        "PROCEDURE: Right C5-C6 facet injection (diagnostic/therapeutic).",
        "PROCEDURE: Right L5-S1 facet injection, both therapeutic and diagnostic.",
    ],
)
def test_both_claimed_is_unknown_and_needs_review(view_of, line):
    view, intent, doubts = read(view_of, line + "\n" + STEROID)
    assert intent.value == "unknown"
    assert [d.id for d in doubts] == [INTENT_CONFLICT]
    words = {e.text.lower() for e in doubts[0].evidence}
    assert words == {"diagnostic", "therapeutic"}
    for e in doubts[0].evidence:
        assert view.text[e.start : e.end] == e.text


def test_two_statements_about_today_that_disagree(view_of):
    text = "PROCEDURE: Diagnostic right L4-L5 facet injection.\nIMPRESSION: Therapeutic right L4-L5 facet injection.\n"
    _, intent, doubts = read(view_of, text + STEROID)
    assert intent.value == "unknown"
    assert [d.id for d in doubts] == [INTENT_CONFLICT]


@pytest.mark.parametrize(
    "text",
    [
        # control: one word, steroid -> diagnostic kept, no doubt (coding raises STEROID_IN_DIAGNOSTIC)
        "PROCEDURE: Diagnostic right L4-L5 facet injection.\n" + STEROID,
        # control: prior therapeutic injection in the history, today diagnostic
        "HISTORY: Therapeutic facet injection 6 months ago.\nPROCEDURE: Diagnostic right L4-L5 facet injection.\n" + LIDO,
        # control: options discussed are not a claim
        "Diagnostic and therapeutic options were reviewed with the patient.\n" + LIDO,
    ],
)
def test_no_conflict_controls(view_of, text):
    _, intent, doubts = read(view_of, text)
    assert intent.value == "diagnostic"
    assert doubts == []


def test_addendum_stating_an_intent_the_injectate_did_not_give_needs_review(view_of):
    text = ("PROCEDURE: Right L4-L5 facet injection.\n" + STEROID + "\n"
            "ADDENDUM 03/02/2026 15:00: intent of today's injection was the second confirmatory diagnostic block.")
    _, intent, doubts = read(view_of, text)
    assert intent.value == "diagnostic"
    assert [d.id for d in doubts] == [ADDENDUM_CHANGES_FACT]
    assert "not stated" in doubts[0].detail


def test_addendum_writing_down_the_intent_the_injectate_gave_needs_no_review(view_of):
    text = ("PROCEDURE: Right L4-L5 facet injection.\n" + LIDO + "\n"
            "ADDENDUM 03/02/2026 15:00: intent of today's injection was the second confirmatory diagnostic block.")
    _, intent, doubts = read(view_of, text)
    assert intent.value == "diagnostic"
    assert doubts == []


def test_addendum_changing_the_intent_needs_review_and_wins(view_of):
    text = ("PROCEDURE: Therapeutic right L4-L5 facet injection.\n" + STEROID + "\n"
            "Addendum 03/02/2026: correction, this was a diagnostic block.")
    _, intent, doubts = read(view_of, text)
    assert intent.value == "diagnostic"
    assert [d.id for d in doubts] == [ADDENDUM_CHANGES_FACT]


def test_addendum_that_only_restates_raises_nothing(view_of):
    text = ("PROCEDURE: Right L4-L5 facet injection, first diagnostic block.\n" + LIDO + "\n"
            "ADDENDUM 03/02/2026: restating for the payer - first diagnostic block, no change to the note.")
    _, intent, doubts = read(view_of, text)
    assert intent.value == "diagnostic"
    assert doubts == []


def test_addendum_claiming_both_is_a_conflict(view_of):
    text = ("PROCEDURE: Right C3-C4 medial branch block.\n" + STEROID + "\n"
            "ADDENDUM 10/01/2025 (Dr. Lee): the block was both diagnostic and therapeutic.")
    _, intent, doubts = read(view_of, text)
    assert intent.value == "unknown"
    assert [d.id for d in doubts] == [INTENT_CONFLICT, ADDENDUM_CHANGES_FACT]


def test_combined_function_matches_the_two_calls(view_of):
    view = view_of("Intent: diagnostic and therapeutic\n" + STEROID)
    agents = extract_agents(view)
    intent, doubts = extract_intent_and_doubts(view, agents, "facet_joint_injection")
    assert intent == extract_intent(view, agents, "facet_joint_injection")
    assert doubts == intent_doubts(view, intent, agents)


def test_rfa_raises_no_intent_doubt(view_of):
    view = view_of("PROCEDURE: RFA right L4-L5, diagnostic and therapeutic.")
    agents = extract_agents(view)
    intent = extract_intent(view, agents, "radiofrequency_ablation")
    assert intent_doubts(view, intent, agents) == []
