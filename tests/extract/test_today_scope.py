"""Which statements speak about today's procedure: a header reaches only as far as its content plausibly does.

A sentence that reports an action of today's injection (needle advanced, negative aspiration, technically
successful) counts as today's even under a History/Indication/Exam/Impression header; a history of prior
procedures does not. Sentences are our own.
"""

from __future__ import annotations

import pytest

TODAY_UNDER_OTHER_HEADERS = {
    "history_run_on": "HISTORY: Axial low back pain for a year despite therapy. After a time-out the skin was "
                      "prepped, a 22-gauge needle was advanced into the left L4-L5 facet joint under fluoroscopy and "
                      "0.5 mL of bupivacaine with 10 mg dexamethasone was injected after negative aspiration.",
    "indication_run_on": "Indication: right C5-C6 facet pain. Under fluoroscopic guidance a 25-gauge spinal needle "
                         "was advanced into the right C5-C6 facet joint, negative aspiration, and 1 mL of 0.5% "
                         "bupivacaine with 40 mg triamcinolone was injected.",
    "radiology_exam_title": "EXAM: CT-GUIDED RIGHT T7-T8 FACET JOINT INJECTION\nHISTORY: mid back pain.\n"
                            "TECHNIQUE: Under CT guidance a 22-gauge needle was advanced into the right T7-T8 facet "
                            "joint. Negative aspiration. 1 mL of bupivacaine and 40 mg triamcinolone injected.\n"
                            "IMPRESSION: Technically successful right T7-T8 facet joint injection.",
}


@pytest.mark.parametrize("name", sorted(TODAY_UNDER_OTHER_HEADERS))
def test_todays_procedure_under_a_history_type_header_is_coded(analyzer, name) -> None:
    result = analyzer.analyze(TODAY_UNDER_OTHER_HEADERS[name])
    assert result.procedure.family == "facet_joint_injection", result.procedure.reason
    assert len(result.levels) == 1 and result.claim_lines


def test_prior_blocks_in_the_history_are_still_history(analyzer) -> None:
    text = ("HISTORY: She had bilateral L4-L5 medial branch blocks in 2024 with 80% relief.\n"
            "PLAN: repeat blocks after authorization.")
    result = analyzer.analyze(text)
    assert result.procedure.family == "no_procedure" and result.claim_lines == []


@pytest.mark.parametrize("text, family", [
    ("Proc: bilat L3-L4 facet IA inj under fluoro, 22g ndl into ea jt, neg asp, bupi + dex injected.",
     "facet_joint_injection"),
    ("Right C6-C7 intra-artic\ninj under fluoroscopy; needle advanced, negative aspiration, bupivacaine injected.",
     "facet_joint_injection"),
    ("Right hip intra-articular injection under fluoroscopy; needle advanced, negative aspiration, "
     "bupivacaine and triamcinolone injected.", None),
])
def test_an_intra_articular_injection_is_a_facet_injection_only_at_a_spinal_joint(analyzer, text, family) -> None:
    result = analyzer.analyze(text)
    if family is None:  # a hip joint: never a facet injection, never a 6449x line
        assert result.procedure.family != "facet_joint_injection" and result.claim_lines == []
    else:
        assert result.procedure.family == family


@pytest.mark.parametrize("box, family", [("[x]", "medial_branch_block"), ("[ ]", "medial_branch_block")])
def test_an_unchecked_box_negates_the_words_after_it(analyzer, box, family) -> None:
    text = (f"Procedure: [x] Lumbar medial branch block  [ ] Lumbar facet injection  {box} Lumbar RFA\n"
            "Left L4-L5: 22-gauge needles advanced to the left L3 and L4 medial branches under fluoroscopy, negative "
            "aspiration, 0.5 mL bupivacaine injected at each.")
    result = analyzer.analyze(text)
    if box == "[ ]":
        assert result.procedure.family == "medial_branch_block"
    else:
        assert result.procedure.family == "radiofrequency_ablation"  # a checked RFA box in the procedure line


@pytest.mark.parametrize("extra, family", [
    ("Plan: RFA once authorization is pending approval.", "medial_branch_block"),
    ("History: RFA of the same levels 14 months ago, 75% relief.", "medial_branch_block"),
    ("Then radiofrequency lesioning at 80 C for 90 seconds was performed at each medial branch.",
     "radiofrequency_ablation"),
])
def test_rfa_decides_only_when_the_ablation_itself_is_documented(analyzer, extra, family) -> None:
    text = ("Procedure: left L4-L5 medial branch block under fluoroscopy.\nTechnique: needles advanced to the left L3 "
            "and L4 medial branches, negative aspiration, 0.5 mL bupivacaine injected.\n" + extra)
    assert analyzer.analyze(text).procedure.family == family
