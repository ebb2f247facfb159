"""Guidance that was not used for today's needles: planned, requested, ordered, historical, negated, a device
that was out of service, and documents that record no injection at all. Sentences are our own."""

from __future__ import annotations

import pytest

from nlp.extract.imaging import extract_imaging, imaging_doubts

DONE = "Prone, sterile prep. A 22g spinal needle was advanced to each target; 0.5 mL bupivacaine injected per site."


def _imaging(view_of, text: str):
    view = view_of(text)
    img = extract_imaging(view)
    assert all(text[e.start : e.end] == e.text for e in img.evidence)
    return view, img


@pytest.mark.parametrize(
    "text",
    [
        # the device could not be used
        f"PROCEDURE: Left L4-L5 MBB.\nThe C-arm was out of service this morning; landmark technique used.\n{DONE}",
        f"PROCEDURE: Left L4-L5 MBB.\nC-arm down for service; proceeded by palpation.\n{DONE}",
        f"PROCEDURE: Left L4-L5 MBB.\nComment: fluoroscopy unit in room 2 down for repair, surface landmarks "
        f"used.\n{DONE}",
        f"Location: procedure room 3 (C-arm out of order)\nPROCEDURE: Left L4-L5 MBB by palpation.\n{DONE}",
        # negated
        f"PROCEDURE: Left L4-L5 MBB. No fluoro today; landmark technique.\n{DONE}",
        f"PROCEDURE: Left L4-L5 MBB performed without fluoroscopy, by palpation.\n{DONE}",
        # planned / requested for another day
        f"PROCEDURE: Left L4-L5 MBB by palpation.\n{DONE}\nThe confirmatory block will be done under fluoroscopy.",
        f"PROCEDURE: Left L4-L5 MBB by palpation.\n{DONE}\nCT guidance requested by the surgeon for the next block.",
        f"PROCEDURE: Left L4-L5 MBB by palpation.\nGuidance: [x] fluoroscopy (planned) [ ] CT [ ] US\n{DONE}",
        f"PROCEDURE: Left L4-L5 MBB by palpation.\n{DONE}\nPlease approve a repeat block under fluoroscopy.",
        # history
        f"PROCEDURE: Left L4-L5 MBB by palpation. Prior injection done under fluoro, outside.\n{DONE}",
        f"PROCEDURE: Left L4-L5 MBB by palpation. Two years ago she had an RFA under fluoroscopy.\n{DONE}",
    ],
)
def test_guidance_not_used_today_is_none(view_of, text):
    _, img = _imaging(view_of, text)
    assert img.modality == "none", img.reason


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # controls: the same words about a device that *was* used, or about another one
        (f"PROCEDURE: Left L4-L5 MBB.\nFluoroscopy was used since the CT scanner was unavailable.\n{DONE}",
         "fluoroscopy"),
        (f"PROCEDURE: Left L4-L5 MBB.\nThe fluoro room was booked, so the CT suite was used; needles placed under "
         f"CT guidance.\n{DONE}", "ct"),
        (f"PROCEDURE: Left L4-L5 MBB.\nThe fluoroscopy unit was down for maintenance, so ultrasound guidance was "
         f"used.\n{DONE}", "ultrasound"),
        (f"PROCEDURE: Left L4-L5 MBB, US guided (no fluoro today).\n{DONE}", "ultrasound"),
        (f"PROCEDURE: Left L4-L5 MBB under fluoroscopy.\nCT guidance was requested but fluoroscopy was used.\n{DONE}",
         "fluoroscopy"),
        (f"PROCEDURE: Left L4-L5 MBB.\nPrior to injection, under fluoroscopy, the needle position was checked.\n{DONE}",
         "fluoroscopy"),
        (f"PROCEDURE: Left L4-L5 MBB.\nThe needle was noted to be in good position under fluoroscopy.\n{DONE}",
         "fluoroscopy"),
        (f"PROCEDURE: Left L4-L5 MBB.\nFluoroscopic images saved; images unavailable in PACS until tomorrow.\n{DONE}",
         "fluoroscopy"),
    ],
)
def test_guidance_used_today_still_counts(view_of, text, modality):
    _, img = _imaging(view_of, text)
    assert img.modality == modality, img.reason


@pytest.mark.parametrize(
    "text",
    [
        "SCHEDULING ORDER\nBilateral C5-C6 cervical MBB, fluoro, next available. Pain 7/10.",
        "Pre-procedure visit only - no procedure performed today.\nYou are scheduled for a right L4-L5 facet "
        "injection using fluoroscopy to guide the needle.",
        "RE: Request for prior authorization\nWe request approval of right L3-L4 MBB under fluoroscopic guidance.",
        "Booked: left T4-T5 facet injection, CT guidance requested. Not yet done - nothing injected.",
        "PROCEDURE REPORT - CASE CANCELLED\nCT-guided right L4-L5 facet injection cancelled prior to any injection "
        "(anticoagulant not held). No needle placed.",
    ],
)
def test_documents_without_an_injection_today_report_no_guidance(view_of, text):
    view, img = _imaging(view_of, text)
    assert img.modality == "none", img.reason
    assert img.evidence and "no injection today" in img.reason
    assert imaging_doubts(view, img) == []


