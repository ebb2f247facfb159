"""Dictated and templated notes as blind batch C wrote them: consent wording that ConText read as a plan,
prefixed words written apart, numbered procedure headers, a technique paragraph under a history header,
"N of 10" scores, needle gauges and missing spaces after a period. Sentences are this file's own."""

from __future__ import annotations

import pytest

from nlp.api import analyze
from nlp.extract.imaging import extract_imaging
from nlp.extract.pain import extract_pain_scores
from nlp.extract.procedure import extract_procedure
from nlp.normalize import normalize


@pytest.mark.parametrize("consent", [
    "the risks benefits and alternatives were discussed",
    "risks and benefits were explained and consent was signed",
    "alternatives were reviewed with the patient",
])
def test_consent_discussion_does_not_make_todays_injection_a_plan(view_of, consent) -> None:
    text = (f"procedure left L5-S1 intra-articular facet joint injection {consent} the patient was placed prone "
            "and a 22 gauge needle was advanced into the left L5-S1 facet joint and bupivacaine was injected")
    assert extract_procedure(view_of(text)).family == "facet_joint_injection"


def test_control_a_discussed_future_block_stays_planned(view_of) -> None:
    text = "Facet joint injections were discussed. She will think about it and call us. Exam today only."
    assert extract_procedure(view_of(text)).family == "no_procedure"


def test_facet_joint_entered_in_a_step_counts_even_when_the_title_phrase_reads_as_planned(view_of) -> None:
    text = ("returns today for the planned facet joint injection the skin was prepped and a needle was advanced into "
            "the right L3-L4 facet joint and lidocaine was injected")
    assert extract_procedure(view_of(text)).family == "facet_joint_injection"


@pytest.mark.parametrize(("written", "expected"), [
    ("intra articular", "intra-articular"),
    ("trans foraminal", "transforaminal"),
    ("inter laminar", "interlaminar"),
    ("a 22g needle", "a 22 gauge needle"),
    ("25 g spinal needle", "25 gauge spinal needle"),
    ("total 2 mL.No steroid", "total 2 mL. No steroid"),
])
def test_dictation_forms_are_written_out(written, expected) -> None:
    assert normalize(written).text == expected


@pytest.mark.parametrize("kept", ["2 g cefazolin", "Dr.Lee", "0.5 mL", "e.g.Kenalog"])
def test_control_other_forms_are_left_alone(kept) -> None:
    assert normalize(kept).text == kept


def test_loss_of_resistance_entering_a_joint_capsule_is_not_an_epidural(view_of) -> None:
    text = ("procedure right L4-5 facet joint intra-articular injection under fluoroscopy a needle was advanced into "
            "the right L4-5 facet joint with a loss of resistance on entering the capsule and Kenalog was injected")
    assert extract_procedure(view_of(text)).family == "facet_joint_injection"


def test_numbered_procedure_header_opens_a_procedure_section(view_of) -> None:
    text = ("#1 Lumbar spondylosis\n P: facet injections today.\n\n"
            " PROCEDURE #1: Right L4-L5 facet joint intra-articular injection\n"
            "  Fluoroscopy used. Needle into the R L4-L5 joint. Bupivacaine 1 mL.\n")
    view = view_of(text)
    assert view.section_at(text.index("Fluoroscopy")) == "procedure"
    assert extract_procedure(view).family == "facet_joint_injection"


def test_rest_of_a_technique_paragraph_under_a_history_header_is_today(view_of) -> None:
    text = ("Hx: axial neck pain for a year.\n\n"
            "A 25 gauge needle was advanced to the right C5 medial branch. Position confirmed on CT. Lidocaine given.\n\n"
            "CT of the neck 2024 showed spondylosis.\n")
    view = view_of(text)
    assert view.section_at(text.index("confirmed on CT")) == "technique"
    assert view.section_at(text.index("CT of the neck")) == "history"  # past a blank line: history again
    assert extract_imaging(view).modality == "ct"


def test_control_a_past_sentence_in_the_technique_paragraph_is_not_today(view_of) -> None:
    text = ("Hx: low back pain.\n\nA needle was advanced into the left L4-L5 facet joint. She had a CT myelogram in 2023.\n")
    view = view_of(text)
    assert view.section_at(text.index("CT myelogram")) == "history"


@pytest.mark.parametrize(("text", "expected"), [
    ("pre pain 6 of 10 NRS. injection done. post pain 2 of 10.", [("pre", 6.0), ("post", 2.0)]),
    ("pain before the block 7 of ten, after 3 of ten", [("pre", 7.0), ("post", 3.0)]),
])
def test_scores_written_n_of_10(view_of, text, expected) -> None:
    scores, _ = extract_pain_scores(view_of(text))
    assert [(s.timing, s.value) for s in scores] == expected


def test_end_to_end_missing_space_before_a_negation_keeps_the_block_diagnostic() -> None:
    text = ("PROCEDURE: left L4-L5 medial branch block under fluoroscopy. Needles to the left L3 and L4 medial "
            "branches, lidocaine 2% 0.5 mL each.No steroid. Pain 6/10 before, 1/10 after.")
    result = analyze(text)
    assert result.intent.value == "diagnostic"
    assert [line.modifiers for line in result.claim_lines] == [["LT", "KX"]]
