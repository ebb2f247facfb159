"""Procedure line (title, "Procedure:" line, time-out, level/side fields) against the technique (what was
done): when both give levels and disagree, the technique wins and LEVELS_CONFLICT is raised with both
statements as evidence (Engine conventions, decided 2026-12-03). A named joint and a nerve list that
describe the same block (clinician shorthand) keep the named joint and raise nothing."""

from __future__ import annotations

import pytest

from nlp.extract.doubts import LEVELS_CONFLICT
from nlp.extract.levels import extract_levels, extract_levels_and_doubts


def run(view_of, text: str) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    found, doubts = extract_levels_and_doubts(view_of(text))
    return [(lv.joint, lv.side) for lv in found], [d.id for d in doubts], [d.detail for d in doubts]


@pytest.mark.parametrize(
    ("text", "expected", "detail"),
    [
        # title bilateral, technique one side (explicit joints)
        ("Procedure: Bilateral L4-L5 and L5-S1 facet joint injections.\n"
         "Technique: Under fluoroscopy a 22-gauge needle was advanced into the left L4-L5 and left L5-S1 facet "
         "joints. Bupivacaine was injected into each joint.",
         [("L4-L5", "left"), ("L5-S1", "left")],
         "procedure line: bilateral L4-L5, L5-S1; technique: left L4-L5, L5-S1"),
        # bilateral on the procedure line, a right-sided nerve list in the technique
        ("PROCEDURE: Bilateral C4-C5 and C5-C6 cervical medial branch blocks.\n"
         "TECHNIQUE: Needles were advanced to the right C4, C5 and C6 articular pillars, targeting the right "
         "C4, C5 and C6 medial branches.",
         [("C4-C5", "right"), ("C5-C6", "right")],
         "procedure line: bilateral C4-C5, C5-C6; technique: right C4-C5, C5-C6"),
        # the procedure line lists one level more than the technique injects
        ("Procedure: Right L3-L4, L4-L5 and L5-S1 facet injections.\n"
         "Technique: The needle was advanced into the right L3-L4 and L4-L5 facet joints; contrast confirmed "
         "intra-articular spread.",
         [("L3-L4", "right"), ("L4-L5", "right")],
         "procedure line: right L3-L4, L4-L5, L5-S1; technique: right L3-L4, L4-L5"),
        # a nerve list with fewer nerves than the joints named on the title
        ("Procedure: Left C3-C4, C4-C5 and C5-C6 medial branch blocks.\n"
         "Technique: Needles were placed at the left C4, C5 and C6 medial branches; 0.5 mL injected at each.",
         [("C4-C5", "left"), ("C5-C6", "left")],
         "procedure line: left C3-C4, C4-C5, C5-C6; technique: left C4-C5, C5-C6"),
        # a nerve field on the procedure line against the nerves actually blocked
        ("Procedure: Lumbar medial branch block. Nerves: R L2, L3, L4 medial branches\n"
         "Technique: Spinal needles were advanced to the right L2 and L3 medial branches at the SAP/TP junction.",
         [("L3-L4", "right")],
         "procedure line: right L3-L4, L4-L5; technique: right L3-L4"),
        # the time-out line is a procedure line too
        ("TIME-OUT 0915: bilateral L2-L3 lumbar facet injections, prone, team agrees.\n"
         "Technique: The 22-gauge needle was advanced into the right L2-L3 facet joint and 1 mL was injected.",
         [("L2-L3", "right")],
         "procedure line: bilateral L2-L3; technique: right L2-L3"),
        # a procedure line whose next line already tells what was done
        ("PROCEDURE: Bilateral L5-S1 facet injection\n"
         "The patient was placed prone and the needle was advanced into the right L5-S1 joint; 1 mL injected.",
         [("L5-S1", "right")],
         "procedure line: bilateral L5-S1; technique: right L5-S1"),
        # a radiology report's EXAM line names the procedure
        ("EXAM: FLUOROSCOPY-GUIDED BILATERAL L1-L2 FACET JOINT INJECTIONS.\n"
         "TECHNIQUE: A spinal needle was advanced into the left L1-L2 facet joint and 1 mL was injected.",
         [("L1-L2", "left")],
         "procedure line: bilateral L1-L2; technique: left L1-L2"),
        # an order line that says both sides is a summary too: it does not add the side the technique never names
        ("OUTPATIENT IMAGING - SPINE INJECTION\nArrived 09:10, consent signed.\n"
         "Order: BILATERAL FACET JOINT INJECTIONS L1-2, L2-3\n\nHistory: low back pain for a year.\n\n"
         "Procedure: Bilateral L1-L2 and L2-L3 facet joint injections.\n"
         "Technique: A 22-gauge needle was advanced into the left L1-L2 joint and 0.5 mL was injected. Same approach "
         "at the left L2-L3 joint.",
         [("L1-L2", "left"), ("L2-L3", "left")],
         "procedure line: bilateral L1-L2, L2-L3; technique: left L1-L2, L2-L3"),
        # a capital letter for the side in the technique ("on the L"), nerves named by vertebra
        ("Procedure: Bilat C5 and C6 cervical medial branch blocks\n"
         "Under fluoroscopy a needle was advanced on the L to the C5 articular pillar for the C5 medial branch, then "
         "a second needle for the C6 medial branch. Lidocaine 0.3 mL at each.",
         [("C5-C6", "left")],
         "procedure line: bilateral C5-C6; technique: left C5-C6"),
    ],
)
def test_technique_wins_and_the_note_needs_review(view_of, text, expected, detail) -> None:
    found, ids, details = run(view_of, text)
    assert found == expected
    assert ids == [LEVELS_CONFLICT]
    assert details == [detail]


