"""Known extraction gaps, table-driven (all snippets written for these tests):

1. sacroiliac lateral-branch blocks name the L5 dorsal ramus: they are an SI procedure, not a medial
   branch block, and give no facet joint (no L5-S1 from the dorsal ramus);
2. a short sentence that only states a side ("These were all done on the left.") gives that side to
   the unsided levels just before it;
3. PEG / BPI interference items rated 0-10 are not pain scores;
4. ganglion impar / coccygeal injections and trigger-point templates are other procedures.
"""

from __future__ import annotations

import pytest

from nlp.extract.facts import extract_facts
from nlp.extract.levels import extract_levels
from nlp.extract.pain import extract_pain_scores
from nlp.extract.procedure import extract_procedure

PREP = "The skin was prepped and draped in sterile fashion."
FACET_FAMILIES = {"medial_branch_block", "facet_joint_injection"}

# --------------------------------------------------------------------------- 1. SI lateral branch

SI_LATERAL_BRANCH = [
    ("title_dorsal_ramus_first",
     "PROCEDURE: Right L5 dorsal ramus block and S1, S2, S3 lateral branch blocks under fluoroscopic guidance.\n"
     f"TECHNIQUE: {PREP} A 25-gauge needle was advanced to the sacral ala for the L5 dorsal ramus, then "
     "lateral to the S1, S2 and S3 posterior foramina. 0.5 mL of 0.5% bupivacaine was injected at each site.\n"),
    ("si_joint_lateral_branches_at_s1_s3",
     "Procedure: Left SI joint lateral branch blocks at S1-S3 and the L5 dorsal ramus.\n"
     f"{PREP} Under fluoroscopy needles were placed at the left L5 dorsal ramus and at the lateral margins of "
     "the S1, S2 and S3 foramina. Bupivacaine 0.5% 0.5 mL was injected at each target.\n"),
    ("sacral_lateral_branch_wording",
     "PROCEDURE: Bilateral sacral lateral branch and L5 dorsal ramus blocks, fluoroscopically guided.\n"
     f"DESCRIPTION: {PREP} Needles were walked to the L5 dorsal ramus and the sacral lateral branches on "
     "each side and 0.5 mL of 0.75% ropivacaine was injected per needle.\n"),
    # the L4 medial branch of the usual SI nerve set does not turn it into a facet block
    ("l4_medial_branch_in_si_set",
     "PROCEDURE: Right L4 medial branch, L5 dorsal ramus and S1, S2, S3 lateral branch blocks for sacroiliac "
     f"joint pain.\n{PREP} Under fluoroscopy 22-gauge needles were advanced to the right L4 medial branch, the "
     "L5 dorsal ramus and the S1 to S3 lateral branches. 0.5 mL of bupivacaine was injected at each.\n"),
    # the technique names the lumbar nerves without the SI words: the note still blocks the SI nerves
    ("technique_without_si_words",
     "PROCEDURE: Left sacroiliac joint lateral branch blocks.\n"
     f"TECHNIQUE: {PREP} Under fluoroscopy needles were advanced to the left L4 medial branch and the left L5 "
     "dorsal ramus, then lateral to the S1, S2 and S3 foramina. Bupivacaine was injected.\n"),
    # no "lateral branch" at all: an SI joint nerve block whose sentence names no medial branch
    ("si_joint_nerve_block_no_lateral_word",
     "PROCEDURE: Right SI joint nerve blocks: L5 dorsal ramus, S1, S2 and S3.\n"
     f"{PREP} Needles were placed under fluoroscopy and 0.5 mL of bupivacaine was injected at each target.\n"),
]


@pytest.mark.parametrize(("name", "text"), SI_LATERAL_BRANCH, ids=[c[0] for c in SI_LATERAL_BRANCH])
def test_si_lateral_branch_block_is_not_a_facet_procedure(view_of, name, text):
    view = view_of(text)
    proc = extract_procedure(view)
    assert proc.family == "sacroiliac_joint"
    assert proc.rule_ids == ["R-NBR-SIJ"]
    for ev in proc.evidence:
        assert text[ev.start : ev.end] == ev.text
    # no facet joint, read directly from the levels extractor too (not only because the family is SI)
    assert extract_levels(view) == []
    assert extract_facts(view, name).levels == []


