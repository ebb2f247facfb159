"""Levels named by an exam or imaging finding are no treated joints, and a region word between a nerve list and
its noun keeps the list ("C5, C6 and C7 cervical medial branch blocks"). Sentences are our own (issue 10)."""

from __future__ import annotations

import pytest

from nlp.extract.levels import extract_levels

TODAY = ("Procedure: right C4-C5 facet joint injection under fluoroscopy; 22 gauge needle into the right C4-C5 "
         "joint, 1 mL bupivacaine injected.")


def _joints(view_of, text: str) -> list[tuple[str, str]]:
    return [(lv.joint, lv.side) for lv in extract_levels(view_of(text))]


@pytest.mark.parametrize(
    "finding",
    [
        "sensation intact to light touch C5 through T1",
        "paraspinal tenderness C6 through T1 bilaterally",
        "MRI: uncovertebral spurring C6-7",
        "reflexes symmetric C5 to C7",
        "foraminal stenosis at C6-C7",
    ],
)
def test_an_exam_or_imaging_finding_names_no_treated_joint(view_of, finding) -> None:
    text = f"Exam and imaging, {finding}, otherwise normal, {TODAY}"
    assert _joints(view_of, text) == [("C4-C5", "right")]


def test_a_treated_level_in_the_same_sentence_as_a_finding_is_kept(view_of) -> None:
    text = "Tenderness over the lower neck; right C4-C5 facet joint injected under fluoroscopy with 1 mL bupivacaine."
    assert _joints(view_of, text) == [("C4-C5", "right")]


@pytest.mark.parametrize("region", ["cervical ", "CERVICAL ", ""])
def test_a_region_word_between_a_nerve_list_and_its_noun_keeps_the_list(view_of, region) -> None:
    text = (f"Procedure: bilateral C4, C5 and C6 {region}medial branch blocks under fluoroscopy, 0.3 mL bupivacaine "
            "injected at each target.")
    assert _joints(view_of, text) == [("C4-C5", "bilateral"), ("C5-C6", "bilateral")]
