"""Sides the note states must not be lost: both sides written as a sequence, common misspellings of
"bilateral", side letters inside nerve lists, a denied side ("not left only"), and a short sentence that
goes on with the technique ("Same R T6-T7.")."""

from __future__ import annotations

import pytest

from nlp.extract.levels import extract_levels, parse_side_phrases


def levels(view_of, text: str) -> list[tuple[str, str]]:
    return [(lv.joint, lv.side) for lv in extract_levels(view_of(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Technique: Oblique views of the L3-L4 and L4-L5 joints on the left and then on the right; a 22-gauge "
         "needle was advanced into each joint.",
         [("L3-L4", "bilateral"), ("L4-L5", "bilateral")]),
        ("Technique: Needles were placed at the L2 and L3 medial branches on the right, then the left.",
         [("L3-L4", "bilateral")]),
        ("Technique: The C5-C6 facet joint was injected on the right and then on the left side.",
         [("C5-C6", "bilateral")]),
    ],
)
def test_both_sides_in_sequence(view_of, text, expected) -> None:
    assert levels(view_of, text) == expected


@pytest.mark.parametrize("word", ["bilaterla", "Bilatreal", "BILATERLA"])
def test_misspelt_bilateral(view_of, word: str) -> None:
    text = f"Procedure: {word} L4-L5 facet joint injections under fluoroscopy."
    assert levels(view_of, text) == [("L4-L5", "bilateral")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Technique: Spinal needles were advanced to the R C5, R C6 medial branches.", [("C5-C6", "right")]),
        ("Technique: Needles to the L C3, L C4 and L C5 medial branches, 0.5 mL each.",
         [("C3-C4", "left"), ("C4-C5", "left")]),
        ("Technique: 22g needles advanced to R L3, R L4, L L3, L L4 med br at the SAP/TP junction.",
         [("L4-L5", "bilateral")]),
        ("Technique: Needles were placed along the right L3 and L4 medial branches and the right L5 dorsal "
         "primary ramus.",
         [("L4-L5", "right"), ("L5-S1", "right")]),
    ],
)
def test_side_letters_and_short_forms_in_nerve_lists(view_of, text, expected) -> None:
    assert levels(view_of, text) == expected


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        ("the joint was treated bilaterally, not left only as stated", ["bilateral"]),
        ("injected on the right rather than the left", ["right"]),
        ("right, not left", ["right"]),
    ],
)
def test_a_denied_side_is_not_a_side(text: str, sides: list[str]) -> None:
    assert [p.side for p in parse_side_phrases(text)] == sides


def test_left_alone_is_still_a_side() -> None:
    assert [p.side for p in parse_side_phrases("left L4-L5, note not reviewed")] == ["left"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Proc: R T5-T6, T6-T7 thoracic facet injections.\n"
         "Hx: mid back pain.\n\n"
         "22g spinal needle into the R T5-T6 joint under CT, 0.5 mL injected. Same R T6-T7.\n",
         [("T5-T6", "right"), ("T6-T7", "right")]),
        ("Technique: A 22-gauge needle was advanced into the left L3-L4 facet joint and 1 mL was injected. "
         "Then left L4-L5.",
         [("L3-L4", "left"), ("L4-L5", "left")]),
    ],
)
def test_a_short_sentence_goes_on_with_the_technique(view_of, text, expected) -> None:
    assert levels(view_of, text) == expected


def test_a_short_sentence_after_the_technique_about_the_plan_is_not_treated(view_of) -> None:
    text = ("Technique: A 22-gauge needle was advanced into the left L3-L4 facet joint and 1 mL was injected. "
            "Will consider L4-L5 next time.")
    assert levels(view_of, text) == [("L3-L4", "left")]


def test_side_cell_of_a_pipe_table_belongs_to_the_level_of_its_row(view_of) -> None:
    """Written for the table class found in blind batch B: the side column goes with its own row."""
    text = ("PROCEDURE: C4-C5 and C5-C6 cervical medial branch blocks\n"
            "| Level | Side  | Volume |\n"
            "| C4-C5 | Right | 0.5 mL |\n"
            "| C5-C6 | Bilat | 0.5 mL |\n"
            "| C6-C7 | Left  | 0.5 mL |\n")
    found = [(lv.joint, lv.side) for lv in extract_levels(view_of(text))]
    assert found == [("C4-C5", "right"), ("C5-C6", "bilateral"), ("C6-C7", "left")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("proc: r l5-s1 facet jt inj under fluoro, 22g needle into the joint", [("L5-S1", "right")]),
        ("mbb lt c5-c6 and c6-c7 w/ fluoro, bupi 0.3 ml each", [("C5-C6", "left"), ("C6-C7", "left")]),
        ("l l3-l4 facet joint injected under fluoroscopy", [("L3-L4", "left")]),
        ("rt. t7-t8 facet joint injection under fluoro", [("T7-T8", "right")]),
    ],
)
def test_lowercase_side_shorthand_before_a_level(view_of, text, expected) -> None:
    assert levels(view_of, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "proc: l5-s1 facet jt inj under fluoro, 22g needle, 1 ml l per joint",  # a unit, not a side
        "proc: l5-s1 facet jt inj under fluoro, arthrogram",
    ],
)
def test_no_side_letter_no_side(view_of, text) -> None:
    assert levels(view_of, text) == [("L5-S1", "unspecified")]