GENUINE_MBB = [
    ("lumbar_mbb_with_dorsal_ramus",
     "PROCEDURE: Left lumbar medial branch blocks: the L3, L4 medial branches and L5 dorsal ramus.\n"
     f"TECHNIQUE: {PREP} Under fluoroscopy needles were advanced and bupivacaine was injected.\n",
     [("L4-L5", "left"), ("L5-S1", "left")]),
    ("dorsal_ramus_block_title",
     "PROCEDURE: Right L4 medial branch and L5 dorsal ramus block under fluoroscopy.\n"
     f"{PREP} The needle was advanced to the sacral ala for the L5 dorsal ramus.\n",
     [("L5-S1", "right")]),
    # "lateral branch" without a sacral target is anatomy, not an SI block
    ("lateral_branch_as_anatomy",
     "PROCEDURE: Right L3, L4 medial branch and L5 dorsal ramus blocks.\n"
     f"TECHNIQUE: {PREP} Under fluoroscopy the needles were kept medial, away from the lateral branch. "
     "Bupivacaine was injected.\n",
     [("L4-L5", "right"), ("L5-S1", "right")]),
    # an SI joint injection in the same session does not take the dorsal ramus of the lumbar block
    ("mbb_plus_si_joint_injection",
     "PROCEDURE: Right L3, L4 medial branch and L5 dorsal ramus blocks and right SI joint injection.\n"
     f"{PREP} Needles were advanced under fluoroscopy and bupivacaine was injected.\n",
     [("L4-L5", "right"), ("L5-S1", "right")]),
]


@pytest.mark.parametrize(("name", "text", "levels"), GENUINE_MBB, ids=[c[0] for c in GENUINE_MBB])
def test_lumbar_mbb_keeps_the_dorsal_ramus(view_of, name, text, levels):
    view = view_of(text)
    assert extract_procedure(view).family == "medial_branch_block"
    got = extract_levels(view)
    assert [(lv.joint, lv.side) for lv in got] == levels
    for lv in got:
        for ev in [*lv.evidence, *lv.side_evidence]:
            assert text[ev.start : ev.end] == ev.text


# --------------------------------------------------------------------------- 2. side statements

SIDE_STATEMENTS = [
    ("all_done_on_the_left",
     "PROCEDURE: Lumbar medial branch blocks under fluoroscopy.\n"
     f"TECHNIQUE: {PREP} Medial branch blocks at L3, L4 and L5 dorsal ramus were performed. "
     "These were all done on the left. Bupivacaine 0.5 mL was injected at each.\n",
     [("L4-L5", "left"), ("L5-S1", "left")], "on the left"),
    ("all_on_the_right_headerless",
     f"Lumbar facet joint injections L4-5 and L5-S1. All on the right. {PREP} The needles were advanced "
     "under fluoroscopy.\n",
     [("L4-L5", "right"), ("L5-S1", "right")], "on the right"),
    ("all_on_the_right_side",
     f"PROCEDURE: Facet joint injections.\nTECHNIQUE: {PREP} Under fluoroscopy the L4-5 and L5-S1 facet "
     "joints were entered. All on the right side.\n",
     [("L4-L5", "right"), ("L5-S1", "right")], "on the right side"),
    ("left_side_only",
     f"PROCEDURE: Cervical medial branch blocks.\nTECHNIQUE: {PREP} The C4, C5 and C6 medial branches were "
     "blocked under fluoroscopy.\nLeft side only.\n",
     [("C4-C5", "left"), ("C5-C6", "left")], "Left side"),
    ("two_sentences_back",
     f"PROCEDURE: Lumbar facet injections.\nTECHNIQUE: {PREP} The L4-5 facet joint was entered under "
     "fluoroscopy. The L5-S1 facet joint was then entered. Both were done on the left.\n",
     [("L4-L5", "left"), ("L5-S1", "left")], "on the left"),
    ("done_bilaterally",
     f"PROCEDURE: Lumbar medial branch blocks.\nTECHNIQUE: {PREP} The L2, L3 and L4 medial branches were "
     "blocked under fluoroscopy. These were done bilaterally.\n",
     [("L3-L4", "bilateral"), ("L4-L5", "bilateral")], "bilaterally"),
]


