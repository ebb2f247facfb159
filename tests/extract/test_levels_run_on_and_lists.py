"""Level reading in the forms blind batch C showed: survey ranges inside run-on dictation, levels said
not to be treated, CT "planning" images, a target list after "needles were placed at:", a trailing
side phrase after a list whose side is in front, capital R/L after a level, a first line that runs on
with the patient's details, and a template's "PROCEDURE TITLE" field with no colon.
Every sentence here is written for this file."""

from __future__ import annotations

import pytest

from nlp.extract.levels import extract_levels, extract_levels_and_doubts, parse_side_phrases


def levels(view_of, text: str) -> list[tuple[str, str]]:
    return [(lv.joint, lv.side) for lv in extract_levels(view_of(text))]


@pytest.mark.parametrize(("text", "expected"), [
    # no punctuation: the survey range sits in the same clause as the nerves
    ("procedure right L4-L5 medial branch block patient prone prepped and draped AP fluoroscopic images obtained "
     "L2 through S1 for survey and counting then a 22 gauge needle was advanced to the right L3 and L4 medial "
     "branches and bupivacaine was injected",
     [("L4-L5", "right")]),
    ("procedure bilateral C5-C6 facet injection prone on the table lateral and AP images taken from C3 to C7 "
     "to count levels needles were advanced into the right and left C5-C6 facet joints and lidocaine injected",
     [("C5-C6", "bilateral")]),
    # the range follows the cue with only imaging words between
    ("Procedure: left L2-L3 facet joint injection. Technique: localizer CT series from L1 through L4 then a "
     "needle was advanced into the left L2-L3 facet joint and triamcinolone was injected.",
     [("L2-L3", "left")]),
])
def test_survey_range_in_a_run_on_clause_is_not_treated(view_of, text, expected) -> None:
    assert levels(view_of, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Procedure: right L3-L4 facet joint injection. Technique: images over L2 to L5 were reviewed "
     "(L2-L3 and L4-L5 not treated). A needle was advanced into the right L3-L4 facet joint and "
     "bupivacaine was injected.",
     [("L3-L4", "right")]),
    ("Procedure: bilateral T11-T12 facet injections. The T10-T11 level was not targeted. Needles were "
     "advanced into the right and left T11-T12 facet joints and lidocaine was injected.",
     [("T11-T12", "bilateral")]),
    ("Procedure: left C4-C5 medial branch block. Needles were placed at the left C4 and C5 medial branches, "
     "nothing at C6-C7. Ropivacaine was injected.",
     [("C4-C5", "left")]),
])
def test_level_said_not_to_be_treated_is_dropped(view_of, text, expected) -> None:
    assert levels(view_of, text) == expected


def test_control_a_treated_level_next_to_the_word_count_is_kept(view_of) -> None:
    text = ("Procedure: right L5-S1 facet joint injection. Technique: a needle was advanced into the right L5-S1 "
            "facet joint; a total count of one joint was injected with bupivacaine.")
    assert levels(view_of, text) == [("L5-S1", "right")]


@pytest.mark.parametrize("planning", [
    "axial CT to plan the trajectory",
    "a planning scan through the target",
    "low-dose planning images",
])
def test_ct_planning_images_are_not_a_plan(view_of, planning) -> None:
    text = (f"lumbar medial branch block under CT {planning} then a 22 gauge needle was advanced to the left L4 "
            "medial branch and a second needle to the left L5 medial branch and bupivacaine was injected at each")
    assert levels(view_of, text) == [("L5-S1", "left")]


def test_target_list_after_a_colon_is_the_technique(view_of) -> None:
    text = ("PROCEDURE: Bilateral L3-L4 and L4-L5 facet medial branch blocks\n"
            "Technique:\n"
            "Needles were advanced under fluoroscopy to these targets:\n"
            " - right L2 medial branch\n"
            " - right L3 medial branch\n"
            " - right L4 medial branch\n"
            "Bupivacaine 0.5 mL was injected at each target.\n")
    found, doubts = extract_levels_and_doubts(view_of(text))
    assert [(lv.joint, lv.side) for lv in found] == [("L3-L4", "right"), ("L4-L5", "right")]
    assert [d.id for d in doubts] == ["LEVELS_CONFLICT"]  # the procedure line said bilateral


def test_trailing_side_phrase_speaks_of_the_last_item_when_the_list_has_its_side_in_front(view_of) -> None:
    text = ("Procedure: Lumbar facet injections. Needles were advanced into the left C5-C6 facet joint and the "
            "C6-C7 facet joint on both sides, and lidocaine was injected.")
    assert levels(view_of, text) == [("C5-C6", "left"), ("C6-C7", "bilateral")]


