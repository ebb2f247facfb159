"""Post-procedure scores in their usual phrasings, and the timing of each score in a pair: a cue written right
before a score is its own ("pre 7/10 -> post 1/10", "(pre 9/10)"), a cue between two scores belongs to the
nearer one, and headings of a combined record (PRE-OP NURSING / PACU) time the scores under them."""

from __future__ import annotations

import pytest

from nlp.extract.pain import extract_pain_scores


def timed(view_of, text: str):
    scores, _ = extract_pain_scores(view_of(text))
    return [(s.timing, s.value) for s in scores]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pain scores - Pre: 7, Post: 2.", [("pre", 7), ("post", 2)]),
        ("Her pain went from 8 to 3.", [("pre", 8), ("post", 3)]),
        ("Pain 8->2 after the block.", [("pre", 8), ("post", 2)]),
        ("NRS 7 -> 3.", [("pre", 7), ("post", 3)]),
        ("She was 6/10 prior, 1/10 after.", [("pre", 6), ("post", 1)]),
        ("NRS 6 before, 3 after.", [("pre", 6), ("post", 3)]),
        ("Her pain was 8 and is now 3 after the block.", [("pre", 8), ("post", 3)]),
        ("He reported a pain score of 2 after the procedure.", [("post", 2)]),
        ("Pain 3/10 at 30 min.", [("post", 3)]),
        ("Pain 1/10 in recovery.", [("post", 1)]),
        ("Pain 2/10 @ 15 min with extension.", [("post", 2)]),
        ("Post VAS: 4/10 (20 min)", [("post", 4)]),
        ("Tolerated well. 20 min pain 1/10, turning without pain.", [("post", 1)]),
    ],
)
def test_post_phrasings(view_of, text, expected):
    assert timed(view_of, text) == [(t, float(v)) for t, v in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pain NRS: pre 6/10 -> post 1/10 at 20 minutes.", [("pre", 6), ("post", 1)]),
        ("Post-procedure pain in PACU was 3/10 NRS (pre 8/10).", [("post", 3), ("pre", 8)]),
        ("Pain 7/10 before and 2/10 after.", [("pre", 7), ("post", 2)]),
        ("Pain 5/10 pre -> 1/10 post.", [("pre", 5), ("post", 1)]),
        ("Post-procedure pain 1/10 from 6/10.", [("post", 1), ("pre", 6)]),
        ("Immediate post-procedure pain 0/10 (from 7/10).", [("post", 0), ("pre", 7)]),
        ("Pt rates low back pain 4/10 NRS in PACU (was 9/10 pre-procedure).", [("post", 4), ("pre", 9)]),
    ],
)
def test_each_score_of_a_pair_keeps_its_own_cue(view_of, text, expected):
    assert timed(view_of, text) == [(t, float(v)) for t, v in expected]


def test_nursing_headings_time_the_scores_under_them(view_of):
    note = (
        "---- PRE-OP NURSING ----\n"
        "Vitals: BP 130/80 HR 70\n"
        "Pain (NRS 0-10): 8/10   Location: low back\n"
        "---- TIME-OUT 0910 ----\n"
        "Correct patient, site, side.\n"
        "---- PACU NURSING ----\n"
        "0952 Pain (NRS 0-10): 3/10. Ambulating.\n"
    )
    assert timed(view_of, note) == [("pre", 8.0), ("post", 3.0)]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("[PRE-OP CHECKLIST]\nPain (NRS 0-10): low back 6/10\n\n[PACU]\n1:40 PM Pain (NRS 0-10): low back 2/10.\n",
         [("pre", 6), ("post", 2)]),
        ("RECORD | PRE-OP RN 0700: consent verified. LBP 7/10 NRS x 1 yr. | PACU RN 0820: Pain 2/10, home.",
         [("pre", 7), ("post", 2)]),
        ("== PACU ==\nPain: 1/10\n", [("post", 1)]),
    ],
)
def test_heading_forms(view_of, note, expected):
    assert timed(view_of, note) == [(t, float(v)) for t, v in expected]


def test_a_diagnosis_label_is_not_a_timing_heading(view_of):
    note = "POST-OP DX: lumbar spondylosis\nPain 6/10 today.\n"
    assert timed(view_of, note) == [("pre", 6.0)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PRE-OP RN: Pain 6/10 NRS L buttock/post thigh/lat calf.", [("pre", 6)]),
        ("Post-lami syndrome with leg pain, 9/10.", [("unspecified", 9)]),
    ],
)
def test_post_that_is_not_a_cue(view_of, text, expected):
    assert timed(view_of, text) == [(t, float(v)) for t, v in expected]


@pytest.mark.parametrize(
    "text",
    [
        "Strength 5/5 bilaterally. BP 142/88. Lidocaine 1% 5 mL.",
        "Pain ranges 4-6/10 most days.",
        "Pain for 3 to 4 months.",
        "Pain 4 to 6 on most days.",
        "Seen 3/10 for follow-up at 10:30.",
        "Time out 09:12; needles removed at 09:30.",
    ],
)
def test_numbers_that_are_not_scores(view_of, text):
    assert timed(view_of, text) == []
