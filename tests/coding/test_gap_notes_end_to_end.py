"""End to end (pipeline + extractors + models + coding): notes outside the facet family never get a
6449x / 0213T-0218T line (R-NBR-SIJ, R-NBR-*), while a genuine lumbar MBB naming the L5 dorsal ramus
keeps its lines. All notes written for this test."""

from __future__ import annotations

import pytest

from nlp.api import Analyzer

FACET_CODES = {"64490", "64491", "64492", "64493", "64494", "64495",
               "0213T", "0214T", "0215T", "0216T", "0217T", "0218T"}

SI_NOTES = [
    ("si_lateral_branch_title",
     "PROCEDURE: Right L5 dorsal ramus block and S1, S2, S3 lateral branch blocks under fluoroscopic guidance.\n"
     "DIAGNOSIS: Right sacroiliac joint pain.\n"
     "TECHNIQUE: The patient was placed prone. The skin was prepped and draped in sterile fashion. Under "
     "fluoroscopy a 25-gauge needle was advanced to the sacral ala for the L5 dorsal ramus and then lateral to "
     "the S1, S2 and S3 posterior foramina. 0.5 mL of 0.5% bupivacaine was injected at each site.\n"
     "Pain 7/10 before and 1/10 after the block.\n"),
    ("si_lateral_branch_with_l4",
     "PROCEDURE: Left L4 medial branch, L5 dorsal ramus and S1-S3 lateral branch blocks (diagnostic) for "
     "sacroiliac joint pain.\nTECHNIQUE: Prone, sterile prep and drape. Under AP and oblique fluoroscopy "
     "22-gauge needles were advanced to the left L4 medial branch and L5 dorsal ramus and to the lateral "
     "margins of the left S1, S2 and S3 foramina. Bupivacaine 0.5% 0.5 mL was injected at each target.\n"),
]

OTHER_NOTES = [
    ("ganglion_impar",
     "PROCEDURE: Ganglion impar block under fluoroscopic guidance.\nINDICATION: Coccydynia for 8 months.\n"
     "TECHNIQUE: The skin was prepped and draped. A 22-gauge needle was advanced through the sacrococcygeal "
     "junction under lateral fluoroscopy; contrast spread anterior to the coccyx. 4 mL of 0.25% bupivacaine "
     "with 40 mg triamcinolone was injected.\n"),
    ("tpi_template",
     "PROCEDURES PERFORMED TODAY:\n[ ] Facet injection\n[x] Trigger point injection(s)\n"
     "Muscles injected: right rhomboid x2, right trapezius x2.\n"
     "Each site was cleaned with alcohol and 1 mL of 1% lidocaine was injected.\n"),
]


@pytest.fixture(scope="module")
def analyzer(pipeline):
    return Analyzer(nlp=pipeline)


@pytest.mark.parametrize(("name", "text"), SI_NOTES, ids=[c[0] for c in SI_NOTES])
def test_si_lateral_branch_note_has_no_facet_line(analyzer, name, text):
    result = analyzer.analyze(text, note_id=name)
    assert result.procedure.family == "sacroiliac_joint"
    assert result.levels == []
    assert not {line.cpt for line in result.claim_lines} & FACET_CODES


@pytest.mark.parametrize(("name", "text"), OTHER_NOTES, ids=[c[0] for c in OTHER_NOTES])
def test_other_procedure_note_has_no_facet_line(analyzer, name, text):
    result = analyzer.analyze(text, note_id=name)
    assert result.procedure.family == "other_procedure"
    assert not {line.cpt for line in result.claim_lines} & FACET_CODES


def test_lumbar_mbb_with_dorsal_ramus_keeps_its_lines(analyzer):
    text = (
        "PROCEDURE: Left lumbar medial branch blocks, first diagnostic block: the L3, L4 medial branches and "
        "L5 dorsal ramus.\nDIAGNOSIS: Lumbar spondylosis M47.816. Axial low back pain for 2 years despite "
        "physical therapy and NSAIDs; no radicular symptoms.\nTECHNIQUE: The skin was prepped and draped. Under "
        "fluoroscopy 22-gauge needles were advanced to the left L3 and L4 medial branches and the left L5 dorsal "
        "ramus. 0.5 mL of 0.5% bupivacaine was injected at each; no steroid.\nPain 7/10 before and 1/10 after.\n"
    )
    result = analyzer.analyze(text)
    assert result.procedure.family == "medial_branch_block"
    assert [(lv.joint, lv.side) for lv in result.levels] == [("L4-L5", "left"), ("L5-S1", "left")]
    assert [line.cpt for line in result.claim_lines] == ["64493", "64494"]