def test_control_trailing_side_phrase_without_a_side_in_front_covers_the_whole_list(view_of) -> None:
    text = ("Procedure: Lumbar facet injections. Needles were advanced into the L3-L4 and L4-L5 facet joints "
            "on both sides and lidocaine was injected.")
    assert levels(view_of, text) == [("L3-L4", "bilateral"), ("L4-L5", "bilateral")]


@pytest.mark.parametrize(("text", "sides"), [
    ("C5-6 R/L and C6-7 L.", [("bilateral", "R/L"), ("left", "L")]),
    ("T11-12 R only", [("right", "R only")]),
    ("L4 L5 medial branches", []),  # a vertebra letter, not a side
    ("R L1-2 R L2-3 L L1-2", [("right", "R"), ("right", "R"), ("left", "L")]),  # each letter before its level
])
def test_capital_side_letter_after_a_level(text, sides) -> None:
    assert [(p.side, text[p.start:p.end]) for p in parse_side_phrases(text)] == sides


def test_first_line_running_on_with_patient_details_is_the_procedure_line(view_of) -> None:
    text = ("PROCEDURE NOTE BILATERAL L4 AND L5 MEDIAL BRANCH BLOCKS FLUORO Pt Testperson Alma MRN 00000000 DOB "
            "01/01/1950 DOS 01/01/2026 Payer Medicare Provider Q Example MD\n\n"
            "prone prep drape 22 gauge needle to the right L4 medial branch then a second needle to the right L5 "
            "medial branch bupivacaine 0.5 mL each\n")
    found, doubts = extract_levels_and_doubts(view_of(text))
    assert [(lv.joint, lv.side) for lv in found] == [("L5-S1", "right")]
    assert [d.id for d in doubts] == ["LEVELS_CONFLICT"]


def test_procedure_title_field_without_a_colon_is_the_procedure_line(view_of) -> None:
    text = ("PROCEDURE TITLE bilateral L3-L4 and L4-L5 lumbar facet joint injections\n\n"
            "PROCEDURE under fluoroscopy a needle was advanced into the right L3-L4 facet joint then the same on "
            "the left L3-L4 facet joint and bupivacaine was injected into each joint\n")
    found, doubts = extract_levels_and_doubts(view_of(text))
    assert [(lv.joint, lv.side) for lv in found] == [("L3-L4", "bilateral")]
    assert [d.id for d in doubts] == ["LEVELS_CONFLICT"]


def test_side_written_after_each_nerve_of_a_list_belongs_to_that_nerve(view_of) -> None:
    text = ("PROCEDURE: Lumbar medial branch blocks\n"
            "Nerves: L2 medial branch bilat, L3 medial branch bilat, L4 medial branch R\n"
            "Needles were advanced to each target and bupivacaine was injected.\n")
    assert levels(view_of, text) == [("L3-L4", "bilateral"), ("L4-L5", "right")]


def test_control_side_before_a_list_still_covers_the_list(view_of) -> None:
    text = ("PROCEDURE: Lumbar medial branch blocks\n"
            "Nerves: bilateral L3, L4 medial branches and L5 dorsal rami\n"
            "Needles were advanced to each target and bupivacaine was injected.\n")
    assert levels(view_of, text) == [("L4-L5", "bilateral"), ("L5-S1", "bilateral")]


@pytest.mark.parametrize(("text", "expected"), [
    ("Time-out: bilateral L3/L4/L5 medial branches. Needles were advanced to each of them and lidocaine was "
     "injected.", [("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
    ("Needles were advanced to the right C4/C5/C6 medial branches; bupivacaine was injected.",
     [("C4-C5", "right"), ("C5-C6", "right")]),
    ("A needle was advanced into the left L4/L5 facet joint and lidocaine was injected.", [("L4-L5", "left")]),
])
def test_slash_list_of_three_vertebrae_is_a_nerve_list_not_a_joint(view_of, text, expected) -> None:
    assert levels(view_of, text) == expected


def test_level_of_a_same_session_epidural_step_is_not_a_facet_level(view_of) -> None:
    text = ("PROCEDURE: Bilateral C5-C6 facet medial branch blocks and a right L5-S1 transforaminal injection.\n"
            "Needles were advanced to the right and left C5 and C6 medial branches and lidocaine was injected.\n"
            "Second site: a 22 gauge needle to the foramen at right L5-S1, contrast showed epidural flow, "
            "dexamethasone injected.\n")
    assert levels(view_of, text) == [("C5-C6", "bilateral")]


def test_control_no_epidural_spread_keeps_the_facet_level(view_of) -> None:
    text = ("PROCEDURE: Left L4-L5 facet joint injection.\n"
            "A 22 gauge needle was advanced into the left L4-L5 joint, contrast without epidural spread, "
            "bupivacaine injected.\n")
    assert levels(view_of, text) == [("L4-L5", "left")]
