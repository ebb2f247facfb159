"""End to end: text that only requests, approves, orders, proposes or discusses a facet procedure never
gets a 6449x / 0213T-0218T line, and a procedure documented as done without imaging is not coded from a
sentence about an imaging requirement. Declarative controls keep their lines. All text written for this test."""

from __future__ import annotations

import pytest

from nlp.api import Analyzer

FACET_CODES = {"64490", "64491", "64492", "64493", "64494", "64495",
               "0213T", "0214T", "0215T", "0216T", "0217T", "0218T"}

NOT_PERFORMED = [
    ("requesting_authorization", "Dr. Pell is requesting authorization for bilateral L4-5 and L5-S1 medial branch "
                                 "blocks to be done under fluoroscopic guidance."),
    ("request_for", "Request for prior authorization: bilateral lumbar facet joint injections at L4-L5 and L5-S1 "
                    "under fluoroscopy."),
    ("to_be_done", "Authorization is sought for bilateral L3-4 and L4-5 medial branch blocks, to be done under "
                   "fluoroscopy at the surgery center."),
    ("wants_to", "The physician wants to do bilateral L4-5 medial branch blocks with fluoroscopy next month."),
    ("referred_for", "The patient is being referred for bilateral L4-L5 facet joint injections under fluoroscopic "
                     "guidance."),
    ("approved_for", "The patient has been approved for bilateral L4-5 and L5-S1 medial branch blocks under "
                     "fluoroscopy."),
    ("approval_obtained", "Insurance approval obtained for right L4-5 facet joint injection under fluoroscopy."),
    ("asks_about", "The patient asks about bilateral L4-5 medial branch blocks under fluoroscopy."),
    ("ordering", "Her physician is ordering bilateral L4-L5 facet joint injections under fluoroscopy."),
    ("are_indicated", "Medial branch blocks at bilateral L4-5 and L5-S1 under fluoroscopy are indicated."),
    ("proposed", "Proposed procedure: bilateral L4-5 and L5-S1 medial branch blocks under fluoroscopic guidance."),
]


@pytest.fixture(scope="module")
def analyzer(pipeline) -> Analyzer:
    return Analyzer(nlp=pipeline)


@pytest.mark.parametrize(("name", "text"), NOT_PERFORMED, ids=[n for n, _ in NOT_PERFORMED])
def test_requested_or_planned_procedure_gets_no_facet_line(analyzer, name, text):
    result = analyzer.analyze(text, name)
    assert not {line.cpt for line in result.claim_lines} & FACET_CODES
    assert result.procedure.family == "no_procedure"


def test_done_without_imaging_is_not_coded_from_an_imaging_requirement(analyzer):
    text = ("PROCEDURE: Right L4-5 facet joint injection.\nThe injection was done without fluoroscopy. The carrier "
            "says he must use fluoroscopy for this code next time.")
    result = analyzer.analyze(text, "no_fluoro")
    assert result.imaging.modality == "none"
    assert not {line.cpt for line in result.claim_lines} & FACET_CODES
    assert "IMAGING_MISSING" in {flag.id for flag in result.flags}


@pytest.mark.parametrize(("text", "codes"), [
    ("PROCEDURE PERFORMED: Bilateral L4-5 and L5-S1 medial branch blocks under fluoroscopic guidance. Needles "
     "were placed and 0.5 mL bupivacaine was injected at each level.", {"64493", "64494"}),
    ("Right L4-5 facet joint injection was performed under fluoroscopy after authorization was obtained.", {"64493"}),
    ("As requested by Dr. Pell, bilateral L4-5 facet joint injections were performed under fluoroscopy today.", {"64493"}),
], ids=["performed_heading", "performed_after_authorization", "performed_as_requested"])
def test_performed_procedures_keep_their_lines(analyzer, text, codes):
    assert {line.cpt for line in analyzer.analyze(text, "done").claim_lines} == codes