def test_landmark_technique_beside_equipment_words_is_no_guidance(pipeline) -> None:
    from nlp.api import Analyzer

    text = ("Procedure: right L4-L5 facet joint injection. The C-arm was out of service today, so after discussion the "
            "injection was done by landmark technique; image guidance was not available. A 22-gauge needle was advanced "
            "into the right L4-L5 facet joint, negative aspiration, 1 mL bupivacaine with 40 mg triamcinolone injected.")
    result = Analyzer(nlp=pipeline, use_models=False).analyze(text)
    assert result.imaging.modality == "none" and result.claim_lines == []


def test_landmark_and_fluoroscopy_for_the_same_session_route_to_review(pipeline) -> None:
    from nlp.api import Analyzer

    text = ("Procedures: right L5 transforaminal epidural injection and right L4-L5 medial branch block.\n"
            "The epidural was done under fluoroscopy with the needle advanced in oblique view.\n"
            "The medial branch block was then done by landmark technique: needles advanced to the right L3 and L4 "
            "medial branches, negative aspiration, 0.5 mL bupivacaine injected at each.")
    result = Analyzer(nlp=pipeline, use_models=False).analyze(text)
    assert result.review.status == "needs_review"
    assert "IMAGING_CONFLICT" in [r.id for r in result.review.reasons]


def test_landmark_guidance_of_another_procedure_is_not_a_conflict(pipeline) -> None:
    from nlp.api import Analyzer

    text = ("Procedures: 1. Left L4-L5 facet joint injection under fluoroscopy. 2. Left trochanteric bursa injection.\n"
            "Facet: under fluoroscopy a 22-gauge needle was advanced into the left L4-L5 facet joint, negative "
            "aspiration, 1 mL bupivacaine with 40 mg triamcinolone injected.\n"
            "Bursa: trigger point and bursa injection, landmark guided, 40 mg triamcinolone.\n")
    result = Analyzer(nlp=pipeline).analyze(text)
    assert result.imaging.modality == "fluoroscopy" and result.claim_lines
    assert "IMAGING_CONFLICT" not in [r.id for r in result.review.reasons]


@pytest.mark.parametrize(
    "field",
    ["Fluoro time: ______   Dose: ______", "Fluoroscopy: [ ]", "CT dose: N/A", "Fluoro (min): ***",
     "Fluoroscopy time = --"],
)
def test_a_guidance_field_left_blank_is_not_guidance(view_of, field) -> None:
    text = f"PROCEDURE: Left L4-L5 MBB.\n{field}\n{DONE}"
    _, img = _imaging(view_of, text)
    assert img.modality == "none", img.reason


@pytest.mark.parametrize(
    ("field", "modality"),
    [("Fluoro time: 0.8 min", "fluoroscopy"), ("Fluoroscopy: [x]", "fluoroscopy"),
     ("Fluoro time (min): 1.2", "fluoroscopy")],
)
def test_a_guidance_field_with_a_value_is_guidance(view_of, field, modality) -> None:
    text = f"PROCEDURE: Left L4-L5 MBB.\n{field}\n{DONE}"
    _, img = _imaging(view_of, text)
    assert img.modality == modality, img.reason


def test_what_a_payer_will_not_cover_is_not_a_denial_of_guidance_used(view_of) -> None:
    text = (f"PROCEDURE: Left L4-L5 MBB under ultrasound guidance.\nABN signed: the plan may not cover US-guided "
            f"facet blocks.\n{DONE}")
    view, img = _imaging(view_of, text)
    assert img.modality == "ultrasound"
    assert imaging_doubts(view, img) == []


@pytest.mark.parametrize(
    "denial",
    ["Imaging: NONE - C-arm out for service today, palpation only, no fluoro used.",
     "Edited: no fluoroscopy was used for this block."],
)
def test_guidance_documented_as_used_and_as_not_used_goes_to_review(view_of, denial) -> None:
    text = f"PROCEDURE: Left L4-L5 MBB.\nImaging: fluoroscopy, AP and oblique.\n{DONE}\n{denial}"
    view, img = _imaging(view_of, text)
    assert img.modality == "fluoroscopy"
    doubts = imaging_doubts(view, img)
    assert [d.id for d in doubts] == ["IMAGING_CONFLICT"]
    assert all(text[e.start:e.end] == e.text for e in doubts[0].evidence)


@pytest.mark.parametrize(
    "other",
    ["No sedation, fluoroscopy time 0.9 min.", "No complications; 6 fluoro images saved.",
     "No CT was needed."],
)
def test_a_negation_of_something_else_near_guidance_is_no_conflict(view_of, other) -> None:
    text = f"PROCEDURE: Left L4-L5 MBB.\nImaging: fluoroscopy, AP and oblique.\n{DONE}\n{other}"
    view, img = _imaging(view_of, text)
    assert img.modality == "fluoroscopy"
    assert imaging_doubts(view, img) == []
