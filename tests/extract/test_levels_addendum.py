"""A signed addendum that corrects a level or side wins over the body and raises ADDENDUM_CHANGES_FACT;
one that only restates or clarifies changes nothing and raises nothing."""

from __future__ import annotations

import pytest

from nlp.extract.doubts import ADDENDUM_CHANGES_FACT
from nlp.extract.levels import extract_levels_and_doubts


def run(view_of, text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    found, doubts = extract_levels_and_doubts(view_of(text))
    return [(lv.joint, lv.side) for lv in found], [(d.id, d.detail) for d in doubts]


BODY_LEFT = ("Procedure: Left L4-L5 facet joint injection.\n"
             "Technique: A 22-gauge spinal needle was advanced into the left L4-L5 facet joint and 1 mL of "
             "bupivacaine was injected.\n"
             "Signed: A. Doctor, MD\n")


@pytest.mark.parametrize(
    "addendum",
    [
        "ADDENDUM 02/03/2026 14:20 (A. Doctor, MD): Correction - the L4-L5 facet joint was injected on both "
        "sides, not left only as written above. Bilateral L4-L5 facet joint injections were performed.",
        "Addendum by Dr. Doctor: the note above is in error; bilateral L4-L5 facet joint injections were performed.",
        "== ADDENDUM ==\nCorrected: right and left L4-L5 facet joint injections were performed today.",
    ],
)
def test_a_correcting_addendum_wins(view_of, addendum: str) -> None:
    found, doubts = run(view_of, BODY_LEFT + addendum)
    assert found == [("L4-L5", "bilateral")]
    assert doubts == [(ADDENDUM_CHANGES_FACT, "body: left L4-L5; addendum: bilateral L4-L5")]


def test_an_addendum_corrects_the_side_of_one_nerve(view_of) -> None:
    text = ("Procedure: Bilateral L1-L2 and L2-L3 medial branch blocks.\n"
            "Technique: 22-gauge needles were advanced to the bilateral T12 and L1 medial branches and the left "
            "L2 medial branch; bupivacaine was injected at each site.\n"
            "ADDENDUM 05/05/2026 (B. Doctor, MD): Correction - the L2 medial branch was also blocked on the "
            "right side, not left only as documented.")
    found, doubts = run(view_of, text)
    assert found == [("L1-L2", "bilateral"), ("L2-L3", "bilateral")]
    assert [d[0] for d in doubts][-1] == ADDENDUM_CHANGES_FACT


def test_an_addendum_can_deny_a_level(view_of) -> None:
    text = ("Procedure: Right L3-L4 and L4-L5 facet joint injections.\n"
            "Technique: The needle was advanced into the right L3-L4 and L4-L5 facet joints.\n"
            "ADDENDUM 01/01/2026 (C. Doctor, MD): Correction - only the right L4-L5 facet joint was injected, "
            "not L3-L4 as written.")
    found, doubts = run(view_of, text)
    assert found == [("L4-L5", "right")]
    assert doubts == [(ADDENDUM_CHANGES_FACT, "body: right L3-L4; addendum: none")]


@pytest.mark.parametrize(
    "addendum",
    [
        "ADDENDUM 02/03/2026 16:00 (A. Doctor, MD): Restating for the payer - left L4-L5 facet joint injection "
        "under fluoroscopy, bupivacaine 1 mL. No change to the note above.",
        "Addendum 02/03/2026 by Dr. Doctor, for clarity: today's injection was the left L4-L5 facet joint.",
        "ADDENDUM (A. Doctor, MD 02/04/2026): intent of today's block was diagnostic; not stated above.",
    ],
)
def test_a_restating_addendum_changes_nothing(view_of, addendum: str) -> None:
    found, doubts = run(view_of, BODY_LEFT + addendum)
    assert found == [("L4-L5", "left")]
    assert doubts == []


def test_a_restating_addendum_that_alone_names_the_levels_gives_them(view_of) -> None:
    text = ("Bilateral facet medial branch blocks were performed under fluoroscopy today, tolerated well.\n"
            "ADDENDUM 03/03/2026 (D. Doctor): restating for chart clarity, no change: procedure today = bilateral "
            "L3 and L4 medial branch blocks.")
    found, doubts = run(view_of, text)
    assert found == [("L4-L5", "bilateral")]
    assert doubts == []


@pytest.mark.parametrize(
    "text",
    [
        # "addendum" as a template field or a reference is not an addendum
        BODY_LEFT + "Addendum to follow: [ ] Yes [x] No",
        BODY_LEFT + "See addendum in the chart for the right L5-S1 consult.",
    ],
)
def test_not_an_addendum(view_of, text: str) -> None:
    found, doubts = run(view_of, text)
    assert found == [("L4-L5", "left")]
    assert doubts == []
