"""Intent words about today's block (Engine conventions, decided 2026-12-03).

Classes: block-number words ("MBB #2", "2nd dx block", "block #1") decide; template checkboxes read as the
checked option; prior blocks in the history never decide (clause by clause, not ConText's sentence scope);
a history sentence counts only when it ties the word to today; words naming something else are not intent;
an addendum's words win over the body; without words the injectate decides.
"""

from __future__ import annotations

import pytest

from nlp.extract.agents import extract_agents
from nlp.extract.intent import extract_intent

LIDO = "TECHNIQUE: Under fluoroscopy 0.5 mL of 0.5% bupivacaine was injected at each target."
STEROID = "TECHNIQUE: Under fluoroscopy 0.5 mL of bupivacaine with 10 mg dexamethasone was injected at each target."


def intent_of(view_of, text: str):
    view = view_of(text)
    return extract_intent(view, extract_agents(view), "medial_branch_block")


@pytest.mark.parametrize(
    "line",
    [
        "PROCEDURE: Right L4-L5 medial branch block, MBB #2.",
        "PROCEDURE: Left C5-C6 facet injection - 2nd dx block.",
        "PROCEDURE: Bilateral L3-L4 medial branch blocks (1st block).",
        "PROCEDURE: Right T7-T8 medial branch block; today this is block #1 of the series.",
        "PROCEDURE: Left L5-S1 facet joint injection, the second block at this level.",
        "Block sequence: Second confirmatory block",
        "Intent: dx blk #2",
    ],
)
def test_block_number_words_are_diagnostic_even_with_a_steroid(view_of, line):
    intent = intent_of(view_of, line + "\n" + STEROID)
    assert intent.value == "diagnostic"
    assert intent.evidence, "the deciding words are the evidence"


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("Intent: [ ] Diagnostic  [x] Therapeutic", "therapeutic"),
        ("Intent: [x] Diagnostic  [ ] Therapeutic", "diagnostic"),
        ("INTENT:  ( ) diagnostic #1   (x) diagnostic #2   ( ) therapeutic", "diagnostic"),
        ("Intent: \u2610 Diagnostic  \u2612 Therapeutic", "therapeutic"),
        ("Intent: [ ] dx #1  [ ] dx #2  [x] ther", "therapeutic"),
        ("Purpose: [x] Diagnostic only  [ ] Diagnostic and therapeutic", "diagnostic"),
    ],
)
def test_checkbox_template_reads_the_checked_option(view_of, line, value):
    # the injectate would say the opposite of the checked box in half of these: the box wins
    tech = LIDO if value == "therapeutic" else STEROID
    assert intent_of(view_of, "PROCEDURE: Right L4-L5 medial branch block.\n" + line + "\n" + tech).value == value


def test_an_unchecked_box_before_another_field_does_not_negate_it(view_of):
    text = "Sedation: [ ] MAC   Intent: diagnostic block\n" + STEROID
    assert intent_of(view_of, text).value == "diagnostic"


@pytest.mark.parametrize(
    "history",
    [
        "HISTORY: She had a therapeutic facet injection at L4-L5 eight months ago with good relief.",
        "HISTORY: Status post first diagnostic medial branch block 10 days ago, 90% relief for 5 hours.",
        "Prior injections: diagnostic MBB x2 in 2024 at another facility.",
        "HPI: Two previous diagnostic blocks were concordant; the pain is back.",
        "History: he underwent a therapeutic intra-articular steroid injection last year.",
        "HISTORY: This is a 66-year-old woman whose prior therapeutic injection at L4-L5 helped.",
    ],
)
def test_prior_blocks_in_the_history_never_decide(view_of, history):
    # local anaesthetic only today -> diagnostic; steroid today -> therapeutic, whatever the history says
    assert intent_of(view_of, history + "\n" + LIDO).value == "diagnostic"
    assert intent_of(view_of, history + "\n" + STEROID).value == "therapeutic"


def test_a_past_clause_and_a_present_clause_in_one_sentence(view_of):
    text = ("PROCEDURE: Right L3-L4 facet joint injection. Second dx block - MBB #1 was done 3 wk ago, "
            "today IA injection = block #2.\n" + STEROID)
    assert intent_of(view_of, text).value == "diagnostic"


@pytest.mark.parametrize(
    "history",
    [
        "HISTORY: 60-year-old man referred for diagnostic facet joint injections at L4-L5.",
        "HPI: She is here today for the second confirmatory block.",
        "Hx: axial neck pain; presents for a first diagnostic medial branch block.",
    ],
)
def test_history_sentence_tied_to_today_counts(view_of, history):
    assert intent_of(view_of, history + "\n" + STEROID).value == "diagnostic"


@pytest.mark.parametrize(
    "text",
    [
        "RIVERTON HOSPITAL - DIAGNOSTIC & INTERVENTIONAL RADIOLOGY\n",
        "Diagnostic imaging reviewed: MRI with facet arthropathy.\n",
        "She failed therapeutic exercise and massage for 3 months.\n",
        "Diagnostic and therapeutic options were discussed at length.\n",
        "PLAN: if concordant relief, proceed with therapeutic RFA.\n",
        "Same session: diagnostic SI joint injection on the left (not a facet procedure).\n",
        "PLAN: consider a second diagnostic block in 2 weeks.\n",
        "This is not a diagnostic block.\n",
    ],
)
def test_words_about_something_else_are_not_intent(view_of, text):
    assert intent_of(view_of, text + LIDO).value == "diagnostic"  # the injectate decides
    assert intent_of(view_of, text + STEROID).value == "therapeutic"


