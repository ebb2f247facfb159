"""Survey / localizer / scout images taken to count the levels are not treated levels: only statements
about today's needle, injection or block give joints."""

from __future__ import annotations

import pytest

from nlp.extract.levels import extract_levels, extract_levels_and_doubts


def levels(view_of, text: str) -> list[tuple[str, str]]:
    return [(lv.joint, lv.side) for lv in extract_levels(view_of(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a "Scout:" field line with the range imaged
        ("Procedure: Left L4-L5 facet joint injection.\n"
         "Scout: AP and lateral survey images from T12 to S1 to count the levels.\n"
         "Technique: A 22-gauge spinal needle was advanced into the left L4-L5 facet joint.",
         [("L4-L5", "left")]),
        # localizer images inside the technique paragraph
        ("PROCEDURE: Bilateral L3-L4 and L4-L5 medial branch blocks.\n"
         "TECHNIQUE: The patient was placed prone. Localizer fluoroscopic images were obtained from L1 through "
         "S1 for level identification. Needles were advanced to the bilateral L2, L3 and L4 medial "
         "branches.",
         [("L3-L4", "bilateral"), ("L4-L5", "bilateral")]),
        # CT planning scout; levels counted from the sacrum
        ("Procedure: Right C5-C6 facet joint injection under CT.\n"
         "Technique: A CT scout was acquired from C2 through T2 and the levels were counted from C2. "
         "A 25-gauge needle was advanced into the right C5-C6 facet joint.",
         [("C5-C6", "right")]),
        # survey only, written after the range
        ("Procedure: Left T12-L1 facet medial branch block.\n"
         "Technique: Fluoro images T10-L2 (survey only). Needles were placed at the left T11 and T12 medial "
         "branches.",
         [("T12-L1", "left")]),
        # in a headerless run-on dictation
        ("right L5-S1 facet injection today, patient prone, AP and oblique images from L3 to S1 were taken "
         "to count levels, then a 22 gauge spinal needle was advanced into the right L5-S1 facet joint and "
         "1 mL was injected, no complications.",
         [("L5-S1", "right")]),
    ],
)
def test_survey_images_add_no_levels(view_of, text: str, expected: list[tuple[str, str]]) -> None:
    assert levels(view_of, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a clause that names the facet procedure keeps its levels even beside a scout word
        ("Technique: After scout imaging, right L4-L5 and L5-S1 facet joint injections were performed.",
         [("L4-L5", "right"), ("L5-S1", "right")]),
        # "localized" is not a localizer: the joint was found and injected
        ("Technique: The left L3-L4 facet joint was localized fluoroscopically and a 22-gauge needle was "
         "advanced into it.",
         [("L3-L4", "left")]),
    ],
)
def test_controls_keep_their_levels(view_of, text: str, expected: list[tuple[str, str]]) -> None:
    assert levels(view_of, text) == expected


def test_localizer_raises_no_doubt(view_of) -> None:
    text = ("Procedure: Bilateral L4-L5 facet joint injections.\n"
            "Technique: Scout AP images L1 through S1 for level count. Needles were advanced into the right "
            "and left L4-L5 facet joints.")
    found, doubts = extract_levels_and_doubts(view_of(text))
    assert [(lv.joint, lv.side) for lv in found] == [("L4-L5", "bilateral")]
    assert doubts == []