@pytest.mark.parametrize(("name", "text", "levels", "side_text"), SIDE_STATEMENTS, ids=[c[0] for c in SIDE_STATEMENTS])
def test_side_statement_gives_its_side_to_unsided_levels(view_of, name, text, levels, side_text):
    got = extract_levels(view_of(text))
    assert [(lv.joint, lv.side) for lv in got] == levels
    for lv in got:
        assert side_text in [ev.text for ev in lv.side_evidence]
        for ev in [*lv.evidence, *lv.side_evidence]:
            assert text[ev.start : ev.end] == ev.text


SIDE_STATEMENT_LIMITS = [
    # a stated side is never overridden
    ("stated_side_kept",
     "PROCEDURE: Facet joint injections at right L4-5 and L5-S1.\nLeft side only.\n",
     [("L4-L5", "right"), ("L5-S1", "right")]),
    # only the levels without a side take it; the header side still covers the rest
    ("sided_sentence_closes_the_reach",
     f"PROCEDURE: Facet joint injections.\nTECHNIQUE: {PREP} The right L4-5 facet joint was entered. "
     "The L5-S1 facet joint was entered. All on the left.\n",
     [("L4-L5", "right"), ("L5-S1", "left")]),
    # one statement per stretch: the second one does not reach back past the first
    ("one_statement_per_stretch",
     f"PROCEDURE: Facet joint injections.\nTECHNIQUE: {PREP} The L4-5 facet joint was entered. All on the "
     "left. The L5-S1 facet joint was entered. All on the right.\n",
     [("L4-L5", "left"), ("L5-S1", "right")]),
    # a bare "Left." may be a form answer: not a statement
    ("bare_side_word",
     f"PROCEDURE: Facet joint injections.\nTECHNIQUE: {PREP} The L4-5 and L5-S1 facet joints were entered "
     "under fluoroscopy.\nLeft.\n",
     [("L4-L5", "unspecified"), ("L5-S1", "unspecified")]),
    # planned wording is not a side statement
    ("planned_side",
     f"PROCEDURE: Facet joint injections.\nTECHNIQUE: {PREP} The L4-5 and L5-S1 facet joints were entered "
     "under fluoroscopy. We will do the left side next time.\n",
     [("L4-L5", "unspecified"), ("L5-S1", "unspecified")]),
    # too far back (more than three sentences) or in another section: no side
    ("too_far_back",
     f"PROCEDURE: Facet joint injections.\nTECHNIQUE: {PREP} The L4-5 and L5-S1 facet joints were entered "
     "under fluoroscopy. Contrast outlined each joint. Bupivacaine was injected. Dexamethasone was added. "
     "The needles were removed. All on the left.\n",
     [("L4-L5", "unspecified"), ("L5-S1", "unspecified")]),
    ("other_section",
     "PROCEDURE: L4-5 and L5-S1 facet joint injections.\nPLAN: Follow up in two weeks.\nAll on the left.\n",
     [("L4-L5", "unspecified"), ("L5-S1", "unspecified")]),
    # a patient-position sentence is not a side statement
    ("position_sentence",
     f"PROCEDURE: Facet joint injections.\nTECHNIQUE: {PREP} The L4-5 and L5-S1 facet joints were entered "
     "under fluoroscopy. Patient lying on the left.\n",
     [("L4-L5", "unspecified"), ("L5-S1", "unspecified")]),
]


@pytest.mark.parametrize(("name", "text", "levels"), SIDE_STATEMENT_LIMITS, ids=[c[0] for c in SIDE_STATEMENT_LIMITS])
def test_side_statement_is_conservative(view_of, name, text, levels):
    assert [(lv.joint, lv.side) for lv in extract_levels(view_of(text))] == levels


# --------------------------------------------------------------------------- 3. PEG items

PEG = [
    ("peg_lines_with_pain",
     "Pain: 8/10\nEnjoyment of life interference 8/10\nGeneral activity interference: 7/10\n", [(8, "8/10")]),
    ("peg_run_together_on_one_line",
     "Pain: 8/10 Enjoyment of life interference 8/10 General activity interference 7/10", [(8, "8/10")]),
    ("peg_sentences",
     "PEG: average pain in the past week 6/10. Enjoyment of life interference 9/10. "
     "General activity interference: 7/10.", [(6, "6/10")]),
    ("peg_one_sentence",
     "Pre-procedure pain 7/10, interference with enjoyment of life 9/10, interference with general activity 8/10.",
     [(7, "7/10")]),
    ("peg_after_and",
     "Pain 5/10 and general activity interference 6/10.", [(5, "5/10")]),
    ("peg_score_first",
     "PEG: 7/10 pain, 8/10 enjoyment of life, 6/10 general activity.", [(7, "7/10")]),
    ("peg_only", "Enjoyment of life interference: 8/10. General activity interference 7/10.", []),
    # still pain scores
    ("pain_interfering_with_sleep", "Pain 8/10 interfering with sleep.", [(8, "8/10")]),
    ("pain_with_activity", "Pain at rest 3/10, with activity 7/10.", [(3, "3/10"), (7, "7/10")]),
]


