"""Which modality guided today's needles when a note names more than one: view names that ultrasound shares,
fluoroscopic scouts that only counted levels, CT localizers, and two modalities used (IMAGING_CONFLICT).
Sentences are our own."""

from __future__ import annotations

import pytest

from nlp.coding.defaults import load_profile, rule_tables
from nlp.coding.review import build_review
from nlp.extract.doubts import EXTRACT_REASONS, IMAGING_CONFLICT
from nlp.extract.imaging import extract_imaging, imaging_doubts
from nlp.schema import NoteResult, Review

DONE = "0.5 mL bupivacaine was injected at each site and the needles were removed."


def _read(view_of, text: str):
    view = view_of(text)
    img = extract_imaging(view)
    assert all(text[e.start : e.end] == e.text for e in img.evidence)
    return img, imaging_doubts(view, img)


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # "oblique view" / "lateral view" belong to the ultrasound scan when ultrasound guided the needle
        (f"PROCEDURE: Right L4-L5 MBB.\nA curvilinear probe was placed in a parasagittal oblique view and the needle "
         f"was advanced in plane under ultrasound guidance. {DONE}", "ultrasound"),
        (f"PROCEDURE: Right C5-C6 facet injection.\nLinear transducer in a lateral view; ultrasound-guided "
         f"in-plane approach into the joint. {DONE}", "ultrasound"),
        # control: alone they are fluoroscopic views
        (f"PROCEDURE: Right L4-L5 MBB.\nThe needle was advanced in an oblique view and checked in a lateral "
         f"view. {DONE}", "fluoroscopy"),
        # a fluoroscopic scout that only counted levels is not the guidance of an ultrasound or landmark injection
        (f"PROCEDURE: Right L4-L5 MBB.\nA scout AP fluoroscopic image was obtained to count levels. The needle was "
         f"then placed under ultrasound guidance. {DONE}", "ultrasound"),
        (f"PROCEDURE: Right L4-L5 MBB.\nFluoro scout to count levels, then landmark technique by palpation. {DONE}",
         "none"),
        # control: a scout followed by needles placed under fluoroscopy is fluoroscopic guidance
        (f"PROCEDURE: Right L4-L5 MBB.\nFluoro scout to count levels; needles advanced under fluoroscopy, AP and "
         f"oblique views. {DONE}", "fluoroscopy"),
        (f"PROCEDURE: Right L4-L5 MBB.\nLevels were counted on a scout fluoroscopic image and bony landmarks "
         f"identified. {DONE}", "fluoroscopy"),
        # CT scout/localizer images of a CT-guided procedure are CT
        (f"PROCEDURE: Left T5-T6 facet injection.\nCT localizer images obtained; the needle was advanced under "
         f"intermittent CT and its tip confirmed on CT. {DONE}", "ct"),
        (f"PROCEDURE: Left T5-T6 facet injection.\nCT scout through T4-T7, then needle to the joint. {DONE}", "ct"),
    ],
)
def test_the_modality_that_guided_the_needle(view_of, text, modality):
    img, doubts = _read(view_of, text)
    assert img.modality == modality, img.reason
    assert doubts == []


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        (f"PROCEDURE: Right L4-L5 MBB.\nThe needle was placed under ultrasound guidance, in plane; position "
         f"confirmed with AP fluoroscopy. {DONE}", ("fluoroscopy", "ultrasound")),
        (f"PROCEDURE: Right L4-L5 facet injection.\nUS-guided needle placement, then fluoroscopic confirmation "
         f"of intra-articular spread. {DONE}", ("fluoroscopy", "ultrasound")),
        (f"PROCEDURE: Left T5-T6 facet injection.\nNeedle advanced under CT guidance; final position checked "
         f"under fluoroscopy. {DONE}", ("fluoroscopy", "ct")),
    ],
)
def test_two_modalities_used_today_keep_the_order_and_ask_for_review(view_of, text, pair):
    img, doubts = _read(view_of, text)
    assert img.modality == "fluoroscopy"  # fluoroscopy > CT > ultrasound, as before
    assert [d.id for d in doubts] == [IMAGING_CONFLICT]
    assert all(m in doubts[0].detail for m in pair)
    assert {e.text.lower() for e in doubts[0].evidence} and all(e.text for e in doubts[0].evidence)


def test_one_modality_with_a_negated_other_is_no_conflict(view_of):
    text = f"PROCEDURE: Right L4-L5 MBB, US guided (no fluoro today). {DONE}"
    img, doubts = _read(view_of, text)
    assert img.modality == "ultrasound" and doubts == []


def test_imaging_conflict_is_a_registered_extract_reason():
    assert IMAGING_CONFLICT in EXTRACT_REASONS
    row = rule_tables().review_reasons[IMAGING_CONFLICT]
    assert row.raised_by == "extract"
    assert list(row.rule_ids) == ["R-IMG-2", "R-IMG-3"]
    assert "{detail}" in row.message


def test_imaging_conflict_is_worded_for_review(view_of):
    text = f"PROCEDURE: Right L4-L5 MBB.\nUltrasound-guided needle placement; AP fluoroscopy confirmed the tip. {DONE}"
    img, doubts = _read(view_of, text)
    result = NoteResult(note_id="n", imaging=img, review=Review(reasons=doubts))
    review = build_review(result, rule_tables(), load_profile())
    assert review.status == "needs_review"
    [reason] = review.reasons
    assert reason.id == IMAGING_CONFLICT and "fluoroscopy and ultrasound" in reason.message
    assert reason.rule_ids == ["R-IMG-2", "R-IMG-3"]