def test_impression_of_a_procedure_report_states_intent(view_of):
    text = STEROID + "\nIMPRESSION: Successful diagnostic right L4-L5 medial branch block."
    assert intent_of(view_of, text).value == "diagnostic"


def test_a_line_labelled_procedure_counts_under_a_running_history_section(view_of):
    text = ("Hx: back pain x 9 mo. s/p prior facet injection.\n"
            "Procedure 1: Left L4-L5 facet joint injection, diagnostic.\n" + STEROID)
    assert intent_of(view_of, text).value == "diagnostic"


@pytest.mark.parametrize(
    ("tail", "value"),
    [
        ("ADDENDUM 05/02/2026 14:10: the intent of today's block was diagnostic (first block).", "diagnostic"),
        ("Addendum (Dr. Rowe): correction - this block was therapeutic.", "therapeutic"),
    ],
)
def test_addendum_intent_wins_over_the_body(view_of, tail, value):
    body = "PROCEDURE: Right L4-L5 MBB.\nIntent: diagnostic\n" + LIDO + "\n"
    if value == "diagnostic":
        body = "PROCEDURE: Right L4-L5 MBB.\nIntent: therapeutic\n" + LIDO + "\n"
    assert intent_of(view_of, body + tail).value == value


@pytest.mark.parametrize(
    ("tech", "value"),
    [(LIDO, "diagnostic"), (STEROID, "therapeutic"), ("TECHNIQUE: needles placed, then removed.", "unknown")],
)
def test_without_words_the_injectate_decides(view_of, tech, value):
    assert intent_of(view_of, "PROCEDURE: Right L4-L5 medial branch block.\n" + tech).value == value


def test_rfa_is_therapeutic(view_of):
    view = view_of("PROCEDURE: Right L4-L5 radiofrequency ablation, second diagnostic block done before.")
    assert extract_intent(view, extract_agents(view), "radiofrequency_ablation").value == "therapeutic"


@pytest.mark.parametrize("aside", [
    "We discussed that medial branch blocks are most often used in a diagnostic capacity before ablation.",
    "These blocks are classically diagnostic precursors to radiofrequency neurotomy.",
])
def test_general_diagnostic_words_do_not_decide_todays_intent(pipeline, aside) -> None:
    from nlp.api import Analyzer

    text = ("PROCEDURE: Bilateral L4-L5 facet joint injections, therapeutic, under fluoroscopy.\n"
            f"HISTORY: Axial low back pain for a year. {aside}\n"
            "TECHNIQUE: Needles advanced into both L4-L5 facet joints, negative aspiration, 1 mL bupivacaine with "
            "40 mg triamcinolone injected per joint.\n")
    result = Analyzer(nlp=pipeline).analyze(text)
    assert result.intent.value == "therapeutic"
    assert "INTENT_CONFLICT" not in [r.id for r in result.review.reasons]


@pytest.mark.parametrize(
    "line",
    [
        # a run of comma clauses: "no prior ..." earlier in the sentence is no history, so it takes nothing away
        "pt w/ 2 yr neck pain, no prior injections, no prior pt documented, therapeutic right c4-c5 facet "
        "injection under fluoro",
        "Assessment: axial pain, without prior blocks, therapeutic bilateral L2-L3 facet injections.",
    ],
)
def test_no_prior_treatment_earlier_in_the_sentence_is_not_a_past_cue(view_of, line):
    intent = intent_of(view_of, line + "\n" + LIDO)
    assert intent.value == "therapeutic"
    assert [e.text.lower() for e in intent.evidence] == ["therapeutic"]


@pytest.mark.parametrize("line", ["dx facet syndrome lumbar, L4-L5 facet injection done",
                                  "Dx facet arthropathy. L4-L5 facet injection performed."])
def test_dx_before_a_facet_diagnosis_is_not_a_diagnostic_block(view_of, line):
    intent = intent_of(view_of, line + "\n" + STEROID)
    assert intent.value == "therapeutic", "no intent word: the steroid decides"


@pytest.mark.parametrize("plan", [
    "F/u 4 wks; if good but short relief, discuss diagnostic MBB then RFA.",
    "Should the pain return, a diagnostic block is warranted.",
])
def test_a_clause_after_a_condition_is_the_plan(view_of, plan):
    intent = intent_of(view_of, "PROCEDURE: Right C5-C6 medial branch block.\n" + STEROID + "\n" + plan)
    assert intent.value == "therapeutic", "the condition's clause says nothing about today: the steroid decides"


def test_a_quoted_sentence_ends_at_its_period(view_of):
    text = ('She rates it 9/10 today "worst ever." Prior diagnostic block at L4-L5 gave 50% relief.\n'
            "PROCEDURE: Left L3-L4 medial branch block.\n" + STEROID)
    assert intent_of(view_of, text).value == "therapeutic", "the prior block's word is history"