@pytest.mark.parametrize(("name", "text", "expected"), PEG, ids=[c[0] for c in PEG])
def test_peg_interference_items_are_not_pain_scores(view_of, name, text, expected):
    scores, _ = extract_pain_scores(view_of(text))
    assert [(s.value, s.evidence[0].text) for s in scores] == expected
    for s in scores:
        assert text[s.evidence[0].start : s.evidence[0].end] == s.evidence[0].text


# --------------------------------------------------------------------------- 4. other procedures

OTHER = [
    ("ganglion_impar",
     "PROCEDURE: Ganglion impar block under fluoroscopic guidance.\nINDICATION: Coccydynia.\n"
     f"TECHNIQUE: {PREP} A 22-gauge needle was advanced through the sacrococcygeal junction. Contrast spread "
     "anterior to the coccyx and 4 mL of 0.25% bupivacaine with 40 mg triamcinolone was injected.\n"),
    ("impar_ganglion_wording",
     "Procedure: Impar ganglion block.\nFluoroscopy was used. "
     f"{PREP} The needle was advanced and 5 mL of 0.25% bupivacaine was injected.\n"),
    ("coccygeal_injection",
     f"PROCEDURE: Coccygeal injection.\n{PREP} Under fluoroscopy a needle was advanced to the sacrococcygeal "
     "joint and 2 mL of Depo-Medrol 40 mg with lidocaine was injected.\n"),
    ("sacrococcygeal_joint_injection",
     f"PROCEDURE: Sacrococcygeal joint injection.\nTECHNIQUE: {PREP} The needle was advanced into the "
     "sacrococcygeal joint under fluoroscopy and 1 mL of triamcinolone was injected.\n"),
    ("tpi_checkbox_list",
     "PROCEDURES PERFORMED TODAY:\n[ ] Facet injection\n[x] Trigger point injection(s)\n"
     "Muscles injected: right rhomboid x2, right trapezius x2.\n"
     "Each site was cleaned with alcohol and 1 mL of 1% lidocaine was injected.\n"),
    ("tpi_field_performed",
     "Procedure note\nTrigger point injections: [x] performed  [ ] declined\n"
     "Muscles: bilateral upper trapezius, right levator scapulae\nMedication: 1% lidocaine 2 mL per site, 4 sites\n"),
    ("tpi_abbreviation",
     "Procedure: TPI x 4, bilateral lumbar paraspinals.\nAfter alcohol prep, a 25-gauge needle was inserted into "
     "each taut band and 1 mL of 0.5% bupivacaine was injected.\n"),
]


@pytest.mark.parametrize(("name", "text"), OTHER, ids=[c[0] for c in OTHER])
def test_other_procedures_are_other_procedure(view_of, name, text):
    view = view_of(text)
    proc = extract_procedure(view)
    assert proc.family == "other_procedure"
    assert not set(proc.other_families) & FACET_FAMILIES
    assert proc.evidence
    for ev in proc.evidence:
        assert text[ev.start : ev.end] == ev.text
    assert extract_facts(view, name).levels == []


def test_sacral_ala_landmark_does_not_make_an_si_block(view_of):
    """"lateral branch" beside the sacral ala of a lumbar block is anatomy, not an SI lateral-branch block."""
    text = ("PROCEDURE: Left L4 medial branch and L5 dorsal ramus blocks.\n"
            f"TECHNIQUE: {PREP} Under fluoroscopy the needle was placed on the sacral ala for the L5 dorsal ramus, "
            "medial to the lateral branch. Bupivacaine was injected.\n")
    view = view_of(text)
    assert extract_procedure(view).family == "medial_branch_block"
    assert [(lv.joint, lv.side) for lv in extract_levels(view)] == [("L5-S1", "left")]