def test_conflict_evidence_quotes_both_statements(view_of) -> None:
    text = ("Procedure: Bilateral L4-L5 facet joint injection.\n"
            "Technique: The needle was advanced into the right L4-L5 facet joint and 1 mL was injected.")
    view = view_of(text)
    _, doubts = extract_levels_and_doubts(view)
    quoted = [e.text for e in doubts[0].evidence]
    assert "Bilateral" in quoted and "right" in quoted and quoted.count("L4-L5") == 2
    assert all(view.text[e.start:e.end] == e.text for e in doubts[0].evidence)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # procedure line and technique agree
        ("Procedure: Right L4-L5 facet joint injection.\n"
         "Technique: A 22-gauge needle was advanced into the right L4-L5 facet joint.",
         [("L4-L5", "right")]),
        # the technique gives no side: the procedure line's side is kept, nothing disagrees
        ("Procedure: Left L3-L4 and L4-L5 facet joint injections.\n"
         "Technique: Needles were advanced into the L3-L4 and L4-L5 facet joints under fluoroscopy.",
         [("L3-L4", "left"), ("L4-L5", "left")]),
        # clinician shorthand: the named joint and its two nerves describe one block (R-LEVEL-4)
        ("Procedure: Right L4-5 medial branch block.\n"
         "Technique: Needles were advanced to the right L4 and L5 medial branches at the SAP/TP junction.",
         [("L4-L5", "right")]),
        # shorthand over two joints: one nerve more than joints, each named for the joint below it
        ("Procedure: Right L4-5 and L5-S1 medial branch blocks.\n"
         "Technique: Needles were advanced to the right L4, L5 and S1 medial branches.",
         [("L4-L5", "right"), ("L5-S1", "right")]),
        ("Procedure: Bilateral L3-L4 and L4-L5 medial branch blocks.\n"
         "Technique: Needles were placed at the L3, L4 and L5 medial branches bilaterally.",
         [("L3-L4", "bilateral"), ("L4-L5", "bilateral")]),
        # anatomy agrees with the named joints
        ("Procedure: Bilateral L4-L5 and L5-S1 medial branch blocks.\n"
         "Technique: Needles were placed bilaterally at the L3 and L4 medial branches and the L5 dorsal ramus.",
         [("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
        # one side described, then repeated on the other: bilateral, as the title says
        ("Procedure: Bilateral C5-C6 facet injections.\n"
         "Technique: The needle was advanced into the right C5-C6 facet joint. The same procedure was then "
         "repeated on the left.",
         [("C5-C6", "bilateral")]),
        # both sides in the technique's own words, one side per needle
        ("Procedure: Bilateral L3-L4 facet injections.\n"
         "Technique: A 22-gauge needle was placed in the L3-L4 joint, right then left, and 0.5 mL injected.",
         [("L3-L4", "bilateral")]),
        ("Procedure: Bilateral L5-S1 medial branch blocks.\n"
         "Technique: Needles placed at both targets for the L5-S1 joint on the R and then the L; 0.5 mL each.",
         [("L5-S1", "bilateral")]),
        ("Procedure: Bilateral L4-L5 and L5-S1 medial branch blocks.\n"
         "Technique: Needles were placed on the right at the L3 and L4 medial branches and the L5 dorsal ramus, and "
         "then the same on the left.",
         [("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
        # the technique names the other side in a sentence of its own
        ("Procedure: Bilateral T4-T5 facet injections.\n"
         "Technique: The needle was advanced into the right T4-T5 joint and 0.5 mL injected. The left T4-T5 "
         "joint, likewise.",
         [("T4-T5", "bilateral")]),
        # the technique names no level: the procedure line's levels stand
        ("Procedure: Bilateral L4-L5 facet injections.\n"
         "Technique: Needles were advanced into each joint under fluoroscopy and 1 mL was injected.",
         [("L4-L5", "bilateral")]),
        # a title and a technique for a second region: each region is compared on its own
        ("PROCEDURES: 1. Right C5-C6 facet injection. 2. Bilateral L4-L5 facet injections.\n"
         "TECHNIQUE: A needle was advanced into the right and left L4-L5 facet joints.",
         [("C5-C6", "right"), ("L4-L5", "bilateral")]),
    ],
)
def test_agreement_raises_nothing(view_of, text, expected) -> None:
    found, ids, _ = run(view_of, text)
    assert found == expected
    assert ids == []


def test_a_joint_the_technique_adds_is_kept_and_reviewed(view_of) -> None:
    text = ("Procedure: Right L4-L5 facet joint injection.\n\n"
            "Technique: The right L3-L4 facet joint was also entered with a 22-gauge needle.")
    found, ids, _ = run(view_of, text)
    assert found == [("L3-L4", "right"), ("L4-L5", "right")]
    assert ids == [LEVELS_CONFLICT]


def test_a_region_the_procedure_line_does_not_name_is_kept_and_reviewed(view_of) -> None:
    text = ("Procedure: Bilateral C5-C6 medial branch blocks.\n"
            "Technique: Needles were placed at the C5 and C6 medial branches on each side; 0.5 mL at each.\n"
            "Technique: Under fluoroscopy the L4 and L5 medial branches were identified and 0.5 mL injected.")
    found, ids, details = run(view_of, text)
    assert ("C5-C6", "bilateral") in found and any(j == "L5-S1" for j, _ in found)
    assert ids == [LEVELS_CONFLICT]
    assert details[0].startswith("procedure line: bilateral C5-C6; technique:")


def test_extract_levels_still_returns_the_levels(view_of) -> None:
    text = ("Procedure: Bilateral L4-L5 facet joint injection.\n"
            "Technique: The needle was advanced into the left L4-L5 facet joint.")
    assert [(lv.joint, lv.side) for lv in extract_levels(view_of(text))] == [("L4-L5", "left")]
