"""Pre/post scores written in template forms: bracketed values, Key: value lines, rows under a pain heading,
a scale note in the label, VAS in millimetres (kept on the scale written: 70 mm is 70 of 100)."""

from __future__ import annotations

import pytest

from nlp.extract.pain import extract_pain_scores


def scores_of(view_of, text: str):
    view = view_of(text)
    scores, _ = extract_pain_scores(view)
    for s in scores:
        for e in s.evidence:
            assert view.text[e.start : e.end] == e.text
    return [(s.timing, s.value, s.scale, s.max_value) for s in scores]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PAIN (NRS 0-10):  Pre: [6]    Post: [2]  @ [20] min\n", [("pre", 6, "NRS", 10), ("post", 2, "NRS", 10)]),
        ("Pain (NRS 0-10): Pre [4]   Post [1]   Time of post score: [30 min]\n",
         [("pre", 4, "NRS", 10), ("post", 1, "NRS", 10)]),
        ("PAIN SCORES (NRS 0-10)\nPre-procedure:   [7]   descriptor: [Severe]\nPost-procedure:  [3]   descriptor: [Mild]\n",
         [("pre", 7, "NRS", 10), ("post", 3, "NRS", 10)]),
        ("Pain NRS post (20 min): [4 \u25bc]/10\n", [("post", 4, "NRS", 10)]),
        ("Pain score (VAS 0-100 mm)\nPre: 85\nPost: 40\n", [("pre", 85, "VAS", 100), ("post", 40, "VAS", 100)]),
    ],
)
def test_rows_and_brackets(view_of, text, expected):
    assert scores_of(view_of, text) == [(t, float(v), sc, float(mx)) for t, v, sc, mx in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pre-procedure pain (NRS 0-10): 7\nPost-procedure pain (NRS 0-10): 5\n",
         [("pre", 7, "NRS", 10), ("post", 5, "NRS", 10)]),
        ("Pre-procedure pain (VAS 0-100 mm):  65\nPost-procedure pain (VAS 0-100 mm):  25\n",
         [("pre", 65, "VAS", 100), ("post", 25, "VAS", 100)]),
        ("Pain pre (NRS 0-10): 9/10   Location: low back\n", [("pre", 9, "NRS", 10)]),
        ("Pain NRS pre: 8/10      Pain NRS post (15 min): 3/10\n", [("pre", 8, "NRS", 10), ("post", 3, "NRS", 10)]),
        ("Pain (pre): 6/10 NRS\nPain location: neck\n", [("pre", 6, "NRS", 10)]),
    ],
)
def test_key_value_lines(view_of, text, expected):
    assert scores_of(view_of, text) == [(t, float(v), sc, float(mx)) for t, v, sc, mx in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pain scale: VAS 0-100 mm\nPain before: 75 mm\nPain after: 20 mm at 30 minutes\n",
         [("pre", 75, "VAS", 100), ("post", 20, "VAS", 100)]),
        ("HISTORY: Pain today is rated 60 mm on a 100 mm visual analog scale.", [("pre", 60, "VAS", 100)]),
        ("Pre-procedure pain 85 mm on a 100 mm VAS. Post-procedure pain 35 mm on the 100 mm VAS at 20 minutes.",
         [("pre", 85, "VAS", 100), ("post", 35, "VAS", 100)]),
        ("Pain 80 mm before and 40 mm after (VAS 0-100 mm).", [("pre", 80, "VAS", 100), ("post", 40, "VAS", 100)]),
        ("IMPRESSION: VAS 65 mm before, 15 mm after.", [("pre", 65, "VAS", 100), ("post", 15, "VAS", 100)]),
        ("VAS 90 -> 50 mm.", [("pre", 90, "VAS", 100), ("post", 50, "VAS", 100)]),
    ],
)
def test_vas_in_millimetres_stays_on_its_scale(view_of, text, expected):
    assert scores_of(view_of, text) == [(t, float(v), sc, float(mx)) for t, v, sc, mx in expected]


@pytest.mark.parametrize(
    "text",
    [
        "Under fluoroscopy 18-gauge RF cannulae with 10 mm active tips were placed; pain reproduced at 0.5 V.",
        "A 22 g 90 mm spinal needle was used; no pain on injection.",
        "Pain scale: VAS 0-100 mm.",
        "Pre-op vitals: BP 128/80, HR 72.\nPost: ambulating.",
        "Vitals pre: BP 140/90  HR 80\nVitals post: BP 130/80  HR 70\n",
        "Pain diary: 8 hours. Pain location: left low back.",
        "PAIN (NRS 0-10): Pre: ***   Post: ***\n",
    ],
)
def test_not_template_scores(view_of, text):
    assert scores_of(view_of, text) == []
