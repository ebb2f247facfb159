"""A signed addendum that states a pre/post score otherwise than the body wins, and the note needs review
(ADDENDUM_CHANGES_FACT from `pain_doubts`); one that supplies a score the body left out is taken without review
(it corrects nothing); one that restates the body changes nothing."""

from __future__ import annotations

from nlp.extract.doubts import ADDENDUM_CHANGES_FACT
from nlp.extract.pain import extract_pain_scores, pain_doubts

BODY = "PROCEDURE: Right L4-L5 MBB.\nPre-procedure pain: 8/10 NRS.\nPOST-PROCEDURE: Tolerated well.\n"


def test_addendum_adds_the_missing_post_score_without_review(view_of):
    text = BODY + "ADDENDUM 04/02/2026 1510: post-procedure pain at 15 min was 3/10 (pre 8/10). Omitted above."
    view = view_of(text)
    scores, _ = extract_pain_scores(view)
    post = [s for s in scores if s.timing == "post"]
    assert [s.value for s in post] == [3.0]
    assert text.index("ADDENDUM") < post[0].evidence[0].start, "the addendum is the score's evidence"
    assert pain_doubts(view) == []


def test_addendum_correcting_a_score_wins(view_of):
    view = view_of(BODY + "Addendum 04/02/2026: correction - pre-procedure pain was 6/10, not as written.")
    scores, _ = extract_pain_scores(view)
    assert [s.value for s in scores if s.timing == "pre"] == [6.0]
    assert [d.id for d in pain_doubts(view)] == [ADDENDUM_CHANGES_FACT]


def test_restating_addendum_changes_nothing(view_of):
    text = ("PROCEDURE: Right L4-L5 MBB.\nPain 7/10 before and 2/10 after.\n"
            "ADDENDUM 04/02/2026: for clarity, pain 7/10 before and 2/10 after; no change to the note.")
    view = view_of(text)
    assert pain_doubts(view) == []
    scores, _ = extract_pain_scores(view)
    assert [(s.timing, s.value) for s in scores][:2] == [("pre", 7.0), ("post", 2.0)]


def test_no_addendum_no_doubt(view_of):
    assert pain_doubts(view_of(BODY)) == []
